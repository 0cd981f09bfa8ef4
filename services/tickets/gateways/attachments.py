"""Which files belong to which comment: asked of the files service, which stores them.

The UI adds a comment first, then uploads its files with `comment` set; the files
service is the only record of that link. The tickets service asks FileService.ListFiles
with the service token (the files service then authorizes through GetTicket as the
service, which never calls back here, so the calls cannot loop). Visibility is decided
here, before asking: only the comments the caller may see are looked up.
"""

from __future__ import annotations

from collections import defaultdict

import grpc
import structlog

from services.common.client.channels import bearer, channel
from services.common.server.errors import unavailable
from ticketdesk.files.v1 import files_pb2, files_pb2_grpc

log = structlog.get_logger()

PAGE_SIZE = 200  # the files service's largest page
MAX_PAGES = 50
TIMEOUT = 10
UPLOAD_CHUNK = 512 * 1024
UPLOAD_TIMEOUT = 300
# The files service's refusals of a file itself (too large, a type it does not take).
REFUSED = (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION,
           grpc.StatusCode.RESOURCE_EXHAUSTED)


class Attachments:
    def __init__(self, target: str, service_token: str):
        self._channel = channel(target)
        self._files = files_pb2_grpc.FileServiceStub(self._channel)
        self._metadata = bearer(service_token)

    async def by_comment(self, ticket: str, comment: str = "") -> dict[str, list[str]]:
        """`files/{id}` names per comment name, oldest first; one comment's when given."""
        grouped: dict[str, list[str]] = defaultdict(list)
        token = ""
        for _ in range(MAX_PAGES):
            page = await self._list(files_pb2.ListFilesRequest(
                parent=ticket, comment=comment, page_size=PAGE_SIZE, page_token=token))
            for file in page.files:
                if file.comment:
                    grouped[file.comment].append(file.name)
            token = page.next_page_token
            if not token:
                break
        return grouped

    async def upload(self, ticket: str, comment: str, display_name: str, content_type: str,
                     data: bytes, request_id: str) -> str | None:
        """Stores a file of `ticket` (of its `comment` when given) as TicketDesk itself (an
        e-mail's attachment); repeated with the same request id, it is stored once. Its
        name; None when the files service refused this file; UNAVAILABLE when it could not
        be reached."""
        async def parts():
            yield files_pb2.UploadFileRequest(metadata=files_pb2.UploadMetadata(
                ticket=ticket, comment=comment, display_name=display_name,
                declared_size=len(data), declared_content_type=content_type,
                request_id=request_id))
            for start in range(0, len(data), UPLOAD_CHUNK):
                yield files_pb2.UploadFileRequest(chunk=data[start:start + UPLOAD_CHUNK])

        try:
            stored = await self._files.UploadFile(parts(), metadata=self._metadata,
                                                  timeout=UPLOAD_TIMEOUT)
        except grpc.aio.AioRpcError as error:
            if error.code() in REFUSED:
                log.warning("tickets.attachment_refused", ticket=ticket, file=display_name,
                            code=error.code().name, details=error.details())
                return None
            raise unavailable("the files service is unavailable; retry") from error
        return stored.name

    async def _list(self, request: files_pb2.ListFilesRequest) -> files_pb2.ListFilesResponse:
        try:
            return await self._files.ListFiles(request, metadata=self._metadata,
                                               timeout=TIMEOUT)
        except grpc.aio.AioRpcError as error:
            if error.code() == grpc.StatusCode.NOT_FOUND:  # a ticket without files yet
                return files_pb2.ListFilesResponse()
            log.warning("tickets.attachments_unavailable", ticket=request.parent,
                        code=error.code().name, details=error.details())
            raise unavailable("the files service is unavailable; retry") from error

    async def close(self) -> None:
        await self._channel.close()
