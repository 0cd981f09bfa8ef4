"""The words for the services' errors, chosen by their reasons (proto/ticketdesk/errors/v1/
errors.proto), never by the English message a service sends along.

`error_message` tells a failed call as a whole: its ErrorReason, or its gRPC status code
when the answer names no reason this module knows. `field_message` tells one bad field by
its FieldReason, with the reason's parameters (`maxLength`, `minLength`, `min`, `max`,
`maxBytes`, `date`). Field words are lower-case: a form shows them under its field or
after the field's label («Название — не длиннее 200 символов»).
"""

from __future__ import annotations

from collections.abc import Mapping

from texts.catalog import N_, translate
from texts.dates import format_iso_day, input_hint

FAILED = N_('Не удалось выполнить запрос. Попробуйте ещё раз.')
SESSION_EXPIRED = N_('Сеанс истёк. Войдите снова.')
BAD_LOGIN = N_('Неверный e-mail или пароль')
TOO_MANY_LOGINS = N_('Слишком много попыток входа. Попробуйте позже.')
CHECK_FIELDS = N_('Проверьте заполнение полей.')
FIELD_PROBLEMS = N_('Проверьте поля: {problems}')
TICKET_CHANGED = N_('Тикет уже изменили, пока страница была открыта. Посмотрите, что '
                    'изменилось, и повторите действие.')
FILE_TOO_LARGE = N_('Файл больше {limit}')

# By gRPC status code name, for an answer without a reason (or with one we do not know).
BY_CODE = {
    'UNAVAILABLE': N_('Сервис временно недоступен. Попробуйте ещё раз через минуту.'),
    'DEADLINE_EXCEEDED': N_('Сервис не ответил вовремя. Попробуйте ещё раз.'),
    'NOT_FOUND': N_('Не найдено.'),
    'PERMISSION_DENIED': N_('Недостаточно прав для этого действия.'),
    'UNAUTHENTICATED': SESSION_EXPIRED,
    'INVALID_ARGUMENT': CHECK_FIELDS,
    'RESOURCE_EXHAUSTED': N_('Слишком много запросов. Попробуйте позже.'),
    'ABORTED': N_('Тикет только что изменился. Обновите страницу и повторите.'),
    'ALREADY_EXISTS': N_('Такая запись уже существует.'),
    'FAILED_PRECONDITION': N_('Это действие сейчас недоступно.'),
}

# ErrorInfo.reason -> the words; `{limit}` is the metadata `maxBytes` as a size.
ERRORS = {
    'ERROR_REASON_UNSPECIFIED': FAILED,
    'INVALID_ARGUMENT': CHECK_FIELDS,
    'UNAUTHENTICATED': SESSION_EXPIRED,
    'PERMISSION_DENIED': BY_CODE['PERMISSION_DENIED'],
    'NOT_FOUND': BY_CODE['NOT_FOUND'],
    'ALREADY_EXISTS': BY_CODE['ALREADY_EXISTS'],
    'UNAVAILABLE': BY_CODE['UNAVAILABLE'],
    'SERVICE_ONLY': N_('Это действие выполняют только службы TicketDesk.'),
    'PASSWORD_CHANGE_REQUIRED': N_('Сначала задайте свой пароль.'),
    # Login's own throttle has its own words (TOO_MANY_LOGINS); this one guards password checks.
    'LOGIN_THROTTLED': N_('Слишком много неудачных попыток. Попробуйте позже.'),
    'NOT_A_USER': N_('Это может сделать только человек, вошедший с паролем.'),
    'SELF_DEACTIVATION': N_('Нельзя отключить собственную учётную запись.'),
    'TICKET_CLOSED': N_('Тикет уже закрыт.'),
    'INVALID_TRANSITION': N_('Статус тикета изменился: это действие сейчас недоступно. '
                             'Обновите страницу.'),
    'ROLE_NOT_ALLOWED': N_('Это действие недоступно для вашей роли.'),
    'TICKET_CHANGED': TICKET_CHANGED,
    'CONCURRENT_TRANSITION': N_('Тикет сейчас меняется. Повторите действие через несколько '
                                'секунд.'),
    'ETAG_MISMATCH': TICKET_CHANGED,  # for the person the same: someone changed it meanwhile
    'FILE_TOO_LARGE': FILE_TOO_LARGE,
    'FILE_TYPE_NOT_ALLOWED': N_('Такой тип файла не поддерживается: разрешены изображения, '
                                'PDF, документы Office, таблицы, текст, CSV, ZIP'),
    'STORAGE_FULL': N_('На сервере закончилось место для файлов. Сообщите студии; '
                       'уже введённое на странице сохранено.'),
    'FILE_CONTENT_MISSING': N_('Содержимое файла не найдено на сервере. Сообщите студии.'),
}

INVALID_VALUE = N_('неверное значение')

