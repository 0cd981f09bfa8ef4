"""The service report's figures the database works out, on SQLite and PostgreSQL: the
backlog by status at the end of each week (migration 0012's moves) worked out by hand for
tickets that move before, inside and after a period, through every filter, and the same
as the week's open count; the percentiles ranked by the database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import async_sessionmaker

from services.common.server.principal import Principal, Role
from services.tickets import models
from services.tickets.report_checks import ReportQuery
from services.tickets.store import reports as store
from services.tickets.usecases.reports import Reports
from services.tickets.usecases.studio import Studio
from tests.services.tickets.store_support import engine, new_ticket, url  # noqa: F401
from ticketdesk.tickets.v1 import tickets_pb2 as pb

T = models.Ticket
ORG, OTHER = "organizations/a", "organizations/b"
MANAGER = Principal("users/m", Role.MANAGER)
# Three weeks from Monday 5 January 2026; the last one ends on Friday the 23rd.
PERIOD = dict(first_day=date(2026, 1, 5), last_day=date(2026, 1, 22))
SHORT = {pb.STATUS_QUEUED: "Q", pb.STATUS_IN_PROGRESS: "W", pb.STATUS_NEEDS_INFO: "I",
         pb.STATUS_AWAITING_ACCEPTANCE: "A"}


def noon(day: int, month: int = 1, year: int = 2026) -> datetime:
    return datetime(year, month, day, 12, tzinfo=UTC)


async def create(sessions, organization: str, created: datetime) -> int:
    async with sessions() as session:
        ticket = new_ticket(organization, "Задача")
        ticket.create_time = ticket.update_time = created
        session.add(ticket)
        await session.commit()
        return ticket.number


async def change(sessions, number: int, moment: datetime, **values) -> None:
    async with sessions() as session:
        await session.execute(update(T).where(T.number == number)
                              .values(update_time=moment, **values))
        await session.commit()


async def backlog(sessions, **filters) -> list[str]:
    """Each week's backlog as e.g. "Q1 W2" (zeros left out), checked against its open."""
    report = await Reports(sessions, Studio(sessions, "Europe/Moscow")).service(
        MANAGER, ReportQuery(**PERIOD, **filters))
    shown = []
    for week in report.weeks:
        assert [c.status for c in week.backlog] == list(SHORT)  # every open status, in order
        shown.append(" ".join(f"{SHORT[c.status]}{c.count}" for c in week.backlog if c.count))
    return shown


async def test_the_backlog_by_status_week_by_week(engine):
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    long_ago = await create(sessions, ORG, noon(20, 12, 2025))
    await change(sessions, long_ago, noon(7), status="in_progress")
    await change(sessions, long_ago, noon(14), status="awaiting_acceptance")
    await change(sessions, long_ago, noon(20), status="done", closed_time=noon(20))
    waiting = await create(sessions, ORG, noon(6))
    await change(sessions, waiting, noon(14), priority="high")
    unclear = await create(sessions, ORG, noon(13))
    await change(sessions, unclear, noon(15), status="needs_info")
    await change(sessions, unclear, noon(25), status="in_progress")  # after the period
    assigned = await create(sessions, ORG, noon(8))
    await change(sessions, assigned, noon(9), status="in_progress", assignee="users/x")
    await create(sessions, OTHER, noon(6))
    await create(sessions, ORG, noon(26))  # after the period: in no week

    assert await backlog(sessions, organization=ORG) == [
        "Q1 W2", "Q1 W1 I1 A1", "Q1 W1 I1"]
    assert await backlog(sessions) == ["Q2 W2", "Q2 W1 I1 A1", "Q2 W1 I1"]
    assert await backlog(sessions, organization=ORG, assignee="users/x") == ["W1"] * 3
    assert await backlog(sessions, organization=ORG, priority="high") == ["", "Q1", "Q1"]
    assert await backlog(sessions, organization=OTHER) == ["Q1"] * 3


async def test_the_backlog_adds_up_to_the_open_tickets(engine):
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    for day in (3, 6, 10, 19):  # each done two days after it came, but the last
        number = await create(sessions, ORG, noon(day))
        await change(sessions, number, noon(day + 1), status="in_progress")
        if day < 19:
            await change(sessions, number, noon(day + 2), status="done",
                         closed_time=noon(day + 2))
    report = await Reports(sessions, Studio(sessions, "Europe/Moscow")).service(
        MANAGER, ReportQuery(**PERIOD))
    assert [w.open for w in report.weeks] == [1, 0, 1]  # the 10th's done on the 12th
    assert [sum(c.count for c in w.backlog) for w in report.weeks] == [1, 0, 1]


async def test_the_percentiles_are_ranked_by_the_database(engine):
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    where = store.ReportFilter(start=noon(5), end=noon(12))
    hours = {"odd": (4, 1, 2, 3, 10), "even": (1, 4, 2, 3)}
    for organization, values in hours.items():
        for n, h in enumerate(values):
            number = await create(sessions, organization, noon(5))
            await change(sessions, number, noon(6), first_response_time=noon(6 + n % 3),
                         response_seconds=h * 3600)
    await change(sessions, await create(sessions, "odd", noon(1)), noon(2),
                 first_response_time=noon(2), response_seconds=99 * 3600)  # before the period
    async with sessions() as session:
        (odd, _), (even, _) = [await store.durations(session, replace(where, organization=o))
                               for o in hours]
        nothing, _ = await store.durations(session, replace(where, organization="none"))
    hour = 3600
    assert odd == store.Spread(count=5, mean=4 * hour, median=3 * hour, p90=10 * hour)
    assert even == store.Spread(count=4, mean=2.5 * hour, median=2.5 * hour, p90=4 * hour)
    assert nothing == store.Spread()
