"""What a ticket's timers follow: the studio's calendar, periods and SLA targets.

Loaded by an activity (managers edit it), passed to the workflow as plain data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Business hours, by priority (docs/PRODUCT.md: first response 1/4/8/16 h).
FIRST_RESPONSE_HOURS = {"critical": 1.0, "high": 4.0, "normal": 8.0, "low": 16.0}
RESOLUTION_HOURS = {"critical": 9.0, "high": 27.0, "normal": 45.0, "low": 90.0}


@dataclass
class Policy:
    calendar: dict = field(default_factory=dict)  # BusinessCalendar.to_dict(); {} = default
    reminder_business_days: float = 2.0
    # 0 switches automatic acceptance off (per organization).
    auto_accept_business_days: float = 10.0
    first_response_hours: dict[str, float] = field(
        default_factory=lambda: dict(FIRST_RESPONSE_HOURS))
    resolution_hours: dict[str, float] = field(default_factory=lambda: dict(RESOLUTION_HOURS))
    # A warning goes to the studio when this share of a target is used up.
    sla_warning_fraction: float = 0.8
