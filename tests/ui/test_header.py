"""The header's bell with NiceGUI's simulated user on the real services: it counts what is
unread, and a poll that fails (here: the account was switched off) shows nothing and stops."""

from __future__ import annotations

from nicegui.testing import User

from tests.support.stack import Stack
from tests.ui.conftest import eventually, on_sqlite, signed_in, staff, the
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb

pytestmark = on_sqlite


def bell_name(user: User) -> str:
    return the(user, 'bell').props.get('aria-label', '')


async def test_the_bell_counts_unread_notifications(user: User, stack: Stack):
    org = await stack.new_organization()
    ticket = await stack.new_ticket(org)
    await signed_in(user, org.email)
    await eventually(lambda: bell_name(user), 'Уведомления: 0')
    developer = await stack.login((await staff(stack)).email)
    await stack.clients.tickets.TransitionTicket(pb.TransitionTicketRequest(
        name=ticket.name, action=pb.ACTION_START_WORK, request_id=f'start-{ticket.name}'),
        metadata=developer)
    await eventually(lambda: bell_name(user), 'Уведомления: 1')
    assert the(user, 'bell-count').text == '1'


async def test_a_failing_poll_shows_nothing(user: User, stack: Stack):
    org = await stack.new_organization()
    await signed_in(user, org.email)
    timer = the(user, 'bell-timer')
    await eventually(lambda: bell_name(user), 'Уведомления: 0')
    await stack.clients.auth.DeactivateUser(auth_pb2.DeactivateUserRequest(
        name=org.client_user.name), metadata=stack.service)
    await eventually(lambda: timer.active, False)  # the session has ended: no tick can succeed
    assert user.notify.messages == []
