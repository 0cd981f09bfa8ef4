"""Databases: async SQLAlchemy engines and Alembic migrations per service."""

from __future__ import annotations

import asyncio
import errno
import fcntl
from contextlib import contextmanager
from pathlib import Path

import structlog
from alembic import command, context
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy import exc as sa_exc
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

log = structlog.get_logger()


def create_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # IMMEDIATE: the write lock is taken (waiting out busy_timeout) by the BEGIN that
        # the driver sends before a transaction's first write, not by the statement. An
        # INSERT whose trigger writes an FTS5 index reads the index before it asks for the
        # lock, and a busy database then fails it at once with "database is locked".
        # Reads still run outside transactions, side by side.
        engine = create_async_engine(url, connect_args={"timeout": 30,
                                                        "isolation_level": "IMMEDIATE"})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


# PostgreSQL's own answers that mean "not now": connection failures (class 08), a server
# shutting down or starting (57P0x), too many connections (53300).
try:
    from asyncpg import exceptions as _pg
    _PG_UNREACHABLE: tuple[type[BaseException], ...] = (
        _pg.PostgresConnectionError, _pg.OperatorInterventionError,
        _pg.TooManyConnectionsError)
except ImportError:  # SQLite only
    _PG_UNREACHABLE = ()
# The pool timing out or losing a connection; a refused or reset socket.
_UNREACHABLE_TYPES = (sa_exc.TimeoutError, sa_exc.DisconnectionError, ConnectionError,
                      *_PG_UNREACHABLE)
_UNREACHABLE_ERRNOS = {errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED,
                       errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ETIMEDOUT, errno.EPIPE}


def database_unreachable(error: BaseException) -> bool:
    """Whether `error` means the database cannot be reached right now (refused, reset,
    a dropped connection, a server restarting, the pool exhausted): a retry later can
    succeed, so the caller should see UNAVAILABLE, not a bug. Stale pooled connections
    are replaced by `pool_pre_ping` on the next checkout."""
    for cause in _causes(error):
        if isinstance(cause, sa_exc.DBAPIError) and cause.connection_invalidated:
            return True
        if isinstance(cause, _UNREACHABLE_TYPES):
            return True
        if isinstance(cause, OSError) and cause.errno in _UNREACHABLE_ERRNOS:
            return True
    return False


def _causes(error: BaseException, limit: int = 8) -> list[BaseException]:
    """The error, the driver's error it wraps (`orig`) and their causes: SQLAlchemy
    wraps asyncpg's exceptions twice."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [error]
    while todo and len(seen) < limit:
        cause = todo.pop(0)
        if cause is not None and all(cause is not s for s in seen):
            seen.append(cause)
            todo += [getattr(cause, "orig", None), cause.__cause__]
    return seen


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


# How often SQLite's planner statistics are gathered again while a service runs.
STATISTICS_INTERVAL_SECONDS = 3600.0
# Below this a database needs no statistics; gathered this early they would describe
# nearly empty tables for an hour to come.
STATISTICS_MIN_BYTES = 1024 * 1024


async def refresh_statistics(engine: AsyncEngine,
                             min_bytes: int = STATISTICS_MIN_BYTES) -> bool:
    """Gathers SQLite's planner statistics (False: nothing done; PostgreSQL's autovacuum
    does it there). Without them SQLite sorts every open ticket for the staff queue's SLA
    order. A full ANALYZE (120 ms at 100,000 tickets): a sampled one (`analysis_limit`)
    reads only the first rows of each index, all without an SLA due time, and misleads
    the planner as badly (160 ms against 1 ms for the queue's page)."""
    if engine.dialect.name != "sqlite":
        return False
    async with engine.begin() as connection:
        pages = (await connection.exec_driver_sql("PRAGMA page_count")).scalar_one()
        page_size = (await connection.exec_driver_sql("PRAGMA page_size")).scalar_one()
        if pages * page_size < min_bytes:
            return False
        await connection.exec_driver_sql("ANALYZE")
    # A connection reads the statistics once, with the schema: open new ones.
    await engine.dispose()
    return True


async def keep_statistics(engine: AsyncEngine, interval: float = STATISTICS_INTERVAL_SECONDS,
                          min_bytes: int = STATISTICS_MIN_BYTES) -> None:
    """Refreshes SQLite's statistics now and then every `interval` seconds, until
    cancelled. A failed refresh (a long write lock) waits for the next round: the old ones
    still serve."""
    if engine.dialect.name != "sqlite":
        return
    while True:
        try:
            await refresh_statistics(engine, min_bytes)
        except SQLAlchemyError as error:
            log.warning("db.statistics_failed", error=str(error))
        await asyncio.sleep(interval)


def sessionmaker(engine: AsyncEngine) -> async_sessionmaker:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config(migrations_dir: Path, url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


# Replicas starting together take turns: one upgrades, the others find it done.
MIGRATION_LOCK = 0x7469636B65746473  # "ticketds"


async def migrate(engine: AsyncEngine, migrations_dir: Path) -> None:
    """Upgrade the service's database to the newest revision, one process at a time."""
    config = alembic_config(migrations_dir, engine.url.render_as_string(hide_password=False))

    def upgrade(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")

    with sqlite_file_lock(engine):
        async with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                         {"key": MIGRATION_LOCK})
            await connection.run_sync(upgrade)


@contextmanager
def sqlite_file_lock(engine: AsyncEngine):
    """SQLite has no advisory locks: an exclusive lock on a file beside the database."""
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if not path or path == ":memory:":
        yield
        return
    with open(f"{path}.migrate.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # a few seconds at most, once per start
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_env(target_metadata) -> None:
    """Body of every service's migrations/env.py."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection, target_metadata)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    engine = create_async_engine(url, poolclass=pool.NullPool)

    async def online() -> None:
        async with engine.begin() as conn:
            await conn.run_sync(_run, target_metadata)
        await engine.dispose()

    asyncio.run(online())


def _run(connection: Connection, target_metadata) -> None:
    # include_object: what a service keeps outside its models (e.g. search indexes kept by
    # triggers) is no difference for autogenerate.
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite",
                      include_object=target_metadata.info.get("include_object"))
    with context.begin_transaction():
        context.run_migrations()


class NotMigrated(RuntimeError):
    """The database is behind the code: `ticketdesk migrate` has not run."""


async def prepare(engine: AsyncEngine, migrations_dir: Path, migrate_on_start: bool) -> None:
    """Upgrade on start-up (development), or check that `ticketdesk migrate` ran."""
    if migrate_on_start:
        await migrate(engine, migrations_dir)
        return
    script = ScriptDirectory.from_config(alembic_config(migrations_dir, str(engine.url)))

    def current(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as connection:
        revision = await connection.run_sync(current)
    if revision != script.get_current_head():
        raise NotMigrated(f"database {engine.url.database} is at revision {revision}, "
                           f"not {script.get_current_head()}: run `ticketdesk migrate`")
