"""Comments and the history of a ticket."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.server.errors import bad_field
from services.common.server.principal import Principal
from services.tickets import models
from services.tickets.store.pages import page_of
from services.tickets.store.tickets import now, scoped
from ticketdesk.errors.v1 import errors_pb2 as reasons


async def add_comment(session: AsyncSession, principal: Principal, ticket: models.Ticket,
                      body: str, internal: bool, request_id: str | None,
                      action: str = "") -> tuple[models.Comment, bool]:
    """The new comment, True; or, for a known request_id, the earlier one, False."""
    if request_id:
        existing = (await session.execute(select(models.Comment).where(
            models.Comment.request_id == request_id))).scalar_one_or_none()
        if existing is not None and existing.ticket_number == ticket.number:
            return existing, False
        if existing is not None:
            raise bad_field("request_id", reasons.REQUEST_ID_REUSED,
                            "was already used for another comment")
    row = models.Comment(id=uuid.uuid4().hex, ticket_number=ticket.number,
                         author=principal.subject, author_display_name=principal.display_name,
                         author_role=principal.role.value, body=body, internal=internal,
                         action=action, request_id=request_id, create_time=now())
    session.add(row)
    ticket.update_time = row.create_time
    ticket.version += 1
    return row, True


def of_visible_ticket(query: Select, column, principal: Principal, number: int) -> Select:
    """Rows of ticket `number`, scoped like the ticket itself."""
    return scoped(query.join(models.Ticket, models.Ticket.number == column)
                  .where(column == number), principal)


async def list_comments(session: AsyncSession, principal: Principal, number: int,
                        offset: int, limit: int) -> tuple[list[models.Comment], bool]:
    """Oldest first; a client's list leaves the internal notes out."""
    query = of_visible_ticket(select(models.Comment), models.Comment.ticket_number,
                              principal, number)
    if not principal.is_staff:
        query = query.where(models.Comment.internal.is_(False))
    return await page_of(session, query.order_by(models.Comment.create_time, models.Comment.id),
                         offset, limit)


async def visible_comment(session: AsyncSession, principal: Principal, number: int,
                          comment_id: str) -> models.Comment | None:
    """The comment if the caller sees it (a client: not an internal note)."""
    query = of_visible_ticket(select(models.Comment), models.Comment.ticket_number,
                              principal, number).where(models.Comment.id == comment_id)
    if not principal.is_staff:
        query = query.where(models.Comment.internal.is_(False))
    return (await session.execute(query)).scalar_one_or_none()


async def list_history(session: AsyncSession, principal: Principal, number: int, offset: int,
                       limit: int) -> tuple[list[models.HistoryEntry], bool]:
    query = of_visible_ticket(select(models.HistoryEntry), models.HistoryEntry.ticket_number,
                              principal, number)
    return await page_of(session, query.order_by(models.HistoryEntry.id), offset, limit)
