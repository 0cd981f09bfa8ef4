"""The administration's pure pieces: the settings update names only what changed, the form
tells what it can before asking, periods read in words."""

from __future__ import annotations

import pytest

from ticketdesk.tickets.v1 import tickets_pb2 as pb
from ui.components.admin.common import business_days
from ui.components.admin.studio_settings import Values, changes, day_chip_text, problems


def settings() -> pb.StudioSettings:
    return pb.StudioSettings(
        name='studioSettings', timezone='Europe/Moscow', weekdays=[0, 1, 2, 3, 4],
        opens='10:00', closes='19:00', holidays=['2026-01-01'], reminder_business_days=2,
        first_response_hours={'critical': 1, 'high': 4, 'normal': 8, 'low': 16},
        resolution_hours={'critical': 9, 'high': 27, 'normal': 45, 'low': 90},
        sla_warning_fraction=0.8)


def test_nothing_changed_sends_nothing():
    before = Values.of(settings())
    assert changes(before, before.copy())[1] == []


def test_only_changed_fields_are_in_the_mask():
    before = Values.of(settings())
    after = before.copy()
    after.holidays.append('2026-12-31')
    after.first_response_hours['critical'] = 2
    after.warning_percent = 75
    update, paths = changes(before, after)
    assert paths == ['holidays', 'first_response_hours', 'sla_warning_fraction']
    assert list(update.holidays) == ['2026-01-01', '2026-12-31']
    assert dict(update.first_response_hours) == {'critical': 2}
    assert update.sla_warning_fraction == pytest.approx(0.75)
    assert before.first_response_hours['critical'] == 1  # the copy is deep


def test_weekday_order_is_no_change():
    before = Values.of(settings())
    after = before.copy()
    after.weekdays = [4, 3, 2, 1, 0]
    assert changes(before, after)[1] == []


def test_the_form_tells_what_it_can_before_asking():
    values = Values.of(settings())
    assert problems(values) == {}
    values.weekdays, values.opens = [], '19:00'
    values.first_response_hours['low'] = 20_000
    values.warning_percent = 100
    assert problems(values) == {
        'weekdays': 'отметьте хотя бы один рабочий день недели',
        'opens': 'начало рабочего дня должно быть раньше конца',
        'first_response_hours': 'часы от 0 до 10000',
        'sla_warning_fraction': 'от 1 до 99 %'}
    values.weekdays, values.opens = [0], '9:00'
    assert problems(values)['opens'] == 'время начала и конца рабочего дня — в формате ЧЧ:ММ'


def test_a_day_chip_names_its_weekday():
    assert day_chip_text('2026-12-31') == '31.12.2026, чт'
    assert day_chip_text('not a day') == 'not a day'


def test_auto_accept_period_in_words():
    assert business_days(0) == 'выключено'
    assert business_days(1) == '1 рабочий день'
    assert business_days(3) == '3 рабочих дня'
    assert business_days(10) == '10 рабочих дней'
    assert business_days(21) == '21 рабочий день'
