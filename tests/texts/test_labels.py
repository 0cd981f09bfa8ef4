"""Labels of the domain's enums in each language; every value has one."""

from __future__ import annotations

import pytest

from texts import labels
from texts.catalog import translate
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb


def known(enum) -> list[int]:
    return [value for name, value in enum.items() if not name.endswith('_UNSPECIFIED')]


@pytest.mark.parametrize(('table', 'enum'), [
    (labels.STATUS, pb.Status), (labels.PRIORITY, pb.Priority),
    (labels.TEXT_KIND, pb.TextKind)])
def test_every_value_has_a_label(table, enum):
    assert set(table) == set(known(enum))
    for msgid in table.values():
        assert translate(msgid, 'en') != msgid, msgid


def test_every_action_a_button_shows_has_a_label():
    """ACTION_ANSWER is a client's comment, never a button."""
    assert set(labels.ACTION) == set(known(pb.Action)) - {pb.ACTION_ANSWER}


def test_every_role_has_a_code_and_a_title():
    assert set(labels.ROLE) == set(known(auth_pb2.Role))
    assert set(labels.ROLE_TITLE) == set(labels.ROLE.values())


@pytest.mark.parametrize(('language', 'expected'), [
    ('ru', ['Требует уточнений', 'Критический', 'Принять работы', 'Менеджер проекта',
            'Вопрос клиенту']),
    ('en', ['Needs clarification', 'Critical', 'Accept work', 'Project manager',
            'Question for the client']),
])
def test_labels_in_each_language(language, expected):
    assert [labels.status(pb.STATUS_NEEDS_INFO, language),
            labels.priority(pb.PRIORITY_CRITICAL, language),
            labels.action(pb.ACTION_ACCEPT, language),
            labels.role_title('manager', language),
            labels.text_kind(pb.TEXT_KIND_QUESTION, language)] == expected


def test_unknown_values():
    assert labels.status(pb.STATUS_UNSPECIFIED, 'ru') == '—'
    assert labels.priority(99, 'en') == '—'
    assert labels.action(pb.ACTION_ANSWER, 'ru') == 'ACTION_ANSWER'
    assert labels.role_title('robot', 'ru') == 'robot'
    assert labels.text_kind(pb.TEXT_KIND_UNSPECIFIED, 'ru') == 'Текст'


def test_choices_in_order():
    assert list(labels.priorities('en').values()) == ['Low', 'Normal', 'High', 'Critical']
    assert list(labels.statuses('ru')) == [pb.STATUS_QUEUED, pb.STATUS_IN_PROGRESS,
                                           pb.STATUS_NEEDS_INFO, pb.STATUS_AWAITING_ACCEPTANCE,
                                           pb.STATUS_DONE, pb.STATUS_CANCELLED]


def test_status_codes_of_the_workflow():
    assert labels.status_code('needs_info') == pb.STATUS_NEEDS_INFO
    assert labels.status_code('nonsense') == pb.STATUS_UNSPECIFIED
