"""The UI's clients (ui/clients/): every failure an `ApiError` told in the account's language
by its reasons, field problems keyed by the field; against statuses built here and against
the real services of the `stack` fixture."""

from __future__ import annotations

import os

import grpc
import pytest

from services.common.client.channels import bearer
from services.common.server.errors import ApiError as ServerError
from services.common.server.errors import invalid, violation
from tests.support.stack import PASSWORD, Stack
from tests.ui.conftest import on_sqlite
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.errors.v1 import errors_pb2 as reasons
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from ui.clients import auth, base, channels
from ui.clients.account import Account
from ui.clients.auth import AuthClient
from ui.clients.errors import ApiError, api_error
from ui.clients.files import FilesClient, file_name
from ui.clients.tickets import TicketsClient, forget_zone
from ui.session import Session

CHECK_FIELDS = 'Проверьте заполнение полей.'
BAD_LOGIN = 'Неверный e-mail или пароль'


def failed(status: grpc.Status) -> grpc.aio.AioRpcError:
    """A failed call carrying a service's rich status, as a stub raises it."""
    return grpc.aio.AioRpcError(status.code, grpc.aio.Metadata(),
                                grpc.aio.Metadata(*status.trailing_metadata),
                                details=status.details)


def too_long_title() -> grpc.aio.AioRpcError:
    return failed(invalid([violation('ticket.title', reasons.TOO_LONG,
                                     'must be at most 200 characters', maxLength=200)])
                  .to_status())


# --- the mapping ------------------------------------------------------------------------

def test_a_bad_field_is_told_by_its_reason_and_parameters():
    error = api_error(too_long_title(), 'ru')
    assert (error.code, error.reason) == (grpc.StatusCode.INVALID_ARGUMENT, 'INVALID_ARGUMENT')
    assert error.violations == {'title': 'не длиннее 200 символов'}
    assert error.message == CHECK_FIELDS
    assert error.explain({'title': 'Название'}) == \
        'Проверьте поля: Название — не длиннее 200 символов'
    english = api_error(too_long_title(), 'en')
    assert english.violations == {'title': 'at most 200 characters'}
    assert english.explain({}) == 'Check the fields: title — at most 200 characters'


def test_the_problems_of_one_field_are_told_together():
    status = invalid([violation('settings.opens', reasons.NOT_A_TIME, 'not a time'),
                      violation('settings.opens', reasons.OPENS_AFTER_CLOSES, 'after closes'),
                      violation('settings.holidays', reasons.HOLIDAY_AND_WORKDAY, 'both',
                                date='2026-05-01')]).to_status()
    assert api_error(failed(status), 'ru').violations == {
        'opens': 'время в формате ЧЧ:ММ; начало рабочего дня должно быть раньше конца',
        'holidays': 'дата 01.05.2026 указана и праздником, и рабочим днём'}


def test_never_by_the_english_message():
    """The words come from the reason, whatever the service's message or description."""
    status = ServerError(grpc.StatusCode.ABORTED, reasons.TICKET_CHANGED, 'is required',
                         violations=[violation('ticket.title', reasons.TAKEN, 'is required')]
                         ).to_status()
    error = api_error(failed(status), 'ru')
    assert error.message.startswith('Тикет уже изменили, пока страница была открыта')
    assert error.violations == {'title': 'уже используется'}


@pytest.mark.parametrize(('code', 'reason', 'message'), [
    (grpc.StatusCode.FAILED_PRECONDITION, reasons.STORAGE_FULL,
     'На сервере закончилось место для файлов. Сообщите студии; уже введённое на странице '
     'сохранено.'),
    (grpc.StatusCode.FAILED_PRECONDITION, reasons.TICKET_CLOSED, 'Тикет уже закрыт.'),
    (grpc.StatusCode.PERMISSION_DENIED, reasons.PASSWORD_CHANGE_REQUIRED,
     'Сначала задайте свой пароль.'),
    (grpc.StatusCode.UNAVAILABLE, reasons.CONCURRENT_TRANSITION,
     'Тикет сейчас меняется. Повторите действие через несколько секунд.'),
])
def test_a_failed_call_is_told_by_its_reason(code, reason, message):
    error = api_error(failed(ServerError(code, reason, 'whatever').to_status()), 'ru')
    assert (error.message, error.violations) == (message, {})


def test_an_answer_without_a_reason_is_told_by_its_code():
    plain = grpc.aio.AioRpcError(grpc.StatusCode.UNAVAILABLE, grpc.aio.Metadata(),
                                 grpc.aio.Metadata(), details='connection refused')
    error = api_error(plain, 'en')
    assert (error.reason, error.message) == (
        '', 'The service is temporarily unavailable. Please try again in a minute.')


