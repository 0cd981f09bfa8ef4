"""The UI in the signed-in person's language (issue #6): Russian by default, English for a
person who chose it, kept by the auth service across sessions."""

from __future__ import annotations

from nicegui import app
from nicegui.testing import User

from tests.support.stack import Stack
from tests.ui.conftest import eventually, on_sqlite, see, signed_in
from ticketdesk.auth.v1 import auth_pb2

pytestmark = on_sqlite


async def test_a_new_person_reads_russian(user: User, stack: Stack):
    org = await stack.new_organization()
    await signed_in(user, org.email)
    await see(user, 'Создать тикет')
    await see(user, 'В очереди')
    assert user.client.page.resolve_language() == 'ru'  # Quasar's texts and <html lang>


async def test_a_person_who_chose_english_reads_english(user: User, stack: Stack):
    org = await stack.new_organization()
    person = await stack.new_user(auth_pb2.ROLE_CLIENT, organization=org.name, language='en')
    await signed_in(user, person.email)
    await see(user, 'Create ticket')
    await see(user, 'Awaiting acceptance')
    await user.should_not_see('Создать тикет')
    assert user.client.page.resolve_language() == 'en-US'


async def test_the_user_menu_switches_the_language_and_the_service_keeps_it(
        user: User, stack: Stack):
    org = await stack.new_organization()
    await signed_in(user, org.email)
    # A simulated click runs in the test's own context, whose request must be of the
    # signed-in session (the login renews the session id: ui/pages/auth/login.py).
    await user.open('/')
    user.find(marker='language-en').click()
    await eventually(lambda: _language_of(user), 'en')
    await user.open('/')  # what the reload shows
    await see(user, 'Create ticket')

    answer = await stack.clients.auth.GetUser(auth_pb2.GetUserRequest(name=org.client_user.name),
                                              metadata=stack.service)
    assert answer.language == 'en'


def _language_of(user: User) -> str:
    """The language of the account the simulated browser keeps (read in its context)."""
    with user:
        return (app.storage.user.get('user') or {}).get('language', '')
