"""The service report over real tickets moved by the real workflow: weeks, response and
resolution, closures, SLA, ratings and rework; a client's own organization only."""

from __future__ import annotations

import grpc

from tests.services.tickets.helpers import bad_reasons, in_days, move, today
from tests.support.rpc import rpc_error
from ticketdesk.tickets.v1 import tickets_pb2 as pb


def report(stack, caller, start=None, end=None, **filters):
    return stack.clients.tickets.GetServiceReport(pb.GetServiceReportRequest(
        start_date=start or today().isoformat(), end_date=end or today().isoformat(),
        **filters), metadata=caller)


async def test_a_day_of_tickets_in_the_report(stack):
    org, other = await stack.new_organization(), await stack.new_organization()
    developer = await stack.staff("developer")
    manager = await stack.staff("manager")
    accepted, cancelled, waiting, reworked = [await stack.new_ticket(org) for _ in range(4)]
    await stack.new_ticket(other)
    await move(stack, developer, accepted, pb.ACTION_START_WORK, pb.ACTION_SUBMIT_FOR_ACCEPTANCE)
    await move(stack, org.client, accepted, pb.ACTION_ACCEPT, rating=5)
    await move(stack, developer, cancelled, pb.ACTION_CLOSE)
    await move(stack, developer, reworked, pb.ACTION_START_WORK,
               pb.ACTION_SUBMIT_FOR_ACCEPTANCE, pb.ACTION_TAKE_BACK,
               pb.ACTION_SUBMIT_FOR_ACCEPTANCE)
    await move(stack, org.client, reworked, pb.ACTION_ACCEPT, rating=3)

    seen = await report(stack, manager, organization=org.name)
    assert [(w.start_date, w.created, w.closed, w.open) for w in seen.weeks] == [
        (today().isoformat(), 4, 3, 1)]
    assert seen.first_response.count == 3  # the waiting ticket was never answered
    assert seen.resolution.count == 2  # accepted (done); a cancelled ticket is not resolved
    assert seen.resolution.p90_hours >= seen.resolution.median_hours >= 0
    assert [(c.status, c.count) for c in seen.weeks[0].backlog] == [
        (pb.STATUS_QUEUED, 1), (pb.STATUS_IN_PROGRESS, 0), (pb.STATUS_NEEDS_INFO, 0),
        (pb.STATUS_AWAITING_ACCEPTANCE, 0)]  # the waiting ticket
    assert (seen.closed, seen.done, seen.sla_breached) == (3, 2, 0)
    assert list(seen.ratings) == [0, 0, 1, 0, 1]
    assert (seen.submitted, seen.reworked) == (2, 1)
    assert seen.studio_hours >= 0 and seen.client_hours >= 0

    everyone = await report(stack, manager)
    assert everyone.weeks[0].created >= 5  # both organizations
    by_priority = await report(stack, manager, organization=org.name,
                               priority=pb.PRIORITY_CRITICAL)
    assert by_priority.weeks[0].created == 0
    by_assignee = await report(stack, manager, organization=org.name,
                               assignee=waiting.assignee or "users/nobody")
    assert by_assignee.weeks[0].created == 0

    # A client: their organization whatever they name, and none of the studio's figures.
    theirs = await report(stack, org.client, organization=other.name)
    assert [(w.created, w.closed, w.open) for w in theirs.weeks] == [(4, 3, 1)]
    assert theirs.resolution.count == 2 and theirs.first_response.count == 3
    assert (theirs.closed, theirs.sla_breached, list(theirs.ratings), theirs.reworked) == (
        0, 0, [], 0)


async def test_the_weeks_of_a_longer_period_and_bad_periods(stack):
    org = await stack.new_organization()
    manager = await stack.staff("manager")
    await stack.new_ticket(org)
    seen = await report(stack, manager, start=in_days(-20), organization=org.name)
    assert [w.start_date for w in seen.weeks] == [in_days(-20), in_days(-13), in_days(-6)]
    assert [(w.created, w.open) for w in seen.weeks] == [(0, 0), (0, 0), (1, 1)]
    assert await bad_reasons(stack.clients.tickets.GetServiceReport(
        pb.GetServiceReportRequest(), metadata=manager)) == [
        ("start_date", "REQUIRED"), ("end_date", "REQUIRED")]
    assert await bad_reasons(report(stack, manager, start=in_days(1), end=in_days(0))) == [
        ("end_date", "OUT_OF_RANGE")]
    assert await bad_reasons(report(stack, manager, start=in_days(-400))) == [
        ("end_date", "OUT_OF_RANGE")]
    assert await bad_reasons(report(stack, manager, site="sites/x", assignee="x")) == [
        ("site", "MALFORMED"), ("assignee", "MALFORMED")]
    await rpc_error(report(stack, manager, start="2026-13-01"), grpc.StatusCode.INVALID_ARGUMENT)

