"""Issue #9: worker processes are killed (SIGKILL) again and again while 200 tickets
live their whole life. Every transition that was answered is persisted exactly once;
none is lost, none is doubled, and every ticket ends done."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from services.tickets.convert import ACTION_TO_PROTO, STATUS_FROM_PROTO
from tests.faults.cluster import Retries, Workers, call
from tests.support.stack import start_stack, start_temporal
from tests.support.summary import report
from tests.support.tickets import World
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket.rules import Action
from workflows.ticket.workflows import TicketWorkflow

TICKETS = 200
CONCURRENCY = 24
WORKERS = 2
KILLS = 4
# The shortest whole life (its longer variants are in test_temporal_restart.py and
# tests/production/test_replicas.py): the time goes to 200 tickets and their kills.
LIFE = [("developer", Action.START_WORK), ("developer", Action.SUBMIT_FOR_ACCEPTANCE),
        ("client", Action.ACCEPT)]
EXPECTED = ["queued", "in_progress", "awaiting_acceptance", "done"]
TEXTS = [f"шаг {step}: {action.value}" for step, (_, action) in enumerate(LIFE, 1)]


@pytest.fixture
async def crashing(tmp_path):
    """In-process services on SQLite, the workers as processes we may kill."""
    temporal = await start_temporal()
    stack = await start_stack(temporal, tmp_path, worker=False)
    workers = Workers.start(stack.settings, tmp_path, WORKERS)
    yield stack, workers
    await asyncio.to_thread(workers.stop)
    await stack.stop()
    await temporal.shutdown()


async def live(world: World, i: int, gate: asyncio.Semaphore, retries: Retries,
               wrong: list[str]) -> pb.Ticket:
    """One ticket's whole life; each answer must show the status the step leads to."""
    tickets = world.stack.clients.tickets
    async with gate:
        ticket = await call(tickets.CreateTicket, pb.CreateTicketRequest(
            ticket=pb.Ticket(title=f"Тикет {i}", description="Проверка отказов воркера"),
            request_id=f"create-{i}"), world.people["client"], retries)
        for step, (role, action) in enumerate(LIFE):
            answer = await call(tickets.TransitionTicket, pb.TransitionTicketRequest(
                name=ticket.name, action=ACTION_TO_PROTO[action], text=TEXTS[step],
                request_id=uuid.uuid4().hex), world.people[role], retries)
            if STATUS_FROM_PROTO[answer.status].value != EXPECTED[step + 1]:
                wrong.append(f"{ticket.name} {action.value} → {answer.status}")
        return ticket


async def kill_workers_during(traffic: asyncio.Future, workers: Workers) -> int:
    """SIGKILL one worker after another while the traffic runs, restarting each."""
    kills = 0
    while not traffic.done() and kills < KILLS:
        await asyncio.sleep(3)
        if traffic.done():
            break
        victim = workers.processes[kills % WORKERS]
        victim.kill()
        kills += 1
        await asyncio.sleep(1)
        victim.start()
    return kills


async def persisted_once(world: World, ticket: pb.Ticket, retries: Retries) -> int:
    """Asserts the ticket's history and comments hold each step once; returns the
    number of surplus rows (0, or the assertion fails first)."""
    tickets, staff = world.stack.clients.tickets, world.people["developer"]
    history = await call(tickets.ListTicketHistory, pb.ListTicketHistoryRequest(
        parent=ticket.name), staff, retries)
    statuses = [h.new_value for h in history.entries if h.field == "status"]
    comments = await call(tickets.ListComments, pb.ListCommentsRequest(
        parent=ticket.name), staff, retries)
    bodies = [c.body for c in comments.comments]
    surplus = len(statuses) - len(EXPECTED) + len(bodies) - len(TEXTS)
    assert statuses == EXPECTED, (ticket.name, statuses)
    assert bodies == TEXTS, (ticket.name, bodies)
    current = await call(tickets.GetTicket, pb.GetTicketRequest(name=ticket.name), staff,
                         retries)
    assert current.status == pb.STATUS_DONE, (ticket.name, current.status)
    return surplus


async def test_killed_workers_lose_and_repeat_no_answered_transition(crashing):
    """While workers are SIGKILLed and restarted, every answered transition is in the
    ticket's history and comments exactly once, answers are never wrong, and each
    ticket ends done in the store and in its workflow."""
    stack, workers = crashing
    world = await World.create(stack)
    retries, wrong = Retries(), []
    gate = asyncio.Semaphore(CONCURRENCY)
    traffic = asyncio.gather(*(live(world, i, gate, retries, wrong) for i in range(TICKETS)))
    kills = await kill_workers_during(traffic, workers)
    tickets = await traffic
    assert kills == KILLS, f"the traffic ended after {kills} kills; make it longer"
    assert not wrong, wrong[:10]
    assert len({t.name for t in tickets}) == TICKETS
    duplicates = sum([await persisted_once(world, t, retries) for t in tickets])
    # The workflows agree with the store: each holds its ticket done.
    held = await asyncio.gather(*(stack.temporal.get_workflow_handle(
        f"ticket-{t.number}").query(TicketWorkflow.current_status) for t in tickets))
    assert set(held) == {"done"}, [s for s in held if s != "done"][:10]
    report(f"faults: {kills} worker kills (SIGKILL, {WORKERS} workers); "
           f"tickets {TICKETS}/{TICKETS} done; transitions {TICKETS * len(LIFE)} "
           f"persisted once; duplicates {duplicates}; wrong answers {len(wrong)}; "
           f"retried calls: {retries.line()}")
