"""Without a mouse: the login form submits with Enter, and a ticket is filed with Tab and
typing alone, the fields coming in the instruction's order."""

from __future__ import annotations

import re
import uuid
from playwright.async_api import expect

from cli.demo import DEMO_ORGANIZATIONS, login as demo_login
from tests.support.browser import TIMEOUT, status_of

SITE = DEMO_ORGANIZATIONS[0].sites[0][0]


async def test_login_and_new_ticket_by_keyboard(base_url, new_page, studio_today):
    page = await new_page()
    keys = page.keyboard
    person = demo_login('romashka')
    await page.goto(f'{base_url}/login')
    await expect(page.get_by_label('E-mail')).to_be_focused()
    await keys.type(person.email)
    await keys.press('Tab')
    await expect(page.get_by_label('Пароль')).to_be_focused()
    await keys.type(person.password)
    await keys.press('Enter')
    await expect(page).to_have_url(f'{base_url}/', timeout=TIMEOUT)

    await page.goto(f'{base_url}/tickets/new')
    title = f'Сменить баннер с клавиатуры {uuid.uuid4().hex[:6]}'
    await expect(page.get_by_label('Контакт')).not_to_have_value('')  # the form has loaded
    await page.get_by_label('Название').focus()
    await keys.type(title)
    await keys.press('Tab')
    await expect(page.get_by_label('URL сайта')).to_be_focused()
    await keys.press('ArrowDown')  # opens the list
    first = page.get_by_role('option', name=SITE)
    await expect(first).to_be_visible()
    await keys.press('ArrowDown')  # onto the first site
    await expect(first).to_have_class(re.compile(r'q-manual-focusable--focused'))
    await keys.press('Enter')
    await expect(page.get_by_label('URL сайта')).to_have_value(SITE)
    await keys.press('Tab')
    await expect(page.get_by_label('Контакт')).to_be_focused()  # already filled in
    await keys.press('Tab')
    await expect(page.get_by_label('Описание')).to_be_focused()
    await keys.type('Баннер: https://romashka.example.com/promo')
    await keys.press('Tab')
    await expect(page.get_by_label('Желаемая дата реализации')).to_be_focused()
    await keys.type(studio_today.strftime('%d%m%Y'))  # digits only: the mask adds the dots
    await expect(page.get_by_label('Желаемая дата реализации')) \
        .to_have_value(studio_today.strftime('%d.%m.%Y'))
    save = page.get_by_role('button', name='Сохранить')
    for _ in range(3):  # the calendar button, «Добавить файлы», «Приоритет»
        await keys.press('Tab')
    await expect(page.get_by_label('Приоритет')).to_be_focused()
    await keys.press('Tab')
    await expect(save).to_be_focused()
    await keys.press('Enter')

    await expect(page).to_have_url(re.compile(r'/tickets/\d+$'), timeout=TIMEOUT)
    await expect(page.get_by_text(title)).to_be_visible()
    await expect(status_of(page)).to_have_text('В очереди')
    await expect(page.get_by_text(studio_today.strftime('%d.%m.%Y'), exact=True)).to_be_visible()
    await expect(page.get_by_role('link', name='https://romashka.example.com/promo')) \
        .to_be_visible()
