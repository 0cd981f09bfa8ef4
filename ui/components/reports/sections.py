"""The pieces of a report's page: a section (its title, its files' links, a chart over its
table), the messages of an empty report and of a failed one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

from nicegui import ui

from ...clients.errors import ApiError
from ...exports.reports import FORMATS
from ...i18n import _
from ..report_table import ReportTable
from ..widgets import Table
from .filters import ReportFilters

LINK_LOOK = ('row no-wrap items-center gap-1 px-3 py-1 rounded-borders text-primary '
             'font-medium no-underline td-export')
LINK_STYLE = 'border: 1px solid #b0bec5'


@contextmanager
def section(title: str, report: str, filters: ReportFilters | None) -> Iterator[ui.card]:
    """A report's card: its title and, with `filters`, the links to its CSV and XLSX."""
    with ui.card().classes(f'w-full gap-3 td-report td-report-{report}').props('flat bordered') \
            .mark(f'report-{report}') as card:
        with ui.row().classes('w-full items-center gap-2'):
            ui.label(title).classes('text-h6')
            ui.space()
            if filters is not None:
                export_links(title, report, filters)
        yield card


def export_links(title: str, report: str, filters: ReportFilters) -> None:
    """«CSV» and «XLSX»: plain links (the files come with the person's own session)."""
    for fmt in FORMATS:
        with ui.link(target=filters.export(report, fmt)).classes(LINK_LOOK) \
                .style(LINK_STYLE).mark(f'export-{report}-{fmt}') as link:
            ui.icon('download', size='xs')
            ui.label(fmt.upper())
        link.props['aria-label'] = _('{report}: скачать {format}').format(
            report=title, format=fmt.upper())


def chart(options: dict, report: str, height: int = 300) -> ui.element:
    """The chart in a box of its height, drawn once the browser has connected: the figures
    come with the page and can be read at once, and ECharts' code (1.7 MB) loads after."""
    box = ui.element('div').classes('w-full td-chart-box').style(f'height: {height}px')
    client = ui.context.client

    def draw() -> None:
        if box.is_deleted or box.default_slot.children:
            return  # refreshed away meanwhile, or drawn before a reconnection
        with box:
            ui.echart(options).classes(f'w-full td-chart td-chart-{report}') \
                .style(f'height: {height}px').mark(f'chart-{report}')
    if client.has_socket_connection:
        draw()
    else:
        client.on_connect(draw)
    return box


def table(columns: list[dict], rows: list[dict], report: str) -> ReportTable:
    return ReportTable(columns=columns, rows=rows, row_key='key') \
        .classes('w-full').mark(f'table-{report}')


def slotted_table(columns: list[dict], rows: list[dict], report: str) -> Table:
    """Quasar's own table, for one whose cells need slots (links)."""
    return Table(columns=columns, rows=rows, row_key='key') \
        .props('flat bordered dense wrap-cells hide-pagination') \
        .classes('w-full').mark(f'table-{report}')


def empty(text: str, marker: str, hint: str = '') -> None:
    """What a report without time says."""
    with ui.column().classes('w-full items-center py-8 gap-2').mark(marker):
        ui.icon('hourglass_empty', size='xl', color='grey-5')
        ui.label(text).classes('text-h6 text-grey-8 text-center')
        if hint:
            ui.label(hint).classes('text-grey-7 text-center')


def failed(error: ApiError, retry: Callable[[], Awaitable[None]]) -> None:
    """A report the service did not give: its words, and «Повторить» (the filters stay)."""
    with ui.card().classes('w-full items-center py-8 gap-3').props('flat bordered') \
            .mark('report-error'):
        ui.icon('error_outline', size='xl', color='negative')
        ui.label(_('Не удалось построить отчёт')).classes('text-h6')
        ui.label(error.message).classes('text-grey-8 text-center').mark('report-error-text')
        ui.button(_('Повторить'), icon='refresh', on_click=retry).props('unelevated no-caps')
