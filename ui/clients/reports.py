"""The studio's reports as one account sees them: the time logged, summed by
organization, developer, month or ticket (TicketService.SummarizeTime), every entry of a
period (ListTimeEntries, all pages), whether a client's organization shows its time, and
the service report (GetServiceReport: tickets by week, response and resolution times).

Staff read every organization; a client only their own, by month or ticket, and only where
their organization shows the time spent (the service refuses otherwise: PERMISSION_DENIED).
"""

from __future__ import annotations

from dataclasses import dataclass

from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb

from .base import Client

EVERY_TICKET = 'tickets/-'
ENTRIES_PAGE_SIZE = 100  # ListTimeEntries' largest page
# The summaries by their names in the reports' addresses.
GROUPINGS = {
    'organizations': pb.TIME_GROUPING_ORGANIZATION,
    'developers': pb.TIME_GROUPING_AUTHOR,
    'months': pb.TIME_GROUPING_MONTH,
    'tickets': pb.TIME_GROUPING_TICKET,
}
# What a client may ask for (their own organization's).
CLIENT_GROUPINGS = frozenset({'months', 'tickets'})
# The service report's tables a client may have (the rest are the staff's figures).
CLIENT_SERVICE_REPORTS = frozenset({'weeks', 'durations'})


@dataclass(frozen=True)
class TimeQuery:
    """Which time a report covers; every part optional: `organizations/{id}`, `users/{id}`,
    the period's first and last work day (YYYY-MM-DD, inclusive)."""

    organization: str = ''
    author: str = ''
    start: str = ''
    end: str = ''


@dataclass(frozen=True)
class ServiceQuery:
    """Which tickets the service report covers: the period's first and last day
    (YYYY-MM-DD, inclusive, both required), and optionally `organizations/{id}`,
    `organizations/{id}/sites/{id}`, the assignee `users/{id}`, a priority."""

    start: str
    end: str
    organization: str = ''
    site: str = ''
    assignee: str = ''
    priority: int = pb.PRIORITY_UNSPECIFIED


@dataclass(frozen=True)
class EntryList:
    """Every entry of a query, newest work date first, and their minutes."""

    entries: list[pb.TimeEntry]
    total_minutes: int


class ReportsClient(Client):
    """SummarizeTime, ListTimeEntries, GetServiceReport and the organization's setting,
    with the account's token."""

    async def summary(self, grouping: str, query: TimeQuery) -> pb.SummarizeTimeResponse:
        """The time of `query` summed by `grouping` (a key of GROUPINGS)."""
        request = pb.SummarizeTimeRequest(
            group_by=GROUPINGS[grouping], organization=query.organization,
            author=query.author, start_date=query.start, end_date=query.end)
        return await self.call(self.stubs.tickets.SummarizeTime, request)

    async def entries(self, query: TimeQuery) -> EntryList:
        """Every time entry of `query` across all tickets (staff), page by page."""
        request = pb.ListTimeEntriesRequest(
            parent=EVERY_TICKET, organization=query.organization, author=query.author,
            start_date=query.start, end_date=query.end, page_size=ENTRIES_PAGE_SIZE)
        found: list[pb.TimeEntry] = []
        while True:
            answer = await self.call(self.stubs.tickets.ListTimeEntries, request)
            found.extend(answer.time_entries)
            if not answer.next_page_token:
                return EntryList(found, answer.total_minutes)
            request.page_token = answer.next_page_token

    async def service(self, query: ServiceQuery) -> pb.ServiceReport:
        """How the studio served the tickets of `query` (a client: their own organization's,
        without the staff's figures)."""
        request = pb.GetServiceReportRequest(
            start_date=query.start, end_date=query.end, organization=query.organization,
            site=query.site, assignee=query.assignee, priority=query.priority)
        return await self.call(self.stubs.tickets.GetServiceReport, request)

    async def organization(self, name: str) -> auth_pb2.Organization:
        request = auth_pb2.GetOrganizationRequest(name=name)
        return await self.call(self.stubs.auth.GetOrganization, request)

    async def shows_time(self) -> bool:
        """Whether the client's own organization shows its time spent (staff: always)."""
        if not self.account.is_client:
            return True
        if not self.account.organization:
            return False
        return (await self.organization(self.account.organization)).client_sees_time_spent
