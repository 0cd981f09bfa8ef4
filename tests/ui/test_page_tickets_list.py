"""The general list of a client: counts per status, the two statuses waiting for the client
stand out, the filter by status, the search by number and by text, the empty states."""

from __future__ import annotations

import pytest
from nicegui import ui
from nicegui.testing import User

from tests.support.stack import Stack
from tests.support.tickets import World
from tests.ui.conftest import eventually, on_sqlite, see, signed_in, table_rows, the
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket.rules import Status

pytestmark = on_sqlite


@pytest.fixture(scope='module')
async def world(stack: Stack) -> World:
    """One organization with two queued tickets, one in each status waiting for the client."""
    world = await World.create(stack)
    world.tickets = {
        'logo': await world.ticket_in(Status.QUEUED, title='Заменить логотип в шапке',
                                      description='Новый логотип во вложении, формат SVG'),
        'price': await world.ticket_in(Status.QUEUED, title='Обновить прайс',
                                       description='Цены с первого числа'),
        'form': await world.ticket_in(Status.NEEDS_INFO, title='Форма обратной связи'),
        'banner': await world.ticket_in(Status.AWAITING_ACCEPTANCE, title='Баннер акции'),
    }
    # Another organization's ticket with the same words: never in this client's list.
    await stack.new_ticket(await stack.new_organization(), title='Заменить логотип в шапке',
                           description='Новый логотип во вложении, формат SVG')
    return world


def rows(user: User) -> list[int]:
    return sorted(row['number'] for row in table_rows(user, 'tickets'))


def numbers(world: World, *keys: str) -> list[int]:
    return sorted(world.tickets[k].number for k in keys)


async def open_list(user: User, world: World) -> None:
    """Signs the client in and waits for the list's first answer."""
    await signed_in(user, world.org.email)
    await eventually(lambda: rows(user), numbers(world, 'logo', 'price', 'form', 'banner'))


async def test_counts_per_status_and_the_waiting_ones_stand_out(user: User, world: World):
    await open_list(user, world)
    counters = {chip.text: chip for chip in the(user, 'counters').descendants()
                if isinstance(chip, ui.chip)}
    assert list(counters) == ['Все: 4', 'В очереди: 2', 'В работе: 0', 'Требует уточнений: 1',
                              'Ожидает приемку: 1', 'Выполнен: 0', 'Отменён: 0']
    for waiting in ('Требует уточнений: 1', 'Ожидает приемку: 1'):
        assert counters[waiting].props['icon'] == 'priority_high'
        assert 'font-bold' in counters[waiting].classes
    for ordinary in ('В очереди: 2', 'Выполнен: 0'):
        assert not counters[ordinary].props.get('icon')
        assert 'font-bold' not in counters[ordinary].classes


async def test_a_status_counter_filters_the_list(user: User, world: World):
    await open_list(user, world)
    user.find(marker=f'counter-{pb.STATUS_NEEDS_INFO}').click()
    await eventually(lambda: rows(user), numbers(world, 'form'))
    assert 'outline' not in the(user, f'counter-{pb.STATUS_NEEDS_INFO}').props  # selected
    user.find(marker='counter-0').click()  # «Все»
    await eventually(lambda: rows(user), numbers(world, 'logo', 'price', 'form', 'banner'))


async def test_search_by_number_and_by_text(user: User, world: World):
    await open_list(user, world)
    user.find(marker='search').type(f'#{world.tickets["price"].number}')
    await eventually(lambda: rows(user), numbers(world, 'price'))
    user.find(marker='search').clear().type('логотип svg')  # every word, title or description
    await eventually(lambda: rows(user), numbers(world, 'logo'))


async def test_nothing_found(user: User, world: World):
    await open_list(user, world)
    user.find(marker='search').type('несуществующее-слово')
    await see(user, 'Ничего не найдено')
    await user.should_not_see(marker='tickets')
    await user.should_not_see('Тикетов пока нет')


async def test_a_new_organization_sees_the_empty_list_with_its_hint(user: User, stack: Stack):
    newcomer = await stack.new_organization()
    await signed_in(user, newcomer.email)
    await see(user, 'Тикетов пока нет')
    await see(user, 'Одна задача — один тикет. Опишите первую задачу по вашему сайту.')
    await user.should_not_see(marker='tickets')
