"""SQLite's planner statistics: gathered by the services themselves (PostgreSQL's
autovacuum gathers its own)."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from services.common.server.database import create_engine, keep_statistics, refresh_statistics
from tests.support import postgres


async def make_table(engine) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE ticket (id INTEGER PRIMARY KEY, "
                                      "status TEXT, due INTEGER)"))
        await connection.execute(text("CREATE INDEX ix_ticket_status_due ON ticket (status, due)"))
        await connection.execute(text("INSERT INTO ticket (status, due) VALUES (:s, :d)"),
                                 [{"s": f"s{i % 4}", "d": i} for i in range(200)])


async def statistics(engine) -> list[tuple]:
    async with engine.connect() as connection:
        found = await connection.execute(text(
            "SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'"))
        if found.first() is None:
            return []
        return list(await connection.execute(text("SELECT tbl, idx, stat FROM sqlite_stat1")))


async def test_sqlite_statistics_are_gathered(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'stats.db'}")
    try:
        await make_table(engine)
        assert await statistics(engine) == []
        assert await refresh_statistics(engine, min_bytes=0) is True
        assert engine.pool.checkedin() == 0  # pooled connections kept the old statistics
        rows = await statistics(engine)
        assert ("ticket", "ix_ticket_status_due") in {(t, i) for t, i, _ in rows}
        stat = dict(((t, i), s) for t, i, s in rows)[("ticket", "ix_ticket_status_due")]
        assert stat.split()[0] == "200"  # rows in the table
    finally:
        await engine.dispose()


async def test_a_small_database_gets_none(tmp_path):
    """Statistics of nearly empty tables would mislead the planner until the next round."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'stats.db'}")
    try:
        await make_table(engine)
        assert await refresh_statistics(engine) is False
        assert await statistics(engine) == []
    finally:
        await engine.dispose()


async def test_the_running_refresh_gathers_them_at_once_and_stops_when_cancelled(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'stats.db'}")
    try:
        await make_table(engine)
        task = asyncio.create_task(keep_statistics(engine, interval=3600, min_bytes=0))
        async with asyncio.timeout(30):
            while not await statistics(engine):
                await asyncio.sleep(0.05)
        assert not task.done()  # waiting for the next round
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        assert task.cancelled()
    finally:
        await engine.dispose()


async def test_postgresql_is_left_to_autovacuum():
    url = await postgres.fresh_database_or_skip("td_stats")
    engine = create_engine(url)
    try:
        assert await refresh_statistics(engine) is False
        await asyncio.wait_for(keep_statistics(engine), 10)  # returns at once
    finally:
        await engine.dispose()
        await postgres.drop_database(url)
