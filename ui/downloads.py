"""The attachments' HTTP routes: `/files/{id}` downloads a file, `/files/{id}/preview` shows
an image in the browser.

The routes use the signed-in person's token, kept on the server (`app.storage.user`): the
files service decides what the person may read, and a foreign file answers exactly like a
missing one (404). No token ever appears in a URL. The content is streamed as stored, with
headers that keep the browser from running it.
"""

from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import quote

import grpc
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from nicegui import app
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from ticketdesk.files.v1 import files_pb2

from . import routes
from .clients.errors import ApiError
from .clients.files import file_name
from .components.attachments import is_previewable
from .i18n import DEFAULT, N_, QUASAR, translate
from .session import Session, current_account

FILE_ID = re.compile(r'^[0-9a-f]{32}$')
PROTECTIVE_HEADERS = {
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; sandbox",
    'Cache-Control': 'private, no-store',
}
# Plain HTTP answers about a file (no page, so no client: the language is the account's).
FILE_PAGE = '''<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<title>{title} — TicketDesk</title></head><body style="font-family: sans-serif;
text-align: center; padding: 4rem"><h1>{title}</h1>
<p>{text}</p><p><a href="{home}">{back}</a></p></body></html>'''
NOT_FOUND = (N_('Файл не найден'), N_('Файл удалён или недоступен вам.'))
UNAVAILABLE = (N_('Файл сейчас недоступен'), N_('Попробуйте ещё раз через минуту.'))


def register() -> None:
    """The two routes; call before `ui.run()`."""
    app.add_api_route(routes.FILE, download_route, methods=['GET'], include_in_schema=False)
    app.add_api_route(routes.FILE_PREVIEW, preview_route, methods=['GET'],
                      include_in_schema=False)


async def download_route(file_id: str) -> Response:
    return await serve_file(file_id, inline=False)


async def preview_route(file_id: str) -> Response:
    return await serve_file(file_id, inline=True)


async def serve_file(file_id: str, *, inline: bool) -> Response:
    account = current_account()  # an HTTP request: the storage is the requester's own
    if account is None:
        return RedirectResponse(routes.LOGIN)
    if not FILE_ID.match(file_id):
        return not_found_page(account.language)
    try:
        download = await Session.of(account).files.download(file_name(file_id))
    except ApiError as error:
        return error_page(error, account.language)
    if inline and not is_previewable(download.file):
        download.cancel()
        return not_found_page(account.language)
    return StreamingResponse(download.chunks(), headers=file_headers(download.file, inline=inline))


# --- the headers ----------------------------------------------------------------------------

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


# --- the plain pages of a file that cannot be sent ------------------------------------------

def not_found_page(language: str) -> HTMLResponse:
    return HTMLResponse(file_page(NOT_FOUND, language), status_code=404,
                        headers=PROTECTIVE_HEADERS)


def error_page(error: ApiError, language: str) -> Response:
    if error.session_expired:
        return RedirectResponse(routes.login(expired=True))
    if error.not_found or error.code == grpc.StatusCode.INVALID_ARGUMENT:
        return not_found_page(language)
    return HTMLResponse(file_page(UNAVAILABLE, language), status_code=503,
                        headers=PROTECTIVE_HEADERS)


def file_page(message: tuple[str, str], code: str) -> str:
    """The plain page telling `message` (title, text) in the language `code`."""
    def text(msgid: str) -> str:
        return html.escape(translate(msgid, code))

    title, body = message
    return FILE_PAGE.format(lang=QUASAR.get(code, DEFAULT), title=text(title), text=text(body),
                            home=routes.HOME, back=text(N_('Все тикеты')))


class GZipExceptFiles:
    """NiceGUI's compression for pages, none for attachments: a download keeps its
    Content-Length and is sent as stored."""

    def __init__(self, app: ASGIApp):
        self.app = app
        self.gzip = GZipMiddleware(app)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] == 'http' and scope['path'].startswith(routes.FILES_PREFIX):
            await self.app(scope, receive, send)
        else:
            await self.gzip(scope, receive, send)
