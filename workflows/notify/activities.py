"""The `notify` activity: tell the right people about a ticket's event,
by e-mail and in the app (the bell).

TicketWorkflow starts it in the background with a `Notice`. It reads the ticket
and the people from the services (as the TicketDesk service principal),
decides who hears what (`recipients`), writes each an e-mail in their language
and the studio's time zone (`texts`, `studio`) and hands the in-app events to the `Inbox`.

Retries are safe: every e-mail has a Message-ID derived from the event and the
recipient, and the inbox (when wired) remembers who has been e-mailed already.
Per notice: one ticket read, the people (1-3 ListUsers calls, concurrent), the comment
when there is one, one bell delivery, one batch of e-mails and one "e-mailed" record.
"""

from __future__ import annotations

import asyncio
from email.message import EmailMessage
from typing import Protocol

import grpc
import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from services.common.client.channels import bearer
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
                 mail_from: str = DEFAULT_FROM, rpc_timeout: float = 20.0):
        self._auth = auth
        self._tickets = tickets
        self._metadata = bearer(service_token)
        self._mailer = mailer
        self._public_url = public_url.rstrip("/")
        self._inbox = inbox
        self._mail_from = mail_from
        self._domain = mail_domain(mail_from)
        self._timeout = rpc_timeout
        self._zone = StudioZone(tickets, self._metadata, timeout=rpc_timeout)

    @classmethod
    def from_settings(cls, settings, auth: auth_pb2_grpc.AuthServiceStub,
                      tickets: tickets_pb2_grpc.TicketServiceStub,
                      inbox: Inbox | None = None) -> NotifyActivities:
        return cls(auth, tickets, settings.service_token.get_secret_value(),
                   mailer_from_settings(settings), settings.web_url, inbox,
                   mail_from=settings.mail_from)

    @activity.defn(name="notify")
    async def notify(self, notice: Notice) -> int:
        """Returns how many people the notice is for (in the app and by e-mail)."""
        try:
            wanted = audience(notice)
        except ValueError as unknown:
            raise ApplicationError(str(unknown), type="UNKNOWN_NOTICE",
                                   non_retryable=True) from None
        ticket, zone = await asyncio.gather(self._ticket(notice.number), self._zone.get())
        users = await self._users(ticket, staff=wanted.staff, clients=wanted.clients)
        chosen = recipients(notice, ticket, users)
        if not chosen:
            log.info("notify.nobody", kind=notice.kind, number=notice.number)
            return 0
        comment = (await self._comment(notice.comment)
                   if notice.kind in COMMENT_KINDS and notice.comment else None)
        assignee_name = next((u.full_name for u in users if u.name == ticket.assignee
                              and ticket.assignee), "")
        mails = {u.name: texts.render(notice, ticket, u, public_url=self._public_url,
                                      comment=comment, assignee_name=assignee_name,
                                      timezone=zone) for u in chosen}
        pending = set(mails)
        if self._inbox is not None:
            pending = set(await self._inbox.deliver(
                notice, {name: mail.subject for name, mail in mails.items()}))
        due = [u for u in chosen if u.name in pending]  # the others: by an earlier attempt
        outgoing = {u.name: m for u in due
                    if (m := self._message(notice, ticket, u, mails[u.name])) is not None}
        results = await self._mailer.send_all(list(outgoing.values())) if outgoing else []
        for name, refused in zip(outgoing, results, strict=True):
            if refused is not None:
                log.warning("notify.rejected", user=name, number=ticket.number,
                            error=str(refused))
        sent = results.count(None)
        if self._inbox is not None and due:
            # One record for the batch. A crash before it: the retry e-mails them again
            # with the same Message-IDs (a duplicate the receiver and the outbox
            # recognise); the bell is not repeated (deliver is once per recipient).
            await self._inbox.mark_emailed(notice, [u.name for u in due])
        log.info("notify.sent", kind=notice.kind, number=notice.number, event_id=notice.event_id,
                 recipients=len(chosen), emails=sent)
        return len(chosen)

    def _message(self, notice: Notice, ticket: tickets_pb2.Ticket, user: auth_pb2.User,
                 mail: texts.Email) -> EmailMessage | None:
        """None when this message can never be written (it is logged, not retried)."""
        try:
            return compose(
                mail_from=self._mail_from, to_name=user.full_name, to_address=user.email,
                subject=mail.subject, body=mail.body, language=mail.language,
                message_id=message_id(notice.event_id, user.name, self._domain),
                thread=f"<ticket-{ticket.number}@{self._domain}>",
                headers={"X-TicketDesk-Ticket": str(ticket.number),
                         "X-TicketDesk-Notice": notice.kind})
        except ValueError as bad:
            log.warning("notify.bad_address", user=user.name, error=str(bad))
            return None

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

    async def _users(self, ticket: tickets_pb2.Ticket, *, staff: bool,
                     clients: bool) -> list[auth_pb2.User]:
        queries = []
        if staff:
            queries += [auth_pb2.ListUsersRequest(role=auth_pb2.ROLE_DEVELOPER),
                        auth_pb2.ListUsersRequest(role=auth_pb2.ROLE_MANAGER)]
        if clients and ticket.organization:
            queries.append(auth_pb2.ListUsersRequest(role=auth_pb2.ROLE_CLIENT,
                                                     organization=ticket.organization))
        found = await asyncio.gather(*(self._all_users(query) for query in queries))
        return [user for users in found for user in users]

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
