"""The studio's settings: one JSON document."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.tickets import models
from services.tickets.store.tickets import now

NAME = "studioSettings"


async def load(session: AsyncSession) -> tuple[dict, datetime | None]:
    """What a manager saved (empty before anyone did), and when."""
    row = await session.get(models.StudioSettings, NAME)
    return (json.loads(row.data), row.update_time) if row is not None else ({}, None)


async def save(session: AsyncSession, data: dict) -> datetime:
    row = await session.get(models.StudioSettings, NAME)
    if row is None:
        row = models.StudioSettings(name=NAME)
        session.add(row)
    row.data, row.update_time = json.dumps(data, ensure_ascii=False), now()
    return row.update_time
