"""One trace follows a transition: TicketService.TransitionTicket → the workflow
update → the record_transition activity → TicketService.RecordTransition."""

from __future__ import annotations

import asyncio

from opentelemetry.trace import SpanKind

from tests.support.stack import start_stack, start_temporal
from tests.support.tickets import World
from workflows.ticket.rules import Action, Status

TICKETS = "/ticketdesk.tickets.v1.TicketService"


async def test_one_trace_spans_the_service_the_workflow_and_the_activity(spans, tmp_path):
    temporal = await start_temporal()
    stack = await start_stack(temporal, tmp_path)
    try:
        world = await World.create(stack)
        ticket = await world.ticket_in(Status.QUEUED)
        spans.clear()
        await world.act(ticket.name, "developer", Action.START_WORK)

        def named(name, kind=None):
            return [s for s in spans.get_finished_spans()
                    if s.name == name and (kind is None or s.kind == kind)]

        wanted = [(f"{TICKETS}/TransitionTicket", SpanKind.SERVER),
                  ("StartWorkflowUpdate:transition", None), ("HandleUpdate:transition", None),
                  ("RunActivity:record_transition", None),
                  (f"{TICKETS}/RecordTransition", SpanKind.SERVER)]
        async with asyncio.timeout(10):  # server spans end just after the answer
            while not all(named(name, kind) for name, kind in wanted):
                await asyncio.sleep(0.05)
        transition = named(*wanted[0])
        assert len(transition) == 1
        trace_id = transition[0].context.trace_id
        for name, kind in wanted:
            assert {s.context.trace_id for s in named(name, kind)} == {trace_id}, name
        recorded = named(*wanted[-1])[0]
        assert recorded.resource.attributes["service.name"] == "ticketdesk-tests"
        assert recorded.parent is not None  # RecordTransition continues the activity's trace
    finally:
        await stack.stop()
        await temporal.shutdown()
