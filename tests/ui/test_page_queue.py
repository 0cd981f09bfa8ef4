"""The developers' queue (/queue): staff find a ticket of any organization there; a client
is sent back to the list."""

from __future__ import annotations

import secrets

import pytest
from google.protobuf.field_mask_pb2 import FieldMask
from nicegui.testing import User

from tests.support.stack import Stack
from tests.ui.conftest import eventually, on_sqlite, see, signed_in, staff, table_rows, the
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from ui.clients.tickets import TicketsClient

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


async def test_unassigned_tickets_come_from_the_service_page_by_page(
        user: User, stack: Stack, monkeypatch: pytest.MonkeyPatch):
    asked: list[dict] = []
    list_tickets = TicketsClient.list_tickets

    async def recorded(self, **criteria):
        asked.append(criteria)
        return await list_tickets(self, **criteria)

    monkeypatch.setattr(TicketsClient, 'list_tickets', recorded)
    word = f'слово{secrets.token_hex(4)}'
    org = await stack.new_organization()
    free = await stack.new_ticket(org, title=f'Никто не взял {word}')
    taken = await stack.new_ticket(org, title=f'Уже взяли {word}')
    developer = await staff(stack)
    await stack.clients.tickets.UpdateTicket(pb.UpdateTicketRequest(
        ticket=pb.Ticket(name=taken.name, assignee=developer.name),
        update_mask=FieldMask(paths=['assignee'])), metadata=await stack.login(developer.email))
    await signed_in(user, developer.email)
    await user.open(f'/queue?q={word}')
    await eventually(lambda: sorted(row['number'] for row in table_rows(user, 'queue')),
                     sorted([free.number, taken.number]))
    the(user, 'filter-assignee').value = 'unassigned'
    await eventually(lambda: [row['number'] for row in table_rows(user, 'queue')], [free.number])
    last = asked[-1]
    assert last['unassigned_only'] and not last['assignee']
    assert last['page_size'] == 25 and last['query'] == word  # one page, as for any other
