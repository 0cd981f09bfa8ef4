"""An IMAP mailbox the receiver empties: each unseen message goes to the tickets service
and, once taken, is flagged \\Seen (the studio still sees it in its mail program). New
mail is awaited with IDLE where the server offers it, else the mailbox is polled.

A message the tickets service could not take stays unseen and is tried again on the
next round; the Message-ID makes a second delivery harmless.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aioimaplib
import structlog

log = structlog.get_logger()
Take = Callable[[bytes, list[str]], Awaitable[bool]]
RECONNECT_PAUSES = (1, 2, 5, 10, 30, 60)


class MailboxError(Exception):
    """The IMAP server refused a command (a wrong password, a missing mailbox)."""


@dataclass
class Account:
    host: str
    port: int
    username: str
    password: str
    mailbox: str = "INBOX"
    tls: bool = True  # IMAPS (993); False: plain IMAP, for a server on loopback
    poll_seconds: float = 30.0  # without IDLE, and the longest IDLE before a new look


class Mailbox:
    def __init__(self, account: Account, take: Take):
        self.account, self._take = account, take
        self.rounds = 0  # looks at the mailbox, for tests and logs

    async def run(self) -> None:
        """Until cancelled; a lost connection is opened again after a pause."""
        failures = 0
        while True:
            try:
                await self._session()
            except asyncio.CancelledError:
                raise
            except (OSError, asyncio.TimeoutError, aioimaplib.Abort, MailboxError) as error:
                pause = RECONNECT_PAUSES[min(failures, len(RECONNECT_PAUSES) - 1)]
                failures += 1
                log.warning("mail_in.imap_failed", host=self.account.host,
                            error=str(error) or type(error).__name__, retry_in=pause)
                await asyncio.sleep(pause)

    async def _session(self) -> None:
        a = self.account
        client = (aioimaplib.IMAP4_SSL(a.host, a.port, ssl_context=ssl.create_default_context())
                  if a.tls else aioimaplib.IMAP4(a.host, a.port))
        await client.wait_hello_from_server()
        try:
            _ok(await client.login(a.username, a.password), "login")
            _ok(await client.select(a.mailbox), f"select {a.mailbox}")
            log.info("mail_in.imap_ready", host=a.host, mailbox=a.mailbox,
                     idle=client.has_capability("IDLE"))
            while True:
                await self.take_unseen(client)
                await self._wait_for_mail(client)
        finally:
            try:
                await asyncio.wait_for(client.logout(), 5)
            except Exception:  # noqa: BLE001 - the connection may be gone already
                pass

    async def take_unseen(self, client: aioimaplib.IMAP4) -> int:
        """Hand over every unseen message; how many were taken."""
        self.rounds += 1
        found = _ok(await client.uid_search("UNSEEN"), "search")
        taken = 0
        for uid in found.lines[0].split() if found.lines else []:
            uid = uid.decode()
            fetched = _ok(await client.uid("fetch", uid, "(BODY.PEEK[])"), "fetch")
            raw = next((bytes(line) for line in fetched.lines
                        if isinstance(line, bytearray)), None)
            if raw is None:
                continue  # expunged meanwhile
            if await self._take(raw, []):
                _ok(await client.uid("store", uid, "+FLAGS.SILENT", r"(\Seen)"), "store")
                taken += 1
        return taken

    async def _wait_for_mail(self, client: aioimaplib.IMAP4) -> None:
        wait = self.account.poll_seconds
        if not client.has_capability("IDLE"):
            await asyncio.sleep(wait)
            return
        idle = await client.idle_start(timeout=wait + 30)
        try:
            await client.wait_server_push(timeout=wait)
        except asyncio.TimeoutError:
            pass  # nothing came: look anyway, servers drop silent connections
        client.idle_done()
        await asyncio.wait_for(idle, 30)


def _ok(response: aioimaplib.Response, what: str) -> aioimaplib.Response:
    if response.result != "OK":
        detail = b" ".join(bytes(line) for line in response.lines).decode(errors="replace")
        raise MailboxError(f"{what}: {response.result} {detail}")
    return response
