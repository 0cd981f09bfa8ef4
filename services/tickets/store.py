"""The ticket store: every query takes the caller's principal and is scoped by it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import invalid, not_found
from services.common.principal import Principal
from services.tickets import models
from workflows.ticket.rules import Status


def now() -> datetime:
    return datetime.now(UTC)


def scoped(query: Select, principal: Principal) -> Select:
    """A client sees its own organization's tickets only — at the SQL level."""
    if principal.is_staff:
        return query
    return query.where(models.Ticket.organization == principal.organization)


async def visible_ticket(session: AsyncSession, principal: Principal, number: int,
                         *, for_update: bool = False) -> models.Ticket:
    query = scoped(select(models.Ticket).where(models.Ticket.number == number), principal)
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        raise not_found(f"tickets/{number}")
    return row


async def site_of(session: AsyncSession, site_id: str | None) -> models.Site | None:
    return await session.get(models.Site, site_id) if site_id else None


async def organization_sites(session: AsyncSession, organization: str,
                             active_only: bool = True) -> list[models.Site]:
    query = select(models.Site).where(models.Site.organization == organization)
    if active_only:
        query = query.where(models.Site.active.is_(True))
    return list((await session.execute(query.order_by(models.Site.url))).scalars())


async def choose_site(session: AsyncSession, organization: str, site_id: str) -> str | None:
    """The ticket's site: the one given, or the organization's only site."""
    sites = await organization_sites(session, organization)
    if site_id:
        if not any(s.id == site_id for s in sites):
            raise invalid([("ticket.site", "is not a site of the ticket's organization")])
        return site_id
    if len(sites) > 1:
        raise invalid([("ticket.site", "choose one of the organization's sites")])
    return sites[0].id if sites else None


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


async def create_ticket(session: AsyncSession, principal: Principal,
                        new: NewTicket) -> tuple[models.Ticket, bool]:
    """Insert the ticket; with a known request_id return the existing one."""
    if new.request_id:
        existing = (await session.execute(select(models.Ticket).where(
            models.Ticket.request_id == new.request_id))).scalar_one_or_none()
        if existing is not None:
            if existing.creator != principal.subject:
                raise invalid([("request_id", "was already used by another caller")])
            return existing, False
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
    session.add(row)
    await session.flush()
    session.add(history_row(row.number, principal.subject, principal.display_name, "status",
                            "", Status.QUEUED.value, moment))
    return row, True


def history_row(number: int, actor: str, actor_name: str, field_name: str, old: str, new: str,
                moment: datetime) -> models.HistoryEntry:
    return models.HistoryEntry(ticket_number=number, actor=actor, actor_display_name=actor_name,
                               field=field_name, old_value=old, new_value=new,
                               create_time=moment)


@dataclass
class TicketFilter:
    statuses: list[str] = field(default_factory=list)
    site_id: str = ""
    priorities: list[str] = field(default_factory=list)
    assignee: str = ""
    organization: str = ""
    query: str = ""


ORDERS = {
    "": (models.Ticket.update_time.desc(),),
    "update_time desc": (models.Ticket.update_time.desc(),),
    "update_time": (models.Ticket.update_time.asc(),),
    "create_time desc": (models.Ticket.create_time.desc(),),
    "create_time": (models.Ticket.create_time.asc(),),
    "desired_date": (models.Ticket.desired_date.asc(),),
    "number desc": (models.Ticket.number.desc(),),
    "number": (models.Ticket.number.asc(),),
}


def filtered(query: Select, principal: Principal, where: TicketFilter,
             with_status: bool = True) -> Select:
    query = scoped(query, principal)
    t = models.Ticket
    if with_status and where.statuses:
        query = query.where(t.status.in_(where.statuses))
    if where.site_id:
        query = query.where(t.site_id == where.site_id)
    if where.priorities:
        query = query.where(t.priority.in_(where.priorities))
    if where.assignee:
        query = query.where(t.assignee == where.assignee)
    if where.organization:
        query = query.where(t.organization == where.organization)
    text = where.query.strip().lstrip("#")
    if text.isdigit():
        query = query.where(t.number == int(text))
    elif text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(t.title.ilike(pattern, escape="\\"),
                                t.description.ilike(pattern, escape="\\")))
    return query


async def list_tickets(session: AsyncSession, principal: Principal, where: TicketFilter,
                       order_by: str, offset: int, limit: int):
    if order_by not in ORDERS:
        raise invalid([("order_by", f"must be one of: {', '.join(k for k in ORDERS if k)}")])
    query = filtered(select(models.Ticket), principal, where)
    rows = list((await session.execute(
        query.order_by(*ORDERS[order_by], models.Ticket.number.desc())
        .offset(offset).limit(limit + 1))).scalars())
    total = (await session.execute(
        filtered(select(func.count()).select_from(models.Ticket), principal, where))).scalar_one()
    counts = dict((await session.execute(
        filtered(select(models.Ticket.status, func.count()), principal, where,
                 with_status=False).group_by(models.Ticket.status))).all())
    return rows[:limit], len(rows) > limit, total, counts


async def sites_by_id(session: AsyncSession, ids: set[str]) -> dict[str, models.Site]:
    if not ids:
        return {}
    rows = await session.execute(select(models.Site).where(models.Site.id.in_(ids)))
    return {s.id: s for s in rows.scalars()}


async def add_comment(session: AsyncSession, principal: Principal, ticket: models.Ticket,
                      body: str, internal: bool, request_id: str | None,
                      action: str = "") -> models.Comment:
    if request_id:
        existing = (await session.execute(select(models.Comment).where(
            models.Comment.request_id == request_id))).scalar_one_or_none()
        if existing is not None and existing.ticket_number == ticket.number:
            return existing
        if existing is not None:
            raise invalid([("request_id", "was already used for another comment")])
    row = models.Comment(id=uuid.uuid4().hex, ticket_number=ticket.number,
                         author=principal.subject, author_display_name=principal.display_name,
                         author_role=principal.role.value, body=body, internal=internal,
                         action=action, request_id=request_id, create_time=now())
    session.add(row)
    ticket.update_time = row.create_time
    ticket.version += 1
    return row


async def list_comments(session: AsyncSession, principal: Principal, number: int,
                        offset: int, limit: int) -> tuple[list[models.Comment], bool]:
    query = select(models.Comment).where(models.Comment.ticket_number == number)
    if not principal.is_staff:
        query = query.where(models.Comment.internal.is_(False))
    rows = list((await session.execute(query.order_by(models.Comment.create_time,
                                                      models.Comment.id)
                                       .offset(offset).limit(limit + 1))).scalars())
    return rows[:limit], len(rows) > limit


async def list_history(session: AsyncSession, number: int, offset: int,
                       limit: int) -> tuple[list[models.HistoryEntry], bool]:
    rows = list((await session.execute(
        select(models.HistoryEntry).where(models.HistoryEntry.ticket_number == number)
        .order_by(models.HistoryEntry.id).offset(offset).limit(limit + 1))).scalars())
    return rows[:limit], len(rows) > limit


async def already_applied(session: AsyncSession, request_id: str) -> bool:
    return await session.get(models.AppliedRequest, request_id) is not None


async def mark_applied(session: AsyncSession, request_id: str, number: int) -> None:
    session.add(models.AppliedRequest(request_id=request_id, ticket_number=number,
                                      create_time=now()))
    await session.flush()  # a concurrent duplicate fails here and rolls back
