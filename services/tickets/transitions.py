"""Recording a transition the ticket's workflow accepted: status, history, comment."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.server.errors import invalid, not_found
from services.common.server.principal import Principal, Role
from services.tickets import convert, models, store
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket.rules import Action, Status

# The text of these actions stays on the card while the ticket waits for the client.
NOTE_STATUSES = {Status.NEEDS_INFO, Status.AWAITING_ACCEPTANCE}
ROLES = {role.value for role in Role}


async def record_transition(session: AsyncSession, number: int,
                            request: pb.RecordTransitionRequest) -> models.Ticket:
    """Idempotent by request_id: a retried activity changes nothing the second time."""
    row = (await session.execute(select(models.Ticket).where(models.Ticket.number == number)
                                 .with_for_update())).scalar_one_or_none()
    if row is None:
        raise not_found(f"tickets/{number}")
    if request.request_id and await store.already_applied(session, request.request_id):
        return row
    actor = acting(request)
    moment = store.now()
    new_status = convert.STATUS_FROM_PROTO.get(request.to_status)
    if new_status is None:
        raise invalid([("to_status", "must be a known status")])
    action = convert.ACTION_FROM_PROTO.get(request.action)

    def changed(field: str, old: object, new: object) -> None:
        session.add(store.history_row(number, actor.subject, actor.display_name, field,
                                      str(old), str(new), moment))

    if row.status != new_status.value:
        changed("status", row.status, new_status.value)
        row.status = new_status.value
        row.status_note = request.text if new_status in NOTE_STATUSES else ""
    if row.has_remarks != request.has_remarks:
        changed("has_remarks", row.has_remarks, request.has_remarks)
        row.has_remarks = request.has_remarks
    if action is Action.ACCEPT and request.rating:
        changed("rating", row.rating, request.rating)
        row.rating = request.rating
    if request.text:
        await store.add_comment(session, actor, row, request.text, internal=False,
                                request_id=f"transition:{request.request_id}",
                                action=action.value if action else "")
    row.sla_due_time = due_time(request.sla_due_time)
    row.update_time = moment
    row.version += 1
    if request.request_id:
        await store.mark_applied(session, request.request_id, number)
    return row


async def record_sla_event(session: AsyncSession, number: int,
                           request: pb.RecordSlaEventRequest) -> models.Ticket:
    """The workflow's SLA clock: the next due time, and a missed target once."""
    row = await session.get(models.Ticket, number)
    if row is None:
        raise not_found(f"tickets/{number}")
    row.sla_due_time = due_time(request.sla_due_time)
    if request.breached_goal and not row.sla_breached:
        session.add(store.history_row(number, "", "TicketDesk", "sla_breached", "",
                                      request.breached_goal, store.now()))
        row.sla_breached = True
    return row


def due_time(stamp) -> datetime | None:
    if not (stamp.seconds or stamp.nanos):
        return None
    try:
        return stamp.ToDatetime(tzinfo=UTC)
    except ValueError:  # seconds or nanos out of Timestamp's range
        raise invalid([("sla_due_time", "must be a valid time")]) from None


def acting(request: pb.RecordTransitionRequest) -> Principal:
    # The workflow's own timers act as `system`: TicketDesk itself.
    role = Role(request.actor_role) if request.actor_role in ROLES else Role.SERVICE
    return Principal(subject=request.actor, role=role,
                     display_name=request.actor_display_name or "TicketDesk")
