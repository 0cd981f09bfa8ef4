"""The closing transition while comments arrive. The workflow task that completes the
workflow is refused when a signal came meanwhile, and the update it carried fails with
it; the tickets service sends it again, so the client's accept is answered (not
UNAVAILABLE) every time (seen in `make bench`'s whole-stack scenario). The refused task
had already written its record: the store still ends as the workflow does, though the
client's remark in between wrote the ticket again (seen in the load test)."""

from __future__ import annotations

import asyncio

import grpc

from tests.support.tickets import World
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket.rules import Action, Status

ROUNDS = 12


async def test_an_accept_racing_comments_is_answered(stack):
    world = await World.create(stack)
    tickets = [await world.ticket_in(Status.AWAITING_ACCEPTANCE) for _ in range(ROUNDS)]

    async def comment(name: str, role: str) -> None:
        try:
            await world.comment(name, role, "Ещё одно уточнение")
        except grpc.aio.AioRpcError as error:  # the ticket closed first
            assert error.code() == grpc.StatusCode.FAILED_PRECONDITION, error

    for ticket in tickets:
        accepted, *_ = await asyncio.gather(
            world.act(ticket.name, "client", Action.ACCEPT, rating=5),
            comment(ticket.name, "client"), comment(ticket.name, "developer"),
            comment(ticket.name, "client"))
        assert accepted.status == pb.STATUS_DONE
    # The workflows have ended: what the store shows now is their last word.
    for ticket in tickets:
        assert (await world.get(ticket.name)).status == pb.STATUS_DONE, ticket.name
