"""The studio's reports («Отчёты», `/reports`), for developers and managers, in two tabs:
«Обслуживание» (how the studio serves the tickets, the default) and «Учёт времени» (the
time it logs).

The tab and the filters live in the address (`/reports?view=time&period=…&org=…&dev=…`),
so that a report can be reloaded and shared. A report that fails says why and keeps the
filters.
"""

from __future__ import annotations

from nicegui import ui

from ...i18n import _
from ...session import Session
from ..frame import frame
from .filters import VIEWS, ReportFilters
from .staff_service import ServiceReport
from .staff_time import TimeReport


async def show_staff_reports(session: Session, filters: ReportFilters) -> None:
    view = (TimeReport if filters.view == 'time' else ServiceReport)(session, filters)
    with frame(session, _('Отчёты')):
        with ui.column().classes('gap-0'):
            ui.label(_('Отчёты')).classes('text-h5 font-medium')
            ui.label(view.description()).classes('text-sm text-grey-7')
        _tabs(filters)
        view.build()
        await view.start()  # inside: the frame's timer would send the page before its data


def _tabs(filters: ReportFilters) -> None:
    """The tabs: another one opens its address, with the same period and filters."""
    def chosen(event) -> None:
        if event.value != filters.view:
            ui.navigate.to(filters.with_view(event.value).address())

    with ui.tabs(value=filters.view, on_change=chosen) \
            .props('dense no-caps inline-label align=left active-color=primary '
                   'indicator-color=primary').classes('text-grey-8').mark('report-tabs'):
        for key, title in VIEWS.items():
            ui.tab(key, _(title), icon='support_agent' if key == 'service' else 'schedule') \
                .mark(f'report-tab-{key}')
