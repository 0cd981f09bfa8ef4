"""The README's integration examples, run as their users run them (a subprocess with an
API token) against the real stack: the site monitor opens one ticket a day for a site
that is down, and the event watcher prints what happens and resumes after its cursor."""

from __future__ import annotations

import asyncio
import json
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support.tickets import World
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket.rules import Action

EXAMPLES = Path(__file__).parents[2] / "examples"
on_sqlite = pytest.mark.parametrize("stack", ["sqlite"], indirect=True)


class Site:
    """A site on loopback that answers with `status`."""

    def __init__(self) -> None:
        self.status = 503
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(site.status)
                self.end_headers()
                self.wfile.write(b"ok" if site.status == 200 else b"down")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


async def run(stack, token: str, script: str, *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(EXAMPLES / script), "--address",
        f"127.0.0.1:{stack.settings.tickets_port}", *args,
        env={"TICKETDESK_API_TOKEN": token, "PATH": "/usr/bin:/bin",
             "PYTHONDONTWRITEBYTECODE": "1"},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    async with asyncio.timeout(60):
        out, err = await process.communicate()
    return process.returncode, out.decode(), err.decode()


async def client_token(world: World) -> str:
    manager = world.people["manager"]
    created = await world.stack.clients.auth.CreateApiToken(auth_pb2.CreateApiTokenRequest(
        api_token=auth_pb2.ApiToken(display_name="monitoring", role=auth_pb2.ROLE_CLIENT,
                                    organization=world.org.name)), metadata=manager)
    return created.token


async def tickets_of(world: World) -> list[pb.Ticket]:
    answer = await world.stack.clients.tickets.ListTickets(pb.ListTicketsRequest(),
                                                           metadata=world.people["client"])
    return list(answer.tickets)


@on_sqlite
async def test_the_site_monitor_opens_one_ticket_while_the_site_is_down(stack):
    world, site = await World.create(stack), Site()
    token = await client_token(world)
    try:
        for _ in range(2):  # a check every few minutes: still one ticket
            code, out, err = await run(stack, token, "site_monitor.py", site.url)
            assert code == 0, err
            assert "HTTP 503" in out and "tickets/" in out
        site.status = 200
        code, out, err = await run(stack, token, "site_monitor.py", site.url)
        assert (code, out.strip()) == (0, f"{site.url}: up"), err
    finally:
        site.close()
    [ticket] = await tickets_of(world)
    assert ticket.title == f"Сайт не отвечает: {site.url}"
    assert ticket.priority == pb.PRIORITY_CRITICAL
    code, _, err = await run(stack, "not-a-token", "site_monitor.py", "http://127.0.0.1:9/")
    assert code == 1 and "UNAUTHENTICATED" in err


@on_sqlite
async def test_the_event_watcher_resumes_after_its_cursor(stack, tmp_path):
    world = await World.create(stack)
    token, cursor = await client_token(world), tmp_path / "events.cursor"
    ticket = await stack.new_ticket(world.org)
    code, out, err = await run(stack, token, "watch_events.py", "--cursor-file", str(cursor),
                               "--from-beginning", "--count", "1")
    assert code == 0, err
    [created] = [json.loads(line) for line in out.splitlines()]
    assert (created["ticket"], created["kind"]) == (ticket.name, "ticket_created")
    assert cursor.read_text() == created["cursor"]
    await world.act(ticket.name, "developer", Action.START_WORK)
    await world.act(ticket.name, "developer", Action.SUBMIT_FOR_ACCEPTANCE)
    code, out, err = await run(stack, token, "watch_events.py", "--cursor-file", str(cursor),
                               "--count", "2")
    assert code == 0, err
    moves = [json.loads(line) for line in out.splitlines()]
    assert [(e["kind"], e["toStatus"]) for e in moves] == [
        ("status_changed", "STATUS_IN_PROGRESS"), ("status_changed", "STATUS_AWAITING_ACCEPTANCE")]
    assert created["eventId"] not in {e["eventId"] for e in moves}


@on_sqlite
async def test_the_webhook_receiver_prints_signed_events_and_refuses_forged_ones(stack):
    world = await World.create(stack)
    manager = world.people["manager"]
    with socket.socket() as probe:  # a free port for the receiver
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    made = await stack.clients.tickets.CreateWebhook(pb.CreateWebhookRequest(
        webhook=pb.Webhook(url=f"http://127.0.0.1:{port}/", organization=world.org.name)),
        metadata=manager)
    receiver = await asyncio.create_subprocess_exec(
        sys.executable, str(EXAMPLES / "webhook_receiver.py"), "--port", str(port),
        env={"TICKETDESK_WEBHOOK_SECRET": made.secret, "PATH": "/usr/bin:/bin",
             "PYTHONDONTWRITEBYTECODE": "1"},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        async with asyncio.timeout(10):
            assert b"listening" in await receiver.stderr.readline()
        ticket = await stack.new_ticket(world.org)
        async with asyncio.timeout(30):
            event = json.loads(await receiver.stdout.readline())
        assert (event["type"], event["data"]["ticket"]) == ("ticket_created", ticket.name)
        forged = urllib.request.Request(
            f"http://127.0.0.1:{port}/", data=b'{"id": "x"}', method="POST",
            headers={"TicketDesk-Signature": f"t={int(time.time())},v1=00"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            await asyncio.to_thread(urllib.request.urlopen, forged, timeout=10)
        assert refused.value.code == 400
    finally:
        receiver.kill()
        await receiver.wait()
        await stack.clients.tickets.DeleteWebhook(pb.DeleteWebhookRequest(
            name=made.webhook.name), metadata=manager)
