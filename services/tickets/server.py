"""Assembles the tickets service: database, Temporal client, auth, servicer."""

from __future__ import annotations

import asyncio
from pathlib import Path

from temporalio.client import Client

from services.common.server.authn import remote_resolver
from services.common.client.channels import channel
from services.common.platform.config import Settings
from services.common.server.database import create_engine, keep_statistics, prepare, sessionmaker
from services.common.server.serve import Service
from services.common.platform.temporal import connect as connect_temporal
from services.tickets.attachments import Attachments
from services.tickets.directory import Directory
from services.tickets.lifecycle import Lifecycle
from services.tickets.reconcile import reconcile_in_background
from services.tickets.service import TicketService
from ticketdesk.tickets.v1 import tickets_pb2_grpc

NAME = "ticketdesk.tickets.v1.TicketService"
MIGRATIONS = Path(__file__).parent / "migrations"


async def build(settings: Settings, temporal: Client | None = None) -> Service:
    """`temporal`: an already connected client (tests with time skipping pass theirs)."""
    engine = create_engine(settings.database_url("tickets"))
    await prepare(engine, MIGRATIONS, settings.migrate_on_start)
    temporal = temporal or await connect_temporal(settings)
    resolver, auth_channel = remote_resolver(settings)
    directory_channel = channel(settings.auth_target)
    service_token = settings.service_token.get_secret_value()
    attachments = Attachments(settings.files_target, service_token)
    sessions, lifecycle = sessionmaker(engine), Lifecycle(temporal, settings.task_queue)
    servicer = TicketService(sessions, lifecycle, Directory(directory_channel, service_token),
                             attachments, settings.timezone)

    loop = asyncio.get_running_loop()
    repair = loop.create_task(reconcile_in_background(sessions, lifecycle))
    statistics = loop.create_task(keep_statistics(engine))

    async def close() -> None:
        repair.cancel()
        statistics.cancel()
        await auth_channel.close()
        await directory_channel.close()
        await attachments.close()
        await engine.dispose()

    return Service(name=NAME,
                   register=lambda server: tickets_pb2_grpc.add_TicketServiceServicer_to_server(
                       servicer, server),
                   resolver=resolver, on_stop=[close])
