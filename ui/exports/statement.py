"""An organization's monthly statement (XLSX): a title sheet (the studio, the organization,
the month, the total hours), the tickets time was logged on that month (number, title,
status, hours, estimate) and the month's entries (date, ticket, author, hours, note), in
the reader's language."""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font

from texts import dates
from texts.catalog import N_, translate
from ticketdesk.tickets.v1 import tickets_pb2 as pb

from .reports import ENTRY_COUNT, HOURS, ORGANIZATION, TICKETS, entries_sheet, hours, \
    month_title, summary_sheet
from .sheets import add_sheet, put, save, sheet_title

MONTH = re.compile(r'^(\d{4})-(0[1-9]|1[0-2])$')
TITLE = N_('Отчёт о затраченном времени')
TICKETS_SHEET = N_('Тикеты')
ENTRIES_SHEET = N_('Записи')
STUDIO = N_('Студия')
MONTH_LABEL = N_('Месяц')
PERIOD = N_('Период')
MADE = N_('Составлен')
FILE = N_('Отчёт за месяц')


@dataclass(frozen=True)
class Statement:
    """What a statement shows: `tickets` are SummarizeTime's rows by ticket for the
    organization and month, `entries` ListTimeEntries' for the same."""

    studio: str
    organization: str  # its display name
    month: str  # YYYY-MM
    tickets: Sequence[pb.TimeSummaryRow]
    entries: Sequence[pb.TimeEntry]
    total_minutes: int
    made: date


def month_range(month: str) -> tuple[date, date]:
    """`2025-02` -> (2025-02-01, 2025-02-28); ValueError when it is not a month."""
    found = MONTH.match(month or '')
    if found is None:
        raise ValueError(month)
    year, number = int(found[1]), int(found[2])
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def statement_xlsx(statement: Statement, language: str) -> bytes:
    def word(msgid: str) -> str:
        return translate(msgid, language)

    book = Workbook()
    cover = book.active
    cover.title = sheet_title(word(FILE))
    first, last = month_range(statement.month)
    cover.append([word(TITLE)])
    cover['A1'].font = Font(bold=True, size=14)
    cover.append([])
    lines = [(STUDIO, statement.studio, 'text'), (ORGANIZATION, statement.organization, 'text'),
             (MONTH_LABEL, month_title(statement.month, language), 'text'),
             (PERIOD, f'{dates.format_day(first, language)} – '
                      f'{dates.format_day(last, language)}', 'text'),
             (HOURS, hours(statement.total_minutes), 'hours'),
             (TICKETS, len(statement.tickets), 'int'),
             (ENTRY_COUNT, len(statement.entries), 'int'),
             (MADE, statement.made, 'date')]
    for row, (label, value, kind) in enumerate(lines, start=3):
        cover.cell(row=row, column=1, value=word(label)).font = Font(bold=True)
        put(cover.cell(row=row, column=2), value, kind, language)
    cover.column_dimensions['A'].width = 24
    cover.column_dimensions['B'].width = 48
    tickets = summary_sheet('tickets', statement.tickets, language, organizations={},
                            staff=False)
    add_sheet(book, replace(tickets, title=word(TICKETS_SHEET)), language)
    titles = {row.key: row.display_name for row in statement.tickets}
    entries = entries_sheet(statement.entries, language, titles=titles, organizations={},
                            title=ENTRIES_SHEET, with_organization=False)
    add_sheet(book, entries, language)
    return save(book)


def file_name(organization: str, month: str, language: str) -> str:
    """«Отчёт за месяц — ООО Ромашка — 2025-03.xlsx»."""
    return f'{translate(FILE, language)} — {organization} — {month}.xlsx'
