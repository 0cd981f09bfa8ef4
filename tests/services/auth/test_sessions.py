"""Logout, password changes, deactivation, sessions and API tokens."""

from __future__ import annotations

import grpc
from sqlalchemy import select

from services.auth.models import ApiToken
from tests.support.rpc import field_params, field_reasons, reason, rpc_error
from ticketdesk.auth.v1 import auth_pb2 as pb
from ticketdesk.auth.v1.auth_internal_pb2 import AuthenticateRequest

UNAUTHENTICATED = grpc.StatusCode.UNAUTHENTICATED
WHO = pb.WhoAmIRequest()


async def test_logout_ends_only_that_session(auth):
    user, password = await auth.user(pb.ROLE_DEVELOPER)
    first, second = await auth.login(user.email, password), await auth.login(user.email, password)
    await auth.stub.Logout(pb.LogoutRequest(), metadata=auth.as_(first))
    await rpc_error(auth.stub.WhoAmI(WHO, metadata=auth.as_(first)), UNAUTHENTICATED)
    await auth.stub.WhoAmI(WHO, metadata=auth.as_(second))


async def test_change_password_ends_every_older_session(auth):
    user, password = await auth.user(pb.ROLE_CLIENT, (await auth.organization()).name)
    assert not user.password_change_required  # given explicitly by the service
    current, other = await auth.login(user.email, password), await auth.login(user.email, password)
    answer = await auth.stub.ChangePassword(pb.ChangePasswordRequest(
        current_password=password, new_password="a brand new passphrase"),
        metadata=auth.as_(current))
    for old in (current, other):
        await rpc_error(auth.stub.WhoAmI(WHO, metadata=auth.as_(old)), UNAUTHENTICATED)
    me = await auth.stub.WhoAmI(WHO, metadata=auth.as_(answer.session_token))
    assert me.user.name == user.name
    await rpc_error(auth.stub.Login(pb.LoginRequest(email=user.email, password=password)),
                    UNAUTHENTICATED)
    assert await auth.login(user.email, "a brand new passphrase")


async def test_change_password_checks_the_current_and_the_new_one(auth):
    user, password = await auth.user(pb.ROLE_DEVELOPER)
    token = await auth.login(user.email, password)
    cases = [(password, "short", ("new_password", "TOO_SHORT")),
             (password, "Password123", ("new_password", "PASSWORD_TOO_COMMON")),
             (password, "qwertyuiop", ("new_password", "PASSWORD_TOO_COMMON")),
             (password, user.email.split("@")[0], ("new_password", "PASSWORD_IS_EMAIL")),
             (password, "x" * 257, ("new_password", "TOO_LONG")),
             ("wrong current", "a fine new passphrase", ("current_password", "PASSWORD_WRONG"))]
    for current, new, expected in cases:
        error = await rpc_error(auth.stub.ChangePassword(pb.ChangePasswordRequest(
            current_password=current, new_password=new), metadata=auth.as_(token)),
            grpc.StatusCode.INVALID_ARGUMENT)
        assert field_reasons(error) == [expected], new
    short = await rpc_error(auth.stub.ChangePassword(pb.ChangePasswordRequest(
        current_password=password, new_password="short"), metadata=auth.as_(token)))
    assert field_params(short, "new_password") == {"minLength": "8"}
    await auth.stub.WhoAmI(WHO, metadata=auth.as_(token))  # nothing was revoked


async def test_a_generated_password_must_be_changed(auth):
    manager, manager_token = await auth.staff()
    created = await auth.stub.CreateUser(pb.CreateUserRequest(user=pb.User(
        email="generated-" + manager.name[-8:] + "@example.com", full_name="Gen",
        role=pb.ROLE_DEVELOPER)), metadata=auth.as_(manager_token))
    assert created.user.password_change_required and len(created.initial_password) >= 16
    token = await auth.login(created.user.email, created.initial_password)
    answer = await auth.stub.ChangePassword(pb.ChangePasswordRequest(
        current_password=created.initial_password, new_password="my own passphrase"),
        metadata=auth.as_(token))
    me = await auth.stub.WhoAmI(WHO, metadata=auth.as_(answer.session_token))
    assert not me.user.password_change_required


async def test_deactivation_ends_sessions_and_logins(auth):
    _, manager_token = await auth.staff()
    user, password, token = await auth.client()
    deactivated = await auth.stub.DeactivateUser(pb.DeactivateUserRequest(name=user.name),
                                                 metadata=auth.as_(manager_token))
    assert not deactivated.active
    await rpc_error(auth.stub.WhoAmI(WHO, metadata=auth.as_(token)), UNAUTHENTICATED)
    await rpc_error(auth.stub.Login(pb.LoginRequest(email=user.email, password=password)),
                    UNAUTHENTICATED)


