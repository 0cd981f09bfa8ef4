"""«История» of the ticket card: who changed what and when, for everyone who sees the card.

The tickets service writes one entry per changed field (status, assignee, planned date,
estimate, priority, remarks, rating, SLA...). Here they get Russian names and values.
A client does not see the studio's own entries (SLA, assignee, estimate).
"""

from __future__ import annotations

from dataclasses import dataclass

from nicegui import ui

from ticketdesk.tickets.v1 import tickets_pb2 as pb

from .. import labels
from ..clients.errors import ApiError
from ..i18n import N_, _, current_language
from .alerts import show_error

SHOWN = 8  # entries before «Показать все»
FOLLOW_SECONDS = 1.0  # how often the section looks whether the card's ticket changed

FIELD = {
    'status': N_('Статус'),
    'assignee': N_('Исполнитель'),
    'planned_date': N_('Плановая дата'),
    'estimate_hours': N_('Оценка'),
    'priority': N_('Приоритет'),
    'has_remarks': N_('Замечания'),
    'rating': N_('Оценка работы'),
    'sla_breached': 'SLA',
    'title': N_('Название'),
    'description': N_('Описание'),
    'site': N_('Сайт'),
    'contact': N_('Контакт'),
    'desired_date': N_('Желаемая дата реализации'),
}
# The client's card shows neither the assignee nor the estimate nor the SLA clock.
STAFF_ONLY = {'sla_breached', 'assignee', 'estimate_hours'}
# Fields whose values are too long or too private for one line.
WITHOUT_VALUES = {'description', 'contact', 'site'}
SLA_GOALS = {'first_response': N_('пропущен срок первого ответа'),
             'resolution': N_('пропущен срок решения')}
ICONS = {'status': 'swap_horiz', 'assignee': 'person', 'planned_date': 'event',
         'estimate_hours': 'timer', 'priority': 'flag', 'has_remarks': 'feedback',
         'rating': 'star', 'sla_breached': 'alarm', 'desired_date': 'event'}


@dataclass(frozen=True)
class Line:
    """One entry as the card shows it."""

    field: str  # «Статус»
    change: str  # «В очереди → В работе»
    actor: str
    moment: str
    icon: str = 'edit'


def describe(entry: pb.HistoryEntry, *, people: dict[str, str], staff: bool,
             zone: str) -> Line | None:
    """The entry in the reader's language, its moment in the studio's `zone`; None when the
    viewer must not see it."""
    if entry.field in STAFF_ONLY and not staff:
        return None
    title = _(FIELD[entry.field]) if entry.field in FIELD else entry.field
    raw_old, raw_new = (_meaningful(entry.field, v) for v in (entry.old_value, entry.new_value))
    old, new = (value(entry.field, v, people=people, staff=staff) for v in (raw_old, raw_new))
    if entry.field == 'status' and not entry.old_value:
        title, change = _('Тикет создан'), _('статус «{status}»').format(status=new)
    elif entry.field == 'sla_breached':
        change = _(SLA_GOALS[entry.new_value]) if entry.new_value in SLA_GOALS \
            else _('цель SLA пропущена')
    elif entry.field in WITHOUT_VALUES:
        change = _('изменено')
    elif entry.field == 'has_remarks':
        change = _('клиент оставил замечания') if entry.new_value == 'True' \
            else _('замечания сняты')
    elif not raw_old:
        change = (_('назначено: {value}') if entry.field == 'assignee'
                  else _('установлено: {value}')).format(value=new)
    elif not raw_new:
        change = _('снято (было: {value})').format(value=old)
    else:
        change = f'{old} → {new}'
    return Line(title, change, entry.actor_display_name or 'TicketDesk',
                labels.moment(entry.create_time, zone), ICONS.get(entry.field, 'edit'))


def _meaningful(field: str, raw: str) -> str:
    """No estimate and no rating are stored as zero: they read as empty."""
    if field in ('estimate_hours', 'rating'):
        try:
            return '' if float(raw or 0) == 0 else raw
        except ValueError:
            return raw
    return raw


