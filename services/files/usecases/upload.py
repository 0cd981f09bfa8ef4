"""Uploading a file: checked, authorized, counted, sniffed and stored as it streams in.

Nothing is kept of a refused upload: the content goes to the store only through a
writer that is committed when everything checked out, and the record is written last.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import grpc
import structlog
from sqlalchemy.exc import IntegrityError

from services.common.server.errors import ApiError, bad_field
from services.common.server.principal import caller
from services.files import store, validation
from services.files.gateways.storage import StoreFull
from services.files.models import FileRecord
from services.files.sniff import ContentSniffer
from services.files.usecases import access
from services.files.usecases.context import Context
from ticketdesk.errors.v1 import errors_pb2 as reasons
from ticketdesk.files.v1 import files_pb2

log = structlog.get_logger()

DRAIN_SECONDS = 20.0

Requests = AsyncIterator[files_pb2.UploadFileRequest]


@dataclass(frozen=True)
class Content:
    """What was stored under `key`."""

    key: str
    size: int
    sha256: str
    content_type: str


def storage_full() -> ApiError:
    """RESOURCE_EXHAUSTED, as gRPC defines it for a full file system: not the file's
    fault (unlike FILE_TOO_LARGE), and not worth an automatic retry right away (unlike
    UNAVAILABLE): space comes back when an administrator frees it."""
    return ApiError(grpc.StatusCode.RESOURCE_EXHAUSTED, reasons.STORAGE_FULL,
                    "there is no space left for files; try again later or tell the "
                    "administrator")


async def upload(ctx: Context, requests: Requests) -> FileRecord:
    stream = aiter(requests)
    try:
        record = await _upload(ctx, stream)
    except ApiError:
        await _drain(stream, ctx.max_upload_bytes)
        raise
    # An idempotent replay answers without reading the content: discard it.
    await _drain(stream, ctx.max_upload_bytes)
    return record


async def _drain(stream: Requests, budget: int) -> None:
    """Read and discard what the client is still sending, within bounds, before answering.

    A grpc.aio client that is still writing when the server's status arrives
    replaces that status with INTERNAL "Internal error from Core" (grpc/grpc
    issue 36066): the user would see a generic failure instead of "too large"
    or "type not allowed". Nothing is stored any more at this point (the
    writer is already aborted); only the rest of the stream is discarded,
    up to `budget` more bytes and DRAIN_SECONDS, then the call ends.
    """
    with contextlib.suppress(Exception):
        async with asyncio.timeout(DRAIN_SECONDS):
            async for request in stream:
                budget -= len(request.chunk)
                if budget < 0:
                    return


async def _upload(ctx: Context, stream: Requests) -> FileRecord:
    meta, display_name = validation.upload_metadata(await anext(stream, None))
    # Authorize before anything else is answered or read.
    await access.require_ticket(ctx, meta.ticket)
    validation.check_declared_size(meta.declared_size, ctx.max_upload_bytes)
    if meta.comment:
        await access.require_comment(ctx, meta.comment)
    if meta.request_id and (earlier := await _earlier(ctx, meta.request_id)):
        return _replay(earlier, meta)
    content = await _receive(ctx, stream, meta, display_name)
    record = await _record(ctx, meta, display_name, content)
    log.info("files.uploaded", file=f"files/{record.id}", ticket=meta.ticket,
             size_bytes=content.size, content_type=content.content_type,
             uploader=record.uploader)
    return record


async def _receive(ctx: Context, stream: Requests, meta: files_pb2.UploadMetadata,
                   display_name: str) -> Content:
    """The rest of the stream, into the store; refused the moment it breaks a rule."""
    key, size, digest = uuid.uuid4().hex, 0, hashlib.sha256()
    sniffer = ContentSniffer(display_name)
    # The store hashes each chunk in the thread that writes it: on the event loop,
    # hashing took as much CPU as receiving the stream.
    writer = ctx.storage.open_writer(key, digest)
    try:
        async for request in stream:
            chunk = validation.chunk(request)
            size += len(chunk)
            if size > ctx.max_upload_bytes:
                raise validation.too_large(ctx.max_upload_bytes, "chunk")
            sniffer.feed(chunk)
            await writer.write(chunk)
        content_type = sniffer.finish()
        validation.check_received_size(meta.declared_size, size)
        await writer.commit()
    except BaseException as error:
        await writer.abort()
        if isinstance(error, StoreFull):
            log.error("files.store_full", ticket=meta.ticket, received_bytes=size,
                      error=str(error))
            raise storage_full() from error
        if isinstance(error, ApiError):
            log.info("files.upload_rejected", ticket=meta.ticket, reason=error.reason_name,
                     received_bytes=size, uploader=caller().subject)
        raise
    return Content(key, size, digest.hexdigest(), content_type)


async def _record(ctx: Context, meta: files_pb2.UploadMetadata, display_name: str,
                  content: Content) -> FileRecord:
    """The stored content's record; without one the content goes again."""
    record = FileRecord(
        id=uuid.uuid4().hex, ticket=meta.ticket, comment=meta.comment,
        display_name=display_name, content_type=content.content_type, size_bytes=content.size,
        sha256=content.sha256, storage_key=content.key, uploader=caller().subject,
        create_time=datetime.now(UTC), request_id=meta.request_id or None)
    try:
        async with ctx.db() as db, db.begin():
            await store.add(db, record)
    except BaseException as error:
        await ctx.storage.delete(content.key)
        # A concurrent retry with the same request_id won the race: answer its file.
        if isinstance(error, IntegrityError) and meta.request_id and \
                (earlier := await _earlier(ctx, meta.request_id)):
            return _replay(earlier, meta)
        raise
    return record


async def _earlier(ctx: Context, request_id: str) -> FileRecord | None:
    async with ctx.db() as db:
        return await store.by_request_id(db, caller().subject, request_id)


def _replay(earlier: FileRecord, meta: files_pb2.UploadMetadata) -> FileRecord:
    """The earlier upload with the same request_id, if it went to the same place."""
    if earlier.ticket != meta.ticket or earlier.comment != meta.comment:
        raise bad_field("metadata.request_id", reasons.REQUEST_ID_REUSED,
                        "was already used for an upload to another ticket or comment")
    return earlier
