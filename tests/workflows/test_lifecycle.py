"""TicketWorkflow through TicketService on a real dev server: the whole status
table, the clarification and rework loops, concurrency and retried requests."""

from __future__ import annotations

import asyncio
import itertools

import grpc
import pytest
from temporalio.api.enums.v1 import EventType

from services.tickets.convert import STATUS_TO_PROTO
from tests.support.rpc import reason, rpc_error
from tests.support.tickets import World
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket.messages import TicketStarted
from workflows.ticket.workflows import TicketWorkflow
from workflows.ticket.rules import Action, Status, TransitionRejected, decide

ROLES = ("client", "developer", "manager")
# Answers come as comments, not through TransitionTicket.
ACTIONS = [a for a in Action if a is not Action.ANSWER]


def expected(status: Status, action: Action, role: str) -> Status | None:
    try:
        return decide(status, action, role, text="текст", previous=Status.QUEUED)
    except TransitionRejected:
        return None


@pytest.fixture
async def world(stack) -> World:
    return await World.create(stack)


async def update_ids(stack, ticket: pb.Ticket) -> list[str]:
    handle = stack.temporal.get_workflow_handle(f"ticket-{ticket.number}")
    history = await handle.fetch_history()
    return [e.workflow_execution_update_accepted_event_attributes.accepted_request.meta.update_id
            for e in history.events
            if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED]


@pytest.mark.parametrize("status", list(Status), ids=lambda s: s.value)
async def test_every_rejected_cell_changes_nothing(world, status):
    ticket = await world.ticket_in(status)
    before = await world.history(ticket.name)
    for action, role in itertools.product(ACTIONS, ROLES):
        if expected(status, action, role) is not None:
            continue
        request_id = f"rejected-{action.value}-{role}"
        error = await rpc_error(world.act(ticket.name, role, action, request_id))
        assert (error.code(), reason(error)) in {
            (grpc.StatusCode.PERMISSION_DENIED, "ROLE_NOT_ALLOWED"),
            (grpc.StatusCode.FAILED_PRECONDITION, "INVALID_TRANSITION"),
            (grpc.StatusCode.FAILED_PRECONDITION, "TICKET_CLOSED")}, (action, role)
        if status.is_open:
            assert not [u for u in await update_ids(world.stack, ticket) if u.endswith(request_id)]
    after = await world.get(ticket.name)
    assert after.etag == ticket.etag and after.status == ticket.status
    assert await world.history(ticket.name) == before


ALLOWED = [(s, a, r) for s, a, r in itertools.product(Status, ACTIONS, ROLES)
           if expected(s, a, r) is not None]


@pytest.mark.parametrize("status,action,role", ALLOWED,
                         ids=[f"{s.value}-{a.value}-{r}" for s, a, r in ALLOWED])
async def test_every_allowed_cell_moves_the_ticket(world, status, action, role):
    ticket = await world.ticket_in(status)
    moved = await world.act(ticket.name, role, action)
    target = expected(status, action, role)
    assert moved.status == STATUS_TO_PROTO[target]
    # Starting work may write the new assignee too: the status's own entry is the last.
    last = [h for h in await world.history(ticket.name) if h.field == "status"][-1]
    assert (last.old_value, last.new_value) == (status.value, target.value)


async def test_required_text_is_a_field_error(world):
    ticket = await world.ticket_in(Status.IN_PROGRESS)
    error = await rpc_error(world.stack.clients.tickets.TransitionTicket(
        pb.TransitionTicketRequest(name=ticket.name, action=pb.ACTION_SUBMIT_FOR_ACCEPTANCE,
                                   text="  "), metadata=world.people["developer"]),
        grpc.StatusCode.INVALID_ARGUMENT)
    assert reason(error) == "INVALID_ARGUMENT"
    assert (await world.get(ticket.name)).status == pb.STATUS_IN_PROGRESS


async def test_clarification_loop_returns_to_the_status_before(world):
    for before in (Status.QUEUED, Status.IN_PROGRESS):
        ticket = await world.ticket_in(before)
        asked = await world.act(ticket.name, "developer", Action.ASK_CLARIFICATION)
        assert asked.status == pb.STATUS_NEEDS_INFO and asked.status_note == "текст"
        await world.comment(ticket.name, "client", "Вот ответ на ваш вопрос")
        answered = await world.until(ticket.name,
                                     lambda t: t.status != pb.STATUS_NEEDS_INFO)
        assert answered.status == STATUS_TO_PROTO[before]


async def test_rework_loop_then_acceptance(world):
    ticket = await world.ticket_in(Status.AWAITING_ACCEPTANCE)
    await world.comment(ticket.name, "client", "Баннер съехал на мобильных")
    remarked = await world.until(ticket.name, lambda t: t.has_remarks)
    assert remarked.status == pb.STATUS_AWAITING_ACCEPTANCE
    back = await world.act(ticket.name, "developer", Action.TAKE_BACK)
    assert back.status == pb.STATUS_IN_PROGRESS and not back.has_remarks
    again = await world.act(ticket.name, "developer", Action.SUBMIT_FOR_ACCEPTANCE)
    assert again.status == pb.STATUS_AWAITING_ACCEPTANCE
    done = await world.act(ticket.name, "client", Action.ACCEPT, rating=5)
    assert (done.status, done.rating) == (pb.STATUS_DONE, 5)
    handle = world.stack.temporal.get_workflow_handle(f"ticket-{ticket.number}")
    assert await handle.result() == "done"


