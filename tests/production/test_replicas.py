"""Production shape on one machine: PostgreSQL-backed services, two replicas of
each service and two workers behind one Temporal server. 200 tickets live their
whole life while one replica of each kind is stopped and started again."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import pytest

from services.common.client.channels import Clients, bearer
from services.tickets.convert import ACTION_TO_PROTO
from tests.support import postgres
from tests.support.processes import child_env, free_ports, wait_for_health
from tests.support.stack import PASSWORD, start_temporal
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket.rules import Action

TICKETS = int(os.environ.get("TICKETDESK_REPLICA_TICKETS", "200"))
CONCURRENCY = 24
SERVICES = ("auth", "tickets", "files")
LIFE = [("developer", Action.START_WORK), ("developer", Action.ASK_CLARIFICATION),
        ("developer", Action.CONTINUE_WITHOUT_ANSWER),
        ("developer", Action.SUBMIT_FOR_ACCEPTANCE), ("client", Action.ACCEPT)]
EXPECTED = ["queued", "in_progress", "needs_info", "in_progress", "awaiting_acceptance", "done"]
# Per replica, as before: they start in about 10 s on a busy machine. A replica that
# exits (a port taken, a bad migration) fails at once, with the end of its log.
STARTUP_TIMEOUT = 60.0


@dataclass
class Replica:
    name: str
    command: list[str]
    env: dict[str, str]
    port: int | None = None
    process: subprocess.Popen | None = None
    log: Path | None = None

    def start(self) -> None:
        assert self.log is not None
        with self.log.open("ab") as handle:  # the child keeps its own copy
            self.process = subprocess.Popen(self.command, env=self.env, stdout=handle,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def wait_serving(self, timeout: float) -> None:
        """Until its gRPC health is SERVING; fails early if it exits, with its log's end."""
        try:
            wait_for_health([f"127.0.0.1:{self.port}"], timeout, process=self.process)
        except AssertionError as error:
            raise AssertionError(f"{self.name}: {error}; its log ends:\n{self.tail()}") from None

    def tail(self, lines: int = 40) -> str:
        assert self.log is not None
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:  # longer than the services' drain (shutdown_grace_seconds)
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


@dataclass
class Cluster:
    replicas: list[Replica] = field(default_factory=list)
    targets: dict[str, str] = field(default_factory=dict)

    def of(self, kind: str) -> list[Replica]:
        return [r for r in self.replicas if r.name.startswith(kind)]


@pytest.fixture
async def cluster(tmp_path):
    urls = {name: await postgres.fresh_database_or_skip(f"td_replica_{name}")
            for name in SERVICES}
    temporal = await start_temporal()
    ports = dict(zip([f"{s}{i}" for s in SERVICES for i in (1, 2)], free_ports(6),
                     strict=True))
    targets = {s: "ipv4:" + ",".join(f"127.0.0.1:{ports[f'{s}{i}']}" for i in (1, 2))
               for s in SERVICES}
    token = uuid.uuid4().hex + uuid.uuid4().hex
    base = child_env({
        **{f"TICKETDESK_{s.upper()}_DATABASE_URL": url for s, url in urls.items()},
        **{f"TICKETDESK_{s.upper()}_ADDRESS": target for s, target in targets.items()},
        "TICKETDESK_TEMPORAL_ADDRESS": temporal.client.service_client.config.target_host,
        "TICKETDESK_SERVICE_TOKEN": token, "TICKETDESK_DATA_DIR": str(tmp_path),
        "TICKETDESK_MIGRATE_ON_START": "false", "TICKETDESK_LOG_LEVEL": "WARNING",
        "TICKETDESK_AUTH_CACHE_SECONDS": "1",
        # No metrics ports (tests/production/test_metrics.py covers them): each one picked
        # here, and the Temporal SDK exporter's port that a tickets replica or a worker picks
        # for itself, could take a port picked above before its replica had bound it.
        **{f"TICKETDESK_{kind.upper()}_METRICS_PORT": "0" for kind in (*SERVICES, "worker")}})
    subprocess.run([sys.executable, "-m", "cli.main", "migrate"], env=base, check=True,
                   capture_output=True)
    cluster = Cluster(targets=targets)
    for service in SERVICES:
        for i in (1, 2):
            port = ports[f"{service}{i}"]
            env = {**base, f"TICKETDESK_{service.upper()}_PORT": str(port)}
            cluster.replicas.append(Replica(f"{service}{i}", [sys.executable, "-m",
                                                               f"services.{service}"],
                                            env, port, log=tmp_path / f"{service}{i}.log"))
    for i in (1, 2):
        cluster.replicas.append(Replica(f"worker{i}", [sys.executable, "-m",
                                                        "workflows.ticket.worker"],
                                        base, log=tmp_path / f"worker{i}.log"))
    for replica in cluster.replicas:
        replica.start()
    started = time.monotonic()
    for replica in cluster.replicas:
        if replica.port:
            replica.wait_serving(STARTUP_TIMEOUT)
    for replica in cluster.of("worker"):
        assert replica.process.poll() is None, f"{replica.name} exited:\n{replica.tail()}"
    print(f"replicas serving after {time.monotonic() - started:.1f} s")
    cluster.token = token
    yield cluster
    for replica in cluster.replicas:
        replica.stop()
    await temporal.shutdown()
    for url in urls.values():
        await postgres.drop_database(url)


