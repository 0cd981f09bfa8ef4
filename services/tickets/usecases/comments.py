"""Comments (public and internal, with their files) and the history of a ticket."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import async_sessionmaker

from services.common.server.errors import not_found, permission_denied
from services.common.server.paging import Page
from services.common.server.principal import Principal
from services.tickets import convert, facts, models
from services.tickets.gateways.attachments import Attachments
from services.tickets.gateways.lifecycle import Lifecycle, actor
from services.tickets.store import comments as store
from services.tickets.store.tickets import visible_ticket
from services.tickets.usecases.studio import Studio
from workflows.ticket.messages import CommentAdded
from workflows.ticket.rules import Status


@dataclass
class NewComment:
    body: str
    internal: bool
    request_id: str | None


@dataclass
class CommentPage:
    rows: list[models.Comment]
    more: bool
    files: dict[str, list[str]]  # files/{id} by comment name


class Comments:
    def __init__(self, sessions: async_sessionmaker, lifecycle: Lifecycle,
                 attachments: Attachments, studio: Studio):
        self._sessions, self._lifecycle, self._attachments = sessions, lifecycle, attachments
        self._studio = studio

    async def add(self, principal: Principal, number: int,
                  new: NewComment) -> tuple[models.Comment, list[str]]:
        """The comment and its files (a retry's files may be uploaded by now)."""
        if new.internal and not principal.is_staff:
            raise permission_denied("clients cannot write internal notes")
        answers = not new.internal and principal.role in facts.RESPONDERS
        # Read before the transaction: on SQLite a second session would wait for this one.
        calendar = await self._studio.calendar() if answers else None
        async with self._sessions() as session:
            ticket = await visible_ticket(session, principal, number)
            row, created = await store.add_comment(session, principal, ticket, new.body,
                                                   new.internal, new.request_id)
            if created and calendar is not None:
                facts.responded(ticket, row.create_time, calendar)
            await session.commit()
        name = convert.comment_name(row)
        # A retry signals again: the first call may have failed after the commit (Temporal
        # unavailable), and the workflow ignores a comment it has already heard of.
        if Status(ticket.status).is_open:
            await self._lifecycle.comment_added(number, CommentAdded(
                actor=actor(principal), comment=name, public=not new.internal))
        if created:
            return row, []
        files = await self._attachments.by_comment(convert.ticket_name(number), name)
        return row, files.get(name, [])

    async def get(self, principal: Principal, number: int, comment_id: str,
                  with_files: bool = True) -> tuple[models.Comment, list[str]]:
        """One comment and its files; NOT_FOUND alike for a ticket or a comment the
        caller may not see."""
        async with self._sessions() as session:
            row = await store.visible_comment(session, principal, number, comment_id)
        if row is None:
            raise not_found(f"{convert.ticket_name(number)}/comments/{comment_id}")
        if not with_files:
            return row, []
        name = convert.comment_name(row)
        files = await self._attachments.by_comment(convert.ticket_name(number), name)
        return row, files.get(name, [])

    async def comments(self, principal: Principal, number: int, page: Page) -> CommentPage:
        async with self._sessions() as session:
            await visible_ticket(session, principal, number)
            rows, more = await store.list_comments(session, principal, number, page.offset,
                                                   page.size)
        files = await self._attachments.by_comment(convert.ticket_name(number)) if rows else {}
        return CommentPage(rows, more, files)

    async def history(self, principal: Principal, number: int,
                      page: Page) -> tuple[list[models.HistoryEntry], bool]:
        async with self._sessions() as session:
            await visible_ticket(session, principal, number)
            return await store.list_history(session, principal, number, page.offset, page.size)
