"""The UI's languages (ui/i18n.py): the English catalog covers every marked text, and each
browser client reads the UI in the language its page was built with."""

from __future__ import annotations

import ast
import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from google.protobuf.timestamp_pb2 import Timestamp
from nicegui.client import Client
from nicegui.page import page

from ticketdesk.tickets.v1 import tickets_pb2 as pb
from ui import downloads, i18n, labels
from ui.components import attachments, history, sla, widgets
from ui.components.admin.common import business_days

UI = Path(i18n.__file__).parent
MOSCOW = 'Europe/Moscow'  # the studio's time zone, as its settings would give it
TEXTS = UI.parent / 'texts'
KEYWORDS = {'_': None, 'N_': None, 'pgettext': ((1, 'c'), 2)}  # as `make i18n` has them
PLACEHOLDER = re.compile(r'\{\w*\}|\\\d')


def extracted() -> set[tuple[str | None, str]]:
    """Every (context, msgid) marked in texts/ and ui/, as Babel's extractor (and `make i18n`)
    finds it."""
    return {(context, message) for folder in (TEXTS, UI)
            for _, _, message, _, context in extract_from_dir(
                folder, method_map=[('**.py', 'python')], keywords=KEYWORDS, comment_tags=())}


def catalog_entries(path: Path) -> dict[tuple[str | None, str], str]:
    with path.open('rb') as file:
        return {(m.context, m.id): m.string for m in read_po(file) if m.id}


EN = TEXTS / 'locale' / 'en' / 'LC_MESSAGES' / 'messages.po'
TEMPLATE = TEXTS / 'locale' / 'messages.pot'


# --- the catalogs -------------------------------------------------------------------------

def test_every_marked_text_has_an_english_translation():
    entries = catalog_entries(EN)
    untranslated = sorted(m for m in extracted() if not entries.get(m, '').strip())
    assert untranslated == [], 'run `make i18n` and translate these in ' + str(EN)


def test_the_catalogs_hold_no_stale_texts():
    marked = extracted()
    assert sorted(set(catalog_entries(EN)) - marked) == []
    assert set(catalog_entries(TEMPLATE)) == marked, 'run `make i18n`'


def test_translations_keep_the_placeholders():
    for (_, msgid), text in catalog_entries(EN).items():
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(msgid)), msgid


def test_every_marked_call_is_seen_by_the_extractor():
    """`_(f'…')`, `_(a + 'b')` or a marked call inside an f-string would never reach the
    catalog: a call takes one literal, or an expression holding no literal at all."""
    marked, problems = extracted(), []
    for path in sorted([*TEXTS.rglob('*.py'), *UI.rglob('*.py')]):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ('_', 'N_')):
                continue
            where = f'{path.relative_to(UI.parent)}:{node.lineno}'
            argument = node.args[0] if len(node.args) == 1 else None
            if isinstance(argument, ast.Constant):
                if (None, argument.value) not in marked:
                    problems.append(where)
            elif argument is None or any(_holds_text(n) for n in ast.walk(argument)):
                problems.append(where)
    assert problems == []


def _holds_text(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant)
                                               and isinstance(node.value, str))


def test_the_english_catalog_reads_naturally():
    entries = {msgid: text for (_, msgid), text in catalog_entries(EN).items()}
    assert entries['Создать тикет'] == 'Create ticket'
    assert entries['Принять работы'] == 'Accept work'
    assert entries['Комментарий'] == 'Comment'
    assert entries['Сохранить'] == 'Save'


# --- one language per client --------------------------------------------------------------

@contextmanager
def clients(*languages: str) -> Iterator[list[Client]]:
    """Browser clients of one page, each built in its language."""
    route = page('/i18n-test', language='ru')
    built = [Client(route) for _ in languages]
    try:
        for client, code in zip(built, languages):
            with client:
                i18n.use_language(code)
        yield built
    finally:
        for client in built:
            client.delete()


async def test_each_client_reads_its_own_language():
    with clients('en', 'ru') as (english, russian):
        with english:
            assert i18n._('Создать тикет') == 'Create ticket'
            assert labels.status(pb.STATUS_AWAITING_ACCEPTANCE) == 'Awaiting acceptance'
            assert (i18n._('Оценка'), i18n.pgettext('rating', 'Оценка')) == ('Estimate', 'Rating')
        with russian:
            assert i18n._('Создать тикет') == 'Создать тикет'
            assert labels.status(pb.STATUS_AWAITING_ACCEPTANCE) == 'Ожидает приемку'


async def test_quasar_and_the_html_tag_follow_the_client_not_the_route():
    with clients('en', 'ru') as (english, russian):
        assert english.page.resolve_language() == 'en-US'
        assert russian.page.resolve_language() == 'ru'
        assert english.page.path == russian.page.path == '/i18n-test'


async def test_an_unknown_language_means_russian():
    with clients('de') as (client,):
        with client:
            assert i18n.current_language() == 'ru'
            assert i18n._('Сохранить') == 'Сохранить'
        assert client.page.resolve_language() == 'ru'


def test_outside_any_page_the_ui_speaks_russian():
    assert i18n.current_language() == 'ru'
    assert i18n._('Сохранить') == 'Сохранить'
    assert i18n._('a text nobody marked') == 'a text nobody marked'


