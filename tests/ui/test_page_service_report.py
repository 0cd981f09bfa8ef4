"""«Отчёты» → «Обслуживание» (the staff's default tab) and a client's service report, with
NiceGUI's simulated user on the real services: the tickets of an organization by week,
their backlog, times and ratings as charts over tables, narrowed by the address; the page
marks `reports-ready` once the report is shown; a failure says why and keeps the filters."""

from __future__ import annotations

import uuid
from datetime import date

import grpc
import pytest
from nicegui.testing import User

from tests.support.stack import Stack
from tests.ui.conftest import eventually, on_sqlite, see, signed_in, staff, table_rows, the
from tests.ui.test_page_reports import chart_options
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from ui.clients.errors import ApiError
from ui.clients.reports import ReportsClient
from ui.components.reports.filters import month_end

pytestmark = on_sqlite


async def move(stack: Stack, who, ticket: pb.Ticket, action: int, text: str = '',
               rating: int = 0) -> None:
    await stack.clients.tickets.TransitionTicket(pb.TransitionTicketRequest(
        name=ticket.name, action=action, text=text, rating=rating,
        request_id=uuid.uuid4().hex), metadata=who)


async def served(stack: Stack):
    """An organization with two sites: a ticket done (rated 4) and one in progress on the
    first, one queued on the second."""
    org = await stack.new_organization(sites=2)
    done = await stack.new_ticket(org, title='Баннер', site=org.sites[0])
    working = await stack.new_ticket(org, title='Форма', site=org.sites[0])
    await stack.new_ticket(org, title='Шапка', site=org.sites[1])
    developer = await stack.login((await staff(stack)).email)
    for ticket in (done, working):
        await move(stack, developer, ticket, pb.ACTION_START_WORK)
    await move(stack, developer, done, pb.ACTION_SUBMIT_FOR_ACCEPTANCE, 'Готово')
    await move(stack, org.client, done, pb.ACTION_ACCEPT, rating=4)
    return org


def ready(user: User) -> bool:
    return 'reports-ready' in the(user, 'reports').classes


async def test_staff_read_how_the_studio_served_an_organization(user: User, stack: Stack):
    org = await served(stack)
    manager = await staff(stack, auth_pb2.ROLE_MANAGER)
    await signed_in(user, manager.email)
    await user.open(f'/reports?org={org.name}')
    await see(user, marker='chart-weeks')
    assert ready(user)
    assert the(user, 'report-tabs').value == 'service'
    weeks = chart_options(user, 'chart-weeks')
    created, closed, still_open = (series['data'] for series in weeks['series'])
    assert (sum(created), sum(closed), still_open[-1]) == (3, 1, 2)
    assert [s['name'] for s in weeks['series']] == ['Создано', 'Закрыто',
                                                    'Открыто на конец недели']
    assert sum(row['created'] for row in table_rows(user, 'table-weeks')) == 3
    assert the(user, 'figure-closed-value').text == '1'
    assert the(user, 'figure-sla-value').text == '100 %'
    assert the(user, 'figure-rework-value').text == '0 %'
    assert the(user, 'figure-rating-value').text == '4'
    assert chart_options(user, 'chart-ratings')['series'][0]['data'] == [0, 0, 0, 1, 0]
    durations = {row['key']: row for row in table_rows(user, 'table-durations')}
    assert durations['resolution']['count'] == 1
    assert durations['first_response']['count'] == 2
    assert chart_options(user, 'chart-durations')['xAxis']['data'] == ['Первый ответ',
                                                                        'Решение']
    first = date.fromisoformat(table_rows(user, 'table-weeks')[0]['key'])  # this month's
    report = await stack.clients.tickets.GetServiceReport(pb.GetServiceReportRequest(
        start_date=first.isoformat(), end_date=month_end(first).isoformat(),
        organization=org.name), metadata=await stack.login(manager.email))
    if report.weeks[-1].backlog:  # the backlog by status, as the service tells it
        backlog = chart_options(user, 'chart-backlog')
        assert [s['name'] for s in backlog['series']] == ['В очереди', 'В работе',
                                                          'Требует уточнений',
                                                          'Ожидает приемку']
        assert [s['data'][-1] for s in backlog['series']] == [1, 1, 0, 0]
    else:
        the(user, 'backlog-empty')
    the(user, 'export-weeks-xlsx')
    the(user, 'export-summary-csv')

    # Narrowed to the second site, then to a priority nobody asked for.
    await user.open(f'/reports?org={org.name}&site={org.sites[1]}')
    await see(user, marker='chart-weeks')
    assert sum(chart_options(user, 'chart-weeks')['series'][0]['data']) == 1
    assert the(user, 'report-site').value == org.sites[1]
    await user.open(f'/reports?org={org.name}&priority=critical')
    await see(user, marker='report-empty')
    await see(user, 'За этот период тикетов нет')
    assert ready(user)
    assert the(user, 'report-priority').value == pb.PRIORITY_CRITICAL


