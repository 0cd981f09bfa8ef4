"""Accounts: managers create, change, deactivate them and reset their passwords; people
change their own contact details; a client sees the active contacts of its organization.
"""

from __future__ import annotations

import grpc
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.auth import convert, passwords, store, validation
from services.auth.models import User, utcnow
from services.auth.usecases import access
from services.auth.usecases.context import Context, Listed, audit, listed
from services.common.server.errors import (ApiError, failed_precondition, invalid, not_found,
                                           violation)
from services.common.server.paging import page_request, strings
from services.common.server.principal import Role, caller
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.errors.v1 import errors_pb2 as reasons


def email_taken() -> ApiError:
    """ALREADY_EXISTS, with the field that names the taken address."""
    return ApiError(grpc.StatusCode.ALREADY_EXISTS, reasons.ALREADY_EXISTS,
                    "a user with this e-mail already exists",
                    violations=[violation("user.email", reasons.TAKEN, "already exists")])


def cannot_deactivate_self() -> ApiError:
    return failed_precondition(reasons.SELF_DEACTIVATION,
                               "a manager cannot deactivate their own account")


async def create(ctx: Context, request: auth_pb2.CreateUserRequest) -> tuple[User, str]:
    """The new account and its initial password (empty when a retry replays the first).

    Idempotent by request_id. A person given a password by someone else chooses their
    own at the first login; only TicketDesk's own processes can spare them that.
    """
    principal = caller()
    access.require_manager(principal)
    new, password = validation.new_user(request)
    generated = not password
    password = password or passwords.generate_password()
    new.password_change_required = generated or principal.role != Role.SERVICE
    async with ctx.db.begin() as db:
        if new.request_id and (done := await store.user_by_request(db, new.request_id)):
            return done, ""
        await _check_new_account(db, new)
    new.password_hash = await passwords.hash_password(password)
    try:
        async with ctx.db.begin() as db:
            user = await store.add_user(db, new)
            await audit(db, "create_user", convert.user_name(user.id), f"role={user.role}")
    except IntegrityError:  # a concurrent request took the e-mail or the request_id
        async with ctx.db.begin() as db:
            done = new.request_id and await store.user_by_request(db, new.request_id)
        if done:
            return done, ""
        raise email_taken() from None
    return user, password


async def _check_new_account(db: AsyncSession, new: store.NewUser) -> None:
    if new.organization_id:
        org = await store.organization(db, new.organization_id)
        if org is None or not org.active:
            raise invalid([validation.unknown_organization("user.organization",
                                                           "no such active organization")])
    if await store.email_taken(db, new.email):
        raise email_taken()


async def get(ctx: Context, name: str) -> User:
    (user_id,) = validation.name_ids("name", name, "users")
    async with ctx.db.begin() as db:
        return access.visible_user(caller(), await store.user(db, user_id), name)


async def list_(ctx: Context, request: auth_pb2.ListUsersRequest) -> Listed[User]:
    """Staff list any organization's users; a client the active contacts of its own."""
    principal = caller()
    role = validation.role_filter(request.role)
    problems: validation.Problems = []
    org_id = validation.organization_id("organization", request.organization, problems)
    validation.raise_if(problems)
    show_inactive = request.show_inactive
    if not principal.is_staff:
        if request.organization and request.organization != principal.organization:
            raise not_found(request.organization)
        org_id, show_inactive = convert.organization_id(principal), False
    email = validation.normalize_email(request.email) or None
    page = page_request(request.page_size, request.page_token,
                        ["ListUsers", org_id, role, show_inactive, email], parse=strings(2))
    async with ctx.db.begin() as db:
        rows = await store.users(db, organization_id=org_id, role=role,
                                 show_inactive=show_inactive, email=email,
                                 after=page.after, limit=page.size + 1)
    return listed(page, rows, lambda u: (u.full_name, u.id))


async def update(ctx: Context, request: auth_pb2.UpdateUserRequest) -> User:
    principal = caller()
    change = validation.user_changes(request)
    name = request.user.name
    async with ctx.db.begin() as db:
        user = access.visible_user(principal, await store.user(db, change.user_id), name)
        access.may_change(principal, user, change.paths, validation.OWN_USER_FIELDS,
                          validation.USER_FIELDS)
        if {"role", "organization"} & change.paths:
            validation.organization_for_role(
                "user.organization", change.values.get("role", user.role),
                change.values.get("organization_id", user.organization_id), change.problems)
        validation.raise_if(change.problems)
        await _check_changes(db, user, change.values)
        for column, value in change.values.items():
            setattr(user, column, value)
        if change.values.get("active") is False:
            await store.revoke_sessions(db, user.id, utcnow())
        await audit(db, "update_user", name, ",".join(sorted(change.paths)))
    return user


async def _check_changes(db: AsyncSession, user: User, values: dict[str, object]) -> None:
    if values.get("active") is False and access.is_self(caller(), user):
        raise cannot_deactivate_self()
    email = values.get("email")
    if isinstance(email, str) and await store.email_taken(db, email, user.id):
        raise email_taken()
    org_id = values.get("organization_id")
    if isinstance(org_id, str) and await store.organization(db, org_id) is None:
        raise invalid([validation.unknown_organization("user.organization")])


async def deactivate(ctx: Context, name: str) -> User:
    """The account can no longer log in; its sessions end at once."""
    principal = caller()
    access.require_manager(principal)
    (user_id,) = validation.name_ids("name", name, "users")
    async with ctx.db.begin() as db:
        user = access.visible_user(principal, await store.user(db, user_id), name)
        if access.is_self(principal, user):
            raise cannot_deactivate_self()
        user.active = False
        revoked = await store.revoke_sessions(db, user.id, utcnow())
        await audit(db, "deactivate_user", name, f"sessions_revoked={revoked}")
    return user


async def reset_password(ctx: Context, name: str) -> str:
    """A generated password the person must change at the next login; sessions end."""
    principal = caller()
    access.require_manager(principal)
    (user_id,) = validation.name_ids("name", name, "users")
    async with ctx.db.begin() as db:
        access.visible_user(principal, await store.user(db, user_id), name)
    password = passwords.generate_password()
    new_hash = await passwords.hash_password(password)
    async with ctx.db.begin() as db:
        user = await store.user(db, user_id)
        user.password_hash, user.password_change_required = new_hash, True
        revoked = await store.revoke_sessions(db, user.id, utcnow())
        await audit(db, "reset_password", name, f"sessions_revoked={revoked}")
    return password