# --- labels, numbers and dates ------------------------------------------------------------

@pytest.mark.parametrize(('code', 'expected'), [
    ('ru', {'status': 'Требует уточнений', 'priority': 'Критический',
            'action': 'Принять работы', 'role': 'Менеджер проекта', 'field': 'Контакт',
            'day': '05.12.2026', 'moment': '05.12.2026 14:30', 'moment_day': '05.12.2026',
            'size': '2,5 МБ', 'hours': '2,5 ч', 'days': '21 рабочий день'}),
    ('en', {'status': 'Needs clarification', 'priority': 'Critical',
            'action': 'Accept work', 'role': 'Project manager', 'field': 'Contact',
            'day': 'Dec 5, 2026', 'moment': 'Dec 5, 2026, 14:30', 'moment_day': 'Dec 5, 2026',
            'size': '2.5 MB', 'hours': '2.5 h', 'days': '21 business days'}),
])
async def test_labels_numbers_and_dates_in_each_language(code, expected):
    stamp = Timestamp()
    stamp.FromDatetime(dt.datetime(2026, 12, 5, 11, 30, tzinfo=dt.UTC))  # 14:30 in Moscow
    with clients(code) as (client,), client:
        assert {
            'status': labels.status(pb.STATUS_NEEDS_INFO),
            'priority': labels.priority(pb.PRIORITY_CRITICAL),
            'action': labels.action(pb.ACTION_ACCEPT),
            'role': labels.role_title('manager'),
            'field': labels.field_labels()['user'],
            'day': labels.day('2026-12-05'),
            'moment': labels.moment(stamp, MOSCOW),
            'moment_day': labels.moment_day(stamp, MOSCOW),
            'size': attachments.format_size(2_621_440),
            'hours': history.hours('2.5'),
            'days': business_days(21),
        } == expected


async def test_selects_offer_translated_choices():
    with clients('en') as (client,), client:
        assert list(labels.priorities().values()) == ['Low', 'Normal', 'High', 'Critical']
        assert list(labels.statuses().values()) == [
            'Queued', 'In progress', 'Needs clarification', 'Awaiting acceptance', 'Done',
            'Cancelled']
        columns = i18n.columns([{'name': 'title', 'label': 'Название'},
                                {'name': 'actions', 'label': ''}])
        assert [c['label'] for c in columns] == ['Title', '']


def test_the_plain_file_pages_speak_the_account_language():
    english = downloads.file_page(downloads.NOT_FOUND, 'en')
    assert '<html lang="en-US">' in english and '<h1>File not found</h1>' in english
    assert 'All tickets' in english
    russian = downloads.file_page(downloads.UNAVAILABLE, 'ru')
    assert '<html lang="ru">' in russian and '<h1>Файл сейчас недоступен</h1>' in russian


@pytest.mark.parametrize(('code', 'shown', 'typing', 'picker', 'hint', 'problem'), [
    ('ru', '05.12.2026', '##.##.####', 'DD.MM.YYYY', 'ДД.ММ.ГГГГ',
     'Введите дату в формате ДД.ММ.ГГГГ'),
    ('en', '12/05/2026', '##/##/####', 'MM/DD/YYYY', 'MM/DD/YYYY',
     'Enter the date as MM/DD/YYYY'),
])
async def test_a_date_field_is_typed_and_picked_as_the_language_writes_dates(
        code, shown, typing, picker, hint, problem):
    with clients(code) as (client,), client:
        field = widgets.DateField('Дата', value='2026-12-05', earliest=dt.date(2026, 12, 1))
        assert field.input.value == shown and field.picker.value == shown
        assert (field.input.props['mask'], field.input.props['placeholder']) == (typing, hint)
        assert field.picker.props['mask'] == picker  # the calendar writes the same
        assert field.picker.props[':options'] == "d => d >= '2026/12/01'"
        assert (field.iso(), field.problem()) == ('2026-12-05', '')
        field.input.value = '31.31.2026' if code == 'ru' else '31/31/2026'
        assert field.problem() == problem
        assert field.iso() == field.input.value  # kept as typed, for the person to correct
        field.input.value = ''
        assert (field.day(), field.iso(), field.problem()) == (None, '', '')
        field.set_iso('2027-01-09')
        assert field.input.value == ('09.01.2027' if code == 'ru' else '01/09/2027')


async def test_sizes_over_the_limit_in_english():
    with clients('en') as (client,), client:
        assert attachments.format_size(2 * 1024 * 1024 + 1, limit=2 * 1024 * 1024) == '2.1 MB'
        assert attachments.too_large(2 * 1024 * 1024) == 'The file is larger than 2 MB'
        assert attachments.format_size(2 * 1024 * 1024 - 1) == '1.9 MB'


async def test_the_sla_clock_in_english():
    now = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)  # 12:00 in Moscow
    with clients('en') as (client,), client:
        assert sla.when(now + dt.timedelta(hours=2), now, MOSCOW) == 'today 14:00'
        assert sla.when(now + dt.timedelta(days=1), now, MOSCOW) == 'tomorrow 12:00'
        assert sla.when(now + dt.timedelta(days=3), now, MOSCOW) == 'Dec 8, 12:00'
