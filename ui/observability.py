"""What operators see of the web UI: Prometheus metrics, health and a span per user action.

On its own metrics port (TICKETDESK_UI_METRICS_PORT, 9155; 0: off), like the services
(services/common/metrics.py): `GET /metrics`, `GET /healthz` (the process answers) and
`GET /readyz` (the auth service, which every sign-in needs, answers SERVING). The port is
not the UI's public one, so the proxy never publishes them and no sign-in is asked.
(The span of a person's action is the client layer's: `traced` in ui/clients/base.py.)
"""

from __future__ import annotations

import socket
import time

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from nicegui import Client, app
from prometheus_client import Counter, Gauge, Histogram
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.common.client import channels as clients
from services.common.platform import tracing
from services.common.platform.config import Settings
from services.common.platform.logs import configure_logging
from services.common.platform.metrics import REGISTRY, MetricsServer

HTTP_REQUESTS = Counter(
    'ticketdesk_ui_http_requests_total', 'HTTP requests served by the web UI.',
    ('method', 'route', 'status'), registry=REGISTRY)
HTTP_DURATION = Histogram(
    'ticketdesk_ui_http_request_duration_seconds', 'Time to answer an HTTP request.',
    ('method', 'route'), registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0))
CLIENTS = Gauge('ticketdesk_ui_clients',
                'Browser tabs connected to this UI instance (NiceGUI clients).',
                registry=REGISTRY)
CLIENTS.set_function(lambda: sum(c.has_socket_connection for c in Client.instances.values()))

METHODS = {'GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'}
UNMATCHED = 'unmatched'  # 404s: never the raw path, whose values are unbounded
READY_TIMEOUT = 2.0


class HttpMetrics:
    """Counts and times every HTTP request by route template (`/tickets/{number}`)."""

    def __init__(self, asgi: ASGIApp):
        self.app = asgi

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] != 'http':
            await self.app(scope, receive, send)
            return
        status = 500  # unless the app answers

        async def send_seen(message: Message) -> None:
            nonlocal status
            if message['type'] == 'http.response.start':
                status = message['status']
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_seen)
        finally:
            method = scope['method'] if scope['method'] in METHODS else 'OTHER'
            route = route_template(scope)
            HTTP_REQUESTS.labels(method, route, str(status)).inc()
            HTTP_DURATION.labels(method, route).observe(time.perf_counter() - started)


def route_template(scope: Scope) -> str:
    """The path as routed; a request the sign-in check redirected never reached the
    router, so it is matched here."""
    route = scope.get('route')
    if route is None:
        route = next((r for r in app.router.routes if r.matches(scope)[0] == Match.FULL), None)
    return getattr(route, 'path', None) or UNMATCHED


def install() -> None:
    """Outermost middleware: it sees the sign-in redirects too (before `ui.run()`)."""
    app.add_middleware(HttpMetrics)


# --- the process: logs, traces, the metrics port ----------------------------------------

def serve(settings: Settings) -> None:
    """Called by `python -m ui` before `ui.run()`; a taken metrics port ends it at once."""
    configure_logging(settings.log_level, settings.log_format, process='ui')
    tracing.configure_tracing(settings, 'ticketdesk-ui')
    app.on_shutdown(tracing.shutdown_tracing)
    if not settings.ui_metrics_port:
        return
    host = settings.metrics_host or settings.host
    try:
        sock = socket.create_server((host, settings.ui_metrics_port))
    except OSError as error:
        raise SystemExit(f'ui: metrics port {settings.ui_metrics_port}: '
                         f'{error.strerror or error}') from None
    probe = AuthProbe(settings.auth_target)
    server = MetricsServer(probe.serving)
    app.on_startup(lambda: server.start(sock=sock))
    app.on_shutdown(server.stop)
    app.on_shutdown(probe.close)


class AuthProbe:
    """Readiness: nobody can sign in while the auth service does not answer."""

    def __init__(self, target: str):
        self._target = target
        self._channel: grpc.aio.Channel | None = None

    async def serving(self) -> bool:
        if self._channel is None:  # on the event loop that serves the probes
            self._channel = clients.channel(self._target)
        try:
            answer = await health_pb2_grpc.HealthStub(self._channel).Check(
                health_pb2.HealthCheckRequest(), timeout=READY_TIMEOUT)
        except grpc.aio.AioRpcError:
            return False
        return answer.status == health_pb2.HealthCheckResponse.SERVING

    async def close(self) -> None:
        if self._channel is not None:
            await self._channel.close()
