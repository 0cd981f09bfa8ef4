"""Who may do what in the auth service, and the errors that say no."""

from __future__ import annotations

import math
from datetime import timedelta

import grpc

from services.auth.models import User
from services.auth import directory
from services.common.server.errors import ApiError, not_found, permission_denied
from services.common.server.principal import Principal, Role


def require_manager(principal: Principal) -> None:
    if not principal.is_manager:
        raise permission_denied("only a manager may do this")


def require_service(principal: Principal) -> None:
    if principal.role != Role.SERVICE:
        raise permission_denied("only TicketDesk's own services may do this")


def require_person(principal: Principal) -> str:
    """The caller's user id; API tokens and services have no password or sessions."""
    if not principal.user:
        raise ApiError(grpc.StatusCode.FAILED_PRECONDITION, "NOT_A_USER",
                       "only a person signed in with a password may do this")
    return principal.user.removeprefix("users/")


def is_self(principal: Principal, user: User) -> bool:
    return principal.user == directory.user_name(user.id)


def can_see_user(principal: Principal, user: User) -> bool:
    """Staff see every account; a client itself and the active contacts of its organization."""
    if principal.is_staff or is_self(principal, user):
        return True
    same_organization = directory.organization_name(user.organization_id) == principal.organization
    return bool(principal.organization) and same_organization and user.active


def sees_full_user(principal: Principal, user: User) -> bool:
    return principal.is_staff or is_self(principal, user)


def visible_user(principal: Principal, user: User | None, name: str) -> User:
    if user is None or not can_see_user(principal, user):
        raise not_found(name)
    return user


def may_manage_sessions_of(principal: Principal, user: User, name: str) -> None:
    """The user itself or a manager; others learn nothing they could not already see."""
    if is_self(principal, user) or principal.is_manager:
        return
    if can_see_user(principal, user):
        raise permission_denied("only the user or a manager may see its sessions")
    raise not_found(name)


def already_exists(what: str, field: str) -> ApiError:
    return ApiError(grpc.StatusCode.ALREADY_EXISTS, "ALREADY_EXISTS", f"{what} already exists",
                    field_violations=[(field, "already exists")])


def login_throttled(retry_after: timedelta) -> ApiError:
    seconds = max(1, math.ceil(retry_after.total_seconds()))
    return ApiError(grpc.StatusCode.RESOURCE_EXHAUSTED, "LOGIN_THROTTLED",
                    f"too many failed login attempts; try again in {math.ceil(seconds / 60)} min",
                    {"retry_after_seconds": str(seconds)})


def permission_denied_fields(fields: set[str]) -> ApiError:
    return permission_denied(f"not allowed to change {', '.join(sorted(fields))}")


def cannot_deactivate_self() -> ApiError:
    return ApiError(grpc.StatusCode.FAILED_PRECONDITION, "SELF_DEACTIVATION",
                    "a manager cannot deactivate their own account")
