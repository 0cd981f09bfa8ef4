"""Messages both of the worker's packages know: who acted, and the notice the ticket
workflow hands the notify activity. Here rather than in `ticket/`, so that `notify/`
needs nothing of the package that runs it (no import cycle). Small dataclasses, safe to
pass through the sandbox."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Actor:
    subject: str  # users/{id}, apiTokens/{id}; empty for the workflow itself
    role: str  # client | developer | manager
    display_name: str = ""


@dataclass
class Notice:
    """Activity input: something people must hear about (e-mail and the bell)."""

    kind: str  # ticket_created, status_changed, comment, internal_note, remarks,
    #            reminder, sla_warning, sla_breach, auto_accepted
    number: int
    event_id: str
    actor: Actor | None = None
    from_status: str = ""
    to_status: str = ""
    text: str = ""
    comment: str = ""
