"""In-app notifications (the bell): one per event and recipient."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.tickets import models
from services.tickets.store.pages import page_of
from services.tickets.store.tickets import now

N = models.Notification


@dataclass(frozen=True)
class Delivery:
    recipient: str
    title: str


async def list_notifications(session: AsyncSession, recipient: str, unread_only: bool,
                             offset: int, limit: int) -> tuple[list[models.Notification], bool]:
    """Newest first."""
    query = select(N).where(N.recipient == recipient)
    if unread_only:
        query = query.where(N.read.is_(False))
    return await page_of(session, query.order_by(N.create_time.desc(), N.id), offset, limit)


async def unread_count(session: AsyncSession, recipient: str) -> int:
    return (await session.execute(select(func.count()).where(
        N.recipient == recipient, N.read.is_(False)))).scalar_one()


async def mark_read(session: AsyncSession, recipient: str, ids: list[str],
                    ticket_number: int | None) -> int:
    """The recipient's unread notifications, those of `ids` and of the ticket when given."""
    query = update(N).where(N.recipient == recipient, N.read.is_(False))
    if ids:
        query = query.where(N.id.in_(ids))
    if ticket_number is not None:
        query = query.where(N.ticket_number == ticket_number)
    return (await session.execute(query.values(read=True))).rowcount or 0


async def deliver(session: AsyncSession, event_id: str, ticket_number: int, kind: str,
                  deliveries: list[Delivery]) -> list[str]:
    """Store each recipient's notification once; the recipients not yet e-mailed."""
    known = {r.recipient: r for r in (await session.execute(
        select(N).where(N.event_id == event_id))).scalars()}
    for delivery in deliveries:
        if delivery.recipient not in known:
            known[delivery.recipient] = N(
                id=uuid.uuid4().hex, event_id=event_id, recipient=delivery.recipient,
                ticket_number=ticket_number, kind=kind, title=delivery.title[:400],
                read=False, emailed=False, create_time=now())
            session.add(known[delivery.recipient])
    wanted = {d.recipient for d in deliveries}
    return sorted(r for r, row in known.items() if r in wanted and not row.emailed)


async def mark_emailed(session: AsyncSession, event_id: str, recipients: list[str]) -> None:
    """One statement for a notice's recipients (the notify activity marks them at once).
    The session is fresh: no loaded rows to keep in step with the update."""
    await session.execute(update(N).where(N.event_id == event_id,
                                          N.recipient.in_(recipients)).values(emailed=True)
                          .execution_options(synchronize_session=False))
