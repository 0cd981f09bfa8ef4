"""The service report's queries over each ticket's figures (services/tickets/facts.py): the
weeks counted in the database, the durations read for their percentiles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, Select, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.tickets import models
from workflows.ticket.rules import Status

T = models.Ticket
WEEK_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class ReportFilter:
    start: datetime  # the first day's start, UTC
    end: datetime  # the day after the last one, UTC (exclusive)
    organization: str = ""
    site_id: str = ""
    assignee: str = ""
    priority: str = ""


def _selected(query: Select, where: ReportFilter) -> Select:
    for column, value in ((T.organization, where.organization), (T.site_id, where.site_id),
                          (T.assignee, where.assignee), (T.priority, where.priority)):
        if value:
            query = query.where(column == value)
    return query


def _within(column, where: ReportFilter):
    return (column >= where.start) & (column < where.end)


def _week_of(session: AsyncSession, column, start: datetime):
    """The week (0, 1, ...) since `start` a moment falls in, computed by the database."""
    if session.bind.dialect.name == "postgresql":
        return cast(func.floor(func.extract("epoch", column - start) / WEEK_SECONDS), Integer)
    # SQLite keeps moments as UTC text; julianday() reads it.
    return cast((func.julianday(column) - func.julianday(start.strftime("%Y-%m-%d %H:%M:%S")))
                / 7, Integer)


async def per_week(session: AsyncSession, where: ReportFilter,
                   column) -> dict[int, int]:
    """How many tickets' `column` (create_time, closed_time) falls in each week."""
    week = _week_of(session, column, where.start).label("week")
    query = _selected(select(week, func.count()).where(_within(column, where)), where)
    return {int(w): int(n) for w, n in await session.execute(query.group_by(week))}


async def open_at_start(session: AsyncSession, where: ReportFilter) -> int:
    query = _selected(select(func.count()).where(
        T.create_time < where.start,
        T.closed_time.is_(None) | (T.closed_time >= where.start)), where)
    return int((await session.execute(query)).scalar_one())


async def durations(session: AsyncSession, where: ReportFilter) -> tuple[list[int], list[int]]:
    """Seconds to the first response (answered in the period) and to resolution (done in
    the period, the studio's court only)."""
    responses = _selected(select(T.response_seconds).where(
        _within(T.first_response_time, where), T.response_seconds.is_not(None)), where)
    resolutions = _selected(select(T.studio_seconds).where(
        _within(T.closed_time, where), T.status == Status.DONE.value), where)
    return (list((await session.execute(responses)).scalars()),
            list((await session.execute(resolutions)).scalars()))


async def closed(session: AsyncSession, where: ReportFilter) -> dict:
    """Of the tickets closed in the period: counts and summed business time."""
    done = T.status == Status.DONE.value

    def count(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)
    query = _selected(select(
        func.count().label("closed"), count(done).label("done"),
        count(T.sla_breached.is_(True)).label("sla_breached"),
        func.coalesce(func.sum(T.studio_seconds), 0).label("studio_seconds"),
        func.coalesce(func.sum(T.client_seconds), 0).label("client_seconds"),
        count(done & (T.submissions > 0)).label("submitted"),
        count(done & (T.reworks > 0)).label("reworked"),
    ).where(_within(T.closed_time, where)), where)
    return {k: int(v) for k, v in (await session.execute(query)).one()._mapping.items()}


async def ratings(session: AsyncSession, where: ReportFilter) -> dict[int, int]:
    query = _selected(select(T.rating, func.count()).where(
        _within(T.closed_time, where), T.status == Status.DONE.value, T.rating > 0), where)
    return {int(r): int(n) for r, n in await session.execute(query.group_by(T.rating))}
