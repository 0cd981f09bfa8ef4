"""The service report's queries over each ticket's figures (services/tickets/facts.py).

Each reads an index range of the period (or of the time since it began), never every
ticket, so that a report stays quick at a million tickets: the weeks are ranges of their
own (one statement, a part per week), the percentiles ranked by the database, the backlog
by status today's counts less the moves since (migration 0012)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, case, func, literal_column, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from services.tickets import models
from workflows.ticket.rules import OPEN, Status

T = models.Ticket
M = models.TicketMove
OPEN_STATUSES = sorted(s.value for s in OPEN)
DONE = Status.DONE.value


@dataclass(frozen=True)
class ReportFilter:
    start: datetime  # the first day's start, UTC
    end: datetime  # the day after the last one, UTC (exclusive)
    organization: str = ""
    site_id: str = ""
    assignee: str = ""
    priority: str = ""


@dataclass(frozen=True)
class Spread:
    """Seconds of the tickets counted: the median, the 90th percentile (nearest rank)."""

    count: int = 0
    mean: float = 0.0
    median: float = 0.0
    p90: float = 0.0


def _selected(query: Select, where: ReportFilter, table=T) -> Select:
    for column, value in ((table.organization, where.organization),
                          (table.site_id, where.site_id), (table.assignee, where.assignee),
                          (table.priority, where.priority)):
        if value:
            query = query.where(column == value)
    return query


def _between(column, start: datetime, end: datetime | None):
    return (column >= start) if end is None else (column >= start) & (column < end)


def _within(column, where: ReportFilter):
    return _between(column, where.start, where.end)


async def per_week(session: AsyncSession, where: ReportFilter, column,
                   bounds: list[datetime]) -> list[int]:
    """How many tickets' `column` (create_time, closed_time) falls in each week: between
    consecutive `bounds`."""
    parts = [_selected(select(literal_column(str(week)).label("week"), func.count().label("n"))
                       .where(_between(column, start, end)), where)
             for week, (start, end) in enumerate(zip(bounds, bounds[1:]))]
    counted = dict((await session.execute(union_all(*parts))).all())
    return [int(counted.get(week, 0)) for week in range(len(bounds) - 1)]


async def open_at_start(session: AsyncSession, where: ReportFilter) -> int:
    """Created before the period, and not closed before it: two ranges of
    ix_tickets_closed (closed_time, create_time)."""
    still = _selected(select(func.count()).where(
        T.closed_time.is_(None), T.create_time < where.start), where)
    later = _selected(select(func.count()).where(
        T.closed_time >= where.start, T.create_time < where.start), where)
    return sum([int((await session.execute(query)).scalar_one()) for query in (still, later)])


async def durations(session: AsyncSession, where: ReportFilter) -> tuple[Spread, Spread]:
    """To the first response (answered in the period) and to resolution (done in the
    period, the studio's court only)."""
    responses = _selected(select(T.response_seconds.label("v")).where(
        _within(T.first_response_time, where), T.response_seconds.is_not(None)), where)
    resolutions = _selected(select(T.studio_seconds.label("v")).where(
        _within(T.closed_time, where), T.status == DONE), where)
    return await _spread(session, responses), await _spread(session, resolutions)


async def _spread(session: AsyncSession, values: Select) -> Spread:
    """The values ranked by the database; only the ranks of the median and the 90th
    percentile come back (the two middle ones of an even count)."""
    source = values.subquery()
    ranked = select(source.c.v, func.row_number().over(order_by=source.c.v).label("r"),
                    func.count().over().label("n"), func.avg(source.c.v).over().label("m")
                    ).subquery()
    n = ranked.c.n
    wanted = (ranked.c.r == (n + 1) // 2) | (ranked.c.r == n // 2 + 1) \
        | (ranked.c.r == (9 * n + 9) // 10)  # ceil(0.9 n)
    rows = (await session.execute(select(ranked.c.r, ranked.c.v, n, ranked.c.m)
                                  .where(wanted))).all()
    if not rows:
        return Spread()
    at, count, mean = {int(r): float(v) for r, v, _, _ in rows}, int(rows[0][2]), rows[0][3]
    return Spread(count=count, mean=float(mean),
                  median=(at[(count + 1) // 2] + at[count // 2 + 1]) / 2,
                  p90=at[(9 * count + 9) // 10])


async def closed(session: AsyncSession, where: ReportFilter) -> dict:
    """Of the tickets closed in the period: counts, summed business time and the ratings
    of those done (`rating_1` … `rating_5`), in one pass over ix_tickets_closed alone."""
    done = T.status == DONE

    def count(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)
    query = _selected(select(
        func.count().label("closed"), count(done).label("done"),
        count(T.sla_breached.is_(True)).label("sla_breached"),
        func.coalesce(func.sum(T.studio_seconds), 0).label("studio_seconds"),
        func.coalesce(func.sum(T.client_seconds), 0).label("client_seconds"),
        count(done & (T.submissions > 0)).label("submitted"),
        count(done & (T.reworks > 0)).label("reworked"),
        *(count(done & (T.rating == stars)).label(f"rating_{stars}") for stars in range(1, 6)),
    ).where(_within(T.closed_time, where)), where)
    return {k: int(v) for k, v in (await session.execute(query)).one()._mapping.items()}


async def open_now(session: AsyncSession, where: ReportFilter) -> Counter:
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
    return Counter({status: int(n) for status, n in await session.execute(query)})


async def moves(session: AsyncSession, where: ReportFilter,
                ranges: list[tuple[datetime, datetime | None]]) -> list[Counter]:
    """The open statuses' moves in each range (its end None: until now), summed by
    status; each range a part of one statement over ix_ticket_moves_moment."""
    parts = [_selected(select(literal_column(str(i)).label("part"), M.status, func.sum(M.delta))
                       .where(_between(M.moment, start, end), M.status.in_(OPEN_STATUSES)),
                       where, M).group_by(M.status)
             for i, (start, end) in enumerate(ranges)]
    found = [Counter() for _ in ranges]
    for part, status, n in await session.execute(union_all(*parts)):
        found[part][status] += int(n)
    return found
