"""«Учёт времени» of the ticket card, for the studio: the time logged on the ticket against
its estimate, the entries (date, author, duration, note), the form that logs more, and each
entry's change and deletion where the person may (a developer: their own entries; a
manager: anyone's). A client sees only the total, and only where their organization shows it
(`spent_line`, in the card's details).

A duration is typed as people write it: `1:30`, `1.5` or `1,5` (hours), `90м`/`90m`,
`2ч`/`2h`, `1ч 30м`. A refused form keeps everything typed, each problem under its field.
"""

from __future__ import annotations

import functools
import re
import time

from nicegui import ui

from texts import dates
from ticketdesk.tickets.v1 import tickets_pb2 as pb

from .. import labels
from ..clients.base import new_request_id
from ..clients.errors import ApiError
from ..clients.tickets import TimeLog
from ..i18n import N_, _
from .admin.forms import Form, busy, buttons, save_form
from .alerts import show_error
from .dialogs import answer, confirm
from .history import hours
from .widgets import DateField, user_text

MAX_MINUTES = 24 * 60
MAX_NOTE = 2000
FOLLOW_SECONDS = 1.0  # how often the section looks whether the card's ticket changed
POLL_SECONDS = 15.0  # and reads the entries anyway: another person's show up by themselves
HOUR_UNITS = frozenset({'ч', 'час', 'часа', 'часов', 'h', 'hr', 'hrs', 'hour', 'hours'})
MINUTE_UNITS = frozenset({'м', 'мин', 'минута', 'минуты', 'минут', 'm', 'min', 'mins',
                          'minute', 'minutes'})
CLOCK = re.compile(r'(\d{1,3}):([0-5]\d)')
PART = re.compile(r'(\d+(?:[.,]\d+)?)\s*([a-zа-яё]*)\.?\s*')
BAD_DURATION = N_('Введите время так: 1:30, 1.5, 90м или 2ч')
OUT_OF_RANGE = N_('от 1 минуты до 24 часов')
IN_FUTURE = N_('дата не может быть позже сегодняшней')


# --- durations ------------------------------------------------------------------------------

def parse_duration(text: str) -> int:
    """What a person typed, in minutes (not yet checked against the allowed range):
    `1:30`, `1.5`, `1,5ч`, `90м`, `90 min`, `2h`, `1ч 30м`, `1h30`. ValueError otherwise."""
    text = ' '.join((text or '').lower().split())
    if clock := CLOCK.fullmatch(text):
        return int(clock[1]) * 60 + int(clock[2])
    position, seen, minutes = 0, '', 0.0
    while position < len(text):
        part = PART.match(text, position)
        if part is None or part.end() == position:
            raise ValueError(text)
        number, unit, last = float(part[1].replace(',', '.')), part[2], part.end() == len(text)
        if unit in HOUR_UNITS or (not unit and not position and last):
            kind = 'h'
        elif unit in MINUTE_UNITS or (not unit and seen == 'h' and last):  # `1h30`
            kind = 'm'
        else:
            raise ValueError(text)
        if kind in seen or 'm' in seen or (kind == 'm' and not number.is_integer()):
            raise ValueError(text)  # twice, hours after minutes, or a part of a minute
        seen += kind
        minutes += number * 60 if kind == 'h' else number
        position = part.end()
    if not seen:
        raise ValueError(text)
    return round(minutes)


def duration(minutes: int) -> str:
    """`90` -> «1 ч 30 мин», `120` -> «2 ч», `45` -> «45 мин» (`1 h 30 min` in English)."""
    whole, rest = divmod(max(int(minutes), 0), 60)
    if whole and rest:
        return _('{hours} ч {minutes} мин').format(hours=whole, minutes=rest)
    if whole:
        return _('{hours} ч').format(hours=whole)
    return _('{minutes} мин').format(minutes=rest)


def clock(minutes: int) -> str:
    """`90` -> `1:30`: how an entry's duration is offered for editing."""
    whole, rest = divmod(max(int(minutes), 0), 60)
    return f'{whole}:{rest:02d}'


def spent_line(minutes: int) -> None:
    """The client's «Затрачено: 1 ч 30 мин» on the card."""
    with ui.row().classes('items-center gap-2').mark('time-spent'):
        ui.icon('timer', size='xs', color='grey-7')
        ui.label(_('Затрачено: {time}').format(time=duration(minutes))).classes('text-body1')


# --- the fields of an entry -----------------------------------------------------------------

