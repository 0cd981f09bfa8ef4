"""ListTickets: filters, search, every order, paging, counts per status, bad input."""

from __future__ import annotations

import grpc

from tests.services.tickets.helpers import all_pages, bad_reasons, in_days, listed, move, update
from tests.support.rpc import field_params, field_reasons, rpc_error
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb

P = pb


async def queue(stack):
    """An organization with two sites and tickets in four statuses."""
    org = await stack.new_organization(sites=2)
    developer = await stack.staff("developer")
    made = {}
    for key, priority, site, title, days in [
            ("low", P.PRIORITY_LOW, 0, "Баннер на главной", 5),
            ("normal", P.PRIORITY_NORMAL, 1, "Форма обратной связи", 1),
            ("high", P.PRIORITY_HIGH, 0, "Каталог: фильтр цен", None),
            ("critical", P.PRIORITY_CRITICAL, 1, "Сайт недоступен 100%_", 2)]:
        made[key] = await stack.new_ticket(
            org, title=title, description=f"Описание {key}: БАННЕР", priority=priority,
            site=org.sites[site], desired_date=in_days(days) if days is not None else "")
    made["normal"] = await move(stack, developer, made["normal"], P.ACTION_START_WORK)
    made["high"] = await move(stack, developer, made["high"], P.ACTION_ASK_CLARIFICATION)
    made["critical"] = await move(stack, developer, made["critical"], P.ACTION_START_WORK,
                                  P.ACTION_SUBMIT_FOR_ACCEPTANCE)
    return org, developer, made


def names(tickets) -> list[str]:
    return [t.name for t in tickets]


async def test_filters_and_counts(stack):
    org, developer, t = await queue(stack)
    everything = await listed(stack, org.client)
    assert everything.total_size == 4
    assert {(c.status, c.count) for c in everything.status_counts} == {
        (P.STATUS_QUEUED, 1), (P.STATUS_IN_PROGRESS, 1), (P.STATUS_NEEDS_INFO, 1),
        (P.STATUS_AWAITING_ACCEPTANCE, 1)}
    waiting = await listed(stack, org.client, statuses=[P.STATUS_NEEDS_INFO,
                                                        P.STATUS_AWAITING_ACCEPTANCE])
    assert set(names(waiting.tickets)) == {t["high"].name, t["critical"].name}
    assert waiting.total_size == 2
    assert len(waiting.status_counts) == 4  # the header counts ignore the status filter
    by_site = await listed(stack, org.client, site=org.sites[1])
    assert set(names(by_site.tickets)) == {t["normal"].name, t["critical"].name}
    assert {c.status for c in by_site.status_counts} == {P.STATUS_IN_PROGRESS,
                                                         P.STATUS_AWAITING_ACCEPTANCE}
    by_priority = await listed(stack, org.client, priorities=[P.PRIORITY_LOW,
                                                              P.PRIORITY_HIGH])
    assert set(names(by_priority.tickets)) == {t["low"].name, t["high"].name}
    me = (await stack.clients.auth.WhoAmI(auth_pb2.WhoAmIRequest(),
                                          metadata=developer)).principal.subject
    await update(stack, developer, t["low"], assignee=me)
    # Starting work assigns the ticket to whoever started it.
    mine = await listed(stack, developer, assignee=me, organization=org.name)
    assert set(names(mine.tickets)) == {t["low"].name, t["normal"].name, t["critical"].name}
    staff_view = await listed(stack, developer, organization=org.name)
    assert staff_view.total_size == 4


async def test_unassigned_only(stack):
    org, developer, t = await queue(stack)
    me = (await stack.clients.auth.WhoAmI(auth_pb2.WhoAmIRequest(),
                                          metadata=developer)).principal.subject
    await update(stack, developer, t["high"], assignee=me)
    nobodys = await listed(stack, developer, organization=org.name, unassigned_only=True)
    assert names(nobodys.tickets) == [t["low"].name]
    assert nobodys.total_size == 1
    assert {(c.status, c.count) for c in nobodys.status_counts} == {(P.STATUS_QUEUED, 1)}
    # With the other filters.
    assert (await listed(stack, developer, organization=org.name, unassigned_only=True,
                         statuses=[P.STATUS_IN_PROGRESS])).total_size == 0
    assert (await listed(stack, developer, organization=org.name, unassigned_only=True,
                         site=org.sites[1])).total_size == 0
    assert (await listed(stack, developer, organization=org.name, unassigned_only=True,
                         query="баннер главной")).total_size == 1
    assert names((await listed(stack, org.client, unassigned_only=True)).tickets) == [
        t["low"].name]
    await update(stack, developer, t["high"], assignee="")
    assert {t.name for t in await all_pages(
        stack, developer, organization=org.name, unassigned_only=True, page_size=1)} == {
        t["low"].name, t["high"].name}
    error = await rpc_error(listed(stack, developer, assignee=me, unassigned_only=True),
                            grpc.StatusCode.INVALID_ARGUMENT)
    assert field_reasons(error) == [("unassigned_only", "MALFORMED")]


