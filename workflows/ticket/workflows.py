"""TicketWorkflow: one durable workflow per ticket, owning its status and timers.

Human transitions arrive as updates with validators (a rejected one writes
nothing to history); comments arrive as signals. Every accepted change is
persisted through the tickets service by a local activity before it is answered,
with its notices (e-mail, the bell) in the service's outbox, which the worker's
dispatcher sends in the background.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from workflows.messages import Actor, Notice
    from workflows.ticket import rules
    from workflows.ticket.calendar import BusinessCalendar
    from workflows.ticket.effects import NOTICES_OUTBOX, TicketEffects
    from workflows.ticket.messages import (
        CommentAdded,
        RecordTransition,
        TicketChanged,
        TicketStarted,
        TransitionRequest,
        TransitionResult,
    )
    from workflows.ticket.policy import Policy
    from workflows.ticket.rules import Action, Status
    # Where the tickets service, the test fixtures and the bench have known them from.
    from workflows.ticket.visibility import (ORGANIZATION, PRIORITY,  # noqa: F401
                                             SEARCH_ATTRIBUTES, STATUS)

RECENT_REQUESTS = 200
# Starting work on an unassigned ticket assigns it (rules.assignee_after); histories
# recorded before assigned nobody and replay that way.
ASSIGN_ON_START = "assign-on-start"
# A change that came with the start waits for the ticket's announcement (see
# _after_announcement); histories recorded before let it run first and replay that way.
ANNOUNCE_FIRST = "announce-first"
SYSTEM = Actor(subject="", role=rules.SYSTEM, display_name="TicketDesk")
WAITING_FOR_CLIENT = (Status.NEEDS_INFO, Status.AWAITING_ACCEPTANCE)
AUTO_ACCEPT_TEXT = ("Работы приняты автоматически: замечаний не поступило в течение "
                    "{days:g} рабочих дней.")


@workflow.defn(name="TicketWorkflow")
class TicketWorkflow(TicketEffects):
    @workflow.init
    def __init__(self, ticket: TicketStarted) -> None:
        self.ticket = ticket
        self.status = Status(ticket.status)
        self.before_needs_info = Status(ticket.status_before_needs_info or "queued")
        # One change of the ticket at a time: transitions, answers, timers and SLA
        # records are serialized, so what is persisted never arrives out of order.
        self.lock = asyncio.Lock()
        self.update_pending = False  # a transition holds or waits for the lock
        self.revision = 0  # bumped by every change the timers depend on
        self.policy = Policy()
        self.calendar = BusinessCalendar()
        self.background: list[asyncio.Task] = []
        self.notices: list[Notice] = []  # for the outbox, with the next write

    @workflow.run
    async def run(self, ticket: TicketStarted) -> str:
        async with self.lock:
            await self._start_policy(ticket)
            if not ticket.status_since:
                ticket.status_since = workflow.now().isoformat()
                ticket.sla.follow(self.status, workflow.now(), self.calendar)
            if not ticket.announced:
                ticket.announced = True
                self._notify("ticket_created")
            await self._sla_changed()
            await self._send_notices()
        while self.status.is_open and not workflow.info().is_continue_as_new_suggested():
            await self._wait_for_change_or_timer()
        await workflow.wait_condition(
            lambda: not self.lock.locked() and workflow.all_handlers_finished())
        # A notice that could not be sent must not fail the ticket.
        await asyncio.gather(*self.background, return_exceptions=True)
        if self.status.is_open:
            workflow.continue_as_new(self.ticket)
        return self.status.value

    @workflow.query
    def current_status(self) -> str:
        return self.status.value

    @workflow.query
    def next_timer(self) -> str:
        moment, kind = self._next_timer()
        return f"{kind} at {moment.isoformat()}" if moment else ""

    # Transitions ----------------------------------------------------------------

    @workflow.update
    async def transition(self, request: TransitionRequest) -> TransitionResult:
        if request.request_id in self.ticket.recent_request_ids:  # retried after continue-as-new
            return TransitionResult(previous=self.status.value, status=self.status.value)
        self.update_pending = True  # before the first await: a concurrent one is rejected
        try:
            await self._after_announcement()
            async with self.lock:
                return await self._apply(request, self._decide(request))
        finally:
            self.update_pending = False

    @transition.validator
    def _validate_transition(self, request: TransitionRequest) -> None:
        if request.request_id and request.request_id in self.ticket.recent_request_ids:
            return
        if self.update_pending:
            raise ApplicationError("another change of this ticket is in progress",
                                   type="CONCURRENT_TRANSITION")
        self._decide(request)

    @workflow.signal
    async def comment_added(self, comment: CommentAdded) -> None:
        if comment.comment in self.ticket.recent_request_ids:  # a repeated signal
            return
        self._remember(comment.comment)
        await self._after_announcement()
        if comment.actor.role != "client":
            await self._staff_commented(comment)
        else:
            await self._client_commented(comment)
        await self._send_notices()

    async def _client_commented(self, comment: CommentAdded) -> None:
        async with self.lock:
            if self.status is Status.AWAITING_ACCEPTANCE and not self.ticket.has_remarks:
                await self._mark_remarks(comment)
                return
            self._notify("comment", comment.actor, comment=comment.comment)
            if self.status is Status.NEEDS_INFO:
                await self._apply(TransitionRequest(
                    action=Action.ANSWER.value, actor=comment.actor,
                    request_id=f"answer-{comment.comment}"), None)

    async def _staff_commented(self, comment: CommentAdded) -> None:
        self._notify("comment" if comment.public else "internal_note", comment.actor,
                     comment=comment.comment)
        if comment.public and not self.ticket.sla.responded:
            await self._clocks_started()
            async with self.lock:
                self.ticket.sla.responded = True
                self.revision += 1
                await self._sla_changed()

    @workflow.signal
    async def ticket_changed(self, change: TicketChanged) -> None:
        await self._after_announcement()
        if change.priority:
            self.ticket.priority = change.priority
        if change.assignee is not None:
            self.ticket.assignee = change.assignee
        await self._clocks_started()
        async with self.lock:
            self.revision += 1
            await self._sla_changed()

    async def _after_announcement(self) -> None:
        """A change that comes with the start (a ticket taken, or answered, at once) runs
        before run() has begun: it waits until run() has announced the ticket, so that
        «ticket_created» is recorded, and streamed to integrations, before the change
        (the events test saw a status change first)."""
        if not self.ticket.announced and workflow.patched(ANNOUNCE_FIRST):
            await workflow.wait_condition(lambda: self.ticket.announced)

    async def _clocks_started(self) -> None:
        """A signal that comes with the start (a ticket taken at once) runs before run()
        has begun: it waits until run() has started the ticket's clocks, which its SLA
        record reads (it failed every workflow task, the ticket stuck). Later signals
        queue for the lock as before, so recorded histories replay unchanged."""
        if not self.ticket.status_since and not self.lock.locked():
            await workflow.wait_condition(lambda: bool(self.ticket.status_since))

    def _decide(self, request: TransitionRequest) -> Status:
        if request.expected and request.expected != self.status.value:
            raise ApplicationError(f"the ticket is {self.status.value} now, not {request.expected}",
                                   type="TICKET_CHANGED", non_retryable=True)
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

    async def _apply(self, request: TransitionRequest,
                     target: Status | None) -> TransitionResult:
        target = target or self._decide(request)
        previous, now = self.status, workflow.now()
        sla = self.ticket.sla
        sla.follow(target, now, self.calendar)
        if request.actor.role in rules.STAFF:
            sla.responded = True
        assignee = self._assignee_after(request)
        kind = "auto_accepted" if request.actor.role == rules.SYSTEM else "status_changed"
        outbox = workflow.patched(NOTICES_OUTBOX)
        if outbox:  # the notice is written with the record
            self._notify(kind, request.actor, from_status=previous.value,
                         to_status=target.value, text=request.text)
        await self._persist(RecordTransition(
            number=self.ticket.number, action=request.action, from_status=previous.value,
            to_status=target.value, actor=request.actor, text=request.text,
            rating=request.rating, has_remarks=False,
            request_id=request.request_id or str(workflow.uuid4()),
            sla_due_at=self._sla_due_iso(), assignee=assignee, notices=self._take_notices()))
        if assignee:
            self.ticket.assignee = assignee
        if target is Status.NEEDS_INFO:
            self.before_needs_info = previous
            self.ticket.status_before_needs_info = previous.value
        self.status = target
        self.ticket.status, self.ticket.has_remarks = target.value, False
        self.ticket.status_since, self.ticket.reminded = now.isoformat(), False
        self._remember(request.request_id)
        self.revision += 1
        self._publish()
        if not outbox:
            self._notify(kind, request.actor, from_status=previous.value,
                         to_status=target.value, text=request.text)
        return TransitionResult(previous=previous.value, status=target.value)

    def _assignee_after(self, request: TransitionRequest) -> str:
        """Whom the transition assigns the ticket to; "" when the assignee stays."""
        assignee = rules.assignee_after(Action(request.action), request.actor.role,
                                        request.actor.subject, self.ticket.assignee)
        return assignee if assignee and workflow.patched(ASSIGN_ON_START) else ""

    async def _mark_remarks(self, comment: CommentAdded) -> None:
        outbox = workflow.patched(NOTICES_OUTBOX)
        if outbox:
            self._notify("remarks", comment.actor, comment=comment.comment)
        await self._persist(RecordTransition(
            number=self.ticket.number, action="", from_status=self.status.value,
            to_status=self.status.value, actor=comment.actor, has_remarks=True,
            request_id=f"remarks-{comment.comment}", sla_due_at=self._sla_due_iso(),
            notices=self._take_notices()))
        self.ticket.has_remarks = True
        self.revision += 1
        self._publish()
        if not outbox:
            self._notify("remarks", comment.actor, comment=comment.comment)

    # Timers ---------------------------------------------------------------------

    def _next_timer(self) -> tuple[datetime | None, str]:
        candidates = self.ticket.sla.deadlines(self.ticket.priority, self.policy, self.calendar)
        since = datetime.fromisoformat(self.ticket.status_since)
        if self.status in WAITING_FOR_CLIENT and not self.ticket.reminded:
            days = self.policy.reminder_business_days
            candidates.append((self.calendar.add_days(since, days), "reminder"))
        days = self.policy.auto_accept_business_days
        if self.status is Status.AWAITING_ACCEPTANCE and not self.ticket.has_remarks and days > 0:
            candidates.append((self.calendar.add_days(since, days), "auto_accept"))
        return min(candidates) if candidates else (None, "")

    async def _wait_for_change_or_timer(self) -> None:
        moment, kind = self._next_timer()
        seen = self.revision
        timeout = max(moment - workflow.now(), timedelta(0)) if moment else None
        try:
            await workflow.wait_condition(
                lambda: self.revision != seen or not self.status.is_open
                or workflow.info().is_continue_as_new_suggested(),
                timeout=timeout, timeout_summary=kind or None)
        except asyncio.TimeoutError:
            async with self.lock:
                if self.revision == seen:  # nothing changed while we waited for the lock
                    await self._on_timer()

    async def _on_timer(self) -> None:
        """Act on the timer that is due, under the policy as it is now."""
        await self._load_policy()
        moment, kind = self._next_timer()
        if moment is not None and moment <= workflow.now():
            await self._fire(kind)
        else:
            self.revision += 1  # the policy moved the timer: wait again

    async def _fire(self, kind: str) -> None:
        if kind == "reminder":
            self.ticket.reminded = True
            self._notify("reminder", to_status=self.status.value)
        elif kind == "auto_accept":
            days = self.policy.auto_accept_business_days
            await self._apply(TransitionRequest(
                action=Action.ACCEPT.value, actor=SYSTEM, text=AUTO_ACCEPT_TEXT.format(days=days),
                request_id=f"auto-accept-{self.ticket.number}-{self.ticket.status_since}"), None)
        else:
            self.ticket.sla.fired.append(kind)
            if kind.endswith("_breach"):
                goal = kind.removesuffix("_breach")
                outbox = workflow.patched(NOTICES_OUTBOX)
                if outbox:  # written with the breach
                    self._notify("sla_breach", text=goal)
                await self._record_sla(breached=goal)
                if not outbox:
                    self._notify("sla_breach", text=goal)
            else:
                self._notify("sla_warning", text=kind.removesuffix("_warning"))
        await self._send_notices()
        self.revision += 1

    def _remember(self, request_id: str) -> None:
        if request_id:
            self.ticket.recent_request_ids = [
                *self.ticket.recent_request_ids, request_id][-RECENT_REQUESTS:]


def workflow_id(number: int) -> str:
    return f"ticket-{number}"
