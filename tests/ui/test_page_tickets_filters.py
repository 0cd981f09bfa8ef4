"""The general list's other controls: the site filter (only with several sites), the
priority filter, the order and the pages."""

from __future__ import annotations

import pytest
from nicegui import ui
from nicegui.testing import User

from tests.support.stack import Stack
from tests.ui.conftest import eventually, on_sqlite, signed_in, table_rows, the
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from ui.pages.tickets import ticket_list

pytestmark = on_sqlite


@pytest.fixture(scope='module')
async def two_sites(stack: Stack):
    """An organization with two sites: a high-priority ticket on the first, a low one and a
    normal one on the second."""
    org = await stack.new_organization(sites=2)
    tickets = {
        'high': await stack.new_ticket(org, title='Упал сайт', site=org.sites[0],
                                       priority=pb.PRIORITY_HIGH),
        'low': await stack.new_ticket(org, title='Опечатка', site=org.sites[1],
                                      priority=pb.PRIORITY_LOW),
        'normal': await stack.new_ticket(org, title='Новый раздел', site=org.sites[1]),
    }
    return org, tickets


def rows(user: User) -> list[int]:
    return [row['number'] for row in table_rows(user, 'tickets')]


def select(user: User, marker: str) -> ui.select:
    element = the(user, marker)
    assert isinstance(element, ui.select)
    return element


async def test_site_and_priority_filters_narrow_the_list(user: User, two_sites):
    org, tickets = two_sites
    newest_first = [tickets[k].number for k in ('normal', 'low', 'high')]
    await signed_in(user, org.email)
    await eventually(lambda: rows(user), newest_first)

    select(user, 'filter-site').set_value(org.sites[1])
    await eventually(lambda: rows(user), newest_first[:2])
    select(user, 'filter-priority').set_value(pb.PRIORITY_LOW)
    await eventually(lambda: rows(user), [tickets['low'].number])
    select(user, 'filter-site').set_value(org.sites[0])
    await eventually(lambda: rows(user), [])
    await user.should_see('Ничего не найдено')
    select(user, 'filter-site').set_value('')
    select(user, 'filter-priority').set_value(0)
    await eventually(lambda: rows(user), newest_first)


async def test_order_by_priority(user: User, two_sites):
    org, tickets = two_sites
    await signed_in(user, org.email)
    await eventually(lambda: len(rows(user)), 3)
    select(user, 'sort').set_value('priority desc')
    await eventually(lambda: rows(user), [tickets[k].number for k in ('high', 'normal', 'low')])


async def test_pages_forward_and_back(user: User, two_sites, monkeypatch):
    monkeypatch.setattr(ticket_list, 'PAGE_SIZE', 2)
    org, tickets = two_sites
    await signed_in(user, org.email)
    await eventually(lambda: rows(user), [tickets['normal'].number, tickets['low'].number])
    await user.should_see('Тикеты 1–2 из 3')
    await user.should_see('Страница 1')
    user.find('Дальше').click()
    await eventually(lambda: rows(user), [tickets['high'].number])
    await user.should_see('Тикеты 3–3 из 3')
    user.find('Назад').click()
    await eventually(lambda: rows(user), [tickets['normal'].number, tickets['low'].number])


async def test_one_site_shows_no_site_filter(user: User, stack: Stack):
    org = await stack.new_organization(sites=1)
    await stack.new_ticket(org, title='Единственный сайт')
    await signed_in(user, org.email)
    await eventually(lambda: len(rows(user)), 1)
    await user.should_not_see(marker='filter-site')  # nothing to choose from
    await user.should_see(marker='filter-priority')
    await user.should_not_see('Страница 1')  # one page: no pager
