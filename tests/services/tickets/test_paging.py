"""Every List method pages with the one token scheme (services/common/server/paging.py):
tokens walk every row once and are bound to the caller, the method and its filters."""

from __future__ import annotations

import uuid

from tests.services.tickets.helpers import bad_reasons, internal
from tests.support.rpc import field_params, rpc_error
from tests.support.tickets import World
from ticketdesk.tickets.v1 import tickets_internal_pb2 as ipb
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket.rules import Status


async def walk(method, request, field: str, **kwargs) -> list:
    found, token = [], ""
    while True:
        request.page_token = token
        page = await method(request, **kwargs)
        found.extend(getattr(page, field))
        token = page.next_page_token
        if not token:
            return found


async def test_comments_and_history(stack):
    world = await World.create(stack)
    ticket = await world.ticket_in(Status.QUEUED)
    other = await world.ticket_in(Status.QUEUED)
    for n in range(3):
        await world.comment(ticket.name, "client", f"Комментарий {n}")
    tickets, who = stack.clients.tickets, {"metadata": world.people["client"]}
    comments = await walk(tickets.ListComments, pb.ListCommentsRequest(
        parent=ticket.name, page_size=1), "comments", **who)
    assert [c.body for c in comments] == [f"Комментарий {n}" for n in range(3)]
    first = await tickets.ListComments(pb.ListCommentsRequest(parent=ticket.name, page_size=1),
                                       **who)
    refused = [("page_token", "INVALID_PAGE_TOKEN")]
    assert await bad_reasons(tickets.ListComments(pb.ListCommentsRequest(
        parent=other.name, page_size=1, page_token=first.next_page_token), **who)) == refused
    assert await bad_reasons(tickets.ListTicketHistory(pb.ListTicketHistoryRequest(
        parent=ticket.name, page_size=1, page_token=first.next_page_token), **who)) == refused
    assert await bad_reasons(tickets.ListComments(pb.ListCommentsRequest(
        parent=ticket.name, page_size=1, page_token=first.next_page_token),
        metadata=world.people["developer"])) == refused
    history = await walk(tickets.ListTicketHistory, pb.ListTicketHistoryRequest(
        parent=ticket.name, page_size=1), "entries", **who)
    assert [e.field for e in history] == ["status"]
    error = await rpc_error(tickets.ListTicketHistory(pb.ListTicketHistoryRequest(
        parent=ticket.name, page_size=-1), **who))
    assert field_params(error, "page_size") == {"min": "0", "max": "100"}


async def test_notifications(stack):
    world = await World.create(stack)
    ticket = await world.ticket_in(Status.QUEUED)
    client = world.org.client_user.name
    for n in range(3):
        await internal(stack).DeliverNotifications(ipb.DeliverNotificationsRequest(
            event_id=uuid.uuid4().hex, ticket=ticket.name, kind="reminder",
            deliveries=[ipb.Delivery(recipient=client, title=f"Напоминание {n}")]),
            metadata=stack.service)
    tickets, who = stack.clients.tickets, {"metadata": world.people["client"]}
    mine = await walk(tickets.ListNotifications, pb.ListNotificationsRequest(page_size=2),
                      "notifications", **who)
    reminders = [n.title for n in mine if n.kind == "reminder"]
    assert reminders == [f"Напоминание {n}" for n in (2, 1, 0)]  # newest first
    first = await tickets.ListNotifications(pb.ListNotificationsRequest(page_size=1), **who)
    assert first.unread_count >= 3 and first.next_page_token
    assert await bad_reasons(tickets.ListNotifications(pb.ListNotificationsRequest(
        page_size=1, unread_only=True, page_token=first.next_page_token), **who)) == [
        ("page_token", "INVALID_PAGE_TOKEN")]
    marked = await tickets.MarkNotificationsRead(pb.MarkNotificationsReadRequest(
        ticket=ticket.name), **who)
    assert marked.marked >= 3
    unread = await tickets.ListNotifications(pb.ListNotificationsRequest(unread_only=True),
                                             **who)
    assert not any(n.ticket == ticket.name for n in unread.notifications)
    assert await bad_reasons(tickets.MarkNotificationsRead(pb.MarkNotificationsReadRequest(
        names=["a\x00"]), **who)) == [("names", "INVALID_CHARACTERS")]
    assert await bad_reasons(tickets.MarkNotificationsRead(pb.MarkNotificationsReadRequest(
        ticket="ticket/1"), **who)) == [("ticket", "MALFORMED")]
