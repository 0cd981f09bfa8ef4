"""Time tracking on the ticket card, in real Chromium: a developer logs time against the
estimate (a duration typed as people write it; a wrong one is explained and kept), changes
and deletes their entry (after a confirmation) and cannot touch a manager's; a client sees
the total only once a manager ticks «Клиенты видят затраченное время» for the organization;
the section in English."""

from __future__ import annotations

import re
import uuid

from google.protobuf.field_mask_pb2 import FieldMask
from playwright.async_api import Page, expect

from cli.demo import login as demo_login
from tests.support.browser import CALL_TIMEOUT, TIMEOUT, sign_in
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb

SHOW_TIME = 'Клиенты видят затраченное время'
RELOADS = 15


def section(page: Page, title: str = 'Учёт времени'):
    """The card's «Учёт времени»."""
    return page.locator('.q-card').filter(has=page.get_by_text(title, exact=True))


def entries(page: Page):
    return page.locator('.td-time-entry')


async def set_estimate(backend, ticket: pb.Ticket, hours: float) -> None:
    await backend.tickets.UpdateTicket(pb.UpdateTicketRequest(
        ticket=pb.Ticket(name=ticket.name, estimate_hours=hours),
        update_mask=FieldMask(paths=['estimate_hours'])),
        metadata=await backend.as_('developer'), timeout=CALL_TIMEOUT)


async def log_time(backend, ticket: pb.Ticket, who: str, minutes: int, note: str) -> None:
    await backend.tickets.CreateTimeEntry(pb.CreateTimeEntryRequest(
        parent=ticket.name, time_entry=pb.TimeEntry(minutes=minutes, note=note),
        request_id=uuid.uuid4().hex), metadata=await backend.as_(who), timeout=CALL_TIMEOUT)


async def reload_until_total(page: Page, ticket: pb.Ticket, shown: bool) -> None:
    """Reloads the client's card until it shows the total (or none): the tickets service
    trusts the organization's setting, as auth's other answers, for a few seconds."""
    total = page.get_by_text(re.compile(r'^Затрачено: '))
    for _ in range(RELOADS):
        await page.reload()
        await expect(page.get_by_text(ticket.title, exact=True)).to_be_visible(timeout=TIMEOUT)
        if (await total.count() > 0) == shown:
            return
        await page.wait_for_timeout(1000)
    await expect(total).to_have_count(1 if shown else 0)


async def test_a_developer_logs_changes_and_deletes_time(base_url, new_page, backend,
                                                         studio_today, screenshot):
    ticket = await backend.ticket(f'Учёт времени {uuid.uuid4().hex[:4]}', pb.STATUS_IN_PROGRESS)
    await set_estimate(backend, ticket, 4)
    page = await new_page()
    await sign_in(page, base_url, 'developer')
    await page.goto(f'{base_url}/tickets/{ticket.number}')
    time = section(page)
    await expect(time.get_by_text('Время пока не записано.')).to_be_visible(timeout=TIMEOUT)
    await expect(time).to_contain_text('Затрачено 0 мин из 4 ч')
    duration = time.get_by_label('Время', exact=True)
    note = time.get_by_label('Что сделано')
    log = time.get_by_role('button', name='Записать время')
    # The date is today's to begin with.
    await expect(time.get_by_label('Дата', exact=True)) \
        .to_have_value(studio_today.strftime('%d.%m.%Y'))

    # A duration that cannot be read is explained under its field; nothing typed is lost.
    await duration.fill('полтора часа')
    await note.fill('Поправил вёрстку меню')
    await log.click()
    await expect(time.get_by_text('Введите время так: 1:30, 1.5, 90м или 2ч')).to_be_visible()
    await expect(duration).to_have_value('полтора часа')
    await expect(note).to_have_value('Поправил вёрстку меню')
    await expect(entries(page)).to_have_count(0)

    await duration.fill('1:30')
    await log.click()
    row = entries(page).filter(has_text='Поправил вёрстку меню')
    await expect(row).to_contain_text('1 ч 30 мин', timeout=TIMEOUT)
    await expect(row).to_contain_text(studio_today.strftime('%d.%m.%Y'))
    await expect(row).to_contain_text(demo_login('developer').full_name)
    await expect(time).to_contain_text('Затрачено 1 ч 30 мин из 4 ч')
    await expect(duration).to_have_value('')  # ready for the next entry
    await expect(note).to_have_value('')
    # Other ways to write it: minutes with a unit.
    await duration.fill('45м')
    await note.fill('Созвон с клиентом')
    await log.click()
    await expect(entries(page).filter(has_text='Созвон с клиентом')) \
        .to_contain_text('45 мин', timeout=TIMEOUT)
    await expect(time).to_contain_text('Затрачено 2 ч 15 мин из 4 ч')
    await screenshot(page, 'card-time-tracking')

    # Changing an entry: its dialog holds its values and explains a wrong one too.
    await row.get_by_role('button', name='Изменить запись').click()
    dialog = page.get_by_role('dialog')
    await expect(dialog.get_by_label('Время', exact=True)).to_have_value('1:30')
    await expect(dialog.get_by_label('Что сделано')).to_have_value('Поправил вёрстку меню')
    await dialog.get_by_label('Время', exact=True).fill('два часа')
    await dialog.get_by_role('button', name='Сохранить').click()
    await expect(dialog.get_by_text('Введите время так: 1:30, 1.5, 90м или 2ч')).to_be_visible()
    await dialog.get_by_label('Время', exact=True).fill('2ч')
    await dialog.get_by_label('Что сделано').fill('Поправил вёрстку меню и подвала')
    await dialog.get_by_role('button', name='Сохранить').click()
    await expect(dialog).to_have_count(0, timeout=TIMEOUT)
    row = entries(page).filter(has_text='Поправил вёрстку меню и подвала')
    await expect(row).to_contain_text('2 ч')
    await expect(time).to_contain_text('Затрачено 2 ч 45 мин из 4 ч')

    # Deleting asks first; cancelling keeps the entry.
    await row.get_by_role('button', name='Удалить запись').click()
    await expect(dialog.get_by_text('Удалить запись?')).to_be_visible()
    await dialog.get_by_role('button', name='Отмена').click()
    await expect(dialog).to_have_count(0)
    await expect(row).to_have_count(1)
    await row.get_by_role('button', name='Удалить запись').click()
    await dialog.get_by_role('button', name='Удалить', exact=True).click()
    await expect(row).to_have_count(0, timeout=TIMEOUT)
    await expect(entries(page)).to_have_count(1)
    await expect(time).to_contain_text('Затрачено 45 мин из 4 ч')

    # A manager's entry: the developer sees it but may neither change nor delete it.
    await log_time(backend, ticket, 'manager', 30, 'Согласовал объём работ')
    await page.reload()
    managers = entries(page).filter(has_text='Согласовал объём работ')
    await expect(managers).to_contain_text(demo_login('manager').full_name, timeout=TIMEOUT)
    await expect(time).to_contain_text('Затрачено 1 ч 15 мин из 4 ч')
    await expect(managers.get_by_role('button')).to_have_count(0)
    own = entries(page).filter(has_text='Созвон с клиентом')
    await expect(own.get_by_role('button', name='Изменить запись')).to_be_visible()
    await backend.withdraw(ticket)


