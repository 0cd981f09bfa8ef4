"""The notices outbox: the workflow's notices, written with the records they belong to,
claimed for a lease by the dispatcher and deleted once it has sent them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from services.tickets import models
from services.tickets.store import events
from services.tickets.store.tickets import now

O = models.OutboxNotice


@dataclass(frozen=True)
class Notice:
    event_id: str
    number: int
    kind: str
    details: dict[str, str] = field(default_factory=dict)  # who acted, statuses, text...


@dataclass
class Claim:
    """What a dispatcher asks for: how many, for how long, how long it waits."""

    limit: int
    lease: timedelta
    wait: float  # seconds, for a first notice
    gather: float  # seconds, for the others once one is there


@dataclass(frozen=True)
class Claimed:
    id: int
    notice: Notice
    attempts: int


INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


async def add(session: AsyncSession, notices: list[Notice]) -> None:
    """Adds the notices not written before (a retried record repeats them), in one
    statement, and the events among them to the ticket events log. Call last before the
    commit (events.append)."""
    if not notices:
        return
    moment = now()
    insert = INSERTS[session.bind.dialect.name](O).on_conflict_do_nothing(
        index_elements=[O.event_id])
    await session.execute(insert, [
        dict(event_id=n.event_id, ticket_number=n.number, kind=n.kind,
             data=json.dumps(n.details, ensure_ascii=False), create_time=moment,
             available_time=moment, attempts=0) for n in notices])
    await events.append(session, notices)


async def claim(session: AsyncSession, limit: int, lease: timedelta) -> list[Claimed]:
    """The oldest waiting notices, each hidden from other claims until the lease ends.
    On PostgreSQL concurrent claims skip each other's rows; SQLite has one writer."""
    moment = now()
    waiting = (select(O.id).where(O.available_time <= moment).order_by(O.id).limit(limit)
               .with_for_update(skip_locked=True))
    rows = (await session.execute(
        update(O).where(O.id.in_(waiting.scalar_subquery()))
        .values(available_time=moment + lease, attempts=O.attempts + 1)
        .returning(O.id, O.event_id, O.ticket_number, O.kind, O.data, O.attempts)
        .execution_options(synchronize_session=False))).all()
    return sorted((Claimed(row.id, Notice(row.event_id, row.ticket_number, row.kind,
                                          json.loads(row.data)), row.attempts)
                   for row in rows), key=lambda c: c.id)


async def complete(session: AsyncSession, ids: list[int]) -> None:
    await session.execute(delete(O).where(O.id.in_(ids))
                          .execution_options(synchronize_session=False))
