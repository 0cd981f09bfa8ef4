"""What TicketDesk's own processes record (TicketInternalService): the transitions and SLA
events of the ticket's workflow, and the notifications of the notify activity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.server.principal import Principal, Role
from services.tickets import facts, models
from services.tickets.store import comments, notifications, outbox
from services.tickets.store import tickets as store
from services.tickets.usecases.outbox import Outbox
from services.tickets.usecases.studio import Studio
from services.tickets.usecases.tickets import Shown, shown
from workflows.ticket.calendar import BusinessCalendar
from workflows.ticket.rules import Action, Status

# The text of these actions stays on the card while the ticket waits for the client.
NOTE_STATUSES = {Status.NEEDS_INFO, Status.AWAITING_ACCEPTANCE}
# The workflow's own timers and SLA clock: TicketDesk itself.
TICKETDESK = Principal(subject="", role=Role.SERVICE, display_name="TicketDesk")


@dataclass
class Transition:
    number: int
    action: Action | None  # None: a change without an action (remarks)
    to_status: Status
    actor: Principal
    text: str
    rating: int
    has_remarks: bool
    request_id: str
    sla_due_time: datetime | None
    assignee: str  # empty: the assignee stays


class Records:
    """Each record is written with its notices (the outbox) in one transaction."""

    def __init__(self, sessions: async_sessionmaker, notices: Outbox, studio: Studio):
        self._sessions, self._studio = sessions, studio
        self.notices = notices

    async def transition(self, change: Transition,
                         notices: list[outbox.Notice] | None = None) -> Shown:
        """Idempotent: a retried record changes nothing the second time, yet it sets the
        ticket's fields again. The workflow's record is the truth, and one written in a
        workflow task that then failed is repeated after others (remarks) were written."""
        calendar = await self._studio.calendar()
        async with self._sessions() as session:
            row = await store.ticket_for_update(session, change.number)
            first = not (change.request_id
                         and await store.already_applied(session, change.request_id))
            await _apply(session, row, change, first, calendar)
            await outbox.add(session, notices or [])
            await session.commit()
            if notices:
                self.notices.written()
            return await shown(session, row)

    async def sla_event(self, number: int, due: datetime | None, breached_goal: str,
                        notices: list[outbox.Notice] | None = None) -> Shown:
        """The workflow's SLA clock: the next due time, and a missed target once."""
        async with self._sessions() as session:
            row = await store.ticket_for_update(session, number)
            row.sla_due_time = due
            if breached_goal and not row.sla_breached:
                session.add(store.history_row(number, TICKETDESK, "sla_breached", "",
                                              breached_goal, store.now()))
                row.sla_breached = True
            await outbox.add(session, notices or [])
            await session.commit()
            if notices:
                self.notices.written()
            return await shown(session, row)

    async def deliver(self, event_id: str, number: int, kind: str,
                      deliveries: list[notifications.Delivery]) -> list[str]:
        """Who still needs an e-mail of the event."""
        async with self._sessions() as session:
            to_email = await notifications.deliver(session, event_id, number, kind, deliveries)
            await session.commit()
        return to_email

    async def emailed(self, event_id: str, recipients: list[str]) -> None:
        async with self._sessions() as session:
            await notifications.mark_emailed(session, event_id, recipients)
            await session.commit()


async def _apply(session: AsyncSession, row: models.Ticket, change: Transition,
                 first: bool, calendar: BusinessCalendar) -> None:
    """The change's fields, each with a history entry where it differs; its text as a
    comment once (by its request id)."""
    moment, changes = store.now(), 0

    def changed(field: str, old: object, new: object) -> None:
        nonlocal changes
        changes += 1
        session.add(store.history_row(row.number, change.actor, field, str(old), str(new),
                                      moment))

    if row.status != change.to_status.value:
        changed("status", row.status, change.to_status.value)
        facts.follow_status(row, Status(row.status), change.to_status, moment, calendar,
                            change.actor)
        row.status = change.to_status.value
        row.status_note = change.text if change.to_status in NOTE_STATUSES else ""
    if change.assignee and row.assignee != change.assignee:
        changed("assignee", row.assignee, change.assignee)
        row.assignee = change.assignee
    if row.has_remarks != change.has_remarks:
        changed("has_remarks", row.has_remarks, change.has_remarks)
        row.has_remarks = change.has_remarks
    if change.action is Action.ACCEPT and change.rating and row.rating != change.rating:
        changed("rating", row.rating, change.rating)
        row.rating = change.rating
    if change.text:
        await comments.add_comment(session, change.actor, row, change.text, internal=False,
                                   request_id=f"transition:{change.request_id}",
                                   action=change.action.value if change.action else "")
    row.sla_due_time = change.sla_due_time
    if changes:
        row.update_time, row.version = moment, row.version + 1
    if first and change.request_id:
        await store.mark_applied(session, change.request_id, row.number)
