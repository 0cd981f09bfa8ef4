"""WebhookWorkflow's activities: poll the tickets service for the events a webhook owes,
POST one (the service signs it; the secret never enters Temporal's history), record
every attempt, turn the webhook off."""

from __future__ import annotations

import httpx
from google.protobuf.duration_pb2 import Duration
from temporalio import activity
from temporalio.exceptions import ApplicationError

from services.common.client.channels import bearer
from ticketdesk.tickets.v1 import tickets_internal_pb2 as internal
from ticketdesk.tickets.v1 import tickets_internal_pb2_grpc
from workflows.webhooks.messages import Batch, Delivery, Disable, Poll
from workflows.webhooks.notice import Managers

POLL_WAIT_SECONDS = 30
BATCH = 50
# The receiver's time to answer; what it says after is not read.
HTTP_TIMEOUT = httpx.Timeout(10.0)
USER_AGENT = "TicketDesk-Webhooks/1"


class WebhookActivities:
    def __init__(self, internal_stub: tickets_internal_pb2_grpc.TicketInternalServiceStub,
                 service_token: str, managers: Managers | None = None,
                 http: httpx.AsyncClient | None = None):
        self._internal, self._metadata = internal_stub, bearer(service_token)
        self._managers = managers
        self._http = http or httpx.AsyncClient(timeout=HTTP_TIMEOUT, follow_redirects=False)

    @activity.defn(name="poll_webhook")
    async def poll(self, poll: Poll) -> Batch:
        answer = await self._internal.PollWebhookEvents(internal.PollWebhookEventsRequest(
            webhook=poll.webhook, after=poll.after, max_events=BATCH,
            wait=Duration(seconds=POLL_WAIT_SECONDS)), metadata=self._metadata,
            timeout=POLL_WAIT_SECONDS + 10)
        return Batch(active=answer.active, events=list(answer.events),
                     redeliveries=list(answer.redeliveries))

    @activity.defn(name="deliver_webhook")
    async def deliver(self, delivery: Delivery) -> None:
        """One attempt; a failure raises, for the workflow's retry policy."""
        prepared = await self._internal.PrepareWebhookDelivery(
            internal.PrepareWebhookDeliveryRequest(webhook=delivery.webhook,
                                                   event=delivery.event),
            metadata=self._metadata, timeout=10)
        if not prepared.active:  # turned off or deleted meanwhile: nothing is owed
            return
        code, error = await self._post(prepared)
        await self._internal.RecordWebhookDelivery(internal.RecordWebhookDeliveryRequest(
            webhook=delivery.webhook, event=delivery.event, attempt=activity.info().attempt,
            response_code=code, error=error, delivered=not error), metadata=self._metadata,
            timeout=10)
        if error:
            raise ApplicationError(error, type="WEBHOOK_REFUSED")

    async def _post(self, prepared: internal.PrepareWebhookDeliveryResponse) -> tuple[int, str]:
        """(HTTP status, "" or why it failed)."""
        try:
            response = await self._http.post(prepared.url, content=prepared.body.encode(), headers={
                "Content-Type": "application/json", "User-Agent": USER_AGENT,
                "TicketDesk-Event-Id": prepared.event_id,
                "TicketDesk-Signature": prepared.signature})
        except httpx.HTTPError as failed:
            return 0, f"{type(failed).__name__}: {failed}"[:500] or type(failed).__name__
        if 200 <= response.status_code < 300:
            return response.status_code, ""
        return response.status_code, f"HTTP {response.status_code}"

    @activity.defn(name="disable_webhook")
    async def disable(self, disable: Disable) -> None:
        """Off, and the managers told by e-mail. A retry after the webhook went off finds
        it off: the managers hear of it once (or, when the first try failed to write the
        e-mails, not at all; the integrations page still shows why it is off)."""
        answer = await self._internal.DisableWebhook(internal.DisableWebhookRequest(
            webhook=disable.webhook, reason=disable.reason), metadata=self._metadata,
            timeout=10)
        if answer.disabled and self._managers is not None:
            info = activity.info()
            await self._managers.webhook_off(f"{info.workflow_id}/{info.activity_id}",
                                             answer.display_name, answer.url, disable.reason)

    async def close(self) -> None:
        await self._http.aclose()
