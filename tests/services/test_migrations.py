"""Every service's Alembic migrations build exactly its models, on SQLite and
PostgreSQL, are idempotent at head, and downgrade to nothing."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from services.auth.models import Base as AuthBase
from services.auth.server import MIGRATIONS as AUTH_MIGRATIONS
from services.common.db import alembic_config, migrate
from services.files.models import Base as FilesBase
from services.files.server import MIGRATIONS_DIR as FILES_MIGRATIONS
from services.tickets.models import Base as TicketsBase
from services.tickets.server import MIGRATIONS as TICKETS_MIGRATIONS
from tests.support import postgres

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
            differences = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), metadata))
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
