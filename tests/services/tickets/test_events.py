"""WatchTicketEvents over gRPC, on SQLite and PostgreSQL: a caller sees the events of the
tickets ListTickets shows it, in order, from a cursor on; internal notes reach staff only;
another organization's ticket is NOT_FOUND like a missing one."""

from __future__ import annotations

import asyncio
import uuid

import grpc

from tests.support.rpc import field_reasons, reason, rpc_error
from tests.support.tickets import World
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket.rules import Action

C = grpc.StatusCode


class Watch:
    """A stream read in the background, its events kept."""

    def __init__(self, world: World, role: str, **request):
        self.events: list[pb.TicketEvent] = []
        self.call = world.stack.clients.tickets.WatchTicketEvents(
            pb.WatchTicketEventsRequest(**request), metadata=world.people[role])
        self.task = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        async for event in self.call:
            self.events.append(event)

    async def until(self, check, timeout: float = 15.0) -> list[pb.TicketEvent]:
        async with asyncio.timeout(timeout):
            while not check(self.events):
                if self.task.done():
                    self.task.result()  # its error
                    raise AssertionError(f"the stream ended: {self.events}")
                await asyncio.sleep(0.05)
        return self.events

    async def started(self) -> None:
        """The server has begun the watch (its 'from now' is fixed): its headers came."""
        async with asyncio.timeout(10):
            await self.call.initial_metadata()

    def close(self) -> None:
        self.call.cancel()


def of(events, ticket: pb.Ticket) -> list[tuple]:
    return [(e.kind, e.from_status, e.to_status) for e in events if e.ticket == ticket.name]


def accepted(ticket: pb.Ticket):
    return lambda events: any(e.ticket == ticket.name and e.to_status == pb.STATUS_DONE
                              for e in events)


async def life(world: World) -> pb.Ticket:
    """A ticket from creation to acceptance, with an internal note on the way."""
    ticket = await world.stack.new_ticket(world.org)
    await world.act(ticket.name, "developer", Action.START_WORK)
    await world.stack.clients.tickets.AddComment(pb.AddCommentRequest(
        parent=ticket.name, comment=pb.Comment(body="Заметка для своих",
                                               visibility=pb.VISIBILITY_INTERNAL)),
        metadata=world.people["developer"])
    await world.comment(ticket.name, "client", "Спасибо")
    await world.act(ticket.name, "developer", Action.SUBMIT_FOR_ACCEPTANCE)
    await world.act(ticket.name, "client", Action.ACCEPT, rating=5)
    return ticket


async def test_each_caller_sees_its_tickets_events_in_order(stack):
    world, other = await World.create(stack), await World.create(stack)
    client, developer = Watch(world, "client"), Watch(world, "developer")
    stranger = Watch(other, "client")
    for watch in (client, developer, stranger):
        await watch.started()
    try:
        ticket, foreign = await asyncio.gather(life(world), life(other))
        await client.until(accepted(ticket))
        await developer.until(lambda events: accepted(ticket)(events)
                              and accepted(foreign)(events))
        await stranger.until(accepted(foreign))
        await asyncio.sleep(1.5)  # anything more would have come by now
    finally:
        for watch in (client, developer, stranger):
            watch.close()
    U, Q, W, A, D = (pb.STATUS_UNSPECIFIED, pb.STATUS_QUEUED, pb.STATUS_IN_PROGRESS,
                     pb.STATUS_AWAITING_ACCEPTANCE, pb.STATUS_DONE)
    public = [("ticket_created", U, U), ("status_changed", Q, W), ("comment", U, U),
              ("status_changed", W, A), ("status_changed", A, D)]
    assert of(client.events, ticket) == public
    assert of(client.events, foreign) == []
    assert of(stranger.events, foreign) == public
    staff = of(developer.events, ticket)
    assert [kind for kind, *_ in staff].count("internal_note") == 1
    assert [e for e in staff if e[0] != "internal_note"] == public
    final = [e for e in client.events if e.ticket == ticket.name][-1]
    assert final.rating == 5 and final.actor and final.cursor
    ids = [e.event_id for e in developer.events]
    assert len(ids) == len(set(ids))


async def test_a_watch_resumes_after_its_cursor(stack):
    world = await World.create(stack)
    first = Watch(world, "client")
    await first.started()
    try:
        ticket = await life(world)
        events = await first.until(accepted(ticket))
    finally:
        first.close()
    mine = [e for e in events if e.ticket == ticket.name]
    resumed = Watch(world, "client", cursor=mine[1].cursor)
    try:
        again = await resumed.until(lambda found: len(found) >= len(mine) - 2)
        await asyncio.sleep(1.5)
    finally:
        resumed.close()
    assert [e.event_id for e in again] == [e.event_id for e in mine[2:]]


async def test_a_foreign_ticket_is_missing_and_a_cursor_is_the_callers(stack):
    world, other = await World.create(stack), await World.create(stack)
    ticket = await stack.new_ticket(world.org)
    foreign, missing = [await rpc_error(_first(other, "client", ticket=name), C.NOT_FOUND)
                        for name in (ticket.name, "tickets/2000000000")]
    assert reason(foreign) == reason(missing)
    assert foreign.details().replace(ticket.name, "") == missing.details().replace(
        "tickets/2000000000", "")
    bad = await rpc_error(_first(world, "client", cursor="not-a-cursor"), C.INVALID_ARGUMENT)
    assert field_reasons(bad) == [("cursor", "INVALID_PAGE_TOKEN")]
    watch = Watch(world, "client")
    await watch.started()
    try:
        await world.act(ticket.name, "developer", Action.START_WORK, request_id=uuid.uuid4().hex)
        events = await watch.until(lambda found: len(found) >= 1)
    finally:
        watch.close()
    for role, request in (("developer", {"cursor": events[0].cursor}),
                          ("client", {"cursor": events[0].cursor, "ticket": ticket.name})):
        bad = await rpc_error(_first(world, role, **request), C.INVALID_ARGUMENT)
        assert field_reasons(bad) == [("cursor", "INVALID_PAGE_TOKEN")]


async def _first(world: World, role: str, **request):
    """The stream's first answer (an error, here)."""
    call = world.stack.clients.tickets.WatchTicketEvents(
        pb.WatchTicketEventsRequest(**request), metadata=world.people[role])
    try:
        return await call.read()
    finally:
        call.cancel()
