"""Scenario 1: tickets created through CreateTicket by 16 concurrent callers, against
raw `start_workflow` of a trivial workflow on the same Temporal server."""

from __future__ import annotations

import uuid

from bench.baseline import BASELINE_QUEUE, Trivial
from bench.stats import side_by_side
from tests.support.stack import Organization, Stack
from ticketdesk.tickets.v1 import tickets_pb2 as pb

CALLERS = 16


async def create_ticket(stack: Stack, org: Organization, i: int) -> pb.Ticket:
    return await stack.clients.tickets.CreateTicket(pb.CreateTicketRequest(
        ticket=pb.Ticket(title=f"Заменить баннер {i}", site=org.sites[0],
                         description="Нужно заменить баннер на главной странице."),
        request_id=uuid.uuid4().hex), metadata=org.client)


async def run(stack: Stack, orgs: list[Organization], count: int) -> list[dict]:
    run_id = uuid.uuid4().hex[:8]

    async def raw(i: int) -> None:
        await stack.temporal.start_workflow(Trivial.run, i, id=f"bench-{run_id}-{i}",
                                            task_queue=BASELINE_QUEUE)

    figures = await side_by_side(lambda i: create_ticket(stack, orgs[i % len(orgs)], i), raw,
                                 count, CALLERS)
    return [{"scenario": "1 Create", "case": f"CreateTicket, {CALLERS} callers",
             "baseline_is": "start_workflow (trivial workflow)", "unit": "tickets/s",
             **figures, "goal": "throughput >= 0.8x baseline",
             "met": figures["ratio"]["throughput"] >= 0.8}]
