"""What the card's actions ask for and say (issue #14): remarks on work awaiting acceptance
are acknowledged and «Принять работы» steps back; withdrawing is confirmed with its reason
and a cancel changes nothing; the dialogs take their inputs from Ticket.allowed_actions."""

from __future__ import annotations

import pytest
from nicegui.testing import User

from tests.support.stack import Stack
from tests.support.tickets import World
from tests.ui.conftest import eventually, on_sqlite, see, signed_in, staff, the
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket.rules import Status

pytestmark = on_sqlite

REMARKS = 'Телефон в подвале остался старый'
REASON = 'Сделали сами'


@pytest.fixture(scope='module')
async def world(stack: Stack) -> World:
    org = await stack.new_organization()
    world = World(stack, org, {'client': org.client})
    world.developer = await staff(stack)
    world.people['developer'] = await stack.login(world.developer.email)
    return world


async def open_card(user: User, ticket: pb.Ticket) -> None:
    await user.open(f'/tickets/{ticket.number}')
    await see(user, marker='ticket-number')


async def test_remarks_are_acknowledged_and_accepting_steps_back(user: User, world: World):
    ticket = await world.ticket_in(Status.AWAITING_ACCEPTANCE)
    await signed_in(user, world.org.email)
    await open_card(user, ticket)
    await user.should_not_see(marker='remarks-banner')
    user.find(marker='comment').type(REMARKS)
    user.find(marker='send').click()
    await see(user, 'Замечания отправлены. Студия получила уведомление и заберёт тикет в '
                    'доработку.')
    await see(user, marker='remarks-banner')
    await see(user, 'Ваши замечания переданы студии')
    accept = the(user, 'accept')  # still there: the client may accept anyway
    assert 'outline' in accept.props and 'unelevated' not in accept.props
    await see(user, marker='accept-hint')
    assert the(user, 'status').text == 'Ожидает приемку'
    # The workflow has marked the ticket: the banner stays after the card reads it again.
    await world.until(ticket.name, lambda t: t.has_remarks)
    await open_card(user, ticket)
    await see(user, marker='remarks-banner')
    await see(user, marker='remarks')  # «есть замечания»
    assert 'outline' in the(user, 'accept').props
    # Accepting anyway says what becomes of the remarks.
    user.find(marker='accept').click()
    await see(user, marker='accept-remarks-warning')
    user.find(marker='dialog-cancel').click()
    await user.should_not_see(marker='accept-remarks-warning')


async def test_the_studio_sees_the_remarks_to_deal_with(user: User, world: World):
    ticket = await world.ticket_in(Status.AWAITING_ACCEPTANCE)
    await world.comment(ticket.name, 'client', REMARKS)
    await world.until(ticket.name, lambda t: t.has_remarks)
    await signed_in(user, world.developer.email)
    await open_card(user, ticket)
    await see(user, 'Клиент оставил замечания')
    # «Вернуть в доработку» offers the statuses the action can lead to, the first chosen.
    allowed = next(a for a in (await world.get(ticket.name, 'developer')).allowed_actions
                   if a.action == pb.ACTION_TAKE_BACK)
    assert list(allowed.target_statuses) == [pb.STATUS_IN_PROGRESS, pb.STATUS_QUEUED]
    user.find('Вернуть в доработку').click()
    await see(user, marker='dialog-targets')
    targets = the(user, 'dialog-targets')
    assert (targets.options, targets.value) == (
        {pb.STATUS_IN_PROGRESS: 'В работу', pb.STATUS_QUEUED: 'В очередь'}, pb.STATUS_IN_PROGRESS)
    user.find(marker='dialog-confirm').click()
    await eventually(lambda: the(user, 'status').text, 'В работе')
    await user.should_not_see(marker='remarks-banner')


async def test_withdrawing_is_confirmed_with_a_reason(user: User, world: World):
    ticket = await world.ticket_in(Status.QUEUED)
    await signed_in(user, world.org.email)
    await open_card(user, ticket)
    user.find('Отозвать тикет').click()
    await see(user, marker='ending-dialog')
    assert the(user, 'ending-consequence').text.startswith(
        'Студия прекратит работу над тикетом, он получит статус «Отменён».')
    assert the(user, 'dialog-text').props['label'] == 'Причина'  # AllowedAction.text_kind
    assert the(user, 'dialog-confirm').text == 'Отозвать тикет'
    assert the(user, 'dialog-confirm').props['color'] == 'negative'
    user.find(marker='dialog-confirm').click()  # the reason is required
    await eventually(lambda: the(user, 'dialog-text').error, 'Заполните это поле')
    user.find(marker='dialog-text').type(REASON)
    user.find(marker='dialog-cancel').click()  # «Оставить открытым»: nothing happens
    await user.should_not_see(marker='ending-dialog')
    assert (await world.get(ticket.name)).status == pb.STATUS_QUEUED
    assert the(user, 'status').text == 'В очереди'
    user.find('Отозвать тикет').click()  # what was typed is still there
    await see(user, marker='ending-dialog')
    assert the(user, 'dialog-text').value == REASON
    user.find(marker='dialog-confirm').click()
    await eventually(lambda: the(user, 'status').text, 'Отменён')
    assert (await world.get(ticket.name)).status == pb.STATUS_CANCELLED
    await user.should_not_see(marker='ending-actions')


async def test_a_question_is_asked_in_a_dialog_named_by_its_text_kind(user: User, world: World):
    ticket = await world.ticket_in(Status.QUEUED)
    await signed_in(user, world.developer.email)
    await open_card(user, ticket)
    user.find('Запросить уточнение').click()
    await see(user, marker='dialog-text')
    assert the(user, 'dialog-text').props['label'] == 'Вопрос клиенту'
    user.find(marker='dialog-text').type('Какой телефон указать?')
    user.find(marker='dialog-confirm').click()
    await eventually(lambda: the(user, 'status').text, 'Требует уточнений')
    await see(user, 'Какой телефон указать?')
