"""TicketInternalService: only the service token may call it; what it records."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from tests.services.tickets.helpers import bad_reasons, internal
from tests.support.rpc import field_params, reason, rpc_error
from tests.support.tickets import World
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_internal_pb2 as ipb
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket.rules import Action, Status

CALLS = {
    "RecordTransition": lambda stub, name, who: stub.RecordTransition(ipb.RecordTransitionRequest(
        name=name, action=pb.ACTION_CLOSE, from_status=pb.STATUS_QUEUED,
        to_status=pb.STATUS_CANCELLED, actor="users/x", actor_role="manager", text="взлом",
        request_id=uuid.uuid4().hex), metadata=who),
    "RecordSlaEvent": lambda stub, name, who: stub.RecordSlaEvent(ipb.RecordSlaEventRequest(
        name=name, breached_goal="first_response"), metadata=who),
    "DeliverNotifications": lambda stub, name, who: stub.DeliverNotifications(
        ipb.DeliverNotificationsRequest(event_id=uuid.uuid4().hex, ticket=name, kind="comment",
                                        deliveries=[ipb.Delivery(recipient="users/x",
                                                                 title="t")]), metadata=who),
    "MarkNotificationsEmailed": lambda stub, name, who: stub.MarkNotificationsEmailed(
        ipb.MarkNotificationsEmailedRequest(event_id="e", recipients=["users/x"]), metadata=who),
    "RecordNotices": lambda stub, name, who: stub.RecordNotices(ipb.RecordNoticesRequest(
        notices=[ipb.Notice(event_id=uuid.uuid4().hex, ticket=name, kind="reminder")]),
        metadata=who),
    # Nothing to claim or complete: a claim of the service token's must not take the
    # running dispatcher's notices (at most one, for a lease of a second).
    "ClaimNotices": lambda stub, name, who: stub.ClaimNotices(ipb.ClaimNoticesRequest(
        max_notices=1, lease={"seconds": 1}), metadata=who),
    "CompleteNotices": lambda stub, name, who: stub.CompleteNotices(
        ipb.CompleteNoticesRequest(names=["notices/999999999"]), metadata=who),
}


@pytest.mark.parametrize("method", CALLS)
async def test_only_the_service_token_may_call(stack, method):
    world = await World.create(stack)
    ticket = await world.ticket_in(Status.QUEUED)
    stub = internal(stack)
    for role, who in world.people.items():
        error = await rpc_error(CALLS[method](stub, ticket.name, who),
                                grpc.StatusCode.PERMISSION_DENIED)
        assert reason(error) == "SERVICE_ONLY", role
    await rpc_error(CALLS[method](stub, ticket.name, ()), grpc.StatusCode.UNAUTHENTICATED)
    after = await world.get(ticket.name, "developer")
    assert after.status == pb.STATUS_QUEUED and after.sla.state != pb.Sla.STATE_BREACHED
    assert [e.field for e in await world.history(ticket.name)] == ["status"]
    await CALLS[method](stub, ticket.name, stack.service)  # the service token is served


async def test_record_transition_assigns_once(stack):
    world = await World.create(stack)
    ticket = await world.ticket_in(Status.QUEUED)
    developer = (await stack.clients.auth.WhoAmI(
        auth_pb2.WhoAmIRequest(), metadata=world.people["developer"])).principal.subject
    request = ipb.RecordTransitionRequest(
        name=ticket.name, action=pb.ACTION_START_WORK, from_status=pb.STATUS_QUEUED,
        to_status=pb.STATUS_IN_PROGRESS, actor="users/dev", actor_display_name="Dev",
        actor_role="developer", request_id=uuid.uuid4().hex, assignee=developer)
    recorded = await internal(stack).RecordTransition(request, metadata=stack.service)
    assert (recorded.status, recorded.assignee) == (pb.STATUS_IN_PROGRESS, developer)
    again = await internal(stack).RecordTransition(request, metadata=stack.service)
    assert again.etag == recorded.etag  # a retried activity writes nothing
    entries = [(e.actor, e.field, e.old_value, e.new_value)
               for e in await world.history(ticket.name)]
    assert entries[1:] == [("users/dev", "status", "queued", "in_progress"),
                           ("users/dev", "assignee", "", developer)]
    # Without an assignee the assignee stays.
    kept = await internal(stack).RecordTransition(ipb.RecordTransitionRequest(
        name=ticket.name, action=pb.ACTION_RETURN_TO_QUEUE, from_status=pb.STATUS_IN_PROGRESS,
        to_status=pb.STATUS_QUEUED, actor="users/dev", actor_role="developer",
        request_id=uuid.uuid4().hex), metadata=stack.service)
    assert (kept.status, kept.assignee) == (pb.STATUS_QUEUED, developer)


async def test_starting_work_on_an_unassigned_ticket_takes_it(stack):
    world = await World.create(stack)
    ticket = await world.ticket_in(Status.QUEUED)
    started = await world.act(ticket.name, "developer", Action.START_WORK)
    me = started.assignee
    assert me.startswith("users/")
    assert ("assignee", "", me) in [(e.field, e.old_value, e.new_value)
                                    for e in await world.history(ticket.name)]


async def test_record_transition_checks_its_fields(stack):
    world = await World.create(stack)
    ticket = await world.ticket_in(Status.QUEUED)
    far = Timestamp(seconds=10**13)
    good = dict(name=ticket.name, action=pb.ACTION_START_WORK, to_status=pb.STATUS_IN_PROGRESS,
                request_id=uuid.uuid4().hex)
    for problem, change in [(("name", "MALFORMED"), {"name": "tickets/x"}),
                            (("to_status", "MALFORMED"), {"to_status": 0}),
                            (("assignee", "MALFORMED"), {"assignee": "bob"}),
                            (("sla_due_time", "MALFORMED"), {"sla_due_time": far})]:
        assert await bad_reasons(internal(stack).RecordTransition(
            ipb.RecordTransitionRequest(**{**good, **change}), metadata=stack.service)) == [
            problem]
    missing = await rpc_error(internal(stack).RecordSlaEvent(ipb.RecordSlaEventRequest(
        name="tickets/2147483000"), metadata=stack.service), grpc.StatusCode.NOT_FOUND)
    assert reason(missing) == "NOT_FOUND"


async def test_notifications_are_delivered_once_and_checked(stack):
    world = await World.create(stack)
    ticket = await world.ticket_in(Status.QUEUED)
    client = world.org.client_user.name
    event = uuid.uuid4().hex

    def deliver(**fields):
        request = dict(event_id=event, ticket=ticket.name, kind="comment",
                       deliveries=[ipb.Delivery(recipient=client, title="Новый комментарий")])
        return internal(stack).DeliverNotifications(
            ipb.DeliverNotificationsRequest(**{**request, **fields}), metadata=stack.service)

    assert list((await deliver()).to_email) == [client]
    await internal(stack).MarkNotificationsEmailed(ipb.MarkNotificationsEmailedRequest(
        event_id=event, recipients=[client]), metadata=stack.service)
    assert list((await deliver()).to_email) == []
    assert [n.title for n in await world.notices("client")
            if n.ticket == ticket.name and n.kind == "comment"] == ["Новый комментарий"]
    for problem, change in [
            (("event_id", "REQUIRED"), {"event_id": ""}),
            (("event_id", "TOO_LONG"), {"event_id": "e" * 65}),
            (("kind", "TOO_LONG"), {"kind": "k" * 33}),
            (("ticket", "MALFORMED"), {"ticket": "42"}),
            (("deliveries.recipient", "MALFORMED"),
             {"deliveries": [ipb.Delivery(recipient="bob")]}),
            (("deliveries.title", "INVALID_CHARACTERS"),
             {"deliveries": [ipb.Delivery(recipient=client, title="a\x00")]})]:
        assert await bad_reasons(deliver(**change)) == [problem], problem
    error = await rpc_error(deliver(kind="k" * 33))
    assert field_params(error, "kind") == {"maxLength": "32"}
    error = await rpc_error(internal(stack).MarkNotificationsEmailed(
        ipb.MarkNotificationsEmailedRequest(event_id="a\x00"), metadata=stack.service))
    assert reason(error) == "INVALID_ARGUMENT"


async def test_one_call_marks_several_recipients_emailed_for_that_event_only(stack):
    world = await World.create(stack)
    ticket = await world.ticket_in(Status.QUEUED)
    people = [f"users/{uuid.uuid4().hex}" for _ in range(3)]
    first, second = uuid.uuid4().hex, uuid.uuid4().hex

    async def to_email(event):
        answer = await internal(stack).DeliverNotifications(ipb.DeliverNotificationsRequest(
            event_id=event, ticket=ticket.name, kind="ticket_created",
            deliveries=[ipb.Delivery(recipient=r, title="Новый тикет") for r in people]),
            metadata=stack.service)
        return list(answer.to_email)

    assert await to_email(first) == sorted(people)
    assert await to_email(second) == sorted(people)
    await internal(stack).MarkNotificationsEmailed(ipb.MarkNotificationsEmailedRequest(
        event_id=first, recipients=people[:2]), metadata=stack.service)
    assert await to_email(first) == [people[2]]
    assert await to_email(second) == sorted(people)


async def test_sla_event_records_a_breach_once(stack):
    world = await World.create(stack)
    ticket = await world.ticket_in(Status.QUEUED)
    past = Timestamp()
    past.FromDatetime(datetime.now(UTC) - timedelta(minutes=1))
    for _ in range(2):
        shown = await internal(stack).RecordSlaEvent(ipb.RecordSlaEventRequest(
            name=ticket.name, sla_due_time=past, breached_goal="resolution"),
            metadata=stack.service)
    assert shown.sla.state == pb.Sla.STATE_BREACHED and shown.sla.due_time == past
    assert [(e.actor_display_name, e.new_value) for e in await world.history(ticket.name)
            if e.field == "sla_breached"] == [("TicketDesk", "resolution")]


async def test_the_outbox_refuses_malformed_notices_and_claims(stack):
    world = await World.create(stack)
    ticket = await world.ticket_in(Status.QUEUED)
    stub = internal(stack)

    def record(**fields):
        notice = dict(event_id=uuid.uuid4().hex, ticket=ticket.name, kind="reminder")
        return stub.RecordNotices(ipb.RecordNoticesRequest(
            notices=[ipb.Notice(**{**notice, **fields})]), metadata=stack.service)

    for problem, change in [
            (("notices.event_id", "REQUIRED"), {"event_id": ""}),
            (("notices.event_id", "TOO_LONG"), {"event_id": "e" * 65}),
            (("notices.kind", "TOO_LONG"), {"kind": "k" * 33}),
            (("notices.ticket", "MALFORMED"), {"ticket": "42"}),
            (("notices.text", "INVALID_CHARACTERS"), {"text": "a\x00"})]:
        assert await bad_reasons(record(**change)) == [problem], problem
    for problem, claim in [
            (("max_notices", "MALFORMED"), dict(max_notices=0, lease={"seconds": 1})),
            (("max_notices", "MALFORMED"), dict(max_notices=501, lease={"seconds": 1})),
            (("lease", "MALFORMED"), dict(max_notices=1)),
            (("wait", "MALFORMED"), dict(max_notices=1, lease={"seconds": 1},
                                         wait={"seconds": 61})),
            (("gather", "MALFORMED"), dict(max_notices=1, lease={"seconds": 1},
                                           gather={"seconds": -1}))]:
        assert await bad_reasons(stub.ClaimNotices(ipb.ClaimNoticesRequest(**claim),
                                                   metadata=stack.service)) == [problem]
    for name in ["notices/x", "tickets/1", "notices/1/2", "notices/" + "9" * 19]:
        assert await bad_reasons(stub.CompleteNotices(ipb.CompleteNoticesRequest(
            names=[name]), metadata=stack.service)) == [("names", "MALFORMED")], name
