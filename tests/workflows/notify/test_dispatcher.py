"""The notices dispatcher on the whole stack: a notice the workflow wrote reaches the bell
once; a dispatcher that dies after sending, before completing, leaves the notice to the
next claim after its lease, which sends nothing twice."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from services.tickets import models
from tests.services.tickets.helpers import internal
from tests.support.tickets import World
from ticketdesk.tickets.v1 import tickets_internal_pb2 as ipb
from workflows.notify.activities import NotifyActivities
from workflows.notify.inbox import TicketInbox
from workflows.notify.mailer import message_id, mail_domain
from workflows.notify.outbox import from_proto
from workflows.ticket.rules import Action, Status


async def eventually(check, timeout: float = 15.0):
    async with asyncio.timeout(timeout):
        while not (result := await check()):
            await asyncio.sleep(0.1)
    return result


async def waiting_in_outbox(stack, event_id: str) -> int:
    engine = create_async_engine(stack.settings.database_url("tickets"))
    try:
        async with engine.connect() as connection:
            return (await connection.execute(select(func.count()).where(
                models.OutboxNotice.event_id == event_id))).scalar_one()
    finally:
        await engine.dispose()


def mails_of(stack, event_id: str, recipient: str) -> int:
    wanted = message_id(event_id, recipient, mail_domain(stack.settings.mail_from))
    return sum(wanted in path.read_text(errors="replace")
               for path in stack.settings.outbox_dir.glob("*.eml"))


async def test_a_transition_reaches_the_bell_once(stack):
    world = await World.create(stack)
    ticket = await world.ticket_in(Status.QUEUED)
    await world.act(ticket.name, "developer", Action.START_WORK)
    await world.act(ticket.name, "developer", Action.ASK_CLARIFICATION)

    async def changes() -> list:
        return [n.name for n in await world.notices("client")
                if n.ticket == ticket.name and n.kind == "status_changed"]

    await eventually(lambda: _count_is(changes, 2))
    await asyncio.sleep(1)  # a second delivery would show by now
    assert len(await changes()) == 2


async def test_a_dispatcher_lost_after_sending_leaves_nothing_twice(stack):
    world = await World.create(stack)
    ticket = await world.ticket_in(Status.NEEDS_INFO)
    client = (await world.notices("client"))  # the bell before the reminder
    event = uuid.uuid4().hex
    outbox = internal(stack)
    await outbox.RecordNotices(ipb.RecordNoticesRequest(notices=[ipb.Notice(
        event_id=event, ticket=ticket.name, kind="reminder", to_status="needs_info")]),
        metadata=stack.service)
    # Claimed by a dispatcher that sends and dies before completing (the running one
    # lets notices gather for 200 ms first, so this claim is first).
    answer = await outbox.ClaimNotices(ipb.ClaimNoticesRequest(
        max_notices=500, lease={"seconds": 2}), metadata=stack.service)
    mine = [c for c in answer.notices if c.notice.event_id == event]
    assert len(mine) == 1 and mine[0].attempts == 1 and mine[0].ticket.name == ticket.name
    token = stack.settings.service_token.get_secret_value()
    lost = NotifyActivities.from_settings(stack.settings, stack.clients.auth,
                                          stack.clients.tickets, TicketInbox(outbox, token))
    [sent] = await lost.send([(from_proto(mine[0].notice), mine[0].ticket)])
    assert sent >= 1
    others = [c.name for c in answer.notices if c.notice.event_id != event]
    if others:  # not ours to keep: the running dispatcher's after all
        await outbox.CompleteNotices(ipb.CompleteNoticesRequest(names=others),
                                     metadata=stack.service)

    # After the lease the running dispatcher takes it again, sends nothing twice, completes.
    await eventually(lambda: _gone(stack, event))
    reminders = [n for n in await world.notices("client")
                 if n.ticket == ticket.name and n.kind == "reminder"]
    assert len(reminders) == 1 and len(await world.notices("client")) == len(client) + 1
    assert mails_of(stack, event, world.org.client_user.name) == 1


async def _count_is(listed, count: int) -> bool:
    return len(await listed()) >= count


async def _gone(stack, event_id: str) -> bool:
    return await waiting_in_outbox(stack, event_id) == 0
