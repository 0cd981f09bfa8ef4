"""The service report's charts (ECharts options for `ui.echart`, in the style of charts.py)
and the rows of the tables under them, in the reader's language: the tickets of each week
(created and closed bars, the open ones a line), the backlog by status (stacked bars), the
response and resolution times (median, 90th percentile, mean), the hours in the studio's
court and waiting for the client, the acceptance ratings."""

from __future__ import annotations

from ticketdesk.tickets.v1 import tickets_pb2 as pb

from ... import i18n, labels
from ...exports import service as figures
from ...i18n import N_, _
from ..frame import PRIMARY
from .charts import bar_label, base, column, number, value_axis

CLOSED_COLOR = '#2e9d5b'
OPEN_COLOR = '#f2a541'
# The open statuses' colours (labels.STATUS_COLOR's, as ECharts takes them).
STATUS_HEX = {pb.STATUS_QUEUED: '#78909c', pb.STATUS_IN_PROGRESS: PRIMARY,
              pb.STATUS_NEEDS_INFO: '#ef6c00', pb.STATUS_AWAITING_ACCEPTANCE: '#5e35b1'}
MEASURES = {'median': N_('Медиана, ч'), 'p90': N_('90-й процентиль, ч'),
            'mean': N_('Среднее, ч')}
FIELDS = {'median': 'median_hours', 'p90': 'p90_hours', 'mean': 'mean_hours'}
MEASURE_COLORS = {'median': PRIMARY, 'p90': OPEN_COLOR, 'mean': CLOSED_COLOR}
DURATIONS = {'first_response': N_('Первый ответ'), 'resolution': N_('Решение')}
WAITING = {'studio': N_('У студии'), 'client': N_('Ожидание клиента')}
CREATED, CLOSED, OPEN = N_('Создано'), N_('Закрыто'), N_('Открыто на конец недели')
TICKETS = N_('Тикетов')


def percent(value: float | None) -> str:
    """`95.5` -> «95,5 %» (`95.5%`); nothing to divide: «—»."""
    if value is None:
        return '—'
    return f'{number(value)} %' if i18n.current_language() == 'ru' else f'{number(value)}%'


def shown(value: float | None) -> str:
    return '—' if value is None else number(value)


def _week_axis(weeks) -> dict:
    return {'type': 'category', 'data': [labels.day(w.start_date) for w in weeks],
            'axisLabel': {'rotate': 30 if len(weeks) > 6 else 0}}


def weeks_options(weeks) -> dict:
    """Bars of the tickets created and closed each week, a line of those open at its end."""
    created, closed, still_open = _(CREATED), _(CLOSED), _(OPEN)
    bar = {'type': 'bar', 'barMaxWidth': 28, 'label': bar_label('top')}
    return base([created, closed, still_open]) | {
        'xAxis': _week_axis(weeks),
        'yAxis': value_axis(_(TICKETS), whole=True),
        'series': [bar | {'name': created, 'itemStyle': {'color': PRIMARY},
                          'data': [w.created for w in weeks]},
                   bar | {'name': closed, 'itemStyle': {'color': CLOSED_COLOR},
                          'data': [w.closed for w in weeks]},
                   {'type': 'line', 'name': still_open, 'itemStyle': {'color': OPEN_COLOR},
                    'data': [w.open for w in weeks]}],
    }


def backlog_options(weeks) -> dict:
    """Stacked bars: the tickets open at each week's end, by status (unknown: no bar)."""
    parts = [figures.backlog(w) for w in weeks]
    names = {status: labels.status(status) for status in figures.OPEN}
    return base(list(names.values())) | {
        'xAxis': _week_axis(weeks),
        'yAxis': value_axis(_(TICKETS), whole=True),
        'series': [{'type': 'bar', 'stack': 'backlog', 'name': name, 'barMaxWidth': 36,
                    'itemStyle': {'color': STATUS_HEX[status]},
                    'data': [p[status] if p else None for p in parts]}
                   for status, name in names.items()],
    }


def _times(report: pb.ServiceReport) -> dict[str, pb.Durations]:
    return {'first_response': report.first_response, 'resolution': report.resolution}


