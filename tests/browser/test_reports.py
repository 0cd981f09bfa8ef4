"""«Отчёты» in real Chromium on `ticketdesk dev`: time logged through gRPC by the demo
developer and manager on tickets of both demo organizations, in a month of the past that is
this module's alone; a manager reads it by month, organization and developer (the ECharts
instances hold the numbers), in Russian and in English, and downloads every summary, the
entries and the monthly statement, read back with openpyxl and csv; a client of an
organization that does not show its time is told so, and once a manager shows it the
client sees their months and tickets, and nothing of the studio's."""

from __future__ import annotations

import calendar
import io
import random
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

import pytest
from google.protobuf.field_mask_pb2 import FieldMask
from openpyxl import load_workbook
from playwright.async_api import Page, expect

from cli.demo import login as demo_login
from tests.support.browser import CALL_TIMEOUT, TIMEOUT, Backend, sign_in
from tests.support.reports import (Served, chart, download, export, fetched, rows_of_csv,
                                   rows_of_xlsx, serve, served_report, unserve)
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb

MONTHS_RU = {3: 'Март', 7: 'Июль'}
MONTHS_EN = {3: 'March', 7: 'July'}


@dataclass
class Scene:
    month: str  # YYYY-MM
    romashka: pb.Ticket
    vasiliev: pb.Ticket
    organizations: dict[str, str]  # demo key -> organizations/{id}

    @property
    def address(self) -> str:
        year, month = map(int, self.month.split('-'))
        last = calendar.monthrange(year, month)[1]
        return f'/reports?view=time&period=custom&from={self.month}-01&to={self.month}-{last}'

    def title(self, months: dict[int, str]) -> str:
        year, month = self.month.split('-')
        return f'{months[int(month)]} {year}'


async def log_time(backend: Backend, ticket: pb.Ticket, who: str, minutes: int, day: str,
                   note: str) -> None:
    await backend.tickets.CreateTimeEntry(pb.CreateTimeEntryRequest(
        parent=ticket.name, time_entry=pb.TimeEntry(minutes=minutes, work_date=day, note=note),
        request_id=uuid.uuid4().hex), metadata=await backend.as_(who), timeout=CALL_TIMEOUT)


async def estimate(backend: Backend, ticket: pb.Ticket, hours: float) -> None:
    await backend.tickets.UpdateTicket(pb.UpdateTicketRequest(
        ticket=pb.Ticket(name=ticket.name, estimate_hours=hours),
        update_mask=FieldMask(paths=['estimate_hours'])),
        metadata=await backend.as_('developer'), timeout=CALL_TIMEOUT)


async def organization_of(backend: Backend, key: str) -> str:
    me = await backend.auth.WhoAmI(auth_pb2.WhoAmIRequest(), metadata=await backend.as_(key),
                                   timeout=CALL_TIMEOUT)
    return me.user.organization


async def show_time(backend: Backend, organization: str, value: bool) -> None:
    await backend.auth.UpdateOrganization(auth_pb2.UpdateOrganizationRequest(
        organization=auth_pb2.Organization(name=organization, client_sees_time_spent=value),
        update_mask=FieldMask(paths=['client_sees_time_spent'])),
        metadata=await backend.as_('manager'), timeout=CALL_TIMEOUT)


@pytest.fixture(scope='module')
async def scene(backend: Backend) -> AsyncIterator[Scene]:
    """In a month of the past nobody else logs time in: Ромашка's ticket (estimate 6 h) has
    the developer's 1 h 30 min and the manager's 1 h, Васильев's (3 h) the developer's 45 min."""
    month = f'{random.randint(1995, 2015)}-{random.choice([3, 7]):02d}'
    tag = uuid.uuid4().hex[:4]
    romashka = await backend.ticket(f'Отчёт: меню {tag}', pb.STATUS_IN_PROGRESS)
    vasiliev = await backend.ticket(f'Отчёт: форма {tag}', pb.STATUS_IN_PROGRESS,
                                    client='vasiliev')
    await estimate(backend, romashka, 6)
    await estimate(backend, vasiliev, 3)
    await log_time(backend, romashka, 'developer', 90, f'{month}-05', 'Поправил меню')
    await log_time(backend, romashka, 'manager', 60, f'{month}-12', 'Согласовал макет')
    await log_time(backend, vasiliev, 'developer', 45, f'{month}-20', '=1+1 проверка формы')
    yield Scene(month, romashka, vasiliev,
                {key: await organization_of(backend, key) for key in ('romashka', 'vasiliev')})
    await backend.withdraw(romashka)
    await backend.withdraw(vasiliev, client='vasiliev')


