"""«Учёт времени», the studio's time reports: the time logged in a period (by month, by
organization and by developer, each a chart over its table, the logged hours beside the
estimates), narrowed to an organization or a developer; the files of every summary and of
the entries; an organization's monthly statement."""

from __future__ import annotations

import asyncio

from nicegui import ui

from ticketdesk.tickets.v1 import tickets_pb2 as pb

from ...exports.reports import hours
from ...i18n import _
from . import charts
from .filters import months_between
from .sections import chart, empty, export_links, section, table
from .staff_view import StaffView
from .statement import StatementCard

SUMMARIES = ('months', 'organizations', 'developers')


class TimeReport(StaffView):
    """The summaries of the time logged, and the monthly statement under them."""

    @staticmethod
    def description() -> str:
        return _('Время, записанное студией: по месяцам, организациям и разработчикам')

    def build(self) -> None:
        self.build_filters()
        with self.container():
            self.results()
        self.statement = StatementCard(self.today, self.filters.organization)
        self.statement.build()

    def names_read(self, active: dict[str, str]) -> None:
        self.statement.set_organizations(active)

    async def ask(self) -> dict[str, pb.SummarizeTimeResponse]:
        query = self.filters.time_query(self.today)
        answers = await asyncio.gather(*(self.client.summary(report, query)
                                         for report in SUMMARIES))
        return dict(zip(SUMMARIES, answers))

    def answered(self) -> None:
        self.statement.follow(self.filters.organization, *self.filters.bounds(self.today),
                              [row.key for row in self.answers['months'].rows])

    @ui.refreshable_method
    def results(self) -> None:
        if self.waiting():
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
        self._files()

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

    def _files(self) -> None:
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
