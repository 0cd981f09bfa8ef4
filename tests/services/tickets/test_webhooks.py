"""Webhooks against a real HTTP receiver on loopback: signed events (checked by Stripe's
own library, an independent implementation of the scheme), in each webhook's scope and in
order; a receiver down for two minutes gets every event afterwards, none twice; one that
keeps failing turns its webhook off; a redelivery sends an event again."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import grpc
import pytest
import stripe
from google.protobuf.field_mask_pb2 import FieldMask
from temporalio.client import WorkflowExecutionStatus

from services.tickets.mail.messages import parse
from services.tickets.server import build as build_tickets
from tests.services.tickets.test_events import life
from tests.support.rpc import field_reasons, rpc_error
from tests.support.stack import start_stack, start_temporal
from tests.support.tickets import World
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket.rules import Action
from workflows.webhooks.workflows import workflow_id

SIGNATURE = "TicketDesk-Signature"


class Receiver:
    """An HTTP endpoint on loopback that keeps what it is sent and answers `status`; it
    can go down (the port refuses connections) and come back on the same port."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], str]] = []
        self.status = 200
        self.port = 0
        self.server: ThreadingHTTPServer | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                if receiver.status == 200:
                    receiver.received.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()

    def events(self, ticket: pb.Ticket | None = None) -> list[dict]:
        found = [json.loads(body) for _, body in self.received]
        return [e for e in found if ticket is None or e["data"]["ticket"] == ticket.name]

    async def until(self, check, timeout: float = 30.0) -> None:
        async with asyncio.timeout(timeout):
            while not check():
                await asyncio.sleep(0.1)


async def create(stack, manager, receiver: Receiver, **fields) -> pb.CreateWebhookResponse:
    return await stack.clients.tickets.CreateWebhook(pb.CreateWebhookRequest(
        webhook=pb.Webhook(url=receiver.url, **fields)), metadata=manager)


async def mails_to(stack, address: str, subject: str, timeout: float = 10.0) -> list[str]:
    """The bodies of the outbox's e-mails to `address` with `subject` (waits for one)."""
    async with asyncio.timeout(timeout):
        while True:
            found = []
            for path in stack.settings.outbox_dir.glob("*.eml"):
                data = path.read_bytes()
                if address.encode() not in data:  # the stack's other tests write there too
                    continue
                message = parse(data)
                if address in str(message["To"]) and str(message["Subject"]) == subject:
                    found.append(message.get_body().get_content())
            if found:
                return found
            await asyncio.sleep(0.2)


async def deliveries(stack, manager, webhook: str) -> list[pb.WebhookDelivery]:
    answer = await stack.clients.tickets.ListWebhookDeliveries(
        pb.ListWebhookDeliveriesRequest(parent=webhook, page_size=100), metadata=manager)
    return list(answer.deliveries)


def verified(receiver: Receiver, secret: str) -> None:
    """Every request's signature, as a receiver using Stripe's library checks it."""
    for headers, body in receiver.received:
        stripe.WebhookSignature.verify_header(body, headers[SIGNATURE], secret, tolerance=600)
    headers, body = receiver.received[0]
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.WebhookSignature.verify_header(body, headers[SIGNATURE], secret + "x", 600)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.WebhookSignature.verify_header(body + " ", headers[SIGNATURE], secret, 600)


def moves(events: list[dict]) -> list[tuple[str, str]]:
    return [(e["type"], e["data"].get("to_status", "")) for e in events]


