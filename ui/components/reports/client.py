"""The reports of a client: their organization's time by month (a chart over its table) and
by ticket, in a period, with their files; only where the organization shows the time spent
(a manager's choice). Otherwise a friendly word that the studio does not share its time
reports. A client never sees who logged the time, nor another organization."""

from __future__ import annotations

import asyncio

import grpc
from nicegui import ui

from texts import dates
from ticketdesk.tickets.v1 import tickets_pb2 as pb

from ...clients.errors import ApiError
from ...clients.reports import ReportsClient
from ...exports.reports import hours
from ...i18n import _
from ...session import Session
from ..alerts import show_error
from ..frame import frame
from ..widgets import loading
from . import charts
from .filters import ReportFilters, months_between
from .period import PeriodPicker
from .sections import chart, empty, failed, section, table

SUMMARIES = ('months', 'tickets')


async def show_client_reports(session: Session, filters: ReportFilters) -> None:
    view = ClientReports(session, filters)
    with frame(session, _('Отчёты')):
        view.build()
    await view.start()


class ClientReports:
    def __init__(self, session: Session, filters: ReportFilters):
        self.session = session
        self.client = ReportsClient(session.account)
        self.filters = filters
        self.today = dates.today(session.zone)
        self.shown: bool | None = None  # whether the organization shows its time; None: unknown
        self.answers: dict[str, pb.SummarizeTimeResponse] = {}
        self.error: ApiError | None = None
        self.loaded = False
        self.asked = 0

    def build(self) -> None:
        with ui.column().classes('gap-0'):
            ui.label(_('Отчёты')).classes('text-h5 font-medium')
            self.subtitle = ui.label(_('Время, затраченное студией на ваши тикеты')) \
                .classes('text-sm text-grey-7')
        self.body()

    @ui.refreshable_method
    def body(self) -> None:
        if self.shown is None and self.error is None:
            loading()
            return
        if self.shown is False:
            _not_shared()
            return
        if self.shown is None:  # the organization could not be read
            failed(self.error, self.start)
            return
        with ui.card().classes('w-full p-3').props('flat bordered'):
            PeriodPicker(self.filters, self.today, self.load).build()
        self.results()

    @ui.refreshable_method
    def results(self) -> None:
        if not self.loaded:
            loading()
            return
        if self.error is not None:
            failed(self.error, self.load)
            return
        months, tickets = self.answers['months'], self.answers['tickets']
        if not months.total_minutes:
            with ui.card().classes('w-full').props('flat bordered'):
                empty(_('За этот период время не записано'), 'report-empty')
            return
        ui.label(_('Всего: {hours} ч').format(hours=charts.number(hours(months.total_minutes)))) \
            .classes('text-subtitle1 font-medium').mark('report-total')
        start, end = self.filters.bounds(self.today)
        minutes = {row.key: row.minutes for row in months.rows}
        with section(_('Время по месяцам'), 'months', self.filters):
            chart(charts.month_options(months_between(start, end, list(minutes)), minutes),
                  'months')
            table(charts.columns('months'), charts.group_rows('months', months.rows, {}),
                  'months')
        with section(_('Время по тикетам'), 'tickets', self.filters):
            shown = table(charts.columns('tickets'), charts.ticket_rows(tickets.rows),
                          'tickets')
            shown.add_slot('body-cell-number', charts.NUMBER_CELL)

    # --- reading -------------------------------------------------------------------------

    async def start(self) -> None:
        """Whether the organization shows its time (and its name), then the report."""
        try:
            organization = await self.client.organization(self.session.account.organization)
        except ApiError as error:
            self.error = error
            if error.session_expired:
                show_error(error)
            self.body.refresh()
            return
        self.error = None
        self.subtitle.set_text(organization.display_name)
        self.shown = organization.client_sees_time_spent
        self.body.refresh()
        if self.shown:
            await self.load()

    async def load(self) -> None:
        if self.loaded:
            ui.navigate.history.replace(self.filters.address())
        self.asked += 1
        question = self.asked
        query = self.filters.time_query(self.today)
        try:
            answers = await asyncio.gather(*(self.client.summary(report, query)
                                             for report in SUMMARIES))
        except ApiError as error:
            if question != self.asked:
                return
            if error.code == grpc.StatusCode.PERMISSION_DENIED:  # no longer shown
                self.shown = False
                self.body.refresh()
                return
            self.error = error
            if error.session_expired:
                show_error(error)
        else:
            if question != self.asked:
                return
            self.error, self.answers = None, dict(zip(SUMMARIES, answers))
        self.loaded = True
        self.results.refresh()


def _not_shared() -> None:
    with ui.card().classes('w-full max-w-2xl self-center items-center py-12 gap-3 '
                           'td-reports-not-shared').props('flat bordered') \
            .mark('reports-not-shared'):
        ui.icon('lock_clock', size='xl', color='grey-5')
        ui.label(_('Студия не открывает отчёты о времени для вашей организации')) \
            .classes('text-h6 text-center')
        ui.label(_('Если вам нужен такой отчёт, напишите менеджеру вашего проекта: он может '
                   'открыть его.')).classes('text-grey-8 text-center')
