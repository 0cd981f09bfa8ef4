"""The manager's calls: organizations, sites, accounts, API tokens and the studio's settings.

`AdminApi` is an `Api` (build it when the page is built, as every page does) with the
administration RPCs. Their failures become `ApiError`s whose `violations` are keyed by the
*form field* (the last segment of the server's field path: `display_name`, `email`, `url`,
`first_response_hours`, `calendar`, …) with a Russian description, so that a dialog can show
each problem next to its field.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Iterable
from typing import TypeVar

import grpc
from google.protobuf.field_mask_pb2 import FieldMask

from services.common.client.errors import error_details
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb

from . import api
from .api import CALL_TIMEOUT, Api, ApiError
from .i18n import N_, _

T = TypeVar('T')

ALL_SITES = 'organizations/-'
PAGE = 100  # the services' largest page

# Roles a manager may give an account or a token.
ROLES = {
    auth_pb2.ROLE_CLIENT: N_('Клиент'),
    auth_pb2.ROLE_DEVELOPER: N_('Разработчик'),
    auth_pb2.ROLE_MANAGER: N_('Менеджер проекта'),
}
STAFF_ROLES = {auth_pb2.ROLE_DEVELOPER: N_('Разработчик'),
               auth_pb2.ROLE_MANAGER: N_('Менеджер проекта')}


def role_options(roles: dict[int, str]) -> dict[int, str]:
    """`ROLES` or `STAFF_ROLES` as a select offers them, in the reader's language."""
    return {value: _(title) for value, title in roles.items()}


REASONS = {
    'SELF_DEACTIVATION': N_('Нельзя отключить собственную учётную запись.'),
    'ALREADY_EXISTS': N_('Такая запись уже существует.'),
    'PERMISSION_DENIED': N_('Это доступно только менеджеру проекта.'),
}

# The services' descriptions of a bad field (services/auth/messages.py, services/tickets/
# validation.py and studio.py, workflows/ticket/calendar.py) -> a msgid; first match wins.
_DESCRIPTIONS: list[tuple[re.Pattern[str], str]] = [(re.compile(p, re.IGNORECASE), m) for p, m in (
    (r'is required for a client', N_('выберите организацию клиента')),
    (r'must be empty for staff', N_('у сотрудников студии нет организации')),
    (r'no such active organization', N_('организация не найдена или отключена')),
    (r'no such organization', N_('организация не найдена')),
    (r'is required', N_('обязательное поле')),
    (r'must be at most (\d+) characters', N_(r'не длиннее \1 символов')),
    (r'must be at least (\d+) characters', N_(r'не короче \1 символов')),
    (r'not a valid e-mail', N_('введите адрес e-mail, например name@example.ru')),
    (r'already exists', N_('уже используется')),
    (r'between 0 \(off\) and (\d+)', N_(r'от 0 (выключено) до \1 рабочих дней')),
    (r'http\(s\) URL', N_('адрес сайта вида https://example.ru')),
    (r'unknown time zone', N_('неизвестный часовой пояс')),
    (r'not a time of day', N_('время в формате ЧЧ:ММ')),
    (r'opens .* must be before closes', N_('начало рабочего дня должно быть раньше конца')),
    (r'no working weekdays', N_('отметьте хотя бы один рабочий день недели')),
    (r'not a weekday', N_('неверный день недели')),
    (r'not a date', N_('дата в формате ДД.ММ.ГГГГ')),
    (r'both a holiday and a workday: (\S+)', N_(r'дата \1 указана и праздником, и рабочим днём')),
    (r'hours from 0 to 10000', N_('от 0 до 10000 часов')),
    (r'must be from 0 to 365', N_('от 0 до 365 рабочих дней')),
    (r'must be between 0 and 1', N_('от 1 до 99 %')),
    (r'too common', N_('слишком распространённый пароль')),
    (r'must not be the e-mail', N_('пароль не должен совпадать с e-mail')),
    (r'must be ru or en', N_('ru или en')),
    (r'must be client, developer or manager', N_('выберите роль')),
    (r'must look like', N_('неверная ссылка на запись')),
)]


