"""The messages of WebhookWorkflow and its activities (dataclasses, as Temporal's samples)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class WebhookStarted:
    webhook: str  # its id
    after: int  # the last event (the events log's id) delivered in order
    max_attempts: int = 12  # of one delivery, then the webhook is turned off
    max_backoff_seconds: float = 300.0


@dataclass
class Poll:
    webhook: str
    after: int


@dataclass
class Batch:
    active: bool
    events: list[int] = field(default_factory=list)
    redeliveries: list[int] = field(default_factory=list)


@dataclass
class Delivery:
    webhook: str
    event: int


@dataclass
class Disable:
    webhook: str
    reason: str
