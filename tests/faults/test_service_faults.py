"""Faults of the service processes and of their database (issue #9).

auth, tickets and files run as their own processes on PostgreSQL, reached through a
TCP proxy that a test can cut (tests/support/tcp_proxy.py); the worker is a process
too. The tests break one part while traffic goes on, the way the UI and the workers
call: through the shared gRPC clients, retrying UNAVAILABLE/CANCELLED with the same
request_id.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import pytest
from sqlalchemy import make_url

from services.common.client.channels import Clients, bearer
from services.common.client.errors import problem_of
from services.tickets.convert import ACTION_TO_PROTO
from tests.faults.cluster import Retries, call
from tests.support import postgres
from tests.support.processes import child_env, free_ports, wait_for_health
from tests.support.stack import PASSWORD, start_temporal
from tests.support.summary import report
from tests.support.tcp_proxy import TcpProxy
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.files.v1 import files_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket.rules import Action

SERVICES = ("auth", "tickets", "files")
STARTUP_TIMEOUT = 90.0
# Restart: parallel callers, each living tickets through until the restart is over.
CALLERS = 8
LIFE = [("developer", Action.START_WORK), ("developer", Action.SUBMIT_FOR_ACCEPTANCE),
        ("client", Action.ACCEPT)]
EXPECTED_STATUSES = ["queued", "in_progress", "awaiting_acceptance", "done"]
# A caller keeps retrying (every 0.5 s) for as long as a restart may take here.
ATTEMPTS = int((STARTUP_TIMEOUT + 30) / 0.5)
# Outage: how long the database is away, and the callers' deadline meanwhile.
OUTAGE_SECONDS = 30.0
DEADLINE = 15.0
RECOVERY_TIMEOUT = 90.0


@dataclass
class Process:
    """One service or worker process with its own log and process group."""

    name: str
    env: dict[str, str]
    log: Path
    port: int | None = None
    popen: subprocess.Popen | None = None

    @property
    def module(self) -> str:
        return "workflows.ticket.worker" if self.name == "worker" else f"services.{self.name}"

    def start(self) -> None:
        with self.log.open("ab") as handle:  # the child keeps its own copy
            self.popen = subprocess.Popen([sys.executable, "-m", self.module], env=self.env,
                                          stdout=handle, stderr=subprocess.STDOUT,
                                          stdin=subprocess.DEVNULL, start_new_session=True)

    def wait_serving(self) -> None:
        """Until its gRPC health answers SERVING; fails early, with its log, if it exits."""
        if self.port is None:
            assert self.running, f"{self.name} exited:\n{self.tail()}"
            return
        try:
            wait_for_health([f"127.0.0.1:{self.port}"], STARTUP_TIMEOUT, process=self.popen)
        except AssertionError as error:
            raise AssertionError(f"{self.name}: {error}; its log ends:\n{self.tail()}") from None

    def stop(self) -> None:
        """SIGTERM: the server drains running calls (up to its shutdown grace)."""
        if self.running:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(40)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(10)

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


@dataclass
class Cluster:
    processes: dict[str, Process]
    proxy: TcpProxy
    token: str
    clients: Clients
    people: dict[str, tuple] = field(default_factory=dict)

    @property
    def service(self):
        return bearer(self.token)


@pytest.fixture(scope="module")
async def cluster(tmp_path_factory):
    urls = {s: await postgres.fresh_database_or_skip(f"td_fault_{s}") for s in SERVICES}
    admin = make_url(postgres.admin_url())
    proxy = TcpProxy(admin.host or "127.0.0.1", admin.port or 5432).start()
    proxied = {s: make_url(url).set(host="127.0.0.1", port=proxy.port)
               .render_as_string(hide_password=False) for s, url in urls.items()}
    temporal = await start_temporal()
    directory = tmp_path_factory.mktemp("service_faults")
    ports = dict(zip(SERVICES, free_ports(len(SERVICES)), strict=True))
    token = uuid.uuid4().hex + uuid.uuid4().hex
    env = child_env({
        **{f"TICKETDESK_{s.upper()}_DATABASE_URL": url for s, url in proxied.items()},
        **{f"TICKETDESK_{s.upper()}_PORT": str(port) for s, port in ports.items()},
        **{f"TICKETDESK_{kind.upper()}_METRICS_PORT": "0" for kind in (*SERVICES, "worker")},
        "TICKETDESK_TEMPORAL_ADDRESS": temporal.client.service_client.config.target_host,
        "TICKETDESK_SERVICE_TOKEN": token, "TICKETDESK_DATA_DIR": str(directory),
        "TICKETDESK_LOG_LEVEL": "WARNING", "TICKETDESK_AUTH_CACHE_SECONDS": "1",
        # A shorter drain than production's 20 s: a transition still waiting then is cut
        # off, and its caller's retry (same request_id) must not apply it twice.
        "TICKETDESK_SHUTDOWN_GRACE_SECONDS": "5"})
    processes = {name: Process(name, env, directory / f"{name}.log", ports.get(name))
                 for name in (*SERVICES, "worker")}
    for process in processes.values():  # each migrates its own database on start
        process.start()
    clients = Clients(*(f"127.0.0.1:{ports[s]}" for s in SERVICES))
    running = Cluster(processes, proxy, token, clients)
    try:
        for process in processes.values():
            await asyncio.to_thread(process.wait_serving)
        await sign_up(running)
        yield running
    finally:
        await clients.close()
        await asyncio.gather(*(asyncio.to_thread(p.stop) for p in processes.values()))
        proxy.close()
        await temporal.shutdown()
        for url in urls.values():
            await postgres.drop_database(url)


async def sign_up(cluster: Cluster) -> None:
    """A client organization with one client, and a developer."""
    auth = cluster.clients.auth
    org = await auth.CreateOrganization(auth_pb2.CreateOrganizationRequest(
        organization=auth_pb2.Organization(display_name="Faults")), metadata=cluster.service)
    for role, value in (("client", auth_pb2.ROLE_CLIENT),
                        ("developer", auth_pb2.ROLE_DEVELOPER)):
        email = f"{role}-{uuid.uuid4().hex[:8]}@example.test"
        await auth.CreateUser(auth_pb2.CreateUserRequest(user=auth_pb2.User(
            email=email, full_name=role, role=value,
            organization=org.name if role == "client" else ""), initial_password=PASSWORD),
            metadata=cluster.service)
        login = await auth.Login(auth_pb2.LoginRequest(email=email, password=PASSWORD))
        cluster.people[role] = bearer(login.session_token)


async def ticket_count(cluster: Cluster) -> int:
    """How many tickets the client's organization has, in every status."""
    answer = await call(cluster.clients.tickets.ListTickets,
                        pb.ListTicketsRequest(page_size=1), cluster.people["client"])
    return answer.total_size


