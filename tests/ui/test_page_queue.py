"""The developers' queue (/queue): staff find a ticket of any organization there; a client
is sent back to the list."""

from __future__ import annotations

import secrets

from nicegui.testing import User

from tests.support.stack import Stack
from tests.ui.conftest import eventually, on_sqlite, see, signed_in, staff, table_rows

pytestmark = on_sqlite


async def test_a_developer_finds_a_client_ticket_in_the_queue(user: User, stack: Stack):
    word = f'слово{secrets.token_hex(4)}'  # the stack is shared: find only this test's tickets
    org = await stack.new_organization()
    ticket = await stack.new_ticket(org, title=f'Сломалась форма {word}')
    other = await stack.new_ticket(await stack.new_organization(), title=f'Опечатка {word}')
    developer = await staff(stack)
    await signed_in(user, developer.email)
    await user.open('/queue')
    await see(user, marker='queue')  # the first page of the queue is in
    user.find(marker='queue-search').type(word)
    await eventually(lambda: sorted(row['number'] for row in table_rows(user, 'queue')),
                     sorted([ticket.number, other.number]))
    row = next(r for r in table_rows(user, 'queue') if r['number'] == ticket.number)
    assert (row['title'], row['status']) == (f'Сломалась форма {word}', 'В очереди')
    assert row['organization'].startswith('Org ')  # staff see whose ticket it is


async def test_staff_land_on_the_queue(user: User, stack: Stack):
    developer = await staff(stack)
    await signed_in(user, developer.email)
    await see(user, marker='queue-counters')
    await see(user, marker='queue-link')


async def test_a_client_is_sent_from_the_queue_to_the_list(user: User, stack: Stack):
    org = await stack.new_organization()
    await signed_in(user, org.email)
    await user.should_not_see(marker='queue-link')
    await user.open('/queue')
    await see(user, marker='counters')  # the client's list
    await user.should_not_see(marker='queue-counters')
