"""Who may do what in the auth service, and whose sessions and tokens still count."""

from __future__ import annotations

from datetime import datetime

from services.auth import convert
from services.auth.models import Organization, Session, User
from services.auth.policy import AuthPolicy
from services.common.server.errors import failed_precondition, not_found, permission_denied
from services.common.server.principal import Principal
from ticketdesk.errors.v1 import errors_pb2 as reasons


def require_manager(principal: Principal) -> None:
    if not principal.is_manager:
        raise permission_denied("only a manager may do this")


def require_person(principal: Principal) -> str:
    """The caller's user id; API tokens and services have no password or sessions."""
    if not principal.user:
        raise failed_precondition(reasons.NOT_A_USER,
                                  "only a person signed in with a password may do this")
    return convert.user_id(principal)


def is_self(principal: Principal, user: User) -> bool:
    return principal.user == convert.user_name(user.id)


def can_see_user(principal: Principal, user: User) -> bool:
    """Staff see every account; a client itself and the active contacts of its organization."""
    if principal.is_staff or is_self(principal, user):
        return True
    same_organization = convert.organization_name(user.organization_id) == principal.organization
    return bool(principal.organization) and same_organization and user.active


def sees_full_user(principal: Principal, user: User) -> bool:
    return principal.is_staff or is_self(principal, user)


def visible_user(principal: Principal, user: User | None, name: str) -> User:
    if user is None or not can_see_user(principal, user):
        raise not_found(name)
    return user


def may_change(principal: Principal, user: User, paths: set[str], own: frozenset[str],
               every: frozenset[str]) -> None:
    """A manager changes `every` field of an account, a person `own` fields of their own."""
    allowed = every if principal.is_manager else (own if is_self(principal, user) else set())
    if not paths <= allowed:
        raise permission_denied(f"not allowed to change {', '.join(sorted(paths - allowed))}")


def may_manage_sessions_of(principal: Principal, user: User, name: str) -> None:
    """The user itself or a manager; others learn nothing they could not already see."""
    if is_self(principal, user) or principal.is_manager:
        return
    if can_see_user(principal, user):
        raise permission_denied("only the user or a manager may see its sessions")
    raise not_found(name)


def account_usable(user: User, organization: Organization | None) -> bool:
    """An active account, of an active organization if it has one."""
    return user.active and (organization is None or organization.active)


def session_alive(session: Session, policy: AuthPolicy, now: datetime) -> bool:
    return (session.revoked_time is None and session.expire_time > now
            and session.last_use_time + policy.session_idle > now)
