"""Client organizations: managers create and change them; a client sees only its own."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from services.auth import convert, store, validation
from services.auth.models import Organization, utcnow
from services.auth.usecases import access
from services.auth.usecases.context import Context, Listed, audit, listed
from services.common.server.errors import not_found
from services.common.server.paging import page_request, strings
from services.common.server.principal import caller
from ticketdesk.auth.v1 import auth_pb2


async def create(ctx: Context, request: auth_pb2.CreateOrganizationRequest) -> Organization:
    """Idempotent by request_id (AIP-155): a retry answers the organization made first."""
    access.require_manager(caller())
    new = validation.new_organization(request)
    try:
        async with ctx.db.begin() as db:
            if new.request_id and (done := await store.organization_by_request(
                    db, new.request_id)):
                return done
            org = await store.add_organization(db, new.display_name,
                                               new.auto_accept_business_days, new.request_id)
            await audit(db, "create_organization", convert.organization_name(org.id))
    except IntegrityError:  # a concurrent retry with the same request_id won
        async with ctx.db.begin() as db:
            org = await store.organization_by_request(db, new.request_id or "")
        if org is None:
            raise
    return org


async def get(ctx: Context, name: str) -> Organization:
    (org_id,) = validation.name_ids("name", name, "organizations")
    if not caller().can_see_organization(name):
        raise not_found(name)
    async with ctx.db.begin() as db:
        org = await store.organization(db, org_id)
    if org is None:
        raise not_found(name)
    return org


async def list_(ctx: Context, request: auth_pb2.ListOrganizationsRequest) -> Listed[Organization]:
    """Staff list them all (inactive ones on request); a client its own only."""
    principal = caller()
    only = None if principal.is_staff else convert.organization_id(principal)
    show_inactive = request.show_inactive and principal.is_staff
    page = page_request(request.page_size, request.page_token,
                        ["ListOrganizations", only, show_inactive], parse=strings(2))
    async with ctx.db.begin() as db:
        rows = await store.organizations(db, only=only, show_inactive=show_inactive,
                                         after=page.after, limit=page.size + 1)
    return listed(page, rows, lambda o: (o.display_name, o.id))


async def update(ctx: Context, request: auth_pb2.UpdateOrganizationRequest) -> Organization:
    """Deactivating an organization ends the sessions of all its users."""
    access.require_manager(caller())
    org_id, changes = validation.organization_changes(request)
    async with ctx.db.begin() as db:
        org = await store.organization(db, org_id)
        if org is None:
            raise not_found(request.organization.name)
        for column, value in changes.items():
            setattr(org, column, value)
        detail = ",".join(sorted(changes))
        if changes.get("active") is False:
            revoked = await store.revoke_organization_sessions(db, org.id, utcnow())
            detail += f"; sessions_revoked={revoked}"
        await audit(db, "update_organization", request.organization.name, detail)
    return org
