"""UpdateTicket: the fields each role may change, each change in the history."""

from __future__ import annotations

from dataclasses import dataclass

import grpc
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.server.errors import ApiError, invalid, permission_denied
from services.common.server.principal import Principal
from services.tickets import convert, models, store
from services.tickets import validation as check
from services.tickets.directory import Directory
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket.messages import TicketChanged

STAFF_FIELDS = frozenset({"title", "description", "site", "contact", "desired_date",
                          "planned_date", "priority", "assignee", "estimate_hours"})
CLIENT_FIELDS = frozenset({"contact", "desired_date"})
# The mask may also name a field by its sub-field.
ALIASES = {"contact.user": "contact"}
# Fields whose history shows another value than the column's.
CONTACT_COLUMNS = {"user": "contact_user", "full_name": "contact_name",
                   "email": "contact_email", "phone": "contact_phone"}


@dataclass
class Update:
    session: AsyncSession
    principal: Principal
    row: models.Ticket
    ticket: pb.Ticket
    directory: Directory
    timezone: str


async def apply_update(update: Update, request: pb.UpdateTicketRequest) -> TicketChanged | None:
    """Apply the masked fields; returns what the workflow must hear about."""
    paths = mask(update.principal, request.update_mask.paths)
    row = update.row
    if request.ticket.etag and request.ticket.etag != f'W/"{row.version}"':
        raise ApiError(grpc.StatusCode.ABORTED, "ETAG_MISMATCH",
                       "the ticket changed meanwhile; reload it")
    values = {path: await PARSERS[path](update) for path in sorted(paths)}
    moment = store.now()
    changed = [path for path, value in values.items() if assign(update, path, value, moment)]
    if changed:
        row.update_time, row.version = moment, row.version + 1
    # Also when unchanged: a retry must reach the workflow the first call may have missed
    # (Temporal unavailable after the commit); the workflow takes the same values again.
    if {"priority", "assignee"} & paths:
        return TicketChanged(priority=row.priority, assignee=row.assignee)
    return None


def mask(principal: Principal, paths) -> set[str]:
    named = {ALIASES.get(path, path) for path in paths}
    if not named:
        raise invalid([("update_mask", "name the fields to change")])
    if unknown := sorted(named - STAFF_FIELDS):
        raise invalid([("update_mask", f"{', '.join(unknown)} cannot be changed")])
    allowed = STAFF_FIELDS if principal.is_staff else CLIENT_FIELDS
    if forbidden := sorted(named - allowed):
        raise permission_denied(f"only the studio may change {', '.join(forbidden)}")
    return named


def assign(update: Update, path: str, value, moment) -> bool:
    """Set one field; write its history row when it changes."""
    row = update.row
    if path == "contact":
        old, new = row.contact_user, value.get("user", "")
        for key, column in CONTACT_COLUMNS.items():
            setattr(row, column, value.get(key, ""))
    else:
        column = "site_id" if path == "site" else path
        old, new = getattr(row, column), value
        setattr(row, column, value)
    if old == new:
        return False
    update.session.add(store.history_row(
        row.number, update.principal.subject, update.principal.display_name, path,
        shown(path, old, row), shown(path, new, row), moment))
    return True


def shown(path: str, value, row: models.Ticket) -> str:
    if value is None or value == "":
        return ""
    if path == "site":
        return f"{row.organization}/sites/{value}"
    return str(value)


async def _title(u: Update):
    return check.text(u.ticket.title, "ticket.title", check.MAX_TITLE)


async def _description(u: Update):
    return check.text(u.ticket.description, "ticket.description", check.MAX_DESCRIPTION)


async def _site(u: Update):
    organization, site = (check.site_id(u.ticket.site, "ticket.site") if u.ticket.site
                          else (u.row.organization, ""))
    if organization != u.row.organization:
        raise invalid([("ticket.site", "is not a site of the ticket's organization")])
    return await store.choose_site(u.session, organization, site)


async def _contact(u: Update):
    user = check.user(u.ticket.contact.user, "ticket.contact.user")
    if not user:
        raise invalid([("ticket.contact.user", "is required")])
    return await u.directory.contact(user, u.row.organization, u.principal)


async def _desired_date(u: Update):
    return check.not_before_today(check.parse_date(u.ticket.desired_date, "ticket.desired_date"),
                                  "ticket.desired_date", u.timezone)


async def _planned_date(u: Update):
    return check.parse_date(u.ticket.planned_date, "ticket.planned_date")


async def _priority(u: Update):
    return priority(u.ticket.priority, default=None)


async def _assignee(u: Update):
    assignee = check.user(u.ticket.assignee, "ticket.assignee")
    if assignee:
        await u.directory.require_staff(assignee)
    return assignee


async def _estimate(u: Update):
    value = u.ticket.estimate_hours
    if not 0 <= value <= 10_000:  # also rejects NaN
        raise invalid([("ticket.estimate_hours", "must be between 0 and 10000 hours")])
    return value


PARSERS = {"title": _title, "description": _description, "site": _site,
           "contact": _contact, "desired_date": _desired_date,
           "planned_date": _planned_date, "priority": _priority, "assignee": _assignee,
           "estimate_hours": _estimate}


def priority(value: int, default: str | None = "normal") -> str:
    """A priority of the request: unspecified is `default` (None: required)."""
    if value == pb.PRIORITY_UNSPECIFIED and default:
        return default
    if value not in convert.PRIORITY_FROM_PROTO:
        raise invalid([("ticket.priority", "must be low, normal, high or critical")])
    return convert.PRIORITY_FROM_PROTO[value]
