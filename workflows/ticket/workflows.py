"""TicketWorkflow: one durable workflow per ticket, owning its status.

Human transitions arrive as updates with validators (a rejected one writes
nothing to history); comments arrive as signals. Every accepted change is
persisted through the tickets service by an activity before it is answered.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeKey
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from workflows.ticket import rules
    from workflows.ticket.messages import (
        Actor,
        CommentAdded,
        RecordTransition,
        TicketChanged,
        TicketStarted,
        TransitionRequest,
        TransitionResult,
    )
    from workflows.ticket.rules import Action, Status

STATUS = SearchAttributeKey.for_keyword("TicketStatus")
PRIORITY = SearchAttributeKey.for_keyword("TicketPriority")
ORGANIZATION = SearchAttributeKey.for_keyword("OrganizationId")
ASSIGNEE = SearchAttributeKey.for_keyword("AssigneeId")
SLA_DUE = SearchAttributeKey.for_datetime("SlaDueAt")
# Registered on the Temporal server by `ticketdesk dev` and the test fixtures.
SEARCH_ATTRIBUTES = (STATUS, PRIORITY, ORGANIZATION, ASSIGNEE, SLA_DUE)

PERSIST_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1),
                            maximum_interval=timedelta(seconds=30))
RECENT_REQUESTS = 200


@workflow.defn(name="TicketWorkflow")
class TicketWorkflow:
    @workflow.init
    def __init__(self, ticket: TicketStarted) -> None:
        self.ticket = ticket
        self.status = Status(ticket.status)
        self.before_needs_info = Status(ticket.status_before_needs_info or "queued")
        self.has_remarks = ticket.has_remarks
        self.recent = list(ticket.recent_request_ids)
        self.busy = False

    @workflow.run
    async def run(self, ticket: TicketStarted) -> str:
        self._publish()
        await workflow.wait_condition(
            lambda: not self.status.is_open or workflow.info().is_continue_as_new_suggested())
        await workflow.wait_condition(lambda: not self.busy and workflow.all_handlers_finished())
        if self.status.is_open:
            workflow.continue_as_new(self._snapshot())
        return self.status.value

    @workflow.query
    def current_status(self) -> str:
        return self.status.value

    @workflow.update
    async def transition(self, request: TransitionRequest) -> TransitionResult:
        if request.request_id in self.recent:  # a retry after continue-as-new
            return TransitionResult(previous=self.status.value, status=self.status.value)
        self.busy = True  # before the first await: a concurrent update is rejected
        try:
            target = self._decide(request)
            return await self._apply(request, target)
        finally:
            self.busy = False

    @transition.validator
    def _validate_transition(self, request: TransitionRequest) -> None:
        if request.request_id and request.request_id in self.recent:
            return
        if self.busy:
            raise ApplicationError("another change of this ticket is in progress",
                                   type="CONCURRENT_TRANSITION")
        self._decide(request)

    @workflow.signal
    async def comment_added(self, comment: CommentAdded) -> None:
        if comment.actor.role != "client" or not comment.public:
            return
        await workflow.wait_condition(lambda: not self.busy)
        if self.status is Status.NEEDS_INFO:
            await self._locked(TransitionRequest(action=Action.ANSWER.value, actor=comment.actor,
                                                 request_id=f"answer-{comment.comment}"))
        elif self.status is Status.AWAITING_ACCEPTANCE and not self.has_remarks:
            await self._mark_remarks(comment)

    @workflow.signal
    def ticket_changed(self, change: TicketChanged) -> None:
        if change.priority:
            self.ticket.priority = change.priority
        if change.assignee is not None:
            self.ticket.assignee = change.assignee
        self._publish()

    def _decide(self, request: TransitionRequest) -> Status:
        try:
            return rules.decide(
                self.status, Action(request.action), request.actor.role, text=request.text,
                rating=request.rating, target=Status(request.target) if request.target else None,
                previous=self.before_needs_info)
        except rules.TransitionRejected as rejected:
            raise ApplicationError(str(rejected), type=rejected.reason,
                                   non_retryable=True) from None
        except ValueError as bad:
            raise ApplicationError(str(bad), type="INVALID_ACTION", non_retryable=True) from None

    async def _locked(self, request: TransitionRequest) -> None:
        self.busy = True
        try:
            await self._apply(request, self._decide(request))
        finally:
            self.busy = False

    async def _apply(self, request: TransitionRequest, target: Status) -> TransitionResult:
        previous = self.status
        await self._persist(RecordTransition(
            number=self.ticket.number, action=request.action, from_status=previous.value,
            to_status=target.value, actor=request.actor, text=request.text,
            rating=request.rating, has_remarks=False,
            request_id=request.request_id or str(workflow.uuid4())))
        if target is Status.NEEDS_INFO:
            self.before_needs_info = previous
        self.status, self.has_remarks = target, False  # remarks belong to one round
        self._remember(request.request_id)
        self._publish()
        return TransitionResult(previous=previous.value, status=target.value)

    async def _mark_remarks(self, comment: CommentAdded) -> None:
        self.busy = True
        try:
            await self._persist(RecordTransition(
                number=self.ticket.number, action="", from_status=self.status.value,
                to_status=self.status.value, actor=comment.actor, has_remarks=True,
                request_id=f"remarks-{comment.comment}"))
            self.has_remarks = True
            self._publish()
        finally:
            self.busy = False

    async def _persist(self, record: RecordTransition) -> None:
        await workflow.execute_activity(
            "record_transition", record, start_to_close_timeout=timedelta(seconds=30),
            retry_policy=PERSIST_RETRY,
            summary=f"{record.from_status} → {record.to_status}")

    def _remember(self, request_id: str) -> None:
        if request_id:
            self.recent = [*self.recent, request_id][-RECENT_REQUESTS:]

    def _publish(self) -> None:
        """Keep the operators' view current: search attributes and details."""
        workflow.upsert_search_attributes([
            STATUS.value_set(self.status.value),
            PRIORITY.value_set(self.ticket.priority),
            ORGANIZATION.value_set(self.ticket.organization),
            ASSIGNEE.value_set(self.ticket.assignee) if self.ticket.assignee
            else ASSIGNEE.value_unset(),
        ])
        workflow.set_current_details(
            f"**#{self.ticket.number}** {self.ticket.title}\n\n"
            f"- status: `{self.status.value}`\n- priority: `{self.ticket.priority}`\n"
            f"- assignee: `{self.ticket.assignee or '—'}`\n"
            f"- remarks: {'yes' if self.has_remarks else 'no'}")

    def _snapshot(self) -> TicketStarted:
        return TicketStarted(
            number=self.ticket.number, organization=self.ticket.organization,
            title=self.ticket.title, priority=self.ticket.priority, status=self.status.value,
            assignee=self.ticket.assignee, status_before_needs_info=self.before_needs_info.value,
            has_remarks=self.has_remarks, recent_request_ids=self.recent)


def workflow_id(number: int) -> str:
    return f"ticket-{number}"


__all__ = ["TicketWorkflow", "workflow_id", "Actor"]