async def test_a_manager_reads_and_downloads_the_reports(base_url, new_page, scene, screenshot):
    developer, manager = demo_login('developer').full_name, demo_login('manager').full_name
    page = await new_page()
    await sign_in(page, base_url, 'manager')
    await page.get_by_role('button', name='Отчёты').click()
    await expect(page).to_have_url(f'{base_url}/reports', timeout=TIMEOUT)
    await page.goto(base_url + scene.address)

    months = await chart(page, 'months')
    assert months['x'] == [scene.title(MONTHS_RU)]
    assert months['series'] == [{'name': 'Затрачено, ч', 'data': [3.25]}]
    organizations = await chart(page, 'organizations')
    assert organizations['y'] == ['ООО Ромашка', 'ИП Васильев']
    assert organizations['series'] == [{'name': 'Затрачено, ч', 'data': [2.5, 0.75]},
                                       {'name': 'Оценка, ч', 'data': [6, 3]}]
    developers = await chart(page, 'developers')
    assert developers['y'] == [developer, manager]
    assert developers['series'] == [{'name': 'Затрачено, ч', 'data': [2.25, 1]},
                                    {'name': 'Оценка, ч', 'data': [9, 6]}]
    await expect(page.get_by_text('Всего: 3,25 ч, записей: 3')).to_be_visible()
    table = page.locator('.td-report-organizations table')
    await expect(table.get_by_role('row').filter(has_text='ООО Ромашка')) \
        .to_contain_text('2,5')
    await screenshot(page, 'reports')

    # Each summary as a file: XLSX saved by the browser, CSV asked with the page's session.
    by_organization = rows_of_xlsx(await download(page, export(page, 'organizations', 'xlsx')))
    assert by_organization == [
        ['Организация', 'Затрачено, ч', 'Минуты', 'Оценка, ч', 'Тикетов', 'Записей'],
        ['ООО Ромашка', 2.5, 150, 6, 1, 2], ['ИП Васильев', 0.75, 45, 3, 1, 1],
        ['Итого', 3.25, 195, 9, None, 3]]
    assert rows_of_csv(await fetched(page, export(page, 'months', 'csv'))) == [
        ['Месяц', 'Затрачено, ч', 'Минуты', 'Оценка, ч', 'Тикетов', 'Записей'],
        [scene.month, '3,25', '195', '9,00', '2', '3']]
    assert rows_of_csv(await fetched(page, export(page, 'developers', 'csv')))[1:] == [
        [developer, '2,25', '135', '9,00', '2', '2'], [manager, '1,00', '60', '6,00', '1', '1']]
    by_ticket = rows_of_xlsx(await fetched(page, export(page, 'tickets', 'xlsx')))
    assert by_ticket[1:3] == [
        [scene.romashka.number, scene.romashka.title, 'ООО Ромашка', 'В работе', 2.5, 150, 6, 2],
        [scene.vasiliev.number, scene.vasiliev.title, 'ИП Васильев', 'В работе', 0.75, 45, 3,
         1]]
    entries = rows_of_xlsx(await download(page, export(page, 'entries', 'xlsx')))
    assert entries[0] == ['Дата', 'Тикет', 'Название', 'Организация', 'Автор', 'Часы', 'Минуты',
                          'Что сделано']
    assert entries[1:4] == [
        [datetime.fromisoformat(f'{scene.month}-20'), scene.vasiliev.number,
         scene.vasiliev.title, 'ИП Васильев', developer, 0.75, 45, '=1+1 проверка формы'],
        [datetime.fromisoformat(f'{scene.month}-12'), scene.romashka.number,
         scene.romashka.title, 'ООО Ромашка', manager, 1, 60, 'Согласовал макет'],
        [datetime.fromisoformat(f'{scene.month}-05'), scene.romashka.number,
         scene.romashka.title, 'ООО Ромашка', developer, 1.5, 90, 'Поправил меню']]
    assert entries[4][5:7] == [3.25, 195]  # «Итого»
    as_csv = rows_of_csv(await fetched(page, export(page, 'entries', 'csv')))
    assert [row[5] for row in as_csv[1:]] == ['0,75', '1,00', '1,50']
    assert as_csv[1][7] == "'=1+1 проверка формы"  # never a formula

    # The monthly statement: the report's organization and its one month are chosen.
    await page.goto(base_url + scene.address + f'&org={scene.organizations["romashka"]}')
    assert (await chart(page, 'organizations'))['y'] == ['ООО Ромашка']
    card = page.locator('.td-statement')
    await expect(card).to_contain_text('ООО Ромашка')
    await expect(card).to_contain_text(scene.title(MONTHS_RU))
    book = load_workbook(io.BytesIO(await download(
        page, card.locator('a[href^="/reports/statement.xlsx?"]'))))
    assert book.sheetnames == ['Отчёт за месяц', 'Тикеты', 'Записи']
    cover = {row[0]: row[1] for row in book['Отчёт за месяц'].iter_rows(values_only=True)
             if row[0]}
    assert cover['Организация'] == 'ООО Ромашка' and cover['Затрачено, ч'] == 2.5
    assert cover['Месяц'] == scene.title(MONTHS_RU) and cover['Студия'] == 'TicketDesk'
    sheets = {name: [list(row) for row in book[name].iter_rows(values_only=True)]
              for name in ('Тикеты', 'Записи')}
    assert sheets['Тикеты'][1] == [scene.romashka.number, scene.romashka.title, 'В работе',
                                   2.5, 150, 6, 2]
    assert [row[3:5] for row in sheets['Записи'][1:3]] == [[manager, 1], [developer, 1.5]]

    # On a phone the page keeps to the screen's width (the charts follow it).
    await page.set_viewport_size({'width': 390, 'height': 844})
    await expect(page.get_by_role('button', name='Отчёты')).to_be_in_viewport()
    await page.wait_for_timeout(300)  # the charts' resize
    assert await page.evaluate(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth') == 0
    await screenshot(page, 'reports-phone')


async def test_the_reports_in_english(base_url, new_page, backend, scene, screenshot):
    developer = demo_login('developer').full_name
    async with backend.language(['manager'], 'en'):
        page = await new_page()
        await sign_in(page, base_url, 'manager')
        await page.get_by_role('button', name='Reports').click()
        await expect(page.get_by_role('button', name='This month')).to_be_visible()
        await page.goto(base_url + scene.address)
        months = await chart(page, 'months')
        assert months['x'] == [scene.title(MONTHS_EN)]
        assert months['series'] == [{'name': 'Hours logged', 'data': [3.25]}]
        organizations = await chart(page, 'organizations')
        assert organizations['legend'] == ['Hours logged', 'Estimate, h']
        assert [s['data'] for s in organizations['series']] == [[2.5, 0.75], [6, 3]]
        developers = await chart(page, 'developers')
        assert developers['y'][0] == developer
        assert [s['data'] for s in developers['series']] == [[2.25, 1], [9, 6]]
        await expect(page.get_by_text('Total: 3.25 h, entries: 3')).to_be_visible()
        await expect(page.get_by_text('Logged and estimated by organization')).to_be_visible()
        await screenshot(page, 'reports', 'en')
        assert rows_of_csv(await fetched(page, export(page, 'months', 'csv'))) == [
            ['Month', 'Hours logged', 'Minutes', 'Estimate, h', 'Tickets', 'Entries'],
            [scene.month, '3.25', '195', '9.00', '2', '3']]
        by_developer = rows_of_xlsx(await download(page, export(page, 'developers', 'xlsx')))
        assert by_developer[0][0] == 'Developer' and by_developer[1][:3] == [developer, 2.25,
                                                                             135]
        statement = await page.request.get(
            f'{base_url}/reports/statement.xlsx?org={scene.organizations["vasiliev"]}'
            f'&month={scene.month}')
        book = load_workbook(io.BytesIO(await statement.body()))
        assert book.sheetnames == ['Monthly statement', 'Tickets', 'Entries']
        assert [list(r) for r in book['Tickets'].iter_rows(values_only=True)][1][2] == \
            'In progress'
        missing = await page.request.get(f'{base_url}/reports/export/nothing.csv')
        assert missing.status == 404 and 'Report not found' in await missing.text()


async def shown_after_a_while(page: Page, url: str) -> None:
    """Opens the client's reports until they are shown: the tickets service trusts what it
    read of the organization a few seconds longer (TICKETDESK_AUTH_CACHE_SECONDS)."""
    months, refused = page.locator('.td-chart-months'), page.locator('.td-reports-not-shared')
    for _ in range(30):
        await page.goto(url)
        await expect(months.or_(refused)).to_be_visible(timeout=TIMEOUT)
        if await months.count():
            return
        await page.wait_for_timeout(1000)
    await expect(months).to_be_visible()


async def test_a_client_sees_their_months_only_where_the_studio_shows_them(
        base_url, new_page, backend, scene, screenshot):
    organization = scene.organizations['vasiliev']
    await show_time(backend, organization, False)
    try:
        page = await new_page()
        await sign_in(page, base_url, 'vasiliev')
        await page.get_by_role('button', name='Отчёты').click()
        await expect(page.get_by_text('Студия не открывает отчёты о времени для вашей '
                                      'организации')).to_be_visible(timeout=TIMEOUT)
        await expect(page.locator('.td-chart-weeks')).to_be_visible(timeout=TIMEOUT)
        await expect(page.locator('.td-chart-months')).to_have_count(0)
        refused = await page.request.get(f'{base_url}/reports/export/months.csv')
        assert refused.status == 403 and 'Студия не открывает' in await refused.text()

        await show_time(backend, organization, True)
        await shown_after_a_while(page, base_url + scene.address)
        await expect(page.locator('.td-reports.reports-ready')).to_be_visible(timeout=TIMEOUT)
        months = await chart(page, 'months')
        assert months['x'] == [scene.title(MONTHS_RU)]
        assert months['series'][0]['data'] == [0.75]
        tickets = page.locator('.td-report-tickets table')
        await expect(tickets.get_by_role('row').filter(has_text=scene.vasiliev.title)) \
            .to_contain_text('0,75')
        await expect(tickets.get_by_role('row')).to_have_count(2)  # the header and its ticket
        text = await page.locator('.q-page').inner_text()
        assert demo_login('developer').full_name not in text and 'Ромашка' not in text
        await screenshot(page, 'reports-client')
        by_ticket = rows_of_csv(await fetched(page, export(page, 'tickets', 'csv')))
        assert by_ticket == [
            ['Тикет', 'Название', 'Статус', 'Затрачено, ч', 'Минуты', 'Оценка, ч', 'Записей'],
            [str(scene.vasiliev.number), scene.vasiliev.title, 'В работе', '0,75', '45', '3,00',
             '1']]
        weeks = await page.request.get(f'{base_url}/reports/export/weeks.csv')  # their own
        assert rows_of_csv(await weeks.body())[0][:3] == ['Неделя с', 'Создано', 'Закрыто']
        for path in ('/reports/export/entries.csv', '/reports/export/developers.xlsx',
                     '/reports/export/summary.csv', '/reports/export/ratings.xlsx',
                     f'/reports/statement.xlsx?org={organization}&month={scene.month}'):
            answer = await page.request.get(base_url + path)
            assert answer.status == 403, (path, answer.status)
            assert 'Этот отчёт вам недоступен.' in await answer.text()
    finally:
        await show_time(backend, organization, False)


# --- «Обслуживание»: the service report -------------------------------------------------------

@pytest.fixture(scope='module')
async def served(backend: Backend) -> AsyncIterator[Served]:
    scene = await serve(backend)
    yield scene
    await unserve(backend, scene)


@pytest.mark.parametrize('language', ['ru', 'en'])
async def test_a_manager_reads_the_service_report(base_url, new_page, backend, served,
                                                  screenshot, language):
    words = SERVICE_WORDS[language]
    report = await served_report(backend, served)
    async with backend.language(['manager'], language):
        page = await new_page()
        await sign_in(page, base_url, 'manager')
        await page.goto(base_url + served.address)
        await expect(page.locator('.td-reports.reports-ready')).to_be_visible(timeout=TIMEOUT)
        weeks = await chart(page, 'weeks')
        assert weeks['legend'] == words['weeks']
        assert [s['data'] for s in weeks['series']] == [[3], [1], [2]]
        backlog = await chart(page, 'backlog')
        assert [s['name'] for s in backlog['series']] == words['statuses']
        assert [s['data'] for s in backlog['series']] == [[0], [1], [1], [0]]
        durations = await chart(page, 'durations')
        assert durations['x'] == words['durations']
        times = (report.first_response, report.resolution)
        assert [s['data'] for s in durations['series']] == [
            [round(getattr(t, field), 2) for t in times]
            for field in ('median_hours', 'p90_hours', 'mean_hours')]
        waiting = await chart(page, 'waiting')
        assert [p['value'] for p in waiting['series'][0]['data']] == \
            [round(report.studio_hours, 2), round(report.client_hours, 2)]
        assert (await chart(page, 'ratings'))['series'][0]['data'] == [0, 0, 0, 1, 0]
        summary = page.locator('.td-report-summary')
        for figure in words['figures']:
            await expect(summary).to_contain_text(figure)
        await screenshot(page, 'reports-service', language)
        weeks_csv = rows_of_csv(await fetched(page, export(page, 'weeks', 'csv')))
        assert weeks_csv[0] == words['weeks_file']
        assert weeks_csv[1] == [served.day, '3', '1', '2', '0', '1', '1', '0']
        summary_xlsx = rows_of_xlsx(await download(page, export(page, 'summary', 'xlsx')))
        assert summary_xlsx[1][:8] == [1, 1, 0, 100, 1, 1, 100, 4]
        too_long = await page.request.get(
            f'{base_url}/reports/export/weeks.csv?period=custom&from=2020-01-01&to=2025-01-01')
        assert too_long.status == 400 and words['too_long'] in await too_long.text()


SERVICE_WORDS = {
    'ru': {'weeks': ['Создано', 'Закрыто', 'Открыто на конец недели'],
           'statuses': ['В очереди', 'В работе', 'Требует уточнений', 'Ожидает приемку'],
           'durations': ['Первый ответ', 'Решение'],
           'figures': ['Соблюдение SLA', '100 %', 'Доля доработок', 'Средняя оценка'],
           'too_long': 'не длиннее 400 дней',
           'weeks_file': ['Неделя с', 'Создано', 'Закрыто', 'Открыто на конец недели',
                          'В очереди', 'В работе', 'Требует уточнений', 'Ожидает приемку']},
    'en': {'weeks': ['Created', 'Closed', "Open at the week's end"],
           'statuses': ['Queued', 'In progress', 'Needs clarification', 'Awaiting acceptance'],
           'durations': ['First response', 'Resolution'],
           'figures': ['SLA compliance', '100%', 'Rework rate', 'Average rating'],
           'too_long': 'at most 400 days long',
           'weeks_file': ['Week of', 'Created', 'Closed', "Open at the week's end", 'Queued',
                          'In progress', 'Needs clarification', 'Awaiting acceptance']},
}
