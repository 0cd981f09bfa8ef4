"""`ticketdesk users ...`: the first manager (straight on the database), then accounts over gRPC."""

from __future__ import annotations

import asyncio
from typing import Annotated, Optional

import typer

from cli.remote import (ROLE_NAMES, TIMEOUT, TokenOption, call, console, fail, find_user,
                        role_value, table)
from ticketdesk.auth.v1 import auth_pb2

app = typer.Typer(help="Client and staff accounts.", no_args_is_help=True)


@app.command("create-manager")
def create_manager(
    email: Annotated[str, typer.Option("--email", help="The manager's e-mail (the login).")],
    name: Annotated[str, typer.Option("--name", help="Full name.")],
    password: Annotated[Optional[str], typer.Option(
        "--password", help="Default: a generated one, printed once.")] = None,
) -> None:
    """Create a manager directly in the auth database (bootstrap of an empty system)."""
    from services.auth.bootstrap import BootstrapError, create_manager as bootstrap
    from services.common.platform.config import load_settings

    try:
        user, secret = asyncio.run(bootstrap(load_settings(), email, name, password or ""))
    except BootstrapError as error:
        raise fail(str(error)) from None
    console.print(f"created manager [bold]{user.email}[/] (users/{user.id})")
    if not password:
        console.print(f"password (shown once; to be changed at first login): [bold]{secret}[/]")


@app.command("list")
def list_users(
    organization: Annotated[str, typer.Option(help="Only this organizations/{id}.")] = "",
    role: Annotated[str, typer.Option(help="client, developer or manager.")] = "",
    show_inactive: Annotated[bool, typer.Option("--all", help="Include deactivated.")] = False,
    token: TokenOption = None,
) -> None:
    """List accounts."""
    request = auth_pb2.ListUsersRequest(organization=organization, show_inactive=show_inactive,
                                        role=role_value(role) if role else 0, page_size=200)

    async def work(stub, metadata):
        users, request.page_token = [], ""
        while True:
            page = await stub.ListUsers(request, metadata=metadata, timeout=TIMEOUT)
            users += page.users
            if not page.next_page_token:
                return users
            request.page_token = page.next_page_token

    table("Users", ["name", "e-mail", "full name", "role", "organization", "active"],
          [[u.name, u.email, u.full_name, ROLE_NAMES.get(u.role, "?"), u.organization,
            "yes" if u.active else "no"] for u in call(token, work)])


@app.command("create")
def create_user(
    email: Annotated[str, typer.Option("--email")],
    name: Annotated[str, typer.Option("--name", help="Full name.")],
    role: Annotated[str, typer.Option("--role", help="client, developer or manager.")],
    organization: Annotated[str, typer.Option(help="organizations/{id}; clients only.")] = "",
    phone: Annotated[str, typer.Option()] = "",
    token: TokenOption = None,
) -> None:
    """Create an account; its generated password is printed once."""
    request = auth_pb2.CreateUserRequest(user=auth_pb2.User(
        email=email, full_name=name, role=role_value(role), organization=organization,
        phone=phone))
    created = call(token, lambda stub, md: stub.CreateUser(request, metadata=md, timeout=TIMEOUT))
    console.print(f"created {role} [bold]{created.user.email}[/] ({created.user.name})")
    console.print(f"password (shown once): [bold]{created.initial_password}[/]")


@app.command("deactivate")
def deactivate(user: Annotated[str, typer.Argument(help="users/{id} or e-mail.")],
               token: TokenOption = None) -> None:
    """Deactivate an account; its sessions end at once."""
    async def work(stub, metadata):
        found = await find_user(stub, metadata, user)
        return await stub.DeactivateUser(auth_pb2.DeactivateUserRequest(name=found.name),
                                         metadata=metadata, timeout=TIMEOUT)
    done = call(token, work)
    console.print(f"deactivated {done.email} ({done.name})")


@app.command("reset-password")
def reset_password(user: Annotated[str, typer.Argument(help="users/{id} or e-mail.")],
                   token: TokenOption = None) -> None:
    """Give an account a new generated password, printed once; its sessions end."""
    async def work(stub, metadata):
        found = await find_user(stub, metadata, user)
        answer = await stub.ResetPassword(auth_pb2.ResetPasswordRequest(name=found.name),
                                          metadata=metadata, timeout=TIMEOUT)
        return found, answer
    found, answer = call(token, work)
    console.print(f"new password for {found.email} (shown once): [bold]{answer.new_password}[/]")
