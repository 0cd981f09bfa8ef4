"""The tickets service's gRPC servicers: parse the request, call a use case, answer."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from services.common.server.errors import bad_field
from services.common.server.paging import Cursor, Page, offset_position, page_request
from services.common.server.principal import Principal, Role, caller
from services.tickets import convert, models
from services.tickets import notice_checks
from services.tickets import validation as check
from services.tickets.gateways.lifecycle import actor
from services.tickets.store.listing import order
from services.tickets.store.notifications import Delivery
from services.tickets.store.webhooks import Attempt
from services.tickets.usecases import webhooks as webhook_cases
from services.tickets.usecases.comments import Comments, NewComment
from services.tickets.usecases.events import Events
from services.tickets.usecases.notifications import Notifications
from services.tickets.usecases.records import Records, Transition
from services.tickets.usecases.sites import Sites
from services.tickets.usecases.studio import Studio
from services.tickets.usecases.tickets import Shown, Tickets
from services.tickets.usecases.transitions import Transitions
from services.tickets.usecases.webhooks import Webhooks
from ticketdesk.errors.v1 import errors_pb2 as reasons
from ticketdesk.tickets.v1 import tickets_internal_pb2 as internal
from ticketdesk.tickets.v1 import tickets_internal_pb2_grpc, tickets_pb2_grpc
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket.messages import TransitionRequest

MAX_PAGE = 100
ROLES = {role.value for role in Role}


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


def page(request, *query: object, default_size: int = MAX_PAGE) -> Page:
    """Offset paging with tokens bound to the caller and `query` (method and filters)."""
    return page_request(request.page_size, request.page_token, query, parse=offset_position,
                        default_size=default_size, max_size=MAX_PAGE)


def ticket(shown: Shown, viewer: Principal) -> pb.Ticket:
    return convert.ticket(shown.row, shown.site, viewer)


class TicketService(tickets_pb2_grpc.TicketServiceServicer):
    def __init__(self, cases: UseCases):
        self._cases = cases

    async def CreateTicket(self, request: pb.CreateTicketRequest, context) -> pb.Ticket:
        principal = caller()
        new = check.new_ticket(principal, request, await self._cases.studio.today())
        return ticket(await self._cases.tickets.create(principal, new), principal)

    async def GetTicket(self, request: pb.GetTicketRequest, context) -> pb.Ticket:
        number = check.ticket_number(request.name)
        return ticket(await self._cases.tickets.get(caller(), number), caller())

    async def ListTickets(self, request: pb.ListTicketsRequest, context) -> pb.ListTicketsResponse:
        principal = caller()
        where, order_by = check.ticket_filter(request), order(request.order_by)
        at = page(request, "tickets", asdict(where), order_by, default_size=50)
        listed = await self._cases.tickets.find(principal, where, order_by, at)
        found = listed.page
        return pb.ListTicketsResponse(
            tickets=[convert.ticket(r, listed.sites.get(r.site_id or ""), principal)
                     for r in found.rows],
            next_page_token=at.offset_token(found.more), total_size=found.total,
            status_counts=convert.status_counts(found.counts))

    async def UpdateTicket(self, request: pb.UpdateTicketRequest, context) -> pb.Ticket:
        number = check.ticket_number(request.ticket.name, "ticket.name")
        return ticket(await self._cases.tickets.update(caller(), request, number), caller())

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
        return ticket(await self._cases.transitions.transition(principal, number, transition),
                      principal)

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


class TicketInternalService(tickets_internal_pb2_grpc.TicketInternalServiceServicer):
    """For TicketDesk's own processes: the shared interceptor lets only the service token
    through (Service.internal_names)."""

    def __init__(self, records: Records, webhooks: Webhooks):
        self._records, self._webhooks = records, webhooks

    async def RecordTransition(self, request: internal.RecordTransitionRequest,
                               context) -> pb.Ticket:
        change = Transition(
            number=check.ticket_number(request.name),
            action=convert.ACTION_FROM_PROTO.get(request.action),
            to_status=check.choice(request.to_status, convert.STATUS_FROM_PROTO, "to_status",
                                   "a known status"),
            actor=acting(request), text=request.text, rating=request.rating,
            has_remarks=request.has_remarks, request_id=request.request_id,
            sla_due_time=check.due_time(request.sla_due_time, "sla_due_time"),
            assignee=check.user(request.assignee, "assignee"))
        notices = notice_checks.notices(request.notices)
        return ticket(await self._records.transition(change, notices), caller())

    async def RecordSlaEvent(self, request: internal.RecordSlaEventRequest,
                             context) -> pb.Ticket:
        number = check.ticket_number(request.name)
        due = check.due_time(request.sla_due_time, "sla_due_time")
        notices = notice_checks.notices(request.notices)
        return ticket(await self._records.sla_event(number, due, request.breached_goal,
                                                    notices), caller())

    async def DeliverNotifications(self, request: internal.DeliverNotificationsRequest,
                                   context) -> internal.DeliverNotificationsResponse:
        number = check.ticket_number(request.ticket, "ticket")
        # The columns' limits (String(64), String(32)): PostgreSQL refuses longer values.
        event_id = check.printable(check.given(request.event_id, "event_id"), "event_id", 64)
        kind = check.printable(request.kind, "kind", 32)
        deliveries = [Delivery(check.user(d.recipient, "deliveries.recipient"), d.title)
                      for d in request.deliveries]
        check.without_nul([d.title for d in deliveries], "deliveries.title")
        to_email = await self._records.deliver(event_id, number, kind, deliveries)
        return internal.DeliverNotificationsResponse(to_email=to_email)

    async def MarkNotificationsEmailed(self, request: internal.MarkNotificationsEmailedRequest,
                                       context) -> internal.MarkNotificationsEmailedResponse:
        check.without_nul([request.event_id], "event_id")
        check.without_nul(request.recipients, "recipients")
        await self._records.emailed(request.event_id, list(request.recipients))
        return internal.MarkNotificationsEmailedResponse()

    async def RecordNotices(self, request: internal.RecordNoticesRequest,
                            context) -> internal.RecordNoticesResponse:
        await self._records.notices.record(notice_checks.notices(request.notices))
        return internal.RecordNoticesResponse()

    async def ClaimNotices(self, request: internal.ClaimNoticesRequest,
                           context) -> internal.ClaimNoticesResponse:
        claim = notice_checks.claim(request)
        remaining = context.time_remaining()
        if remaining is not None:  # answer (empty) before the caller's deadline
            claim.wait = min(claim.wait, max(remaining - 0.5, 0.0))
        claimed = await self._records.notices.claim(claim)
        viewer = caller()
        return internal.ClaimNoticesResponse(notices=[
            internal.ClaimedNotice(name=f"notices/{c.id}", notice=convert.notice(c.notice),
                                   attempts=c.attempts,
                                   ticket=ticket(found, viewer) if found else None)
            for c, found in claimed])

    async def CompleteNotices(self, request: internal.CompleteNoticesRequest,
                              context) -> internal.CompleteNoticesResponse:
        await self._records.notices.complete(notice_checks.ids(request.names))
        return internal.CompleteNoticesResponse()

    async def PollWebhookEvents(self, request: internal.PollWebhookEventsRequest,
                                context) -> internal.PollWebhookEventsResponse:
        found = webhook_cases.webhook_id(f"webhooks/{request.webhook}", "webhook")
        if not 1 <= request.max_events <= 500:
            raise bad_field("max_events", reasons.MALFORMED, "must be 1-500")
        after = log_id(request.after, "after", allow_zero=True)
        wait = min(max(request.wait.ToTimedelta().total_seconds(), 0.0), 60.0)
        remaining = context.time_remaining()
        if remaining is not None:  # answer (empty) before the caller's deadline
            wait = min(wait, max(remaining - 0.5, 0.0))
        active, owed, again = await self._webhooks.poll(found, after,
                                                        request.max_events, wait)
        return internal.PollWebhookEventsResponse(active=active, events=owed,
                                                  redeliveries=again)

    async def PrepareWebhookDelivery(self, request: internal.PrepareWebhookDeliveryRequest,
                                     context) -> internal.PrepareWebhookDeliveryResponse:
        found = webhook_cases.webhook_id(f"webhooks/{request.webhook}", "webhook")
        prepared = await self._webhooks.prepare(found, log_id(request.event, "event"))
        if prepared is None:
            return internal.PrepareWebhookDeliveryResponse(active=False)
        return internal.PrepareWebhookDeliveryResponse(
            active=True, url=prepared.url, body=prepared.body, signature=prepared.signature,
            event_id=prepared.event_id)

    async def RecordWebhookDelivery(self, request: internal.RecordWebhookDeliveryRequest,
                                    context) -> internal.RecordWebhookDeliveryResponse:
        found = webhook_cases.webhook_id(f"webhooks/{request.webhook}", "webhook")
        check.without_nul([request.error], "error")
        await self._webhooks.record(Attempt(
            webhook_id=found, event=log_id(request.event, "event"), attempt=request.attempt,
            response_code=request.response_code, error=request.error[:2000],
            delivered=request.delivered))
        return internal.RecordWebhookDeliveryResponse()

    async def DisableWebhook(self, request: internal.DisableWebhookRequest,
                             context) -> internal.DisableWebhookResponse:
        found = webhook_cases.webhook_id(f"webhooks/{request.webhook}", "webhook")
        check.without_nul([request.reason], "reason")
        await self._webhooks.disable(found, request.reason[:2000])
        return internal.DisableWebhookResponse()


def log_id(value: int, field: str, allow_zero: bool = False) -> int:
    """An id of the events log (a 32-bit integer column)."""
    if not (0 if allow_zero else 1) <= value <= models.MAX_NUMBER:
        raise bad_field(field, reasons.MALFORMED, "must be an id of the events log")
    return value


def acting(request: internal.RecordTransitionRequest) -> Principal:
    """Who acted; the workflow's own timers act as TicketDesk itself."""
    role = Role(request.actor_role) if request.actor_role in ROLES else Role.SERVICE
    return Principal(subject=request.actor, role=role,
                     display_name=request.actor_display_name or "TicketDesk")
