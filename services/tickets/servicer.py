"""The tickets service's gRPC servicers: parse the request, call a use case, answer."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from services.common.server.paging import Cursor, Page, offset_position, page_request
from services.common.server.principal import Principal, caller
from services.tickets import convert
from services.tickets import validation as check
from services.tickets.gateways.lifecycle import actor
from services.tickets.store.listing import order
from services.tickets.usecases.comments import Comments, NewComment
from services.tickets.usecases.events import Events
from services.tickets.usecases.mail_in import MailIn
from services.tickets.usecases.notifications import Notifications
from services.tickets.usecases.sites import Sites
from services.tickets import time_checks
from services.tickets.report_checks import report_query
from services.tickets.usecases.reports import Reports
from services.tickets.usecases.studio import Studio
from services.tickets.usecases.time_entries import TimeEntries
from services.tickets.usecases.tickets import Shown, Tickets
from services.tickets.usecases.transitions import Transitions
from services.tickets.usecases.webhooks import Webhooks
from ticketdesk.tickets.v1 import tickets_pb2_grpc
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket.messages import TransitionRequest

MAX_PAGE = 100


@dataclass
class UseCases:
    tickets: Tickets
    transitions: Transitions
    comments: Comments
    sites: Sites
    studio: Studio
    notifications: Notifications
    events: Events
    webhooks: Webhooks
    mail_in: MailIn
    time_entries: TimeEntries
    reports: Reports


def page(request, *query: object, default_size: int = MAX_PAGE) -> Page:
    """Offset paging with tokens bound to the caller and `query` (method and filters)."""
    return page_request(request.page_size, request.page_token, query, parse=offset_position,
                        default_size=default_size, max_size=MAX_PAGE)


def ticket(shown: Shown, viewer: Principal) -> pb.Ticket:
    """The ticket as staff see it (the internal service's callers)."""
    return convert.ticket(shown.row, shown.site, viewer)


class TicketService(tickets_pb2_grpc.TicketServiceServicer):
    def __init__(self, cases: UseCases):
        self._cases = cases

    async def _shown(self, *tickets: pb.Ticket) -> None:
        """What the caller sees of tickets about to be answered."""
        await self._cases.time_entries.hide_from_client(caller(), list(tickets))

    async def ticket(self, shown: Shown, viewer: Principal) -> pb.Ticket:
        message = ticket(shown, viewer)
        await self._shown(message)
        return message

    async def CreateTicket(self, request: pb.CreateTicketRequest, context) -> pb.Ticket:
        principal = caller()
        new = check.new_ticket(principal, request, await self._cases.studio.today())
        return await self.ticket(await self._cases.tickets.create(principal, new), principal)

    async def GetTicket(self, request: pb.GetTicketRequest, context) -> pb.Ticket:
        number = check.ticket_number(request.name)
        return await self.ticket(await self._cases.tickets.get(caller(), number), caller())

    async def ListTickets(self, request: pb.ListTicketsRequest, context) -> pb.ListTicketsResponse:
        principal = caller()
        where, order_by = check.ticket_filter(request), order(request.order_by)
        at = page(request, "tickets", asdict(where), order_by, default_size=50)
        listed = await self._cases.tickets.find(principal, where, order_by, at)
        found = listed.page
        tickets = [convert.ticket(r, listed.sites.get(r.site_id or ""), principal)
                   for r in found.rows]
        await self._shown(*tickets)
        return pb.ListTicketsResponse(
            tickets=tickets,
            next_page_token=at.offset_token(found.more), total_size=found.total,
            status_counts=convert.status_counts(found.counts))

    async def UpdateTicket(self, request: pb.UpdateTicketRequest, context) -> pb.Ticket:
        number = check.ticket_number(request.ticket.name, "ticket.name")
        updated = await self._cases.tickets.update(caller(), request, number)
        return await self.ticket(updated, caller())

    async def TransitionTicket(self, request: pb.TransitionTicketRequest, context) -> pb.Ticket:
        principal = caller()
        number = check.ticket_number(request.name)
        target = convert.STATUS_FROM_PROTO.get(request.target_status)
        expected = convert.STATUS_FROM_PROTO.get(request.expected_status)
        transition = TransitionRequest(
            action=check.action(request.action).value, actor=actor(principal),
            text=check.text(request.text, "text", check.MAX_COMMENT, required=False),
            rating=request.rating, target=target.value if target else "",
            request_id=check.own_request_id(principal, request.request_id) or "",
            expected=expected.value if expected else "")
        changed = await self._cases.transitions.transition(principal, number, transition)
        return await self.ticket(changed, principal)

    async def AddComment(self, request: pb.AddCommentRequest, context) -> pb.Comment:
        principal = caller()
        number = check.ticket_number(request.parent, "parent")
        new = NewComment(
            body=check.text(request.comment.body, "comment.body", check.MAX_COMMENT),
            internal=request.comment.visibility == pb.VISIBILITY_INTERNAL,
            request_id=check.own_request_id(principal, request.request_id))
        row, files = await self._cases.comments.add(principal, number, new)
        return convert.comment(row, files)

    async def GetComment(self, request: pb.GetCommentRequest, context) -> pb.Comment:
        number, comment_id = check.comment_id(request.name)
        with_files = not request.read_mask.paths or "attachments" in request.read_mask.paths
        row, files = await self._cases.comments.get(caller(), number, comment_id, with_files)
        return convert.comment(row, files)

    async def ListComments(self, request: pb.ListCommentsRequest,
                           context) -> pb.ListCommentsResponse:
        number = check.ticket_number(request.parent, "parent")
        at = page(request, "comments", number)
        found = await self._cases.comments.comments(caller(), number, at)
        return pb.ListCommentsResponse(
            comments=[convert.comment(r, found.files.get(convert.comment_name(r)))
                      for r in found.rows],
            next_page_token=at.offset_token(found.more))

    async def ListTicketHistory(self, request: pb.ListTicketHistoryRequest,
                                context) -> pb.ListTicketHistoryResponse:
        number = check.ticket_number(request.parent, "parent")
        at = page(request, "history", number)
        rows, more = await self._cases.comments.history(caller(), number, at)
        return pb.ListTicketHistoryResponse(entries=[convert.history(r) for r in rows],
                                            next_page_token=at.offset_token(more))

    async def CreateSite(self, request: pb.CreateSiteRequest, context) -> pb.Site:
        return convert.site(await self._cases.sites.create(caller(), request))

    async def ListSites(self, request: pb.ListSitesRequest, context) -> pb.ListSitesResponse:
        at = page(request, "sites", request.parent, request.show_inactive)
        rows, more = await self._cases.sites.find(caller(), request, at)
        return pb.ListSitesResponse(sites=[convert.site(s) for s in rows],
                                    next_page_token=at.offset_token(more))

    async def UpdateSite(self, request: pb.UpdateSiteRequest, context) -> pb.Site:
        return convert.site(await self._cases.sites.update(caller(), request))

    async def GetStudioSettings(self, request: pb.GetStudioSettingsRequest,
                                context) -> pb.StudioSettings:
        return convert.studio_settings(*await self._cases.studio.settings(request.name))

    async def UpdateStudioSettings(self, request: pb.UpdateStudioSettingsRequest,
                                   context) -> pb.StudioSettings:
        return convert.studio_settings(*await self._cases.studio.update(
            caller(), request.settings, set(request.update_mask.paths)))

    async def ListNotifications(self, request: pb.ListNotificationsRequest,
                                context) -> pb.ListNotificationsResponse:
        at = page(request, "notifications", request.unread_only, default_size=20)
        inbox = await self._cases.notifications.inbox(caller().user, request.unread_only, at)
        return pb.ListNotificationsResponse(
            notifications=[convert.notification(r) for r in inbox.rows],
            unread_count=inbox.unread, next_page_token=at.offset_token(inbox.more))

    async def MarkNotificationsRead(self, request: pb.MarkNotificationsReadRequest,
                                    context) -> pb.MarkNotificationsReadResponse:
        check.without_nul(request.names, "names")
        number = check.ticket_number(request.ticket, "ticket") if request.ticket else None
        marked = await self._cases.notifications.mark_read(caller().user, list(request.names),
                                                      number)
        return pb.MarkNotificationsReadResponse(marked=marked)

    async def WatchTicketEvents(self, request: pb.WatchTicketEventsRequest, context):
        principal = caller()
        number = check.ticket_number(request.ticket, "ticket") if request.ticket else None
        cursors = Cursor("WatchTicketEvents", number)
        after_id = await self._cases.events.start(principal, number, cursors.after(request.cursor),
                                                  request.from_beginning)
        await context.send_initial_metadata(())  # the watch is on: the caller may act
        async for event in self._cases.events.watch(principal, after_id, number):
            yield convert.event(event, cursors.of(event.id))

    async def CreateWebhook(self, request: pb.CreateWebhookRequest,
                            context) -> pb.CreateWebhookResponse:
        row = await self._cases.webhooks.create(caller(), request)
        return pb.CreateWebhookResponse(webhook=convert.webhook(row), secret=row.secret)

    async def ListWebhooks(self, request: pb.ListWebhooksRequest,
                           context) -> pb.ListWebhooksResponse:
        at = page(request, "webhooks")
        rows, more = await self._cases.webhooks.find(caller(), at)
        return pb.ListWebhooksResponse(webhooks=[convert.webhook(r) for r in rows],
                                       next_page_token=at.offset_token(more))

    async def UpdateWebhook(self, request: pb.UpdateWebhookRequest, context) -> pb.Webhook:
        return convert.webhook(await self._cases.webhooks.update(caller(), request))

    async def DeleteWebhook(self, request: pb.DeleteWebhookRequest,
                            context) -> pb.DeleteWebhookResponse:
        await self._cases.webhooks.delete(caller(), request.name)
        return pb.DeleteWebhookResponse()

    async def ListWebhookDeliveries(self, request: pb.ListWebhookDeliveriesRequest,
                                    context) -> pb.ListWebhookDeliveriesResponse:
        at = page(request, "webhook deliveries", request.parent)
        rows, more = await self._cases.webhooks.deliveries(caller(), request.parent, at)
        return pb.ListWebhookDeliveriesResponse(
            deliveries=[convert.webhook_delivery(row, event) for row, event in rows],
            next_page_token=at.offset_token(more))

    async def RedeliverWebhookDelivery(self, request: pb.RedeliverWebhookDeliveryRequest,
                                       context) -> pb.WebhookDelivery:
        row, event = await self._cases.webhooks.redeliver(caller(), request.name)
        return convert.webhook_delivery(row, event)

    async def ListInboundEmails(self, request: pb.ListInboundEmailsRequest,
                                context) -> pb.ListInboundEmailsResponse:
        at = page(request, "inbound emails")
        rows, more = await self._cases.mail_in.not_applied(caller(), at)
        return pb.ListInboundEmailsResponse(
            inbound_emails=[convert.inbound_email(row) for row in rows],
            next_page_token=at.offset_token(more))

    async def CreateTimeEntry(self, request: pb.CreateTimeEntryRequest,
                              context) -> pb.TimeEntry:
        principal = caller()
        number = check.ticket_number(request.parent, "parent")
        own_id = check.own_request_id(principal, request.request_id)
        new = time_checks.new_entry(request, own_id, await self._cases.studio.today())
        return convert.time_entry(await self._cases.time_entries.log(principal, number, new))

    async def ListTimeEntries(self, request: pb.ListTimeEntriesRequest,
                              context) -> pb.ListTimeEntriesResponse:
        where = time_checks.time_filter(request)
        at = page(request, "time entries", asdict(where))
        found = await self._cases.time_entries.find(caller(), where, at)
        return pb.ListTimeEntriesResponse(
            time_entries=[convert.time_entry(r) for r in found.rows],
            next_page_token=at.offset_token(found.more), total_size=found.count,
            total_minutes=found.minutes)

    async def UpdateTimeEntry(self, request: pb.UpdateTimeEntryRequest,
                              context) -> pb.TimeEntry:
        number, entry_id = time_checks.entry_name(request.time_entry.name, "time_entry.name")
        changes = time_checks.changes(request, await self._cases.studio.today())
        return convert.time_entry(await self._cases.time_entries.change(
            caller(), number, entry_id, changes))

    async def DeleteTimeEntry(self, request: pb.DeleteTimeEntryRequest,
                              context) -> pb.DeleteTimeEntryResponse:
        number, entry_id = time_checks.entry_name(request.name)
        await self._cases.time_entries.delete(caller(), number, entry_id)
        return pb.DeleteTimeEntryResponse()

    async def SummarizeTime(self, request: pb.SummarizeTimeRequest,
                            context) -> pb.SummarizeTimeResponse:
        where, group_by = time_checks.summary(request)
        rows, minutes = await self._cases.time_entries.summarize(caller(), where, group_by)
        return pb.SummarizeTimeResponse(rows=[convert.time_summary(r, group_by) for r in rows],
                                        total_minutes=minutes)

    async def GetServiceReport(self, request: pb.GetServiceReportRequest,
                               context) -> pb.ServiceReport:
        return await self._cases.reports.service(caller(), report_query(request))
