"""The `ticketdesk` command (console script). Each command lives in its own module."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version as package_version
from pathlib import Path
from typing import Annotated, Optional

import typer

from cli import orgs, tokens, users

app = typer.Typer(
    name="ticketdesk",
    help="TicketDesk — client-support tickets for a web studio.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command()
def dev(
    data_dir: Annotated[Optional[Path], typer.Option(
        "--data-dir", help="Where data and logs live (default: TICKETDESK_DATA_DIR or ./var).",
        file_okay=False)] = None,
    demo: Annotated[bool, typer.Option(
        "--demo/--no-demo", help="Create the demo organizations, users and tickets on first start.",
    )] = True,
) -> None:
    """Run everything locally: Temporal dev server, the three gRPC services, the worker, the web UI."""
    from cli.dev import run

    raise typer.Exit(run(data_dir=data_dir, demo=demo))


@app.command()
def migrate() -> None:
    """Upgrade the databases of the auth, tickets and files services (once per release)."""
    from cli.migrate import run

    run()


@app.command()
def version() -> None:
    """Print the TicketDesk version."""
    try:
        typer.echo(package_version("ticketdesk"))
    except PackageNotFoundError:
        typer.echo("unknown")


app.add_typer(users.app, name="users")
app.add_typer(orgs.app, name="orgs")
app.add_typer(tokens.app, name="tokens")

if __name__ == "__main__":
    app()
