"""An aiosmtpd handler that hands each message to the tickets service.

A message the tickets service has taken (applied, ignored or rejected: it is kept with
the reason) is answered 250. When the tickets service cannot be reached the answer is
451, a temporary failure: the sending server keeps the message and tries again, so
nothing is lost; the Message-ID makes the second delivery harmless.
"""

from __future__ import annotations

import asyncio

import grpc
import structlog
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session

from services.common.client.channels import bearer
from ticketdesk.tickets.v1 import tickets_internal_pb2 as internal
from ticketdesk.tickets.v1 import tickets_internal_pb2_grpc

log = structlog.get_logger()
RPC_TIMEOUT = 30.0
STATE = internal.ReceiveEmailResponse.DESCRIPTOR.fields_by_name["state"].enum_type


class Handler:
    def __init__(self, channel: grpc.aio.Channel, service_token: str):
        self._tickets = tickets_internal_pb2_grpc.TicketInternalServiceStub(channel)
        self._metadata = bearer(service_token)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if await self.take(envelope.original_content or b"", list(envelope.rcpt_tos)):
            return "250 2.0.0 Message accepted"
        return "451 4.3.0 Temporarily unable to take the message; try again later"

    async def take(self, raw: bytes, recipients: list[str]) -> bool:
        """Hand the message to the tickets service: True once it has it (whatever became
        of it), False when it could not be reached (the message is to be kept)."""
        try:
            answer = await self._tickets.ReceiveEmail(internal.ReceiveEmailRequest(
                message=raw, recipients=recipients), metadata=self._metadata,
                timeout=RPC_TIMEOUT)
        except grpc.aio.AioRpcError as error:
            log.warning("mail_in.deferred", code=error.code().name, details=error.details())
            return False
        log.info("mail_in.received", bytes=len(raw), state=STATE.values_by_number[
            answer.state].name, reason=answer.reason, ticket=answer.ticket)
        return True


async def start(handler: Handler, host: str, port: int, *, lmtp: bool,
                max_bytes: int) -> asyncio.AbstractServer:
    """Listen on host:port (SMTP, or LMTP for a local mail server's delivery)."""
    protocol = LMTP if lmtp else SMTP
    loop = asyncio.get_running_loop()
    return await loop.create_server(
        lambda: protocol(handler, data_size_limit=max_bytes, enable_SMTPUTF8=True,
                         decode_data=False, ident="TicketDesk"),
        host=host, port=port, reuse_address=True)
