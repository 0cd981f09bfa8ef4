"""The notices outbox for the dispatcher: notices written, claimed for a lease, completed.

A claim that finds nothing waits for the next notice this process writes (and looks
again every second for those other replicas write), then lets more gather briefly, so
that one batch carries what arrives close together."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy.ext.asyncio import async_sessionmaker

from services.tickets.store import outbox as store
from services.tickets.usecases.events import Bell
from services.tickets.usecases.tickets import Shown
from services.tickets.store import tickets as tickets_store

# Other replicas' notices are noticed within this.
RECHECK_SECONDS = 1.0


class Outbox:
    def __init__(self, sessions: async_sessionmaker, events: Bell | None = None):
        self._sessions = sessions
        self._written = asyncio.Event()
        self._events = events or Bell()

    def written(self) -> None:
        """Notices (and events) were committed: wake the claims and watches that wait."""
        self._written.set()
        self._events.ring()

    async def record(self, notices: list[store.Notice]) -> None:
        async with self._sessions() as session:
            await store.add(session, notices)
            await session.commit()
        if notices:
            self.written()

    async def claim(self, request: store.Claim) -> list[tuple[store.Claimed, Shown | None]]:
        """Each claimed notice with its ticket (None when the ticket is gone)."""
        deadline = time.monotonic() + request.wait
        while True:
            self._written.clear()
            claimed = await self._take(request)
            remaining = deadline - time.monotonic()
            if claimed or remaining <= 0:
                return claimed
            try:
                await asyncio.wait_for(self._written.wait(), min(remaining, RECHECK_SECONDS))
            except TimeoutError:
                continue
            await asyncio.sleep(min(request.gather, max(deadline - time.monotonic(), 0.0)))

    async def complete(self, ids: list[int]) -> None:
        async with self._sessions() as session:
            await store.complete(session, ids)
            await session.commit()

    async def _take(self, request: store.Claim) -> list[tuple[store.Claimed, Shown | None]]:
        async with self._sessions() as session:
            claimed = await store.claim(session, request.limit, request.lease)
            await session.commit()
            rows = await tickets_store.tickets_by_number(
                session, {c.notice.number for c in claimed})
            sites = await tickets_store.sites_by_id(
                session, {r.site_id for r in rows.values() if r.site_id})
            return [(c, Shown(row, sites.get(row.site_id or ""))
                     if (row := rows.get(c.notice.number)) else None) for c in claimed]
