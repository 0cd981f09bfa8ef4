"""A table as a file: CSV (UTF-8 with a BOM, so that Excel reads Cyrillic; `;` between
fields, the list separator of a Russian Excel, where `,` is the decimal comma) or an XLSX
sheet (openpyxl: real numbers and dates, a bold header, frozen, with a filter, and a total
row).

In CSV, hours are written with the reader's decimal separator (`1,5` in Russian, `1.5` in
English), dates as ISO (`2025-03-01`, which Excel reads in every locale), and there is no
total row (the file is data). Text that a spreadsheet would take for a formula (`=`, `+`,
`-`, `@` first) is kept as text: a leading `'` in CSV, a string cell in XLSX.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

CSV_DELIMITER = ';'
BOM = '\ufeff'
FORMULA_START = ('=', '+', '-', '@', '\t', '\r')
# How a sheet writes a kind of value.
HOURS_FORMAT = '0.00'
DATE_FORMATS = {'ru': 'DD.MM.YYYY', 'en': 'YYYY-MM-DD'}
SHEET_TITLE_FORBIDDEN = str.maketrans({c: ' ' for c in '[]:*?/\\'})
MAX_WIDTH = 60
CSV_TYPE = 'text/csv; charset=utf-8'
XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
BOLD = Font(bold=True)


@dataclass(frozen=True)
class Column:
    """A column: its title (in the reader's language) and what its values are: `text`,
    `int`, `hours` (a float, two decimals) or `date` (a `datetime.date`). `total`: summed
    in the XLSX total row."""

    title: str
    kind: str = 'text'
    total: bool = False
    width: int = 0  # characters; 0: as wide as the longest value (within reason)


@dataclass(frozen=True)
class Sheet:
    """A table: `title` names the XLSX sheet; `total_label` (when given) starts the XLSX
    row under the rows that sums the `total` columns."""

    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[object]]
    total_label: str = ''
    notes: list[str] = field(default_factory=list)  # XLSX: lines above the table


# --- CSV ------------------------------------------------------------------------------------

def to_csv(sheet: Sheet, language: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator='\r\n')
    writer.writerow([column.title for column in sheet.columns])
    for row in sheet.rows:
        writer.writerow([csv_value(value, column.kind, language)
                         for value, column in zip(row, sheet.columns)])
    return (BOM + buffer.getvalue()).encode('utf-8')


def csv_value(value: object, kind: str, language: str) -> str:
    if value is None or value == '':
        return ''
    if kind == 'hours':
        shown = f'{float(value):.2f}'
        return shown.replace('.', ',') if language == 'ru' else shown
    if kind == 'int':
        return str(int(value))
    if kind == 'date' and isinstance(value, date):
        return value.isoformat()
    return safe_text(str(value))


def safe_text(text: str) -> str:
    """Text a spreadsheet shows as it is, never runs: `=SUM(A1)` -> `'=SUM(A1)`."""
    return f"'{text}" if text.startswith(FORMULA_START) else text


# --- XLSX -----------------------------------------------------------------------------------

def to_xlsx(sheets: Sequence[Sheet], language: str) -> bytes:
    """A workbook of `sheets`, in their order."""
    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        add_sheet(book, sheet, language)
    return save(book)


def save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def sheet_title(title: str) -> str:
    """A valid sheet name: at most 31 characters, none of `[]:*?/\\`."""
    return title.translate(SHEET_TITLE_FORBIDDEN).strip()[:31] or 'Sheet'


def add_sheet(book: Workbook, sheet: Sheet, language: str) -> Worksheet:
    page = book.create_sheet(sheet_title(sheet.title))
    for note in sheet.notes:
        page.append([note])
    header = len(sheet.notes) + 1
    for number, column in enumerate(sheet.columns, start=1):
        cell = page.cell(row=header, column=number, value=column.title)
        cell.font = BOLD
        cell.alignment = Alignment(vertical='top', wrap_text=True)
    for offset, row in enumerate(sheet.rows, start=header + 1):
        for number, (value, column) in enumerate(zip(row, sheet.columns), start=1):
            put(page.cell(row=offset, column=number), value, column.kind, language)
    last = header + len(sheet.rows)
    if sheet.total_label and sheet.rows:
        _total_row(page, sheet, header, last, language)
    page.freeze_panes = page.cell(row=header + 1, column=1)
    if sheet.rows:
        page.auto_filter.ref = f'A{header}:{get_column_letter(len(sheet.columns))}{last}'
    _widths(page, sheet)
    return page


def put(cell, value: object, kind: str, language: str) -> None:
    """One value in its cell, typed: numbers as numbers, dates as dates, text as text."""
    if value is None or value == '':
        return
    if kind == 'hours':
        cell.value = round(float(value), 2)
        cell.number_format = HOURS_FORMAT
    elif kind == 'int':
        cell.value = int(value)
    elif kind == 'date' and isinstance(value, date):
        cell.value = value
        cell.number_format = DATE_FORMATS.get(language, DATE_FORMATS['ru'])
    else:
        cell.value = str(value)
        cell.data_type = 's'  # openpyxl would take `=…` for a formula


def _total_row(page: Worksheet, sheet: Sheet, header: int, last: int, language: str) -> None:
    row = last + 1
    page.cell(row=row, column=1, value=sheet.total_label).font = BOLD
    for number, column in enumerate(sheet.columns, start=1):
        if not column.total:
            continue
        values = [r[number - 1] for r in sheet.rows if r[number - 1] not in (None, '')]
        total = sum(float(v) for v in values)
        cell = page.cell(row=row, column=number)
        put(cell, total if column.kind == 'hours' else int(total), column.kind, language)
        cell.font = BOLD


def _widths(page: Worksheet, sheet: Sheet) -> None:
    for number, column in enumerate(sheet.columns, start=1):
        longest = max([len(column.title)] + [len(_shown(r[number - 1])) for r in sheet.rows])
        width = column.width or min(max(longest + 2, 8), MAX_WIDTH)
        page.column_dimensions[get_column_letter(number)].width = width


def _shown(value: object) -> str:
    if isinstance(value, float):
        return f'{value:.2f}'
    return '' if value is None else str(value)
