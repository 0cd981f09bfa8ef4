"""Checks of what callers send to the auth service; each problem is a Violation with a
FieldReason (proto/ticketdesk/errors/v1/errors.proto).

The checks of one request collect their problems in a list, so that a caller hears of
every bad field at once; `raise_if` then answers INVALID_ARGUMENT.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from services.auth import passwords
from services.auth.models import LANGUAGES
from services.auth.store import NewUser
from services.common.server.errors import Violation, bad_field, invalid, violation
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.errors.v1 import errors_pb2 as reasons

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ACCOUNT_ROLES = {auth_pb2.ROLE_CLIENT: "client", auth_pb2.ROLE_DEVELOPER: "developer",
                 auth_pb2.ROLE_MANAGER: "manager"}
MAX_EMAIL, MAX_NAME, MAX_PHONE, MAX_REQUEST_ID = 254, 200, 50, 100
MAX_AUTO_ACCEPT_DAYS = 365
DEFAULT_AUTO_ACCEPT_DAYS = 10
ORGANIZATION_FIELDS = frozenset({"display_name", "active", "auto_accept_business_days",
                                 "client_sees_time_spent"})
OWN_USER_FIELDS = frozenset({"full_name", "phone", "language"})
USER_FIELDS = OWN_USER_FIELDS | {"email", "role", "organization", "active"}

Problems = list[Violation]


def raise_if(problems: Problems) -> None:
    if problems:
        raise invalid(problems)


# ---------------------------------------------------------------- single fields


def normalize_email(email: str) -> str:
    return email.strip().lower()


def required_text(path: str, value: str, limit: int, problems: Problems) -> str:
    value = value.strip()
    if not value:
        problems.append(violation(path, reasons.REQUIRED, "is required"))
    return optional_text(path, value, limit, problems)


def optional_text(path: str, value: str, limit: int, problems: Problems) -> str:
    value = value.strip()
    if len(value) > limit:
        problems.append(violation(path, reasons.TOO_LONG,
                                  f"must be at most {limit} characters", maxLength=limit))
    elif "\x00" in value:  # PostgreSQL cannot store it; SQLite must not differ
        problems.append(violation(path, reasons.INVALID_CHARACTERS,
                                  "must not contain NUL characters"))
    return value


def email_address(path: str, value: str, problems: Problems) -> str:
    value = normalize_email(value)
    if not value:
        problems.append(violation(path, reasons.REQUIRED, "is required"))
    # Invisible characters (zero-width, bidi controls, NUL) would make look-alike accounts.
    elif not EMAIL.match(value) or len(value) > MAX_EMAIL or not value.isprintable():
        problems.append(violation(path, reasons.NOT_AN_EMAIL, "is not a valid e-mail address"))
    return value


def account_role(path: str, value: int, problems: Problems) -> str:
    if value == auth_pb2.ROLE_UNSPECIFIED:
        problems.append(violation(path, reasons.REQUIRED, "is required"))
    elif value not in ACCOUNT_ROLES:
        problems.append(violation(path, reasons.MALFORMED,
                                  "must be client, developer or manager"))
    return ACCOUNT_ROLES.get(value, "")


def role_filter(value: int) -> str | None:
    """ListUsers' role: none, or one of the account roles."""
    if value != auth_pb2.ROLE_UNSPECIFIED and value not in ACCOUNT_ROLES:
        raise bad_field("role", reasons.MALFORMED, "must be client, developer or manager")
    return ACCOUNT_ROLES.get(value)


def language(path: str, value: str, problems: Problems) -> str:
    value = value.strip() or "ru"
    if value not in LANGUAGES:
        problems.append(violation(path, reasons.MALFORMED, "must be ru or en"))
    return value


def auto_accept_days(path: str, value: int, problems: Problems) -> int:
    if not 0 <= value <= MAX_AUTO_ACCEPT_DAYS:
        problems.append(violation(path, reasons.OUT_OF_RANGE,
                                  f"must be between 0 (off) and {MAX_AUTO_ACCEPT_DAYS}",
                                  min=0, max=MAX_AUTO_ACCEPT_DAYS))
    return value


