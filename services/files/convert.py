"""File records ⇄ protobuf messages."""

from __future__ import annotations

from datetime import UTC

from google.protobuf import timestamp_pb2

from services.files.models import FileRecord
from ticketdesk.files.v1 import files_pb2


def file_name(record: FileRecord) -> str:
    return f"files/{record.id}"


def file(record: FileRecord) -> files_pb2.File:
    created = timestamp_pb2.Timestamp()
    moment = record.create_time
    # SQLite gives back naive times; they are UTC.
    created.FromDatetime(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    return files_pb2.File(
        name=file_name(record), ticket=record.ticket, comment=record.comment,
        display_name=record.display_name, content_type=record.content_type,
        size_bytes=record.size_bytes, sha256=record.sha256, uploader=record.uploader,
        create_time=created)


def download_part(part: FileRecord | bytes) -> files_pb2.DownloadFileResponse:
    """The file's record first, then its content in chunks."""
    if isinstance(part, FileRecord):
        return files_pb2.DownloadFileResponse(file=file(part))
    return files_pb2.DownloadFileResponse(chunk=part)
