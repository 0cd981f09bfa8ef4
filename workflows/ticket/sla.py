"""The SLA clock of one ticket: business time in the studio's court.

It runs while the ticket is queued or in progress and pauses while the ticket
waits for the client (needs_info, awaiting_acceptance) and once it is closed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from workflows.ticket.calendar import BusinessCalendar
from workflows.ticket.policy import Policy
from workflows.ticket.rules import Status

RUNNING = frozenset({Status.QUEUED, Status.IN_PROGRESS})


@dataclass
class SlaClock:
    elapsed_seconds: float = 0.0
    running_since: str = ""  # ISO time; empty while paused
    responded: bool = False
    fired: list[str] = field(default_factory=list)

    def follow(self, status: Status, now: datetime, calendar: BusinessCalendar) -> None:
        """Run or pause the clock for the ticket's new status."""
        if status in RUNNING and not self.running_since:
            self.running_since = now.isoformat()
        elif status not in RUNNING and self.running_since:
            started = datetime.fromisoformat(self.running_since)
            self.elapsed_seconds += calendar.between(started, now).total_seconds()
            self.running_since = ""

    def deadlines(self, priority: str, policy: Policy,
                  calendar: BusinessCalendar) -> list[tuple[datetime, str]]:
        """(moment, event) of every SLA event still to come, while the clock runs."""
        if not self.running_since:
            return []
        start = datetime.fromisoformat(self.running_since)
        goals = [("resolution", policy.resolution_hours.get(priority, 0.0))]
        if not self.responded:
            goals.insert(0, ("first_response", policy.first_response_hours.get(priority, 0.0)))
        events = []
        for goal, hours in goals:
            if hours <= 0:
                continue
            for kind, share in (("warning", policy.sla_warning_fraction), ("breach", 1.0)):
                name = f"{goal}_{kind}"
                if name not in self.fired:
                    left = max(hours * 3600 * share - self.elapsed_seconds, 0.0)
                    events.append((calendar.add(start, timedelta(seconds=left)), name))
        return sorted(events)

    def due(self, priority: str, policy: Policy, calendar: BusinessCalendar) -> datetime | None:
        """The next breach moment (the operators' `SlaDueAt`)."""
        breaches = [m for m, name in self.deadlines(priority, policy, calendar)
                    if name.endswith("breach")]
        return breaches[0] if breaches else None
