"""Entry point shared by `python -m services.<name>`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from services.common.platform import tracing
from services.common.platform.config import Settings, load_settings
from services.common.server.database import NotMigrated
from services.common.platform.logs import configure_logging
from services.common.platform.metrics import start_metrics_server
from services.common.server.serve import RunningServer, Service, serve_forever, start_server
from services.common.platform.temporal import install_sdk_metrics


def run_service(name: str, build: Callable[[Settings], Awaitable[Service]]) -> None:
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format, process=name)
    tracing.configure_tracing(settings, f"ticketdesk-{name}")

    async def main() -> None:
        metrics_port = getattr(settings, f"{name}_metrics_port")
        # The tickets service's Temporal client: SDK metrics appended to its /metrics.
        sdk_metrics = install_sdk_metrics() if name == "tickets" and metrics_port else None
        holder: list[RunningServer] = []  # ready once the gRPC server is SERVING
        http = await start_metrics_server(settings.metrics_host or settings.host, metrics_port,
                                          lambda: bool(holder) and holder[0].serving(),
                                          sdk_metrics)
        service = await build(settings)
        running = await start_server(service, settings, getattr(settings, f"{name}_port"))
        holder.append(running)
        try:
            await serve_forever(running, settings.shutdown_grace_seconds)
        finally:
            if http is not None:
                await http.stop()
            tracing.shutdown_tracing()

    try:
        asyncio.run(main())
    except (OSError, NotMigrated) as error:  # one clear line, not a traceback
        raise SystemExit(f"{name}: {error}") from None
