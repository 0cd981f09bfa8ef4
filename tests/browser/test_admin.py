"""The manager's administration as a manager sees it, in real Chromium: an organization with
a site and a client account (whose shown-once password works on /login), confirmations
before irreversible actions, an API token shown once, the studio's settings saved and read
back; a client gets «Нет доступа»."""

from __future__ import annotations

import re
import uuid

from playwright.async_api import Page, expect

from cli.demo import login as demo_login

TIMEOUT = 20_000  # ms
SHOWN_ONCE = 'Сохраните — больше он показан не будет'


async def sign_in(page: Page, base_url: str, email: str, password: str) -> None:
    await page.goto(f'{base_url}/login')
    await page.get_by_label('E-mail').fill(email)
    await page.get_by_label('Пароль').fill(password)
    await page.get_by_role('button', name='Войти').click()
    await expect(page).to_have_url(f'{base_url}/', timeout=TIMEOUT)


async def first_sign_in(page: Page, base_url: str, email: str, password: str) -> str:
    """The first login with a manager-issued password: «Смена пароля» comes first; answers
    the person's own password."""
    own = f'Свой пароль {uuid.uuid4().hex[:8]}'
    await page.goto(f'{base_url}/login')
    await page.get_by_label('E-mail').fill(email)
    await page.get_by_label('Пароль').fill(password)
    await page.get_by_role('button', name='Войти').click()
    await expect(page).to_have_url(f'{base_url}/password', timeout=TIMEOUT)
    await page.get_by_label('Текущий пароль').fill(password)
    await page.get_by_label('Новый пароль', exact=True).fill(own)
    await page.get_by_label('Повторите новый пароль').fill(own)
    await page.get_by_role('button', name='Сохранить пароль и продолжить').click()
    await expect(page).to_have_url(f'{base_url}/', timeout=TIMEOUT)
    return own


async def sign_in_demo(page: Page, base_url: str, key: str) -> None:
    person = demo_login(key)
    await sign_in(page, base_url, person.email, person.password)


def dialog(page: Page):
    return page.get_by_role('dialog')


async def read_secret(page: Page) -> str:
    """The shown-once secret in its dialog; the dialog warns that it is shown once."""
    box = dialog(page)
    await expect(box.get_by_text(SHOWN_ONCE)).to_be_visible()
    await expect(box.get_by_role('button', name='Скопировать')).to_be_visible()
    secret = (await box.get_by_test_id('secret').inner_text()).strip()
    assert len(secret) >= 8
    await box.get_by_role('button', name='Готово').click()
    await expect(dialog(page)).to_have_count(0)
    return secret