def durations_options(report: pb.ServiceReport) -> dict:
    """Grouped bars: the median, 90th percentile and mean business hours of the first
    responses and of the resolutions."""
    times = _times(report).values()
    bar = {'type': 'bar', 'barMaxWidth': 28, 'label': bar_label('top')}
    return base([_(title) for title in MEASURES.values()]) | {
        'xAxis': {'type': 'category', 'data': [_(title) for title in DURATIONS.values()]},
        'yAxis': value_axis(),
        'series': [bar | {'name': _(title), 'itemStyle': {'color': MEASURE_COLORS[measure]},
                          'data': [round(getattr(t, FIELDS[measure]), 2) for t in times]}
                   for measure, title in MEASURES.items()],
    }


def waiting_options(report: pb.ServiceReport) -> dict:
    name = _(figures.HOURS)
    return base([name]) | {
        'xAxis': {'type': 'category', 'data': [_(title) for title in WAITING.values()]},
        'yAxis': value_axis(),
        'series': [{'type': 'bar', 'name': name, 'barMaxWidth': 64, 'label': bar_label('top'),
                    'data': [{'value': round(report.studio_hours, 2),
                              'itemStyle': {'color': PRIMARY}},
                             {'value': round(report.client_hours, 2),
                              'itemStyle': {'color': OPEN_COLOR}}]}],
    }


def ratings_options(report: pb.ServiceReport) -> dict:
    name = _(TICKETS)
    return base([name]) | {
        'xAxis': {'type': 'category', 'data': ['★1', '★2', '★3', '★4', '★5']},
        'yAxis': value_axis(name, whole=True),
        'series': [{'type': 'bar', 'name': name, 'barMaxWidth': 48, 'label': bar_label('top'),
                    'itemStyle': {'color': OPEN_COLOR},
                    'data': list(report.ratings) or [0] * 5}],
    }


# --- the tables under the charts ------------------------------------------------------------

WEEK_COLUMNS = [column('week', N_('Неделя с'), left=True), column('created', CREATED),
                column('closed', CLOSED), column('open', OPEN)]
DURATION_COLUMNS = [column('name', N_('Показатель'), left=True), column('count', TICKETS),
                    *(column(key, title) for key, title in MEASURES.items())]
WAITING_COLUMNS = [column('name', N_('Чья очередь'), left=True),
                   column('hours', N_('Часы')), column('share', N_('Доля, %'))]
RATING_COLUMNS = [column('name', N_('Оценка работы'), left=True),
                  column('count', TICKETS), column('share', N_('Доля, %'))]


def week_columns() -> list[dict]:
    return i18n.columns(WEEK_COLUMNS)


def week_rows(weeks) -> list[dict]:
    return [{'key': w.start_date, 'week': labels.day(w.start_date), 'created': w.created,
             'closed': w.closed, 'open': w.open} for w in weeks]


def backlog_columns() -> list[dict]:
    return [column('week', _('Неделя с'), left=True),
            *(column(str(status), labels.status(status)) for status in figures.OPEN)]


def backlog_rows(weeks) -> list[dict]:
    rows = []
    for week in weeks:
        parts = figures.backlog(week)
        rows.append({'key': week.start_date, 'week': labels.day(week.start_date)}
                    | {str(status): parts[status] if parts else '—'
                       for status in figures.OPEN})
    return rows


def duration_columns() -> list[dict]:
    return i18n.columns(DURATION_COLUMNS)


def duration_rows(report: pb.ServiceReport) -> list[dict]:
    """Each kind's count and hours («—» where no ticket was counted)."""
    return [{'key': kind, 'name': _(DURATIONS[kind]), 'count': found.count}
            | {key: shown(getattr(found, FIELDS[key]) if found.count else None)
               for key in MEASURES}
            for kind, found in _times(report).items()]


def waiting_columns() -> list[dict]:
    return i18n.columns(WAITING_COLUMNS)


def waiting_rows(report: pb.ServiceReport) -> list[dict]:
    whole = report.studio_hours + report.client_hours
    return [{'key': key, 'name': _(WAITING[key]), 'hours': number(value),
             'share': percent(figures.share(value, whole))}
            for key, value in (('studio', report.studio_hours),
                               ('client', report.client_hours))]


def rating_columns() -> list[dict]:
    return i18n.columns(RATING_COLUMNS)


def rating_rows(report: pb.ServiceReport) -> list[dict]:
    counts = list(report.ratings) or [0] * 5
    return [{'key': str(stars), 'name': '★' * stars, 'count': count,
             'share': percent(figures.share(count, sum(counts)))}
            for stars, count in enumerate(counts, 1)]