async def test_search_by_words_and_number(stack):
    org, _, t = await queue(stack)
    async def found(query):
        return set(names((await listed(stack, org.client, query=query)).tickets))
    assert await found("баннер") == set(names(t.values()))  # case-folded Cyrillic
    assert await found("БАННЕР ГЛАВНОЙ") == {t["low"].name}  # every word
    assert await found("обратной форма") == {t["normal"].name}
    assert await found("100%_") == {t["critical"].name}  # LIKE wildcards are literal
    assert await found("%") == {t["critical"].name}
    assert await found(f"#{t['high'].number}") == {t["high"].name}
    number = str(t["high"].number)  # also found in a text that holds it ("100%")
    assert await found(number) == {t["high"].name} | {
        x.name for x in t.values() if number in f"{x.title} {x.description}".casefold()}
    assert await found("#99999999999") == set()
    assert await found("нет такого") == set()


async def test_every_order(stack):
    org, developer, t = await queue(stack)
    await update(stack, developer, t["low"], estimate_hours=2)  # the newest update
    by_number = sorted(t.values(), key=lambda x: x.number)
    fresh = {x.name: x for x in (await listed(stack, org.client)).tickets}
    by_update = sorted(fresh.values(), key=lambda x: (x.update_time.ToNanoseconds(), x.number))
    expected = {
        "": names(reversed(by_update)),
        "update_time desc": names(reversed(by_update)),
        "update_time": names(by_update),
        "UPDATE_TIME  ASC": names(by_update),
        "create_time": names(by_number),
        "create_time desc": names(reversed(by_number)),
        "number": names(by_number),
        "number desc": names(reversed(by_number)),
        "priority desc": [t[k].name for k in ("critical", "high", "normal", "low")],
        "priority": [t[k].name for k in ("low", "normal", "high", "critical")],
        "desired_date": [t[k].name for k in ("normal", "critical", "low", "high")],
        "desired_date desc": [t[k].name for k in ("low", "critical", "normal", "high")],
    }
    for order_by, order in expected.items():
        assert names((await listed(stack, org.client, order_by=order_by)).tickets) == order, \
            order_by


async def test_paging_walks_every_ticket_once(stack):
    org = await stack.new_organization()
    made = [await stack.new_ticket(org, title=f"Тикет {i}") for i in range(7)]
    for order_by in ("", "create_time", "priority desc", "desired_date"):
        walked = await all_pages(stack, org.client, page_size=3, order_by=order_by)
        assert sorted(names(walked)) == sorted(names(made)), order_by
    first = await listed(stack, org.client, page_size=3)
    assert len(first.tickets) == 3 and first.total_size == 7 and first.next_page_token
    for other in ({"order_by": "create_time"}, {"query": "Тикет"},
                  {"statuses": [P.STATUS_QUEUED]}, {"unassigned_only": True}):
        assert await bad_reasons(listed(stack, org.client, page_size=3,
                                        page_token=first.next_page_token, **other)) == [
            ("page_token", "INVALID_PAGE_TOKEN")]
    # A token never widens access: another caller cannot use it either.
    other = await stack.new_organization()
    assert await bad_reasons(listed(stack, other.client, page_size=3,
                                    page_token=first.next_page_token)) == [
        ("page_token", "INVALID_PAGE_TOKEN")]
    # The default and the largest page.
    assert len((await listed(stack, org.client, page_size=1000)).tickets) == 7
    last = await listed(stack, org.client, page_size=100)
    assert len(last.tickets) == 7 and last.next_page_token == ""


async def test_bad_requests_name_the_field_and_reason(stack):
    org = await stack.new_organization()
    cases = {
        ("statuses", "MALFORMED"): {"statuses": [42]},
        ("priorities", "MALFORMED"): {"priorities": [9]},
        ("site", "MALFORMED"): {"site": "sites/x"},
        ("assignee", "MALFORMED"): {"assignee": "bob"},
        ("organization", "MALFORMED"): {"organization": "orgs/1"},
        ("order_by", "MALFORMED"): {"order_by": "title"},
        ("page_size", "OUT_OF_RANGE"): {"page_size": -1},
        ("page_token", "INVALID_PAGE_TOKEN"): {"page_token": "not-a-token"},
        ("query", "TOO_LONG"): {"query": "x" * 201},
        ("query", "INVALID_CHARACTERS"): {"query": "a\x00"},
    }
    for problem, request in cases.items():
        assert await bad_reasons(listed(stack, org.client, **request)) == [problem], problem
    error = await rpc_error(listed(stack, org.client, page_size=-1))
    assert field_params(error, "page_size") == {"min": "0", "max": "100"}
    error = await rpc_error(listed(stack, org.client, query="x" * 201))
    assert field_params(error, "query") == {"maxLength": "200"}


async def test_client_sees_only_its_organization(stack):
    mine, theirs = await stack.new_organization(), await stack.new_organization()
    await stack.new_ticket(mine)
    foreign = await stack.new_ticket(theirs, title="Чужой тикет")
    assert (await listed(stack, mine.client, organization=theirs.name)).total_size == 0
    assert (await listed(stack, mine.client, query="Чужой")).total_size == 0
    assert (await listed(stack, mine.client, site=theirs.sites[0])).total_size == 0
    assert (await listed(stack, mine.client, query=f"#{foreign.number}")).total_size == 0
    counted = await listed(stack, mine.client)
    assert counted.total_size == 1 and sum(c.count for c in counted.status_counts) == 1
    error = await rpc_error(listed(stack, mine.client, page_size=-5))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
