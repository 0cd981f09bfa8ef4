"""Scenario 3: ListTickets over bulk-loaded tickets, against the equivalent SQLAlchemy
Core queries run directly (the page, the total and the counts per status)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, select, text, true
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.data import RARE_WORD, TICKETS
from bench.stats import side_by_side
from tests.support.stack import Organization, Stack
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket.rules import OPEN, Status

PAGE = 50  # the web UI's page
T = TICKETS.c
OPEN_STATUSES = [s.value for s in OPEN]
OPEN_PROTO = [pb.STATUS_QUEUED, pb.STATUS_IN_PROGRESS, pb.STATUS_NEEDS_INFO,
              pb.STATUS_AWAITING_ACCEPTANCE]


@dataclass
class Case:
    name: str
    request: pb.ListTicketsRequest
    staff: bool
    # The Core equivalent: the scope (what the counts per status cover), the status
    # filter, and the ORDER BY of the page.
    scope: list
    status: object
    order: tuple


def cases(organization: str) -> list[Case]:
    mine = T.organization == organization
    newest = (T.update_time.desc(), T.number.desc())
    return [
        Case("client: first page", pb.ListTicketsRequest(page_size=PAGE), False,
             [mine], None, newest),
        Case("client: status filter", pb.ListTicketsRequest(
            page_size=PAGE, statuses=[pb.STATUS_IN_PROGRESS]), False,
             [mine], T.status == Status.IN_PROGRESS.value, newest),
        Case("client: text search", pb.ListTicketsRequest(page_size=PAGE, query=RARE_WORD),
             False, [mine, T.search_text.like(f"%{RARE_WORD}%")], None, newest),
        Case("developer: queue by SLA", pb.ListTicketsRequest(
            page_size=PAGE, statuses=OPEN_PROTO, order_by="sla_due_time"), True,
             [], T.status.in_(OPEN_STATUSES), (T.sla_due_time.asc().nulls_last(), T.number.asc())),
    ]


async def core_list(engine: AsyncEngine, case: Case) -> None:
    """What ListTickets answers, read with Core: the page and the counts per status
    (the total is their sum over the filtered statuses, as in the service)."""
    scope = and_(true(), *case.scope)
    where = scope if case.status is None else and_(scope, case.status)
    async with engine.connect() as connection:
        (await connection.execute(
            select(TICKETS).where(where).order_by(*case.order).limit(PAGE + 1))).all()
        (await connection.execute(select(T.status, func.count()).where(scope)
                                  .group_by(T.status))).all()


async def run(stack: Stack, engine: AsyncEngine, org: Organization, developer, backend: str,
              size: int, count: int, only_first_page: bool = False) -> list[dict]:
    results = []
    for case in cases(org.client_user.organization)[:1 if only_first_page else None]:
        metadata = developer if case.staff else org.client
        answer = await stack.clients.tickets.ListTickets(case.request, metadata=metadata)
        if not answer.tickets:
            raise RuntimeError(f"{case.name}: ListTickets found nothing to measure")
        figures = await side_by_side(
            lambda _: stack.clients.tickets.ListTickets(case.request, metadata=metadata),
            lambda _: core_list(engine, case), count)
        results.append({
            "scenario": "3 List", "case": f"{case.name} ({size:,} tickets)", "backend": backend,
            "baseline_is": "the same queries with SQLAlchemy Core", "unit": "lists/s",
            **figures, "goal": "p99 <= 30 ms and <= 3x baseline",
            "met": figures["system"]["p99_ms"] <= 30 and figures["ratio"]["p99_ms"] <= 3})
    return results


async def without_statistics(stack: Stack, engine: AsyncEngine, developer, size: int,
                             count: int) -> dict:
    """The developers' queue on SQLite as a database that never ran ANALYZE plans it:
    TicketDesk itself never does, and without statistics SQLite sorts the open queue."""
    async with engine.begin() as connection:
        await connection.execute(text("DROP TABLE IF EXISTS sqlite_stat1"))
    await engine.dispose()  # a connection keeps the statistics it has read
    try:
        queue = cases("")[-1]
        figures = await side_by_side(
            lambda _: stack.clients.tickets.ListTickets(queue.request, metadata=developer),
            lambda _: core_list(engine, queue), count)
    finally:
        async with engine.begin() as connection:
            await connection.execute(text("ANALYZE tickets"))
    return {"scenario": "3 List", "case": f"{queue.name}, no ANALYZE ({size:,} tickets)",
            "backend": "sqlite", "baseline_is": "the same queries with SQLAlchemy Core",
            "unit": "lists/s", **figures, "goal": "p99 <= 30 ms and <= 3x baseline",
            "met": figures["system"]["p99_ms"] <= 30 and figures["ratio"]["p99_ms"] <= 3}
