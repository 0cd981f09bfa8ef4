"""The files service as one account sees it: the attachments of a ticket, streamed up and
down in chunks. What the account may read follows the ticket (a foreign file answers
exactly like a missing one)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import grpc

from ticketdesk.files.v1 import files_pb2

from .base import DOWNLOAD_TIMEOUT, UPLOAD_TIMEOUT, Client
from .errors import failure

# The service takes chunks of up to 1 MiB, and the largest cost the least: the files
# service and gRPC spend CPU per message whatever its size, so 1 MiB chunks
# upload faster than 256 KiB ones. bench/files.py uploads with this size too.
UPLOAD_CHUNK_BYTES = 1024 * 1024
OWN_FILES = '-'  # ListFilesRequest.comment: the ticket's own files, not its comments'


def file_name(file_id: str) -> str:
    return f'files/{file_id}'


class FilesClient(Client):
    """FileService's calls with the account's token."""

    async def files(self, ticket: str, comment: str = '') -> list[files_pb2.File]:
        """The ticket's files the account may see, oldest first: all of them, or those of one
        comment (`tickets/1/comments/2`), or the ticket's own (`OWN_FILES`)."""
        request = files_pb2.ListFilesRequest(parent=ticket, comment=comment)
        return await self.all_pages(self.stubs.files.ListFiles, request, 'files')

    async def get_file(self, name: str) -> files_pb2.File:
        return await self.call(self.stubs.files.GetFile, files_pb2.GetFileRequest(name=name))

    async def upload(self, chunks: AsyncIterator[bytes], *, ticket: str, display_name: str,
                     size: int, content_type: str, request_id: str, comment: str = '',
                     progress: Callable[[int], None] | None = None) -> files_pb2.File:
        """Streams a file to the ticket (or its comment): the metadata first, then the
        chunks. `progress` hears how many bytes went so far after each chunk."""
        metadata = files_pb2.UploadMetadata(
            ticket=ticket, comment=comment, display_name=display_name, declared_size=size,
            declared_content_type=content_type, request_id=request_id)

        async def requests() -> AsyncIterator[files_pb2.UploadFileRequest]:
            yield files_pb2.UploadFileRequest(metadata=metadata)
            sent = 0
            async for chunk in chunks:
                for start in range(0, len(chunk), UPLOAD_CHUNK_BYTES):
                    part = chunk[start:start + UPLOAD_CHUNK_BYTES]
                    yield files_pb2.UploadFileRequest(chunk=part)
                    sent += len(part)
                    if progress is not None:
                        progress(sent)

        return await self.call(self.stubs.files.UploadFile, requests(), timeout=UPLOAD_TIMEOUT)

    async def download(self, name: str) -> Download:
        """Opens the file's stream and reads its metadata; the content follows."""
        call = self.stubs.files.DownloadFile(files_pb2.DownloadFileRequest(name=name),
                                             metadata=self.metadata, timeout=DOWNLOAD_TIMEOUT)
        with self.told():
            first = await call.read()
        if first is grpc.aio.EOF or first.WhichOneof('part') != 'file':
            call.cancel()
            raise failure(grpc.StatusCode.NOT_FOUND, 'NOT_FOUND', self.language)
        return Download(first.file, call, self)


@dataclass
class Download:
    """An open DownloadFile stream whose first message (the file's metadata) is read."""

    file: files_pb2.File
    call: grpc.aio.UnaryStreamCall
    client: FilesClient

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            with self.client.told():
                while (message := await self.call.read()) is not grpc.aio.EOF:
                    yield message.chunk
        finally:
            self.call.cancel()  # the reader went away: stop reading from the service

    def cancel(self) -> None:
        self.call.cancel()
