"""The studio's settings as the manager's form edits them (no widgets here): the values,
the update that sends only what changed, and what the form can tell before asking."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from datetime import date
from zoneinfo import available_timezones

from babel.dates import format_date

from ticketdesk.tickets.v1 import tickets_pb2 as pb

from ... import labels
from ...clients.tickets import STUDIO_SETTINGS
from ...i18n import N_, _, current_language

WEEKDAYS = (N_('Пн'), N_('Вт'), N_('Ср'), N_('Чт'), N_('Пт'), N_('Сб'), N_('Вс'))
WEEKDAY_NAMES = (N_('понедельник'), N_('вторник'), N_('среда'), N_('четверг'), N_('пятница'),
                 N_('суббота'), N_('воскресенье'))
# The services' priority codes, most urgent first, with their enum values.
PRIORITIES = (('critical', pb.PRIORITY_CRITICAL), ('high', pb.PRIORITY_HIGH),
              ('normal', pb.PRIORITY_NORMAL), ('low', pb.PRIORITY_LOW))
HOURS_KINDS = ('first_response_hours', 'resolution_hours')
MAX_HOURS = 10_000
MAX_REMINDER_DAYS = 365
HHMM = re.compile(r'([01]\d|2[0-3]):[0-5]\d')
ZONES = sorted(z for z in available_timezones()
               if z.startswith(('Europe/', 'Asia/', 'America/', 'Africa/', 'Australia/'))
               or z == 'UTC')


@dataclass
class Values:
    """The settings as the form edits them (`of` the service's answer)."""

    timezone: str = ''
    weekdays: list[int] = field(default_factory=list)
    opens: str = ''
    closes: str = ''
    holidays: list[str] = field(default_factory=list)
    workdays: list[str] = field(default_factory=list)
    reminder_business_days: float = 0
    first_response_hours: dict[str, float] = field(default_factory=dict)
    resolution_hours: dict[str, float] = field(default_factory=dict)
    warning_percent: float = 0

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
    settings = pb.StudioSettings(name=STUDIO_SETTINGS)
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
    for name in HOURS_KINDS:
        old, new = getattr(before, name), getattr(after, name)
        changed = {k: v for k, v in new.items() if not math.isclose(old.get(k, -1), v)}
        if changed:
            getattr(settings, name).update(changed)
            paths.append(name)
    if not math.isclose(before.warning_percent, after.warning_percent):
        settings.sla_warning_fraction = round(after.warning_percent / 100, 4)
        paths.append('sla_warning_fraction')
    return settings, paths


def problems(v: Values) -> dict[str, str]:
    """What the form can tell before asking the service, by the settings' field names."""
    found: dict[str, str] = {}
    if not v.weekdays and not v.workdays:
        found['weekdays'] = _('отметьте хотя бы один рабочий день недели')
    if not (HHMM.fullmatch(v.opens or '') and HHMM.fullmatch(v.closes or '')):
        found['opens'] = _('время начала и конца рабочего дня — в формате ЧЧ:ММ')
    elif v.opens >= v.closes:
        found['opens'] = _('начало рабочего дня должно быть раньше конца')
    for kind in HOURS_KINDS:
        if any(not 0 <= h <= MAX_HOURS for h in getattr(v, kind).values()):
            found[kind] = _('часы от 0 до {count}').format(count=MAX_HOURS)
    if not 0 <= v.reminder_business_days <= MAX_REMINDER_DAYS:
        found['reminder_business_days'] = _('от 0 до {count} рабочих дней').format(
            count=MAX_REMINDER_DAYS)
    if not 1 <= v.warning_percent <= 99:
        found['sla_warning_fraction'] = _('от 1 до 99 %')
    return found


def day_chip_text(iso: str) -> str:
    """`2026-12-31` -> «31.12.2026, чт» (`Dec 31, 2026, Thu`)."""
    try:
        day = date.fromisoformat(iso)
    except ValueError:
        return iso
    return f'{labels.day(iso)}, {format_date(day, "EEE", locale=current_language())}'


def hours_label(kind: str, priority: int) -> str:
    """The accessible name of one SLA target's field: «Первый ответ, Критический»."""
    what = _('Первый ответ') if kind == 'first_response_hours' else _('Решение')
    return f'{what}, {labels.priority(priority)}'
