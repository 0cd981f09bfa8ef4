"""The words for the services' errors: one for every reason of errors.proto, with its
parameters, in Russian and English."""

from __future__ import annotations

import re

import grpc
import pytest

from texts import errors
from texts.catalog import translate
from ticketdesk.errors.v1 import errors_pb2

ERROR_REASONS = list(errors_pb2.ErrorReason.keys())
FIELD_REASONS = list(errors_pb2.FieldReason.keys())
# What each parameterized field reason is given by the services.
PARAMS = {'TOO_LONG': {'maxLength': '200'}, 'TOO_SHORT': {'minLength': '8'},
          'OUT_OF_RANGE': {'min': '0', 'max': '365'}, 'TOO_LARGE': {'maxBytes': '26214400'},
          'HOLIDAY_AND_WORKDAY': {'date': '2026-05-01'}}


@pytest.mark.parametrize('reason', ERROR_REASONS)
def test_every_error_reason_has_words(reason):
    assert reason in errors.ERRORS
    for language in ('ru', 'en'):
        told = errors.error_message(reason, 'UNKNOWN', language, {'maxBytes': '1024'})
        assert told and '{' not in told


@pytest.mark.parametrize('reason', FIELD_REASONS)
def test_every_field_reason_has_words(reason):
    assert reason in errors.FIELDS
    russian = errors.field_message(reason, PARAMS.get(reason, {}), 'ru')
    english = errors.field_message(reason, PARAMS.get(reason, {}), 'en')
    assert russian and english and '{' not in russian + english
    assert not re.search('[а-яё]', english, re.IGNORECASE), english


@pytest.mark.parametrize(('reason', 'params', 'russian', 'english'), [
    ('TOO_LONG', {'maxLength': '200'}, 'не длиннее 200 символов', 'at most 200 characters'),
    ('TOO_SHORT', {'minLength': '8'}, 'не короче 8 символов', 'at least 8 characters'),
    ('OUT_OF_RANGE', {'min': '1', 'max': '5'}, 'от 1 до 5', 'from 1 to 5'),
    ('TOO_LARGE', {'maxBytes': str(25 * 1024 * 1024)}, 'Файл больше 25 МБ',
     'The file is larger than 25 MB'),
    ('HOLIDAY_AND_WORKDAY', {'date': '2026-05-01'},
     'дата 01.05.2026 указана и праздником, и рабочим днём',
     'May 1, 2026 is set both as a holiday and as a working day'),
    ('NOT_A_DATE', {}, 'дата в формате ДД.ММ.ГГГГ', 'a date as MM/DD/YYYY'),
    ('PASSWORD_TOO_COMMON', {}, 'слишком распространённый пароль', 'password too common'),
])
def test_field_words_with_their_parameters(reason, params, russian, english):
    assert errors.field_message(reason, params, 'ru') == russian
    assert errors.field_message(reason, params, 'en') == english


@pytest.mark.parametrize(('reason', 'russian'), [
    ('TOO_LONG', 'слишком длинное значение'),
    ('OUT_OF_RANGE', 'неверное значение'),
    ('TOO_LARGE', 'Файл слишком большой'),
])
def test_a_reason_without_its_parameters_still_reads(reason, russian):
    assert errors.field_message(reason, {}, 'ru') == russian
    assert errors.field_message(reason, {'maxBytes': 'lots'}, 'ru') == russian


def test_an_unknown_field_reason_is_an_invalid_value():
    assert errors.field_message('SOMETHING_NEW', {}, 'ru') == 'неверное значение'
    assert errors.field_message('SOMETHING_NEW', {}, 'en') == 'invalid value'


@pytest.mark.parametrize(('reason', 'code', 'russian'), [
    ('TICKET_CHANGED', 'ABORTED', translate(errors.TICKET_CHANGED, 'ru')),
    ('STORAGE_FULL', 'RESOURCE_EXHAUSTED',
     'На сервере закончилось место для файлов. Сообщите студии; уже введённое на странице '
     'сохранено.'),
    ('UNAUTHENTICATED', 'UNAUTHENTICATED', 'Сеанс истёк. Войдите снова.'),
    ('LOGIN_THROTTLED', 'RESOURCE_EXHAUSTED', 'Слишком много неудачных попыток. Попробуйте позже.'),
    # No reason, or one this UI does not know yet: the status code's words.
    ('', 'UNAVAILABLE', 'Сервис временно недоступен. Попробуйте ещё раз через минуту.'),
    ('SOMETHING_NEW', 'ABORTED', 'Тикет только что изменился. Обновите страницу и повторите.'),
    ('ERROR_REASON_UNSPECIFIED', 'NOT_FOUND', 'Не найдено.'),
    ('', 'INTERNAL', 'Не удалось выполнить запрос. Попробуйте ещё раз.'),
])
def test_error_words_by_reason_then_code(reason, code, russian):
    assert errors.error_message(reason, code, 'ru') == russian


def test_every_status_code_has_words():
    for code in grpc.StatusCode:
        if code != grpc.StatusCode.OK:
            assert errors.error_message('', code.name, 'en')


def test_a_file_too_large_names_the_limit():
    assert errors.error_message('FILE_TOO_LARGE', 'INVALID_ARGUMENT', 'ru',
                                {'maxBytes': str(2 * 1024 * 1024)}) == 'Файл больше 2 МБ'
    assert errors.error_message('FILE_TOO_LARGE', 'INVALID_ARGUMENT', 'en',
                                {}) == 'The file is too large'


def test_the_fields_listed_under_their_labels():
    assert errors.field_problems([('Название', 'не длиннее 200 символов'),
                                  ('Сайт', 'выберите сайт организации')], 'ru') == \
        'Проверьте поля: Название — не длиннее 200 символов; Сайт — выберите сайт организации'


@pytest.mark.parametrize(('size', 'russian', 'english'), [
    (512, '512 Б', '512 B'), (1536, '1,5 КБ', '1.5 KB'), (2_621_440, '2,5 МБ', '2.5 MB'),
    (25 * 1024 * 1024, '25 МБ', '25 MB')])
def test_file_sizes(size, russian, english):
    assert errors.file_size(size, 'ru') == russian
    assert errors.file_size(size, 'en') == english
