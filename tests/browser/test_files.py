"""Files in the browser: a client attaches files to a new ticket and to a comment, sees
previews and downloads them; a file over the limit is refused with a clear message and
nothing typed is lost; another organization cannot fetch them."""

from __future__ import annotations

import re
import uuid
from urllib.parse import quote

from playwright.async_api import Page, expect

from tests.support.browser import png, sign_in

TIMEOUT = 20_000  # ms

CSV_NAME = 'Прайс-лист май.csv'
CSV = 'Товар;Цена\nРомашка;120\nВасилёк;95\n'.encode()
PNG_NAME = 'Скриншот главной.png'
THUMBNAILS_LOADED = \
    '() => [...document.querySelectorAll(".td-file img")].every(i => i.naturalWidth > 0)'




def payload(name: str, mime: str, data: bytes) -> dict:
    return {'name': name, 'mimeType': mime, 'buffer': data}


async def fill_ticket(page: Page, title: str) -> None:
    await page.get_by_label('Название').fill(title)
    # The form has loaded the organization's sites once it has filled in the contact.
    await expect(page.get_by_label('Контакт')).not_to_have_value('')
    site = page.get_by_label('URL сайта')
    if await site.is_visible():
        await site.click()
        await page.get_by_role('option').first.click()
        await expect(page.get_by_role('option')).to_have_count(0)
    await page.get_by_label('Описание').fill('Заменить прайс на странице https://romashka.example.com/price')


def picked(page: Page, name: str):
    return page.locator('.td-picked-file').filter(has_text=name)


async def test_ticket_with_files(base_url, new_page, screenshot, max_upload_bytes):
    client = await new_page()
    await sign_in(client, base_url, 'romashka')
    await client.goto(f'{base_url}/tickets/new')
    title = f'Обновить прайс {uuid.uuid4().hex[:6]}'
    await fill_ticket(client, title)

    big_name = 'Большой архив.zip'
    await client.locator('input[type=file]').set_input_files([
        payload(PNG_NAME, 'image/png', png()), payload(CSV_NAME, 'text/csv', CSV),
        payload(big_name, 'application/zip', b'PK\x03\x04' + b'\0' * (max_upload_bytes + 100 * 1024)),
    ])
    await expect(picked(client, PNG_NAME)).to_contain_text('ожидает', timeout=TIMEOUT)
    await expect(picked(client, CSV_NAME)).to_contain_text('ожидает')
    limit_mb = max_upload_bytes // (1024 * 1024)
    await expect(picked(client, big_name)).to_contain_text(f'Файл больше {limit_mb} МБ')
    # Its size never reads as the limit: rounded up past it, not down onto it.
    await expect(picked(client, big_name)).to_contain_text(f'{limit_mb},1 МБ')
    assert f'{limit_mb} МБ' not in (await picked(client, big_name).inner_text()) \
        .replace(f'Файл больше {limit_mb} МБ', '')
    await expect(picked(client, big_name)).to_contain_text('ошибка')
    # A file the files service refuses by its content: known once the ticket exists.
    await client.locator('input[type=file]').set_input_files(
        [payload('setup.exe', 'application/octet-stream', b'MZ' + b'\x90' * 4000)])
    await expect(picked(client, 'setup.exe')).to_contain_text('ожидает', timeout=TIMEOUT)
    await expect(client.get_by_label('Название')).to_have_value(title)  # nothing typed is lost
    await client.get_by_label('Название').click()  # the cursor away from the button
    await screenshot(client, 'form-with-files')

    await client.get_by_role('button', name='Сохранить').click()
    await expect(client).to_have_url(re.compile(rf'{re.escape(base_url)}/tickets/\d+$'),
                                     timeout=TIMEOUT)
    await expect(client.get_by_text(title)).to_be_visible()
    failures = client.get_by_role('alert').filter(has_text='Не удалось прикрепить')
    await expect(failures).to_contain_text('«setup.exe» — Такой тип файла не поддерживается')
    await expect(failures).to_contain_text(f'«{big_name}» — Файл больше')
    files = client.locator('.td-file')
    await expect(files).to_have_count(2)
    await expect(client.get_by_role('link', name=CSV_NAME)).to_be_visible()
    await expect(client.get_by_role('link', name=PNG_NAME)).to_be_visible()
    preview = client.locator('.td-file img')
    await expect(preview).to_have_count(1)
    await client.wait_for_function(THUMBNAILS_LOADED, timeout=TIMEOUT)
    await failures.get_by_role('button', name='Закрыть').click()
    await expect(failures).to_have_count(0)
    await screenshot(client, 'card-with-files')

    csv_url = base_url + await client.get_by_role('link', name=CSV_NAME).get_attribute('href')
    await check_download(client, csv_url)
    await check_preview(client, base_url + await client.get_by_role(
        'link', name=PNG_NAME).get_attribute('href'), csv_url)

    stranger = await new_page()
    await sign_in(stranger, base_url, 'vasiliev')
    foreign = await stranger.request.get(csv_url)
    missing = await stranger.request.get(f'{base_url}/files/{"0" * 32}')
    assert foreign.status == missing.status == 404
    assert await foreign.text() == await missing.text()
    assert CSV_NAME not in await foreign.text()

    anonymous = await new_page()
    answer = await anonymous.request.get(csv_url, max_redirects=0)
    assert answer.status in (302, 303, 307) and answer.headers['location'].endswith('/login')


