"""The ticket card: its buttons are the workflow's allowed actions for the person and the
status (Ticket.allowed_actions), internal notes stay with the studio, and a ticket one may
not see does not exist."""

from __future__ import annotations

import pytest
from nicegui import ElementFilter, ui
from nicegui.testing import User

from tests.support.stack import Stack
from tests.support.tickets import World
from tests.ui.conftest import eventually, on_sqlite, see, signed_in, staff, the
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from ui.components.comments import SHOWN
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


def action_buttons(user: User, *markers: str) -> set[str]:
    """The texts of the card's action buttons: «Принять работы» at the top, the bar under the
    title and the actions that end the ticket at the bottom (or only those of `markers`)."""
    with user:
        found = [element for marker in markers or ('accept', 'actions', 'ending-actions')
                 for element in ElementFilter(marker=marker, local_scope=False)]
    return {b.text for element in found for b in [element, *element.descendants()]
            if isinstance(b, ui.button)}


def buttons_of(ticket: pb.Ticket) -> set[str]:
    """The buttons the allowed actions make (the answer to a question is a comment)."""
    return {BUTTON[a.action] for a in ticket.allowed_actions if a.action in BUTTON}


async def open_card(user: User, ticket: pb.Ticket) -> None:
    await user.open(f'/tickets/{ticket.number}')
    await see(user, marker='ticket-number')


async def test_a_client_accepts_work_awaiting_acceptance(user: User, world: World):
    ticket = await world.get((await world.ticket_in(Status.AWAITING_ACCEPTANCE)).name)
    assert {a.action for a in ticket.allowed_actions} == {pb.ACTION_ACCEPT, pb.ACTION_WITHDRAW}
    await signed_in(user, world.org.email)
    await open_card(user, ticket)
    assert action_buttons(user) == buttons_of(ticket)
    assert the(user, 'accept').text == 'Принять работы'
    assert 'unelevated' in the(user, 'accept').props  # the big green one: no remarks yet
    # Withdrawing sits apart from accepting, at the bottom of the card.
    assert action_buttons(user, 'ending-actions') == {'Отозвать тикет'}
    assert action_buttons(user, 'accept', 'actions') == {'Принять работы'}


async def test_a_developer_takes_a_queued_ticket_into_work(user: User, world: World):
    ticket = await world.get((await world.ticket_in(Status.QUEUED)).name, 'developer')
    assert pb.ACTION_START_WORK in {a.action for a in ticket.allowed_actions}
    await signed_in(user, world.developer.email)
    await open_card(user, ticket)
    assert action_buttons(user) == buttons_of(ticket)
    assert action_buttons(user, 'ending-actions') == {'Закрыть тикет'}
    user.find('Взять в работу').click()
    await eventually(lambda: the(user, 'status').text, 'В работе')
    now = await world.get(ticket.name, 'developer')
    assert now.status == pb.STATUS_IN_PROGRESS
    await eventually(lambda: action_buttons(user), buttons_of(now))
    assert 'Взять в работу' not in action_buttons(user)
    # Whoever starts the work on an unassigned ticket is its assignee: the card shows it
    # at once (it reads the ticket again after the action).
    assert now.assignee == world.developer.name
    await eventually(lambda: the(user, 'assignee').value, world.developer.name)


async def test_a_client_has_no_studio_actions_on_a_queued_ticket(user: User, world: World):
    ticket = await world.get((await world.ticket_in(Status.QUEUED)).name)
    await signed_in(user, world.org.email)
    await open_card(user, ticket)
    assert action_buttons(user) == buttons_of(ticket) == {'Отозвать тикет'}
    await user.should_not_see(marker='actions')  # no studio steps: the bar is not there


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


async def test_the_planned_date_is_typed_as_russian_writes_it(user: User, world: World):
    ticket = await world.ticket_in(Status.QUEUED)
    await signed_in(user, world.developer.email)
    await open_card(user, ticket)
    planned = the(user, 'planned-date')
    assert (planned.props['mask'], planned.props['placeholder']) == ('##.##.####', 'ДД.ММ.ГГГГ')
    user.find(marker='planned-date').type('32.01.2031')
    user.find(marker='staff-save').click()
    await eventually(lambda: planned.props.get('error-message'),
                     'Введите дату в формате ДД.ММ.ГГГГ')
    assert planned.value == '32.01.2031'  # kept for correcting
    planned.value = '15.01.2031'
    user.find(marker='staff-save').click()
    await see(user, 'Сохранено')
    assert (await world.get(ticket.name, 'developer')).planned_date == '2031-01-15'
    assert planned.value == '15.01.2031'
    await see(user, kind=ui.label, content='15.01.2031')  # the card's «Плановая дата»


async def test_a_long_thread_shows_its_latest_comments_then_all(user: User, world: World):
    """A long conversation opens on its latest comments (a hundred would make the card slow
    to open); «Показать все» shows the rest, oldest first."""
    ticket = await world.ticket_in(Status.QUEUED)
    for i in range(1, SHOWN + 4):
        await world.comment(ticket.name, 'client', f'Комментарий номер {i}')
    await signed_in(user, world.org.email)
    await open_card(user, ticket)
    await see(user, kind=ui.label, content=f'Комментарий номер {SHOWN + 3}')
    await user.should_not_see(kind=ui.label, content='Комментарий номер 3')
    user.find(marker='all-comments').click()

    def bodies() -> list[str]:
        with user:
            return [e.text for e in ElementFilter(kind=ui.label, content='Комментарий номер',
                                                  local_scope=False)]
    await eventually(bodies, [f'Комментарий номер {i}' for i in range(1, SHOWN + 4)])
    await user.should_not_see(marker='all-comments')
