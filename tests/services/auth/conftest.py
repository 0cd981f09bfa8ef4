"""A real auth server on a throwaway database, reached through a real gRPC channel.

Every test runs against SQLite and against PostgreSQL (see tests/support/postgres.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import grpc
import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from services.auth.models import LoginAttempt
from services.auth.policy import DEFAULT_POLICY, AuthPolicy
from services.auth.server import build
from services.common.client.channels import bearer
from services.common.platform.config import Settings
from services.common.server.serve import RunningServer, start_server
from tests.support import postgres
from ticketdesk.auth.v1 import auth_pb2 as pb
from ticketdesk.auth.v1 import auth_internal_pb2_grpc, auth_pb2_grpc

SERVICE_TOKEN = "test-service-token-" + uuid.uuid4().hex


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
async def database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('auth') / 'auth.db'}"
        return
    url = await postgres.fresh_database_or_skip("ticketdesk_auth_test")
    yield url
    await postgres.drop_database(url)


@pytest.fixture(scope="session")
async def db(database_url) -> AsyncEngine:
    """Direct access to the service's database, for looking at what it stores."""
    engine = create_async_engine(database_url)
    yield engine
    await engine.dispose()


class Auth:
    """A running auth server plus the helpers tests use to set up accounts."""

    def __init__(self, running: RunningServer, channel: grpc.aio.Channel):
        self.running, self.channel = running, channel
        self.stub = auth_pb2_grpc.AuthServiceStub(channel)
        self.internal = auth_internal_pb2_grpc.AuthInternalServiceStub(channel)
        self.service = bearer(SERVICE_TOKEN)

    @staticmethod
    def as_(token: str):
        return bearer(token)

    async def organization(self, display_name: str = "") -> pb.Organization:
        display_name = display_name or f"Org {uuid.uuid4().hex[:6]}"
        return await self.stub.CreateOrganization(pb.CreateOrganizationRequest(
            organization=pb.Organization(display_name=display_name)), metadata=self.service)

    async def user(self, role=pb.ROLE_CLIENT, organization: str = "", password: str = "",
                   full_name: str = "") -> tuple[pb.User, str]:
        """A new account with a unique e-mail; returns it and its password."""
        email = f"u{uuid.uuid4().hex[:10]}@example.com"
        answer = await self.stub.CreateUser(pb.CreateUserRequest(
            user=pb.User(email=email, full_name=full_name or f"User {email[:6]}", role=role,
                         organization=organization, phone="+7 900 000-00-00"),
            initial_password=password or f"pw-{uuid.uuid4().hex}"), metadata=self.service)
        return answer.user, answer.initial_password

    async def login(self, email: str, password: str) -> str:
        answer = await self.stub.Login(pb.LoginRequest(email=email, password=password))
        return answer.session_token

    async def client(self, organization: str = "") -> tuple[pb.User, str, str]:
        """A logged-in client: (user, password, session token)."""
        organization = organization or (await self.organization()).name
        user, password = await self.user(pb.ROLE_CLIENT, organization)
        return user, password, await self.login(user.email, password)

    async def staff(self, role=pb.ROLE_MANAGER) -> tuple[pb.User, str]:
        """A logged-in staff member: (user, session token)."""
        user, password = await self.user(role)
        return user, await self.login(user.email, password)


@pytest.fixture
async def start_auth(database_url, db, tmp_path) -> Callable[..., Awaitable[Auth]]:
    started: list[Auth] = []

    async def start(policy: AuthPolicy = DEFAULT_POLICY) -> Auth:
        settings = Settings(data_dir=tmp_path, auth_database_url=database_url,
                            service_token=SERVICE_TOKEN, reflection=False)
        running = await start_server(await build(settings, policy), settings, port=0,
                                     host="127.0.0.1")
        auth = Auth(running, grpc.aio.insecure_channel(f"127.0.0.1:{running.port}"))
        started.append(auth)
        return auth

    yield start
    for auth in started:
        await auth.channel.close()
        await auth.running.stop(grace=1)
    async with db.begin() as connection:  # throttling state must not leak between tests
        await connection.execute(delete(LoginAttempt))


@pytest.fixture
async def auth(start_auth) -> Auth:
    return await start_auth()
