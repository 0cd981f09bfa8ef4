"""The auth database's queries: accounts, sessions, tokens, login attempts, audit.

Every function takes an open AsyncSession; the caller owns the transaction. E-mail
addresses arrive normalized (validation.normalize_email). Tokens are kept only as hashes.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, delete, func, literal, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.auth.models import (ApiToken, AuditEntry, LoginAttempt, Organization, Session,
                                  User)
from services.auth.policy import AuthPolicy


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _after(columns: tuple, values: tuple | None) -> ColumnElement[bool]:
    """Keyset paging: rows sorted after `values` on `columns`."""
    return tuple_(*columns) > tuple_(*(literal(v, c.type) for c, v in zip(columns, values)))


def _page(query, columns: tuple, after: tuple | None, limit: int):
    query = query.order_by(*columns).limit(limit)
    return query.where(_after(columns, after)) if after else query


# ---------------------------------------------------------------- tokens


async def session_by_token(db: AsyncSession, token: str
                           ) -> tuple[Session, User, Organization | None] | None:
    """The session of a token with its user and the user's organization, live or not."""
    row = (await db.execute(
        select(Session, User, Organization)
        .join(User, User.id == Session.user_id)
        .outerjoin(Organization, Organization.id == User.organization_id)
        .where(Session.token_hash == token_hash(token)))).first()
    return (row[0], row[1], row[2]) if row else None


async def api_token_by_token(db: AsyncSession, token: str
                             ) -> tuple[ApiToken, Organization | None] | None:
    """An API token that is not revoked, with its organization."""
    row = (await db.execute(
        select(ApiToken, Organization)
        .outerjoin(Organization, Organization.id == ApiToken.organization_id)
        .where(ApiToken.token_hash == token_hash(token), ApiToken.revoked.is_(False)))).first()
    return (row[0], row[1]) if row else None


# ---------------------------------------------------------------- sessions


async def session(db: AsyncSession, session_id: str) -> Session | None:
    return await db.get(Session, session_id)


async def open_session(db: AsyncSession, user: User, client_address: str,
                       policy: AuthPolicy, now: datetime) -> tuple[str, Session]:
    """A new session; the token is returned once and only its hash is kept."""
    token = new_token()
    row = Session(user_id=user.id, token_hash=token_hash(token), create_time=now,
                  last_use_time=now, expire_time=now + policy.session_lifetime,
                  client_address=client_address[:100])
    db.add(row)
    await db.flush()
    return token, row


async def revoke_sessions(db: AsyncSession, user_id: str, now: datetime) -> int:
    result = await db.execute(
        update(Session).where(Session.user_id == user_id, Session.revoked_time.is_(None))
        .values(revoked_time=now))
    return result.rowcount


async def revoke_organization_sessions(db: AsyncSession, organization_id: str,
                                       now: datetime) -> int:
    """End the sessions of every user of a (deactivated) organization."""
    members = select(User.id).where(User.organization_id == organization_id)
    result = await db.execute(
        update(Session).where(Session.user_id.in_(members), Session.revoked_time.is_(None))
        .values(revoked_time=now))
    return result.rowcount


async def live_sessions(db: AsyncSession, user_id: str, policy: AuthPolicy, now: datetime,
                        after: tuple | None, limit: int) -> list[Session]:
    query = select(Session).where(
        Session.user_id == user_id, Session.revoked_time.is_(None), Session.expire_time > now,
        Session.last_use_time > now - policy.session_idle)
    return list(await db.scalars(_page(query, (Session.create_time, Session.id), after, limit)))


# ---------------------------------------------------------------- login attempts


async def throttled_until(db: AsyncSession, email: str, client_address: str,
                          policy: AuthPolicy, now: datetime) -> datetime | None:
    """When logins for this e-mail or from this address are allowed again, if refused now."""
    since = now - policy.failure_window
    last_success = await db.scalar(select(func.max(LoginAttempt.time)).where(
        LoginAttempt.email == email, LoginAttempt.success.is_(True), LoginAttempt.time > since))
    checks = [
        (LoginAttempt.email == email, max(since, last_success or since), policy.account_failures),
        (LoginAttempt.client_address == client_address, since, policy.address_failures),
    ]
    for match, start, limit in checks:
        count, last = (await db.execute(
            select(func.count(), func.max(LoginAttempt.time))
            .where(match, LoginAttempt.success.is_(False), LoginAttempt.time > start))).one()
        if count >= limit and last + policy.lockout > now:
            return last + policy.lockout
    return None


async def record_attempt(db: AsyncSession, email: str, client_address: str, success: bool,
                         now: datetime) -> None:
    db.add(LoginAttempt(time=now, email=email[:254], client_address=client_address[:100],
                        success=success))
    await db.flush()


