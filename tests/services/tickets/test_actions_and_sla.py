"""What a ticket tells its viewer: the actions they may take with the input each takes,
and (staff only) the state of the SLA clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.common.server.principal import Principal, Role
from services.tickets import convert, models
from tests.support.tickets import World
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket.rules import Status

Sla = pb.Sla


def allowed(action, kind=pb.TEXT_KIND_UNSPECIFIED, targets=(), rating=False):
    return (action, kind, kind != pb.TEXT_KIND_UNSPECIFIED, rating, list(targets))


CLOSE = allowed(pb.ACTION_CLOSE, pb.TEXT_KIND_REASON, [pb.STATUS_CANCELLED])
WITHDRAW = allowed(pb.ACTION_WITHDRAW, pb.TEXT_KIND_REASON, [pb.STATUS_CANCELLED])
ASK = allowed(pb.ACTION_ASK_CLARIFICATION, pb.TEXT_KIND_QUESTION, [pb.STATUS_NEEDS_INFO])
# By status, what a client and what the studio (developer or manager) may do.
EXPECTED = {
    Status.QUEUED: ([WITHDRAW], [allowed(pb.ACTION_START_WORK, targets=[pb.STATUS_IN_PROGRESS]),
                                 ASK, CLOSE]),
    Status.IN_PROGRESS: ([WITHDRAW], [
        allowed(pb.ACTION_RETURN_TO_QUEUE, targets=[pb.STATUS_QUEUED]), ASK,
        allowed(pb.ACTION_SUBMIT_FOR_ACCEPTANCE, pb.TEXT_KIND_SUMMARY,
                [pb.STATUS_AWAITING_ACCEPTANCE]), CLOSE]),
    Status.NEEDS_INFO: ([allowed(pb.ACTION_ANSWER), WITHDRAW], [
        allowed(pb.ACTION_CONTINUE_WITHOUT_ANSWER, targets=[pb.STATUS_IN_PROGRESS]), CLOSE]),
    Status.AWAITING_ACCEPTANCE: ([
        allowed(pb.ACTION_ACCEPT, targets=[pb.STATUS_DONE], rating=True), WITHDRAW], [
        allowed(pb.ACTION_TAKE_BACK, targets=[pb.STATUS_IN_PROGRESS, pb.STATUS_QUEUED]), CLOSE]),
    Status.DONE: ([], []),
    Status.CANCELLED: ([], []),
}


def inputs(ticket: pb.Ticket) -> list[tuple]:
    return [(a.action, a.text_kind, a.text_required, a.takes_rating, list(a.target_statuses))
            for a in ticket.allowed_actions]


@pytest.mark.parametrize("status", list(EXPECTED), ids=lambda s: s.value)
async def test_allowed_actions_by_status_and_role(stack, status):
    world = await World.create(stack)
    ticket = await world.ticket_in(status)
    client, studio = EXPECTED[status]
    assert inputs(await world.get(ticket.name, "client")) == client
    assert inputs(await world.get(ticket.name, "developer")) == studio
    assert inputs(await world.get(ticket.name, "manager")) == studio


def test_the_workflow_itself_may_accept():
    assert [a.action for a in convert.allowed_actions(Status.AWAITING_ACCEPTANCE, "system")] \
        == [pb.ACTION_ACCEPT]


NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
LATER, EARLIER = NOW + timedelta(hours=2), NOW - timedelta(minutes=1)


def row(status: Status, due: datetime | None = None, breached: bool = False) -> models.Ticket:
    return models.Ticket(status=status.value, sla_due_time=due, sla_breached=breached)


@pytest.mark.parametrize("ticket, state, due", [
    (row(Status.QUEUED, LATER), Sla.STATE_RUNNING, LATER),
    (row(Status.IN_PROGRESS, LATER), Sla.STATE_RUNNING, LATER),
    # SQLite gives the time back without its zone: it is UTC.
    (row(Status.IN_PROGRESS, LATER.replace(tzinfo=None)), Sla.STATE_RUNNING, LATER),
    (row(Status.QUEUED, EARLIER), Sla.STATE_BREACHED, EARLIER),  # passed, not yet recorded
    (row(Status.IN_PROGRESS, LATER, breached=True), Sla.STATE_BREACHED, LATER),
    (row(Status.IN_PROGRESS, None, breached=True), Sla.STATE_BREACHED, None),
    (row(Status.DONE, None, breached=True), Sla.STATE_BREACHED, None),
    (row(Status.NEEDS_INFO, None), Sla.STATE_PAUSED, None),
    (row(Status.NEEDS_INFO, EARLIER), Sla.STATE_PAUSED, None),  # waiting: no breach
    (row(Status.AWAITING_ACCEPTANCE, None), Sla.STATE_PAUSED, None),
    (row(Status.QUEUED, None), Sla.STATE_PAUSED, None),  # no due time recorded
    (row(Status.DONE, None), Sla.STATE_STOPPED, None),
    (row(Status.CANCELLED, EARLIER), Sla.STATE_STOPPED, None),
])
def test_sla_state(ticket, state, due):
    sla = convert.sla(ticket, NOW)
    assert sla.state == state
    assert (sla.due_time.ToDatetime(tzinfo=UTC) if sla.HasField("due_time") else None) == due


async def test_sla_as_the_staff_and_a_client_see_it(stack):
    world = await World.create(stack)
    running = await world.ticket_in(Status.QUEUED)
    # The workflow records the first due time in the background.
    seen = await world.until(running.name, lambda t: t.sla.state == Sla.STATE_RUNNING,
                             role="developer")
    assert seen.sla.due_time.ToDatetime(tzinfo=UTC) > datetime.now(UTC)
    paused = await world.ticket_in(Status.NEEDS_INFO)
    await world.until(paused.name, lambda t: t.sla.state == Sla.STATE_PAUSED, role="developer")
    done = await world.ticket_in(Status.DONE)
    assert (await world.get(done.name, "manager")).sla == Sla(state=Sla.STATE_STOPPED)
    for ticket in (running, paused, done):
        assert not (await world.get(ticket.name, "client")).HasField("sla")


def test_a_client_never_gets_the_sla():
    ticket = models.Ticket(
        number=1, organization="organizations/a", title="t", description="d", priority="normal",
        status="queued", sla_due_time=EARLIER, sla_breached=True, contact_user="",
        contact_name="", contact_email="", contact_phone="", assignee="", estimate_hours=0.0,
        has_remarks=False, rating=0, creator="users/c", create_time=NOW, update_time=NOW,
        version=1, status_note="")
    client = Principal("users/c", Role.CLIENT, organization="organizations/a")
    assert not convert.ticket(ticket, None, client, NOW).HasField("sla")
    staff = convert.ticket(ticket, None, Principal("users/d", Role.DEVELOPER), NOW)
    assert staff.sla.state == Sla.STATE_BREACHED
