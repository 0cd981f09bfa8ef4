"""The Temporal worker of the `tickets` task queue: `python -m workflows.ticket.worker`."""

from __future__ import annotations

import asyncio
import signal
from datetime import timedelta

import grpc
import structlog
from temporalio.client import Client
from temporalio.worker import Worker

from services.common.client.channels import channel
from services.common.platform.config import Settings, load_settings
from services.common.platform.logs import configure_logging
from services.common.platform import tracing
from services.common.platform.metrics import start_metrics_server
from services.common.platform.temporal import connect as connect_temporal
from services.common.platform.temporal import sdk_metrics_runtime
from ticketdesk.auth.v1 import auth_pb2_grpc
from ticketdesk.tickets.v1 import tickets_internal_pb2_grpc, tickets_pb2_grpc
from workflows.notify.activities import NotifyActivities
from workflows.notify.dispatcher import NoticeDispatcher
from workflows.notify.inbox import TicketInbox
from workflows.notify.mailer import mailer_from_settings
from workflows.ticket.activities import TicketActivities
from workflows.ticket.workflows import TicketWorkflow
from workflows.webhooks.activities import WebhookActivities
from workflows.webhooks.notice import Managers
from workflows.webhooks.workflows import WebhookWorkflow

log = structlog.get_logger()


class TicketWorker:
    """The Temporal worker of the tickets task queue and the notices dispatcher, which
    run and stop together."""

    def __init__(self, worker: Worker, dispatcher: NoticeDispatcher,
                 webhooks: WebhookActivities):
        self.worker, self.dispatcher, self.webhooks = worker, dispatcher, webhooks

    async def run(self) -> None:
        async with asyncio.TaskGroup() as group:
            group.create_task(self.worker.run())
            group.create_task(self.dispatcher.run())

    async def shutdown(self) -> None:
        self.dispatcher.stop()
        await self.worker.shutdown()
        await self.webhooks.close()


def build_worker(client: Client, settings: Settings, tickets_channel: grpc.aio.Channel,
                 auth_channel: grpc.aio.Channel) -> TicketWorker:
    tickets = tickets_pb2_grpc.TicketServiceStub(tickets_channel)
    # The writes (transitions, SLA events, the bell): the service token's calls only.
    internal = tickets_internal_pb2_grpc.TicketInternalServiceStub(tickets_channel)
    auth = auth_pb2_grpc.AuthServiceStub(auth_channel)
    token = settings.service_token.get_secret_value()
    ticket = TicketActivities(tickets, internal, auth, token)
    notify = NotifyActivities.from_settings(settings, auth, tickets, TicketInbox(internal, token))
    webhooks = WebhookActivities(internal, token, Managers.from_settings(
        settings, auth, mailer_from_settings(settings)))
    worker = Worker(client, task_queue=settings.task_queue,
                    workflows=[TicketWorkflow, WebhookWorkflow],
                    activities=[ticket.record_transition, ticket.record_sla,
                                ticket.record_notices, ticket.load_policy, notify.notify,
                                webhooks.poll, webhooks.deliver, webhooks.disable],
                    # A crashed worker's tickets move to another worker within seconds.
                    sticky_queue_schedule_to_start_timeout=timedelta(seconds=3),
                    graceful_shutdown_timeout=timedelta(seconds=5))
    dispatcher = NoticeDispatcher(internal, token, notify,
                                  gather=timedelta(seconds=settings.notice_gather_seconds))
    return TicketWorker(worker, dispatcher, webhooks)


async def run(settings: Settings) -> None:
    # The SDK's metrics (polls, task latencies, slots...) and /healthz, /readyz on
    # TICKETDESK_WORKER_METRICS_PORT; ready while the worker polls its task queue.
    runtime, sdk_metrics = sdk_metrics_runtime() if settings.worker_metrics_port else (None, None)
    polling = asyncio.Event()
    http = await start_metrics_server(settings.metrics_host or settings.host,
                                      settings.worker_metrics_port, polling.is_set, sdk_metrics)
    try:
        # With tracing on, the client carries temporalio's OpenTelemetryPlugin and the
        # worker takes it from the client (temporalio applies a client's plugins itself).
        client = await connect_temporal(settings, runtime)
        async with (channel(settings.tickets_target) as tickets,
                    channel(settings.auth_target) as auth):
            worker = build_worker(client, settings, tickets, auth)
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            running = asyncio.create_task(worker.run())
            polling.set()
            log.info("worker.started", task_queue=settings.task_queue)
            await asyncio.wait({running, asyncio.ensure_future(stop.wait())},
                               return_when=asyncio.FIRST_COMPLETED)
            polling.clear()
            log.info("worker.stopping")
            if not running.done():  # else it failed: its error is raised below
                await worker.shutdown()
            await running
    finally:
        if http is not None:
            await http.stop()
        tracing.shutdown_tracing()


def main() -> None:
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format, process="worker")
    tracing.configure_tracing(settings, "ticketdesk-worker")
    asyncio.run(run(settings))


if __name__ == "__main__":
    main()
