"""The service report (GetServiceReport) as tables in the reader's language, and the
figures the page and the files share: the tickets of each week (created, closed, open at
its end, and those open by status), the first response and resolution times, the business
hours in the studio's court and waiting for the client, the acceptance ratings, and the
summary (SLA compliance, the rework rate, the average rating).

A figure with nothing to divide (no ticket closed, none submitted, none rated) is None:
the page writes «—», a file leaves the cell empty.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from texts import labels
from texts.catalog import N_, translate
from ticketdesk.tickets.v1 import tickets_pb2 as pb

from .sheets import Column, Sheet

SERVICE_REPORTS = {
    'summary': N_('Итоги обслуживания'),
    'weeks': N_('Тикеты по неделям'),
    'durations': N_('Время ответа и решения'),
    'waiting': N_('Время у студии и у клиента'),
    'ratings': N_('Оценки приемки'),
}
# The statuses of an open ticket, in the workflow's order: the backlog's parts.
OPEN = (pb.STATUS_QUEUED, pb.STATUS_IN_PROGRESS, pb.STATUS_NEEDS_INFO,
        pb.STATUS_AWAITING_ACCEPTANCE)
WEEK = N_('Неделя с')
CREATED = N_('Создано')
CLOSED = N_('Закрыто')
OPEN_AT_END = N_('Открыто на конец недели')
MEASURE = N_('Показатель')
TICKETS = N_('Тикетов')
MEDIAN = N_('Медиана, ч')
P90 = N_('90-й процентиль, ч')
MEAN = N_('Среднее, ч')
FIRST_RESPONSE = N_('Первый ответ')
RESOLUTION = N_('Решение')
WHERE = N_('Чья очередь')
HOURS = N_('Часы')
SHARE = N_('Доля, %')
STUDIO = N_('У студии')
CLIENT = N_('Ожидание клиента')
RATING = N_('Оценка работы')
DONE = N_('Выполнено')
BREACHED = N_('Нарушений SLA')
COMPLIANCE = N_('Соблюдение SLA, %')
SUBMITTED = N_('Сдано на приемку')
REWORKED = N_('Возвращено в доработку')
REWORK_RATE = N_('Доля доработок, %')
AVERAGE_RATING = N_('Средняя оценка')


# --- the figures ------------------------------------------------------------------------------

def share(part: float, whole: float) -> float | None:
    """`part` of `whole` in percent, one decimal; None when there is no whole."""
    return round(100 * part / whole, 1) if whole else None


def sla_compliance(report: pb.ServiceReport) -> float | None:
    """Of the tickets closed, the percentage closed without an SLA breach."""
    return share(report.closed - report.sla_breached, report.closed)


def rework_rate(report: pb.ServiceReport) -> float | None:
    """Of the tickets submitted for acceptance, the percentage sent back at least once."""
    return share(report.reworked, report.submitted)


def average_rating(report: pb.ServiceReport) -> float | None:
    rated = sum(report.ratings)
    if not rated:
        return None
    return round(sum(stars * count for stars, count in enumerate(report.ratings, 1)) / rated, 2)


def backlog(week: pb.ServiceReport.Week) -> dict[int, int] | None:
    """The week's open tickets by status; None while the service does not tell them."""
    if not week.backlog and week.open:
        return None
    counts = {item.status: item.count for item in week.backlog}
    return {status: counts.get(status, 0) for status in OPEN}


def week_start(iso: str) -> date | str:
    try:
        return date.fromisoformat(iso)
    except ValueError:
        return iso


def hours(value: float) -> float:
    return round(value, 2)


# --- the tables -------------------------------------------------------------------------------

def service_sheet(report: str, answer: pb.ServiceReport, language: str) -> Sheet:
    """One of SERVICE_REPORTS as a table."""
    def word(msgid: str) -> str:
        return translate(msgid, language)

    columns, rows = SHEETS[report](answer, word, language)
    return Sheet(word(SERVICE_REPORTS[report]), columns, rows)


Word = Callable[[str], str]


def _weeks(answer: pb.ServiceReport, word: Word, language: str):
    columns = [Column(word(WEEK), 'date'), Column(word(CREATED), 'int'),
               Column(word(CLOSED), 'int'), Column(word(OPEN_AT_END), 'int')]
    columns += [Column(labels.status(status, language), 'int') for status in OPEN]
    rows = []
    for week in answer.weeks:
        parts = backlog(week)
        rows.append([week_start(week.start_date), week.created, week.closed, week.open]
                    + [parts[status] if parts else '' for status in OPEN])
    return columns, rows


def _durations(answer: pb.ServiceReport, word: Word, language: str):
    columns = [Column(word(MEASURE)), Column(word(TICKETS), 'int'),
               Column(word(MEDIAN), 'hours'), Column(word(P90), 'hours'),
               Column(word(MEAN), 'hours')]
    rows = [[word(title), times.count] + ([hours(times.median_hours), hours(times.p90_hours),
                                           hours(times.mean_hours)] if times.count else
                                          ['', '', ''])
            for title, times in ((FIRST_RESPONSE, answer.first_response),
                                 (RESOLUTION, answer.resolution))]
    return columns, rows


def _waiting(answer: pb.ServiceReport, word: Word, language: str):
    columns = [Column(word(WHERE)), Column(word(HOURS), 'hours'), Column(word(SHARE), 'hours')]
    whole = answer.studio_hours + answer.client_hours
    rows = [[word(title), hours(value), _blank(share(value, whole))]
            for title, value in ((STUDIO, answer.studio_hours), (CLIENT, answer.client_hours))]
    return columns, rows


def _ratings(answer: pb.ServiceReport, word: Word, language: str):
    columns = [Column(word(RATING), 'int'), Column(word(TICKETS), 'int'),
               Column(word(SHARE), 'hours')]
    counts = list(answer.ratings) or [0] * 5
    rows = [[stars, count, _blank(share(count, sum(counts)))]
            for stars, count in enumerate(counts, 1)]
    return columns, rows


def _summary(answer: pb.ServiceReport, word: Word, language: str):
    columns = [Column(word(CLOSED), 'int'), Column(word(DONE), 'int'),
               Column(word(BREACHED), 'int'), Column(word(COMPLIANCE), 'hours'),
               Column(word(SUBMITTED), 'int'), Column(word(REWORKED), 'int'),
               Column(word(REWORK_RATE), 'hours'), Column(word(AVERAGE_RATING), 'hours'),
               Column(word(STUDIO) + ', ' + word(N_('ч')), 'hours'),
               Column(word(CLIENT) + ', ' + word(N_('ч')), 'hours')]
    row = [answer.closed, answer.done, answer.sla_breached, _blank(sla_compliance(answer)),
           answer.submitted, answer.reworked, _blank(rework_rate(answer)),
           _blank(average_rating(answer)), hours(answer.studio_hours),
           hours(answer.client_hours)]
    return columns, [row]


def _blank(value: float | None) -> float | str:
    return '' if value is None else value


SHEETS = {'summary': _summary, 'weeks': _weeks, 'durations': _durations, 'waiting': _waiting,
          'ratings': _ratings}
