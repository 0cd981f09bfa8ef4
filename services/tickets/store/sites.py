"""Sites of client organizations."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.tickets import models
from services.tickets.store.pages import page_of
from services.tickets.store.tickets import now


async def add_site(session: AsyncSession, organization: str, url: str,
                   display_name: str) -> models.Site:
    """The same site twice is the same site (retries)."""
    existing = (await session.execute(select(models.Site).where(
        models.Site.organization == organization, models.Site.url == url))).scalar_one_or_none()
    if existing is not None:
        return existing
    site = models.Site(id=uuid.uuid4().hex, organization=organization, url=url,
                       display_name=display_name, active=True, create_time=now())
    session.add(site)
    return site


async def site_in(session: AsyncSession, organization: str, site_id: str) -> models.Site | None:
    site = await session.get(models.Site, site_id)
    return site if site is not None and site.organization == organization else None


async def list_sites(session: AsyncSession, organization: str, show_inactive: bool,
                     offset: int, limit: int) -> tuple[list[models.Site], bool]:
    """`organization` empty: every organization's."""
    query = select(models.Site)
    if organization:
        query = query.where(models.Site.organization == organization)
    if not show_inactive:
        query = query.where(models.Site.active.is_(True))
    return await page_of(session, query.order_by(models.Site.url, models.Site.id), offset, limit)


async def active_sites(session: AsyncSession, organization: str) -> list[models.Site]:
    query = select(models.Site).where(models.Site.organization == organization,
                                      models.Site.active.is_(True))
    return list((await session.execute(query.order_by(models.Site.url))).scalars())
