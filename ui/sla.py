"""The SLA state of a ticket as the staff queue shows it (pure: no NiceGUI here).

«Просрочен» when a target was missed (or the due time has passed), «Скоро» when the
next deadline is within two hours, the due time otherwise, «—» while the clock is paused
(the ticket waits for the client) or stopped (closed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from ticketdesk.tickets.v1 import tickets_pb2 as pb

from . import i18n
from .i18n import _

SOON = timedelta(hours=2)
ZONE = ZoneInfo('Europe/Moscow')
CLOSED = (pb.STATUS_DONE, pb.STATUS_CANCELLED)
# The clock pauses while the ticket waits for the client, whatever due time was last recorded.
WAITING = (pb.STATUS_NEEDS_INFO, pb.STATUS_AWAITING_ACCEPTANCE)

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


def due_time(ticket: pb.Ticket) -> datetime | None:
    if not ticket.HasField('sla_due_time'):
        return None
    stamp = ticket.sla_due_time
    if not stamp.seconds and not stamp.nanos:
        return None
    return stamp.ToDatetime(tzinfo=UTC)


def sla_state(ticket: pb.Ticket, now: datetime | None = None) -> SlaState:
    now = now or datetime.now(UTC)
    due = due_time(ticket)
    hint = _('Срок SLA: {due}').format(due=when(due, now)) if due else ''
    if ticket.sla_breached:
        return SlaState(BREACHED, _('Просрочен'), hint or _('Цель SLA пропущена'))
    if ticket.status in CLOSED:
        return SlaState(PAUSED, '—')
    if due is None or ticket.status in WAITING:
        return SlaState(PAUSED, '—', _('SLA на паузе: тикет ждёт ответа клиента'))
    if due <= now:
        return SlaState(BREACHED, _('Просрочен'), hint)
    if due - now <= SOON:
        return SlaState(SOON_KIND, _('Скоро'), hint)
    return SlaState(DUE, when(due, now), hint)


def when(moment: datetime, now: datetime) -> str:
    """`сегодня 15:40`, `завтра 11:00` or `02.12 11:00`, in the studio's time zone
    (`today 15:40`, `tomorrow 11:00`, `Dec 2, 11:00` in English)."""
    local, today = moment.astimezone(ZONE), now.astimezone(ZONE).date()
    clock = local.strftime('%H:%M')
    if local.date() == today:
        return _('сегодня {time}').format(time=clock)
    if local.date() == today + timedelta(days=1):
        return _('завтра {time}').format(time=clock)
    return i18n.format_moment(local, year=local.year != today.year)
