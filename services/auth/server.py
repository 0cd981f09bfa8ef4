"""Assembles the auth service: database, migrations, servicer, local token resolution."""

from __future__ import annotations

from pathlib import Path

import grpc

from services.auth.policy import DEFAULT_POLICY, AuthPolicy
from services.auth.service import AuthServicer
from services.common.platform.config import Settings
from services.common.server.database import create_engine, prepare, sessionmaker
from services.common.server.serve import Service
from ticketdesk.auth.v1 import auth_pb2_grpc

NAME = "ticketdesk.auth.v1.AuthService"
MIGRATIONS = Path(__file__).parent / "migrations"
PUBLIC_METHODS = frozenset({f"/{NAME}/Login"})


async def build(settings: Settings, policy: AuthPolicy = DEFAULT_POLICY) -> Service:
    engine = create_engine(settings.database_url("auth"))
    await prepare(engine, MIGRATIONS, settings.migrate_on_start)
    servicer = AuthServicer(sessionmaker(engine), policy,
                            settings.service_token.get_secret_value())

    def register(server: grpc.aio.Server) -> None:
        auth_pb2_grpc.add_AuthServiceServicer_to_server(servicer, server)

    return Service(name=NAME, register=register, resolver=servicer.resolve,
                   public_methods=PUBLIC_METHODS, on_stop=[engine.dispose])
