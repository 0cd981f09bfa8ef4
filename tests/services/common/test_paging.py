"""One page-token scheme (services/common/server/paging.py): a token moves the position
only, for the caller and the query it was issued for; anything else is refused with
INVALID_PAGE_TOKEN."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest

from services.common.server.errors import ApiError
from services.common.server.paging import (MAX_OFFSET, encode, next_page_token,
                                           offset_position, page_request, strings,
                                           time_and_id)
from services.common.server.principal import Principal, Role, current_principal


@pytest.fixture
def as_alice():
    token = current_principal.set(Principal("users/alice", Role.CLIENT, "organizations/a"))
    yield
    current_principal.reset(token)


def refused(call) -> str:
    with pytest.raises(ApiError) as error:
        call()
    [bad] = error.value.violations
    return f"{bad.field} {bad.reason_name}"


def forged(position: list, query: str) -> str:
    data = json.dumps({"a": position, "q": query}).encode()
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def test_keyset_pages_resume_after_the_last_row(as_alice):
    first = page_request(2, "", ["files", "tickets/1"], parse=time_and_id)
    rows = [(datetime(2026, 1, d, tzinfo=UTC), f"id{d}") for d in (1, 2, 3)]
    token = next_page_token(first, rows, lambda r: r)
    second = page_request(2, token, ["files", "tickets/1"], parse=time_and_id)
    assert second.after == rows[1]
    assert next_page_token(second, rows[:2], lambda r: r) == ""


def test_naive_times_from_sqlite_are_sent_as_utc(as_alice):
    page = page_request(1, "", ["q"], parse=time_and_id)
    token = next_page_token(page, [(datetime(2026, 1, 1), "x"), (None, "y")], lambda r: r)
    assert page_request(1, token, ["q"], parse=time_and_id).after[0].tzinfo == UTC


def test_offset_pages(as_alice):
    page = page_request(50, "", ["tickets"], parse=offset_position)
    assert page.offset == 0
    following = page_request(50, page.offset_token(more=True), ["tickets"],
                             parse=offset_position)
    assert following.offset == 50
    assert page.offset_token(more=False) == ""


def test_a_token_of_another_query_or_caller_is_refused(as_alice):
    token = page_request(10, "", ["tickets", "queued"], parse=offset_position).offset_token(True)
    assert refused(lambda: page_request(10, token, ["tickets", "done"],
                                        parse=offset_position)) == "page_token INVALID_PAGE_TOKEN"
    current_principal.set(Principal("users/bob", Role.CLIENT, "organizations/a"))
    assert refused(lambda: page_request(10, token, ["tickets", "queued"],
                                        parse=offset_position)) == "page_token INVALID_PAGE_TOKEN"


@pytest.mark.parametrize("position", [
    [-1], [MAX_OFFSET + 1], [True], ["12"], [1, 2], [], ["a\x00b"], [1.5]])
def test_forged_offsets_are_refused(as_alice, position):
    query = page_request(10, "", ["tickets"]).query
    assert refused(lambda: page_request(10, forged(position, query), ["tickets"],
                                        parse=offset_position)) == "page_token INVALID_PAGE_TOKEN"


@pytest.mark.parametrize("token", ["not base64!", "e30", forged(["2026-01-01T00:00:00", "x"], "")])
def test_garbage_and_times_without_offset_are_refused(as_alice, token):
    assert refused(lambda: page_request(10, token, [], parse=time_and_id)) \
        == "page_token INVALID_PAGE_TOKEN"


def test_positions_of_the_wrong_shape_are_refused(as_alice):
    query = page_request(10, "", ["users"]).query
    assert refused(lambda: page_request(10, forged(["a"], query), ["users"],
                                        parse=strings(2))) == "page_token INVALID_PAGE_TOKEN"


def test_a_negative_page_size_is_out_of_range(as_alice):
    assert refused(lambda: page_request(-1, "", [])) == "page_size OUT_OF_RANGE"


def test_sizes_default_and_cap(as_alice):
    assert page_request(0, "", [], default_size=20).size == 20
    assert page_request(10_000, "", [], max_size=100).size == 100


def test_encode_is_what_page_request_reads(as_alice):
    query = page_request(5, "", ["x"]).query
    assert page_request(5, encode((7,), query), ["x"], parse=offset_position).offset == 7
