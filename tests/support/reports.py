"""What the browser tests of «Отчёты» share: the numbers of a chart as ECharts drew them,
the reports' files as the browser saves them or as the page's session asks for them, read
back with csv and openpyxl; the service report's scene, set through gRPC."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from google.protobuf.field_mask_pb2 import FieldMask
from openpyxl import load_workbook
from playwright.async_api import Page

from tests.support.browser import CALL_TIMEOUT, TIMEOUT, Backend
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb

# The chart's ECharts instance, as drawn: its axes' names and its series' numbers.
CHART = '''cls => {
  const box = document.querySelector('.' + cls);
  const chart = box && getElement(box) && getElement(box).chart;
  if (!chart || !box.querySelector('canvas')) return null;
  const o = chart.getOption();
  return {x: o.xAxis[0].data || null, y: o.yAxis[0].data || null, legend: o.legend[0].data,
          series: o.series.map(s => ({name: s.name, data: s.data}))};
}'''


async def chart(page: Page, report: str) -> dict:
    """The chart of a report once ECharts has drawn it."""
    handle = await page.wait_for_function(CHART, arg=f'td-chart-{report}', timeout=TIMEOUT)
    return await handle.json_value()


async def download(page: Page, link) -> bytes:
    """Clicks a link to a file and answers the file the browser saved."""
    async with page.expect_download(timeout=TIMEOUT) as started:
        await link.click()
    path = await (await started.value).path()
    with open(path, 'rb') as file:
        return file.read()


async def fetched(page: Page, link) -> bytes:
    """The file a link points to, asked with the page's own session (its cookies)."""
    href = await link.get_attribute('href')
    answer = await page.request.get(page.url.split('/reports')[0] + href)
    assert answer.status == 200, (href, answer.status)
    return await answer.body()


def rows_of_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b'\xef\xbb\xbf')
    return list(csv.reader(io.StringIO(data.decode('utf-8-sig')), delimiter=';'))


def rows_of_xlsx(data: bytes, sheet: str | None = None) -> list[list]:
    book = load_workbook(io.BytesIO(data))
    page = book[sheet] if sheet else book.active
    return [list(row) for row in page.iter_rows(values_only=True)]


def export(page: Page, report: str, fmt: str):
    return page.locator(f'a.td-export[href^="/reports/export/{report}.{fmt}?"]')


# --- the service report's scene -------------------------------------------------------------

@dataclass
class Served:
    """Ромашка's site of one test module alone, today: its tickets are the report's."""

    site: str
    day: str  # the studio's today
    address: str
    tickets: list[pb.Ticket]


async def _move(backend: Backend, ticket: pb.Ticket, *steps) -> None:
    for who, action, text, rating in steps:
        await backend.tickets.TransitionTicket(pb.TransitionTicketRequest(
            name=ticket.name, action=action, text=text, rating=rating,
            request_id=uuid.uuid4().hex), metadata=await backend.as_(who), timeout=CALL_TIMEOUT)


async def serve(backend: Backend) -> Served:
    """On a new site of Ромашка: a ticket done after one rework (rated 4), one in progress,
    one waiting for the client's answer."""
    manager, client = await backend.as_('manager'), await backend.as_('romashka')
    me = await backend.auth.WhoAmI(auth_pb2.WhoAmIRequest(), metadata=client,
                                   timeout=CALL_TIMEOUT)
    organization = me.user.organization
    site = await backend.tickets.CreateSite(pb.CreateSiteRequest(
        parent=organization, request_id=uuid.uuid4().hex, site=pb.Site(
            url=f'https://report-{uuid.uuid4().hex[:6]}.example', display_name='Отчёт')),
        metadata=manager, timeout=CALL_TIMEOUT)
    made = [await backend.tickets.CreateTicket(pb.CreateTicketRequest(ticket=pb.Ticket(
        title=f'Обслуживание {n}', site=site.name, description='Проверка отчёта'),
        request_id=uuid.uuid4().hex), metadata=client, timeout=CALL_TIMEOUT) for n in range(3)]
    start = ('developer', pb.ACTION_START_WORK, '', 0)
    submit = ('developer', pb.ACTION_SUBMIT_FOR_ACCEPTANCE, 'Готово', 0)
    await _move(backend, made[0], start, submit, ('developer', pb.ACTION_TAKE_BACK, 'Ещё', 0),
                submit, ('romashka', pb.ACTION_ACCEPT, '', 4))
    await _move(backend, made[1], start)
    await _move(backend, made[2], ('developer', pb.ACTION_ASK_CLARIFICATION, 'Какой текст?', 0))
    settings = await backend.tickets.GetStudioSettings(pb.GetStudioSettingsRequest(
        name='studioSettings'), metadata=manager, timeout=CALL_TIMEOUT)
    day = datetime.now(ZoneInfo(settings.timezone)).date().isoformat()
    return Served(site.name, day, f'/reports?period=custom&from={day}&to={day}'
                  f'&org={organization}&site={site.name}', made)


async def unserve(backend: Backend, served: Served) -> None:
    """The open tickets withdrawn (the queues stay small), the site put away."""
    for ticket in served.tickets[1:]:
        await backend.withdraw(ticket)
    await backend.tickets.UpdateSite(pb.UpdateSiteRequest(
        site=pb.Site(name=served.site, active=False), update_mask=FieldMask(paths=['active'])),
        metadata=await backend.as_('manager'), timeout=CALL_TIMEOUT)


async def served_report(backend: Backend, served: Served) -> pb.ServiceReport:
    """What the service itself answers of the scene (business hours depend on the clock)."""
    return await backend.tickets.GetServiceReport(pb.GetServiceReportRequest(
        start_date=served.day, end_date=served.day, site=served.site),
        metadata=await backend.as_('manager'), timeout=CALL_TIMEOUT)
