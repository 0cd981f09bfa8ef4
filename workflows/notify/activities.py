"""The `notify` activity: tell the right people about a ticket's event,
by e-mail and in the app (the bell).

TicketWorkflow starts it in the background with a `Notice`. It reads the ticket
and the people from the services (as the TicketDesk service principal),
decides who hears what (`recipients`), writes each an e-mail in their language
and the studio's time zone (`texts`, `studio`) and hands the in-app events to the `Inbox`.

Retries are safe: every e-mail has a Message-ID derived from the event and the
recipient, and the inbox (when wired) remembers who has been e-mailed already.
Per batch of notices (the dispatcher's; the activity's is one notice): the people (each
ListUsers list once), one SMTP connection; per notice the comment when there is one, one
bell delivery and one "e-mailed" record.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Protocol

import grpc
import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from services.common.client.channels import bearer
from services.common.platform.reply_tokens import reply_address, reply_token
from ticketdesk.auth.v1 import auth_pb2, auth_pb2_grpc
from ticketdesk.tickets.v1 import tickets_pb2, tickets_pb2_grpc
from workflows.messages import Notice
from workflows.notify import texts
from workflows.notify.mailer import (
    Mailer,
    compose,
    mail_domain,
    mailer_from_settings,
    message_id,
)
from workflows.notify.recipients import audience, recipients
from workflows.notify.studio import StudioZone

log = structlog.get_logger()

DEFAULT_FROM = "TicketDesk <support@ticketdesk.local>"
# Answers about the ticket that retrying cannot change.
PERMANENT = {grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT,
             grpc.StatusCode.PERMISSION_DENIED}
COMMENT_KINDS = ("comment", "internal_note", "remarks")
PAGE_SIZE = 200


class Inbox(Protocol):
    """The in-app notifications (the bell), kept by the tickets service."""

    async def deliver(self, notice: Notice, titles: dict[str, str]) -> list[str]:
        """Record the in-app event for each recipient (`users/{id}` → a one-line title in
        their language), once per `notice.event_id` and recipient. Returns the
        recipients who have NOT yet been e-mailed about this event."""

    async def mark_emailed(self, notice: Notice, recipients: list[str]) -> None:
        """Remember that `recipients` were e-mailed about `notice.event_id`."""


class NotifyActivities:
    def __init__(self, auth: auth_pb2_grpc.AuthServiceStub,
                 tickets: tickets_pb2_grpc.TicketServiceStub, service_token: str,
                 mailer: Mailer, public_url: str, inbox: Inbox | None = None, *,
                 mail_from: str = DEFAULT_FROM, rpc_timeout: float = 20.0,
                 reply_secret: str = "", support_address: str = ""):
        self._auth = auth
        self._tickets = tickets
        self._metadata = bearer(service_token)
        self._mailer = mailer
        self._public_url = public_url.rstrip("/")
        self._inbox = inbox
        self._mail_from = mail_from
        self._domain = mail_domain(mail_from)
        # Without a secret notices carry no reply address (e-mail in is off).
        self._reply_secret = reply_secret
        self._support = support_address or parseaddr(mail_from)[1]
        self._timeout = rpc_timeout
        self._zone = StudioZone(tickets, self._metadata, timeout=rpc_timeout)

    @classmethod
    def from_settings(cls, settings, auth: auth_pb2_grpc.AuthServiceStub,
                      tickets: tickets_pb2_grpc.TicketServiceStub,
                      inbox: Inbox | None = None) -> NotifyActivities:
        return cls(auth, tickets, settings.service_token.get_secret_value(),
                   mailer_from_settings(settings), settings.web_url, inbox,
                   mail_from=settings.mail_from,
                   reply_secret=settings.mail_reply_secret.get_secret_value(),
                   support_address=settings.support_address)

    @activity.defn(name="notify")
    async def notify(self, notice: Notice) -> int:
        """Returns how many people the notice is for (in the app and by e-mail).
        The notify activity of histories recorded before the outbox; the dispatcher
        sends the outbox's notices with `send`."""
        outcome, = await self.send([(notice, await self._ticket(notice.number))])
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    async def send(self, batch: list[tuple[Notice, tickets_pb2.Ticket | None]]
                   ) -> list[int | BaseException]:
        """Sends a batch of notices: the people read once, one SMTP connection.
        Per notice: how many people it is for, or the error (an ApplicationError that is
        non-retryable when retrying cannot help: an unknown kind, a ticket gone)."""
        zone = await self._zone.get()
        people = _People(self._all_users)
        prepared = await asyncio.gather(*(self._prepare(notice, ticket, zone, people)
                                          for notice, ticket in batch), return_exceptions=True)
        outcomes: list[int | BaseException] = [
            p if isinstance(p, BaseException) else len(p.chosen) for p in prepared]
        plans = [(i, p) for i, p in enumerate(prepared) if isinstance(p, _Plan) and p.chosen]
        delivered = await asyncio.gather(*(self._deliver(p) for _, p in plans),
                                         return_exceptions=True)
        for (i, _), failed in zip(plans, delivered, strict=True):
            if isinstance(failed, BaseException):
                outcomes[i] = failed
        ready = [(i, p) for i, p in plans if not isinstance(outcomes[i], BaseException)]
        try:
            await self._mail([p for _, p in ready])
        except Exception as error:  # the mail server is away: retry the notices with mail
            for i, p in ready:
                if p.outgoing:
                    outcomes[i] = error
            ready = [(i, p) for i, p in ready if not p.outgoing]
        marked = await asyncio.gather(*(self._mark_emailed(p) for _, p in ready),
                                      return_exceptions=True)
        for (i, _), failed in zip(ready, marked, strict=True):
            if isinstance(failed, BaseException):
                outcomes[i] = failed
        return outcomes

    async def _prepare(self, notice: Notice, ticket: tickets_pb2.Ticket | None,
                       zone: str, people: _People) -> _Plan:
        """Who hears the notice and what each reads."""
        try:
            wanted = audience(notice)
        except ValueError as unknown:
            raise ApplicationError(str(unknown), type="UNKNOWN_NOTICE",
                                   non_retryable=True) from None
        if ticket is None:
            raise ApplicationError(f"tickets/{notice.number}: gone", type="TICKET_NOT_FOUND",
                                   non_retryable=True)
        users = await people.of(ticket, staff=wanted.staff, clients=wanted.clients)
        chosen = recipients(notice, ticket, users)
        if not chosen:
            log.info("notify.nobody", kind=notice.kind, number=notice.number)
            return _Plan(notice, ticket, [], {})
        comment = (await self._comment(notice.comment)
                   if notice.kind in COMMENT_KINDS and notice.comment else None)
        assignee_name = next((u.full_name for u in users if u.name == ticket.assignee
                              and ticket.assignee), "")
        mails = {u.name: texts.render(notice, ticket, u, public_url=self._public_url,
                                      comment=comment, assignee_name=assignee_name,
                                      timezone=zone, replies=bool(self._reply_secret))
                 for u in chosen}
        return _Plan(notice, ticket, chosen, mails)

    async def _deliver(self, plan: _Plan) -> None:
        """The bell; then the e-mails of those not e-mailed by an earlier attempt."""
        pending = set(plan.mails)
        if self._inbox is not None:
            pending = set(await self._inbox.deliver(
                plan.notice, {name: mail.subject for name, mail in plan.mails.items()}))
        plan.due = [u for u in plan.chosen if u.name in pending]
        plan.outgoing = {u.name: m for u in plan.due if (m := self._message(
            plan.notice, plan.ticket, u, plan.mails[u.name])) is not None}

    async def _mail(self, plans: list[_Plan]) -> None:
        """Every plan's e-mails over one connection; a refused one is logged, not retried."""
        addressed = [(plan, name) for plan in plans for name in plan.outgoing]
        if not addressed:
            return
        results = await self._mailer.send_all([plan.outgoing[name] for plan, name in addressed])
        for (plan, name), refused in zip(addressed, results, strict=True):
            if refused is not None:
                log.warning("notify.rejected", user=name, number=plan.ticket.number,
                            error=str(refused))
        for plan in plans:
            log.info("notify.sent", kind=plan.notice.kind, number=plan.notice.number,
                     event_id=plan.notice.event_id, recipients=len(plan.chosen),
                     emails=len(plan.outgoing))

    async def _mark_emailed(self, plan: _Plan) -> None:
        if self._inbox is not None and plan.due:
            # One record per notice. A crash before it: the retry e-mails them again
            # with the same Message-IDs (a duplicate the receiver and the outbox
            # recognise); the bell is not repeated (deliver is once per recipient).
            await self._inbox.mark_emailed(plan.notice, [u.name for u in plan.due])

    def _message(self, notice: Notice, ticket: tickets_pb2.Ticket, user: auth_pb2.User,
                 mail: texts.Email) -> EmailMessage | None:
        """None when this message can never be written (it is logged, not retried)."""
        try:
            return compose(
                mail_from=self._mail_from, to_name=user.full_name, to_address=user.email,
                subject=mail.subject, body=mail.body, language=mail.language,
                message_id=message_id(notice.event_id, user.name, self._domain),
                thread=f"<ticket-{ticket.number}@{self._domain}>",
                headers=self._headers(notice, ticket, user))
        except ValueError as bad:
            log.warning("notify.bad_address", user=user.name, error=str(bad))
            return None

    def _headers(self, notice: Notice, ticket: tickets_pb2.Ticket,
                 user: auth_pb2.User) -> dict[str, str]:
        headers = {"X-TicketDesk-Ticket": str(ticket.number),
                   "X-TicketDesk-Notice": notice.kind}
        # A client's reply becomes a comment (services/tickets, mail_in); staff write in
        # the ticket.
        if self._reply_secret and user.role == auth_pb2.ROLE_CLIENT:
            token = reply_token(self._reply_secret, ticket.number)
            headers["Reply-To"] = reply_address(self._support, token)
        return headers

    async def _ticket(self, number: int) -> tickets_pb2.Ticket:
        try:
            return await self._tickets.GetTicket(
                tickets_pb2.GetTicketRequest(name=f"tickets/{number}"),
                metadata=self._metadata, timeout=self._timeout)
        except grpc.aio.AioRpcError as error:
            if error.code() in PERMANENT:
                raise ApplicationError(f"tickets/{number}: {error.code().name}: "
                                       f"{error.details()}", type="TICKET_NOT_FOUND",
                                       non_retryable=True) from error
            raise

    async def _all_users(self, query: auth_pb2.ListUsersRequest) -> list[auth_pb2.User]:
        users: list[auth_pb2.User] = []
        query.page_size = PAGE_SIZE
        while True:
            page = await self._auth.ListUsers(query, metadata=self._metadata,
                                              timeout=self._timeout)
            users.extend(page.users)
            if not page.next_page_token:
                return users
            query.page_token = page.next_page_token

    async def _comment(self, name: str) -> texts.CommentText | None:
        """The comment `tickets/{n}/comments/{id}`; None when it is gone."""
        try:
            comment = await self._tickets.GetComment(tickets_pb2.GetCommentRequest(name=name),
                                                     metadata=self._metadata,
                                                     timeout=self._timeout)
        except grpc.aio.AioRpcError as error:
            if error.code() in PERMANENT:
                return None
            raise
        return texts.CommentText(
            body=comment.body, author=comment.author_display_name,
            internal=comment.visibility == tickets_pb2.VISIBILITY_INTERNAL,
            attachments=len(comment.attachments))


