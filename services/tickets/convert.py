"""Between the store's rows and the protos; domain enums ↔ proto enums."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from services.common.server.principal import Principal
from services.tickets import models
from services.tickets.store import events, outbox
from ticketdesk.tickets.v1 import tickets_internal_pb2 as internal
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
# What the rules call an action's required text.
TEXT_KINDS = {"question": pb.TEXT_KIND_QUESTION, "summary": pb.TEXT_KIND_SUMMARY,
              "reason": pb.TEXT_KIND_REASON}
# The ticket waits for the client: its SLA clock stands.
WAITING = {Status.NEEDS_INFO, Status.AWAITING_ACCEPTANCE}
Sla = pb.Sla
# StudioSettings' fields: the calendar's, plain numbers, hours by priority.
CALENDAR_FIELDS = ("timezone", "weekdays", "opens", "closes", "holidays", "workdays")
NUMBER_FIELDS = ("reminder_business_days", "sla_warning_fraction")
HOURS_FIELDS = ("first_response_hours", "resolution_hours")
SETTINGS_FIELDS = CALENDAR_FIELDS + NUMBER_FIELDS + HOURS_FIELDS


def timestamp(moment: datetime | None) -> Timestamp:
    stamp = Timestamp()
    if moment is not None:
        stamp.FromDatetime(aware(moment))
    return stamp


def aware(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes; every time stored is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def ticket_name(number: int) -> str:
    return f"tickets/{number}"


def site_name(site: models.Site) -> str:
    return f"{site.organization}/sites/{site.id}"


def ticket(row: models.Ticket, site: models.Site | None, viewer: Principal,
           now: datetime | None = None) -> pb.Ticket:
    status = Status(row.status)
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
        update_time=timestamp(row.update_time), etag=etag(row), status_note=row.status_note,
        allowed_actions=allowed_actions(status, viewer.role.value),
        time_spent_minutes=row.time_spent_minutes,
        # The SLA clock is the studio's: a client learns nothing of it.
        sla=sla(row, now or datetime.now(UTC)) if viewer.is_staff else None)


def etag(row: models.Ticket) -> str:
    return f'W/"{row.version}"'


def allowed_actions(status: Status, role: str) -> list[pb.AllowedAction]:
    """What `role` may do in `status`, and the input each action takes, by the rules."""
    return [pb.AllowedAction(
        action=ACTION_TO_PROTO[action],
        text_kind=TEXT_KINDS.get(rules.TABLE[action].requires, pb.TEXT_KIND_UNSPECIFIED),
        text_required=bool(rules.TABLE[action].requires),
        takes_rating=action is Action.ACCEPT,
        target_statuses=[STATUS_TO_PROTO[s] for s in rules.targets(action)])
        for action in rules.allowed_actions(status, role)]


def sla(row: models.Ticket, now: datetime) -> pb.Sla:
    """The SLA clock as the workflow last recorded it, seen at `now`."""
    status = Status(row.status)
    due = aware(row.sla_due_time) if row.sla_due_time else None
    running = status.is_open and status not in WAITING
    if row.sla_breached or (running and due is not None and due <= now):
        return Sla(state=Sla.STATE_BREACHED, due_time=timestamp(due) if due else None)
    if not status.is_open:
        return Sla(state=Sla.STATE_STOPPED)
    if not running or due is None:
        return Sla(state=Sla.STATE_PAUSED)
    return Sla(state=Sla.STATE_RUNNING, due_time=timestamp(due))


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


def time_entry(row: models.TimeEntry) -> pb.TimeEntry:
    return pb.TimeEntry(
        name=f"{ticket_name(row.ticket_number)}/timeEntries/{row.id}", author=row.author,
        author_display_name=row.author_display_name, minutes=row.minutes,
        work_date=row.work_date.isoformat(), note=row.note, organization=row.organization,
        create_time=timestamp(row.create_time), update_time=timestamp(row.update_time))


def time_summary(row: dict, group_by: str) -> pb.TimeSummaryRow:
    by_ticket = group_by == "ticket"
    key = ticket_name(row["key"]) if by_ticket else str(row["key"])
    name = {"author": row["author_name"], "ticket": row["title"]}.get(group_by, "")
    return pb.TimeSummaryRow(
        # PostgreSQL sums sums as numeric (Decimal).
        key=key, display_name=name, minutes=int(row["minutes"]), entries=int(row["entries"]),
        tickets=int(row["tickets"]), estimate_hours=float(row["estimate_hours"] or 0.0),
        organization=row["organization"] if by_ticket else "",
        status=STATUS_TO_PROTO[Status(row["status"])] if by_ticket else pb.STATUS_UNSPECIFIED)


def history(row: models.HistoryEntry) -> pb.HistoryEntry:
    return pb.HistoryEntry(
        name=f"{ticket_name(row.ticket_number)}/history/{row.id}", actor=row.actor,
        actor_display_name=row.actor_display_name, field=row.field, old_value=row.old_value,
        new_value=row.new_value, create_time=timestamp(row.create_time))


def site(row: models.Site) -> pb.Site:
    return pb.Site(name=site_name(row), url=row.url, display_name=row.display_name,
                   active=row.active)


def notification(row: models.Notification) -> pb.Notification:
    return pb.Notification(
        name=f"{row.recipient}/notifications/{row.id}",
        ticket=ticket_name(row.ticket_number), kind=row.kind, title=row.title,
        read=row.read, create_time=timestamp(row.create_time))


def status_counts(counts: dict[str, int]) -> list[pb.StatusCount]:
    return [pb.StatusCount(status=STATUS_TO_PROTO[Status(s)], count=n)
            for s, n in sorted(counts.items())]


def studio_settings(data: dict, update_time: datetime | None) -> pb.StudioSettings:
    calendar = data["calendar"]
    return pb.StudioSettings(
        name="studioSettings", **{f: calendar[f] for f in CALENDAR_FIELDS},
        **{f: data[f] for f in NUMBER_FIELDS + HOURS_FIELDS},
        update_time=timestamp(update_time))


def notice(found: outbox.Notice) -> internal.Notice:
    return internal.Notice(event_id=found.event_id, ticket=ticket_name(found.number),
                           kind=found.kind, **found.details)


# The client's move that accepts the work: its event carries the rating given.
ACCEPTING = (Status.AWAITING_ACCEPTANCE.value, Status.DONE.value)
SLA_EVENTS = ("sla_warning", "sla_breach")


def event(row: events.Event, cursor: str) -> pb.TicketEvent:
    details = row.details
    moved = (details.get("from_status", ""), details.get("to_status", ""))
    accepting = row.kind == "status_changed" and moved == ACCEPTING
    return pb.TicketEvent(
        event_id=row.event_id, ticket=ticket_name(row.number), kind=row.kind,
        create_time=timestamp(row.create_time), actor=details.get("actor", ""),
        actor_display_name=details.get("actor_display_name", ""),
        from_status=_status(moved[0]), to_status=_status(moved[1]),
        comment=details.get("comment", ""),
        sla_target=details.get("text", "") if row.kind in SLA_EVENTS else "",
        rating=row.rating if accepting else 0, cursor=cursor)


def _status(value: str) -> int:
    return STATUS_TO_PROTO[Status(value)] if value else pb.STATUS_UNSPECIFIED


def webhook(row: models.Webhook) -> pb.Webhook:
    return pb.Webhook(
        name=f"webhooks/{row.id}", organization=row.organization, url=row.url,
        display_name=row.display_name, event_kinds=json.loads(row.event_kinds),
        enabled=row.enabled, disabled_reason=row.disabled_reason,
        create_time=timestamp(row.create_time), update_time=timestamp(row.update_time))


def webhook_delivery(row: models.WebhookDelivery,
                     found: events.Event | None) -> pb.WebhookDelivery:
    return pb.WebhookDelivery(
        name=f"webhooks/{row.webhook_id}/deliveries/{row.id}",
        event_id=found.event_id if found else "",
        ticket=ticket_name(found.number) if found else "", kind=found.kind if found else "",
        attempts=row.attempts, response_code=row.response_code, error=row.error,
        delivered=row.delivered, create_time=timestamp(row.create_time),
        update_time=timestamp(row.update_time))


INBOUND_STATES = {"applied": pb.InboundEmail.STATE_APPLIED,
                  "duplicate": pb.InboundEmail.STATE_DUPLICATE,
                  "ignored": pb.InboundEmail.STATE_IGNORED,
                  "rejected": pb.InboundEmail.STATE_REJECTED}


def inbound_email(row: models.InboundEmail) -> pb.InboundEmail:
    return pb.InboundEmail(
        name=f"inboundEmails/{row.id}", message_id=row.message_id,
        state=INBOUND_STATES[row.state], reason=row.reason, sender=row.sender,
        subject=row.subject,
        ticket=ticket_name(row.ticket_number) if row.ticket_number else "",
        create_time=timestamp(row.create_time))
