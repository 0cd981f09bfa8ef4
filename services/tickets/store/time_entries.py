"""Time entries, and the total each ticket keeps of them.

The total moves with each entry's write, in the same transaction, by an UPDATE that adds
the difference: no lock on the ticket, and the workflow's records never touch the column.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, String, cast, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.server.errors import bad_field
from services.common.server.principal import Principal
from services.tickets import models
from services.tickets.store.once import insert_once
from services.tickets.store.pages import page_of
from services.tickets.store.tickets import now
from ticketdesk.errors.v1 import errors_pb2 as reasons

Entry = models.TimeEntry
MAX_GROUPS = 1000  # a summary's rows: by ticket, the 1,000 with the most time


@dataclass(frozen=True)
class NewTimeEntry:
    minutes: int
    work_date: date | None  # None: today
    note: str
    request_id: str | None


@dataclass(frozen=True)
class TimeFilter:
    number: int | None  # None: every ticket
    organization: str = ""
    author: str = ""
    start: date | None = None
    end: date | None = None


async def add_entry(session: AsyncSession, principal: Principal, ticket: models.Ticket,
                    new: NewTimeEntry, today: date) -> tuple[Entry, bool]:
    """The new entry, True; or, for a known request_id, the earlier one, False."""
    number = ticket.number

    async def earlier() -> Entry | None:
        if not new.request_id:
            return None
        found = (await session.execute(select(Entry).where(
            Entry.request_id == new.request_id))).scalar_one_or_none()
        if found is not None and found.ticket_number != number:
            raise bad_field("request_id", reasons.REQUEST_ID_REUSED,
                            "was already used for another ticket's time entry")
        return found

    if found := await earlier():
        return found, False
    moment = now()
    row, created = await insert_once(session, Entry(
        id=uuid.uuid4().hex, ticket_number=number, organization=ticket.organization,
        author=principal.subject, author_display_name=principal.display_name,
        minutes=new.minutes, work_date=new.work_date or today, note=new.note,
        request_id=new.request_id, create_time=moment, update_time=moment), earlier)
    if created:
        await add_to_total(session, number, row.minutes)
    return row, created


async def entry(session: AsyncSession, number: int, entry_id: str) -> Entry | None:
    return (await session.execute(select(Entry).where(
        Entry.ticket_number == number, Entry.id == entry_id).with_for_update())
    ).scalar_one_or_none()


async def change_entry(session: AsyncSession, row: Entry, changes: dict[str, object]) -> None:
    before = row.minutes
    for field, value in changes.items():
        setattr(row, field, value)
    row.update_time = now()
    await add_to_total(session, row.ticket_number, row.minutes - before)


async def delete_entry(session: AsyncSession, row: Entry) -> None:
    await session.delete(row)
    await add_to_total(session, row.ticket_number, -row.minutes)


async def add_to_total(session: AsyncSession, number: int, minutes: int) -> None:
    if minutes:
        await session.execute(update(models.Ticket).where(models.Ticket.number == number)
                              .values(time_spent_minutes=models.Ticket.time_spent_minutes
                                      + minutes))


def _matching(where: TimeFilter) -> Select:
    query = select(Entry)
    if where.number is not None:
        query = query.where(Entry.ticket_number == where.number)
    if where.organization:
        query = query.where(Entry.organization == where.organization)
    if where.author:
        query = query.where(Entry.author == where.author)
    if where.start:
        query = query.where(Entry.work_date >= where.start)
    if where.end:
        query = query.where(Entry.work_date <= where.end)
    return query


async def list_entries(session: AsyncSession, where: TimeFilter, offset: int,
                       limit: int) -> tuple[list[Entry], bool]:
    """Newest work first."""
    query = _matching(where).order_by(Entry.work_date.desc(), Entry.create_time.desc(),
                                      Entry.id)
    return await page_of(session, query, offset, limit)


async def totals(session: AsyncSession, where: TimeFilter) -> tuple[int, int]:
    """How many entries match, and their minutes."""
    matching = _matching(where).subquery()
    count, minutes = (await session.execute(select(
        func.count(), func.coalesce(func.sum(matching.c.minutes), 0)))).one()
    return int(count), int(minutes)


def _group_key(group_by: str):
    """The column a summary groups by (a month is the work date's first 7 characters:
    ISO dates on both databases)."""
    return {"organization": Entry.organization, "author": Entry.author,
            "month": func.substr(cast(Entry.work_date, String), 1, 7),
            "ticket": Entry.ticket_number}[group_by]


async def summarize(session: AsyncSession, where: TimeFilter, group_by: str) -> list[dict]:
    """Per group: minutes, entries, tickets and the estimates of those tickets (each ticket
    once per group), the author's name or the ticket's title, status and organization."""
    key = _group_key(group_by).label("key")
    per_ticket = _matching(where).with_only_columns(
        key, Entry.ticket_number, func.sum(Entry.minutes).label("minutes"),
        func.count().label("entries"), func.max(Entry.author_display_name).label("author_name"),
    ).group_by(key, Entry.ticket_number).subquery()
    ticket = models.Ticket
    query = select(
        per_ticket.c.key, func.sum(per_ticket.c.minutes).label("minutes"),
        func.sum(per_ticket.c.entries).label("entries"), func.count().label("tickets"),
        func.sum(ticket.estimate_hours).label("estimate_hours"),
        func.max(per_ticket.c.author_name).label("author_name"),
        func.max(ticket.title).label("title"), func.max(ticket.status).label("status"),
        func.max(ticket.organization).label("organization"),
    ).join(ticket, ticket.number == per_ticket.c.ticket_number).group_by(per_ticket.c.key)
    minutes = func.sum(per_ticket.c.minutes)
    order = [per_ticket.c.key] if group_by == "month" else [minutes.desc(), per_ticket.c.key]
    query = query.order_by(*order).limit(MAX_GROUPS)
    return [dict(row._mapping) for row in await session.execute(query)]
