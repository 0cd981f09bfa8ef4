"""Checks of client input; each problem names its field (BadRequest)."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import date, datetime
from urllib.parse import urlparse
from collections.abc import Callable
from zoneinfo import ZoneInfo

import grpc

from services.common.server.errors import ApiError, invalid, not_found

MAX_TITLE = 200
MAX_DESCRIPTION = 20_000
MAX_COMMENT = 10_000
MAX_PAGE = 100
MAX_REQUEST_ID = 64
MAX_QUERY = 200


def ticket_number(name: str, field: str = "name") -> int:
    prefix, _, number = name.partition("/")
    # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
    if prefix != "tickets" or not (number.isascii() and number.isdigit()) or len(number) > 12:
        raise invalid([(field, "must look like tickets/{number}")])
    return int(number)


def site_id(name: str, field: str = "site") -> tuple[str, str]:
    """`organizations/{org}/sites/{site}` → (organizations/{org}, site id)."""
    parts = name.split("/")
    if len(parts) != 4 or parts[0] != "organizations" or parts[2] != "sites":
        raise invalid([(field, "must look like organizations/{organization}/sites/{site}")])
    return f"organizations/{parts[1]}", parts[3]


def organization(name: str, field: str) -> str:
    parts = name.split("/")
    if len(parts) != 2 or parts[0] != "organizations" or not parts[1]:
        raise invalid([(field, "must look like organizations/{organization}")])
    return name


def user(name: str, field: str) -> str:
    """`users/{user}`, or empty."""
    if name and not (name.startswith("users/") and 6 < len(name) <= 64 and name.count("/") == 1):
        raise invalid([(field, "must look like users/{user}")])
    return name


def request_id(value: str, field: str = "request_id") -> str:
    """AIP-155: a client-chosen key (a UUID is best), printable, at most 64 characters."""
    if len(value) > MAX_REQUEST_ID or not value.isprintable():
        raise invalid([(field, f"must be at most {MAX_REQUEST_ID} printable characters")])
    return value


def choices(values, known: dict, field: str, names: str) -> list:
    """Enum values of a repeated filter, each one known."""
    if unknown := [v for v in values if v not in known]:
        raise invalid([(field, f"unknown value {unknown[0]}; must be {names}")])
    return [known[v] for v in values]


def text(value: str, field: str, limit: int, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        return _fail(field, "is required")
    if len(value) > limit:
        return _fail(field, f"must be at most {limit} characters")
    if "\x00" in value:
        return _fail(field, "must not contain NUL characters")
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
            problems.extend(error.field_violations)
    if problems:
        raise invalid(problems)
    return values


def _fail(field: str, problem: str):
    raise invalid([(field, problem)])


def parse_date(value: str, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise invalid([(field, "must be a date YYYY-MM-DD")]) from None


def not_before_today(value: date | None, field: str, timezone: str) -> date | None:
    if value is not None and value < datetime.now(ZoneInfo(timezone)).date():
        raise invalid([(field, "must be today or later")])
    return value


def url(value: str, field: str) -> str:
    value = value.strip()
    parsed = urlparse(value)
    if (parsed.scheme not in ("http", "https") or not parsed.netloc or len(value) > 2048
            or "\x00" in value):
        raise invalid([(field, "must be an http(s) URL")])
    return value


def page_size(value: int, default: int = 50) -> int:
    if value < 0:
        raise invalid([("page_size", "must not be negative")])
    return min(value or default, MAX_PAGE)


def page_token_offset(token: str, fingerprint: str) -> int:
    """Page tokens are opaque and bound to the query they came from."""
    if not token:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        offset = int(data["o"])
        # Bounded: a forged huge offset overflows the database's integer (not our tokens).
        assert data["f"] == fingerprint and 0 <= offset <= 10**9
        return offset
    except Exception:
        raise invalid([("page_token", "is not valid for this query")]) from None


def page_token(offset: int, fingerprint: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset, "f": fingerprint}).encode()).decode()


def fingerprint(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


__all__ = ["not_found"]
