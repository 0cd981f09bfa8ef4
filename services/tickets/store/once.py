"""Inserting a row once per request_id, also when two retries race."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")


async def insert_once(session: AsyncSession, row: T,
                      earlier: Callable[[], Awaitable[T | None]]) -> tuple[T, bool]:
    """`row` inserted, True; or, when its unique request_id was taken meanwhile (a retry, or
    a concurrent one that won), the row `earlier` finds, False. The rollback expires what
    the session had loaded: callers keep the values they need before calling."""
    session.add(row)
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        existing = await earlier()
        if existing is None:
            raise
        return existing, False
    return row, True