# --- 1. the tickets service restarts under load -----------------------------------------


async def live_one_ticket(cluster: Cluster, key: str, retries: Retries, calls: Counter) -> str:
    """Create, comment, and walk a ticket to done; each step retried with its own
    request_id, exactly as the UI and the workers retry."""
    tickets, people = cluster.clients.tickets, cluster.people

    async def step(method, request, role):
        calls["calls"] += 1
        try:
            return await call(method, request, people[role], retries, attempts=ATTEMPTS)
        except AssertionError as error:  # never answered: say what it met meanwhile
            raise AssertionError(f"{error}; retried so far: {retries.line()}; the tickets "
                                 f"service's log ends:\n"
                                 f"{cluster.processes['tickets'].tail()}") from None

    ticket = await step(tickets.CreateTicket, pb.CreateTicketRequest(
        ticket=pb.Ticket(title=f"Перезапуск {key}", description="Сервис перезапускается"),
        request_id=f"create-{key}"), "client")
    await step(tickets.AddComment, pb.AddCommentRequest(
        parent=ticket.name, comment=pb.Comment(body=f"comment {key}"),
        request_id=f"comment-{key}"), "client")
    for i, (role, action) in enumerate(LIFE):
        await step(tickets.TransitionTicket, pb.TransitionTicketRequest(
            name=ticket.name, action=ACTION_TO_PROTO[action], text="текст",
            request_id=f"step{i}-{key}"), role)
    return ticket.name


async def restart_tickets_service(cluster: Cluster, done: asyncio.Event) -> float:
    """SIGTERM the tickets service a little into the traffic, start it again; returns
    how long it was away."""
    tickets = cluster.processes["tickets"]
    try:
        await asyncio.sleep(3)
        stopped = time.monotonic()
        await asyncio.to_thread(tickets.stop)
        tickets.start()
        await asyncio.to_thread(tickets.wait_serving)
        return time.monotonic() - stopped
    finally:
        done.set()  # the callers finish their round either way


