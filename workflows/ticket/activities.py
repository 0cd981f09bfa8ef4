"""Activities of TicketWorkflow: the only place it touches the outside world.

Its writes go to the tickets service's TicketInternalService (the service token's calls
only); what it reads (the studio's settings, the organization) is the public API's."""

from __future__ import annotations

from datetime import datetime

import grpc
from google.protobuf.timestamp_pb2 import Timestamp
from temporalio import activity
from temporalio.exceptions import ApplicationError

from services.common.client.channels import bearer
from ticketdesk.auth.v1 import auth_pb2, auth_pb2_grpc
from ticketdesk.tickets.v1 import (tickets_internal_pb2, tickets_internal_pb2_grpc, tickets_pb2,
                                   tickets_pb2_grpc)
from workflows.messages import Notice
from workflows.notify import outbox
from workflows.ticket.messages import RecordTransition, SlaEvent
from workflows.ticket.policy import Policy
from workflows.ticket.rules import Action, Status

STATUS_TO_PROTO = {s: tickets_pb2.Status.Value(f"STATUS_{s.name}") for s in Status}
ACTION_TO_PROTO = {a: tickets_pb2.Action.Value(f"ACTION_{a.name}") for a in Action}
# Answers that retrying cannot change.
PERMANENT = {grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND,
             grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.UNAUTHENTICATED}
CALENDAR_FIELDS = ("timezone", "weekdays", "opens", "closes", "holidays", "workdays")


class TicketActivities:
    def __init__(self, tickets: tickets_pb2_grpc.TicketServiceStub,
                 internal: tickets_internal_pb2_grpc.TicketInternalServiceStub,
                 auth: auth_pb2_grpc.AuthServiceStub, service_token: str):
        self._tickets, self._internal, self._auth = tickets, internal, auth
        self._metadata = bearer(service_token)

    @activity.defn(name="record_transition")
    async def record_transition(self, record: RecordTransition) -> None:
        """Idempotent by request_id: a retried activity is written once."""
        request = tickets_internal_pb2.RecordTransitionRequest(
            name=f"tickets/{record.number}",
            action=ACTION_TO_PROTO[Action(record.action)] if record.action else 0,
            from_status=STATUS_TO_PROTO[Status(record.from_status)],
            to_status=STATUS_TO_PROTO[Status(record.to_status)],
            actor=record.actor.subject, actor_display_name=record.actor.display_name,
            actor_role=record.actor.role, text=record.text, rating=record.rating,
            has_remarks=record.has_remarks, request_id=record.request_id,
            sla_due_time=timestamp(record.sla_due_at), assignee=record.assignee,
            notices=[outbox.to_proto(n) for n in record.notices])
        await self._call(self._internal.RecordTransition, request)

    @activity.defn(name="record_sla")
    async def record_sla(self, event: SlaEvent) -> None:
        request = tickets_internal_pb2.RecordSlaEventRequest(
            name=f"tickets/{event.number}", sla_due_time=timestamp(event.due_at),
            breached_goal=event.breached, notices=[outbox.to_proto(n) for n in event.notices])
        await self._call(self._internal.RecordSlaEvent, request)

    @activity.defn(name="record_notices")
    async def record_notices(self, notices: list[Notice]) -> None:
        """Notices that come with no record (a comment, a reminder); idempotent by event."""
        await self._call(self._internal.RecordNotices, tickets_internal_pb2.RecordNoticesRequest(
            notices=[outbox.to_proto(n) for n in notices]))

    @activity.defn(name="load_policy")
    async def load_policy(self, organization: str) -> Policy:
        """The studio's settings, with the organization's automatic acceptance."""
        settings = await self._call(self._tickets.GetStudioSettings,
                                    tickets_pb2.GetStudioSettingsRequest())
        org = await self._call(self._auth.GetOrganization,
                               auth_pb2.GetOrganizationRequest(name=organization))
        return Policy(
            calendar={f: list(v) if not isinstance(v := getattr(settings, f), str) else v
                      for f in CALENDAR_FIELDS},
            reminder_business_days=settings.reminder_business_days,
            auto_accept_business_days=float(org.auto_accept_business_days),
            first_response_hours=dict(settings.first_response_hours),
            resolution_hours=dict(settings.resolution_hours),
            sla_warning_fraction=settings.sla_warning_fraction)

    async def _call(self, method, request):
        try:
            return await method(request, metadata=self._metadata, timeout=20)
        except grpc.aio.AioRpcError as error:
            if error.code() in PERMANENT:
                raise ApplicationError(f"{error.code().name}: {error.details()}",
                                       non_retryable=True) from error
            raise


def timestamp(iso: str) -> Timestamp | None:
    if not iso:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(datetime.fromisoformat(iso))
    return stamp