# A stopping replica answers UNAVAILABLE, except for calls that reached it but no handler
# yet: those end CANCELLED (grpc/grpc#41785). Both are retried with the same request_id.
RETRIED = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED}


async def call(method, request, metadata, retried: list[int]):
    """Retry with the same request (and request_id), as clients should."""
    for _ in range(60):
        try:
            return await method(request, metadata=metadata, timeout=30)
        except grpc.aio.AioRpcError as error:
            if error.code() not in RETRIED:
                raise
            retried.append(1)
            await asyncio.sleep(0.5)
    raise AssertionError(f"{request} never answered")


async def restart_one_of_each(cluster: Cluster, done: asyncio.Event) -> int:
    restarts = 0
    for kind in ("auth", "tickets", "files", "worker"):
        if done.is_set():
            break
        await asyncio.sleep(2)
        replica = cluster.of(kind)[0]
        await asyncio.to_thread(replica.stop)
        await asyncio.sleep(2)
        replica.start()
        restarts += 1
    return restarts


async def test_two_hundred_tickets_live_through_replica_restarts(cluster):
    clients = Clients(cluster.targets["auth"], cluster.targets["tickets"],
                      cluster.targets["files"])
    service = bearer(cluster.token)
    org = await clients.auth.CreateOrganization(auth_pb2.CreateOrganizationRequest(
        organization=auth_pb2.Organization(display_name="Replicas")), metadata=service)
    people = {}
    for role, value in (("client", auth_pb2.ROLE_CLIENT),
                        ("developer", auth_pb2.ROLE_DEVELOPER)):
        email = f"{role}-{uuid.uuid4().hex[:6]}@example.test"
        await clients.auth.CreateUser(auth_pb2.CreateUserRequest(user=auth_pb2.User(
            email=email, full_name=role, role=value,
            organization=org.name if role == "client" else ""), initial_password=PASSWORD),
            metadata=service)
        login = await clients.auth.Login(auth_pb2.LoginRequest(email=email, password=PASSWORD))
        people[role] = bearer(login.session_token)
    retried: list[int] = []
    gate = asyncio.Semaphore(CONCURRENCY)

    async def live(i: int) -> str:
        async with gate:
            ticket = await call(clients.tickets.CreateTicket, pb.CreateTicketRequest(
                ticket=pb.Ticket(title=f"Тикет {i}", description="Проверка реплик"),
                request_id=f"create-{i}"), people["client"], retried)
            for role, action in LIFE:
                await call(clients.tickets.TransitionTicket, pb.TransitionTicketRequest(
                    name=ticket.name, action=ACTION_TO_PROTO[action], text="текст",
                    request_id=uuid.uuid4().hex), people[role], retried)
            return ticket.name

    done = asyncio.Event()
    restarts = asyncio.create_task(restart_one_of_each(cluster, done))
    names = await asyncio.gather(*(live(i) for i in range(TICKETS)))
    done.set()
    restarted = await restarts
    assert len(set(names)) == TICKETS
    duplicates = 0
    for name in names:
        history = await call(clients.tickets.ListTicketHistory,
                             pb.ListTicketHistoryRequest(parent=name), people["developer"],
                             retried)
        statuses = [h.new_value for h in history.entries if h.field == "status"]
        duplicates += len(statuses) - len(EXPECTED)
        assert statuses == EXPECTED, (name, statuses)
    await clients.close()
    print(f"replicas: 2 × auth, tickets, files, worker; restarted {restarted}; "
          f"tickets {TICKETS}/{TICKETS} done; retried UNAVAILABLE {len(retried)}; "
          f"duplicate history rows {duplicates}")
    assert restarted == 4
