"""CreateTicket: every field of the client's form, defaults, validation, idempotency."""

from __future__ import annotations

import asyncio
import uuid

import grpc

from tests.services.tickets.helpers import bad_reasons, in_days
from tests.support.rpc import field_params, field_reasons, reason, rpc_error
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb


def create(stack, caller, request_id: str = "", **fields):
    return stack.clients.tickets.CreateTicket(pb.CreateTicketRequest(
        ticket=pb.Ticket(**fields), request_id=request_id), metadata=caller)


async def test_every_field_of_the_form(stack):
    org = await stack.new_organization(sites=2)
    colleague = await stack.new_user(auth_pb2.ROLE_CLIENT, org.name, name="colleague")
    ticket = await stack.new_ticket(
        org, title="  Заменить баннер  ", site=org.sites[1],
        contact=pb.Contact(user=colleague.name),
        description="Страница https://example.test/ — <b>не HTML</b>",
        desired_date=in_days(3), priority=pb.PRIORITY_CRITICAL)
    assert ticket.number > 0 and ticket.name == f"tickets/{ticket.number}"
    assert ticket.organization == org.name
    assert ticket.site == org.sites[1]
    assert ticket.site_url.startswith("https://site1.org")
    assert ticket.title == "Заменить баннер"
    assert ticket.description == "Страница https://example.test/ — <b>не HTML</b>"
    assert (ticket.contact.user, ticket.contact.full_name, ticket.contact.email,
            ticket.contact.phone) == (colleague.name, colleague.full_name, colleague.email,
                                      colleague.phone)
    assert ticket.desired_date == in_days(3) and ticket.planned_date == ""
    assert ticket.priority == pb.PRIORITY_CRITICAL
    assert ticket.status == pb.STATUS_QUEUED
    assert ticket.creator == org.client_user.name
    assert (ticket.assignee, ticket.estimate_hours, ticket.has_remarks, ticket.rating) == (
        "", 0, False, 0)
    assert ticket.create_time.seconds > 0 and ticket.update_time == ticket.create_time
    assert ticket.etag == 'W/"1"'
    assert pb.ACTION_WITHDRAW in [a.action for a in ticket.allowed_actions]
    again = await stack.clients.tickets.GetTicket(pb.GetTicketRequest(name=ticket.name),
                                                  metadata=org.client)
    assert again == ticket


async def test_defaults_one_site_contact_creator_normal_priority(stack):
    org = await stack.new_organization(sites=1)
    ticket = await stack.new_ticket(org)
    assert ticket.site == org.sites[0]
    assert ticket.contact.user == org.client_user.name
    assert ticket.contact.email == org.email and ticket.contact.phone
    assert ticket.priority == pb.PRIORITY_NORMAL
    assert ticket.desired_date == ""
    later = await stack.new_ticket(org, desired_date=in_days(0))
    assert later.number > ticket.number  # human numbers grow


async def test_staff_files_for_an_organization(stack):
    org = await stack.new_organization(sites=1)
    developer = await stack.staff("developer")
    ticket = await create(stack, developer, organization=org.name, title="С телефона",
                          description="Клиент позвонил", contact=pb.Contact(
                              user=org.client_user.name))
    assert ticket.organization == org.name and ticket.site == org.sites[0]
    assert ticket.contact.user == org.client_user.name
    without_contact = await create(stack, developer, organization=org.name, title="Т",
                                   description="Д")
    assert without_contact.contact.user == ""  # staff are not the client's contact
    assert await bad_reasons(create(stack, developer, title="Т", description="Д")) == [
        ("ticket.organization", "REQUIRED")]
    assert await bad_reasons(create(stack, developer, organization="organizations/nope",
                                    title="Т", description="Д")) == [
        ("ticket.organization", "UNKNOWN_ORGANIZATION")]
    assert await bad_reasons(create(stack, developer, organization="nope", title="Т",
                                    description="Д")) == [("ticket.organization", "MALFORMED")]


