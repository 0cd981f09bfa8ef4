"""The manager's administration: the studio's settings — the business calendar with its
holidays, the reminder period and the SLA targets. Saving sends only what changed."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from zoneinfo import available_timezones

from babel.dates import format_date
from nicegui import ui

from ticketdesk.tickets.v1 import tickets_pb2 as pb

from .. import i18n, labels
from ..admin_api import AdminApi
from ..admin_widgets import is_manager, no_access, sections
from ..api import ApiError
from ..frame import frame, show_error
from ..i18n import N_, _

WEEKDAYS = (N_('Пн'), N_('Вт'), N_('Ср'), N_('Чт'), N_('Пт'), N_('Сб'), N_('Вс'))
WEEKDAY_NAMES = (N_('понедельник'), N_('вторник'), N_('среда'), N_('четверг'), N_('пятница'),
                 N_('суббота'), N_('воскресенье'))
# The services' priority codes, most urgent first, with their enum values.
PRIORITIES = (('critical', pb.PRIORITY_CRITICAL), ('high', pb.PRIORITY_HIGH),
              ('normal', pb.PRIORITY_NORMAL), ('low', pb.PRIORITY_LOW))
MAX_HOURS = 10_000
HHMM = re.compile(r'([01]\d|2[0-3]):[0-5]\d')
MAX_REMINDER_DAYS = 365
ZONES = sorted(z for z in available_timezones()
               if z.startswith(('Europe/', 'Asia/', 'America/', 'Africa/', 'Australia/'))
               or z == 'UTC')


@dataclass
class Values:
    """The settings as the form edits them."""

    timezone: str = 'Europe/Moscow'
    weekdays: list[int] = field(default_factory=list)
    opens: str = '10:00'
    closes: str = '19:00'
    holidays: list[str] = field(default_factory=list)
    workdays: list[str] = field(default_factory=list)
    reminder_business_days: float = 2
    first_response_hours: dict[str, float] = field(default_factory=dict)
    resolution_hours: dict[str, float] = field(default_factory=dict)
    warning_percent: float = 80

    @classmethod
    def of(cls, s: pb.StudioSettings) -> Values:
        return cls(timezone=s.timezone, weekdays=sorted(s.weekdays), opens=s.opens,
                   closes=s.closes, holidays=sorted(s.holidays), workdays=sorted(s.workdays),
                   reminder_business_days=s.reminder_business_days,
                   first_response_hours=dict(s.first_response_hours),
                   resolution_hours=dict(s.resolution_hours),
                   warning_percent=round(s.sla_warning_fraction * 100, 1))

    def copy(self) -> Values:
        return replace(self, weekdays=list(self.weekdays), holidays=list(self.holidays),
                       workdays=list(self.workdays),
                       first_response_hours=dict(self.first_response_hours),
                       resolution_hours=dict(self.resolution_hours))


def changes(before: Values, after: Values) -> tuple[pb.StudioSettings, list[str]]:
    """The update with only the changed fields, and its mask."""
    settings = pb.StudioSettings(name='studioSettings')
    paths: list[str] = []
    for name in ('timezone', 'opens', 'closes'):
        if getattr(before, name) != getattr(after, name):
            setattr(settings, name, getattr(after, name))
            paths.append(name)
    for name in ('weekdays', 'holidays', 'workdays'):
        if sorted(getattr(before, name)) != sorted(getattr(after, name)):
            getattr(settings, name).extend(sorted(getattr(after, name)))
            paths.append(name)
    if not math.isclose(before.reminder_business_days, after.reminder_business_days):
        settings.reminder_business_days = after.reminder_business_days
        paths.append('reminder_business_days')
    for name in ('first_response_hours', 'resolution_hours'):
        old, new = getattr(before, name), getattr(after, name)
        changed = {k: v for k, v in new.items() if not math.isclose(old.get(k, -1), v)}
        if changed:
            getattr(settings, name).update(changed)
            paths.append(name)
    if not math.isclose(before.warning_percent, after.warning_percent):
        settings.sla_warning_fraction = round(after.warning_percent / 100, 4)
        paths.append('sla_warning_fraction')
    return settings, paths


def parse_day(text: str) -> date | None:
    text = (text or '').strip()
    for pattern in ('%d.%m.%Y', '%Y-%m-%d'):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def day_chip_text(iso: str) -> str:
    try:
        day = date.fromisoformat(iso)
    except ValueError:
        return iso
    return f'{labels.day(iso)}, {format_date(day, "EEE", locale=i18n.current_language())}'


def number_text(value: float) -> str:
    return f'{value:g}'


@ui.page('/admin/settings', response_timeout=20)
async def settings_page() -> None:
    session = AdminApi.of_current_user()
    if not is_manager(session):
        no_access(session)
        return
    view = SettingsView(session)
    with frame(session, _('Настройки')) as content:
        view.root = content
        sections('/admin/settings')
        view.body()
    await view.load()


class SettingsView:
    def __init__(self, session: AdminApi):
        self.session = session
        self.saved: Values | None = None
        self.values = Values()
        self.update_time = ''
        self.errors: dict[str, str] = {}
        self.saving = False
        # Callbacks run in the slot of a button that a refresh deletes: notifications and
        # refreshes go through the page's content column, which stays.
        self.root: ui.element | None = None

    async def load(self) -> None:
        try:
            answer = await self.session.studio_settings()
        except ApiError as error:
            show_error(error)
            return
        self._take(answer)

    def _take(self, answer: pb.StudioSettings) -> None:
        self.saved = Values.of(answer)
        self.values = self.saved.copy()
        self.update_time = labels.moment(answer.update_time, answer.timezone or 'Europe/Moscow') \
            if answer.update_time.seconds else ''
        self.errors = {}
        self.body.refresh()

    @property
    def dirty(self) -> bool:
        return self.saved is not None and bool(changes(self.saved, self.values)[1])

    def touched(self) -> None:
        self.save_bar.refresh()

    # --- the page -----------------------------------------------------------------------

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
        with ui.card().classes('w-full gap-3').props('flat bordered'):
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
                opens = time_box(_('Начало рабочего дня'), v.opens).mark('opens')
                opens.on_value_change(lambda e: self._set('opens', e.value or ''))
                closes = time_box(_('Конец рабочего дня'), v.closes).mark('closes')
                closes.on_value_change(lambda e: self._set('closes', e.value or ''))
            self._error('calendar', 'timezone', 'weekdays', 'opens', 'closes')

    def _days_card(self) -> None:
        with ui.card().classes('w-full gap-3').props('flat bordered'):
            self._card_title('event', _('Праздники и переносы'))
            self.dates('holidays', _('Праздничные и нерабочие дни'),
                       _('Нерабочие, даже если выпадают на рабочий день недели.'), 'red-1',
                       'holiday', _('Праздничный день'), _('Добавить праздник'))
            ui.separator()
            self.dates('workdays', _('Рабочие выходные (переносы)'),
                       _('Рабочие, хотя день недели нерабочий.'), 'green-1', 'workday',
                       _('Рабочий выходной'), _('Добавить перенос'))
            self._error('holidays', 'workdays')

    def dates(self, kind: str, title: str, hint: str, color: str, mark: str, label: str,
              add: str) -> None:
        days: list[str] = getattr(self.values, kind)
        ui.label(title).classes('text-subtitle2')
        ui.label(hint).classes('text-xs text-grey-7 -mt-2')
        with ui.row().classes('gap-1 w-full').mark(f'{mark}s'):
            if not days:
                ui.label(_('Не заданы')).classes('text-grey-6 text-sm py-1')
            for iso in sorted(days):
                ui.chip(day_chip_text(iso), removable=True, color=color,
                        on_value_change=lambda e, d=iso: self._remove_day(kind, d)
                        if not e.value else None) \
                    .props('dense square').mark(f'{mark}-chip')
        with ui.row().classes('items-start gap-2 no-wrap'):
            picker = ui.date_input(label, placeholder=_('ДД.ММ.ГГГГ')) \
                .props('outlined dense').classes('w-56').mark(f'{mark}-date')
            picker.picker.props('mask="DD.MM.YYYY" first-day-of-week=1')
            picker.picker.on_value_change(lambda: picker.menu.close())
            ui.button(add, icon='add', on_click=lambda: self._add_day(kind, picker)) \
                .props('flat no-caps').classes('mt-1').mark(f'add-{mark}')

    def _sla_card(self) -> None:
        v = self.values
        with ui.card().classes('w-full gap-3').props('flat bordered'):
            self._card_title('timer', _('Сроки SLA'),
                             _('В рабочих часах; пока тикет ждёт клиента, часы стоят.'))
            with ui.grid(columns='minmax(8rem, 1fr) 1fr 1fr').classes('w-full gap-x-4 gap-y-2 '
                                                                       'items-center'):
                ui.label(_('Приоритет')).classes('text-xs text-grey-7 uppercase')
                ui.label(_('Первый ответ, ч')).classes('text-xs text-grey-7 uppercase')
                ui.label(_('Решение, ч')).classes('text-xs text-grey-7 uppercase')
                for code, priority in PRIORITIES:
                    ui.label(labels.priority(priority)).classes(
                        f'font-medium text-{labels.PRIORITY_COLOR.get(priority, "grey-8")}')
                    for kind in ('first_response_hours', 'resolution_hours'):
                        hours = getattr(v, kind)
                        box = ui.number(value=hours.get(code), min=0, max=MAX_HOURS, step=0.5,
                                        format='%g') \
                            .props('outlined dense').classes('w-full').mark(f'{kind}-{code}')
                        box.props.update({'suffix': _('ч'),
                                          'aria-label': _hours_label(kind, priority)})
                        box.on_value_change(lambda e, k=kind, c=code: self._hours(k, c, e.value))
            self._error('first_response_hours', 'resolution_hours')
            ui.separator()
            warning = ui.number(_('Предупреждать, когда прошло'), value=v.warning_percent,
                                min=1, max=99, step=5, format='%g') \
                .props('outlined dense suffix=%').classes('w-full max-w-sm').mark('warning')
            warning.props['hint'] = _('Доля срока, после которой тикет помечается как близкий '
                                      'к нарушению')
            warning.on_value_change(lambda e: self._set('warning_percent', e.value))
            self._error('sla_warning_fraction')

    def _periods_card(self) -> None:
        v = self.values
        with ui.card().classes('w-full gap-3').props('flat bordered'):
            self._card_title('notifications', _('Напоминания и автоприёмка'))
            reminder = ui.number(_('Напоминание клиенту через'), value=v.reminder_business_days,
                                 min=0, max=MAX_REMINDER_DAYS, step=1, format='%g') \
                .props('outlined dense').classes('w-full max-w-sm').mark('reminder')
            reminder.props.update(suffix=_('рабочих дней'),
                                  hint=_('Когда тикет ждёт уточнений или приёмки; '
                                         '0 — не напоминать'))
            reminder.on_value_change(lambda e: self._set('reminder_business_days', e.value))
            self._error('reminder_business_days')
            with ui.row().classes('items-center gap-2 no-wrap text-grey-8 mt-2'):
                ui.icon('info', size='xs', color='grey-6')
                ui.label(_('Срок автоприёмки задаётся для каждой организации отдельно:'))
                ui.link(_('Организации'), '/admin').classes('text-primary')

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
            save = ui.button(_('Сохранить'), icon='save', on_click=self.save) \
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

    def _add_day(self, kind: str, picker: ui.date_input) -> None:
        day = parse_day(picker.value or '')
        if day is None:
            picker.error = _('дата в формате ДД.ММ.ГГГГ')
            return
        iso = day.isoformat()
        other = 'workdays' if kind == 'holidays' else 'holidays'
        if iso in getattr(self.values, other):
            picker.error = (_('этот день уже указан как рабочий') if kind == 'holidays'
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

    def _check(self) -> dict[str, str]:
        v, problems = self.values, {}
        if not v.weekdays and not v.workdays:
            problems['weekdays'] = _('отметьте хотя бы один рабочий день недели')
        if not (HHMM.fullmatch(v.opens or '') and HHMM.fullmatch(v.closes or '')):
            problems['opens'] = _('время начала и конца рабочего дня — в формате ЧЧ:ММ')
        elif v.opens >= v.closes:
            problems['opens'] = _('начало рабочего дня должно быть раньше конца')
        for kind in ('first_response_hours', 'resolution_hours'):
            if any(not 0 <= h <= MAX_HOURS for h in getattr(v, kind).values()):
                problems[kind] = _('часы от 0 до {count}').format(count=MAX_HOURS)
        if not 0 <= v.reminder_business_days <= MAX_REMINDER_DAYS:
            problems['reminder_business_days'] = _('от 0 до {count} рабочих дней').format(
                count=MAX_REMINDER_DAYS)
        if not 1 <= v.warning_percent <= 99:
            problems['sla_warning_fraction'] = _('от 1 до 99 %')
        return problems

    async def save(self) -> None:
        if self.saved is None or self.saving:
            return
        assert self.root is not None
        with self.root:
            await self._save()

    async def _save(self) -> None:
        assert self.saved is not None
        self.errors = self._check()
        if self.errors:
            ui.notify(_('Проверьте выделенные поля'), type='warning')
            self.body.refresh()
            return
        settings, paths = changes(self.saved, self.values)
        if not paths:
            return
        self.saving = True
        self.save_bar.refresh()
        try:
            answer = await self.session.update_studio_settings(settings, paths)
        except ApiError as error:
            self.saving = False
            if error.session_expired:
                show_error(error)
                return
            self.errors = dict(error.violations)
            # Before the refresh, which deletes the button this callback runs in.
            ui.notify(error.message, type='negative')
            self.body.refresh()  # what was typed stays: the form shows self.values
            return
        self.saving = False
        ui.notify(_('Настройки сохранены'), type='positive')
        self._take(answer)


def time_box(label: str, value: str) -> ui.time_input:
    """HH:MM, typed or picked (24-hour clock whatever the browser's locale)."""
    box = ui.time_input(label, value=value).props('outlined mask="##:##"').classes('flex-1')
    box.picker.props('format24h')
    return box


def _hours_label(kind: str, priority: int) -> str:
    what = _('Первый ответ') if kind == 'first_response_hours' else _('Решение')
    return f'{what}, {labels.priority(priority)}'
