"""FileService in the whole back end: real auth, tickets, Temporal (the `stack` fixture)."""

from __future__ import annotations

import hashlib
import os
import uuid

import grpc
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from services.common.client.errors import problem_of
from services.files.models import FileRecord
from tests.support.rpc import field_reasons, reason, rpc_error
from services.files.usecases.download import DOWNLOAD_CHUNK_BYTES
from ticketdesk.files.v1 import files_pb2
from ticketdesk.tickets.v1 import tickets_pb2

CHUNK = 256 * 1024  # uploads; downloads come in DOWNLOAD_CHUNK_BYTES
MiB = 1024 * 1024


def upload_stream(data: bytes, ticket: str, display_name: str = "file.bin", **metadata):
    async def gen():
        yield files_pb2.UploadFileRequest(metadata=files_pb2.UploadMetadata(
            ticket=ticket, display_name=display_name, **metadata))
        view = memoryview(data)
        for i in range(0, len(data), CHUNK):
            yield files_pb2.UploadFileRequest(chunk=bytes(view[i:i + CHUNK]))
    return gen()


async def download(stack, caller, name: str) -> tuple[files_pb2.File, str, int]:
    digest, size, head = hashlib.sha256(), 0, None
    async for message in stack.clients.files.DownloadFile(
            files_pb2.DownloadFileRequest(name=name), metadata=caller):
        if message.WhichOneof("part") == "file":
            head = message.file
        else:
            assert head is not None and len(message.chunk) <= DOWNLOAD_CHUNK_BYTES
            digest.update(message.chunk)
            size += len(message.chunk)
    assert head is not None
    return head, digest.hexdigest(), size


async def failure(awaitable):
    """(code, message, (ErrorInfo reason, [(field, FieldReason)])) of a failed call."""
    error = await rpc_error(awaitable)
    return error.code(), error.details(), (reason(error), field_reasons(error))


async def download_failure(stack, caller, name):
    async def consume():
        async for _ in stack.clients.files.DownloadFile(
                files_pb2.DownloadFileRequest(name=name), metadata=caller):
            pass
    return await failure(consume())


async def row_count(stack) -> int:
    engine = create_async_engine(stack.settings.database_url("files"))
    try:
        async with engine.connect() as connection:
            return (await connection.execute(select(func.count(FileRecord.id)))).scalar_one()
    finally:
        await engine.dispose()


def stored_files(stack) -> set[str]:
    root = stack.settings.file_store_dir
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} \
        if root.exists() else set()


async def test_twenty_mebibytes_round_trip(stack):
    org = await stack.new_organization()
    ticket = await stack.new_ticket(org)
    developer = await stack.staff("developer")
    # 20 MiB of random bytes would be refused as an unknown type: make it a (big) PDF.
    data = b"%PDF-1.7\n" + os.urandom(20 * MiB - 9)
    expected = hashlib.sha256(data).hexdigest()

    stored = await stack.clients.files.UploadFile(
        upload_stream(data, ticket.name, "Смета.pdf", declared_size=len(data),
                      request_id=uuid.uuid4().hex), metadata=org.client)
    assert stored.sha256 == expected
    assert stored.size_bytes == 20 * MiB
    assert stored.content_type == "application/pdf"
    assert stored.display_name == "Смета.pdf"
    assert stored.uploader == org.client_user.name

    for caller in (org.client, developer):
        head, digest, size = await download(stack, caller, stored.name)
        assert head == stored and digest == expected and size == len(data)
    listed = await stack.clients.files.ListFiles(
        files_pb2.ListFilesRequest(parent=ticket.name), metadata=org.client)
    assert [f.name for f in listed.files] == [stored.name]


async def test_staff_upload_is_visible_to_the_client(stack):
    org = await stack.new_organization()
    ticket = await stack.new_ticket(org)
    developer = await stack.staff("developer")
    stored = await stack.clients.files.UploadFile(
        upload_stream("Макет готов\n".encode(), ticket.name, "notes.txt"), metadata=developer)
    assert stored.content_type == "text/plain; charset=utf-8"
    got = await stack.clients.files.GetFile(files_pb2.GetFileRequest(name=stored.name),
                                            metadata=org.client)
    assert got == stored


