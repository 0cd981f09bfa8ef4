"""Logout, a password change, deactivating a user or an organization end what was open,
also at the tickets and files services; API tokens work there with their role and scope.

The tickets and files services trust a resolved token for `auth_cache_seconds`
(TICKETDESK_AUTH_CACHE_SECONDS, default 3, at most 30): that is how long an ended
session can still be used there. The stack runs with 0; the bound itself is tested
on CachedResolver below.
"""

from __future__ import annotations

import asyncio

import grpc
from google.protobuf.field_mask_pb2 import FieldMask

from services.common.client.channels import bearer
from services.common.server.interceptor import CachedResolver
from services.common.server.principal import Principal, Role
from tests.security.conftest import api_token, upload
from tests.support.rpc import rpc_error
from tests.support.stack import PASSWORD
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.files.v1 import files_pb2
from ticketdesk.tickets.v1 import tickets_pb2

UNAUTHENTICATED = grpc.StatusCode.UNAUTHENTICATED


async def works_everywhere(stack, caller, ticket: str) -> None:
    await stack.clients.auth.WhoAmI(auth_pb2.WhoAmIRequest(), metadata=caller)
    await stack.clients.tickets.GetTicket(tickets_pb2.GetTicketRequest(name=ticket),
                                          metadata=caller)
    await stack.clients.files.ListFiles(files_pb2.ListFilesRequest(parent=ticket),
                                        metadata=caller)


async def refused_everywhere(stack, caller, ticket: str) -> None:
    await rpc_error(stack.clients.auth.WhoAmI(auth_pb2.WhoAmIRequest(), metadata=caller),
                    UNAUTHENTICATED)
    await rpc_error(stack.clients.tickets.GetTicket(tickets_pb2.GetTicketRequest(name=ticket),
                                                    metadata=caller), UNAUTHENTICATED)
    await rpc_error(stack.clients.files.ListFiles(files_pb2.ListFilesRequest(parent=ticket),
                                                  metadata=caller), UNAUTHENTICATED)


async def test_logout_ends_the_session_everywhere(stack):
    org = await stack.new_organization()
    ticket = await stack.new_ticket(org)
    await works_everywhere(stack, org.client, ticket.name)
    await stack.clients.auth.Logout(auth_pb2.LogoutRequest(), metadata=org.client)
    await refused_everywhere(stack, org.client, ticket.name)


async def test_a_password_change_ends_the_other_sessions_everywhere(stack):
    org = await stack.new_organization()
    ticket = await stack.new_ticket(org)
    other = await stack.login(org.email)
    changed = await stack.clients.auth.ChangePassword(auth_pb2.ChangePasswordRequest(
        current_password=PASSWORD, new_password="a completely new passphrase"),
        metadata=org.client)
    for old in (org.client, other):
        await refused_everywhere(stack, old, ticket.name)
    await works_everywhere(stack, bearer(changed.session_token), ticket.name)


async def test_deactivating_a_user_ends_its_sessions_everywhere(stack):
    org = await stack.new_organization()
    ticket = await stack.new_ticket(org)
    await stack.clients.auth.DeactivateUser(auth_pb2.DeactivateUserRequest(
        name=org.client_user.name), metadata=await stack.staff("manager"))
    await refused_everywhere(stack, org.client, ticket.name)


async def test_deactivating_an_organization_ends_its_clients_sessions_and_tokens(stack):
    org = await stack.new_organization()
    ticket = await stack.new_ticket(org)
    token = bearer(await api_token(stack, auth_pb2.ROLE_CLIENT, org.name))
    await works_everywhere(stack, token, ticket.name)
    deactivate = auth_pb2.UpdateOrganizationRequest(
        organization=auth_pb2.Organization(name=org.name, active=False),
        update_mask=FieldMask(paths=["active"]))
    await stack.clients.auth.UpdateOrganization(deactivate, metadata=await stack.staff("manager"))
    await asyncio.sleep(stack.settings.auth_cache_seconds)  # the documented bound
    for caller in (org.client, token):
        await refused_everywhere(stack, caller, ticket.name)
    # Sessions were revoked, not only suspended: reactivation does not bring them back.
    deactivate.organization.active = True
    await stack.clients.auth.UpdateOrganization(deactivate, metadata=stack.service)
    await refused_everywhere(stack, org.client, ticket.name)
    await works_everywhere(stack, token, ticket.name)  # a manager revokes tokens explicitly


async def test_a_client_api_token_acts_for_its_organization_only(stack):
    mine, other = await stack.new_organization(), await stack.new_organization()
    foreign = await stack.new_ticket(other)
    token = bearer(await api_token(stack, auth_pb2.ROLE_CLIENT, mine.name))
    created = await stack.clients.tickets.CreateTicket(tickets_pb2.CreateTicketRequest(
        ticket=tickets_pb2.Ticket(title="Из интеграции", description="Текст",
                                  contact=tickets_pb2.Contact(user=mine.client_user.name))),
        metadata=token)
    assert created.organization == mine.name
    listed = await stack.clients.tickets.ListTickets(tickets_pb2.ListTicketsRequest(
        page_size=100), metadata=token)
    assert {t.organization for t in listed.tickets} == {mine.name}
    assert created.name in {t.name for t in listed.tickets}
    await rpc_error(stack.clients.tickets.GetTicket(tickets_pb2.GetTicketRequest(
        name=foreign.name), metadata=token), grpc.StatusCode.NOT_FOUND)
    stored = await upload(stack, token, created.name)
    assert stored.ticket == created.name
    await rpc_error(stack.clients.tickets.CreateSite(tickets_pb2.CreateSiteRequest(
        parent=mine.name, site=tickets_pb2.Site(url="https://x.example")), metadata=token),
        grpc.StatusCode.PERMISSION_DENIED)


async def test_a_developer_api_token_works_as_staff_until_revoked(stack):
    org = await stack.new_organization()
    ticket = await stack.new_ticket(org)
    created = await stack.clients.auth.CreateApiToken(auth_pb2.CreateApiTokenRequest(
        api_token=auth_pb2.ApiToken(display_name="ci", role=auth_pb2.ROLE_DEVELOPER)),
        metadata=await stack.staff("manager"))
    token = bearer(created.token)
    started = await stack.clients.tickets.TransitionTicket(tickets_pb2.TransitionTicketRequest(
        name=ticket.name, action=tickets_pb2.ACTION_START_WORK), metadata=token)
    assert started.status == tickets_pb2.STATUS_IN_PROGRESS
    await rpc_error(stack.clients.tickets.CreateSite(tickets_pb2.CreateSiteRequest(
        parent=org.name, site=tickets_pb2.Site(url="https://x.example")), metadata=token),
        grpc.StatusCode.PERMISSION_DENIED)  # sites are for managers
    await works_everywhere(stack, token, ticket.name)
    await stack.clients.auth.RevokeApiToken(auth_pb2.RevokeApiTokenRequest(
        name=created.api_token.name), metadata=stack.service)
    await refused_everywhere(stack, token, ticket.name)


async def test_the_cache_trusts_an_answer_for_at_most_its_ttl():
    live = {"token": Principal(subject="users/1", role=Role.CLIENT)}
    asked = []

    async def resolve(token: str):
        asked.append(token)
        return live.get(token)

    cached = CachedResolver(resolve, ttl=0.3)
    assert await cached("token") is not None
    live.clear()  # revoked at the auth service
    assert await cached("token") is not None  # still trusted within the ttl
    await asyncio.sleep(0.35)
    assert await cached("token") is None
    assert asked == ["token", "token"]
