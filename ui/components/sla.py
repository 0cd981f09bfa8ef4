"""The SLA state of a ticket as the staff queue shows it (pure: no NiceGUI here).

The ticket's workflow keeps the clock (Ticket.sla); this only presents it: «Просрочен»
when a target was missed, «Скоро» when a running clock's due time is within two hours,
the due time otherwise, «—» while the clock is paused (the ticket waits for the client)
or stopped (closed). Times read in the studio's time zone, which the page hands over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from texts import dates
from ticketdesk.tickets.v1 import tickets_pb2 as pb

from ..i18n import _, current_language

SOON = timedelta(hours=2)
Sla = pb.Sla

BREACHED, SOON_KIND, DUE, PAUSED = 'breached', 'soon', 'due', 'paused'
COLORS = {BREACHED: 'negative', SOON_KIND: 'orange-9', DUE: 'grey-9', PAUSED: 'grey-6'}
ICONS = {BREACHED: 'error', SOON_KIND: 'schedule', DUE: '', PAUSED: ''}


@dataclass(frozen=True)
class SlaState:
    kind: str  # breached, soon, due, paused
    text: str  # what the queue's cell says
    hint: str = ''  # the due time in full, for the tooltip

    @property
    def color(self) -> str:
        return COLORS[self.kind]

    @property
    def icon(self) -> str:
        return ICONS[self.kind]


def due_time(sla: pb.Sla) -> datetime | None:
    if not sla.HasField('due_time'):
        return None
    stamp = sla.due_time
    if not stamp.seconds and not stamp.nanos:
        return None
    return stamp.ToDatetime(tzinfo=UTC)


def sla_state(ticket: pb.Ticket, zone: str, now: datetime | None = None) -> SlaState:
    """The ticket's clock as the queue shows it, its times in the studio's `zone`."""
    now = now or datetime.now(UTC)
    sla = ticket.sla
    due = due_time(sla)
    hint = _('Срок SLA: {due}').format(due=when(due, now, zone)) if due else ''
    if sla.state == Sla.STATE_BREACHED:
        return SlaState(BREACHED, _('Просрочен'), hint or _('Цель SLA пропущена'))
    if sla.state == Sla.STATE_PAUSED:
        return SlaState(PAUSED, '—', _('SLA на паузе: тикет ждёт ответа клиента'))
    if sla.state != Sla.STATE_RUNNING or due is None:  # stopped, or not the studio's to see
        return SlaState(PAUSED, '—')
    if due - now <= SOON:
        return SlaState(SOON_KIND, _('Скоро'), hint)
    return SlaState(DUE, when(due, now, zone), hint)


def when(moment: datetime, now: datetime, zone: str) -> str:
    """`сегодня 15:40`, `завтра 11:00` or `02.12 11:00`, in `zone` (`today 15:40`,
    `tomorrow 11:00`, `Dec 2, 11:00` in English)."""
    return dates.format_relative(moment, now, current_language(), zone)
