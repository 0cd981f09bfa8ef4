"""Dates and moments as each language writes them, in the zone asked for."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from texts import dates

MOMENT = dt.datetime(2026, 12, 5, 11, 30, tzinfo=dt.UTC)  # 14:30 in Moscow


@pytest.mark.parametrize(('language', 'day', 'moment', 'short'), [
    ('ru', '05.12.2026', '05.12.2026 14:30', '05.12 14:30'),
    ('en', 'Dec 5, 2026', 'Dec 5, 2026, 14:30', 'Dec 5, 14:30'),
])
def test_days_and_moments(language, day, moment, short):
    assert dates.format_day(dt.date(2026, 12, 5), language) == day
    assert dates.format_moment(MOMENT, language, 'Europe/Moscow') == moment
    assert dates.format_moment(MOMENT, language, 'Europe/Moscow', year=False) == short


def test_a_moment_is_shown_in_the_zone_asked_for():
    assert dates.format_moment(MOMENT, 'ru', 'Asia/Yekaterinburg') == '05.12.2026 16:30'
    assert dates.format_moment(MOMENT, 'ru', 'UTC') == '05.12.2026 11:30'


def test_iso_days():
    assert dates.format_iso_day('2025-03-01', 'ru') == '01.03.2025'
    assert dates.format_iso_day('2025-03-01', 'en') == 'Mar 1, 2025'
    assert dates.format_iso_day('', 'ru') == '—'
    assert dates.format_iso_day('soon', 'en') == 'soon'


def test_timestamps():
    seconds = int(MOMENT.timestamp())
    assert dates.format_timestamp(seconds, 0, 'ru', 'Europe/Moscow') == '05.12.2026 14:30'
    assert dates.format_timestamp(0, 0, 'en', 'Europe/Moscow') == '—'


@pytest.mark.parametrize(('later', 'russian', 'english'), [
    (dt.timedelta(hours=2), 'сегодня 16:30', 'today 16:30'),
    (dt.timedelta(days=1), 'завтра 14:30', 'tomorrow 14:30'),
    (dt.timedelta(days=3), '08.12 14:30', 'Dec 8, 14:30'),
    (dt.timedelta(days=40), '14.01.2027 14:30', 'Jan 14, 2027, 14:30'),
])
def test_relative_moments(later, russian, english):
    assert dates.format_relative(MOMENT + later, MOMENT, 'ru', 'Europe/Moscow') == russian
    assert dates.format_relative(MOMENT + later, MOMENT, 'en', 'Europe/Moscow') == english


def test_today_is_the_zones_own():
    """Late in the day in UTC it is already tomorrow in Vladivostok (UTC+10)."""
    zone = ZoneInfo('Asia/Vladivostok')
    before = dt.datetime.now(zone).date()
    assert dates.today('Asia/Vladivostok') in (before, dt.datetime.now(zone).date())


@pytest.mark.parametrize(('language', 'typed', 'mask', 'hint'), [
    ('ru', '05.12.2026', 'DD.MM.YYYY', 'ДД.ММ.ГГГГ'),
    ('en', '12/05/2026', 'MM/DD/YYYY', 'MM/DD/YYYY'),
])
def test_what_a_person_types(language, typed, mask, hint):
    day = dt.date(2026, 12, 5)
    assert dates.input_mask(language) == mask
    assert dates.input_hint(language) == hint
    assert dates.format_input_day(day, language) == typed
    assert dates.parse_input_day(typed, language) == day
    assert dates.parse_input_day(' 2026-12-05 ', language) == day  # a browser's own picker
    assert dates.parse_input_day('', language) is None
    assert dates.format_input_day(None, language) == ''
    with pytest.raises(ValueError):
        dates.parse_input_day('31.02.2026' if language == 'ru' else '02/31/2026', language)


def test_an_unknown_language_types_as_russian():
    assert dates.input_mask('de') == 'DD.MM.YYYY'
    assert dates.parse_input_day('05.12.2026', 'de') == dt.date(2026, 12, 5)