def request_id(value: str, problems: Problems) -> str | None:
    return optional_text("request_id", value, MAX_REQUEST_ID, problems) or None


def new_password(path: str, password: str, email: str, problems: Problems) -> str:
    try:
        passwords.check_new_password(password, email)
    except passwords.WeakPassword as weak:
        problems.append(violation(path, weak.reason, str(weak), **weak.params))
    return password


def _parse_name(name: str, *collections: str) -> list[str] | None:
    """`users/ab12` with ("users",) -> ["ab12"]; None when the name has another shape."""
    parts = name.split("/")
    if len(parts) != 2 * len(collections):
        return None
    ids = parts[1::2]
    if tuple(parts[0::2]) != collections or not all(i.isalnum() and len(i) <= 32 for i in ids):
        return None
    return ids


def name_ids(path: str, name: str, *collections: str) -> list[str]:
    """The ids inside a resource name, or INVALID_ARGUMENT (MALFORMED)."""
    ids = _parse_name(name, *collections)
    if ids is None:
        shape = "/".join(f"{c}/{{id}}" for c in collections)
        raise bad_field(path, reasons.MALFORMED, f"must look like {shape}")
    return ids


def organization_id(path: str, name: str, problems: Problems) -> str | None:
    """The id inside `organizations/{id}`; None when empty."""
    if not name:
        return None
    ids = _parse_name(name, "organizations")
    if ids is None:
        problems.append(violation(path, reasons.MALFORMED, "must look like organizations/{id}"))
        return None
    return ids[0]


def organization_for_role(path: str, role: str, org_id: str | None,
                          problems: Problems) -> None:
    """A client account belongs to an organization; studio staff to none."""
    if role == "client" and org_id is None:
        problems.append(violation(path, reasons.ORGANIZATION_REQUIRED,
                                  "is required for a client"))
    elif role and role != "client" and org_id is not None:
        problems.append(violation(path, reasons.ORGANIZATION_NOT_ALLOWED,
                                  "must be empty for staff"))


def unknown_organization(path: str, description: str = "no such organization") -> Violation:
    return violation(path, reasons.UNKNOWN_ORGANIZATION, description)


def update_paths(paths: Iterable[str], updatable: frozenset[str]) -> set[str]:
    paths = set(paths)
    if not paths:
        raise bad_field("update_mask", reasons.REQUIRED,
                        f"must list some of {sorted(updatable)}")
    if not paths <= updatable:
        raise bad_field("update_mask", reasons.NOT_UPDATABLE,
                        f"cannot change {', '.join(sorted(paths - updatable))}; "
                        f"only {', '.join(sorted(updatable))}")
    return paths


def _changes(checks: dict[str, Callable[[], object]], paths: set[str]) -> dict[str, object]:
    """The masked fields' checked values, by column (`organization` is organization_id)."""
    return {("organization_id" if p == "organization" else p): checks[p]() for p in paths}


# ---------------------------------------------------------------- requests


def login(request: auth_pb2.LoginRequest) -> tuple[str, str]:
    problems: Problems = []
    email = required_text("email", normalize_email(request.email), MAX_EMAIL, problems)
    password = request.password
    if not password:
        problems.append(violation("password", reasons.REQUIRED, "is required"))
    elif len(password) > passwords.MAX_LENGTH:
        problems.append(violation("password", reasons.TOO_LONG,
                                  f"must be at most {passwords.MAX_LENGTH} characters",
                                  maxLength=passwords.MAX_LENGTH))
    raise_if(problems)
    return email, password


@dataclass(frozen=True)
class NewOrganization:
    display_name: str
    auto_accept_business_days: int
    request_id: str | None


