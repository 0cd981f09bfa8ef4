"""The ticket's timers on a time-skipping dev server: reminders, automatic
acceptance across a weekend and a holiday, SLA pause and breach."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from temporalio.testing import WorkflowEnvironment

from tests.support.stack import start_stack, temporal_binary
from tests.support.tickets import World
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket.calendar import BusinessCalendar
from workflows.ticket.rules import Action, Status
from workflows.ticket.visibility import SEARCH_ATTRIBUTES

MINUTE = timedelta(minutes=1)
BREACHED = pb.Sla.STATE_BREACHED


@pytest.fixture(scope="module")
async def skipping(tmp_path_factory):
    env = await WorkflowEnvironment.start_time_skipping_v2(
        dev_server_existing_path=temporal_binary(), search_attributes=SEARCH_ATTRIBUTES,
        dev_server_extra_args=["--dynamic-config-value",
                               "frontend.WorkflowTimeSkippingEnabled=true"])
    stack = await start_stack(env, tmp_path_factory.mktemp("timers"))
    yield env, stack
    await stack.stop()
    await env.shutdown()


@pytest.fixture
async def world(skipping) -> World:
    return await World.create(skipping[1])


async def clock(env, ticket: pb.Ticket):
    handle = env.client.get_workflow_handle(f"ticket-{ticket.number}")
    return handle, await env.get_current_time(handle)


async def kinds(world: World, role: str, ticket: pb.Ticket) -> list[str]:
    return [n.kind for n in await world.notices(role) if n.ticket == ticket.name]


async def eventually(check, timeout: float = 10.0):
    async with asyncio.timeout(timeout):
        while not (result := await check()):
            await asyncio.sleep(0.1)
    return result


async def test_reminder_after_two_business_days(skipping, world):
    env, _ = skipping
    ticket = await world.ticket_in(Status.NEEDS_INFO)
    handle, now = await clock(env, ticket)
    due = BusinessCalendar().add_days(now, 2)
    await env.fast_forward(handle, due - now - MINUTE)
    assert "reminder" not in await kinds(world, "client", ticket)
    await env.fast_forward(handle, 2 * MINUTE)
    await eventually(lambda: _has(world, "client", ticket, "reminder"))


async def _has(world, role, ticket, kind) -> bool:
    return kind in await kinds(world, role, ticket)


async def test_automatic_acceptance_across_a_weekend_and_a_holiday(skipping, world):
    env, _ = skipping
    plain = BusinessCalendar()
    ticket = await world.ticket_in(Status.AWAITING_ACCEPTANCE)
    handle, now = await clock(env, ticket)
    # The next working day is a holiday: acceptance moves a day later than without it.
    holiday = plain.add(now, plain.day_length).astimezone(ZoneInfo(plain.timezone)).date().isoformat()
    await world.stack.clients.tickets.UpdateStudioSettings(pb.UpdateStudioSettingsRequest(
        settings=pb.StudioSettings(holidays=[holiday]),
        update_mask={"paths": ["holidays"]}), metadata=world.people["manager"])
    calendar = BusinessCalendar(holidays=(holiday,))
    due = calendar.add_days(now, 10)
    assert due - now >= timedelta(days=14)  # two weekends and the holiday
    assert due > plain.add_days(now, 10)
    await env.fast_forward(handle, due - now - MINUTE)
    assert (await world.get(ticket.name)).status == pb.STATUS_AWAITING_ACCEPTANCE
    await env.fast_forward(handle, 2 * MINUTE)
    done = await world.until(ticket.name, lambda t: t.status == pb.STATUS_DONE)
    assert done.status == pb.STATUS_DONE
    comments = await world.stack.clients.tickets.ListComments(
        pb.ListCommentsRequest(parent=ticket.name), metadata=world.people["client"])
    assert "приняты автоматически" in comments.comments[-1].body
    await eventually(lambda: _has(world, "client", ticket, "auto_accepted"))


async def test_remarks_stop_automatic_acceptance(skipping, world):
    env, _ = skipping
    ticket = await world.ticket_in(Status.AWAITING_ACCEPTANCE)
    await world.comment(ticket.name, "client", "Не работает на телефоне")
    await world.until(ticket.name, lambda t: t.has_remarks)
    handle, _ = await clock(env, ticket)
    await env.fast_forward(handle, timedelta(days=30))
    assert (await world.get(ticket.name)).status == pb.STATUS_AWAITING_ACCEPTANCE


async def test_sla_pauses_while_waiting_for_the_client_then_breaches(skipping, world):
    env, _ = skipping
    ticket = await world.ticket_in(Status.QUEUED, priority=pb.PRIORITY_CRITICAL)
    ticket = await world.act(ticket.name, "developer", Action.START_WORK)
    ticket = await world.get(ticket.name, "developer")
    assert ticket.sla.state == pb.Sla.STATE_RUNNING
    running_due = ticket.sla.due_time.ToDatetime()
    await world.act(ticket.name, "developer", Action.ASK_CLARIFICATION)
    paused = await world.get(ticket.name, "developer")
    assert paused.sla.state == pb.Sla.STATE_PAUSED and not paused.sla.HasField("due_time")
    handle, _ = await clock(env, ticket)
    await env.fast_forward(handle, timedelta(days=7))  # a week waiting for the client
    waited = await world.get(ticket.name, "developer")
    assert waited.sla.state != BREACHED
    await world.comment(ticket.name, "client", "Ответ на вопрос")
    resumed = await world.until(ticket.name, lambda t: t.sla.HasField("due_time")
                                and t.status == pb.STATUS_IN_PROGRESS, role="developer")
    due = resumed.sla.due_time.ToDatetime()
    assert due >= running_due + timedelta(days=5)  # the week (5 business days) did not count
    _, now = await clock(env, ticket)
    await env.fast_forward(handle, due - now.replace(tzinfo=None) - MINUTE)
    assert (await world.get(ticket.name, "developer")).sla.state != BREACHED
    await env.fast_forward(handle, 2 * MINUTE)
    await world.until(ticket.name, lambda t: t.sla.state == BREACHED, role="developer")
    assert (await world.get(ticket.name, "client")).sla.state != BREACHED  # staff only
    history = await world.history(ticket.name)
    assert [h.new_value for h in history if h.field == "sla_breached"] == ["resolution"]
    await eventually(lambda: _has(world, "developer", ticket, "sla_warning"))
