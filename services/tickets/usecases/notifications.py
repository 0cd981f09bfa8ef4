"""The bell: a person's in-app notifications, newest first, and marking them read."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import async_sessionmaker

from services.common.server.paging import Page
from services.tickets import models
from services.tickets.store import notifications as store


@dataclass
class Inbox:
    rows: list[models.Notification]
    more: bool
    unread: int


class Notifications:
    def __init__(self, sessions: async_sessionmaker):
        self._sessions = sessions

    async def inbox(self, recipient: str, unread_only: bool, page: Page) -> Inbox:
        async with self._sessions() as session:
            rows, more = await store.list_notifications(session, recipient, unread_only,
                                                        page.offset, page.size)
            return Inbox(rows, more, await store.unread_count(session, recipient))

    async def mark_read(self, recipient: str, names: list[str],
                        ticket_number: int | None) -> int:
        """`names` empty: all of the recipient's (of the ticket, when given)."""
        ids = [name.removeprefix(f"{recipient}/notifications/") for name in names]
        async with self._sessions() as session:
            marked = await store.mark_read(session, recipient, ids, ticket_number)
            await session.commit()
        return marked