class EntryFields:
    """Duration, date and note of an entry, in `form` by the services' names of them."""

    def __init__(self, form: Form, zone: str, entry: pb.TimeEntry | None = None, *,
                 multiline: bool = False):
        self.form, self.zone, today = form, zone, dates.today(zone)
        self.duration = form.add('minutes', ui.input(
            _('Время'), value=clock(entry.minutes) if entry else '',
            placeholder='1:30')).mark('time-duration')
        self.duration.props['hint'] = _('например, 1:30, 1.5, 90м, 2ч')
        self.day = DateField(_('Дата'), value=entry.work_date if entry else today.isoformat())
        form.add('work_date', self.day.input).mark('time-date')
        # Quasar hands the options YYYY/MM/DD: no day after today can be picked.
        self.day.picker.props[':options'] = f"d => d <= '{today.strftime('%Y/%m/%d')}'"
        note = ui.textarea if multiline else ui.input
        self.note = form.add('note', note(_('Что сделано'), value=entry.note if entry else '')
                             .props(f'maxlength={MAX_NOTE}')).mark('time-note')
        if multiline:
            self.note.props('autogrow counter')

    def read(self) -> tuple[int, str, str] | None:
        """(minutes, work_date, note), or None with each problem under its field."""
        form = self.form
        form.clear()
        minutes = None
        try:
            minutes = parse_duration(self.duration.value)
        except ValueError:
            form.problem('minutes', _(BAD_DURATION))
        else:
            if not 1 <= minutes <= MAX_MINUTES:
                form.problem('minutes', _(OUT_OF_RANGE))
        if not self.day.text:
            form.problem('work_date', _('обязательное поле'))
        elif problem := self.day.problem():
            form.problem('work_date', problem)
        elif self.day.day() > dates.today(self.zone):
            form.problem('work_date', _(IN_FUTURE))
        note = (self.note.value or '').strip()
        if len(note) > MAX_NOTE:
            form.problem('note', _('не длиннее {maxLength} символов')
                         .format(maxLength=MAX_NOTE))
        if form.has_problems or minutes is None:
            return None
        return minutes, self.day.iso(), note


# --- the section ----------------------------------------------------------------------------

def attach(card) -> TimeSection | None:
    """The section on the card, for the studio only; it follows the card's ticket."""
    if card.session.account.is_client or card.ticket is None:
        return None
    section = TimeSection(card)
    section.build()
    return section


