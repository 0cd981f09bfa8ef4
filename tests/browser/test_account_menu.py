"""The header as people use it, in real Chromium: the notification bell counts another
person's actions live and opens the ticket, «Отметить все прочитанными»; the user menu
(keyboard too) leads to the profile, whose edits persist; a password change refuses a wrong
current password and a common one and keeps the page signed in; a manager-created account
must choose its own password first; a phone-sized header does not overflow.

Each test works with a fresh client of a fresh organization, created by the demo manager
through the gRPC API: the demo accounts are shared by every test of the session."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from playwright.async_api import Page, expect

from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb

from tests.support.browser import CALL_TIMEOUT, TIMEOUT, sign_in

ISSUED = 'Выдан-менеджером-7391'
OWN = 'Свой пароль для входа 2026'


@dataclass
class Person:
    email: str
    password: str
    full_name: str
    organization: str  # organizations/{id}
    organization_title: str


async def new_client(backend, *, own_password: bool = True) -> Person:
    """A client of a new organization with one site. The manager issues the password; with
    `own_password` the client has already replaced it with OWN (through the API)."""
    suffix = uuid.uuid4().hex[:8]
    manager = await backend.as_('manager')
    organization = await backend.auth.CreateOrganization(auth_pb2.CreateOrganizationRequest(
        organization=auth_pb2.Organization(display_name=f'ООО Проверка {suffix}'),
        request_id=uuid.uuid4().hex), metadata=manager, timeout=CALL_TIMEOUT)
    await backend.tickets.CreateSite(pb.CreateSiteRequest(
        parent=organization.name, site=pb.Site(url=f'https://check-{suffix}.example.com'),
        request_id=uuid.uuid4().hex), metadata=manager, timeout=CALL_TIMEOUT)
    person = Person(f'client-{suffix}@check.example.com', ISSUED, f'Ирина Проверкина {suffix}',
                    organization.name, organization.display_name)
    created = await backend.auth.CreateUser(auth_pb2.CreateUserRequest(
        user=auth_pb2.User(email=person.email, full_name=person.full_name,
                           role=auth_pb2.ROLE_CLIENT, organization=organization.name,
                           language='ru'),
        initial_password=ISSUED, request_id=uuid.uuid4().hex),
        metadata=manager, timeout=CALL_TIMEOUT)
    assert created.user.password_change_required
    if own_password:
        session = await backend.auth.Login(auth_pb2.LoginRequest(
            email=person.email, password=ISSUED), timeout=CALL_TIMEOUT)
        await backend.auth.ChangePassword(auth_pb2.ChangePasswordRequest(
            current_password=ISSUED, new_password=OWN),
            metadata=(('authorization', f'Bearer {session.session_token}'),),
            timeout=CALL_TIMEOUT)
        person.password = OWN
    return person


async def log_in(page: Page, base_url: str, person: Person) -> None:
    await page.goto(f'{base_url}/login')
    await page.get_by_label('E-mail').fill(person.email)
    await page.get_by_label('Пароль').fill(person.password)
    await page.get_by_role('button', name='Войти').click()


def bell(page: Page):
    return page.get_by_role('button', name='Уведомления:')


async def open_user_menu(page: Page) -> None:
    await page.get_by_role('button', name='Меню пользователя').click()
    await expect(page.get_by_role('menuitem', name='Профиль')).to_be_visible()


async def test_bell_counts_another_persons_actions_and_opens_the_ticket(
        base_url, new_page, backend, screenshot):
    person = await new_client(backend)
    client = await new_page()
    await log_in(client, base_url, person)
    await expect(client).to_have_url(f'{base_url}/', timeout=TIMEOUT)
    await expect(bell(client)).to_have_accessible_name('Уведомления: 0')
    await bell(client).click()
    await expect(client.get_by_text('Нет новых уведомлений')).to_be_visible()
    await client.keyboard.press('Escape')

    # The client files a ticket (through the API); a developer takes it into work and
    # comments: the open page counts both without a reload.
    metadata = await client_session(backend, person)
    ticket = await backend.tickets.CreateTicket(pb.CreateTicketRequest(ticket=pb.Ticket(
        title='Проверка колокольчика', description='Текст для проверки уведомлений.',
        site=(await backend.tickets.ListSites(pb.ListSitesRequest(parent=person.organization),
                                              metadata=metadata,
                                              timeout=CALL_TIMEOUT)).sites[0].name),
        request_id=uuid.uuid4().hex), metadata=metadata, timeout=CALL_TIMEOUT)
    number = int(ticket.name.removeprefix('tickets/'))
    developer = await backend.as_('developer')
    await backend.tickets.TransitionTicket(pb.TransitionTicketRequest(
        name=ticket.name, action=pb.ACTION_START_WORK, request_id=uuid.uuid4().hex),
        metadata=developer, timeout=CALL_TIMEOUT)
    await expect(bell(client)).to_have_accessible_name('Уведомления: 1', timeout=TIMEOUT)
    await backend.comment(ticket.name, 'developer', 'Начали работу, вопросов пока нет.')
    await expect(bell(client)).to_have_accessible_name('Уведомления: 2', timeout=TIMEOUT)
    await expect(bell(client)).to_contain_text('2')  # the badge

    await bell(client).click()
    entries = client.get_by_role('listitem').filter(has_text=f'#{number}')
    await expect(entries).to_have_count(2)
    await expect(client.get_by_text('Нет новых уведомлений')).to_have_count(0)
    await client.wait_for_timeout(400)  # the menu's opening animation
    await screenshot(client, 'bell-menu')
    await entries.first.click()
    await expect(client).to_have_url(f'{base_url}/tickets/{number}')
    await expect(client.get_by_text(f'Тикет #{number}')).to_be_visible()
    # Opening the card read both of its notifications.
    await expect(bell(client)).to_have_accessible_name('Уведомления: 0', timeout=TIMEOUT)

    await client.goto(f'{base_url}/')
    await backend.comment(ticket.name, 'developer', 'Макет готов, посмотрите.')
    await expect(bell(client)).to_have_accessible_name('Уведомления: 1', timeout=TIMEOUT)
    await bell(client).click()
    await client.get_by_role('button', name='Отметить все прочитанными').click()
    await expect(bell(client)).to_have_accessible_name('Уведомления: 0', timeout=TIMEOUT)
    await expect(client.get_by_text('Нет новых уведомлений')).to_be_visible()
    await expect(client.get_by_role('listitem').filter(has_text=f'#{number}')).to_have_count(3)


async def client_session(backend, person: Person) -> tuple[tuple[str, str], ...]:
    answer = await backend.auth.Login(auth_pb2.LoginRequest(
        email=person.email, password=person.password), timeout=CALL_TIMEOUT)
    return (('authorization', f'Bearer {answer.session_token}'),)


async def test_profile_edits_persist(base_url, new_page, backend, screenshot):
    person = await new_client(backend)
    page = await new_page()
    await log_in(page, base_url, person)
    await expect(page).to_have_url(f'{base_url}/', timeout=TIMEOUT)

    # The user menu works from the keyboard.
    await page.get_by_role('button', name='Меню пользователя').focus()
    await page.keyboard.press('Enter')
    profile_item = page.get_by_role('menuitem', name='Профиль')
    await expect(profile_item).to_be_visible()
    await expect(page.get_by_role('menuitem', name='Выйти')).to_be_visible()
    await page.wait_for_timeout(400)  # the menu's opening animation
    await screenshot(page, 'user-menu')
    await profile_item.focus()
    await page.keyboard.press('Enter')
    await expect(page).to_have_url(f'{base_url}/profile')

    await expect(page.get_by_text(person.email)).to_be_visible()
    await expect(page.get_by_text(person.organization_title)).to_be_visible()
    await expect(page.get_by_label('ФИО')).to_have_value(person.full_name)
    await page.get_by_label('ФИО').fill('')
    await page.get_by_role('button', name='Сохранить', exact=True).click()
    await expect(page.get_by_text('Обязательное поле')).to_be_visible(timeout=TIMEOUT)

    await page.get_by_label('ФИО').fill('Ирина Новикова')
    await page.get_by_label('Телефон').fill('+7 900 123-45-67')
    await page.get_by_role('button', name='Сохранить', exact=True).click()
    await expect(page.get_by_text('Профиль сохранён')).to_be_visible(timeout=TIMEOUT)
    await expect(page.get_by_role('button', name='Меню пользователя')) \
        .to_contain_text('Ирина Новикова')
    await screenshot(page, 'profile')

    await page.reload()
    await expect(page.get_by_label('ФИО')).to_have_value('Ирина Новикова')
    await expect(page.get_by_label('Телефон')).to_have_value('+7 900 123-45-67')
    # The ticket form fills the contact from the saved profile.
    await page.goto(f'{base_url}/tickets/new')
    await expect(page.get_by_text('+7 900 123-45-67').first).to_be_visible()

    # The language: English from the profile, Russian again from the user menu.
    await page.goto(f'{base_url}/profile')
    await page.get_by_label('Язык интерфейса').click()
    await page.get_by_role('option', name='English').click()
    await expect(page.get_by_role('button', name='Create ticket')).to_be_visible(timeout=TIMEOUT)
    await page.get_by_role('button', name='User menu').click()
    await page.get_by_role('menuitem', name='Русский').click()
    await expect(page.get_by_role('button', name='Создать тикет')).to_be_visible(timeout=TIMEOUT)
    await expect(page.get_by_label('Язык интерфейса')).to_have_value('Русский')


async def test_password_change_refuses_a_wrong_current_password(base_url, new_page, backend):
    person = await new_client(backend)
    page = await new_page()
    await log_in(page, base_url, person)
    await expect(page).to_have_url(f'{base_url}/', timeout=TIMEOUT)
    other_tab = await page.context.new_page()
    await other_tab.goto(f'{base_url}/profile')
    await expect(other_tab.get_by_label('ФИО')).to_have_value(person.full_name)
    await open_user_menu(page)
    await page.get_by_role('menuitem', name='Сменить пароль').click()
    dialog = page.get_by_role('dialog')
    await expect(dialog.get_by_text('Смена пароля')).to_be_visible()

    await dialog.get_by_label('Текущий пароль').fill('не тот пароль')
    await dialog.get_by_label('Новый пароль', exact=True).fill('Совсем новый пароль 1')
    await dialog.get_by_label('Повторите новый пароль').fill('Совсем новый пароль 2')
    await dialog.get_by_role('button', name='Сменить пароль').click()
    await expect(dialog.get_by_text('Пароли не совпадают')).to_be_visible()

    await dialog.get_by_label('Повторите новый пароль').fill('Совсем новый пароль 1')
    await dialog.get_by_role('button', name='Сменить пароль').click()
    await expect(dialog.get_by_text('Текущий пароль указан неверно')).to_be_visible(
        timeout=TIMEOUT)

    await dialog.get_by_label('Текущий пароль').fill(person.password)
    await dialog.get_by_label('Новый пароль', exact=True).fill('password123')
    await dialog.get_by_label('Повторите новый пароль').fill('password123')
    await dialog.get_by_role('button', name='Сменить пароль').click()
    await expect(dialog.get_by_text('слишком распространённый пароль')) \
        .to_be_visible(timeout=TIMEOUT)

    await dialog.get_by_label('Новый пароль', exact=True).fill('Совсем новый пароль 1')
    await dialog.get_by_label('Повторите новый пароль').fill('Совсем новый пароль 1')
    await dialog.get_by_role('button', name='Сменить пароль').click()
    await expect(page.get_by_text('Пароль изменён')).to_be_visible(timeout=TIMEOUT)
    await expect(page.get_by_role('dialog')).to_have_count(0)

    # The page goes on with the fresh session: its next call works.
    await page.get_by_role('button', name='Создать тикет').first.click()
    await expect(page).to_have_url(f'{base_url}/tickets/new')
    await expect(page.get_by_text('одна задача = один тикет')).to_be_visible()

    # A tab opened before the change still holds the ended session: its next call fails, and
    # it carries on with the browser's fresh session instead of signing the person out.
    await other_tab.get_by_label('Текущий пароль').fill('Совсем новый пароль 1')
    await other_tab.get_by_label('Новый пароль', exact=True).fill('Ещё один пароль 3')
    await other_tab.get_by_label('Повторите новый пароль').fill('Ещё один пароль 3')
    await other_tab.get_by_role('button', name='Сменить пароль').click()
    await expect(other_tab).to_have_url(f'{base_url}/', timeout=TIMEOUT)
    await page.goto(f'{base_url}/profile')
    await expect(page.get_by_label('ФИО')).to_have_value(person.full_name)

    # The old password no longer opens the account; the new one does.
    other = await new_page()
    await log_in(other, base_url, person)
    await expect(other.get_by_text('Неверный e-mail или пароль')).to_be_visible(timeout=TIMEOUT)
    person.password = 'Совсем новый пароль 1'
    await log_in(other, base_url, person)
    await expect(other).to_have_url(f'{base_url}/', timeout=TIMEOUT)


async def test_first_login_requires_an_own_password(base_url, new_page, backend, screenshot):
    person = await new_client(backend, own_password=False)
    page = await new_page()
    await log_in(page, base_url, person)
    await expect(page).to_have_url(f'{base_url}/password', timeout=TIMEOUT)
    await expect(page.get_by_text('Смена пароля', exact=True)).to_be_visible()
    await expect(page.get_by_role('button', name='Создать тикет')).to_have_count(0)
    await screenshot(page, 'first-login-password')

    # No other page opens until the password is changed.
    for path in ('/', '/tickets/new', '/profile'):
        await page.goto(f'{base_url}{path}')
        await expect(page).to_have_url(f'{base_url}/password')

    await page.get_by_label('Текущий пароль').fill(ISSUED)
    await page.get_by_label('Новый пароль', exact=True).fill('short')
    await page.get_by_label('Повторите новый пароль').fill('short')
    await page.get_by_role('button', name='Сохранить пароль и продолжить').click()
    await expect(page.get_by_role('alert').filter(has_text='Не короче 8 символов')) \
        .to_be_visible(timeout=TIMEOUT)
    await expect(page).to_have_url(f'{base_url}/password')

    await page.get_by_label('Новый пароль', exact=True).fill(OWN)
    await page.get_by_label('Повторите новый пароль').fill(OWN)
    await page.get_by_role('button', name='Сохранить пароль и продолжить').click()
    await expect(page).to_have_url(f'{base_url}/', timeout=TIMEOUT)
    await expect(page.get_by_role('button', name='Создать тикет').first).to_be_visible()

    # Signing out and in again with the own password goes straight to the list.
    await open_user_menu(page)
    await page.get_by_role('menuitem', name='Выйти').click()
    await expect(page).to_have_url(f'{base_url}/login', timeout=TIMEOUT)
    person.password = OWN
    await log_in(page, base_url, person)
    await expect(page).to_have_url(f'{base_url}/', timeout=TIMEOUT)


async def test_phone_sized_header_keeps_every_control(base_url, new_page, screenshot):
    page = await new_page()
    await page.set_viewport_size({'width': 390, 'height': 844})
    await sign_in(page, base_url, 'manager')  # the manager's header has the most buttons
    for name in ('Очередь', 'Отчёты', 'Администрирование', 'Создать тикет',
                 'Меню пользователя'):
        await expect(page.get_by_role('button', name=name).first).to_be_in_viewport()
    await expect(bell(page)).to_be_in_viewport()
    overflow = await page.evaluate(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth')
    assert overflow == 0
    await screenshot(page, 'header-phone')
    await open_user_menu(page)
    await expect(page.get_by_role('menuitem', name='Выйти')).to_be_in_viewport()
    await page.keyboard.press('Escape')
    await bell(page).click()
    await expect(page.get_by_role('button', name='Отметить все прочитанными')).to_be_in_viewport()
    await page.wait_for_timeout(400)  # the menu's opening animation
    await screenshot(page, 'bell-phone')
    # A lost connection shows NiceGUI's reconnecting notice, in the page's language.
    assert 'Попытка переподключения' in await page.content()
