"""The ticket's status table: the one place where transitions are defined.

Pure Python (no I/O), so the workflow, the tickets service and the UI all ask
the same rules. Roles are the plain strings `client`, `developer`, `manager`,
and `system` for the workflow's own timers.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Status(str, enum.Enum):
    QUEUED = "queued"
    IN_PROGRESS = "in_progress"
    NEEDS_INFO = "needs_info"
    AWAITING_ACCEPTANCE = "awaiting_acceptance"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def is_open(self) -> bool:
        return self not in (Status.DONE, Status.CANCELLED)


class Action(str, enum.Enum):
    START_WORK = "start_work"
    RETURN_TO_QUEUE = "return_to_queue"
    ASK_CLARIFICATION = "ask_clarification"
    CONTINUE_WITHOUT_ANSWER = "continue_without_answer"
    SUBMIT_FOR_ACCEPTANCE = "submit_for_acceptance"
    ACCEPT = "accept"
    TAKE_BACK = "take_back"
    WITHDRAW = "withdraw"
    CLOSE = "close"
    # A client's comment while the studio waits for an answer.
    ANSWER = "answer"


CLIENT = frozenset({"client"})
STAFF = frozenset({"developer", "manager"})
# The workflow itself, when a timer acts (automatic acceptance).
SYSTEM = "system"
OPEN = frozenset(s for s in Status if s.is_open)


@dataclass(frozen=True)
class Rule:
    sources: frozenset[Status]
    roles: frozenset[str]
    # None: decided by the request (take back) or the history (answer).
    target: Status | None
    # What the text of the action is called when it is required.
    requires: str = ""


TABLE: dict[Action, Rule] = {
    Action.START_WORK: Rule(frozenset({Status.QUEUED}), STAFF, Status.IN_PROGRESS),
    Action.RETURN_TO_QUEUE: Rule(frozenset({Status.IN_PROGRESS}), STAFF, Status.QUEUED),
    Action.ASK_CLARIFICATION: Rule(frozenset({Status.QUEUED, Status.IN_PROGRESS}), STAFF,
                                   Status.NEEDS_INFO, requires="question"),
    Action.ANSWER: Rule(frozenset({Status.NEEDS_INFO}), CLIENT, None),
    Action.CONTINUE_WITHOUT_ANSWER: Rule(frozenset({Status.NEEDS_INFO}), STAFF,
                                         Status.IN_PROGRESS),
    Action.SUBMIT_FOR_ACCEPTANCE: Rule(frozenset({Status.IN_PROGRESS}), STAFF,
                                       Status.AWAITING_ACCEPTANCE, requires="summary"),
    Action.ACCEPT: Rule(frozenset({Status.AWAITING_ACCEPTANCE}), CLIENT | {SYSTEM}, Status.DONE),
    Action.TAKE_BACK: Rule(frozenset({Status.AWAITING_ACCEPTANCE}), STAFF, None),
    Action.WITHDRAW: Rule(OPEN, CLIENT, Status.CANCELLED, requires="reason"),
    Action.CLOSE: Rule(OPEN, STAFF, Status.CANCELLED, requires="reason"),
}

TAKE_BACK_TARGETS = frozenset({Status.IN_PROGRESS, Status.QUEUED})
MAX_TEXT = 10_000


class TransitionRejected(Exception):
    """The action is not allowed now; `reason` is the ErrorInfo reason."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def allowed_actions(status: Status, role: str) -> list[Action]:
    """Actions `role` may take in `status`, in table order."""
    return [a for a, r in TABLE.items() if status in r.sources and role in r.roles]


def assignee_after(action: Action, role: str, person: str, assignee: str) -> str:
    """Who the ticket is assigned to once `person` (`users/{id}`, of `role`) has taken
    `action`, or "" when its assignee stays: «Взять в работу» on an unassigned ticket
    makes whoever starts the work its assignee. An API token is nobody to assign."""
    if (action is Action.START_WORK and role in STAFF and not assignee
            and person.startswith("users/")):
        return person
    return ""


def decide(status: Status, action: Action, role: str, *, text: str = "", rating: int = 0,
           target: Status | None = None, previous: Status | None = None) -> Status:
    """The status after `action`, or TransitionRejected. Changes nothing."""
    rule = TABLE[action]
    if not status.is_open:
        raise TransitionRejected("TICKET_CLOSED", f"the ticket is {status.value}")
    if role not in rule.roles:
        raise TransitionRejected("ROLE_NOT_ALLOWED", f"{role} may not {action.value}")
    if status not in rule.sources:
        raise TransitionRejected("INVALID_TRANSITION",
                                 f"cannot {action.value} a ticket that is {status.value}")
    if rule.requires and not text.strip():
        raise TransitionRejected("TEXT_REQUIRED", f"a {rule.requires} is required")
    if len(text) > MAX_TEXT:
        raise TransitionRejected("TEXT_TOO_LONG", f"the text exceeds {MAX_TEXT} characters")
    if action is Action.ACCEPT and not 0 <= rating <= 5:
        raise TransitionRejected("INVALID_RATING", "the rating must be from 1 to 5")
    if action is Action.TAKE_BACK:
        target = target or Status.IN_PROGRESS
        if target not in TAKE_BACK_TARGETS:
            raise TransitionRejected("INVALID_TARGET", "take back to in_progress or queued")
        return target
    if action is Action.ANSWER:
        return previous if previous in (Status.QUEUED, Status.IN_PROGRESS) else Status.QUEUED
    assert rule.target is not None
    return rule.target


def targets(action: Action) -> list[Status]:
    """The statuses `action` can lead to, the default first; empty when the ticket's
    history decides (the answer to a question)."""
    if action is Action.TAKE_BACK:
        return [Status.IN_PROGRESS, *sorted(TAKE_BACK_TARGETS - {Status.IN_PROGRESS})]
    target = TABLE[action].target
    return [target] if target else []
