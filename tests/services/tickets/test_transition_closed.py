"""Transitions.transition when the workflow is gone (a unit test of that one function, on
a real ticket store): an attempt answered "workflow task failed" may have been applied
and ended the workflow, so the retry finds it closed; the record of the request id then
says the transition happened. Another request on the closed ticket stays refused."""

from __future__ import annotations

import grpc
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from services.common.server.errors import ApiError, failed_precondition
from services.tickets.store import tickets as store
from services.tickets.usecases.transitions import Transitions
from tests.services.tickets.store_support import STAFF, engine, insert_rows, row, url  # noqa: F401
from ticketdesk.errors.v1 import errors_pb2 as reasons
from workflows.ticket.messages import Actor, TransitionRequest


class ClosedWorkflow:
    """The ticket's workflow has ended: every update is refused as closed."""

    def __init__(self):
        self.request_ids: list[str] = []

    async def transition(self, number: int, request: TransitionRequest):
        self.request_ids.append(request.request_id)
        raise failed_precondition(reasons.TICKET_CLOSED, "the ticket is closed")


async def test_a_closing_transition_already_recorded_is_answered(engine):
    await insert_rows(engine, [row(1, "organizations/a", status="done")])
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    async with sessions() as session:
        await store.mark_applied(session, "accept-1", 1)
        await session.commit()
    workflow = ClosedWorkflow()
    transitions = Transitions(sessions, workflow)
    accept = TransitionRequest(action="accept", actor=Actor("users/c", "client"),
                               request_id="accept-1")
    shown = await transitions.transition(STAFF, 1, accept)
    assert shown.row.status == "done"
    with pytest.raises(ApiError) as refused:  # another request: the ticket is closed
        await transitions.transition(STAFF, 1, TransitionRequest(
            action="accept", actor=Actor("users/c", "client"), request_id="accept-2"))
    assert refused.value.code == grpc.StatusCode.FAILED_PRECONDITION
    with pytest.raises(ApiError):  # without an id, one is given (and it was not recorded)
        await transitions.transition(STAFF, 1, TransitionRequest(
            action="start_work", actor=Actor("users/d", "developer")))
    assert workflow.request_ids[:2] == ["accept-1", "accept-2"]
    assert len(workflow.request_ids[2]) == 32  # a request without an id was given one