async def test_each_invalid_field_is_named_with_its_reason(stack):
    org, other = await stack.new_organization(sites=2), await stack.new_organization()
    stranger = other.client_user.name
    good = {"title": "Заголовок", "description": "Описание", "site": org.sites[0]}
    cases = [
        ("ticket.title", "REQUIRED", {"title": ""}),
        ("ticket.title", "REQUIRED", {"title": "   "}),
        ("ticket.title", "TOO_LONG", {"title": "x" * 201}),
        ("ticket.title", "INVALID_CHARACTERS", {"title": "a\x00b"}),
        ("ticket.description", "REQUIRED", {"description": ""}),
        ("ticket.description", "REQUIRED", {"description": " \n "}),
        ("ticket.description", "TOO_LONG", {"description": "x" * 20_001}),
        ("ticket.desired_date", "DATE_IN_PAST", {"desired_date": in_days(-1)}),
        ("ticket.desired_date", "NOT_A_DATE", {"desired_date": "2030-02-30"}),
        ("ticket.desired_date", "NOT_A_DATE", {"desired_date": "31.12.2030"}),
        ("ticket.site", "NOT_ORGANIZATION_SITE", {"site": other.sites[0]}),
        ("ticket.site", "MALFORMED", {"site": "sites/1"}),
        ("ticket.site", "NOT_ORGANIZATION_SITE", {"site": f"{org.name}/sites/missing"}),
        ("ticket.site", "REQUIRED", {"site": ""}),  # two sites: choose one
        ("ticket.contact.user", "NOT_ORGANIZATION_CONTACT",
         {"contact": pb.Contact(user=stranger)}),
        ("ticket.contact.user", "NOT_ORGANIZATION_CONTACT",
         {"contact": pb.Contact(user="users/missing")}),
        ("ticket.contact.user", "MALFORMED", {"contact": pb.Contact(user="bob")}),
        ("ticket.priority", "MALFORMED", {"priority": 99}),
    ]
    for field, why, variant in cases:
        assert await bad_reasons(create(stack, org.client, **{**good, **variant})) == [
            (field, why)], (field, variant)
    error = await rpc_error(create(stack, org.client, request_id="x" * 65, **good),
                            grpc.StatusCode.INVALID_ARGUMENT)
    assert field_reasons(error) == [("request_id", "TOO_LONG")]
    assert field_params(error, "request_id") == {"maxLength": "64"}
    assert reason(error) == "INVALID_ARGUMENT"
    long_title = await rpc_error(create(stack, org.client, **{**good, "title": "x" * 201}))
    assert field_params(long_title, "ticket.title") == {"maxLength": "200"}
    assert (await create(stack, org.client, **{**good, "title": "x" * 200})).title == "x" * 200
    listed = await stack.clients.tickets.ListTickets(pb.ListTicketsRequest(),
                                                     metadata=org.client)
    assert listed.total_size == 1  # nothing else was created


async def test_every_problem_of_the_form_at_once(stack):
    org = await stack.new_organization()
    error = await rpc_error(create(stack, org.client, title="", description="",
                                   desired_date="вчера", priority=7),
                            grpc.StatusCode.INVALID_ARGUMENT)
    assert field_reasons(error) == [
        ("ticket.title", "REQUIRED"), ("ticket.description", "REQUIRED"),
        ("ticket.desired_date", "NOT_A_DATE"), ("ticket.priority", "MALFORMED")]


async def test_create_is_idempotent_by_request_id(stack):
    org = await stack.new_organization()
    request_id = str(uuid.uuid4())
    first = await create(stack, org.client, request_id, title="Один", description="Раз")
    retry = await create(stack, org.client, request_id, title="Один", description="Раз")
    assert retry.name == first.name
    # Another caller's equal request_id is another request: never someone else's ticket.
    colleague = await stack.new_user(auth_pb2.ROLE_CLIENT, org.name)
    theirs = await create(stack, await stack.login(colleague.email), request_id,
                          title="Один", description="Раз")
    assert theirs.name != first.name and theirs.creator == colleague.name
    other = await stack.new_organization()
    foreign = await create(stack, other.client, request_id, title="Один", description="Раз")
    assert foreign.name not in (first.name, theirs.name)
    assert foreign.organization == other.name
    listed = await stack.clients.tickets.ListTickets(pb.ListTicketsRequest(),
                                                     metadata=org.client)
    assert listed.total_size == 2


async def test_concurrent_retries_make_one_ticket(stack):
    org = await stack.new_organization()
    request_id = str(uuid.uuid4())
    answers = await asyncio.gather(*(create(stack, org.client, request_id, title="Т",
                                            description="Д") for _ in range(4)))
    assert len({a.name for a in answers}) == 1
