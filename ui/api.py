"""The UI's only door to the services: gRPC calls made with the signed-in user's token.

Pages build an `Api` for the account they were opened by (`Api.of_current_user()`) and
keep it for their callbacks: a callback triggered by another user's action would read
*that* user's `app.storage.user` (see docs/ENGINEERING.md, the cross-user pitfall).
Every failed call becomes an `ApiError` told in the reader's language; no gRPC error reaches
the page as a traceback.
"""

from __future__ import annotations

import re
import secrets
import time
import uuid
from collections.abc import Awaitable, Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import TypeVar

import grpc
from google.protobuf.field_mask_pb2 import FieldMask
from nicegui import app

from services.common.client.channels import Clients, bearer
from services.common.platform.config import Settings
from services.common.client.errors import error_details
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb

from . import i18n, labels
from .observability import traced_action
from .i18n import N_, _

T = TypeVar('T')

CALL_TIMEOUT = 10.0
# A transition waits for the ticket's workflow.
TRANSITION_TIMEOUT = 30.0
PAGE_SIZE = 50

BAD_LOGIN = N_('Неверный e-mail или пароль')
TOO_MANY_LOGINS = N_('Слишком много попыток входа. Попробуйте позже.')
SESSION_EXPIRED = N_('Сеанс истёк. Войдите снова.')
FAILED = N_('Не удалось выполнить запрос. Попробуйте ещё раз.')

MESSAGES = {
    grpc.StatusCode.UNAVAILABLE: N_('Сервис временно недоступен. Попробуйте ещё раз через минуту.'),
    grpc.StatusCode.DEADLINE_EXCEEDED: N_('Сервис не ответил вовремя. Попробуйте ещё раз.'),
    grpc.StatusCode.NOT_FOUND: N_('Не найдено.'),
    grpc.StatusCode.PERMISSION_DENIED: N_('Недостаточно прав для этого действия.'),
    grpc.StatusCode.UNAUTHENTICATED: SESSION_EXPIRED,
    grpc.StatusCode.INVALID_ARGUMENT: N_('Проверьте заполнение полей.'),
    grpc.StatusCode.RESOURCE_EXHAUSTED: N_('Слишком много запросов. Попробуйте позже.'),
    grpc.StatusCode.ABORTED: N_('Тикет только что изменился. Обновите страницу и повторите.'),
    grpc.StatusCode.ALREADY_EXISTS: N_('Такая запись уже существует.'),
    grpc.StatusCode.FAILED_PRECONDITION: N_('Это действие сейчас недоступно.'),
}

# ErrorInfo reasons of the status table (workflows/ticket/rules.py).
REASONS = {
    'TICKET_CLOSED': N_('Тикет уже закрыт.'),
    'PASSWORD_CHANGE_REQUIRED': N_('Сначала задайте свой пароль.'),
    'STORAGE_FULL': N_('На сервере закончилось место для файлов. Сообщите студии; '
                       'уже введённое на странице сохранено.'),
    'TICKET_CHANGED': N_('Тикет уже изменили, пока страница была открыта. Посмотрите, что '
                         'изменилось, и повторите действие.'),
    'ROLE_NOT_ALLOWED': N_('Это действие недоступно для вашей роли.'),
    'INVALID_TRANSITION': N_('Статус тикета изменился: это действие сейчас недоступно. '
                             'Обновите страницу.'),
    'TEXT_REQUIRED': N_('Для этого действия нужен текст.'),
    'TEXT_TOO_LONG': N_('Текст слишком длинный.'),
    'INVALID_RATING': N_('Оценка должна быть от 1 до 5.'),
    'INVALID_TARGET': N_('Вернуть можно только в работу или в очередь.'),
}

# The services' field problems (services/tickets/validation.py) -> msgids; first match wins.
DESCRIPTIONS = {
    'is required': N_('обязательное поле'),
    'must be at most': N_('слишком длинное значение'),
    'today or later': N_('дата не может быть раньше сегодняшней'),
    'must be a date': N_('такой даты нет'),
    'sites': N_('выберите сайт организации'),
    'site of': N_('выберите сайт организации'),
    'is not a user': N_('выберите контакт вашей организации'),
    'contact': N_('выберите контакт вашей организации'),
    'nul': N_('недопустимые символы'),
    'must be': N_('неверное значение'),
}


