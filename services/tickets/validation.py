"""Checks of what callers send; each problem is a Violation with its FieldReason."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from services.common.server.errors import ApiError, Violation, bad_field, invalid, violation
from services.common.server.principal import Principal, Role
from services.tickets import convert
from services.tickets.store.listing import TicketFilter
from services.tickets.store.tickets import NewTicket
from ticketdesk.errors.v1 import errors_pb2 as reasons
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket.rules import Action

MAX_TITLE = 200
MAX_DESCRIPTION = 20_000
MAX_COMMENT = 10_000
MAX_REQUEST_ID = 64
# A comment's id as the store makes them (uuid4 hex), in the files service's alphabet.
COMMENT_ID = re.compile(r"[A-Za-z0-9._~-]{1,64}")
MAX_QUERY = 200
MAX_URL = 2048
MAX_DISPLAY_NAME = 200
MAX_ESTIMATE_HOURS = 10_000


def ticket_number(name: str, field: str = "name") -> int:
    prefix, _, number = name.partition("/")
    # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
    if prefix != "tickets" or not (number.isascii() and number.isdigit()) or len(number) > 12:
        raise bad_field(field, reasons.MALFORMED, "must look like tickets/{number}")
    return int(number)


def comment_id(name: str, field: str = "name") -> tuple[int, str]:
    """`tickets/{number}/comments/{comment}` → (number, comment id)."""
    ticket, marker, comment = name.partition("/comments/")
    if not marker or not COMMENT_ID.fullmatch(comment):
        raise bad_field(field, reasons.MALFORMED,
                        "must look like tickets/{number}/comments/{comment}")
    return ticket_number(ticket, field), comment


def site_id(name: str, field: str = "site") -> tuple[str, str]:
    """`organizations/{org}/sites/{site}` → (organizations/{org}, site id)."""
    parts = name.split("/")
    if len(parts) != 4 or parts[0] != "organizations" or parts[2] != "sites" \
            or not parts[1] or not parts[3]:
        raise bad_field(field, reasons.MALFORMED,
                        "must look like organizations/{organization}/sites/{site}")
    return f"organizations/{parts[1]}", parts[3]


def organization(name: str, field: str) -> str:
    parts = given(name, field).split("/")
    if len(parts) != 2 or parts[0] != "organizations" or not parts[1]:
        raise bad_field(field, reasons.MALFORMED, "must look like organizations/{organization}")
    return name


def user(name: str, field: str) -> str:
    """`users/{user}`, or empty."""
    if name and not (name.startswith("users/") and 6 < len(name) <= 64 and name.count("/") == 1):
        raise bad_field(field, reasons.MALFORMED, "must look like users/{user}")
    return name


def request_id(value: str, field: str = "request_id") -> str:
    """AIP-155: a client-chosen key (a UUID is best), printable, at most 64 characters."""
    return printable(value, field, MAX_REQUEST_ID)


def printable(value: str, field: str, limit: int) -> str:
    """A key or code: at most `limit` printable characters (the column's limit)."""
    at_most(value, field, limit)
    if not value.isprintable():
        raise bad_field(field, reasons.INVALID_CHARACTERS, "must be printable characters")
    return value


def given(value: str, field: str) -> str:
    """A value that must not be empty."""
    if not value:
        raise bad_field(field, reasons.REQUIRED, "is required")
    return value


def choices(values: Iterable[int], known: dict, field: str, names: str) -> list:
    """Enum values of a repeated filter, each one known."""
    if unknown := [v for v in values if v not in known]:
        raise bad_field(field, reasons.MALFORMED, f"unknown value {unknown[0]}; must be {names}")
    return [known[v] for v in values]


def choice(value: int, known: dict, field: str, names: str):
    """One enum value, known (unspecified is not)."""
    return choices([value], known, field, names)[0]


def action(value: int, field: str = "action") -> Action:
    """An action a caller takes; a client's answer is a comment, not an action."""
    if value == pb.ACTION_ANSWER:
        raise bad_field(field, reasons.ANSWER_BY_COMMENT, "a client answers by adding a comment")
    if value == pb.ACTION_UNSPECIFIED:
        raise bad_field(field, reasons.REQUIRED, "is required")
    return choice(value, convert.ACTION_FROM_PROTO, field, "a known action")


def text(value: str, field: str, limit: int, required: bool = True) -> str:
    value = given(value.strip(), field) if required else value.strip()
    at_most(value, field, limit)
    without_nul([value], field)
    return value


def at_most(value: str, field: str, limit: int) -> None:
    if len(value) > limit:
        raise bad_field(field, reasons.TOO_LONG, f"must be at most {limit} characters",
                        maxLength=limit)


def without_nul(values: Iterable[str], field: str) -> None:
    """PostgreSQL refuses NUL in text with an error (not as a mismatch): refuse it first."""
    if any("\x00" in value for value in values):
        raise bad_field(field, reasons.INVALID_CHARACTERS, "must not contain NUL characters")


def in_range(value: float, field: str, low: float, high: float) -> float:
    if not low <= value <= high:  # also refuses NaN
        raise invalid([_out_of_range(field, low, high)])
    return value


def all_of(**checks: Callable[[], object]) -> dict[str, object]:
    """Run every check; one INVALID_ARGUMENT naming every bad field, else the values."""
    values, problems = {}, []
    for key, run in checks.items():
        try:
            values[key] = run()
        except ApiError as error:
            if error.code != grpc.StatusCode.INVALID_ARGUMENT:
                raise
            problems.extend(error.violations)
    if problems:
        raise invalid(problems)
    return values


def parse_date(value: str, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise bad_field(field, reasons.NOT_A_DATE, "must be a date YYYY-MM-DD") from None


def not_before(today: date, value: date | None, field: str) -> date | None:
    """`today`: in the studio's time zone."""
    if value is not None and value < today:
        raise bad_field(field, reasons.DATE_IN_PAST, "must be today or later")
    return value


def desired_date(value: str, field: str, today: date) -> date | None:
    return not_before(today, parse_date(value, field), field)


def url(value: str, field: str) -> str:
    value = value.strip()
    at_most(value, field, MAX_URL)
    without_nul([value], field)
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise bad_field(field, reasons.NOT_A_URL, "must be an http(s) URL")
    return value


def update_mask(paths: Iterable[str], updatable: Iterable[str]) -> set[str]:
    """The fields an update names, each one that can be changed."""
    named = set(paths)
    if not named:
        raise bad_field("update_mask", reasons.REQUIRED, "name the fields to change")
    if unknown := sorted(named - set(updatable)):
        raise bad_field("update_mask", reasons.NOT_UPDATABLE,
                        f"{', '.join(unknown)} cannot be changed")
    return named


def priority(value: int, field: str, default: str | None = "normal") -> str:
    """A priority of the request: unspecified is `default` (None: required)."""
    if value == pb.PRIORITY_UNSPECIFIED:
        return default or given("", field)
    return choice(value, convert.PRIORITY_FROM_PROTO, field, "low, normal, high or critical")


def due_time(stamp: Timestamp, field: str) -> datetime | None:
    """A moment the workflow sends; unset: none."""
    if not (stamp.seconds or stamp.nanos):
        return None
    try:
        return stamp.ToDatetime(tzinfo=UTC)
    except ValueError:  # seconds or nanos out of Timestamp's range
        raise bad_field(field, reasons.MALFORMED, "must be a valid time") from None


def ticket_filter(request: pb.ListTicketsRequest) -> TicketFilter:
    """The list's filters, each checked; a client's filters narrow its own organization."""
    if request.assignee and request.unassigned_only:
        raise bad_field("unassigned_only", reasons.MALFORMED,
                        "filters by no assignee: not with `assignee`")
    return TicketFilter(
        statuses=[s.value for s in choices(
            request.statuses, convert.STATUS_FROM_PROTO, "statuses", "a known status")],
        site_id=site_id(request.site, "site")[1] if request.site else "",
        priorities=choices(request.priorities, convert.PRIORITY_FROM_PROTO,
                           "priorities", "low, normal, high or critical"),
        assignee=user(request.assignee, "assignee"),
        unassigned_only=request.unassigned_only,
        organization=organization(request.organization, "organization")
        if request.organization else "",
        query=text(request.query, "query", MAX_QUERY, required=False),
        sla_breached_only=request.sla_breached_only)


def new_ticket(principal: Principal, request: pb.CreateTicketRequest, today: date) -> NewTicket:
    """CreateTicket's fields, every problem at once; the site and the contact as given (the
    use case chooses and looks them up)."""
    t = request.ticket
    fields = all_of(
        organization=lambda: (principal.organization if principal.role is Role.CLIENT
                              else organization(t.organization, "ticket.organization")),
        site=lambda: site_id(t.site, "ticket.site") if t.site else ("", ""),
        title=lambda: text(t.title, "ticket.title", MAX_TITLE),
        description=lambda: text(t.description, "ticket.description", MAX_DESCRIPTION),
        contact=lambda: user(t.contact.user, "ticket.contact.user"),
        desired_date=lambda: desired_date(t.desired_date, "ticket.desired_date", today),
        priority=lambda: priority(t.priority, "ticket.priority"),
        request_id=lambda: own_request_id(principal, request.request_id))
    site_organization, site = fields["site"]
    if site and site_organization != fields["organization"]:
        raise bad_field("ticket.site", reasons.NOT_ORGANIZATION_SITE,
                        "is not a site of the ticket's organization")
    return NewTicket(
        organization=fields["organization"], site_id=site, title=fields["title"],
        description=fields["description"], priority=fields["priority"],
        desired_date=fields["desired_date"], contact={"user": fields["contact"]},
        request_id=fields["request_id"])


def own_request_id(principal: Principal, value: str) -> str | None:
    """Request ids are the caller's own: another caller's equal id is another request."""
    return f"{principal.subject}:{request_id(value)}" if value else None


_HHMM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def studio_settings(data: dict) -> None:
    """The studio's settings document as a whole: INVALID_ARGUMENT naming each bad field."""
    calendar = data["calendar"]
    problems = [*_calendar(calendar), *_working_days(calendar)]
    for field in convert.HOURS_FIELDS:
        problems += _hours(f"settings.{field}", data[field])
    if not 0 <= data["reminder_business_days"] <= 365:
        problems.append(_out_of_range("settings.reminder_business_days", 0, 365))
    if not 0 < data["sla_warning_fraction"] < 1:  # a share of the target, both ends out
        problems.append(_out_of_range("settings.sla_warning_fraction", 0, 1))
    if problems:
        raise invalid(problems)


def _calendar(calendar: dict) -> list[Violation]:
    problems = []
    try:
        ZoneInfo(calendar["timezone"])
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        problems.append(violation("settings.timezone", reasons.UNKNOWN_TIME_ZONE,
                                  "must be an IANA time zone"))
    times = [f for f in ("opens", "closes") if not _HHMM.fullmatch(calendar[f])]
    problems += [violation(f"settings.{f}", reasons.NOT_A_TIME, "must be a time HH:MM")
                 for f in times]
    if not times and calendar["opens"] >= calendar["closes"]:
        problems.append(violation("settings.opens", reasons.OPENS_AFTER_CLOSES,
                                  "must be before the closing time"))
    return problems


def _working_days(calendar: dict) -> list[Violation]:
    problems = []
    if any(type(d) is not int or not 0 <= d <= 6 for d in calendar["weekdays"]):
        problems.append(_out_of_range("settings.weekdays", 0, 6))  # Monday = 0
    elif not calendar["weekdays"] and not calendar["workdays"]:
        problems.append(violation("settings.weekdays", reasons.NO_WORKING_DAYS,
                                  "no working weekday is left"))
    for field in ("holidays", "workdays"):
        if not all(_is_date(d) for d in calendar[field]):
            problems.append(violation(f"settings.{field}", reasons.NOT_A_DATE,
                                      "must be dates YYYY-MM-DD"))
    if both := sorted(set(calendar["holidays"]) & set(calendar["workdays"])):
        problems.append(violation("settings.workdays", reasons.HOLIDAY_AND_WORKDAY,
                                  f"{both[0]} is also a holiday", date=both[0]))
    return problems


def _is_date(value: str) -> bool:
    try:
        return bool(_ISO_DATE.fullmatch(value)) and bool(date.fromisoformat(value))
    except ValueError:
        return False


def _hours(field: str, hours: dict[str, float]) -> list[Violation]:
    if set(hours) - set(convert.PRIORITIES):
        return [violation(field, reasons.MALFORMED, "keys are low, normal, high, critical")]
    if not all(0 <= h <= MAX_ESTIMATE_HOURS for h in hours.values()):
        return [_out_of_range(field, 0, MAX_ESTIMATE_HOURS)]
    return []


def _out_of_range(field: str, low: float, high: float) -> Violation:
    return violation(field, reasons.OUT_OF_RANGE, f"must be from {low:g} to {high:g}",
                     min=f"{low:g}", max=f"{high:g}")

