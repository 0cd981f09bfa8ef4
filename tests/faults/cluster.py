"""Processes a fault test breaks on purpose, and the careful client that survives it.

- `TemporalServer`: the dev server as our own child on a fixed port and SQLite file, so a
  test can stop it (SIGTERM) and start it again where it was.
- `WorkerProcess`: `python -m workflows.ticket.worker` against a stack; `kill()` is SIGKILL,
  `stop()` SIGTERM; `Workers.start(settings, directory, n)` starts n of them.
- `call()`: one RPC retried with the same request (and request_id) on the codes a real
  client retries (`RETRIED`); every retry is counted in a `Retries`.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from temporalio.client import Client

from cli.dev import temporal_argv
from services.common.platform.config import Settings
from tests.support.processes import child_env, free_ports, kill_tree

# A stopping or restarting part answers UNAVAILABLE; a call cut off before its handler
# ends CANCELLED (grpc/grpc#41785); a client deadline is DEADLINE_EXCEEDED; ABORTED is a
# concurrent change. A client retries them all with the same request_id.
RETRIED = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED,
                     grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.ABORTED})


class Retries(Counter):
    """Retried calls by status code name."""

    def line(self) -> str:
        return ", ".join(f"{code} {n}" for code, n in sorted(self.items())) or "none"


async def call(method, request, metadata, retries: Retries | None = None, *,
               attempts: int = 120, timeout: float = 30.0, pause: float = 0.5):
    """`method(request)` until it answers anything but a `RETRIED` code."""
    for _ in range(attempts):
        try:
            return await method(request, metadata=metadata, timeout=timeout)
        except grpc.aio.AioRpcError as error:
            if error.code() not in RETRIED:
                raise
            if retries is not None:
                retries[error.code().name] += 1
            await asyncio.sleep(pause)
    raise AssertionError(f"never answered after {attempts} attempts: {request}")


class _Child:
    """A child process with its own log file and process group."""

    def __init__(self, argv: list[str], env: dict[str, str], log: Path):
        self.argv, self.env, self.log = argv, env, log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as handle:  # the child keeps its own copy
            self.process = subprocess.Popen(self.argv, env=self.env, stdout=handle,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self, grace: float = 30.0) -> None:
        """SIGTERM, then SIGKILL after `grace` seconds (it and anything it started)."""
        if self.process is not None:
            kill_tree(self.process, grace)

    def tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


class TemporalServer(_Child):
    """`temporal server start-dev` on 127.0.0.1:`port` persisting to `db_file`, started
    with the same arguments as `ticketdesk dev` (search attributes, namespace)."""

    def __init__(self, directory: Path):
        self.port, ui_port = free_ports(2)
        settings = Settings(data_dir=directory, host="127.0.0.1", temporal_port=self.port,
                            temporal_ui_port=ui_port)
        self.db_file = directory / "temporal.db"
        super().__init__([*temporal_argv(settings), "--headless"], child_env(),
                         directory / "temporal.log")

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def wait_ready(self, timeout: float = 60.0) -> None:
        """Until the frontend answers and the `default` namespace is usable."""
        deadline = time.monotonic() + timeout
        while True:
            if not self.running:
                raise AssertionError(f"temporal exited; its log ends:\n{self.tail()}")
            try:
                client = await Client.connect(self.address)
                await client.count_workflows()
                return
            except Exception as error:  # noqa: BLE001 - not up yet
                if time.monotonic() > deadline:
                    raise AssertionError(f"temporal not ready after {timeout:.0f} s: "
                                         f"{error}; its log ends:\n{self.tail()}") from None
            await asyncio.sleep(0.5)


class WorkerProcess(_Child):
    """The ticket worker as its own process, for the stack described by `settings`."""

    def __init__(self, settings: Settings, log: Path):
        env = child_env({
            "TICKETDESK_TEMPORAL_ADDRESS": settings.temporal_target,
            "TICKETDESK_TICKETS_ADDRESS": settings.tickets_target,
            "TICKETDESK_AUTH_ADDRESS": settings.auth_target,
            "TICKETDESK_SERVICE_TOKEN": settings.service_token.get_secret_value(),
            "TICKETDESK_DATA_DIR": str(settings.data_dir), "TICKETDESK_LOG_LEVEL": "WARNING",
            "TICKETDESK_WORKER_METRICS_PORT": "0"})
        super().__init__([sys.executable, "-m", "workflows.ticket.worker"], env, log)


@dataclass
class Workers:
    """Several worker processes; stops them all at the end."""

    processes: list[WorkerProcess] = field(default_factory=list)

    @classmethod
    def start(cls, settings: Settings, directory: Path, count: int) -> Workers:
        workers = cls([WorkerProcess(settings, directory / f"worker{i}.log")
                       for i in range(count)])
        for worker in workers.processes:
            worker.start()
        return workers

    def stop(self) -> None:
        for worker in self.processes:
            worker.stop(grace=10)
