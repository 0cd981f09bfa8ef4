"""Labels and colours of the domain's enums in the reader's language (the labels are the
`texts` package's, shared with the e-mails), the forms' names of the services' fields, and
days and moments as the reader's language writes them.

Moments read in the studio's time zone, which the page reads from the studio settings when
it is built (`Session.zone`) and hands to what shows them: no zone is assumed here.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from google.protobuf.timestamp_pb2 import Timestamp

from texts import dates
from texts import labels as words
from texts.labels import ACTION, PRIORITY, ROLE, ROLE_TITLE, STATUS, WAITING_FOR_CLIENT
from ticketdesk.tickets.v1 import tickets_pb2 as pb

from .i18n import N_, _, current_language

__all__ = ['ACTION', 'FIELD', 'PRIORITY', 'PRIORITY_COLOR', 'ROLE', 'ROLE_TITLE', 'STATUS',
           'STATUS_COLOR', 'WAITING_FOR_CLIENT', 'action', 'day', 'field_labels', 'moment',
           'moment_day', 'priorities', 'priority', 'role_title', 'status', 'status_color',
           'statuses', 'text_kind']

STATUS_COLOR = {
    pb.STATUS_QUEUED: 'blue-grey-6',
    pb.STATUS_IN_PROGRESS: 'primary',
    pb.STATUS_NEEDS_INFO: 'orange-8',
    pb.STATUS_AWAITING_ACCEPTANCE: 'deep-purple-6',
    pb.STATUS_DONE: 'positive',
    pb.STATUS_CANCELLED: 'grey-6',
}

PRIORITY_COLOR = {
    pb.PRIORITY_LOW: 'grey-7',
    pb.PRIORITY_NORMAL: 'blue-grey-8',
    pb.PRIORITY_HIGH: 'orange-9',
    pb.PRIORITY_CRITICAL: 'negative',
}

# A ticket's fields as the services name them (the last segment of a violation's path) ->
# the forms' labels, for an error that lists the bad fields («Проверьте поля: …»).
FIELD = {
    'title': N_('Название'),
    'site': N_('URL сайта'),
    'contact': N_('Контакт'),
    'user': N_('Контакт'),
    'description': N_('Описание'),
    'desired_date': N_('Желаемая дата реализации'),
    'priority': N_('Приоритет'),
    'organization': N_('Организация'),
    'body': N_('Комментарий'),
    'text': N_('Текст'),
    'rating': N_('Оценка работы'),
    'assignee': N_('Исполнитель'),
    'estimate_hours': N_('Оценка, ч'),
    'planned_date': N_('Плановая дата'),
}


def status(value: int) -> str:
    return words.status(value, current_language())


def statuses() -> dict[int, str]:
    """Every status and its label, in the workflow's order (for filters)."""
    return words.statuses(current_language())


def status_color(value: int) -> str:
    return STATUS_COLOR.get(value, 'grey-6')


def priority(value: int) -> str:
    return words.priority(value, current_language())


def priorities() -> dict[int, str]:
    """Every priority and its label, lowest first (for selects)."""
    return words.priorities(current_language())


def action(value: int) -> str:
    return words.action(value, current_language())


def text_kind(value: int) -> str:
    """What the text an action takes is called (AllowedAction.text_kind): «Причина»."""
    return words.text_kind(value, current_language())


def role_title(role: str) -> str:
    """`manager` -> «Менеджер проекта»; unknown roles keep their name."""
    return words.role_title(role, current_language())


def field_labels() -> dict[str, str]:
    """The ticket's fields by their labels in the reader's language (`ApiError.explain`)."""
    return {name: _(label) for name, label in FIELD.items()}


def day(iso: str) -> str:
    """`2025-03-01` -> `01.03.2025` (`Mar 1, 2025` in English); empty: a dash."""
    return dates.format_iso_day(iso, current_language())


def moment(stamp: Timestamp, zone: str) -> str:
    """A protobuf timestamp in `zone`, `01.03.2025 14:05`; unset: a dash."""
    return dates.format_timestamp(stamp.seconds, stamp.nanos, current_language(), zone)


def moment_day(stamp: Timestamp, zone: str) -> str:
    """The day of a protobuf timestamp in `zone`, `01.03.2025`; unset: a dash."""
    if not stamp.seconds and not stamp.nanos:
        return '—'
    local = stamp.ToDatetime(tzinfo=dates.UTC).astimezone(ZoneInfo(zone))
    return dates.format_day(local.date(), current_language())
