"""Sending e-mail: a real SMTP server in production, an outbox folder in development."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import os
import tempfile
from datetime import UTC, datetime
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy, default
from email.utils import format_datetime, formataddr, getaddresses, parseaddr
from pathlib import Path
from typing import Protocol

import aiosmtplib
import structlog

log = structlog.get_logger()

DEFAULT_DOMAIN = "ticketdesk.local"


class _MailPolicy(EmailPolicy):
    """The SMTP policy, but non-ASCII Subject and address headers are encoded with
    `email.header.Header`. The standard folder (CPython 3.11) drops the space
    between two encoded words when it folds a long Cyrillic subject
    («Поменять баннер» arrives as «Поменятьбаннер»)."""

    def _encoded(self, name: str, value) -> str | None:
        value = str(value)
        if value.isascii():
            return None
        key = name.lower()
        if key == "subject":
            encoded = Header(value, "utf-8", header_name=name).encode(linesep=self.linesep)
        elif key in ("from", "to", "cc", "reply-to"):
            encoded = ("," + self.linesep + " ").join(
                self._address(name, display, address)
                for display, address in getaddresses([value]))
        else:
            return None
        return f"{name}: {encoded}{self.linesep}"

    def _address(self, name: str, display: str, address: str) -> str:
        if display.isascii():
            return formataddr((display, address))
        words = Header(display, "utf-8", header_name=name).encode(linesep=self.linesep)
        last = words.rpartition(self.linesep)[2]
        fits = len(last) + len(address) + 3 <= 78 - (0 if self.linesep in words else len(name) + 2)
        return f"{words}{' ' if fits else self.linesep + ' '}<{address}>"

    def fold(self, name, value):
        encoded = self._encoded(name, value)
        return super().fold(name, value) if encoded is None else encoded

    def fold_binary(self, name, value):
        encoded = self._encoded(name, value)
        return super().fold_binary(name, value) if encoded is None else encoded.encode("ascii")


# What goes over the wire and into the outbox: 7-bit ASCII, CRLF line ends.
MAIL_POLICY = _MailPolicy(linesep="\r\n")


def to_bytes(message: EmailMessage) -> bytes:
    return message.as_bytes(policy=MAIL_POLICY)


class MessageRejected(Exception):
    """The server refused this message for good (bad recipient, content refused).

    Sending it again cannot help; other messages may still go through.
    """


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Deliver one message. Raises MessageRejected for a permanent refusal of
        this message; any other error is transient (retry later)."""

    async def send_all(self, messages: list[EmailMessage]) -> list[MessageRejected | None]:
        """Deliver each message: per message None (sent) or its permanent refusal.
        A transient error is raised; the messages before it may have gone out, and a
        retry sends them again with the same Message-ID (a duplicate to the receiver)."""


class SmtpMailer:
    """One SMTP connection per batch of messages: STARTTLS (port 587) or implicit TLS
    (port 465), login when a user name is configured, bounded by `timeout`."""

    def __init__(self, host: str, port: int = 587, *, starttls: bool = True,
                 username: str = "", password: str = "", timeout: float = 30.0):
        self.host, self.port = host, port
        self.implicit_tls = port == 465
        self.starttls = starttls and not self.implicit_tls
        self.username, self._password = username, password
        self.timeout = timeout

    async def send(self, message: EmailMessage) -> None:
        result, = await self.send_all([message])
        if result is not None:
            raise result

    async def send_all(self, messages: list[EmailMessage]) -> list[MessageRejected | None]:
        """One connection (one TLS handshake and login) for the batch; aiosmtplib
        resets the envelope after a refusal, so the next message still goes out."""
        if not messages:
            return []
        client = aiosmtplib.SMTP(hostname=self.host, port=self.port, use_tls=self.implicit_tls,
                                 start_tls=self.starttls, timeout=self.timeout,
                                 username=self.username or None,
                                 password=self._password if self.username else None)
        async with client:
            return [await self._one(client, message) for message in messages]

    @staticmethod
    async def _one(client: aiosmtplib.SMTP, message: EmailMessage) -> MessageRejected | None:
        sender = parseaddr(str(message["From"]))[1]
        recipients = [address for _, address in getaddresses([str(message["To"])])]
        try:
            await client.sendmail(sender, recipients, to_bytes(message))
        except aiosmtplib.SMTPRecipientsRefused as refused:
            return MessageRejected(f"recipients refused: {refused.recipients}")
        except aiosmtplib.SMTPDataError as error:
            if error.code >= 500:
                return MessageRejected(f"message refused: {error.code} {error.message}")
            raise
        return None

    def __repr__(self) -> str:  # never shows the password
        return f"SmtpMailer({self.host}:{self.port}, starttls={self.starttls})"


