"""Messages of TicketWorkflow: small dataclasses, safe to pass through the sandbox.
`Actor` and `Notice` are `workflows.messages`' (the notify activity's too)."""

from __future__ import annotations

from dataclasses import dataclass, field

from workflows.messages import Actor, Notice
from workflows.ticket.policy import Policy
from workflows.ticket.sla import SlaClock


@dataclass
class TicketStarted:
    """The workflow's input: what it needs to know of a new ticket."""

    number: int
    organization: str
    title: str
    priority: str = "normal"
    status: str = "queued"
    assignee: str = ""
    # Carried across continue-as-new.
    status_before_needs_info: str = ""
    has_remarks: bool = False
    recent_request_ids: list[str] = field(default_factory=list)
    announced: bool = False  # the new-ticket notice went out
    status_since: str = ""  # ISO time the current status was entered
    reminded: bool = False  # the client was reminded in the current status
    sla: SlaClock = field(default_factory=SlaClock)
    # The policy as the service read it at creation; None: the workflow loads it (every
    # run after the first, and tickets started before the service passed it).
    policy: Policy | None = None


@dataclass
class TransitionRequest:
    action: str
    actor: Actor
    text: str = ""
    rating: int = 0
    target: str = ""  # take back: in_progress or queued
    request_id: str = ""
    expected: str = ""  # the status the caller saw; empty: whatever it is now


@dataclass
class TransitionResult:
    previous: str
    status: str


@dataclass
class CommentAdded:
    actor: Actor
    comment: str  # tickets/{n}/comments/{id}
    public: bool = True


@dataclass
class SlaEvent:
    """Activity input: the ticket's SLA due time changed, or a target was missed."""

    number: int
    due_at: str = ""  # ISO; empty when the clock is paused or every target is met
    breached: str = ""  # first_response or resolution when a target was just missed
    notices: list[Notice] = field(default_factory=list)  # written with it (the outbox)


@dataclass
class TicketChanged:
    """Fields the operators filter by changed outside a transition."""

    priority: str = ""
    assignee: str | None = None


@dataclass
class RecordTransition:
    """Activity input: persist one accepted transition in the tickets service."""

    number: int
    action: str
    from_status: str
    to_status: str
    actor: Actor
    text: str = ""
    rating: int = 0
    has_remarks: bool = False
    request_id: str = ""
    sla_due_at: str = ""
    assignee: str = ""  # users/{id} the transition assigns the ticket to; "": it stays
    notices: list[Notice] = field(default_factory=list)  # written with it (the outbox)
