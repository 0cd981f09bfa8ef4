"""Sites of client organizations: managers keep them, everyone lists their own."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import async_sessionmaker

from services.common.server.errors import not_found, permission_denied
from services.common.server.paging import Page
from services.common.server.principal import Principal
from services.tickets import models
from services.tickets import validation as check
from services.tickets.gateways.directory import Directory
from services.tickets.store import sites as store
from ticketdesk.tickets.v1 import tickets_pb2 as pb

ALL = "organizations/-"
UPDATABLE = ("url", "display_name", "active")


def require_manager(principal: Principal) -> None:
    if not principal.is_manager:
        raise permission_denied("only managers manage sites")


class Sites:
    def __init__(self, sessions: async_sessionmaker, directory: Directory):
        self._sessions, self._directory = sessions, directory

    async def create(self, principal: Principal, request: pb.CreateSiteRequest) -> models.Site:
        require_manager(principal)
        organization = check.organization(request.parent, "parent")
        url = check.url(request.site.url, "site.url")
        display_name = check.text(request.site.display_name, "site.display_name",
                                  check.MAX_DISPLAY_NAME, required=False)
        await self._directory.require_organization(organization)
        async with self._sessions() as session:
            site = await store.add_site(session, organization, url, display_name)
            await session.commit()
        return site

    async def find(self, principal: Principal, request: pb.ListSitesRequest,
                   page: Page) -> tuple[list[models.Site], bool]:
        """A client lists its own organization's; staff also every one's (`ALL`)."""
        organization = ""
        if not (request.parent == ALL and principal.is_staff):
            organization = check.organization(request.parent, "parent")
            if not principal.can_see_organization(organization):
                raise not_found(organization)
        async with self._sessions() as session:
            return await store.list_sites(session, organization, request.show_inactive,
                                          page.offset, page.size)

    async def update(self, principal: Principal, request: pb.UpdateSiteRequest) -> models.Site:
        require_manager(principal)
        organization, site_id = check.site_id(request.site.name, "site.name")
        paths = check.update_mask(request.update_mask.paths, UPDATABLE)
        changes = {path: PARSERS[path](request.site) for path in paths}
        async with self._sessions() as session:
            site = await store.site_in(session, organization, site_id)
            if site is None:
                raise not_found(request.site.name)
            for path, value in changes.items():
                setattr(site, path, value)
            await session.commit()
        return site


PARSERS = {
    "url": lambda site: check.url(site.url, "site.url"),
    "display_name": lambda site: check.text(site.display_name, "site.display_name",
                                            check.MAX_DISPLAY_NAME, required=False),
    "active": lambda site: site.active,
}
