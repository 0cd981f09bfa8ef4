"""`ticketdesk dev` end to end: the real supervisor, Temporal dev server, services,
worker and web UI as subprocesses, on free ports in a temporary data dir."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import grpc
import pytest
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from cli.demo import DEMO_LOGINS, DEMO_ORGANIZATIONS, DEMO_TICKETS
from services.common.client.channels import bearer
from tests.support.processes import (
    http_ok,
    kill_matching,
    kill_tree,
    processes_mentioning,
    ticketdesk_env,
    wait_for,
    wait_for_health,
)
from ticketdesk.auth.v1 import auth_pb2, auth_pb2_grpc
from ticketdesk.tickets.v1 import tickets_pb2, tickets_pb2_grpc

STARTUP = 120.0
STOP = 30.0
READY_LINE = "Press Ctrl-C to stop."
# The public services and the internal ones (the service token's only; docs/API.md).
EXPECTED_SERVICES = {"ticketdesk.auth.v1.AuthService", "ticketdesk.tickets.v1.TicketService",
                     "ticketdesk.files.v1.FileService", "ticketdesk.auth.v1.AuthInternalService",
                     "ticketdesk.tickets.v1.TicketInternalService"}

pytestmark = pytest.mark.timeout(600)


def ticketdesk_command(*args: str) -> list[str]:
    script = Path(sys.executable).parent / "ticketdesk"
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-m", "cli.main", *args]


class DevRun:
    """One `ticketdesk dev` process with its output in a file."""

    def __init__(self, env: dict[str, str], cwd: Path, output: Path):
        self.output = output
        self._out = output.open("wb")
        self.process = subprocess.Popen(ticketdesk_command("dev"), env=env, cwd=cwd,
                                         stdin=subprocess.DEVNULL, stdout=self._out,
                                         stderr=subprocess.STDOUT)

    def text(self) -> str:
        return self.output.read_text(errors="replace")

    def wait_ready(self) -> None:
        try:
            wait_for(lambda: READY_LINE in self.text(), STARTUP, "ticketdesk dev",
                     process=self.process)
        except AssertionError as error:
            raise AssertionError(f"{error}\n--- output ---\n{self.text()}") from None

    def wait_exit(self, timeout: float) -> int:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"ticketdesk dev did not exit within {timeout:.0f} s\n"
                                 f"--- output ---\n{self.text()}") from None
        finally:
            self._out.close()


def reflected_services(target: str) -> set[str]:
    with grpc.insecure_channel(target) as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        answers = stub.ServerReflectionInfo(
            iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=10)
        return {s.name for a in answers for s in a.list_services_response.service}


def login(target: str, email: str, password: str) -> tuple[tuple[str, str], ...]:
    with grpc.insecure_channel(target) as channel:
        answer = auth_pb2_grpc.AuthServiceStub(channel).Login(
            auth_pb2.LoginRequest(email=email, password=password), timeout=30)
    assert answer.session_token
    return bearer(answer.session_token)


def ticket_titles(target: str, metadata) -> dict[str, str]:
    with grpc.insecure_channel(target) as channel:
        answer = tickets_pb2_grpc.TicketServiceStub(channel).ListTickets(
            tickets_pb2.ListTicketsRequest(page_size=100), metadata=metadata, timeout=30)
    return {t.name: t.title for t in answer.tickets}


def demo_state(ports: dict[str, int]) -> dict[str, object]:
    """What the demo users see: per client the tickets; for the manager the directory."""
    auth_target = f"127.0.0.1:{ports['auth']}"
    tickets_target = f"127.0.0.1:{ports['tickets']}"
    sessions = {d.key: login(auth_target, d.email, d.password) for d in DEMO_LOGINS}
    state: dict[str, object] = {}
    statuses: set[int] = set()
    for demo in DEMO_LOGINS:
        if demo.role != "client":
            continue
        state[demo.key] = ticket_titles(tickets_target, sessions[demo.key])
        with grpc.insecure_channel(tickets_target) as channel:
            listed = tickets_pb2_grpc.TicketServiceStub(channel).ListTickets(
                tickets_pb2.ListTicketsRequest(page_size=100),
                metadata=sessions[demo.key], timeout=30)
        statuses |= {t.status for t in listed.tickets}
    state["statuses"] = statuses
    with grpc.insecure_channel(auth_target) as channel:
        stub = auth_pb2_grpc.AuthServiceStub(channel)
        orgs = stub.ListOrganizations(auth_pb2.ListOrganizationsRequest(page_size=100),
                                      metadata=sessions["manager"], timeout=30)
        users = stub.ListUsers(auth_pb2.ListUsersRequest(page_size=100),
                               metadata=sessions["manager"], timeout=30)
    state["organizations"] = sorted(o.display_name for o in orgs.organizations)
    state["users"] = sorted(u.email for u in users.users)
    return state


def assert_nothing_left(data_dir: Path) -> None:
    wait_for(lambda: not processes_mentioning(str(data_dir)), 10,
             f"processes of {data_dir} to end")


def test_dev_runs_everything_restarts_with_data_and_stops_cleanly(tmp_path):
    data_dir = tmp_path / "var"
    env, ports = ticketdesk_env(data_dir)
    targets = [f"127.0.0.1:{ports[name]}" for name in ("auth", "tickets", "files")]
    first = DevRun(env, tmp_path, tmp_path / "first.out")
    second = None
    try:
        # Everything answers.
        wait_for_health(targets, timeout=STARTUP, process=first.process, log=first.output)
        found: set[str] = set()
        for target in targets:
            found |= {s for s in reflected_services(target) if s.startswith("ticketdesk.")}
        assert found == EXPECTED_SERVICES
        wait_for(lambda: http_ok(f"http://127.0.0.1:{ports['temporal_ui']}/"), 60,
                 "Temporal Web UI", process=first.process, log=first.output)
        wait_for(lambda: http_ok(f"http://127.0.0.1:{ports['ui']}/"), 60, "web UI",
                 process=first.process, log=first.output)
        first.wait_ready()

        # The summary: URLs and the demo logins.
        output = first.text()
        assert f"http://127.0.0.1:{ports['ui']}" in output
        assert f"http://127.0.0.1:{ports['temporal_ui']}" in output
        for demo in DEMO_LOGINS:
            assert demo.email in output and demo.password in output
        assert (data_dir / "demo-created").exists()
        assert (data_dir / "temporal.db").exists()
        for name in ("temporal", "auth", "tickets", "files", "worker", "ui"):
            assert (data_dir / "logs" / f"{name}.log").exists()
        assert oct((data_dir / "ui-secret").stat().st_mode & 0o777) == "0o600"

        before = demo_state(ports)
        for organization in DEMO_ORGANIZATIONS:  # each exactly once
            assert before["organizations"].count(organization.display_name) == 1
        for demo in DEMO_LOGINS:
            assert before["users"].count(demo.email) == 1
        client_tickets = {k: v for k, v in before.items() if k in ("romashka", "vasiliev")}
        assert sorted(t for titles in client_tickets.values() for t in titles.values()) == \
            sorted(t.title for t in DEMO_TICKETS)
        assert {tickets_pb2.STATUS_QUEUED, tickets_pb2.STATUS_IN_PROGRESS,
                tickets_pb2.STATUS_NEEDS_INFO,
                tickets_pb2.STATUS_AWAITING_ACCEPTANCE} <= before["statuses"]

        # Ctrl-C: exit 0, nothing left behind.
        first.process.send_signal(signal.SIGINT)
        assert first.wait_exit(STOP) == 0, first.text()
        assert_nothing_left(data_dir)

        # A second start keeps everything and creates no demo data again.
        second = DevRun(env, tmp_path, tmp_path / "second.out")
        second.wait_ready()
        assert "first start" not in second.text()
        for demo in DEMO_LOGINS:  # the logins are printed on every start
            assert demo.email in second.text()
        after = demo_state(ports)
        assert after == before

        # A child that dies ends the run with an error, and everything stops.
        worker = [pid for pid, cmd in processes_mentioning(str(data_dir))
                  if "workflows.ticket.worker" in cmd]
        assert len(worker) == 1, processes_mentioning(str(data_dir))
        os.kill(worker[0], signal.SIGKILL)
        assert second.wait_exit(STOP) != 0
        assert "worker exited unexpectedly" in second.text()
        assert_nothing_left(data_dir)
    finally:
        for run in (first, second):
            if run is not None and run.process.poll() is None:
                kill_tree(run.process, grace=5)
        kill_matching(str(data_dir))


def test_dev_refuses_a_port_in_use(tmp_path):
    data_dir = tmp_path / "var"
    env, ports = ticketdesk_env(data_dir)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", ports["tickets"]))
        taken.listen()
        started = time.monotonic()
        result = subprocess.run(ticketdesk_command("dev"), env=env, cwd=tmp_path,
                                capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert lines == [f"error: port {ports['tickets']} (tickets service) is already in use"]
    assert time.monotonic() - started < 30
    assert not processes_mentioning(str(data_dir))
