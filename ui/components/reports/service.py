"""The service report's sections («Обслуживание»), each a chart over its table with the
links to its files: the summary figures, the tickets by week, the backlog by status, the
response and resolution times, the hours in the studio's court and waiting for the
client, the acceptance ratings. A client's page shows the weeks and the times only."""

from __future__ import annotations

from nicegui import ui

from ticketdesk.tickets.v1 import tickets_pb2 as pb

from ...exports import service as figures
from ...i18n import _
from . import service_charts as charts
from .filters import ReportFilters
from .sections import chart, empty, section, table


def has_tickets(report: pb.ServiceReport) -> bool:
    """Whether anything happened to a ticket of the report in its period, or was open."""
    return any(w.created or w.closed or w.open for w in report.weeks) \
        or bool(report.closed or report.first_response.count or report.resolution.count)


def nothing(narrowed: bool) -> None:
    """A period without tickets."""
    with ui.card().classes('w-full').props('flat bordered'):
        empty(_('За этот период тикетов нет'), 'report-empty',
              _('Выберите другой период или уберите фильтры.') if narrowed else '')


def summary(report: pb.ServiceReport, filters: ReportFilters) -> None:
    """The figures a manager looks at first."""
    compliance = figures.sla_compliance(report)
    rework = figures.rework_rate(report)
    rated = sum(report.ratings)
    with section(_('Итоги'), 'summary', filters):
        with ui.row().classes('w-full gap-3'):
            _figure(_('Закрыто'), str(report.closed), 'closed',
                    _('из них выполнено: {done}').format(done=report.done))
            _figure(_('Соблюдение SLA'), charts.percent(compliance), 'sla',
                    _('нарушений: {count}').format(count=report.sla_breached))
            _figure(_('Доля доработок'), charts.percent(rework), 'rework',
                    _('{reworked} из {submitted} сданных').format(
                        reworked=report.reworked, submitted=report.submitted))
            _figure(_('Средняя оценка'), charts.shown(figures.average_rating(report)),
                    'rating', _('оценок: {count}').format(count=rated))


def _figure(title: str, value: str, key: str, note: str) -> None:
    with ui.column().classes('gap-0 px-4 py-2 rounded-borders min-w-40') \
            .style('border: 1px solid #e0e0e0').mark(f'figure-{key}'):
        ui.label(title).classes('text-sm text-grey-7')
        ui.label(value).classes('text-h5 font-medium').mark(f'figure-{key}-value')
        ui.label(note).classes('text-xs text-grey-7')


def weeks(report: pb.ServiceReport, filters: ReportFilters) -> None:
    with section(_('Тикеты по неделям'), 'weeks', filters):
        chart(charts.weeks_options(report.weeks), 'weeks')
        table(charts.week_columns(), charts.week_rows(report.weeks), 'weeks')


def backlog(report: pb.ServiceReport) -> None:
    """The open tickets by status at each week's end (their file is the weeks')."""
    with section(_('Открытые тикеты по статусам'), 'backlog', None):
        if not any(w.open for w in report.weeks):
            empty(_('Открытых тикетов не было'), 'backlog-empty')
            return
        if all(figures.backlog(w) is None for w in report.weeks):
            empty(_('Статусы открытых тикетов пока не известны'), 'backlog-empty')
            return
        chart(charts.backlog_options(report.weeks), 'backlog')
        table(charts.backlog_columns(), charts.backlog_rows(report.weeks), 'backlog')
        ui.label(_('По неделям — в файлах «Тикеты по неделям».')).classes('text-sm text-grey-7')


def durations(report: pb.ServiceReport, filters: ReportFilters) -> None:
    with section(_('Время ответа и решения'), 'durations', filters):
        ui.label(_('Рабочие часы студии, пока тикет у студии (часы ожидания клиента не '
                   'считаются).')).classes('text-sm text-grey-7')
        if not (report.first_response.count or report.resolution.count):
            empty(_('За этот период не было ни ответов, ни решённых тикетов'),
                  'durations-empty')
            return
        chart(charts.durations_options(report), 'durations')
        table(charts.duration_columns(), charts.duration_rows(report), 'durations')


def waiting(report: pb.ServiceReport, filters: ReportFilters) -> None:
    with section(_('Время у студии и у клиента'), 'waiting', filters):
        ui.label(_('Рабочие часы закрытых за период тикетов: в работе у студии и в ожидании '
                   'ответа или приемки клиента.')).classes('text-sm text-grey-7')
        if not report.closed:
            empty(_('За этот период закрытых тикетов нет'), 'waiting-empty')
            return
        chart(charts.waiting_options(report), 'waiting', 240)
        table(charts.waiting_columns(), charts.waiting_rows(report), 'waiting')


def ratings(report: pb.ServiceReport, filters: ReportFilters) -> None:
    with section(_('Оценки приемки'), 'ratings', filters):
        if not sum(report.ratings):
            empty(_('За этот период оценок не было'), 'ratings-empty')
            return
        chart(charts.ratings_options(report), 'ratings', 240)
        table(charts.rating_columns(), charts.rating_rows(report), 'ratings')


def staff_sections(report: pb.ServiceReport, filters: ReportFilters) -> None:
    """Everything the studio sees of its service."""
    if not has_tickets(report):
        nothing(filters.narrowed)
        return
    summary(report, filters)
    weeks(report, filters)
    backlog(report)
    durations(report, filters)
    with ui.row().classes('w-full gap-4 no-wrap max-md:flex-wrap'):
        with ui.column().classes('flex-1 min-w-0 w-full'):
            waiting(report, filters)
        with ui.column().classes('flex-1 min-w-0 w-full'):
            ratings(report, filters)
