"""Shortcuts for the ticket store's tests; everything goes through the gRPC APIs."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import grpc
from google.protobuf.field_mask_pb2 import FieldMask

from tests.support.rpc import field_reasons, rpc_error, violations
from ticketdesk.tickets.v1 import tickets_internal_pb2_grpc
from ticketdesk.tickets.v1 import tickets_pb2 as pb

STUDIO_ZONE = "Europe/Moscow"  # the stack's TICKETDESK_TIMEZONE: the studio's by default


def today(zone: str = STUDIO_ZONE) -> date:
    return datetime.now(ZoneInfo(zone)).date()


def in_days(days: int) -> str:
    return (today() + timedelta(days=days)).isoformat()


def internal(stack) -> tickets_internal_pb2_grpc.TicketInternalServiceStub:
    """TicketInternalService, on the tickets service's own port."""
    return tickets_internal_pb2_grpc.TicketInternalServiceStub(stack.clients.tickets_channel)


async def bad_fields(call) -> list[str]:
    """The fields an INVALID_ARGUMENT names."""
    error = await rpc_error(call, grpc.StatusCode.INVALID_ARGUMENT)
    return [field for field, _ in violations(error)]


async def bad_reasons(call) -> list[tuple[str, str]]:
    """(field, FieldReason) of each violation of an INVALID_ARGUMENT."""
    return field_reasons(await rpc_error(call, grpc.StatusCode.INVALID_ARGUMENT))


async def move(stack, developer, ticket: pb.Ticket, *actions: int, **fields) -> pb.Ticket:
    """Apply status-table actions as a developer (the workflow records them)."""
    for action in actions:
        ticket = await stack.clients.tickets.TransitionTicket(pb.TransitionTicketRequest(
            name=ticket.name, action=action, text="Текст действия", **fields),
            metadata=developer)
    return ticket


async def update(stack, caller, ticket: pb.Ticket, **fields) -> pb.Ticket:
    return await stack.clients.tickets.UpdateTicket(pb.UpdateTicketRequest(
        ticket=pb.Ticket(name=ticket.name, **fields), update_mask=FieldMask(paths=list(fields))),
        metadata=caller)


async def listed(stack, caller, **request) -> pb.ListTicketsResponse:
    return await stack.clients.tickets.ListTickets(pb.ListTicketsRequest(**request),
                                                   metadata=caller)


async def all_pages(stack, caller, **request) -> list[pb.Ticket]:
    tickets, token = [], ""
    while True:
        page = await listed(stack, caller, page_token=token, **request)
        tickets.extend(page.tickets)
        token = page.next_page_token
        if not token:
            return tickets
