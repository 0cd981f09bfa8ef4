"""FileService over real gRPC, with a stand-in TicketService (see conftest.py)."""

from __future__ import annotations

import hashlib
import os
import uuid

import grpc
import pytest

from services.common.client.errors import problem_of
from tests.services.files.conftest import LIMIT
from tests.support.rpc import field_params, field_reasons, reason, rpc_error
from tests.services.files.test_files_sniff import PE, png
from services.files.usecases.download import DOWNLOAD_CHUNK_BYTES
from ticketdesk.files.v1 import files_pb2

CHUNK = 256 * 1024  # uploads; downloads come in DOWNLOAD_CHUNK_BYTES
as_ = lambda token: (("authorization", f"Bearer {token}"),)  # noqa: E731


def requests(data: bytes = b"", chunk: int = CHUNK, **metadata):
    metadata.setdefault("ticket", "tickets/1")
    metadata.setdefault("display_name", "notes.txt")

    async def gen():
        yield files_pb2.UploadFileRequest(metadata=files_pb2.UploadMetadata(**metadata))
        for i in range(0, len(data), chunk):
            yield files_pb2.UploadFileRequest(chunk=data[i:i + chunk])
    return gen()


async def upload(env, token: str, data: bytes = b"hello\n", **metadata) -> files_pb2.File:
    return await env.files.UploadFile(requests(data, **metadata), metadata=as_(token))


async def download(env, token: str, name: str) -> tuple[files_pb2.File, bytes]:
    call = env.files.DownloadFile(files_pb2.DownloadFileRequest(name=name), metadata=as_(token))
    head, body = None, bytearray()
    async for message in call:
        if message.WhichOneof("part") == "file":
            assert head is None
            head = message.file
        else:
            assert head is not None, "metadata comes first"
            assert len(message.chunk) <= DOWNLOAD_CHUNK_BYTES
            body += message.chunk
    assert head is not None
    return head, bytes(body)


async def failure(awaitable) -> tuple[grpc.StatusCode, str, str, list[tuple[str, str]]]:
    """(code, message, ErrorInfo reason, [(field, FieldReason)]) of a failed call."""
    error = await rpc_error(awaitable)
    return error.code(), error.details(), reason(error), field_reasons(error)


async def download_failure(env, token, name):
    async def consume():
        async for _ in env.files.DownloadFile(files_pb2.DownloadFileRequest(name=name),
                                              metadata=as_(token)):
            pass
    return await failure(consume())


async def test_round_trip_with_sniffed_type_and_normalized_name(files_env):
    data = png(64, 64) + b""
    stored = await upload(files_env, "client-a", data, display_name="C:\\tmp\\invoice.pdf",
                          declared_content_type="application/pdf", declared_size=len(data))
    assert stored.name.startswith("files/") and len(stored.name) == 6 + 32
    assert stored.ticket == "tickets/1" and stored.comment == ""
    assert stored.display_name == "invoice.pdf"
    assert stored.content_type == "image/png"  # sniffed, not declared
    assert stored.size_bytes == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.uploader == "users/ca"
    assert stored.create_time.seconds > 0

    head, body = await download(files_env, "client-a", stored.name)
    assert head == stored and body == data
    assert await files_env.files.GetFile(files_pb2.GetFileRequest(name=stored.name),
                                         metadata=as_("developer")) == stored
    # Authorization went to TicketService with the caller's own token.
    assert ("GetTicket", "users/ca") in files_env.tickets.calls
    assert ("GetTicket", "users/dev") in files_env.tickets.calls


async def test_multi_chunk_text(files_env):
    data = ("строка текста, ещё одна\n" * 40_000).encode()  # ~1.1 MB, multi-byte splits
    stored = await upload(files_env, "client-a", data, chunk=100_001, display_name="log.csv")
    assert stored.content_type == "text/csv; charset=utf-8"
    _, body = await download(files_env, "developer", stored.name)
    assert hashlib.sha256(body).hexdigest() == stored.sha256


async def test_missing_metadata_is_invalid(files_env):
    async def chunks_only():
        yield files_pb2.UploadFileRequest(chunk=b"data")

    async def nothing():
        return
        yield  # noqa: B901

    for stream in (chunks_only(), nothing()):
        code, _, _, violations = await failure(
            files_env.files.UploadFile(stream, metadata=as_("client-a")))
        assert code == grpc.StatusCode.INVALID_ARGUMENT
        assert violations == [("metadata", "REQUIRED")]


