"""The service report: how the studio served the tickets a manager (or a client, their own
organization's) selects, from each ticket's figures (services/tickets/facts.py)."""

from __future__ import annotations

import math
import statistics
from dataclasses import replace
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.server.principal import Principal
from services.tickets import convert, models
from services.tickets.report_checks import ReportQuery
from services.tickets.store import reports as store
from services.tickets.store.reports import ReportFilter
from services.tickets.usecases.studio import Studio
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket.rules import OPEN, Status

HOUR = 3600.0
WEEK = timedelta(days=7)
AFTER = -1  # the moves after the period (store.moves_since)


def durations(seconds: list[int]) -> pb.Durations:
    """Median and 90th percentile (nearest rank), in hours."""
    if not seconds:
        return pb.Durations()
    ranked = sorted(seconds)
    p90 = ranked[math.ceil(0.9 * len(ranked)) - 1]
    return pb.Durations(count=len(ranked), median_hours=statistics.median(ranked) / HOUR,
                        p90_hours=p90 / HOUR, mean_hours=statistics.fmean(ranked) / HOUR)


class Reports:
    def __init__(self, sessions: async_sessionmaker, studio: Studio):
        self._sessions, self._studio = sessions, studio

    async def service(self, principal: Principal, query: ReportQuery) -> pb.ServiceReport:
        if not principal.is_staff:  # their organization, and nothing of the staff's
            query = replace(query, organization=principal.organization, assignee="")
        where, weeks = await self._filter(query), _week_starts(query)
        async with self._sessions() as session:
            created = await store.per_week(session, where, models.Ticket.create_time)
            closed = await store.per_week(session, where, models.Ticket.closed_time)
            still_open = await store.open_at_start(session, where)
            responses, resolutions = await store.durations(session, where)
            backlog = await _backlog(session, where, len(weeks))
            if principal.is_staff:
                totals = await store.closed(session, where)
                ratings = await store.ratings(session, where)
        report = pb.ServiceReport(weeks=_weeks(weeks, created, closed, still_open, backlog),
                                  first_response=durations(responses),
                                  resolution=durations(resolutions))
        if principal.is_staff:
            _staff_figures(report, totals, ratings)
        return report

    async def _filter(self, query: ReportQuery) -> ReportFilter:
        zone = ZoneInfo((await self._studio.calendar()).timezone)
        # UTC, as the moments are kept (SQLite compares their text).
        start = datetime.combine(query.first_day, time(), zone).astimezone(UTC)
        end = datetime.combine(query.last_day + timedelta(days=1), time(), zone).astimezone(UTC)
        return ReportFilter(start=start, end=end, organization=query.organization,
                            site_id=query.site_id, assignee=query.assignee,
                            priority=query.priority)


def _week_starts(query: ReportQuery) -> list[date]:
    """The period's first day, then every 7 days; the last week may be shorter."""
    days = (query.last_day - query.first_day).days
    return [query.first_day + timedelta(days=d) for d in range(0, days + 1, 7)]


async def _backlog(session: AsyncSession, where: ReportFilter,
                   count: int) -> list[Counter]:
    """The open tickets by status at the end of each of `count` weeks: today's, less the
    moves made since that end."""
    moved = await store.moves_since(session, where, min(where.start + WEEK, where.end))
    at_end = Counter(await store.open_now(session, where))
    at_end.subtract(_of_week(moved, AFTER))
    ends = []
    for week in reversed(range(count)):
        ends.append(+at_end)  # without zeros and below: the moves before 0012 are unknown
        at_end.subtract(_of_week(moved, week))
    return ends[::-1]


def _of_week(moved: dict[tuple[int, str], int], week: int) -> Counter:
    return Counter({status: n for (w, status), n in moved.items() if w == week})


def _in_order(counts: Counter) -> list[pb.StatusCount]:
    """Every open status, in the workflow's order."""
    return [pb.StatusCount(status=convert.STATUS_TO_PROTO[status], count=counts[status.value])
            for status in Status if status in OPEN]


def _weeks(starts: list[date], created: dict[int, int], closed: dict[int, int],
           still_open: int, backlog: list[dict[str, int]]) -> list[pb.ServiceReport.Week]:
    weeks = []
    for index, day in enumerate(starts):
        still_open += created.get(index, 0) - closed.get(index, 0)
        weeks.append(pb.ServiceReport.Week(
            start_date=day.isoformat(), created=created.get(index, 0),
            closed=closed.get(index, 0), open=still_open,
            backlog=_in_order(backlog[index])))
    return weeks


def _staff_figures(report: pb.ServiceReport, totals: dict, ratings: dict[int, int]) -> None:
    report.closed, report.done = totals["closed"], totals["done"]
    report.sla_breached = totals["sla_breached"]
    report.studio_hours = totals["studio_seconds"] / HOUR
    report.client_hours = totals["client_seconds"] / HOUR
    report.submitted, report.reworked = totals["submitted"], totals["reworked"]
    report.ratings.extend(ratings.get(stars, 0) for stars in range(1, 6))
