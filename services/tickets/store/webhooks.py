"""Webhooks, their deliveries, and the events each one owes."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.server.principal import Principal, Role
from services.tickets import models
from services.tickets.store import events
from services.tickets.store.once import insert_once
from services.tickets.store.pages import page_of
from services.tickets.store.tickets import now

W, D = models.Webhook, models.WebhookDelivery


@dataclass
class NewWebhook:
    organization: str
    url: str
    display_name: str
    event_kinds: list[str]
    secret: str
    request_id: str | None


def kinds(row: models.Webhook) -> list[str]:
    return json.loads(row.event_kinds)


def audience(row: models.Webhook) -> Principal:
    """Whose view of the events the webhook gets: an organization's client's, or the
    studio's (internal notes included)."""
    if row.organization:
        return Principal(subject=f"webhooks/{row.id}", role=Role.CLIENT,
                         organization=row.organization)
    return Principal(subject=f"webhooks/{row.id}", role=Role.SERVICE)


async def add_webhook(session: AsyncSession, new: NewWebhook) -> tuple[models.Webhook, bool]:
    """Insert it, True; a known request_id's webhook, False."""
    moment = now()
    row = W(id=uuid.uuid4().hex, organization=new.organization, url=new.url,
            display_name=new.display_name, event_kinds=json.dumps(new.event_kinds),
            secret=new.secret, enabled=True, disabled_reason="",
            cursor=await events.last_id(session), request_id=new.request_id,
            create_time=moment, update_time=moment)


    async def earlier() -> models.Webhook | None:
        return (await session.execute(
            select(W).where(W.request_id == new.request_id))).scalar_one_or_none()
    return await insert_once(session, row, earlier)


async def webhook(session: AsyncSession, webhook_id: str) -> models.Webhook | None:
    return await session.get(W, webhook_id)


async def enabled_webhooks(session: AsyncSession) -> list[models.Webhook]:
    return list((await session.execute(select(W).where(W.enabled.is_(True)))).scalars())


async def list_webhooks(session: AsyncSession, offset: int,
                        limit: int) -> tuple[list[models.Webhook], bool]:
    return await page_of(session, select(W).order_by(W.create_time, W.id), offset, limit)


async def list_deliveries(session: AsyncSession, webhook_id: str, offset: int,
                          limit: int) -> tuple[list[tuple[models.WebhookDelivery,
                                                          events.Event | None]], bool]:
    """Newest first, each with its event."""
    rows, more = await page_of(session, select(D).where(D.webhook_id == webhook_id)
                               .order_by(D.id.desc()), offset, limit)
    return [(row, await events.by_id(session, row.event)) for row in rows], more


async def delivery(session: AsyncSession, webhook_id: str,
                   delivery_id: int) -> models.WebhookDelivery | None:
    row = await session.get(D, delivery_id)
    return row if row is not None and row.webhook_id == webhook_id else None


async def owed(session: AsyncSession, row: models.Webhook, after: int,
               limit: int) -> list[int]:
    """The ids of the events after `after` the webhook gets, in order."""
    found = await events.after(session, audience(row), after, None, limit,
                               frozenset(kinds(row)))
    return [event.id for event in found]


async def redeliveries(session: AsyncSession, webhook_id: str) -> list[int]:
    query = select(D.event).where(D.webhook_id == webhook_id, D.redeliver.is_(True))
    return list((await session.execute(query.order_by(D.id))).scalars())


@dataclass
class Attempt:
    webhook_id: str
    event: int
    attempt: int
    response_code: int
    error: str
    delivered: bool


async def record_attempt(session: AsyncSession, attempt: Attempt) -> None:
    """The attempt on its delivery's row (made by the first); a delivered event moves the
    webhook's cursor forward and ends a redelivery asked for."""
    moment = now()
    row = (await session.execute(select(D).where(
        D.webhook_id == attempt.webhook_id, D.event == attempt.event))).scalar_one_or_none()
    if row is None:
        row = D(webhook_id=attempt.webhook_id, event=attempt.event, attempts=0,
                redeliver=False, create_time=moment)
        session.add(row)
    row.attempts = max(row.attempts + 1, attempt.attempt)
    row.response_code, row.error, row.delivered = (attempt.response_code, attempt.error,
                                                   attempt.delivered)
    row.update_time = moment
    if attempt.delivered:
        row.redeliver = False
        await session.execute(update(W).where(W.id == attempt.webhook_id,
                                              W.cursor < attempt.event)
                              .values(cursor=attempt.event))
