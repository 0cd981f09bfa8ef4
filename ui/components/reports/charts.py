"""The reports' charts (ECharts options for `ui.echart`) and their tables: the hours logged
per month (bars), and per organization or developer the hours logged beside the estimates
of the tickets they were logged on (grouped bars, the most time on top)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ticketdesk.tickets.v1 import tickets_pb2 as pb

from ... import i18n, labels, routes
from ...exports.reports import group_name, hours, month_title
from ...i18n import N_, _, current_language
from ..frame import PRIMARY

ESTIMATE_COLOR = '#f2a541'
# How the browser writes the chart's numbers (`1,5` in Russian): ECharts' formatters,
# functions NiceGUI makes of the options' keys that start with a colon.
LOCALES = {'ru': 'ru-RU', 'en': 'en-US'}
LOGGED = N_('Затрачено, ч')
ESTIMATED = N_('Оценка, ч')
ROW_PIXELS = 44  # a horizontal chart's height per group


def number(value: float) -> str:
    """`1.5` -> «1,5» (`1.5` in English), `2.0` -> `2`."""
    shown = f'{value:.2f}'.rstrip('0').rstrip('.')
    return shown.replace('.', ',') if current_language() == 'ru' else shown


def in_words() -> str:
    """A formatter that writes a number as the reader's language does."""
    locale = LOCALES.get(current_language(), LOCALES['ru'])
    return f"v => Number(v).toLocaleString('{locale}', {{maximumFractionDigits: 2}})"


def bar_label(position: str) -> dict:
    """The number at the end of each bar."""
    return {'show': True, 'position': position, ':formatter': f'p => ({in_words()})(p.value)'}


def value_axis(name: str | None = None, *, whole: bool = False) -> dict:
    """A numbers' axis: hours (`ч`) unless named otherwise; `whole`: counts of things."""
    axis = {'type': 'value', 'name': _('ч') if name is None else name,
            'axisLabel': {':formatter': in_words()}}
    return axis | ({'minInterval': 1} if whole else {})


def base(legend: list[str]) -> dict:
    return {
        'aria': {'enabled': True},  # a description for screen readers
        'animation': False,
        'tooltip': {'trigger': 'axis', 'axisPointer': {'type': 'shadow'},
                    ':valueFormatter': in_words()},
        'legend': {'data': legend, 'top': 0},
        'grid': {'left': 8, 'right': 40, 'top': 36, 'bottom': 8, 'containLabel': True},
    }


def month_options(months: Sequence[str], minutes: Mapping[str, int]) -> dict:
    """Bars: the hours of each month (those without time at 0)."""
    name = _(LOGGED)
    return base([name]) | {
        'xAxis': {'type': 'category', 'data': [month_title(m, current_language())
                                               for m in months],
                  'axisLabel': {'interval': 0, 'rotate': 30 if len(months) > 6 else 0}},
        'yAxis': value_axis(),
        'series': [{'type': 'bar', 'name': name, 'barMaxWidth': 48,
                    'itemStyle': {'color': PRIMARY}, 'label': bar_label('top'),
                    'data': [hours(minutes.get(m, 0)) for m in months]}],
    }


def comparison_options(names: Sequence[str], logged: Sequence[float],
                       estimated: Sequence[float]) -> dict:
    """Grouped horizontal bars: logged and estimated hours of each group, in order."""
    spent, estimate = _(LOGGED), _(ESTIMATED)
    bar = {'type': 'bar', 'barMaxWidth': 16, 'label': bar_label('right')}
    return base([spent, estimate]) | {
        'xAxis': value_axis(),
        'yAxis': {'type': 'category', 'data': list(names), 'inverse': True,
                  'axisLabel': {'width': 180, 'overflow': 'truncate'}},
        'series': [bar | {'name': spent, 'itemStyle': {'color': PRIMARY}, 'data': list(logged)},
                   bar | {'name': estimate, 'itemStyle': {'color': ESTIMATE_COLOR},
                          'data': list(estimated)}],
    }


def comparison_height(count: int) -> int:
    return max(160, 60 + ROW_PIXELS * count)


# --- the tables under the charts ------------------------------------------------------------

def column(name: str, label: str, *, left: bool = False) -> dict:
    return {'name': name, 'label': label, 'field': name, 'align': 'left' if left else 'right'}


NUMBERS = [column('hours', LOGGED), column('estimate', ESTIMATED),
           column('tickets', N_('Тикетов')), column('entries', N_('Записей'))]
FIRST_COLUMN = {'organizations': N_('Организация'), 'developers': N_('Разработчик'),
                'months': N_('Месяц')}
TICKET_COLUMNS = [column('number', N_('Тикет'), left=True),
                  column('title', N_('Название'), left=True),
                  column('status', N_('Статус'), left=True),
                  column('hours', LOGGED), column('estimate', ESTIMATED),
                  column('entries', N_('Записей'))]
NUMBER_CELL = '''
<q-td :props="props">
  <a :href="props.row.href" class="text-primary font-medium no-underline">#{{ props.value }}</a>
</q-td>
'''


def columns(report: str) -> list[dict]:
    """A table's columns in the reader's language."""
    if report == 'tickets':
        return i18n.columns(TICKET_COLUMNS)
    return i18n.columns([column('name', FIRST_COLUMN[report], left=True), *NUMBERS])


def _numbers(row: pb.TimeSummaryRow) -> dict:
    return {'hours': number(hours(row.minutes)), 'estimate': number(row.estimate_hours),
            'tickets': row.tickets, 'entries': row.entries}


def group_rows(report: str, rows: Sequence[pb.TimeSummaryRow],
               organizations: Mapping[str, str]) -> list[dict]:
    """The rows of an organization's, developer's or month's table."""
    return [{'key': row.key, 'name': group_name(report, row, organizations,
                                                current_language())} | _numbers(row)
            for row in rows]


def ticket_rows(rows: Sequence[pb.TimeSummaryRow]) -> list[dict]:
    return [{'key': row.key, 'number': row.key.removeprefix('tickets/'),
             'href': routes.ticket(row.key), 'title': row.display_name,
             'status': labels.status(row.status)} | _numbers(row) for row in rows]
