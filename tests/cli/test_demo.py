"""The demo data's dates: days from today in the studio's time zone, which the studio's
settings hold (TICKETDESK_TIMEZONE is only their default before a manager saves them).
The tickets service checks a desired date against that same today."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import grpc
import pytest

from cli.demo import DEMO_TICKETS, DemoBuilder, DemoCallError
from services.common.platform.config import Settings
from ticketdesk.tickets.v1 import tickets_pb2

# UTC+14 and UTC−11: their dates differ at every moment.
AHEAD, BEHIND = "Pacific/Kiritimati", "Pacific/Pago_Pago"


class FakeTickets:
    """GetStudioSettings as the tickets service answers it; CreateTicket records."""

    def __init__(self, timezone: str, error: grpc.aio.AioRpcError | None = None):
        self.timezone, self.error = timezone, error
        self.created: list[tickets_pb2.CreateTicketRequest] = []

    async def GetStudioSettings(self, request, metadata=None, timeout=None):
        assert request.name == "studioSettings"
        if self.error is not None:
            raise self.error
        return tickets_pb2.StudioSettings(name="studioSettings", timezone=self.timezone)

    async def CreateTicket(self, request, metadata=None, timeout=None):
        self.created.append(request)
        return tickets_pb2.Ticket(name=f"tickets/{len(self.created)}")


def builder(tickets: FakeTickets) -> DemoBuilder:
    built = DemoBuilder(SimpleNamespace(tickets=tickets), Settings(timezone=BEHIND),
                        log=lambda _: None)
    built.sessions = {key: (("authorization", "Bearer x"),) for key in ("romashka", "vasiliev")}
    built.sites = {"romashka": ["s/0", "s/1"], "vasiliev": ["s/2"]}
    return built


async def test_desired_dates_count_from_the_studio_settings_today():
    tickets = FakeTickets(AHEAD)
    demo = builder(tickets)
    demo.today = await demo.studio_today()
    assert demo.today == datetime.now(ZoneInfo(AHEAD)).date()
    assert demo.today != datetime.now(ZoneInfo(BEHIND)).date()
    ticket = DEMO_TICKETS[0]
    await demo.ticket(ticket)
    wanted = demo.today.toordinal() + ticket.desired_in_days
    assert tickets.created[0].ticket.desired_date == \
        datetime.fromordinal(wanted).date().isoformat()


async def test_without_a_saved_time_zone_the_setting_is_the_default():
    demo = builder(FakeTickets(""))
    assert await demo.studio_today() == datetime.now(ZoneInfo(BEHIND)).date()


class Refused(grpc.aio.AioRpcError):
    def __init__(self, code: grpc.StatusCode):
        super().__init__(code, grpc.aio.Metadata(), grpc.aio.Metadata(), details="refused")


async def test_a_refused_read_of_the_settings_stops_the_demo_with_its_code():
    demo = builder(FakeTickets(AHEAD, Refused(grpc.StatusCode.PERMISSION_DENIED)))
    with pytest.raises(DemoCallError) as caught:
        await demo.studio_today()
    assert caught.value.code == grpc.StatusCode.PERMISSION_DENIED
    assert "studio's settings" in str(caught.value)
