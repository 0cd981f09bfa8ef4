"""The ticket store's schema: migrations match the models, and the list's queries use
indexes (EXPLAIN on a few thousand rows, SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import create_async_engine

from services.common.server.database import alembic_config, migrate
from services.common.server.principal import Principal, Role
from services.tickets import models
from services.tickets.store import listing
from services.tickets.server import MIGRATIONS
from tests.services.tickets.store_support import url  # noqa: F401 (the fixture: SQLite and PostgreSQL)

ORGANIZATIONS = 40
PER_ORGANIZATION = 100
STATUSES = ("queued", "in_progress", "needs_info", "awaiting_acceptance", "done", "cancelled")




async def test_migration_fills_the_derived_columns(url):
    engine = create_async_engine(url)
    config = alembic_config(MIGRATIONS, url)
    try:
        def to(revision):
            def run(connection):
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
            return run

        async with engine.begin() as connection:
            await connection.run_sync(to("0001"))
            await connection.execute(text(
                "INSERT INTO tickets (organization, title, description, contact_user, "
                "contact_name, contact_email, contact_phone, priority, status, status_note, "
                "assignee, estimate_hours, has_remarks, rating, creator, create_time, "
                "update_time, version) VALUES ('organizations/a', 'Баннер', 'ГЛАВНАЯ', '', '', "
                "'', '', 'critical', 'queued', '', '', 0, false, 0, 'users/u', "
                ":t, :t, 1)"), {"t": datetime.now(UTC)})
            await connection.run_sync(to("head"))
            row = (await connection.execute(text(
                "SELECT priority_rank, search_text FROM tickets"))).one()
        assert tuple(row) == (3, "баннер\nглавная")
    finally:
        await engine.dispose()


CLIENT = Principal("users/c", Role.CLIENT, organization="organizations/7")
STAFF = Principal("users/d", Role.DEVELOPER)


def list_queries():
    """The queries ListTickets runs for the screens that matter most."""
    f = listing.TicketFilter
    page = lambda principal, where, order="": listing.list_query(  # noqa: E731
        principal, where, order).limit(51)
    return {
        "client list": page(CLIENT, f()),
        "client list by status": page(CLIENT, f(statuses=["needs_info"])),
        "client counts per status": listing.status_counts_query(CLIENT, f()),
        "staff list": page(STAFF, f()),
        "staff queue": page(STAFF, f(statuses=["queued"])),
        "staff by priority": page(STAFF, f(), "priority desc"),
        "staff by creation": page(STAFF, f(), "create_time desc"),
        "staff by assignee": page(STAFF, f(assignee="users/d3")),
        "staff by organization": page(STAFF, f(organization="organizations/7")),
        "staff unassigned": page(STAFF, f(unassigned_only=True)),
        "staff unassigned counts": listing.status_counts_query(STAFF, f(unassigned_only=True)),
        "client unassigned": page(CLIENT, f(unassigned_only=True)),
    }


async def fill(connection) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = []
    for n in range(ORGANIZATIONS * PER_ORGANIZATION):
        priority = models.PRIORITIES[n % 4]
        moment = start + timedelta(minutes=n)
        rows.append(dict(
            organization=f"organizations/{n % ORGANIZATIONS}", title=f"Тикет {n}",
            description="описание", priority=priority,
            priority_rank=models.PRIORITY_RANK[priority], search_text=f"тикет {n}",
            status=STATUSES[n % len(STATUSES)], status_note="",
            assignee=f"users/d{n % 9}" if n % 10 else "",
            estimate_hours=0.0, has_remarks=False, rating=0, creator="users/c",
            contact_user="", contact_name="", contact_email="", contact_phone="",
            create_time=moment, update_time=moment + timedelta(seconds=n % 97), version=1))
    await connection.execute(insert(models.Ticket.__table__), rows)
    await connection.execute(text("ANALYZE"))


async def test_list_queries_use_indexes(url):
    engine = create_async_engine(url)
    try:
        await migrate(engine, MIGRATIONS)
        async with engine.begin() as connection:
            await fill(connection)
        async with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
            for what, query in list_queries().items():
                sql = str(query.compile(dialect=connection.dialect,
                                        compile_kwargs={"literal_binds": True}))
                plan = "\n".join(" ".join(str(c) for c in row) for row in
                                 (await connection.execute(text(prefix + sql))).all())
                assert_uses_index(plan, sqlite, what)
    finally:
        await engine.dispose()


def assert_uses_index(plan: str, sqlite: bool, what: str) -> None:
    if sqlite:
        full_scan = any(line.split()[-2:] == ["SCAN", "tickets"] for line in plan.splitlines())
        assert "INDEX" in plan and not full_scan, f"{what}:\n{plan}"
        assert "TEMP B-TREE FOR ORDER BY" not in plan, f"{what} sorts:\n{plan}"
    else:
        assert "Index" in plan and "Seq Scan" not in plan, f"{what}:\n{plan}"
