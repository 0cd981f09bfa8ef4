"""The service report's tables and figures (ui/exports/service.py) and its filters in the
address (ui/components/reports/filters.py): rows in, bytes out, read back with csv and
openpyxl. No services, no browser."""

from __future__ import annotations

from datetime import date, datetime

from tests.ui.test_exports import read_csv, read_xlsx, values
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from ui.components.reports.filters import ReportFilters
from ui.exports import reports, service, sheets

TODAY = date(2025, 3, 14)


def a_report() -> pb.ServiceReport:
    week = pb.ServiceReport.Week
    return pb.ServiceReport(
        weeks=[week(start_date='2025-03-01', created=3, closed=1, open=4, backlog=[
                   pb.StatusCount(status=pb.STATUS_QUEUED, count=1),
                   pb.StatusCount(status=pb.STATUS_IN_PROGRESS, count=2),
                   pb.StatusCount(status=pb.STATUS_AWAITING_ACCEPTANCE, count=1)]),
               week(start_date='2025-03-08', created=0, closed=2, open=2)],
        first_response=pb.Durations(count=4, median_hours=1.5, p90_hours=6, mean_hours=2.25),
        resolution=pb.Durations(count=2, median_hours=10, p90_hours=12.5, mean_hours=11.25),
        closed=4, done=3, sla_breached=1, studio_hours=30, client_hours=10,
        ratings=[0, 0, 1, 0, 2], submitted=4, reworked=1)


def test_the_figures_and_nothing_to_divide():
    report = a_report()
    assert service.sla_compliance(report) == 75.0
    assert service.rework_rate(report) == 25.0
    assert service.average_rating(report) == 4.33
    empty = pb.ServiceReport()
    assert service.sla_compliance(empty) is None
    assert service.rework_rate(empty) is None
    assert service.average_rating(empty) is None
    # A week's backlog: by status; unknown while the service does not tell it.
    first, second = report.weeks
    assert service.backlog(first) == {pb.STATUS_QUEUED: 1, pb.STATUS_IN_PROGRESS: 2,
                                      pb.STATUS_NEEDS_INFO: 0,
                                      pb.STATUS_AWAITING_ACCEPTANCE: 1}
    assert service.backlog(second) is None
    assert service.backlog(pb.ServiceReport.Week(start_date='2025-03-15')) == \
        dict.fromkeys(service.OPEN, 0)


def test_the_weeks_as_csv_in_russian_with_the_backlog_by_status():
    sheet = service.service_sheet('weeks', a_report(), 'ru')
    assert read_csv(sheets.to_csv(sheet, 'ru')) == [
        ['Неделя с', 'Создано', 'Закрыто', 'Открыто на конец недели', 'В очереди', 'В работе',
         'Требует уточнений', 'Ожидает приемку'],
        ['2025-03-01', '3', '1', '4', '1', '2', '0', '1'],
        ['2025-03-08', '0', '2', '2', '', '', '', '']]


def test_the_weeks_as_xlsx_in_english():
    book = read_xlsx(sheets.to_xlsx([service.service_sheet('weeks', a_report(), 'en')], 'en'))
    assert book.sheetnames == ['Tickets by week']
    rows = values(book.active)
    assert rows[0][:4] == ['Week of', 'Created', 'Closed', 'Open at the week\'s end']
    assert rows[0][4:] == ['Queued', 'In progress', 'Needs clarification', 'Awaiting acceptance']
    assert rows[1] == [datetime(2025, 3, 1), 3, 1, 4, 1, 2, 0, 1]


def test_the_durations_waiting_ratings_and_summary():
    report = a_report()

    def csv_of(name: str, language: str = 'ru') -> list[list[str]]:
        return read_csv(sheets.to_csv(service.service_sheet(name, report, language),
                                      language))

    assert csv_of('durations') == [
        ['Показатель', 'Тикетов', 'Медиана, ч', '90-й процентиль, ч', 'Среднее, ч'],
        ['Первый ответ', '4', '1,50', '6,00', '2,25'],
        ['Решение', '2', '10,00', '12,50', '11,25']]
    assert csv_of('waiting', 'en') == [['Whose court', 'Hours', 'Share, %'],
                                       ["Studio's court", '30.00', '75.00'],
                                       ['Waiting for the client', '10.00', '25.00']]
    assert csv_of('ratings')[1:] == [['1', '0', '0,00'], ['2', '0', '0,00'],
                                     ['3', '1', '33,30'], ['4', '0', '0,00'],
                                     ['5', '2', '66,70']]
    book = read_xlsx(sheets.to_xlsx([service.service_sheet('summary', report, 'ru')], 'ru'))
    header, row = values(book.active)
    assert dict(zip(header, row)) == {
        'Закрыто': 4, 'Выполнено': 3, 'Нарушений SLA': 1, 'Соблюдение SLA, %': 75,
        'Сдано на приемку': 4, 'Возвращено в доработку': 1, 'Доля доработок, %': 25,
        'Средняя оценка': 4.33, 'У студии, ч': 30, 'Ожидание клиента, ч': 10}
    nothing = service.service_sheet('summary', pb.ServiceReport(), 'ru')
    assert nothing.rows[0][3] == '' and nothing.rows[0][7] == ''  # nothing to divide: empty
    quiet = read_csv(sheets.to_csv(service.service_sheet('durations', pb.ServiceReport(),
                                                         'ru'), 'ru'))
    assert quiet[1] == ['Первый ответ', '0', '', '', '']


def test_the_service_reports_have_files_named_by_their_period():
    assert set(service.SERVICE_REPORTS) <= set(reports.REPORTS)
    assert reports.file_name('weeks', 'csv', '2025-03-01', '2025-03-31', 'en') == \
        'Tickets by week 2025-03-01 – 2025-03-31.csv'


def test_the_tab_site_and_priority_live_in_the_address():
    params = {'view': 'time', 'period': 'last-month', 'org': 'organizations/3',
              'site': 'organizations/3/sites/9', 'priority': 'high', 'dev': 'users/7'}
    time = ReportFilters.parse(params)
    assert time.view == 'time'
    assert time.address() == '/reports?view=time&period=last-month&org=organizations%2F3' \
                             '&dev=users%2F7'  # the time report has no site nor priority
    found = time.with_view('service')
    assert found.address() == ('/reports?period=last-month&org=organizations%2F3'
                               '&dev=users%2F7&site=organizations%2F3%2Fsites%2F9'
                               '&priority=high')
    query = found.service_query(TODAY)
    assert (query.start, query.end, query.organization, query.site, query.assignee,
            query.priority) == ('2025-02-01', '2025-02-28', 'organizations/3',
                                'organizations/3/sites/9', 'users/7', pb.PRIORITY_HIGH)
    assert not ReportFilters(view='time').narrowed
    # A site of another organization, an unknown tab or priority: dropped.
    odd = ReportFilters.parse({'view': 'charts', 'org': 'organizations/3',
                               'site': 'organizations/4/sites/1', 'priority': 'urgent'})
    assert (odd.view, odd.site, odd.priority) == ('service', '', 0)
    # The service report's period has both ends: an open one is filled in.
    open_start = ReportFilters.parse({'period': 'custom', 'to': '2025-03-10'})
    assert open_start.service_query(TODAY).start == '2025-03-01'
    open_end = ReportFilters.parse({'period': 'custom', 'from': '2025-01-05'})
    assert open_end.service_query(TODAY).end == '2025-03-14'
    # A client's tab is always the service report, of their own organization.
    client = ReportFilters.parse(params, client=True)
    assert (client.view, client.organization, client.site) == ('service', '', '')
