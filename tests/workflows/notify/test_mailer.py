"""Sending: the development outbox and a real SMTP conversation."""

from __future__ import annotations

import random
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.utils import getaddresses
from pathlib import Path

import pytest

from services.common.platform.config import Settings
from tests.workflows.notify.conftest import PASSWORD, REFUSED, USERNAME
from tests.workflows.notify.people import CLIENT1, CLIENT2, DEV1, actor, notice, ticket
from workflows.notify import mailer as mailer_module
from workflows.notify.mailer import (
    MessageRejected,
    OutboxMailer,
    SmtpMailer,
    compose,
    mail_domain,
    mailer_from_settings,
    message_id,
    to_bytes,
)
from workflows.notify.texts import render

FROM = "TicketDesk <support@desk.example.test>"


def mail_for(reader, event="event-1", to_address=None):
    change = notice("status_changed", actor(DEV1), from_status="queued",
                    to_status="in_progress", text="Приступили <b>сегодня</b>")
    text = render(change, ticket(), reader, public_url="https://desk.example.test",
                  timezone="Europe/Moscow")
    return compose(mail_from=FROM, to_name=reader.full_name,
                   to_address=reader.email if to_address is None else to_address,
                   subject=text.subject,
                   body=text.body, language=text.language,
                   message_id=message_id(event, reader.name, mail_domain(FROM)),
                   thread="<ticket-1024@desk.example.test>")


def test_message_ids_are_deterministic_per_event_and_recipient():
    assert message_id("e1", "users/1") == message_id("e1", "users/1")
    assert message_id("e1", "users/1") != message_id("e1", "users/2")
    assert message_id("e1", "users/1") != message_id("e2", "users/1")
    assert message_id("e1", "users/1", "desk.example.test").endswith("@desk.example.test>")
    assert mail_domain(FROM) == "desk.example.test"
    assert mail_domain("nobody") == "ticketdesk.local"


def test_a_message_is_plain_utf8_text_marked_as_automatic():
    message = mail_for(CLIENT1)
    assert message.get_content_type() == "text/plain"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["To"].addresses[0].addr_spec == CLIENT1.email
    assert message["Content-Language"] == "ru"
    assert "Приступили <b>сегодня</b>" in message.get_content()


def test_repeated_header_values_are_parsed_once_and_still_checked():
    first, second = mail_for(CLIENT1), mail_for(CLIENT2)
    assert first["From"] is second["From"] and first["To"] != second["To"]
    assert first["From"].addresses[0].addr_spec == "support@desk.example.test"
    with pytest.raises(ValueError):
        compose(mail_from=FROM, to_name="x", to_address="x@example.test", subject="s",
                body="b", message_id="<m@x>", headers={"X-Injected": "a\r\nBcc: evil@x"})


def test_a_bad_address_is_refused_before_sending():
    with pytest.raises(ValueError):
        mail_for(CLIENT1, to_address="not-an-address")


async def test_a_message_sent_again_is_written_once_however_full_the_outbox(tmp_path: Path):
    """The outbox knows a sent message by its marker, not by reading the folder."""
    outbox = OutboxMailer(tmp_path / "mail")
    first = outbox.write(mail_for(CLIENT1))
    for n in range(200):  # others' mail meanwhile
        (tmp_path / "mail" / f"20260101T000000{n:06d}Z-{n:016x}.eml").write_text("x")
    assert outbox.write(mail_for(CLIENT1)) == first
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 201