class ApiError(Exception):
    """A failed call, told in the reader's language; `violations` maps form fields to their
    problems."""

    def __init__(self, message: str, *, code: grpc.StatusCode | None = None,
                 reason: str = '', violations: dict[str, str] | None = None):
        super().__init__(message)
        self.message, self.code, self.reason = message, code, reason
        self.violations = violations or {}

    @property
    def session_expired(self) -> bool:
        return self.code == grpc.StatusCode.UNAUTHENTICATED

    @property
    def not_found(self) -> bool:
        return self.code in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.PERMISSION_DENIED)


@dataclass(frozen=True)
class Account:
    """The signed-in person, as kept in `app.storage.user` (on the server)."""

    token: str
    name: str  # users/{user}
    role: str  # client, developer, manager
    organization: str = ''
    full_name: str = ''
    email: str = ''
    phone: str = ''
    language: str = 'ru'  # the UI's language: ru or en (ui/i18n.py)
    # Set on an account a manager created or reset: it must choose its own password first.
    password_change_required: bool = False

    @property
    def is_client(self) -> bool:
        return self.role == 'client'

    @property
    def role_title(self) -> str:
        return labels.role_title(self.role)


@dataclass
class _State:
    settings: Settings = field(default_factory=Settings)
    clients: Clients | None = None


_state = _State()


def setup(settings: Settings) -> None:
    """Opens the shared channels when the app starts and closes them when it stops."""
    _state.settings = settings
    labels.use_studio_zone(settings.timezone)
    app.on_startup(_open)
    app.on_shutdown(_close)


def settings() -> Settings:
    return _state.settings


def _open() -> None:
    _state.clients = Clients.from_settings(_state.settings)


async def _close() -> None:
    if _state.clients is not None:
        await _state.clients.close()
        _state.clients = None


def _clients() -> Clients:
    if _state.clients is None:
        _open()
    assert _state.clients is not None
    return _state.clients


# --- the signed-in account --------------------------------------------------------------

def current_account() -> Account | None:
    """The account of the request being served; None when nobody is signed in."""
    token = app.storage.user.get('token')
    user = app.storage.user.get('user')
    if not token or not isinstance(user, dict):
        return None
    return Account(token=token, **user)


def remember(account: Account) -> None:
    data = asdict(account)
    app.storage.user.update(token=data.pop('token'), user=data)


def forget() -> None:
    app.storage.user.clear()


# A good login is not yet a signed-in session: the browser's session id from before the
# login may be an attacker's (session fixation). The login keeps the account aside under a
# one-time ticket; the browser then brings the ticket to /login/session, which starts a
# session under a new id (ui/pages/login.py).
PENDING_SIGN_IN = 'pending_sign_in'
SIGN_IN_TICKET_SECONDS = 120


def hold_sign_in(account: Account) -> str:
    """Keeps `account` aside for this browser's next request; answers its one-time ticket."""
    ticket = secrets.token_urlsafe(32)
    app.storage.user.clear()
    app.storage.user[PENDING_SIGN_IN] = {'ticket': ticket, 'account': asdict(account),
                                         'expires': time.time() + SIGN_IN_TICKET_SECONDS}
    return ticket


def take_sign_in(ticket: str) -> Account | None:
    """The account held for `ticket` in this browser's session, once; None otherwise."""
    pending = app.storage.user.pop(PENDING_SIGN_IN, None)
    if not isinstance(pending, dict) or not ticket \
            or not secrets.compare_digest(str(pending.get('ticket', '')), ticket) \
            or float(pending.get('expires', 0)) < time.time():
        return None
    return Account(**pending['account'])


