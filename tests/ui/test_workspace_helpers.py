"""The workspace's pure helpers: the SLA state of the queue (as Ticket.sla says it), the
history's Russian lines, the queue's address and request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import unquote_plus

from google.protobuf.timestamp_pb2 import Timestamp

from ticketdesk.tickets.v1 import tickets_pb2 as pb
from ui.components.history import describe, hours
from ui.components.queue_filters import OPEN, Filters
from ui.components.sla import sla_state, when

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # 12:00 in Moscow
MOSCOW = 'Europe/Moscow'  # the studio's time zone, as its settings would give it
Sla = pb.Sla


def ticket(state: int = Sla.STATE_RUNNING, due: datetime | None = None, **fields) -> pb.Ticket:
    fields.setdefault('status', pb.STATUS_IN_PROGRESS)
    t = pb.Ticket(sla=Sla(state=state), **fields)
    if due is not None:
        stamp = Timestamp()
        stamp.FromDatetime(due)
        t.sla.due_time.CopyFrom(stamp)
    return t


def test_sla_state_presents_the_workflow_clock():
    assert sla_state(ticket(due=NOW + timedelta(hours=5)), MOSCOW, NOW).text == 'сегодня 17:00'
    assert sla_state(ticket(due=NOW + timedelta(hours=5)), MOSCOW, NOW).kind == 'due'
    soon = sla_state(ticket(due=NOW + timedelta(minutes=90)), MOSCOW, NOW)
    assert (soon.text, soon.kind, soon.color) == ('Скоро', 'soon', 'orange-9')
    assert 'сегодня 13:30' in soon.hint
    assert sla_state(ticket(due=NOW + timedelta(hours=2)), MOSCOW, NOW).text == 'Скоро'
    assert sla_state(ticket(due=NOW + timedelta(hours=2, seconds=1)), MOSCOW, NOW).text == \
        'сегодня 14:00'
    # Breached is the workflow's word, whatever the due time.
    late = sla_state(ticket(Sla.STATE_BREACHED, NOW + timedelta(hours=1)), MOSCOW, NOW)
    assert (late.text, late.kind, late.color) == ('Просрочен', 'breached', 'negative')
    assert 'сегодня 13:00' in late.hint
    assert sla_state(ticket(Sla.STATE_BREACHED), MOSCOW, NOW).hint == 'Цель SLA пропущена'
    paused = sla_state(ticket(Sla.STATE_PAUSED, status=pb.STATUS_NEEDS_INFO), MOSCOW, NOW)
    assert (paused.text, paused.kind) == ('—', 'paused')
    assert 'паузе' in paused.hint
    stopped = sla_state(ticket(Sla.STATE_STOPPED, status=pb.STATUS_DONE), MOSCOW, NOW)
    assert (stopped.text, stopped.hint) == ('—', '')
    # A client's ticket carries no clock at all.
    assert sla_state(pb.Ticket(status=pb.STATUS_IN_PROGRESS), MOSCOW, NOW).text == '—'


def test_sla_times_read_in_the_studio_zone():
    vladivostok = 'Asia/Vladivostok'  # UTC+10
    assert sla_state(ticket(due=NOW + timedelta(hours=5)), vladivostok, NOW).text == \
        'завтра 00:00'
    assert when(NOW, NOW, vladivostok) == 'сегодня 19:00'


def test_when_is_local_and_short():
    assert when(NOW + timedelta(days=1), NOW, MOSCOW) == 'завтра 12:00'
    assert when(NOW + timedelta(days=3), NOW, MOSCOW) == '28.11 12:00'
    assert when(NOW + timedelta(days=60), NOW, MOSCOW) == '24.01.2027 12:00'
    assert when(datetime(2026, 11, 25, 20, 30, tzinfo=UTC), NOW, MOSCOW) == 'сегодня 23:30'
    assert when(datetime(2026, 11, 25, 21, 30, tzinfo=UTC), NOW, MOSCOW) == 'завтра 00:30'


def entry(field: str, old: str, new: str) -> pb.HistoryEntry:
    return pb.HistoryEntry(field=field, old_value=old, new_value=new,
                           actor_display_name='Дмитрий Козлов')


def test_history_lines_in_russian():
    people = {'users/d': 'Дмитрий Козлов'}

    def line(field, old, new, staff=True):
        found = describe(entry(field, old, new), people=people, staff=staff, zone=MOSCOW)
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


def test_what_the_queue_asks_for():
    mine = Filters(assignee='me', sla='breached').criteria('users/d')
    assert mine['assignee'] == 'users/d' and mine['sla_breached_only']
    assert not mine['unassigned_only']
    assert list(mine['statuses']) == list(OPEN) and mine['order_by'] == 'sla_due_time'
    # «Не назначены» is the service's filter, paged by the service like any other.
    unassigned = Filters(assignee='unassigned').criteria('users/d')
    assert (unassigned['assignee'], unassigned['unassigned_only']) == ('', True)
    assert list(unassigned['statuses']) == list(OPEN) and unassigned['page_size'] == 25
