"""The e-mail channel, in: a client answers a notice by replying to the e-mail, through
a real SMTP client, the receiver (aiosmtpd, as `python -m services.mailin` runs it)
and the tickets service, against the stack's real Temporal and databases."""

from __future__ import annotations

import asyncio
import smtplib
import sys
import time
import uuid
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import aioimaplib
import aiosmtplib
import grpc
import pytest
from google.protobuf.field_mask_pb2 import FieldMask

from services.common.platform.reply_tokens import reply_address, reply_token
from services.mailin.imap import Account, Mailbox
from services.mailin.receiver import Handler, start
from services.tickets.mail.messages import parse
from tests.support.dovecot import start_dovecot, stop_dovecot
from tests.support.processes import free_port
from tests.support.tickets import World
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.files.v1 import files_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from workflows.ticket.rules import Status

EXAMPLES = Path(__file__).parents[3] / "examples"
REPLY_WITHIN = 5.0  # seconds from the SMTP answer to the comment in the ticket


@pytest.fixture
async def receiver(stack):
    """The SMTP receiver on a free port, handing messages to the stack's tickets service."""
    channel = grpc.aio.insecure_channel(stack.settings.tickets_target)
    port = free_port()
    server = await start(Handler(channel, stack.settings.service_token.get_secret_value()),
                         "127.0.0.1", port, lmtp=False, max_bytes=1024 * 1024)
    yield port
    server.close()
    await server.wait_closed()
    await channel.close()


@pytest.fixture
def dovecot():
    """A real IMAP server (Debian's Dovecot) with the support mailbox."""
    imap, process, folder = start_dovecot()
    yield imap
    stop_dovecot(process, folder)


async def notice_to(stack, number: int, recipient: str, timeout: float = 30.0) -> Path:
    """The first notice e-mail about ticket `number` to `recipient` in the outbox (which
    the stack's other tests fill too: only the files naming the recipient are parsed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(stack.settings.outbox_dir.glob("*.eml")):
            data = path.read_bytes()
            if recipient.encode() not in data:
                continue
            message = parse(data)
            if (message["X-TicketDesk-Ticket"] == str(number)
                    and recipient in str(message["To"])):
                return path
        await asyncio.sleep(0.2)
    raise AssertionError(f"no notice e-mail about ticket {number} to {recipient}")


def reply(sender: str, to: str, body: str, **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"] = sender, to
    message["Subject"] = "Re: тикет"
    message["Message-ID"] = headers.pop("message_id", make_msgid(domain="client.example"))
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


async def send(port: int, message: EmailMessage) -> None:
    errors, answer = await aiosmtplib.send(message, hostname="127.0.0.1", port=port,
                                           timeout=30)
    assert not errors and answer.startswith("2.0.0"), answer


async def comments(world: World, name: str) -> list[pb.Comment]:
    answer = await world.stack.clients.tickets.ListComments(
        pb.ListCommentsRequest(parent=name), metadata=world.people["developer"])
    return list(answer.comments)


async def rejected(world: World) -> dict[str, pb.InboundEmail]:
    """The ignored and rejected messages by Message-ID, as a manager sees them."""
    answer = await world.stack.clients.tickets.ListInboundEmails(
        pb.ListInboundEmailsRequest(page_size=100), metadata=world.people["manager"])
    return {e.message_id: e for e in answer.inbound_emails}


async def ticket_in_work(stack) -> tuple[World, pb.Ticket, str]:
    """A client's ticket in work, and the reply address its notices carry."""
    world = await World.create(stack)
    ticket = await world.ticket_in(Status.IN_PROGRESS)
    return world, ticket, address_of(stack, ticket)


def address_of(stack, ticket: pb.Ticket) -> str:
    number = int(ticket.name.rpartition("/")[2])
    secret = stack.settings.mail_reply_secret.get_secret_value()
    return reply_address(stack.settings.support_address, reply_token(secret, number))


