"""Tokens and sessions: who a token stands for, logging out, listing and ending sessions."""

from __future__ import annotations

import hmac
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.auth import convert, store, validation
from services.auth.models import ApiToken, Session, User, utcnow
from services.auth.policy import AuthPolicy
from services.auth.usecases import access
from services.auth.usecases.context import Context, Listed, audit, listed
from services.common.server.errors import not_found, unauthenticated
from services.common.server.interceptor import current_call
from services.common.server.paging import page_request, time_and_id
from services.common.server.principal import (SERVICE_PRINCIPAL, Principal, caller,
                                              current_token)
from ticketdesk.auth.v1 import auth_pb2


async def resolve(ctx: Context, token: str) -> Principal | None:
    """The interceptor's resolver: sessions and API tokens, straight from the database.

    A token that resolves to nothing is recorded in the audit log (never the token),
    with the method it was presented to: `.../Authenticate` when another service asked.
    """
    async with ctx.db.begin() as db:
        principal = await _principal(db, token, ctx.policy, utcnow())
        if principal is None:
            await audit(db, "authenticate", current_call.get().method,
                        "invalid, expired or revoked token", outcome="failure",
                        actor="anonymous")
    return principal


async def _principal(db: AsyncSession, token: str, policy: AuthPolicy,
                     now: datetime) -> Principal | None:
    """A live session's user or a live API token; None for anything else."""
    found = await store.session_by_token(db, token)
    if found:
        session, user, organization = found
        if access.session_alive(session, policy, now) and \
                access.account_usable(user, organization):
            _touch(session, policy, now)
            return convert.user_principal(user)
    api_token = await store.api_token_by_token(db, token)
    if api_token:
        row, organization = api_token
        if organization is None or organization.active:
            _touch(row, policy, now)
            return convert.api_token_principal(row)
    return None


def _touch(row: Session | ApiToken, policy: AuthPolicy, now: datetime) -> None:
    """Record the use, at most once per touch interval (a write per call would be costly)."""
    last = row.last_use_time
    if last is None or now - last >= policy.touch_interval:
        row.last_use_time = now


async def authenticate(ctx: Context, token: str) -> Principal:
    """AuthInternalService.Authenticate: whom another service's caller is."""
    # As bytes: compare_digest refuses str with non-ASCII characters (TypeError).
    if ctx.service_token and hmac.compare_digest(token.encode(), ctx.service_token.encode()):
        return SERVICE_PRINCIPAL
    principal = await resolve(ctx, token) if token else None
    if principal is None:
        raise unauthenticated("invalid or expired token")
    return principal


async def logout(ctx: Context) -> None:
    """End the caller's own session; API tokens have none and stay valid."""
    async with ctx.db.begin() as db:
        found = await store.session_by_token(db, current_token.get())
        if found is None or found[0].revoked_time is not None:
            return
        session = found[0]
        session.revoked_time = utcnow()
        await audit(db, "logout", convert.session_name(session))


async def who_am_i(ctx: Context) -> tuple[Principal, User | None]:
    principal = caller()
    if not principal.user:
        return principal, None
    async with ctx.db.begin() as db:
        return principal, await store.user(db, convert.user_id(principal))


async def list_sessions(ctx: Context, request: auth_pb2.ListSessionsRequest) -> Listed[Session]:
    principal = caller()
    (user_id,) = validation.name_ids("parent", request.parent, "users")
    page = page_request(request.page_size, request.page_token, ["ListSessions", user_id],
                        parse=time_and_id)
    async with ctx.db.begin() as db:
        user = access.visible_user(principal, await store.user(db, user_id), request.parent)
        access.may_manage_sessions_of(principal, user, request.parent)
        rows = await store.live_sessions(db, user_id, ctx.policy, utcnow(), page.after,
                                         page.size + 1)
    return listed(page, rows, lambda s: (s.create_time, s.id))


async def revoke_session(ctx: Context, name: str) -> None:
    principal = caller()
    user_id, session_id = validation.name_ids("name", name, "users", "sessions")
    async with ctx.db.begin() as db:
        user = access.visible_user(principal, await store.user(db, user_id), name)
        access.may_manage_sessions_of(principal, user, name)
        session = await store.session(db, session_id)
        if session is None or session.user_id != user_id:
            raise not_found(name)
        if session.revoked_time is None:
            session.revoked_time = utcnow()
            await audit(db, "revoke_session", name)

