"""Every service's Alembic migrations build exactly its models, on SQLite and
PostgreSQL, are idempotent at head, and downgrade to nothing."""

from __future__ import annotations

import asyncio
import sys

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from services.auth.models import Base as AuthBase
from services.auth.server import MIGRATIONS as AUTH_MIGRATIONS
from services.common.server.database import NotMigrated, alembic_config, migrate, prepare
from services.files.models import Base as FilesBase
from services.files.server import MIGRATIONS_DIR as FILES_MIGRATIONS
from services.tickets.models import Base as TicketsBase
from services.tickets.server import MIGRATIONS as TICKETS_MIGRATIONS
from tests.support import postgres
from tests.support.processes import child_env

SERVICES = {"auth": (AUTH_MIGRATIONS, AuthBase.metadata),
            "tickets": (TICKETS_MIGRATIONS, TicketsBase.metadata),
            "files": (FILES_MIGRATIONS, FilesBase.metadata)}


@pytest.fixture(params=["sqlite", "postgres"])
async def url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'service.db'}"
        return
    url = await postgres.fresh_database_or_skip("ticketdesk_migrations")
    yield url
    await postgres.drop_database(url)


@pytest.mark.parametrize("service", SERVICES)
async def test_migrations_match_the_models_and_downgrade(url, service):
    migrations, metadata = SERVICES[service]
    engine = create_async_engine(url)
    try:
        await migrate(engine, migrations)
        await migrate(engine, migrations)  # idempotent at head
        async with engine.connect() as connection:
            # A service's models may leave database-specific objects out (the tickets'
            # text index): its metadata names Alembic's include_object filter.
            options = {"include_object": metadata.info.get("include_object")}
            differences = await connection.run_sync(lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts=options), metadata))
        assert differences == []

        def downgrade(connection):
            config = alembic_config(migrations, url)
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
            return inspect(connection).get_table_names()

        async with engine.begin() as connection:
            assert set(await connection.run_sync(downgrade)) <= {"alembic_version"}
        await migrate(engine, migrations)
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
async def service_urls(request, tmp_path):
    """A database per service, as in production."""
    if request.param == "sqlite":
        yield {name: f"sqlite+aiosqlite:///{tmp_path / name}.db" for name in SERVICES}
        return
    urls = {name: await postgres.fresh_database_or_skip(f"ticketdesk_{name}")
            for name in SERVICES}
    yield urls
    for url in urls.values():
        await postgres.drop_database(url)


async def test_replicas_migrating_at_once_take_turns(service_urls, tmp_path):
    """Three `ticketdesk migrate` processes start together."""
    env = child_env({f"TICKETDESK_{name.upper()}_DATABASE_URL": url
                     for name, url in service_urls.items()} | {"TICKETDESK_DATA_DIR": str(tmp_path)})
    runs = [await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cli.main", "migrate", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT) for _ in range(3)]
    outputs = [(await run.communicate())[0].decode() for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], outputs
    for service, (migrations, _) in SERVICES.items():
        engine = create_async_engine(service_urls[service])
        try:
            await prepare(engine, migrations, migrate_on_start=False)  # at head: no error
        finally:
            await engine.dispose()


async def test_without_migrate_on_start_a_stale_database_is_refused(url):
    engine = create_async_engine(url)
    try:
        with pytest.raises(NotMigrated, match="ticketdesk migrate"):
            await prepare(engine, TICKETS_MIGRATIONS, migrate_on_start=False)
    finally:
        await engine.dispose()