async def test_second_metadata_is_invalid(files_env):
    async def twice():
        meta = files_pb2.UploadMetadata(ticket="tickets/1", display_name="a.txt")
        yield files_pb2.UploadFileRequest(metadata=meta)
        yield files_pb2.UploadFileRequest(metadata=meta)
    code, _, _, violations = await failure(
        files_env.files.UploadFile(twice(), metadata=as_("client-a")))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert violations == [("metadata", "MALFORMED")]


async def test_unauthenticated(files_env):
    code, *_ = await failure(files_env.files.UploadFile(requests(b"x")))
    assert code == grpc.StatusCode.UNAUTHENTICATED
    code, *_ = await failure(files_env.files.GetFile(
        files_pb2.GetFileRequest(name="files/" + "0" * 32), metadata=as_("nobody")))
    assert code == grpc.StatusCode.UNAUTHENTICATED


@pytest.mark.parametrize(("metadata", "violation"), [
    ({"ticket": ""}, ("metadata.ticket", "REQUIRED")),
    ({"ticket": "tickets/abc"}, ("metadata.ticket", "MALFORMED")),
    ({"comment": "tickets/2/comments/x"}, ("metadata.comment", "MALFORMED")),
    ({"declared_size": -1}, ("metadata.declared_size", "MALFORMED")),
    ({"request_id": "x" * 200}, ("metadata.request_id", "TOO_LONG")),
    ({"request_id": "a\x00b"}, ("metadata.request_id", "INVALID_CHARACTERS")),
])
async def test_bad_metadata(files_env, metadata, violation):
    code, _, _, violations = await failure(upload(files_env, "client-a", **metadata))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert violations == [violation]


async def test_a_too_long_request_id_says_the_limit(files_env):
    error = await rpc_error(upload(files_env, "client-a", request_id="x" * 200))
    assert field_params(error, "metadata.request_id") == {"maxLength": "128"}


async def test_declared_size_over_limit_refused_at_once(files_env):
    """Refused by what the metadata declares: the few bytes sent are far below the
    limit. (A client still streaming when refused may see INTERNAL instead: grpc
    issue 36066, so this client stops sending on its own.)"""
    before = await files_env.row_count()

    async def stream():
        yield files_pb2.UploadFileRequest(metadata=files_pb2.UploadMetadata(
            ticket="tickets/1", display_name="big.txt", declared_size=LIMIT + 1))
        for _ in range(4):
            yield files_pb2.UploadFileRequest(chunk=b"a" * CHUNK)
    error = await rpc_error(files_env.files.UploadFile(stream(), metadata=as_("client-a")),
                            grpc.StatusCode.INVALID_ARGUMENT)
    assert reason(error) == "FILE_TOO_LARGE"
    assert problem_of(error).metadata["maxBytes"] == str(LIMIT)
    assert field_reasons(error) == [("metadata.declared_size", "TOO_LARGE")]
    assert field_params(error, "metadata.declared_size") == {"maxBytes": str(LIMIT)}
    assert "3 MiB" in error.details()
    assert await files_env.row_count() == before


async def test_oversized_file_refused_and_nothing_left(files_env):
    """A file a little over the limit, without declared size: the status must be exact."""
    before_rows, before_files = await files_env.row_count(), files_env.stored_files()
    for _ in range(5):  # the client-side race (grpc issue 36066) would show as INTERNAL
        code, message, why, violations = await failure(
            upload(files_env, "client-a", b"a" * (LIMIT + 700_000), display_name="big.txt"))
        assert (code, why) == (grpc.StatusCode.INVALID_ARGUMENT, "FILE_TOO_LARGE")
        assert violations == [("chunk", "TOO_LARGE")]
        assert message == "the file is larger than the limit of 3 MiB"
    assert await files_env.row_count() == before_rows
    assert files_env.stored_files() == before_files  # no blob, no temp file


