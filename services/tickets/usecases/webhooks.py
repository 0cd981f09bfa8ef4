"""Webhooks: managers subscribe URLs to ticket events; each webhook's workflow polls for
the events it owes, has each request signed here and records every attempt.

The signature is Stripe's scheme, so that receivers can use a library they know:
TicketDesk-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the secret>."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import json
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlparse

import structlog
from google.protobuf.json_format import MessageToDict
from sqlalchemy.ext.asyncio import async_sessionmaker

from services.common.server.errors import bad_field, not_found, permission_denied
from services.common.server.paging import Page
from services.common.server.principal import Principal
from services.tickets import convert, models
from services.tickets import validation as check
from services.tickets.gateways.directory import Directory
from services.tickets.gateways.webhook_runs import WebhookRuns
from services.tickets.store import events
from services.tickets.store import webhooks as store
from services.tickets.usecases.events import Bell
from ticketdesk.errors.v1 import errors_pb2 as reasons
from ticketdesk.tickets.v1 import tickets_pb2 as pb

UPDATABLE = ("url", "display_name", "event_kinds", "enabled")
# Kinds an organization's webhook may ask for: what its client sees.
CLIENT_KINDS = events.KINDS - events.STAFF_ONLY
RECHECK_SECONDS = 1.0
log = structlog.get_logger()


def require_manager(principal: Principal) -> None:
    if not principal.is_manager:
        raise permission_denied("only managers manage webhooks")


def webhook_id(name: str, field: str) -> str:
    prefix, _, found = check.given(name, field).partition("/")
    if prefix != "webhooks" or not (found.isascii() and found.isalnum()) or len(found) > 32:
        raise bad_field(field, reasons.MALFORMED, "must look like webhooks/{webhook}")
    return found


def target(url: str, field: str) -> str:
    """https://, or http:// to a loopback address (a receiver on this machine)."""
    url = check.url(url, field)
    parsed = urlparse(url)
    if parsed.scheme == "https":
        return url
    try:
        loopback = ipaddress.ip_address(parsed.hostname or "").is_loopback
    except ValueError:
        loopback = parsed.hostname == "localhost"
    if not loopback:
        raise bad_field(field, reasons.NOT_A_URL, "must be an https URL (http to loopback only)")
    return url


def event_kinds(given: list[str], organization: str, field: str) -> list[str]:
    allowed = CLIENT_KINDS if organization else events.KINDS
    if unknown := sorted(set(given) - allowed):
        raise bad_field(field, reasons.MALFORMED,
                        f"unknown event kinds {', '.join(unknown)}; one of "
                        f"{', '.join(sorted(allowed))}")
    return sorted(set(given))


