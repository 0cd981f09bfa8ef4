"""Helpers for tests that run TicketDesk processes as subprocesses.

Shared by the `ticketdesk dev` end-to-end test and the browser tests.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

import grpc
import httpx
from grpc_health.v1 import health_pb2, health_pb2_grpc

SERVICES = ("auth", "tickets", "files")


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    return free_ports(1, host)[0]


def free_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """`count` distinct free ports (held open together so they differ).

    Drawn below the kernel's ephemeral range: a port from port 0 can be handed again,
    between our check and the child's bind, to any outgoing connection or to a server
    asking for port 0 (the Temporal dev server picks its internal ports so), and then
    the child cannot bind it.
    """
    low = ephemeral_low()
    socks = []
    try:
        below = range(max(1024, low - 12000), low)
        for port in [*random.sample(below, min(400, len(below))), *[0] * count]:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                sock.bind((host, port))
            except OSError:
                sock.close()
                continue
            socks.append(sock)
            if len(socks) == count:
                return [s.getsockname()[1] for s in socks]
        raise RuntimeError(f"fewer than {count} free ports")
    finally:
        for sock in socks:
            sock.close()


def ephemeral_low() -> int:
    """The first port of the kernel's ephemeral range (Linux), 32768 elsewhere."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The current environment for a child process, minus pytest's markers.

    NiceGUI switches to its test mode when PYTEST_CURRENT_TEST is set, and
    TICKETDESK_* variables of the developer's shell must not leak into a test.
    """
    env = {k: v for k, v in os.environ.items()
           if k != "PYTEST_CURRENT_TEST" and not k.startswith("TICKETDESK_")}
    env.update(extra or {})
    return env


def ticketdesk_env(data_dir: Path, **extra: str) -> tuple[dict[str, str], dict[str, int]]:
    """Environment for a whole TicketDesk on fresh free ports under `data_dir`.

    Returns (env, ports) with ports keyed auth, tickets, files, ui, temporal,
    temporal_ui and <process>_metrics.
    """
    names = ("auth", "tickets", "files", "ui", "temporal", "temporal_ui", "auth_metrics",
             "tickets_metrics", "files_metrics", "worker_metrics", "ui_metrics", "mail_in")
    ports = dict(zip(names, free_ports(len(names)), strict=True))
    env = {f"TICKETDESK_{name.upper()}_PORT": str(port) for name, port in ports.items()}
    env["TICKETDESK_DATA_DIR"] = str(data_dir)
    env.update(extra)
    return child_env(env), ports


def port_is_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def health_status(target: str, timeout: float = 2.0) -> int | None:
    """The grpc.health.v1 status of the server at `target`, None when unreachable."""
    with grpc.insecure_channel(target) as channel:
        try:
            answer = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=""), timeout=timeout)
        except grpc.RpcError:
            return None
        return answer.status


def http_ok(url: str, timeout: float = 3.0) -> bool:
    try:
        return httpx.get(url, timeout=timeout, follow_redirects=True).status_code == 200
    except httpx.HTTPError:
        return False


def wait_for(predicate, timeout: float, what: str, interval: float = 0.5,
             process=None, log: Path | None = None) -> None:
    """Poll `predicate()` until it is true; fail after `timeout` seconds.

    When `process` (a Popen) is given, fail early if it exits; the failure quotes the
    end of `log`, where the process wrote why.
    """
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return
        if process is not None and process.poll() is not None:
            raise AssertionError(f"{what}: the process exited with {process.returncode}"
                                 f"{log_tail(log)}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not ready after {timeout:.0f} s{log_tail(log)}")
        time.sleep(interval)


def log_tail(log: Path | None, lines: int = 60) -> str:
    """The last `lines` of a log, as the end of a failure message ('' without one)."""
    if log is None or not log.exists():
        return ""
    tail = log.read_text(errors="replace").splitlines()[-lines:]
    return f"\n--- the last lines of {log} ---\n" + "\n".join(tail)


def wait_for_health(targets: Iterable[str], timeout: float = 60.0, process=None,
                    log: Path | None = None) -> None:
    """Wait until every gRPC server in `targets` answers SERVING."""
    for target in targets:
        wait_for(lambda t=target: health_status(t) == health_pb2.HealthCheckResponse.SERVING,
                 timeout, f"health of {target}", process=process, log=log)


def wait_for_http(url: str, timeout: float = 60.0, process=None) -> None:
    wait_for(lambda: http_ok(url), timeout, f"HTTP 200 from {url}", process=process)


def processes_matching(text: str) -> list[tuple[int, str]]:
    """(pid, command line) of every live process whose command line contains `text`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            raw = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        cmdline = raw.replace(b"\0", b" ").decode(errors="replace").strip()
        if text in cmdline and not _is_zombie(entry):
            found.append((int(entry.name), cmdline))
    return found


def processes_mentioning(text: str) -> list[tuple[int, str]]:
    """(pid, command line) of every live process with `text` in its command line
    or its environment (a child of `ticketdesk dev` carries TICKETDESK_DATA_DIR)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        needle = text.encode()
        if (needle in cmdline or needle in environ) and not _is_zombie(entry):
            found.append((int(entry.name),
                          cmdline.replace(b"\0", b" ").decode(errors="replace").strip()))
    return found


def _is_zombie(entry: Path) -> bool:
    try:
        stat = (entry / "stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] == "Z"


def descendants(pid: int) -> list[int]:
    """Every live descendant of `pid` (children first, by /proc/*/stat ppid)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[-1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_tree(process, grace: float = 10.0) -> None:
    """Stop a Popen and everything it started: SIGTERM, then SIGKILL after `grace`."""
    pids = [process.pid, *descendants(process.pid)]
    for pid in pids:
        _signal(pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except Exception:  # noqa: BLE001 - subprocess.TimeoutExpired
        pass
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(_alive(p) for p in pids[1:]):
        time.sleep(0.2)
    for pid in pids:
        _signal(pid, signal.SIGKILL)
    try:
        process.wait(timeout=5)
    except Exception:  # noqa: BLE001
        pass


def kill_matching(text: str) -> None:
    """Last resort after a test: SIGKILL every process that mentions `text`
    in its command line or environment."""
    for pid, _ in processes_mentioning(text):
        _signal(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return not _is_zombie(Path(f"/proc/{pid}"))


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except OSError:
        pass