async def test_manager_sets_up_an_organization_and_its_client(base_url, new_page, screenshot):
    suffix = uuid.uuid4().hex[:6]
    title = f'ООО Тест {suffix}'
    site = f'https://test-{suffix}.example.com'
    email = f'client-{suffix}@test.example.com'

    manager = await new_page()
    await sign_in_demo(manager, base_url, 'manager')
    await manager.get_by_role('button', name='Администрирование').click()
    await expect(manager).to_have_url(f'{base_url}/admin')
    table = manager.get_by_role('table')
    await expect(table.get_by_role('row').filter(has_text='ООО Ромашка')) \
        .to_contain_text('romashka.example.com')

    # A new organization: the name is required, nothing typed is lost on an error.
    await manager.get_by_role('button', name='Новая организация').click()
    await dialog(manager).get_by_label('Автоприёмка, рабочих дней').fill('0')
    await dialog(manager).get_by_role('button', name='Создать').click()
    await expect(dialog(manager).get_by_text('обязательное поле')).to_be_visible()
    await expect(dialog(manager).get_by_label('Автоприёмка, рабочих дней')).to_have_value('0')
    await dialog(manager).get_by_label('Название').fill(title)
    await dialog(manager).get_by_role('button', name='Создать').click()
    await expect(manager).to_have_url(re.compile(rf'{re.escape(base_url)}/admin/organizations/\w+'),
                                      timeout=TIMEOUT)
    await expect(manager.get_by_text(title).first).to_be_visible()
    await expect(manager.get_by_text('выключено')).to_be_visible()  # auto-accept 0 = off
    await expect(manager.get_by_text('Сайтов пока нет')).to_be_visible()
    await expect(manager.get_by_text('Клиентов пока нет')).to_be_visible()

    # Its site: a wrong address is explained next to the field.
    await manager.get_by_role('button', name='Добавить сайт').click()
    await dialog(manager).get_by_label('Адрес сайта').fill('test-site')
    await dialog(manager).get_by_role('button', name='Добавить').click()
    await expect(dialog(manager).get_by_text('адрес сайта вида https://example.ru')).to_be_visible()
    await dialog(manager).get_by_label('Адрес сайта').fill(site)
    await dialog(manager).get_by_label('Название (необязательно)').fill('Корпоративный сайт')
    await dialog(manager).get_by_role('button', name='Добавить').click()
    await expect(dialog(manager)).to_have_count(0)
    await expect(manager.get_by_role('row').filter(has_text='Корпоративный сайт')) \
        .to_contain_text(f'test-{suffix}.example.com')

    # Its client account, with a password shown once.
    await manager.get_by_role('button', name='Новый клиент').click()
    await dialog(manager).get_by_label('ФИО').fill('Анна Тестова')
    await dialog(manager).get_by_label('E-mail').fill('not-an-email')
    await dialog(manager).get_by_label('Телефон').fill('+7 900 000-00-00')
    await dialog(manager).get_by_role('button', name='Создать').click()
    await expect(dialog(manager).get_by_text('введите адрес e-mail')).to_be_visible()
    await expect(dialog(manager).get_by_label('ФИО')).to_have_value('Анна Тестова')
    # The service's refusal (an e-mail already taken: its reason TAKEN) is shown next to
    # the field.
    await dialog(manager).get_by_label('E-mail').fill(demo_login('romashka').email)
    await dialog(manager).get_by_role('button', name='Создать').click()
    await expect(dialog(manager).get_by_text('уже используется')) \
        .to_be_visible(timeout=TIMEOUT)
    await expect(dialog(manager).get_by_role('button', name='Создать')).to_be_enabled()
    await expect(dialog(manager).get_by_label('Телефон')).to_have_value('+7 900 000-00-00')
    await screenshot(manager, 'admin-client-dialog-error')
    await dialog(manager).get_by_label('E-mail').fill(email)
    await dialog(manager).get_by_role('button', name='Создать').click()
    await expect(dialog(manager).get_by_text('Учётная запись создана')).to_be_visible(
        timeout=TIMEOUT)
    await expect(dialog(manager)).to_contain_text(email)
    await manager.wait_for_timeout(500)  # the dialog's opening animation
    await screenshot(manager, 'admin-client-password')
    password = await read_secret(manager)
    row = manager.get_by_role('row').filter(has_text=email)
    await expect(row).to_contain_text('Активен')
    await expect(row).to_contain_text('Анна Тестова')
    await screenshot(manager, 'admin-organization')

    # Deactivating asks first; cancelling changes nothing.
    await row.get_by_role('button', name='Отключить').click()
    await expect(dialog(manager).get_by_text('Отключить учётную запись?')).to_be_visible()
    await dialog(manager).get_by_role('button', name='Отмена').click()
    await expect(dialog(manager)).to_have_count(0)
    await expect(row).to_contain_text('Активен')

    # The new client signs in with the shown-once password, chooses an own one and sees no
    # administration.
    client = await new_page()
    password = await first_sign_in(client, base_url, email, password)
    await expect(client.get_by_text('Анна Тестова')).to_be_visible()
    await expect(client.get_by_role('button', name='Администрирование')).to_have_count(0)

    # The organization list shows the new organization with its site and client.
    await manager.goto(f'{base_url}/admin')
    new_row = manager.get_by_role('row').filter(has_text=title)
    await expect(new_row).to_contain_text(f'test-{suffix}.example.com')
    await expect(new_row).to_contain_text('выключено')
    await screenshot(manager, 'admin-organizations')

    # Deactivating for real (confirmed) ends the client's access.
    await new_row.get_by_role('link', name=title).click()
    row = manager.get_by_role('row').filter(has_text=email)
    await row.get_by_role('button', name='Отключить').click()
    await dialog(manager).get_by_role('button', name='Отключить').click()
    await expect(row).to_contain_text('Отключён', timeout=TIMEOUT)
    other = await new_page()
    await other.goto(f'{base_url}/login')
    await other.get_by_label('E-mail').fill(email)
    await other.get_by_label('Пароль').fill(password)
    await other.get_by_role('button', name='Войти').click()
    await expect(other.get_by_text('Неверный e-mail или пароль')).to_be_visible()


