"""The auth database as the domain sees it: accounts, sessions, tokens, throttling, audit.

Every function takes an open AsyncSession; the caller owns the transaction.
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
from services.common.server.principal import Principal, Role

# ---------------------------------------------------------------- names and tokens


def organization_name(organization_id: str | None) -> str:
    return f"organizations/{organization_id}" if organization_id else ""


def user_name(user_id: str) -> str:
    return f"users/{user_id}"


def api_token_name(token_id: str) -> str:
    return f"apiTokens/{token_id}"


def session_name(session: Session) -> str:
    return f"users/{session.user_id}/sessions/{session.id}"


def parse_name(name: str, *collections: str) -> list[str] | None:
    """`users/ab12` with ("users",) -> ["ab12"]; None when the name has another shape."""
    parts = name.split("/")
    if len(parts) != 2 * len(collections):
        return None
    ids = parts[1::2]
    if tuple(parts[0::2]) != collections or not all(i.isalnum() and len(i) <= 32 for i in ids):
        return None
    return ids


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _after(columns: tuple, values: tuple | None) -> ColumnElement[bool]:
    """Keyset paging: rows sorted after `values` on `columns`."""
    return tuple_(*columns) > tuple_(*(literal(v, c.type) for c, v in zip(columns, values)))


# ---------------------------------------------------------------- principals


def user_principal(user: User) -> Principal:
    return Principal(subject=user_name(user.id), role=Role(user.role),
                     organization=organization_name(user.organization_id),
                     display_name=user.full_name, email=user.email, language=user.language,
                     password_change_required=user.password_change_required)


def api_token_principal(token: ApiToken) -> Principal:
    return Principal(subject=api_token_name(token.id), role=Role(token.role),
                     organization=organization_name(token.organization_id),
                     display_name=token.display_name)


def _usable_user(user: User, organization: Organization | None) -> bool:
    return user.active and (organization is None or organization.active)


async def resolve(db: AsyncSession, token: str, policy: AuthPolicy,
                  now: datetime) -> Principal | None:
    """A live session's user or a live API token; None for anything else."""
    digest = token_hash(token)
    found = await _live_session(db, digest, policy, now)
    if found:
        session, user = found
        if now - session.last_use_time >= policy.touch_interval:
            session.last_use_time = now
        return user_principal(user)
    api_token = await _live_api_token(db, digest)
    if api_token:
        last = api_token.last_use_time
        if last is None or now - last >= policy.touch_interval:
            api_token.last_use_time = now
        return api_token_principal(api_token)
    return None


async def _live_session(db: AsyncSession, digest: str, policy: AuthPolicy,
                        now: datetime) -> tuple[Session, User] | None:
    row = (await db.execute(
        select(Session, User, Organization)
        .join(User, User.id == Session.user_id)
        .outerjoin(Organization, Organization.id == User.organization_id)
        .where(Session.token_hash == digest))).first()
    if row is None:
        return None
    session, user, organization = row
    alive = (session.revoked_time is None and session.expire_time > now
             and session.last_use_time + policy.session_idle > now)
    return (session, user) if alive and _usable_user(user, organization) else None


async def _live_api_token(db: AsyncSession, digest: str) -> ApiToken | None:
    row = (await db.execute(
        select(ApiToken, Organization)
        .outerjoin(Organization, Organization.id == ApiToken.organization_id)
        .where(ApiToken.token_hash == digest, ApiToken.revoked.is_(False)))).first()
    if row is None:
        return None
    api_token, organization = row
    return api_token if organization is None or organization.active else None


async def session(db: AsyncSession, session_id: str) -> Session | None:
    return await db.get(Session, session_id)


async def session_of_token(db: AsyncSession, token: str) -> Session | None:
    return await db.scalar(select(Session).where(Session.token_hash == token_hash(token)))


# ---------------------------------------------------------------- sessions


async def open_session(db: AsyncSession, user: User, client_address: str,
                       policy: AuthPolicy, now: datetime) -> tuple[str, Session]:
    """A new session; the token is returned once and only its hash is kept."""
    token = new_token()
    session = Session(user_id=user.id, token_hash=token_hash(token), create_time=now,
                      last_use_time=now, expire_time=now + policy.session_lifetime,
                      client_address=client_address[:100])
    db.add(session)
    await db.flush()
    return token, session


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
    query = (select(Session)
             .where(Session.user_id == user_id, Session.revoked_time.is_(None),
                    Session.expire_time > now, Session.last_use_time > now - policy.session_idle)
             .order_by(Session.create_time, Session.id).limit(limit))
    if after:
        query = query.where(_after((Session.create_time, Session.id), after))
    return list(await db.scalars(query))


# ---------------------------------------------------------------- login throttling


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
    query = select(Organization).order_by(Organization.display_name, Organization.id).limit(limit)
    if only is not None:
        query = query.where(Organization.id == only)
    if not show_inactive:
        query = query.where(Organization.active.is_(True))
    if after:
        query = query.where(_after((Organization.display_name, Organization.id), after))
    return list(await db.scalars(query))


# ---------------------------------------------------------------- users


async def user(db: AsyncSession, user_id: str) -> User | None:
    return await db.get(User, user_id)


async def user_by_email(db: AsyncSession, email: str) -> User | None:
    return await db.scalar(select(User).where(User.email == normalize_email(email)))


async def user_by_request(db: AsyncSession, request_id: str) -> User | None:
    return await db.scalar(select(User).where(User.request_id == request_id))


async def user_with_organization(db: AsyncSession,
                                 email: str) -> tuple[User | None, Organization | None]:
    row = (await db.execute(
        select(User, Organization)
        .outerjoin(Organization, Organization.id == User.organization_id)
        .where(User.email == normalize_email(email)))).first()
    return (row[0], row[1]) if row else (None, None)


def can_log_in(user: User | None, organization: Organization | None) -> bool:
    return user is not None and _usable_user(user, organization)


async def email_taken(db: AsyncSession, email: str, except_id: str = "") -> bool:
    found = await user_by_email(db, email)
    return found is not None and found.id != except_id


@dataclass
class NewUser:
    email: str
    full_name: str
    phone: str
    role: str
    organization_id: str | None
    language: str
    password_hash: str
    password_change_required: bool
    request_id: str | None = None


async def add_user(db: AsyncSession, new: NewUser) -> User:
    account = User(email=normalize_email(new.email), full_name=new.full_name, phone=new.phone,
                   role=new.role, organization_id=new.organization_id, active=True,
                   language=new.language, password_hash=new.password_hash,
                   password_change_required=new.password_change_required,
                   request_id=new.request_id)
    db.add(account)
    await db.flush()
    return account


async def users(db: AsyncSession, *, organization_id: str | None, role: str | None,
                show_inactive: bool, after: tuple | None, limit: int) -> list[User]:
    query = select(User).order_by(User.full_name, User.id).limit(limit)
    if organization_id is not None:
        query = query.where(User.organization_id == organization_id)
    if role is not None:
        query = query.where(User.role == role)
    if not show_inactive:
        query = query.where(User.active.is_(True))
    if after:
        query = query.where(_after((User.full_name, User.id), after))
    return list(await db.scalars(query))


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
    query = select(ApiToken).order_by(ApiToken.create_time, ApiToken.id).limit(limit)
    if after:
        query = query.where(_after((ApiToken.create_time, ApiToken.id), after))
    return list(await db.scalars(query))
