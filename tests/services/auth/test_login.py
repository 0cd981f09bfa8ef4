"""Login, its generic failure, throttling and session expiry."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import grpc
from sqlalchemy import select

from services.auth import passwords
from services.auth.models import AuditEntry
from services.auth.policy import AuthPolicy
from services.common.client.errors import problem_of
from tests.support.rpc import field_params, field_reasons, reason, rpc_error
from ticketdesk.auth.v1 import auth_pb2 as pb

UNAUTHENTICATED = grpc.StatusCode.UNAUTHENTICATED


async def test_login_returns_a_session_for_the_user(auth):
    client, password = await auth.user(pb.ROLE_CLIENT, (await auth.organization()).name)
    answer = await auth.stub.Login(pb.LoginRequest(email=client.email.upper(),
                                                   password=password))
    assert len(answer.session_token) >= 43  # 32 random bytes
    assert answer.user.name == client.name
    expires_in = answer.expire_time.ToDatetime().timestamp() - time.time()
    assert timedelta(days=7, minutes=-1) < timedelta(seconds=expires_in) <= timedelta(days=7)
    me = await auth.stub.WhoAmI(pb.WhoAmIRequest(), metadata=auth.as_(answer.session_token))
    assert me.principal.subject == client.name
    assert me.principal.role == pb.ROLE_CLIENT
    assert me.principal.organization == client.organization
    assert me.user.email == client.email


async def test_wrong_password_unknown_email_and_inactive_user_look_the_same(auth, db):
    client, password = await auth.user(pb.ROLE_CLIENT, (await auth.organization()).name)
    gone, gone_password = await auth.user(pb.ROLE_DEVELOPER)
    await auth.stub.DeactivateUser(pb.DeactivateUserRequest(name=gone.name), metadata=auth.service)
    attempts = [(client.email, "wrong password!"), ("nobody@example.com", password),
                (gone.email, gone_password)]
    errors = [await rpc_error(auth.stub.Login(pb.LoginRequest(email=e, password=p)),
                              UNAUTHENTICATED) for e, p in attempts]
    assert {(e.details(), reason(e)) for e in errors} == {
        ("invalid e-mail or password", "UNAUTHENTICATED")}
    async with db.connect() as connection:
        outcomes = (await connection.execute(
            select(AuditEntry.detail).where(AuditEntry.action == "login",
                                            AuditEntry.outcome == "failure"))).scalars().all()
    assert {"wrong_password", "unknown_email", "inactive"} <= set(outcomes)


async def test_an_unknown_email_still_verifies_a_password_hash(auth, monkeypatch):
    """Same work, hence same timing, for unknown e-mails as for wrong passwords."""
    checked: list[str] = []
    verify = passwords.verify_password

    async def spy(password_hash: str, password: str) -> bool:
        checked.append(password_hash)
        return await verify(password_hash, password)

    monkeypatch.setattr(passwords, "verify_password", spy)
    await rpc_error(auth.stub.Login(pb.LoginRequest(email="ghost@example.com",
                                                    password="not it at all")), UNAUTHENTICATED)
    assert checked == [passwords.DUMMY_HASH]
    assert passwords.DUMMY_HASH.startswith("$argon2id$")


async def test_login_needs_email_and_password(auth):
    error = await rpc_error(auth.stub.Login(pb.LoginRequest()), grpc.StatusCode.INVALID_ARGUMENT)
    assert field_reasons(error) == [("email", "REQUIRED"), ("password", "REQUIRED")]
    error = await rpc_error(auth.stub.Login(pb.LoginRequest(email="a@example.com",
                                                            password="x" * 257)),
                            grpc.StatusCode.INVALID_ARGUMENT)
    assert field_reasons(error) == [("password", "TOO_LONG")]
    assert field_params(error, "password") == {"maxLength": "256"}


async def test_five_failures_lock_the_account_for_a_while(start_auth, db):
    auth = await start_auth(AuthPolicy(lockout=timedelta(seconds=2)))
    client, password = await auth.user(pb.ROLE_CLIENT, (await auth.organization()).name)
    other, other_password = await auth.user(pb.ROLE_DEVELOPER)
    for _ in range(5):
        await rpc_error(auth.stub.Login(pb.LoginRequest(email=client.email,
                                                        password="guess-guess")), UNAUTHENTICATED)
    locked = await rpc_error(auth.stub.Login(pb.LoginRequest(email=client.email,
                                                             password=password)),
                             grpc.StatusCode.RESOURCE_EXHAUSTED)
    assert reason(locked) == "LOGIN_THROTTLED"
    assert 1 <= int(problem_of(locked).metadata["retryAfterSeconds"]) <= 2
    assert await auth.login(other.email, other_password)  # another account is not affected
    async with db.connect() as connection:
        actions = (await connection.execute(select(AuditEntry.action).where(
            AuditEntry.target == f"email:{client.email}"))).scalars().all()
    assert actions.count("login.lockout") == 1
    await asyncio.sleep(2.1)
    assert await auth.login(client.email, password)


async def test_unknown_emails_are_throttled_too(auth):
    for _ in range(5):
        await rpc_error(auth.stub.Login(pb.LoginRequest(email="x@example.com",
                                                        password="12345678")))
    error = await rpc_error(auth.stub.Login(pb.LoginRequest(email="X@example.com",
                                                            password="a-b-c-d-e")),
                            grpc.StatusCode.RESOURCE_EXHAUSTED)
    assert reason(error) == "LOGIN_THROTTLED"


async def test_a_success_resets_the_account_count(auth):
    client, password = await auth.user(pb.ROLE_DEVELOPER)
    for _ in range(4):
        await rpc_error(auth.stub.Login(pb.LoginRequest(email=client.email, password="nope-nope")))
    await auth.login(client.email, password)
    for _ in range(4):
        await rpc_error(auth.stub.Login(pb.LoginRequest(email=client.email, password="nope-nope")),
                        UNAUTHENTICATED)
    assert await auth.login(client.email, password)


async def test_many_failures_from_one_address_are_throttled(start_auth):
    auth = await start_auth(AuthPolicy(address_failures=3))
    client, password = await auth.user(pb.ROLE_DEVELOPER)
    for n in range(3):
        await rpc_error(auth.stub.Login(pb.LoginRequest(email=f"spray{n}@example.com",
                                                        password="password-1")), UNAUTHENTICATED)
    error = await rpc_error(auth.stub.Login(pb.LoginRequest(email=client.email, password=password)),
                            grpc.StatusCode.RESOURCE_EXHAUSTED)
    assert reason(error) == "LOGIN_THROTTLED"


async def test_an_idle_session_expires(start_auth):
    auth = await start_auth(AuthPolicy(session_idle=timedelta(seconds=1)))
    client, password = await auth.user(pb.ROLE_DEVELOPER)
    token = await auth.login(client.email, password)
    await auth.stub.WhoAmI(pb.WhoAmIRequest(), metadata=auth.as_(token))
    await asyncio.sleep(1.2)
    await rpc_error(auth.stub.WhoAmI(pb.WhoAmIRequest(), metadata=auth.as_(token)), UNAUTHENTICATED)


async def test_a_used_session_still_expires_at_its_absolute_limit(start_auth):
    auth = await start_auth(AuthPolicy(session_lifetime=timedelta(seconds=3),
                                       session_idle=timedelta(seconds=1.5),
                                       touch_interval=timedelta(0)))
    client, password = await auth.user(pb.ROLE_DEVELOPER)
    token = await auth.login(client.email, password)
    # After the answer: the session is at least this old then (argon2 makes a login slow
    # on a busy machine, and a clock started before it left the session short of 3 s).
    started = time.monotonic()
    for _ in range(4):  # use keeps it alive past the idle limit...
        await auth.stub.WhoAmI(pb.WhoAmIRequest(), metadata=auth.as_(token))
        await asyncio.sleep(0.5)
    await asyncio.sleep(max(0.0, started + 3.2 - time.monotonic()))  # ...not past the absolute one
    await rpc_error(auth.stub.WhoAmI(pb.WhoAmIRequest(), metadata=auth.as_(token)),
                    UNAUTHENTICATED)


async def test_a_throttled_known_and_unknown_email_get_the_same_answer(auth):
    """Throttling must not tell which e-mails have accounts either."""
    known, _ = await auth.user(pb.ROLE_DEVELOPER)
    answers = []
    for email in (known.email, f"nobody-{known.name[-6:]}@example.com"):
        for _ in range(5):
            await rpc_error(auth.stub.Login(pb.LoginRequest(email=email, password="guess-guess")),
                            UNAUTHENTICATED)
        error = await rpc_error(auth.stub.Login(pb.LoginRequest(email=email,
                                                                password="guess-guess")),
                                grpc.StatusCode.RESOURCE_EXHAUSTED)
        answers.append((error.details(), reason(error)))
    assert answers[0] == answers[1]
