"""A whole `ticketdesk dev` started as users run it, its processes by role, the CPU each
one used, and the backlog of the worker's task queue."""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable
from contextlib import asynccontextmanager
from pathlib import Path

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from bench.baseline import BASELINE_QUEUE, Counter, Trivial
from bench.stats import Figures, measure

from tests.support.processes import descendants, kill_tree, ticketdesk_env, wait_for

ROOT = Path(__file__).resolve().parents[1]
STARTUP_SECONDS = 180
STOP_SECONDS = 60
START_ATTEMPTS = 2
LOG_TAIL = 15  # lines of a failed start's log kept in the error
KINDS = (("workflow", TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
         ("activity", TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY))

TICKS = os.sysconf("SC_CLK_TCK")
# What each child of `ticketdesk dev` runs (cli/dev.py), as found in its command line.
ROLES = (("temporal", b"start-dev"), ("auth", b"services.auth"),
         ("tickets", b"services.tickets"), ("files", b"services.files"),
         ("worker", b"workflows.ticket.worker"), ("ui", b"-m\0ui"))


def stack_processes(supervisor: int) -> dict[str, int]:
    """Role -> process id of every child of the `ticketdesk dev` supervisor."""
    found = {}
    for pid in descendants(supervisor):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        for role, marker in ROLES:
            if marker in cmdline and role not in found:
                found[role] = pid
    return found


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of the process (its threads included) so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def cpu_snapshot(processes: dict[str, int]) -> dict[str, float]:
    return {role: cpu_seconds(pid) for role, pid in processes.items()}


def cpu_shares(before: dict[str, float], after: dict[str, float],
               wall: float) -> dict[str, float]:
    """Role -> the share of one core it used between the two snapshots (1.0 = a core)."""
    return {role: (after[role] - before[role]) / wall for role in before if role in after}


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _stop_with_parent() -> None:
    """In the supervisor, before exec: SIGTERM (its orderly stop) when the bench dies,
    even by SIGKILL, so that no process of the stack outlives it (Linux only)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


@asynccontextmanager
async def ticketdesk_dev(data_dir: Path):
    """`ticketdesk dev` with its demo data on free ports under `data_dir`; yields (ports,
    role -> process id of each child). Stopped with Ctrl-C's signal, as a user stops it.
    A start that fails is tried once more on other ports (a free port picked can be taken
    before the child binds it); the second failure raises with the end of its log."""
    for attempt in range(START_ATTEMPTS):
        process, ports, failed = await _start_dev(data_dir / f"attempt-{attempt}")
        if failed is None:
            break
        _stop(process)
        print(f"  ticketdesk dev did not start: {failed}", flush=True)
    else:
        raise AssertionError(failed)
    try:
        yield ports, stack_processes(process.pid)
    finally:
        await asyncio.to_thread(_stop, process)


async def _start_dev(data_dir: Path) -> tuple[subprocess.Popen, dict[str, int], str | None]:
    data_dir.mkdir(parents=True, exist_ok=True)
    env, ports = ticketdesk_env(data_dir)
    log_path = data_dir / "dev.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "dev"], cwd=ROOT, env=env,
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            preexec_fn=_stop_with_parent if sys.platform.startswith("linux") else None)
    try:
        await asyncio.to_thread(
            wait_for, lambda: b"Press Ctrl-C to stop" in log_path.read_bytes(),
            STARTUP_SECONDS, f"ticketdesk dev (log: {log_path})", process=process)
    except AssertionError as failed:  # the log goes with the scratch folder: keep its end
        tail = log_path.read_text(errors="replace").splitlines()[-LOG_TAIL:]
        return process, ports, f"{failed}; its log ends: {' | '.join(tail)}"
    return process, ports, None


def _stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        kill_tree(process)


async def backlog(client: Client, task_queue: str) -> dict[str, float] | None:
    """Tasks of `task_queue` waiting for a worker now (count, age of the oldest in
    seconds), workflow and activity tasks; None when the server does not say."""
    found = {}
    for name, kind in KINDS:
        try:
            stats = (await client.workflow_service.describe_task_queue(
                DescribeTaskQueueRequest(
                    namespace=client.namespace, task_queue=TaskQueue(name=task_queue),
                    task_queue_type=kind, report_stats=True))).stats
        except Exception:  # noqa: BLE001 - a missed sample is no measurement
            return None
        found[f"{name}_tasks"] = float(stats.approximate_backlog_count)
        found[f"{name}_task_age_s"] = stats.approximate_backlog_age.ToTimedelta().total_seconds()
    return found


async def max_backlog(client: Client, task_queue: str, until: float,
                      every: float = 2.0) -> dict[str, float]:
    """The largest backlog of `task_queue` seen every `every` seconds until `until`."""
    worst = {f"{name}_{what}": 0.0 for name, _ in KINDS for what in ("tasks", "task_age_s")}
    while time.monotonic() < until:
        for key, value in (await backlog(client, task_queue) or {}).items():
            worst[key] = max(worst[key], value)
        await asyncio.sleep(every)
    return worst


async def drain(client: Client, task_queue: str, timeout: float) -> float:
    """Seconds until no task of `task_queue` waits for a worker (at most `timeout`)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        now = await backlog(client, task_queue)
        if now is not None and not now["workflow_tasks"] and not now["activity_tasks"]:
            break
        await asyncio.sleep(1.0)
    return time.monotonic() - started


async def raw_rates(client: Client, starts: int, updates: int,
                    callers: int) -> tuple[Figures, Figures, int]:
    """The bare server: start_workflow of Trivial and execute_update on Counter workflows
    (a worker for the baseline queue must run), `callers` concurrent callers each; and
    how many of these calls failed (their time is among the samples)."""
    run, failures = uuid.uuid4().hex[:8], 0

    async def tolerant(call: Awaitable[object]) -> None:
        nonlocal failures
        try:
            await call
        except Exception:  # noqa: BLE001 - counted and reported
            failures += 1

    counters = [await client.start_workflow(Counter.run, id=f"stack-counter-{run}-{i}",
                                            task_queue=BASELINE_QUEUE)
                for i in range(callers)]
    started = await measure(lambda i: tolerant(client.start_workflow(
        Trivial.run, i, id=f"stack-trivial-{run}-{i}", task_queue=BASELINE_QUEUE)),
        starts, callers)
    updated = await measure(lambda i: tolerant(counters[i % callers].execute_update(
        Counter.bump, 1)), updates, callers)
    for counter in counters:
        await tolerant(counter.signal(Counter.stop))
    return started, updated, failures
