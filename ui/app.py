"""Builds the web UI: the pages, the auth middleware and the service clients."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app
from starlette.middleware.base import BaseHTTPMiddleware

from services.common.config import Settings

from . import api, files, observability

PUBLIC_PATHS = {'/login', '/favicon.ico'}
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
    observability.install()  # after (outside) the sign-in check: it counts its redirects
