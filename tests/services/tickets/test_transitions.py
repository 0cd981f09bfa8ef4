"""TransitionTicket's refusals: each with its reason (and for a field, its FieldReason)."""

from __future__ import annotations

import uuid

import grpc
import pytest
from temporalio.exceptions import ApplicationError

from services.tickets.gateways.lifecycle import rejection
from tests.support.rpc import field_params, field_reasons, reason, rpc_error
from tests.support.tickets import World
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket.rules import Status

C = grpc.StatusCode


def transition(world: World, ticket: pb.Ticket, role: str, action: int, **fields):
    return world.stack.clients.tickets.TransitionTicket(pb.TransitionTicketRequest(
        name=ticket.name, action=action, request_id=uuid.uuid4().hex, **fields),
        metadata=world.people[role])


async def test_field_refusals(stack):
    world = await World.create(stack)
    queued = await world.ticket_in(Status.QUEUED)
    waiting = await world.ticket_in(Status.AWAITING_ACCEPTANCE)
    asking = await world.ticket_in(Status.NEEDS_INFO)
    cases = [
        (asking, "client", pb.ACTION_ANSWER, {"text": "Ответ"}, ("action", "ANSWER_BY_COMMENT")),
        (queued, "developer", pb.ACTION_UNSPECIFIED, {}, ("action", "REQUIRED")),
        (queued, "developer", 99, {}, ("action", "MALFORMED")),
        (queued, "developer", pb.ACTION_ASK_CLARIFICATION, {"text": "  "}, ("text", "REQUIRED")),
        (queued, "client", pb.ACTION_WITHDRAW, {}, ("text", "REQUIRED")),
        (queued, "developer", pb.ACTION_CLOSE, {"text": "x" * 10_001}, ("text", "TOO_LONG")),
        (waiting, "developer", pb.ACTION_TAKE_BACK, {"target_status": pb.STATUS_DONE},
         ("target_status", "INVALID_TARGET_STATUS")),
        (waiting, "client", pb.ACTION_ACCEPT, {"rating": 9}, ("rating", "INVALID_RATING")),
    ]
    for ticket, role, action, fields, problem in cases:
        error = await rpc_error(transition(world, ticket, role, action, **fields),
                                C.INVALID_ARGUMENT)
        assert field_reasons(error) == [problem], problem
    error = await rpc_error(transition(world, queued, "developer", pb.ACTION_CLOSE,
                                       text="x" * 10_001))
    assert field_params(error, "text") == {"maxLength": "10000"}
    for ticket in (queued, waiting, asking):  # nothing happened
        assert (await world.get(ticket.name)).status == ticket.status


async def test_state_refusals(stack):
    world = await World.create(stack)
    queued = await world.ticket_in(Status.QUEUED)
    working = await world.ticket_in(Status.IN_PROGRESS)
    done = await world.ticket_in(Status.DONE)
    cases = [
        (queued, "client", pb.ACTION_START_WORK, {}, C.PERMISSION_DENIED, "ROLE_NOT_ALLOWED"),
        (queued, "developer", pb.ACTION_SUBMIT_FOR_ACCEPTANCE, {"text": "Готово"},
         C.FAILED_PRECONDITION, "INVALID_TRANSITION"),
        (done, "developer", pb.ACTION_CLOSE, {"text": "Поздно"}, C.FAILED_PRECONDITION,
         "TICKET_CLOSED"),
        (working, "developer", pb.ACTION_RETURN_TO_QUEUE,
         {"expected_status": pb.STATUS_QUEUED}, C.ABORTED, "TICKET_CHANGED"),
    ]
    for ticket, role, action, fields, code, why in cases:
        error = await rpc_error(transition(world, ticket, role, action, **fields), code)
        assert reason(error) == why and field_reasons(error) == []


@pytest.mark.parametrize("workflow_reason, code, error_reason, field", [
    ("TEXT_REQUIRED", C.INVALID_ARGUMENT, "INVALID_ARGUMENT", ("text", "REQUIRED", {})),
    ("TEXT_TOO_LONG", C.INVALID_ARGUMENT, "INVALID_ARGUMENT",
     ("text", "TOO_LONG", {"maxLength": "10000"})),
    ("INVALID_RATING", C.INVALID_ARGUMENT, "INVALID_ARGUMENT", ("rating", "INVALID_RATING", {})),
    ("INVALID_TARGET", C.INVALID_ARGUMENT, "INVALID_ARGUMENT",
     ("target_status", "INVALID_TARGET_STATUS", {})),
    ("INVALID_ACTION", C.INVALID_ARGUMENT, "INVALID_ARGUMENT", ("action", "MALFORMED", {})),
    ("TICKET_CLOSED", C.FAILED_PRECONDITION, "TICKET_CLOSED", None),
    ("INVALID_TRANSITION", C.FAILED_PRECONDITION, "INVALID_TRANSITION", None),
    ("ROLE_NOT_ALLOWED", C.PERMISSION_DENIED, "ROLE_NOT_ALLOWED", None),
    ("CONCURRENT_TRANSITION", C.ABORTED, "CONCURRENT_TRANSITION", None),
    ("TICKET_CHANGED", C.ABORTED, "TICKET_CHANGED", None),
])
def test_every_workflow_rejection_has_its_reason(workflow_reason, code, error_reason, field):
    error = rejection(ApplicationError("refused", type=workflow_reason))
    assert (error.code, error.reason_name) == (code, error_reason)
    assert [(v.field, v.reason_name, v.params) for v in error.violations] == (
        [field] if field else [])
