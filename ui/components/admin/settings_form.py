"""The studio's settings as the manager edits them: the working time and its time zone,
holidays and moved working days, the SLA targets, the reminder period, and the bar that
saves only what changed. What was typed stays in the form until saved or discarded."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from ticketdesk.tickets.v1 import tickets_pb2 as pb

from ... import labels, routes
from ...i18n import _
from ..widgets import DateField
from .studio_settings import (HOURS_KINDS, MAX_HOURS, MAX_REMINDER_DAYS, PRIORITIES,
                              WEEKDAY_NAMES, WEEKDAYS, ZONES, Values, changes, day_chip_text,
                              hours_label)

CARD = 'w-full gap-3'
# The two kinds of days, by the values' list: their marker and their chips' colour.
DATES = {
    'holidays': ('holiday', 'red-1'),
    'workdays': ('workday', 'green-1'),
}


class SettingsForm:
    """The settings' cards over `values`; «Сохранить» calls `on_save` (the page's)."""

    def __init__(self, on_save: Callable[[], Awaitable[None]]):
        self.on_save = on_save
        self.saved: Values | None = None  # as the service holds them
        self.values = Values()  # as the form shows them
        self.update_time = ''  # when they were saved last, in words
        self.errors: dict[str, str] = {}  # by the settings' field names
        self.saving = False

    def take(self, answer: pb.StudioSettings, zone: str) -> None:
        """Shows the settings as the service answered them."""
        self.saved = Values.of(answer)
        self.values = self.saved.copy()
        self.update_time = labels.moment(answer.update_time, answer.timezone or zone) \
            if answer.update_time.seconds else ''
        self.errors = {}
        self.body.refresh()

    @property
    def dirty(self) -> bool:
        return self.saved is not None and bool(changes(self.saved, self.values)[1])

    def touched(self) -> None:
        self.save_bar.refresh()

    # --- the cards ----------------------------------------------------------------------

    @ui.refreshable_method
    def body(self) -> None:
        if self.saved is None:
            ui.skeleton().classes('w-full h-64')
            return
        self.save_bar()
        with ui.row().classes('w-full items-start gap-4 max-lg:flex-col'):
            with ui.column().classes('flex-1 min-w-0 gap-4 w-full'):
                self._calendar_card()
                self._days_card()
            with ui.column().classes('flex-1 min-w-0 gap-4 w-full'):
                self._sla_card()
                self._periods_card()

    def _card_title(self, icon: str, title: str, text: str = '') -> None:
        with ui.row().classes('items-center gap-2 no-wrap'):
            ui.icon(icon, color='primary', size='sm')
            ui.label(title).classes('text-h6')
        if text:
            ui.label(text).classes('text-grey-7 text-sm -mt-1')

    def _error(self, *keys: str) -> None:
        problems = [self.errors[k] for k in keys if k in self.errors]
        if problems:
            with ui.row().classes('items-center gap-1 no-wrap text-negative text-sm'):
                ui.icon('error', size='xs')
                ui.label('; '.join(problems)).mark('settings-error')

    def _calendar_card(self) -> None:
        v = self.values
        with ui.card().classes(CARD).props('flat bordered'):
            self._card_title('schedule', _('Рабочее время'),
                             _('По нему считаются напоминания, автоприёмка и сроки SLA.'))
            zone = ui.select(ZONES if v.timezone in ZONES else [v.timezone, *ZONES],
                             label=_('Часовой пояс'), value=v.timezone, with_input=True) \
                .props('outlined').classes('w-full').mark('timezone')
            zone.on_value_change(lambda e: self._set('timezone', e.value or v.timezone))
            ui.label(_('Рабочие дни недели')).classes('text-sm text-grey-8')
            with ui.row().classes('gap-1').mark('weekdays'):
                for number, title in enumerate(WEEKDAYS):
                    box = ui.checkbox(_(title), value=number in v.weekdays,
                                      on_change=lambda e, n=number: self._weekday(n, e.value))
                    box.props['aria-label'] = _(WEEKDAY_NAMES[number])
            with ui.row().classes('gap-4 w-full no-wrap'):
                for name, label in (('opens', _('Начало рабочего дня')),
                                    ('closes', _('Конец рабочего дня'))):
                    time_box(label, getattr(v, name)).mark(name).on_value_change(
                        lambda e, n=name: self._set(n, e.value or ''))
            self._error('timezone', 'weekdays', 'opens', 'closes')

    def _days_card(self) -> None:
        with ui.card().classes(CARD).props('flat bordered'):
            self._card_title('event', _('Праздники и переносы'))
            self._dates('holidays', _('Праздничные и нерабочие дни'),
                        _('Нерабочие, даже если выпадают на рабочий день недели.'),
                        _('Праздничный день'), _('Добавить праздник'))
            ui.separator()
            self._dates('workdays', _('Рабочие выходные (переносы)'),
                        _('Рабочие, хотя день недели нерабочий.'), _('Рабочий выходной'),
                        _('Добавить перенос'))
            self._error('holidays', 'workdays')

    def _dates(self, kind: str, title: str, hint: str, label: str, add: str) -> None:
        mark, color = DATES[kind]
        ui.label(title).classes('text-subtitle2')
        ui.label(hint).classes('text-xs text-grey-7 -mt-2')
        with ui.row().classes('gap-1 w-full').mark(f'{mark}s'):
            days: list[str] = getattr(self.values, kind)
            if not days:
                ui.label(_('Не заданы')).classes('text-grey-6 text-sm py-1')
            for iso in sorted(days):
                ui.chip(day_chip_text(iso), removable=True, color=color,
                        on_value_change=lambda e, d=iso: self._remove_day(kind, d)
                        if not e.value else None) \
                    .props('dense square').mark(f'{mark}-chip')
        with ui.row().classes('items-start gap-2 no-wrap'):
            field = DateField(label)
            field.input.props('outlined dense').classes('w-56').mark(f'{mark}-date')
            ui.button(add, icon='add', on_click=lambda: self._add_day(kind, field)) \
                .props('flat no-caps').classes('mt-1').mark(f'add-{mark}')

    def _sla_card(self) -> None:
        with ui.card().classes(CARD).props('flat bordered'):
            self._card_title('timer', _('Сроки SLA'),
                             _('В рабочих часах; пока тикет ждёт клиента, часы стоят.'))
            with ui.grid(columns='minmax(8rem, 1fr) 1fr 1fr') \
                    .classes('w-full gap-x-4 gap-y-2 items-center'):
                for heading in (_('Приоритет'), _('Первый ответ, ч'), _('Решение, ч')):
                    ui.label(heading).classes('text-xs text-grey-7 uppercase')
                for code, priority in PRIORITIES:
                    ui.label(labels.priority(priority)).classes(
                        f'font-medium text-{labels.PRIORITY_COLOR.get(priority, "grey-8")}')
                    for kind in HOURS_KINDS:
                        self._hours_box(kind, code, priority)
            self._error(*HOURS_KINDS)
            ui.separator()
            warning = ui.number(_('Предупреждать, когда прошло'),
                                value=self.values.warning_percent, min=1, max=99, step=5,
                                format='%g') \
                .props('outlined dense suffix=%').classes('w-full max-w-sm').mark('warning')
            warning.props['hint'] = _('Доля срока, после которой тикет помечается как близкий '
                                      'к нарушению')
            warning.on_value_change(lambda e: self._set('warning_percent', e.value))
            self._error('sla_warning_fraction')

    def _hours_box(self, kind: str, code: str, priority: int) -> None:
        box = ui.number(value=getattr(self.values, kind).get(code), min=0, max=MAX_HOURS,
                        step=0.5, format='%g') \
            .props('outlined dense').classes('w-full').mark(f'{kind}-{code}')
        box.props.update({'suffix': _('ч'), 'aria-label': hours_label(kind, priority)})
        box.on_value_change(lambda e: self._hours(kind, code, e.value))

    def _periods_card(self) -> None:
        with ui.card().classes(CARD).props('flat bordered'):
            self._card_title('notifications', _('Напоминания и автоприёмка'))
            reminder = ui.number(_('Напоминание клиенту через'),
                                 value=self.values.reminder_business_days, min=0,
                                 max=MAX_REMINDER_DAYS, step=1, format='%g') \
                .props('outlined dense').classes('w-full max-w-sm').mark('reminder')
            reminder.props.update(suffix=_('рабочих дней'),
                                  hint=_('Когда тикет ждёт уточнений или приёмки; '
                                         '0 — не напоминать'))
            reminder.on_value_change(lambda e: self._set('reminder_business_days', e.value))
            self._error('reminder_business_days')
            with ui.row().classes('items-center gap-2 no-wrap text-grey-8 mt-2'):
                ui.icon('info', size='xs', color='grey-6')
                ui.label(_('Срок автоприёмки задаётся для каждой организации отдельно:'))
                ui.link(_('Организации'), routes.ADMIN).classes('text-primary')

    @ui.refreshable_method
    def save_bar(self) -> None:
        dirty = self.dirty
        with ui.row().classes('w-full items-center gap-3 bg-white rounded-borders px-4 py-2 '
                              'border border-gray-300').mark('save-bar'):
            if dirty:
                ui.icon('edit_note', color='orange-8')
                ui.label(_('Есть несохранённые изменения')).classes('text-orange-9 font-medium')
            elif self.update_time:
                ui.icon('check', color='positive')
                ui.label(_('Сохранено {moment}').format(moment=self.update_time)) \
                    .classes('text-grey-7')
            else:
                ui.label(_('Действуют настройки по умолчанию')).classes('text-grey-7')
            ui.space()
            reset = ui.button(_('Отменить изменения'), on_click=self.discard).props('flat no-caps')
            save = ui.button(_('Сохранить'), icon='save', on_click=self.on_save) \
                .props('unelevated no-caps').mark('save-settings')
            if not dirty:
                reset.disable()
                save.disable()
            if self.saving:
                save.props('loading')

    # --- editing ------------------------------------------------------------------------

    def _set(self, name: str, value) -> None:
        if value is None:
            return
        setattr(self.values, name, value)
        self.touched()

    def _weekday(self, number: int, on: bool) -> None:
        days = set(self.values.weekdays)
        days.add(number) if on else days.discard(number)
        self.values.weekdays = sorted(days)
        self.touched()

    def _hours(self, kind: str, code: str, value) -> None:
        if value is None:
            return
        getattr(self.values, kind)[code] = float(value)
        self.touched()

    def _add_day(self, kind: str, field: DateField) -> None:
        day = field.parsed_or_none()
        if day is None:
            field.show_error(field.problem() or _('Введите дату'))
            return
        iso = day.isoformat()
        other = 'workdays' if kind == 'holidays' else 'holidays'
        if iso in getattr(self.values, other):
            field.show_error(_('этот день уже указан как рабочий') if kind == 'holidays'
                             else _('этот день уже указан как праздник'))
            return
        days: list[str] = getattr(self.values, kind)
        if iso not in days:
            days.append(iso)
            days.sort()
        self.body.refresh()

    def _remove_day(self, kind: str, iso: str) -> None:
        days: list[str] = getattr(self.values, kind)
        if iso in days:
            days.remove(iso)
        self.body.refresh()

    def discard(self) -> None:
        if self.saved is not None:
            self.values = self.saved.copy()
            self.errors = {}
            self.body.refresh()


def time_box(label: str, value: str) -> ui.time_input:
    """HH:MM, typed or picked (24-hour clock whatever the browser's locale)."""
    box = ui.time_input(label, value=value).props('outlined mask="##:##"').classes('flex-1')
    box.picker.props('format24h')
    return box
