"""A ticket's service figures (services/tickets/facts.py) against a week worked out by hand:
the studio's calendar (Monday–Friday 10:00–19:00, Moscow) with a holiday on Wednesday."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from services.common.server.principal import Principal, Role
from services.tickets import facts, models
from workflows.ticket.calendar import BusinessCalendar
from workflows.ticket.rules import Status

MSK = ZoneInfo("Europe/Moscow")
CALENDAR = BusinessCalendar(timezone="Europe/Moscow", holidays=("2026-12-09",))
DEVELOPER = Principal(subject="users/dev", role=Role.DEVELOPER)
CLIENT = Principal(subject="users/client", role=Role.CLIENT, organization="organizations/a")
TICKETDESK = Principal(subject="", role=Role.SERVICE)
HOUR = 3600


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=MSK)


def new_ticket(created: datetime) -> models.Ticket:
    return models.Ticket(number=1, status=Status.QUEUED.value, create_time=created,
                         studio_seconds=0, client_seconds=0, submissions=0, reworks=0)


def move(row: models.Ticket, to: Status, moment: datetime, actor: Principal) -> None:
    facts.follow_status(row, Status(row.status), to, moment, CALENDAR, actor)
    row.status = to.value


def test_a_week_of_one_ticket_worked_out_by_hand():
    row = new_ticket(at(7, 18))  # Monday 18:00
    move(row, Status.IN_PROGRESS, at(8, 11), DEVELOPER)  # Mon 18–19, Tue 10–11
    assert (row.studio_seconds, row.response_seconds) == (2 * HOUR, 2 * HOUR)
    assert row.first_response_time == at(8, 11)
    move(row, Status.NEEDS_INFO, at(8, 18, 30), DEVELOPER)  # 11:00–18:30
    assert row.studio_seconds == 9.5 * HOUR and row.response_seconds == 2 * HOUR
    move(row, Status.IN_PROGRESS, at(10, 12), CLIENT)  # Tue 18:30–19, the holiday, Thu 10–12
    assert row.client_seconds == 2.5 * HOUR
    move(row, Status.AWAITING_ACCEPTANCE, at(10, 15), DEVELOPER)  # 12–15
    move(row, Status.IN_PROGRESS, at(11, 10, 30), CLIENT)  # Thu 15–19, Fri 10–10:30: remarks
    move(row, Status.AWAITING_ACCEPTANCE, at(11, 12), DEVELOPER)  # 10:30–12
    assert row.closed_time is None
    move(row, Status.DONE, at(14, 10), CLIENT)  # Fri 12–19, the weekend, Monday opens at 10
    assert row.studio_seconds == (9.5 + 3 + 1.5) * HOUR
    assert row.client_seconds == (2.5 + 4.5 + 7) * HOUR
    assert (row.submissions, row.reworks, row.closed_time) == (2, 1, at(14, 10))


def test_a_public_comment_is_the_first_response_and_timers_are_not():
    row = new_ticket(at(11, 18, 30))  # Friday 18:30
    facts.responded(row, at(14, 10, 15), CALENDAR)  # Fri 18:30–19, Mon 10–10:15
    assert row.response_seconds == 45 * 60
    move(row, Status.IN_PROGRESS, at(14, 12), DEVELOPER)
    assert row.response_seconds == 45 * 60 and row.first_response_time == at(14, 10, 15)

    waiting = new_ticket(at(7, 10))
    move(waiting, Status.CANCELLED, at(7, 12), TICKETDESK)  # TicketDesk's timer: no answer
    assert waiting.first_response_time is None and waiting.response_seconds is None
    assert waiting.studio_seconds == 2 * HOUR and waiting.closed_time == at(7, 12)


def test_time_waiting_for_the_client_does_not_run_the_response_clock():
    row = new_ticket(at(7, 10))
    move(row, Status.NEEDS_INFO, at(7, 11), TICKETDESK)  # not a person of the studio
    move(row, Status.IN_PROGRESS, at(8, 10), CLIENT)  # the client answers next morning
    facts.responded(row, at(8, 13), CALENDAR)  # Mon 10–11, then Tue 10–13 in the studio's court
    assert row.response_seconds == 4 * HOUR and row.client_seconds == 8 * HOUR
