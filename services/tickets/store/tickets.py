"""Tickets: one ticket as its caller may see it, creation, history rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.server.errors import bad_field, not_found
from services.common.server.principal import Principal
from services.tickets import models
from services.tickets.store.once import insert_once
from ticketdesk.errors.v1 import errors_pb2 as reasons
from workflows.ticket.rules import OPEN, Status


def now() -> datetime:
    return datetime.now(UTC)


def scoped(query: Select, principal: Principal) -> Select:
    """A client sees its own organization's tickets only — at the SQL level."""
    if principal.is_staff:
        return query
    return query.where(models.Ticket.organization == principal.organization)


async def visible_ticket(session: AsyncSession, principal: Principal, number: int,
                         *, for_update: bool = False) -> models.Ticket:
    query = scoped(_with_site().where(models.Ticket.number == number), principal)
    return await _one(session, query.with_for_update(of=models.Ticket) if for_update else query,
                      number)


async def ticket_for_update(session: AsyncSession, number: int) -> models.Ticket:
    """Any ticket, locked (TicketDesk's own records)."""
    query = _with_site().where(models.Ticket.number == number)
    return await _one(session, query.with_for_update(of=models.Ticket), number)


def _with_site() -> Select:
    """The ticket with its site in one statement: the site lands in the session, so that
    showing the ticket (site_of) asks nothing more."""
    return select(models.Ticket, models.Site).outerjoin(
        models.Site, models.Site.id == models.Ticket.site_id)


async def _one(session: AsyncSession, query: Select, number: int) -> models.Ticket:
    row = None
    if number <= models.MAX_NUMBER:  # a larger one overflows the database's integer
        row = (await session.execute(query)).first()
    if row is None:
        raise not_found(f"tickets/{number}")
    return row[0]


async def open_tickets(session: AsyncSession) -> list:
    """What a ticket's workflow starts from, for every open ticket."""
    t = models.Ticket
    return list((await session.execute(select(
        t.number, t.organization, t.title, t.priority, t.status, t.assignee, t.has_remarks,
    ).where(t.status.in_([s.value for s in OPEN])))).all())


async def tickets_by_number(session: AsyncSession,
                            numbers: set[int]) -> dict[int, models.Ticket]:
    if not numbers:
        return {}
    rows = await session.execute(select(models.Ticket).where(models.Ticket.number.in_(numbers)))
    return {t.number: t for t in rows.scalars()}


async def site_of(session: AsyncSession, site_id: str | None) -> models.Site | None:
    return await session.get(models.Site, site_id) if site_id else None


async def sites_by_id(session: AsyncSession, ids: set[str]) -> dict[str, models.Site]:
    if not ids:
        return {}
    rows = await session.execute(select(models.Site).where(models.Site.id.in_(ids)))
    return {s.id: s for s in rows.scalars()}


async def active_site_ids(session: AsyncSession, organization: str) -> list[str]:
    """Loads the sites themselves: the new ticket's is then shown without another query."""
    query = select(models.Site).where(models.Site.organization == organization,
                                      models.Site.active.is_(True))
    return [site.id for site in (await session.execute(query.order_by(models.Site.url))).scalars()]


@dataclass
class NewTicket:
    organization: str
    site_id: str | None
    title: str
    description: str
    priority: str
    desired_date: date | None
    contact: dict[str, str] = field(default_factory=dict)
    request_id: str | None = None
    # With several sites and none given: a ticket without a site, which asks its client
    # for one (from e-mail); otherwise the site is required.
    site_later: bool = False


async def create_ticket(session: AsyncSession, principal: Principal,
                        new: NewTicket) -> tuple[models.Ticket, bool]:
    """Insert the ticket, True; with a known request_id the existing one, False. The
    request_id's unique index finds a repeated request (a retry is rare: no SELECT first)."""
    moment = now()
    row = models.Ticket(
        organization=new.organization, site_id=new.site_id, title=new.title,
        description=new.description, priority=new.priority, status=Status.QUEUED.value,
        desired_date=new.desired_date, contact_user=new.contact.get("user", ""),
        contact_name=new.contact.get("full_name", ""),
        contact_email=new.contact.get("email", ""), contact_phone=new.contact.get("phone", ""),
        creator=principal.subject, request_id=new.request_id, create_time=moment,
        update_time=moment, status_note="", assignee="", estimate_hours=0.0,
        has_remarks=False, rating=0, version=1)
    row, created = await insert_once(
        session, row, lambda: _by_request_id(session, principal, new.request_id))
    if not created:
        return row, False
    session.add(history_row(row.number, principal, "status", "", Status.QUEUED.value, moment))
    return row, True


async def _by_request_id(session: AsyncSession, principal: Principal,
                         request_id: str | None) -> models.Ticket | None:
    if not request_id:
        return None
    existing = (await session.execute(select(models.Ticket).where(
        models.Ticket.request_id == request_id))).scalar_one_or_none()
    if existing is not None and existing.creator != principal.subject:
        raise bad_field("request_id", reasons.REQUEST_ID_REUSED,
                        "was already used by another caller")
    return existing


def history_row(number: int, actor: Principal, field_name: str, old: str, new: str,
                moment: datetime) -> models.HistoryEntry:
    return models.HistoryEntry(ticket_number=number, actor=actor.subject,
                               actor_display_name=actor.display_name, field=field_name,
                               old_value=old, new_value=new, create_time=moment)


async def already_applied(session: AsyncSession, request_id: str) -> bool:
    return await session.get(models.AppliedRequest, request_id) is not None


async def mark_applied(session: AsyncSession, request_id: str, number: int) -> None:
    session.add(models.AppliedRequest(request_id=request_id, ticket_number=number,
                                      create_time=now()))
    await session.flush()  # a concurrent duplicate fails here and rolls back
