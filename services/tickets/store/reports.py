"""The service report's queries over each ticket's figures (services/tickets/facts.py): the
weeks counted in the database, the durations read for their percentiles, the backlog by
status from today's counts less the moves since (migration 0012)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, Select, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.tickets import models
from workflows.ticket.rules import OPEN, Status

T = models.Ticket
M = models.TicketMove
OPEN_STATUSES = sorted(s.value for s in OPEN)
WEEK_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class ReportFilter:
    start: datetime  # the first day's start, UTC
    end: datetime  # the day after the last one, UTC (exclusive)
    organization: str = ""
    site_id: str = ""
    assignee: str = ""
    priority: str = ""


def _selected(query: Select, where: ReportFilter, table=T) -> Select:
    for column, value in ((table.organization, where.organization),
                          (table.site_id, where.site_id), (table.assignee, where.assignee),
                          (table.priority, where.priority)):
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


async def open_now(session: AsyncSession, where: ReportFilter) -> dict[str, int]:
    """Today's open tickets by status: the kept counts (migration 0004) unless a filter
    they do not hold asks for counting."""
    if where.site_id or where.assignee or where.priority:
        query = _selected(select(T.status, func.count()).where(T.status.in_(OPEN_STATUSES)),
                          where).group_by(T.status)
    else:
        C = models.TicketCount
        query = select(C.status, func.sum(C.n)).where(C.status.in_(OPEN_STATUSES))
        if where.organization:
            query = query.where(C.organization == where.organization)
        query = query.group_by(C.status)
    return {status: int(n) for status, n in await session.execute(query)}


async def moves_since(session: AsyncSession, where: ReportFilter,
                      since: datetime) -> dict[tuple[int, str], int]:
    """The open statuses' moves from `since` on, summed by (week of the period, status);
    week -1 is after the period."""
    week = case((M.moment >= where.end, -1),
                else_=_week_of(session, M.moment, where.start)).label("week")
    query = _selected(select(week, M.status, func.sum(M.delta)).where(
        M.moment >= since, M.status.in_(OPEN_STATUSES)), where, M)
    return {(int(w), status): int(n)
            for w, status, n in await session.execute(query.group_by(week, M.status))}
