"""The studio's reports («Отчёты», `/reports`): the tab and the filters in the address, the
charts and their tables, the links to the files (ui/report_downloads.py builds them). Staff
see the service report and the time report with the monthly statement of an organization;
a client sees how the studio serves their organization, and its months and tickets where it
shows the time spent."""
