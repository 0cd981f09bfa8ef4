"""The ticket store on a real database without the services: a migrated engine on SQLite
or PostgreSQL, tickets written with the ORM or Core, and what the list answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import column, insert, select, table, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from services.common.server.database import migrate
from services.common.server.principal import Principal, Role
from services.tickets import models
from services.tickets.server import MIGRATIONS
from services.tickets.store import listing
from tests.support import postgres

STAFF = Principal("users/d", Role.DEVELOPER)
START = datetime(2026, 1, 1, tzinfo=UTC)


def client(organization: str) -> Principal:
    return Principal("users/c", Role.CLIENT, organization=organization)


@pytest.fixture(params=["sqlite", "postgres"])
async def url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'tickets.db'}"
        return
    url = await postgres.fresh_database_or_skip("ticketdesk_tickets_index")
    yield url
    await postgres.drop_database(url)


@pytest.fixture
async def engine(url):
    engine = create_async_engine(url)
    await migrate(engine, MIGRATIONS)
    yield engine
    await engine.dispose()


def row(n: int, organization: str, status: str = "queued", title: str = "",
        description: str = "") -> dict:
    """A ticket row for Core inserts (the derived columns filled as _derive would)."""
    title = title or f"Тикет {n}"
    moment = START + timedelta(minutes=n)
    return dict(
        organization=organization, title=title, description=description, priority="normal",
        priority_rank=1, search_text=models.search_text(title, description), status=status,
        status_note="", assignee="", estimate_hours=0.0, has_remarks=False, rating=0,
        creator="users/c", contact_user="", contact_name="", contact_email="",
        contact_phone="", create_time=moment, update_time=moment, version=1,
        sla_breached=False)


async def insert_rows(engine: AsyncEngine, rows: list[dict]) -> None:
    """Exactly the rows' columns: an older schema (a migration test) lacks newer ones."""
    tickets = table("tickets", *(column(name) for name in rows[0]))
    async with engine.begin() as connection:
        await connection.execute(insert(tickets), rows)


def new_ticket(organization: str, title: str, description: str = "",
               status: str = "queued") -> models.Ticket:
    """A ticket as the service writes it (the ORM; _derive fills the derived columns)."""
    return models.Ticket(**{k: v for k, v in row(0, organization, status, title,
                                                  description).items()
                            if k not in ("priority_rank", "search_text")})


async def listed(engine: AsyncEngine, principal: Principal, **where) -> listing.TicketPage:
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    async with sessions() as session:
        return await listing.list_tickets(session, principal, listing.TicketFilter(**where),
                                          "number", 0, 1000)


async def kept_counts(engine: AsyncEngine) -> dict[tuple[str, str], int]:
    """ticket_counts as the triggers keep it (a zero is no ticket)."""
    kept = models.TicketCount
    async with engine.connect() as connection:
        rows = (await connection.execute(select(kept.organization, kept.status, kept.n))).all()
    return {(o, s): n for o, s, n in rows if n}


async def counted(engine: AsyncEngine) -> dict[tuple[str, str], int]:
    """The same counted from the tickets."""
    async with engine.connect() as connection:
        rows = (await connection.execute(text(
            "SELECT organization, status, count(*) FROM tickets "
            "GROUP BY organization, status"))).all()
    return {(o, s): n for o, s, n in rows}
