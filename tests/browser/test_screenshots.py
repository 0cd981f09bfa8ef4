"""Pictures of the main pages, in Russian and in English, for people to look at
(test-artifacts/screenshots/<lang>/): the list, the form, a card in every status, the
remarks confirmation, the card on a phone, the queue and the administration; and the pages
on a phone-sized screen."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.async_api import Page, expect

from tests.support.browser import TIMEOUT, Backend, sign_in, status_of
from ticketdesk.tickets.v1 import tickets_pb2 as pb

# A ticket in every status, as a client of «ООО Ромашка» would have them.
TICKETS = {
    'queued': (pb.STATUS_QUEUED, 'Добавить баннер акции на главную'),
    'in_progress': (pb.STATUS_IN_PROGRESS, 'Не грузятся фото в галерее'),
    'needs_info': (pb.STATUS_NEEDS_INFO, 'Новая страница «Вакансии»'),
    'awaiting_acceptance': (pb.STATUS_AWAITING_ACCEPTANCE, 'Поменять телефон в подвале'),
    'done': (pb.STATUS_DONE, 'Исправить опечатку на странице «О нас»'),
    'cancelled': (pb.STATUS_CANCELLED, 'Перенести блог на поддомен'),
}
# The statuses as docs/PRODUCT.md names them.
STATUS = {
    'ru': {'queued': 'В очереди', 'in_progress': 'В работе', 'needs_info': 'Требует уточнений',
           'awaiting_acceptance': 'Ожидает приемку', 'done': 'Выполнен', 'cancelled': 'Отменён'},
    'en': {'queued': 'Queued', 'in_progress': 'In progress', 'needs_info': 'Needs clarification',
           'awaiting_acceptance': 'Awaiting acceptance', 'done': 'Done', 'cancelled': 'Cancelled'},
}
CREATE = {'ru': 'Создать тикет', 'en': 'Create ticket'}
CONTACT = {'ru': 'Контакт', 'en': 'Contact'}
COMMENT = {'ru': 'Комментарий', 'en': 'Comment'}
SEND = {'ru': 'Отправить', 'en': 'Send'}
REMARKS = {'ru': 'Телефон в подвале остался старый.', 'en': 'The footer still shows the old phone.'}
REMARKS_SENT = {'ru': 'Ваши замечания переданы студии', 'en': 'Your remarks have reached the studio'}
QUASAR_LANG = {'ru': 'ru', 'en': 'en-US'}
PHONE = {'width': 390, 'height': 844}
NO_OVERFLOW = 'document.documentElement.scrollWidth <= window.innerWidth'
# Boxes that scroll sideways inside the page (a wide table), by their classes.
SIDEWAYS = '''[...document.querySelectorAll('*')]
  .filter(e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX)
               && e.scrollWidth > e.clientWidth + 1)
  .map(e => `${e.className} (${e.scrollWidth} > ${e.clientWidth})`)'''


@pytest.fixture(scope='module')
async def cards(backend: Backend) -> dict[str, pb.Ticket]:
    """A new ticket in each status."""
    tickets = {}
    for code, (status, title) in TICKETS.items():
        tickets[code] = await backend.ticket(f'{title} ({uuid.uuid4().hex[:4]})', status)
    await backend.comment(tickets['in_progress'].name, 'developer',
                          'Посмотрели: фото весят по 15 МБ, настроим сжатие при загрузке.')
    return tickets


@pytest.mark.timeout(600)
@pytest.mark.parametrize('lang', ['ru', 'en'])
async def test_main_pages(lang, base_url, new_page, backend, cards, screenshot):
    async with backend.language(['romashka', 'manager'], lang):
        client = await new_page()
        await sign_in(client, base_url, 'romashka')
        await expect(client.locator('html')).to_have_attribute('lang', QUASAR_LANG[lang])
        await expect(client.get_by_role('button', name=CREATE[lang])).to_be_visible()
        await expect(row_of(client, cards['queued'])).to_be_visible(timeout=TIMEOUT)
        await screenshot(client, '01-list', lang)
        await client.goto(f'{base_url}/tickets/new')
        await expect(client.get_by_role('combobox', name=CONTACT[lang])) \
            .to_have_value(re.compile('client@romashka'))  # the form has loaded its choices
        await screenshot(client, '02-form', lang)
        for index, (code, ticket) in enumerate(cards.items(), start=3):
            await client.goto(f'{base_url}/tickets/{ticket.number}')
            await expect(client.get_by_text(ticket.title)).to_be_visible()
            await expect(status_of(client)).to_have_text(STATUS[lang][code])
            await screenshot(client, f'{index:02}-card-{code}', lang)
        await remarks_confirmation(client, base_url, backend, lang, screenshot)
        await phone_card(await new_page(), base_url, cards['awaiting_acceptance'], lang,
                         screenshot)

        manager = await new_page()
        await sign_in(manager, base_url, 'manager')
        await manager.goto(f'{base_url}/queue')
        await expect(row_of(manager, cards['queued'])).to_be_visible(timeout=TIMEOUT)
        await screenshot(manager, '09-queue', lang)
        await manager.goto(f'{base_url}/admin')
        await expect(manager.get_by_text('ООО Ромашка').first).to_be_visible(timeout=TIMEOUT)
        await screenshot(manager, '10-admin', lang)


async def test_phone_sized_screen(base_url, new_page, cards, screenshot):
    client = await new_page()
    await client.set_viewport_size(PHONE)
    await sign_in(client, base_url, 'romashka')
    row = row_of(client, cards['needs_info'])
    await expect(row).to_be_visible(timeout=TIMEOUT)
    await within_screen(row.locator('.q-badge'))  # the status, without scrolling sideways
    await check_fits(client, 'phone-list', screenshot)
    await create_ticket_within_reach(client)
    await expect(client).to_have_url(f'{base_url}/tickets/new')
    await expect(client.get_by_label('Название')).to_be_visible()
    await check_fits(client, 'phone-form', screenshot)
    await client.goto(f'{base_url}/tickets/{cards["awaiting_acceptance"].number}')
    await expect(client.get_by_role('button', name='Принять работы')).to_be_visible()
    await check_fits(client, 'phone-card', screenshot)
    await create_ticket_within_reach(client)


async def remarks_confirmation(client: Page, base_url: str, backend: Backend, lang: str,
                               screenshot) -> None:
    """A client's remarks on work awaiting acceptance, as the card acknowledges them."""
    ticket = await backend.ticket(f'Поменять телефон в подвале ({uuid.uuid4().hex[:4]})',
                                  pb.STATUS_AWAITING_ACCEPTANCE)
    await client.goto(f'{base_url}/tickets/{ticket.number}')
    await client.get_by_label(COMMENT[lang]).fill(REMARKS[lang])
    await client.get_by_role('button', name=SEND[lang]).click()
    await expect(client.get_by_text(REMARKS_SENT[lang])).to_be_visible(timeout=TIMEOUT)
    await expect(client.get_by_role('alert')).to_be_visible()  # the notification, in the picture
    await screenshot(client, '11-card-remarks', lang)


