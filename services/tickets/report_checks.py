"""The service report's request, checked: a period of at most MAX_DAYS and the filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.common.server.errors import bad_field
from services.tickets import validation as check
from ticketdesk.errors.v1 import errors_pb2 as reasons
from ticketdesk.tickets.v1 import tickets_pb2 as pb

MAX_DAYS = 400


@dataclass(frozen=True)
class ReportQuery:
    first_day: date
    last_day: date
    organization: str = ""
    site_id: str = ""
    assignee: str = ""
    priority: str = ""


def report_query(request: pb.GetServiceReportRequest) -> ReportQuery:
    fields = check.all_of(
        first_day=lambda: check.parse_date(check.given(request.start_date, "start_date"),
                                           "start_date"),
        last_day=lambda: check.parse_date(check.given(request.end_date, "end_date"),
                                          "end_date"),
        organization=lambda: request.organization and check.organization(
            request.organization, "organization"),
        site_id=lambda: check.site_id(request.site)[1] if request.site else "",
        assignee=lambda: check.user(request.assignee, "assignee"),
        priority=lambda: request.priority and check.priority(request.priority, "priority")
        or "")
    query = ReportQuery(**fields)
    days = (query.last_day - query.first_day).days
    if not 0 <= days < MAX_DAYS:
        raise bad_field("end_date", reasons.OUT_OF_RANGE,
                        f"must be on or after start_date and within {MAX_DAYS} days of it")
    return query
