"""The service report: how the studio served the tickets a manager (or a client, their own
organization's) selects, from each ticket's figures (services/tickets/facts.py)."""

from __future__ import annotations

import math
import statistics
from dataclasses import replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import async_sessionmaker

from services.common.server.principal import Principal
from services.tickets import models
from services.tickets.report_checks import ReportQuery
from services.tickets.store import reports as store
from services.tickets.store.reports import ReportFilter
from services.tickets.usecases.studio import Studio
from ticketdesk.tickets.v1 import tickets_pb2 as pb

HOUR = 3600.0


def durations(seconds: list[int]) -> pb.Durations:
    """Median and 90th percentile (nearest rank), in hours."""
    if not seconds:
        return pb.Durations()
    ranked = sorted(seconds)
    p90 = ranked[math.ceil(0.9 * len(ranked)) - 1]
    return pb.Durations(count=len(ranked), median_hours=statistics.median(ranked) / HOUR,
                        p90_hours=p90 / HOUR)


class Reports:
    def __init__(self, sessions: async_sessionmaker, studio: Studio):
        self._sessions, self._studio = sessions, studio

    async def service(self, principal: Principal, query: ReportQuery) -> pb.ServiceReport:
        if not principal.is_staff:  # their organization, and nothing of the staff's
            query = replace(query, organization=principal.organization, assignee="")
        where = await self._filter(query)
        async with self._sessions() as session:
            created = await store.per_week(session, where, models.Ticket.create_time)
            closed = await store.per_week(session, where, models.Ticket.closed_time)
            still_open = await store.open_at_start(session, where)
            responses, resolutions = await store.durations(session, where)
            if principal.is_staff:
                totals = await store.closed(session, where)
                ratings = await store.ratings(session, where)
        report = pb.ServiceReport(weeks=_weeks(query, created, closed, still_open),
                                  first_response=durations(responses),
                                  resolution=durations(resolutions))
        if principal.is_staff:
            _staff_figures(report, totals, ratings)
        return report

    async def _filter(self, query: ReportQuery) -> ReportFilter:
        zone = ZoneInfo((await self._studio.calendar()).timezone)
        start = datetime.combine(query.first_day, time(), zone)
        end = datetime.combine(query.last_day + timedelta(days=1), time(), zone)
        return ReportFilter(start=start, end=end, organization=query.organization,
                            site_id=query.site_id, assignee=query.assignee,
                            priority=query.priority)


def _weeks(query: ReportQuery, created: dict[int, int], closed: dict[int, int],
           still_open: int) -> list[pb.ServiceReport.Week]:
    weeks, day, index = [], query.first_day, 0
    while day <= query.last_day:
        still_open += created.get(index, 0) - closed.get(index, 0)
        weeks.append(pb.ServiceReport.Week(
            start_date=day.isoformat(), created=created.get(index, 0),
            closed=closed.get(index, 0), open=still_open))
        day, index = day + timedelta(days=7), index + 1
    return weeks


def _staff_figures(report: pb.ServiceReport, totals: dict, ratings: dict[int, int]) -> None:
    report.closed, report.done = totals["closed"], totals["done"]
    report.sla_breached = totals["sla_breached"]
    report.studio_hours = totals["studio_seconds"] / HOUR
    report.client_hours = totals["client_seconds"] / HOUR
    report.submitted, report.reworked = totals["submitted"], totals["reworked"]
    report.ratings.extend(ratings.get(stars, 0) for stars in range(1, 6))