async def prune_attempts(db: AsyncSession, before: datetime) -> None:
    await db.execute(delete(LoginAttempt).where(LoginAttempt.time < before))


# ---------------------------------------------------------------- audit


async def audit(db: AsyncSession, actor: str, action: str, outcome: str, *, target: str = "",
                client_address: str = "", detail: str = "") -> None:
    db.add(AuditEntry(actor=actor[:300], action=action, target=target[:300],
                      client_address=client_address[:100], outcome=outcome, detail=detail))
    await db.flush()


# ---------------------------------------------------------------- organizations


async def organization(db: AsyncSession, organization_id: str) -> Organization | None:
    return await db.get(Organization, organization_id)


async def organization_by_request(db: AsyncSession, request_id: str) -> Organization | None:
    return await db.scalar(select(Organization).where(Organization.request_id == request_id))


async def add_organization(db: AsyncSession, display_name: str, auto_accept_business_days: int,
                           request_id: str | None) -> Organization:
    org = Organization(display_name=display_name, active=True, request_id=request_id,
                       auto_accept_business_days=auto_accept_business_days)
    db.add(org)
    await db.flush()
    return org


async def organizations(db: AsyncSession, *, only: str | None, show_inactive: bool,
                        after: tuple | None, limit: int) -> list[Organization]:
    query = select(Organization)
    if only is not None:
        query = query.where(Organization.id == only)
    if not show_inactive:
        query = query.where(Organization.active.is_(True))
    columns = (Organization.display_name, Organization.id)
    return list(await db.scalars(_page(query, columns, after, limit)))


# ---------------------------------------------------------------- users


async def user(db: AsyncSession, user_id: str) -> User | None:
    return await db.get(User, user_id)


async def user_by_request(db: AsyncSession, request_id: str) -> User | None:
    return await db.scalar(select(User).where(User.request_id == request_id))


async def user_with_organization(db: AsyncSession,
                                 email: str) -> tuple[User | None, Organization | None]:
    row = (await db.execute(
        select(User, Organization)
        .outerjoin(Organization, Organization.id == User.organization_id)
        .where(User.email == email))).first()
    return (row[0], row[1]) if row else (None, None)


async def email_taken(db: AsyncSession, email: str, except_id: str = "") -> bool:
    found = await db.scalar(select(User.id).where(User.email == email))
    return found is not None and found != except_id


@dataclass
class NewUser:
    email: str  # normalized
    full_name: str
    phone: str
    role: str
    organization_id: str | None
    language: str
    password_hash: str = ""
    password_change_required: bool = True
    request_id: str | None = None


async def add_user(db: AsyncSession, new: NewUser) -> User:
    account = User(email=new.email, full_name=new.full_name, phone=new.phone, role=new.role,
                   organization_id=new.organization_id, active=True, language=new.language,
                   password_hash=new.password_hash,
                   password_change_required=new.password_change_required,
                   request_id=new.request_id)
    db.add(account)
    await db.flush()
    return account


async def users(db: AsyncSession, *, organization_id: str | None, role: str | None,
                show_inactive: bool, after: tuple | None, limit: int,
                email: str | None = None) -> list[User]:
    query = select(User)
    if email is not None:
        query = query.where(User.email == email)
    if organization_id is not None:
        query = query.where(User.organization_id == organization_id)
    if role is not None:
        query = query.where(User.role == role)
    if not show_inactive:
        query = query.where(User.active.is_(True))
    return list(await db.scalars(_page(query, (User.full_name, User.id), after, limit)))


# ---------------------------------------------------------------- API tokens


async def api_token(db: AsyncSession, token_id: str) -> ApiToken | None:
    return await db.get(ApiToken, token_id)


async def api_token_by_request(db: AsyncSession, request_id: str) -> ApiToken | None:
    return await db.scalar(select(ApiToken).where(ApiToken.request_id == request_id))


async def add_api_token(db: AsyncSession, display_name: str, role: str,
                        organization_id: str | None, request_id: str | None,
                        now: datetime) -> tuple[str, ApiToken]:
    token = new_token()
    row = ApiToken(display_name=display_name, role=role, organization_id=organization_id,
                   token_hash=token_hash(token), create_time=now, revoked=False,
                   request_id=request_id)
    db.add(row)
    await db.flush()
    return token, row


async def api_tokens(db: AsyncSession, after: tuple | None, limit: int) -> list[ApiToken]:
    columns = (ApiToken.create_time, ApiToken.id)
    return list(await db.scalars(_page(select(ApiToken), columns, after, limit)))
