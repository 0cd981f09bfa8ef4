"""The login page («Авторизация»): one message for every failure, which never tells whether
the e-mail exists; the list after a good login."""

from __future__ import annotations

from nicegui.testing import User

from tests.support.stack import Stack
from tests.ui.conftest import log_in, on_sqlite, see, signed_in, the

pytestmark = on_sqlite

BAD_LOGIN = 'Неверный e-mail или пароль'


async def refusal(user: User) -> str:
    await see(user, BAD_LOGIN)
    assert user.back_history[-1] == '/login'
    assert the(user, 'password').value == ''
    return the(user, 'login-error').text


async def test_empty_fields_are_refused(user: User, stack: Stack):
    org = await stack.new_organization()
    await user.open('/login')
    user.find('Войти').click()
    assert await refusal(user) == BAD_LOGIN
    await user.open('/login')
    user.find(marker='email').type(org.email)
    user.find('Войти').click()  # no password
    assert await refusal(user) == BAD_LOGIN


async def test_a_wrong_password_does_not_tell_that_the_email_exists(user: User, stack: Stack):
    org = await stack.new_organization()
    await log_in(user, org.email, 'not the password')
    known = await refusal(user)
    await log_in(user, f'nobody-{org.email}', 'not the password')
    unknown = await refusal(user)
    assert known == unknown == BAD_LOGIN


async def test_a_good_login_lands_on_the_list(user: User, stack: Stack):
    org = await stack.new_organization()
    await signed_in(user, org.email)
    # The login sends the browser to start its session under a new id, which redirects
    # to the list (ui/pages/auth/login.py, against session fixation).
    assert user.back_history[-1].startswith('/login/session?ticket=')
    await see(user, marker='counters')  # the client's list
    await user.open('/login')  # signed in: the login page sends back to the list
    await see(user, marker='counters')
    await user.should_not_see(marker='email')


async def test_pages_send_a_stranger_to_the_login_page(user: User):
    await user.open('/tickets/new')
    await see(user, marker='email')
    await user.should_not_see(marker='create-ticket')
