"""A person signed in with a password a manager issued may only choose their own: every
other call, to any service, is refused until they do (the web UI's «Смена пароля» is not
the only door: integrations call the same APIs)."""

from __future__ import annotations

import grpc
import pytest

from services.common.client.channels import bearer
from services.common.client.errors import error_details
from tests.support.stack import PASSWORD, Stack
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.files.v1 import files_pb2
from ticketdesk.tickets.v1 import tickets_pb2

NEW_PASSWORD = "a sunny meadow by the river"


async def issued_by_a_manager(stack: Stack) -> tuple[auth_pb2.User, tuple]:
    """A client whose account a manager created: signed in with the issued password."""
    org = await stack.new_organization()
    manager = await stack.staff("manager")
    created = await stack.clients.auth.CreateUser(auth_pb2.CreateUserRequest(
        user=auth_pb2.User(email=f"issued-{org.name[-6:]}@example.test", full_name="Выдан",
                           role=auth_pb2.ROLE_CLIENT, organization=org.name),
        initial_password=PASSWORD), metadata=manager)
    assert created.user.password_change_required
    return created.user, await stack.login(created.user.email)


async def refused(call) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert error_details(caught.value)[0] == "PASSWORD_CHANGE_REQUIRED"


async def test_only_the_password_change_is_open_until_it_is_done(stack: Stack):
    user, issued = await issued_by_a_manager(stack)
    auth, tickets, files = stack.clients.auth, stack.clients.tickets, stack.clients.files
    await refused(tickets.ListTickets(tickets_pb2.ListTicketsRequest(), metadata=issued))
    await refused(tickets.ListSites(tickets_pb2.ListSitesRequest(parent=user.organization),
                                    metadata=issued))
    await refused(files.ListFiles(files_pb2.ListFilesRequest(parent="tickets/1"),
                                  metadata=issued))
    await refused(auth.UpdateUser(auth_pb2.UpdateUserRequest(
        user=auth_pb2.User(name=user.name, full_name="Другое имя")), metadata=issued))

    me = await auth.WhoAmI(auth_pb2.WhoAmIRequest(), metadata=issued)
    assert me.principal.subject == user.name and me.principal.password_change_required
    assert (await auth.GetUser(auth_pb2.GetUserRequest(name=user.name),
                               metadata=issued)).email == user.email

    changed = await auth.ChangePassword(auth_pb2.ChangePasswordRequest(
        current_password=PASSWORD, new_password=NEW_PASSWORD), metadata=issued)
    chosen = bearer(changed.session_token)
    answer = await tickets.ListTickets(tickets_pb2.ListTicketsRequest(), metadata=chosen)
    assert answer.total_size == 0
    me = await auth.WhoAmI(auth_pb2.WhoAmIRequest(), metadata=chosen)
    assert not me.principal.password_change_required


async def test_accounts_with_their_own_password_are_not_held(stack: Stack):
    org = await stack.new_organization()  # its client was given a password by the service
    answer = await stack.clients.tickets.ListTickets(tickets_pb2.ListTicketsRequest(),
                                                     metadata=org.client)
    assert answer.total_size == 0