def test_session_expired_and_not_found():
    expired = api_error(failed(ServerError(grpc.StatusCode.UNAUTHENTICATED,
                                           reasons.UNAUTHENTICATED, 'no').to_status()), 'ru')
    assert expired.session_expired and not expired.not_found
    assert expired.message == 'Сеанс истёк. Войдите снова.'
    for code in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.PERMISSION_DENIED):
        assert ApiError('x', code=code).not_found


@pytest.mark.parametrize(('code', 'reason', 'message'), [
    (grpc.StatusCode.UNAUTHENTICATED, reasons.UNAUTHENTICATED, BAD_LOGIN),
    (grpc.StatusCode.INVALID_ARGUMENT, reasons.INVALID_ARGUMENT, BAD_LOGIN),
    (grpc.StatusCode.NOT_FOUND, reasons.NOT_FOUND, BAD_LOGIN),
    (grpc.StatusCode.RESOURCE_EXHAUSTED, reasons.LOGIN_THROTTLED,
     'Слишком много попыток входа. Попробуйте позже.'),
    (grpc.StatusCode.UNAVAILABLE, reasons.UNAVAILABLE,
     'Сервис временно недоступен. Попробуйте ещё раз через минуту.'),
])
def test_a_refused_login_never_tells_which_part_was_wrong(code, reason, message):
    status = ServerError(code, reason, 'password is wrong',
                         violations=[violation('password', reasons.PASSWORD_WRONG, 'wrong')])
    error = auth.login_error(failed(status.to_status()), 'ru')
    assert (error.message, error.violations) == (message, {})


# --- against the services ---------------------------------------------------------------

