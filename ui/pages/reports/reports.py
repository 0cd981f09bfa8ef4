"""«Отчёты» at `/reports`, its tab and filters in the address: staff see how the studio
serves the tickets and the time it logs by month, organization and developer; a client
how the studio serves their organization, and its time where it is shown."""

from __future__ import annotations

from fastapi import Request

from ...components.reports.client import show_client_reports
from ...components.reports.filters import ReportFilters
from ...components.reports.staff import show_staff_reports
from ...session import Session


async def reports_page(request: Request) -> None:
    session = await Session.of_page()
    client = session.account.is_client
    filters = ReportFilters.parse(request.query_params, client=client)
    if client:
        await show_client_reports(session, filters)
    else:
        await show_staff_reports(session, filters)
