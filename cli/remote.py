"""What the account commands share: settings, the AuthService as a manager, one-line errors."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import Annotated, Optional, TypeVar

import grpc
import typer
from rich.console import Console
from rich.table import Table

from services.common.client.channels import bearer, channel
from services.common.platform.config import load_settings
from ticketdesk.auth.v1 import auth_pb2, auth_pb2_grpc

T = TypeVar("T")
TOKEN_ENV = "TICKETDESK_API_TOKEN"
TIMEOUT = 30.0
ROLE_NAMES = {auth_pb2.ROLE_CLIENT: "client", auth_pb2.ROLE_DEVELOPER: "developer",
              auth_pb2.ROLE_MANAGER: "manager", auth_pb2.ROLE_SERVICE: "service"}
ROLES = {name: value for value, name in ROLE_NAMES.items() if name != "service"}

console = Console()

TokenOption = Annotated[Optional[str], typer.Option(
    "--token", help=f"An API token of the manager role (default: ${TOKEN_ENV}).",
    show_default=False)]


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def role_value(role: str) -> int:
    if role not in ROLES:
        raise fail(f"unknown role {role!r}; choose one of {', '.join(ROLES)}", 2)
    return ROLES[role]


def call(token: str | None,
         work: Callable[[auth_pb2_grpc.AuthServiceStub, tuple], Awaitable[T]]) -> T:
    """Run `work(stub, metadata)` against the AuthService of the configured address."""
    token = token or os.environ.get(TOKEN_ENV, "")
    if not token:
        raise fail(f"no API token: set {TOKEN_ENV} or pass --token "
                   "(create one with `ticketdesk tokens create --role manager`)", 2)
    settings = load_settings()

    async def run() -> T:
        async with channel(settings.auth_target) as auth:
            return await work(auth_pb2_grpc.AuthServiceStub(auth), bearer(token))

    try:
        return asyncio.run(run())
    except grpc.aio.AioRpcError as error:
        if error.code() == grpc.StatusCode.UNAVAILABLE:
            raise fail(f"the auth service at {settings.auth_target} is unavailable") from None
        raise fail(f"{error.details()} ({error.code().name.lower()})") from None


def table(title: str, columns: list[str], rows: list[list[str]]) -> None:
    view = Table(title=title)
    for column in columns:
        view.add_column(column)
    for row in rows:
        view.add_row(*row)
    console.print(view)


async def find_user(stub: auth_pb2_grpc.AuthServiceStub, metadata, who: str) -> auth_pb2.User:
    """`users/{id}` or an e-mail address."""
    if "@" not in who:
        return await stub.GetUser(auth_pb2.GetUserRequest(name=who), metadata=metadata,
                                  timeout=TIMEOUT)
    token = ""
    while True:
        page = await stub.ListUsers(auth_pb2.ListUsersRequest(
            page_size=200, page_token=token, show_inactive=True), metadata=metadata,
            timeout=TIMEOUT)
        for user in page.users:
            if user.email == who.strip().lower():
                return user
        token = page.next_page_token
        if not token:
            raise fail(f"no user with e-mail {who}")