async def test_the_outbox_writes_one_eml_per_message_atomically(tmp_path: Path):
    outbox = OutboxMailer(tmp_path / "mail")
    await outbox.send(mail_for(CLIENT1))
    await outbox.send(mail_for(CLIENT1))  # a retried activity: the same Message-ID
    await outbox.send(mail_for(CLIENT2))
    entries = sorted(p for p in (tmp_path / "mail").iterdir() if p.is_file())
    assert [f.suffix for f in entries] == [".eml", ".eml"], "no temporary files are left"
    files = entries
    parsed = [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
    subjects = {m["Subject"] for m in parsed}
    assert subjects == {"[#1024] Статус изменён: В работе — Поменять баннер",
                        "[#1024] Status changed: In progress — Поменять баннер"}
    russian = next(m for m in parsed if m["Content-Language"] == "ru")
    assert "Приступили <b>сегодня</b>" in russian.get_content()
    assert russian["Message-ID"] == message_id("event-1", CLIENT1.name, "desk.example.test")


async def test_the_outbox_writes_a_batch_with_one_folder_fsync(tmp_path: Path, monkeypatch):
    """Each file is fsynced before its rename; one fsync of the folder then makes the
    renames durable before any marker says the messages were written."""
    synced_folders = []
    real = mailer_module._fsync_directory
    monkeypatch.setattr(mailer_module, "_fsync_directory",
                        lambda folder: (synced_folders.append(folder), real(folder)))
    outbox = OutboxMailer(tmp_path / "mail")
    batch = [mail_for(CLIENT1), mail_for(CLIENT2), mail_for(CLIENT1)]  # a repeat inside
    assert await outbox.send_all(batch) == [None, None, None]
    assert synced_folders == [tmp_path / "mail"]
    paths = outbox.write_all(batch)  # sent again (a retry): nothing new, no fsync
    assert paths[0] == paths[2] and synced_folders == [tmp_path / "mail"]
    files = sorted(p.name for p in (tmp_path / "mail").iterdir() if p.is_file())
    assert files == sorted({p.name for p in paths}) and len(files) == 2
    assert sorted(p.name for p in (tmp_path / "mail" / ".sent").iterdir()) == sorted(
        name.rpartition("-")[2].removesuffix(".eml") for name in files)


def test_settings_choose_the_outbox_without_an_smtp_host(tmp_path: Path):
    local = Settings(data_dir=tmp_path)
    mailer = mailer_from_settings(local)
    assert isinstance(mailer, OutboxMailer) and mailer.directory == tmp_path / "mail"
    assert local.web_url == "http://127.0.0.1:8080"
    assert Settings(host="0.0.0.0", ui_port=9000).web_url == "http://localhost:9000"
    assert Settings(public_url="https://desk.example.test/").web_url == "https://desk.example.test"
    smtp = mailer_from_settings(Settings(smtp_host="mail.example.test", smtp_username="u",
                                         smtp_password="hunter2-secret"))
    assert isinstance(smtp, SmtpMailer) and smtp.starttls and smtp.port == 587
    assert "hunter2" not in repr(smtp)


async def test_smtp_delivers_to_a_real_server(smtp_server):
    mailer = SmtpMailer(smtp_server.host, smtp_server.port, starttls=False, timeout=10)
    await mailer.send(mail_for(CLIENT1))
    await mailer.send(mail_for(CLIENT2))
    first, second = smtp_server.received
    assert first.sender == "support@desk.example.test"
    assert first.recipients == [CLIENT1.email] and second.recipients == [CLIENT2.email]
    assert first.message["Subject"] == "[#1024] Статус изменён: В работе — Поменять баннер"
    assert second.message["Subject"] == "[#1024] Status changed: In progress — Поменять баннер"
    assert "В очереди → В работе" in first.message.get_content()
    assert "Queued → In progress" in second.message.get_content()
    assert "https://desk.example.test/tickets/1024" in second.message.get_content()


async def test_smtp_logs_in_when_configured(smtp_server):
    mailer = SmtpMailer(smtp_server.host, smtp_server.port, starttls=False,
                        username=USERNAME, password=PASSWORD, timeout=10)
    await mailer.send(mail_for(CLIENT1))
    assert smtp_server.collector.logins == [USERNAME]
    assert len(smtp_server.received) == 1


async def test_smtp_sends_a_batch_over_one_connection_past_a_refusal(smtp_server):
    mailer = SmtpMailer(smtp_server.host, smtp_server.port, starttls=False,
                        username=USERNAME, password=PASSWORD, timeout=10)
    results = await mailer.send_all([mail_for(CLIENT1), mail_for(DEV1, to_address=REFUSED),
                                     mail_for(CLIENT2)])
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], MessageRejected)
    assert smtp_server.collector.logins == [USERNAME], "one connection, one login"
    assert [r.recipients for r in smtp_server.received] == [[CLIENT1.email], [CLIENT2.email]]


