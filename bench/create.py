"""Scenario 1: tickets created through CreateTicket, against the raw operations on the same
Temporal server and database: one caller against a raw `start_workflow` of a trivial
workflow plus a raw INSERT of the ticket row; 16 concurrent callers against raw starts;
and, counted apart, the same 16 callers until every created ticket's workflow has done
its first work (the background a create triggers), against raw starts until every
trivial workflow has completed."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from datetime import UTC, datetime

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bench import data
from bench.baseline import BASELINE_QUEUE, Trivial
from bench.stats import compare, measure, side_by_side
from services.tickets import models
from tests.support.stack import Organization, Stack
from ticketdesk.tickets.v1 import tickets_pb2 as pb

CALLERS = 16
# How long the background of the created tickets may take before the row fails.
PROCESSED_TIMEOUT = 600.0
# The fully processed row creates a share of the concurrent row's tickets: the background
# runs at a few tickets a second, and all of it is waited for.
PROCESSED_SHARE = 4
RAW_CREATOR = "users/bench"  # bench.data's rows: tickets without a workflow


async def create_ticket(stack: Stack, org: Organization, i: int) -> pb.Ticket:
    return await stack.clients.tickets.CreateTicket(pb.CreateTicketRequest(
        ticket=pb.Ticket(title=f"Заменить баннер {i}", site=org.sites[0],
                         description="Нужно заменить баннер на главной странице."),
        request_id=uuid.uuid4().hex), metadata=org.client)


async def run(stack: Stack, orgs: list[Organization], count: int,
              single_count: int) -> list[dict]:
    run_id = uuid.uuid4().hex[:8]
    engine = data.raw_engine(stack.settings.database_url("tickets"))
    # Someone the new-ticket notices go to: delivering them is part of the background.
    await stack.staff("manager")
    try:
        return [await _single(stack, engine, orgs[0], run_id, single_count),
                await _processed(stack, engine, orgs, run_id,
                                 max(CALLERS, count // PROCESSED_SHARE)),
                await _concurrent(stack, orgs, run_id, count)]
    finally:
        await engine.dispose()


async def _single(stack: Stack, engine: AsyncEngine, org: Organization, run_id: str,
                  count: int) -> dict:
    organization = org.client_user.organization
    site = (await data.site_ids_by_organization(engine))[organization][0]

    async def raw(i: int) -> None:
        await stack.temporal.start_workflow(Trivial.run, i, id=f"bench-{run_id}-one-{i}",
                                            task_queue=BASELINE_QUEUE)
        row = data.ticket_row(random.Random(i), organization, {organization: [site]},
                              datetime.now(UTC))
        async with engine.begin() as connection:
            await connection.execute(insert(data.TICKETS), row | {"request_id": uuid.uuid4().hex})

    figures = await side_by_side(lambda i: create_ticket(stack, org, i), raw, count)
    return {"scenario": "1 Create", "case": "CreateTicket, one caller",
            "baseline_is": "start_workflow (trivial workflow) + INSERT of the ticket row",
            "unit": "tickets/s", **figures, "goal": "median <= 1.3x baseline",
            "met": figures["ratio"]["median_ms"] <= 1.3}


async def _concurrent(stack: Stack, orgs: list[Organization], run_id: str,
                      count: int) -> dict:
    async def raw(i: int) -> None:
        await stack.temporal.start_workflow(Trivial.run, i, id=f"bench-{run_id}-{i}",
                                            task_queue=BASELINE_QUEUE)

    figures = await side_by_side(lambda i: create_ticket(stack, orgs[i % len(orgs)], i), raw,
                                 count, CALLERS)
    return {"scenario": "1 Create", "case": f"CreateTicket, {CALLERS} callers",
            "baseline_is": "start_workflow (trivial workflow)", "unit": "tickets/s",
            **figures, "goal": "throughput >= 0.8x baseline",
            "met": figures["ratio"]["throughput"] >= 0.8}


async def _processed(stack: Stack, engine: AsyncEngine, orgs: list[Organization],
                     run_id: str, count: int) -> dict:
    """Throughput until the work each create triggers is done: every ticket's new-ticket
    notice delivered (its workflow's first work); the trivial workflows completed."""
    await _until_noticed(engine)  # the rows before must not leave their background here
    numbers: list[int] = []

    async def system(i: int) -> None:
        numbers.append((await create_ticket(stack, orgs[i % len(orgs)], i)).number)

    started = time.perf_counter()
    created = await measure(system, count, CALLERS)
    await _until_noticed(engine, numbers)
    created.wall = time.perf_counter() - started

    handles = []

    async def raw(i: int) -> None:
        handles.append(await stack.temporal.start_workflow(
            Trivial.run, i, id=f"bench-{run_id}-done-{i}", task_queue=BASELINE_QUEUE))

    started = time.perf_counter()
    raw_started = await measure(raw, count, CALLERS)
    await asyncio.gather(*(h.result() for h in handles))
    raw_started.wall = time.perf_counter() - started
    figures = compare(created, raw_started)
    return {"scenario": "1 Create", "case": f"CreateTicket fully processed, {CALLERS} callers",
            "baseline_is": "start_workflow until the trivial workflow completed",
            "unit": "tickets/s", **figures, "goal": "", "met": None}


async def _until_noticed(engine: AsyncEngine, numbers: list[int] | None = None) -> None:
    """Until the new-ticket notice of each of `numbers` (None: of every ticket created
    through the service, not the raw INSERTs) is delivered."""
    n, t = models.Notification, models.Ticket
    noticed = (select(func.count(func.distinct(n.ticket_number)))
               .where(n.kind == "ticket_created"))
    if numbers is None:
        wanted = select(func.count()).select_from(t).where(t.creator != RAW_CREATOR)
    else:
        noticed = noticed.where(n.ticket_number.in_(numbers))
        wanted = select(func.count(func.distinct(t.number))).where(t.number.in_(numbers))
    async with asyncio.timeout(PROCESSED_TIMEOUT):
        while True:
            async with engine.connect() as connection:
                if ((await connection.execute(noticed)).scalar_one()
                        >= (await connection.execute(wanted)).scalar_one()):
                    return
            await asyncio.sleep(0.02)
