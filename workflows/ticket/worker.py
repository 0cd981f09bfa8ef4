"""The Temporal worker of the `tickets` task queue: `python -m workflows.ticket.worker`."""

from __future__ import annotations

import asyncio
import signal

import grpc
import structlog
from temporalio.client import Client
from temporalio.worker import Worker

from services.common.config import Settings, load_settings
from services.common.logs import configure_logging
from ticketdesk.tickets.v1 import tickets_pb2_grpc
from workflows.ticket.activities import TicketActivities
from workflows.ticket.workflows import TicketWorkflow

log = structlog.get_logger()


def build_worker(client: Client, settings: Settings, channel: grpc.aio.Channel) -> Worker:
    activities = TicketActivities(tickets_pb2_grpc.TicketServiceStub(channel),
                                  settings.service_token.get_secret_value())
    return Worker(client, task_queue=settings.task_queue, workflows=[TicketWorkflow],
                  activities=[activities.record_transition])


async def run(settings: Settings) -> None:
    client = await Client.connect(settings.temporal_target, namespace=settings.temporal_namespace)
    async with grpc.aio.insecure_channel(settings.tickets_target) as channel:
        worker = build_worker(client, settings, channel)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        async with worker:
            log.info("worker.started", task_queue=settings.task_queue)
            await stop.wait()
            log.info("worker.stopping")


def main() -> None:
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format, process="worker")
    asyncio.run(run(settings))


if __name__ == "__main__":
    main()
