"""In-app notifications (the bell): delivered by the notify activity, read by people."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, update

from services.common.server.errors import invalid, permission_denied
from services.common.server.principal import Role, caller
from services.tickets import convert, models, store
from services.tickets import validation as check
from ticketdesk.tickets.v1 import tickets_pb2 as pb


def notification(row: models.Notification) -> pb.Notification:
    return pb.Notification(
        name=f"{row.recipient}/notifications/{row.id}",
        ticket=convert.ticket_name(row.ticket_number), kind=row.kind, title=row.title,
        read=row.read, create_time=convert.timestamp(row.create_time))


def without_nul(values, field: str) -> None:
    """PostgreSQL refuses NUL in text with an error (not as a mismatch): refuse it first."""
    if any("\x00" in value for value in values):
        raise invalid([(field, "must not contain NUL characters")])


def require_service() -> None:
    if caller().role is not Role.SERVICE:
        raise permission_denied("only TicketDesk's workflows deliver notifications")


class NotificationRpcs:
    """TicketService's notification RPCs (mixed into the servicer)."""

    async def ListNotifications(self, request: pb.ListNotificationsRequest,
                                context) -> pb.ListNotificationsResponse:
        me = caller().user
        fingerprint = check.fingerprint("notifications", me, request.unread_only)
        offset = check.page_token_offset(request.page_token, fingerprint)
        limit = check.page_size(request.page_size, default=20)
        mine = select(models.Notification).where(models.Notification.recipient == me)
        if request.unread_only:
            mine = mine.where(models.Notification.read.is_(False))
        async with self._sessions() as session:
            rows = list((await session.execute(
                mine.order_by(models.Notification.create_time.desc(), models.Notification.id)
                .offset(offset).limit(limit + 1))).scalars())
            unread = (await session.execute(select(func.count()).where(
                models.Notification.recipient == me,
                models.Notification.read.is_(False)))).scalar_one()
        return pb.ListNotificationsResponse(
            notifications=[notification(r) for r in rows[:limit]], unread_count=unread,
            next_page_token=check.page_token(offset + limit, fingerprint)
            if len(rows) > limit else "")

    async def MarkNotificationsRead(self, request: pb.MarkNotificationsReadRequest,
                                    context) -> pb.MarkNotificationsReadResponse:
        me = caller().user
        query = update(models.Notification).where(models.Notification.recipient == me,
                                                  models.Notification.read.is_(False))
        without_nul(request.names, "names")
        if request.names:
            ids = [n.removeprefix(f"{me}/notifications/") for n in request.names]
            query = query.where(models.Notification.id.in_(ids))
        if request.ticket:
            query = query.where(models.Notification.ticket_number
                                == check.ticket_number(request.ticket, "ticket"))
        async with self._sessions() as session:
            result = await session.execute(query.values(read=True))
            await session.commit()
        return pb.MarkNotificationsReadResponse(marked=result.rowcount or 0)

    async def DeliverNotifications(self, request: pb.DeliverNotificationsRequest,
                                   context) -> pb.DeliverNotificationsResponse:
        require_service()
        number = check.ticket_number(request.ticket, "ticket")
        if not request.event_id:
            raise invalid([("event_id", "is required")])
        # The columns' limits (String(64), String(32)): PostgreSQL refuses longer values.
        check.request_id(request.event_id, "event_id")
        for delivery in request.deliveries:
            check.user(delivery.recipient, "deliveries.recipient")
            without_nul([delivery.title], "deliveries.title")
        if len(request.kind) > 32 or not request.kind.isprintable():
            raise invalid([("kind", "must be at most 32 printable characters")])
        async with self._sessions() as session:
            known = {r.recipient: r for r in (await session.execute(
                select(models.Notification).where(
                    models.Notification.event_id == request.event_id))).scalars()}
            for delivery in request.deliveries:
                if delivery.recipient not in known:
                    known[delivery.recipient] = models.Notification(
                        id=uuid.uuid4().hex, event_id=request.event_id,
                        recipient=delivery.recipient, ticket_number=number, kind=request.kind,
                        title=delivery.title[:400], read=False, emailed=False,
                        create_time=store.now())
                    session.add(known[delivery.recipient])
            await session.commit()
        wanted = {d.recipient for d in request.deliveries}
        return pb.DeliverNotificationsResponse(
            to_email=sorted(r for r, row in known.items() if r in wanted and not row.emailed))

    async def MarkNotificationsEmailed(self, request: pb.MarkNotificationsEmailedRequest,
                                       context) -> pb.MarkNotificationsEmailedResponse:
        require_service()
        without_nul([request.event_id, *request.recipients], "event_id, recipients")
        async with self._sessions() as session:
            await session.execute(update(models.Notification).where(
                models.Notification.event_id == request.event_id,
                models.Notification.recipient.in_(list(request.recipients))).values(emailed=True))
            await session.commit()
        return pb.MarkNotificationsEmailedResponse()
