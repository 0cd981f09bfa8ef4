"""UpdateTicket: the fields each role may change, each change in the history."""

from __future__ import annotations

import grpc
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import ApiError, invalid
from services.common.principal import Principal
from services.tickets import convert, models, store
from services.tickets import validation as check
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket.messages import TicketChanged

STAFF_FIELDS = frozenset({"title", "description", "desired_date", "planned_date", "priority",
                          "assignee", "estimate_hours"})
CLIENT_FIELDS = frozenset({"desired_date"})


async def apply_update(session: AsyncSession, principal: Principal, row: models.Ticket,
                       request: pb.UpdateTicketRequest, timezone: str) -> TicketChanged | None:
    """Apply the masked fields; returns what the workflow must hear about."""
    allowed = STAFF_FIELDS if principal.is_staff else CLIENT_FIELDS
    paths = set(request.update_mask.paths)
    if not paths:
        raise invalid([("update_mask", "name the fields to change")])
    if forbidden := sorted(paths - allowed):
        raise invalid([("update_mask", f"{', '.join(forbidden)} cannot be changed by you")])
    if request.ticket.etag and request.ticket.etag != f'W/"{row.version}"':
        raise ApiError(grpc.StatusCode.ABORTED, "ETAG_MISMATCH",
                       "the ticket changed meanwhile; reload it")
    values = new_values(request.ticket, paths, timezone)
    moment = store.now()
    for field, value in values.items():
        old = getattr(row, field)
        if old != value:
            session.add(store.history_row(row.number, principal.subject, principal.display_name,
                                          field, "" if old is None else str(old),
                                          "" if value is None else str(value), moment))
            setattr(row, field, value)
    row.update_time, row.version = moment, row.version + 1
    if {"priority", "assignee"} & paths:
        return TicketChanged(priority=row.priority, assignee=row.assignee)
    return None


def new_values(ticket: pb.Ticket, paths: set[str], timezone: str) -> dict[str, object]:
    parsers = {
        "title": lambda: check.text(ticket.title, "ticket.title", check.MAX_TITLE),
        "description": lambda: check.text(ticket.description, "ticket.description",
                                          check.MAX_DESCRIPTION),
        "desired_date": lambda: check.not_before_today(
            check.parse_date(ticket.desired_date, "ticket.desired_date"),
            "ticket.desired_date", timezone),
        "planned_date": lambda: check.parse_date(ticket.planned_date, "ticket.planned_date"),
        "priority": lambda: priority(ticket.priority),
        "assignee": lambda: assignee(ticket.assignee),
        "estimate_hours": lambda: estimate(ticket.estimate_hours),
    }
    return {path: parsers[path]() for path in sorted(paths)}


def priority(value: int) -> str:
    if value not in convert.PRIORITY_FROM_PROTO:
        raise invalid([("ticket.priority", "must be low, normal, high or critical")])
    return convert.PRIORITY_FROM_PROTO[value]


def assignee(value: str) -> str:
    if value and not (value.startswith("users/") and len(value) <= 64):
        raise invalid([("ticket.assignee", "must look like users/{user}")])
    return value


def estimate(value: float) -> float:
    if not 0 <= value <= 10_000:
        raise invalid([("ticket.estimate_hours", "must be between 0 and 10000 hours")])
    return value
