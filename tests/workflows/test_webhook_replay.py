"""Recorded histories of WebhookWorkflow (a webhook turned off after its last attempt; one
turned on again, delivered and redelivered) replay on today's code; a change made without
`workflow.patched` does not."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer
from temporalio.workflow import NondeterminismError

from workflows.webhooks.messages import Poll, WebhookStarted
from workflows.webhooks.workflows import WebhookWorkflow

HISTORIES = sorted((Path(__file__).parent / "webhook_histories").glob("*.json"))


def load(path: Path) -> WorkflowHistory:
    return WorkflowHistory.from_json(f"webhook-{path.stem}", path.read_text())


def test_histories_are_there():
    assert {p.stem for p in HISTORIES} == {"turned-off", "delivered-and-redelivered"}


@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: p.stem)
async def test_recorded_history_replays(path):
    await Replayer(workflows=[WebhookWorkflow]).replay_workflow(load(path))


@workflow.defn(name="WebhookWorkflow", sandboxed=False)
class UnpatchedChange(WebhookWorkflow):
    """A plausible edit: a first poll that only checks the webhook is on, without a patch."""

    @workflow.run
    async def run(self, start: WebhookStarted) -> str:
        await workflow.execute_activity("poll_webhook", Poll(start.webhook, start.after),
                                        start_to_close_timeout=timedelta(seconds=70))
        return await super().run(start)


@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: p.stem)
async def test_a_change_without_a_patch_fails_replay(path):
    with pytest.raises(NondeterminismError):
        await Replayer(workflows=[UnpatchedChange]).replay_workflow(load(path))