@pytest.fixture
async def services(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Stack:
    """The clients' shared channels, opened to the stack."""
    monkeypatch.setattr(channels, '_state', channels._State(settings=stack.settings))
    yield stack
    await channels.close_channels()


async def signed_in(stack: Stack, role: int = auth_pb2.ROLE_DEVELOPER, organization: str = '',
                    language: str = '') -> Session:
    user = await stack.new_user(role, organization, language=language)
    return Session.of(await auth.login(user.email, PASSWORD))


async def new_ticket(session: Session, title: str = 'Баннер', **fields) -> pb.Ticket:
    return await session.tickets.create_ticket(pb.Ticket(title=title, description='d', **fields),
                                               base.new_request_id())


async def client_of(stack: Stack, language: str = '') -> tuple[Session, list[str]]:
    """A contact person of a new organization, and its sites."""
    org = await stack.new_organization()
    return await signed_in(stack, auth_pb2.ROLE_CLIENT, org.name, language), org.sites


@on_sqlite
async def test_login_answers_the_account(services):
    user = await services.new_user(auth_pb2.ROLE_MANAGER, language='en')
    account = await auth.login(f'  {user.email} ', PASSWORD)
    assert (account.name, account.role, account.language) == (user.name, 'manager', 'en')
    assert account.role_title == 'Project manager'
    assert (await AuthClient(account).whoami()).email == user.email


@on_sqlite
async def test_a_wrong_login_never_tells_which_part_was_wrong(services):
    user = await services.new_user(auth_pb2.ROLE_DEVELOPER)
    told = []
    for email, password, language in ((user.email, 'not the password', 'ru'),
                                      ('nobody@example.test', PASSWORD, 'en')):
        with pytest.raises(ApiError) as refused:
            await auth.login(email, password, language)
        told.append((refused.value.message, refused.value.violations))
    assert told == [(BAD_LOGIN, {}), ('Wrong e-mail or password', {})]


@on_sqlite
@pytest.mark.parametrize(('language', 'words'), [('ru', 'не длиннее 200 символов'),
                                                 ('en', 'at most 200 characters')])
async def test_a_too_long_title_is_told_next_to_the_title(services, language, words):
    session, sites = await client_of(services, language)
    with pytest.raises(ApiError) as refused:
        await new_ticket(session, 'x' * 201, site=sites[0])
    assert refused.value.reason == 'INVALID_ARGUMENT'
    assert refused.value.violations == {'title': words}


@on_sqlite
async def test_another_organizations_site_is_told_next_to_the_site(services):
    session, _ = await client_of(services)
    other = await services.new_organization()
    with pytest.raises(ApiError) as refused:
        await new_ticket(session, site=other.sites[0])
    assert refused.value.violations == {'site': 'выберите сайт организации'}


@on_sqlite
@pytest.mark.parametrize(('current', 'new', 'field', 'words'), [
    (PASSWORD, 'short', 'new_password', 'не короче 8 символов'),
    (PASSWORD, '12345678', 'new_password', 'слишком распространённый пароль'),
    ('not the password', 'a fine new passphrase', 'current_password',
     'текущий пароль указан неверно'),
])
async def test_a_refused_password_is_told_next_to_its_field(services, current, new, field,
                                                             words):
    session = await signed_in(services)
    with pytest.raises(ApiError) as refused:
        await session.change_password(current, new)
    assert refused.value.violations == {field: words}


@on_sqlite
async def test_a_new_password_gives_the_session_a_fresh_token(services):
    session = await signed_in(services)
    old = session.account
    await session.change_password(PASSWORD, 'a fine new passphrase')
    assert session.account.token != old.token
    assert (await session.tickets.list_tickets()).total_size >= 0  # every client follows
    with pytest.raises(ApiError) as refused:
        await AuthClient(old).whoami()
    assert refused.value.session_expired


@on_sqlite
async def test_an_unknown_or_ended_session_has_expired(services):
    stranger = Account(token='not-a-token', name='users/0', role='client', language='en')
    with pytest.raises(ApiError) as refused:
        await TicketsClient(stranger).list_tickets()
    assert refused.value.session_expired
    assert refused.value.message == 'Your session has expired. Please sign in again.'
    session = await signed_in(services)
    assert await session.auth.signed_in()
    await session.auth.logout()
    assert not await session.auth.signed_in()


@on_sqlite
async def test_a_ticket_that_moved_on_is_not_changed(services):
    client, _ = await client_of(services)
    ticket = await new_ticket(client)
    developer = await signed_in(services)
    with pytest.raises(ApiError) as refused:
        await developer.tickets.transition(ticket.name, pb.ACTION_START_WORK,
                                           expected=pb.STATUS_NEEDS_INFO)
    assert refused.value.reason == 'TICKET_CHANGED'
    assert refused.value.message.startswith('Тикет уже изменили, пока страница была открыта')
    started = await developer.tickets.transition(ticket.name, pb.ACTION_START_WORK,
                                                 expected=pb.STATUS_QUEUED)
    assert started.status == pb.STATUS_IN_PROGRESS


@on_sqlite
async def test_the_unassigned_queue_and_an_update(services):
    client, _ = await client_of(services)
    first, second = [await new_ticket(client, title) for title in ('Первый', 'Второй')]
    developer = await signed_in(services)
    assigned = await developer.tickets.update_ticket(
        first.name, pb.Ticket(assignee=developer.account.name), ['assignee'])
    assert assigned.assignee == developer.account.name
    queue = await developer.tickets.list_tickets(organization=first.organization,
                                                 unassigned_only=True)
    assert [t.name for t in queue.tickets] == [second.name]
    assert (await developer.tickets.get_ticket(second.number)).name == second.name


@on_sqlite
async def test_all_pages_are_read(services, monkeypatch):
    monkeypatch.setattr(base, 'ALL_PAGES_SIZE', 2)
    manager = await signed_in(services, auth_pb2.ROLE_MANAGER)
    org = await services.new_organization(sites=1)
    for n in range(4):
        await manager.tickets.create_site(org.name, f'https://more{n}.example.test',
                                          f'Ещё {n}', base.new_request_id())
    assert len(await manager.tickets.sites(org.name)) == 5


@on_sqlite
async def test_comments_notes_and_history(services):
    client, _ = await client_of(services)
    ticket = await new_ticket(client)
    developer = await signed_in(services)
    await developer.tickets.add_comment(ticket.name, 'Посмотрю', base.new_request_id())
    await developer.tickets.add_comment(ticket.name, 'Только для студии', base.new_request_id(),
                                        internal=True)
    assert [c.body for c in await developer.tickets.comments(ticket.name)] == [
        'Посмотрю', 'Только для студии']
    assert [c.body for c in await client.tickets.comments(ticket.name)] == ['Посмотрю']
    assert await developer.tickets.history(ticket.name)
    assert (await client.tickets.notifications(5)).unread_count >= 0
    assert await client.tickets.mark_notifications_read() >= 0


@on_sqlite
async def test_the_studio_time_zone_is_read_once_a_minute(services):
    manager = await signed_in(services, auth_pb2.ROLE_MANAGER)
    forget_zone()
    zone = await manager.tickets.studio_timezone()
    other = 'Asia/Yekaterinburg' if zone != 'Asia/Yekaterinburg' else 'Europe/Moscow'

    async def set_zone(name: str) -> None:  # past the client, as another process would
        await services.clients.tickets.UpdateStudioSettings(
            pb.UpdateStudioSettingsRequest(settings=pb.StudioSettings(timezone=name),
                                           update_mask=base.mask('timezone')),
            metadata=bearer(manager.account.token))

    await set_zone(other)
    try:
        assert await manager.tickets.studio_timezone() == zone  # still the cached one
        forget_zone()
        assert await manager.tickets.studio_timezone() == other
    finally:
        await set_zone(zone)
        forget_zone()


@on_sqlite
async def test_files_up_and_down(services):
    client, _ = await client_of(services)
    ticket = await new_ticket(client)
    content = b'report,1\n' * 100_000  # several chunks
    sent: list[int] = []

    async def chunks():
        for start in range(0, len(content), 300_000):
            yield content[start:start + 300_000]

    uploaded = await client.files.upload(
        chunks(), ticket=ticket.name, display_name='Отчёт.csv', size=len(content),
        content_type='text/csv', request_id=base.new_request_id(), progress=sent.append)
    assert sent[-1] == len(content) and sent == sorted(sent) and len(sent) > 1
    assert [f.name for f in await client.files.files(ticket.name)] == [uploaded.name]
    assert (await client.files.get_file(uploaded.name)).size_bytes == len(content)
    download = await client.files.download(uploaded.name)
    assert download.file.display_name == 'Отчёт.csv'
    assert b''.join([chunk async for chunk in download.chunks()]) == content

    with pytest.raises(ApiError) as missing:
        await client.files.download(file_name('0' * 32))
    assert missing.value.not_found


@on_sqlite
async def test_a_refused_file_is_told_by_its_reason(services):
    client, _ = await client_of(services, 'en')
    ticket = await new_ticket(client, 'Banner')

    async def executable():
        yield b'\x7fELF\x02\x01\x01\x00' + os.urandom(10_000)

    with pytest.raises(ApiError) as refused:
        await client.files.upload(executable(), ticket=ticket.name, display_name='invoice.pdf',
                                  size=10_008, content_type='application/pdf',
                                  request_id=base.new_request_id())
    assert refused.value.reason == 'FILE_TYPE_NOT_ALLOWED'
    assert refused.value.message.startswith('This file type is not supported')


@on_sqlite
async def test_the_managers_accounts_and_tokens(services):
    manager = await signed_in(services, auth_pb2.ROLE_MANAGER)
    developer = await signed_in(services)
    org = await services.new_organization()
    assert org.name in await manager.auth.organization_names()
    assert developer.account.name in await manager.auth.staff_names()
    assert [u.email for u in await manager.auth.contacts(org.name)] == [org.email]

    with pytest.raises(ApiError) as taken:
        await manager.auth.create_user(auth_pb2.User(
            email=developer.account.email, full_name='Двойник', role=auth_pb2.ROLE_DEVELOPER),
            base.new_request_id())
    assert taken.value.reason == 'ALREADY_EXISTS'
    assert taken.value.violations == {'email': 'уже используется'}

    with pytest.raises(ApiError) as own:
        await manager.auth.deactivate_user(manager.account.name)
    assert own.value.message == 'Нельзя отключить собственную учётную запись.'

    created = await manager.auth.create_api_token('Мониторинг', auth_pb2.ROLE_DEVELOPER, '',
                                                  base.new_request_id())
    assert created.token
    revoked = await manager.auth.revoke_api_token(created.api_token.name)
    assert revoked.revoked
    assert revoked.name in [t.name for t in await manager.auth.api_tokens()]
    assert await manager.auth.reset_password(developer.account.name)
    assert await manager.auth.organization_title() == ''


@on_sqlite
async def test_the_persons_own_account(services):
    session, _ = await client_of(services)
    assert (await session.auth.organization_title()).startswith('Org ')
    assert await session.auth.organization_names() == {}
    await session.update_profile(' Анна Петрова ', '+7 900 111-22-33')
    assert (session.account.full_name, session.account.phone) == ('Анна Петрова',
                                                                  '+7 900 111-22-33')
    account = await session.change_language('en')
    assert account.language == session.tickets.language == 'en'
    with pytest.raises(ApiError) as refused:
        await session.update_profile('x' * 500, '')
    assert set(refused.value.violations) == {'full_name'}
    assert refused.value.violations['full_name'].startswith('at most ')
