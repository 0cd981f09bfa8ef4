"""Recorded histories replay on today's TicketWorkflow; a change made without
`workflow.patched` does not."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer
from temporalio.workflow import NondeterminismError

from workflows.ticket.messages import Notice, TicketStarted
from workflows.ticket.workflows import TicketWorkflow

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


def load(path: Path) -> WorkflowHistory:
    return WorkflowHistory.from_json(f"ticket-{path.stem}", path.read_text())


def test_histories_are_there():
    assert {p.stem for p in HISTORIES} >= {"full-life", "withdrawn", "timers", "assigned",
                                      "policy-at-start", "outbox-life", "outbox-timers"}


@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: p.stem)
async def test_recorded_history_replays(path):
    await Replayer(workflows=[TicketWorkflow]).replay_workflow(load(path))


@workflow.defn(name="TicketWorkflow", sandboxed=False)
class UnpatchedChange(TicketWorkflow):
    """A plausible edit: a notice sent by its own activity again, first, without a patch."""

    @workflow.run
    async def run(self, ticket: TicketStarted) -> str:
        workflow.start_activity("notify", Notice(kind="ticket_created", number=ticket.number,
                                                 event_id="again"),
                                start_to_close_timeout=timedelta(minutes=2))
        return await super().run(ticket)


@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: p.stem)
async def test_a_change_without_a_patch_fails_replay(path):
    with pytest.raises(NondeterminismError):
        await Replayer(workflows=[UnpatchedChange]).replay_workflow(load(path))
