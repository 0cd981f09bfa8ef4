"""Assembles the tickets service: database, Temporal client, auth, servicer."""

from __future__ import annotations

from pathlib import Path

import grpc
from temporalio.client import Client

from services.common.authn import remote_resolver
from services.common.config import Settings
from services.common.db import create_engine, migrate, sessionmaker
from services.common.server import Service
from services.tickets.contacts import Contacts
from services.tickets.lifecycle import Lifecycle
from services.tickets.service import TicketService
from ticketdesk.tickets.v1 import tickets_pb2_grpc

NAME = "ticketdesk.tickets.v1.TicketService"
MIGRATIONS = Path(__file__).parent / "migrations"


async def build(settings: Settings) -> Service:
    engine = create_engine(settings.database_url("tickets"))
    await migrate(engine, MIGRATIONS)
    temporal = await Client.connect(settings.temporal_target,
                                    namespace=settings.temporal_namespace)
    resolver, auth_channel = remote_resolver(settings)
    contacts_channel = grpc.aio.insecure_channel(settings.auth_target)
    servicer = TicketService(
        sessionmaker(engine), Lifecycle(temporal, settings.task_queue),
        Contacts(contacts_channel, settings.service_token.get_secret_value()),
        settings.timezone)

    async def close() -> None:
        await auth_channel.close()
        await contacts_channel.close()
        await engine.dispose()

    return Service(name=NAME,
                   register=lambda server: tickets_pb2_grpc.add_TicketServiceServicer_to_server(
                       servicer, server),
                   resolver=resolver, on_stop=[close])