def sign(secret: str, body: str, moment: int) -> str:
    digest = hmac.new(secret.encode(), f"{moment}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={moment},v1={digest}"


@dataclass
class Prepared:
    url: str
    body: str
    signature: str
    event_id: str


class Webhooks:
    def __init__(self, sessions: async_sessionmaker, directory: Directory, runs: WebhookRuns,
                 bell: Bell):
        self._sessions, self._directory, self._runs, self._bell = sessions, directory, runs, bell

    # --- managers -----------------------------------------------------------------------

    async def create(self, principal: Principal,
                     request: pb.CreateWebhookRequest) -> models.Webhook:
        require_manager(principal)
        given = request.webhook
        organization = ""
        if given.organization:
            organization = check.organization(given.organization, "webhook.organization")
            await self._directory.require_organization(organization, "webhook.organization")
        new = store.NewWebhook(
            organization=organization, url=target(given.url, "webhook.url"),
            display_name=check.text(given.display_name, "webhook.display_name",
                                    check.MAX_DISPLAY_NAME, required=False),
            event_kinds=event_kinds(list(given.event_kinds), organization,
                                    "webhook.event_kinds"),
            secret="whsec_" + secrets.token_urlsafe(32),
            request_id=check.request_id(request.request_id) or None)
        async with self._sessions() as session:
            row, _ = await store.add_webhook(session, new)
            await session.commit()
        if row.enabled:
            await self._runs.start(row.id, row.cursor)
        return row

    async def find(self, principal: Principal, page: Page) -> tuple[list[models.Webhook], bool]:
        require_manager(principal)
        async with self._sessions() as session:
            return await store.list_webhooks(session, page.offset, page.size)

    async def update(self, principal: Principal,
                     request: pb.UpdateWebhookRequest) -> models.Webhook:
        require_manager(principal)
        found = webhook_id(request.webhook.name, "webhook.name")
        paths = check.update_mask(request.update_mask.paths, UPDATABLE)
        async with self._sessions() as session:
            row = await self._webhook(session, found, request.webhook.name)
            was_enabled = row.enabled
            _apply(row, request.webhook, paths)
            row.update_time = store.now()
            await session.commit()
        if row.enabled and not was_enabled:
            await self._runs.start(row.id, row.cursor, restart=True)
        elif was_enabled and not row.enabled:
            await self._runs.stop(row.id)
        return row

    async def delete(self, principal: Principal, name: str) -> None:
        require_manager(principal)
        found = webhook_id(name, "name")
        async with self._sessions() as session:
            await session.delete(await self._webhook(session, found, name))
            await session.commit()
        await self._runs.stop(found)

    async def deliveries(self, principal: Principal, parent: str, page: Page):
        require_manager(principal)
        found = webhook_id(parent, "parent")
        async with self._sessions() as session:
            await self._webhook(session, found, parent)
            return await store.list_deliveries(session, found, page.offset, page.size)

    async def redeliver(self, principal: Principal, name: str):
        """Sent again after what waits; by the workflow, once the webhook is on."""
        require_manager(principal)
        parent, _, delivery = name.rpartition("/deliveries/")
        found = webhook_id(parent, "name")
        if not (delivery.isascii() and delivery.isdigit()) or len(delivery) > 18:
            raise bad_field("name", reasons.MALFORMED,
                            "must look like webhooks/{webhook}/deliveries/{delivery}")
        async with self._sessions() as session:
            row = await self._webhook(session, found, name)
            sent = await store.delivery(session, found, int(delivery))
            if sent is None:
                raise not_found(name)
            sent.redeliver, sent.update_time = True, store.now()
            await session.commit()
            event = await events.by_id(session, sent.event)
        if row.enabled:
            await self._runs.start(row.id, row.cursor)
        self._bell.ring()
        return sent, event

    async def _webhook(self, session, found: str, name: str) -> models.Webhook:
        row = await store.webhook(session, found)
        if row is None:
            raise not_found(name)
        return row

    async def resume_all(self) -> None:
        """On start-up: every webhook that is on has its workflow (a create whose start
        failed, a workflow terminated by an operator); a running one goes on."""
        try:
            async with self._sessions() as session:
                rows = await store.enabled_webhooks(session)
            for row in rows:
                await self._runs.start(row.id, row.cursor)
        except Exception:  # the next start tries again; serving must not depend on it
            log.exception("webhooks.resume_failed")

    # --- the webhook's workflow (TicketInternalService) ---------------------------------

    async def poll(self, found: str, after: int, limit: int,
                   wait: float) -> tuple[bool, list[int], list[int]]:
        """(on, the events owed after `after`, the redeliveries asked for); waits up to
        `wait` seconds for one."""
        deadline = time.monotonic() + wait
        while True:
            turn = self._bell.turn()
            async with self._sessions() as session:
                row = await store.webhook(session, found)
                if row is None or not row.enabled:
                    return False, [], []
                owed = await store.owed(session, row, after, limit)
                again = await store.redeliveries(session, found)
            remaining = deadline - time.monotonic()
            if owed or again or remaining <= 0:
                return True, owed, again
            try:
                await asyncio.wait_for(turn.wait(), min(remaining, RECHECK_SECONDS))
            except TimeoutError:
                pass

    async def prepare(self, found: str, event_log_id: int) -> Prepared | None:
        """The request of one delivery, signed now; None when the webhook is off or gone."""
        async with self._sessions() as session:
            row = await store.webhook(session, found)
            event = await events.by_id(session, event_log_id)
        if row is None or not row.enabled or event is None:
            return None
        body = json.dumps({
            "id": event.event_id, "type": event.kind, "webhook": f"webhooks/{row.id}",
            "data": MessageToDict(convert.event(event, ""), preserving_proto_field_name=True),
        }, ensure_ascii=False, separators=(",", ":"))
        return Prepared(url=row.url, body=body, signature=sign(row.secret, body, int(time.time())),
                        event_id=event.event_id)

    async def record(self, attempt: store.Attempt) -> None:
        """Nothing for a webhook deleted meanwhile (its deliveries went with it)."""
        async with self._sessions() as session:
            if await store.webhook(session, attempt.webhook_id) is None:
                return
            await store.record_attempt(session, attempt)
            await session.commit()

    async def disable(self, found: str, reason: str) -> models.Webhook | None:
        """The webhook, when this turned it off (None: off already, or deleted)."""
        async with self._sessions() as session:
            row = await store.webhook(session, found)
            if row is None or not row.enabled:
                return None
            row.enabled, row.disabled_reason = False, reason
            row.update_time = store.now()
            await session.commit()
            return row


def _apply(row: models.Webhook, given: pb.Webhook, paths: set[str]) -> None:
    if "url" in paths:
        row.url = target(given.url, "webhook.url")
    if "display_name" in paths:
        row.display_name = check.text(given.display_name, "webhook.display_name",
                                      check.MAX_DISPLAY_NAME, required=False)
    if "event_kinds" in paths:
        row.event_kinds = json.dumps(event_kinds(list(given.event_kinds), row.organization,
                                                 "webhook.event_kinds"))
    if "enabled" in paths:
        row.enabled = given.enabled
        if row.enabled:
            row.disabled_reason = ""
