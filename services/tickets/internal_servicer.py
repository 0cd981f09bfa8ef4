"""The tickets service's internal servicer: what TicketDesk's own processes (the worker,
the webhooks' workflows, the e-mail receiver) record and ask."""

from __future__ import annotations

from services.common.server.errors import bad_field
from services.common.server.principal import Principal, Role, caller
from services.tickets import convert, models
from services.tickets import notice_checks
from services.tickets import validation as check
from services.tickets.store.notifications import Delivery
from services.tickets.store.webhooks import Attempt
from services.tickets.usecases import webhooks as webhook_cases
from services.tickets.usecases.mail_in import MailIn
from services.tickets.servicer import ticket
from services.tickets.usecases.records import Records, Transition
from services.tickets.usecases.webhooks import Webhooks
from ticketdesk.errors.v1 import errors_pb2 as reasons
from ticketdesk.tickets.v1 import tickets_internal_pb2 as internal
from ticketdesk.tickets.v1 import tickets_internal_pb2_grpc
from ticketdesk.tickets.v1 import tickets_pb2 as pb

ROLES = {role.value for role in Role}


class TicketInternalService(tickets_internal_pb2_grpc.TicketInternalServiceServicer):
    """For TicketDesk's own processes: the shared interceptor lets only the service token
    through (Service.internal_names)."""

    def __init__(self, records: Records, webhooks: Webhooks, mail_in: MailIn):
        self._records, self._webhooks, self._mail_in = records, webhooks, mail_in

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
        turned_off = await self._webhooks.disable(found, request.reason[:2000])
        if turned_off is None:
            return internal.DisableWebhookResponse()
        return internal.DisableWebhookResponse(disabled=True,
                                               display_name=turned_off.display_name,
                                               url=turned_off.url)

    async def ReceiveEmail(self, request: internal.ReceiveEmailRequest,
                           context) -> internal.ReceiveEmailResponse:
        if not request.message:
            raise bad_field("message", reasons.REQUIRED, "is required")
        received = await self._mail_in.receive(request.message, list(request.recipients))
        return internal.ReceiveEmailResponse(
            state=convert.INBOUND_STATES[received.state], reason=received.reason,
            ticket=convert.ticket_name(received.ticket) if received.ticket else "",
            comment=(f"{convert.ticket_name(received.ticket)}/comments/{received.comment_id}"
                     if received.comment_id else ""))


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
