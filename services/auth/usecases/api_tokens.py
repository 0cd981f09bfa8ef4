"""API tokens for integrations: managers create, list and revoke them."""

from __future__ import annotations

from services.auth import convert, store, validation
from services.auth.models import ApiToken, utcnow
from services.auth.usecases import access
from services.auth.usecases.context import Context, Listed, audit, listed
from services.common.server.errors import invalid, not_found
from services.common.server.paging import page_request, time_and_id
from services.common.server.principal import caller
from ticketdesk.auth.v1 import auth_pb2


async def create(ctx: Context, request: auth_pb2.CreateApiTokenRequest) -> tuple[ApiToken, str]:
    """The token's row and its secret, shown once (empty when a retry replays the first)."""
    access.require_manager(caller())
    new = validation.new_api_token(request)
    async with ctx.db.begin() as db:
        if new.request_id and (done := await store.api_token_by_request(db, new.request_id)):
            return done, ""
        if new.organization_id and await store.organization(db, new.organization_id) is None:
            raise invalid([validation.unknown_organization("api_token.organization")])
        secret, row = await store.add_api_token(db, new.display_name, new.role,
                                                new.organization_id, new.request_id, utcnow())
        await audit(db, "create_api_token", convert.api_token_name(row.id), f"role={new.role}")
    return row, secret


async def list_(ctx: Context, request: auth_pb2.ListApiTokensRequest) -> Listed[ApiToken]:
    access.require_manager(caller())
    page = page_request(request.page_size, request.page_token, ["ListApiTokens"],
                        parse=time_and_id)
    async with ctx.db.begin() as db:
        rows = await store.api_tokens(db, page.after, page.size + 1)
    return listed(page, rows, lambda t: (t.create_time, t.id))


async def revoke(ctx: Context, name: str) -> ApiToken:
    access.require_manager(caller())
    (token_id,) = validation.name_ids("name", name, "apiTokens")
    async with ctx.db.begin() as db:
        row = await store.api_token(db, token_id)
        if row is None:
            raise not_found(name)
        if not row.revoked:
            row.revoked = True
            await audit(db, "revoke_api_token", name)
    return row
