"""The client instruction (docs/client-instruction.ru.txt), walked step by step in real
Chromium: a client of «ООО Ромашка» files a ticket with every field of the form, the studio
asks a question, the client answers, the work is submitted, sent back with remarks, submitted
again and accepted."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
from playwright.async_api import Page, expect

from cli.demo import DEMO_ORGANIZATIONS, login as demo_login
from tests.support.browser import TIMEOUT, act, comment, png, sign_in, status_of, xlsx

CLIENT = demo_login('romashka')
SITE = DEMO_ORGANIZATIONS[0].sites[1][0]  # the second of Ромашка's two sites: a real choice
PNG_NAME = 'Скриншот каталога.png'
XLSX_NAME = 'Новые цены.xlsx'
QUESTION = 'Цены нужны с НДС или без? Уточните, пожалуйста.'
SUMMARY = 'Цены обновлены, старые показаны зачёркнутыми.'
REMARKS = 'Не обновилась цена у букета «Нежность», проверьте, пожалуйста.'


@pytest.mark.timeout(900)  # a dozen transitions through Temporal on a shared 2-core machine
async def test_client_instruction_step_by_step(base_url, new_page, screenshot, tmp_path,
                                                studio_today):
    client = await new_page()
    await step1_login(client, base_url)
    await step2_create(client, base_url)
    title = f'Обновить цены в каталоге {uuid.uuid4().hex[:6]}'
    number = await step3_describe(client, base_url, title, tmp_path, screenshot, studio_today)
    await step4_check(client, title, screenshot, studio_today)
    await comment(client, 'Старые цены оставьте зачёркнутыми.')  # ШАГ 5 — КОММЕНТАРИИ

    developer = await new_page()
    await sign_in(developer, base_url, 'developer')
    await developer.goto(f'{base_url}/tickets/{number}')
    await ask_question(developer)
    await answer_question(client, screenshot)

    await act(developer, 'Взять в работу', 'В работе')
    await act(developer, 'Сдать на приемку', 'Ожидает приемку', text=SUMMARY)
    await check_awaiting_acceptance(client, screenshot)
    await send_remarks(client, screenshot)

    await developer.goto(f'{base_url}/queue?q={number}')  # the queue, searched by number
    row = developer.get_by_role('row').filter(has_text=title)
    await expect(row).to_contain_text('есть замечания', timeout=TIMEOUT)
    await developer.goto(f'{base_url}/tickets/{number}')
    await expect(developer.get_by_text('есть замечания', exact=True)).to_be_visible()
    await take_back(developer)
    await expect(status_of(client)).to_have_text('В работе', timeout=TIMEOUT)
    await expect(client.get_by_text('Ваши замечания переданы студии')).to_have_count(0)
    await act(developer, 'Сдать на приемку', 'Ожидает приемку', text='Цена «Нежности» исправлена.')
    await accept(client, screenshot)


async def step1_login(client: Page, base_url: str) -> None:
    """ШАГ 1 — АВТОРИЗАЦИЯ."""
    await client.goto(f'{base_url}/')
    await expect(client).to_have_url(f'{base_url}/login')
    await expect(client.get_by_text('СЕРВИС ТЕХНИЧЕСКОЙ ПОДДЕРЖКИ САЙТОВ')).to_be_visible()
    await expect(client.get_by_text(
        'Добро пожаловать в систему обслуживания вашего сайта. Чтобы оставить заявку, войдите '
        'в систему. Если у вас нет данных для входа в систему - свяжитесь с менеджером вашего '
        'проекта.')).to_be_visible()
    await sign_in(client, base_url, 'romashka')


async def step2_create(client: Page, base_url: str) -> None:
    """ШАГ 2 — «Создать тикет» in the top right corner."""
    button = client.get_by_role('button', name='Создать тикет')
    box = await button.bounding_box()
    width = client.viewport_size['width']
    assert box is not None and box['x'] > width / 2 and box['y'] < 100, box
    await button.click()
    await expect(client).to_have_url(f'{base_url}/tickets/new')


async def step3_describe(client: Page, base_url: str, title: str, tmp_path, screenshot,
                         today: date) -> int:
    """ШАГ 3 — every field of the form, in the instruction's order; then «Сохранить»."""
    await expect(client.get_by_text('одна задача = один тикет')).to_be_visible()
    await client.get_by_label('Название').fill(title)                                    # 1
    await choose(client, 'URL сайта', SITE)                                              # 2
    await expect(client.get_by_label('Контакт')).to_have_value(                          # 3
        f'{CLIENT.full_name} · {CLIENT.email} · {CLIENT.phone}')
    await client.get_by_label('Описание').fill(                                          # 4
        'Новые цены — во вложении, раздел https://shop.romashka.example.com/catalog/bouquets')
    await client.get_by_label('Желаемая дата реализации').locator('xpath=ancestor::label') \
        .get_by_role('button').click()                                                  # 5
    picker = client.locator('.q-date')
    if today.month != date.today().month:  # the calendar opens on the browser's month
        await picker.locator('.q-date__arrow').last.click()
    if today.day > 1:  # an earlier day of this month cannot be picked
        await expect(picker.locator('.q-date__calendar-item--out')
                     .get_by_text(str(today.day - 1), exact=True)).to_have_count(1)
    await picker.locator('.q-date__calendar-item--in').get_by_text(
        str(today.day), exact=True).click()
    # Shown as it was picked, the way the card shows dates: ДД.ММ.ГГГГ (the service gets ISO).
    await expect(client.get_by_label('Желаемая дата реализации')) \
        .to_have_value(today.strftime('%d.%m.%Y'))
    await expect(picker).to_have_count(0)  # a picked day closes the calendar
    (tmp_path / PNG_NAME).write_bytes(png())                                             # 6
    (tmp_path / XLSX_NAME).write_bytes(xlsx())
    await client.locator('input[type=file]').set_input_files(
        [tmp_path / PNG_NAME, tmp_path / XLSX_NAME])
    for name in (PNG_NAME, XLSX_NAME):
        await expect(client.locator('.td-picked-file').filter(has_text=name)) \
            .to_contain_text('ожидает', timeout=TIMEOUT)
    await choose(client, 'Приоритет', 'Высокий')                                         # 7
    await screenshot(client, 'instruction-form')
    await client.get_by_role('button', name='Сохранить').click()                         # 8
    await expect(client).to_have_url(re.compile(rf'{re.escape(base_url)}/tickets/\d+$'),
                                     timeout=TIMEOUT)
    return int(client.url.rsplit('/', 1)[1])


