"""TicketService: thin handlers over the store and the ticket's workflow."""

from __future__ import annotations

import structlog
from sqlalchemy.ext.asyncio import async_sessionmaker

from services.common.server.errors import invalid, permission_denied
from services.common.server.principal import Principal, Role, caller
from services.tickets import convert, store
from services.tickets import validation as check
from services.tickets.attachments import Attachments
from services.tickets.directory import Directory
from services.tickets.lifecycle import Lifecycle
from services.tickets.sites import create_site, list_sites, update_site
from services.tickets.inbox import NotificationRpcs
from services.tickets.studio import StudioSettingsRpcs
from services.tickets.transitions import record_sla_event, record_transition
from services.tickets.updates import Update, apply_update, priority
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from ticketdesk.tickets.v1 import tickets_pb2_grpc
from workflows.ticket.messages import Actor, CommentAdded, TicketStarted, TransitionRequest
from workflows.ticket.rules import Status

log = structlog.get_logger()


class TicketService(StudioSettingsRpcs, NotificationRpcs, tickets_pb2_grpc.TicketServiceServicer):
    def __init__(self, sessions: async_sessionmaker, lifecycle: Lifecycle, directory: Directory,
                 attachments: Attachments, timezone: str):
        self._sessions, self._lifecycle, self._directory = sessions, lifecycle, directory
        self._attachments, self._timezone = attachments, timezone

    async def _render(self, session, row) -> pb.Ticket:
        return convert.ticket(row, await store.site_of(session, row.site_id), caller())

    async def CreateTicket(self, request: pb.CreateTicketRequest, context) -> pb.Ticket:
        principal, t = caller(), request.ticket
        fields = check.all_of(
            organization=lambda: (principal.organization if principal.role is Role.CLIENT
                                  else check.organization(t.organization, "ticket.organization")),
            site=lambda: check.site_id(t.site, "ticket.site")[1] if t.site else "",
            title=lambda: check.text(t.title, "ticket.title", check.MAX_TITLE),
            description=lambda: check.text(t.description, "ticket.description",
                                           check.MAX_DESCRIPTION),
            contact=lambda: check.user(t.contact.user, "ticket.contact.user"),
            desired_date=lambda: check.not_before_today(
                check.parse_date(t.desired_date, "ticket.desired_date"),
                "ticket.desired_date", self._timezone),
            priority=lambda: priority(t.priority),
            request_id=lambda: own_request_id(principal, request.request_id))
        organization = fields["organization"]
        if t.site and check.site_id(t.site, "ticket.site")[0] != organization:
            raise invalid([("ticket.site", "is not a site of the ticket's organization")])
        if principal.role is not Role.CLIENT:
            await self._directory.require_organization(organization, "ticket.organization")
        contact = await self._directory.contact(fields["contact"], organization, principal)
        new = store.NewTicket(
            organization=organization, site_id=None, title=fields["title"],
            description=fields["description"], priority=fields["priority"],
            desired_date=fields["desired_date"], contact=contact,
            request_id=fields["request_id"])
        async with self._sessions() as session:
            new.site_id = await store.choose_site(session, organization, fields["site"])
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
        where = ticket_filter(request)
        order_by = store.order(request.order_by)
        fingerprint = check.fingerprint(principal.subject, where, order_by)
        offset = check.page_token_offset(request.page_token, fingerprint)
        limit = check.page_size(request.page_size)
        async with self._sessions() as session:
            rows, more, total, counts = await store.list_tickets(
                session, principal, where, order_by, offset, limit)
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
        if request.action == pb.ACTION_ANSWER:
            raise invalid([("action", "a client answers by adding a comment")])
        async with self._sessions() as session:
            await store.visible_ticket(session, principal, number)
        target = convert.STATUS_FROM_PROTO.get(request.target_status)
        expected = convert.STATUS_FROM_PROTO.get(request.expected_status)
        await self._lifecycle.transition(number, TransitionRequest(
            action=convert.ACTION_FROM_PROTO[request.action].value, actor=actor(principal),
            text=check.text(request.text, "text", check.MAX_COMMENT, required=False),
            rating=request.rating,
            target=target.value if target else "",
            request_id=own_request_id(principal, request.request_id) or "",
            expected=expected.value if expected else ""))
        async with self._sessions() as session:
            return await self._render(session, await store.visible_ticket(session, principal, number))

    async def AddComment(self, request: pb.AddCommentRequest, context) -> pb.Comment:
        principal = caller()
        number = check.ticket_number(request.parent, "parent")
        internal = request.comment.visibility == pb.VISIBILITY_INTERNAL
        if internal and not principal.is_staff:
            raise permission_denied("clients cannot write internal notes")
        body = check.text(request.comment.body, "comment.body", check.MAX_COMMENT)
        request_id = own_request_id(principal, request.request_id)
        async with self._sessions() as session:
            ticket = await store.visible_ticket(session, principal, number)
            row, created = await store.add_comment(session, principal, ticket, body, internal,
                                                   request_id)
            await session.commit()
        name = convert.comment_name(row)
        # A retry signals again: the first call may have failed after the commit (Temporal
        # unavailable), and the workflow ignores a comment it has already heard of.
        if Status(ticket.status).is_open:
            await self._lifecycle.comment_added(number, CommentAdded(
                actor=actor(principal), comment=name, public=not internal))
        if not created:  # a retry: its files may be uploaded by now
            files = await self._attachments.by_comment(request.parent, name)
            return convert.comment(row, files.get(name))
        return convert.comment(row)

    async def ListComments(self, request: pb.ListCommentsRequest, context) -> pb.ListCommentsResponse:
        principal = caller()
        number = check.ticket_number(request.parent, "parent")
        fingerprint = check.fingerprint("comments", principal.subject, number)
        offset = check.page_token_offset(request.page_token, fingerprint)
        limit = check.page_size(request.page_size, default=100)
        async with self._sessions() as session:
            await store.visible_ticket(session, principal, number)
            rows, more = await store.list_comments(session, principal, number, offset, limit)
        files = await self._attachments.by_comment(request.parent) if rows else {}
        return pb.ListCommentsResponse(
            comments=[convert.comment(r, files.get(convert.comment_name(r))) for r in rows],
            next_page_token=check.page_token(offset + limit, fingerprint) if more else "")

    async def ListTicketHistory(self, request: pb.ListTicketHistoryRequest,
                                context) -> pb.ListTicketHistoryResponse:
        principal = caller()
        number = check.ticket_number(request.parent, "parent")
        fingerprint = check.fingerprint("history", principal.subject, number)
        offset = check.page_token_offset(request.page_token, fingerprint)
        limit = check.page_size(request.page_size, default=100)
        async with self._sessions() as session:
            await store.visible_ticket(session, principal, number)
            rows, more = await store.list_history(session, principal, number, offset, limit)
        return pb.ListTicketHistoryResponse(
            entries=[convert.history(r) for r in rows],
            next_page_token=check.page_token(offset + limit, fingerprint) if more else "")

    async def UpdateTicket(self, request: pb.UpdateTicketRequest, context) -> pb.Ticket:
        principal = caller()
        number = check.ticket_number(request.ticket.name, "ticket.name")
        async with self._sessions() as session:
            row = await store.visible_ticket(session, principal, number, for_update=True)
            change = await apply_update(Update(session, principal, row, request.ticket,
                                               self._directory, self._timezone), request)
            await session.commit()
            ticket = await self._render(session, row)
        if change is not None and Status(row.status).is_open:
            await self._lifecycle.ticket_changed(number, change)
        return ticket

    async def CreateSite(self, request: pb.CreateSiteRequest, context) -> pb.Site:
        async with self._sessions() as session:
            site = await create_site(session, caller(), request, self._directory)
            await session.commit()
        return convert.site(site)

    async def ListSites(self, request: pb.ListSitesRequest, context) -> pb.ListSitesResponse:
        async with self._sessions() as session:
            sites, next_page_token = await list_sites(session, caller(), request)
        return pb.ListSitesResponse(sites=[convert.site(s) for s in sites],
                                    next_page_token=next_page_token)

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

    async def RecordSlaEvent(self, request: pb.RecordSlaEventRequest, context) -> pb.Ticket:
        if caller().role is not Role.SERVICE:
            raise permission_denied("only TicketDesk's workflows record SLA events")
        number = check.ticket_number(request.name)
        async with self._sessions() as session:
            row = await record_sla_event(session, number, request)
            await session.commit()
            return await self._render(session, row)


def ticket_filter(request: pb.ListTicketsRequest) -> store.TicketFilter:
    """The list's filters, each checked; a client's filters narrow its own organization."""
    return store.TicketFilter(
        statuses=[s.value for s in check.choices(
            request.statuses, convert.STATUS_FROM_PROTO, "statuses", "a known status")],
        site_id=check.site_id(request.site, "site")[1] if request.site else "",
        priorities=check.choices(request.priorities, convert.PRIORITY_FROM_PROTO,
                                 "priorities", "low, normal, high or critical"),
        assignee=check.user(request.assignee, "assignee"),
        organization=(check.organization(request.organization, "organization")
                      if request.organization else ""),
        query=check.text(request.query, "query", check.MAX_QUERY, required=False),
        sla_breached_only=request.sla_breached_only)


def own_request_id(principal: Principal, request_id: str) -> str | None:
    """Request ids are the caller's own: another caller's equal id is another request."""
    return f"{principal.subject}:{check.request_id(request_id)}" if request_id else None


def actor(principal: Principal) -> Actor:
    return Actor(subject=principal.subject, role=principal.role.value,
                 display_name=principal.display_name)

