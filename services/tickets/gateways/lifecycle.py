"""The tickets service's side of TicketWorkflow: start, transition, signal."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import grpc
import structlog
from temporalio.client import (Client, WorkflowUpdateFailedError,
                              WorkflowUpdateRPCTimeoutOrCancelledError)
from temporalio.common import SearchAttributePair, TypedSearchAttributes, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from services.common.server.errors import ApiError, bad_field, failed_precondition, unavailable
from services.common.server.principal import Principal
from ticketdesk.errors.v1 import errors_pb2 as reasons
from workflows.ticket.messages import (Actor, CommentAdded, TicketChanged, TicketStarted,
                                       TransitionRequest, TransitionResult)
from workflows.ticket.rules import MAX_TEXT
from workflows.ticket.workflows import ORGANIZATION, PRIORITY, STATUS, TicketWorkflow, workflow_id

log = structlog.get_logger()

# The workflow's rejections (workflows/ticket/rules.py) about the request's content: the
# field, its FieldReason and the reason's parameters.
FIELD_REJECTIONS = {
    "TEXT_REQUIRED": ("text", reasons.REQUIRED, {}),
    "TEXT_TOO_LONG": ("text", reasons.TOO_LONG, {"maxLength": MAX_TEXT}),
    "INVALID_RATING": ("rating", reasons.INVALID_RATING, {}),
    "INVALID_TARGET": ("target_status", reasons.INVALID_TARGET_STATUS, {}),
    "INVALID_ACTION": ("action", reasons.MALFORMED, {}),
}
# ... and about the ticket's state: the gRPC code and the ErrorReason.
STATE_REJECTIONS = {
    "TICKET_CLOSED": (grpc.StatusCode.FAILED_PRECONDITION, reasons.TICKET_CLOSED),
    "INVALID_TRANSITION": (grpc.StatusCode.FAILED_PRECONDITION, reasons.INVALID_TRANSITION),
    # The caller sees the ticket: no existence leaks.
    "ROLE_NOT_ALLOWED": (grpc.StatusCode.PERMISSION_DENIED, reasons.ROLE_NOT_ALLOWED),
    "CONCURRENT_TRANSITION": (grpc.StatusCode.ABORTED, reasons.CONCURRENT_TRANSITION),
    "TICKET_CHANGED": (grpc.StatusCode.ABORTED, reasons.TICKET_CHANGED),
}
UPDATE_TIMEOUT = 20.0
# An update whose workflow task failed is not applied, and Temporal answers it
# FAILED_PRECONDITION "unexpected workflow task failure" (seen when the ticket's last task,
# which completes the workflow, is refused because a comment arrived meanwhile): it is
# sent again under the same update id (so applied at most once) within UPDATE_TIMEOUT, as
# is one the server could not take (UNAVAILABLE).
RETRIED = (RPCStatusCode.FAILED_PRECONDITION, RPCStatusCode.UNAVAILABLE)
RETRY_PAUSES = (0.05, 0.2, 0.5, 1.0, 2.0)


class Lifecycle:
    def __init__(self, client: Client, task_queue: str):
        self._client, self._task_queue = client, task_queue

    async def start(self, ticket: TicketStarted) -> None:
        """Start the ticket's workflow; a second start of the same ticket is a no-op."""
        try:
            await self._client.start_workflow(
                TicketWorkflow.run, ticket, id=workflow_id(ticket.number),
                task_queue=self._task_queue,
                # A run that failed or was terminated while the ticket is open is
                # restarted by reconciliation; a completed one never is.
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
                search_attributes=TypedSearchAttributes([
                    SearchAttributePair(STATUS, ticket.status),
                    SearchAttributePair(PRIORITY, ticket.priority),
                    SearchAttributePair(ORGANIZATION, ticket.organization)]),
                static_summary=f"#{ticket.number} {ticket.title}"[:190],
                rpc_timeout=timedelta(seconds=10))
        except WorkflowAlreadyStartedError:
            pass
        except RPCError as error:
            raise unavailable(f"the workflow service is unavailable: {error.message}") from error

    async def transition(self, number: int, request: TransitionRequest) -> TransitionResult:
        handle = self._client.get_workflow_handle(workflow_id(number))
        update_id = request.request_id or str(uuid.uuid4())  # the service gives one
        try:
            async with asyncio.timeout(UPDATE_TIMEOUT):
                for pause in (*RETRY_PAUSES, None):
                    try:
                        return await handle.execute_update(
                            TicketWorkflow.transition, request, id=update_id,
                            result_type=TransitionResult)
                    except RPCError as error:
                        if error.status not in RETRIED or pause is None:
                            raise
                        log.info("ticket.update_retried", number=number, reason=error.message)
                        await asyncio.sleep(pause)
                raise AssertionError("unreachable")
        except WorkflowUpdateFailedError as error:
            raise rejection(error.cause) from None
        except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
            raise unavailable("the ticket workflow did not answer in time; retry") from None
        except RPCError as error:
            if error.status == RPCStatusCode.NOT_FOUND:
                raise failed_precondition(reasons.TICKET_CLOSED, "the ticket is closed") from None
            raise unavailable(f"the workflow service is unavailable: {error.message}") from error

    async def running_numbers(self) -> set[int]:
        """Tickets whose workflow runs now, by Temporal's (eventually consistent) list."""
        query = 'WorkflowType = "TicketWorkflow" AND ExecutionStatus = "Running"'
        numbers = set()
        async for execution in self._client.list_workflows(query, page_size=1000):
            prefix, _, number = execution.id.partition("-")
            if prefix == "ticket" and number.isdigit():
                numbers.add(int(number))
        return numbers

    async def comment_added(self, number: int, event: CommentAdded) -> None:
        await self._signal(number, TicketWorkflow.comment_added, event)

    async def ticket_changed(self, number: int, change: TicketChanged) -> None:
        await self._signal(number, TicketWorkflow.ticket_changed, change)

    async def _signal(self, number: int, signal, arg) -> None:
        handle = self._client.get_workflow_handle(workflow_id(number))
        try:
            await handle.signal(signal, arg, rpc_timeout=timedelta(seconds=10))
        except RPCError as error:
            if error.status != RPCStatusCode.NOT_FOUND:  # closed tickets have no workflow
                raise unavailable(f"the workflow service is unavailable: {error.message}") from error


def rejection(cause: BaseException | None) -> ApiError:
    """A workflow's refusal as the gRPC error the caller sees."""
    reason = cause.type if isinstance(cause, ApplicationError) and cause.type else ""
    message = cause.message if isinstance(cause, ApplicationError) else str(cause)
    if reason in FIELD_REJECTIONS:
        field, field_reason, params = FIELD_REJECTIONS[reason]
        return bad_field(field, field_reason, message, **params)
    code, error_reason = STATE_REJECTIONS.get(reason, STATE_REJECTIONS["INVALID_TRANSITION"])
    return ApiError(code, error_reason, message)


def actor(principal: Principal) -> Actor:
    """Who acts, as the workflow hears it."""
    return Actor(subject=principal.subject, role=principal.role.value,
                 display_name=principal.display_name)
