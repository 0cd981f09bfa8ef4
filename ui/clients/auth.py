"""The auth service as one account sees it: signing in and out, the person's own account,
and the manager's organizations, accounts and API tokens."""

from __future__ import annotations

import grpc

from texts.catalog import translate
from texts.errors import BAD_LOGIN, TOO_MANY_LOGINS
from ticketdesk.auth.v1 import auth_pb2

from . import channels
from .account import Account
from .base import CALL_TIMEOUT, Client, mask
from .errors import ApiError, api_error

# A login refused for these reasons is told as it is; any other refusal tells nothing.
TOLD_AS_THEY_ARE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


async def login(email: str, password: str, language: str = 'ru') -> Account:
    """Exchanges e-mail and password for an account; never tells which of them was wrong."""
    request = auth_pb2.LoginRequest(email=email.strip(), password=password)
    try:
        answer = await channels.shared().auth.Login(request, timeout=CALL_TIMEOUT)
    except grpc.aio.AioRpcError as error:
        raise login_error(error, language) from None
    return Account.of(answer.session_token, answer.user)


def login_error(error: grpc.aio.AioRpcError, language: str) -> ApiError:
    """A refused login in words, with no field named: busy and unreachable services as
    they are, a throttled login as such, every other refusal alike."""
    told = api_error(error, language)
    message = told.message if told.code in TOLD_AS_THEY_ARE else translate(
        TOO_MANY_LOGINS if told.code == grpc.StatusCode.RESOURCE_EXHAUSTED else BAD_LOGIN,
        language)
    return ApiError(message, code=told.code, reason=told.reason, language=language)


