"""Answers of another service trusted for a few seconds (TICKETDESK_AUTH_CACHE_SECONDS):
a resolved token, an organization, a user. A failed lookup is not kept."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Recent(Generic[K, V]):
    def __init__(self, ttl: float, max_entries: int = 10_000):
        self._ttl, self._max = ttl, max_entries
        self._kept: dict[K, tuple[float, V]] = {}

    async def get(self, key: K, load: Callable[[], Awaitable[V]]) -> V:
        """The value kept for `key` if younger than the ttl, else `load()`'s (kept)."""
        if self._ttl <= 0:
            return await load()
        now = time.monotonic()
        hit = self._kept.get(key)
        if hit and now - hit[0] < self._ttl:
            return hit[1]
        value = await load()
        if len(self._kept) >= self._max:
            self._kept.clear()
        self._kept[key] = (now, value)
        return value