async def test_oversized_upload_cut_off_leaves_nothing(stack):
    org = await stack.new_organization()
    ticket = await stack.new_ticket(org)
    limit = stack.settings.max_upload_bytes
    before_rows, before_files = await row_count(stack), stored_files(stack)
    data = b"a" * (limit + MiB)  # 26 MiB by default; no declared size, so it must be counted
    code, message, (why, violations) = await failure(stack.clients.files.UploadFile(
        upload_stream(data, ticket.name, "big.txt"), metadata=org.client))
    assert (code, why) == (grpc.StatusCode.INVALID_ARGUMENT, "FILE_TOO_LARGE")
    assert violations == [("chunk", "TOO_LARGE")]
    assert message == "the file is larger than the limit of 25 MiB"
    assert await row_count(stack) == before_rows
    assert stored_files(stack) == before_files

    # A declared size over the limit is refused before any content is read.
    error = await rpc_error(stack.clients.files.UploadFile(
        upload_stream(b"a" * CHUNK, ticket.name, "big.txt", declared_size=limit + 1),
        metadata=org.client), grpc.StatusCode.INVALID_ARGUMENT)
    problem = problem_of(error)
    assert (problem.reason, problem.metadata["maxBytes"]) == ("FILE_TOO_LARGE", str(limit))
    assert [(f.field, f.reason, f.params) for f in problem.fields] == [
        ("metadata.declared_size", "TOO_LARGE", {"maxBytes": str(limit)})]


async def test_other_organizations_files_look_missing(stack):
    org_a, org_b = await stack.new_organization(), await stack.new_organization()
    ticket_a = await stack.new_ticket(org_a)
    stored = await stack.clients.files.UploadFile(
        upload_stream(b"private\n", ticket_a.name, "a.txt"), metadata=org_a.client)
    missing_ticket = f"tickets/{ticket_a.number + 10_000_000}"
    missing_file = "files/" + uuid.uuid4().hex
    payload = b"b" * (2 * MiB)

    foreign = await failure(stack.clients.files.UploadFile(
        upload_stream(payload, ticket_a.name, "b.txt"), metadata=org_b.client))
    missing = await failure(stack.clients.files.UploadFile(
        upload_stream(payload, missing_ticket, "b.txt"), metadata=org_b.client))
    assert foreign == missing
    assert foreign[:2] == (grpc.StatusCode.NOT_FOUND, "ticket not found")

    get_foreign = await failure(stack.clients.files.GetFile(
        files_pb2.GetFileRequest(name=stored.name), metadata=org_b.client))
    get_missing = await failure(stack.clients.files.GetFile(
        files_pb2.GetFileRequest(name=missing_file), metadata=org_b.client))
    assert get_foreign == get_missing
    assert get_foreign[:2] == (grpc.StatusCode.NOT_FOUND, "file not found")
    assert await download_failure(stack, org_b.client, stored.name) == \
        await download_failure(stack, org_b.client, missing_file) == get_missing

    list_foreign = await failure(stack.clients.files.ListFiles(
        files_pb2.ListFilesRequest(parent=ticket_a.name), metadata=org_b.client))
    list_missing = await failure(stack.clients.files.ListFiles(
        files_pb2.ListFilesRequest(parent=missing_ticket), metadata=org_b.client))
    assert list_foreign == list_missing
    assert list_foreign[0] == grpc.StatusCode.NOT_FOUND


async def test_missing_metadata_is_invalid(stack):
    org = await stack.new_organization()

    async def chunks_only():
        yield files_pb2.UploadFileRequest(chunk=b"data")
    code, _, (_, violations) = await failure(
        stack.clients.files.UploadFile(chunks_only(), metadata=org.client))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert violations == [("metadata", "REQUIRED")]


async def test_renamed_executable_refused(stack):
    org = await stack.new_organization()
    ticket = await stack.new_ticket(org)
    elf = b"\x7fELF\x02\x01\x01\x00" + os.urandom(100_000)
    code, _, (why, _) = await failure(stack.clients.files.UploadFile(
        upload_stream(elf, ticket.name, "invoice.pdf"), metadata=org.client))
    assert (code, why) == (grpc.StatusCode.INVALID_ARGUMENT, "FILE_TYPE_NOT_ALLOWED")


async def test_internal_note_attachments_hidden_from_the_client(stack):
    org = await stack.new_organization()
    ticket = await stack.new_ticket(org)
    developer = await stack.staff("developer")
    note = await stack.clients.tickets.AddComment(tickets_pb2.AddCommentRequest(
        parent=ticket.name, comment=tickets_pb2.Comment(
            body="Внутренняя заметка", visibility=tickets_pb2.VISIBILITY_INTERNAL)),
        metadata=developer)
    attached = await stack.clients.files.UploadFile(
        upload_stream(b"staff only\n", ticket.name, "internal.txt", comment=note.name),
        metadata=developer)
    assert attached.comment == note.name
    hidden = await failure(stack.clients.files.GetFile(
        files_pb2.GetFileRequest(name=attached.name), metadata=org.client))
    assert hidden[:2] == (grpc.StatusCode.NOT_FOUND, "file not found")
    listed = await stack.clients.files.ListFiles(
        files_pb2.ListFilesRequest(parent=ticket.name), metadata=org.client)
    assert attached.name not in [f.name for f in listed.files]
    staff_list = await stack.clients.files.ListFiles(
        files_pb2.ListFilesRequest(parent=ticket.name), metadata=developer)
    assert attached.name in [f.name for f in staff_list.files]