class AuthClient(Client):
    """AuthService's calls with the account's token."""

    # --- the account itself -------------------------------------------------------------

    async def logout(self) -> None:
        await self.call(self.stubs.auth.Logout, auth_pb2.LogoutRequest())

    async def whoami(self) -> auth_pb2.User:
        return (await self.call(self.stubs.auth.WhoAmI, auth_pb2.WhoAmIRequest())).user

    async def signed_in(self) -> bool:
        """Whether this account's session still holds."""
        try:
            await self.whoami()
        except ApiError:
            return False
        return True

    async def update_profile(self, full_name: str, phone: str) -> auth_pb2.User:
        """The person's own name and phone."""
        return await self.update_user(self.account.name, full_name=full_name.strip(),
                                      phone=phone.strip())

    async def change_language(self, code: str) -> auth_pb2.User:
        return await self.update_user(self.account.name, language=code)

    async def change_password(self, current: str, new: str) -> str:
        """Sets a new password. The service ends every session of the person and answers a
        fresh session's token, which the caller adopts."""
        request = auth_pb2.ChangePasswordRequest(current_password=current, new_password=new)
        return (await self.call(self.stubs.auth.ChangePassword, request)).session_token

    async def organization_title(self) -> str:
        """The client's organization by its name; empty for staff and on failure."""
        if not self.account.organization:
            return ''
        try:
            return (await self.organization(self.account.organization)).display_name
        except ApiError:
            return ''

    # --- organizations ------------------------------------------------------------------

    async def organizations(self, show_inactive: bool = True) -> list[auth_pb2.Organization]:
        request = auth_pb2.ListOrganizationsRequest(show_inactive=show_inactive)
        return await self.all_pages(self.stubs.auth.ListOrganizations, request, 'organizations')

    async def organization_names(self) -> dict[str, str]:
        """`organizations/{id}` -> display name, for staff; best effort (empty on failure)."""
        if self.account.is_client:
            return {}
        try:
            return {o.name: o.display_name for o in await self.organizations()}
        except ApiError:
            return {}

    async def organization(self, name: str) -> auth_pb2.Organization:
        request = auth_pb2.GetOrganizationRequest(name=name)
        return await self.call(self.stubs.auth.GetOrganization, request)

    async def create_organization(self, display_name: str, auto_accept_days: int,
                                  request_id: str) -> auth_pb2.Organization:
        request = auth_pb2.CreateOrganizationRequest(
            organization=auth_pb2.Organization(display_name=display_name.strip(),
                                               auto_accept_business_days=auto_accept_days),
            request_id=request_id)
        created = await self.call(self.stubs.auth.CreateOrganization, request)
        if auto_accept_days == 0 and created.auto_accept_business_days != 0:
            # The service reads 0 as «the default» on creation: switch it off explicitly.
            created = await self.update_organization(created.name, auto_accept_business_days=0)
        return created

    async def update_organization(self, name: str, **changes) -> auth_pb2.Organization:
        """Changes only the given fields: display_name, active, auto_accept_business_days,
        client_sees_time_spent."""
        request = auth_pb2.UpdateOrganizationRequest(
            organization=auth_pb2.Organization(name=name, **changes), update_mask=mask(*changes))
        return await self.call(self.stubs.auth.UpdateOrganization, request)

    # --- people -------------------------------------------------------------------------

    async def users(self, *, organization: str = '', role: int = auth_pb2.ROLE_UNSPECIFIED,
                    show_inactive: bool = True) -> list[auth_pb2.User]:
        request = auth_pb2.ListUsersRequest(organization=organization, role=role,
                                            show_inactive=show_inactive)
        return await self.all_pages(self.stubs.auth.ListUsers, request, 'users')

    async def staff(self, *, show_inactive: bool = True) -> list[auth_pb2.User]:
        """The studio's managers and developers, the active first, by name."""
        people = [user for role in (auth_pb2.ROLE_MANAGER, auth_pb2.ROLE_DEVELOPER)
                  for user in await self.users(role=role, show_inactive=show_inactive)]
        return sorted(people, key=lambda u: (not u.active, u.full_name.casefold(), u.email))

    async def staff_names(self) -> dict[str, str]:
        """The active developers and managers, `users/{id}` -> name, by name (assignees)."""
        people = await self.staff(show_inactive=False)
        return {u.name: u.full_name or u.email
                for u in sorted(people, key=lambda u: (u.full_name or u.email).casefold())}

    async def contacts(self, organization: str) -> list[auth_pb2.User]:
        """The active contact persons of an organization."""
        return await self.users(organization=organization, role=auth_pb2.ROLE_CLIENT,
                                show_inactive=False)

    async def create_user(self, user: auth_pb2.User,
                          request_id: str) -> auth_pb2.CreateUserResponse:
        """The answer holds the initial password, shown once."""
        request = auth_pb2.CreateUserRequest(user=user, request_id=request_id)
        return await self.call(self.stubs.auth.CreateUser, request)

    async def update_user(self, name: str, **changes) -> auth_pb2.User:
        """Changes only the given fields of the account `name`."""
        request = auth_pb2.UpdateUserRequest(user=auth_pb2.User(name=name, **changes),
                                             update_mask=mask(*changes))
        return await self.call(self.stubs.auth.UpdateUser, request)

    async def deactivate_user(self, name: str) -> auth_pb2.User:
        return await self.call(self.stubs.auth.DeactivateUser,
                               auth_pb2.DeactivateUserRequest(name=name))

    async def reset_password(self, name: str) -> str:
        """A new password for the account, shown once; it must choose its own at sign-in."""
        answer = await self.call(self.stubs.auth.ResetPassword,
                                 auth_pb2.ResetPasswordRequest(name=name))
        return answer.new_password

    # --- API tokens ---------------------------------------------------------------------

    async def api_tokens(self) -> list[auth_pb2.ApiToken]:
        return await self.all_pages(self.stubs.auth.ListApiTokens,
                                    auth_pb2.ListApiTokensRequest(), 'api_tokens')

    async def create_api_token(self, display_name: str, role: int, organization: str,
                               request_id: str) -> auth_pb2.CreateApiTokenResponse:
        """The answer holds the token's secret, shown once."""
        request = auth_pb2.CreateApiTokenRequest(
            api_token=auth_pb2.ApiToken(display_name=display_name.strip(), role=role,
                                        organization=organization),
            request_id=request_id)
        return await self.call(self.stubs.auth.CreateApiToken, request)

    async def revoke_api_token(self, name: str) -> auth_pb2.ApiToken:
        return await self.call(self.stubs.auth.RevokeApiToken,
                               auth_pb2.RevokeApiTokenRequest(name=name))
