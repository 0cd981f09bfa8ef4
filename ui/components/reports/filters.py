"""What a report covers, and its address (`/reports?view=time&period=custom&from=2025-01-01
&to=…&org=organizations/3&dev=users/7`): the staff's tab (the service report, the default,
or the time), the period (a preset or the person's own days), the organization, the
developer and, for the service report, the site and the priority. The page, its links to
the files and the files' routes read the same address; a preset («Этот месяц») is the
studio's, by its today. No widgets."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from urllib.parse import urlencode

from ... import routes
from ...clients.reports import ServiceQuery, TimeQuery
from ...i18n import N_
from ..queue_filters import PRIORITY_CODES

PERIODS = {
    'month': N_('Этот месяц'),
    'last-month': N_('Прошлый месяц'),
    'quarter': N_('Квартал'),
    'year': N_('Год'),
    'custom': N_('Свой период'),
}
DEFAULT_PERIOD = 'month'
# The staff's tabs: how the studio serves the tickets, and the time it logs.
VIEWS = {'service': N_('Обслуживание'), 'time': N_('Учёт времени')}
DEFAULT_VIEW = 'service'
PRIORITIES = {code: value for value, code in PRIORITY_CODES.items()}


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def previous_month(day: date) -> date:
    """The first day of the month before `day`'s."""
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


@dataclass
class ReportFilters:
    """The tab (`VIEWS`), the period (`PERIODS`; `start` and `end` only for `custom`,
    either may be open), `organizations/{id}`, its `…/sites/{id}`, `users/{id}` and a
    priority (empty: all)."""

    period: str = DEFAULT_PERIOD
    start: date | None = None
    end: date | None = None
    organization: str = ''
    developer: str = ''
    view: str = DEFAULT_VIEW
    site: str = ''
    priority: int = 0

    @classmethod
    def parse(cls, params: Mapping[str, str], *, client: bool = False) -> ReportFilters:
        """From the address; anything unknown falls back to the default. A client's
        reports are always their own organization's, by nobody in particular."""
        period = params.get('period', '')
        found = cls(period=period if period in PERIODS else DEFAULT_PERIOD)
        if found.period == 'custom':
            found.start, found.end = _day(params.get('from', '')), _day(params.get('to', ''))
            if found.start and found.end and found.start > found.end:
                found.start, found.end = found.end, found.start
        found.priority = PRIORITIES.get(params.get('priority', ''), 0)
        if not client:
            org, dev = params.get('org', ''), params.get('dev', '')
            found.organization = org if org.startswith('organizations/') else ''
            found.developer = dev if dev.startswith('users/') else ''
            found.view = params.get('view', '') if params.get('view') in VIEWS \
                else DEFAULT_VIEW
            site = params.get('site', '')
            found.site = site if found.organization and site.startswith(
                found.organization + '/sites/') else ''
        return found

    def query(self) -> str:
        """The address's query: only what differs from the default."""
        params = {'view': '' if self.view == DEFAULT_VIEW else self.view,
                  'period': '' if self.period == DEFAULT_PERIOD else self.period}
        if self.period == 'custom':
            params['from'] = self.start.isoformat() if self.start else ''
            params['to'] = self.end.isoformat() if self.end else ''
        params |= {'org': self.organization, 'dev': self.developer}
        if self.view == 'service':  # the time report has no site nor priority
            params |= {'site': self.site, 'priority': PRIORITY_CODES.get(self.priority, '')}
        return urlencode({key: value for key, value in params.items() if value})

    def address(self) -> str:
        return routes.reports(self.query())

    def export(self, report: str, fmt: str) -> str:
        """The link to a report's file with these filters."""
        return routes.report_export(report, fmt, self.query())

    def bounds(self, today: date) -> tuple[date | None, date | None]:
        """The period's first and last day by the studio's `today` (None: open)."""
        if self.period == 'custom':
            return self.start, self.end
        if self.period == 'last-month':
            first = previous_month(today)
            return first, month_end(first)
        if self.period == 'quarter':
            first = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
            return first, month_end(first.replace(month=first.month + 2))
        if self.period == 'year':
            return today.replace(month=1, day=1), today.replace(month=12, day=31)
        first = today.replace(day=1)
        return first, month_end(first)

    def time_query(self, today: date) -> TimeQuery:
        start, end = self.bounds(today)
        return TimeQuery(organization=self.organization, author=self.developer,
                         start=start.isoformat() if start else '',
                         end=end.isoformat() if end else '')

    def service_query(self, today: date) -> ServiceQuery:
        """The service report's question. Its period has both ends: an open end is today,
        an open start the first day of the end's month."""
        start, end = self.bounds(today)
        end = end or today
        start = start or end.replace(day=1)
        return ServiceQuery(start=start.isoformat(), end=end.isoformat(),
                            organization=self.organization, site=self.site,
                            assignee=self.developer, priority=self.priority)

    def with_view(self, view: str) -> ReportFilters:
        return replace(self, view=view)

    @property
    def narrowed(self) -> bool:
        """Whether anything but the tab differs from the default."""
        return replace(self, view=DEFAULT_VIEW) != ReportFilters()


def months_between(start: date | None, end: date | None, keys: list[str],
                   limit: int = 60) -> list[str]:
    """The months (YYYY-MM) a month chart shows: every month of the period, those without
    time too (at most `limit`; an open period: from the first to the last month with
    time)."""
    first = start or (_day(f'{min(keys)}-01') if keys else None)
    last = end or (_day(f'{max(keys)}-01') if keys else None)
    if first is None or last is None or first > last:
        return sorted(keys)
    months, day = [], first.replace(day=1)
    while day <= last:
        if len(months) == limit:
            return sorted(keys)
        months.append(f'{day.year:04d}-{day.month:02d}')
        day = month_end(day) + timedelta(days=1)
    return sorted(set(months) | set(keys))