async def test_endless_stream_cut_off_mid_stream(files_env):
    before_rows, before_files = await files_env.row_count(), files_env.stored_files()
    sent = 0

    async def endless():
        nonlocal sent
        yield files_pb2.UploadFileRequest(metadata=files_pb2.UploadMetadata(
            ticket="tickets/1", display_name="huge.txt"))  # no declared size: must count
        for _ in range(400):  # 100 MiB if the server never stopped reading
            sent += CHUNK
            yield files_pb2.UploadFileRequest(chunk=b"a" * CHUNK)
    code, *_ = await failure(files_env.files.UploadFile(endless(), metadata=as_("client-a")))
    # The server stops storing at the limit, discards at most one more limit's worth,
    # then ends the call; a client still writing may then see grpc's own INTERNAL.
    assert code in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.INTERNAL)
    assert sent < 2 * LIMIT + 16 * 1024 * 1024
    assert await files_env.row_count() == before_rows
    assert files_env.stored_files() == before_files


async def test_exactly_the_limit_is_accepted(files_env):
    data = b"z" * LIMIT
    stored = await upload(files_env, "client-a", data, display_name="limit.txt",
                          declared_size=LIMIT)
    assert stored.size_bytes == LIMIT


async def test_chunk_over_one_mebibyte_refused(files_env):
    code, _, _, violations = await failure(
        upload(files_env, "client-a", b"a" * (1024 * 1024 + 1), chunk=1024 * 1024 + 1))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert violations == [("chunk", "MALFORMED")]


async def test_executable_rejected_and_nothing_left(files_env):
    before_rows, before_files = await files_env.row_count(), files_env.stored_files()
    payload = PE + os.urandom(600_000)
    code, _, why, violations = await failure(upload(files_env, "client-a", payload,
                                                    display_name="invoice.pdf"))
    assert (code, why) == (grpc.StatusCode.INVALID_ARGUMENT, "FILE_TYPE_NOT_ALLOWED")
    assert [field for field, _ in violations] == ["chunk"]
    code, _, why, violations = await failure(upload(files_env, "client-a", b"echo hi",
                                                    display_name="run.bat"))
    assert why == "FILE_TYPE_NOT_ALLOWED"
    assert [field for field, _ in violations] == ["metadata.display_name"]
    assert await files_env.row_count() == before_rows
    assert files_env.stored_files() == before_files


async def test_declared_size_mismatch_rejected(files_env):
    code, _, _, violations = await failure(upload(files_env, "client-a", b"12345",
                                                  declared_size=10))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert violations == [("metadata.declared_size", "MALFORMED")]


async def test_foreign_ticket_looks_missing(files_env):
    payload = b"x" * (2 * 1024 * 1024)  # still streaming when the answer comes
    foreign = await failure(upload(files_env, "client-b", payload, ticket="tickets/1"))
    missing = await failure(upload(files_env, "client-b", payload, ticket="tickets/999"))
    assert foreign == missing
    assert foreign[0] == grpc.StatusCode.NOT_FOUND and foreign[1] == "ticket not found"

    stored = await upload(files_env, "client-a", b"secret")
    absent = "files/" + uuid.uuid4().hex
    for token in ("client-b",):
        get_foreign = await failure(files_env.files.GetFile(
            files_pb2.GetFileRequest(name=stored.name), metadata=as_(token)))
        get_missing = await failure(files_env.files.GetFile(
            files_pb2.GetFileRequest(name=absent), metadata=as_(token)))
        assert get_foreign == get_missing
        assert get_foreign[0] == grpc.StatusCode.NOT_FOUND
        assert await download_failure(files_env, token, stored.name) == \
            await download_failure(files_env, token, absent) == get_missing
        list_foreign = await failure(files_env.files.ListFiles(
            files_pb2.ListFilesRequest(parent="tickets/1"), metadata=as_(token)))
        list_missing = await failure(files_env.files.ListFiles(
            files_pb2.ListFilesRequest(parent="tickets/999"), metadata=as_(token)))
        assert list_foreign == list_missing