async def test_a_client_sees_the_time_spent_once_the_manager_shows_it(base_url, new_page,
                                                                       backend, screenshot):
    ticket = await backend.ticket(f'Время для клиента {uuid.uuid4().hex[:4]}',
                                  pb.STATUS_IN_PROGRESS)
    await log_time(backend, ticket, 'developer', 90, 'Собрал новую страницу')
    manager_metadata = await backend.as_('manager')
    me = await backend.auth.WhoAmI(auth_pb2.WhoAmIRequest(),
                                   metadata=await backend.as_('romashka'), timeout=CALL_TIMEOUT)
    organization = me.user.organization

    async def show_time(value: bool) -> None:
        await backend.auth.UpdateOrganization(auth_pb2.UpdateOrganizationRequest(
            organization=auth_pb2.Organization(name=organization, client_sees_time_spent=value),
            update_mask=FieldMask(paths=['client_sees_time_spent'])),
            metadata=manager_metadata, timeout=CALL_TIMEOUT)

    await show_time(False)  # the demo organization is shared by the session's tests
    try:
        client = await new_page()
        await sign_in(client, base_url, 'romashka')
        await client.goto(f'{base_url}/tickets/{ticket.number}')
        await reload_until_total(client, ticket, shown=False)
        await expect(client.get_by_text('Учёт времени')).to_have_count(0)  # the studio's

        manager = await new_page()
        await sign_in(manager, base_url, 'manager')
        await manager.goto(f'{base_url}/admin/organizations/'
                           f'{organization.removeprefix("organizations/")}')
        box = manager.get_by_role('checkbox', name=SHOW_TIME)
        await expect(box).not_to_be_checked()
        await box.click()
        await expect(manager.locator('.q-notification').filter(has_text=SHOW_TIME)) \
            .to_be_visible(timeout=TIMEOUT)
        await expect(box).to_be_checked()
        await manager.reload()  # saved, not only ticked
        await expect(manager.get_by_role('checkbox', name=SHOW_TIME)).to_be_checked(
            timeout=TIMEOUT)
        await screenshot(manager, 'admin-organization-time')

        await reload_until_total(client, ticket, shown=True)
        await expect(client.get_by_text('Затрачено: 1 ч 30 мин', exact=True)).to_be_visible()
        await expect(client.get_by_text('Собрал новую страницу')).to_have_count(0)
        await screenshot(client, 'card-time-spent')

        # Unticked: the client sees no total again.
        await manager.get_by_role('checkbox', name=SHOW_TIME).click()
        await expect(manager.get_by_text('Клиенты не видят затраченное время')).to_be_visible()
        await reload_until_total(client, ticket, shown=False)
    finally:
        await show_time(False)
    await backend.withdraw(ticket)


async def test_time_tracking_in_english(base_url, new_page, backend):
    ticket = await backend.ticket(f'Time in English {uuid.uuid4().hex[:4]}',
                                  pb.STATUS_IN_PROGRESS)
    async with backend.language(['developer'], 'en'):
        page = await new_page()
        await sign_in(page, base_url, 'developer')
        await page.goto(f'{base_url}/tickets/{ticket.number}')
        time = section(page, 'Time tracking')
        await expect(time.get_by_text('No time logged yet.')).to_be_visible(timeout=TIMEOUT)
        await expect(time).to_contain_text('Spent 0 min')
        await time.get_by_label('Time', exact=True).fill('soon')
        await time.get_by_role('button', name='Log time').click()
        await expect(time.get_by_text('Enter the time as 1:30, 1.5, 90m or 2h')).to_be_visible()
        await time.get_by_label('Time', exact=True).fill('1.5h')
        await time.get_by_label('What was done').fill('Fixed the menu')
        await time.get_by_role('button', name='Log time').click()
        await expect(entries(page).filter(has_text='Fixed the menu')) \
            .to_contain_text('1 h 30 min', timeout=TIMEOUT)
        await expect(time).to_contain_text('Spent 1 h 30 min')
    await backend.withdraw(ticket)
