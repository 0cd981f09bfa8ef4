"""The tickets service's side of WebhookWorkflow: start a webhook's deliveries, stop them."""

from __future__ import annotations

from datetime import timedelta

from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from services.common.server.errors import unavailable
from workflows.webhooks.messages import WebhookStarted
from workflows.webhooks.workflows import WebhookWorkflow, workflow_id


class WebhookRuns:
    def __init__(self, client: Client, task_queue: str, max_attempts: int,
                 max_backoff_seconds: float):
        self._client, self._task_queue = client, task_queue
        self._max_attempts, self._max_backoff = max_attempts, max_backoff_seconds

    async def start(self, webhook: str, after: int, *, restart: bool = False) -> None:
        """Deliver from the event after `after` on. A running one goes on as it is, unless
        `restart` (turned on again: a run still ending its cancellation is replaced)."""
        conflict = (WorkflowIDConflictPolicy.TERMINATE_EXISTING if restart
                    else WorkflowIDConflictPolicy.FAIL)
        try:
            await self._client.start_workflow(
                WebhookWorkflow.run, WebhookStarted(webhook, after, self._max_attempts,
                                                    self._max_backoff),
                id=workflow_id(webhook), task_queue=self._task_queue,
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
                id_conflict_policy=conflict,
                static_summary=f"webhooks/{webhook}", rpc_timeout=timedelta(seconds=10))
        except WorkflowAlreadyStartedError:
            pass
        except RPCError as error:
            raise unavailable(f"the workflow service is unavailable: {error.message}") from error

    async def stop(self, webhook: str) -> None:
        """End its deliveries now, a retry waiting included; none running is fine."""
        try:
            await self._client.get_workflow_handle(workflow_id(webhook)).cancel(
                rpc_timeout=timedelta(seconds=10))
        except RPCError as error:
            if error.status != RPCStatusCode.NOT_FOUND:
                raise unavailable(f"the workflow service is unavailable: {error.message}") \
                    from error
