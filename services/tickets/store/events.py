"""The ticket events log: what happened to each ticket, kept in the order it was written,
for WatchTicketEvents (and the integrations that follow it)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.server.principal import Principal
from services.tickets import models
from services.tickets.store.tickets import now, scoped

E = models.TicketEvent
# The notices that are events; a reminder only nudges the people waiting.
KINDS = frozenset({"ticket_created", "status_changed", "auto_accepted", "comment", "remarks",
                   "internal_note", "sla_warning", "sla_breach"})
STAFF_ONLY = frozenset({"internal_note"})
INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}
# Writers of events take this lock until they commit, so that ids are visible in their
# order: a reader resuming after id N can never miss a smaller id committed later.
# (SQLite has one writer at a time anyway.)
ORDERED_WRITES = text("SELECT pg_advisory_xact_lock(7254001)")


@dataclass(frozen=True)
class Event:
    id: int
    event_id: str
    number: int
    kind: str
    details: dict[str, str]
    create_time: object
    rating: int  # the ticket's, for an accepting change


async def append(session: AsyncSession, notices: Sequence) -> None:
    """The events among the notices (each once: a retried record repeats them). Call last
    before the commit: on PostgreSQL it holds the events' lock until then."""
    rows = [dict(event_id=n.event_id, ticket_number=n.number, kind=n.kind,
                 data=json.dumps(n.details, ensure_ascii=False), create_time=now())
            for n in notices if n.kind in KINDS]
    if not rows:
        return
    dialect = session.bind.dialect.name
    if dialect == "postgresql":
        await session.execute(ORDERED_WRITES)
    insert = INSERTS[dialect](E).on_conflict_do_nothing(index_elements=[E.event_id])
    await session.execute(insert, rows)


async def by_id(session: AsyncSession, event_id: int) -> Event | None:
    found = (await session.execute(
        select(E, models.Ticket.rating)
        .outerjoin(models.Ticket, models.Ticket.number == E.ticket_number)
        .where(E.id == event_id))).first()
    if found is None:
        return None
    return _event(*found)


async def last_id(session: AsyncSession) -> int:
    return (await session.execute(select(func.coalesce(func.max(E.id), 0)))).scalar_one()


async def after(session: AsyncSession, principal: Principal, after_id: int,
                number: int | None, limit: int,
                kinds: frozenset[str] = frozenset()) -> list[Event]:
    """The next events the caller may see: of its organization's tickets for a client,
    internal notes for staff only; of `kinds` only, when given."""
    query = (select(E, models.Ticket.rating)
             .join(models.Ticket, models.Ticket.number == E.ticket_number)
             .where(E.id > after_id).order_by(E.id).limit(limit))
    if number is not None:
        query = query.where(E.ticket_number == number)
    if not principal.is_staff:
        query = query.where(E.kind.not_in(STAFF_ONLY))
    if kinds:
        query = query.where(E.kind.in_(sorted(kinds)))
    rows = (await session.execute(scoped(query, principal))).all()
    return [_event(e, rating) for e, rating in rows]


def _event(row: models.TicketEvent, rating: int | None) -> Event:
    return Event(id=row.id, event_id=row.event_id, number=row.ticket_number, kind=row.kind,
                 details=json.loads(row.data), create_time=row.create_time, rating=rating or 0)
