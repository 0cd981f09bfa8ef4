"""A new ticket's workflow starts with its policy: the service reads it, so the first
workflow task asks nothing remote, and it is the policy the load_policy activity gives."""

from __future__ import annotations

import asyncio

from google.protobuf.field_mask_pb2 import FieldMask
from temporalio.api.enums.v1 import EventType
from temporalio.converter import DataConverter

from tests.support.tickets import World
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_internal_pb2_grpc
from workflows.ticket.activities import TicketActivities
from workflows.ticket.messages import TicketStarted


async def started_with(stack, number: int) -> tuple[TicketStarted, list[str]]:
    """The workflow's input and the activities its history scheduled."""
    history = await stack.temporal.get_workflow_handle(f"ticket-{number}").fetch_history()
    first = history.events[0].workflow_execution_started_event_attributes
    [ticket] = await DataConverter.default.decode(first.input.payloads, [TicketStarted])
    scheduled = [e.activity_task_scheduled_event_attributes.activity_type.name
                 for e in history.events
                 if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED]
    return ticket, scheduled


async def test_the_workflow_starts_with_the_policy_load_policy_gives(stack):
    world = await World.create(stack)
    await stack.clients.auth.UpdateOrganization(auth_pb2.UpdateOrganizationRequest(
        organization=auth_pb2.Organization(name=world.org.name,
                                           auto_accept_business_days=7),
        update_mask=FieldMask(paths=["auto_accept_business_days"])), metadata=stack.service)
    ticket = await stack.new_ticket(world.org)
    await world.until(ticket.name, lambda t: t.sla.HasField("due_time"), role="developer")

    started, scheduled = await started_with(stack, ticket.number)
    activities = TicketActivities(
        stack.clients.tickets,
        tickets_internal_pb2_grpc.TicketInternalServiceStub(stack.clients.tickets_channel),
        stack.clients.auth, stack.settings.service_token.get_secret_value())
    loaded = await activities.load_policy(started.organization)
    assert started.policy == loaded
    assert started.policy.auto_accept_business_days == 7
    assert "load_policy" not in scheduled


async def test_a_ticket_started_without_a_policy_loads_it(stack):
    """Tickets started before the service passed the policy (and the reconciler's)."""
    world = await World.create(stack)
    ticket = await stack.new_ticket(world.org)
    handle = stack.temporal.get_workflow_handle(f"ticket-{ticket.number}")
    await handle.terminate("started again without a policy")
    await stack.temporal.start_workflow(
        "TicketWorkflow", TicketStarted(number=ticket.number, organization=ticket.organization,
                                        title=ticket.title),
        id=f"ticket-{ticket.number}", task_queue=stack.settings.task_queue)
    async with asyncio.timeout(10):
        while not (scheduled := (await started_with(stack, ticket.number))[1]):
            await asyncio.sleep(0.1)
    started, _ = await started_with(stack, ticket.number)
    assert started.policy is None
    # Its only activity task: the notices go to the outbox with the SLA record.
    assert scheduled == ["load_policy"]
