"""`ticketdesk tokens create`: an API token straight in the auth database (bootstrap)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from cli.remote import ROLES, console, fail

app = typer.Typer(help="API tokens for integrations and for these commands.",
                  no_args_is_help=True)


@app.command("create")
def create(
    name: Annotated[str, typer.Option("--name", help="What the token is for.")],
    role: Annotated[str, typer.Option("--role", help="client, developer or manager.")],
    organization: Annotated[str, typer.Option(
        help="organizations/{id}; required for the client role.")] = "",
) -> None:
    """Create an API token directly in the auth database; the secret is printed once."""
    from services.auth.bootstrap import BootstrapError, create_api_token
    from services.common.platform.config import load_settings

    if role not in ROLES:
        raise fail(f"unknown role {role!r}; choose one of {', '.join(ROLES)}", 2)
    try:
        row, secret = asyncio.run(create_api_token(load_settings(), name, role, organization))
    except BootstrapError as error:
        raise fail(str(error)) from None
    console.print(f"created {role} token {row.display_name!r} (apiTokens/{row.id})",
                  highlight=False)
    console.print("token (shown once; send as `authorization: Bearer <token>`):")
    print(secret)
