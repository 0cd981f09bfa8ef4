"""The calls of the developers' workspace: the queue, the staff fields, internal notes and
the ticket's history.

`WorkspaceApi` is an `Api` for one account (build it from the account captured when the
page was built, never from `app.storage.user` inside a callback: docs/ENGINEERING.md, the
cross-user pitfall). Its failures are `ApiError`s told in Russian; the staff fields' problems
are keyed by the labels of the staff panel.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from typing import TypeVar

import grpc
from google.protobuf.field_mask_pb2 import FieldMask

from services.common.client.errors import error_details
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb

from . import labels
from .api import CALL_TIMEOUT, TRANSITION_TIMEOUT, Api, ApiError, _clients, translate
from .i18n import N_, _

T = TypeVar('T')

PAGE = 100  # the services' largest page
ALL_ORGANIZATIONS = 'organizations/-'

# The staff panel's fields, as the server names them.
FIELDS = {
    'assignee': N_('Исполнитель'),
    'estimate_hours': N_('Оценка, ч'),
    'planned_date': N_('Плановая дата'),
    'priority': N_('Приоритет'),
    'body': N_('Комментарий'),
}


def field_label(name: str) -> str:
    """`planned_date` -> «Плановая дата», as the staff panel labels the field."""
    return _(FIELDS[name])


# The server's words about them -> msgids; first match wins.
PROBLEMS = (
    ('developer or manager', N_('выберите активного сотрудника студии')),
    ('between 0 and', N_('от 0 до 10 000 часов')),
    ('must be a date', N_('такой даты нет')),
    ('must be low, normal', N_('выберите приоритет')),
    ('must look like users', N_('выберите сотрудника студии')),
    ('is required', N_('обязательное поле')),
    ('must be at most', N_('слишком длинный текст')),
)


class WorkspaceApi(Api):
    """The services as one staff member (or, for the history, anyone) sees them."""

    # --- the queue ------------------------------------------------------------------------

    async def queue(self, request: pb.ListTicketsRequest) -> pb.ListTicketsResponse:
        return await self._call(_clients().tickets.ListTickets(
            request, metadata=self._metadata, timeout=CALL_TIMEOUT))

    async def sites(self, organization: str = ALL_ORGANIZATIONS) -> list[pb.Site]:
        sites: list[pb.Site] = []
        token = ''
        while True:
            request = pb.ListSitesRequest(parent=organization, page_size=PAGE, page_token=token)
            answer = await self._call(_clients().tickets.ListSites(
                request, metadata=self._metadata, timeout=CALL_TIMEOUT))
            sites.extend(answer.sites)
            token = answer.next_page_token
            if not token:
                return sites

    async def staff(self) -> dict[str, str]:
        """The studio's active developers and managers: `users/{id}` -> name, by name."""
        people: list[auth_pb2.User] = []
        for role in (auth_pb2.ROLE_DEVELOPER, auth_pb2.ROLE_MANAGER):
            token = ''
            while True:
                request = auth_pb2.ListUsersRequest(page_size=PAGE, page_token=token, role=role)
                answer = await self._call(_clients().auth.ListUsers(
                    request, metadata=self._metadata, timeout=CALL_TIMEOUT))
                people.extend(u for u in answer.users if u.active)
                token = answer.next_page_token
                if not token:
                    break
        people.sort(key=lambda u: (u.full_name or u.email).casefold())
        return {u.name: u.full_name or u.email for u in people}

    # --- the card ------------------------------------------------------------------------

    async def update_ticket(self, name: str, changes: pb.Ticket,
                            paths: Iterable[str]) -> pb.Ticket:
        """Changes only the fields named (AIP-134); the others stay as they are."""
        ticket = pb.Ticket()
        ticket.CopyFrom(changes)
        ticket.name = name
        request = pb.UpdateTicketRequest(ticket=ticket, update_mask=FieldMask(paths=list(paths)))
        return await self._call(_clients().tickets.UpdateTicket(
            request, metadata=self._metadata, timeout=CALL_TIMEOUT))

    async def add_comment_as(self, name: str, body: str, request_id: str, *,
                             internal: bool) -> pb.Comment:
        """A public comment, or an internal note that only the studio sees."""
        comment = pb.Comment(body=body.strip(), visibility=pb.VISIBILITY_INTERNAL if internal
                             else pb.VISIBILITY_PUBLIC)
        request = pb.AddCommentRequest(parent=name, comment=comment, request_id=request_id)
        return await self._call(_clients().tickets.AddComment(
            request, metadata=self._metadata, timeout=TRANSITION_TIMEOUT))

    async def history(self, name: str) -> list[pb.HistoryEntry]:
        entries: list[pb.HistoryEntry] = []
        token = ''
        while True:
            request = pb.ListTicketHistoryRequest(parent=name, page_size=PAGE, page_token=token)
            answer = await self._call(_clients().tickets.ListTicketHistory(
                request, metadata=self._metadata, timeout=CALL_TIMEOUT))
            entries.extend(answer.entries)
            token = answer.next_page_token
            if not token:
                return entries

    async def _call(self, call: Awaitable[T]) -> T:
        try:
            return await call
        except grpc.aio.AioRpcError as error:
            raise _translate(error) from None


def _translate(error: grpc.aio.AioRpcError) -> ApiError:
    """`api.translate`, with the staff fields named and described as the panel names them."""
    translated = translate(error)
    try:
        _reason, violations = error_details(error)  # not `_`: that is gettext here
    except Exception:
        return translated
    if not violations:
        return translated
    by_field: dict[str, str] = {}
    for path, description in violations:
        last = path.rsplit('.', 1)[-1]
        if last in FIELDS:
            by_field[field_label(last)] = problem(description)
        else:
            by_field.update({k: v for k, v in translated.violations.items()
                             if k == labels.field(path)})
    problems = '; '.join(f'{k} — {v}' for k, v in by_field.items())
    message = _('Проверьте поля: {problems}').format(problems=problems)
    return ApiError(message, code=translated.code, reason=translated.reason,
                    violations=by_field)


def problem(description: str) -> str:
    lowered = description.lower()
    for phrase, msgid in PROBLEMS:
        if phrase in lowered:
            return _(msgid)
    return _('неверное значение')
