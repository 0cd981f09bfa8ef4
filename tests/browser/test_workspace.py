"""The developers' workspace in real Chromium: the queue across organizations, the staff
fields of the card, internal notes the client never sees, the history, and a transition
whose required text is enforced."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

from playwright.async_api import Page, expect

from tests.support.browser import sign_in, status_of
from ticketdesk.tickets.v1 import tickets_pb2 as pb

TIMEOUT = 20_000  # ms; a transition waits for the ticket's workflow
NOTE_LABEL = 'Внутренняя заметка — клиент не видит'



async def file_ticket(page: Page, base_url: str, title: str) -> int:
    """The signed-in client files a ticket through the form; its number."""
    await page.goto(f'{base_url}/tickets/new')
    await page.get_by_label('Название').fill(title)
    # The form has loaded the organization's sites once it has filled in the contact.
    await expect(page.get_by_label('Контакт')).not_to_have_value('')
    site = page.get_by_label('URL сайта')
    if await site.is_visible():
        await site.click()
        await page.get_by_role('option').first.click()
        await expect(page.get_by_role('option')).to_have_count(0)
    await page.get_by_label('Описание').fill('Поменять порядок пунктов меню на '
                                             'https://romashka.example.com/')
    await page.get_by_role('button', name='Сохранить').click()
    await expect(page).to_have_url(re.compile(rf'{re.escape(base_url)}/tickets/\d+$'),
                                   timeout=TIMEOUT)
    return int(page.url.rsplit('/', 1)[1])


async def column(page: Page, index: int) -> list[str]:
    """The texts of one column of the queue (0 = №)."""
    rows = page.locator('.q-table tbody tr')
    return [t.strip() for t in await rows.locator(f'td:nth-child({index + 1})').all_inner_texts()]


async def choose(page: Page, label: str, option: str) -> None:
    await page.get_by_label(label, exact=True).click()
    await page.get_by_role('option', name=option, exact=True).click()
    await expect(page.get_by_role('listbox')).to_have_count(0)


async def test_developer_works_a_ticket_from_the_queue(base_url, new_page, screenshot):
    # A client of Ромашка files a ticket; a client of Васильев sends remarks on accepted work.
    client = await new_page()
    await sign_in(client, base_url, 'romashka')
    title = f'Поменять порядок пунктов меню {uuid.uuid4().hex[:6]}'
    number = await file_ticket(client, base_url, title)

    other = await new_page()
    await sign_in(other, base_url, 'vasiliev')
    await other.get_by_role('row').filter(has_text='Заменить телефон в шапке сайта').click()
    await expect(other.get_by_text('Ожидает приемку', exact=True)).to_be_visible()
    await other.get_by_label('Комментарий').fill('В подвале остался старый номер.')
    await other.get_by_role('button', name='Отправить').click()
    await expect(other.get_by_text('есть замечания', exact=True)).to_be_visible(timeout=TIMEOUT)

    # The developer lands on the queue: every organization, nearest SLA deadline first.
    developer = await new_page()
    await sign_in(developer, base_url, 'developer')
    await expect(developer.get_by_text('Тикеты всех организаций')).to_be_visible()
    await developer.get_by_role('button', name='Очередь').click()
    await expect(developer).to_have_url(f'{base_url}/queue')
    table = developer.locator('.q-table')
    await expect(table).to_contain_text(title)
    organizations = await column(developer, 2)
    assert {'ООО Ромашка', 'ИП Васильев'} <= set(organizations)
    await expect(developer.get_by_label('Сортировка', exact=True)).to_have_value('Срок SLA')
    sla, statuses = await column(developer, 7), await column(developer, 5)
    # Running clocks (queued, in progress) by due time; stopped ones («—») after them.
    running = [text == '—' for text, status in zip(sla, statuses, strict=True)
               if status.startswith(('В очереди', 'В работе'))]
    assert running and running == sorted(running), f'stopped SLA clocks come last: {sla}'
    assert sla[0] != '—' and sla[-1] == '—', sla
    remarks_row = developer.get_by_role('row').filter(has_text='Заменить телефон в шапке')
    await expect(remarks_row).to_contain_text('есть замечания')
    await screenshot(developer, 'workspace-queue')

    # Only Ромашка's tickets, then its sites become a choice.
    await choose(developer, 'Организация', 'ООО Ромашка')
    await expect(table).not_to_contain_text('ИП Васильев')
    assert set(await column(developer, 2)) == {'ООО Ромашка'}
    await expect(developer).to_have_url(re.compile(r'/queue\?org=organizations'))
    await expect(developer.get_by_label('Сайт', exact=True)).to_be_enabled()
    await developer.get_by_role('link', name=f'#{number}', exact=True).click()
    await expect(developer).to_have_url(f'{base_url}/tickets/{number}')

    # The staff fields: assignee (himself), estimate, planned date; saved together.
    await expect(developer.get_by_text('Работа студии')).to_be_visible()
    await developer.get_by_role('button', name='Назначить меня').click()
    await developer.get_by_label('Оценка, ч').fill('6')
    planned = date.today() + timedelta(days=9)
    await developer.get_by_label('Плановая дата').fill(planned.strftime('%d.%m.%Y'))
    await expect(developer.get_by_text('Не сохранено: исполнитель, оценка, плановая дата')) \
        .to_be_visible()
    await developer.get_by_role('button', name='Сохранить').click()
    await expect(developer.get_by_text('Сохранено', exact=True)).to_be_visible(timeout=TIMEOUT)
    shown = planned.strftime('%d.%m.%Y')
    details = developer.locator('.q-card').first
    await expect(details).to_contain_text(shown)
    history = developer.locator('.q-card').filter(has_text='История')
    await expect(history).to_contain_text('назначено: Дмитрий Козлов', timeout=TIMEOUT)
    await expect(history).to_contain_text('установлено: 6 ч')
    await expect(history).to_contain_text(f'установлено: {shown}')
    await expect(history).to_contain_text('Тикет создан')

    # An internal note: the box turns amber, the note is marked in the thread.
    note = f'Проверить меню на staging до выкладки {uuid.uuid4().hex[:4]}'
    await developer.get_by_text('Внутренняя заметка', exact=True).click()
    await developer.get_by_label(NOTE_LABEL).fill(note)
    await developer.get_by_role('button', name='Добавить заметку').click()
    thread = developer.locator('.q-card').filter(has_text='Переписка')
    await expect(thread.get_by_text(note)).to_be_visible(timeout=TIMEOUT)
    markers = thread.locator('div.text-xs').filter(has_text=NOTE_LABEL)
    await expect(markers).to_have_count(1)
    await developer.get_by_text('Внутренняя заметка', exact=True).click()  # back to public
    await developer.get_by_label('Комментарий').fill('Возьмём в работу на этой неделе.')
    await developer.get_by_role('button', name='Отправить').click()
    await expect(thread.get_by_text('Возьмём в работу на этой неделе.')).to_be_visible(
        timeout=TIMEOUT)
    await expect(markers).to_have_count(1)
    await screenshot(developer, 'workspace-card')

    # The client: the planned date and the public comment, never the note nor the panel.
    await client.goto(f'{base_url}/tickets/{number}')
    await expect(client.get_by_text('Возьмём в работу на этой неделе.')).to_be_visible()
    await expect(client.locator('.q-card').first).to_contain_text(shown)
    await expect(client.get_by_text(note)).to_have_count(0)
    await expect(client.get_by_text(NOTE_LABEL)).to_have_count(0)
    await expect(client.get_by_text('Работа студии')).to_have_count(0)
    await expect(client.get_by_text('Внутренняя заметка')).to_have_count(0)
    client_history = client.locator('.q-card').filter(has_text='История')
    await expect(client_history).to_contain_text(f'установлено: {shown}')
    await expect(client_history).not_to_contain_text('Исполнитель')
    await expect(client_history).not_to_contain_text('Оценка')
    await screenshot(client, 'workspace-card-client')
    await client.goto(f'{base_url}/queue')
    await expect(client).to_have_url(f'{base_url}/')  # the queue is the studio's

    # Asking for clarification needs the question: an empty one keeps the dialog open.
    await developer.get_by_role('button', name='Запросить уточнение').click()
    dialog = developer.get_by_role('dialog')
    await expect(dialog).to_be_visible()
    await dialog.get_by_role('button', name='Запросить уточнение').click()
    await expect(dialog.get_by_text('Заполните это поле')).to_be_visible()
    await expect(dialog).to_be_visible()
    await dialog.get_by_label('Вопрос клиенту').fill('Какой пункт меню поставить первым?')
    await dialog.get_by_role('button', name='Запросить уточнение').click()
    await expect(dialog).to_have_count(0)
    await expect(developer.get_by_text('Требует уточнений', exact=True).first) \
        .to_be_visible(timeout=TIMEOUT)
    await expect(history).to_contain_text('В очереди → Требует уточнений', timeout=TIMEOUT)
    await expect(developer.get_by_role('button', name='Запросить уточнение')).to_have_count(0)

    # Back in the queue: «Мои» holds the ticket, «Не назначены» does not; the SLA filter.
    await developer.goto(f'{base_url}/queue')
    await expect(table).to_contain_text(title)
    await developer.get_by_role('button', name='Мои', exact=True).click()
    await expect(developer).to_have_url(re.compile(r'who=me'))
    await expect(table).to_contain_text(title)
    # The unfiltered rows stay until the answer arrives: wait for only «Мои» to remain.
    assignees = developer.locator('.q-table tbody tr td:nth-child(7)')
    await expect(assignees.filter(has_not_text='Дмитрий Козлов')).to_have_count(0,
                                                                                timeout=TIMEOUT)
    assert set(await column(developer, 6)) == {'Дмитрий Козлов'}
    await developer.get_by_role('button', name='Не назначены', exact=True).click()
    await expect(developer).to_have_url(re.compile(r'who=unassigned'))
    await expect(developer.locator('body')).not_to_contain_text(title)
    await developer.get_by_role('button', name='Все', exact=True).first.click()
    await developer.get_by_role('button', name='Просроченные', exact=True).click()
    # Until the filtered answer arrives the table still shows every ticket: wait for it to
    # hold only breached ones (none, on a fresh system; a long-running one may have some).
    sla_cells = developer.locator('.q-table tbody tr td:nth-child(8)')
    await expect(sla_cells.filter(has_not_text='Просрочен')).to_have_count(0, timeout=TIMEOUT)
    if await sla_cells.count():
        assert set(await column(developer, 7)) == {'Просрочен'}


async def test_taking_a_ticket_into_work_assigns_it(base_url, new_page, backend, screenshot):
    """«Взять в работу» on an unassigned ticket: the card shows the new assignee at once
    (it reads the ticket again after the action), the history says so."""
    ticket = await backend.ticket(f'Никто не назначен {uuid.uuid4().hex[:6]}')
    developer = await new_page()
    await sign_in(developer, base_url, 'developer')
    await developer.goto(f'{base_url}/tickets/{ticket.number}')
    assignee = developer.get_by_label('Исполнитель', exact=True)
    await expect(assignee).to_have_value('Не назначен')
    await developer.get_by_role('button', name='Взять в работу').click()
    await expect(status_of(developer)).to_have_text('В работе', timeout=TIMEOUT)
    await expect(assignee).to_have_value('Дмитрий Козлов', timeout=TIMEOUT)
    history = developer.locator('.q-card').filter(has_text='История')
    await expect(history).to_contain_text('назначено: Дмитрий Козлов', timeout=TIMEOUT)
    await expect(developer.get_by_text('Не сохранено')).to_have_count(0)  # nothing to save
    await screenshot(developer, 'workspace-started-assigned')
    ticket = await backend.tickets.GetTicket(pb.GetTicketRequest(name=ticket.name),
                                             metadata=await backend.as_('developer'))
    assert ticket.assignee  # the service agrees