async def test_manager_creates_an_api_token_seen_once(base_url, new_page, screenshot):
    name = f'CRM {uuid.uuid4().hex[:6]}'
    manager = await new_page()
    await sign_in_demo(manager, base_url, 'manager')
    await manager.goto(f'{base_url}/admin/tokens')
    await manager.get_by_role('button', name='Новый токен').click()
    await dialog(manager).get_by_label('Название').fill(name)
    await dialog(manager).get_by_role('button', name='Создать').click()
    await expect(dialog(manager).get_by_text('Токен создан')).to_be_visible(timeout=TIMEOUT)
    secret = await read_secret(manager)
    row = manager.get_by_role('row').filter(has_text=name)
    await expect(row).to_contain_text('Разработчик')
    await expect(row).to_contain_text('Действует')

    await manager.reload()
    await expect(manager.get_by_role('row').filter(has_text=name)).to_be_visible()
    await expect(manager.get_by_text(secret)).to_have_count(0)  # never shown again

    # Revoking asks first; cancelling keeps the token.
    row = manager.get_by_role('row').filter(has_text=name)
    await row.get_by_role('button', name='Отозвать').click()
    await expect(dialog(manager).get_by_text('Отозвать токен?')).to_be_visible()
    await dialog(manager).get_by_role('button', name='Отмена').click()
    await expect(row).to_contain_text('Действует')
    await screenshot(manager, 'admin-tokens')


async def test_manager_changes_the_settings(base_url, new_page, screenshot):
    manager = await new_page()
    await sign_in_demo(manager, base_url, 'manager')
    await manager.goto(f'{base_url}/admin/settings')
    critical = manager.get_by_label('Первый ответ, Критический')
    await expect(critical).to_have_value('1')
    save = manager.get_by_role('button', name='Сохранить')
    await expect(save).to_be_disabled()

    await manager.get_by_label('Праздничный день').fill('30.12.2098')
    await manager.get_by_role('button', name='Добавить праздник').click()
    holiday = manager.get_by_text('30.12.2098')
    await expect(holiday).to_be_visible()
    await critical.fill('2')
    await expect(manager.get_by_text('Есть несохранённые изменения')).to_be_visible()
    await save.click()
    await expect(manager.get_by_text('Настройки сохранены')).to_be_visible(timeout=TIMEOUT)

    await manager.reload()
    await expect(manager.get_by_text('30.12.2098')).to_be_visible()
    await expect(manager.get_by_label('Первый ответ, Критический')).to_have_value('2')
    await expect(manager.get_by_label('Первый ответ, Высокий')).to_have_value('4')
    await screenshot(manager, 'admin-settings')

    # A working day that ends before it begins is explained, and nothing is saved.
    await manager.get_by_label('Начало рабочего дня').fill('20:00')
    await manager.get_by_role('button', name='Сохранить').click()
    await expect(manager.get_by_text('начало рабочего дня должно быть раньше конца')) \
        .to_be_visible()
    await manager.get_by_role('button', name='Отменить изменения').click()
    await expect(manager.get_by_label('Начало рабочего дня')).to_have_value('10:00')

    # Back to the defaults for the other tests: remove the holiday, critical back to 1 h.
    await manager.locator('.q-chip', has_text='30.12.2098').locator('.q-chip__icon--remove') \
        .click()
    await expect(manager.get_by_text('30.12.2098')).to_have_count(0)
    await manager.get_by_label('Первый ответ, Критический').fill('1')
    await manager.get_by_role('button', name='Сохранить').click()
    await expect(manager.get_by_text('Настройки сохранены')).to_be_visible(timeout=TIMEOUT)
    await manager.reload()
    await expect(manager.get_by_label('Первый ответ, Критический')).to_have_value('1')
    await expect(manager.get_by_text('30.12.2098')).to_have_count(0)


