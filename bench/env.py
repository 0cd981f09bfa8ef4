"""The system under test: a Temporal dev server persisting to SQLite (like `make run`),
the three gRPC services in-process on loopback, and the ticket worker."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path

import structlog
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from bench.baseline import BASELINE_QUEUE, Counter, Trivial
from bench.sizes import FULL, QUICK
from services.common.platform.config import Settings
from services.common.platform.logs import configure_logging
from tests.support import postgres
from tests.support.stack import SERVICES, start_stack, temporal_binary
from workflows.ticket.workflows import SEARCH_ATTRIBUTES

AUTH_CACHE_SECONDS = Settings.model_fields["auth_cache_seconds"].default
# Scenario 4 uploads files beyond the default limit (200 MiB in the full run).
MAX_UPLOAD_BYTES = max(FULL.file_mib + QUICK.file_mib) * 1024 * 1024


def log_to(path: Path) -> None:
    """The services' logs as in production (JSON, INFO), into a file, off the console."""
    configure_logging("INFO", "json")
    structlog.configure(logger_factory=structlog.WriteLoggerFactory(path.open("a")))
    logging.getLogger().handlers[:] = [logging.FileHandler(path)]


@asynccontextmanager
async def temporal_server(data_dir: Path):
    data_dir.mkdir(parents=True, exist_ok=True)
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_binary(), search_attributes=SEARCH_ATTRIBUTES,
        dev_server_database_filename=str(data_dir / "temporal.db"))
    try:
        yield env
    finally:
        await env.shutdown()


@asynccontextmanager
async def running_stack(data_dir: Path, backend: str):
    """TicketDesk on `backend` ("sqlite" or "postgres") with its own Temporal server
    (ticket workflow ids would collide between two ticket stores), plus a worker for
    the baseline workflows on the same server."""
    urls = ({name: await postgres.fresh_database(f"bench_{name}") for name in SERVICES}
            if backend == "postgres" else {})
    try:
        async with temporal_server(data_dir / "temporal") as temporal:
            # As configured in production: tokens resolved once per cache period.
            stack = await start_stack(temporal, data_dir / "data", urls,
                                      auth_cache_seconds=AUTH_CACHE_SECONDS,
                                      max_upload_bytes=MAX_UPLOAD_BYTES)
            baseline = Worker(temporal.client, task_queue=BASELINE_QUEUE,
                              workflows=[Trivial, Counter])
            try:
                async with baseline:
                    yield stack
            finally:
                await stack.stop()
    finally:
        for url in urls.values():
            await postgres.drop_database(url)


async def postgres_unavailable() -> str | None:
    return await postgres.unreachable_reason()
