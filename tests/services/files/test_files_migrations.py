"""The hand-written migration matches the models, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from services.common.db import alembic_config, migrate
from services.files.models import Base
from services.files.server import MIGRATIONS_DIR
from tests.support import postgres


@pytest.fixture(params=["sqlite", "postgres"])
async def url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'files.db'}"
        return
    url = await postgres.fresh_database_or_skip("ticketdesk_files_migrations")
    yield url
    await postgres.drop_database(url)


async def test_upgrade_matches_models_and_downgrades(url):
    engine = create_async_engine(url)
    try:
        await migrate(engine, MIGRATIONS_DIR)
        await migrate(engine, MIGRATIONS_DIR)  # idempotent at head

        def diff(connection):
            context = MigrationContext.configure(connection)
            return compare_metadata(context, Base.metadata)

        async with engine.connect() as connection:
            assert await connection.run_sync(diff) == []

        def downgrade(connection):
            config = alembic_config(MIGRATIONS_DIR, url)
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
            return inspect(connection).get_table_names()

        async with engine.begin() as connection:
            assert "files" not in await connection.run_sync(downgrade)
        await migrate(engine, MIGRATIONS_DIR)
    finally:
        await engine.dispose()
