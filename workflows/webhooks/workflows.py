"""One workflow per webhook: it delivers the webhook's events in order, each with retries
and a growing pause (Temporal's retry policy), and turns the webhook off when one still
fails after the last attempt. Asked-for redeliveries go first, at the next poll."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from workflows.webhooks.messages import Batch, Delivery, Disable, Poll, WebhookStarted

# The service waits up to 30 s for a first event; an idle webhook polls twice a minute.
POLL_TIMEOUT = timedelta(seconds=70)
QUICK = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30))
# Polls of one run before it continues as new (a short history).
RUN_POLLS = 500


def workflow_id(webhook: str) -> str:
    return f"webhook-{webhook}"


@workflow.defn(name="WebhookWorkflow")
class WebhookWorkflow:
    @workflow.run
    async def run(self, start: WebhookStarted) -> str:
        after, polls = start.after, 0
        while True:
            batch: Batch = await workflow.execute_activity(
                "poll_webhook", Poll(start.webhook, after), result_type=Batch,
                start_to_close_timeout=POLL_TIMEOUT, retry_policy=QUICK)
            if not batch.active:
                return "off"
            for event in [*batch.redeliveries, *batch.events]:
                if not await self._deliver(start, event):
                    return "turned off"
            if batch.events:
                after = batch.events[-1]
            polls += 1
            if polls >= RUN_POLLS or workflow.info().is_continue_as_new_suggested():
                workflow.continue_as_new(WebhookStarted(start.webhook, after, start.max_attempts,
                                                        start.max_backoff_seconds))

    async def _deliver(self, start: WebhookStarted, event: int) -> bool:
        """False when the receiver failed every attempt: the webhook is then off."""
        retry = RetryPolicy(initial_interval=timedelta(seconds=1), backoff_coefficient=2.0,
                            maximum_interval=timedelta(seconds=start.max_backoff_seconds),
                            maximum_attempts=start.max_attempts)
        try:
            await workflow.execute_activity(
                "deliver_webhook", Delivery(start.webhook, event),
                start_to_close_timeout=timedelta(seconds=30), retry_policy=retry,
                summary=f"event {event}")
            return True
        except ActivityError as failed:
            reason = str(failed.cause or failed)[:500]
            await workflow.execute_activity(
                "disable_webhook", Disable(start.webhook, reason),
                start_to_close_timeout=timedelta(seconds=10), retry_policy=QUICK)
            return False