class OutboxMailer:
    """Development: each message becomes a `.eml` file in `directory`.

    The file appears atomically (written aside, fsynced, then renamed); its name is the
    time plus a hash of the Message-ID. A message sent again (a retried activity) is
    written once: an empty marker `.sent/<hash>` says it was, a lookup that costs the
    same with ten messages as with ten thousand (a scan of the folder per message made
    every send slower as the outbox grew). The markers follow the files and one fsync
    of the folder (per batch) that makes their renames durable: a crash in between
    writes a message twice rather than not at all.
    """

    def __init__(self, directory: Path | str):
        self.directory = Path(directory)

    async def send(self, message: EmailMessage) -> None:
        await asyncio.to_thread(self.write, message)

    async def send_all(self, messages: list[EmailMessage]) -> list[MessageRejected | None]:
        await asyncio.to_thread(self.write_all, messages)  # one thread hop per batch
        return [None] * len(messages)

    def write(self, message: EmailMessage) -> Path:
        return self.write_all([message])[0]

    def write_all(self, messages: list[EmailMessage]) -> list[Path]:
        sent = self.directory / ".sent"
        sent.mkdir(parents=True, exist_ok=True)
        paths: list[Path] = []
        fresh: dict[str, Path] = {}  # marker key → the file written now
        for message in messages:
            key = hashlib.sha256(str(message.get("Message-ID", "")).encode()).hexdigest()[:16]
            marker = sent / key
            if key in fresh or marker.exists():
                paths.append(fresh.get(key) or self.directory / marker.read_text())
                continue
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
            fresh[key] = self._write_file(f"{stamp}-{key}.eml", to_bytes(message))
            paths.append(fresh[key])
            log.info("mail.outbox", file=str(fresh[key]), to=str(message.get("To", "")),
                     subject=str(message.get("Subject", "")))
        if fresh:
            _fsync_directory(self.directory)
            for key, target in fresh.items():
                (sent / key).write_text(target.name)
        return paths

    def _write_file(self, name: str, data: bytes) -> Path:
        target = self.directory / name
        handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return target


def _fsync_directory(directory: Path) -> None:
    handle = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def mailer_from_settings(settings) -> Mailer:
    """SMTP when `smtp_host` is set, otherwise the outbox folder under the data dir."""
    if settings.smtp_host:
        return SmtpMailer(settings.smtp_host, settings.smtp_port,
                          starttls=settings.smtp_starttls, username=settings.smtp_username,
                          password=settings.smtp_password.get_secret_value())
    return OutboxMailer(settings.outbox_dir)


def mail_domain(mail_from: str) -> str:
    _, at, domain = parseaddr(mail_from)[1].rpartition("@")
    return domain if at and domain else DEFAULT_DOMAIN


def message_id(event_id: str, recipient: str, domain: str = DEFAULT_DOMAIN) -> str:
    """Deterministic: the same event and recipient always give the same Message-ID,
    so a retried send can be recognized as a duplicate by the receiver."""
    digest = hashlib.sha256(f"{event_id}\x00{recipient}".encode()).hexdigest()[:32]
    return f"<{digest}.notice@{domain}>"


def compose(*, mail_from: str, to_name: str, to_address: str, subject: str, body: str,
            message_id: str, language: str = "ru", thread: str = "",
            headers: dict[str, str] | None = None) -> EmailMessage:
    """A plain-text, UTF-8 message marked as automatically generated.

    Raises ValueError for an address that cannot be written in a header.
    """
    username, _, domain = to_address.strip().rpartition("@")
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            raise ValueError(f"not an e-mail address: {to_address!r}") from None
    if not username or not domain or not username.isascii() or any(
            c.isspace() or c in "<>," for c in username + domain):
        raise ValueError(f"not an e-mail address: {to_address!r}")
    message = EmailMessage()
    # First: set_content() drops any Content-* header set before it.
    message.set_content(body, subtype="plain", charset="utf-8", cte="base64")
    message["From"] = _header("From", mail_from)
    message["To"] = Address(display_name=" ".join(to_name.split()), username=username,
                            domain=domain)
    message["Subject"] = " ".join(subject.split())
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = message_id
    if thread:
        message["References"] = _header("References", thread)
    message["Content-Language"] = _header("Content-Language", language)
    message["Auto-Submitted"] = _header("Auto-Submitted", "auto-generated")  # RFC 3834
    message["X-Auto-Response-Suppress"] = _header("X-Auto-Response-Suppress", "All")
    for name, value in (headers or {}).items():
        message[name] = _header(name, value)
    return message


@functools.lru_cache(maxsize=1024)
def _header(name: str, value: str):
    """A parsed header (immutable), for values that repeat from message to message:
    parsing From alone cost about as much as writing the whole message out."""
    if len(value.splitlines()) > 1:  # what the policy checks for a plain str value
        raise ValueError(f"header values may not contain linefeed or carriage return "
                         f"characters: {name}")
    return default.header_factory(name, value)
