"""Every non-public RPC of every service refuses a call without a valid token.

The RPCs come from the service descriptors, the internal services' included, so a new
RPC is covered (and must be guarded) the day it is added. The tickets and files services
trust a resolved token for `auth_cache_seconds` (the stack sets 0; see
test_session_end.py for the bound).
"""

from __future__ import annotations

from datetime import timedelta

import grpc
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import create_async_engine

from services.auth import store
from services.auth.models import Session, utcnow
from services.auth.server import PUBLIC_METHODS
from services.common.client.channels import bearer
from tests.security.conftest import invoke
from ticketdesk.auth.v1 import auth_internal_pb2, auth_internal_pb2_grpc, auth_pb2
from ticketdesk.files.v1 import files_pb2
from ticketdesk.tickets.v1 import tickets_internal_pb2, tickets_internal_pb2_grpc, tickets_pb2

MODULES = {"auth": auth_pb2, "tickets": tickets_pb2, "files": files_pb2,
           "auth_internal": auth_internal_pb2, "tickets_internal": tickets_internal_pb2}
SERVICES = {"auth": "AuthService", "tickets": "TicketService", "files": "FileService",
            "auth_internal": "AuthInternalService", "tickets_internal": "TicketInternalService"}
GUARDED = [(service, method) for service, module in MODULES.items()
           for method in module.DESCRIPTOR.services_by_name[SERVICES[service]].methods
           if f"/{method.full_name.rsplit('.', 1)[0]}/{method.name}" not in PUBLIC_METHODS]


def a_request(service: str, method):
    """The least request of the right shape; the token check must come first anyway."""
    if method.client_streaming:  # UploadFile: one metadata message
        return [files_pb2.UploadFileRequest(metadata=files_pb2.UploadMetadata(
            ticket="tickets/1", display_name="a.txt"))]
    return getattr(MODULES[service], method.input_type.name)()


async def expire(stack, token: str) -> None:
    """Move a live session's absolute expiry into the past, as time would."""
    engine = create_async_engine(stack.settings.database_url("auth"))
    try:
        async with engine.begin() as connection:
            changed = await connection.execute(
                update(Session).where(Session.token_hash == store.token_hash(token))
                .values(expire_time=utcnow() - timedelta(seconds=1)))
        assert changed.rowcount == 1
    finally:
        await engine.dispose()


def stub_of(stack, service: str):
    if service == "auth_internal":
        return auth_internal_pb2_grpc.AuthInternalServiceStub(stack.clients.auth_channel)
    if service == "tickets_internal":
        return tickets_internal_pb2_grpc.TicketInternalServiceStub(stack.clients.tickets_channel)
    return getattr(stack.clients, service)


@pytest.fixture(scope="module")
async def bad_tokens(stack) -> dict[str, tuple]:
    """Call metadata that must not authenticate, each checked to have worked before."""
    who = auth_pb2.WhoAmIRequest()

    async def session() -> str:
        user = await stack.new_user(auth_pb2.ROLE_CLIENT, (await stack.new_organization()).name)
        metadata = await stack.login(user.email)
        await stack.clients.auth.WhoAmI(who, metadata=metadata)  # valid until ...
        return metadata[0][1].removeprefix("Bearer ")

    expired, logged_out = await session(), await session()
    await expire(stack, expired)
    await stack.clients.auth.Logout(auth_pb2.LogoutRequest(), metadata=bearer(logged_out))
    created = await stack.clients.auth.CreateApiToken(auth_pb2.CreateApiTokenRequest(
        api_token=auth_pb2.ApiToken(display_name="soon revoked", role=auth_pb2.ROLE_DEVELOPER)),
        metadata=stack.service)
    revoked_api = created.token
    await stack.clients.auth.WhoAmI(who, metadata=bearer(revoked_api))
    await stack.clients.auth.RevokeApiToken(auth_pb2.RevokeApiTokenRequest(
        name=created.api_token.name), metadata=stack.service)
    return {
        "no token": (),
        "empty bearer": (("authorization", "Bearer "),),
        "malformed": (("authorization", "Bearer not a token"),),
        "wrong scheme": (("authorization", f"Basic {expired}"),),
        "expired session": bearer(expired),
        "logged-out session": bearer(logged_out),
        "revoked API token": bearer(revoked_api),
    }


def test_only_login_is_public():
    assert PUBLIC_METHODS == {"/ticketdesk.auth.v1.AuthService/Login"}
    every_service = {f"{m.DESCRIPTOR.package}.{name}" for m in MODULES.values()
                     for name in m.DESCRIPTOR.services_by_name}
    assert every_service == {"ticketdesk.auth.v1.AuthService",
                             "ticketdesk.tickets.v1.TicketService",
                             "ticketdesk.files.v1.FileService",
                             "ticketdesk.auth.v1.AuthInternalService",
                             "ticketdesk.tickets.v1.TicketInternalService"}
    assert len(GUARDED) == sum(len(m.DESCRIPTOR.services_by_name[SERVICES[s]].methods)
                               for s, m in MODULES.items()) - 1


@pytest.mark.parametrize(("service", "method"), GUARDED,
                         ids=[f"{s}.{m.name}" for s, m in GUARDED])
async def test_rpc_refuses_a_missing_malformed_expired_or_revoked_token(stack, bad_tokens,
                                                                        service, method):
    stub = stub_of(stack, service)
    answers = {kind: (await invoke(stub, method, a_request(service, method), metadata))[0]
               for kind, metadata in bad_tokens.items()}
    assert answers == {kind: grpc.StatusCode.UNAUTHENTICATED for kind in bad_tokens}