async def test_take_back_to_the_queue(world):
    ticket = await world.ticket_in(Status.AWAITING_ACCEPTANCE)
    back = await world.act(ticket.name, "manager", Action.TAKE_BACK,
                           target_status=pb.STATUS_QUEUED)
    assert back.status == pb.STATUS_QUEUED


async def test_concurrent_conflicting_transitions_exactly_one_wins(world):
    """Three people act on the same queued ticket they all see (as the web UI sends it:
    the status on screen); whichever comes first wins, the others change nothing."""
    for _ in range(3):
        ticket = await world.ticket_in(Status.QUEUED)
        seen = {"expected_status": pb.STATUS_QUEUED}
        results = await asyncio.gather(
            world.act(ticket.name, "developer", Action.START_WORK, **seen),
            world.act(ticket.name, "manager", Action.CLOSE, **seen),
            world.act(ticket.name, "client", Action.WITHDRAW, **seen),
            return_exceptions=True)
        won = [r for r in results if isinstance(r, pb.Ticket)]
        lost = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
        assert len(won) == 1 and len(lost) == 2, results
        assert {e.code() for e in lost} <= {grpc.StatusCode.ABORTED,
                                            grpc.StatusCode.FAILED_PRECONDITION,
                                            grpc.StatusCode.PERMISSION_DENIED}
        final = await world.get(ticket.name)
        assert final.status == won[0].status
        changes = [h for h in await world.history(ticket.name) if h.field == "status"]
        assert len(changes) == 2  # created, then the winner


async def test_an_action_on_a_stale_status_changes_nothing(world):
    """The status the caller saw is a precondition: once the ticket moved on, the action
    answers ABORTED (TICKET_CHANGED) and writes nothing; without it, the action applies
    to whatever the status is now."""
    ticket = await world.ticket_in(Status.IN_PROGRESS)
    error = await rpc_error(world.act(ticket.name, "manager", Action.CLOSE,
                                      expected_status=pb.STATUS_QUEUED),
                            grpc.StatusCode.ABORTED)
    assert reason(error) == "TICKET_CHANGED"
    assert (await world.get(ticket.name)).status == pb.STATUS_IN_PROGRESS
    closed = await world.act(ticket.name, "manager", Action.CLOSE,
                             expected_status=pb.STATUS_IN_PROGRESS)
    assert closed.status == pb.STATUS_CANCELLED


async def test_a_retried_request_is_applied_once(world):
    ticket = await world.ticket_in(Status.QUEUED)
    first = await world.act(ticket.name, "developer", Action.START_WORK, request_id="same")
    again = await world.act(ticket.name, "developer", Action.START_WORK, request_id="same")
    assert first.status == again.status == pb.STATUS_IN_PROGRESS
    changes = [h for h in await world.history(ticket.name) if h.field == "status"]
    assert [(h.old_value, h.new_value) for h in changes] == [("", "queued"),
                                                             ("queued", "in_progress")]


async def test_state_carried_into_a_new_run_keeps_request_ids(world):
    """What continue-as-new hands on (TicketStarted) is enough to refuse a replayed
    request and to answer a client in needs_info with the right status."""
    ticket = await world.ticket_in(Status.NEEDS_INFO)
    me = (await world.stack.clients.auth.WhoAmI(
        auth_pb2.WhoAmIRequest(), metadata=world.people["developer"])).principal.subject
    handle = world.stack.temporal.get_workflow_handle(f"ticket-{ticket.number}")
    await handle.terminate("replaced by a run carrying the same state")
    await world.stack.temporal.start_workflow(
        TicketWorkflow.run, TicketStarted(
            number=ticket.number, organization=world.org.name, title=ticket.title,
            status="needs_info", status_before_needs_info="in_progress", announced=True,
            recent_request_ids=[f"{me}:already-applied"]),
        id=handle.id, task_queue=world.stack.settings.task_queue)
    again = await world.act(ticket.name, "developer", Action.CONTINUE_WITHOUT_ANSWER,
                            request_id="already-applied")
    assert again.status == pb.STATUS_NEEDS_INFO  # answered, not applied twice
    await world.comment(ticket.name, "client", "Ответ")
    answered = await world.until(ticket.name, lambda t: t.status != pb.STATUS_NEEDS_INFO)
    assert answered.status == pb.STATUS_IN_PROGRESS


async def test_a_question_right_after_creation_leaves_no_stale_sla_due_time(world):
    """The workflow's first SLA record and the first transition are serialized."""
    for _ in range(3):
        ticket = await world.ticket_in(Status.NEEDS_INFO)
        handle = world.stack.temporal.get_workflow_handle(f"ticket-{ticket.number}")
        await handle.query(TicketWorkflow.current_status)  # the first task has run
        await asyncio.sleep(0.5)  # and any activity it started
        seen = await world.get(ticket.name, "developer")
        assert not seen.sla.HasField("due_time"), seen.sla
