"""Prometheus metrics of every RPC, and the small HTTP server that serves them.

`GET /metrics` (Prometheus text), `GET /healthz` (liveness: the process answers) and
`GET /readyz` (readiness: the gRPC health status is SERVING) on one port per process
(TICKETDESK_<NAME>_METRICS_PORT; 0 disables). The runners start it; tests' in-process
servers do not.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import socket
import urllib.request
from collections.abc import Awaitable, Callable

import structlog
from prometheus_client import (CollectorRegistry, Counter, Histogram, PlatformCollector,
                               ProcessCollector, generate_latest)
from prometheus_client.exposition import CONTENT_TYPE_LATEST

log = structlog.get_logger()

# One registry per process: every gRPC server of the process records into it.
REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)

RPC_REQUESTS = Counter(
    "ticketdesk_rpc_requests_total", "RPCs served, by final status code.",
    ("service", "method", "code"), registry=REGISTRY)
RPC_DURATION = Histogram(
    "ticketdesk_rpc_duration_seconds", "Time to serve an RPC (to its last message).",
    ("service", "method"), registry=REGISTRY,
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))


def split_method(full: str) -> tuple[str, str]:
    """`/ticketdesk.tickets.v1.TicketService/GetTicket` → (service, method)."""
    service, _, method = full.lstrip("/").rpartition("/")
    return service, method


def record_rpc(full_method: str, code: str, seconds: float) -> None:
    service, method = split_method(full_method)
    RPC_REQUESTS.labels(service, method, code).inc()
    RPC_DURATION.labels(service, method).observe(seconds)


def scrape_url(url: str) -> Callable[[], bytes]:
    """Another exporter's text (the Temporal SDK runtime's), appended to /metrics."""

    def fetch() -> bytes:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 (loopback)
                return answer.read()
        except OSError as error:
            log.warning("metrics.scrape_failed", url=url, error=str(error))
            return b""

    return fetch


class MetricsServer:
    """A minimal HTTP/1.0 server on the process's own event loop."""

    def __init__(self, ready: Callable[[], bool | Awaitable[bool]],
                 extra: Callable[[], bytes] | None = None):
        self._ready, self._extra = ready, extra
        self._server: asyncio.Server | None = None
        self.port = 0

    async def start(self, host: str = "", port: int = 0,
                    sock: socket.socket | None = None) -> MetricsServer:
        """On `host:port`, or on a socket bound earlier (the UI binds before NiceGUI runs)."""
        if sock is not None:
            self._server = await asyncio.start_server(self._handle, sock=sock)
        else:
            self._server = await asyncio.start_server(self._handle, host, port)
        self.port = self._server.sockets[0].getsockname()[1]
        log.info("metrics.started", port=self.port)
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _answer(self, path: str) -> tuple[str, str, bytes]:
        if path == "/metrics":
            body = generate_latest(REGISTRY)
            if self._extra is not None:
                body += await asyncio.to_thread(self._extra)
            return "200 OK", CONTENT_TYPE_LATEST, body
        if path == "/healthz":
            return "200 OK", "text/plain", b"ok\n"
        if path == "/readyz":
            ready = self._ready()
            if inspect.isawaitable(ready):  # the UI asks the auth service
                ready = await ready
            if ready:
                return "200 OK", "text/plain", b"ready\n"
            return "503 Service Unavailable", "text/plain", b"not ready\n"
        return "404 Not Found", "text/plain", b"not found\n"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(10):
                request = await reader.readuntil(b"\r\n\r\n")
                method, path, *_ = request.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
                status, content_type, body = await self._answer(path.split("?", 1)[0])
                if method == "HEAD":
                    body_out = b""
                elif method == "GET":
                    body_out = body
                else:
                    status, content_type, body_out = "405 Method Not Allowed", "text/plain", b""
                writer.write(f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
                             f"Content-Length: {len(body_out)}\r\nConnection: close\r\n\r\n"
                             .encode("latin-1") + body_out)
                await writer.drain()
        except (TimeoutError, ValueError, asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


async def start_metrics_server(host: str, port: int,
                               ready: Callable[[], bool | Awaitable[bool]],
                               extra: Callable[[], bytes] | None = None) -> MetricsServer | None:
    """Serve /metrics, /healthz and /readyz; `port=0` disables (None)."""
    if not port:
        return None
    try:
        return await MetricsServer(ready, extra).start(host, port)
    except OSError as error:
        raise OSError(f"metrics port {port}: {error.strerror or error}") from None
