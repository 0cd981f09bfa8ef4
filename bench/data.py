"""Bulk-loading tickets straight into the tickets database with SQLAlchemy Core."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, func, select, text
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
TIME_ENTRIES = models.TimeEntry.__table__
MOVES = models.TicketMove.__table__
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
CLOSED = {Status.DONE, Status.CANCELLED}
# A ticket with its age (`now` given): most older than a few weeks are closed, as in a
# studio's real history; the open ones keep the mix of STATUSES.
OPEN_DAYS = 20
CLOSED_MIX = ((Status.DONE, 88), (Status.CANCELLED, 12))
# The studio's business hours in a week's (the figures count business time only).
BUSINESS_SHARE = 40 / 168
RATINGS = ((1, 3), (2, 4), (3, 10), (4, 30), (5, 53))
ENTRY_MINUTES = (15, 30, 45, 60, 90, 120, 180, 240)


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
               seed: int = 8, aged: bool = False, assignees: Sequence[str] = ()) -> None:
    """Insert `count` tickets spread evenly over the organizations of `sites`, as a bulk
    import would: COPY on PostgreSQL; on SQLite, the text index rebuilt once after the
    rows rather than row by row (five times faster). The counts per status follow
    through their triggers, as for any writer. `aged`: statuses by age and moments up
    to now, and each ticket's moves on its way there (a history for reports, see
    ticket_row and moves)."""
    rng, organizations = random.Random(seed + count), sorted(sites)
    now = datetime.now(UTC)
    start = now - timedelta(days=365)
    batches = ([ticket_row(rng, organizations[i % len(organizations)], sites, start,
                           now if aged else None, assignees)
                for i in range(first, min(count, first + BATCH))]
               for first in range(0, count, BATCH))
    # Each batch: (table, rows) pairs, written in one transaction.
    batches = ([(TICKETS, rows), (MOVES, [m for row in rows for m in moves(row)] if aged else [])]
               for rows in batches)
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
    for batch in batches:
        for table, rows in batch:
            if rows:
                await driver.copy_records_to_table(table.name, columns=list(rows[0]),
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
        for batch in batches:
            async with connection.begin():  # its commit ends the driver's transaction
                for table, rows in batch:
                    if rows:
                        await _insert(connection, rows, table)
    finally:
        async with connection.begin():
            for statement in TEXT_INDEX_FILL:
                await connection.execute(text(statement), {"after": after})
            await connection.execute(text(trigger))
        await connection.exec_driver_sql(f"PRAGMA cache_size = {cache}")


async def _insert(connection: AsyncConnection, rows: list[dict], table) -> None:
    """Core's executemany spends most of a large load building its parameters: the rows
    go to the driver as tuples instead, each value through its column type's own bind
    processor (what Core would store)."""
    columns, dialect = list(rows[0]), connection.dialect
    processors = [table.c[c].type.dialect_impl(dialect).bind_processor(dialect)
                  for c in columns]
    driver = (await connection.get_raw_connection()).driver_connection
    await driver.executemany(
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join('?' * len(columns))})",
        [tuple(v if p is None else p(v) for p, v in zip(processors, r.values()))
         for r in rows])


def ticket_row(rng: random.Random, organization: str, sites: dict[str, list[str]],
               start: datetime, now: datetime | None = None,
               assignees: Sequence[str] = ()) -> dict:
    """One ticket created within a year from `start`. With `now`: its status by its age
    and its moments no later than `now`. Its service figures agree with its status."""
    words = rng.sample(WORDS, 3) + ([RARE_WORD] if rng.random() < 0.02 else [])
    title = "Поправить " + " ".join(words)
    description = f"Нужно поправить {', '.join(words)} на сайте. " * 3
    created = start + timedelta(minutes=rng.randrange(365 * 24 * 60))
    mix = STATUSES
    if now is not None and rng.random() > OPEN_DAYS / max(OPEN_DAYS, (now - created).days):
        mix = CLOSED_MIX
    status = rng.choices([s for s, _ in mix], [w for _, w in mix])[0]
    updated = created + timedelta(minutes=rng.randrange(60 * 24 * 14))
    if now is not None:
        updated = min(updated, now)
    priority = rng.choice(models.PRIORITIES)
    figures = service_figures(rng, status, created, updated, now)
    return {
        "organization": organization, "site_id": rng.choice(sites[organization]),
        "title": title, "description": description, "contact_user": "", "contact_name": "",
        "contact_email": "", "contact_phone": "", "desired_date": None, "planned_date": None,
        "priority": priority, "priority_rank": models.PRIORITY_RANK[priority],
        "search_text": models.search_text(title, description), "status": status.value,
        "status_note": "",
        "assignee": rng.choice(assignees) if assignees and status != Status.QUEUED else "",
        "estimate_hours": float(rng.choice((0, 1, 2, 4, 8))), "has_remarks": False,
        "creator": "users/bench", "request_id": None, "create_time": created, "version": 1,
        "sla_due_time": (figures["update_time"] + timedelta(hours=rng.randrange(1, 72))
                         if status in SLA_RUNNING else None), **figures}


def service_figures(rng: random.Random, status: Status, created: datetime,
                    updated: datetime, now: datetime | None) -> dict:
    """What services/tickets/facts.py would have kept: a closed ticket closed after its
    creation (its last change); business seconds up to its last move, the studio's share
    at least its first response; submissions and reworks as the status allows."""
    closed = None
    if status in CLOSED:
        closed = created + timedelta(hours=rng.expovariate(1 / 72))
        updated = min(closed, now) if now is not None else closed
        closed = updated
    moved = updated if status != Status.QUEUED else created
    life = (moved - created).total_seconds() * BUSINESS_SHARE
    studio = int(life * rng.uniform(0.4, 0.9))
    responded = status not in (Status.QUEUED, Status.CANCELLED) or rng.random() < 0.3
    first_response, response_seconds = None, None
    if responded:
        wait = min(rng.expovariate(1 / (6 * 3600)), (updated - created).total_seconds())
        first_response = created + timedelta(seconds=wait)
        response_seconds = int(wait * rng.uniform(0.3, 1.0))
        if status != Status.QUEUED:  # a queued ticket's clock is not counted yet
            studio = max(studio, response_seconds)
    reworks = rng.choices((0, 1, 2), (80, 15, 5))[0] if status in (
        Status.DONE, Status.AWAITING_ACCEPTANCE, Status.IN_PROGRESS) else 0
    submitted = status in (Status.DONE, Status.AWAITING_ACCEPTANCE)
    return {
        "update_time": updated, "status_since": moved, "studio_seconds": studio,
        "client_seconds": int(life) - studio if life > studio else 0,
        "first_response_time": first_response, "response_seconds": response_seconds,
        "closed_time": closed, "submissions": reworks + submitted, "reworks": reworks,
        "rating": (rng.choices([r for r, _ in RATINGS], [w for _, w in RATINGS])[0]
                   if status == Status.DONE and rng.random() < 0.6 else 0),
        # Breached: answered later than a working day, or now and then in work.
        "sla_breached": (response_seconds or 0) > 8 * 3600 or rng.random() < 0.03}


def moves(row: dict) -> list[dict]:
    """The moves of migration 0012's ticket_moves that a ticket made on its way to its
    status, as the update trigger would have written them: +1 queued at its creation,
    then -1 the old status and +1 the new at each move (reworks included). The insert
    trigger already wrote +1 at its final status at its creation: a -1 there cancels it,
    so the backlog at every moment is that of the way (no moves for a ticket still
    queued)."""
    created, status = row["create_time"], Status(row["status"])
    if status == Status.QUEUED:
        return []
    end = row["closed_time"] or row["update_time"]
    if status == Status.CANCELLED:
        way = [(Status.CANCELLED, end)]
    else:
        started = row["first_response_time"] or created
        steps = {Status.IN_PROGRESS: [], Status.NEEDS_INFO: [Status.NEEDS_INFO],
                 Status.AWAITING_ACCEPTANCE: [Status.AWAITING_ACCEPTANCE, Status.IN_PROGRESS]
                 * row["reworks"] + [Status.AWAITING_ACCEPTANCE]}.get(status)
        if steps is None:  # done: accepted after its last submission
            steps = [Status.AWAITING_ACCEPTANCE, Status.IN_PROGRESS] * row["reworks"] + [
                Status.AWAITING_ACCEPTANCE, Status.DONE]
        gap = (end - started) / max(1, len(steps))
        way = [(Status.IN_PROGRESS, started)] + [
            (step, end if i == len(steps) else started + gap * i)
            for i, step in enumerate(steps, 1)]
    place = {key: row[key] for key in ("organization", "site_id", "assignee", "priority")}
    found = [place | {"moment": created, "status": Status.QUEUED.value, "delta": 1},
             place | {"moment": created, "status": status.value, "delta": -1}]
    for (old, _), (new, moment) in zip([(Status.QUEUED, created), *way], way):
        found += [place | {"moment": moment, "status": old.value, "delta": -1},
                  place | {"moment": moment, "status": new.value, "delta": 1}]
    return found


async def load_time_entries(engine: AsyncEngine, count: int,
                            authors: Sequence[tuple[str, str]], seed: int = 9) -> None:
    """`count` time entries by `authors` ((users/{id}, name)) on the loaded tickets that
    were worked on (not queued), each dated within the ticket's open life; each ticket's
    total follows, as the service keeps it (an UPDATE per ticket, no trigger involved)."""
    rng, today = random.Random(seed + count), datetime.now(UTC).date()
    async with engine.connect() as connection:
        worked = (await connection.execute(select(
            TICKETS.c.number, TICKETS.c.organization, TICKETS.c.create_time,
            TICKETS.c.closed_time).where(TICKETS.c.creator == "users/bench",
                                         TICKETS.c.status != Status.QUEUED.value))).all()
    rows, totals = [], {}
    for _ in range(count):
        number, organization, created, closed = rng.choice(worked)
        first, last = created.date(), (closed.date() if closed else today)
        day = first + timedelta(days=rng.randrange((last - first).days + 1))
        author, name = rng.choice(authors)
        minutes = rng.choice(ENTRY_MINUTES)
        totals[number] = totals.get(number, 0) + minutes
        moment = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=18)
        rows.append({"id": f"{rng.getrandbits(128):032x}", "ticket_number": number,
                     "organization": organization, "author": author,
                     "author_display_name": name, "minutes": minutes, "work_date": day,
                     "note": "Вёрстка и проверка", "request_id": None,
                     "create_time": moment, "update_time": moment})
    batches = [[(TIME_ENTRIES, rows[i:i + BATCH])] for i in range(0, len(rows), BATCH)]
    async with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            await _copy(connection, batches)
        else:
            for batch in batches:
                async with connection.begin():  # its commit ends the driver's transaction
                    for table, part in batch:
                        await _insert(connection, part, table)
        await connection.execute(TICKETS.update().where(
            TICKETS.c.number == bindparam("n")).values(
            time_spent_minutes=TICKETS.c.time_spent_minutes + bindparam("m")),
            [{"n": n, "m": m} for n, m in totals.items()])
        await connection.execute(text("ANALYZE time_entries"))
        await connection.commit()
