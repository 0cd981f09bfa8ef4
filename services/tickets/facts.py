"""A ticket's service figures, kept as it moves, so that reports read one row per ticket
instead of its history: business time in the studio's court and in the client's, the first
response, the close, the submissions for acceptance and the reworks after one.

The clock is the workflow's SLA clock: it runs in the statuses where the studio works
(workflows/ticket/sla.py's RUNNING) and counts the studio's business calendar; the
client's time is the rest of the ticket's open life.
"""

from __future__ import annotations

from datetime import UTC, datetime

from services.common.server.principal import Principal, Role
from services.tickets import models
from workflows.ticket.calendar import BusinessCalendar
from workflows.ticket.rules import Status
from workflows.ticket.sla import RUNNING

RESPONDERS = (Role.DEVELOPER, Role.MANAGER)  # the studio's people; not TicketDesk's timers


def follow_status(row: models.Ticket, old: Status, new: Status, moment: datetime,
                  calendar: BusinessCalendar, actor: Principal) -> None:
    """The ticket moves from `old` to `new` at `moment` (called before its status is set)."""
    _count_time(row, old, moment, calendar)
    if actor.role in RESPONDERS:
        responded(row, moment, calendar)
    if new is Status.AWAITING_ACCEPTANCE:
        row.submissions += 1
    if old is Status.AWAITING_ACCEPTANCE and new is Status.IN_PROGRESS:
        row.reworks += 1  # taken back after remarks, or returned by the client
    if not new.is_open:
        row.closed_time = moment


def responded(row: models.Ticket, moment: datetime, calendar: BusinessCalendar) -> None:
    """The studio answered (an action or a public comment): the first time counts."""
    if row.first_response_time is not None:
        return
    row.first_response_time = moment
    running = 0
    if Status(row.status) in RUNNING:
        running = _seconds(calendar, row.status_since or row.create_time, moment)
    row.response_seconds = row.studio_seconds + running


def _count_time(row: models.Ticket, status: Status, moment: datetime,
                calendar: BusinessCalendar) -> None:
    seconds = _seconds(calendar, row.status_since or row.create_time, moment)
    if status in RUNNING:
        row.studio_seconds += seconds
    elif status.is_open:
        row.client_seconds += seconds
    row.status_since = moment


def _seconds(calendar: BusinessCalendar, start: datetime, end: datetime) -> int:
    start, end = _utc(start), _utc(end)
    return int(calendar.between(start, end).total_seconds()) if end > start else 0


def _utc(moment: datetime) -> datetime:
    """SQLite gives back the stored UTC moments without their zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
