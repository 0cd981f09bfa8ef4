"""The administration's pure pieces: the settings update names only what changed, the
services' field problems are told in Russian next to the form's fields."""

from __future__ import annotations

import grpc
import pytest

from services.common.server.errors import invalid, violation
from ticketdesk.errors.v1 import errors_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from ui.admin_api import describe, translate
from ui.admin_widgets import business_days
from ui.pages.admin_settings import Values, changes, parse_day


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


@pytest.mark.parametrize('text, day', [('31.12.2026', '2026-12-31'), ('2026-12-31', '2026-12-31'),
                                       ('31/12/2026', None), ('', None)])
def test_parse_day(text, day):
    parsed = parse_day(text)
    assert (parsed.isoformat() if parsed else None) == day


def test_auto_accept_period_in_words():
    assert business_days(0) == 'выключено'
    assert business_days(1) == '1 рабочий день'
    assert business_days(3) == '3 рабочих дня'
    assert business_days(10) == '10 рабочих дней'
    assert business_days(21) == '21 рабочий день'


@pytest.mark.parametrize('english, russian', [
    ('is required', 'обязательное поле'),
    ('must be at most 200 characters', 'не длиннее 200 символов'),
    ('is not a valid e-mail address', 'введите адрес e-mail, например name@example.ru'),
    ('must be between 0 (off) and 365', 'от 0 (выключено) до 365 рабочих дней'),
    ('must be an http(s) URL', 'адрес сайта вида https://example.ru'),
    ('opens (19:00) must be before closes (10:00)', 'начало рабочего дня должно быть раньше конца'),
    ('both a holiday and a workday: 2026-05-01',
     'дата 2026-05-01 указана и праздником, и рабочим днём'),
    ('critical: hours from 0 to 10000 for low, normal, high, critical', 'от 0 до 10000 часов'),
    ('must be between 0 and 1', 'от 1 до 99 %'),
])
def test_problems_in_russian(english, russian):
    assert describe(english) == russian


class FakeError(grpc.aio.AioRpcError):
    """A failed call carrying a service's rich status."""

    def __init__(self, status: grpc.Status):
        metadata = grpc.aio.Metadata(*status.trailing_metadata)
        super().__init__(status.code, grpc.aio.Metadata(), metadata, details=status.details)


def test_violations_are_keyed_by_form_field():
    status = invalid([
        violation('organization.display_name', errors_pb2.REQUIRED, 'is required'),
        violation('settings.calendar', errors_pb2.NO_WORKING_DAYS, 'no working weekdays'),
        violation('settings.calendar', errors_pb2.NOT_A_TIME,
                  'not a time of day (HH:MM): \'25:00\'')]).to_status()
    error = translate(FakeError(status))
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.violations == {
        'display_name': 'обязательное поле',
        'calendar': 'отметьте хотя бы один рабочий день недели; время в формате ЧЧ:ММ'}
    assert error.message == 'Проверьте выделенные поля.'
