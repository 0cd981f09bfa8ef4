"""Assembles the auth service: database, migrations, servicers, local token resolution."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import grpc

from services.auth.policy import DEFAULT_POLICY, AuthPolicy
from services.auth.servicer import AuthInternalServicer, AuthServicer
from services.auth.usecases import sessions
from services.auth.usecases.context import Context
from services.common.platform.config import Settings
from services.common.server.database import create_engine, prepare, sessionmaker
from services.common.server.serve import Service
from ticketdesk.auth.v1 import auth_internal_pb2_grpc, auth_pb2_grpc

NAME = "ticketdesk.auth.v1.AuthService"
INTERNAL_NAME = "ticketdesk.auth.v1.AuthInternalService"
MIGRATIONS = Path(__file__).parent / "migrations"
PUBLIC_METHODS = frozenset({f"/{NAME}/Login"})


async def build(settings: Settings, policy: AuthPolicy = DEFAULT_POLICY) -> Service:
    engine = create_engine(settings.database_url("auth"))
    await prepare(engine, MIGRATIONS, settings.migrate_on_start)
    ctx = Context(sessionmaker(engine), policy, settings.service_token.get_secret_value())

    def register(server: grpc.aio.Server) -> None:
        auth_pb2_grpc.add_AuthServiceServicer_to_server(AuthServicer(ctx), server)
        auth_internal_pb2_grpc.add_AuthInternalServiceServicer_to_server(
            AuthInternalServicer(ctx), server)

    return Service(name=NAME, register=register, resolver=partial(sessions.resolve, ctx),
                   public_methods=PUBLIC_METHODS, internal_names=frozenset({INTERNAL_NAME}),
                   on_stop=[engine.dispose])