# BadRequest.FieldViolation.reason -> the words, with the reason's parameters.
FIELDS = {
    'FIELD_REASON_UNSPECIFIED': INVALID_VALUE,
    'REQUIRED': N_('обязательное поле'),
    'TOO_LONG': N_('не длиннее {maxLength} символов'),
    'TOO_SHORT': N_('не короче {minLength} символов'),
    'OUT_OF_RANGE': N_('от {min} до {max}'),
    'INVALID_CHARACTERS': N_('недопустимые символы'),
    'MALFORMED': INVALID_VALUE,
    'NOT_A_DATE': N_('дата в формате {pattern}'),  # the pattern of the reader's language
    'NOT_A_TIME': N_('время в формате ЧЧ:ММ'),
    'NOT_A_URL': N_('адрес сайта вида https://example.ru'),
    'NOT_AN_EMAIL': N_('введите адрес e-mail, например name@example.ru'),
    'UNKNOWN_TIME_ZONE': N_('неизвестный часовой пояс'),
    'DATE_IN_PAST': N_('дата не может быть раньше сегодняшней'),
    'TAKEN': N_('уже используется'),
    'NOT_UPDATABLE': N_('это поле нельзя изменить'),
    'TOO_LARGE': FILE_TOO_LARGE,
    'TYPE_NOT_ALLOWED': N_('такой тип файла не поддерживается'),
    'NOT_ORGANIZATION_SITE': N_('выберите сайт организации'),
    'NOT_ORGANIZATION_CONTACT': N_('выберите контакт вашей организации'),
    'NOT_STAFF_MEMBER': N_('выберите активного сотрудника студии'),
    'UNKNOWN_ORGANIZATION': N_('организация не найдена или отключена'),
    'ORGANIZATION_REQUIRED': N_('выберите организацию клиента'),
    'ORGANIZATION_NOT_ALLOWED': N_('у сотрудников студии нет организации'),
    'INVALID_TARGET_STATUS': N_('Вернуть можно только в работу или в очередь.'),
    'INVALID_RATING': N_('Оценка должна быть от 1 до 5.'),
    'ANSWER_BY_COMMENT': N_('на вопрос отвечают комментарием'),
    'PASSWORD_TOO_COMMON': N_('слишком распространённый пароль'),
    'PASSWORD_IS_EMAIL': N_('пароль не должен совпадать с e-mail'),
    'PASSWORD_WRONG': N_('текущий пароль указан неверно'),
    'OPENS_AFTER_CLOSES': N_('начало рабочего дня должно быть раньше конца'),
    'NO_WORKING_DAYS': N_('отметьте хотя бы один рабочий день недели'),
    'HOLIDAY_AND_WORKDAY': N_('дата {date} указана и праздником, и рабочим днём'),
    'INVALID_PAGE_TOKEN': N_('список изменился: откройте его заново'),
    'REQUEST_ID_REUSED': N_('этот запрос уже отправлен с другими данными: обновите страницу'),
}

# The words of a parameterized reason whose parameters did not come.
WITHOUT_PARAMS = {
    'TOO_LONG': N_('слишком длинное значение'),
    'TOO_SHORT': N_('слишком короткое значение'),
    'OUT_OF_RANGE': INVALID_VALUE,
    'TOO_LARGE': N_('Файл слишком большой'),
    'HOLIDAY_AND_WORKDAY': N_('дата указана и праздником, и рабочим днём'),
}


def error_message(reason: str, code_name: str, language: str,
                  metadata: Mapping[str, str] | None = None) -> str:
    """A failed call in words: by its ErrorReason name, else by its status code's name."""
    # An unspecified reason says no more than none: the status code tells more.
    msgid = ERRORS.get(reason) if reason != 'ERROR_REASON_UNSPECIFIED' else None
    msgid = msgid or BY_CODE.get(code_name, FAILED)
    if msgid == FILE_TOO_LARGE:
        max_bytes = (metadata or {}).get('maxBytes', '')
        if not max_bytes.isdigit():
            return translate(WITHOUT_PARAMS['TOO_LARGE'], language)
        return translate(msgid, language).format(limit=file_size(int(max_bytes), language))
    return translate(msgid, language)


def field_message(reason: str, params: Mapping[str, str], language: str) -> str:
    """One bad field in words: `TOO_LONG`, {'maxLength': '200'} -> «не длиннее 200 символов»."""
    msgid = FIELDS.get(reason, INVALID_VALUE)
    try:
        return translate(msgid, language).format(**_shown(params, language))
    except (KeyError, ValueError):  # a parameter the reason needs did not come
        return translate(WITHOUT_PARAMS.get(reason, INVALID_VALUE), language)


def field_problems(problems: list[tuple[str, str]], language: str) -> str:
    """[('Название', 'не длиннее 200 символов')] -> «Проверьте поля: Название — не длиннее
    200 символов»."""
    listed = '; '.join(f'{label} — {words}' for label, words in problems)
    return translate(FIELD_PROBLEMS, language).format(problems=listed)


def _shown(params: Mapping[str, str], language: str) -> dict[str, str]:
    """The parameters as the words show them: a size in units, a date as the reader's."""
    shown = {**params, 'pattern': input_hint(language)}
    if 'maxBytes' in params:
        shown['limit'] = file_size(int(params['maxBytes']), language)
    if 'date' in params:
        shown['date'] = format_iso_day(params['date'], language)
    return shown


def file_size(size: int, language: str) -> str:
    """`2621440` -> «2,5 МБ» (2.5 MB in English): binary units, one decimal."""
    if size < 1024:
        return translate(N_('{size} Б'), language).format(size=size)
    value, unit = size / 1024, N_('КБ')
    if value >= 1024:
        value, unit = value / 1024, N_('МБ')
    shown = f'{value:.1f}'.rstrip('0').rstrip('.')
    if language == 'ru':
        shown = shown.replace('.', ',')  # the Russian decimal comma
    return f'{shown} {translate(unit, language)}'
