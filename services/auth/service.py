"""AuthService: the gRPC face of the directory. Checks rights, validates, converts."""

from __future__ import annotations

import functools
import hmac
from datetime import datetime

import grpc
import structlog

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.auth import access, directory, passwords
from services.auth import messages as msg
from services.auth.models import User, utcnow
from services.auth.paging import next_page_token, page_request
from services.auth.policy import AuthPolicy
from services.common.server.authn import principal_to_proto
from services.common.server.errors import ApiError, invalid, not_found, unauthenticated
from services.common.server.interceptor import client_address, current_call
from services.common.server.principal import (SERVICE_PRINCIPAL, Principal, Role, caller,
                                       current_token)
from ticketdesk.auth.v1 import auth_pb2, auth_pb2_grpc

log = structlog.get_logger()

BAD_LOGIN = "invalid e-mail or password"
ORGANIZATION_FIELDS = {"display_name", "active", "auto_accept_business_days"}
OWN_USER_FIELDS = {"full_name", "phone", "language"}
USER_FIELDS = OWN_USER_FIELDS | {"email", "role", "organization", "active"}


def _failure(user: User | None, password_correct: bool) -> str:
    """Why a login failed, for the audit log only: the caller always hears BAD_LOGIN."""
    if user is None:
        return "unknown_email"
    return "inactive" if password_correct else "wrong_password"


def _parse_time_key(after: tuple) -> tuple:
    return datetime.fromisoformat(after[0]), after[1]


