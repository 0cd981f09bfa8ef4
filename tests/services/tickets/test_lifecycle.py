"""Lifecycle.transition's retry, a unit test of that one function: Temporal answers an
update FAILED_PRECONDITION when the workflow task carrying it failed (seen under load when the
ticket's closing task was refused because a comment arrived meanwhile); the update was
not applied, so it is sent again under the same id. A closed ticket (NOT_FOUND) is not."""

from __future__ import annotations

import grpc
import pytest
from temporalio.service import RPCError, RPCStatusCode

from services.common.server.errors import ApiError
from services.tickets.gateways import lifecycle
from services.tickets.gateways.lifecycle import Lifecycle
from workflows.ticket.messages import Actor, TransitionRequest, TransitionResult

TASK_FAILED = ("Unable to perform workflow execution update due to unexpected workflow "
               "task failure.")


class Handle:
    """A workflow handle whose updates fail with `errors` first."""

    def __init__(self, *errors: RPCError):
        self.errors, self.update_ids = list(errors), []

    async def execute_update(self, update, arg, *, id, result_type):
        self.update_ids.append(id)
        if self.errors:
            raise self.errors.pop(0)
        return TransitionResult(previous="awaiting_acceptance", status="done")


class Client:
    def __init__(self, handle: Handle):
        self.handle = handle

    def get_workflow_handle(self, workflow_id: str) -> Handle:
        return self.handle


def accept(request_id: str = "r-1") -> TransitionRequest:
    return TransitionRequest(action="accept", actor=Actor(subject="users/c", role="client"),
                             request_id=request_id)


def unavailable() -> RPCError:
    return RPCError(TASK_FAILED, RPCStatusCode.FAILED_PRECONDITION, b"")


@pytest.fixture(autouse=True)
def quick(monkeypatch):
    monkeypatch.setattr(lifecycle, "RETRY_PAUSES", (0.01, 0.01, 0.01))


async def test_an_update_whose_task_failed_is_sent_again_under_its_id():
    handle = Handle(unavailable(), unavailable())
    result = await Lifecycle(Client(handle), "q").transition(7, accept())
    assert result.status == "done"
    assert handle.update_ids == ["r-1", "r-1", "r-1"]


async def test_an_update_without_a_request_id_keeps_one_id_across_retries():
    handle = Handle(unavailable())
    await Lifecycle(Client(handle), "q").transition(7, accept(request_id=""))
    assert len(set(handle.update_ids)) == 1 and len(handle.update_ids) == 2


async def test_it_gives_up_with_unavailable_after_the_last_pause():
    handle = Handle(*[unavailable() for _ in range(4)])
    with pytest.raises(ApiError) as raised:
        await Lifecycle(Client(handle), "q").transition(7, accept())
    assert raised.value.code == grpc.StatusCode.UNAVAILABLE
    assert len(handle.update_ids) == 4


async def test_a_closed_ticket_is_not_retried():
    handle = Handle(RPCError("workflow execution already completed", RPCStatusCode.NOT_FOUND,
                             b""))
    with pytest.raises(ApiError) as raised:
        await Lifecycle(Client(handle), "q").transition(7, accept())
    assert raised.value.code == grpc.StatusCode.FAILED_PRECONDITION
    assert len(handle.update_ids) == 1
