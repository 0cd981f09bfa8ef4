"""«Отчёт за месяц» for the studio: an organization's tickets and entries of one month in a
workbook to hand to the client (ui/report_downloads.py builds it)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from nicegui import ui

from ... import routes
from ...exports.reports import month_title
from ...i18n import _, current_language
from .filters import previous_month

MONTHS_OFFERED = 24


def recent_months(today: date, count: int = MONTHS_OFFERED) -> list[str]:
    """`YYYY-MM` of this month and the `count - 1` before it, newest first."""
    months, day = [], today.replace(day=1)
    for _step in range(count):
        months.append(f'{day.year:04d}-{day.month:02d}')
        day = previous_month(day)
    return months


class StatementCard:
    """The organization and the month, and the link to their statement."""

    def __init__(self, today: date, organization: str = ''):
        self.today = today
        self.organization = organization
        self.month = recent_months(today, 2)[1]  # the last whole month
        self.names: dict[str, str] = {}
        self.language = current_language()  # the page's: callbacks never ask again

    def build(self) -> None:
        with ui.card().classes('w-full gap-3 td-statement').props('flat bordered') \
                .mark('statement'):
            ui.label(_('Отчёт за месяц')).classes('text-h6')
            ui.label(_('Тикеты и записи времени одной организации за месяц — файл XLSX '
                       'для клиента.')).classes('text-grey-8')
            with ui.row().classes('items-center gap-3'):
                self.organizations = ui.select({}, label=_('Организация'),
                                               on_change=self._organization_chosen) \
                    .props('outlined dense options-dense').classes('w-64') \
                    .mark('statement-organization')
                self.months = ui.select(self._offered(()), label=_('Месяц'), value=self.month,
                                        on_change=self._month_chosen) \
                    .props('outlined dense options-dense').classes('w-48') \
                    .mark('statement-month')
                self.button = ui.button(_('Скачать XLSX'), icon='download') \
                    .props('unelevated no-caps').mark('statement-download')
        self._point()

    def set_organizations(self, names: Mapping[str, str]) -> None:
        """The organizations to choose among (`organizations/{id}` -> name)."""
        self.names = dict(names)
        if self.organization not in names:
            self.organization = ''
        self.organizations.set_options(self.names, value=self.organization or None)
        self._point()

    def follow(self, organization: str, start: date | None, end: date | None,
               months: Iterable[str]) -> None:
        """Follows the report: its organization, its month when the period is one month,
        and the months it found time in among those offered."""
        if start and end and (start.year, start.month) == (end.year, end.month):
            self.month = f'{start.year:04d}-{start.month:02d}'
        if organization in self.names:
            self.organization = organization
        self.months.set_options(self._offered(months), value=self.month)
        self.organizations.set_value(self.organization or None)
        self._point()

    def _offered(self, months: Iterable[str]) -> dict[str, str]:
        """The recent months, the months given and the chosen one, newest first."""
        offered = set(recent_months(self.today)) | set(months) | {self.month}
        return {m: month_title(m, self.language) for m in sorted(offered, reverse=True)}

    def _organization_chosen(self, event) -> None:
        self.organization = event.value or ''
        self._point()

    def _month_chosen(self, event) -> None:
        self.month = event.value or self.month
        self._point()

    def _point(self) -> None:
        """The button links to the chosen statement (a plain link: the browser downloads
        it with the person's own session); without an organization it is off."""
        chosen = bool(self.organization)
        self.button.props.set_optional(
            'href', routes.statement(self.organization, self.month) if chosen else None)
        self.button.set_enabled(chosen)