class AuthServicer(auth_pb2_grpc.AuthServiceServicer):
    def __init__(self, sessions: async_sessionmaker, policy: AuthPolicy, service_token: str):
        self.db = sessions
        self.policy = policy
        self.service_token = service_token

    async def resolve(self, token: str) -> Principal | None:
        """The interceptor's resolver: sessions and API tokens, straight from the database.

        A token that resolves to nothing is recorded in the audit log (never the token),
        with the method it was presented to: `.../Authenticate` when another service asked.
        """
        call = current_call.get()
        async with self.db.begin() as db:
            principal = await directory.resolve(db, token, self.policy, utcnow())
            if principal is None:
                await directory.audit(db, "anonymous", "authenticate", "failure",
                                      target=call.method, client_address=call.peer,
                                      detail="invalid, expired or revoked token")
        return principal

    # ------------------------------------------------------------ login and sessions

    async def Login(self, request, context):
        email, password = directory.normalize_email(request.email), request.password
        problems: list = []
        msg.required_text("email", email, 254, problems)
        if not password:
            problems.append(("password", "is required"))
        elif len(password) > passwords.MAX_LENGTH:
            problems.append(("password", f"must be at most {passwords.MAX_LENGTH} characters"))
        msg.raise_if(problems)
        address = client_address(context)
        await self._refuse_if_throttled(email, address, "login")
        async with self.db.begin() as db:
            user, org = await directory.user_with_organization(db, email)
        stored = user.password_hash if user else passwords.DUMMY_HASH
        correct = await passwords.verify_password(stored, password)
        if not (correct and directory.can_log_in(user, org)):
            await self._login_failed(email, address, "login", _failure(user, correct))
            raise unauthenticated(BAD_LOGIN)
        rehash = passwords.needs_rehash(stored)
        new_hash = await passwords.hash_password(password) if rehash else None
        return await self._login_succeeded(user.id, email, address, new_hash)

    async def _refuse_if_throttled(self, email: str, address: str, action: str) -> None:
        now = utcnow()
        async with self.db.begin() as db:
            until = await directory.throttled_until(db, email, address, self.policy, now)
            if until:
                await directory.audit(db, "anonymous", action, "throttled",
                                      target=f"email:{email}", client_address=address)
        if until:
            log.info(f"{action}.throttled", peer=address)
            raise access.login_throttled(until - now)

    async def _login_failed(self, email: str, address: str, action: str, reason: str) -> None:
        now = utcnow()
        async with self.db.begin() as db:
            await directory.record_attempt(db, email, address, False, now)
            await directory.audit(db, "anonymous", action, "failure", target=f"email:{email}",
                                  client_address=address, detail=reason)
            locked = await directory.throttled_until(db, email, address, self.policy, now)
            if locked:
                await directory.audit(db, "anonymous", f"{action}.lockout", "success",
                                      target=f"email:{email}", client_address=address)
        log.info(f"{action}.failure", reason=reason, peer=address, lockout=bool(locked))

    async def _login_succeeded(self, user_id: str, email: str, address: str,
                               new_hash: str | None) -> auth_pb2.LoginResponse:
        now = utcnow()
        async with self.db.begin() as db:
            user = await directory.user(db, user_id)
            if new_hash:
                user.password_hash = new_hash
            await directory.record_attempt(db, email, address, True, now)
            await directory.prune_attempts(db, now - self.policy.attempts_kept)
            token, session = await directory.open_session(db, user, address, self.policy, now)
            await directory.audit(db, directory.user_name(user.id), "login", "success",
                                  target=directory.session_name(session), client_address=address)
        log.info("login.success", user=directory.user_name(user.id), peer=address)
        return auth_pb2.LoginResponse(session_token=token, user=msg.user_message(user),
                                      expire_time=msg.timestamp(session.expire_time))

    async def Logout(self, request, context):
        async with self.db.begin() as db:
            session = await directory.session_of_token(db, current_token.get())
            if session is None or session.revoked_time is not None:
                return auth_pb2.LogoutResponse()
            session.revoked_time = utcnow()
            await directory.audit(db, caller().subject, "logout", "success",
                                  target=directory.session_name(session),
                                  client_address=client_address(context))
        return auth_pb2.LogoutResponse()

    async def WhoAmI(self, request, context):
        principal = caller()
        answer = auth_pb2.WhoAmIResponse(principal=principal_to_proto(principal))
        if principal.user:
            async with self.db.begin() as db:
                user = await directory.user(db, principal.user.removeprefix("users/"))
            if user:
                answer.user.CopyFrom(msg.user_message(user))
        return answer

    async def Authenticate(self, request, context):
        access.require_service(caller())
        token = request.token
        # As bytes: compare_digest refuses str with non-ASCII characters (TypeError).
        if self.service_token and hmac.compare_digest(token.encode(), self.service_token.encode()):
            return principal_to_proto(SERVICE_PRINCIPAL)
        principal = await self.resolve(token) if token else None
        if principal is None:
            raise unauthenticated("invalid or expired token")
        return principal_to_proto(principal)

    async def ChangePassword(self, request, context):
        user_id = access.require_person(caller())
        address = client_address(context)
        async with self.db.begin() as db:
            user = await directory.user(db, user_id)
        try:
            passwords.check_new_password(request.new_password, user.email)
        except passwords.WeakPassword as weak:
            raise invalid([("new_password", str(weak))]) from None
        await self._refuse_if_throttled(user.email, address, "change_password")
        if not await passwords.verify_password(user.password_hash, request.current_password):
            await self._login_failed(user.email, address, "change_password", "wrong_password")
            raise invalid([("current_password", "is wrong")])
        new_hash = await passwords.hash_password(request.new_password)
        now = utcnow()
        async with self.db.begin() as db:
            user = await directory.user(db, user_id)
            user.password_hash, user.password_change_required = new_hash, False
            await directory.revoke_sessions(db, user.id, now)
            token, _ = await directory.open_session(db, user, address, self.policy, now)
            await directory.audit(db, caller().subject, "change_password", "success",
                                  target=directory.user_name(user.id), client_address=address)
        return auth_pb2.ChangePasswordResponse(session_token=token)

    # ------------------------------------------------------------ organizations

    async def CreateOrganization(self, request, context):
        access.require_manager(caller())
        problems: list = []
        org_in = request.organization
        display_name = msg.required_text("organization.display_name", org_in.display_name, 200,
                                         problems)
        days = msg.auto_accept_days("organization.auto_accept_business_days",
                                    org_in.auto_accept_business_days, problems)
        request_id = msg.request_id(request.request_id, problems)
        msg.raise_if(problems)
        try:
            async with self.db.begin() as db:
                if request_id and (done := await directory.organization_by_request(db, request_id)):
                    return msg.organization_message(done)
                org = await directory.add_organization(
                    db, display_name, days or msg.DEFAULT_AUTO_ACCEPT_DAYS, request_id)
                await self._audit_in(db, context, "create_organization",
                                     directory.organization_name(org.id))
        except IntegrityError:  # a concurrent retry with the same request_id won
            async with self.db.begin() as db:
                org = await directory.organization_by_request(db, request_id or "")
            if org is None:
                raise
        return msg.organization_message(org)

    async def _audit_in(self, db: AsyncSession, context, action: str, target: str,
                        detail: str = "") -> None:
        await directory.audit(db, caller().subject, action, "success", target=target,
                              client_address=client_address(context), detail=detail)

    async def GetOrganization(self, request, context):
        (org_id,) = msg.name_id("name", request.name, "organizations")
        if not caller().can_see_organization(request.name):
            raise not_found(request.name)
        async with self.db.begin() as db:
            org = await directory.organization(db, org_id)
        if org is None:
            raise not_found(request.name)
        return msg.organization_message(org)

    async def ListOrganizations(self, request, context):
        principal = caller()
        only = None if principal.is_staff else principal.organization.removeprefix("organizations/")
        show_inactive = request.show_inactive and principal.is_staff
        page = page_request(request.page_size, request.page_token, [only, show_inactive])
        async with self.db.begin() as db:
            rows = await directory.organizations(db, only=only, show_inactive=show_inactive,
                                                 after=page.after, limit=page.size + 1)
        return auth_pb2.ListOrganizationsResponse(
            organizations=[msg.organization_message(o) for o in rows[:page.size]],
            next_page_token=next_page_token(page, rows, lambda o: (o.display_name, o.id)))

    async def UpdateOrganization(self, request, context):
        access.require_manager(caller())
        org_in, paths = request.organization, set(request.update_mask.paths)
        (org_id,) = msg.name_id("organization.name", org_in.name, "organizations")
        if not paths or not paths <= ORGANIZATION_FIELDS:
            raise invalid([("update_mask", f"must list some of {sorted(ORGANIZATION_FIELDS)}")])
        problems: list = []
        changes = {
            "display_name": msg.required_text("organization.display_name",
                                              org_in.display_name, 200, problems),
            "active": org_in.active,
            "auto_accept_business_days": msg.auto_accept_days(
                "organization.auto_accept_business_days", org_in.auto_accept_business_days,
                problems),
        }
        msg.raise_if([p for p in problems if p[0].split(".")[-1] in paths])
        async with self.db.begin() as db:
            org = await directory.organization(db, org_id)
            if org is None:
                raise not_found(org_in.name)
            for path in paths:
                setattr(org, path, changes[path])
            detail = ",".join(sorted(paths))
            if "active" in paths and not org.active:
                revoked = await directory.revoke_organization_sessions(db, org.id, utcnow())
                detail += f"; sessions_revoked={revoked}"
            await self._audit_in(db, context, "update_organization", org_in.name, detail)
        return msg.organization_message(org)

    # ------------------------------------------------------------ users

    async def CreateUser(self, request, context):
        principal = caller()
        access.require_manager(principal)
        new, password, problems = self._new_user(request)
        msg.raise_if(problems)
        generated = not password
        password = password or passwords.generate_password()
        new.password_change_required = generated or principal.role != Role.SERVICE
        async with self.db.begin() as db:
            if new.request_id and (done := await directory.user_by_request(db, new.request_id)):
                return auth_pb2.CreateUserResponse(user=msg.user_message(done))
            await self._check_new_account(db, new)
        new.password_hash = await passwords.hash_password(password)
        try:
            async with self.db.begin() as db:
                user = await directory.add_user(db, new)
                await self._audit_in(db, context, "create_user", directory.user_name(user.id),
                                     f"role={user.role}")
        except IntegrityError:  # a concurrent request took the e-mail or the request_id
            async with self.db.begin() as db:
                done = new.request_id and await directory.user_by_request(db, new.request_id)
            if done:
                return auth_pb2.CreateUserResponse(user=msg.user_message(done))
            raise access.already_exists("a user with this e-mail", "user.email") from None
        return auth_pb2.CreateUserResponse(user=msg.user_message(user), initial_password=password)

    def _new_user(self, request) -> tuple[directory.NewUser, str, list]:
        problems: list = []
        user_in = request.user
        role = msg.account_role("user.role", user_in.role, problems)
        org_id = msg.organization_id("user.organization", user_in.organization, problems)
        msg.client_needs_organization("user.organization", role, org_id, problems)
        new = directory.NewUser(
            email=msg.email_address("user.email", user_in.email, problems),
            full_name=msg.required_text("user.full_name", user_in.full_name, 200, problems),
            phone=msg.optional_text("user.phone", user_in.phone, 50, problems),
            role=role, organization_id=org_id,
            language=msg.language("user.language", user_in.language, problems),
            password_hash="", password_change_required=True,
            request_id=msg.request_id(request.request_id, problems))
        password = request.initial_password
        if password:
            try:
                passwords.check_new_password(password, new.email)
            except passwords.WeakPassword as weak:
                problems.append(("initial_password", str(weak)))
        return new, password, problems

    async def _check_new_account(self, db: AsyncSession, new: directory.NewUser) -> None:
        if new.organization_id:
            org = await directory.organization(db, new.organization_id)
            if org is None or not org.active:
                raise invalid([("user.organization", "no such active organization")])
        if await directory.email_taken(db, new.email):
            raise access.already_exists("a user with this e-mail", "user.email")

    async def GetUser(self, request, context):
        principal = caller()
        (user_id,) = msg.name_id("name", request.name, "users")
        async with self.db.begin() as db:
            user = access.visible_user(principal, await directory.user(db, user_id), request.name)
        return self._user_for(principal, user)

    def _user_for(self, principal: Principal, user: User) -> auth_pb2.User:
        if access.sees_full_user(principal, user):
            return msg.user_message(user)
        return msg.contact_message(user)

    async def ListUsers(self, request, context):
        principal = caller()
        role = msg.account_role_filter(request.role)
        org_id = msg.organization_id("organization", request.organization, problems := [])
        msg.raise_if(problems)
        show_inactive = request.show_inactive
        if not principal.is_staff:
            if request.organization and request.organization != principal.organization:
                raise not_found(request.organization)
            org_id, show_inactive = principal.organization.removeprefix("organizations/"), False
        page = page_request(request.page_size, request.page_token, [org_id, role, show_inactive])
        async with self.db.begin() as db:
            rows = await directory.users(db, organization_id=org_id, role=role,
                                         show_inactive=show_inactive, after=page.after,
                                         limit=page.size + 1)
        return auth_pb2.ListUsersResponse(
            users=[self._user_for(principal, u) for u in rows[:page.size]],
            next_page_token=next_page_token(page, rows, lambda u: (u.full_name, u.id)))

    async def UpdateUser(self, request, context):
        principal = caller()
        user_in, paths = request.user, set(request.update_mask.paths)
        (user_id,) = msg.name_id("user.name", user_in.name, "users")
        if not paths or not paths <= USER_FIELDS:
            raise invalid([("update_mask", f"must list some of {sorted(USER_FIELDS)}")])
        changes, problems = self._user_changes(user_in, paths)
        async with self.db.begin() as db:
            user = access.visible_user(principal, await directory.user(db, user_id), user_in.name)
            allowed = USER_FIELDS if principal.is_manager else (
                OWN_USER_FIELDS if access.is_self(principal, user) else set())
            if not paths <= allowed:
                raise access.permission_denied_fields(paths - allowed)
            self._check_account_shape(user, changes, problems)
            msg.raise_if(problems)
            await self._check_changes(db, principal, user, changes)
            for field, value in changes.items():
                setattr(user, field, value)
            if changes.get("active") is False:
                await directory.revoke_sessions(db, user.id, utcnow())
            await self._audit_in(db, context, "update_user", user_in.name, ",".join(sorted(paths)))
        return msg.user_message(user)

    def _user_changes(self, user_in: auth_pb2.User, paths: set[str]) -> tuple[dict, list]:
        problems: list = []
        readers = {
            "full_name": lambda: msg.required_text("user.full_name", user_in.full_name, 200,
                                                   problems),
            "phone": lambda: msg.optional_text("user.phone", user_in.phone, 50, problems),
            "language": lambda: msg.language("user.language", user_in.language, problems),
            "email": lambda: msg.email_address("user.email", user_in.email, problems),
            "role": lambda: msg.account_role("user.role", user_in.role, problems),
            "organization": lambda: msg.organization_id("user.organization",
                                                        user_in.organization, problems),
            "active": lambda: user_in.active,
        }
        changes = {("organization_id" if p == "organization" else p): readers[p]() for p in paths}
        return changes, problems

    def _check_account_shape(self, user: User, changes: dict, problems: list) -> None:
        role = changes.get("role", user.role)
        org_id = changes.get("organization_id", user.organization_id)
        if "role" in changes or "organization_id" in changes:
            msg.client_needs_organization("user.organization", role, org_id, problems)

    async def _check_changes(self, db: AsyncSession, principal: Principal, user: User,
                             changes: dict) -> None:
        if changes.get("active") is False and access.is_self(principal, user):
            raise access.cannot_deactivate_self()
        if "email" in changes and await directory.email_taken(db, changes["email"], user.id):
            raise access.already_exists("a user with this e-mail", "user.email")
        if changes.get("organization_id"):
            org = await directory.organization(db, changes["organization_id"])
            if org is None:
                raise invalid([("user.organization", "no such organization")])

    async def DeactivateUser(self, request, context):
        principal = caller()
        access.require_manager(principal)
        (user_id,) = msg.name_id("name", request.name, "users")
        async with self.db.begin() as db:
            user = access.visible_user(principal, await directory.user(db, user_id), request.name)
            if access.is_self(principal, user):
                raise access.cannot_deactivate_self()
            user.active = False
            revoked = await directory.revoke_sessions(db, user.id, utcnow())
            await self._audit_in(db, context, "deactivate_user", request.name,
                                 f"sessions_revoked={revoked}")
        return msg.user_message(user)

    async def ResetPassword(self, request, context):
        principal = caller()
        access.require_manager(principal)
        (user_id,) = msg.name_id("name", request.name, "users")
        async with self.db.begin() as db:
            access.visible_user(principal, await directory.user(db, user_id), request.name)
        password = passwords.generate_password()
        new_hash = await passwords.hash_password(password)
        async with self.db.begin() as db:
            user = await directory.user(db, user_id)
            user.password_hash, user.password_change_required = new_hash, True
            revoked = await directory.revoke_sessions(db, user.id, utcnow())
            await self._audit_in(db, context, "reset_password", request.name,
                                 f"sessions_revoked={revoked}")
        return auth_pb2.ResetPasswordResponse(new_password=password)

    # ------------------------------------------------------------ sessions

    async def ListSessions(self, request, context):
        principal = caller()
        (user_id,) = msg.name_id("parent", request.parent, "users")
        page = page_request(request.page_size, request.page_token, [user_id], _parse_time_key)
        async with self.db.begin() as db:
            user = access.visible_user(principal, await directory.user(db, user_id),
                                       request.parent)
            access.may_manage_sessions_of(principal, user, request.parent)
            rows = await directory.live_sessions(db, user_id, self.policy, utcnow(), page.after,
                                                 page.size + 1)
        return auth_pb2.ListSessionsResponse(
            sessions=[msg.session_message(s) for s in rows[:page.size]],
            next_page_token=next_page_token(page, rows, lambda s: (s.create_time, s.id)))

    async def RevokeSession(self, request, context):
        principal = caller()
        user_id, session_id = msg.name_id("name", request.name, "users", "sessions")
        async with self.db.begin() as db:
            user = access.visible_user(principal, await directory.user(db, user_id), request.name)
            access.may_manage_sessions_of(principal, user, request.name)
            session = await directory.session(db, session_id)
            if session is None or session.user_id != user_id:
                raise not_found(request.name)
            if session.revoked_time is None:
                session.revoked_time = utcnow()
                await self._audit_in(db, context, "revoke_session", request.name)
        return auth_pb2.RevokeSessionResponse()

    # ------------------------------------------------------------ API tokens

    async def CreateApiToken(self, request, context):
        access.require_manager(caller())
        problems: list = []
        token_in = request.api_token
        display_name = msg.required_text("api_token.display_name", token_in.display_name, 200,
                                         problems)
        role = msg.account_role("api_token.role", token_in.role, problems)
        org_id = msg.organization_id("api_token.organization", token_in.organization, problems)
        msg.client_needs_organization("api_token.organization", role, org_id, problems)
        request_id = msg.request_id(request.request_id, problems)
        msg.raise_if(problems)
        async with self.db.begin() as db:
            if request_id and (done := await directory.api_token_by_request(db, request_id)):
                return auth_pb2.CreateApiTokenResponse(api_token=msg.api_token_message(done))
            if org_id and await directory.organization(db, org_id) is None:
                raise invalid([("api_token.organization", "no such organization")])
            secret, row = await directory.add_api_token(db, display_name, role, org_id,
                                                        request_id, utcnow())
            await self._audit_in(db, context, "create_api_token",
                                 directory.api_token_name(row.id), f"role={role}")
        return auth_pb2.CreateApiTokenResponse(api_token=msg.api_token_message(row), token=secret)

    async def ListApiTokens(self, request, context):
        access.require_manager(caller())
        page = page_request(request.page_size, request.page_token, [], _parse_time_key)
        async with self.db.begin() as db:
            rows = await directory.api_tokens(db, page.after, page.size + 1)
        return auth_pb2.ListApiTokensResponse(
            api_tokens=[msg.api_token_message(t) for t in rows[:page.size]],
            next_page_token=next_page_token(page, rows, lambda t: (t.create_time, t.id)))

    async def RevokeApiToken(self, request, context):
        access.require_manager(caller())
        (token_id,) = msg.name_id("name", request.name, "apiTokens")
        async with self.db.begin() as db:
            row = await directory.api_token(db, token_id)
            if row is None:
                raise not_found(request.name)
            if not row.revoked:
                row.revoked = True
                await self._audit_in(db, context, "revoke_api_token", request.name)
        return msg.api_token_message(row)


def _audit_denials(handler):
    """A refusal by the auth service itself (PERMISSION_DENIED) goes to the audit log."""

    @functools.wraps(handler)
    async def audited(self: AuthServicer, request, context):
        try:
            return await handler(self, request, context)
        except ApiError as error:
            if error.code == grpc.StatusCode.PERMISSION_DENIED:
                async with self.db.begin() as db:
                    await directory.audit(db, caller().subject, handler.__name__, "denied",
                                          client_address=client_address(context),
                                          detail=error.message)
            raise

    return audited


for _method in auth_pb2.DESCRIPTOR.services_by_name["AuthService"].methods:
    setattr(AuthServicer, _method.name, _audit_denials(getattr(AuthServicer, _method.name)))
