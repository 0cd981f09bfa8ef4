"""The e-mail channel, in: a reply to a notice becomes the sender's comment on the
ticket its reply address names (services/common/platform/reply_tokens.py).

Each message is kept once by its Message-ID: applied, ignored (a loop: an auto-reply,
a bounce, a notice of our own) or rejected with the reason, for the managers. The
comment's request id is the Message-ID's, so a message received twice (a receiver
that crashed after applying it, two ways in) is applied once. The comment goes the
way a comment from the web UI goes: an answer to «Требует уточнений» returns the
ticket to work, one on «Ожидает приемку» counts as remarks (the ticket's workflow).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.platform.reply_tokens import ticket_of_token, tokens_in
from services.common.server.errors import ApiError, permission_denied
from services.common.server.paging import Page
from services.common.server.principal import SERVICE_PRINCIPAL, Principal, Role
from services.tickets import convert, models
from services.tickets.gateways.attachments import Attachments
from services.tickets.gateways.directory import Directory
from services.tickets.mail import loops, messages
from services.tickets.store import inbound as store
from services.tickets.store import sites as site_store
from services.tickets.store.tickets import NewTicket
from services.tickets.store.tickets import visible_ticket
from services.tickets.usecases.comments import Comments, NewComment
from services.tickets.usecases.tickets import Tickets
from services.tickets.validation import MAX_DESCRIPTION, MAX_TITLE

APPLIED, DUPLICATE, IGNORED, REJECTED = "applied", "duplicate", "ignored", "rejected"


@dataclass
class Received:
    state: str  # APPLIED, DUPLICATE, IGNORED or REJECTED
    reason: str = ""  # why it was ignored or rejected (see `Verdict`)
    ticket: int | None = None
    comment_id: str = ""


class MailIn:
    def __init__(self, sessions: async_sessionmaker, tickets: Tickets, comments: Comments,
                 directory: Directory, attachments: Attachments, secret: str, support: str):
        self._sessions, self._tickets, self._comments = sessions, tickets, comments
        self._directory, self._attachments = directory, attachments
        self._secret, self._support = secret, support

    async def receive(self, raw: bytes, recipients: list[str]) -> Received:
        """Apply one message (RFC 5322 bytes) sent to `recipients` (the envelope's)."""
        message = messages.parse(raw)
        message_id = messages.message_id(message, raw)
        async with self._sessions() as session:
            known = await store.by_message_id(session, message_id)
        if known is not None:
            return Received(DUPLICATE, known.reason, known.ticket_number, known.comment_id)
        received = await self._apply(message, message_id, recipients)
        async with self._sessions() as session:
            kept = await store.keep(session, message_id, message, received)
        return received if kept else Received(DUPLICATE, received.reason, received.ticket,
                                              received.comment_id)

    async def not_applied(self, principal: Principal,
                          page: Page) -> tuple[list[models.InboundEmail], bool]:
        """The ignored and rejected messages, for the managers."""
        if not principal.is_manager:
            raise permission_denied("only managers see the e-mail channel's messages")
        async with self._sessions() as session:
            return await store.not_applied(session, page.offset, page.size)

    async def _apply(self, message: EmailMessage, message_id: str,
                     recipients: list[str]) -> Received:
        loop = loops.loop_reason(message)
        if loop:
            return Received(IGNORED, loop)
        if not self._secret:
            return Received(REJECTED, "REPLIES_OFF")
        tokens = tokens_in([*messages.addressed_to(message), *recipients], self._support)
        if not tokens:
            return await self._new_ticket(message, message_id)
        number = ticket_of_token(self._secret, tokens[0])
        if number is None:
            return Received(REJECTED, "FORGED_ADDRESS")
        try:
            async with self._sessions() as session:
                ticket = await visible_ticket(session, SERVICE_PRINCIPAL, number)
        except ApiError:
            return Received(REJECTED, "UNKNOWN_TICKET", None)
        if messages.failed_dmarc(message):
            return Received(REJECTED, "SENDER_NOT_AUTHENTICATED", number)
        author = await self._author(message, ticket.organization)
        if author is None:
            return Received(REJECTED, "UNKNOWN_SENDER", number)
        body = messages.reply_text(message)
        if not body:
            return Received(REJECTED, "EMPTY_REPLY", number)
        try:
            row, _ = await self._comments.add(author, number, NewComment(
                body=body, internal=False, request_id=_request_id(message_id)))
        except ApiError as error:
            return Received(REJECTED, _reason_of(error), number)
        await self._attach(message, message_id, number, convert.comment_name(row))
        return Received(APPLIED, "", number, row.id)

    async def _new_ticket(self, message: EmailMessage, message_id: str) -> Received:
        """A message to the support mailbox itself, from a known client: a new ticket of
        its organization, on the site its text names (or the only one); when neither
        decides, without a site, which its card asks the client for."""
        if messages.failed_dmarc(message):
            return Received(REJECTED, "SENDER_NOT_AUTHENTICATED")
        author = await self._author(message, "")
        if author is None:
            return Received(REJECTED, "UNKNOWN_SENDER")
        title, body = messages.subject(message), messages.reply_text(message)
        if not (title or body):
            return Received(REJECTED, "EMPTY_REPLY")
        async with self._sessions() as session:
            site = await sites_named(session, author.organization, f"{title}\n{body}")
        new = NewTicket(
            organization=author.organization, site_id=site,
            title=(title or body.splitlines()[0])[:MAX_TITLE],
            description=(body or title)[:MAX_DESCRIPTION], priority="normal",
            desired_date=None, contact={"user": ""},
            request_id=f"{author.subject}:{_request_id(message_id)}", site_later=True)
        try:
            shown = await self._tickets.create(author, new)
        except ApiError as error:
            return Received(REJECTED, _reason_of(error))
        await self._attach(message, message_id, shown.row.number, "")
        return Received(APPLIED, "", shown.row.number)

    async def _attach(self, message: EmailMessage, message_id: str, number: int,
                      comment: str) -> None:
        """The message's files, on the comment it became (or the new ticket). A file the
        files service refuses is left out (logged); one it could not take now fails the
        message, which the sender's server then delivers again: applied once, by ids."""
        for index, file in enumerate(messages.attachments(message)):
            await self._attachments.upload(
                convert.ticket_name(number), comment, file.filename, file.content_type,
                file.data, f"{_request_id(message_id)}:{index}")

    async def _author(self, message: EmailMessage, organization: str) -> Principal | None:
        """The sender, when an active client (of `organization`, when given)."""
        sender = parseaddr(str(message.get("From", "")))[1]
        if not sender:
            return None
        user = await self._directory.client_by_email(sender, organization)
        if user is None:
            return None
        return Principal(subject=user.name, role=Role.CLIENT, organization=user.organization,
                         display_name=user.full_name, email=user.email,
                         language=user.language or "ru")


def _request_id(message_id: str) -> str:
    """The comment's or ticket's request id: the same message is applied once."""
    return "email:" + hashlib.sha256(message_id.encode()).hexdigest()[:40]


async def sites_named(session: AsyncSession, organization: str, text: str) -> str | None:
    """The organization's site whose host the text names (exactly one), else its only
    site; None when neither decides."""
    sites = await site_store.active_sites(session, organization)
    hosts = {host.removeprefix("www.") for host in messages.hosts_in(text)}
    named = [site.id for site in sites
             if (urlsplit(site.url).hostname or "").removeprefix("www.") in hosts]
    if len(named) == 1:
        return named[0]
    return sites[0].id if len(sites) == 1 else None


def _reason_of(error: ApiError) -> str:
    """The ErrorInfo reason of a refused comment (a closed ticket, a text too long)."""
    return error.reason_name if error.reason else "REFUSED"