async def test_internal_note_files_hidden_from_clients(files_env):
    note = await upload(files_env, "developer", b"internal", comment="tickets/1/comments/note",
                        display_name="note.txt")
    public = await upload(files_env, "client-a", b"public", comment="tickets/1/comments/pub",
                          display_name="pub.txt")
    assert public.comment == "tickets/1/comments/pub"
    absent = await failure(files_env.files.GetFile(
        files_pb2.GetFileRequest(name="files/" + uuid.uuid4().hex), metadata=as_("client-a")))
    assert await failure(files_env.files.GetFile(
        files_pb2.GetFileRequest(name=note.name), metadata=as_("client-a"))) == absent
    assert await download_failure(files_env, "client-a", note.name) == absent

    def names(response):
        return {f.name for f in response.files}
    for_client = await files_env.files.ListFiles(
        files_pb2.ListFilesRequest(parent="tickets/1", page_size=200), metadata=as_("client-a"))
    for_staff = await files_env.files.ListFiles(
        files_pb2.ListFilesRequest(parent="tickets/1", page_size=200), metadata=as_("developer"))
    assert public.name in names(for_client) and note.name not in names(for_client)
    assert {public.name, note.name} <= names(for_staff)
    only_note = await files_env.files.ListFiles(
        files_pb2.ListFilesRequest(parent="tickets/1", comment="tickets/1/comments/note"),
        metadata=as_("client-a"))
    assert list(only_note.files) == []
    # A client cannot attach to a comment it cannot see (or one that does not exist).
    for comment in ("tickets/1/comments/note", "tickets/1/comments/nope"):
        code, message, *_ = await failure(upload(files_env, "client-a", comment=comment))
        assert (code, message) == (grpc.StatusCode.NOT_FOUND, "comment not found")


async def test_list_filters_and_pages(files_env):
    ticket = "tickets/2"
    own = [await upload(files_env, "client-b", f"own {i}".encode(), ticket=ticket,
                        display_name=f"own{i}.txt") for i in range(5)]
    seen, token = [], ""
    while True:
        page = await files_env.files.ListFiles(files_pb2.ListFilesRequest(
            parent=ticket, comment="-", page_size=2, page_token=token), metadata=as_("client-b"))
        assert len(page.files) <= 2
        seen += [f.name for f in page.files]
        token = page.next_page_token
        if not token:
            break
    assert seen == [f.name for f in own]  # oldest first, each once
    first = await files_env.files.ListFiles(files_pb2.ListFilesRequest(
        parent=ticket, page_size=2), metadata=as_("client-b"))
    assert first.next_page_token
    refused = [  # another ticket, another filter, another caller, not a token at all
        ("developer", files_pb2.ListFilesRequest(parent="tickets/1", page_size=2)),
        ("client-b", files_pb2.ListFilesRequest(parent=ticket, comment="-", page_size=2)),
        ("developer", files_pb2.ListFilesRequest(parent=ticket, page_size=2)),
        ("client-b", files_pb2.ListFilesRequest(parent=ticket, page_size=2,
                                                page_token="garbage")),
    ]
    for token, request in refused:
        request.page_token = request.page_token or first.next_page_token
        code, _, _, violations = await failure(files_env.files.ListFiles(
            request, metadata=as_(token)))
        assert code == grpc.StatusCode.INVALID_ARGUMENT
        assert violations == [("page_token", "INVALID_PAGE_TOKEN")]


async def test_idempotent_by_request_id(files_env):
    request_id = uuid.uuid4().hex
    before = await files_env.row_count()
    payload = b"once\n" * 400_000  # 2 MB: still streaming when the replay answers
    first = await upload(files_env, "client-a", payload, request_id=request_id)
    for _ in range(3):
        again = await upload(files_env, "client-a", payload, request_id=request_id)
        assert again == first
    assert await files_env.row_count() == before + 1
    # The same id from someone else is their own, separate upload.
    other = await upload(files_env, "client-a2", b"once", request_id=request_id)
    assert other.name != first.name and other.uploader == "users/ca2"
    code, _, _, violations = await failure(upload(files_env, "client-a", b"once",
                                                  request_id=request_id,
                                                  comment="tickets/1/comments/pub"))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert violations == [("metadata.request_id", "REQUEST_ID_REUSED")]


async def test_missing_content_is_data_loss(files_env):
    stored = await upload(files_env, "client-a", b"will vanish")
    root = files_env.settings.file_store_dir
    for path in root.rglob("*"):
        if path.is_file() and path.parent.parent.parent == root:
            if hashlib.sha256(path.read_bytes()).hexdigest() == stored.sha256:
                path.unlink()
    code, _, why, _ = await download_failure(files_env, "client-a", stored.name)
    assert (code, why) == (grpc.StatusCode.DATA_LOSS, "FILE_CONTENT_MISSING")
