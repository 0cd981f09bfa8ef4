"""The web UI's /metrics, /healthz and /readyz on its own metrics port (ui/observability.py),
served by a real `python -m ui` process and counting real HTTP requests."""

from __future__ import annotations

import secrets
import socket

import httpx

from services.auth.server import build as build_auth
from services.common.platform.config import Settings
from services.common.server.serve import start_server
from tests.production.test_metrics import samples, value
from tests.production.ui_processes import start_ui, status_of, stop, wait_status
from tests.support.processes import free_ports

REQUESTS = "ticketdesk_ui_http_requests_total"
DURATION = "ticketdesk_ui_http_request_duration_seconds"


async def test_the_ui_serves_metrics_and_probes_on_its_own_port(tmp_path):
    ui_port, metrics_port, auth_port = free_ports(3)
    process, log = start_ui(tmp_path, ui_port, metrics_port, auth_port)
    auth = None
    try:
        await wait_status(metrics_port, "/healthz", 200, process, log)
        # Not ready while the auth service, which every sign-in needs, does not answer.
        assert await status_of(metrics_port, "/readyz") == 503
        settings = Settings(data_dir=tmp_path, service_token=secrets.token_urlsafe(32))
        auth = await start_server(await build_auth(settings), settings, auth_port)
        await wait_status(metrics_port, "/readyz", 200, process, log)

        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{ui_port}", timeout=30) as web:
            assert (await web.get("/login")).status_code == 200
            card = await web.get("/tickets/42")  # nobody signed in: to the login page
            assert card.status_code in (302, 307) and card.headers["location"] == "/login"
            # An unknown path is counted, but never by its own unbounded value.
            assert (await web.get("/no/such/page")).headers["location"] == "/login"
            # The metrics are not on the public port: there they are a page that asks
            # for a sign-in like any other.
            assert (await web.get("/metrics")).headers.get("location") == "/login"

        async with httpx.AsyncClient(timeout=5) as http:
            answer = await http.get(f"http://127.0.0.1:{metrics_port}/metrics")
        assert answer.status_code == 200
        scraped = samples(answer.text)
        assert value(scraped, REQUESTS, method="GET", route="/login", status="200") == 1
        assert value(scraped, REQUESTS, method="GET", route="/tickets/{number}",
                     status=str(card.status_code)) == 1
        assert value(scraped, REQUESTS, method="GET", route="unmatched",  # and /metrics
                     status=str(card.status_code)) == 2
        assert not [labels for name, labels in scraped if name == REQUESTS
                    and ("route", "/no/such/page") in labels]
        assert value(scraped, f"{DURATION}_count", method="GET", route="/login") == 1
        assert value(scraped, f"{DURATION}_sum", method="GET", route="/login") > 0
        assert ("ticketdesk_ui_clients", frozenset()) in scraped  # no browser connected
        assert value(scraped, "ticketdesk_ui_clients") == 0
        assert value(scraped, "process_resident_memory_bytes") > 0
    finally:
        stop(process)
        if auth is not None:
            await auth.stop(grace=0.5)


async def test_a_taken_metrics_port_stops_the_ui_with_one_line(tmp_path):
    ui_port, auth_port = free_ports(2)
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        process, log = start_ui(tmp_path, ui_port, port, auth_port)
        try:
            assert process.wait(120) != 0
        finally:
            if process.poll() is None:
                stop(process)
    assert f"ui: metrics port {port}: Address already in use" in log.read_text()
