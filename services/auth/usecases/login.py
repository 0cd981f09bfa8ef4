"""Passwords in use: logging in, changing one's own password, and throttling both.

A failed login always answers the same words (BAD_LOGIN) and takes the same time,
whether the e-mail is unknown, the password wrong or the account inactive; why it
failed goes to the audit log only.
"""

from __future__ import annotations

import math
from datetime import datetime

import grpc
import structlog

from services.auth import convert, passwords, store, validation
from services.auth.models import Session, User, utcnow
from services.auth.usecases import access
from services.auth.usecases.context import Context, audit, client_address
from services.common.server.errors import ApiError, bad_field, unauthenticated
from services.common.server.principal import caller
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.errors.v1 import errors_pb2 as reasons

log = structlog.get_logger()

BAD_LOGIN = "invalid e-mail or password"


async def login(ctx: Context, request: auth_pb2.LoginRequest) -> tuple[str, Session, User]:
    """A new session: its token, its row and the user."""
    email, password = validation.login(request)
    address = client_address()
    await _refuse_if_throttled(ctx, email, address, "login")
    async with ctx.db.begin() as db:
        user, org = await store.user_with_organization(db, email)
    stored = user.password_hash if user else passwords.DUMMY_HASH
    correct = await passwords.verify_password(stored, password)
    if user is None or not (correct and access.account_usable(user, org)):
        await _failed(ctx, email, address, "login", _failure(user, correct))
        raise unauthenticated(BAD_LOGIN)
    new_hash = await passwords.hash_password(password) if passwords.needs_rehash(stored) else None
    return await _succeeded(ctx, user.id, email, address, new_hash)


def _failure(user: User | None, password_correct: bool) -> str:
    """Why a login failed, for the audit log only: the caller always hears BAD_LOGIN."""
    if user is None:
        return "unknown_email"
    return "inactive" if password_correct else "wrong_password"


async def _succeeded(ctx: Context, user_id: str, email: str, address: str,
                     new_hash: str | None) -> tuple[str, Session, User]:
    now = utcnow()
    async with ctx.db.begin() as db:
        user = await store.user(db, user_id)
        if new_hash:
            user.password_hash = new_hash
        await store.record_attempt(db, email, address, True, now)
        await store.prune_attempts(db, now - ctx.policy.attempts_kept)
        token, session = await store.open_session(db, user, address, ctx.policy, now)
        await audit(db, "login", convert.session_name(session),
                    actor=convert.user_name(user.id))
    log.info("login.success", user=convert.user_name(user.id), peer=address)
    return token, session, user


async def change_password(ctx: Context, request: auth_pb2.ChangePasswordRequest) -> str:
    """The caller's new password; every older session ends. Returns a fresh session token."""
    user_id = access.require_person(caller())
    address = client_address()
    async with ctx.db.begin() as db:
        user = await store.user(db, user_id)
    problems: validation.Problems = []
    validation.new_password("new_password", request.new_password, user.email, problems)
    validation.raise_if(problems)
    await _refuse_if_throttled(ctx, user.email, address, "change_password")
    if not await passwords.verify_password(user.password_hash, request.current_password):
        await _failed(ctx, user.email, address, "change_password", "wrong_password")
        raise bad_field("current_password", reasons.PASSWORD_WRONG, "is wrong")
    new_hash = await passwords.hash_password(request.new_password)
    now = utcnow()
    async with ctx.db.begin() as db:
        user = await store.user(db, user_id)
        user.password_hash, user.password_change_required = new_hash, False
        await store.revoke_sessions(db, user.id, now)
        token, _ = await store.open_session(db, user, address, ctx.policy, now)
        await audit(db, "change_password", convert.user_name(user.id))
    return token


async def _refuse_if_throttled(ctx: Context, email: str, address: str, action: str) -> None:
    now = utcnow()
    async with ctx.db.begin() as db:
        until = await store.throttled_until(db, email, address, ctx.policy, now)
        if until:
            await audit(db, action, f"email:{email}", outcome="throttled", actor="anonymous")
    if until:
        log.info(f"{action}.throttled", peer=address)
        raise login_throttled(until, now)


async def _failed(ctx: Context, email: str, address: str, action: str, why: str) -> None:
    now = utcnow()
    async with ctx.db.begin() as db:
        await store.record_attempt(db, email, address, False, now)
        await audit(db, action, f"email:{email}", why, outcome="failure", actor="anonymous")
        locked = await store.throttled_until(db, email, address, ctx.policy, now)
        if locked:
            await audit(db, f"{action}.lockout", f"email:{email}", actor="anonymous")
    log.info(f"{action}.failure", reason=why, peer=address, lockout=bool(locked))


def login_throttled(until: datetime, now: datetime) -> ApiError:
    seconds = max(1, math.ceil((until - now).total_seconds()))
    return ApiError(grpc.StatusCode.RESOURCE_EXHAUSTED, reasons.LOGIN_THROTTLED,
                    f"too many failed login attempts; try again in {math.ceil(seconds / 60)} min",
                    {"retryAfterSeconds": str(seconds)})
