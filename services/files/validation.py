"""Checks of what callers send to the files service: names, upload metadata, chunks, sizes.

The content itself (its type, its display name's extension) is checked in sniff.py.

Size limit: an upload larger than the limit answers INVALID_ARGUMENT with ErrorInfo
reason FILE_TOO_LARGE (metadata `maxBytes`) and a TOO_LARGE violation on
`metadata.declared_size` (declared too large: refused before any data is read) or on
`chunk` (the stream passed the limit: cut off at once). INVALID_ARGUMENT rather than
RESOURCE_EXHAUSTED: the file itself is the bad argument (it will never fit, retrying
cannot help), it is not a quota that recovers.
"""

from __future__ import annotations

import re

import grpc

from services.common.server.errors import ApiError, Violation, bad_field, invalid, violation
from services.files.sniff import check_display_name, normalize_display_name
from ticketdesk.errors.v1 import errors_pb2 as reasons
from ticketdesk.files.v1 import files_pb2

MAX_CHUNK_BYTES = 1024 * 1024
MAX_REQUEST_ID = 128
TICKET_NAME = re.compile(r"^tickets/[1-9][0-9]{0,18}$")
COMMENT_NAME = re.compile(r"^(tickets/[1-9][0-9]{0,18})/comments/[A-Za-z0-9._~-]{1,64}$")
FILE_NAME = re.compile(r"^files/([0-9a-f]{32})$")
OWN_FILES = "-"  # ListFilesRequest.comment: only the ticket's own files


def _ticket(path: str, name: str, problems: list[Violation]) -> bool:
    """Whether `name` is a ticket's name; if not, says why."""
    if not name:
        problems.append(violation(path, reasons.REQUIRED, "is required"))
    elif not TICKET_NAME.match(name):
        problems.append(violation(path, reasons.MALFORMED, "must be `tickets/{number}`"))
    else:
        return True
    return False


def _comment_of(path: str, comment: str, ticket: str, problems: list[Violation]) -> None:
    match = COMMENT_NAME.match(comment)
    if not match or match.group(1) != ticket:
        problems.append(violation(path, reasons.MALFORMED,
                                  f"must be a comment of {ticket} (`{ticket}/comments/...`)"))


def _request_id(path: str, value: str, problems: list[Violation]) -> None:
    if len(value) > MAX_REQUEST_ID:
        problems.append(violation(path, reasons.TOO_LONG,
                                  f"must be at most {MAX_REQUEST_ID} characters",
                                  maxLength=MAX_REQUEST_ID))
    elif not value.isprintable():
        problems.append(violation(path, reasons.INVALID_CHARACTERS,
                                  "must hold printable characters only"))


def upload_metadata(first: files_pb2.UploadFileRequest | None
                    ) -> tuple[files_pb2.UploadMetadata, str]:
    """The first message of an upload: its metadata and the normalized display name."""
    if first is None or first.WhichOneof("part") != "metadata":
        raise bad_field("metadata", reasons.REQUIRED, "the first message must carry the metadata")
    meta = first.metadata
    problems: list[Violation] = []
    if _ticket("metadata.ticket", meta.ticket, problems) and meta.comment:
        _comment_of("metadata.comment", meta.comment, meta.ticket, problems)
    if meta.declared_size < 0:
        problems.append(violation("metadata.declared_size", reasons.MALFORMED,
                                  "must not be negative"))
    _request_id("metadata.request_id", meta.request_id, problems)
    if problems:
        raise invalid(problems)
    display_name = normalize_display_name(meta.display_name)
    check_display_name(display_name)
    return meta, display_name


def chunk(request: files_pb2.UploadFileRequest) -> bytes:
    """A message after the first: a chunk of the content."""
    if request.WhichOneof("part") != "chunk":
        raise bad_field("metadata", reasons.MALFORMED,
                        "only the first message may carry metadata")
    data = request.chunk  # read once: each read of a bytes field is a copy (upb)
    if len(data) > MAX_CHUNK_BYTES:
        raise bad_field("chunk", reasons.MALFORMED,
                        f"a chunk may hold at most {MAX_CHUNK_BYTES} bytes")
    return data


def too_large(limit: int, path: str) -> ApiError:
    megabytes = limit / (1024 * 1024)
    shown = f"{megabytes:g} MiB" if limit >= 1024 * 1024 else f"{limit} bytes"
    message = f"the file is larger than the limit of {shown}"
    return ApiError(grpc.StatusCode.INVALID_ARGUMENT, reasons.FILE_TOO_LARGE, message,
                    {"maxBytes": str(limit)},
                    [violation(path, reasons.TOO_LARGE, message, maxBytes=limit)])


def check_declared_size(declared: int, limit: int) -> None:
    if declared > limit:
        raise too_large(limit, "metadata.declared_size")


def check_received_size(declared: int, received: int) -> None:
    """A declared size, when given, must be what arrived."""
    if declared and declared != received:
        raise bad_field("metadata.declared_size", reasons.MALFORMED,
                        f"declared {declared} bytes, received {received}")


def file_id(name: str) -> str:
    """The id inside `files/{id}`."""
    match = FILE_NAME.match(name)
    if not match:
        raise bad_field("name", reasons.MALFORMED, "must be `files/{id}`")
    return match.group(1)


def listing(request: files_pb2.ListFilesRequest) -> tuple[str, str]:
    """ListFiles' ticket and comment filter (empty, OWN_FILES or a comment of the ticket)."""
    problems: list[Violation] = []
    if _ticket("parent", request.parent, problems) and request.comment \
            and request.comment != OWN_FILES:
        _comment_of("comment", request.comment, request.parent, problems)
    if problems:
        raise invalid(problems)
    return request.parent, request.comment