@dataclass
class _Plan:
    """One notice of a batch: its ticket, who hears it and what each reads."""

    notice: Notice
    ticket: tickets_pb2.Ticket
    chosen: list[auth_pb2.User]
    mails: dict[str, texts.Email]
    due: list[auth_pb2.User] = field(default_factory=list)  # not e-mailed before
    outgoing: dict[str, EmailMessage] = field(default_factory=dict)


class _People:
    """The users a batch's notices need, each list read once for the batch."""

    def __init__(self, read: Callable[[auth_pb2.ListUsersRequest],
                                      Awaitable[list[auth_pb2.User]]]):
        self._read = read
        self._lists: dict[tuple[int, str], asyncio.Future] = {}

    async def of(self, ticket: tickets_pb2.Ticket, *, staff: bool,
                 clients: bool) -> list[auth_pb2.User]:
        wanted = [(auth_pb2.ROLE_DEVELOPER, ""), (auth_pb2.ROLE_MANAGER, "")] if staff else []
        if clients and ticket.organization:
            wanted.append((auth_pb2.ROLE_CLIENT, ticket.organization))
        found = await asyncio.gather(*(self._list(*key) for key in wanted))
        return [user for users in found for user in users]

    def _list(self, role: int, organization: str) -> asyncio.Future:
        if (role, organization) not in self._lists:
            self._lists[role, organization] = asyncio.ensure_future(self._read(
                auth_pb2.ListUsersRequest(role=role, organization=organization)))
        return self._lists[role, organization]
