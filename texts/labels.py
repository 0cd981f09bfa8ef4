"""Labels of the domain's enums, as the client instruction names them.

The dicts hold the Russian msgids, keyed by the protobuf values; the functions answer in
the language asked for."""

from __future__ import annotations

from texts.catalog import N_, translate
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb

STATUS = {
    pb.STATUS_QUEUED: N_('В очереди'),
    pb.STATUS_IN_PROGRESS: N_('В работе'),
    pb.STATUS_NEEDS_INFO: N_('Требует уточнений'),
    pb.STATUS_AWAITING_ACCEPTANCE: N_('Ожидает приемку'),
    pb.STATUS_DONE: N_('Выполнен'),
    pb.STATUS_CANCELLED: N_('Отменён'),
}

# The statuses in which the studio waits for the client: they must stand out.
WAITING_FOR_CLIENT = (pb.STATUS_NEEDS_INFO, pb.STATUS_AWAITING_ACCEPTANCE)

PRIORITY = {
    pb.PRIORITY_LOW: N_('Низкий'),
    pb.PRIORITY_NORMAL: N_('Обычный'),
    pb.PRIORITY_HIGH: N_('Высокий'),
    pb.PRIORITY_CRITICAL: N_('Критический'),
}

ACTION = {
    pb.ACTION_START_WORK: N_('Взять в работу'),
    pb.ACTION_RETURN_TO_QUEUE: N_('Вернуть в очередь'),
    pb.ACTION_ASK_CLARIFICATION: N_('Запросить уточнение'),
    pb.ACTION_CONTINUE_WITHOUT_ANSWER: N_('Продолжить без ответа'),
    pb.ACTION_SUBMIT_FOR_ACCEPTANCE: N_('Сдать на приемку'),
    pb.ACTION_ACCEPT: N_('Принять работы'),
    pb.ACTION_TAKE_BACK: N_('Вернуть в доработку'),
    pb.ACTION_WITHDRAW: N_('Отозвать тикет'),
    pb.ACTION_CLOSE: N_('Закрыть тикет'),
}

# What the text of an action is called (Ticket.allowed_actions says which one it takes).
TEXT_KIND = {
    pb.TEXT_KIND_QUESTION: N_('Вопрос клиенту'),
    pb.TEXT_KIND_SUMMARY: N_('Что сделано'),
    pb.TEXT_KIND_REASON: N_('Причина'),
}

ROLE = {
    auth_pb2.ROLE_CLIENT: 'client',
    auth_pb2.ROLE_DEVELOPER: 'developer',
    auth_pb2.ROLE_MANAGER: 'manager',
    auth_pb2.ROLE_SERVICE: 'service',
}

ROLE_TITLE = {
    'client': N_('Клиент'),
    'developer': N_('Разработчик'),
    'manager': N_('Менеджер проекта'),
    'service': N_('Служба'),
}


def status(value: int, language: str) -> str:
    return translate(STATUS[value], language) if value in STATUS else '—'


def status_code(code: str) -> int:
    """`needs_info` (the workflow's and search attributes' spelling) -> the proto value."""
    try:
        return pb.Status.Value(f'STATUS_{code.upper()}')
    except ValueError:
        return pb.STATUS_UNSPECIFIED


def statuses(language: str) -> dict[int, str]:
    """Every status and its label, in the workflow's order (for filters)."""
    return {value: translate(title, language) for value, title in STATUS.items()}


def priority(value: int, language: str) -> str:
    return translate(PRIORITY[value], language) if value in PRIORITY else '—'


def priorities(language: str) -> dict[int, str]:
    """Every priority and its label, lowest first (for selects)."""
    return {value: translate(title, language) for value, title in PRIORITY.items()}


def action(value: int, language: str) -> str:
    return translate(ACTION[value], language) if value in ACTION else pb.Action.Name(value)


def text_kind(value: int, language: str) -> str:
    """What the text an action takes is called: TEXT_KIND_QUESTION -> «Вопрос клиенту»."""
    return translate(TEXT_KIND.get(value, N_('Текст')), language)


def role_title(role: str, language: str) -> str:
    """`manager` -> «Менеджер проекта»; unknown roles keep their name."""
    return translate(ROLE_TITLE[role], language) if role in ROLE_TITLE else role
