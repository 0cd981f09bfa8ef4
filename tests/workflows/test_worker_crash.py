"""The worker is killed (SIGKILL) while transitions are in flight and started
again: no transition that was answered is lost, none is applied twice."""

from __future__ import annotations

import asyncio
import uuid

import grpc
import pytest

from services.tickets.convert import ACTION_TO_PROTO
from tests.faults.cluster import WorkerProcess
from tests.support.stack import start_stack, start_temporal
from tests.support.tickets import World
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket.rules import Action, Status

TICKETS = 8
LIFE = [("developer", Action.START_WORK), ("developer", Action.ASK_CLARIFICATION),
        ("developer", Action.CONTINUE_WITHOUT_ANSWER),
        ("developer", Action.SUBMIT_FOR_ACCEPTANCE), ("manager", Action.TAKE_BACK),
        ("developer", Action.SUBMIT_FOR_ACCEPTANCE), ("client", Action.ACCEPT)]
EXPECTED = ["queued", "in_progress", "needs_info", "in_progress", "awaiting_acceptance",
            "in_progress", "awaiting_acceptance", "done"]
RETRIED = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.ABORTED,
           grpc.StatusCode.DEADLINE_EXCEEDED}


@pytest.fixture
async def crashing(tmp_path):
    temporal = await start_temporal()
    stack = await start_stack(temporal, tmp_path, worker=False)
    worker = WorkerProcess(stack.settings, tmp_path / "worker.log")
    worker.start()
    yield stack, worker
    worker.kill()
    await stack.stop()
    await temporal.shutdown()


async def act_until_answered(world: World, ticket: str, role: str, action: Action) -> int:
    """Retry with the same request id, as a careful client does; returns the retries."""
    request = pb.TransitionTicketRequest(name=ticket, action=ACTION_TO_PROTO[action],
                                         text="текст", request_id=uuid.uuid4().hex)
    for attempt in range(30):
        try:
            await world.stack.clients.tickets.TransitionTicket(
                request, metadata=world.people[role], timeout=30)
            return attempt
        except grpc.aio.AioRpcError as error:
            if error.code() not in RETRIED:
                raise
            await asyncio.sleep(0.5)
    raise AssertionError(f"{action.value} on {ticket} was never answered")


async def live(world: World, ticket: pb.Ticket) -> int:
    return sum([await act_until_answered(world, ticket.name, role, action)
                for role, action in LIFE])


async def test_killing_the_worker_loses_and_repeats_nothing(crashing):
    stack, worker = crashing
    world = await World.create(stack)
    tickets = [await world.ticket_in(Status.QUEUED) for _ in range(TICKETS)]
    lives = asyncio.gather(*(live(world, t) for t in tickets))
    kills = 0
    while not lives.done() and kills < 3:
        await asyncio.sleep(1.5)
        worker.kill()
        kills += 1
        await asyncio.sleep(1.0)
        worker.start()
    retries = sum(await lives)
    for ticket in tickets:
        history = await world.history(ticket.name)
        statuses = [h.new_value for h in history if h.field == "status"]
        assert statuses == EXPECTED, (ticket.name, statuses)
        assert (await world.get(ticket.name)).status == pb.STATUS_DONE
    print(f"faults: {kills} worker kills; tickets {TICKETS}/{TICKETS}; "
          f"transitions {TICKETS * len(LIFE)}; retried calls {retries}; duplicates 0")
