"""Entry point shared by `python -m services.<name>`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from services.common.config import Settings, load_settings
from services.common.db import NotMigrated
from services.common.logs import configure_logging
from services.common.server import Service, serve_forever, start_server


def run_service(name: str, build: Callable[[Settings], Awaitable[Service]]) -> None:
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format, process=name)

    async def main() -> None:
        service = await build(settings)
        running = await start_server(service, settings, getattr(settings, f"{name}_port"))
        await serve_forever(running)

    try:
        asyncio.run(main())
    except (OSError, NotMigrated) as error:  # one clear line, not a traceback
        raise SystemExit(f"{name}: {error}") from None
