"""«Отчёты» (/reports) with NiceGUI's simulated user on the real services: staff see the
time of a period by month, organization and developer (charts and tables), narrowed by the
address; a failed report says why and keeps the filters; a client sees their organization's
months only where it shows the time spent."""

from __future__ import annotations

import random
import uuid

import grpc
import pytest
from google.protobuf.field_mask_pb2 import FieldMask
from nicegui import ui
from nicegui.testing import User

from tests.support.stack import Stack
from tests.ui.conftest import on_sqlite, see, signed_in, staff, table_rows, the
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from ui.clients.errors import ApiError
from ui.clients.reports import ReportsClient

pytestmark = on_sqlite


def a_month() -> str:
    """A month of the past nobody else logs time in (the stack is shared)."""
    return f'{random.randint(1990, 2015)}-{random.randint(1, 12):02d}'


async def log(stack: Stack, who, ticket: pb.Ticket, minutes: int, day: str) -> None:
    await stack.clients.tickets.CreateTimeEntry(pb.CreateTimeEntryRequest(
        parent=ticket.name, time_entry=pb.TimeEntry(minutes=minutes, work_date=day,
                                                    note='работа'),
        request_id=uuid.uuid4().hex), metadata=who)


def chart_options(user: User, marker: str) -> dict:
    element = the(user, marker)
    assert isinstance(element, ui.echart)
    return element.options


async def test_staff_see_the_time_by_month_organization_and_developer(user: User,
                                                                       stack: Stack):
    month = a_month()
    org = await stack.new_organization()
    ticket = await stack.new_ticket(org, title='Баннер')
    developer = await staff(stack)
    as_developer = await stack.login(developer.email)
    await stack.clients.tickets.UpdateTicket(pb.UpdateTicketRequest(
        ticket=pb.Ticket(name=ticket.name, estimate_hours=5),
        update_mask=FieldMask(paths=['estimate_hours'])), metadata=as_developer)
    await log(stack, as_developer, ticket, 90, f'{month}-03')
    await log(stack, as_developer, ticket, 60, f'{month}-20')
    manager = await staff(stack, auth_pb2.ROLE_MANAGER)
    await signed_in(user, manager.email)
    await see(user, marker='reports-link')
    await user.open(f'/reports?view=time&period=custom&from={month}-01&to={month}-28')
    await see(user, marker='chart-months')
    months = chart_options(user, 'chart-months')
    assert months['series'][0]['data'] == [2.5]
    assert table_rows(user, 'table-months')[0]['hours'] == '2,5'
    organizations = chart_options(user, 'chart-organizations')
    title = (await stack.clients.auth.GetOrganization(auth_pb2.GetOrganizationRequest(
        name=org.name), metadata=stack.service)).display_name
    assert organizations['yAxis']['data'] == [title]
    assert [s['data'] for s in organizations['series']] == [[2.5], [5.0]]
    developers = chart_options(user, 'chart-developers')
    assert developers['yAxis']['data'] == [developer.full_name]
    assert table_rows(user, 'table-developers')[0]['estimate'] == '5'
    the(user, 'export-months-xlsx')  # the files' links are there

    # Narrowed by the address to another organization: nothing, said so.
    other = await stack.new_organization()
    await user.open(f'/reports?view=time&period=custom&from={month}-01&to={month}-28'
                    f'&org={other.name}')
    await see(user, marker='report-empty')
    await see(user, 'За этот период время не записано')


async def test_a_failed_report_says_why_and_keeps_the_filters(user: User, stack: Stack,
                                                             monkeypatch: pytest.MonkeyPatch):
    async def refused(self, grouping, query):
        raise ApiError('Сервис временно недоступен', code=grpc.StatusCode.UNAVAILABLE)

    monkeypatch.setattr(ReportsClient, 'summary', refused)
    developer = await staff(stack)
    await signed_in(user, developer.email)
    await user.open('/reports?view=time&period=year')
    await see(user, marker='report-error')
    await see(user, 'Сервис временно недоступен')
    assert the(user, 'report-period').value == 'year'


async def test_a_client_sees_their_months_only_where_the_time_is_shown(user: User,
                                                                       stack: Stack):
    month = a_month()
    org = await stack.new_organization()
    ticket = await stack.new_ticket(org, title='Форма заказа')
    developer = await staff(stack)
    await log(stack, await stack.login(developer.email), ticket, 45, f'{month}-10')
    await signed_in(user, org.email)
    await user.open(f'/reports?period=custom&from={month}-01&to={month}-28')
    await see(user, marker='reports-not-shared')
    await see(user, 'Студия не открывает отчёты о времени для вашей организации')

    await stack.clients.auth.UpdateOrganization(auth_pb2.UpdateOrganizationRequest(
        organization=auth_pb2.Organization(name=org.name, client_sees_time_spent=True),
        update_mask=FieldMask(paths=['client_sees_time_spent'])), metadata=stack.service)
    await user.open(f'/reports?period=custom&from={month}-01&to={month}-28')
    await see(user, marker='chart-months')
    assert chart_options(user, 'chart-months')['series'][0]['data'] == [0.75]
    rows = table_rows(user, 'table-tickets')
    assert [(r['number'], r['title'], r['hours']) for r in rows] == \
        [(str(ticket.number), 'Форма заказа', '0,75')]
    await user.should_not_see(developer.full_name)
    await user.should_not_see(marker='chart-developers')
