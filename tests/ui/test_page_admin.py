"""The administration is a manager's: a developer or a client who opens any of its pages
(by link or by typing the address) gets «Нет доступа» and none of its content."""

from __future__ import annotations

import pytest
from nicegui.testing import User

from tests.support.stack import Organization, Stack
from tests.ui.conftest import eventually, on_sqlite, see, signed_in, staff, table_rows
from ticketdesk.auth.v1 import auth_pb2

pytestmark = on_sqlite

# Each page and what only a manager may see on it.
PAGES = {
    '/admin': 'new-organization',
    '/admin/staff': 'new-staff',
    '/admin/tokens': 'new-token',
    '/admin/settings': 'Рабочее время',
}


@pytest.fixture(scope='module')
async def org(stack: Stack) -> Organization:
    return await stack.new_organization()


def organization_page(org: Organization) -> str:
    return f'/admin/organizations/{org.name.removeprefix("organizations/")}'


async def test_a_manager_reaches_every_administration_page(user: User, stack: Stack,
                                                           org: Organization):
    manager = await staff(stack, auth_pb2.ROLE_MANAGER)
    await signed_in(user, manager.email)
    await see(user, marker='admin-link')
    for path, content in PAGES.items():
        await user.open(path)
        await see(user, content)
        await user.should_not_see(marker='no-access')
    await user.open(organization_page(org))
    await see(user, marker='new-client')
    await eventually(lambda: [row['email'] for row in table_rows(user, 'clients')], [org.email])
    await user.should_not_see(marker='no-access')


@pytest.mark.parametrize('role', ['developer', 'client'])
async def test_others_are_refused_every_administration_page(user: User, stack: Stack,
                                                            org: Organization, role: str):
    email = org.email if role == 'client' else (await staff(stack)).email
    await signed_in(user, email)
    await user.should_not_see(marker='admin-link')
    for path, content in [*PAGES.items(), (organization_page(org), 'new-client')]:
        await user.open(path)
        await see(user, marker='no-access')
        await see(user, 'Этот раздел доступен только менеджеру проекта.')
        await user.should_not_see(content)
