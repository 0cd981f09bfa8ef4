"""Assembles the files service: database, storage, the tickets service, servicer."""

from __future__ import annotations

from pathlib import Path

import grpc
import structlog

from services.common.server.authn import remote_resolver
from services.common.platform.config import Settings
from services.common.server.database import create_engine, prepare, sessionmaker
from services.common.server.interceptor import Resolver
from services.common.server.serve import Service
from services.files.gateways.storage import FileStore, LocalFileStore, store_from_settings
from services.files.gateways.tickets import RemoteTicketAccess, TicketAccess
from services.files.servicer import FileServicer
from services.files.usecases.context import Context
from ticketdesk.files.v1 import files_pb2_grpc

log = structlog.get_logger()

SERVICE_NAME = "ticketdesk.files.v1.FileService"
MIGRATIONS_DIR = Path(__file__).parent / "migrations"


async def build(settings: Settings, *, resolver: Resolver | None = None,
                tickets: TicketAccess | None = None, store: FileStore | None = None) -> Service:
    """The files service; the keyword arguments replace parts in tests."""
    engine = create_engine(settings.database_url("files"))
    await prepare(engine, MIGRATIONS_DIR, settings.migrate_on_start)
    store = store or store_from_settings(settings)
    if isinstance(store, LocalFileStore):
        removed = store.cleanup_temp()
        if removed:
            log.info("files.temp_cleaned", removed=removed)
    auth_channel: grpc.aio.Channel | None = None
    if resolver is None:
        resolver, auth_channel = remote_resolver(settings)
    tickets = tickets or RemoteTicketAccess(settings.tickets_target)
    servicer = FileServicer(Context(sessionmaker(engine), store, tickets,
                                    settings.max_upload_bytes))

    def register(server: grpc.aio.Server) -> None:
        files_pb2_grpc.add_FileServiceServicer_to_server(servicer, server)

    async def stop() -> None:
        await tickets.close()
        if auth_channel is not None:
            await auth_channel.close()
        await engine.dispose()

    return Service(name=SERVICE_NAME, register=register, resolver=resolver, on_stop=[stop])
