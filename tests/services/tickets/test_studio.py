"""The studio's settings: who changes them, each bad field's reason, and the studio's
time zone as the one source of "today"."""

from __future__ import annotations

import contextlib
from datetime import datetime
from zoneinfo import ZoneInfo

import grpc
from google.protobuf.field_mask_pb2 import FieldMask
from sqlalchemy.ext.asyncio import create_async_engine

from services.common.server.database import migrate, sessionmaker
from services.common.server.principal import Principal, Role
from services.tickets.server import MIGRATIONS
from services.tickets.usecases.studio import Studio
from tests.services.tickets.helpers import bad_reasons, today, update
from tests.support.rpc import field_params, reason, rpc_error
from ticketdesk.tickets.v1 import tickets_pb2 as pb

# 25 hours apart: whenever it is, Kiritimati's today is after Pago Pago's.
AHEAD, BEHIND = "Pacific/Kiritimati", "Pacific/Pago_Pago"


def change(stack, caller, **fields):
    return stack.clients.tickets.UpdateStudioSettings(pb.UpdateStudioSettingsRequest(
        settings=pb.StudioSettings(**fields), update_mask=FieldMask(paths=list(fields))),
        metadata=caller)


@contextlib.asynccontextmanager
async def studio_zone(stack, manager):
    """Lets a test change the time zone; the studio's own comes back after it."""
    before = await stack.clients.tickets.GetStudioSettings(pb.GetStudioSettingsRequest(),
                                                           metadata=manager)
    try:
        yield lambda zone: change(stack, manager, timezone=zone)
    finally:
        await change(stack, manager, timezone=before.timezone)


async def test_the_desired_date_follows_the_studio_time_zone(stack):
    org, manager = await stack.new_organization(), await stack.staff("manager")
    ticket = await stack.new_ticket(org)
    their_today = today(BEHIND).isoformat()

    def file():
        return stack.new_ticket(org, desired_date=their_today)

    async with studio_zone(stack, manager) as set_zone:
        assert (await set_zone(AHEAD)).timezone == AHEAD
        assert await bad_reasons(file()) == [("ticket.desired_date", "DATE_IN_PAST")]
        assert await bad_reasons(update(stack, org.client, ticket,
                                        desired_date=their_today)) == [
            ("ticket.desired_date", "DATE_IN_PAST")]
        await set_zone(BEHIND)
        assert (await file()).desired_date == their_today
        assert (await update(stack, org.client, ticket,
                             desired_date=their_today)).desired_date == their_today


async def test_only_managers_change_the_settings(stack):
    developer, manager = await stack.staff("developer"), await stack.staff("manager")
    settings = await stack.clients.tickets.GetStudioSettings(pb.GetStudioSettingsRequest(),
                                                             metadata=developer)
    assert settings.name == "studioSettings" and settings.timezone
    error = await rpc_error(change(stack, developer, timezone="Europe/Berlin"),
                            grpc.StatusCode.PERMISSION_DENIED)
    assert reason(error) == "PERMISSION_DENIED"
    missing = await rpc_error(stack.clients.tickets.GetStudioSettings(
        pb.GetStudioSettingsRequest(name="studioSettings/2"), metadata=manager),
        grpc.StatusCode.NOT_FOUND)
    assert reason(missing) == "NOT_FOUND"
    assert await bad_reasons(stack.clients.tickets.UpdateStudioSettings(
        pb.UpdateStudioSettingsRequest(settings=pb.StudioSettings(), update_mask=FieldMask(
            paths=["name"])), metadata=manager)) == [("update_mask", "NOT_UPDATABLE")]
    assert await bad_reasons(stack.clients.tickets.UpdateStudioSettings(
        pb.UpdateStudioSettingsRequest(), metadata=manager)) == [("update_mask", "REQUIRED")]


async def test_each_bad_setting_has_its_reason(stack):
    manager = await stack.staff("manager")
    before = await stack.clients.tickets.GetStudioSettings(pb.GetStudioSettingsRequest(),
                                                           metadata=manager)
    cases = [
        ({"timezone": "Mars/Olympus"}, [("settings.timezone", "UNKNOWN_TIME_ZONE")]),
        ({"opens": "9"}, [("settings.opens", "NOT_A_TIME")]),
        ({"opens": "18:00", "closes": "25:00"}, [("settings.closes", "NOT_A_TIME")]),
        ({"opens": "18:00", "closes": "09:00"}, [("settings.opens", "OPENS_AFTER_CLOSES")]),
        ({"weekdays": [0, 7]}, [("settings.weekdays", "OUT_OF_RANGE")]),
        ({"weekdays": [], "workdays": []}, [("settings.weekdays", "NO_WORKING_DAYS")]),
        ({"holidays": ["2030-02-30"]}, [("settings.holidays", "NOT_A_DATE")]),
        ({"holidays": ["2030-01-05"], "workdays": ["2030-01-05"]},
         [("settings.workdays", "HOLIDAY_AND_WORKDAY")]),
        ({"reminder_business_days": 366}, [("settings.reminder_business_days", "OUT_OF_RANGE")]),
        ({"sla_warning_fraction": 1}, [("settings.sla_warning_fraction", "OUT_OF_RANGE")]),
        ({"first_response_hours": {"urgent": 1}},
         [("settings.first_response_hours", "MALFORMED")]),
        ({"resolution_hours": {"low": -1}}, [("settings.resolution_hours", "OUT_OF_RANGE")]),
        ({"timezone": "Nowhere", "opens": "x"},
         [("settings.timezone", "UNKNOWN_TIME_ZONE"), ("settings.opens", "NOT_A_TIME")]),
    ]
    for fields, problems in cases:
        assert await bad_reasons(change(stack, manager, **fields)) == problems, fields
    error = await rpc_error(change(stack, manager, holidays=["2030-01-05"],
                                   workdays=["2030-01-05"]))
    assert field_params(error, "settings.workdays") == {"date": "2030-01-05"}
    error = await rpc_error(change(stack, manager, reminder_business_days=-1))
    assert field_params(error, "settings.reminder_business_days") == {"min": "0", "max": "365"}
    after = await stack.clients.tickets.GetStudioSettings(pb.GetStudioSettingsRequest(),
                                                          metadata=manager)
    assert after == before  # nothing was saved


async def test_ticketdesk_timezone_is_the_default_until_a_manager_saves(tmp_path):
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'tickets.db'}")
    try:
        await migrate(engine, MIGRATIONS)
        studio = Studio(sessionmaker(engine), "Asia/Tokyo")
        settings, saved = await studio.settings()
        assert (settings["calendar"]["timezone"], saved) == ("Asia/Tokyo", None)
        assert await studio.today() == datetime.now(ZoneInfo("Asia/Tokyo")).date()
        manager = Principal("users/m", Role.MANAGER)
        await studio.update(manager, pb.StudioSettings(timezone=AHEAD), {"timezone"})
        assert await studio.today() == today(AHEAD)
        again = Studio(sessionmaker(engine), "Asia/Tokyo")  # another replica, a restart
        assert (await again.settings())[0]["calendar"]["timezone"] == AHEAD
        assert await again.today() == today(AHEAD)
    finally:
        await engine.dispose()
