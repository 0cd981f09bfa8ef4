"""`python -m ui` as a real process, for the tests of the UI's metrics and replicas."""

from __future__ import annotations

import asyncio
import secrets
import subprocess
import sys
from pathlib import Path

import httpx

from tests.support.processes import child_env


def start_ui(data_dir: Path, ui_port: int, metrics_port: int, auth_port: int,
             **extra: str) -> tuple[subprocess.Popen, Path]:
    """A UI on `ui_port` whose auth service is on `auth_port`; `extra` adds variables.
    Returns the process and its log."""
    log = data_dir / f"ui-{ui_port}.log"
    env = child_env({"TICKETDESK_DATA_DIR": str(data_dir), "TICKETDESK_UI_PORT": str(ui_port),
                     "TICKETDESK_UI_METRICS_PORT": str(metrics_port),
                     "TICKETDESK_AUTH_ADDRESS": f"127.0.0.1:{auth_port}",
                     "TICKETDESK_UI_STORAGE_SECRET": secrets.token_urlsafe(32), **extra})
    with log.open("ab") as out:
        process = subprocess.Popen([sys.executable, "-m", "ui"], env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    return process, log


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


async def status_of(port: int, path: str) -> int | None:
    """The HTTP status of `path` on 127.0.0.1:`port` (redirects not followed)."""
    try:
        async with httpx.AsyncClient(timeout=5) as http:
            return (await http.get(f"http://127.0.0.1:{port}{path}")).status_code
    except httpx.TransportError:
        return None


async def wait_status(port: int, path: str, wanted: int, process: subprocess.Popen,
                      log: Path, timeout: float = 120) -> None:
    """Until `path` answers `wanted`; a process that ends, or never answers, fails with
    the tail of its log."""
    answer = None
    try:
        async with asyncio.timeout(timeout):
            while (answer := await status_of(port, path)) != wanted:
                assert process.poll() is None, f"the UI ended:\n{tail(log)}"
                await asyncio.sleep(0.2)
    except TimeoutError:
        raise AssertionError(f"{path} answered {answer}, not {wanted}, after {timeout:.0f} s:"
                             f"\n{tail(log)}") from None


def tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
