"""UpdateTicket: the fields each role may change, each change in the history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import grpc
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.server.errors import ApiError, bad_field, permission_denied
from services.common.server.principal import Principal
from services.tickets import convert, models
from services.tickets import validation as check
from services.tickets.gateways.directory import Directory
from services.tickets.store import tickets as store
from ticketdesk.errors.v1 import errors_pb2 as reasons
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket.messages import TicketChanged

STAFF_FIELDS = frozenset({"title", "description", "site", "contact", "desired_date",
                          "planned_date", "priority", "assignee", "estimate_hours"})
CLIENT_FIELDS = frozenset({"contact", "desired_date"})
# A ticket that came without a site (a client's e-mail that named none of several) asks
# its client for one: the client may set it, once.
SITE_LATER = frozenset({"site"})
# The mask may also name a field by its sub-field.
ALIASES = {"contact.user": "contact"}
CONTACT_COLUMNS = {"user": "contact_user", "full_name": "contact_name",
                   "email": "contact_email", "phone": "contact_phone"}


@dataclass
class Update:
    session: AsyncSession
    principal: Principal
    row: models.Ticket
    ticket: pb.Ticket
    directory: Directory
    today: date  # the studio's


async def apply_update(update: Update, request: pb.UpdateTicketRequest) -> TicketChanged | None:
    """Apply the masked fields; returns what the workflow must hear about."""
    row = update.row
    paths = mask(update.principal, request.update_mask.paths, site_missing=not row.site_id)
    if request.ticket.etag and request.ticket.etag != convert.etag(row):
        raise ApiError(grpc.StatusCode.ABORTED, reasons.ETAG_MISMATCH,
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


def mask(principal: Principal, paths, site_missing: bool = False) -> set[str]:
    named = check.update_mask({ALIASES.get(path, path) for path in paths}, STAFF_FIELDS)
    allowed = (STAFF_FIELDS if principal.is_staff
               else CLIENT_FIELDS | SITE_LATER if site_missing else CLIENT_FIELDS)
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
    update.session.add(store.history_row(row.number, update.principal, path,
                                         shown(path, old, row), shown(path, new, row), moment))
    return True


def shown(path: str, value, row: models.Ticket) -> str:
    """A value as the history shows it (a site by its name)."""
    if value is None or value == "":
        return ""
    if path == "site":
        return f"{row.organization}/sites/{value}"
    return str(value)


async def choose_site(session: AsyncSession, organization: str, site_id: str,
                      field: str = "ticket.site", required: bool = True) -> str | None:
    """The ticket's site: the one given, or the organization's only site; with several
    and none given, REQUIRED (None when not `required`: the ticket asks later)."""
    sites = await store.active_site_ids(session, organization)
    if site_id and site_id not in sites:
        raise bad_field(field, reasons.NOT_ORGANIZATION_SITE,
                        "is not a site of the ticket's organization")
    if not site_id and len(sites) > 1:
        if not required:
            return None
        raise bad_field(field, reasons.REQUIRED, "choose one of the organization's sites")
    return site_id or (sites[0] if sites else None)


async def _title(u: Update):
    return check.text(u.ticket.title, "ticket.title", check.MAX_TITLE)


async def _description(u: Update):
    return check.text(u.ticket.description, "ticket.description", check.MAX_DESCRIPTION)


async def _site(u: Update):
    organization, site = (check.site_id(u.ticket.site, "ticket.site") if u.ticket.site
                          else (u.row.organization, ""))
    if organization != u.row.organization:
        raise bad_field("ticket.site", reasons.NOT_ORGANIZATION_SITE,
                        "is not a site of the ticket's organization")
    return await choose_site(u.session, organization, site)


async def _contact(u: Update):
    user = check.user(u.ticket.contact.user, "ticket.contact.user")
    if not user:
        raise bad_field("ticket.contact.user", reasons.REQUIRED, "is required")
    return await u.directory.contact(user, u.row.organization, u.principal)


async def _desired_date(u: Update):
    return check.desired_date(u.ticket.desired_date, "ticket.desired_date", u.today)


async def _planned_date(u: Update):
    return check.parse_date(u.ticket.planned_date, "ticket.planned_date")


async def _priority(u: Update):
    return check.priority(u.ticket.priority, "ticket.priority", default=None)


async def _assignee(u: Update):
    assignee = check.user(u.ticket.assignee, "ticket.assignee")
    if assignee:
        await u.directory.require_staff(assignee)
    return assignee


async def _estimate(u: Update):
    return check.in_range(u.ticket.estimate_hours, "ticket.estimate_hours", 0,
                          check.MAX_ESTIMATE_HOURS)


PARSERS = {"title": _title, "description": _description, "site": _site,
           "contact": _contact, "desired_date": _desired_date,
           "planned_date": _planned_date, "priority": _priority, "assignee": _assignee,
           "estimate_hours": _estimate}
