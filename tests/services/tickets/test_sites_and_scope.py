"""Sites, and the one answer for another organization's resources and missing ones."""

from __future__ import annotations

import grpc

from services.common.client.errors import error_details
from tests.services.tickets.helpers import bad_reasons
from tests.support.rpc import rpc_error
from ticketdesk.tickets.v1 import tickets_pb2 as pb


async def test_managers_manage_sites(stack):
    org = await stack.new_organization(sites=0)
    manager, developer = await stack.staff("manager"), await stack.staff("developer")
    tickets = stack.clients.tickets
    site = await tickets.CreateSite(pb.CreateSiteRequest(parent=org.name, site=pb.Site(
        url="https://shop.example", display_name="Магазин")), metadata=manager)
    assert site.name.startswith(org.name + "/sites/") and site.active
    ticket = await stack.new_ticket(org)
    assert ticket.site == site.name  # the only site is the default
    for caller in (developer, org.client):
        await rpc_error(tickets.CreateSite(pb.CreateSiteRequest(parent=org.name, site=pb.Site(
            url="https://x.example")), metadata=caller), grpc.StatusCode.PERMISSION_DENIED)
    for bad, problem in [(pb.Site(url="ftp://x"), ("site.url", "NOT_A_URL")),
                         (pb.Site(url="https://" + "x" * 2048), ("site.url", "TOO_LONG")),
                         (pb.Site(url="https://x.example", display_name="x" * 201),
                          ("site.display_name", "TOO_LONG"))]:
        assert await bad_reasons(tickets.CreateSite(pb.CreateSiteRequest(
            parent=org.name, site=bad), metadata=manager)) == [problem]
    assert await bad_reasons(tickets.CreateSite(pb.CreateSiteRequest(
        parent="org", site=pb.Site(url="https://x.example")), metadata=manager)) == [
        ("parent", "MALFORMED")]
    await rpc_error(tickets.CreateSite(pb.CreateSiteRequest(
        parent="organizations/missing", site=pb.Site(url="https://x.example")),
        metadata=manager), grpc.StatusCode.NOT_FOUND)
    second = await tickets.CreateSite(pb.CreateSiteRequest(parent=org.name, site=pb.Site(
        url="https://blog.example")), metadata=manager)
    assert await bad_reasons(stack.new_ticket(org)) == [("ticket.site", "REQUIRED")]  # choose
    await tickets.UpdateSite(pb.UpdateSiteRequest(site=pb.Site(name=second.name, active=False),
                                                  update_mask={"paths": ["active"]}),
                             metadata=manager)
    listed = await tickets.ListSites(pb.ListSitesRequest(parent=org.name), metadata=org.client)
    assert [s.name for s in listed.sites] == [site.name]
    everything = await tickets.ListSites(pb.ListSitesRequest(parent=org.name,
                                                             show_inactive=True,
                                                             page_size=1), metadata=manager)
    assert len(everything.sites) == 1 and everything.next_page_token
    rest = await tickets.ListSites(pb.ListSitesRequest(
        parent=org.name, show_inactive=True, page_size=1,
        page_token=everything.next_page_token), metadata=manager)
    assert {everything.sites[0].name, rest.sites[0].name} == {site.name, second.name}
    assert await bad_reasons(tickets.ListSites(pb.ListSitesRequest(
        parent=org.name, page_size=-1), metadata=manager)) == [("page_size", "OUT_OF_RANGE")]
    assert await bad_reasons(tickets.ListSites(pb.ListSitesRequest(
        parent=org.name, page_size=1, show_inactive=False,
        page_token=everything.next_page_token), metadata=manager)) == [
        ("page_token", "INVALID_PAGE_TOKEN")]  # issued for another filter
    assert await bad_reasons(tickets.UpdateSite(pb.UpdateSiteRequest(
        site=pb.Site(name="sites/1"), update_mask={"paths": ["active"]}),
        metadata=manager)) == [("site.name", "MALFORMED")]
    for paths, why in ((["organization"], "NOT_UPDATABLE"), ([], "REQUIRED")):
        assert await bad_reasons(tickets.UpdateSite(pb.UpdateSiteRequest(
            site=pb.Site(name=second.name), update_mask={"paths": paths}),
            metadata=manager)) == [("update_mask", why)]
    renamed = await tickets.UpdateSite(pb.UpdateSiteRequest(
        site=pb.Site(name=second.name, display_name="Блог", url="ftp://ignored"),
        update_mask={"paths": ["display_name"]}), metadata=manager)
    assert (renamed.display_name, renamed.url, renamed.active) == (
        "Блог", "https://blog.example", False)


async def test_foreign_resources_answer_like_missing_ones(stack):
    mine, theirs = await stack.new_organization(), await stack.new_organization()
    developer = await stack.staff("developer")
    ticket = await stack.new_ticket(theirs)
    await stack.clients.tickets.AddComment(pb.AddCommentRequest(
        parent=ticket.name, comment=pb.Comment(body="Привет")), metadata=theirs.client)
    tickets = stack.clients.tickets

    async def answer(call):
        error = await rpc_error(call)
        return error.code(), error_details(error)[0]

    def calls(name: str, org: str):
        return [
            tickets.GetTicket(pb.GetTicketRequest(name=name), metadata=mine.client),
            tickets.ListComments(pb.ListCommentsRequest(parent=name), metadata=mine.client),
            tickets.ListTicketHistory(pb.ListTicketHistoryRequest(parent=name),
                                      metadata=mine.client),
            tickets.AddComment(pb.AddCommentRequest(parent=name, comment=pb.Comment(
                body="Тук-тук")), metadata=mine.client),
            tickets.UpdateTicket(pb.UpdateTicketRequest(
                ticket=pb.Ticket(name=name, desired_date=""),
                update_mask={"paths": ["desired_date"]}), metadata=mine.client),
            tickets.TransitionTicket(pb.TransitionTicketRequest(
                name=name, action=pb.ACTION_WITHDRAW, text="нет"), metadata=mine.client),
            tickets.ListSites(pb.ListSitesRequest(parent=org), metadata=mine.client),
        ]

    foreign = [await answer(c) for c in calls(ticket.name, theirs.name)]
    missing = [await answer(c) for c in calls("tickets/2147483000", "organizations/missing")]
    assert foreign == missing == [(grpc.StatusCode.NOT_FOUND, "NOT_FOUND")] * 7
    comments = await tickets.ListComments(pb.ListCommentsRequest(parent=ticket.name),
                                          metadata=developer)
    assert len(comments.comments) == 1  # it exists; staff see it
