"""`ticketdesk orgs ...`: client organizations, over gRPC as a manager."""

from __future__ import annotations

from typing import Annotated

import typer
from google.protobuf.field_mask_pb2 import FieldMask

from cli.remote import TIMEOUT, TokenOption, call, console, table
from ticketdesk.auth.v1 import auth_pb2

app = typer.Typer(help="Client organizations.", no_args_is_help=True)


@app.command("list")
def list_organizations(
    show_inactive: Annotated[bool, typer.Option("--all", help="Include deactivated.")] = False,
    token: TokenOption = None,
) -> None:
    """List organizations."""
    request = auth_pb2.ListOrganizationsRequest(show_inactive=show_inactive, page_size=200)

    async def work(stub, metadata):
        found, request.page_token = [], ""
        while True:
            page = await stub.ListOrganizations(request, metadata=metadata, timeout=TIMEOUT)
            found += page.organizations
            if not page.next_page_token:
                return found
            request.page_token = page.next_page_token

    table("Organizations", ["name", "display name", "active", "auto-accept days"],
          [[o.name, o.display_name, "yes" if o.active else "no",
            str(o.auto_accept_business_days)] for o in call(token, work)])


@app.command("create")
def create(
    name: Annotated[str, typer.Option("--name", help="Display name, e.g. «ООО Ромашка».")],
    auto_accept_days: Annotated[int, typer.Option(
        help="Business days until automatic acceptance; 0: the default.")] = 0,
    token: TokenOption = None,
) -> None:
    """Create an organization."""
    request = auth_pb2.CreateOrganizationRequest(organization=auth_pb2.Organization(
        display_name=name, auto_accept_business_days=auto_accept_days))
    org = call(token, lambda stub, md: stub.CreateOrganization(request, metadata=md,
                                                               timeout=TIMEOUT))
    console.print(f"created {org.display_name} ({org.name})")


@app.command("deactivate")
def deactivate(organization: Annotated[str, typer.Argument(help="organizations/{id}.")],
               token: TokenOption = None) -> None:
    """Deactivate an organization: its clients' sessions and tokens stop working."""
    request = auth_pb2.UpdateOrganizationRequest(
        organization=auth_pb2.Organization(name=organization, active=False),
        update_mask=FieldMask(paths=["active"]))
    org = call(token, lambda stub, md: stub.UpdateOrganization(request, metadata=md,
                                                               timeout=TIMEOUT))
    console.print(f"deactivated {org.display_name} ({org.name})")
