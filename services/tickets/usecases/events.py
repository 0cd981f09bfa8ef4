"""WatchTicketEvents: the events a caller may see, from a cursor on, as they are written.

A watcher reads what is there, then waits for the next write of this process (the bell)
and looks again every second for what other replicas write."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import async_sessionmaker

from services.common.server.principal import Principal
from services.tickets.store import events as store
from services.tickets.store import tickets as tickets_store

RECHECK_SECONDS = 1.0
BATCH = 100


class Bell:
    """Rung when events were committed; a waiter takes its turn before it reads, so a ring
    between its read and its wait is not lost."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def ring(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    def turn(self) -> asyncio.Event:
        return self._event


class Events:
    def __init__(self, sessions: async_sessionmaker, bell: Bell):
        self._sessions, self._bell = sessions, bell

    async def start(self, principal: Principal, number: int | None, after_id: int | None,
                    from_beginning: bool = False) -> int:
        """Where a watch begins: after its cursor's event; without one, at the first event
        or after the last written. A ticket the caller may not see is NOT_FOUND, like a
        missing one."""
        async with self._sessions() as session:
            if number is not None:
                await tickets_store.visible_ticket(session, principal, number)
            if after_id is not None or from_beginning:
                return after_id or 0
            return await store.last_id(session)

    async def watch(self, principal: Principal, after_id: int,
                    number: int | None) -> AsyncIterator[store.Event]:
        while True:
            turn = self._bell.turn()
            async with self._sessions() as session:
                found = await store.after(session, principal, after_id, number, BATCH)
            for event in found:
                yield event
                after_id = event.id
            if len(found) < BATCH:
                try:
                    await asyncio.wait_for(turn.wait(), RECHECK_SECONDS)
                except TimeoutError:
                    pass
