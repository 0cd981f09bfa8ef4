"""The gRPC face of the files service: requests in, logic.py does the work.

ApiErrors raised by the logic become rich statuses in the shared interceptor.
"""

from __future__ import annotations

from services.files.logic import FileLogic
from ticketdesk.files.v1 import files_pb2, files_pb2_grpc


class FileServicer(files_pb2_grpc.FileServiceServicer):
    def __init__(self, logic: FileLogic):
        self._logic = logic

    async def UploadFile(self, request_iterator, context) -> files_pb2.File:
        return await self._logic.upload(request_iterator)

    async def DownloadFile(self, request: files_pb2.DownloadFileRequest, context):
        async for response in self._logic.download(request.name):
            yield response

    async def GetFile(self, request: files_pb2.GetFileRequest, context) -> files_pb2.File:
        return await self._logic.get(request.name)

    async def ListFiles(self, request: files_pb2.ListFilesRequest,
                        context) -> files_pb2.ListFilesResponse:
        return await self._logic.list(request)
