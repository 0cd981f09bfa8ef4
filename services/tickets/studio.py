"""The studio's settings: business calendar, reminder period, SLA targets."""

from __future__ import annotations

import json
from dataclasses import asdict

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.server.errors import invalid, not_found, permission_denied
from services.common.server.principal import caller
from services.tickets import convert, models, store
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket.calendar import DEFAULT_CALENDAR, BusinessCalendar
from workflows.ticket.policy import Policy

NAME = "studioSettings"
CALENDAR_FIELDS = ("timezone", "weekdays", "opens", "closes", "holidays", "workdays")
NUMBER_FIELDS = ("reminder_business_days", "sla_warning_fraction")
HOURS_FIELDS = ("first_response_hours", "resolution_hours")
PRIORITIES = set(convert.PRIORITIES)


def defaults() -> dict:
    policy = asdict(Policy())
    policy["calendar"] = DEFAULT_CALENDAR.to_dict()
    del policy["auto_accept_business_days"]  # per organization, in the auth service
    return policy


async def load(session: AsyncSession) -> tuple[dict, models.StudioSettings | None]:
    row = await session.get(models.StudioSettings, NAME)
    data = defaults()
    if row is not None:
        data.update(json.loads(row.data))
    return data, row


def to_proto(data: dict, row: models.StudioSettings | None) -> pb.StudioSettings:
    calendar = data["calendar"]
    return pb.StudioSettings(
        name=NAME, **{f: calendar[f] for f in CALENDAR_FIELDS},
        **{f: data[f] for f in NUMBER_FIELDS + HOURS_FIELDS},
        update_time=convert.timestamp(row.update_time if row else None))


def changed(data: dict, settings: pb.StudioSettings, paths: set[str]) -> dict:
    """The settings with the masked fields replaced, or INVALID_ARGUMENT."""
    known = set(CALENDAR_FIELDS + NUMBER_FIELDS + HOURS_FIELDS)
    if not paths or paths - known:
        raise invalid([("update_mask", f"may name: {', '.join(sorted(known))}")])
    data = {**data, "calendar": dict(data["calendar"])}
    for path in paths:
        value = getattr(settings, path)
        if path in CALENDAR_FIELDS:
            data["calendar"][path] = value if isinstance(value, str) else list(value)
        elif path in HOURS_FIELDS:
            data[path] = {**data[path], **dict(value)}
        else:
            data[path] = value
    check(data)
    return data


def check(data: dict) -> None:
    problems = [("settings.calendar", problem)
                for problem in BusinessCalendar.from_dict(data["calendar"]).validate()]
    for field in HOURS_FIELDS:
        for priority, hours in data[field].items():
            if priority not in PRIORITIES or not 0 <= hours <= 10_000:
                problems.append((f"settings.{field}", f"{priority}: hours from 0 to 10000 "
                                 "for low, normal, high, critical"))
    if not 0 <= data["reminder_business_days"] <= 365:
        problems.append(("settings.reminder_business_days", "must be from 0 to 365"))
    if not 0 < data["sla_warning_fraction"] < 1:
        problems.append(("settings.sla_warning_fraction", "must be between 0 and 1"))
    if problems:
        raise invalid(problems)


class StudioSettingsRpcs:
    """TicketService's settings RPCs (mixed into the servicer)."""

    async def GetStudioSettings(self, request: pb.GetStudioSettingsRequest,
                                context) -> pb.StudioSettings:
        if request.name not in ("", NAME):
            raise not_found(request.name)
        async with self._sessions() as session:
            return to_proto(*await load(session))

    async def UpdateStudioSettings(self, request: pb.UpdateStudioSettingsRequest,
                                   context) -> pb.StudioSettings:
        if not caller().is_manager:
            raise permission_denied("only managers change the studio's settings")
        async with self._sessions() as session:
            data, row = await load(session)
            data = changed(data, request.settings, set(request.update_mask.paths))
            if row is None:
                row = models.StudioSettings(name=NAME)
                session.add(row)
            row.data, row.update_time = json.dumps(data, ensure_ascii=False), store.now()
            await session.commit()
            return to_proto(data, row)
