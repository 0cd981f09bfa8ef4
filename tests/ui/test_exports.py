"""The reports' files (ui/exports/): rows in, bytes out, read back as a spreadsheet program
would, with openpyxl and csv; and the reports' filters and their address
(ui/components/reports/filters.py). No services, no browser."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from ticketdesk.tickets.v1 import tickets_pb2 as pb
from ui.components.reports.filters import ReportFilters, months_between
from ui.components.reports.statement import recent_months
from ui.exports import reports, sheets
from ui.exports.statement import Statement, file_name, month_range, statement_xlsx
from ui.report_downloads import studio_name

ORGANIZATIONS = {'organizations/1': 'ООО Ромашка', 'organizations/2': 'ИП Васильев'}


def by_organization() -> list[pb.TimeSummaryRow]:
    return [pb.TimeSummaryRow(key='organizations/1', minutes=150, entries=3, tickets=2,
                              estimate_hours=4.5),
            pb.TimeSummaryRow(key='organizations/2', minutes=45, entries=1, tickets=1,
                              estimate_hours=0)]


def by_ticket() -> list[pb.TimeSummaryRow]:
    return [pb.TimeSummaryRow(key='tickets/12', display_name='=HYPERLINK("http://evil")',
                              minutes=90, entries=2, tickets=1, estimate_hours=2,
                              organization='organizations/1', status=pb.STATUS_IN_PROGRESS),
            pb.TimeSummaryRow(key='tickets/7', display_name='Новая страница «О нас»',
                              minutes=30, entries=1, tickets=1, estimate_hours=1.25,
                              organization='organizations/1', status=pb.STATUS_DONE)]


def entries() -> list[pb.TimeEntry]:
    return [pb.TimeEntry(name='tickets/12/timeEntries/' + 'a' * 32, author='users/5',
                         author_display_name='Пётр Разработчиков', minutes=90,
                         work_date='2025-03-14', note='Поправил меню; шапку, «подвал»\nи стили',
                         organization='organizations/1'),
            pb.TimeEntry(name='tickets/7/timeEntries/' + 'b' * 32, author='users/6',
                         author_display_name='', minutes=30, work_date='2025-03-02',
                         note='-1 баг', organization='organizations/2')]


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b'\xef\xbb\xbf'), 'Excel needs the BOM to read UTF-8'
    return list(csv.reader(io.StringIO(data.decode('utf-8-sig')), delimiter=';'))


def read_xlsx(data: bytes):
    return load_workbook(io.BytesIO(data))


def values(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# --- the summaries ----------------------------------------------------------------------------

def test_a_summary_by_organization_as_csv_in_russian():
    sheet = reports.summary_sheet('organizations', by_organization(), 'ru',
                                  organizations=ORGANIZATIONS)
    rows = read_csv(sheets.to_csv(sheet, 'ru'))
    assert rows == [
        ['Организация', 'Затрачено, ч', 'Минуты', 'Оценка, ч', 'Тикетов', 'Записей'],
        ['ООО Ромашка', '2,50', '150', '4,50', '2', '3'],
        ['ИП Васильев', '0,75', '45', '0,00', '1', '1'],
    ]  # no total row: the file is data


def test_a_summary_by_organization_as_xlsx_in_english():
    sheet = reports.summary_sheet('organizations', by_organization(), 'en',
                                  organizations=ORGANIZATIONS)
    book = read_xlsx(sheets.to_xlsx([sheet], 'en'))
    assert book.sheetnames == ['Time by organization']
    page = book.active
    assert values(page) == [
        ['Organization', 'Hours logged', 'Minutes', 'Estimate, h', 'Tickets', 'Entries'],
        ['ООО Ромашка', 2.5, 150, 4.5, 2, 3],
        ['ИП Васильев', 0.75, 45, 0, 1, 1],
        ['Total', 3.25, 195, 4.5, None, 4],  # estimates add up: a ticket has one organization
    ]
    assert page['B2'].number_format == '0.00' and page['A1'].font.bold
    assert page.freeze_panes == 'A2' and page.auto_filter.ref == 'A1:F3'


def test_a_developers_estimates_are_not_added_up():
    rows = [pb.TimeSummaryRow(key='users/1', display_name='Анна', minutes=60, entries=1,
                              tickets=1, estimate_hours=3),
            pb.TimeSummaryRow(key='users/2', display_name='', minutes=120, entries=2,
                              tickets=1, estimate_hours=3)]
    sheet = reports.summary_sheet('developers', rows, 'ru', organizations={})
    table = values(read_xlsx(sheets.to_xlsx([sheet], 'ru')).active)
    assert table[0][0] == 'Разработчик'
    assert [row[0] for row in table[1:3]] == ['Анна', 'сотрудник студии']
    assert table[-1] == ['Итого', 3, 180, None, None, 3]


def test_a_summary_by_month_keeps_the_months_sortable():
    rows = [pb.TimeSummaryRow(key='2025-01', minutes=60, entries=1, tickets=1),
            pb.TimeSummaryRow(key='2025-02', minutes=30, entries=1, tickets=1)]
    sheet = reports.summary_sheet('months', rows, 'en', organizations={})
    assert [row[0] for row in read_csv(sheets.to_csv(sheet, 'en'))] == \
        ['Month', '2025-01', '2025-02']
    assert read_csv(sheets.to_csv(sheet, 'en'))[1][1] == '1.00'  # the English decimal point


def test_a_summary_by_ticket_for_staff_and_for_a_client():
    staff = reports.summary_sheet('tickets', by_ticket(), 'ru', organizations=ORGANIZATIONS)
    rows = read_csv(sheets.to_csv(staff, 'ru'))
    assert rows[0] == ['Тикет', 'Название', 'Организация', 'Статус', 'Затрачено, ч', 'Минуты',
                       'Оценка, ч', 'Записей']
    # A title that a spreadsheet would run as a formula stays text.
    assert rows[1] == ['12', '\'=HYPERLINK("http://evil")', 'ООО Ромашка', 'В работе', '1,50',
                       '90', '2,00', '2']
    client = reports.summary_sheet('tickets', by_ticket(), 'en', organizations={},
                                   staff=False)
    page = read_xlsx(sheets.to_xlsx([client], 'en')).active
    table = values(page)
    assert table[0] == ['Ticket', 'Title', 'Status', 'Hours logged', 'Minutes', 'Estimate, h',
                        'Entries']
    assert table[1] == [12, '=HYPERLINK("http://evil")', 'In progress', 1.5, 90, 2, 2]
    assert page['B2'].data_type == 's'  # a string cell, never a formula
    assert table[2][2] == 'Done'
    assert table[3] == ['Total', None, None, 2, 120, 3.25, 3]


# --- the entries ------------------------------------------------------------------------------

def test_the_entries_as_csv_and_xlsx():
    titles = {'tickets/12': 'Меню', 'tickets/7': 'О нас'}
    sheet = reports.entries_sheet(entries(), 'ru', titles=titles, organizations=ORGANIZATIONS)
    rows = read_csv(sheets.to_csv(sheet, 'ru'))
    assert rows == [
        ['Дата', 'Тикет', 'Название', 'Организация', 'Автор', 'Часы', 'Минуты', 'Что сделано'],
        ['2025-03-14', '12', 'Меню', 'ООО Ромашка', 'Пётр Разработчиков', '1,50', '90',
         'Поправил меню; шапку, «подвал»\nи стили'],
        ['2025-03-02', '7', 'О нас', 'ИП Васильев', 'сотрудник студии', '0,50', '30',
         "'-1 баг"],
    ]
    page = read_xlsx(sheets.to_xlsx([sheet], 'ru')).active
    table = values(page)
    assert table[1][:7] == [datetime(2025, 3, 14), 12, 'Меню', 'ООО Ромашка',
                            'Пётр Разработчиков', 1.5, 90]
    assert page['A2'].number_format == 'DD.MM.YYYY' and page['A2'].is_date
    assert table[2][7] == '-1 баг'
    assert table[3] == ['Итого', None, None, None, None, 2, 120, None]


def test_no_entries_make_a_header_only():
    sheet = reports.entries_sheet([], 'en', titles={}, organizations={})
    assert read_csv(sheets.to_csv(sheet, 'en')) == [
        ['Date', 'Ticket', 'Title', 'Organization', 'Author', 'Hours', 'Minutes',
         'What was done']]
    assert values(read_xlsx(sheets.to_xlsx([sheet], 'en')).active) == [
        ['Date', 'Ticket', 'Title', 'Organization', 'Author', 'Hours', 'Minutes',
         'What was done']]


def test_file_names_and_sheet_titles():
    assert reports.file_name('months', 'csv', '2025-01-01', '2025-12-31', 'ru') == \
        'Время по месяцам 2025-01-01 – 2025-12-31.csv'
    assert reports.file_name('entries', 'xlsx', '', '', 'en') == 'Time entries.xlsx'
    assert sheets.sheet_title('Итоги: [март]/апрель? — очень длинное название') == \
        'Итоги   март  апрель  — очень д'
    assert reports.month_title('2025-03', 'ru') == 'Март 2025'
    assert reports.month_title('2025-03', 'en') == 'March 2025'
    assert reports.month_title('март', 'en') == 'март'


# --- the statement ----------------------------------------------------------------------------

def test_the_monthly_statement():
    statement = Statement(studio='Студия «Пример»', organization='ООО Ромашка', month='2025-03',
                          tickets=by_ticket(), entries=entries(), total_minutes=120,
                          made=date(2025, 4, 2))
    book = read_xlsx(statement_xlsx(statement, 'ru'))
    assert book.sheetnames == ['Отчёт за месяц', 'Тикеты', 'Записи']
    cover = dict((row[0], row[1]) for row in values(book['Отчёт за месяц'])[2:])
    assert values(book['Отчёт за месяц'])[0][0] == 'Отчёт о затраченном времени'
    assert cover == {'Студия': 'Студия «Пример»', 'Организация': 'ООО Ромашка',
                     'Месяц': 'Март 2025', 'Период': '01.03.2025 – 31.03.2025',
                     'Затрачено, ч': 2, 'Тикетов': 2, 'Записей': 2,
                     'Составлен': datetime(2025, 4, 2)}
    tickets = values(book['Тикеты'])
    assert tickets[0] == ['Тикет', 'Название', 'Статус', 'Затрачено, ч', 'Минуты', 'Оценка, ч',
                          'Записей']
    assert tickets[2] == [7, 'Новая страница «О нас»', 'Выполнен', 0.5, 30, 1.25, 1]
    records = values(book['Записи'])
    assert records[0] == ['Дата', 'Тикет', 'Название', 'Автор', 'Часы', 'Минуты', 'Что сделано']
    assert records[1][:6] == [datetime(2025, 3, 14), 12, '=HYPERLINK("http://evil")',
                              'Пётр Разработчиков', 1.5, 90]
    english = read_xlsx(statement_xlsx(statement, 'en'))
    assert english.sheetnames == ['Monthly statement', 'Tickets', 'Entries']
    assert values(english['Tickets'])[1][2] == 'In progress'
    assert file_name('ООО Ромашка', '2025-03', 'en') == 'Monthly statement — ООО Ромашка — ' \
        '2025-03.xlsx'


def test_months_of_a_statement():
    assert month_range('2024-02') == (date(2024, 2, 1), date(2024, 2, 29))
    assert month_range('2025-12') == (date(2025, 12, 1), date(2025, 12, 31))
    for bad in ('', '2025-13', '2025-1', '2025-03-01', 'март'):
        with pytest.raises(ValueError):
            month_range(bad)
    assert recent_months(date(2025, 2, 10), 3) == ['2025-02', '2025-01', '2024-12']


def test_the_studio_is_named_by_its_mail_sender():
    assert studio_name('Студия «Пример» <support@example.com>') == 'Студия «Пример»'
    assert studio_name('support@example.com') == 'TicketDesk'


# --- the filters ------------------------------------------------------------------------------

TODAY = date(2025, 5, 20)


@pytest.mark.parametrize(('period', 'first', 'last'), [
    ('month', date(2025, 5, 1), date(2025, 5, 31)),
    ('last-month', date(2025, 4, 1), date(2025, 4, 30)),
    ('quarter', date(2025, 4, 1), date(2025, 6, 30)),
    ('year', date(2025, 1, 1), date(2025, 12, 31)),
])
def test_the_periods(period, first, last):
    assert ReportFilters(period=period).bounds(TODAY) == (first, last)


def test_the_periods_at_a_years_turn():
    january = date(2026, 1, 15)
    assert ReportFilters(period='last-month').bounds(january) == \
        (date(2025, 12, 1), date(2025, 12, 31))
    assert ReportFilters(period='quarter').bounds(date(2025, 12, 31)) == \
        (date(2025, 10, 1), date(2025, 12, 31))


def test_the_filters_live_in_the_address():
    params = {'period': 'custom', 'from': '2025-03-31', 'to': '2025-03-01',
              'org': 'organizations/3', 'dev': 'users/7'}
    found = ReportFilters.parse(params)
    assert (found.start, found.end) == (date(2025, 3, 1), date(2025, 3, 31))  # put in order
    assert found.address() == ('/reports?period=custom&from=2025-03-01&to=2025-03-31'
                               '&org=organizations%2F3&dev=users%2F7')
    assert found.export('months', 'xlsx').startswith('/reports/export/months.xlsx?period=custom')
    query = found.time_query(TODAY)
    assert (query.organization, query.author, query.start, query.end) == \
        ('organizations/3', 'users/7', '2025-03-01', '2025-03-31')
    assert ReportFilters.parse(params, client=True).time_query(TODAY).organization == ''
    assert ReportFilters.parse({}).address() == '/reports'
    odd = ReportFilters.parse({'period': 'decade', 'org': '../x', 'dev': 'root',
                               'from': 'вчера'})
    assert odd == ReportFilters()
    open_end = ReportFilters.parse({'period': 'custom', 'from': '2025-01-01'})
    assert open_end.time_query(TODAY).end == '' and open_end.query() == \
        'period=custom&from=2025-01-01'


def test_a_month_chart_shows_every_month_of_its_period():
    assert months_between(date(2025, 1, 1), date(2025, 4, 30), ['2025-02']) == \
        ['2025-01', '2025-02', '2025-03', '2025-04']
    assert months_between(None, None, ['2025-04', '2024-11']) == \
        ['2024-11', '2024-12', '2025-01', '2025-02', '2025-03', '2025-04']
    assert months_between(None, None, []) == []
    assert months_between(date(1990, 1, 1), date(2025, 1, 1), ['2000-01']) == ['2000-01']