async def test_client_has_no_access_to_the_administration(base_url, new_page):
    client = await new_page()
    await sign_in_demo(client, base_url, 'romashka')
    await expect(client.get_by_role('button', name='Администрирование')).to_have_count(0)
    for path in ('/admin', '/admin/settings', '/admin/tokens', '/admin/staff',
                 '/admin/integrations'):
        await client.goto(f'{base_url}{path}')
        await expect(client.get_by_text('Нет доступа', exact=True)).to_be_visible()
        await expect(client.get_by_text('доступен только менеджеру проекта')).to_be_visible()


async def test_manager_adds_a_developer_and_resets_the_password(base_url, new_page, screenshot):
    email = f'dev-{uuid.uuid4().hex[:6]}@studio.example.com'
    manager = await new_page()
    await sign_in_demo(manager, base_url, 'manager')
    await manager.goto(f'{base_url}/admin/staff')
    me = manager.get_by_role('row').filter(has_text=demo_login('manager').email)
    await expect(me).to_contain_text('это вы')
    await expect(me.get_by_role('button', name='Отключить')).to_have_count(0)

    await manager.get_by_role('button', name='Новый сотрудник').click()
    await dialog(manager).get_by_label('ФИО').fill('Пётр Новиков')
    await dialog(manager).get_by_label('E-mail').fill(email)
    await dialog(manager).get_by_role('button', name='Создать').click()
    await expect(dialog(manager).get_by_text('Учётная запись создана')).to_be_visible(
        timeout=TIMEOUT)
    await expect(dialog(manager)).to_contain_text('Разработчик')
    first = await read_secret(manager)
    row = manager.get_by_role('row').filter(has_text=email)
    await expect(row).to_contain_text('Разработчик')

    # Resetting asks first; the new password is shown once and the old one stops working.
    await row.get_by_role('button', name='Сбросить пароль').click()
    await expect(dialog(manager).get_by_text('Сбросить пароль?')).to_be_visible()
    await dialog(manager).get_by_role('button', name='Сбросить пароль').click()
    await expect(dialog(manager).get_by_text('Пароль сброшен')).to_be_visible(timeout=TIMEOUT)
    second = await read_secret(manager)
    assert second != first
    await screenshot(manager, 'admin-staff')

    developer = await new_page()
    await developer.goto(f'{base_url}/login')
    await developer.get_by_label('E-mail').fill(email)
    await developer.get_by_label('Пароль').fill(first)
    await developer.get_by_role('button', name='Войти').click()
    await expect(developer.get_by_text('Неверный e-mail или пароль')).to_be_visible()
    await first_sign_in(developer, base_url, email, second)
    await expect(developer.get_by_role('button', name='Администрирование')).to_have_count(0)
    await developer.goto(f'{base_url}/admin/staff')
    await expect(developer.get_by_text('Нет доступа', exact=True)).to_be_visible()
