"""A real SMTP server (aiosmtpd) on a free loopback port, collecting what it receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.support.processes import free_port

USERNAME, PASSWORD = "mailer", "s3cret"
REFUSED = "refused@example.test"


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class Collector:
    """The handler: keeps every accepted envelope; refuses REFUSED with 550."""

    received: list[Received] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == REFUSED:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(Received(
            envelope.mail_from, list(envelope.rcpt_tos),
            message_from_bytes(envelope.original_content or envelope.content,
                               policy=policy.default)))
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, data):
        ok = (isinstance(data, LoginPassword) and data.login.decode() == USERNAME
              and data.password.decode() == PASSWORD)
        if ok:
            self.logins.append(USERNAME)
        return AuthResult(success=ok)


@dataclass
class SmtpServer:
    host: str
    port: int
    collector: Collector

    @property
    def received(self) -> list[Received]:
        return self.collector.received


@pytest.fixture
def smtp_server():
    collector = Collector()
    port = free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port,
                            authenticator=collector.authenticate, auth_require_tls=False,
                            enable_SMTPUTF8=True)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, collector)
    finally:
        controller.stop()
