"""Opaque page tokens (AIP-158): a keyset position bound to the request's filter.

A token only moves the position; the filter always comes from the request and the
caller's rights, so a crafted token can never widen what a caller sees.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from services.common.server.errors import invalid
from services.common.server.principal import caller

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200

T = TypeVar("T")


@dataclass(frozen=True)
class Page:
    after: tuple | None
    size: int
    query: str  # digest of the filter the token was issued for


def _digest(filter_: Sequence[Any]) -> str:
    return hashlib.sha256(json.dumps(list(filter_), default=str).encode()).hexdigest()[:16]


def page_request(page_size: int, page_token: str, filter_: Sequence[Any],
                 parse: Callable[[tuple], tuple] = lambda after: after) -> Page:
    """`parse` turns the token's strings back into the sort key's types."""
    if page_size < 0:
        raise invalid([("page_size", "must not be negative")])
    size = min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    query = _digest([caller().subject, *filter_])  # another caller's token is refused
    if not page_token:
        return Page(None, size, query)
    try:
        data = json.loads(base64.urlsafe_b64decode(page_token.encode() + b"=="))
        after, issued_for = tuple(data["a"]), data["q"]
        # NUL: PostgreSQL refuses it in text with an error (a forged token, not ours).
        if len(after) != 2 or not all(isinstance(v, str) and "\x00" not in v for v in after):
            raise ValueError("bad position")
        after = parse(after)
    except (ValueError, KeyError, TypeError):
        raise invalid([("page_token", "is not a token this service issued")]) from None
    if issued_for != query:
        raise invalid([("page_token", "belongs to a request with other filters")])
    return Page(after, size, query)


def next_page_token(page: Page, rows: list[T], key: Callable[[T], tuple]) -> str:
    """Empty when `rows` (fetched with limit size + 1) held no further page."""
    if len(rows) <= page.size:
        return ""
    last = [v.isoformat() if hasattr(v, "isoformat") else v for v in key(rows[page.size - 1])]
    data = json.dumps({"a": last, "q": page.query})
    return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")
