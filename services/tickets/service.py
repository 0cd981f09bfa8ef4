"""TicketService: thin handlers over the store and the ticket's workflow."""

from __future__ import annotations

import structlog
from sqlalchemy.ext.asyncio import async_sessionmaker

from services.common.errors import invalid, permission_denied
from services.common.principal import Principal, Role, caller
from services.tickets import convert, store
from services.tickets import validation as check
from services.tickets.contacts import Contacts
from services.tickets.lifecycle import Lifecycle
from services.tickets.sites import create_site, list_sites, update_site
from services.tickets.transitions import record_transition
from services.tickets.updates import apply_update
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from ticketdesk.tickets.v1 import tickets_pb2_grpc
from workflows.ticket.messages import Actor, CommentAdded, TicketStarted, TransitionRequest
from workflows.ticket.rules import Status

log = structlog.get_logger()


class TicketService(tickets_pb2_grpc.TicketServiceServicer):
    def __init__(self, sessions: async_sessionmaker, lifecycle: Lifecycle, contacts: Contacts,
                 timezone: str):
        self._sessions, self._lifecycle, self._contacts = sessions, lifecycle, contacts
        self._timezone = timezone

    async def _render(self, session, row) -> pb.Ticket:
        return convert.ticket(row, await store.site_of(session, row.site_id), caller())

    async def CreateTicket(self, request: pb.CreateTicketRequest, context) -> pb.Ticket:
        principal, t = caller(), request.ticket
        organization = (principal.organization if principal.role is Role.CLIENT
                        else check.organization(t.organization, "ticket.organization"))
        site_org, site = check.site_id(t.site, "ticket.site") if t.site else (organization, "")
        if site_org != organization:
            raise invalid([("ticket.site", "is not a site of the ticket's organization")])
        new = store.NewTicket(
            organization=organization, site_id=None,
            title=check.text(t.title, "ticket.title", check.MAX_TITLE),
            description=check.text(t.description, "ticket.description", check.MAX_DESCRIPTION),
            priority=convert.PRIORITY_FROM_PROTO.get(t.priority, "normal"),
            desired_date=check.not_before_today(
                check.parse_date(t.desired_date, "ticket.desired_date"),
                "ticket.desired_date", self._timezone),
            request_id=f"{principal.subject}:{request.request_id}" if request.request_id else None)
        async with self._sessions() as session:
            new.site_id = await store.choose_site(session, organization, site)
            new.contact = await self._contacts.resolve(t.contact.user, organization, principal)
            row, created = await store.create_ticket(session, principal, new)
            await session.commit()
            # After the commit: a crash here leaves a ticket without a workflow, which a
            # retry with the same request_id (or the reconciler) starts.
            await self._lifecycle.start(TicketStarted(
                number=row.number, organization=row.organization, title=row.title,
                priority=row.priority))
            if created:
                log.info("ticket.created", number=row.number, organization=row.organization)
            return await self._render(session, row)

    async def GetTicket(self, request: pb.GetTicketRequest, context) -> pb.Ticket:
        number = check.ticket_number(request.name)
        async with self._sessions() as session:
            return await self._render(session, await store.visible_ticket(session, caller(), number))

    async def ListTickets(self, request: pb.ListTicketsRequest, context) -> pb.ListTicketsResponse:
        principal = caller()
        where = store.TicketFilter(
            statuses=[convert.STATUS_FROM_PROTO[s].value for s in request.statuses
                      if s in convert.STATUS_FROM_PROTO],
            site_id=check.site_id(request.site, "site")[1] if request.site else "",
            priorities=[convert.PRIORITY_FROM_PROTO[p] for p in request.priorities
                        if p in convert.PRIORITY_FROM_PROTO],
            assignee=request.assignee,
            organization=(check.organization(request.organization, "organization")
                          if request.organization and principal.is_staff else ""),
            query=check.text(request.query, "query", 200, required=False))
        fingerprint = check.fingerprint(where, request.order_by)
        offset = check.page_token_offset(request.page_token, fingerprint)
        limit = check.page_size(request.page_size)
        async with self._sessions() as session:
            rows, more, total, counts = await store.list_tickets(
                session, principal, where, request.order_by.strip(), offset, limit)
            sites = await store.sites_by_id(session, {r.site_id for r in rows if r.site_id})
        return pb.ListTicketsResponse(
            tickets=[convert.ticket(r, sites.get(r.site_id or ""), principal) for r in rows],
            next_page_token=check.page_token(offset + limit, fingerprint) if more else "",
            total_size=total,
            status_counts=[pb.StatusCount(status=convert.STATUS_TO_PROTO[Status(s)], count=n)
                           for s, n in sorted(counts.items())])

    async def TransitionTicket(self, request: pb.TransitionTicketRequest, context) -> pb.Ticket:
        principal = caller()
        number = check.ticket_number(request.name)
        if request.action not in convert.ACTION_FROM_PROTO:
            raise invalid([("action", "is required")])
        async with self._sessions() as session:
            await store.visible_ticket(session, principal, number)
        target = convert.STATUS_FROM_PROTO.get(request.target_status)
        await self._lifecycle.transition(number, TransitionRequest(
            action=convert.ACTION_FROM_PROTO[request.action].value, actor=actor(principal),
            text=request.text.strip(), rating=request.rating,
            target=target.value if target else "",
            request_id=f"{principal.subject}:{request.request_id}" if request.request_id else ""))
        async with self._sessions() as session:
            return await self._render(session, await store.visible_ticket(session, principal, number))

    async def AddComment(self, request: pb.AddCommentRequest, context) -> pb.Comment:
        principal = caller()
        number = check.ticket_number(request.parent, "parent")
        internal = request.comment.visibility == pb.VISIBILITY_INTERNAL
        if internal and not principal.is_staff:
            raise permission_denied("clients cannot write internal notes")
        body = check.text(request.comment.body, "comment.body", check.MAX_COMMENT)
        async with self._sessions() as session:
            ticket = await store.visible_ticket(session, principal, number)
            row = await store.add_comment(
                session, principal, ticket, body, internal,
                f"{principal.subject}:{request.request_id}" if request.request_id else None)
            await session.commit()
        if Status(ticket.status).is_open:
            await self._lifecycle.comment_added(number, CommentAdded(
                actor=actor(principal), comment=convert.comment(row).name, public=not internal))
        return convert.comment(row)

    async def ListComments(self, request: pb.ListCommentsRequest, context) -> pb.ListCommentsResponse:
        principal = caller()
        number = check.ticket_number(request.parent, "parent")
        fingerprint = check.fingerprint("comments", number)
        offset = check.page_token_offset(request.page_token, fingerprint)
        limit = check.page_size(request.page_size, default=100)
        async with self._sessions() as session:
            await store.visible_ticket(session, principal, number)
            rows, more = await store.list_comments(session, principal, number, offset, limit)
        return pb.ListCommentsResponse(
            comments=[convert.comment(r) for r in rows],
            next_page_token=check.page_token(offset + limit, fingerprint) if more else "")

    async def ListTicketHistory(self, request: pb.ListTicketHistoryRequest,
                                context) -> pb.ListTicketHistoryResponse:
        principal = caller()
        number = check.ticket_number(request.parent, "parent")
        fingerprint = check.fingerprint("history", number)
        offset = check.page_token_offset(request.page_token, fingerprint)
        limit = check.page_size(request.page_size, default=100)
        async with self._sessions() as session:
            await store.visible_ticket(session, principal, number)
            rows, more = await store.list_history(session, number, offset, limit)
        return pb.ListTicketHistoryResponse(
            entries=[convert.history(r) for r in rows],
            next_page_token=check.page_token(offset + limit, fingerprint) if more else "")

    async def UpdateTicket(self, request: pb.UpdateTicketRequest, context) -> pb.Ticket:
        principal = caller()
        number = check.ticket_number(request.ticket.name, "ticket.name")
        async with self._sessions() as session:
            row = await store.visible_ticket(session, principal, number)
            change = await apply_update(session, principal, row, request, self._timezone)
            await session.commit()
            ticket = await self._render(session, row)
        if change is not None and Status(row.status).is_open:
            await self._lifecycle.ticket_changed(number, change)
        return ticket

    async def CreateSite(self, request: pb.CreateSiteRequest, context) -> pb.Site:
        async with self._sessions() as session:
            site = await create_site(session, caller(), request)
            await session.commit()
        return convert.site(site)

    async def ListSites(self, request: pb.ListSitesRequest, context) -> pb.ListSitesResponse:
        async with self._sessions() as session:
            sites = await list_sites(session, caller(), request)
        return pb.ListSitesResponse(sites=[convert.site(s) for s in sites])

    async def UpdateSite(self, request: pb.UpdateSiteRequest, context) -> pb.Site:
        async with self._sessions() as session:
            site = await update_site(session, caller(), request)
            await session.commit()
        return convert.site(site)

    async def RecordTransition(self, request: pb.RecordTransitionRequest, context) -> pb.Ticket:
        principal = caller()
        if principal.role is not Role.SERVICE:
            raise permission_denied("only TicketDesk's workflows record transitions")
        number = check.ticket_number(request.name)
        async with self._sessions() as session:
            row = await record_transition(session, number, request)
            await session.commit()
            return await self._render(session, row)


def actor(principal: Principal) -> Actor:
    return Actor(subject=principal.subject, role=principal.role.value,
                 display_name=principal.display_name)

