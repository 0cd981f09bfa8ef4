"""The form «Создать тикет»: the site only when there is a choice, the contact filled in,
the desired date typed as the person's language writes dates, a refused form keeps what was
typed, «Сохранить» opens the new ticket's card."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from nicegui.testing import User

from tests.support.stack import Organization, Stack
from tests.ui.conftest import eventually, on_sqlite, see, signed_in, the
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb

pytestmark = on_sqlite

TITLE = 'Добавить страницу «Доставка»'
DESCRIPTION = 'Текст страницы во вложении; ссылка в меню: https://example.test/delivery'


@pytest.fixture(scope='module')
async def two_sites(stack: Stack) -> Organization:
    return await stack.new_organization(sites=2)


@pytest.fixture(scope='module')
async def one_site(stack: Stack) -> Organization:
    return await stack.new_organization(sites=1)


async def open_form(user: User, org: Organization, email: str = '') -> None:
    await signed_in(user, email or org.email)
    await user.open('/tickets/new')
    await see(user, marker='reminder')  # «одна задача = один тикет»
    await eventually(lambda: bool(the(user, 'contact').options), True)  # the choices are in


async def landed_on_card(user: User, stack: Stack, org: Organization) -> pb.Ticket:
    """The card the form opened after saving, and the ticket it shows."""
    await see(user, marker='ticket-number')
    number = int(user.back_history[-1].removeprefix('/tickets/'))
    assert the(user, 'ticket-number').text == f'Тикет #{number}'
    return await stack.clients.tickets.GetTicket(pb.GetTicketRequest(name=f'tickets/{number}'),
                                                 metadata=org.client)


async def test_the_site_is_chosen_when_there_are_several(user: User, stack: Stack,
                                                         two_sites: Organization):
    await open_form(user, two_sites)
    site = the(user, 'site')
    assert site.visible and site.value is None
    assert set(site.options) == set(two_sites.sites)
    user.find(marker='title').type(TITLE)
    user.find(marker='description').type(DESCRIPTION)
    user.find(marker='save').click()
    await see(user, 'Проверьте выделенные поля')
    assert site.error == 'Выберите сайт'
    site.value = two_sites.sites[1]
    user.find(marker='save').click()
    ticket = await landed_on_card(user, stack, two_sites)
    assert (ticket.title, ticket.description, ticket.site) == (TITLE, DESCRIPTION,
                                                               two_sites.sites[1])


async def test_one_site_is_set_without_asking(user: User, stack: Stack, one_site: Organization):
    await open_form(user, one_site)
    await user.should_not_see(marker='site')
    user.find(marker='title').type(TITLE)
    user.find(marker='description').type(DESCRIPTION)
    user.find(marker='save').click()
    ticket = await landed_on_card(user, stack, one_site)
    assert ticket.site == one_site.sites[0]
    assert ticket.contact.user == one_site.client_user.name
    assert ticket.priority == pb.PRIORITY_NORMAL
    assert ticket.status == pb.STATUS_QUEUED


async def test_the_contact_is_the_signed_in_client(user: User, one_site: Organization):
    await open_form(user, one_site)
    contact = the(user, 'contact')
    me = one_site.client_user
    assert contact.value == me.name
    assert contact.options[me.name] == f'{me.full_name} · {me.email} · {me.phone}'
    assert the(user, 'priority').value == pb.PRIORITY_NORMAL  # «Обычный»


async def test_a_missing_title_keeps_the_description(user: User, one_site: Organization):
    await open_form(user, one_site)
    user.find(marker='description').type(DESCRIPTION)
    user.find(marker='save').click()
    await see(user, 'Проверьте выделенные поля')
    assert the(user, 'title').error == 'Введите название'
    assert the(user, 'description').value == DESCRIPTION
    assert user.back_history[-1] == '/tickets/new'


async def test_a_missing_description_keeps_the_title(user: User, one_site: Organization):
    await open_form(user, one_site)
    user.find(marker='title').type(TITLE)
    user.find(marker='description').type('   ')
    user.find(marker='save').click()
    await see(user, 'Проверьте выделенные поля')
    assert the(user, 'description').error == 'Опишите, что нужно сделать'
    assert the(user, 'title').value == TITLE
    assert user.back_history[-1] == '/tickets/new'


async def test_the_desired_date_is_typed_as_russian_writes_it(user: User, stack: Stack,
                                                              one_site: Organization):
    await open_form(user, one_site)
    field = the(user, 'desired-date')
    assert (field.props['mask'], field.props['placeholder']) == ('##.##.####', 'ДД.ММ.ГГГГ')
    user.find(marker='title').type(TITLE)
    user.find(marker='description').type(DESCRIPTION)
    user.find(marker='desired-date').type('31.02.2031')  # no such day
    user.find(marker='save').click()
    await see(user, 'Проверьте выделенные поля')
    assert field.props['error-message'] == 'Введите дату в формате ДД.ММ.ГГГГ'
    assert field.value == '31.02.2031'  # nothing typed is lost
    assert the(user, 'title').value == TITLE
    yesterday = date.today() - timedelta(days=1)
    field.value = yesterday.strftime('%d.%m.%Y')
    user.find(marker='save').click()
    await eventually(lambda: field.props.get('error-message'),
                     'Дата не может быть раньше сегодняшней')
    wanted = date.today() + timedelta(days=12)
    field.value = wanted.strftime('%d.%m.%Y')
    user.find(marker='save').click()
    ticket = await landed_on_card(user, stack, one_site)
    assert ticket.desired_date == wanted.isoformat()  # the service gets ISO


async def test_the_desired_date_in_english_is_month_first(user: User, stack: Stack,
                                                          one_site: Organization):
    person = await stack.new_user(auth_pb2.ROLE_CLIENT, organization=one_site.name,
                                  language='en')
    await open_form(user, one_site, person.email)
    field = the(user, 'desired-date')
    assert (field.props['mask'], field.props['placeholder']) == ('##/##/####', 'MM/DD/YYYY')
    user.find(marker='title').type(TITLE)
    user.find(marker='description').type(DESCRIPTION)
    user.find(marker='desired-date').type('13/01/2031')  # day first: no 13th month
    user.find(marker='save').click()
    await eventually(lambda: field.props.get('error-message'), 'Enter the date as MM/DD/YYYY')
    assert field.value == '13/01/2031'
    wanted = date.today() + timedelta(days=40)
    field.value = wanted.strftime('%m/%d/%Y')
    user.find(marker='save').click()
    await see(user, marker='ticket-number')
    number = int(user.back_history[-1].removeprefix('/tickets/'))
    ticket = await stack.clients.tickets.GetTicket(pb.GetTicketRequest(name=f'tickets/{number}'),
                                                   metadata=await stack.login(person.email))
    assert ticket.desired_date == wanted.isoformat()
