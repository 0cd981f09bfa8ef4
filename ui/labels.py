"""Russian labels and colours of the domain's enums, as the client instruction names them."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from google.protobuf.timestamp_pb2 import Timestamp

from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb

STATUS = {
    pb.STATUS_QUEUED: 'В очереди',
    pb.STATUS_IN_PROGRESS: 'В работе',
    pb.STATUS_NEEDS_INFO: 'Требует уточнений',
    pb.STATUS_AWAITING_ACCEPTANCE: 'Ожидает приемку',
    pb.STATUS_DONE: 'Выполнен',
    pb.STATUS_CANCELLED: 'Отменён',
}

STATUS_COLOR = {
    pb.STATUS_QUEUED: 'blue-grey-6',
    pb.STATUS_IN_PROGRESS: 'primary',
    pb.STATUS_NEEDS_INFO: 'orange-8',
    pb.STATUS_AWAITING_ACCEPTANCE: 'deep-purple-6',
    pb.STATUS_DONE: 'positive',
    pb.STATUS_CANCELLED: 'grey-6',
}

# The statuses in which the studio waits for the client: they must stand out.
WAITING_FOR_CLIENT = (pb.STATUS_NEEDS_INFO, pb.STATUS_AWAITING_ACCEPTANCE)

PRIORITY = {
    pb.PRIORITY_LOW: 'Низкий',
    pb.PRIORITY_NORMAL: 'Обычный',
    pb.PRIORITY_HIGH: 'Высокий',
    pb.PRIORITY_CRITICAL: 'Критический',
}

PRIORITY_COLOR = {
    pb.PRIORITY_LOW: 'grey-7',
    pb.PRIORITY_NORMAL: 'blue-grey-8',
    pb.PRIORITY_HIGH: 'orange-9',
    pb.PRIORITY_CRITICAL: 'negative',
}

ACTION = {
    pb.ACTION_START_WORK: 'Взять в работу',
    pb.ACTION_RETURN_TO_QUEUE: 'Вернуть в очередь',
    pb.ACTION_ASK_CLARIFICATION: 'Запросить уточнение',
    pb.ACTION_CONTINUE_WITHOUT_ANSWER: 'Продолжить без ответа',
    pb.ACTION_SUBMIT_FOR_ACCEPTANCE: 'Сдать на приемку',
    pb.ACTION_ACCEPT: 'Принять работы',
    pb.ACTION_TAKE_BACK: 'Вернуть в доработку',
    pb.ACTION_WITHDRAW: 'Отозвать тикет',
    pb.ACTION_CLOSE: 'Закрыть тикет',
}

# What the text of an action is called in its dialog (the rules say which actions need one).
ACTION_TEXT = {
    'question': 'Вопрос клиенту',
    'summary': 'Что сделано',
    'reason': 'Причина',
}

ROLE = {
    auth_pb2.ROLE_CLIENT: 'client',
    auth_pb2.ROLE_DEVELOPER: 'developer',
    auth_pb2.ROLE_MANAGER: 'manager',
    auth_pb2.ROLE_SERVICE: 'service',
}

ROLE_TITLE = {
    'client': 'Клиент',
    'developer': 'Разработчик',
    'manager': 'Менеджер проекта',
    'service': 'Служба',
}

# Form fields as the server names them (last path segment) -> the form's labels.
FIELD = {
    'title': 'Название',
    'site': 'URL сайта',
    'contact': 'Контакт',
    'user': 'Контакт',
    'description': 'Описание',
    'desired_date': 'Желаемая дата реализации',
    'priority': 'Приоритет',
    'organization': 'Организация',
    'body': 'Комментарий',
    'text': 'Текст',
    'rating': 'Оценка',
}


def status(value: int) -> str:
    return STATUS.get(value, '—')


def status_color(value: int) -> str:
    return STATUS_COLOR.get(value, 'grey-6')


def priority(value: int) -> str:
    return PRIORITY.get(value, '—')


def action(value: int) -> str:
    return ACTION.get(value, pb.Action.Name(value))


def field(path: str) -> str:
    """`ticket.contact.user` -> «Контакт»; unknown fields keep their name."""
    for part in reversed(path.split('.')):
        if part in FIELD:
            return FIELD[part]
    return path


def day(iso: str) -> str:
    """`2025-03-01` -> `01.03.2025`; empty stays a dash."""
    if not iso:
        return '—'
    try:
        return date.fromisoformat(iso).strftime('%d.%m.%Y')
    except ValueError:
        return iso


def moment(stamp: Timestamp, zone: str = 'Europe/Moscow') -> str:
    """A protobuf timestamp in the studio's time zone, `01.03.2025 14:05`."""
    if not stamp.seconds and not stamp.nanos:
        return '—'
    when: datetime = stamp.ToDatetime(tzinfo=ZoneInfo('UTC')).astimezone(ZoneInfo(zone))
    return when.strftime('%d.%m.%Y %H:%M')