async def until_history_complete(cluster: Cluster, name: str) -> list[str]:
    """The ticket's status history, once the worker's activities wrote all of it
    (they retry on their own after the restart)."""
    statuses: list[str] = []
    async with asyncio.timeout(120):  # activities back off up to 30 s between tries
        while True:
            history = await call(cluster.clients.tickets.ListTicketHistory,
                                 pb.ListTicketHistoryRequest(parent=name),
                                 cluster.people["developer"])
            statuses = [h.new_value for h in history.entries if h.field == "status"]
            if len(statuses) >= len(EXPECTED_STATUSES):
                return statuses
            await asyncio.sleep(0.5)


async def test_tickets_service_restart_under_load_loses_and_duplicates_nothing(cluster):
    """While callers create, comment on and transition tickets, the tickets service is
    stopped (SIGTERM) and started again: callers see only UNAVAILABLE or CANCELLED,
    their retries with the same request_id succeed, every ticket ends done with each
    transition and comment recorded exactly once, and the worker (never restarted)
    finishes its activities by itself."""
    worker_pid = cluster.processes["worker"].popen.pid
    before = await ticket_count(cluster)
    retries, calls = Retries(), Counter()
    restarted = asyncio.Event()

    async def caller(c: int) -> list[str]:
        names: list[str] = []
        while not restarted.is_set():  # before, during and just after the restart
            names.append(await live_one_ticket(cluster, f"{c}-{len(names)}", retries, calls))
        names.append(await live_one_ticket(cluster, f"{c}-{len(names)}", retries, calls))
        return names

    restart = asyncio.create_task(restart_tickets_service(cluster, restarted))
    names = [name for batch in await asyncio.gather(*(caller(c) for c in range(CALLERS)))
             for name in batch]
    away = await restart
    duplicates = 0
    for name in names:
        statuses = await until_history_complete(cluster, name)
        duplicates += len(statuses) - len(EXPECTED_STATUSES)
        assert statuses == EXPECTED_STATUSES, (name, statuses)
        comments = await call(cluster.clients.tickets.ListComments,
                              pb.ListCommentsRequest(parent=name, page_size=100),
                              cluster.people["client"])
        mine = [c for c in comments.comments if c.body.startswith("comment ")]
        assert len(mine) == 1, (name, [c.body for c in mine])
    assert await ticket_count(cluster) == before + len(names), "tickets lost or duplicated"
    assert cluster.processes["worker"].running and \
        cluster.processes["worker"].popen.pid == worker_pid, "the worker needed a restart"
    assert retries, "no call met the restart: the traffic did not overlap it"
    assert set(retries) <= {"UNAVAILABLE", "CANCELLED"}, retries
    report(f"faults: tickets service restarted under load (away {away:.1f} s); "
           f"calls {calls['calls']}, retried {sum(retries.values())} ({retries.line()}); "
           f"tickets {len(names)}/{len(names)} done, lost 0, duplicates {duplicates}")


# --- 2. the database is unreachable for 30 seconds --------------------------------------


def probes(cluster: Cluster, ticket: str, n: int) -> dict[str, Callable[[], Awaitable]]:
    """One call of each kind users make, with the callers' deadline (a gRPC call starts
    when it is made: hence functions)."""
    c, people = cluster.clients, cluster.people
    client, developer = people["client"], people["developer"]
    return {
        "GetTicket": lambda: c.tickets.GetTicket(
            pb.GetTicketRequest(name=ticket), metadata=client, timeout=DEADLINE),
        "ListTickets": lambda: c.tickets.ListTickets(
            pb.ListTicketsRequest(page_size=10), metadata=developer, timeout=DEADLINE),
        "CreateTicket": lambda: c.tickets.CreateTicket(outage_create(n), metadata=client,
                                                       timeout=DEADLINE),
        "AddComment": lambda: c.tickets.AddComment(pb.AddCommentRequest(
            parent=ticket, comment=pb.Comment(body=f"outage comment {n}"),
            request_id=f"outage-comment-{n}"), metadata=client, timeout=DEADLINE),
        "TransitionTicket": lambda: c.tickets.TransitionTicket(pb.TransitionTicketRequest(
            name=ticket, action=ACTION_TO_PROTO[Action.START_WORK],
            request_id=f"outage-start-{n}"), metadata=developer, timeout=DEADLINE),
        "WhoAmI": lambda: c.auth.WhoAmI(auth_pb2.WhoAmIRequest(), metadata=client,
                                        timeout=DEADLINE),
        "Login": lambda: c.auth.Login(auth_pb2.LoginRequest(
            email="nobody@example.test", password=PASSWORD), timeout=DEADLINE),
        "ListFiles": lambda: c.files.ListFiles(files_pb2.ListFilesRequest(parent=ticket),
                                               metadata=client, timeout=DEADLINE),
    }


