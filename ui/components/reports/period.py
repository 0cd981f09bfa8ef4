"""The report's period: «Этот месяц», «Прошлый месяц», «Квартал», «Год» or the person's own
first and last day («Свой период», shown once «Показать» is pressed; a day that cannot be
read is explained under its field and nothing is asked)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from nicegui import ui

from ...i18n import _
from ..widgets import DateField
from .filters import PERIODS, ReportFilters

TOGGLE_STYLE = 'border: 1px solid #b0bec5; border-radius: 6px'


class PeriodPicker:
    """Changes `filters.period` (and its days), then awaits `changed()`."""

    def __init__(self, filters: ReportFilters, today: date,
                 changed: Callable[[], Awaitable[None]]):
        self.filters, self.today, self.changed = filters, today, changed

    def build(self) -> None:
        with ui.row().classes('items-center gap-3'):
            self.toggle = ui.toggle({key: _(title) for key, title in PERIODS.items()},
                                    value=self.filters.period, on_change=self._chosen) \
                .style(TOGGLE_STYLE).classes('flex-wrap') \
                .props('dense no-caps unelevated padding="4px 12px" toggle-color=primary') \
                .mark('report-period')
            self.custom = ui.row().classes('items-start gap-2')
        if self.filters.period == 'custom':
            self._show_days()

    def _show_days(self) -> None:
        """The first and last day's fields, made when first wanted (most reports never
        show them: the page mounts quicker without their fields and calendars)."""
        if self.custom.default_slot.children:
            self.custom.set_visibility(True)
            return
        with self.custom:
            start, end = self.filters.bounds(self.today)
            self.start = DateField(_('С'), value=start.isoformat() if start else '')
            self.end = DateField(_('По'), value=end.isoformat() if end else '')
            for field, marker in ((self.start, 'report-from'), (self.end, 'report-to')):
                field.input.props('outlined dense').classes('w-44').mark(marker)
            ui.button(_('Показать'), icon='check', on_click=self._apply) \
                .props('unelevated no-caps').classes('mt-1').mark('report-apply')

    async def _chosen(self, event) -> None:
        period = event.value or 'month'
        if period == self.filters.period:
            return
        if period == 'custom':  # the days of the period shown so far, to change
            self.filters.start, self.filters.end = self.filters.bounds(self.today)
            self._show_days()
            self.start.set_iso(self.filters.start.isoformat() if self.filters.start else '')
            self.end.set_iso(self.filters.end.isoformat() if self.filters.end else '')
        else:
            self.custom.set_visibility(False)
        self.filters.period = period
        await self.changed()

    async def _apply(self) -> None:
        problems = {field: field.problem() for field in (self.start, self.end)}
        start, end = self.start.parsed_or_none(), self.end.parsed_or_none()
        if not any(problems.values()) and start and end and start > end:
            problems[self.end] = _('Конец периода раньше его начала')
        for field, problem in problems.items():
            field.show_error(problem)
        if any(problems.values()):
            return
        self.filters.period, self.filters.start, self.filters.end = 'custom', start, end
        await self.changed()
