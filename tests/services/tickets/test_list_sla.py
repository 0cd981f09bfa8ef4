"""ListTickets for the staff queue: ordered by SLA due time (paused clocks last) and
filtered to breached tickets; neither tells a client anything about the SLA clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from google.protobuf.timestamp_pb2 import Timestamp

from tests.services.tickets.helpers import all_pages, internal, listed, move
from ticketdesk.tickets.v1 import tickets_internal_pb2 as internal_pb
from ticketdesk.tickets.v1 import tickets_pb2 as pb

P = pb


def names(tickets) -> list[str]:
    return [t.name for t in tickets]


def due(ticket: pb.Ticket) -> int | None:
    return ticket.sla.due_time.ToNanoseconds() if ticket.sla.HasField("due_time") else None


async def staff_view(stack, developer, name: str) -> pb.Ticket:
    return await stack.clients.tickets.GetTicket(pb.GetTicketRequest(name=name),
                                                 metadata=developer)


async def sla_queue(stack):
    """Four tickets whose workflows run the SLA clock, one of them paused (needs_info)."""
    org = await stack.new_organization()
    developer = await stack.staff("developer")
    made = {}
    for key, priority in [("low", P.PRIORITY_LOW), ("critical", P.PRIORITY_CRITICAL),
                          ("normal", P.PRIORITY_NORMAL), ("paused", P.PRIORITY_HIGH)]:
        made[key] = await stack.new_ticket(org, title=f"SLA {key}", priority=priority)
    # The workflows record their due times in the background.
    async with asyncio.timeout(30):
        for ticket in made.values():
            while due(await staff_view(stack, developer, ticket.name)) is None:
                await asyncio.sleep(0.1)
        made["paused"] = await move(stack, developer, made["paused"],
                                    P.ACTION_ASK_CLARIFICATION)
        while due(await staff_view(stack, developer, made["paused"].name)) is not None:
            await asyncio.sleep(0.1)
    return org, developer, made


async def test_staff_queue_orders_by_sla_due_time_paused_last(stack):
    org, developer, made = await sla_queue(stack)
    answer = await listed(stack, developer, organization=org.name, order_by="sla_due_time")
    shown = list(answer.tickets)
    # The nearest deadline first; a paused clock (no due time) last; then by number.
    expected = sorted(shown, key=lambda t: (due(t) is None, due(t) or 0, t.number))
    assert names(shown) == names(expected)
    assert shown[-1].name == made["paused"].name
    # Critical has the shortest target of the same moment: it comes first.
    assert shown[0].name == made["critical"].name
    assert names(shown).index(made["normal"].name) < names(shown).index(made["low"].name)
    # Paging walks the same order.
    walked = await all_pages(stack, developer, organization=org.name, order_by="sla_due_time",
                             page_size=2)
    assert names(walked) == names(shown)
    spelled = await listed(stack, developer, organization=org.name, order_by="SLA_DUE_TIME asc")
    assert names(spelled.tickets) == names(shown)


async def test_breached_only_for_staff(stack):
    org, developer, made = await sla_queue(stack)
    past = Timestamp()
    past.FromDatetime(datetime.now(UTC) - timedelta(minutes=5))
    await internal(stack).RecordSlaEvent(internal_pb.RecordSlaEventRequest(
        name=made["low"].name, sla_due_time=past, breached_goal="first_response"),
        metadata=stack.service)

    breached = await listed(stack, developer, organization=org.name, sla_breached_only=True)
    assert names(breached.tickets) == [made["low"].name]
    assert breached.total_size == 1
    assert breached.tickets[0].sla.state == pb.Sla.STATE_BREACHED
    everything = await listed(stack, developer, organization=org.name)
    assert everything.total_size == 4

    # A client learns nothing of the SLA clock: the flag is ignored, the order is the default.
    for_client = await listed(stack, org.client, sla_breached_only=True)
    assert for_client.total_size == 4
    assert not any(t.HasField("sla") for t in for_client.tickets)
    default = await listed(stack, org.client)
    by_sla = await listed(stack, org.client, order_by="sla_due_time")
    assert names(by_sla.tickets) == names(default.tickets)