async def test_a_refused_recipient_is_a_permanent_rejection(smtp_server):
    mailer = SmtpMailer(smtp_server.host, smtp_server.port, starttls=False, timeout=10)
    with pytest.raises(MessageRejected):
        await mailer.send(mail_for(CLIENT1, to_address=REFUSED))
    assert smtp_server.received == []


async def test_an_unreachable_server_is_a_transient_error():
    from tests.support.processes import free_port
    mailer = SmtpMailer("127.0.0.1", free_port(), starttls=False, timeout=2)
    with pytest.raises(Exception) as caught:
        await mailer.send(mail_for(CLIENT1))
    assert not isinstance(caught.value, MessageRejected)


def test_cyrillic_subjects_and_names_survive_the_wire_intact():
    """CPython's own folding drops spaces between encoded words («Поменятьбаннер»)."""
    words = ["Поменять", "баннер", "на", "главной", "—", "[#1024]", "Статус", "изменён:",
             "SLA", "«ё»", "\"q\"", "Иван,", "a@b", "ok"]
    rng = random.Random(7)
    for _ in range(150):
        subject = " ".join(rng.choice(words) for _ in range(rng.randint(1, 30)))
        name = " ".join(rng.choice(words) for _ in range(rng.randint(1, 8)))
        message = compose(mail_from=FROM, to_name=name, to_address="x@example.test",
                          subject=subject, body="Тело письма", message_id="<m@x>")
        data = to_bytes(message)
        assert data.isascii()
        assert max(len(line) for line in data.split(b"\r\n")) <= 78
        back = message_from_bytes(data, policy=policy.default)
        assert back["Subject"] == subject
        assert back.get_content() == "Тело письма\n"
        assert rfc2047_addresses(data) == [(name, "x@example.test")]


def rfc2047_addresses(data: bytes) -> list[tuple[str, str]]:
    """The To addresses, decoded by RFC 2047 §6.2 (whitespace between adjacent
    encoded words is dropped; CPython's address parser keeps it)."""
    raw = message_from_bytes(data, policy=policy.compat32)
    return [(str(make_header(decode_header(display))), address)
            for display, address in getaddresses([raw["To"]])]


async def test_a_long_russian_subject_arrives_intact_over_smtp(smtp_server):
    subject = "[#1024] Статус изменён: Ожидает приемку — Поменять баннер на главной странице сайта"
    message = compose(mail_from=FROM, to_name="Иван Петрович Сидоров-Кузнецов",
                      to_address="ivan@example.test", subject=subject, body="Проверьте.",
                      message_id="<m@x>")
    await SmtpMailer(smtp_server.host, smtp_server.port, starttls=False).send(message)
    (received,) = smtp_server.received
    assert received.message["Subject"] == subject
    assert rfc2047_addresses(received.message.as_bytes()) == [
        ("Иван Петрович Сидоров-Кузнецов", "ivan@example.test")]


@pytest.mark.parametrize("address", ["", "no-at-sign", "@example.test", "иван@example.test",
                                     "a b@example.test", "a@exa mple.test"])
def test_addresses_that_cannot_be_sent_are_refused(address):
    with pytest.raises(ValueError):
        mail_for(CLIENT1, to_address=address)


def test_an_international_domain_is_sent_in_punycode():
    message = mail_for(CLIENT1, to_address="ivan@пример.рф")
    assert to_bytes(message).isascii()
    assert message["To"].addresses[0].domain == "xn--e1afmkfd.xn--p1ai"