async def choose(page: Page, label: str, option: str) -> None:
    """Picks an option of a select and waits until the select shows it: the value has made
    the round trip to the server (NiceGUI selects show what the server holds)."""
    select = page.get_by_label(label)
    await select.click()
    await page.get_by_role('option', name=option, exact=True).click()
    await expect(page.get_by_role('option')).to_have_count(0)  # the menu has closed
    await expect(select).to_have_value(option)


async def step4_check(client: Page, title: str, screenshot, today: date) -> None:
    """ШАГ 4 — the card shows every field, the status, the files; «Комментарий» on the right."""
    await expect(client.get_by_text(title)).to_be_visible()
    await expect(status_of(client)).to_have_text('В очереди')
    for text in (SITE.removeprefix('https://'), CLIENT.full_name, CLIENT.email, CLIENT.phone,
                 'Высокий', today.strftime('%d.%m.%Y')):
        await expect(client.get_by_text(text, exact=True).first).to_be_visible()
    await expect(client.get_by_role(
        'link', name='https://shop.romashka.example.com/catalog/bouquets')).to_be_visible()
    await expect(client.locator('.td-file')).to_have_count(2, timeout=TIMEOUT)
    for name in (PNG_NAME, XLSX_NAME):
        await expect(client.get_by_role('link', name=name)).to_be_visible()
    comment = await client.get_by_label('Комментарий').bounding_box()
    details = await client.get_by_text(title).bounding_box()
    assert comment and details and comment['x'] > details['x'] + details['width'] / 2
    await screenshot(client, 'instruction-card')


async def ask_question(developer: Page) -> None:
    """The question is required: an empty one is refused, nothing changes."""
    await developer.get_by_role('button', name='Запросить уточнение').click()
    dialog = developer.get_by_role('dialog')
    await dialog.get_by_role('button', name='Запросить уточнение').click()
    await expect(dialog.get_by_text('Заполните это поле')).to_be_visible()
    await expect(status_of(developer)).to_have_text('В очереди')
    await dialog.get_by_role('textbox').fill(QUESTION)
    await dialog.get_by_role('button', name='Запросить уточнение').click()
    await expect(status_of(developer)).to_have_text('Требует уточнений', timeout=TIMEOUT)


