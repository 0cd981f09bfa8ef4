"""The walking skeleton as people see it: a client files a ticket in the browser,
a developer takes it into work, the client sees the new status."""

from __future__ import annotations

import re
import uuid

from playwright.async_api import expect

from cli.demo import login as demo_login
from tests.support.browser import sign_in

TIMEOUT = 20_000  # ms; a transition waits for the ticket's workflow



async def test_client_files_ticket_and_developer_takes_it(base_url, new_page, screenshot):
    client = await new_page()
    await client.goto(f'{base_url}/')
    await expect(client).to_have_url(f'{base_url}/login')
    await expect(client.get_by_text('СЕРВИС ТЕХНИЧЕСКОЙ ПОДДЕРЖКИ САЙТОВ')).to_be_visible()
    await expect(client.get_by_text('Добро пожаловать в систему обслуживания')).to_be_visible()
    await screenshot(client, 'login')

    await sign_in(client, base_url, 'romashka')
    await client.get_by_role('button', name='Создать тикет').first.click()
    await expect(client).to_have_url(f'{base_url}/tickets/new')
    await expect(client.get_by_text('одна задача = один тикет')).to_be_visible()

    title = f'Заменить баннер на главной {uuid.uuid4().hex[:6]}'
    await client.get_by_label('Название').fill(title)
    # The form has loaded the organization's sites once it has filled in the contact.
    await expect(client.get_by_text(demo_login('romashka').email).first).to_be_visible()
    site = client.get_by_label('URL сайта')
    if await site.is_visible():  # the demo client's organization has two sites
        await site.click()
        await client.get_by_role('option').first.click()
        await expect(client.get_by_role('option')).to_have_count(0)  # the menu has closed
    await client.get_by_label('Описание').fill(
        'Новый баннер для https://romashka.example.com/ — макет пришлём в комментарии.')
    await screenshot(client, 'form')
    await client.get_by_role('button', name='Сохранить').click()

    await expect(client).to_have_url(re.compile(rf'{re.escape(base_url)}/tickets/\d+$'),
                                     timeout=TIMEOUT)
    number = int(client.url.rsplit('/', 1)[1])
    await expect(client.get_by_text(f'Тикет #{number}')).to_be_visible()
    await expect(client.get_by_text(title)).to_be_visible()
    await expect(client.get_by_text('В очереди', exact=True)).to_be_visible()
    await expect(client.get_by_label('Комментарий')).to_be_visible()
    await screenshot(client, 'card')

    await client.goto(f'{base_url}/')
    row = client.get_by_role('row').filter(has_text=title)
    await expect(row).to_contain_text('В очереди')
    await expect(row).to_contain_text(f'#{number}')
    await screenshot(client, 'list')

    developer = await new_page()
    await sign_in(developer, base_url, 'developer')
    await developer.goto(f'{base_url}/tickets/{number}')
    await developer.get_by_role('button', name='Взять в работу').click()
    await expect(developer.get_by_text('В работе', exact=True)).to_be_visible(timeout=TIMEOUT)
    await expect(developer.get_by_role('button', name='Взять в работу')).to_have_count(0)
    await screenshot(developer, 'card-developer')

    await client.goto(f'{base_url}/tickets/{number}')
    await expect(client.get_by_text('В работе', exact=True)).to_be_visible()
    await client.get_by_label('Комментарий').fill('Макет баннера: https://romashka.example.com/banner')
    await client.get_by_role('button', name='Отправить').click()
    await expect(client.get_by_role('link', name='https://romashka.example.com/banner')) \
        .to_be_visible(timeout=TIMEOUT)
    await screenshot(client, 'card-in-progress')


async def test_wrong_password_and_foreign_ticket(base_url, new_page):
    page = await new_page()
    await page.goto(f'{base_url}/login')
    await page.get_by_label('E-mail').fill(demo_login('romashka').email)
    await page.get_by_label('Пароль').fill('not-the-password')
    await page.get_by_label('Пароль').press('Enter')
    await expect(page.get_by_text('Неверный e-mail или пароль')).to_be_visible()
    await expect(page).to_have_url(f'{base_url}/login')

    await sign_in(page, base_url, 'vasiliev')
    await page.goto(f'{base_url}/tickets/1')  # the first demo ticket is Ромашка's
    await expect(page.get_by_text('Тикет не найден')).to_be_visible()
    await page.goto(f'{base_url}/tickets/999999')
    await expect(page.get_by_text('Тикет не найден')).to_be_visible()
