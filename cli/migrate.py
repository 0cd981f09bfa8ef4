"""`ticketdesk migrate`: upgrade every service's database, once per release."""

from __future__ import annotations

import asyncio

from rich.console import Console

from services.auth.server import MIGRATIONS as AUTH
from services.common.platform.config import load_settings
from services.common.server.database import create_engine, migrate
from services.files.server import MIGRATIONS_DIR as FILES
from services.tickets.server import MIGRATIONS as TICKETS

SERVICES = {"auth": AUTH, "tickets": TICKETS, "files": FILES}


async def migrate_all() -> list[tuple[str, str]]:
    settings = load_settings()
    done = []
    for name, migrations in SERVICES.items():
        engine = create_engine(settings.database_url(name))
        try:
            await migrate(engine, migrations)  # locked: replicas may run it at once
        finally:
            await engine.dispose()
        done.append((name, engine.url.render_as_string(hide_password=True)))
    return done


def run() -> None:
    console = Console()
    for name, url in asyncio.run(migrate_all()):
        console.print(f"[green]✓[/green] {name:8} {url}")
