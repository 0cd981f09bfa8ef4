"""The walking skeleton through the gRPC APIs: a client files a ticket, its
workflow starts, a developer starts work, the client sees the new status."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from services.common.client.errors import error_details
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket.workflows import STATUS


async def test_client_files_ticket_and_developer_starts_work(stack):
    org = await stack.new_organization(sites=2)
    developer = await stack.staff("developer")

    ticket = await stack.new_ticket(org, title="Не работает форма обратной связи",
                                    description="На странице https://example.test/contacts",
                                    site=org.sites[1], priority=pb.PRIORITY_HIGH)
    assert ticket.name == f"tickets/{ticket.number}"
    assert ticket.status == pb.STATUS_QUEUED
    assert ticket.site == org.sites[1]
    assert ticket.contact.email == org.email

    handle = stack.temporal.get_workflow_handle(f"ticket-{ticket.number}")
    description = await handle.describe()
    assert description.workflow_type == "TicketWorkflow"
    assert description.typed_search_attributes.get(STATUS) == "queued"

    listed = await stack.clients.tickets.ListTickets(pb.ListTicketsRequest(), metadata=org.client)
    assert [(t.name, t.status) for t in listed.tickets] == [(ticket.name, pb.STATUS_QUEUED)]

    moved = await stack.clients.tickets.TransitionTicket(pb.TransitionTicketRequest(
        name=ticket.name, action=pb.ACTION_START_WORK, request_id="start-1"), metadata=developer)
    assert moved.status == pb.STATUS_IN_PROGRESS

    seen = await stack.clients.tickets.GetTicket(pb.GetTicketRequest(name=ticket.name),
                                                 metadata=org.client)
    assert seen.status == pb.STATUS_IN_PROGRESS
    assert (await handle.describe()).typed_search_attributes.get(STATUS) == "in_progress"
    await until_visible(stack, f'WorkflowId = "{handle.id}" AND TicketStatus = "in_progress"')


async def test_rejected_transition_changes_nothing(stack):
    org = await stack.new_organization()
    ticket = await stack.new_ticket(org)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stack.clients.tickets.TransitionTicket(pb.TransitionTicketRequest(
            name=ticket.name, action=pb.ACTION_START_WORK), metadata=org.client)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert error_details(caught.value)[0] == "ROLE_NOT_ALLOWED"
    again = await stack.clients.tickets.GetTicket(pb.GetTicketRequest(name=ticket.name),
                                                  metadata=org.client)
    assert again.status == pb.STATUS_QUEUED
    assert again.etag == ticket.etag


async def test_foreign_ticket_looks_missing(stack):
    mine, theirs = await stack.new_organization(), await stack.new_organization()
    ticket = await stack.new_ticket(theirs)
    codes = []
    for name in (ticket.name, "tickets/999999999"):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stack.clients.tickets.GetTicket(pb.GetTicketRequest(name=name),
                                                  metadata=mine.client)
        codes.append((caught.value.code(), error_details(caught.value)[0]))
    assert codes == [(grpc.StatusCode.NOT_FOUND, "NOT_FOUND")] * 2
    listed = await stack.clients.tickets.ListTickets(pb.ListTicketsRequest(query=str(ticket.number)),
                                                     metadata=mine.client)
    assert list(listed.tickets) == []


async def until_visible(stack, query: str, timeout: float = 15.0) -> None:
    """Temporal's visibility store is eventually consistent: poll it."""
    async with asyncio.timeout(timeout):
        while True:
            if [w async for w in stack.temporal.list_workflows(query)]:
                return
            await asyncio.sleep(0.2)
