"""The studio's time reports («Отчёты», `/reports`): the filters in the address, the charts
and their tables, the links to the files (ui/report_downloads.py builds them) and, for staff,
the monthly statement of an organization; a client sees their organization's months and
tickets, where it shows the time spent."""
