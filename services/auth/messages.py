"""Protobuf messages from rows, and the validation of what callers send."""

from __future__ import annotations

import re
from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp

from services.auth import directory
from services.auth.models import LANGUAGES, ApiToken, Organization, Session, User
from services.common.server.authn import ROLE_TO_PROTO
from services.common.server.errors import invalid
from services.common.server.principal import Role
from ticketdesk.auth.v1 import auth_pb2

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ACCOUNT_ROLES = {auth_pb2.ROLE_CLIENT: "client", auth_pb2.ROLE_DEVELOPER: "developer",
                 auth_pb2.ROLE_MANAGER: "manager"}
MAX_AUTO_ACCEPT_DAYS = 365
DEFAULT_AUTO_ACCEPT_DAYS = 10


def timestamp(value: datetime | None) -> Timestamp | None:
    if value is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


def role_message(role: str) -> auth_pb2.Role:
    return ROLE_TO_PROTO[Role(role)]


def organization_message(org: Organization) -> auth_pb2.Organization:
    return auth_pb2.Organization(
        name=directory.organization_name(org.id), display_name=org.display_name,
        active=org.active, auto_accept_business_days=org.auto_accept_business_days,
        create_time=timestamp(org.create_time))


def user_message(user: User) -> auth_pb2.User:
    return auth_pb2.User(
        name=directory.user_name(user.id), email=user.email, full_name=user.full_name,
        phone=user.phone, role=role_message(user.role),
        organization=directory.organization_name(user.organization_id), active=user.active,
        language=user.language, password_change_required=user.password_change_required,
        create_time=timestamp(user.create_time))


def contact_message(user: User) -> auth_pb2.User:
    """What a client may see of another contact of its organization."""
    return auth_pb2.User(name=directory.user_name(user.id), email=user.email,
                         full_name=user.full_name, phone=user.phone)


def session_message(session: Session) -> auth_pb2.Session:
    return auth_pb2.Session(
        name=directory.session_name(session), create_time=timestamp(session.create_time),
        last_use_time=timestamp(session.last_use_time),
        expire_time=timestamp(session.expire_time), client_address=session.client_address)


def api_token_message(token: ApiToken) -> auth_pb2.ApiToken:
    return auth_pb2.ApiToken(
        name=directory.api_token_name(token.id), display_name=token.display_name,
        role=role_message(token.role),
        organization=directory.organization_name(token.organization_id),
        create_time=timestamp(token.create_time), last_use_time=timestamp(token.last_use_time),
        revoked=token.revoked)


# ---------------------------------------------------------------- validation


def required_text(field: str, value: str, limit: int, problems: list) -> str:
    value = value.strip()
    if not value:
        problems.append((field, "is required"))
    else:
        optional_text(field, value, limit, problems)
    return value


def optional_text(field: str, value: str, limit: int, problems: list) -> str:
    value = value.strip()
    if len(value) > limit:
        problems.append((field, f"must be at most {limit} characters"))
    elif "\x00" in value:  # PostgreSQL cannot store it; SQLite must not differ
        problems.append((field, "must not contain NUL characters"))
    return value


def email_address(field: str, value: str, problems: list) -> str:
    value = directory.normalize_email(value)
    # Invisible characters (zero-width, bidi controls, NUL) would make look-alike accounts.
    if not EMAIL.match(value) or len(value) > 254 or not value.isprintable():
        problems.append((field, "is not a valid e-mail address"))
    return value


def account_role(field: str, value: int, problems: list) -> str:
    if value not in ACCOUNT_ROLES:
        problems.append((field, "must be client, developer or manager"))
        return ""
    return ACCOUNT_ROLES[value]


def language(field: str, value: str, problems: list) -> str:
    value = value.strip() or "ru"
    if value not in LANGUAGES:
        problems.append((field, "must be ru or en"))
    return value


def organization_id(field: str, name: str, problems: list) -> str | None:
    """The id inside `organizations/{id}`; None when empty."""
    if not name:
        return None
    ids = directory.parse_name(name, "organizations")
    if ids is None:
        problems.append((field, "must look like organizations/{id}"))
        return None
    return ids[0]


def client_needs_organization(field: str, role: str, org_id: str | None, problems: list) -> None:
    if role == "client" and org_id is None:
        problems.append((field, "is required for a client"))
    elif role and role != "client" and org_id is not None:
        problems.append((field, "must be empty for staff"))


def auto_accept_days(field: str, value: int, problems: list) -> int:
    if not 0 <= value <= MAX_AUTO_ACCEPT_DAYS:
        problems.append((field, f"must be between 0 (off) and {MAX_AUTO_ACCEPT_DAYS}"))
    return value


def request_id(value: str, problems: list) -> str | None:
    return optional_text("request_id", value, 100, problems) or None


def raise_if(problems: list) -> None:
    if problems:
        raise invalid(problems)


def name_id(field: str, name: str, *collections: str) -> list[str]:
    """The ids inside a resource name, or INVALID_ARGUMENT."""
    ids = directory.parse_name(name, *collections)
    if ids is None:
        shape = "/".join(f"{c}/{{id}}" for c in collections)
        raise invalid([(field, f"must look like {shape}")])
    return ids


def account_role_filter(value: int) -> str | None:
    if value == auth_pb2.ROLE_UNSPECIFIED:
        return None
    if value not in ACCOUNT_ROLES:
        raise invalid([("role", "must be client, developer or manager")])
    return ACCOUNT_ROLES[value]
