"""What the files service does, independent of gRPC plumbing.

Authorization: every operation first asks TicketService, as the caller, for
the owning ticket (see access.py). A file of a ticket the caller may not see,
a file of a comment the caller may not see (an internal note, for a client) and
a file that does not exist all answer the same NOT_FOUND "file not found".

Size limit: an upload larger than `max_upload_bytes` answers INVALID_ARGUMENT
with ErrorInfo reason FILE_TOO_LARGE (metadata `limit_bytes`) and a BadRequest
violation on `metadata.declared_size` (declared too large: refused before any
data is read) or on `chunk` (the stream passed the limit: cut off at once).
INVALID_ARGUMENT rather than RESOURCE_EXHAUSTED: the file itself is the bad
argument (it will never fit, retrying cannot help), it is not a quota that
recovers; the UI shows one message for both cases.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import json
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import grpc
import structlog
from google.protobuf import timestamp_pb2
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker

from services.common.server.errors import ApiError, invalid, not_found
from services.common.server.principal import caller
from services.files.access import TicketAccess
from services.files.models import FileRecord
from services.files.sniff import ContentSniffer, check_display_name, normalize_display_name
from services.files.storage import FileStore, StoredFileMissing, StoreFull
from ticketdesk.files.v1 import files_pb2

log = structlog.get_logger()

FILE_TOO_LARGE = "FILE_TOO_LARGE"
STORAGE_FULL = "STORAGE_FULL"
MAX_CHUNK_BYTES = 1024 * 1024
DOWNLOAD_CHUNK_BYTES = 256 * 1024
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_REQUEST_ID = 128
DRAIN_SECONDS = 20.0

TICKET_NAME = re.compile(r"^tickets/[1-9][0-9]{0,18}$")
COMMENT_NAME = re.compile(r"^(tickets/[1-9][0-9]{0,18})/comments/[A-Za-z0-9._~-]{1,64}$")
FILE_NAME = re.compile(r"^files/([0-9a-f]{32})$")
OWN_FILES = "-"  # ListFilesRequest.comment: only the ticket's own files


def too_large(limit: int, field: str) -> ApiError:
    megabytes = limit / (1024 * 1024)
    shown = f"{megabytes:g} MiB" if limit >= 1024 * 1024 else f"{limit} bytes"
    message = f"the file is larger than the limit of {shown}"
    return ApiError(grpc.StatusCode.INVALID_ARGUMENT, FILE_TOO_LARGE, message,
                    {"limit_bytes": str(limit)}, [(field, message)])


def storage_full() -> ApiError:
    """RESOURCE_EXHAUSTED, as gRPC defines it for a full file system: not the file's
    fault (unlike FILE_TOO_LARGE), and not worth an automatic retry right away (unlike
    UNAVAILABLE): space comes back when an administrator frees it."""
    return ApiError(grpc.StatusCode.RESOURCE_EXHAUSTED, STORAGE_FULL,
                    "there is no space left for files; try again later or tell the "
                    "administrator")


def file_to_proto(record: FileRecord) -> files_pb2.File:
    created = timestamp_pb2.Timestamp()
    moment = record.create_time
    created.FromDatetime(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    return files_pb2.File(
        name=f"files/{record.id}", ticket=record.ticket, comment=record.comment,
        display_name=record.display_name, content_type=record.content_type,
        size_bytes=record.size_bytes, sha256=record.sha256, uploader=record.uploader,
        create_time=created)


def _check_comment(comment: str, ticket: str, field: str) -> None:
    match = COMMENT_NAME.match(comment)
    if not match or match.group(1) != ticket:
        raise invalid([(field, f"must be a comment of {ticket} (`{ticket}/comments/...`)")])


class FileLogic:
    def __init__(self, sessions: async_sessionmaker, store: FileStore, tickets: TicketAccess,
                 max_upload_bytes: int):
        self._sessions = sessions
        self._store = store
        self._tickets = tickets
        self.max_upload_bytes = max_upload_bytes

    # --- authorization ---------------------------------------------------------------

    async def _require_ticket(self, ticket: str) -> None:
        if await self._tickets.get_ticket(ticket) is None:
            raise not_found("ticket")

    async def _visible_comments(self, ticket: str) -> set[str] | None:
        """None: the caller sees every comment (staff); else the names it may see."""
        if caller().is_staff:
            return None
        visible = await self._tickets.visible_comments(ticket)
        return visible if visible is not None else set()

    async def _visible_file(self, name: str) -> FileRecord:
        match = FILE_NAME.match(name)
        if not match:
            raise invalid([("name", "must be `files/{id}`")])
        async with self._sessions() as session:
            record = await session.get(FileRecord, match.group(1))
        if record is None or await self._tickets.get_ticket(record.ticket) is None:
            raise not_found("file")
        if record.comment:
            visible = await self._visible_comments(record.ticket)
            if visible is not None and record.comment not in visible:
                raise not_found("file")
        return record

    # --- upload ----------------------------------------------------------------------

    async def upload(self, requests: AsyncIterator[files_pb2.UploadFileRequest]) -> files_pb2.File:
        stream = aiter(requests)
        try:
            answer = await self._upload(stream)
        except ApiError:
            await self._drain(stream)
            raise
        # An idempotent replay answers without reading the content: discard it.
        await self._drain(stream)
        return answer

    async def _drain(self, stream: AsyncIterator[files_pb2.UploadFileRequest]) -> None:
        """Read and discard what the client is still sending, within bounds, before answering.

        A grpc.aio client that is still writing when the server's status arrives
        replaces that status with INTERNAL "Internal error from Core" (grpc/grpc
        issue 36066): the user would see a generic failure instead of "too large"
        or "type not allowed". Nothing is stored any more at this point (the
        writer is already aborted); only the rest of the stream is discarded,
        up to `max_upload_bytes` more bytes and DRAIN_SECONDS, then the call ends.
        """
        budget = self.max_upload_bytes
        with contextlib.suppress(Exception):
            async with asyncio.timeout(DRAIN_SECONDS):
                async for request in stream:
                    budget -= len(request.chunk)
                    if budget < 0:
                        return

    async def _upload(self, requests: AsyncIterator[files_pb2.UploadFileRequest]
                      ) -> files_pb2.File:
        principal = caller()
        first = await anext(requests, None)
        if first is None or first.WhichOneof("part") != "metadata":
            raise invalid([("metadata", "the first message must carry the metadata")])
        meta = first.metadata
        display_name = self._validate_metadata(meta)
        # Authorize before anything else is answered or read.
        await self._require_ticket(meta.ticket)
        if meta.declared_size > self.max_upload_bytes:
            raise too_large(self.max_upload_bytes, "metadata.declared_size")
        if meta.comment:
            visible = await self._tickets.visible_comments(meta.ticket)
            if visible is None or meta.comment not in visible:
                raise not_found("comment")

        request_id = meta.request_id or None
        if request_id:
            existing = await self._by_request_id(principal.subject, request_id)
            if existing is not None:
                return self._replay(existing, meta)

        file_id, key = uuid.uuid4().hex, uuid.uuid4().hex
        size, digest = 0, hashlib.sha256()
        sniffer = ContentSniffer(display_name)
        writer = self._store.open_writer(key)
        committed = False
        try:
            async for request in requests:
                if request.WhichOneof("part") != "chunk":
                    raise invalid([("metadata", "only the first message may carry metadata")])
                chunk = request.chunk
                if len(chunk) > MAX_CHUNK_BYTES:
                    raise invalid([("chunk", f"a chunk may hold at most {MAX_CHUNK_BYTES} bytes")])
                size += len(chunk)
                if size > self.max_upload_bytes:
                    raise too_large(self.max_upload_bytes, "chunk")
                digest.update(chunk)
                sniffer.feed(chunk)
                await writer.write(chunk)
            content_type = sniffer.finish()
            if meta.declared_size and meta.declared_size != size:
                raise invalid([("metadata.declared_size",
                                f"declared {meta.declared_size} bytes, received {size}")])
            await writer.commit()
            committed = True
            record = FileRecord(
                id=file_id, ticket=meta.ticket, comment=meta.comment, display_name=display_name,
                content_type=content_type, size_bytes=size, sha256=digest.hexdigest(),
                storage_key=key, uploader=principal.subject, create_time=datetime.now(UTC),
                request_id=request_id)
            try:
                async with self._sessions() as session, session.begin():
                    session.add(record)
            except IntegrityError:
                # A concurrent retry with the same request_id won the race.
                existing = (await self._by_request_id(principal.subject, request_id)
                            if request_id else None)
                if existing is None:
                    raise
                await self._store.delete(key)
                return self._replay(existing, meta)
        except BaseException as error:
            await writer.abort()
            if committed:
                await self._store.delete(key)
            if isinstance(error, StoreFull):
                log.error("files.store_full", ticket=meta.ticket, received_bytes=size,
                          error=str(error))
                raise storage_full() from error
            if isinstance(error, ApiError):
                log.info("files.upload_rejected", ticket=meta.ticket, reason=error.reason,
                         received_bytes=size, uploader=principal.subject)
            raise
        log.info("files.uploaded", file=f"files/{file_id}", ticket=meta.ticket,
                 size_bytes=size, content_type=content_type, uploader=principal.subject)
        return file_to_proto(record)

    def _validate_metadata(self, meta: files_pb2.UploadMetadata) -> str:
        violations = []
        if not TICKET_NAME.match(meta.ticket):
            violations.append(("metadata.ticket", "must be `tickets/{number}`"))
        elif meta.comment:
            match = COMMENT_NAME.match(meta.comment)
            if not match or match.group(1) != meta.ticket:
                violations.append(("metadata.comment",
                                   f"must be a comment of {meta.ticket} or empty"))
        if meta.declared_size < 0:
            violations.append(("metadata.declared_size", "must not be negative"))
        if len(meta.request_id) > MAX_REQUEST_ID or not meta.request_id.isprintable():
            violations.append(("metadata.request_id",
                               f"must be at most {MAX_REQUEST_ID} printable characters"))
        if violations:
            raise invalid(violations)
        display_name = normalize_display_name(meta.display_name)
        check_display_name(display_name)
        return display_name

    async def _by_request_id(self, uploader: str, request_id: str) -> FileRecord | None:
        async with self._sessions() as session:
            return (await session.execute(select(FileRecord).where(
                FileRecord.uploader == uploader,
                FileRecord.request_id == request_id))).scalar_one_or_none()

    @staticmethod
    def _replay(existing: FileRecord, meta: files_pb2.UploadMetadata) -> files_pb2.File:
        if existing.ticket != meta.ticket or existing.comment != meta.comment:
            raise invalid([("metadata.request_id",
                            "was already used for an upload to another ticket or comment")])
        return file_to_proto(existing)

    # --- reading ---------------------------------------------------------------------

    async def get(self, name: str) -> files_pb2.File:
        return file_to_proto(await self._visible_file(name))

    async def download(self, name: str,
                       chunk_size: int = DOWNLOAD_CHUNK_BYTES
                       ) -> AsyncIterator[files_pb2.DownloadFileResponse]:
        record = await self._visible_file(name)
        reader = self._store.open_reader(record.storage_key, chunk_size)
        try:
            try:
                first = await anext(reader, b"")
            except StoredFileMissing:
                log.error("files.content_missing", file=name, key=record.storage_key)
                raise ApiError(grpc.StatusCode.DATA_LOSS, "FILE_CONTENT_MISSING",
                               "the file's content is missing from storage") from None
            yield files_pb2.DownloadFileResponse(file=file_to_proto(record))
            if first:
                yield files_pb2.DownloadFileResponse(chunk=first)
            async for chunk in reader:
                yield files_pb2.DownloadFileResponse(chunk=chunk)
        finally:
            await reader.aclose()

    async def list(self, request: files_pb2.ListFilesRequest) -> files_pb2.ListFilesResponse:
        parent, comment = request.parent, request.comment
        if not TICKET_NAME.match(parent):
            raise invalid([("parent", "must be `tickets/{number}`")])
        if comment and comment != OWN_FILES:
            _check_comment(comment, parent, "comment")
        if request.page_size < 0:
            raise invalid([("page_size", "must not be negative")])
        page_size = min(request.page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        after = _decode_token(request.page_token, parent, comment) if request.page_token else None

        await self._require_ticket(parent)
        visible = await self._visible_comments(parent)

        query = select(FileRecord).where(FileRecord.ticket == parent)
        if comment == OWN_FILES:
            query = query.where(FileRecord.comment == "")
        elif comment:
            if visible is not None and comment not in visible:
                return files_pb2.ListFilesResponse()
            query = query.where(FileRecord.comment == comment)
        elif visible is not None:
            query = query.where(or_(FileRecord.comment == "",
                                    FileRecord.comment.in_(sorted(visible))))
        if after is not None:
            moment, last_id = after
            query = query.where(or_(FileRecord.create_time > moment,
                                    and_(FileRecord.create_time == moment,
                                         FileRecord.id > last_id)))
        query = query.order_by(FileRecord.create_time, FileRecord.id).limit(page_size + 1)
        async with self._sessions() as session:
            records = list((await session.execute(query)).scalars())
        response = files_pb2.ListFilesResponse(files=[file_to_proto(r) for r in records[:page_size]])
        if len(records) > page_size:
            last = records[page_size - 1]
            response.next_page_token = _encode_token(parent, comment, last)
        return response


def _caller_tag() -> str:
    """Binds a page token to its caller: another caller's token is refused (AIP-158)."""
    return hashlib.sha256(caller().subject.encode()).hexdigest()[:16]


def _encode_token(parent: str, comment: str, last: FileRecord) -> str:
    moment = last.create_time if last.create_time.tzinfo else last.create_time.replace(tzinfo=UTC)
    payload = {"p": parent, "c": comment, "t": moment.isoformat(), "i": last.id,
               "s": _caller_tag()}
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def _decode_token(token: str, parent: str, comment: str) -> tuple[datetime, str]:
    """The position after which the next page starts; bound to the same request."""
    try:
        padded = token + "=" * (-len(token) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if payload["p"] != parent or payload["c"] != comment or payload["s"] != _caller_tag():
            raise ValueError("token of another request")
        moment = datetime.fromisoformat(payload["t"])
        last_id = str(payload["i"])
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise invalid([("page_token", "is not valid for this request")]) from None
    return moment.astimezone(UTC), last_id
