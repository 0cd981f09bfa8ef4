"""Page tokens (AIP-158), one scheme for every List method of every service.

A token is opaque to callers: the position where the next page starts (the sort key of
the last row sent, or an offset) and a digest of the query it was issued for (the
caller, the method, the filter and the order). A token only moves the position; the
filter always comes from the request and the caller's rights, so a crafted token can
never widen what a caller sees, and a token of another caller or query is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from services.common.server.errors import bad_field, violation, invalid
from services.common.server.principal import caller
from ticketdesk.errors.v1 import errors_pb2 as reasons

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# A position value: offsets beyond this are not ours (and overflow a database integer).
MAX_OFFSET = 10**9

T = TypeVar("T")
Position = tuple[Any, ...]


@dataclass(frozen=True)
class Page:
    after: Position | None  # None: the first page
    size: int
    query: str  # digest of the query the tokens of this page are bound to

    @property
    def offset(self) -> int:
        """For offset paging (`after` is `(offset,)`): rows to skip."""
        return int(self.after[0]) if self.after else 0

    def offset_token(self, more: bool) -> str:
        """The next page's token for offset paging; empty when there is no more."""
        return encode((self.offset + self.size,), self.query) if more else ""


def page_request(page_size: int, page_token: str, query: Sequence[Any], *,
                 parse: Callable[[Position], Position] = lambda after: after,
                 default_size: int = DEFAULT_PAGE_SIZE,
                 max_size: int = MAX_PAGE_SIZE) -> Page:
    """The page a List request asks for. `query`: what the result depends on besides the
    caller (method, filter, order); `parse` turns the token's JSON values back into the
    sort key's types and raises ValueError for a position that cannot be ours."""
    if page_size < 0:
        raise bad_field("page_size", reasons.OUT_OF_RANGE, "must not be negative",
                        min=0, max=max_size)
    size = min(page_size or default_size, max_size)
    digest = _digest([caller().subject, *query])
    if not page_token:
        return Page(None, size, digest)
    return Page(decode(page_token, digest, parse), size, digest)


def decode(token: str, digest: str, parse: Callable[[Position], Position],
           field: str = "page_token") -> Position:
    """The position a token carries; INVALID_ARGUMENT on `field` for a token not issued
    for this caller and query."""
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode() + b"=="))
        after, issued_for = tuple(data["a"]), data["q"]
        if not after or not all(_plain(v) for v in after):
            raise ValueError("bad position")
        after = parse(after)
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise _bad_token(field, "is not a token this service issued") from None
    if issued_for != digest:
        raise _bad_token(field, "belongs to another caller or to a request with other filters")
    return after


class Cursor:
    """A stream's cursors (AIP-158's tokens, for a stream that resumes): the id of the last
    item received, bound to the caller and `query` like a page token."""

    def __init__(self, *query: object):
        self._digest = _digest([caller().subject, *query])

    def after(self, cursor: str, field: str = "cursor") -> int | None:
        """The id to resume after; None for an empty cursor."""
        return decode(cursor, self._digest, _row_id, field)[0] if cursor else None

    def of(self, row_id: int) -> str:
        return encode((row_id,), self._digest)


def _row_id(after: Position) -> Position:
    if len(after) != 1 or not isinstance(after[0], int) or isinstance(after[0], bool) \
            or not 0 <= after[0] < 2**63:
        raise ValueError("bad id")
    return after


def offset_position(after: Position) -> Position:
    """`parse` for offset paging."""
    if len(after) != 1 or not isinstance(after[0], int) or isinstance(after[0], bool) \
            or not 0 <= after[0] <= MAX_OFFSET:
        raise ValueError("bad offset")
    return after


def time_and_id(after: Position) -> Position:
    """`parse` for keyset paging by (create_time, id); the time is always aware (ours are)."""
    if len(after) != 2 or not all(isinstance(v, str) for v in after):
        raise ValueError("bad position")
    moment = datetime.fromisoformat(after[0])
    if moment.tzinfo is None:
        raise ValueError("a position's time has its offset")
    return moment, after[1]


def strings(count: int) -> Callable[[Position], Position]:
    """`parse` for keyset paging by `count` text columns."""
    def parse(after: Position) -> Position:
        if len(after) != count or not all(isinstance(v, str) for v in after):
            raise ValueError("bad position")
        return after
    return parse


def next_page_token(page: Page, rows: Sequence[T], key: Callable[[T], Position]) -> str:
    """Keyset paging: empty when `rows` (fetched with limit size + 1) held no further
    page, else a token positioned after the last row sent."""
    if len(rows) <= page.size:
        return ""
    return encode(key(rows[page.size - 1]), page.query)


def encode(position: Position, query: str) -> str:
    values = [_plain_value(v) for v in position]
    data = json.dumps({"a": values, "q": query})
    return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")


def _plain_value(value: Any) -> Any:
    """A sort key's value as JSON: times in ISO 8601 with their offset (SQLite hands back
    naive UTC times)."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    return value.isoformat() if hasattr(value, "isoformat") else value


def _plain(value: Any) -> bool:
    # NUL: PostgreSQL refuses it in text with an error (a forged token, not ours).
    if isinstance(value, str):
        return "\x00" not in value and len(value) <= 512
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) <= MAX_OFFSET


def _digest(query: Sequence[Any]) -> str:
    return hashlib.sha256(json.dumps(list(query), default=str).encode()).hexdigest()[:16]


def _bad_token(field: str, description: str):
    return invalid([violation(field, reasons.INVALID_PAGE_TOKEN, description)])