async def test_the_time_tab_keeps_the_filters(user: User, stack: Stack):
    developer = await staff(stack)
    await signed_in(user, developer.email)
    await user.open('/reports?period=year')
    await see(user, marker='report-tab-time')
    user.find(marker='report-tab-time').click()
    await see(user, marker='statement')
    assert the(user, 'report-tabs').value == 'time'
    assert the(user, 'report-period').value == 'year'
    await user.should_not_see(marker='report-priority')
    await eventually(lambda: ready(user), True)


async def test_a_failed_service_report_says_why_and_keeps_the_filters(
        user: User, stack: Stack, monkeypatch: pytest.MonkeyPatch):
    async def refused(self, query):
        raise ApiError('Сервис временно недоступен', code=grpc.StatusCode.UNAVAILABLE)

    monkeypatch.setattr(ReportsClient, 'service', refused)
    developer = await staff(stack)
    await signed_in(user, developer.email)
    await user.open('/reports?period=quarter&priority=high')
    await see(user, marker='report-error')
    await see(user, 'Сервис временно недоступен')
    assert the(user, 'report-period').value == 'quarter'
    assert the(user, 'report-priority').value == pb.PRIORITY_HIGH
    assert ready(user)


async def test_a_client_sees_how_their_tickets_are_served(user: User, stack: Stack):
    org = await served(stack)
    await signed_in(user, org.email)
    await user.open('/reports')
    await see(user, marker='chart-weeks')
    weeks = chart_options(user, 'chart-weeks')
    assert sum(weeks['series'][0]['data']) == 3 and weeks['series'][2]['data'][-1] == 2
    durations = {row['key']: row for row in table_rows(user, 'table-durations')}
    assert durations['resolution']['count'] == 1
    the(user, 'reports-not-shared')  # the time: not shown to this organization
    for staff_only in ('report-summary', 'report-ratings', 'report-waiting',
                       'report-organization'):
        await user.should_not_see(marker=staff_only)
    assert ready(user)


async def test_own_period_fields_appear_when_chosen(user: User, stack: Stack):
    """«Свой период»: its day fields are made only when it is chosen (with the days of the
    period shown so far), hidden with another period, shown again; the end before the
    start is explained under it and nothing is asked; good days are shown and kept."""
    developer = await staff(stack)
    await signed_in(user, developer.email)
    await user.open('/reports?period=quarter')
    await see(user, marker='report-period')
    await user.should_not_see(marker='report-from')
    the(user, 'report-period').value = 'custom'
    await see(user, marker='report-from')
    first, last = (the(user, marker).value for marker in ('report-from', 'report-to'))
    assert first and last and first != last  # the quarter's first and last day
    the(user, 'report-period').value = 'year'
    await user.should_not_see(marker='report-from')
    the(user, 'report-period').value = 'custom'
    await see(user, marker='report-from')
    the(user, 'report-from').value, the(user, 'report-to').value = last, first
    user.find(marker='report-apply').click()
    await see(user, 'Конец периода раньше его начала')
    the(user, 'report-from').value, the(user, 'report-to').value = first, last
    user.find(marker='report-apply').click()
    await user.should_not_see('Конец периода раньше его начала')
    await eventually(lambda: ready(user), True)
    assert the(user, 'report-period').value == 'custom'