async def until_comment(world: World, name: str, text: str) -> pb.Comment:
    deadline = time.monotonic() + REPLY_WITHIN
    while True:
        found = [c for c in await comments(world, name) if text in c.body]
        if found:
            return found[0]
        assert time.monotonic() < deadline, f"no comment {text!r} within {REPLY_WITHIN} s"
        await asyncio.sleep(0.1)


async def test_a_reply_to_a_question_becomes_the_answer(stack, receiver):
    world = await World.create(stack)
    ticket = await world.ticket_in(Status.NEEDS_INFO)
    number = int(ticket.name.rpartition("/")[2])
    notice = parse((await notice_to(stack, number, world.org.email)).read_bytes())
    address = str(notice["Reply-To"])
    assert "просто ответьте" in notice.get_body().get_content()  # the footer says how
    staff = await stack.clients.auth.WhoAmI(auth_pb2.WhoAmIRequest(),
                                            metadata=world.people["developer"])
    for_staff = parse((await notice_to(stack, number, staff.user.email)).read_bytes())
    assert for_staff["Reply-To"] is None  # staff write in the ticket
    body = ("Баннер прикладываю, размер 1200×400.\n\n"
            "Пн, 7 дек. 2026 г. в 14:00, TicketDesk <support@ticketdesk.local>:\n"
            "> Тикет требует уточнений\n> Какой баннер?\n")
    answer = reply(world.org.email, address, body)
    banner = "Текст баннера: «Скидки до 30 %»\n".encode() * 50
    answer.add_attachment(banner, maintype="text", subtype="plain", filename="баннер.txt")
    await send(receiver, answer)
    comment = await until_comment(world, ticket.name, "Баннер прикладываю")
    assert comment.body == "Баннер прикладываю, размер 1200×400."  # the quote is gone
    assert comment.author == world.org.client_user.name
    # The attachment is the comment's file, as one attached in the web UI.
    files = await stack.clients.files.ListFiles(files_pb2.ListFilesRequest(
        parent=ticket.name, page_size=50), metadata=world.people["client"])
    assert [(f.display_name, f.size_bytes, f.comment) for f in files.files] == [
        ("баннер.txt", len(banner), comment.name)]
    # Like an answer in the UI, it returns the ticket to where the question found it.
    back = await world.until(ticket.name, lambda t: t.status != pb.STATUS_NEEDS_INFO)
    assert back.status == pb.STATUS_QUEUED


async def test_the_readme_example_answers_a_notice_file(stack, receiver):
    """examples/reply_by_email.py, as the README has people try it with `make run`."""
    world = await World.create(stack)
    ticket = await world.ticket_in(Status.AWAITING_ACCEPTANCE)
    number = int(ticket.name.rpartition("/")[2])
    notice = await notice_to(stack, number, world.org.email)
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(EXAMPLES / "reply_by_email.py"), str(notice),
        "Баннер съехал на телефоне", "--port", str(receiver),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    comment = await until_comment(world, ticket.name, "Баннер съехал")
    assert comment.body == "Баннер съехал на телефоне"
    # On «Ожидает приемку» a client's comment is a remark, as in the web UI.
    remarked = await world.until(ticket.name, lambda t: t.has_remarks)
    assert remarked.status == pb.STATUS_AWAITING_ACCEPTANCE


