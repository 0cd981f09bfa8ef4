"""Attachments in the web UI: the download and preview routes, the FileService streams
and the list of a ticket's files as the card shows them.

The routes use the signed-in user's token, kept on the server (`app.storage.user`): the
files service decides what the user may read, and a foreign file answers exactly like a
missing one (404). No token ever appears in a URL.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from urllib.parse import quote

import grpc
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from nicegui import app, ui
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from services.common.client.channels import bearer
from ticketdesk.files.v1 import files_pb2

from . import api, i18n
from .api import Account, Api, ApiError
from .i18n import N_, _

UPLOAD_CHUNK_BYTES = 256 * 1024
UPLOAD_TIMEOUT = 300.0
DOWNLOAD_TIMEOUT = 600.0
LIST_PAGE_SIZE = 200
# A multipart body carries one file plus its part headers.
MULTIPART_SLACK_BYTES = 64 * 1024

FILE_ID = re.compile(r'^[0-9a-f]{32}$')
UPLOAD_PATH = re.compile(r'^/_nicegui/client/[^/]+/upload/[^/]+$')
PREVIEW_TYPES = frozenset({'image/png', 'image/jpeg', 'image/gif', 'image/webp'})
PROTECTIVE_HEADERS = {
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; sandbox",
    'Cache-Control': 'private, no-store',
}

TOO_LARGE = N_('Файл больше {limit}')
TYPE_NOT_ALLOWED = N_('Такой тип файла не поддерживается: разрешены изображения, PDF, '
                      'документы Office, таблицы, текст, CSV, ZIP')
PARENT_GONE = N_('Тикет или комментарий не найден: файл не прикреплён.')
# Plain HTTP answers about a file (no page, so no client: the language is the account's).
FILE_PAGE = '''<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<title>{title} — TicketDesk</title></head><body style="font-family: sans-serif;
text-align: center; padding: 4rem"><h1>{title}</h1>
<p>{text}</p><p><a href="/">{back}</a></p></body></html>'''
NOT_FOUND = (N_('Файл не найден'), N_('Файл удалён или недоступен вам.'))
UNAVAILABLE = (N_('Файл сейчас недоступен'), N_('Попробуйте ещё раз через минуту.'))


# --- pure helpers ------------------------------------------------------------------------

def format_size(size: int, *, limit: int | None = None) -> str:
    """`2621440` -> «2,5 МБ» (2.5 MB in English): binary units, one decimal, rounded down
    so that a size under a limit never reads as the limit; a size over `limit` is rounded
    up instead, so that it never reads as the limit either (25 МБ + 1 Б: «25,1 МБ»)."""
    if size < 1024:
        return _('{size} Б').format(size=size)
    unit, name = 1024, N_('КБ')
    if size >= 1024 * 1024:
        unit, name = 1024 * 1024, N_('МБ')
    tenths = size * 10 // unit
    if limit is not None and size > limit and size * 10 % unit:
        tenths += 1  # a part of a tenth over the limit is a whole tenth
    shown = f'{tenths // 10}.{tenths % 10}'.removesuffix('.0')
    if i18n.current_language() == 'ru':
        shown = shown.replace('.', ',')  # the Russian decimal comma
    return f'{shown} {_(name)}'


def ascii_fallback(name: str) -> str:
    """A quoted-string-safe ASCII name for old clients: «Отчёт.csv» -> `file.csv`."""
    stem, dot, extension = name.rpartition('.')
    if not dot or not stem:
        stem, extension = name, ''
    stem = _ascii(stem, r'[^A-Za-z0-9._ ()-]+').strip(' ._')
    if not re.search(r'[A-Za-z0-9]', stem):
        stem = 'file'
    extension = _ascii(extension, r'[^A-Za-z0-9]+')
    return f'{stem}.{extension}' if extension else stem


def _ascii(text: str, unsafe: str) -> str:
    plain = unicodedata.normalize('NFKD', text).encode('ascii', 'ignore').decode()
    return re.sub(unsafe, '_', plain)


def content_disposition(name: str, *, inline: bool = False) -> str:
    """RFC 6266 with an RFC 5987 `filename*` for the real (UTF-8) name."""
    kind = 'inline' if inline else 'attachment'
    return f'{kind}; filename="{ascii_fallback(name)}"; filename*=UTF-8\'\'{quote(name, safe="")}'


def file_headers(file: files_pb2.File, *, inline: bool = False) -> dict[str, str]:
    return {'Content-Type': file.content_type or 'application/octet-stream',
            'Content-Length': str(file.size_bytes),
            'Content-Disposition': content_disposition(file.display_name, inline=inline),
            **PROTECTIVE_HEADERS}


def upload_problem(error: ApiError, limit: int) -> str:
    """What the person reads next to a file the files service refused."""
    if error.reason == 'FILE_TOO_LARGE':
        return too_large(limit)
    if error.reason == 'FILE_TYPE_NOT_ALLOWED':
        return _(TYPE_NOT_ALLOWED)
    if error.code == grpc.StatusCode.NOT_FOUND:
        return _(PARENT_GONE)
    return error.message


def too_large(limit: int) -> str:
    return _(TOO_LARGE).format(limit=format_size(limit))


def file_id(file: files_pb2.File) -> str:
    return file.name.removeprefix('files/')


def is_previewable(file: files_pb2.File) -> bool:
    return file.content_type in PREVIEW_TYPES


# --- FileService calls -------------------------------------------------------------------

async def upload(session: Api, *, ticket: str, comment: str, display_name: str, size: int,
                 content_type: str, request_id: str,
                 chunks: AsyncIterator[bytes]) -> files_pb2.File:
    """UploadFile: the metadata first, then the chunks (≤ 256 KiB each)."""
    metadata = files_pb2.UploadMetadata(
        ticket=ticket, comment=comment, display_name=display_name, declared_size=size,
        declared_content_type=content_type, request_id=request_id)

    async def requests() -> AsyncIterator[files_pb2.UploadFileRequest]:
        yield files_pb2.UploadFileRequest(metadata=metadata)
        async for chunk in chunks:
            for start in range(0, len(chunk), UPLOAD_CHUNK_BYTES):
                yield files_pb2.UploadFileRequest(chunk=chunk[start:start + UPLOAD_CHUNK_BYTES])

    try:
        return await api.file_service().UploadFile(
            requests(), metadata=bearer(session.account.token), timeout=UPLOAD_TIMEOUT)
    except grpc.aio.AioRpcError as error:
        raise api.translate(error) from None


async def list_files(session: Api, ticket: str) -> list[files_pb2.File]:
    """Every file of the ticket the user may see (its own and its comments'), oldest first."""
    found: list[files_pb2.File] = []
    token = ''
    while True:
        request = files_pb2.ListFilesRequest(parent=ticket, page_size=LIST_PAGE_SIZE,
                                             page_token=token)
        try:
            page = await api.file_service().ListFiles(
                request, metadata=bearer(session.account.token), timeout=api.CALL_TIMEOUT)
        except grpc.aio.AioRpcError as error:
            raise api.translate(error) from None
        found.extend(page.files)
        token = page.next_page_token
        if not token:
            return found


@dataclass
class Download:
    """An open DownloadFile stream whose first message (the file's metadata) is read."""

    file: files_pb2.File
    call: grpc.aio.UnaryStreamCall

    @classmethod
    async def open(cls, account: Account, file_id: str) -> Download:
        call = api.file_service().DownloadFile(
            files_pb2.DownloadFileRequest(name=f'files/{file_id}'),
            metadata=bearer(account.token), timeout=DOWNLOAD_TIMEOUT)
        try:
            first = await call.read()
        except grpc.aio.AioRpcError as error:
            raise api.translate(error) from None
        if first is grpc.aio.EOF or first.WhichOneof('part') != 'file':
            call.cancel()
            raise ApiError(_('Файл не найден'), code=grpc.StatusCode.NOT_FOUND)
        return cls(first.file, call)

    async def chunks(self) -> AsyncIterator[bytes]:
        try:
            while (message := await self.call.read()) is not grpc.aio.EOF:
                yield message.chunk
        finally:
            self.call.cancel()  # the browser went away: stop reading from the service


# --- HTTP routes -------------------------------------------------------------------------

async def download_route(file_id: str) -> Response:
    return await serve_file(file_id, inline=False)


async def preview_route(file_id: str) -> Response:
    return await serve_file(file_id, inline=True)


async def serve_file(file_id: str, *, inline: bool) -> Response:
    account = api.current_account()
    if account is None:
        return RedirectResponse('/login')
    if not FILE_ID.match(file_id):
        return not_found_page()
    try:
        download = await Download.open(account, file_id)
    except ApiError as error:
        return error_page(error)
    if inline and not is_previewable(download.file):
        download.call.cancel()
        return not_found_page()
    return StreamingResponse(download.chunks(), headers=file_headers(download.file, inline=inline))


def not_found_page() -> HTMLResponse:
    return HTMLResponse(file_page(NOT_FOUND, _reader_language()), status_code=404,
                        headers=PROTECTIVE_HEADERS)


def error_page(error: ApiError) -> Response:
    if error.session_expired:
        return RedirectResponse('/login?expired=1')
    if error.not_found or error.code == grpc.StatusCode.INVALID_ARGUMENT:
        return not_found_page()
    return HTMLResponse(file_page(UNAVAILABLE, _reader_language()), status_code=503,
                        headers=PROTECTIVE_HEADERS)


def file_page(message: tuple[str, str], code: str) -> str:
    """The plain page telling `message` (title, text) in the language `code`."""
    def text(msgid: str) -> str:
        return html.escape(i18n.translate(msgid, code))

    title, body = message
    return FILE_PAGE.format(lang=i18n.QUASAR.get(code, i18n.DEFAULT), title=text(title),
                            text=text(body), back=text(N_('Все тикеты')))


def _reader_language() -> str:
    account = api.current_account()  # an HTTP request: the storage is the requester's own
    return account.language if account else i18n.DEFAULT


class UploadSizeLimit:
    """Refuses an upload body larger than one file may be, before NiceGUI stores it.

    `ui.upload(max_file_size=...)` is checked only in the browser; this is the server's
    own check (413), by the declared length and by the bytes actually received.
    """

    def __init__(self, app: ASGIApp, limit_bytes: int):
        self.app = app
        self.cap = limit_bytes + MULTIPART_SLACK_BYTES

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] != 'http' or scope['method'] != 'POST' \
                or not UPLOAD_PATH.match(scope['path']):
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get('content-length', '')
        if declared.isdigit() and int(declared) > self.cap:
            await Response(_('Файл слишком большой'), status_code=413)(scope, receive, send)
            return
        await self.app(scope, self._counted(receive), send)

    def _counted(self, receive: Receive) -> Receive:
        received = 0

        async def counted():
            nonlocal received
            message = await receive()
            received += len(message.get('body', b''))
            if received > self.cap:
                raise HTTPException(413, _('Файл слишком большой'))
            return message

        return counted


