"""The time reports as tables in the reader's language: a summary (by organization,
developer, month or ticket: SummarizeTime's rows) or the entries of a period
(ListTimeEntries'), and the names of their files.

Each summary has the time logged (hours and minutes), the estimates of the tickets it was
logged on, how many tickets and entries; the entries have their day, ticket, organization,
author, hours, minutes and note. Months are written `YYYY-MM` in the files (sortable, in
every language); the page shows them as «Март 2025».
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from babel.dates import format_date

from texts import labels
from texts.catalog import N_, translate
from ticketdesk.tickets.v1 import tickets_pb2 as pb

from .service import SERVICE_REPORTS
from .sheets import Column, Sheet

SUMMARIES = {
    'organizations': N_('Время по организациям'),
    'developers': N_('Время по разработчикам'),
    'months': N_('Время по месяцам'),
    'tickets': N_('Время по тикетам'),
}
ENTRIES = 'entries'
ENTRIES_TITLE = N_('Записи времени')
REPORTS = (*SUMMARIES, ENTRIES, *SERVICE_REPORTS)
FORMATS = ('csv', 'xlsx')
TOTAL = N_('Итого')
# What the first columns of a summary are called.
KEY_TITLE = {'organizations': N_('Организация'), 'developers': N_('Разработчик'),
             'months': N_('Месяц'), 'tickets': N_('Тикет')}
HOURS = N_('Затрачено, ч')
MINUTES = N_('Минуты')
ESTIMATE = N_('Оценка, ч')
TICKETS = N_('Тикетов')
ENTRY_COUNT = N_('Записей')
TITLE = N_('Название')
ORGANIZATION = N_('Организация')
STATUS = N_('Статус')
DAY = N_('Дата')
AUTHOR = N_('Автор')
ENTRY_HOURS = N_('Часы')
NOTE = N_('Что сделано')
SOMEONE = N_('сотрудник студии')


def hours(minutes: int) -> float:
    """Minutes as hours, two decimals: `90` -> `1.5`."""
    return round(int(minutes) / 60, 2)


def month_title(key: str, language: str) -> str:
    """`2025-03` -> «Март 2025» (`March 2025`); anything else as it is."""
    try:
        first = date.fromisoformat(f'{key}-01')
    except ValueError:
        return key
    shown = format_date(first, 'LLLL y', locale='en' if language == 'en' else 'ru')
    return shown[:1].upper() + shown[1:]


def ticket_number(name: str) -> int | str:
    """`tickets/12` (or `tickets/12/timeEntries/…`) -> `12`."""
    parts = name.split('/')
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else name


def group_name(report: str, row: pb.TimeSummaryRow, organizations: Mapping[str, str],
               language: str) -> str:
    """What a summary's row is about, in words: the organization's or developer's name,
    the month, the ticket's title."""
    if report == 'organizations':
        return organizations.get(row.key) or row.key
    if report == 'developers':
        return row.display_name or translate(SOMEONE, language)
    if report == 'months':
        return month_title(row.key, language)
    return row.display_name


def summary_sheet(report: str, rows: Sequence[pb.TimeSummaryRow], language: str, *,
                  organizations: Mapping[str, str], staff: bool = True) -> Sheet:
    """A summary's table. `organizations`: their names by `organizations/{id}`; `staff`:
    a client's ticket table has no organization column (it is always their own)."""
    def word(msgid: str) -> str:
        return translate(msgid, language)

    by_ticket = report == 'tickets'
    columns = [Column(word(KEY_TITLE[report]), 'int' if by_ticket else 'text')]
    if by_ticket:
        columns += [Column(word(TITLE))] + ([Column(word(ORGANIZATION))] if staff else []) \
            + [Column(word(STATUS))]
    # Estimates add up where each ticket is in one group only.
    once = report in ('organizations', 'tickets')
    columns += [Column(word(HOURS), 'hours', total=True), Column(word(MINUTES), 'int', True),
                Column(word(ESTIMATE), 'hours', total=once)]
    columns += [] if by_ticket else [Column(word(TICKETS), 'int')]
    columns += [Column(word(ENTRY_COUNT), 'int', total=True)]
    table = []
    for row in rows:
        if by_ticket:
            first = [ticket_number(row.key), row.display_name] \
                + ([organizations.get(row.organization) or row.organization] if staff else []) \
                + [labels.status(row.status, language)]
        else:
            first = [row.key if report == 'months' else
                     group_name(report, row, organizations, language)]
        numbers = [hours(row.minutes), int(row.minutes), round(row.estimate_hours, 2)]
        table.append(first + numbers + ([] if by_ticket else [row.tickets]) + [row.entries])
    return Sheet(word(SUMMARIES[report]), columns, table, total_label=word(TOTAL))


def entries_sheet(entries: Sequence[pb.TimeEntry], language: str, *,
                  titles: Mapping[str, str], organizations: Mapping[str, str],
                  title: str = ENTRIES_TITLE, with_organization: bool = True) -> Sheet:
    """The entries' table, in their order. `titles`: the tickets' by `tickets/{n}`."""
    def word(msgid: str) -> str:
        return translate(msgid, language)

    columns = [Column(word(DAY), 'date'), Column(word(KEY_TITLE['tickets']), 'int'),
               Column(word(TITLE))]
    columns += [Column(word(ORGANIZATION))] if with_organization else []
    columns += [Column(word(AUTHOR)), Column(word(ENTRY_HOURS), 'hours', total=True),
                Column(word(MINUTES), 'int', total=True), Column(word(NOTE), width=60)]
    table = []
    for entry in entries:
        ticket = entry.name.split('/timeEntries/')[0]
        row = [work_day(entry.work_date), ticket_number(ticket), titles.get(ticket, '')]
        row += [organizations.get(entry.organization) or entry.organization] \
            if with_organization else []
        row += [entry.author_display_name or word(SOMEONE), hours(entry.minutes),
                int(entry.minutes), entry.note]
        table.append(row)
    return Sheet(word(title), columns, table, total_label=word(TOTAL))


def work_day(iso: str) -> date | str:
    try:
        return date.fromisoformat(iso)
    except ValueError:
        return iso


def file_name(report: str, fmt: str, start: str, end: str, language: str) -> str:
    """«Время по месяцам 2025-01-01 – 2025-12-31.xlsx»: the report and its period."""
    titles = SUMMARIES | SERVICE_REPORTS
    title = translate(titles.get(report, ENTRIES_TITLE), language)
    period = ' – '.join(part for part in (start, end) if part)
    return f'{title} {period}.{fmt}' if period else f'{title}.{fmt}'
