"""`python -m services.mailin`: the receiver on TICKETDESK_MAIL_IN_PORT, and the IMAP
mailbox of TICKETDESK_IMAP_HOST when one is set."""

from __future__ import annotations

import asyncio
import signal

import grpc
import structlog

from services.common.platform.config import Settings, load_settings
from services.common.platform.logs import configure_logging
from services.mailin.imap import Account, Mailbox
from services.mailin.receiver import Handler, start

log = structlog.get_logger()


async def main() -> None:
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format, process="mailin")
    channel = grpc.aio.insecure_channel(settings.tickets_target)
    handler = Handler(channel, settings.service_token.get_secret_value())
    server = None
    if settings.mail_in_port:
        server = await start(handler, settings.host, settings.mail_in_port,
                             lmtp=settings.mail_in_lmtp, max_bytes=settings.mail_in_max_bytes)
        log.info("mail_in.listening", host=settings.host, port=settings.mail_in_port,
                 protocol="LMTP" if settings.mail_in_lmtp else "SMTP")
    mailbox = asyncio.create_task(Mailbox(account(settings), handler.take).run()) \
        if settings.imap_host else None
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await stop.wait()
    if mailbox is not None:
        mailbox.cancel()
    if server is not None:
        server.close()
        await server.wait_closed()
    await channel.close()


def account(settings: Settings) -> Account:
    return Account(settings.imap_host, settings.imap_port, settings.imap_username,
                   settings.imap_password.get_secret_value(), settings.imap_mailbox,
                   tls=settings.imap_tls, poll_seconds=settings.imap_poll_seconds)


if __name__ == "__main__":
    asyncio.run(main())
