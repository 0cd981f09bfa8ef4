"""Reading a file: its record, and its content in chunks."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import structlog

from services.common.server.errors import ApiError
from services.files.gateways.storage import DEFAULT_READ_CHUNK, StoredFileMissing
from services.files.models import FileRecord
from services.files.usecases import access
from services.files.usecases.context import Context
from ticketdesk.errors.v1 import errors_pb2 as reasons

log = structlog.get_logger()

# The store's read size: one message per read (the clients' limit is 8 MiB a message).
DOWNLOAD_CHUNK_BYTES = DEFAULT_READ_CHUNK


async def get(ctx: Context, name: str) -> FileRecord:
    return await access.visible_file(ctx, name)


async def download(ctx: Context, name: str, chunk_size: int = DOWNLOAD_CHUNK_BYTES
                   ) -> AsyncIterator[FileRecord | bytes]:
    """The record, then the content. Content missing from the store answers DATA_LOSS
    before the record is sent: a download never starts that cannot finish."""
    record = await access.visible_file(ctx, name)
    reader = ctx.storage.open_reader(record.storage_key, chunk_size)
    try:
        try:
            first = await anext(reader, b"")
        except StoredFileMissing:
            log.error("files.content_missing", file=name, key=record.storage_key)
            raise ApiError(grpc.StatusCode.DATA_LOSS, reasons.FILE_CONTENT_MISSING,
                           "the file's content is missing from storage") from None
        yield record
        if first:
            yield first
        async for chunk in reader:
            yield chunk
    finally:
        await reader.aclose()
