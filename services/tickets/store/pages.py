"""One page of any ordered query (offset paging)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession


async def page_of(session: AsyncSession, query: Select, offset: int,
                  limit: int) -> tuple[list[Any], bool]:
    """Up to `limit` rows from `offset`, and whether more follow."""
    rows = list((await session.execute(query.offset(offset).limit(limit + 1))).scalars())
    return rows[:limit], len(rows) > limit