class TimeSection:
    """`card`: the page's open card (its `ticket`, `session` and `dialogs`, a container
    that outlives refreshes)."""

    def __init__(self, card):
        # The page's session: its account, never another's.
        self.card, self.session, self.account = card, card.session, card.session.account
        self.log: TimeLog | None = None
        self.request_id = new_request_id()  # one per entry: a retried «Записать» logs it once
        self.seen: tuple | None = None  # the card's ticket at the last read
        self.read_at, self._busy, self._asked, self._applied = 0.0, False, 0, 0

    def build(self) -> None:
        with ui.card().classes('w-full gap-3 p-6 max-sm:p-4').mark('time-tracking'):
            with ui.row().classes('w-full items-center gap-2'):
                ui.icon('timer', size='sm', color='primary')
                ui.label(_('Учёт времени')).classes('text-h6')
            self.total = ui.label('').mark('time-total')
            self._show_total()
            self.form = Form()
            with ui.row().classes('w-full items-start gap-3 max-md:flex-wrap') \
                    .mark('time-form'):
                self.fields = EntryFields(self.form, self.session.zone)
                self.fields.duration.props('dense').classes('w-48')
                self.fields.day.input.props('dense').classes('w-48')
                self.fields.note.props('dense').classes('grow min-w-[12rem]')
                self.log_button = ui.button(_('Записать время'), icon='add', on_click=self.add) \
                    .props('unelevated no-caps').classes('mt-1').mark('log-time')
            self.form.message_line()
            ui.separator()
            self.entries()
        ui.timer(FOLLOW_SECONDS, self.follow)

    def _show_total(self) -> None:
        spent = self.log.total_minutes if self.log else self.card.ticket.time_spent_minutes
        estimate = self.card.ticket.estimate_hours
        self.total.set_text(
            _('Затрачено {spent} из {estimate}').format(spent=duration(spent),
                                                        estimate=hours(estimate))
            if estimate else _('Затрачено {spent}').format(spent=duration(spent)))
        over = estimate and spent > estimate * 60
        self.total.classes(replace='text-body1 font-medium'
                           + (' text-orange-9' if over else ''))

    # --- reading -------------------------------------------------------------------------

    async def follow(self) -> None:
        """Reads the entries again when the card's ticket changed, and now and then anyway."""
        ticket = self.card.ticket
        if self._busy or ticket is None:
            return
        if (ticket.etag, ticket.time_spent_minutes, ticket.estimate_hours) == self.seen \
                and time.monotonic() - self.read_at < POLL_SECONDS:
            return
        self._busy = True
        try:
            await self.reload()
        finally:
            self._busy = False

    async def reload(self) -> None:
        ticket = self.card.ticket
        self.seen = (ticket.etag, ticket.time_spent_minutes, ticket.estimate_hours)
        self._asked += 1
        asked = self._asked
        try:
            log = await self.session.tickets.time_log(ticket.name)
        except ApiError as error:
            if error.session_expired:
                show_error(error)
            return  # the next tick retries
        finally:
            self.read_at = time.monotonic()
        if asked < self._applied:
            return  # a later read (after the person's own change) has been shown
        self._applied = asked
        changed = self.log is None or _key(log) != _key(self.log)
        self.log = log
        self._show_total()
        if changed:
            self.entries.refresh()

    @ui.refreshable_method
    def entries(self) -> None:
        if self.log is None:
            ui.label(_('Загрузка…')).classes('text-grey-7')
            return
        if not self.log.entries:
            ui.label(_('Время пока не записано.')).classes('text-grey-7').mark('time-empty')
        with ui.column().classes('w-full gap-0').mark('time-entries'):
            for entry in self.log.entries:
                self._entry(entry)

    def _entry(self, entry: pb.TimeEntry) -> None:
        with ui.row().classes('td-time-entry w-full items-start gap-3 py-2 no-wrap') \
                .style('border-bottom: 1px solid #eceff1'):
            ui.label(labels.day(entry.work_date)).classes('text-body2 w-24 shrink-0 mt-px')
            with ui.column().classes('gap-0 grow min-w-0'):
                with ui.row().classes('items-baseline gap-x-2 gap-y-0'):
                    ui.label(duration(entry.minutes)).classes('font-medium')
                    ui.label(entry.author_display_name or _('Сотрудник студии')) \
                        .classes('text-body2 text-grey-8')
                if entry.note:
                    user_text(entry.note)
            if self.may_change(entry):
                for icon, label, action, color in (
                        ('edit', _('Изменить запись'), self.edit, 'grey-8'),
                        ('delete', _('Удалить запись'), self.delete, 'negative')):
                    button = ui.button(icon=icon, color=color,
                                       on_click=functools.partial(action, entry)) \
                        .props('flat round dense size=sm')
                    button.props['aria-label'] = label
                    button.tooltip(label)

    def may_change(self, entry: pb.TimeEntry) -> bool:
        """A developer changes their own entries; a manager anyone's."""
        return self.account.is_manager or entry.author == self.account.name

    # --- actions -------------------------------------------------------------------------

    async def add(self) -> None:
        values = self.fields.read()
        if values is None:
            return
        minutes, work_date, note = values
        busy(self.log_button, True)
        try:
            await self.session.tickets.log_time(self.card.ticket.name, minutes, work_date,
                                                note, self.request_id)
        except ApiError as error:
            self.form.fail(error)  # everything typed stays for another try
            return
        finally:
            busy(self.log_button, False)
        self.request_id = new_request_id()
        self.fields.duration.set_value('')
        self.fields.note.set_value('')
        self.form.clear()  # the date stays: several entries of one day come one by one
        ui.notify(_('Время записано: {time}').format(time=duration(minutes)), type='positive')
        await self.reload()

    async def edit(self, entry: pb.TimeEntry) -> None:
        form = Form()
        with self.card.dialogs, ui.dialog() as dialog, \
                ui.card().classes('w-[32rem] max-w-full gap-3').mark('time-entry-dialog'):
            ui.label(_('Изменить запись')).classes('text-h6')
            fields = EntryFields(form, self.session.zone, entry, multiline=True)
            for element in (fields.duration, fields.day.input, fields.note):
                element.classes('w-full')
            form.message_line()

            async def submit() -> None:
                values = fields.read()
                if values is None:
                    return
                changes = {field: value for field, value
                           in zip(('minutes', 'work_date', 'note'), values)
                           if getattr(entry, field) != value}
                if not changes:
                    dialog.submit(None)
                    return
                await save_form(dialog, form, save, lambda: self.session.tickets
                                .update_time_entry(entry.name, **changes))

            save = buttons(dialog, _('Сохранить'), submit)
        if await answer(dialog) is not None:
            ui.notify(_('Запись сохранена'), type='positive')
            await self.reload()

    async def delete(self, entry: pb.TimeEntry) -> None:
        with self.card.dialogs:
            sure = await confirm(
                _('Удалить запись?'),
                _('{time} за {day} ({author}) больше не будут учитываться в затраченном '
                  'времени. Это нельзя отменить.').format(
                    time=duration(entry.minutes), day=labels.day(entry.work_date),
                    author=entry.author_display_name or _('Сотрудник студии')),
                _('Удалить'))
        if not sure:
            return
        try:
            await self.session.tickets.delete_time_entry(entry.name)
        except ApiError as error:
            show_error(error)
        else:
            ui.notify(_('Запись удалена'), type='positive')
        await self.reload()


def _key(log: TimeLog) -> tuple:
    """What the list shows of a read: whether drawing it again would change anything."""
    return log.total_minutes, [(e.name, e.update_time.seconds, e.update_time.nanos)
                               for e in log.entries]
