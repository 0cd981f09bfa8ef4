"""The e-mails' words: every kind in both languages, user text verbatim, dates as the
reader's language writes them."""

from __future__ import annotations

import functools
import itertools
from datetime import UTC, datetime

import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from tests.workflows.notify.people import (
    CLIENT1,
    CLIENT2,
    DEV1,
    DEV2,
    SYSTEM,
    actor,
    notice,
    ticket,
)
from texts import LANGUAGES, labels
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.notify import texts
from workflows.notify.texts import CommentText

URL = "https://desk.example.test/"
ZONE = "Europe/Moscow"
render = functools.partial(texts.render, timezone=ZONE)
TRICKY = "Ответ {0} {title} %s <b>жирный</b> &amp; <script>alert(1)</script>\nвторая строка"
DETAILS = {
    "ticket_created": {},
    "status_changed": {"from_status": "queued", "to_status": "in_progress", "text": "ok"},
    "comment": {"comment": "tickets/1024/comments/5"},
    "internal_note": {"comment": "tickets/1024/comments/6"},
    "remarks": {"comment": "tickets/1024/comments/7"},
    "reminder": {"to_status": "needs_info"},
    "sla_warning": {"text": "first_response"},
    "sla_breach": {"text": "resolution"},
    "auto_accepted": {"from_status": "awaiting_acceptance", "to_status": "done",
                      "text": "Работы приняты автоматически"},
}


def test_every_phrase_and_label_is_there_in_every_language():
    assert set(texts.PHRASES) == set(LANGUAGES)
    assert set(texts.PHRASES["ru"]) == set(texts.PHRASES["en"])
    assert set(DETAILS) == set(texts.KINDS)
    for value in labels.STATUS:
        assert labels.status(value, "en") != labels.status(value, "ru")
    for value in labels.PRIORITY:
        assert labels.priority(value, "en") != labels.priority(value, "ru")


@pytest.mark.parametrize("kind,reader", list(itertools.product(texts.KINDS,
                                                               [CLIENT1, CLIENT2, DEV1, DEV2])))
def test_every_kind_renders_in_both_languages(kind, reader):
    mail = render(notice(kind, actor(DEV1), **DETAILS[kind]), ticket(assignee=DEV2.name),
                  reader, public_url=URL, comment=CommentText("Текст комментария"),
                  assignee_name="User 2")
    assert mail.language == reader.language
    assert mail.subject.startswith("[#1024] ")
    assert "Поменять баннер" in mail.subject and "\n" not in mail.subject
    assert "Поменять баннер" in mail.body
    assert "https://desk.example.test/tickets/1024" in mail.body
    assert "{" not in mail.body and "}" not in mail.body  # every field was filled
    greeting = "Здравствуйте, " if reader.language == "ru" else "Hello "
    assert mail.body.startswith(greeting + reader.full_name)


def test_a_status_change_names_the_new_status_in_the_readers_language():
    change = notice("status_changed", actor(DEV1), from_status="queued", to_status="in_progress")
    ru = render(change, ticket(), CLIENT1, public_url=URL)
    en = render(change, ticket(), CLIENT2, public_url=URL)
    assert ru.subject == "[#1024] Статус изменён: В работе — Поменять баннер"
    assert en.subject == "[#1024] Status changed: In progress — Поменять баннер"
    assert "В очереди → В работе" in ru.body and "Queued → In progress" in en.body
    assert "Автор: User 1" in ru.body and "By: User 1" in en.body


def test_the_question_and_the_call_to_answer_reach_the_client():
    question = notice("status_changed", actor(DEV1), from_status="in_progress",
                      to_status="needs_info", text="Какой размер баннера?")
    body = render(question, ticket(status=pb.STATUS_NEEDS_INFO), CLIENT1, public_url=URL).body
    assert "Вопрос:\nКакой размер баннера?" in body
    assert "Требуется ваш ответ" in body


def test_submitted_work_asks_the_client_to_accept():
    summary = notice("status_changed", actor(DEV1), from_status="in_progress",
                     to_status="awaiting_acceptance", text="Баннер заменён")
    ru = render(summary, ticket(), CLIENT1, public_url=URL)
    en = render(summary, ticket(), CLIENT2, public_url=URL)
    assert "Что сделано:\nБаннер заменён" in ru.body
    assert "«Принять работы»" in ru.body
    assert "What was done:\nБаннер заменён" in en.body and "Принять работы" in en.body


def test_staff_get_no_call_to_action_meant_for_clients():
    accepted = notice("status_changed", actor(CLIENT1), from_status="awaiting_acceptance",
                      to_status="done")
    body = render(accepted, ticket(status=pb.STATUS_DONE, rating=5), DEV1, public_url=URL).body
    assert "Оценка: 5 из 5" in body and "Принять работы" not in body


@pytest.mark.parametrize("status,words", [
    ("needs_info", "Требуется ваш ответ"),
    ("awaiting_acceptance", "Проверьте выполненные работы и нажмите «Принять работы»"),
])
def test_reminders_say_what_the_client_must_do(status, words):
    reminder = notice("reminder", to_status=status)
    open_ticket = ticket(status=pb.Status.Value(f"STATUS_{status.upper()}"),
                         status_note="Какой размер?")
    mail = render(reminder, open_ticket, CLIENT1, public_url=URL)
    assert words in mail.body
    assert labels.status(open_ticket.status, "ru") in mail.subject
    assert "Какой размер?" in mail.body


