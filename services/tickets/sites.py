"""Sites of client organizations."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.server.errors import invalid, not_found, permission_denied
from services.common.server.principal import Principal
from services.tickets import models, store
from services.tickets import validation as check
from services.tickets.directory import Directory
from ticketdesk.tickets.v1 import tickets_pb2 as pb

ALL = "organizations/-"


def require_manager(principal: Principal) -> None:
    if not principal.is_manager:
        raise permission_denied("only managers manage sites")


async def create_site(session: AsyncSession, principal: Principal,
                      request: pb.CreateSiteRequest, directory: Directory) -> models.Site:
    require_manager(principal)
    organization = check.organization(request.parent, "parent")
    url = check.url(request.site.url, "site.url")
    display_name = check.text(request.site.display_name, "site.display_name", 200,
                              required=False)
    await directory.require_organization(organization)
    existing = (await session.execute(select(models.Site).where(
        models.Site.organization == organization, models.Site.url == url))).scalar_one_or_none()
    if existing is not None:  # the same site twice is the same site (retries)
        return existing
    site = models.Site(id=uuid.uuid4().hex, organization=organization, url=url,
                       display_name=display_name, active=True, create_time=store.now())
    session.add(site)
    return site


async def list_sites(session: AsyncSession, principal: Principal,
                     request: pb.ListSitesRequest) -> tuple[list[models.Site], str]:
    """A page of sites and the next page's token; a client lists its own organization's."""
    query = select(models.Site)
    if not (request.parent == ALL and principal.is_staff):
        organization = check.organization(request.parent, "parent")
        if not principal.can_see_organization(organization):
            raise not_found(organization)
        query = query.where(models.Site.organization == organization)
    if not request.show_inactive:
        query = query.where(models.Site.active.is_(True))
    fingerprint = check.fingerprint("sites", principal.subject, request.parent,
                                    request.show_inactive)
    offset = check.page_token_offset(request.page_token, fingerprint)
    limit = check.page_size(request.page_size, default=100)
    rows = list((await session.execute(query.order_by(models.Site.url, models.Site.id)
                                       .offset(offset).limit(limit + 1))).scalars())
    more = len(rows) > limit
    return rows[:limit], check.page_token(offset + limit, fingerprint) if more else ""


async def update_site(session: AsyncSession, principal: Principal,
                      request: pb.UpdateSiteRequest) -> models.Site:
    require_manager(principal)
    organization, site_id = check.site_id(request.site.name, "site.name")
    site = await session.get(models.Site, site_id)
    if site is None or site.organization != organization:
        raise not_found(request.site.name)
    paths = set(request.update_mask.paths)
    if not paths or paths - {"url", "display_name", "active"}:
        raise invalid([("update_mask", "may name url, display_name and active")])
    if "url" in paths:
        site.url = check.url(request.site.url, "site.url")
    if "display_name" in paths:
        site.display_name = check.text(request.site.display_name, "site.display_name", 200,
                                       required=False)
    if "active" in paths:
        site.active = request.site.active
    return site
