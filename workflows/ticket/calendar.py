"""The business calendar: working time, and deadlines counted in business hours.

Pure and deterministic (no clock, randomness or I/O of its own), for timers in workflows:
import it under `workflow.unsafe.imports_passed_through()` and pass `workflow.now()`.
Working time is [opens, closes) on working days. A deadline ending exactly at closing
stays there (Mon 10:00 + 9 h = Mon 19:00); time starting at a closing counts from the next
opening (`add(s, 0)` is `s` in working time, else the next opening). A date in `holidays`
is a day off even if it is in `workdays` too (`validate` reports it).

Sandbox: in workflow code itself `open` is forbidden and `ZoneInfo(...)` is a restricted
proxy that `datetime` rejects as tzinfo, so zones are named by string here. Passed through,
this module keeps the real `ZoneInfo`, which reads the system tz database lazily (also in
the middle of a workflow). Results depend on that database: keep it equal on all workers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MAX_DAYS_OFF = 3 * 366  # more days off in a row than this: the calendar never works
_HHMM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


# A valid calendar, parsed (the dates are `date`s).
_Rules = NamedTuple("_Rules", [("zone", ZoneInfo), ("opens", time), ("closes", time),
                               ("weekdays", frozenset[int]), ("holidays", frozenset[date]),
                               ("workdays", frozenset[date])])


@dataclass(frozen=True)
class BusinessCalendar:
    timezone: str = "Europe/Moscow"
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday = 0
    opens: str = "10:00"  # local time, HH:MM
    closes: str = "19:00"
    holidays: tuple[str, ...] = ()  # ISO dates, local (non-working days)
    workdays: tuple[str, ...] = ()  # ISO dates that work although their weekday doesn't

    @property
    def day_length(self) -> timedelta:
        r = _rules(self)
        return datetime.combine(date.min, r.closes) - datetime.combine(date.min, r.opens)

    def is_working_time(self, moment: datetime) -> bool:
        r, moment = _rules(self), _aware(moment)
        hours = _hours(r, moment.astimezone(r.zone).date())
        return hours is not None and hours[0] <= moment < hours[1]

    def add(self, start: datetime, amount: timedelta) -> datetime:
        if amount < timedelta(0):
            raise ValueError(f"negative business time: {amount}")
        r, start, left = _rules(self), _aware(start).astimezone(UTC), amount
        day, days_off = start.astimezone(r.zone).date(), 0
        while days_off <= MAX_DAYS_OFF:
            hours = _hours(r, day)
            days_off = 0 if hours else days_off + 1
            if hours and hours[1] > start:
                begin = max(hours[0], start)
                if left <= hours[1] - begin:
                    return begin + left
                left -= hours[1] - begin
            day += timedelta(days=1)
        raise ValueError(f"no working day within {MAX_DAYS_OFF} days after {start}")

    def add_days(self, start: datetime, days: float) -> datetime:
        return self.add(start, days * self.day_length)

    def between(self, start: datetime, end: datetime) -> timedelta:
        r, start, end = _rules(self), _aware(start), _aware(end)
        total, day = timedelta(0), start.astimezone(r.zone).date()
        while end > start and day <= end.astimezone(r.zone).date():
            if (hours := _hours(r, day)) is not None:
                total += max(timedelta(0), min(hours[1], end) - max(hours[0], start))
            day += timedelta(days=1)
        return total

    def validate(self) -> list[str]:
        problems = []
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
            problems.append(f"unknown time zone: {self.timezone!r}")
        bad_times = [t for t in (self.opens, self.closes)
                     if not (isinstance(t, str) and _HHMM.fullmatch(t))]
        problems += [f"not a time of day (HH:MM): {t!r}" for t in bad_times]
        if not bad_times and self.opens >= self.closes:
            problems.append(f"opens ({self.opens}) must be before closes ({self.closes})")
        problems += [f"not a weekday (0 = Monday … 6 = Sunday): {d!r}"
                     for d in self.weekdays if type(d) is not int or not 0 <= d <= 6]
        if not self.weekdays and not self.workdays:
            problems.append("no working weekdays")
        problems += [f"not a date (YYYY-MM-DD): {d!r}"
                     for d in (*self.holidays, *self.workdays) if _parse_date(d) is None]
        problems += [f"both a holiday and a workday: {d}"
                     for d in sorted(set(self.holidays) & set(self.workdays))]
        return problems

    def to_dict(self) -> dict:
        return {f.name: list(v) if isinstance(v := getattr(self, f.name), tuple) else v
                for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict) -> BusinessCalendar:
        """Missing keys take the defaults; unknown keys are an error. Not validated."""
        if unknown := set(data) - {f.name for f in fields(cls)}:
            raise ValueError(f"unknown calendar fields: {sorted(unknown)}")
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})


DEFAULT_CALENDAR = BusinessCalendar()


def _parse_date(text: object) -> date | None:
    try:
        return date.fromisoformat(text) if _ISO_DATE.fullmatch(text) else None
    except (TypeError, ValueError):
        return None


@lru_cache(maxsize=64)
def _rules(calendar: BusinessCalendar) -> _Rules:
    if problems := calendar.validate():
        raise ValueError("invalid business calendar: " + "; ".join(problems))
    return _Rules(ZoneInfo(calendar.timezone), time.fromisoformat(calendar.opens),
                  time.fromisoformat(calendar.closes), frozenset(calendar.weekdays),
                  frozenset(map(date.fromisoformat, calendar.holidays)),
                  frozenset(map(date.fromisoformat, calendar.workdays)))


def _aware(moment: datetime) -> datetime:
    if moment.utcoffset() is None:
        raise ValueError(f"a time-zone-aware datetime is required, got {moment!r}")
    return moment


def _hours(r: _Rules, day: date) -> tuple[datetime, datetime] | None:  # in UTC; None: day off
    if day in r.holidays or (day.weekday() not in r.weekdays and day not in r.workdays):
        return None
    return (datetime.combine(day, r.opens, r.zone).astimezone(UTC),
            datetime.combine(day, r.closes, r.zone).astimezone(UTC))

