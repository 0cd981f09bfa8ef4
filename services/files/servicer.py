"""The gRPC face of the files service: each method calls its use case and converts."""

from __future__ import annotations

from services.files import convert
from services.files.usecases import download, listing, upload
from services.files.usecases.context import Context
from ticketdesk.files.v1 import files_pb2, files_pb2_grpc


class FileServicer(files_pb2_grpc.FileServiceServicer):
    def __init__(self, ctx: Context):
        self.ctx = ctx

    async def UploadFile(self, request_iterator, context) -> files_pb2.File:
        return convert.file(await upload.upload(self.ctx, request_iterator))

    async def DownloadFile(self, request: files_pb2.DownloadFileRequest, context):
        async for part in download.download(self.ctx, request.name):
            yield convert.download_part(part)

    async def GetFile(self, request: files_pb2.GetFileRequest, context) -> files_pb2.File:
        return convert.file(await download.get(self.ctx, request.name))

    async def ListFiles(self, request: files_pb2.ListFilesRequest,
                        context) -> files_pb2.ListFilesResponse:
        rows, token = await listing.list_files(self.ctx, request)
        return files_pb2.ListFilesResponse(files=map(convert.file, rows), next_page_token=token)
