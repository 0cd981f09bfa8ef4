"""One trace follows a transition: TicketService.TransitionTicket → the workflow
update → the record_transition activity → TicketInternalService.RecordTransition."""

from __future__ import annotations

import asyncio

from opentelemetry.trace import SpanKind

from services.tickets.convert import ACTION_TO_PROTO
from tests.support.stack import start_stack, start_temporal
from tests.support.tickets import World
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket.rules import Action, Status

TICKETS = "/ticketdesk.tickets.v1.TicketService"
# The worker's calls: the service token's only (docs/API.md).
TICKETS_INTERNAL = "/ticketdesk.tickets.v1.TicketInternalService"


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
                  (f"{TICKETS_INTERNAL}/RecordTransition", SpanKind.SERVER)]
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


async def test_the_trace_of_a_transition_starts_at_the_persons_action_in_the_ui(
        spans, tmp_path, monkeypatch):
    """The web UI takes a person's action through its client layer: the ticket card's
    buttons call `TicketsClient.transition` (ui/clients/tickets.py), whose span
    `ui transition` is the root; every service, workflow and activity span of the
    transition descends from it."""
    from ui.clients import channels
    from ui.clients.account import Account
    from ui.clients.tickets import TicketsClient

    temporal = await start_temporal()
    stack = await start_stack(temporal, tmp_path)
    # The UI's channels as `python -m ui` opens them on start-up, to this stack.
    monkeypatch.setattr(channels, "_state", channels._State(settings=stack.settings))
    try:
        world = await World.create(stack)
        ticket = await world.ticket_in(Status.QUEUED)
        token = dict(world.people["developer"])["authorization"].removeprefix("Bearer ")
        client = TicketsClient(Account(token=token, name="users/developer", role="developer"))
        spans.clear()
        changed = await client.transition(ticket.name, ACTION_TO_PROTO[Action.START_WORK])
        assert changed.status == pb.STATUS_IN_PROGRESS

        wanted = [("ui transition", SpanKind.INTERNAL),
                  (f"{TICKETS}/TransitionTicket", SpanKind.CLIENT),
                  (f"{TICKETS}/TransitionTicket", SpanKind.SERVER),
                  ("StartWorkflowUpdate:transition", None), ("HandleUpdate:transition", None),
                  ("RunActivity:record_transition", None),
                  (f"{TICKETS_INTERNAL}/RecordTransition", SpanKind.SERVER)]

        def named(name, kind=None):
            return [s for s in spans.get_finished_spans()
                    if s.name == name and (kind is None or s.kind == kind)]

        async with asyncio.timeout(10):  # server spans end just after the answer
            while not all(named(name, kind) for name, kind in wanted):
                await asyncio.sleep(0.05)
        by_id = {s.context.span_id: s for s in spans.get_finished_spans()}

        def root_of(span):
            while span.parent is not None:
                assert span.parent.span_id in by_id, f"{span.name}: its parent is not exported"
                span = by_id[span.parent.span_id]
            return span

        [action] = named("ui transition")
        assert action.parent is None
        assert action.attributes["enduser.role"] == "developer"
        for name, kind in wanted:
            for span in named(name, kind):
                assert root_of(span) is action, name
    finally:
        await channels.close_channels()
        await stack.stop()
        await temporal.shutdown()
