"""The studio's settings (business calendar, reminder period, SLA targets) and the
studio's today: its time zone is the calendar's, the one source of it."""

from __future__ import annotations

import time
from dataclasses import asdict, fields
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import async_sessionmaker

from services.common.server.errors import not_found, permission_denied
from services.common.server.principal import Principal
from services.tickets import convert
from services.tickets import validation as check
from services.tickets.store import settings as store
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket.calendar import DEFAULT_CALENDAR, BusinessCalendar
from workflows.ticket.policy import Policy

NAME = store.NAME
# How long a replica trusts the settings it read (another replica may change them).
SETTINGS_SECONDS = 10.0
STUDIO_POLICY = {f.name for f in fields(Policy)} - {"auto_accept_business_days"}


def defaults(timezone: str) -> dict:
    """The settings before a manager saves any; `timezone`: TICKETDESK_TIMEZONE."""
    policy = asdict(Policy())
    policy["calendar"] = {**DEFAULT_CALENDAR.to_dict(), "timezone": timezone}
    del policy["auto_accept_business_days"]  # per organization, in the auth service
    return policy


def changed(data: dict, settings: pb.StudioSettings, paths: set[str]) -> dict:
    """The settings with the masked fields replaced, or INVALID_ARGUMENT."""
    data = {**data, "calendar": dict(data["calendar"])}
    for path in check.update_mask(paths, convert.SETTINGS_FIELDS):
        value = getattr(settings, path)
        if path in convert.CALENDAR_FIELDS:
            data["calendar"][path] = value if isinstance(value, str) else list(value)
        elif path in convert.HOURS_FIELDS:
            data[path] = {**data[path], **dict(value)}
        else:
            data[path] = value
    check.studio_settings(data)
    return data


class Studio:
    def __init__(self, sessions: async_sessionmaker, timezone: str):
        self._sessions, self._defaults = sessions, defaults(timezone)
        self._recent: tuple[float, dict] | None = None  # (when read, settings)

    async def settings(self, name: str = NAME) -> tuple[dict, datetime | None]:
        """The settings and when a manager last saved them."""
        if name not in ("", NAME):
            raise not_found(name)
        async with self._sessions() as session:
            saved, update_time = await store.load(session)
        return self._with_defaults(saved), update_time

    async def update(self, principal: Principal, settings: pb.StudioSettings,
                     paths: set[str]) -> tuple[dict, datetime]:
        if not principal.is_manager:
            raise permission_denied("only managers change the studio's settings")
        async with self._sessions() as session:
            saved, _ = await store.load(session)
            data = changed(self._with_defaults(saved), settings, paths)
            update_time = await store.save(session, data)
            await session.commit()
        self._recent = None
        return data, update_time

    async def today(self) -> date:
        """Today in the studio's time zone (desired dates are not before it)."""
        data = await self._recent_settings()
        return datetime.now(ZoneInfo(data["calendar"]["timezone"])).date()

    async def calendar(self) -> BusinessCalendar:
        """The business calendar the workflows' timers follow (reports count in it)."""
        return BusinessCalendar.from_dict((await self._recent_settings())["calendar"])

    async def policy(self, auto_accept_business_days: float) -> Policy:
        """What a new ticket's timers follow: the studio's settings with the
        organization's automatic acceptance (the workflow's load_policy gives the same)."""
        data = await self._recent_settings()
        return Policy(**{name: data[name] for name in STUDIO_POLICY},
                      auto_accept_business_days=float(auto_accept_business_days))

    async def _recent_settings(self) -> dict:
        if self._recent is None or time.monotonic() - self._recent[0] > SETTINGS_SECONDS:
            data, _ = await self.settings()
            self._recent = time.monotonic(), data
        return self._recent[1]

    def _with_defaults(self, saved: dict) -> dict:
        return {**self._defaults, **saved}
