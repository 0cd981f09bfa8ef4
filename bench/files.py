"""Scenario 4: attachments (20 and 200 MiB) uploaded to and downloaded from the files
service, against copying the same bytes on the local disk (with fsync, as the store does).
Uploads go in the web UI's chunks (`UPLOAD_CHUNK_BYTES`); downloads come in the service's."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from pathlib import Path

from bench.create import create_ticket
from bench.stats import side_by_side
from tests.support.stack import Organization, Stack
from ticketdesk.files.v1 import files_pb2
from ui.clients.files import UPLOAD_CHUNK_BYTES

CHUNK = UPLOAD_CHUNK_BYTES  # what the web UI sends, also the disk copy's block
MIB = 1024 * 1024
GOAL = 0.5  # throughput, system / baseline


def pdf_bytes(size: int) -> bytes:
    """An allowed type (PDF, by its header) that no compressor or text check shortcuts."""
    head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    return head + os.urandom(size - len(head))


async def upload(stack: Stack, org: Organization, ticket: str, body: bytes) -> files_pb2.File:
    async def parts():
        yield files_pb2.UploadFileRequest(metadata=files_pb2.UploadMetadata(
            ticket=ticket, display_name="макет.pdf", declared_size=len(body),
            request_id=uuid.uuid4().hex))
        for i in range(0, len(body), CHUNK):
            yield files_pb2.UploadFileRequest(chunk=body[i:i + CHUNK])
    return await stack.clients.files.UploadFile(parts(), metadata=org.client)


async def download(stack: Stack, org: Organization, name: str) -> int:
    received = 0
    async for message in stack.clients.files.DownloadFile(
            files_pb2.DownloadFileRequest(name=name), metadata=org.client):
        received += len(message.chunk)
    return received


def disk_copy(source: Path, target: Path) -> None:
    with source.open("rb") as reader, target.open("wb") as writer:
        shutil.copyfileobj(reader, writer, CHUNK)
        writer.flush()
        os.fsync(writer.fileno())
    target.unlink()


async def run(stack: Stack, org: Organization, size_mib: int, count: int,
              scratch: Path) -> list[dict]:
    body = pdf_bytes(size_mib * MIB)
    ticket = (await create_ticket(stack, org, 0)).name
    source = scratch / "source.pdf"
    source.write_bytes(body)
    stored: list[str] = []

    def copy(i: int):
        return asyncio.to_thread(disk_copy, source, scratch / f"copy-{i}")

    async def up(_: int) -> None:
        stored.append((await upload(stack, org, ticket, body)).name)

    async def down(i: int) -> None:
        if await download(stack, org, stored[i]) != len(body):
            raise RuntimeError("the download is not the uploaded file")

    uploads = await side_by_side(up, copy, count, unit_per_op=size_mib, rounds=count)
    downloads = await side_by_side(down, copy, count, unit_per_op=size_mib, rounds=count)
    return [_row(f"upload {size_mib} MiB", uploads), _row(f"download {size_mib} MiB", downloads)]


def _row(case: str, figures: dict) -> dict:
    return {"scenario": "4 Files", "case": case, "baseline_is": "local disk copy + fsync",
            "unit": "MiB/s", **figures, "goal": f"throughput >= {GOAL}x baseline",
            "met": figures["ratio"]["throughput"] >= GOAL}