async def check_download(page: Page, url: str) -> None:
    answer = await page.request.get(url)
    assert answer.status == 200
    assert await answer.body() == CSV
    headers = answer.headers
    assert headers['content-disposition'] == (
        f'attachment; filename="file.csv"; filename*=UTF-8\'\'{quote(CSV_NAME, safe="")}')
    assert headers['content-type'].startswith('text/csv')
    assert headers['content-length'] == str(len(CSV))
    assert headers['x-content-type-options'] == 'nosniff'
    assert headers['content-security-policy'] == "default-src 'none'; sandbox"
    assert headers['cache-control'] == 'private, no-store'


async def check_preview(page: Page, png_url: str, csv_url: str) -> None:
    answer = await page.request.get(f'{png_url}/preview')
    assert answer.status == 200
    assert await answer.body() == png()
    assert answer.headers['content-type'] == 'image/png'
    assert answer.headers['content-disposition'].startswith('inline; ')
    assert answer.headers['x-content-type-options'] == 'nosniff'
    assert (await page.request.get(f'{csv_url}/preview')).status == 404


async def test_comment_with_file(base_url, new_page, screenshot):
    client = await new_page()
    await sign_in(client, base_url, 'romashka')
    await client.goto(f'{base_url}/tickets/new')
    await fill_ticket(client, f'Комментарий с файлом {uuid.uuid4().hex[:6]}')
    await client.get_by_role('button', name='Сохранить').click()
    await expect(client).to_have_url(re.compile(r'/tickets/\d+$'), timeout=TIMEOUT)

    await client.get_by_label('Комментарий').fill('Макет во вложении')
    await client.locator('input[type=file]').set_input_files(
        [payload('Макет баннера.png', 'image/png', png(240, 120))])
    await expect(picked(client, 'Макет баннера.png')).to_contain_text('ожидает',
                                                                     timeout=TIMEOUT)
    await client.get_by_role('button', name='Отправить').click()

    thread = client.locator('.q-card').filter(has_text='Переписка')
    bubble = thread.locator('.td-files').filter(has_text='Макет баннера.png')
    await expect(bubble).to_be_visible(timeout=TIMEOUT)
    await expect(thread.get_by_text('Макет во вложении')).to_be_visible()
    await expect(thread.locator('.td-file img')).to_have_count(1)
    await client.wait_for_function(THUMBNAILS_LOADED, timeout=TIMEOUT)
    await expect(client.locator('.td-picked-file')).to_have_count(0)  # the form is empty again
    await expect(client.get_by_text('Файлы', exact=True)).to_have_count(0)  # not a ticket file
    await screenshot(client, 'card-comment-with-file')
