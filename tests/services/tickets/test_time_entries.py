"""Time tracking: staff log work on tickets, each ticket keeps the total, clients see the
total only where their organization shows it, and never an entry."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import grpc
from google.protobuf.field_mask_pb2 import FieldMask

from tests.services.tickets.helpers import bad_reasons, in_days, today
from tests.support.rpc import reason, rpc_error
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb


def log(stack, caller, ticket, minutes, work_date="", note="", request_id=""):
    return stack.clients.tickets.CreateTimeEntry(pb.CreateTimeEntryRequest(
        parent=ticket.name, request_id=request_id,
        time_entry=pb.TimeEntry(minutes=minutes, work_date=work_date, note=note)),
        metadata=caller)


def change(stack, caller, name, *paths, **fields):
    return stack.clients.tickets.UpdateTimeEntry(pb.UpdateTimeEntryRequest(
        time_entry=pb.TimeEntry(name=name, **fields), update_mask=FieldMask(paths=list(paths))),
        metadata=caller)


def delete(stack, caller, name):
    return stack.clients.tickets.DeleteTimeEntry(pb.DeleteTimeEntryRequest(name=name),
                                                 metadata=caller)


def entries(stack, caller, parent, **filters):
    return stack.clients.tickets.ListTimeEntries(
        pb.ListTimeEntriesRequest(parent=parent, **filters), metadata=caller)


async def spent(stack, caller, ticket) -> int:
    got = await stack.clients.tickets.GetTicket(pb.GetTicketRequest(name=ticket.name),
                                               metadata=caller)
    return got.time_spent_minutes


async def test_logged_time_adds_up_on_the_ticket(stack):
    org = await stack.new_organization()
    developer = await stack.staff("developer")
    ticket = await stack.new_ticket(org)
    first = await log(stack, developer, ticket, 90, note="Вёрстка баннера")
    assert first.name.startswith(f"{ticket.name}/timeEntries/")
    assert (first.minutes, first.work_date, first.note) == (90, today().isoformat(),
                                                            "Вёрстка баннера")
    assert first.author.startswith("users/") and first.author_display_name
    assert first.organization == org.name and first.create_time.seconds
    second = await log(stack, developer, ticket, 30, work_date=in_days(-2))
    assert await spent(stack, developer, ticket) == 120
    listed = await entries(stack, developer, ticket.name)
    assert [e.name for e in listed.time_entries] == [first.name, second.name]  # newest day first
    assert (listed.total_minutes, listed.total_size) == (120, 2)

    changed = await change(stack, developer, second.name, "minutes", "note", minutes=45,
                           note="Проверка на телефоне")
    assert (changed.minutes, changed.note, changed.work_date) == (45, "Проверка на телефоне",
                                                                  in_days(-2))
    assert await spent(stack, developer, ticket) == 135
    await delete(stack, developer, first.name)
    assert await spent(stack, developer, ticket) == 45
    assert [e.name for e in (await entries(stack, developer, ticket.name)).time_entries] == [
        second.name]
    error = await rpc_error(delete(stack, developer, first.name), grpc.StatusCode.NOT_FOUND)
    assert reason(error) == "NOT_FOUND"


async def test_a_retried_entry_is_logged_once(stack):
    org = await stack.new_organization()
    developer = await stack.staff("developer")
    ticket, other = await stack.new_ticket(org), await stack.new_ticket(org)
    a = await log(stack, developer, ticket, 60, request_id="log-1")
    b = await log(stack, developer, ticket, 60, request_id="log-1")
    assert a.name == b.name and await spent(stack, developer, ticket) == 60
    assert await bad_reasons(log(stack, developer, other, 60, request_id="log-1")) == [
        ("request_id", "REQUEST_ID_REUSED")]
    assert await spent(stack, developer, other) == 0
    # Retries racing each other: one of them inserts, the others answer its entry.
    raced = await asyncio.gather(*(log(stack, developer, other, 25, request_id="log-2")
                                   for _ in range(6)))
    assert len({e.name for e in raced}) == 1 and await spent(stack, developer, other) == 25


async def test_bad_entries_are_refused_with_every_field_named(stack):
    org = await stack.new_organization()
    developer = await stack.staff("developer")
    ticket = await stack.new_ticket(org)
    assert await bad_reasons(log(stack, developer, ticket, 0, work_date=in_days(1),
                                 note="x" * 2001)) == [
        ("time_entry.minutes", "OUT_OF_RANGE"), ("time_entry.work_date", "OUT_OF_RANGE"),
        ("time_entry.note", "TOO_LONG")]
    assert await bad_reasons(log(stack, developer, ticket, 1441)) == [
        ("time_entry.minutes", "OUT_OF_RANGE")]
    assert await bad_reasons(log(stack, developer, ticket, 10, work_date="07.12.2026")) == [
        ("time_entry.work_date", "NOT_A_DATE")]
    assert await bad_reasons(log(stack, developer, ticket, 10, note="a\x00b")) == [
        ("time_entry.note", "INVALID_CHARACTERS")]
    entry = await log(stack, developer, ticket, 10)
    assert await bad_reasons(change(stack, developer, entry.name, minutes=5)) == [
        ("update_mask", "REQUIRED")]
    assert await bad_reasons(change(stack, developer, entry.name, "author",
                                    author="users/x")) == [("update_mask", "NOT_UPDATABLE")]
    assert await bad_reasons(change(stack, developer, "tickets/1/timeEntries/../x",
                                    "minutes", minutes=5)) == [("time_entry.name", "MALFORMED")]
    assert await bad_reasons(entries(stack, developer, "-")) == [("parent", "MALFORMED")]
    assert await bad_reasons(entries(stack, developer, "tickets/-", start_date="вчера",
                                     author="bob")) == [
        ("author", "MALFORMED"), ("start_date", "NOT_A_DATE")]
    assert await spent(stack, developer, ticket) == 10  # nothing refused was counted


async def test_only_the_author_or_a_manager_changes_an_entry(stack):
    org = await stack.new_organization()
    author, colleague = await stack.staff("developer"), await stack.staff("developer")
    manager = await stack.staff("manager")
    ticket = await stack.new_ticket(org)
    entry = await log(stack, author, ticket, 60)
    for call in (change(stack, colleague, entry.name, "minutes", minutes=1),
                 delete(stack, colleague, entry.name)):
        assert reason(await rpc_error(call, grpc.StatusCode.PERMISSION_DENIED)) == \
            "PERMISSION_DENIED"
    assert (await change(stack, manager, entry.name, "minutes", minutes=50)).minutes == 50
    await delete(stack, manager, entry.name)
    assert await spent(stack, author, ticket) == 0


async def test_clients_get_no_entries_and_learn_nothing_of_other_tickets(stack):
    org, stranger = await stack.new_organization(), await stack.new_organization()
    developer = await stack.staff("developer")
    own, foreign = await stack.new_ticket(org), await stack.new_ticket(stranger)
    entry = await log(stack, developer, own, 60)
    missing = pb.Ticket(name="tickets/999999")
    calls = [log(stack, org.client, t, 10) for t in (own, foreign, missing)] + [
        entries(stack, org.client, t.name) for t in (own, foreign, missing)] + [
        entries(stack, org.client, "tickets/-"),
        change(stack, org.client, entry.name, "minutes", minutes=1),
        delete(stack, org.client, entry.name)]
    for call in calls:  # the same answer whether the ticket is theirs, another's or none
        assert reason(await rpc_error(call, grpc.StatusCode.PERMISSION_DENIED)) == \
            "PERMISSION_DENIED"
    assert await spent(stack, developer, own) == 60


async def test_a_client_sees_the_total_where_their_organization_shows_it(stack):
    org = await stack.new_organization()
    developer, manager = await stack.staff("developer"), await stack.staff("manager")
    ticket = await stack.new_ticket(org)
    await log(stack, developer, ticket, 150)
    assert await spent(stack, org.client, ticket) == 0
    listed = await stack.clients.tickets.ListTickets(pb.ListTicketsRequest(),
                                                     metadata=org.client)
    assert [t.time_spent_minutes for t in listed.tickets] == [0]
    shown = await stack.clients.auth.UpdateOrganization(auth_pb2.UpdateOrganizationRequest(
        organization=auth_pb2.Organization(name=org.name, client_sees_time_spent=True),
        update_mask=FieldMask(paths=["client_sees_time_spent"])), metadata=manager)
    assert shown.client_sees_time_spent
    # The tickets service trusts what it read of an organization for a few seconds.
    deadline = time.monotonic() + 10
    while await spent(stack, org.client, ticket) != 150:
        assert time.monotonic() < deadline, "the client never saw the time spent"
        await asyncio.sleep(0.5)
    listed = await stack.clients.tickets.ListTickets(pb.ListTicketsRequest(),
                                                     metadata=org.client)
    assert [t.time_spent_minutes for t in listed.tickets] == [150]


async def test_entries_of_every_ticket_by_organization_author_and_period(stack):
    a, b = await stack.new_organization(), await stack.new_organization()
    first, second = await stack.staff("developer"), await stack.staff("developer")
    ta, tb = await stack.new_ticket(a), await stack.new_ticket(b)
    old = (today() - timedelta(days=40)).isoformat()
    await log(stack, first, ta, 60, work_date=old)
    await log(stack, first, ta, 30)
    await log(stack, second, tb, 20)
    mine = await log(stack, second, ta, 15)
    by_org = await entries(stack, first, "tickets/-", organization=a.name)
    assert (by_org.total_minutes, by_org.total_size) == (105, 3)
    recent = await entries(stack, first, "tickets/-", organization=a.name,
                           start_date=in_days(-7), end_date=in_days(0))
    assert recent.total_minutes == 45
    by_author = await entries(stack, first, "tickets/-", author=mine.author,
                              start_date=in_days(-7))
    assert {e.organization for e in by_author.time_entries} == {a.name, b.name}
    assert by_author.total_minutes == 35
    paged = await entries(stack, first, "tickets/-", organization=a.name, page_size=2)
    assert len(paged.time_entries) == 2 and paged.next_page_token
    rest = await entries(stack, first, "tickets/-", organization=a.name, page_size=2,
                         page_token=paged.next_page_token)
    assert [e.work_date for e in rest.time_entries] == [old] and not rest.next_page_token


def summarize(stack, caller, group_by, **filters):
    return stack.clients.tickets.SummarizeTime(
        pb.SummarizeTimeRequest(group_by=group_by, **filters), metadata=caller)


async def test_time_summed_by_organization_author_month_and_ticket(stack):
    a, b = await stack.new_organization(), await stack.new_organization()
    first, second = await stack.staff("developer"), await stack.staff("developer")
    manager = await stack.staff("manager")
    ta1, ta2, tb = await stack.new_ticket(a), await stack.new_ticket(a), await stack.new_ticket(b)
    for ticket, hours in ((ta1, 2.0), (ta2, 1.5), (tb, 4.0)):
        await stack.clients.tickets.UpdateTicket(pb.UpdateTicketRequest(
            ticket=pb.Ticket(name=ticket.name, estimate_hours=hours),
            update_mask=FieldMask(paths=["estimate_hours"])), metadata=manager)
    last_month = (today().replace(day=1) - timedelta(days=1)).isoformat()
    one = (await log(stack, first, ta1, 60, work_date=last_month)).author
    two = (await log(stack, second, ta1, 30)).author
    await log(stack, first, ta2, 45)
    await log(stack, second, tb, 100)
    period = {"start_date": last_month, "end_date": today().isoformat()}

    by_org = await summarize(stack, manager, pb.TIME_GROUPING_ORGANIZATION, **period)
    rows = {r.key: (r.minutes, r.entries, r.tickets, r.estimate_hours) for r in by_org.rows}
    assert rows[a.name] == (135, 3, 2, 3.5) and rows[b.name] == (100, 1, 1, 4.0)
    assert by_org.total_minutes == sum(r.minutes for r in by_org.rows)

    by_author = await summarize(stack, manager, pb.TIME_GROUPING_AUTHOR, organization=a.name)
    assert [(r.key, r.minutes, r.estimate_hours) for r in by_author.rows] == [
        (one, 105, 3.5), (two, 30, 2.0)]  # most time first; each ticket's estimate once
    assert all(r.display_name for r in by_author.rows)

    by_month = await summarize(stack, manager, pb.TIME_GROUPING_MONTH, organization=a.name)
    assert [(r.key, r.minutes) for r in by_month.rows] == [
        (last_month[:7], 60), (today().isoformat()[:7], 75)]  # oldest first

    by_ticket = await summarize(stack, manager, pb.TIME_GROUPING_TICKET, author=two)
    assert [(r.key, r.minutes, r.organization, r.status) for r in by_ticket.rows] == [
        (tb.name, 100, b.name, pb.STATUS_QUEUED), (ta1.name, 30, a.name, pb.STATUS_QUEUED)]
    assert by_ticket.rows[0].display_name == tb.title

    this_month = await summarize(stack, manager, pb.TIME_GROUPING_ORGANIZATION,
                                 organization=a.name, start_date=today().replace(
                                     day=1).isoformat())
    assert [(r.minutes, r.tickets) for r in this_month.rows] == [(75, 2)]
    assert await bad_reasons(summarize(stack, manager, pb.TIME_GROUPING_UNSPECIFIED)) == [
        ("group_by", "REQUIRED")]


async def test_a_client_sums_only_their_own_time_and_only_where_shown(stack):
    a, b = await stack.new_organization(), await stack.new_organization()
    developer, manager = await stack.staff("developer"), await stack.staff("manager")
    await log(stack, developer, await stack.new_ticket(a), 40)
    await log(stack, developer, await stack.new_ticket(b), 70)
    refused = [summarize(stack, a.client, pb.TIME_GROUPING_MONTH),
               summarize(stack, a.client, pb.TIME_GROUPING_AUTHOR)]
    for call in refused:
        assert reason(await rpc_error(call, grpc.StatusCode.PERMISSION_DENIED)) == \
            "PERMISSION_DENIED"
    await stack.clients.auth.UpdateOrganization(auth_pb2.UpdateOrganizationRequest(
        organization=auth_pb2.Organization(name=a.name, client_sees_time_spent=True),
        update_mask=FieldMask(paths=["client_sees_time_spent"])), metadata=manager)
    deadline = time.monotonic() + 10
    while True:
        try:
            # Another organization named in the filter is replaced by their own.
            mine = await summarize(stack, a.client, pb.TIME_GROUPING_MONTH,
                                   organization=b.name)
            break
        except grpc.aio.AioRpcError:
            assert time.monotonic() < deadline, "the organization never showed its time"
            await asyncio.sleep(0.5)
    assert [(r.key, r.minutes) for r in mine.rows] == [(today().isoformat()[:7], 40)]
    assert mine.total_minutes == 40
    assert reason(await rpc_error(summarize(stack, a.client, pb.TIME_GROUPING_ORGANIZATION),
                                  grpc.StatusCode.PERMISSION_DENIED)) == "PERMISSION_DENIED"