class GZipExceptFiles:
    """NiceGUI's compression for pages, none for attachments: a download keeps its
    Content-Length and is sent as stored."""

    def __init__(self, app: ASGIApp):
        self.app = app
        self.gzip = GZipMiddleware(app)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] == 'http' and scope['path'].startswith('/files/'):
            await self.app(scope, receive, send)
        else:
            await self.gzip(scope, receive, send)


def register(limit_bytes: int) -> None:
    """The routes and the upload limit; call before `ui.run()`."""
    app.add_api_route('/files/{file_id}', download_route, methods=['GET'],
                      include_in_schema=False)
    app.add_api_route('/files/{file_id}/preview', preview_route, methods=['GET'],
                      include_in_schema=False)
    app.add_middleware(UploadSizeLimit, limit_bytes=limit_bytes)


# --- showing files -----------------------------------------------------------------------

def attachment_list(files: list[files_pb2.File], *, dense: bool = False) -> None:
    """Tiles of files: a thumbnail for images, an icon otherwise; the name downloads it."""
    with ui.row().classes('td-files w-full gap-3 items-stretch').mark('files'):
        for file in files:
            _tile(file, dense)


def _tile(file: files_pb2.File, dense: bool) -> None:
    width = 'w-40' if dense else 'w-48'
    with ui.column().classes(f'td-file {width} gap-1 p-2 rounded bg-white border') \
            .style('border-color: #e0e0e0').mark('file'):
        if is_previewable(file):
            with ui.link(target=f'/files/{file_id(file)}/preview', new_tab=True) \
                    .classes('block w-full'):
                ui.image(f'/files/{file_id(file)}/preview') \
                    .classes(f'w-full {"h-20" if dense else "h-28"} rounded bg-grey-2') \
                    .props('fit=contain no-spinner no-transition').mark('file-preview')
        else:
            with ui.row().classes(f'w-full {"h-12" if dense else "h-16"} items-center '
                                  'justify-center rounded bg-grey-2'):
                ui.icon(_icon(file.content_type), size='md', color='grey-7')
        ui.link(file.display_name, target=f'/files/{file_id(file)}') \
            .classes('text-body2 w-full').style('overflow-wrap: anywhere').mark('file-link')
        ui.label(format_size(file.size_bytes)).classes('text-xs text-grey-7')


def _icon(content_type: str) -> str:
    kinds: list[tuple[Callable[[str], bool], str]] = [
        (lambda t: t.startswith('image/'), 'image'),
        (lambda t: t == 'application/pdf', 'picture_as_pdf'),
        (lambda t: 'spreadsheet' in t or 'excel' in t or t.startswith('text/csv'), 'table_chart'),
        (lambda t: t == 'application/zip', 'folder_zip'),
    ]
    return next((icon for test, icon in kinds if test(content_type)), 'description')

