"""Rows of the auth database ⇄ resource names, principals and protobuf messages."""

from __future__ import annotations

from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp

from services.auth.models import ApiToken, Organization, Session, User
from services.common.server.authn import ROLE_TO_PROTO
from services.common.server.principal import Principal, Role
from ticketdesk.auth.v1 import auth_pb2

# ---------------------------------------------------------------- resource names


def organization_name(organization_id: str | None) -> str:
    return f"organizations/{organization_id}" if organization_id else ""


def user_name(user_id: str) -> str:
    return f"users/{user_id}"


def api_token_name(token_id: str) -> str:
    return f"apiTokens/{token_id}"


def session_name(session: Session) -> str:
    return f"users/{session.user_id}/sessions/{session.id}"


def user_id(principal: Principal) -> str:
    """The id of the calling person; empty for API tokens and services."""
    return principal.user.removeprefix("users/")


def organization_id(principal: Principal) -> str | None:
    """The id of a client's organization; None for staff."""
    return principal.organization.removeprefix("organizations/") or None


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


# ---------------------------------------------------------------- messages


def timestamp(value: datetime | None) -> Timestamp | None:
    if value is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


def role(value: str) -> auth_pb2.Role:
    return ROLE_TO_PROTO[Role(value)]


def organization(org: Organization) -> auth_pb2.Organization:
    return auth_pb2.Organization(
        name=organization_name(org.id), display_name=org.display_name, active=org.active,
        auto_accept_business_days=org.auto_accept_business_days,
        client_sees_time_spent=org.client_sees_time_spent,
        create_time=timestamp(org.create_time))


def user(account: User, full: bool = True) -> auth_pb2.User:
    """`full=False`: what a client may see of another contact of its organization."""
    if not full:
        return auth_pb2.User(name=user_name(account.id), email=account.email,
                             full_name=account.full_name, phone=account.phone)
    return auth_pb2.User(
        name=user_name(account.id), email=account.email, full_name=account.full_name,
        phone=account.phone, role=role(account.role),
        organization=organization_name(account.organization_id), active=account.active,
        language=account.language, password_change_required=account.password_change_required,
        create_time=timestamp(account.create_time))


def session(row: Session) -> auth_pb2.Session:
    return auth_pb2.Session(
        name=session_name(row), create_time=timestamp(row.create_time),
        last_use_time=timestamp(row.last_use_time), expire_time=timestamp(row.expire_time),
        client_address=row.client_address)


def api_token(token: ApiToken) -> auth_pb2.ApiToken:
    return auth_pb2.ApiToken(
        name=api_token_name(token.id), display_name=token.display_name, role=role(token.role),
        organization=organization_name(token.organization_id),
        create_time=timestamp(token.create_time), last_use_time=timestamp(token.last_use_time),
        revoked=token.revoked)