def outage_create(n: int) -> pb.CreateTicketRequest:
    return pb.CreateTicketRequest(
        ticket=pb.Ticket(title=f"Во время аварии {n}", description="База недоступна"),
        request_id=f"outage-{n}")


async def outcome(start: Callable[[], Awaitable]) -> tuple[str, str, str]:
    """(status code name, message, ErrorInfo reason) of one call."""
    try:
        await start()
    except grpc.aio.AioRpcError as error:
        return error.code().name, error.details() or "", problem_of(error).reason
    return "OK", "", ""


READS = ("GetTicket", "ListTickets", "WhoAmI", "ListFiles")


async def until_serving_again(cluster: Cluster, ticket: str) -> float:
    """Seconds from the database's return until each service answers reads again."""
    restored = time.monotonic()
    async with asyncio.timeout(RECOVERY_TIMEOUT):
        while True:
            calls = probes(cluster, ticket, 0)
            answers = [await outcome(calls[name]) for name in READS]
            if all(code == "OK" for code, _, _ in answers):
                return time.monotonic() - restored
            await asyncio.sleep(0.2)


async def test_database_outage_answers_unavailable_and_recovers_without_restart(cluster):
    """With every connection to PostgreSQL cut and new ones refused for 30 s, every call
    answers UNAVAILABLE with a readable message and the reason UNAVAILABLE (retry) within
    its deadline (never UNKNOWN, INTERNAL or DEADLINE_EXCEEDED); once the database is
    back the same processes serve again (stale pooled connections replaced), and the
    creates refused meanwhile, retried with their request_ids, make one ticket each."""
    tickets, client = cluster.clients.tickets, cluster.people["client"]
    ticket = await call(tickets.CreateTicket, pb.CreateTicketRequest(
        ticket=pb.Ticket(title="До аварии", description="База ещё доступна"),
        request_id="before-outage"), client)
    before = await ticket_count(cluster)
    pids = {name: p.popen.pid for name, p in cluster.processes.items()}
    codes, messages = Counter(), Counter()
    wrong: list[tuple[str, str, str, str]] = []
    cut = await asyncio.to_thread(cluster.proxy.cut)
    try:
        ends, rounds = time.monotonic() + OUTAGE_SECONDS, 0
        while time.monotonic() < ends:
            rounds += 1
            calls = probes(cluster, ticket.name, rounds)
            answers = await asyncio.gather(*(outcome(start) for start in calls.values()))
            for name, (code, message, reason) in zip(calls, answers, strict=True):
                codes[code] += 1
                messages[message] += 1
                if code != "UNAVAILABLE" or not message or reason != "UNAVAILABLE":
                    wrong.append((name, code, reason, message))
            await asyncio.sleep(0.5)
    finally:
        await asyncio.to_thread(cluster.proxy.restore)
    recovered = await until_serving_again(cluster, ticket.name)

    assert not wrong, ("answers other than UNAVAILABLE (reason UNAVAILABLE) with a "
                       f"message: {set(wrong)}")
    for name, process in cluster.processes.items():
        assert process.running and process.popen.pid == pids[name], f"{name} restarted"
    for n in range(1, rounds + 1):  # the refused creates, retried as a client would
        await call(tickets.CreateTicket, outage_create(n), client)
    after = await ticket_count(cluster)
    assert after == before + rounds, f"{rounds} creates retried: {before} -> {after} tickets"
    said = ", ".join(f"«{m}» {n}" for m, n in messages.most_common())
    report(f"faults: database down {OUTAGE_SECONDS:.0f} s ({cut} connections cut); errors "
           f"UNAVAILABLE {codes['UNAVAILABLE']}, other {codes.total() - codes['UNAVAILABLE']} "
           f"({said}); recovered in {recovered:.1f} s without restart; {rounds} refused "
           f"creates retried, duplicates 0")
