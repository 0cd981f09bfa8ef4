"""The reports of a client: how the studio serves their organization (GetServiceReport:
its tickets by week and the time to their first response and resolution), always; and,
where the organization shows the time spent (a manager's choice), the time by month (a
chart over its table) and by ticket, with their files. Otherwise a friendly word that the
studio does not share its time reports. A client never sees who logged the time, nor
another organization."""

from __future__ import annotations

import asyncio

import grpc
from nicegui import ui

from ticketdesk.tickets.v1 import tickets_pb2 as pb

from ...clients.errors import ApiError
from ...exports.reports import hours
from ...i18n import _
from ...session import Session
from ..alerts import show_error
from ..frame import frame
from . import charts, service
from .base import ReportView
from .filters import ReportFilters, months_between
from .period import PeriodPicker
from .sections import chart, empty, section, slotted_table, table

SUMMARIES = ('months', 'tickets')


async def show_client_reports(session: Session, filters: ReportFilters) -> None:
    view = ClientReports(session, filters)
    with frame(session, _('Отчёты')):
        view.build()
        await view.start()  # inside: the frame's timer would send the page before its data


class ClientReports(ReportView):
    def __init__(self, session: Session, filters: ReportFilters):
        super().__init__(session, filters)
        self.shown: bool | None = None  # whether the organization shows its time; None: unknown

    def build(self) -> None:
        with ui.column().classes('gap-0'):
            ui.label(_('Отчёты')).classes('text-h5 font-medium')
            self.subtitle = ui.label(_('Как студия обслуживает ваши тикеты')) \
                .classes('text-sm text-grey-7')
        with ui.card().classes('w-full p-3').props('flat bordered'):
            PeriodPicker(self.filters, self.today, self.load).build()
        with self.container():
            self.results()

    @ui.refreshable_method
    def results(self) -> None:
        if self.waiting(self.start if self.shown is None else None):
            return
        report = self.answers['service']
        if service.has_tickets(report):
            service.weeks(report, self.filters)
            service.durations(report, self.filters)
        else:
            service.nothing(False)
        if self.shown:
            self._time()
        else:
            _not_shared()

    def _time(self) -> None:
        months, tickets = self.answers['months'], self.answers['tickets']
        if not months.total_minutes:
            with ui.card().classes('w-full').props('flat bordered'):
                empty(_('За этот период время не записано'), 'time-empty')
            return
        ui.label(_('Время, затраченное студией: {hours} ч').format(
            hours=charts.number(hours(months.total_minutes)))) \
            .classes('text-subtitle1 font-medium').mark('report-total')
        start, end = self.filters.bounds(self.today)
        minutes = {row.key: row.minutes for row in months.rows}
        with section(_('Время по месяцам'), 'months', self.filters):
            chart(charts.month_options(months_between(start, end, list(minutes)), minutes),
                  'months')
            table(charts.columns('months'), charts.group_rows('months', months.rows, {}),
                  'months')
        with section(_('Время по тикетам'), 'tickets', self.filters):
            shown = slotted_table(charts.columns('tickets'), charts.ticket_rows(tickets.rows),
                                  'tickets')
            shown.add_slot('body-cell-number', charts.NUMBER_CELL)

    # --- reading -------------------------------------------------------------------------

    async def start(self) -> None:
        """Whether the organization shows its time (and its name), then the report."""
        self.ready(False)
        try:
            organization = await self.client.organization(self.session.account.organization)
        except ApiError as error:
            self.error, self.loaded = error, True
            if error.session_expired:
                show_error(error)
            self.results.refresh()
            self.ready()
            return
        self.subtitle.set_text(organization.display_name)
        self.shown = organization.client_sees_time_spent
        await self.load()

    async def ask(self) -> dict[str, pb.ServiceReport | pb.SummarizeTimeResponse]:
        report, time = await asyncio.gather(
            self.client.service(self.filters.service_query(self.today)), self._ask_time())
        return {'service': report} | time

    async def _ask_time(self) -> dict[str, pb.SummarizeTimeResponse]:
        """The time's summaries, where they are shown (a refusal: no longer shown)."""
        if not self.shown:
            return {}
        query = self.filters.time_query(self.today)
        try:
            answers = await asyncio.gather(*(self.client.summary(report, query)
                                             for report in SUMMARIES))
        except ApiError as error:
            if error.code != grpc.StatusCode.PERMISSION_DENIED:
                raise
            self.shown = False
            return {}
        return dict(zip(SUMMARIES, answers))


def _not_shared() -> None:
    with ui.card().classes('w-full items-center py-8 gap-3 td-reports-not-shared') \
            .props('flat bordered').mark('reports-not-shared'):
        ui.icon('lock_clock', size='lg', color='grey-5')
        ui.label(_('Студия не открывает отчёты о времени для вашей организации')) \
            .classes('text-h6 text-center')
        ui.label(_('Если вам нужен такой отчёт, напишите менеджеру вашего проекта: он может '
                   'открыть его.')).classes('text-grey-8 text-center')
