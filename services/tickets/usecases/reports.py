"""The service report: how the studio served the tickets a manager (or a client, their own
organization's) selects, from each ticket's figures (services/tickets/facts.py)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.server.principal import Principal
from services.tickets import convert, models
from services.tickets.report_checks import ReportQuery
from services.tickets.store import reports as store
from services.tickets.store.reports import ReportFilter, Spread
from services.tickets.usecases.studio import Studio
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket.rules import OPEN, Status

HOUR = 3600.0


def durations(spread: Spread) -> pb.Durations:
    return pb.Durations(count=spread.count, median_hours=spread.median / HOUR,
                        p90_hours=spread.p90 / HOUR, mean_hours=spread.mean / HOUR)


class Reports:
    def __init__(self, sessions: async_sessionmaker, studio: Studio):
        self._sessions, self._studio = sessions, studio

    async def service(self, principal: Principal, query: ReportQuery) -> pb.ServiceReport:
        if not principal.is_staff:  # their organization, and nothing of the staff's
            query = replace(query, organization=principal.organization, assignee="")
        starts = _week_starts(query)
        where, bounds = await self._filter(query, starts)
        async with self._sessions() as session:
            created = await store.per_week(session, where, models.Ticket.create_time, bounds)
            closed = await store.per_week(session, where, models.Ticket.closed_time, bounds)
            still_open = await store.open_at_start(session, where)
            responses, resolutions = await store.durations(session, where)
            backlog = await _backlog(session, where, bounds)
            totals = await store.closed(session, where) if principal.is_staff else None
        report = pb.ServiceReport(
            weeks=_weeks(starts, created, closed, still_open, backlog),
            first_response=durations(responses), resolution=durations(resolutions))
        if totals is not None:
            _staff_figures(report, totals)
        return report

    async def _filter(self, query: ReportQuery,
                      starts: list[date]) -> tuple[ReportFilter, list[datetime]]:
        """The filter, and the weeks' bounds: each start's midnight in the studio's zone,
        then the end's; in UTC, as the moments are kept (SQLite compares their text)."""
        zone = ZoneInfo((await self._studio.calendar()).timezone)
        days = [*starts, query.last_day + timedelta(days=1)]
        bounds = [datetime.combine(day, time(), zone).astimezone(UTC) for day in days]
        return ReportFilter(start=bounds[0], end=bounds[-1], organization=query.organization,
                            site_id=query.site_id, assignee=query.assignee,
                            priority=query.priority), bounds


def _week_starts(query: ReportQuery) -> list[date]:
    """The period's first day, then every 7 days; the last week may be shorter."""
    days = (query.last_day - query.first_day).days
    return [query.first_day + timedelta(days=d) for d in range(0, days + 1, 7)]


async def _backlog(session: AsyncSession, where: ReportFilter,
                   bounds: list[datetime]) -> list[Counter]:
    """The open tickets by status at the end of each week: today's, less the moves made
    since that end (read per week, from the first week's end on)."""
    ends = bounds[1:]
    ranges = [*zip(ends, ends[1:]), (ends[-1], None)]  # week 1, 2, …, then after the period
    moved = await store.moves(session, where, ranges)
    at_end = await store.open_now(session, where)
    shown = []
    for later in reversed(moved):
        at_end.subtract(later)
        shown.append(+at_end)  # without zeros and below: the moves before 0012 are unknown
    return shown[::-1]


def _in_order(counts: Counter) -> list[pb.StatusCount]:
    """Every open status, in the workflow's order."""
    return [pb.StatusCount(status=convert.STATUS_TO_PROTO[status], count=counts[status.value])
            for status in Status if status in OPEN]


def _weeks(starts: list[date], created: list[int], closed: list[int], still_open: int,
           backlog: list[Counter]) -> list[pb.ServiceReport.Week]:
    weeks = []
    for day, came, went, by_status in zip(starts, created, closed, backlog):
        still_open += came - went
        weeks.append(pb.ServiceReport.Week(start_date=day.isoformat(), created=came,
                                           closed=went, open=still_open,
                                           backlog=_in_order(by_status)))
    return weeks


def _staff_figures(report: pb.ServiceReport, totals: dict) -> None:
    report.closed, report.done = totals["closed"], totals["done"]
    report.sla_breached = totals["sla_breached"]
    report.studio_hours = totals["studio_seconds"] / HOUR
    report.client_hours = totals["client_seconds"] / HOUR
    report.submitted, report.reworked = totals["submitted"], totals["reworked"]
    report.ratings.extend(totals[f"rating_{stars}"] for stars in range(1, 6))
