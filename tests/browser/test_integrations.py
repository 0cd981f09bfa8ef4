"""The integrations in real Chromium: the manager's page, where a webhook created (its
secret shown once) delivers to a real HTTP receiver, its deliveries are listed and one is
sent again, it is turned off and deleted after a confirmation, and the e-mail channel's
refused messages are listed with the reason, in Russian and in English; and the card of
a ticket that came by e-mail without a site, which asks its client for one."""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from email.message import EmailMessage

import aiosmtplib
import pytest
from playwright.async_api import expect

from cli.demo import login as demo_login
from tests.browser.test_admin import dialog, read_secret, sign_in_demo
from tests.support.browser import CALL_TIMEOUT
from ticketdesk.tickets.v1 import tickets_pb2 as pb

TIMEOUT = 20_000  # ms


class Receiver:
    """A webhook receiver on loopback: keeps (event id, kind, ticket) of what it was sent."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, str]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                event = json.loads(self.rfile.read(int(self.headers['Content-Length'])))
                receiver.events.append((event['id'], event['type'],
                                        event['data'].get('ticket', '')))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f'http://127.0.0.1:{self.server.server_address[1]}/hook'

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.close()


async def test_manager_keeps_a_webhook(base_url, new_page, backend, receiver, screenshot):
    name = f'CRM {uuid.uuid4().hex[:6]}'
    manager = await new_page()
    await sign_in_demo(manager, base_url, 'manager')
    await manager.goto(f'{base_url}/admin/integrations')
    await manager.get_by_role('button', name='Новый вебхук').click()
    form = dialog(manager)
    await form.get_by_label('Название').fill(name)
    await form.get_by_role('button', name='Создать').click()
    await expect(form.get_by_text('обязательное поле')).to_be_visible()  # the URL
    await expect(form.get_by_label('Название')).to_have_value(name)  # nothing typed is lost
    await form.get_by_label('Адрес (URL)').fill('http://example.com/hook')
    await form.get_by_role('button', name='Создать').click()
    await expect(form.get_by_text('https')).to_be_visible(timeout=TIMEOUT)  # refused, said
    await form.get_by_label('Адрес (URL)').fill(receiver.url)
    await form.get_by_role('button', name='Создать').click()
    await expect(form.get_by_text('Вебхук создан')).to_be_visible(timeout=TIMEOUT)
    secret = await read_secret(manager)
    assert secret.startswith('whsec_')
    row = manager.get_by_role('row').filter(has_text=name)
    await expect(row).to_contain_text('Включен')
    await expect(row).to_contain_text('вся студия')

    ticket = await backend.ticket(f'Вебхук {name}')
    await row.get_by_role('button', name='Доставки').click()
    log = dialog(manager)
    for _ in range(20):  # the delivery is on its way: refresh until it is in
        if await log.get_by_text('доставлено (200)').count():
            break
        await log.get_by_role('button', name='Обновить').click()
        await manager.wait_for_timeout(500)
    first = log.get_by_role('row').filter(has_text=f'#{ticket.name.rpartition("/")[2]}').first
    await expect(first).to_contain_text('доставлено (200)')
    await expect(first).to_contain_text('Новый тикет')
    await first.get_by_role('button', name='Отправить снова').click()
    await expect(manager.get_by_text('Событие будет отправлено снова')).to_be_visible()
    await screenshot(manager, 'admin-webhook-deliveries')
    await log.get_by_role('button', name='Закрыть').click()
    created = [e for e in receiver.events if e[1:] == ('ticket_created', ticket.name)]
    for _ in range(40):  # the same event, again
        created = [e for e in receiver.events if e[1:] == ('ticket_created', ticket.name)]
        if len(created) == 2:
            break
        await manager.wait_for_timeout(250)
    assert len(created) == 2 and created[0] == created[1], receiver.events

    await row.get_by_role('button', name='Выключить').click()
    await expect(row).to_contain_text('Выключен', timeout=TIMEOUT)
    await screenshot(manager, 'admin-integrations')
    await row.get_by_role('button', name='Удалить').click()
    await expect(dialog(manager).get_by_text('Удалить вебхук?')).to_be_visible()
    await dialog(manager).get_by_role('button', name='Удалить').click()
    await expect(manager.get_by_role('row').filter(has_text=name)).to_have_count(0,
                                                                                 timeout=TIMEOUT)
    await backend.withdraw(ticket)


async def test_refused_mail_is_listed_with_the_reason(base_url, new_page, backend, system,
                                                      screenshot):
    """A message from a stranger to the support mailbox, through the running system's
    e-mail receiver (SMTP), then the page in both languages."""
    subject = f'Реклама {uuid.uuid4().hex[:6]}'
    message = EmailMessage()
    message['From'], message['To'] = 'spam@elsewhere.example', 'support@ticketdesk.local'
    message['Subject'] = subject
    message.set_content('Купите у нас')
    await aiosmtplib.send(message, hostname='127.0.0.1', port=system.mail_in, timeout=30)
    for language, words in (('ru', ('Письма, не дошедшие до тикетов',
                                    'отправитель — не контакт клиента')),
                            ('en', ('Messages that did not reach a ticket',
                                    'the sender is not a client’s contact'))):
        async with backend.language(['manager'], language):
            page = await new_page()
            await sign_in_demo(page, base_url, 'manager')
            await page.goto(f'{base_url}/admin/integrations')
            await expect(page.get_by_text(words[0])).to_be_visible(timeout=TIMEOUT)
            row = page.get_by_role('row').filter(has_text=subject)
            await expect(row).to_contain_text('spam@elsewhere.example')
            await expect(row).to_contain_text(words[1])
            await screenshot(page, 'admin-integrations-mail', language)


async def test_a_ticket_from_email_asks_its_client_for_the_site(base_url, new_page, backend,
                                                                 system, screenshot):
    """«Ромашка» has two sites; an e-mail to the support address that names neither opens
    a ticket without a site, and its card asks the client which one it is about."""
    subject = f'Не приходят заявки {uuid.uuid4().hex[:6]}'
    message = EmailMessage()
    message['From'] = demo_login('romashka').email
    message['To'] = 'support@ticketdesk.local'
    message['Subject'] = subject
    message.set_content('С утра не приходят заявки с формы. Посмотрите, пожалуйста.')
    await aiosmtplib.send(message, hostname='127.0.0.1', port=system.mail_in, timeout=30)
    found = await backend.tickets.ListTickets(pb.ListTicketsRequest(query=subject),
                                              metadata=await backend.as_('romashka'),
                                              timeout=CALL_TIMEOUT)
    [ticket] = found.tickets
    assert not ticket.site

    page = await new_page()
    await sign_in_demo(page, base_url, 'romashka')
    await page.goto(f'{base_url}/tickets/{ticket.number}')
    request = page.get_by_text('О каком сайте он?')
    await expect(request).to_be_visible(timeout=TIMEOUT)
    await page.get_by_role('button', name='Указать сайт').click()
    await expect(page.get_by_text('выберите сайт')).to_be_visible()  # nothing chosen yet
    await page.get_by_label('Сайт', exact=True).click()
    await page.get_by_role('option', name='Интернет-магазин').click()
    await screenshot(page, 'card-site-request')
    await page.get_by_role('button', name='Указать сайт').click()
    await expect(page.get_by_text('Сайт указан')).to_be_visible(timeout=TIMEOUT)
    await expect(request).to_have_count(0)
    await expect(page.get_by_text('shop.romashka.example.com')).to_be_visible()
    await backend.withdraw(ticket)
