"""AuthInternalService: only TicketDesk's own processes may resolve tokens."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import grpc
from sqlalchemy import select

from services.auth.models import Session
from services.auth.policy import AuthPolicy
from tests.services.auth.conftest import SERVICE_TOKEN
from tests.support.rpc import reason, rpc_error
from ticketdesk.auth.v1 import auth_pb2 as pb
from ticketdesk.auth.v1.auth_internal_pb2 import AuthenticateRequest

UNAUTHENTICATED = grpc.StatusCode.UNAUTHENTICATED


async def test_every_token_but_the_service_token_is_refused(auth):
    user, _, client_token = await auth.client()
    _, developer_token = await auth.staff(pb.ROLE_DEVELOPER)
    _, manager_token = await auth.staff(pb.ROLE_MANAGER)
    api = await auth.stub.CreateApiToken(pb.CreateApiTokenRequest(api_token=pb.ApiToken(
        display_name="integration", role=pb.ROLE_MANAGER)), metadata=auth.service)
    for caller in (client_token, developer_token, manager_token, api.token):
        error = await rpc_error(auth.internal.Authenticate(
            AuthenticateRequest(token=client_token), metadata=auth.as_(caller)),
            grpc.StatusCode.PERMISSION_DENIED)
        assert reason(error) == "SERVICE_ONLY"
    principal = await auth.internal.Authenticate(AuthenticateRequest(token=client_token),
                                                 metadata=auth.service)
    assert principal.subject == user.name
    await rpc_error(auth.internal.Authenticate(AuthenticateRequest(token=client_token)),
                    UNAUTHENTICATED)


async def test_the_service_token_resolves_sessions_and_touches_them(start_auth, db):
    auth = await start_auth(AuthPolicy(touch_interval=timedelta(0)))
    user, _, token = await auth.client()
    async with db.connect() as connection:
        before = (await connection.execute(select(Session.last_use_time))).scalars().all()
    await asyncio.sleep(0.05)
    principal = await auth.internal.Authenticate(AuthenticateRequest(token=token),
                                                 metadata=auth.service)
    assert (principal.subject, principal.role, principal.organization, principal.email) == (
        user.name, pb.ROLE_CLIENT, user.organization, user.email)
    async with db.connect() as connection:
        after = (await connection.execute(select(Session.last_use_time))).scalars().all()
    assert max(after) > max(before)
    for bad in ("", "not-a-token", token + "x"):
        await rpc_error(auth.internal.Authenticate(AuthenticateRequest(token=bad),
                                                   metadata=auth.service), UNAUTHENTICATED)
    await auth.stub.Logout(pb.LogoutRequest(), metadata=auth.as_(token))
    await rpc_error(auth.internal.Authenticate(AuthenticateRequest(token=token),
                                               metadata=auth.service), UNAUTHENTICATED)


async def test_the_service_token_stands_for_the_service(auth):
    principal = await auth.internal.Authenticate(AuthenticateRequest(token=SERVICE_TOKEN),
                                                 metadata=auth.service)
    assert principal.role == pb.ROLE_SERVICE

