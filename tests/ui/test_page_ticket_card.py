"""The ticket card: its buttons are the workflow's allowed actions for the person and the
status, internal notes stay with the studio, and a ticket one may not see does not exist."""

from __future__ import annotations

import pytest
from nicegui import ElementFilter, ui
from nicegui.testing import User

from tests.support.stack import Stack
from tests.support.tickets import World
from tests.ui.conftest import eventually, on_sqlite, see, signed_in, staff, the
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket.rules import Status

pytestmark = on_sqlite

# The buttons' texts, as the client instruction names the actions.
BUTTON = {
    pb.ACTION_START_WORK: 'Взять в работу',
    pb.ACTION_RETURN_TO_QUEUE: 'Вернуть в очередь',
    pb.ACTION_ASK_CLARIFICATION: 'Запросить уточнение',
    pb.ACTION_CONTINUE_WITHOUT_ANSWER: 'Продолжить без ответа',
    pb.ACTION_SUBMIT_FOR_ACCEPTANCE: 'Сдать на приемку',
    pb.ACTION_ACCEPT: 'Принять работы',
    pb.ACTION_TAKE_BACK: 'Вернуть в доработку',
    pb.ACTION_WITHDRAW: 'Отозвать тикет',
    pb.ACTION_CLOSE: 'Закрыть тикет',
}


@pytest.fixture(scope='module')
async def world(stack: Stack) -> World:
    """A client organization and a developer who can sign in on the login page."""
    org = await stack.new_organization()
    world = World(stack, org, {'client': org.client})
    world.developer = await staff(stack)
    world.people['developer'] = await stack.login(world.developer.email)
    return world


def action_buttons(user: User) -> set[str]:
    """The texts of the card's action buttons: the bar and «Принять работы» at the top."""
    with user:
        found = [*ElementFilter(marker='actions', local_scope=False),
                 *ElementFilter(marker='accept', local_scope=False)]
    return {b.text for element in found for b in [element, *element.descendants()]
            if isinstance(b, ui.button)}


async def open_card(user: User, ticket: pb.Ticket) -> None:
    await user.open(f'/tickets/{ticket.number}')
    await see(user, marker='ticket-number')


async def test_a_client_accepts_work_awaiting_acceptance(user: User, world: World):
    ticket = await world.ticket_in(Status.AWAITING_ACCEPTANCE)
    allowed = (await world.get(ticket.name, 'client')).allowed_actions
    assert set(allowed) == {pb.ACTION_ACCEPT, pb.ACTION_WITHDRAW}
    await signed_in(user, world.org.email)
    await open_card(user, ticket)
    assert action_buttons(user) == {BUTTON[a] for a in allowed}
    assert the(user, 'accept').text == 'Принять работы'


async def test_a_developer_takes_a_queued_ticket_into_work(user: User, world: World):
    ticket = await world.ticket_in(Status.QUEUED)
    allowed = (await world.get(ticket.name, 'developer')).allowed_actions
    assert pb.ACTION_START_WORK in allowed
    await signed_in(user, world.developer.email)
    await open_card(user, ticket)
    assert action_buttons(user) == {BUTTON[a] for a in allowed}
    user.find('Взять в работу').click()
    await eventually(lambda: the(user, 'status').text, 'В работе')
    now = await world.get(ticket.name, 'developer')
    assert now.status == pb.STATUS_IN_PROGRESS
    await eventually(lambda: action_buttons(user), {BUTTON[a] for a in now.allowed_actions})
    assert 'Взять в работу' not in action_buttons(user)


async def test_a_client_has_no_studio_actions_on_a_queued_ticket(user: User, world: World):
    ticket = await world.ticket_in(Status.QUEUED)
    allowed = (await world.get(ticket.name, 'client')).allowed_actions
    await signed_in(user, world.org.email)
    await open_card(user, ticket)
    assert action_buttons(user) == {BUTTON[a] for a in allowed} == {'Отозвать тикет'}


@pytest.fixture(scope='module')
async def discussed(world: World, stack: Stack) -> pb.Ticket:
    """A ticket with a public comment and an internal note of the developer."""
    ticket = await world.ticket_in(Status.QUEUED)
    for body, visibility in (('Публичный ответ клиенту', pb.VISIBILITY_PUBLIC),
                             ('Клиент путает сайты, уточнить у ПМ', pb.VISIBILITY_INTERNAL)):
        await stack.clients.tickets.AddComment(pb.AddCommentRequest(
            parent=ticket.name, comment=pb.Comment(body=body, visibility=visibility)),
            metadata=world.people['developer'])
    return ticket


async def test_the_studio_sees_its_internal_notes(user: User, world: World,
                                                  discussed: pb.Ticket):
    await signed_in(user, world.developer.email)
    await open_card(user, discussed)
    await see(user, 'Публичный ответ клиенту')
    await see(user, 'Клиент путает сайты, уточнить у ПМ')
    await see(user, marker='internal-note')


async def test_internal_notes_are_not_shown_to_the_client(user: User, world: World,
                                                          discussed: pb.Ticket):
    await signed_in(user, world.org.email)
    await open_card(user, discussed)
    await see(user, 'Публичный ответ клиенту')
    await user.should_not_see('Клиент путает сайты, уточнить у ПМ')
    await user.should_not_see(marker='internal-note')


async def test_a_foreign_or_missing_ticket_is_not_found(user: User, world: World, stack: Stack):
    foreign = await stack.new_ticket(await stack.new_organization(),
                                     title='Чужой тикет другой организации')
    await signed_in(user, world.org.email)
    await user.open(f'/tickets/{foreign.number}')
    await see(user, marker='not-found')
    assert the(user, 'not-found').text == 'Тикет не найден'
    await user.should_not_see('Чужой тикет другой организации')
    await user.open('/tickets/999999')
    await see(user, marker='not-found')


async def test_staff_keep_the_organization_after_commenting(user: User, world: World):
    ticket = await world.ticket_in(Status.QUEUED)
    await signed_in(user, world.developer.email)
    await open_card(user, ticket)
    await see(user, 'Организация')
    user.find(marker='comment').type('Начнём завтра утром')
    user.find(marker='send').click()
    await see(user, kind=ui.label, content='Начнём завтра утром')  # in the thread, refreshed
    assert the(user, 'comment').value == ''
    await user.should_see('Организация')
