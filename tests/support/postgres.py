"""Throwaway PostgreSQL databases for tests.

The server comes from TICKETDESK_TEST_POSTGRES_URL (an admin URL: a role that may
CREATE DATABASE, and an existing database to connect to), else the local default.
With TICKETDESK_REQUIRE_POSTGRES=1 an unreachable server fails the tests instead of
skipping them.
"""

from __future__ import annotations

import os
import re
import uuid

import pytest
from sqlalchemy import make_url, pool, text
from sqlalchemy.ext.asyncio import create_async_engine

DEFAULT_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


def admin_url() -> str:
    return os.environ.get("TICKETDESK_TEST_POSTGRES_URL") or DEFAULT_ADMIN_URL


def required() -> bool:
    return os.environ.get("TICKETDESK_REQUIRE_POSTGRES") == "1"


def _admin_engine(url: str | None = None):
    return create_async_engine(url or admin_url(), isolation_level="AUTOCOMMIT",
                               poolclass=pool.NullPool, connect_args={"timeout": 5})


async def unreachable_reason() -> str | None:
    """Why the admin URL cannot be used, or None when it can."""
    engine = _admin_engine()
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any failure means "not usable"
        return f"PostgreSQL at {make_url(admin_url())!r} is unreachable: {error!r}"
    finally:
        await engine.dispose()
    return None


async def fresh_database(prefix: str) -> str:
    """Create an empty database; returns its URL (same server, role and driver)."""
    name = f"{re.sub(r'[^a-z0-9_]', '_', prefix.lower())}_{uuid.uuid4().hex[:12]}"
    engine = _admin_engine()
    try:
        async with engine.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()
    return make_url(admin_url()).set(database=name).render_as_string(hide_password=False)


async def drop_database(url: str) -> None:
    name = make_url(url).database
    engine = _admin_engine()
    try:
        async with engine.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await engine.dispose()


async def fresh_database_or_skip(prefix: str) -> str:
    """fresh_database, skipping the test when PostgreSQL is optional and unreachable."""
    reason = await unreachable_reason()
    if reason:
        if required():
            pytest.fail(f"TICKETDESK_REQUIRE_POSTGRES=1 but {reason}")
        print(f"skipping PostgreSQL tests: {reason}")
        pytest.skip(reason)
    return await fresh_database(prefix)
