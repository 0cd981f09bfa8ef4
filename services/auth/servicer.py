"""The gRPC face of the auth service: each method calls its use case and converts the answer.

AuthInternalService is for TicketDesk's own processes: the shared interceptor refuses it
to every token but the service token (SERVICE_ONLY), so it checks nothing itself.
"""

from __future__ import annotations

import functools

import grpc

from services.auth import convert
from services.auth.models import User
from services.auth.usecases import access, api_tokens, login, organizations, sessions, users
from services.auth.usecases.context import Context, audit
from services.common.server.authn import principal_to_proto
from services.common.server.errors import ApiError
from services.common.server.principal import caller
from ticketdesk.auth.v1 import auth_internal_pb2_grpc, auth_pb2, auth_pb2_grpc


def _as_seen(user: User) -> auth_pb2.User:
    """All of an account for staff and for the person; a contact's card for a client."""
    return convert.user(user, full=access.sees_full_user(caller(), user))


class AuthServicer(auth_pb2_grpc.AuthServiceServicer):
    def __init__(self, ctx: Context):
        self.ctx = ctx

    # ------------------------------------------------------------ login and sessions

    async def Login(self, request, context):
        token, session, user = await login.login(self.ctx, request)
        return auth_pb2.LoginResponse(session_token=token, user=convert.user(user),
                                      expire_time=convert.timestamp(session.expire_time))

    async def Logout(self, request, context):
        await sessions.logout(self.ctx)
        return auth_pb2.LogoutResponse()

    async def WhoAmI(self, request, context):
        principal, user = await sessions.who_am_i(self.ctx)
        return auth_pb2.WhoAmIResponse(principal=principal_to_proto(principal),
                                       user=convert.user(user) if user else None)

    async def ChangePassword(self, request, context):
        token = await login.change_password(self.ctx, request)
        return auth_pb2.ChangePasswordResponse(session_token=token)

    async def ListSessions(self, request, context):
        page = await sessions.list_sessions(self.ctx, request)
        return auth_pb2.ListSessionsResponse(sessions=map(convert.session, page.items),
                                             next_page_token=page.next_page_token)

    async def RevokeSession(self, request, context):
        await sessions.revoke_session(self.ctx, request.name)
        return auth_pb2.RevokeSessionResponse()

    # ------------------------------------------------------------ organizations

    async def CreateOrganization(self, request, context):
        return convert.organization(await organizations.create(self.ctx, request))

    async def GetOrganization(self, request, context):
        return convert.organization(await organizations.get(self.ctx, request.name))

    async def ListOrganizations(self, request, context):
        page = await organizations.list_(self.ctx, request)
        return auth_pb2.ListOrganizationsResponse(
            organizations=map(convert.organization, page.items),
            next_page_token=page.next_page_token)

    async def UpdateOrganization(self, request, context):
        return convert.organization(await organizations.update(self.ctx, request))

    # ------------------------------------------------------------ users

    async def CreateUser(self, request, context):
        user, password = await users.create(self.ctx, request)
        return auth_pb2.CreateUserResponse(user=convert.user(user), initial_password=password)

    async def GetUser(self, request, context):
        return _as_seen(await users.get(self.ctx, request.name))

    async def ListUsers(self, request, context):
        page = await users.list_(self.ctx, request)
        return auth_pb2.ListUsersResponse(users=map(_as_seen, page.items),
                                          next_page_token=page.next_page_token)

    async def UpdateUser(self, request, context):
        return convert.user(await users.update(self.ctx, request))

    async def DeactivateUser(self, request, context):
        return convert.user(await users.deactivate(self.ctx, request.name))

    async def ResetPassword(self, request, context):
        password = await users.reset_password(self.ctx, request.name)
        return auth_pb2.ResetPasswordResponse(new_password=password)

    # ------------------------------------------------------------ API tokens

    async def CreateApiToken(self, request, context):
        row, secret = await api_tokens.create(self.ctx, request)
        return auth_pb2.CreateApiTokenResponse(api_token=convert.api_token(row), token=secret)

    async def ListApiTokens(self, request, context):
        page = await api_tokens.list_(self.ctx, request)
        return auth_pb2.ListApiTokensResponse(api_tokens=map(convert.api_token, page.items),
                                              next_page_token=page.next_page_token)

    async def RevokeApiToken(self, request, context):
        return convert.api_token(await api_tokens.revoke(self.ctx, request.name))


class AuthInternalServicer(auth_internal_pb2_grpc.AuthInternalServiceServicer):
    def __init__(self, ctx: Context):
        self.ctx = ctx

    async def Authenticate(self, request, context):
        return principal_to_proto(await sessions.authenticate(self.ctx, request.token))


def _audit_denials(handler):
    """A refusal by the auth service itself (PERMISSION_DENIED) goes to the audit log."""

    @functools.wraps(handler)
    async def audited(self: AuthServicer, request, context):
        try:
            return await handler(self, request, context)
        except ApiError as error:
            if error.code == grpc.StatusCode.PERMISSION_DENIED:
                async with self.ctx.db.begin() as db:
                    await audit(db, handler.__name__, detail=error.message, outcome="denied")
            raise

    return audited


for _method in auth_pb2.DESCRIPTOR.services_by_name["AuthService"].methods:
    setattr(AuthServicer, _method.name, _audit_denials(getattr(AuthServicer, _method.name)))
