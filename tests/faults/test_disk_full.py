"""A full disk under the file store (issue #9): a files service whose store is a small
tmpfs, beside the `stack`'s own (same database, auth and tickets services)."""

from __future__ import annotations

import contextlib
import os
import subprocess
from pathlib import Path

import grpc
import pytest

from services.common.client.channels import channel
from services.common.client.errors import error_details
from services.common.server.serve import start_server
from services.files.server import build as build_files
from tests.support.summary import report
from tests.support.tickets import World
from ticketdesk.files.v1 import files_pb2, files_pb2_grpc
from workflows.ticket.rules import Status

MiB = 1024 * 1024
STORE_BYTES = 2 * MiB
CHUNK = 256 * 1024


@contextlib.contextmanager
def small_disk(path: Path, size: int):
    """A tmpfs of `size` bytes mounted at `path` (root only); skipped elsewhere, except
    where TICKETDESK_REQUIRE_TMPFS=1 (.ci/run) or CI=true make it mandatory."""
    path.mkdir()
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True).returncode == 0
    if not mounted:
        reason = "mounting a tmpfs needs root (CAP_SYS_ADMIN)"
        if os.environ.get("TICKETDESK_REQUIRE_TMPFS") == "1" or os.environ.get("CI") == "true":
            pytest.fail(f"the disk-full test is mandatory here (TICKETDESK_REQUIRE_TMPFS=1 "
                        f"or CI=true) but {reason}")
        pytest.skip(reason)
    try:
        yield path
    finally:
        subprocess.run(["umount", "--lazy", str(path)], check=True)


def upload_stream(ticket: str, display_name: str, data: bytes, request_id: str):
    async def messages():
        yield files_pb2.UploadFileRequest(metadata=files_pb2.UploadMetadata(
            ticket=ticket, display_name=display_name, declared_size=len(data),
            request_id=request_id))
        for i in range(0, len(data), CHUNK):
            yield files_pb2.UploadFileRequest(chunk=data[i:i + CHUNK])
    return messages()


def text_of(size: int) -> bytes:
    """`size` bytes of plain text (an allowed type) that no two calls repeat."""
    line = 64
    return b"".join(os.urandom(line // 2).hex().encode()[:line - 1] + b"\n"
                    for _ in range(size // line))


def files_in(store: Path) -> list[Path]:
    """Everything the store holds: finished files and temporary parts alike."""
    return [p for p in store.rglob("*") if p.is_file()]


async def download(files, caller, name: str) -> bytes:
    content = b""
    async for message in files.DownloadFile(files_pb2.DownloadFileRequest(name=name),
                                            metadata=caller, timeout=30):
        content += message.chunk
    return content


async def test_upload_into_a_full_store_fails_cleanly_and_leaves_nothing(stack, tmp_path):
    """An upload larger than the space left answers RESOURCE_EXHAUSTED (reason
    STORAGE_FULL, a readable message, not UNKNOWN/INTERNAL); no part of it stays in the
    store, temporary files included, and no file record is left; a small upload right
    after succeeds and reads back intact."""
    world = await World.create(stack)
    ticket = await world.ticket_in(Status.QUEUED)
    client = world.people["client"]
    with small_disk(tmp_path / "store", STORE_BYTES) as store:
        settings = stack.settings.model_copy(update={"files_dir": store})
        server = await start_server(await build_files(settings), settings, 0)
        link = channel(f"127.0.0.1:{server.port}")
        try:
            files = files_pb2_grpc.FileServiceStub(link)
            big = text_of(STORE_BYTES + MiB)
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await files.UploadFile(upload_stream(ticket.name, "server.log.txt", big, "big"),
                                       metadata=client, timeout=60)
            error = refused.value
            leftovers = files_in(store)
            listed = await stack.clients.files.ListFiles(
                files_pb2.ListFilesRequest(parent=ticket.name), metadata=client)
            small = text_of(64 * 1024)
            stored = await files.UploadFile(upload_stream(ticket.name, "notes.txt", small,
                                                          "small"), metadata=client, timeout=60)
            read_back = await download(files, client, stored.name)
        finally:
            await link.close()
            await server.stop(grace=1)

    assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, (error.code(), error.details())
    assert error_details(error)[0] == "STORAGE_FULL" and "no space left" in error.details()
    assert leftovers == [], f"a refused upload left {leftovers}"
    assert list(listed.files) == [], "a refused upload left a file record"
    assert read_back == small
    report(f"faults: disk full ({stack.settings.database_url('files').split('+')[0]}): "
           f"{len(big) // MiB} MiB upload into a {STORE_BYTES // MiB} MiB store → "
           f"{error.code().name} «{error.details()}»; leftovers 0, records 0; "
           f"a {len(small) // 1024} KiB upload after it stored and read back")
