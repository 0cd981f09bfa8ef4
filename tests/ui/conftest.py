"""Page tests: NiceGUI's simulated user (`nicegui.testing.user_plugin`, no browser) on the
real UI code, which calls the real services of the `stack` fixture over gRPC."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from nicegui import ElementFilter, ui
from nicegui.testing import User

from tests.support.stack import PASSWORD, Stack
from ticketdesk.auth.v1 import auth_pb2
from ui.components.report_table import ReportTable
from ui.components.ticket_table import TicketTable

# The page tests run on SQLite only: the services' own tests cover PostgreSQL.
on_sqlite = pytest.mark.parametrize('stack', ['sqlite'], indirect=True)
# Clicks and navigation run as background tasks that call the services: `should_see`
# polls every 0.1 s, this many times at most (a bound for a busy machine, not a deadline).
PATIENCE = 300


@pytest.fixture
def ui_backend(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Stack:
    """Points the UI's settings (read by tests/ui/main.py) at the stack."""
    settings = stack.settings
    monkeypatch.setenv('TICKETDESK_DATA_DIR', str(settings.data_dir))
    monkeypatch.setenv('TICKETDESK_AUTH_ADDRESS', settings.auth_target)
    monkeypatch.setenv('TICKETDESK_TICKETS_ADDRESS', settings.tickets_target)
    monkeypatch.setenv('TICKETDESK_FILES_ADDRESS', settings.files_target)
    return stack


@pytest.fixture
def user(ui_backend: Stack, user: User) -> User:
    """NiceGUI's `user`, started after the UI's settings point at the stack."""
    return user


async def log_in(user: User, email: str, password: str = PASSWORD) -> None:
    """Signs in through the login page, as a person does."""
    await user.open('/login')
    user.find(marker='email').type(email)
    user.find(marker='password').type(password)
    user.find('Войти').click()


async def signed_in(user: User, email: str) -> None:
    """Signs in and waits for the first page after the login page."""
    await log_in(user, email)
    await see(user, marker='create-ticket')  # in the frame of every signed-in page


async def see(user: User, target=None, **filters) -> None:
    """`should_see` with the patience of a busy machine."""
    await user.should_see(target, retries=PATIENCE, **filters)


async def eventually(value: Callable[[], Any], expected: Any) -> None:
    """Waits until `value()` equals `expected`, as long as `see` would."""
    for _ in range(PATIENCE):
        if (last := value()) == expected:
            return
        await asyncio.sleep(0.1)
    assert last == expected


def the(user: User, marker: str) -> ui.element:
    """The one element with this marker."""
    elements = user.find(marker=marker).elements
    assert len(elements) == 1, f'{len(elements)} elements marked {marker}'
    return next(iter(elements))


def table_rows(user: User, marker: str) -> list[dict]:
    """The rows of the table with this marker (a `ui.table` or the client's list, a
    TicketTable); none while there is no table."""
    with user:
        tables = [element for element in ElementFilter(marker=marker, local_scope=False)
                  if isinstance(element, (ui.table, TicketTable, ReportTable))]
    assert len(tables) <= 1, f'{len(tables)} tables marked {marker}'
    return tables[0].rows if tables else []


async def staff(stack: Stack, role: int = auth_pb2.ROLE_DEVELOPER) -> auth_pb2.User:
    return await stack.new_user(role, name='developer' if role == auth_pb2.ROLE_DEVELOPER
                                else 'manager')
