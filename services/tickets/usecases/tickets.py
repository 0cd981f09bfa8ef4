"""Tickets: create, get, list, update."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.server.paging import Page
from services.common.server.principal import Principal
from services.tickets import models
from services.tickets.gateways.directory import Directory
from services.tickets.gateways.lifecycle import Lifecycle
from services.tickets.store import listing
from services.tickets.store import tickets as store
from services.tickets.usecases.studio import Studio
from services.tickets.usecases.updates import Update, apply_update, choose_site
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket.messages import TicketStarted
from workflows.ticket.rules import Status

log = structlog.get_logger()


@dataclass(frozen=True)
class Shown:
    """A ticket and its site: what convert.ticket shows."""

    row: models.Ticket
    site: models.Site | None


@dataclass
class Listed:
    page: listing.TicketPage
    sites: dict[str, models.Site]


async def shown(session: AsyncSession, row: models.Ticket) -> Shown:
    return Shown(row, await store.site_of(session, row.site_id))


class Tickets:
    def __init__(self, sessions: async_sessionmaker, lifecycle: Lifecycle,
                 directory: Directory, studio: Studio):
        self._sessions, self._lifecycle = sessions, lifecycle
        self._directory, self._studio = directory, studio

    async def create(self, principal: Principal, new: store.NewTicket) -> Shown:
        """A client files for its organization; staff for the one named."""
        organization, new.contact = await self._organization_and_contact(principal, new)
        # The workflow starts with its policy: its first task asks nothing remote.
        policy = await self._studio.policy(organization.auto_accept_business_days)
        async with self._sessions() as session:
            new.site_id = await choose_site(session, new.organization, new.site_id or "",
                                            required=not new.site_later)
            row, created = await store.create_ticket(session, principal, new)
            await session.commit()
            # After the commit: a crash here leaves a ticket without a workflow, which a
            # retry with the same request_id (or the reconciler) starts.
            await self._lifecycle.start(TicketStarted(
                number=row.number, organization=row.organization, title=row.title,
                priority=row.priority, policy=policy))
            if created:
                log.info("ticket.created", number=row.number, organization=row.organization)
            return await shown(session, row)

    async def _organization_and_contact(self, principal: Principal, new: store.NewTicket):
        def contact():
            return self._directory.contact(new.contact["user"], new.organization, principal)
        if principal.is_staff:  # an unknown organization is the error, not its contact
            organization = await self._directory.organization(new.organization,
                                                              "ticket.organization")
            return organization, await contact()
        return await asyncio.gather(self._directory.organization(new.organization), contact())

    async def get(self, principal: Principal, number: int) -> Shown:
        async with self._sessions() as session:
            return await shown(session, await store.visible_ticket(session, principal, number))

    async def find(self, principal: Principal, where: listing.TicketFilter, order_by: str,
                   page: Page) -> Listed:
        async with self._sessions() as session:
            found = await listing.list_tickets(session, principal, where, order_by,
                                               page.offset, page.size)
            sites = await store.sites_by_id(session, {r.site_id for r in found.rows
                                                      if r.site_id})
        return Listed(found, sites)

    async def update(self, principal: Principal, request: pb.UpdateTicketRequest,
                     number: int) -> Shown:
        today = await self._studio.today()
        async with self._sessions() as session:
            row = await store.visible_ticket(session, principal, number, for_update=True)
            change = await apply_update(Update(session, principal, row, request.ticket,
                                               self._directory, today), request)
            await session.commit()
            ticket = await shown(session, row)
        if change is not None and Status(row.status).is_open:
            await self._lifecycle.ticket_changed(number, change)
        return ticket
