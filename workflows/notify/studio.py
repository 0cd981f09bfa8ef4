"""The studio's time zone, in which e-mails show moments (an SLA due time).

One source: the studio's settings (TicketService.GetStudioSettings, `timezone`), the
same the ticket workflow's calendar is built from. Read at most once a minute: a burst
of notices asks once, and a manager's change reaches the e-mails within that minute.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ticketdesk.tickets.v1 import tickets_pb2, tickets_pb2_grpc

KEEP_SECONDS = 60.0


class StudioZone:
    def __init__(self, tickets: tickets_pb2_grpc.TicketServiceStub,
                 metadata: tuple[tuple[str, str], ...], *, timeout: float = 20.0,
                 keep_seconds: float = KEEP_SECONDS,
                 clock: Callable[[], float] = time.monotonic):
        self._tickets, self._metadata, self._timeout = tickets, metadata, timeout
        self._keep, self._clock = keep_seconds, clock
        self._zone, self._read_at = "", 0.0

    async def get(self) -> str:
        """The IANA name, e.g. `Europe/Moscow`."""
        if not self._zone or self._clock() - self._read_at >= self._keep:
            settings = await self._tickets.GetStudioSettings(
                tickets_pb2.GetStudioSettingsRequest(), metadata=self._metadata,
                timeout=self._timeout)
            self._zone, self._read_at = settings.timezone, self._clock()
        return self._zone
