"""Recent: another service's answers trusted for the ttl, failures never kept."""

from __future__ import annotations

import asyncio

import pytest

from services.common.server.recent import Recent


class Loads:
    def __init__(self):
        self.count = 0

    async def __call__(self) -> int:
        self.count += 1
        return self.count


async def test_an_answer_is_kept_for_the_ttl_then_asked_again():
    recent, load = Recent(ttl=0.2), Loads()
    assert [await recent.get("a", load) for _ in range(3)] == [1, 1, 1]
    assert await recent.get("b", load) == 2  # each key its own
    await asyncio.sleep(0.25)
    assert await recent.get("a", load) == 3


async def test_no_ttl_keeps_nothing():
    recent, load = Recent(ttl=0), Loads()
    assert [await recent.get("a", load) for _ in range(3)] == [1, 2, 3]


async def test_a_failed_lookup_is_not_kept():
    recent, load = Recent(ttl=60), Loads()

    async def failing() -> int:
        raise LookupError("away")

    with pytest.raises(LookupError):
        await recent.get("a", failing)
    assert await recent.get("a", load) == 1


async def test_a_full_cache_starts_again():
    recent, load = Recent(ttl=60, max_entries=2), Loads()
    for key in "abc":
        await recent.get(key, load)
    assert await recent.get("a", load) == 4  # dropped when "c" came in