async def answer_question(client: Page, screenshot) -> None:
    """«Требует уточнений»: the question stands out; the answer returns the ticket to where it
    was. The client's card is still open: it follows without a reload."""
    await expect(status_of(client)).to_have_text('Требует уточнений', timeout=TIMEOUT)
    note = client.locator('.bg-orange-1').filter(has_text=QUESTION)
    await expect(note).to_contain_text('Вопрос студии')
    await screenshot(client, 'instruction-needs-info')
    await comment(client, 'Цены с НДС.')
    await expect(status_of(client)).to_have_text('В очереди', timeout=TIMEOUT)
    await expect(note).to_have_count(0)


async def check_awaiting_acceptance(client: Page, screenshot) -> None:
    """«Ожидает приемку»: the green «Принять работы» top right, remarks go into a comment."""
    await expect(status_of(client)).to_have_text('Ожидает приемку', timeout=TIMEOUT)
    note = client.locator('.bg-orange-1').filter(has_text=SUMMARY)  # the work, prominently
    await expect(note).to_contain_text('Если есть замечания, напишите их в комментарии')
    button = client.get_by_role('button', name='Принять работы')
    await expect(button).to_have_class(re.compile(r'\bbg-positive\b'))
    header = await client.get_by_text(re.compile(r'^Тикет #\d+$')).bounding_box()
    place = await button.bounding_box()
    card = await client.locator('.q-card').filter(has=button).first.bounding_box()
    assert header and place and card
    assert place['x'] > card['x'] + card['width'] * 0.6  # on the right
    assert abs(place['y'] + place['height'] / 2 - header['y'] - header['height'] / 2) < 20
    await screenshot(client, 'instruction-awaiting-acceptance')


async def send_remarks(client: Page, screenshot) -> None:
    """ОТПРАВКА ТИКЕТА В ДОРАБОТКУ: remarks in a comment mark the ticket; the client is told
    they were registered, and «Принять работы» steps back (still there, outlined)."""
    await comment(client, REMARKS)
    await expect(client.get_by_role('alert').filter(has_text='Замечания отправлены')) \
        .to_contain_text('Студия получила уведомление', timeout=TIMEOUT)
    banner = client.locator('.bg-green-1').filter(has_text='Ваши замечания переданы студии')
    await expect(banner).to_contain_text('заберёт тикет в доработку')
    await expect(client.get_by_text('есть замечания', exact=True)).to_be_visible(timeout=TIMEOUT)
    await expect(status_of(client)).to_have_text('Ожидает приемку')
    button = client.get_by_role('button', name='Принять работы')
    await expect(button).to_have_class(re.compile(r'\bq-btn--outline\b'))
    await expect(button).not_to_have_class(re.compile(r'\bbg-positive\b'))
    await expect(client.get_by_text('Есть замечания: студия вернёт тикет в доработку')) \
        .to_be_visible()
    await screenshot(client, 'instruction-remarks')


async def take_back(developer: Page) -> None:
    await developer.get_by_role('button', name='Вернуть в доработку').click()
    dialog = developer.get_by_role('dialog')
    await expect(dialog.get_by_role('radio', name='В работу')).to_be_checked()
    await dialog.get_by_role('button', name='Вернуть').click()
    await expect(status_of(developer)).to_have_text('В работе', timeout=TIMEOUT)


async def accept(client: Page, screenshot) -> None:
    await expect(status_of(client)).to_have_text('Ожидает приемку', timeout=TIMEOUT)
    await client.get_by_role('button', name='Принять работы').click()
    dialog = client.get_by_role('dialog')
    await dialog.locator('.q-rating__icon-container').nth(4).click()  # five stars
    await dialog.get_by_role('button', name='Принять работы').click()
    await expect(status_of(client)).to_have_text('Выполнен', timeout=TIMEOUT)
    await expect(client.get_by_text('★★★★★', exact=True)).to_be_visible()
    await expect(client.get_by_role('button', name='Принять работы')).to_have_count(0)
    await screenshot(client, 'instruction-done')
