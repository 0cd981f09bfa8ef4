"""Scenario 2: the TransitionTicket round trip (workflow update and its persistence),
against a raw workflow update with a trivial handler on the same server."""

from __future__ import annotations

import uuid

import grpc

from bench.baseline import BASELINE_QUEUE, Counter
from bench.create import create_ticket
from bench.stats import side_by_side
from tests.support.stack import Organization, Stack
from ticketdesk.tickets.v1 import tickets_pb2 as pb

# A developer takes a ticket into work and returns it to the queue, over and over.
BACK_AND_FORTH = (pb.ACTION_START_WORK, pb.ACTION_RETURN_TO_QUEUE)
TICKETS = 4


async def run(stack: Stack, org: Organization, count: int) -> list[dict]:
    developer = await stack.staff("developer")
    tickets = [(await create_ticket(stack, org, i)).name for i in range(TICKETS)]
    counter = await stack.temporal.start_workflow(
        Counter.run, id=f"bench-counter-{uuid.uuid4().hex[:8]}", task_queue=BASELINE_QUEUE)

    async def transition(i: int, request_id: str = "") -> None:
        await stack.clients.tickets.TransitionTicket(pb.TransitionTicketRequest(
            name=tickets[i % TICKETS], action=BACK_AND_FORTH[(i // TICKETS) % 2],
            request_id=request_id or uuid.uuid4().hex), metadata=developer)

    # Unmeasured: a first round trip per ticket, once the worker has worked off the
    # workflows the create scenario started (their updates wait behind them).
    for i in range(2 * TICKETS):
        await settled(lambda request_id=uuid.uuid4().hex: transition(i, request_id))
    count -= count % (2 * TICKETS)  # every ticket ends where it started (queued)
    figures = await side_by_side(lambda i: transition(i + 2 * TICKETS),
                                 lambda i: counter.execute_update(Counter.bump, 1), count)
    await counter.signal(Counter.stop)
    return [{"scenario": "2 Transition", "case": "TransitionTicket round trip",
             "baseline_is": "execute_update (trivial handler)", "unit": "transitions/s",
             **figures, "goal": "median <= 2x baseline",
             "met": figures["ratio"]["median_ms"] <= 2}]


async def settled(call, attempts: int = 10) -> None:
    """`call` (idempotent) retried while the ticket service says the workflow did not
    answer in time."""
    for attempt in range(attempts):
        try:
            await call()
            return
        except grpc.aio.AioRpcError as error:
            if error.code() != grpc.StatusCode.UNAVAILABLE or attempt == attempts - 1:
                raise
