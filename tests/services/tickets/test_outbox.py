"""The notices outbox on SQLite and PostgreSQL: written once per event, claimed oldest
first for a lease, claimed again when the lease ends, never by two claims at once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from services.tickets import models
from services.tickets.store import outbox
from services.tickets.store.outbox import Claim
from services.tickets.usecases.outbox import Outbox
from tests.services.tickets.store_support import engine, url  # noqa: F401 - fixtures


def notices(*events: str, number: int = 1) -> list[outbox.Notice]:
    return [outbox.Notice(event_id=e, number=number, kind="comment",
                          details={"actor": "users/a", "text": "Готово — проверьте"})
            for e in events]


async def written(engine) -> int:
    async with engine.connect() as connection:
        return (await connection.execute(
            select(func.count()).select_from(models.OutboxNotice))).scalar_one()


async def test_a_notice_is_written_once_and_keeps_its_details(engine):
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    async with sessions() as session:
        await outbox.add(session, notices("e1", "e2"))
        await session.commit()
    async with sessions() as session:  # a retried record repeats its notices
        await outbox.add(session, notices("e2", "e3"))
        await session.commit()
        claimed = await outbox.claim(session, 10, timedelta(minutes=1))
        await session.commit()
    assert [c.notice.event_id for c in claimed] == ["e1", "e2", "e3"]
    assert claimed[0].notice == notices("e1")[0]
    assert [c.attempts for c in claimed] == [1, 1, 1]


async def test_a_claim_hides_its_notices_until_the_lease_ends(engine):
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    async with sessions() as session:
        await outbox.add(session, notices("a", "b", "c"))
        await session.commit()
        first = await outbox.claim(session, 2, timedelta(seconds=1))
        await session.commit()
        second = await outbox.claim(session, 10, timedelta(minutes=1))
        await session.commit()
        assert [c.notice.event_id for c in first] == ["a", "b"]
        assert [c.notice.event_id for c in second] == ["c"]
        assert await outbox.claim(session, 10, timedelta(minutes=1)) == []
        await asyncio.sleep(1.1)  # the first claimant is gone: its lease ends
        again = await outbox.claim(session, 10, timedelta(minutes=1))
        await session.commit()
        assert [(c.notice.event_id, c.attempts) for c in again] == [("a", 2), ("b", 2)]
        await outbox.complete(session, [c.id for c in again + second])
        await session.commit()
    assert await written(engine) == 0


async def test_concurrent_claims_take_each_notice_once(engine):
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    async with sessions() as session:
        await outbox.add(session, notices(*(f"n{i}" for i in range(60))))
        await session.commit()

    async def claimant() -> list[str]:
        taken = []
        while True:
            async with sessions() as session:
                claimed = await outbox.claim(session, 7, timedelta(minutes=1))
                await session.commit()
            if not claimed:
                return taken
            taken += [c.notice.event_id for c in claimed]

    results = await asyncio.gather(*(claimant() for _ in range(4)))
    everything = [event for taken in results for event in taken]
    assert sorted(everything) == sorted(f"n{i}" for i in range(60))  # none twice, none lost


async def test_a_waiting_claim_wakes_when_a_notice_is_written(engine):
    box = Outbox(async_sessionmaker(engine, expire_on_commit=False))
    request = Claim(limit=10, lease=timedelta(minutes=1), wait=20, gather=0.05)
    waiting = asyncio.create_task(box.claim(request))
    await asyncio.sleep(0.3)
    assert not waiting.done()
    await box.record(notices("woken"))
    [(claimed, ticket)] = await asyncio.wait_for(waiting, 10)  # woken before its 20 s
    assert claimed.notice.event_id == "woken"
    assert ticket is None  # no such ticket in this store: the dispatcher drops it
    assert await box.claim(Claim(10, timedelta(minutes=1), wait=0, gather=0)) == []
