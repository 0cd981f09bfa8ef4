"""Labels and colours of the domain's enums in the reader's language (the labels are the
`texts` package's, shared with the e-mails), and the studio's time zone in which the UI
shows moments."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from google.protobuf.timestamp_pb2 import Timestamp

from services.common.platform.config import Settings
from texts import labels as texts_labels
from texts.labels import ACTION, PRIORITY, ROLE, ROLE_TITLE, STATUS, WAITING_FOR_CLIENT
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb

from . import i18n
from .i18n import N_, _

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

# The studio's time zone, in which moments and SLA due times read: the configured one
# (TICKETDESK_TIMEZONE) until the studio settings provide it (`use_studio_zone`).
_studio = {'zone': Settings.model_fields['timezone'].default}

# Form fields as the server names them (last path segment) -> the form's labels.
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
}


def status(value: int) -> str:
    return _(STATUS[value]) if value in STATUS else '—'


def statuses() -> dict[int, str]:
    """Every status and its label, in the workflow's order (for filters)."""
    return {value: _(title) for value, title in STATUS.items()}


def status_color(value: int) -> str:
    return STATUS_COLOR.get(value, 'grey-6')


def priority(value: int) -> str:
    return _(PRIORITY[value]) if value in PRIORITY else '—'


def priorities() -> dict[int, str]:
    """Every priority and its label, lowest first (for selects)."""
    return {value: _(title) for value, title in PRIORITY.items()}


def action(value: int) -> str:
    return _(ACTION[value]) if value in ACTION else pb.Action.Name(value)


def text_kind(value: int) -> str:
    """What the text an action takes is called (AllowedAction.text_kind): «Причина»."""
    return texts_labels.text_kind(value, i18n.current_language())


def role_title(role: str) -> str:
    """`manager` -> «Менеджер проекта»; unknown roles keep their name."""
    return _(ROLE_TITLE[role]) if role in ROLE_TITLE else role


def field(path: str) -> str:
    """`ticket.contact.user` -> «Контакт»; unknown fields keep their name."""
    for part in reversed(path.split('.')):
        if part in FIELD:
            return _(FIELD[part])
    return path


def day(iso: str) -> str:
    """`2025-03-01` -> `01.03.2025` (`Mar 1, 2025` in English); empty stays a dash."""
    if not iso:
        return '—'
    try:
        return i18n.format_day(date.fromisoformat(iso))
    except ValueError:
        return iso


def studio_zone() -> str:
    """The IANA time zone of the studio (`Europe/Moscow`): the one place the UI asks."""
    return _studio['zone']


def use_studio_zone(zone: str) -> None:
    _studio['zone'] = zone


def moment(stamp: Timestamp, zone: str | None = None) -> str:
    """A protobuf timestamp in the studio's time zone, `01.03.2025 14:05`."""
    if not stamp.seconds and not stamp.nanos:
        return '—'
    return i18n.format_moment(_local(stamp, zone or studio_zone()))


def moment_day(stamp: Timestamp, zone: str | None = None) -> str:
    """The day of a protobuf timestamp in the studio's time zone, `01.03.2025`."""
    if not stamp.seconds and not stamp.nanos:
        return '—'
    return i18n.format_day(_local(stamp, zone or studio_zone()).date())


def _local(stamp: Timestamp, zone: str) -> datetime:
    return stamp.ToDatetime(tzinfo=ZoneInfo('UTC')).astimezone(ZoneInfo(zone))
