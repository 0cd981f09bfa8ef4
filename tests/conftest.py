"""Fixtures shared by every test: the back end on a real Temporal dev server."""

from __future__ import annotations

import pytest

from tests.support import postgres, summary
from tests.support.stack import SERVICES, Stack, start_stack, start_temporal


def pytest_terminal_summary(terminalreporter) -> None:
    """What the fault, attack and load tests tried and what held (tests/support/summary.py)."""
    if summary.LINES:
        terminalreporter.section("what was tried and what held")
        for line in summary.LINES:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
async def stack(request, tmp_path_factory) -> Stack:
    """The back end on SQLite (the embedded default) and on PostgreSQL.

    Each backend gets its own Temporal dev server: workflow ids (`ticket-<n>`)
    would otherwise collide between the two ticket stores.
    """
    urls = {}
    if request.param == "postgres":
        urls = {name: await postgres.fresh_database_or_skip(f"td_{name}") for name in SERVICES}
    temporal = await start_temporal()
    running = await start_stack(temporal, tmp_path_factory.mktemp(request.param), urls)
    yield running
    await running.stop()
    await temporal.shutdown()
    for url in urls.values():
        await postgres.drop_database(url)
