"""Messages the e-mail channel received, one row per Message-ID."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import parseaddr
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.tickets import models
from services.tickets.store.tickets import now


class Outcome(Protocol):
    state: str
    reason: str
    ticket: int | None
    comment_id: str


async def by_message_id(session: AsyncSession, message_id: str) -> models.InboundEmail | None:
    return (await session.execute(select(models.InboundEmail).where(
        models.InboundEmail.message_id == message_id))).scalar_one_or_none()


async def keep(session: AsyncSession, message_id: str, message: EmailMessage,
               outcome: Outcome) -> bool:
    """Keep what became of the message; False when a concurrent copy was kept first."""
    session.add(models.InboundEmail(
        message_id=message_id, state=outcome.state, reason=outcome.reason,
        sender=parseaddr(str(message.get("From", "")))[1][:320],
        subject=str(message.get("Subject", ""))[:1000], ticket_number=outcome.ticket,
        comment_id=outcome.comment_id, create_time=now()))
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        return False
    return True


async def not_applied(session: AsyncSession, offset: int,
                      limit: int) -> tuple[list[models.InboundEmail], bool]:
    """The ignored and rejected messages, newest first."""
    rows = (await session.execute(select(models.InboundEmail).where(
        models.InboundEmail.state.in_(("ignored", "rejected")))
        .order_by(models.InboundEmail.id.desc()).offset(offset).limit(limit + 1))).scalars()
    found = list(rows)
    return found[:limit], len(found) > limit
