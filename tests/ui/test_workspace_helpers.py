"""The workspace's pure helpers: the SLA state of the queue, the history's Russian lines,
the queue's address."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import unquote_plus

from google.protobuf.timestamp_pb2 import Timestamp

from ticketdesk.tickets.v1 import tickets_pb2 as pb
from ui.history import describe, hours
from ui.pages.queue import OPEN, Filters
from ui.sla import sla_state, when

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # 12:00 in Moscow


def ticket(due: datetime | None = None, **fields) -> pb.Ticket:
    fields.setdefault('status', pb.STATUS_IN_PROGRESS)
    t = pb.Ticket(**fields)
    if due is not None:
        stamp = Timestamp()
        stamp.FromDatetime(due)
        t.sla_due_time.CopyFrom(stamp)
    return t


def test_sla_state():
    assert sla_state(ticket(NOW + timedelta(hours=5)), NOW).text == 'сегодня 17:00'
    assert sla_state(ticket(NOW + timedelta(hours=5)), NOW).kind == 'due'
    soon = sla_state(ticket(NOW + timedelta(minutes=90)), NOW)
    assert (soon.text, soon.kind, soon.color) == ('Скоро', 'soon', 'orange-9')
    assert 'сегодня 13:30' in soon.hint
    assert sla_state(ticket(NOW + timedelta(hours=2)), NOW).text == 'Скоро'
    assert sla_state(ticket(NOW + timedelta(hours=2, seconds=1)), NOW).text == 'сегодня 14:00'
    assert sla_state(ticket(NOW + timedelta(hours=1), sla_breached=True), NOW).text == 'Просрочен'
    assert sla_state(ticket(NOW - timedelta(minutes=1)), NOW).text == 'Просрочен'
    assert sla_state(ticket(None, sla_breached=True), NOW).kind == 'breached'
    paused = sla_state(ticket(None, status=pb.STATUS_NEEDS_INFO), NOW)
    assert (paused.text, paused.kind) == ('—', 'paused')
    assert sla_state(ticket(NOW + timedelta(hours=5), status=pb.STATUS_DONE), NOW).text == '—'
    waiting = ticket(NOW + timedelta(hours=5), status=pb.STATUS_AWAITING_ACCEPTANCE)
    assert sla_state(waiting, NOW).kind == 'paused'


def test_when_is_local_and_short():
    assert when(NOW + timedelta(days=1), NOW) == 'завтра 12:00'
    assert when(NOW + timedelta(days=3), NOW) == '28.11 12:00'
    assert when(NOW + timedelta(days=60), NOW) == '24.01.2027 12:00'
    assert when(datetime(2026, 11, 25, 20, 30, tzinfo=UTC), NOW) == 'сегодня 23:30'
    assert when(datetime(2026, 11, 25, 21, 30, tzinfo=UTC), NOW) == 'завтра 00:30'


def entry(field: str, old: str, new: str) -> pb.HistoryEntry:
    return pb.HistoryEntry(field=field, old_value=old, new_value=new,
                           actor_display_name='Дмитрий Козлов')


def test_history_lines_in_russian():
    people = {'users/d': 'Дмитрий Козлов'}

    def line(field, old, new, staff=True):
        found = describe(entry(field, old, new), people=people, staff=staff)
        return found and (found.field, found.change)

    assert line('status', '', 'queued') == ('Тикет создан', 'статус «В очереди»')
    assert line('status', 'queued', 'needs_info') == ('Статус', 'В очереди → Требует уточнений')
    assert line('assignee', '', 'users/d') == ('Исполнитель', 'назначено: Дмитрий Козлов')
    assert line('assignee', 'users/d', '') == ('Исполнитель', 'снято (было: Дмитрий Козлов)')
    assert line('assignee', '', 'users/x') == ('Исполнитель', 'назначено: сотрудник студии')
    assert line('estimate_hours', '0.0', '2.5') == ('Оценка', 'установлено: 2,5 ч')
    assert line('estimate_hours', '2.5', '6.0') == ('Оценка', '2,5 ч → 6 ч')
    assert line('planned_date', '', '2026-12-04') == ('Плановая дата', 'установлено: 04.12.2026')
    assert line('priority', 'normal', 'critical') == ('Приоритет', 'Обычный → Критический')
    assert line('has_remarks', 'False', 'True') == ('Замечания', 'клиент оставил замечания')
    assert line('rating', '0', '5') == ('Оценка работы', 'установлено: ★★★★★')
    assert line('sla_breached', '', 'first_response') == ('SLA', 'пропущен срок первого ответа')
    assert line('description', 'a', 'b') == ('Описание', 'изменено')
    # A client sees neither the studio's SLA nor its assignee nor its estimate.
    for field, new in (('sla_breached', 'resolution'), ('assignee', 'users/d'),
                       ('estimate_hours', '3.0')):
        assert line(field, '', new, staff=False) is None
    assert line('planned_date', '', '2026-12-04', staff=False) == (
        'Плановая дата', 'установлено: 04.12.2026')
    assert hours('10') == '10 ч'


def test_queue_address_round_trip():
    default = Filters()
    assert default.address() == '/queue'
    assert default.statuses == list(OPEN) and default.order == 'sla_due_time'
    assert not default.narrowed
    chosen = Filters(statuses=[pb.STATUS_NEEDS_INFO], organization='organizations/7',
                     site='organizations/7/sites/3', priorities=[pb.PRIORITY_HIGH],
                     assignee='me', sla='breached', order='priority desc', query='меню')
    assert chosen.narrowed
    params = dict(p.split('=', 1) for p in chosen.address().split('?', 1)[1].split('&'))
    assert Filters.parse({k: unquote_plus(v) for k, v in params.items()}) == chosen
    # Every status (no filter) is kept as such; junk falls back to the defaults.
    every = Filters(statuses=[])
    assert every.address() == '/queue?status='
    assert Filters.parse({'status': ''}).statuses == []
    junk = Filters.parse({'who': 'boss', 'sla': 'x', 'sort': 'title', 'status': 'nope',
                          'org': 'evil', 'site': 'organizations/8/sites/1'})
    assert (junk.assignee, junk.sla, junk.order, junk.statuses, junk.organization,
            junk.site) == ('anyone', 'all', 'sla_due_time', [], '', '')


def test_queue_request():
    request = Filters(assignee='me', sla='breached').request('users/d')
    assert request.assignee == 'users/d' and request.sla_breached_only
    assert list(request.statuses) == list(OPEN) and request.order_by == 'sla_due_time'
    assert Filters(assignee='unassigned').request('users/d').assignee == ''