def describe(description: str) -> str:
    for pattern, msgid in _DESCRIPTIONS:
        if match := pattern.search(description):
            return match.expand(_(msgid))
    return description


def translate(error: grpc.aio.AioRpcError) -> ApiError:
    """Like `api.translate`, with violations keyed by form field and told in the reader's
    language."""
    code = error.code()
    try:
        reason, violations = error_details(error)
    except Exception:  # a malformed status detail must not hide the error itself
        reason, violations = '', []
    by_field: dict[str, str] = {}
    for path, description in violations:
        key = path.split('.')[-1] or path
        text = describe(description)
        by_field[key] = f'{by_field[key]}; {text}' if key in by_field else text
    message = _(REASONS.get(reason) or api.REASONS.get(reason) or api.MESSAGES.get(code)
                or api.FAILED)
    if code == grpc.StatusCode.ALREADY_EXISTS and 'email' in by_field:
        by_field['email'] = _('пользователь с таким e-mail уже есть')
        message = _('Пользователь с таким e-mail уже есть.')
    elif by_field:
        message = _('Проверьте выделенные поля.')
    return ApiError(message, code=code, reason=reason, violations=by_field)


def mask(*paths: str) -> FieldMask:
    return FieldMask(paths=list(paths))


class AdminApi(Api):
    """The services as a manager sees them."""

    async def _admin(self, call: Awaitable[T]) -> T:
        try:
            return await call
        except grpc.aio.AioRpcError as error:
            raise translate(error) from None

    def _auth(self):
        return api._clients().auth

    def _tickets(self):
        return api._clients().tickets

    def _options(self) -> dict:
        return {'metadata': self._metadata, 'timeout': CALL_TIMEOUT}

    # --- organizations ------------------------------------------------------------------

    async def organizations(self, show_inactive: bool = True) -> list[auth_pb2.Organization]:
        found: list[auth_pb2.Organization] = []
        token = ''
        while True:
            request = auth_pb2.ListOrganizationsRequest(page_size=PAGE, page_token=token,
                                                        show_inactive=show_inactive)
            answer = await self._admin(self._auth().ListOrganizations(request, **self._options()))
            found.extend(answer.organizations)
            token = answer.next_page_token
            if not token:
                return found

    async def organization(self, name: str) -> auth_pb2.Organization:
        request = auth_pb2.GetOrganizationRequest(name=name)
        return await self._admin(self._auth().GetOrganization(request, **self._options()))

    async def create_organization(self, display_name: str, auto_accept_days: int,
                                  request_id: str) -> auth_pb2.Organization:
        request = auth_pb2.CreateOrganizationRequest(
            organization=auth_pb2.Organization(display_name=display_name.strip(),
                                               auto_accept_business_days=auto_accept_days),
            request_id=request_id)
        answer = await self._admin(self._auth().CreateOrganization(request, **self._options()))
        if auto_accept_days == 0 and answer.auto_accept_business_days != 0:
            # The service reads 0 as «the default» on creation: switch it off explicitly.
            answer = await self.update_organization(answer.name,
                                                    auto_accept_business_days=0)
        return answer

    async def update_organization(self, name: str, **changes) -> auth_pb2.Organization:
        """Changes only the given fields: display_name, active, auto_accept_business_days."""
        organization = auth_pb2.Organization(name=name, **changes)
        request = auth_pb2.UpdateOrganizationRequest(organization=organization,
                                                     update_mask=mask(*changes))
        return await self._admin(self._auth().UpdateOrganization(request, **self._options()))

    # --- sites --------------------------------------------------------------------------

    async def sites(self, organization: str = ALL_SITES) -> list[pb.Site]:
        found: list[pb.Site] = []
        token = ''
        while True:
            request = pb.ListSitesRequest(parent=organization, page_size=PAGE, page_token=token,
                                          show_inactive=True)
            answer = await self._admin(self._tickets().ListSites(request, **self._options()))
            found.extend(answer.sites)
            token = answer.next_page_token
            if not token:
                return found

    async def create_site(self, organization: str, url: str, display_name: str,
                          request_id: str) -> pb.Site:
        request = pb.CreateSiteRequest(
            parent=organization, request_id=request_id,
            site=pb.Site(url=url.strip(), display_name=display_name.strip()))
        return await self._admin(self._tickets().CreateSite(request, **self._options()))

    async def update_site(self, name: str, **changes) -> pb.Site:
        request = pb.UpdateSiteRequest(site=pb.Site(name=name, **changes),
                                       update_mask=mask(*changes))
        return await self._admin(self._tickets().UpdateSite(request, **self._options()))

    # --- accounts -----------------------------------------------------------------------

    async def users(self, *, organization: str = '', role: int = auth_pb2.ROLE_UNSPECIFIED
                    ) -> list[auth_pb2.User]:
        found: list[auth_pb2.User] = []
        token = ''
        while True:
            request = auth_pb2.ListUsersRequest(page_size=PAGE, page_token=token,
                                                organization=organization, role=role,
                                                show_inactive=True)
            answer = await self._admin(self._auth().ListUsers(request, **self._options()))
            found.extend(answer.users)
            token = answer.next_page_token
            if not token:
                return found

    async def staff(self) -> list[auth_pb2.User]:
        people = [*await self.users(role=auth_pb2.ROLE_MANAGER),
                  *await self.users(role=auth_pb2.ROLE_DEVELOPER)]
        return sorted(people, key=lambda u: (not u.active, u.full_name.lower(), u.email))

    async def create_user(self, user: auth_pb2.User,
                          request_id: str) -> auth_pb2.CreateUserResponse:
        request = auth_pb2.CreateUserRequest(user=user, request_id=request_id)
        return await self._admin(self._auth().CreateUser(request, **self._options()))

    async def update_user(self, name: str, **changes) -> auth_pb2.User:
        request = auth_pb2.UpdateUserRequest(user=auth_pb2.User(name=name, **changes),
                                             update_mask=mask(*changes))
        return await self._admin(self._auth().UpdateUser(request, **self._options()))

    async def deactivate_user(self, name: str) -> auth_pb2.User:
        request = auth_pb2.DeactivateUserRequest(name=name)
        return await self._admin(self._auth().DeactivateUser(request, **self._options()))

    async def reset_password(self, name: str) -> str:
        request = auth_pb2.ResetPasswordRequest(name=name)
        answer = await self._admin(self._auth().ResetPassword(request, **self._options()))
        return answer.new_password

    # --- API tokens ---------------------------------------------------------------------

    async def api_tokens(self) -> list[auth_pb2.ApiToken]:
        found: list[auth_pb2.ApiToken] = []
        token = ''
        while True:
            request = auth_pb2.ListApiTokensRequest(page_size=PAGE, page_token=token)
            answer = await self._admin(self._auth().ListApiTokens(request, **self._options()))
            found.extend(answer.api_tokens)
            token = answer.next_page_token
            if not token:
                return found

    async def create_api_token(self, display_name: str, role: int, organization: str,
                               request_id: str) -> auth_pb2.CreateApiTokenResponse:
        request = auth_pb2.CreateApiTokenRequest(
            api_token=auth_pb2.ApiToken(display_name=display_name.strip(), role=role,
                                        organization=organization),
            request_id=request_id)
        return await self._admin(self._auth().CreateApiToken(request, **self._options()))

    async def revoke_api_token(self, name: str) -> auth_pb2.ApiToken:
        request = auth_pb2.RevokeApiTokenRequest(name=name)
        return await self._admin(self._auth().RevokeApiToken(request, **self._options()))

    # --- the studio's settings ----------------------------------------------------------

    async def studio_settings(self) -> pb.StudioSettings:
        request = pb.GetStudioSettingsRequest(name='studioSettings')
        return await self._admin(self._tickets().GetStudioSettings(request, **self._options()))

    async def update_studio_settings(self, settings: pb.StudioSettings,
                                     paths: Iterable[str]) -> pb.StudioSettings:
        request = pb.UpdateStudioSettingsRequest(settings=settings, update_mask=mask(*paths))
        return await self._admin(self._tickets().UpdateStudioSettings(request,
                                                                       **self._options()))