async def test_a_manager_cannot_deactivate_themselves(auth):
    manager, token = await auth.staff()
    error = await rpc_error(auth.stub.DeactivateUser(
        pb.DeactivateUserRequest(name=manager.name), metadata=auth.as_(token)),
        grpc.StatusCode.FAILED_PRECONDITION)
    assert reason(error) == "SELF_DEACTIVATION"


async def test_only_managers_deactivate_and_reset(auth):
    _, developer_token = await auth.staff(pb.ROLE_DEVELOPER)
    user, _, client_token = await auth.client()
    for token in (developer_token, client_token):
        for call in (auth.stub.DeactivateUser(pb.DeactivateUserRequest(name=user.name),
                                              metadata=auth.as_(token)),
                     auth.stub.ResetPassword(pb.ResetPasswordRequest(name=user.name),
                                             metadata=auth.as_(token))):
            await rpc_error(call, grpc.StatusCode.PERMISSION_DENIED)


async def test_reset_password_ends_sessions_and_requires_a_change(auth):
    _, manager_token = await auth.staff()
    user, password, token = await auth.client()
    answer = await auth.stub.ResetPassword(pb.ResetPasswordRequest(name=user.name),
                                           metadata=auth.as_(manager_token))
    await rpc_error(auth.stub.WhoAmI(WHO, metadata=auth.as_(token)), UNAUTHENTICATED)
    await rpc_error(auth.stub.Login(pb.LoginRequest(email=user.email, password=password)),
                    UNAUTHENTICATED)
    login = await auth.stub.Login(pb.LoginRequest(email=user.email, password=answer.new_password))
    assert login.user.password_change_required


async def test_sessions_can_be_listed_and_revoked(auth):
    user, password = await auth.user(pb.ROLE_DEVELOPER)
    first, second = await auth.login(user.email, password), await auth.login(user.email, password)
    listed = await auth.stub.ListSessions(pb.ListSessionsRequest(parent=user.name),
                                          metadata=auth.as_(first))
    assert len(listed.sessions) == 2
    assert all(s.name.startswith(user.name + "/sessions/") for s in listed.sessions)
    _, other_token = await auth.staff(pb.ROLE_DEVELOPER)
    await rpc_error(auth.stub.ListSessions(pb.ListSessionsRequest(parent=user.name),
                                           metadata=auth.as_(other_token)),
                    grpc.StatusCode.PERMISSION_DENIED)
    for session in listed.sessions:
        await auth.stub.RevokeSession(pb.RevokeSessionRequest(name=session.name),
                                      metadata=auth.service)
    for token in (first, second):
        await rpc_error(auth.stub.WhoAmI(WHO, metadata=auth.as_(token)), UNAUTHENTICATED)


async def test_api_tokens_resolve_until_revoked(auth, db):
    _, manager_token = await auth.staff()
    org = await auth.organization()
    created = await auth.stub.CreateApiToken(pb.CreateApiTokenRequest(api_token=pb.ApiToken(
        display_name="CRM sync", role=pb.ROLE_CLIENT, organization=org.name)),
        metadata=auth.as_(manager_token))
    assert created.api_token.name.startswith("apiTokens/") and created.token
    me = await auth.stub.WhoAmI(WHO, metadata=auth.as_(created.token))
    assert (me.principal.subject, me.principal.role, me.principal.organization) == (
        created.api_token.name, pb.ROLE_CLIENT, org.name)
    assert not me.HasField("user")
    principal = await auth.internal.Authenticate(
        AuthenticateRequest(token=created.token), metadata=auth.service)
    assert principal.subject == created.api_token.name
    listed = await auth.stub.ListApiTokens(pb.ListApiTokensRequest(page_size=200),
                                           metadata=auth.as_(manager_token))
    assert created.api_token.name in [t.name for t in listed.api_tokens]
    revoked = await auth.stub.RevokeApiToken(pb.RevokeApiTokenRequest(name=created.api_token.name),
                                             metadata=auth.as_(manager_token))
    assert revoked.revoked
    await rpc_error(auth.stub.WhoAmI(WHO, metadata=auth.as_(created.token)), UNAUTHENTICATED)
    async with db.connect() as connection:
        hashes = (await connection.execute(select(ApiToken.token_hash))).scalars().all()
    assert created.token not in hashes


async def test_api_tokens_cannot_log_out_or_change_passwords(auth):
    created = await auth.stub.CreateApiToken(pb.CreateApiTokenRequest(api_token=pb.ApiToken(
        display_name="bot", role=pb.ROLE_DEVELOPER)), metadata=auth.service)
    error = await rpc_error(auth.stub.ChangePassword(pb.ChangePasswordRequest(
        current_password="x", new_password="y" * 12), metadata=auth.as_(created.token)),
        grpc.StatusCode.FAILED_PRECONDITION)
    assert reason(error) == "NOT_A_USER"
    await auth.stub.Logout(pb.LogoutRequest(), metadata=auth.as_(created.token))
    await auth.stub.WhoAmI(WHO, metadata=auth.as_(created.token))