async def test_a_reply_in_the_imap_mailbox_becomes_a_comment(stack, dovecot):
    """The mailbox is emptied as mail arrives (IDLE): the comment within 5 s, and the
    message is flagged \\Seen; one that was there before the receiver started is taken
    too."""
    world, ticket, address = await ticket_in_work(stack)
    imap = aioimaplib.IMAP4("127.0.0.1", dovecot.port)
    await imap.wait_hello_from_server()
    await imap.login(dovecot.username, dovecot.password)
    early = reply(world.org.email, address, "Письмо, пришедшее заранее")
    await imap.append(bytes(early), mailbox="INBOX")
    channel = grpc.aio.insecure_channel(stack.settings.tickets_target)
    handler = Handler(channel, stack.settings.service_token.get_secret_value())
    mailbox = Mailbox(Account("127.0.0.1", dovecot.port, dovecot.username, dovecot.password,
                              tls=False, poll_seconds=60), handler.take)
    running = asyncio.create_task(mailbox.run())
    try:
        await until_comment(world, ticket.name, "пришедшее заранее")
        while mailbox.rounds < 1:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # in IDLE now: the next message is pushed, not polled
        await imap.append(bytes(reply(world.org.email, address, "Ответ через IMAP")),
                          mailbox="INBOX")
        await until_comment(world, ticket.name, "Ответ через IMAP")
        await imap.select("INBOX")
        for _ in range(50):  # flagged right after the comment was written
            unseen = await imap.uid_search("UNSEEN")
            if not unseen.lines[0].split():
                break
            await asyncio.sleep(0.1)
        assert not unseen.lines[0].split(), f"still unseen: {unseen.lines}"
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await imap.logout()
        await channel.close()


async def test_a_local_mail_server_delivers_over_lmtp(stack):
    """TICKETDESK_MAIL_IN_LMTP: the studio's own mail server (Postfix, Dovecot's LDA)
    delivers the support mailbox over LMTP (Python's smtplib.LMTP as that server)."""
    world, ticket, address = await ticket_in_work(stack)
    channel = grpc.aio.insecure_channel(stack.settings.tickets_target)
    port = free_port()
    server = await start(Handler(channel, stack.settings.service_token.get_secret_value()),
                         "127.0.0.1", port, lmtp=True, max_bytes=1024 * 1024)

    def deliver() -> dict:
        with smtplib.LMTP("127.0.0.1", port, timeout=30) as lmtp:
            return lmtp.send_message(reply(world.org.email, address, "Доставлено по LMTP"))

    try:
        assert await asyncio.to_thread(deliver) == {}  # no recipient refused
        await until_comment(world, ticket.name, "Доставлено по LMTP")
    finally:
        server.close()
        await server.wait_closed()
        await channel.close()


async def test_the_same_message_twice_is_applied_once(stack, receiver):
    world, ticket, address = await ticket_in_work(stack)
    message = reply(world.org.email, address, f"Один раз {uuid.uuid4().hex}")
    await send(receiver, message)
    await send(receiver, message)  # a mail server that delivered it again
    await until_comment(world, ticket.name, "Один раз")
    await asyncio.sleep(0.5)
    assert len([c for c in await comments(world, ticket.name) if "Один раз" in c.body]) == 1


async def test_refused_messages_are_kept_with_the_reason(stack, receiver):
    world, ticket, address = await ticket_in_work(stack)
    support = stack.settings.support_address
    other = await stack.new_organization()
    token = address.partition("+")[2].partition("@")[0]
    forged = reply_address(support, token[:-2] + ("bb" if token.endswith("aa") else "aa"))
    cases = {
        "UNKNOWN_SENDER": reply("stranger@elsewhere.example", address, "Пустите"),
        "NOT_A_CONTACT": reply(other.email, address, "Чужой тикет"),
        "FORGED_ADDRESS": reply(world.org.email, forged, "Подделка"),
        "NEW_FROM_STRANGER": reply("stranger@elsewhere.example", support, "Новая заявка"),
        "AUTO_SUBMITTED": reply(world.org.email, address, "Я в отпуске",
                                Auto_Submitted="auto-replied"),
        "OWN_NOTICE": reply(world.org.email, address, "Наше же письмо",
                            X_TicketDesk_Notice="comment"),
        "BOUNCE": reply("MAILER-DAEMON@client.example", address, "Undelivered"),
        "SPOOFED": reply(world.org.email, address, "Подделанный отправитель",
                         Authentication_Results="mx.studio.example; spf=fail "
                                                "smtp.mailfrom=client.example; dmarc=fail"),
    }
    for message in cases.values():
        await send(receiver, message)
    kept = await rejected(world)
    reasons = {case: kept[str(m["Message-ID"])].reason for case, m in cases.items()}
    assert reasons == {
        "UNKNOWN_SENDER": "UNKNOWN_SENDER", "NOT_A_CONTACT": "UNKNOWN_SENDER",
        "FORGED_ADDRESS": "FORGED_ADDRESS", "NEW_FROM_STRANGER": "UNKNOWN_SENDER",
        "AUTO_SUBMITTED": "AUTO_SUBMITTED", "OWN_NOTICE": "OWN_NOTICE",
        "BOUNCE": "SYSTEM_SENDER", "SPOOFED": "SENDER_NOT_AUTHENTICATED"}
    loops = {"AUTO_SUBMITTED", "OWN_NOTICE", "BOUNCE"}
    assert {case for case, m in cases.items()
            if kept[str(m["Message-ID"])].state == pb.InboundEmail.STATE_IGNORED} == loops
    texts = [c.body for c in await comments(world, ticket.name)]
    assert not any(m.get_content().strip() in texts for m in cases.values()), texts


