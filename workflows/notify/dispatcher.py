"""The notices dispatcher: takes the tickets service's outbox of notices in batches, for a
lease, and sends them (`NotifyActivities.send`); then completes them.

A notice whose sending failed for a reason that may pass (a service or the mail server
away) is not completed: it comes back when its lease ends, which spaces the retries. One
that can never be sent (an unknown kind, a ticket gone), or that has failed
`max_attempts` times, is completed with a log line. Sending twice is harmless: the bell
keeps one row per event and recipient, and an e-mail sent again has the same Message-ID.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import grpc
import structlog
from google.protobuf.duration_pb2 import Duration
from temporalio.exceptions import ApplicationError

from services.common.client.channels import bearer
from ticketdesk.tickets.v1 import tickets_internal_pb2 as internal
from ticketdesk.tickets.v1 import tickets_internal_pb2_grpc
from workflows.notify.activities import NotifyActivities
from workflows.notify.outbox import from_proto

log = structlog.get_logger()

BATCH = 100
# Longer than a batch can take (the SMTP timeout is 30 s): a notice is claimed twice only
# when its dispatcher is gone.
LEASE = timedelta(seconds=60)
WAIT = timedelta(seconds=20)
PAUSE_AFTER_ERROR = 1.0


class NoticeDispatcher:
    def __init__(self, outbox: tickets_internal_pb2_grpc.TicketInternalServiceStub,
                 service_token: str, notifier: NotifyActivities, *,
                 gather: timedelta = timedelta(milliseconds=200), max_attempts: int = 50):
        self._outbox, self._notifier = outbox, notifier
        self._metadata = bearer(service_token)
        self._gather, self._max_attempts = gather, max_attempts
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        """Until stop(): claim, send, complete; a batch under way is finished first."""
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            while not self._stopping.is_set():
                claim = asyncio.ensure_future(self._claim())
                await asyncio.wait({claim, stopping}, return_when=asyncio.FIRST_COMPLETED)
                if not claim.done():
                    claim.cancel()  # its notices, if any were taken, return after the lease
                    break
                try:
                    claimed = claim.result()
                except grpc.aio.AioRpcError as error:
                    log.warning("notices.claim_failed", code=error.code().name,
                                error=error.details())
                    await asyncio.sleep(PAUSE_AFTER_ERROR)
                    continue
                if claimed:
                    await self.dispatch(claimed)
        finally:
            stopping.cancel()

    def stop(self) -> None:
        self._stopping.set()

    async def dispatch(self, claimed: list[internal.ClaimedNotice]) -> None:
        outcomes = await self._notifier.send([
            (from_proto(c.notice), c.ticket if c.HasField("ticket") else None)
            for c in claimed])
        done = [c.name for c, outcome in zip(claimed, outcomes, strict=True)
                if self._finished(c, outcome)]
        if done:
            try:
                await self._outbox.CompleteNotices(internal.CompleteNoticesRequest(names=done),
                                                   metadata=self._metadata, timeout=20)
            except grpc.aio.AioRpcError as error:  # sent again after the lease: harmless
                log.warning("notices.complete_failed", code=error.code().name)

    def _finished(self, claimed: internal.ClaimedNotice, outcome: int | BaseException) -> bool:
        if not isinstance(outcome, BaseException):
            return True
        event = dict(event_id=claimed.notice.event_id, kind=claimed.notice.kind,
                     ticket=claimed.notice.ticket, attempts=claimed.attempts,
                     error=str(outcome) or type(outcome).__name__)
        if isinstance(outcome, ApplicationError) and outcome.non_retryable:
            log.warning("notices.unsendable", **event)
            return True
        if claimed.attempts >= self._max_attempts:
            log.error("notices.given_up", **event)
            return True
        log.warning("notices.retry_later", **event)
        return False

    async def _claim(self) -> list[internal.ClaimedNotice]:
        request = internal.ClaimNoticesRequest(max_notices=BATCH, lease=_duration(LEASE),
                                               wait=_duration(WAIT),
                                               gather=_duration(self._gather))
        answer = await self._outbox.ClaimNotices(request, metadata=self._metadata,
                                                 timeout=WAIT.total_seconds() + 20)
        return list(answer.notices)


def _duration(span: timedelta) -> Duration:
    duration = Duration()
    duration.FromTimedelta(span)
    return duration