async def test_each_webhook_gets_its_signed_events_in_order(stack):
    world = await World.create(stack)
    manager = world.people["manager"]
    mine, studio = Receiver(), Receiver()
    made: list[pb.CreateWebhookResponse] = []
    try:
        made.append(own := await create(stack, manager, mine, organization=world.org.name))
        # Studio-wide: every ticket's events of these kinds, internal notes included.
        made.append(notes := await create(stack, manager, studio,
                                          event_kinds=["internal_note", "status_changed"]))
        ticket = await life(world)
        await mine.until(lambda: len(mine.events(ticket)) >= 5)
        await studio.until(lambda: len(studio.events(ticket)) >= 4)
        await asyncio.sleep(1.5)  # anything more would have come by now
        logged = await deliveries(stack, manager, own.webhook.name)
    finally:
        for hook in made:
            await stack.clients.tickets.DeleteWebhook(pb.DeleteWebhookRequest(
                name=hook.webhook.name), metadata=manager)
        mine.stop()
        studio.stop()
    assert moves(mine.events(ticket)) == [
        ("ticket_created", ""), ("status_changed", "STATUS_IN_PROGRESS"), ("comment", ""),
        ("status_changed", "STATUS_AWAITING_ACCEPTANCE"), ("status_changed", "STATUS_DONE")]
    assert [kind for kind, _ in moves(studio.events(ticket))] == [
        "status_changed", "internal_note", "status_changed", "status_changed"]
    assert mine.events(ticket)[-1]["data"]["rating"] == 5
    verified(mine, own.secret)
    verified(studio, notes.secret)
    ids = [e["id"] for e in mine.events()]
    assert len(ids) == len(set(ids))
    assert [headers["TicketDesk-Event-Id"] for headers, _ in mine.received] == ids
    assert {(d.delivered, d.response_code, d.attempts) for d in logged} == {(True, 200, 1)}
    assert sorted(d.event_id for d in logged) == sorted(ids)


async def test_managers_keep_webhooks_and_bad_ones_are_refused(stack):
    world = await World.create(stack)
    manager, developer = world.people["manager"], world.people["developer"]
    receiver = Receiver()
    try:
        made = await create(stack, manager, receiver, display_name="CRM")
        assert made.secret.startswith("whsec_") and made.webhook.enabled
        listed = await stack.clients.tickets.ListWebhooks(pb.ListWebhooksRequest(),
                                                          metadata=manager)
        assert made.webhook.name in {w.name for w in listed.webhooks}
        off = await stack.clients.tickets.UpdateWebhook(pb.UpdateWebhookRequest(
            webhook=pb.Webhook(name=made.webhook.name, enabled=False),
            update_mask=FieldMask(paths=["enabled"])), metadata=manager)
        assert not off.enabled
        await stack.clients.tickets.DeleteWebhook(pb.DeleteWebhookRequest(
            name=made.webhook.name), metadata=manager)
    finally:
        receiver.stop()
    refused = {
        "webhook.url": pb.Webhook(url="http://hooks.example/x"),
        "webhook.event_kinds": pb.Webhook(url="https://hooks.example/x",
                                          organization=world.org.name,
                                          event_kinds=["internal_note"]),
        "webhook.organization": pb.Webhook(url="https://hooks.example/x",
                                           organization="organizations/nope"),
    }
    for field, webhook in refused.items():
        error = await rpc_error(stack.clients.tickets.CreateWebhook(
            pb.CreateWebhookRequest(webhook=webhook), metadata=manager))
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, (field, error.details())
        assert [f for f, _ in field_reasons(error)] == [field]
    await rpc_error(stack.clients.tickets.ListWebhooks(pb.ListWebhooksRequest(),
                                                       metadata=developer),
                    grpc.StatusCode.PERMISSION_DENIED)


@contextlib.asynccontextmanager
async def stack_retrying(data_dir, attempts: int, max_backoff: float):
    """A stack (SQLite) of its own, with these webhook retries."""
    temporal = await start_temporal()
    stack = await start_stack(temporal, data_dir, webhook_max_attempts=attempts,
                              webhook_max_backoff_seconds=max_backoff)
    try:
        yield stack
    finally:
        await stack.stop()
        await temporal.shutdown()


@pytest.fixture(scope="module")
async def patient(tmp_path_factory):
    """Webhooks retry for about three minutes, a pause at most 5 s."""
    async with stack_retrying(tmp_path_factory.mktemp("patient"), 40, 5) as stack:
        yield stack


@pytest.fixture(scope="module")
async def impatient(tmp_path_factory):
    """Webhooks give up after three attempts a second apart."""
    async with stack_retrying(tmp_path_factory.mktemp("impatient"), 3, 1) as stack:
        yield stack


