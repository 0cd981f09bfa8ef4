"""Time tracking: the studio logs its work on tickets; clients see a total at most.

Entries are the studio's own data: a client is refused every call (before any ticket is
looked up, so a refusal tells nothing of other organizations' tickets). A developer
changes their own entries, a manager anyone's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import async_sessionmaker

from services.common.server.errors import not_found, permission_denied
from services.common.server.paging import Page
from services.common.server.principal import Principal
from services.tickets import models
from services.tickets.gateways.directory import Directory
from services.tickets.store import time_entries as store
from services.tickets.store.tickets import visible_ticket
from services.tickets.store.time_entries import NewTimeEntry, TimeFilter
from services.tickets.usecases.studio import Studio
from ticketdesk.tickets.v1 import tickets_pb2 as pb

CLIENT_GROUPINGS = ("month", "ticket")


@dataclass
class EntryPage:
    rows: list[models.TimeEntry]
    more: bool
    count: int
    minutes: int


def staff_only(principal: Principal) -> None:
    if not principal.is_staff:
        raise permission_denied("time entries are the studio's")


def may_change(principal: Principal, row: models.TimeEntry) -> None:
    if not (principal.is_manager or row.author == principal.subject):
        raise permission_denied("only its author or a manager may change a time entry")


class TimeEntries:
    def __init__(self, sessions: async_sessionmaker, studio: Studio, directory: Directory):
        self._sessions, self._studio, self._directory = sessions, studio, directory

    async def log(self, principal: Principal, number: int,
                  new: NewTimeEntry) -> models.TimeEntry:
        staff_only(principal)
        today = await self._studio.today()
        async with self._sessions() as session:
            ticket = await visible_ticket(session, principal, number)
            row, _ = await store.add_entry(session, principal, ticket, new, today)
            await session.commit()
            return row

    async def change(self, principal: Principal, number: int, entry_id: str,
                     changes: dict[str, object]) -> models.TimeEntry:
        staff_only(principal)
        async with self._sessions() as session:
            row = await self._entry(session, number, entry_id)
            may_change(principal, row)
            await store.change_entry(session, row, changes)
            await session.commit()
            return row

    async def delete(self, principal: Principal, number: int, entry_id: str) -> None:
        staff_only(principal)
        async with self._sessions() as session:
            row = await self._entry(session, number, entry_id)
            may_change(principal, row)
            await store.delete_entry(session, row)
            await session.commit()

    async def find(self, principal: Principal, where: TimeFilter, page: Page) -> EntryPage:
        staff_only(principal)
        async with self._sessions() as session:
            if where.number is not None:
                await visible_ticket(session, principal, where.number)
            rows, more = await store.list_entries(session, where, page.offset, page.size)
            count, minutes = await store.totals(session, where)
        return EntryPage(rows, more, count, minutes)

    async def summarize(self, principal: Principal, where: TimeFilter,
                        group_by: str) -> tuple[list[dict], int]:
        """Staff: any summary. A client: their organization's, by month or ticket, where
        it shows the time spent (the same refusal otherwise, whatever they asked)."""
        if not principal.is_staff:
            if group_by not in CLIENT_GROUPINGS or not await self._shows_time(principal):
                raise permission_denied("your organization does not show the time spent")
            where = replace(where, organization=principal.organization, author="")
        async with self._sessions() as session:
            rows = await store.summarize(session, where, group_by)
            _, minutes = await store.totals(session, where)  # rows may be capped
        return rows, minutes

    async def _shows_time(self, principal: Principal) -> bool:
        organization = await self._directory.organization(principal.organization)
        return organization.client_sees_time_spent

    async def hide_from_client(self, principal: Principal, tickets: list[pb.Ticket]) -> None:
        """A client sees the time spent only where their organization shows it."""
        if principal.is_staff or not any(t.time_spent_minutes for t in tickets):
            return
        if not await self._shows_time(principal):
            for ticket in tickets:
                ticket.time_spent_minutes = 0

    @staticmethod
    async def _entry(session, number: int, entry_id: str) -> models.TimeEntry:
        row = await store.entry(session, number, entry_id)
        if row is None:
            raise not_found(f"tickets/{number}/timeEntries/{entry_id}")
        return row