async def test_a_message_to_the_support_mailbox_opens_a_ticket(stack, receiver):
    """From a known client, to the mailbox itself: a ticket on the site its text names
    (or the organization's only site); one that names none of several sites opens a
    ticket without a site, whose client chooses it afterwards, once."""
    org = await stack.new_organization(sites=2)
    manager = await stack.staff("manager")
    support = stack.settings.support_address
    sites = {s.name: s for s in (await stack.clients.tickets.ListSites(
        pb.ListSitesRequest(parent=org.name), metadata=manager)).sites}
    second = sites[org.sites[1]]
    host = second.url.split("//")[1].rstrip("/")
    named = reply(org.email, support, f"На {host}/contacts не отправляется форма.\n-- \nАнна")
    named.replace_header("Subject", "Fwd: Не работает форма")
    unnamed = reply(org.email, support, "Что-то сломалось")
    unnamed.replace_header("Subject", "Ошибка")
    for message in (named, unnamed, named):  # the first one delivered twice
        await send(receiver, message)

    listed = await stack.clients.tickets.ListTickets(pb.ListTicketsRequest(
        order_by="create_time"), metadata=org.client)
    assert [(t.title, t.site, t.description) for t in listed.tickets] == [
        ("Не работает форма", second.name, f"На {host}/contacts не отправляется форма."),
        ("Ошибка", "", "Что-то сломалось")]
    assert {t.creator for t in listed.tickets} == {org.client_user.name}
    kept = await stack.clients.tickets.ListInboundEmails(pb.ListInboundEmailsRequest(),
                                                         metadata=manager)
    assert not {str(m["Message-ID"]) for m in (named, unnamed)} & {
        e.message_id for e in kept.inbound_emails}

    # The site-less ticket's client chooses its site; after that only the studio may.
    siteless = listed.tickets[1]
    chosen = await stack.clients.tickets.UpdateTicket(pb.UpdateTicketRequest(
        ticket=pb.Ticket(name=siteless.name, site=org.sites[0]),
        update_mask=FieldMask(paths=["site"])), metadata=org.client)
    assert chosen.site == org.sites[0]
    with pytest.raises(grpc.aio.AioRpcError) as again:
        await stack.clients.tickets.UpdateTicket(pb.UpdateTicketRequest(
            ticket=pb.Ticket(name=siteless.name, site=org.sites[1]),
            update_mask=FieldMask(paths=["site"])), metadata=org.client)
    assert again.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_only_managers_see_the_refused_messages(stack):
    world = await World.create(stack)
    for role in ("client", "developer"):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await stack.clients.tickets.ListInboundEmails(
                pb.ListInboundEmailsRequest(), metadata=world.people[role])
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
