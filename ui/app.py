"""Builds the web UI: the pages, the auth middleware and the service clients."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import PlainTextResponse, RedirectResponse
from nicegui import app, core
from starlette.datastructures import Headers
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from services.common.platform.config import Settings

from . import api, files, observability

PUBLIC_PATHS = {'/login', '/favicon.ico', '/login/session'}
# NiceGUI's own static files, websocket and upload routes.
INTERNAL_PREFIX = '/_nicegui'
# Where an account with a manager-issued password must choose its own (ui/pages/login.py).
PASSWORD_PAGE = '/password'


class AuthMiddleware(BaseHTTPMiddleware):
    """Sends every request without a signed-in user to /login, and every request of an
    account that must change its password to the page that changes it."""

    async def dispatch(self, request: Request, call_next):
        path = request.url.path
        if is_public(path):
            return await call_next(request)
        account = api.current_account()
        if account is None:
            return RedirectResponse('/login')
        if account.password_change_required and path != PASSWORD_PAGE:
            return RedirectResponse(PASSWORD_PAGE)
        return await call_next(request)


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(INTERNAL_PREFIX)


# --- requests from other sites (CSRF, cross-site WebSocket) -------------------------------

SAFE_METHODS = frozenset({'GET', 'HEAD', 'OPTIONS'})


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


def build(settings: Settings) -> None:
    """Registers everything before `ui.run()`."""
    # Importing a page module registers its page; /tickets/new before /tickets/{number}.
    from .pages import login, tickets_list, ticket_new, ticket_card  # noqa: F401
    from .pages import queue  # noqa: F401  (the developers' workspace, /queue)
    from .pages import profile  # noqa: F401  (/profile)
    from .pages import (admin_organizations, admin_settings, admin_staff,  # noqa: F401
                        admin_tokens)

    api.setup(settings)
    files.register(settings.max_upload_bytes)  # GET /files/{id}, /files/{id}/preview
    app.add_middleware(AuthMiddleware)
    app.add_middleware(SameOriginMiddleware, public_url=settings.public_url)
    core.sio.eio.cors_allowed_origins = socket_origin_check(settings.public_url)
    observability.install()  # after (outside) the sign-in check: it counts its redirects
