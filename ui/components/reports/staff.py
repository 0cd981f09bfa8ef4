"""The studio's reports, for developers and managers: the time logged in a period (by
month, by organization and by developer, each a chart over its table, the logged hours
beside the estimates), narrowed to an organization or a developer; the files of every
summary and of the entries; an organization's monthly statement.

The filters live in the address (`/reports?period=…&org=…&dev=…`), so that a report can be
reloaded and shared. A report that fails says why and keeps the filters.
"""

from __future__ import annotations

import asyncio

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
from .sections import chart, empty, export_links, failed, section, table
from .statement import StatementCard

SUMMARIES = ('months', 'organizations', 'developers')


async def show_staff_reports(session: Session, filters: ReportFilters) -> None:
    view = StaffReports(session, filters)
    with frame(session, _('Отчёты')):
        view.build()
    await view.start()


class StaffReports:
    """One open report page: its filters, the names it needs (read once), the summaries."""

    def __init__(self, session: Session, filters: ReportFilters):
        self.session = session  # the page's: callbacks never ask whose page it is
        self.client = ReportsClient(session.account)
        self.filters = filters
        self.today = dates.today(session.zone)
        self.organizations: dict[str, str] = {}
        self.answers: dict[str, pb.SummarizeTimeResponse] = {}
        self.error: ApiError | None = None
        self.loaded = False
        self.asked = 0  # loads asked so far: a late answer to an older one is dropped

    # --- layout --------------------------------------------------------------------------

    def build(self) -> None:
        with ui.column().classes('gap-0'):
            ui.label(_('Отчёты')).classes('text-h5 font-medium')
            ui.label(_('Время, записанное студией: по месяцам, организациям и '
                       'разработчикам')).classes('text-sm text-grey-7')
        with ui.card().classes('w-full p-3 gap-3').props('flat bordered'):
            PeriodPicker(self.filters, self.today, self.load).build()
            look = 'outlined dense options-dense'
            with ui.row().classes('w-full items-center gap-3'):
                self.organization = ui.select({'': _('Все организации')}, value='',
                                              label=_('Организация'),
                                              on_change=self._organization_chosen) \
                    .props(look).classes('w-64').mark('report-organization')
                self.developer = ui.select({'': _('Все разработчики')}, value='',
                                           label=_('Разработчик'),
                                           on_change=self._developer_chosen) \
                    .props(look).classes('w-64').mark('report-developer')
                ui.space()
                ui.button(_('Сбросить фильтры'), icon='filter_alt_off', on_click=self._reset) \
                    .props('flat dense no-caps color=grey-8')
        self.results()
        self.statement = StatementCard(self.today, self.filters.organization)
        self.statement.build()

    @ui.refreshable_method
    def results(self) -> None:
        if not self.loaded:
            loading()
            return
        if self.error is not None:
            failed(self.error, self.load)
            return
        months = self.answers['months']
        if not months.total_minutes:
            with ui.card().classes('w-full').props('flat bordered'):
                empty(_('За этот период время не записано'), 'report-empty',
                      _('Выберите другой период или уберите фильтры.')
                      if self.filters.narrowed else '')
            return
        entries = sum(row.entries for row in months.rows)
        ui.label(_('Всего: {hours} ч, записей: {entries}').format(
            hours=charts.number(hours(months.total_minutes)), entries=entries)) \
            .classes('text-subtitle1 font-medium').mark('report-total')
        self._months(months)
        for report, title in (('organizations', _('Затрачено и оценено по организациям')),
                              ('developers', _('Затрачено и оценено по разработчикам'))):
            self._comparison(report, title, self.answers[report])
        with section(_('Тикеты и записи'), 'files', None):
            ui.label(_('Время по каждому тикету и все записи периода (дата, тикет, '
                       'организация, автор, время, что сделано) — в файлах.')) \
                .classes('text-grey-8')
            with ui.row().classes('items-center gap-x-8 gap-y-2'):
                for report, title in (('tickets', _('Время по тикетам')),
                                      ('entries', _('Записи времени'))):
                    with ui.row().classes('items-center gap-2 no-wrap'):
                        ui.label(title).classes('font-medium')
                        export_links(title, report, self.filters)

    def _months(self, answer: pb.SummarizeTimeResponse) -> None:
        start, end = self.filters.bounds(self.today)
        minutes = {row.key: row.minutes for row in answer.rows}
        shown = months_between(start, end, list(minutes))
        with section(_('Время по месяцам'), 'months', self.filters):
            chart(charts.month_options(shown, minutes), 'months')
            table(charts.columns('months'),
                  charts.group_rows('months', answer.rows, self.organizations), 'months')

    def _comparison(self, report: str, title: str, answer: pb.SummarizeTimeResponse) -> None:
        rows = charts.group_rows(report, answer.rows, self.organizations)
        with section(title, report, self.filters):
            if not rows:
                empty(_('Нет данных'), f'{report}-empty')
                return
            chart(charts.comparison_options(
                [row['name'] for row in rows], [hours(r.minutes) for r in answer.rows],
                [round(r.estimate_hours, 2) for r in answer.rows]), report,
                charts.comparison_height(len(rows)))
            table(charts.columns(report), rows, report)

    # --- reading -------------------------------------------------------------------------

    async def start(self) -> None:
        """The names first (once per page), then the report."""
        try:
            found = await self.session.auth.organizations()
            self.organizations = {o.name: o.display_name or o.name for o in found}
            active = {o.name: o.display_name or o.name for o in found if o.active
                      or o.name == self.filters.organization}
            self.organization.set_options({'': _('Все организации')} | active,
                                          value=self._known(self.filters.organization, active))
            self.statement.set_organizations(active)
        except ApiError as error:
            show_error(error)
        try:
            people = {u.name: u.full_name or u.email for u in await self.session.auth.staff()}
        except ApiError:
            people = {}  # the report still works; the filter offers nobody
        self.developer.set_options({'': _('Все разработчики')} | people,
                                   value=self._known(self.filters.developer, people))
        await self.load()

    def _known(self, value: str, options: dict[str, str]) -> str:
        return value if value in options else ''

    async def load(self) -> None:
        if self.loaded:  # the first load comes from the address itself
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
            self.error = error
            if error.session_expired:
                show_error(error)
        else:
            if question != self.asked:  # the filters changed meanwhile: a newer answer comes
                return
            self.error, self.answers = None, dict(zip(SUMMARIES, answers))
            self.statement.follow(self.filters.organization, *self.filters.bounds(self.today),
                                  [row.key for row in self.answers['months'].rows])
        self.loaded = True
        self.results.refresh()

    # --- the person's choices ------------------------------------------------------------

    async def _organization_chosen(self, event) -> None:
        if (event.value or '') != self.filters.organization:
            self.filters.organization = event.value or ''
            await self.load()

    async def _developer_chosen(self, event) -> None:
        if (event.value or '') != self.filters.developer:
            self.filters.developer = event.value or ''
            await self.load()

    async def _reset(self) -> None:
        ui.navigate.to(ReportFilters().address())
