"""Between the store's rows and the protos; domain enums ↔ proto enums."""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from services.common.server.principal import Principal
from services.tickets import models
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket import rules
from workflows.ticket.rules import Action, Status

PRIORITIES = models.PRIORITIES
STATUS_TO_PROTO = {s: pb.Status.Value(f"STATUS_{s.name}") for s in Status}
STATUS_FROM_PROTO = {v: s for s, v in STATUS_TO_PROTO.items()}
ACTION_TO_PROTO = {a: pb.Action.Value(f"ACTION_{a.name}") for a in Action}
ACTION_FROM_PROTO = {v: a for a, v in ACTION_TO_PROTO.items()}
PRIORITY_TO_PROTO = {p: pb.Priority.Value(f"PRIORITY_{p.upper()}") for p in PRIORITIES}
PRIORITY_FROM_PROTO = {v: p for p, v in PRIORITY_TO_PROTO.items()}
# Comment-driven actions are not buttons.
HIDDEN_ACTIONS = {Action.ANSWER}


def timestamp(moment: datetime | None) -> Timestamp:
    stamp = Timestamp()
    if moment is not None:
        stamp.FromDatetime(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    return stamp


def ticket_name(number: int) -> str:
    return f"tickets/{number}"


def site_name(site: models.Site) -> str:
    return f"{site.organization}/sites/{site.id}"


def ticket(row: models.Ticket, site: models.Site | None, viewer: Principal) -> pb.Ticket:
    status = Status(row.status)
    role = viewer.role.value
    return pb.Ticket(
        name=ticket_name(row.number), number=row.number, organization=row.organization,
        site=site_name(site) if site else "", site_url=site.url if site else "",
        title=row.title, description=row.description,
        contact=pb.Contact(user=row.contact_user, full_name=row.contact_name,
                           email=row.contact_email, phone=row.contact_phone),
        desired_date=row.desired_date.isoformat() if row.desired_date else "",
        planned_date=row.planned_date.isoformat() if row.planned_date else "",
        priority=PRIORITY_TO_PROTO[row.priority], status=STATUS_TO_PROTO[status],
        assignee=row.assignee, estimate_hours=row.estimate_hours, has_remarks=row.has_remarks,
        rating=row.rating, creator=row.creator, create_time=timestamp(row.create_time),
        update_time=timestamp(row.update_time), etag=f'W/"{row.version}"',
        status_note=row.status_note, sla_breached=row.sla_breached and viewer.is_staff,
        sla_due_time=timestamp(row.sla_due_time) if row.sla_due_time and viewer.is_staff else None,
        allowed_actions=[ACTION_TO_PROTO[a] for a in rules.allowed_actions(status, role)
                         if a not in HIDDEN_ACTIONS])


def comment_name(row: models.Comment) -> str:
    return f"{ticket_name(row.ticket_number)}/comments/{row.id}"


def comment(row: models.Comment, attachments: list[str] | None = None) -> pb.Comment:
    return pb.Comment(
        name=comment_name(row), author=row.author, attachments=attachments or [],
        author_display_name=row.author_display_name, author_role=row.author_role,
        body=row.body,
        visibility=pb.VISIBILITY_INTERNAL if row.internal else pb.VISIBILITY_PUBLIC,
        create_time=timestamp(row.create_time),
        action=ACTION_TO_PROTO[Action(row.action)] if row.action else pb.ACTION_UNSPECIFIED)


def history(row: models.HistoryEntry) -> pb.HistoryEntry:
    return pb.HistoryEntry(
        name=f"{ticket_name(row.ticket_number)}/history/{row.id}", actor=row.actor,
        actor_display_name=row.actor_display_name, field=row.field, old_value=row.old_value,
        new_value=row.new_value, create_time=timestamp(row.create_time))


def site(row: models.Site) -> pb.Site:
    return pb.Site(name=site_name(row), url=row.url, display_name=row.display_name,
                   active=row.active)
