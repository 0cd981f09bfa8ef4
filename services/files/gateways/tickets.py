"""The tickets service, asked as the caller: access to files follows the owning ticket.

The caller's own bearer token is forwarded, so TicketService applies exactly
the rules it applies everywhere else (a client sees its organization's tickets
and only public comments; staff see everything). The files service keeps no
copy of those rules.
"""

from __future__ import annotations

from typing import Protocol

import grpc
from google.protobuf.field_mask_pb2 import FieldMask
import structlog

from services.common.client.channels import bearer, channel
from services.common.server.errors import ApiError, unauthenticated, unavailable
from services.common.server.principal import current_token
from ticketdesk.tickets.v1 import tickets_pb2, tickets_pb2_grpc

log = structlog.get_logger()

TIMEOUT_SECONDS = 10.0
COMMENT_PAGE_SIZE = 100
MAX_COMMENT_PAGES = 100

# What the caller may not see, and names the tickets service does not take: no such thing.
_HIDDEN = (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.PERMISSION_DENIED,
           grpc.StatusCode.INVALID_ARGUMENT)


class TicketAccess(Protocol):
    async def get_ticket(self, name: str) -> tickets_pb2.Ticket | None:
        """The ticket as the caller sees it; None when missing or not visible."""
        ...

    async def comment_visible(self, comment: str) -> bool:
        """Whether the caller sees the comment (`tickets/{n}/comments/{id}`)."""
        ...

    async def visible_comments(self, ticket: str) -> set[str] | None:
        """Names of the ticket's comments the caller may see; None when the ticket is not."""
        ...

    async def close(self) -> None: ...


class RemoteTicketAccess:
    def __init__(self, target: str):
        self._channel = channel(target)
        self._stub = tickets_pb2_grpc.TicketServiceStub(self._channel)

    @staticmethod
    def _metadata() -> tuple[tuple[str, str], ...]:
        token = current_token.get()
        if not token:
            raise unauthenticated("missing bearer token")
        return bearer(token)

    @staticmethod
    def _translate(error: grpc.aio.AioRpcError, method: str) -> ApiError:
        code = error.code()
        if code == grpc.StatusCode.UNAUTHENTICATED:
            return unauthenticated("invalid or expired token")
        log.warning("files.tickets_call_failed", method=method, code=code.name,
                    details=error.details())
        return unavailable("the tickets service is unavailable")

    async def get_ticket(self, name: str) -> tickets_pb2.Ticket | None:
        return await self._visible("GetTicket", tickets_pb2.GetTicketRequest(name=name))

    async def comment_visible(self, comment: str) -> bool:
        """One read without the comment's files (the read mask): the tickets service
        does not ask the files service back."""
        return await self._visible("GetComment", tickets_pb2.GetCommentRequest(
            name=comment, read_mask=FieldMask(paths=["name"]))) is not None

    async def _visible(self, method: str, request):
        """The resource as the caller sees it; None when missing or not visible."""
        try:
            return await getattr(self._stub, method)(request, metadata=self._metadata(),
                                                     timeout=TIMEOUT_SECONDS)
        except grpc.aio.AioRpcError as error:
            if error.code() in _HIDDEN:
                return None
            raise self._translate(error, method) from error

    async def visible_comments(self, ticket: str) -> set[str] | None:
        names: set[str] = set()
        token = ""
        for _ in range(MAX_COMMENT_PAGES):
            request = tickets_pb2.ListCommentsRequest(parent=ticket, page_size=COMMENT_PAGE_SIZE,
                                                      page_token=token)
            try:
                page = await self._stub.ListComments(request, metadata=self._metadata(),
                                                     timeout=TIMEOUT_SECONDS)
            except grpc.aio.AioRpcError as error:
                if error.code() in _HIDDEN:
                    return None
                raise self._translate(error, "ListComments") from error
            names.update(comment.name for comment in page.comments)
            token = page.next_page_token
            if not token:
                break
        return names

    async def close(self) -> None:
        await self._channel.close()
