"""What TicketWorkflow asks of the outside world: its records and notices in the tickets
service (local activities), the studio's policy, and the operators' view (search
attributes and details). A base class, so that the workflow's module reads as the ticket's
life; it keeps the workflow's state (`ticket`, `policy`, `calendar`, `notices`)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from workflows.messages import Actor, Notice
    from workflows.ticket import visibility
    from workflows.ticket.calendar import BusinessCalendar
    from workflows.ticket.messages import RecordTransition, SlaEvent, TicketStarted
    from workflows.ticket.policy import Policy

RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30))
# One quick RPC each: a worker that dies mid-call is noticed (and retried) soon.
QUICK = timedelta(seconds=10)
# Writes to the tickets service run as local activities: in the worker, inside the
# workflow task, so a transition is answered after one workflow task instead of two and
# an activity task's round trip through the server (bench, scenario 2). Histories
# recorded before carry ordinary activities and replay that way.
LOCAL_RECORDS = "local-records"
# Notices are written to the tickets service's outbox with the record they belong to (or
# by one local activity when there is none), and the worker's dispatcher sends them in
# batches: no activity task and no second workflow task per notice (bench, scenarios 2,
# 7 and 8). Histories recorded before start a notify activity per notice.
NOTICES_OUTBOX = "notices-outbox"


class TicketEffects:
    ticket: TicketStarted
    policy: Policy
    calendar: BusinessCalendar
    notices: list[Notice]
    background: list[asyncio.Task]

    def _next_timer(self) -> tuple[datetime | None, str]:
        raise NotImplementedError  # the workflow's

    async def _start_policy(self, ticket: TicketStarted) -> None:
        """The policy the service passed with the start, else loaded. Data in the input
        decides, so histories recorded before replay their load_policy activity."""
        if ticket.policy is None:
            await self._load_policy()
            return
        self.policy, ticket.policy = ticket.policy, None  # the next run loads it afresh
        self.calendar = BusinessCalendar.from_dict(self.policy.calendar)

    async def _load_policy(self) -> None:
        self.policy = await workflow.execute_activity(
            "load_policy", self.ticket.organization, result_type=Policy,
            start_to_close_timeout=QUICK, retry_policy=RETRY,
            summary="load the studio's calendar and SLA targets")
        self.calendar = BusinessCalendar.from_dict(self.policy.calendar)

    async def _persist(self, record: RecordTransition) -> None:
        await self._write("record_transition", record,
                          f"record {record.from_status} → {record.to_status}")

    async def _sla_changed(self) -> None:
        await self._record_sla()
        self._publish()

    async def _record_sla(self, breached: str = "") -> None:
        await self._write("record_sla", SlaEvent(number=self.ticket.number,
                                                 due_at=self._sla_due_iso(), breached=breached,
                                                 notices=self._take_notices()),
                          f"SLA {'breach: ' + breached if breached else 'due time'}")

    async def _write(self, activity: str, arg: RecordTransition | SlaEvent, summary: str) -> None:
        """One idempotent write to the tickets service (keyed by request id or due time)."""
        if workflow.patched(LOCAL_RECORDS):
            await workflow.execute_local_activity(
                activity, arg, start_to_close_timeout=QUICK, retry_policy=RETRY,
                summary=summary)
        else:
            await workflow.execute_activity(
                activity, arg, start_to_close_timeout=QUICK, retry_policy=RETRY,
                summary=summary)

    def _notify(self, kind: str, actor: Actor | None = None, **details: str) -> None:
        """A notice for the outbox, written with the next record (or by _send_notices);
        before the outbox, a notify activity in the background."""
        notice = Notice(kind=kind, number=self.ticket.number, event_id=str(workflow.uuid4()),
                        actor=actor, **details)
        if workflow.patched(NOTICES_OUTBOX):
            self.notices.append(notice)
            return
        self.background.append(workflow.start_activity(
            "notify", notice, start_to_close_timeout=timedelta(minutes=2), retry_policy=RETRY,
            summary=f"notify: {kind}"))

    def _take_notices(self) -> list[Notice]:
        taken, self.notices = self.notices, []
        return taken

    async def _send_notices(self) -> None:
        """The notices no record has carried: one local activity writes them."""
        if self.notices:
            await workflow.execute_local_activity(
                "record_notices", self._take_notices(), start_to_close_timeout=QUICK,
                retry_policy=RETRY, summary="notices to the outbox")

    def _sla_due_iso(self) -> str:
        due = self.ticket.sla.due(self.ticket.priority, self.policy, self.calendar)
        return due.isoformat() if due else ""

    def _publish(self) -> None:
        """Keep the operators' view current: search attributes and details."""
        due = self.ticket.sla.due(self.ticket.priority, self.policy, self.calendar)
        workflow.upsert_search_attributes(visibility.search_attributes(self.ticket, due))
        workflow.set_current_details(visibility.details(self.ticket, due, *self._next_timer()))