async def phone_card(client: Page, base_url: str, ticket: pb.Ticket, lang: str,
                     screenshot) -> None:
    await client.set_viewport_size(PHONE)
    await sign_in(client, base_url, 'romashka')
    await client.goto(f'{base_url}/tickets/{ticket.number}')
    await expect(client.get_by_label(COMMENT[lang])).to_be_visible()
    await expect(status_of(client)).to_have_text(STATUS[lang]['awaiting_acceptance'])
    await screenshot(client, '12-card-phone', lang)


def row_of(page: Page, ticket: pb.Ticket):
    return page.get_by_role('row').filter(has_text=ticket.title)


async def check_fits(page: Page, name: str, screenshot) -> None:
    """Nothing sticks out sideways: no horizontal scrolling on a phone."""
    widths = await page.evaluate(
        '[document.documentElement.scrollWidth, window.innerWidth]')
    await screenshot(page, name)
    assert await page.evaluate(NO_OVERFLOW), f'{name}: page {widths[0]}px, screen {widths[1]}px'
    assert await page.evaluate(SIDEWAYS) == [], name


async def create_ticket_within_reach(page: Page) -> None:
    """«Создать тикет» is on the screen, not hidden or pushed out of it."""
    button = page.get_by_role('button', name='Создать тикет')
    await within_screen(button)
    await button.click()


async def within_screen(element) -> None:
    await expect(element).to_be_visible()
    box = await element.bounding_box()
    assert box and box['x'] >= 0 and box['x'] + box['width'] <= PHONE['width'], box
