"""Time entries' requests, checked: the names, the minutes, the day, the note, filters."""

from __future__ import annotations

import re
from datetime import date

from services.common.server.errors import bad_field
from services.tickets import validation as check
from services.tickets.store.time_entries import NewTimeEntry, TimeFilter
from ticketdesk.errors.v1 import errors_pb2 as reasons
from ticketdesk.tickets.v1 import tickets_pb2 as pb

MAX_MINUTES = 24 * 60  # one entry is one person's day at most
MAX_NOTE = 2_000
ENTRY_ID = re.compile(r"[0-9a-f]{32}")
UPDATABLE = ("minutes", "work_date", "note")
EVERY_TICKET = "tickets/-"


def entry_name(name: str, field: str = "name") -> tuple[int, str]:
    """`tickets/{number}/timeEntries/{entry}` → (number, entry id)."""
    ticket, marker, entry = name.partition("/timeEntries/")
    if not marker or not ENTRY_ID.fullmatch(entry):
        raise bad_field(field, reasons.MALFORMED,
                        "must look like tickets/{number}/timeEntries/{entry}")
    return check.ticket_number(ticket, field), entry


def minutes(value: int, field: str = "time_entry.minutes") -> int:
    return int(check.in_range(value, field, 1, MAX_MINUTES))


def work_date(value: str, today: date, field: str = "time_entry.work_date") -> date | None:
    day = check.parse_date(value, field)
    if day is not None and day > today:
        raise bad_field(field, reasons.OUT_OF_RANGE, "must not be in the future")
    return day


def note(value: str, field: str = "time_entry.note") -> str:
    return check.text(value, field, MAX_NOTE, required=False)


def new_entry(request: pb.CreateTimeEntryRequest, own_request_id: str | None,
              today: date) -> NewTimeEntry:
    entry = request.time_entry
    fields = check.all_of(minutes=lambda: minutes(entry.minutes),
                          work_date=lambda: work_date(entry.work_date, today),
                          note=lambda: note(entry.note))
    return NewTimeEntry(request_id=own_request_id, **fields)


def changes(request: pb.UpdateTimeEntryRequest, today: date) -> dict[str, object]:
    """The masked fields' new values (work_date: today when emptied)."""
    entry, paths = request.time_entry, check.update_mask(request.update_mask.paths, UPDATABLE)
    checks = {"minutes": lambda: minutes(entry.minutes),
              "work_date": lambda: work_date(entry.work_date, today) or today,
              "note": lambda: note(entry.note)}
    return check.all_of(**{path: checks[path] for path in paths})


def time_filter(request: pb.ListTimeEntriesRequest) -> TimeFilter:
    fields = check.all_of(
        organization=lambda: request.organization and check.organization(
            request.organization, "organization"),
        author=lambda: check.user(request.author, "author"),
        start=lambda: check.parse_date(request.start_date, "start_date"),
        end=lambda: check.parse_date(request.end_date, "end_date"))
    number = None if request.parent == EVERY_TICKET else check.ticket_number(request.parent,
                                                                             "parent")
    return TimeFilter(number, **fields)


GROUPINGS = {pb.TIME_GROUPING_ORGANIZATION: "organization", pb.TIME_GROUPING_AUTHOR: "author",
             pb.TIME_GROUPING_MONTH: "month", pb.TIME_GROUPING_TICKET: "ticket"}


def summary(request: pb.SummarizeTimeRequest) -> tuple[TimeFilter, str]:
    """The filter (every ticket) and what to group by."""
    fields = check.all_of(
        group_by=lambda: _grouping(request.group_by),
        organization=lambda: request.organization and check.organization(
            request.organization, "organization"),
        author=lambda: check.user(request.author, "author"),
        start=lambda: check.parse_date(request.start_date, "start_date"),
        end=lambda: check.parse_date(request.end_date, "end_date"))
    group_by = fields.pop("group_by")
    return TimeFilter(None, **fields), group_by


def _grouping(value: int) -> str:
    if value == pb.TIME_GROUPING_UNSPECIFIED:
        raise bad_field("group_by", reasons.REQUIRED, "is required")
    return check.choice(value, GROUPINGS, "group_by", "organization, author, month or ticket")