async def test_a_receiver_down_for_two_minutes_gets_every_event_after(patient):
    world = await World.create(patient)
    receiver = Receiver()
    made = await create(patient, world.people["manager"], receiver,
                        organization=world.org.name)
    receiver.stop()
    tickets = []
    for _ in range(3):
        ticket = await patient.new_ticket(world.org)
        await world.act(ticket.name, "developer", Action.START_WORK)
        await world.act(ticket.name, "developer", Action.SUBMIT_FOR_ACCEPTANCE)
        tickets.append(ticket)
    await asyncio.sleep(120)
    receiver.start()
    try:
        await receiver.until(lambda: len(receiver.events()) >= 9, timeout=60)
        await asyncio.sleep(2)
    finally:
        receiver.stop()
    for ticket in tickets:
        assert moves(receiver.events(ticket)) == [
            ("ticket_created", ""), ("status_changed", "STATUS_IN_PROGRESS"),
            ("status_changed", "STATUS_AWAITING_ACCEPTANCE")]
    ids = [e["id"] for e in receiver.events()]
    assert len(ids) == len(set(ids)) == 9
    logged = await deliveries(patient, world.people["manager"], made.webhook.name)
    assert all(d.delivered for d in logged) and max(d.attempts for d in logged) > 3


async def test_a_failing_receiver_turns_its_webhook_off_until_a_manager_turns_it_on(
        impatient):
    world = await World.create(impatient)
    manager = world.people["manager"]
    receiver = Receiver()
    receiver.status = 500
    try:
        made = await create(impatient, manager, receiver, organization=world.org.name,
                            display_name=f"CRM {uuid.uuid4().hex[:6]}")
        ticket = await impatient.new_ticket(world.org)

        async def turned_off() -> pb.Webhook:
            listed = await impatient.clients.tickets.ListWebhooks(
                pb.ListWebhooksRequest(), metadata=manager)
            return next(w for w in listed.webhooks if w.name == made.webhook.name)

        async with asyncio.timeout(30):
            while (hook := await turned_off()).enabled:
                await asyncio.sleep(0.2)
        assert hook.disabled_reason.endswith("HTTP 500")
        # Every manager hears of it by e-mail, once, with the reason and where to look.
        me = await impatient.clients.auth.WhoAmI(auth_pb2.WhoAmIRequest(), metadata=manager)
        [told] = await mails_to(impatient, me.user.email,
                                f"Вебхук «{made.webhook.display_name}» выключен")
        assert "HTTP 500" in told and "/admin/integrations" in told
        [failed] = await deliveries(impatient, manager, made.webhook.name)
        assert (failed.delivered, failed.response_code, failed.attempts) == (False, 500, 3)
        receiver.status = 200
        await impatient.clients.tickets.UpdateWebhook(pb.UpdateWebhookRequest(
            webhook=pb.Webhook(name=made.webhook.name, enabled=True),
            update_mask=FieldMask(paths=["enabled"])), metadata=manager)
        await receiver.until(lambda: len(receiver.events(ticket)) == 1)
        [sent] = await deliveries(impatient, manager, made.webhook.name)
        assert (sent.delivered, sent.response_code) == (True, 200)
        again = await impatient.clients.tickets.RedeliverWebhookDelivery(
            pb.RedeliverWebhookDeliveryRequest(name=sent.name), metadata=manager)
        assert again.event_id == sent.event_id
        await receiver.until(lambda: len(receiver.events(ticket)) == 2)
        first, second = receiver.events(ticket)
        assert first["id"] == second["id"] == sent.event_id
        verified(receiver, made.secret)
    finally:
        receiver.stop()


async def test_a_webhook_without_its_workflow_gets_one_when_the_service_starts(impatient):
    """An operator terminated it (or the create's start failed): a tickets service that
    starts resumes every webhook that is on."""
    world = await World.create(impatient)
    receiver = Receiver()
    try:
        made = await create(impatient, world.people["manager"], receiver,
                            organization=world.org.name)
        handle = impatient.temporal.get_workflow_handle(
            workflow_id(made.webhook.name.removeprefix("webhooks/")))
        await handle.terminate()
        assert (await handle.describe()).status == WorkflowExecutionStatus.TERMINATED
        service = await build_tickets(impatient.settings, impatient.temporal)
        try:
            async with asyncio.timeout(15):
                while (await handle.describe()).status != WorkflowExecutionStatus.RUNNING:
                    await asyncio.sleep(0.2)
        finally:
            for stop in service.on_stop:
                await stop()
        ticket = await impatient.new_ticket(world.org)
        await receiver.until(lambda: len(receiver.events(ticket)) == 1)
    finally:
        receiver.stop()
