"""What a client noticed (issue #14), in real Chromium: on a phone the comment field comes
before the long history and «Создать тикет» keeps its words; withdrawing sits apart from
accepting and is confirmed with its reason (Escape changes nothing); a date is typed and
picked as the language writes dates; a file just over the limit never reads as the limit."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

from playwright.async_api import Page, expect

from tests.support.browser import TIMEOUT, sign_in, status_of
from ticketdesk.tickets.v1 import tickets_pb2 as pb

PHONE = {'width': 390, 'height': 844}
NO_OVERFLOW = 'document.documentElement.scrollWidth <= window.innerWidth'
QUESTION = 'Проверьте, пожалуйста, на телефоне.'


async def top(locator) -> float:
    box = await locator.bounding_box()
    assert box is not None
    return box['y']


async def test_the_card_on_a_phone(base_url, new_page, backend, screenshot):
    ticket = await backend.ticket(f'Сдвинулся баннер на телефоне {uuid.uuid4().hex[:4]}',
                                  pb.STATUS_AWAITING_ACCEPTANCE)
    await backend.comment(ticket.name, 'developer', QUESTION)
    client = await new_page()
    await client.set_viewport_size(PHONE)
    await sign_in(client, base_url, 'romashka')
    # «Создать тикет» in words, not a bare «+» (step 2 of the instruction names the button).
    create = client.get_by_role('button', name='Создать тикет')
    await expect(create.get_by_text('Создать тикет', exact=True)).to_be_visible()
    box = await create.bounding_box()
    assert box and box['x'] >= 0 and box['x'] + box['width'] <= PHONE['width'], box

    await client.goto(f'{base_url}/tickets/{ticket.number}')
    await expect(status_of(client)).to_have_text('Ожидает приемку')
    history = client.locator('.q-card').filter(has_text='История')
    await expect(history).to_contain_text('Тикет создан', timeout=TIMEOUT)
    field = client.get_by_label('Комментарий')
    earlier = client.get_by_text(QUESTION, exact=True)
    # The field, then the thread, then the history: neither is behind the history.
    assert await top(field) < await top(earlier) < await top(history)
    assert await top(client.get_by_text('Переписка', exact=True)) < await top(history)
    assert await client.evaluate(NO_OVERFLOW)
    await screenshot(client, 'phone-card-comment-first')
    # A comment from the phone lands in the thread, above the history too.
    await field.fill('Спасибо, сейчас посмотрю.')
    await client.get_by_role('button', name='Отправить').click()
    await expect(client.get_by_text('Спасибо, сейчас посмотрю.', exact=True)) \
        .to_be_visible(timeout=TIMEOUT)
    # A wide screen: the conversation on the right, its field under the thread (step 4).
    await client.set_viewport_size({'width': 1366, 'height': 900})
    title = await client.get_by_text(ticket.title, exact=True).bounding_box()
    box = await field.bounding_box()
    assert title and box and box['x'] > title['x'] + title['width'] / 2
    assert await top(earlier) < await top(field)


async def test_withdrawing_sits_apart_and_is_confirmed(base_url, new_page, backend,
                                                       screenshot):
    ticket = await backend.ticket(f'Отозвать после проверки {uuid.uuid4().hex[:4]}',
                                  pb.STATUS_AWAITING_ACCEPTANCE)
    client = await new_page()
    await sign_in(client, base_url, 'romashka')
    await client.goto(f'{base_url}/tickets/{ticket.number}')
    accept = client.get_by_role('button', name='Принять работы')
    withdraw = client.get_by_role('button', name='Отозвать тикет')
    await expect(accept).to_be_visible()
    # Apart: below the description at the bottom of the card, not beside the green button.
    assert await top(withdraw) - await top(accept) > 150
    description = client.get_by_text('Подробности на странице')
    assert await top(withdraw) > await top(description)

    await withdraw.click()
    dialog = client.get_by_role('dialog')
    await expect(dialog).to_contain_text('Отозвать тикет #')
    await expect(dialog).to_contain_text('получит статус «Отменён»')
    confirm = dialog.get_by_role('button', name='Отозвать тикет')
    await expect(confirm).to_have_class(re.compile(r'\bbg-negative\b'))
    await confirm.click()  # the reason is required
    await expect(dialog.get_by_text('Заполните это поле')).to_be_visible()
    await dialog.get_by_label('Причина').fill('Сделали своими силами')
    await screenshot(client, 'card-withdraw-confirm')
    await client.keyboard.press('Escape')  # changes nothing, loses nothing
    await expect(dialog).to_have_count(0)
    await expect(status_of(client)).to_have_text('Ожидает приемку')
    await withdraw.click()
    await expect(dialog.get_by_label('Причина')).to_have_value('Сделали своими силами')
    await dialog.get_by_role('button', name='Оставить открытым').click()
    await expect(dialog).to_have_count(0)
    await expect(status_of(client)).to_have_text('Ожидает приемку')
    await withdraw.click()
    await dialog.get_by_role('button', name='Отозвать тикет').click()
    await expect(status_of(client)).to_have_text('Отменён', timeout=TIMEOUT)
    await expect(client.get_by_role('button', name='Отозвать тикет')).to_have_count(0)


async def fill_form(page: Page, title: str) -> None:
    await expect(page.get_by_role('combobox', name=re.compile('^(Контакт|Contact)$'))) \
        .not_to_have_value('')  # the form has loaded its choices
    await page.get_by_role('textbox', name=re.compile('^(Название|Title)$')).fill(title)
    site = page.get_by_role('combobox', name=re.compile('^(URL сайта|Website URL)$'))
    if await site.is_visible():  # an organization with several sites
        await site.click()
        await page.get_by_role('option').first.click()
        await expect(page.get_by_role('option')).to_have_count(0)
    await page.get_by_role('textbox', name=re.compile('^(Описание|Description)$')).fill(
        'Поменять телефон: https://romashka.example.com/contacts')


async def test_a_date_is_typed_and_picked_in_russian(base_url, new_page, studio_today):
    page = await new_page()
    await sign_in(page, base_url, 'romashka')
    await page.goto(f'{base_url}/tickets/new')
    await fill_form(page, f'Дата по-русски {uuid.uuid4().hex[:4]}')
    field = page.get_by_label('Желаемая дата реализации')
    await field.click()
    await page.keyboard.type('31022031')  # the mask puts the dots in; there is no 31 February
    await expect(field).to_have_value('31.02.2031')
    await page.get_by_role('button', name='Сохранить').click()
    await expect(page.get_by_text('Введите дату в формате ДД.ММ.ГГГГ')).to_be_visible()
    await expect(field).to_have_value('31.02.2031')  # nothing typed is lost
    wanted = studio_today + timedelta(days=3)
    await field.fill('')
    await page.keyboard.type(wanted.strftime('%d%m%Y'))
    await expect(field).to_have_value(wanted.strftime('%d.%m.%Y'))
    await page.get_by_role('button', name='Сохранить').click()
    await expect(page).to_have_url(re.compile(r'/tickets/\d+$'), timeout=TIMEOUT)
    await expect(page.get_by_text(wanted.strftime('%d.%m.%Y'), exact=True)).to_be_visible()


async def test_a_date_and_a_file_size_in_english(base_url, new_page, backend, screenshot,
                                                 max_upload_bytes, studio_today):
    async with backend.language(['vasiliev'], 'en'):
        page = await new_page()
        await sign_in(page, base_url, 'vasiliev')
        await page.goto(f'{base_url}/tickets/new')
        await fill_form(page, f'A date in English {uuid.uuid4().hex[:4]}')
        field = page.get_by_label('Desired completion date')
        await field.click()
        await page.keyboard.type('13012031')  # day first: there is no 13th month
        await expect(field).to_have_value('13/01/2031')
        await page.get_by_role('button', name='Save').click()
        await expect(page.get_by_text('Enter the date as MM/DD/YYYY')).to_be_visible()
        await expect(field).to_have_value('13/01/2031')
        # The calendar writes the same way: month first.
        await field.fill('')
        tomorrow = studio_today + timedelta(days=1)
        await page.get_by_role('button', name='Choose a date in the calendar').click()
        picker = page.locator('.q-date')
        if tomorrow.month != date.today().month:  # the calendar opens on the browser's month
            await picker.locator('.q-date__arrow').last.click()
        await picker.locator('.q-date__calendar-item--in').get_by_text(
            str(tomorrow.day), exact=True).click()
        await expect(field).to_have_value(tomorrow.strftime('%m/%d/%Y'))
        await expect(picker).to_have_count(0)
        # A file just over the limit reads as more than the limit, beside «larger than».
        limit_mb = max_upload_bytes // (1024 * 1024)
        await page.locator('input[type=file]').set_input_files([{
            'name': 'Just over.zip', 'mimeType': 'application/zip',
            'buffer': b'PK\x03\x04' + b'\0' * (max_upload_bytes - 3)}])
        row = page.locator('.td-picked-file').filter(has_text='Just over.zip')
        await expect(row).to_contain_text(f'{limit_mb}.1 MB', timeout=TIMEOUT)
        await expect(row).to_contain_text(f'The file is larger than {limit_mb} MB')
        await screenshot(page, 'form-date-and-size', 'en')
