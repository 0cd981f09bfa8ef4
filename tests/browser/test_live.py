"""Two people at once: the client's open card follows what the studio does in another
browser, without a reload, and still shows the client's own view (not the studio's)."""

from __future__ import annotations

import uuid

from playwright.async_api import expect

from tests.support.browser import TIMEOUT, act, comment, sign_in, status_of, thread

STARTED = 'Начали, к вечеру пришлём результат.'
NOTE = 'Клиенту не показывать: проверить кэш CDN.'


async def test_open_card_follows_the_studio(base_url, new_page, backend, screenshot):
    ticket = await backend.ticket(f'Живое обновление {uuid.uuid4().hex[:6]}')
    card = f'{base_url}/tickets/{ticket.number}'
    client = await new_page()
    await sign_in(client, base_url, 'romashka')
    await client.goto(card)
    await expect(status_of(client)).to_have_text('В очереди')
    await client.evaluate('window.tdSamePage = true')  # gone if the page reloads

    developer = await new_page()
    await sign_in(developer, base_url, 'developer')
    await developer.goto(card)
    await act(developer, 'Взять в работу', 'В работе')
    await comment(developer, NOTE, internal=True)
    await comment(developer, STARTED)  # after the note: when the client sees it, the note is read

    await expect(status_of(client)).to_have_text('В работе', timeout=TIMEOUT)
    await expect(thread(client).get_by_text(STARTED)).to_be_visible(timeout=TIMEOUT)
    assert await client.evaluate('window.tdSamePage === true'), 'the card reloaded'
    # The update reached the client's page in the client's own view (docs/ENGINEERING.md,
    # the cross-user pitfall): no studio controls, no internal note, the client's name.
    await expect(thread(client).get_by_text(NOTE)).to_have_count(0)
    await expect(client.get_by_text('Работа студии')).to_have_count(0)
    await expect(client.get_by_role('switch', name='Внутренняя заметка')).to_have_count(0)
    await expect(client.get_by_role('button', name='Взять в работу')).to_have_count(0)
    await expect(client.locator('header')).to_contain_text('Анна Петрова')
    await screenshot(client, 'live-client-card')

    await developer.evaluate('window.tdSamePage = true')
    await comment(client, 'Спасибо, ждём.')  # and the other way round
    await expect(thread(developer).get_by_text('Спасибо, ждём.')).to_be_visible(timeout=TIMEOUT)
    assert await developer.evaluate('window.tdSamePage === true'), 'the card reloaded'
    await expect(developer.locator('header')).to_contain_text('Дмитрий Козлов')