async def login(email: str, password: str) -> Account:
    """Exchanges e-mail and password for an account; never tells which of them was wrong."""
    request = auth_pb2.LoginRequest(email=email.strip(), password=password)
    try:
        answer = await _clients().auth.Login(request, timeout=CALL_TIMEOUT)
    except grpc.aio.AioRpcError as error:
        code = error.code()
        if code == grpc.StatusCode.RESOURCE_EXHAUSTED:
            raise ApiError(_(TOO_MANY_LOGINS), code=code) from None
        if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
            raise ApiError(_(MESSAGES[code]), code=code) from None
        raise ApiError(_(BAD_LOGIN), code=code) from None
    user = answer.user
    return Account(token=answer.session_token, name=user.name,
                   role=labels.ROLE.get(user.role, 'client'), organization=user.organization,
                   full_name=user.full_name, email=user.email, phone=user.phone,
                   language=user.language or 'ru',
                   password_change_required=user.password_change_required)


# --- calls on behalf of one account -----------------------------------------------------

class Api:
    """The services as one account sees them; build it when the page is built."""

    def __init__(self, account: Account):
        self.account = account
        self._metadata = bearer(account.token)

    @classmethod
    def of_current_user(cls) -> Api:
        """The signed-in account of the page being built, which is built in its language."""
        account = current_account()
        if account is None:
            raise ApiError(_(SESSION_EXPIRED), code=grpc.StatusCode.UNAUTHENTICATED)
        i18n.use_language(account.language)
        return cls(account)

    async def logout(self) -> None:
        await self._call(_clients().auth.Logout(auth_pb2.LogoutRequest(),
                                                metadata=self._metadata,
                                                timeout=CALL_TIMEOUT))

    async def change_language(self, code: str) -> Account:
        """Keeps `code` as the account's UI language; answers the account as it is now."""
        user = auth_pb2.User(name=self.account.name, language=code)
        request = auth_pb2.UpdateUserRequest(user=user, update_mask=FieldMask(paths=['language']))
        answer = await self._call(_clients().auth.UpdateUser(
            request, metadata=self._metadata, timeout=CALL_TIMEOUT))
        self.account = replace(self.account, language=answer.language)
        return self.account

    # the account itself (ui/pages/profile.py)

    async def whoami(self) -> auth_pb2.User:
        answer = await self._call(_clients().auth.WhoAmI(
            auth_pb2.WhoAmIRequest(), metadata=self._metadata, timeout=CALL_TIMEOUT))
        return answer.user

    async def signed_in(self) -> bool:
        """Whether this account's session still holds."""
        try:
            await self.whoami()
        except ApiError:
            return False
        return True

    async def organization_title(self) -> str:
        """The client's organization by its name; empty for staff and on failure."""
        if not self.account.organization:
            return ''
        request = auth_pb2.GetOrganizationRequest(name=self.account.organization)
        try:
            return (await self._call(_clients().auth.GetOrganization(
                request, metadata=self._metadata, timeout=CALL_TIMEOUT))).display_name
        except ApiError:
            return ''

    async def update_profile(self, full_name: str, phone: str) -> auth_pb2.User:
        """Saves the person's own name and phone; this Api's account follows."""
        user = auth_pb2.User(name=self.account.name, full_name=full_name.strip(),
                             phone=phone.strip())
        request = auth_pb2.UpdateUserRequest(user=user,
                                             update_mask=FieldMask(paths=['full_name', 'phone']))
        try:
            saved = await _clients().auth.UpdateUser(request, metadata=self._metadata,
                                                     timeout=CALL_TIMEOUT)
        except grpc.aio.AioRpcError as error:
            raise account_error(error) from None
        self.account = replace(self.account, full_name=saved.full_name, phone=saved.phone)
        return saved

    async def change_password(self, current: str, new: str) -> None:
        """Sets a new password. The service ends every session of the person and opens a
        fresh one, which this Api adopts (the caller remembers `self.account`)."""
        request = auth_pb2.ChangePasswordRequest(current_password=current, new_password=new)
        try:
            answer = await _clients().auth.ChangePassword(request, metadata=self._metadata,
                                                          timeout=CALL_TIMEOUT)
        except grpc.aio.AioRpcError as error:
            raise account_error(error) from None
        self.account = replace(self.account, token=answer.session_token,
                               password_change_required=False)
        self._metadata = bearer(answer.session_token)

    # the bell (ui/notifications.py)

    async def notifications(self, count: int) -> pb.ListNotificationsResponse:
        """The latest notifications, newest first, with the unread count."""
        request = pb.ListNotificationsRequest(page_size=count)
        return await self._call(_clients().tickets.ListNotifications(
            request, metadata=self._metadata, timeout=CALL_TIMEOUT))

    async def mark_notifications_read(self, names: Iterable[str] = (), *,
                                      ticket: str = '') -> int:
        """Marks these notifications read (only those of `ticket` when given); none given:
        all of the person's."""
        request = pb.MarkNotificationsReadRequest(names=list(names), ticket=ticket)
        answer = await self._call(_clients().tickets.MarkNotificationsRead(
            request, metadata=self._metadata, timeout=CALL_TIMEOUT))
        return answer.marked

    # tickets

    async def list_tickets(self, *, statuses: list[int] | None = None, query: str = '',
                           site: str = '', priorities: list[int] | None = None,
                           order_by: str = '', page_token: str = '') -> pb.ListTicketsResponse:
        request = pb.ListTicketsRequest(page_size=PAGE_SIZE, statuses=statuses or [],
                                        query=query.strip(), site=site,
                                        priorities=priorities or [], order_by=order_by,
                                        page_token=page_token)
        return await self._call(_clients().tickets.ListTickets(
            request, metadata=self._metadata, timeout=CALL_TIMEOUT))

    async def get_ticket(self, number: int) -> pb.Ticket:
        request = pb.GetTicketRequest(name=ticket_name(number))
        return await self._call(_clients().tickets.GetTicket(
            request, metadata=self._metadata, timeout=CALL_TIMEOUT))

    @traced_action('create_ticket')
    async def create_ticket(self, ticket: pb.Ticket, request_id: str) -> pb.Ticket:
        request = pb.CreateTicketRequest(ticket=ticket, request_id=request_id)
        return await self._call(_clients().tickets.CreateTicket(
            request, metadata=self._metadata, timeout=CALL_TIMEOUT))

    @traced_action('transition')
    async def transition(self, name: str, action: int, *, text: str = '', rating: int = 0,
                         target: int = pb.STATUS_UNSPECIFIED,
                         seen: int = pb.STATUS_UNSPECIFIED) -> pb.Ticket:
        """`seen`: the status on the person's screen; a ticket that moved on since answers
        «Тикет только что изменился» instead of taking the action."""
        request = pb.TransitionTicketRequest(name=name, action=action, text=text.strip(),
                                             rating=rating, target_status=target,
                                             request_id=new_request_id(), expected_status=seen)
        return await self._call(_clients().tickets.TransitionTicket(
            request, metadata=self._metadata, timeout=TRANSITION_TIMEOUT))

    async def list_comments(self, name: str) -> list[pb.Comment]:
        comments: list[pb.Comment] = []
        token = ''
        while True:
            request = pb.ListCommentsRequest(parent=name, page_size=100, page_token=token)
            page = await self._call(_clients().tickets.ListComments(
                request, metadata=self._metadata, timeout=CALL_TIMEOUT))
            comments.extend(page.comments)
            token = page.next_page_token
            if not token:
                return comments

    @traced_action('add_comment')
    async def add_comment(self, name: str, body: str, request_id: str) -> pb.Comment:
        comment = pb.Comment(body=body.strip(), visibility=pb.VISIBILITY_PUBLIC)
        request = pb.AddCommentRequest(parent=name, comment=comment, request_id=request_id)
        return await self._call(_clients().tickets.AddComment(
            request, metadata=self._metadata, timeout=TRANSITION_TIMEOUT))

    async def list_sites(self, organization: str) -> list[pb.Site]:
        request = pb.ListSitesRequest(parent=organization, page_size=100)
        answer = await self._call(_clients().tickets.ListSites(
            request, metadata=self._metadata, timeout=CALL_TIMEOUT))
        return list(answer.sites)

    # organizations and people

    async def list_organizations(self) -> list[auth_pb2.Organization]:
        request = auth_pb2.ListOrganizationsRequest(page_size=200)
        answer = await self._call(_clients().auth.ListOrganizations(
            request, metadata=self._metadata, timeout=CALL_TIMEOUT))
        return list(answer.organizations)

    async def organization_names(self) -> dict[str, str]:
        """`organizations/{id}` -> display name, for staff; best effort (empty on failure)."""
        if self.account.is_client:
            return {}
        try:
            return {o.name: o.display_name for o in await self.list_organizations()}
        except ApiError:
            return {}

    async def list_contacts(self, organization: str) -> list[auth_pb2.User]:
        request = auth_pb2.ListUsersRequest(page_size=200, organization=organization,
                                            role=auth_pb2.ROLE_CLIENT)
        answer = await self._call(_clients().auth.ListUsers(
            request, metadata=self._metadata, timeout=CALL_TIMEOUT))
        return list(answer.users)

    async def _call(self, call: Awaitable[T]) -> T:
        try:
            return await call
        except grpc.aio.AioRpcError as error:
            raise translate(error) from None