def new_organization(request: auth_pb2.CreateOrganizationRequest) -> NewOrganization:
    problems: Problems = []
    org = request.organization
    new = NewOrganization(
        required_text("organization.display_name", org.display_name, MAX_NAME, problems),
        auto_accept_days("organization.auto_accept_business_days",
                         org.auto_accept_business_days, problems)
        or DEFAULT_AUTO_ACCEPT_DAYS,
        request_id(request.request_id, problems))
    raise_if(problems)
    return new


def organization_changes(request: auth_pb2.UpdateOrganizationRequest
                         ) -> tuple[str, dict[str, object]]:
    """The organization's id and the masked fields' new values."""
    org = request.organization
    (org_id,) = name_ids("organization.name", org.name, "organizations")
    paths = update_paths(request.update_mask.paths, ORGANIZATION_FIELDS)
    problems: Problems = []
    changes = _changes({
        "display_name": lambda: required_text("organization.display_name", org.display_name,
                                              MAX_NAME, problems),
        "active": lambda: org.active,
        "auto_accept_business_days": lambda: auto_accept_days(
            "organization.auto_accept_business_days", org.auto_accept_business_days, problems),
        "client_sees_time_spent": lambda: org.client_sees_time_spent,
    }, paths)
    raise_if(problems)
    return org_id, changes


def _role_and_organization(kind: str, role_value: int, organization: str,
                           problems: Problems) -> tuple[str, str | None]:
    """The role of a user or API token (`kind`) and the organization it belongs to."""
    role = account_role(f"{kind}.role", role_value, problems)
    org_id = organization_id(f"{kind}.organization", organization, problems)
    organization_for_role(f"{kind}.organization", role, org_id, problems)
    return role, org_id


def _user_fields(user: auth_pb2.User, problems: Problems) -> dict[str, Callable[[], object]]:
    """The checks of a user's fields that a caller sets, by field name."""
    return {
        "full_name": lambda: required_text("user.full_name", user.full_name, MAX_NAME,
                                           problems),
        "phone": lambda: optional_text("user.phone", user.phone, MAX_PHONE, problems),
        "language": lambda: language("user.language", user.language, problems),
        "email": lambda: email_address("user.email", user.email, problems),
        "role": lambda: account_role("user.role", user.role, problems),
        "organization": lambda: organization_id("user.organization", user.organization,
                                                problems),
        "active": lambda: user.active,
    }


def new_user(request: auth_pb2.CreateUserRequest) -> tuple[NewUser, str]:
    """The account to create and the initial password the caller chose (may be empty)."""
    problems: Problems = []
    user = request.user
    role, org_id = _role_and_organization("user", user.role, user.organization, problems)
    check = _user_fields(user, problems)
    new = NewUser(email=check["email"](), full_name=check["full_name"](), phone=check["phone"](),
                  role=role, organization_id=org_id, language=check["language"](),
                  request_id=request_id(request.request_id, problems))
    password = request.initial_password
    if password:
        new_password("initial_password", password, new.email, problems)
    raise_if(problems)
    return new, password


@dataclass
class UserChanges:
    user_id: str
    paths: set[str]
    values: dict[str, object]  # by column
    # Raised by the use case after it has checked who may change what (AIP-211).
    problems: Problems


def user_changes(request: auth_pb2.UpdateUserRequest) -> UserChanges:
    user = request.user
    (user_id,) = name_ids("user.name", user.name, "users")
    paths = update_paths(request.update_mask.paths, USER_FIELDS)
    problems: Problems = []
    return UserChanges(user_id, paths, _changes(_user_fields(user, problems), paths), problems)


@dataclass(frozen=True)
class NewApiToken:
    display_name: str
    role: str
    organization_id: str | None
    request_id: str | None


def new_api_token(request: auth_pb2.CreateApiTokenRequest) -> NewApiToken:
    problems: Problems = []
    token = request.api_token
    role, org_id = _role_and_organization("api_token", token.role, token.organization,
                                          problems)
    new = NewApiToken(
        required_text("api_token.display_name", token.display_name, MAX_NAME, problems),
        role, org_id, request_id(request.request_id, problems))
    raise_if(problems)
    return new
