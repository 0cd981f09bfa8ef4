"""Counts per status kept by triggers (migration 0004): exact through every kind of
write, on SQLite and PostgreSQL; the list reads them and answers what counting would."""

from __future__ import annotations

import asyncio
import random

import pytest
from alembic import command
from sqlalchemy import delete, inspect, select, text, update
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from services.common.server.database import alembic_config
from services.tickets import models
from services.tickets.server import MIGRATIONS
from services.tickets.store import listing
from tests.services.tickets.store_support import (  # noqa: F401 - fixtures
    STAFF, client, counted, engine, insert_rows, kept_counts, listed, new_ticket, row, url)

ORG_A, ORG_B = "organizations/a", "organizations/b"
T = models.Ticket


async def test_service_writes_keep_the_counts(engine):
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    async with sessions() as session:
        tickets = [new_ticket(ORG_A, f"Задача {i}") for i in range(4)]
        tickets.append(new_ticket(ORG_B, "Чужая"))
        session.add_all(tickets)
        await session.commit()
    assert await kept_counts(engine) == {(ORG_A, "queued"): 4, (ORG_B, "queued"): 1}

    async with sessions() as session:
        first, second, third = [await session.get(T, t.number) for t in tickets[:3]]
        first.status = "in_progress"
        second.status = "in_progress"
        third.organization = ORG_B  # moved with its status
        await session.commit()
        second.status = "done"
        second.title = "Другой заголовок"  # not a count's business
        await session.commit()
        await session.delete(first)
        await session.commit()
    assert await kept_counts(engine) == await counted(engine) == {
        (ORG_A, "queued"): 1, (ORG_A, "done"): 1, (ORG_B, "queued"): 2}


async def test_bulk_statements_keep_the_counts(engine):
    rng = random.Random(4)
    statuses = ("queued", "in_progress", "needs_info", "done", "cancelled")
    await insert_rows(engine, [row(n, f"organizations/{n % 7}", rng.choice(statuses))
                               for n in range(2_500)])
    assert await kept_counts(engine) == await counted(engine)
    async with engine.begin() as connection:
        await connection.execute(update(T).where(T.status == "queued").values(status="done"))
        await connection.execute(update(T).where(T.number % 5 == 0).values(
            organization="organizations/x"))
        await connection.execute(delete(T).where(T.status == "cancelled"))
    assert await kept_counts(engine) == await counted(engine)
    async with engine.begin() as connection:  # a rolled back write leaves no trace
        await connection.execute(update(T).values(status="queued"))
        await connection.rollback()
    assert await kept_counts(engine) == await counted(engine)


async def test_the_list_reads_kept_counts_that_match_counting(engine):
    await insert_rows(engine, [row(n, f"organizations/{n % 3}", ("queued", "done")[n % 2])
                               for n in range(300)])
    for principal, where in [(client("organizations/1"), {}),
                             (client("organizations/1"), {"statuses": ["done"]}),
                             (client("organizations/1"), {"organization": "organizations/2"}),
                             (STAFF, {}), (STAFF, {"organization": "organizations/2"}),
                             (STAFF, {"statuses": ["queued", "needs_info"]})]:
        f = listing.TicketFilter(**where)
        page = await listed(engine, principal, **where)
        async with engine.connect() as connection:
            expected = dict((await connection.execute(
                listing.counted_query(principal, f))).all())
        assert page.counts == expected, (principal, where)
        assert page.total == len(page.rows)


async def test_narrower_filters_are_counted(engine):
    await insert_rows(engine, [row(n, ORG_A, "queued") | {"assignee": "users/d" * (n % 2)}
                               for n in range(10)])
    page = await listed(engine, STAFF, unassigned_only=True)
    assert page.counts == {"queued": 5} and page.total == 5


@pytest.mark.parametrize("url", ["postgres"], indirect=True)
async def test_concurrent_transitions_keep_exact_counts(engine):
    """Transitions in opposite directions at once (PostgreSQL takes them in parallel):
    no deadlock, no lost update."""
    await insert_rows(engine, [row(n, ORG_A, ("queued", "in_progress")[n % 2])
                               for n in range(40)])
    async with engine.connect() as connection:
        numbers = list((await connection.execute(select(T.number))).scalars())

    async def flip(number: int) -> None:
        for _ in range(10):
            async with engine.begin() as connection:
                status = (await connection.execute(select(T.status).where(
                    T.number == number).with_for_update())).scalar_one()
                await connection.execute(update(T).where(T.number == number).values(
                    status="in_progress" if status == "queued" else "queued"))

    await asyncio.gather(*(flip(n) for n in numbers))
    assert await kept_counts(engine) == await counted(engine) == {
        (ORG_A, "queued"): 20, (ORG_A, "in_progress"): 20}


async def test_migration_backfills_and_downgrades(url):
    engine = create_async_engine(url)
    config = alembic_config(MIGRATIONS, url)

    def to(step, revision):
        def run(connection):
            config.attributes["connection"] = connection
            step(config, revision)
            return set(inspect(connection).get_table_names())
        return run

    try:
        async with engine.begin() as connection:
            await connection.run_sync(to(command.upgrade, "0003"))
        old = row(1, ORG_A, "done", "Калькулятор доставки")
        await insert_rows(engine, [old, row(2, ORG_A), row(3, ORG_B, "needs_info")])
        async with engine.begin() as connection:
            tables = await connection.run_sync(to(command.upgrade, "head"))
        assert "ticket_counts" in tables
        assert await kept_counts(engine) == {(ORG_A, "done"): 1, (ORG_A, "queued"): 1,
                                             (ORG_B, "needs_info"): 1}
        page = await listed(engine, client(ORG_A), query="КУЛЯТОР")  # indexed before
        assert [t.title for t in page.rows] == ["Калькулятор доставки"]
        async with engine.begin() as connection:
            tables = await connection.run_sync(to(command.downgrade, "0003"))
            assert not {"ticket_counts", "ticket_search"} & tables
            await connection.execute(text(  # writes work without the triggers' tables
                "UPDATE tickets SET status = 'queued' WHERE status = 'done'"))
            await connection.run_sync(to(command.upgrade, "head"))
        assert await kept_counts(engine) == {(ORG_A, "queued"): 2, (ORG_B, "needs_info"): 1}
        await insert_rows(engine, [row(4, ORG_B, title="Ещё")])
        assert await kept_counts(engine) == await counted(engine)
    finally:
        await engine.dispose()

