"""The UI's only door to the services: gRPC calls made with the signed-in user's token.

Pages build an `Api` for the account they were opened by (`Api.of_current_user()`) and
keep it for their callbacks: a callback triggered by another user's action would read
*that* user's `app.storage.user` (see ENGINEERING.md, the cross-user pitfall).
Every failed call becomes an `ApiError` with a Russian message; no gRPC error reaches
the page as a traceback.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from dataclasses import asdict, dataclass, field
from typing import TypeVar

import grpc
from nicegui import app

from services.common.clients import Clients, bearer
from services.common.config import Settings
from services.common.errors import error_details
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb

from . import labels

T = TypeVar('T')

CALL_TIMEOUT = 10.0
# A transition waits for the ticket's workflow.
TRANSITION_TIMEOUT = 30.0
PAGE_SIZE = 50

BAD_LOGIN = 'Неверный e-mail или пароль'
TOO_MANY_LOGINS = 'Слишком много попыток входа. Попробуйте позже.'
SESSION_EXPIRED = 'Сеанс истёк. Войдите снова.'

MESSAGES = {
    grpc.StatusCode.UNAVAILABLE: 'Сервис временно недоступен. Попробуйте ещё раз через минуту.',
    grpc.StatusCode.DEADLINE_EXCEEDED: 'Сервис не ответил вовремя. Попробуйте ещё раз.',
    grpc.StatusCode.NOT_FOUND: 'Не найдено.',
    grpc.StatusCode.PERMISSION_DENIED: 'Недостаточно прав для этого действия.',
    grpc.StatusCode.UNAUTHENTICATED: SESSION_EXPIRED,
    grpc.StatusCode.INVALID_ARGUMENT: 'Проверьте заполнение полей.',
    grpc.StatusCode.RESOURCE_EXHAUSTED: 'Слишком много запросов. Попробуйте позже.',
    grpc.StatusCode.ABORTED: 'Тикет только что изменился. Обновите страницу и повторите.',
    grpc.StatusCode.ALREADY_EXISTS: 'Такая запись уже существует.',
    grpc.StatusCode.FAILED_PRECONDITION: 'Это действие сейчас недоступно.',
}

# ErrorInfo reasons of the status table (workflows/ticket/rules.py).
REASONS = {
    'TICKET_CLOSED': 'Тикет уже закрыт.',
    'ROLE_NOT_ALLOWED': 'Это действие недоступно для вашей роли.',
    'INVALID_TRANSITION': 'Статус тикета изменился: это действие сейчас недоступно. '
                          'Обновите страницу.',
    'TEXT_REQUIRED': 'Для этого действия нужен текст.',
    'TEXT_TOO_LONG': 'Текст слишком длинный.',
    'INVALID_RATING': 'Оценка должна быть от 1 до 5.',
    'INVALID_TARGET': 'Вернуть можно только в работу или в очередь.',
}

# The services' field problems (services/tickets/validation.py), in Russian; first match wins.
DESCRIPTIONS = {
    'is required': 'обязательное поле',
    'must be at most': 'слишком длинное значение',
    'today or later': 'дата не может быть раньше сегодняшней',
    'must be a date': 'дата в формате ГГГГ-ММ-ДД',
    'sites': 'выберите сайт организации',
    'site of': 'выберите сайт организации',
    'is not a user': 'выберите контакт вашей организации',
    'contact': 'выберите контакт вашей организации',
    'nul': 'недопустимые символы',
    'must be': 'неверное значение',
}


class ApiError(Exception):
    """A failed call, told in Russian; `violations` maps form fields to their problems."""

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

    @property
    def is_client(self) -> bool:
        return self.role == 'client'

    @property
    def role_title(self) -> str:
        return labels.ROLE_TITLE.get(self.role, self.role)


@dataclass
class _State:
    settings: Settings = field(default_factory=Settings)
    clients: Clients | None = None


_state = _State()


def setup(settings: Settings) -> None:
    """Opens the shared channels when the app starts and closes them when it stops."""
    _state.settings = settings
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


async def login(email: str, password: str) -> Account:
    """Exchanges e-mail and password for an account; never tells which of them was wrong."""
    request = auth_pb2.LoginRequest(email=email.strip(), password=password)
    try:
        answer = await _clients().auth.Login(request, timeout=CALL_TIMEOUT)
    except grpc.aio.AioRpcError as error:
        code = error.code()
        if code == grpc.StatusCode.RESOURCE_EXHAUSTED:
            raise ApiError(TOO_MANY_LOGINS, code=code) from None
        if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
            raise ApiError(MESSAGES[code], code=code) from None
        raise ApiError(BAD_LOGIN, code=code) from None
    user = answer.user
    return Account(token=answer.session_token, name=user.name,
                   role=labels.ROLE.get(user.role, 'client'), organization=user.organization,
                   full_name=user.full_name, email=user.email, phone=user.phone)


# --- calls on behalf of one account -----------------------------------------------------

class Api:
    """The services as one account sees them; build it when the page is built."""

    def __init__(self, account: Account):
        self.account = account
        self._metadata = bearer(account.token)

    @classmethod
    def of_current_user(cls) -> Api:
        account = current_account()
        if account is None:
            raise ApiError(SESSION_EXPIRED, code=grpc.StatusCode.UNAUTHENTICATED)
        return cls(account)

    async def logout(self) -> None:
        await self._call(_clients().auth.Logout(auth_pb2.LogoutRequest(),
                                                metadata=self._metadata,
                                                timeout=CALL_TIMEOUT))

    # tickets

    async def list_tickets(self, *, statuses: list[int] | None = None,
                           query: str = '') -> pb.ListTicketsResponse:
        request = pb.ListTicketsRequest(page_size=PAGE_SIZE, statuses=statuses or [],
                                        query=query.strip())
        return await self._call(_clients().tickets.ListTickets(
            request, metadata=self._metadata, timeout=CALL_TIMEOUT))

    async def get_ticket(self, number: int) -> pb.Ticket:
        request = pb.GetTicketRequest(name=ticket_name(number))
        return await self._call(_clients().tickets.GetTicket(
            request, metadata=self._metadata, timeout=CALL_TIMEOUT))

    async def create_ticket(self, ticket: pb.Ticket, request_id: str) -> pb.Ticket:
        request = pb.CreateTicketRequest(ticket=ticket, request_id=request_id)
        return await self._call(_clients().tickets.CreateTicket(
            request, metadata=self._metadata, timeout=CALL_TIMEOUT))

    async def transition(self, name: str, action: int, *, text: str = '', rating: int = 0,
                         target: int = pb.STATUS_UNSPECIFIED) -> pb.Ticket:
        request = pb.TransitionTicketRequest(name=name, action=action, text=text.strip(),
                                             rating=rating, target_status=target,
                                             request_id=new_request_id())
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
    message = REASONS.get(reason) or MESSAGES.get(code) or \
        'Не удалось выполнить запрос. Попробуйте ещё раз.'
    by_field: dict[str, str] = {}
    for path, description in violations:
        label = labels.field(path)
        by_field[label] = _describe(description)
    if by_field:
        message = 'Проверьте поля: ' + '; '.join(f'{k} — {v}' for k, v in by_field.items())
    return ApiError(message, code=code, reason=reason, violations=by_field)


def _describe(description: str) -> str:
    lowered = description.lower()
    for phrase, russian in DESCRIPTIONS.items():
        if phrase in lowered:
            return russian
    return description


def ticket_name(number: int) -> str:
    return f'tickets/{number}'


def new_request_id() -> str:
    return str(uuid.uuid4())


def file_service():
    """The FileService stub on the shared channel (ui/files.py streams through it)."""
    return _clients().files
