"""Checks of what the worker sends to the notices outbox and asks of it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from services.common.server.errors import bad_field
from services.tickets.store import outbox
from services.tickets.validation import given, printable, ticket_number, without_nul
from ticketdesk.errors.v1 import errors_pb2 as reasons

# A notice's details as the outbox keeps them (the proto's fields after these three).
NOTICE_DETAILS = ("actor", "actor_role", "actor_display_name", "from_status", "to_status",
                  "text", "comment")
MAX_NOTICES = 500


def notices(given_notices: Iterable, field: str = "notices") -> list[outbox.Notice]:
    """The workflow's notices for the outbox (the columns' limits, no NUL)."""
    found = list(given_notices)
    if len(found) > MAX_NOTICES:
        raise bad_field(field, reasons.TOO_LONG, f"at most {MAX_NOTICES} notices at once")
    checked = []
    for notice in found:
        details = {name: getattr(notice, name) for name in NOTICE_DETAILS
                   if getattr(notice, name)}
        without_nul(details.values(), f"{field}.text")
        checked.append(outbox.Notice(
            event_id=printable(given(notice.event_id, f"{field}.event_id"),
                               f"{field}.event_id", 64),
            number=ticket_number(notice.ticket, f"{field}.ticket"),
            kind=printable(given(notice.kind, f"{field}.kind"), f"{field}.kind", 32),
            details=details))
    return checked


def claim(request) -> outbox.Claim:
    """ClaimNoticesRequest's bounds: how many, the lease, the waits."""
    if not 1 <= request.max_notices <= MAX_NOTICES:
        raise bad_field("max_notices", reasons.MALFORMED, f"must be 1-{MAX_NOTICES}")
    bounds = {"lease": (1, 3600), "wait": (0, 60), "gather": (0, 5)}
    seconds = {}
    for name, (low, high) in bounds.items():
        value = getattr(request, name).ToTimedelta().total_seconds()
        if not low <= value <= high:
            raise bad_field(name, reasons.MALFORMED, f"must be {low}-{high} seconds")
        seconds[name] = value
    return outbox.Claim(limit=request.max_notices, lease=timedelta(seconds=seconds["lease"]),
                 wait=seconds["wait"], gather=seconds["gather"])


def ids(names: Iterable[str]) -> list[int]:
    """`notices/{id}` as ClaimNotices named them."""
    ids = []
    for name in names:
        prefix, _, number = name.partition("/")
        if prefix != "notices" or not (number.isascii() and number.isdigit()) or len(number) > 18:
            raise bad_field("names", reasons.MALFORMED, "must look like notices/{id}")
        ids.append(int(number))
    return ids
