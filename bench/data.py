"""Bulk-loading tickets straight into the tickets database with SQLAlchemy Core."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from services.tickets import models
from workflows.ticket.rules import Status


def raw_engine(url: str) -> AsyncEngine:
    """The baselines' engine: plain SQLAlchemy, with the driver settings the services use
    on SQLite (a busy timeout; the write lock taken at BEGIN, see
    services/common/server/database.py), so that a raw INSERT beside the services' writes
    waits for the lock as theirs do instead of failing."""
    if url.startswith("sqlite"):
        return create_async_engine(url, connect_args={"timeout": 30,
                                                      "isolation_level": "IMMEDIATE"})
    return create_async_engine(url)

TICKETS = models.Ticket.__table__
SITES = models.Site.__table__
BATCH = 20_000
# SQLite's trigger that adds a new ticket's text to the FTS5 index, and what a bulk load
# does instead for its new rows (the keys of migration 0005: organization << 32 | number).
TEXT_INDEX_TRIGGER = "ticket_search_insert"
TEXT_INDEX_FILL = (
    "INSERT OR IGNORE INTO ticket_search_orgs (organization) "
    "SELECT DISTINCT organization FROM tickets WHERE number > :after",
    "INSERT INTO ticket_search (rowid, search_text) "
    "SELECT o.id << 32 | t.number, t.search_text FROM tickets AS t "
    "JOIN ticket_search_orgs AS o ON o.organization = t.organization WHERE t.number > :after")
LOAD_CACHE_KIB = 512 * 1024
# The word the text search looks for: in about one title in fifty.
RARE_WORD = "калькулятор"
WORDS = ("баннер", "меню", "форма", "страница", "каталог", "корзина", "оплата", "доставка",
         "логотип", "шрифт", "слайдер", "карта", "отзывы", "поиск", "фильтр", "футер",
         "шапка", "кнопка", "ссылка", "картинка", "таблица", "цены", "новости", "блог",
         "почта", "рассылка", "заказ", "счёт", "скидка", "акция", "регистрация", "вход",
         "профиль", "аватар", "видео", "галерея", "контакты", "адрес", "телефон", "валюта",
         "язык", "перевод", "сертификат", "домен", "хостинг", "кэш", "скорость", "мобильная",
         "планшет")
STATUSES = ((Status.QUEUED, 40), (Status.IN_PROGRESS, 25), (Status.NEEDS_INFO, 10),
            (Status.AWAITING_ACCEPTANCE, 10), (Status.DONE, 10), (Status.CANCELLED, 5))
# SLA clocks run in the queue and in work; they pause or stop elsewhere.
SLA_RUNNING = {Status.QUEUED, Status.IN_PROGRESS}


async def site_ids_by_organization(engine: AsyncEngine) -> dict[str, list[str]]:
    async with engine.connect() as connection:
        rows = (await connection.execute(select(SITES.c.organization, SITES.c.id))).all()
    found: dict[str, list[str]] = {}
    for organization, site_id in rows:
        found.setdefault(organization, []).append(site_id)
    return found


async def ticket_count(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return (await connection.execute(select(func.count()).select_from(TICKETS))).scalar_one()


async def load(engine: AsyncEngine, sites: dict[str, list[str]], count: int,
               seed: int = 8) -> None:
    """Insert `count` tickets spread evenly over the organizations of `sites`, as a bulk
    import would: COPY on PostgreSQL; on SQLite, the text index rebuilt once after the
    rows rather than row by row (five times faster). The counts per status follow
    through their triggers, as for any writer."""
    rng, organizations = random.Random(seed + count), sorted(sites)
    start = datetime.now(UTC) - timedelta(days=365)
    batches = ([ticket_row(rng, organizations[i % len(organizations)], sites, start)
                for i in range(first, min(count, first + BATCH))]
               for first in range(0, count, BATCH))
    async with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            await _copy(connection, batches)
            # The GIN index's pending entries merged, as autovacuum soon does after a
            # bulk import (until then every search also reads them).
            await connection.execute(text(
                "SELECT gin_clean_pending_list('ix_tickets_search_trgm'::regclass)"))
        else:
            await _insert_into_sqlite(connection, batches)
        # Fresh planner statistics, as after any bulk import. Without them SQLite sorts
        # the whole open queue for the SLA order (see README, «Benchmarks»).
        await connection.execute(text("ANALYZE tickets"))
        await connection.commit()


async def _copy(connection: AsyncConnection, batches) -> None:
    driver = (await connection.get_raw_connection()).driver_connection
    for rows in batches:
        await driver.copy_records_to_table(TICKETS.name, columns=list(rows[0]),
                                           records=[tuple(r.values()) for r in rows])


async def _insert_into_sqlite(connection: AsyncConnection, batches) -> None:
    """The trigger that indexes each new ticket's text (migration 0005) is set aside and
    the new rows indexed in one statement afterwards; the connection's page cache is made
    large for the load (2 MiB by default: at a million tickets every insert into the
    ten indexes went to the disk cache), then set back, as the baseline reads with it."""
    cache = (await connection.exec_driver_sql("PRAGMA cache_size")).scalar_one()
    await connection.exec_driver_sql(f"PRAGMA cache_size = -{LOAD_CACHE_KIB}")
    await connection.commit()  # Core began a transaction for the pragmas
    async with connection.begin():
        trigger = (await connection.execute(text(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
            {"name": TEXT_INDEX_TRIGGER})).scalar_one()
        await connection.execute(text(f"DROP TRIGGER {TEXT_INDEX_TRIGGER}"))
        after = (await connection.execute(select(func.coalesce(func.max(
            TICKETS.c.number), 0)))).scalar_one()
    try:
        for rows in batches:
            async with connection.begin():  # its commit ends the driver's transaction
                await _insert(connection, rows)
    finally:
        async with connection.begin():
            for statement in TEXT_INDEX_FILL:
                await connection.execute(text(statement), {"after": after})
            await connection.execute(text(trigger))
        await connection.exec_driver_sql(f"PRAGMA cache_size = {cache}")


async def _insert(connection: AsyncConnection, rows: list[dict]) -> None:
    """Core's executemany spends most of a large load building its parameters: the rows
    go to the driver as tuples instead, each value through its column type's own bind
    processor (what Core would store)."""
    columns, dialect = list(rows[0]), connection.dialect
    processors = [TICKETS.c[c].type.dialect_impl(dialect).bind_processor(dialect)
                  for c in columns]
    driver = (await connection.get_raw_connection()).driver_connection
    await driver.executemany(
        f"INSERT INTO {TICKETS.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join('?' * len(columns))})",
        [tuple(v if p is None else p(v) for p, v in zip(processors, r.values()))
         for r in rows])


def ticket_row(rng: random.Random, organization: str, sites: dict[str, list[str]],
            start: datetime) -> dict:
    words = rng.sample(WORDS, 3) + ([RARE_WORD] if rng.random() < 0.02 else [])
    title = "Поправить " + " ".join(words)
    description = f"Нужно поправить {', '.join(words)} на сайте. " * 3
    status = rng.choices([s for s, _ in STATUSES], [w for _, w in STATUSES])[0]
    created = start + timedelta(minutes=rng.randrange(365 * 24 * 60))
    updated = created + timedelta(minutes=rng.randrange(60 * 24 * 14))
    priority = rng.choice(models.PRIORITIES)
    return {
        "organization": organization, "site_id": rng.choice(sites[organization]),
        "title": title, "description": description, "contact_user": "", "contact_name": "",
        "contact_email": "", "contact_phone": "", "desired_date": None, "planned_date": None,
        "priority": priority, "priority_rank": models.PRIORITY_RANK[priority],
        "search_text": models.search_text(title, description), "status": status.value,
        "status_note": "", "assignee": "", "estimate_hours": 0.0, "has_remarks": False,
        "rating": 0, "creator": "users/bench", "request_id": None, "create_time": created,
        "update_time": updated, "version": 1,
        "sla_due_time": (updated + timedelta(hours=rng.randrange(1, 72))
                         if status in SLA_RUNNING else None),
        "sla_breached": False}