def value(field: str, raw: str, *, people: dict[str, str], staff: bool) -> str:
    """A stored value (`in_progress`, `users/…`, `2026-12-01`, `2.5`) as a person reads it."""
    if not raw:
        return '—'
    if field == 'status':
        return labels.status(_enum(pb.Status, 'STATUS_', raw))
    if field == 'priority':
        return labels.priority(_enum(pb.Priority, 'PRIORITY_', raw))
    if field in ('planned_date', 'desired_date'):
        return labels.day(raw)
    if field == 'estimate_hours':
        return hours(raw)
    if field == 'assignee':
        return people.get(raw, _('сотрудник студии')) if staff else _('сотрудник студии')
    if field == 'rating':
        return '★' * int(raw) if raw.isdigit() else raw
    return raw


def hours(raw: str | float) -> str:
    """`2.0` -> `2 ч`, `2.5` -> `2,5 ч` (`2.5 h` in English)."""
    try:
        number = float(raw)
    except ValueError:
        return str(raw)
    shown = f'{number:.2f}'.rstrip('0').rstrip('.')
    if current_language() == 'ru':
        shown = shown.replace('.', ',')  # the Russian decimal comma
    return _('{hours} ч').format(hours=shown)


def _enum(enum, prefix: str, code: str) -> int:
    try:
        return enum.Value(prefix + code.upper())
    except ValueError:
        return 0


def attach(card) -> HistorySection:
    """The section under the card's details; it follows the card's ticket by itself."""
    section = HistorySection(card)
    section.build()
    return section


class HistorySection:
    def __init__(self, card):
        self.card = card
        self.session = card.session  # the account that opened the card
        self.staff = not card.session.account.is_client
        self.entries: list[pb.HistoryEntry] = []
        self.people: dict[str, str] = {}
        self.loaded_etag: str | None = None
        self.show_all = False
        self._busy = False

    def build(self) -> None:
        with ui.card().classes('w-full gap-2 p-6').mark('history'):
            with ui.row().classes('w-full items-center gap-2'):
                ui.icon('history', size='sm', color='grey-7')
                ui.label(_('История')).classes('text-h6')
            self.lines()
        ui.timer(FOLLOW_SECONDS, self.follow)

    async def follow(self) -> None:
        """Reads the history again whenever the card's ticket changed (a status, a field)."""
        ticket = self.card.ticket
        if self._busy or ticket is None or ticket.etag == self.loaded_etag:
            return
        self._busy = True
        try:
            if self.staff and not self.people:
                try:
                    self.people = await self.session.auth.staff_names()
                except ApiError:
                    self.people = {}  # names are a nicety: ids stay hidden anyway
            self.entries = await self.session.tickets.history(ticket.name)
            self.loaded_etag = ticket.etag
        except ApiError as error:
            if error.session_expired:
                show_error(error)
            return  # the next tick retries
        finally:
            self._busy = False
        self.lines.refresh()

    @ui.refreshable_method
    def lines(self) -> None:
        shown = [line for entry in reversed(self.entries)
                 if (line := describe(entry, people=self.people, staff=self.staff,
                                         zone=self.session.zone))]
        if self.loaded_etag is None:
            ui.label(_('Загрузка…')).classes('text-grey-7')
            return
        if not shown:
            ui.label(_('Изменений пока нет.')).classes('text-grey-7')
            return
        visible = shown if self.show_all else shown[:SHOWN]
        with ui.column().classes('w-full gap-0').mark('history-entries'):
            for line in visible:
                _line(line)
        if len(shown) > len(visible):
            ui.button(_('Показать все ({count})').format(count=len(shown)), on_click=self._expand) \
                .props('flat dense no-caps color=primary')

    def _expand(self) -> None:
        self.show_all = True
        self.lines.refresh()


def _line(line: Line) -> None:
    with ui.row().classes('w-full items-start gap-3 py-2 no-wrap') \
            .style('border-bottom: 1px solid #eceff1'):
        ui.icon(line.icon, size='xs', color='grey-6').classes('mt-1')
        with ui.column().classes('gap-0 grow min-w-0'):
            with ui.row().classes('items-baseline gap-2'):
                ui.label(line.field).classes('font-medium')
                ui.label(line.change).classes('text-body2').style('overflow-wrap: anywhere')
            ui.label(f'{line.actor} · {line.moment}').classes('text-xs text-grey-7')
