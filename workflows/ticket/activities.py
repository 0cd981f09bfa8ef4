"""Activities of TicketWorkflow: the only place it touches the outside world."""

from __future__ import annotations

import grpc
from temporalio import activity
from temporalio.exceptions import ApplicationError

from services.common.clients import bearer
from ticketdesk.tickets.v1 import tickets_pb2, tickets_pb2_grpc
from workflows.ticket.messages import RecordTransition
from workflows.ticket.rules import Action, Status

STATUS_TO_PROTO = {s: tickets_pb2.Status.Value(f"STATUS_{s.name}") for s in Status}
ACTION_TO_PROTO = {a: tickets_pb2.Action.Value(f"ACTION_{a.name}") for a in Action}
# Answers that retrying cannot change.
PERMANENT = {grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND,
             grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.UNAUTHENTICATED}


class TicketActivities:
    def __init__(self, tickets: tickets_pb2_grpc.TicketServiceStub, service_token: str):
        self._tickets = tickets
        self._metadata = bearer(service_token)

    @activity.defn(name="record_transition")
    async def record_transition(self, record: RecordTransition) -> None:
        """Idempotent by request_id: a retried activity is written once."""
        request = tickets_pb2.RecordTransitionRequest(
            name=f"tickets/{record.number}",
            action=ACTION_TO_PROTO[Action(record.action)] if record.action else 0,
            from_status=STATUS_TO_PROTO[Status(record.from_status)],
            to_status=STATUS_TO_PROTO[Status(record.to_status)],
            actor=record.actor.subject, actor_display_name=record.actor.display_name,
            actor_role=record.actor.role, text=record.text, rating=record.rating,
            has_remarks=record.has_remarks, request_id=record.request_id)
        try:
            await self._tickets.RecordTransition(request, metadata=self._metadata, timeout=20)
        except grpc.aio.AioRpcError as error:
            if error.code() in PERMANENT:
                raise ApplicationError(f"{error.code().name}: {error.details()}",
                                       non_retryable=True) from error
            raise
