"""Dates and moments as a language writes them, in a given time zone.

Russian: 05.12.2026, 05.12.2026 14:30; English: Dec 5, 2026, Dec 5, 2026, 14:30. What a
person types into a date field follows the same language: ДД.ММ.ГГГГ or MM/DD/YYYY.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime

from texts.catalog import N_, translate

UTC = ZoneInfo('UTC')
# What a person types, per language: the strptime pattern, Quasar's mask for the field,
# and the pattern as the field's hint spells it.
INPUT_FORMATS = {'ru': ('%d.%m.%Y', 'DD.MM.YYYY', 'ДД.ММ.ГГГГ'),
                 'en': ('%m/%d/%Y', 'MM/DD/YYYY', 'MM/DD/YYYY')}
TODAY_AT = N_('сегодня {time}')
TOMORROW_AT = N_('завтра {time}')


def format_day(day: dt.date, language: str) -> str:
    if language == 'en':
        return format_date(day, format='medium', locale='en')
    return day.strftime('%d.%m.%Y')


def format_iso_day(iso: str, language: str) -> str:
    """`2025-03-01` -> `01.03.2025` (`Mar 1, 2025`); empty: a dash; not a date: as it is."""
    if not iso:
        return '—'
    try:
        return format_day(dt.date.fromisoformat(iso), language)
    except ValueError:
        return iso


def format_moment(moment: dt.datetime, language: str, zone: str, *, year: bool = True) -> str:
    """An aware moment in `zone`: 05.12.2026 14:30 or Dec 5, 2026, 14:30; without the
    year: 05.12 14:30, Dec 5, 14:30."""
    local = moment.astimezone(ZoneInfo(zone))
    if language == 'en':
        pattern = 'MMM d, y, HH:mm' if year else 'MMM d, HH:mm'
        return format_datetime(local, format=pattern, tzinfo=local.tzinfo, locale='en')
    return local.strftime('%d.%m.%Y %H:%M' if year else '%d.%m %H:%M')


def format_timestamp(seconds: int, nanos: int, language: str, zone: str) -> str:
    """A protobuf Timestamp's fields; an unset one is a dash."""
    if not seconds and not nanos:
        return '—'
    moment = dt.datetime.fromtimestamp(seconds + nanos / 1e9, tz=UTC)
    return format_moment(moment, language, zone)


def format_relative(moment: dt.datetime, now: dt.datetime, language: str, zone: str) -> str:
    """`сегодня 15:40`, `завтра 11:00` or `02.12 11:00` (`today 15:40`...) in `zone`."""
    local, today = moment.astimezone(ZoneInfo(zone)), now.astimezone(ZoneInfo(zone)).date()
    clock = local.strftime('%H:%M')
    if local.date() == today:
        return translate(TODAY_AT, language).format(time=clock)
    if local.date() == today + dt.timedelta(days=1):
        return translate(TOMORROW_AT, language).format(time=clock)
    return format_moment(local, language, zone, year=local.year != today.year)


def today(zone: str) -> dt.date:
    return dt.datetime.now(ZoneInfo(zone)).date()


def input_mask(language: str) -> str:
    """Quasar's mask of a date field in `language`: `DD.MM.YYYY`, `MM/DD/YYYY`."""
    return INPUT_FORMATS.get(language, INPUT_FORMATS['ru'])[1]


def typing_mask(language: str) -> str:
    """Quasar's mask of what is typed into a date field in `language`: `##.##.####`,
    `##/##/####` (digits only; the separators come by themselves)."""
    return ''.join('#' if c in 'DMY' else c for c in input_mask(language))


def input_hint(language: str) -> str:
    """`ДД.ММ.ГГГГ`, `MM/DD/YYYY`."""
    return INPUT_FORMATS.get(language, INPUT_FORMATS['ru'])[2]


def format_input_day(day: dt.date | None, language: str) -> str:
    """A date as the date field of `language` shows it (empty for None)."""
    if day is None:
        return ''
    return day.strftime(INPUT_FORMATS.get(language, INPUT_FORMATS['ru'])[0])


def parse_input_day(text: str, language: str) -> dt.date | None:
    """What a person typed into a date field of `language`; None when empty. ISO dates
    (YYYY-MM-DD, what a browser's own picker gives) are understood in every language.
    ValueError when it is not a date."""
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    pattern = INPUT_FORMATS.get(language, INPUT_FORMATS['ru'])[0]
    return dt.datetime.strptime(text, pattern).date()
