"""A files server in-process with a stand-in TicketService (no Temporal needed).

The stand-in answers GetTicket, GetComment and ListComments with TicketService's rules:
a client sees only its organization's tickets and only public comments. The
files server reaches it through its real gRPC client, forwarding the caller's
token, exactly as in production. The whole real stack is `stack` (tests/conftest.py).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import grpc
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from services.common.client.channels import CHANNEL_OPTIONS
from services.common.platform.config import Settings
from services.common.server.errors import not_found
from services.common.server.principal import Principal, Role, caller
from services.common.server.serve import RunningServer, Service, start_server
from services.files.models import FileRecord
from services.files.server import build
from ticketdesk.files.v1 import files_pb2_grpc
from ticketdesk.tickets.v1 import tickets_pb2, tickets_pb2_grpc

LIMIT = 3 * 1024 * 1024

PRINCIPALS = {
    "client-a": Principal("users/ca", Role.CLIENT, organization="organizations/a"),
    "client-a2": Principal("users/ca2", Role.CLIENT, organization="organizations/a"),
    "client-b": Principal("users/cb", Role.CLIENT, organization="organizations/b"),
    "developer": Principal("users/dev", Role.DEVELOPER),
}
TICKETS = {"tickets/1": "organizations/a", "tickets/2": "organizations/b"}
# comment name -> internal?
COMMENTS = {"tickets/1/comments/pub": False, "tickets/1/comments/note": True}


async def resolve(token: str) -> Principal | None:
    return PRINCIPALS.get(token)


class FakeTickets(tickets_pb2_grpc.TicketServiceServicer):
    def __init__(self):
        self.calls: list[tuple[str, str]] = []

    def _ticket(self, name: str) -> str:
        organization = TICKETS.get(name)
        if organization is None or not caller().can_see_organization(organization):
            raise not_found("ticket")
        return organization

    async def GetTicket(self, request, context):
        self.calls.append(("GetTicket", caller().subject))
        organization = self._ticket(request.name)
        return tickets_pb2.Ticket(name=request.name, organization=organization)

    async def GetComment(self, request, context):
        self.calls.append(("GetComment", caller().subject))
        ticket = request.name.partition("/comments/")[0]
        self._ticket(ticket)
        if request.name not in COMMENTS or (COMMENTS[request.name] and not caller().is_staff):
            raise not_found("comment")
        return tickets_pb2.Comment(name=request.name)

    async def ListComments(self, request, context):
        self.calls.append(("ListComments", caller().subject))
        self._ticket(request.parent)
        return tickets_pb2.ListCommentsResponse(comments=[
            tickets_pb2.Comment(name=name) for name, internal in COMMENTS.items()
            if name.startswith(request.parent + "/") and (caller().is_staff or not internal)])


@dataclass
class FilesEnv:
    settings: Settings
    files: files_pb2_grpc.FileServiceStub
    tickets: FakeTickets

    async def row_count(self) -> int:
        engine = create_async_engine(self.settings.database_url("files"))
        try:
            async with engine.connect() as connection:
                return (await connection.execute(select(func.count(FileRecord.id)))).scalar_one()
        finally:
            await engine.dispose()

    def stored_files(self) -> list[str]:
        root = self.settings.file_store_dir
        return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
async def files_env(tmp_path_factory):
    tickets = FakeTickets()
    base = Settings(data_dir=tmp_path_factory.mktemp("files"),
                    service_token=secrets.token_urlsafe(16), reflection=False)
    fake = await start_server(Service(
        name="ticketdesk.tickets.v1.TicketService", resolver=resolve,
        register=lambda server: tickets_pb2_grpc.add_TicketServiceServicer_to_server(
            tickets, server)), base, port=0)
    settings = base.model_copy(update={"tickets_address": f"127.0.0.1:{fake.port}",
                                       "max_upload_bytes": LIMIT})
    running: RunningServer = await start_server(await build(settings, resolver=resolve),
                                                settings, port=0)
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{running.port}", options=CHANNEL_OPTIONS)
    yield FilesEnv(settings, files_pb2_grpc.FileServiceStub(channel), tickets)
    await channel.close()
    await running.stop(grace=1)
    await fake.stop(grace=1)