def translate(error: grpc.aio.AioRpcError) -> ApiError:
    """A gRPC error as the person reads it."""
    code = error.code()
    try:
        reason, violations = error_details(error)
    except Exception:  # a malformed status detail must not hide the error itself
        reason, violations = '', []
    message = _(REASONS.get(reason) or MESSAGES.get(code) or FAILED)
    by_field: dict[str, str] = {}
    for path, description in violations:
        label = labels.field(path)
        by_field[label] = _describe(description)
    if by_field:
        problems = '; '.join(f'{k} — {v}' for k, v in by_field.items())
        message = _('Проверьте поля: {problems}').format(problems=problems)
    return ApiError(message, code=code, reason=reason, violations=by_field)


def account_error(error: grpc.aio.AioRpcError) -> ApiError:
    """A refused profile or password change, its problems keyed by the form's field
    (`full_name`, `phone`, `current_password`, `new_password`)."""
    code = error.code()
    if code == grpc.StatusCode.RESOURCE_EXHAUSTED:  # the login throttle guards it too
        return ApiError(_('Слишком много неудачных попыток. Попробуйте позже.'), code=code)
    try:
        _reason, violations = error_details(error)
    except Exception:  # a malformed status detail must not hide the error itself
        violations = []
    problems = {path.rsplit('.', 1)[-1]: _account_problem(description)
                for path, description in violations}
    if not problems:
        return translate(error)
    return ApiError(next(iter(problems.values())), code=code, violations=problems)


def _account_problem(description: str) -> str:
    """The auth service's words (services/auth/passwords.py, messages.py) for a person."""
    lowered = description.lower()
    if 'is wrong' in lowered:
        return _('Текущий пароль указан неверно')
    if 'too common' in lowered:
        return _('Слишком простой или распространённый пароль — выберите другой')
    if 'e-mail' in lowered:
        return _('Пароль не должен совпадать с e-mail')
    if (length := re.search(r'at least (\d+)', lowered)):
        return _('Не короче {count} символов').format(count=length[1])
    if (length := re.search(r'at most (\d+)', lowered)):
        return _('Не длиннее {count} символов').format(count=length[1])
    if 'is required' in lowered:
        return _('Обязательное поле')
    return _('Неверное значение')


def _describe(description: str) -> str:
    lowered = description.lower()
    for phrase, msgid in DESCRIPTIONS.items():
        if phrase in lowered:
            return _(msgid)
    return description


def ticket_name(number: int) -> str:
    return f'tickets/{number}'


def new_request_id() -> str:
    return str(uuid.uuid4())


def file_service():
    """The FileService stub on the shared channel (ui/files.py streams through it)."""
    return _clients().files
