"""The web UI's checks of every request, before any page: the sign-in, the first password,
requests from other sites (CSRF, a cross-site WebSocket) and the size of an upload."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from nicegui import app, core
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from services.common.platform.config import Settings

from . import routes
from .i18n import _
from .session import current_account

# A multipart body carries one file plus its part headers.
MULTIPART_SLACK_BYTES = 64 * 1024
SAFE_METHODS = frozenset({'GET', 'HEAD', 'OPTIONS'})


def install(settings: Settings) -> None:
    """The checks, innermost first; call before `ui.run()`."""
    app.add_middleware(UploadSizeLimit, limit_bytes=settings.max_upload_bytes)
    app.add_middleware(AuthMiddleware)
    app.add_middleware(SameOriginMiddleware, public_url=settings.public_url)
    core.sio.eio.cors_allowed_origins = socket_origin_check(settings.public_url)


class AuthMiddleware(BaseHTTPMiddleware):
    """Sends every request without a signed-in user to the login page, and every request of
    an account that must change its password to the page that changes it."""

    async def dispatch(self, request: Request, call_next):
        path = request.url.path
        if routes.is_public(path):
            return await call_next(request)
        account = current_account()
        if account is None:
            return RedirectResponse(routes.LOGIN)
        if account.password_change_required and path != routes.PASSWORD:
            return RedirectResponse(routes.PASSWORD)
        return await call_next(request)


# --- requests from other sites (CSRF, cross-site WebSocket) -------------------------------

def origin_of(url: str) -> str:
    """`https://tickets.example.com/path` -> `https://tickets.example.com`."""
    parts = urlsplit(url)
    return f'{parts.scheme}://{parts.netloc}'.lower() if parts.scheme and parts.netloc else ''


def is_same_origin(origin: str, scheme: str, host: str, public_url: str = '') -> bool:
    """Whether a browser's `Origin` is this UI itself: the address it was asked at (Host,
    behind the proxy too) or its public address."""
    origin = origin.strip().lower()
    return bool(origin) and origin in {f'{scheme}://{host}'.lower(), origin_of(public_url)}


class SameOriginMiddleware:
    """Refuses a request that changes something (an upload) when the browser says it comes
    from another site, so that no page elsewhere can act in a signed-in person's session."""

    def __init__(self, app: ASGIApp, public_url: str = ''):
        self.app = app
        self.public_url = public_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] == 'http' and scope['method'] not in SAFE_METHODS \
                and self._cross_site(Headers(scope=scope), scope.get('scheme', 'http')):
            await PlainTextResponse('Cross-site request refused', status_code=403)(
                scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _cross_site(self, headers: Headers, scheme: str) -> bool:
        origin = headers.get('origin')
        if origin is None:  # an old browser sends no Origin; a new one also tells the site
            return headers.get('sec-fetch-site', 'same-origin') not in ('same-origin', 'none')
        return not is_same_origin(origin, scheme, headers.get('host', ''), self.public_url)


def socket_origin_check(public_url: str):
    """python-engineio's check of a socket's Origin: this UI only (NiceGUI allows any)."""
    def allowed(origin: str | None, environ: dict) -> bool:
        return origin is None or is_same_origin(
            origin, environ.get('wsgi.url_scheme', 'http'), environ.get('HTTP_HOST', ''),
            public_url)
    return allowed


# --- the size of an upload ------------------------------------------------------------------

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
                or not routes.UPLOAD.match(scope['path']):
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
