"""The grpc.aio server every service runs: health, reflection, auth, shutdown."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

import grpc
import structlog
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from services.common.platform import tracing
from services.common.platform.config import Settings
from services.common.server.interceptor import AuthInterceptor, Resolver

log = structlog.get_logger()

SERVER_OPTIONS = [
    # grpc.aio sets SO_REUSEPORT by default: a second server would bind silently.
    ("grpc.so_reuseport", 0),
    ("grpc.max_receive_message_length", 4 * 1024 * 1024),
    ("grpc.keepalive_permit_without_calls", 1),
]


@dataclass
class Service:
    """What a service contributes to the shared server."""

    name: str  # full service name, e.g. ticketdesk.auth.v1.AuthService
    register: Callable[[grpc.aio.Server], None]
    resolver: Resolver
    public_methods: frozenset[str] = frozenset()
    # Services for TicketDesk's own processes only (the service token), on the same port.
    internal_names: frozenset[str] = frozenset()
    on_stop: list[Callable[[], Awaitable[None]]] = field(default_factory=list)


@dataclass
class RunningServer:
    server: grpc.aio.Server
    health: health.aio.HealthServicer
    port: int
    service: Service

    def serving(self) -> bool:
        """Readiness: the server's overall gRPC health status is SERVING."""
        statuses = getattr(self.health, "_server_status", {})  # grpcio-health's own table
        return statuses.get("") == health_pb2.HealthCheckResponse.SERVING

    async def stop(self, grace: float = 5.0) -> None:
        """Report NOT_SERVING, then drain in-flight calls."""
        await self.health.enter_graceful_shutdown()
        await self.server.stop(grace)
        for hook in self.service.on_stop:
            await hook()


async def start_server(service: Service, settings: Settings, port: int,
                       host: str | None = None) -> RunningServer:
    """Start serving; `port=0` picks a free one (tests)."""
    server = grpc.aio.server(
        # Tracing (when on) first, so that the auth wrapper and its logs see the span.
        interceptors=[*tracing.server_interceptors(),
                      AuthInterceptor(service.resolver,
                                      settings.service_token.get_secret_value(),
                                      service.public_methods, service.internal_names)],
        options=SERVER_OPTIONS,
    )
    service.register(server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    names: Iterable[str] = (service.name, *sorted(service.internal_names), health.SERVICE_NAME)
    if settings.reflection:
        reflection.enable_server_reflection((*names, reflection.SERVICE_NAME), server)
    try:
        bound = server.add_insecure_port(f"{host or settings.host}:{port}")
    except RuntimeError:
        bound = 0
    if bound == 0:
        raise OSError(f"port {port} is already in use")
    await server.start()
    for name in ("", service.name, *service.internal_names):
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    log.info("server.started", service=service.name, port=bound)
    return RunningServer(server, health_servicer, bound, service)


async def serve_forever(running: RunningServer, grace: float) -> None:
    """Run until SIGINT/SIGTERM, then drain running calls for up to `grace` seconds."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("server.stopping", service=running.service.name)
    await running.stop(grace)