def test_user_text_is_kept_exactly_as_written():
    change = notice("status_changed", actor(DEV1), from_status="in_progress",
                    to_status="cancelled", text=TRICKY)
    mail = render(change, ticket(title="Баннер {x} <i>"), CLIENT1, public_url=URL)
    assert TRICKY in mail.body
    assert "Причина:" in mail.body
    assert "Баннер {x} <i>" in mail.subject
    comment = render(notice("comment", actor(DEV1), comment="tickets/1024/comments/5"),
                     ticket(), CLIENT1, public_url=URL, comment=CommentText(TRICKY))
    assert TRICKY in comment.body


def test_a_title_with_line_breaks_gives_a_one_line_subject():
    mail = render(notice("ticket_created"), ticket(title="Первая\r\nвторая " + "x" * 300), DEV1,
                  public_url=URL)
    assert "\n" not in mail.subject and "\r" not in mail.subject
    assert mail.subject.startswith("[#1024] Новый тикет: Первая вторая x")
    assert len(mail.subject) < 160


def test_an_internal_notes_text_never_reaches_a_client():
    secret = CommentText("секрет студии", internal=True)
    mail = render(notice("comment", actor(DEV1), comment="tickets/1024/comments/6"),
                  ticket(), CLIENT1, public_url=URL, comment=secret)
    assert "секрет" not in mail.body
    staff = render(notice("internal_note", actor(DEV1), comment="tickets/1024/comments/6"),
                   ticket(), DEV2, public_url=URL, comment=secret)
    assert "секрет студии" in staff.body and "The client does not see it" in staff.body


def test_a_new_ticket_shows_what_staff_need_to_triage_it():
    body = render(notice("ticket_created"), ticket(desired_date="2025-03-01"), DEV1,
                  public_url=URL).body
    for words in ("ООО Ромашка", "Высокий", "https://romashka.example", "User 11",
                  "01.03.2025", "Нужно заменить баннер: https://example.test/"):
        assert words in body


def test_sla_mails_name_the_target_and_the_assignee():
    breach = render(notice("sla_breach", text="first_response"), ticket(), DEV2,
                    public_url=URL, assignee_name="Иван Петров")
    assert breach.subject == ("[#1024] SLA breached: first response overdue — "
                              "Поменять баннер")
    assert "Assignee: Иван Петров" in breach.body
    warning = render(notice("sla_warning", text="resolution"), ticket(), DEV1, public_url=URL)
    assert "срок решения" in warning.subject and "Исполнитель: не назначен" in warning.body


def test_the_system_acts_under_its_own_name():
    mail = render(notice("auto_accepted", SYSTEM, to_status="done"), ticket(), CLIENT2,
                  public_url=URL)
    assert mail.subject == "[#1024] Work accepted automatically — Поменять баннер"
    assert "\"Done\"" in mail.body


def test_an_unknown_language_falls_back_to_russian():
    reader = type(CLIENT1)()
    reader.CopyFrom(CLIENT1)
    reader.language = "de"
    assert render(notice("reminder", to_status="needs_info"), ticket(), reader,
                  public_url=URL).language == "ru"


def due(moment: datetime) -> pb.Sla:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return pb.Sla(state=pb.Sla.STATE_RUNNING, due_time=stamp)


# The desired day 2026-12-05; the SLA due at 11:30 UTC, 14:30 in Moscow.
DUE = due(datetime(2026, 12, 5, 11, 30, tzinfo=UTC))


@pytest.mark.parametrize("reader,day,moment", [
    (DEV1, "Желаемая дата: 05.12.2026", "Срок SLA: 05.12.2026 14:30 (Europe/Moscow)"),
    (DEV2, "Desired date: Dec 5, 2026", "SLA due: Dec 5, 2026, 14:30 (Europe/Moscow)"),
], ids=["ru", "en"])
def test_dates_are_written_the_way_the_readers_language_writes_them(reader, day, moment):
    the_ticket = ticket(desired_date="2026-12-05", sla=DUE)
    created = render(notice("ticket_created"), the_ticket, reader, public_url=URL).body
    breach = render(notice("sla_breach", text="resolution"), the_ticket, reader,
                    public_url=URL).body
    assert day in created.splitlines()
    assert moment in breach.splitlines()
    if reader.language == "en":  # the defect: English mails showed Russian dates
        assert "05.12.2026" not in created + breach


def test_the_sla_due_time_is_shown_in_the_studios_time_zone():
    breach = texts.render(notice("sla_breach", text="resolution"), ticket(sla=DUE), DEV2,
                          public_url=URL, timezone="Asia/Vladivostok").body
    assert "SLA due: Dec 5, 2026, 21:30 (Asia/Vladivostok)" in breach.splitlines()


def test_a_paused_sla_clock_shows_no_due_time():
    paused = ticket(sla=pb.Sla(state=pb.Sla.STATE_PAUSED))
    for reader in (DEV1, DEV2):
        body = render(notice("sla_warning", text="resolution"), paused, reader,
                      public_url=URL).body
        assert not [line for line in body.splitlines()
                    if line.startswith(("Срок SLA", "SLA due"))]
