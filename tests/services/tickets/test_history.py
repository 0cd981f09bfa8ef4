"""UpdateTicket by role and the history of every change (creation, updates, transitions)."""

from __future__ import annotations

import grpc

from tests.services.tickets.helpers import bad_reasons, in_days, move, update
from tests.support.rpc import field_params, reason, rpc_error
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb


async def history(stack, caller, ticket) -> list[tuple[str, str, str, str]]:
    answer = await stack.clients.tickets.ListTicketHistory(
        pb.ListTicketHistoryRequest(parent=ticket.name), metadata=caller)
    assert all(e.create_time.seconds and e.name.startswith(ticket.name + "/history/")
               for e in answer.entries)
    return [(e.actor, e.field, e.old_value, e.new_value) for e in answer.entries]


async def subject(stack, caller) -> str:
    return (await stack.clients.auth.WhoAmI(auth_pb2.WhoAmIRequest(),
                                            metadata=caller)).principal.subject


async def test_every_change_is_in_the_history(stack):
    org = await stack.new_organization(sites=2)
    developer = await stack.staff("developer")
    dev, client = await subject(stack, developer), org.client_user.name
    colleague = await stack.new_user(auth_pb2.ROLE_CLIENT, org.name)
    ticket = await stack.new_ticket(org, desired_date=in_days(2))
    ticket = await update(stack, developer, ticket, priority=pb.PRIORITY_HIGH,
                          assignee=dev, planned_date=in_days(9), estimate_hours=3.5,
                          site=org.sites[1])
    assert (ticket.priority, ticket.assignee, ticket.planned_date, ticket.estimate_hours,
            ticket.site) == (pb.PRIORITY_HIGH, dev, in_days(9), 3.5, org.sites[1])
    assert ticket.etag == 'W/"2"'
    ticket = await update(stack, org.client, ticket, desired_date=in_days(4),
                          contact=pb.Contact(user=colleague.name))
    assert ticket.contact.email == colleague.email
    unchanged = await update(stack, developer, ticket, estimate_hours=3.5)
    assert unchanged.etag == ticket.etag  # no change, no new version, no history
    await move(stack, developer, ticket, pb.ACTION_START_WORK, pb.ACTION_SUBMIT_FOR_ACCEPTANCE)
    done = await stack.clients.tickets.TransitionTicket(pb.TransitionTicketRequest(
        name=ticket.name, action=pb.ACTION_ACCEPT, rating=5), metadata=org.client)
    assert (done.status, done.rating) == (pb.STATUS_DONE, 5)
    assert await history(stack, org.client, ticket) == [
        (client, "status", "", "queued"),
        (dev, "assignee", "", dev),
        (dev, "estimate_hours", "0.0", "3.5"),
        (dev, "planned_date", "", in_days(9)),
        (dev, "priority", "normal", "high"),
        (dev, "site", org.sites[0], org.sites[1]),
        (client, "contact", client, colleague.name),
        (client, "desired_date", in_days(2), in_days(4)),
        (dev, "status", "queued", "in_progress"),
        (dev, "status", "in_progress", "awaiting_acceptance"),
        (client, "status", "awaiting_acceptance", "done"),
        (client, "rating", "0", "5"),
    ]


async def test_each_role_changes_only_its_fields(stack):
    org = await stack.new_organization()
    developer = await stack.staff("developer")
    ticket = await stack.new_ticket(org)
    for field, value in [("priority", pb.PRIORITY_HIGH), ("estimate_hours", 1.0),
                         ("planned_date", in_days(1)), ("title", "Новое")]:
        await rpc_error(update(stack, org.client, ticket, **{field: value}),
                        grpc.StatusCode.PERMISSION_DENIED)
    for mask, why in ((["status"], "NOT_UPDATABLE"), (["rating"], "NOT_UPDATABLE"),
                      (["has_remarks"], "NOT_UPDATABLE"), (["nonsense"], "NOT_UPDATABLE"),
                      ([], "REQUIRED")):
        assert await bad_reasons(stack.clients.tickets.UpdateTicket(pb.UpdateTicketRequest(
            ticket=pb.Ticket(name=ticket.name), update_mask={"paths": mask}),
            metadata=developer)) == [("update_mask", why)], mask
    stale = await rpc_error(stack.clients.tickets.UpdateTicket(pb.UpdateTicketRequest(
        ticket=pb.Ticket(name=ticket.name, etag='W/"999"', title="Т"),
        update_mask={"paths": ["title"]}), metadata=developer), grpc.StatusCode.ABORTED)
    assert reason(stale) == "ETAG_MISMATCH"


async def test_update_validation_names_the_field_and_reason(stack):
    org, other = await stack.new_organization(), await stack.new_organization()
    developer = await stack.staff("developer")
    ticket = await stack.new_ticket(org)
    cases = [
        ("ticket.title", "REQUIRED", {"title": ""}),
        ("ticket.title", "TOO_LONG", {"title": "x" * 201}),
        ("ticket.description", "REQUIRED", {"description": ""}),
        ("ticket.desired_date", "DATE_IN_PAST", {"desired_date": in_days(-1)}),
        ("ticket.desired_date", "NOT_A_DATE", {"desired_date": "2031-13-01"}),
        ("ticket.planned_date", "NOT_A_DATE", {"planned_date": "завтра"}),
        ("ticket.priority", "REQUIRED", {"priority": pb.PRIORITY_UNSPECIFIED}),
        ("ticket.priority", "MALFORMED", {"priority": 12}),
        ("ticket.assignee", "MALFORMED", {"assignee": "bob"}),
        ("ticket.assignee", "NOT_STAFF_MEMBER", {"assignee": org.client_user.name}),
        ("ticket.assignee", "NOT_STAFF_MEMBER", {"assignee": "users/missing"}),
        ("ticket.estimate_hours", "OUT_OF_RANGE", {"estimate_hours": -1}),
        ("ticket.estimate_hours", "OUT_OF_RANGE", {"estimate_hours": float("nan")}),
        ("ticket.site", "NOT_ORGANIZATION_SITE", {"site": other.sites[0]}),
        ("ticket.contact.user", "NOT_ORGANIZATION_CONTACT",
         {"contact": pb.Contact(user=other.client_user.name)}),
        ("ticket.contact.user", "REQUIRED", {"contact": pb.Contact()}),
        ("ticket.name", "MALFORMED", {"name": "tickets/abc"}),
    ]
    for field, why, change in cases:
        request = pb.UpdateTicketRequest(
            ticket=pb.Ticket(**{"name": ticket.name, **change}),
            update_mask={"paths": [k for k in change if k != "name"] or ["title"]})
        assert await bad_reasons(stack.clients.tickets.UpdateTicket(
            request, metadata=developer)) == [(field, why)], field
    error = await rpc_error(update(stack, developer, ticket, estimate_hours=10_001))
    assert field_params(error, "ticket.estimate_hours") == {"min": "0", "max": "10000"}
    assert await history(stack, developer, ticket) == [
        (org.client_user.name, "status", "", "queued")]
