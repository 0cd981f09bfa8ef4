"""Builds the web UI: the pages, the auth middleware and the service clients."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app
from starlette.middleware.base import BaseHTTPMiddleware

from services.common.config import Settings

from . import api, files

PUBLIC_PATHS = {'/login', '/favicon.ico'}
# NiceGUI's own static files, websocket and upload routes.
INTERNAL_PREFIX = '/_nicegui'


class AuthMiddleware(BaseHTTPMiddleware):
    """Sends every request without a signed-in user to /login."""

    async def dispatch(self, request: Request, call_next):
        if is_public(request.url.path) or api.current_account() is not None:
            return await call_next(request)
        return RedirectResponse('/login')


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(INTERNAL_PREFIX)


def build(settings: Settings) -> None:
    """Registers everything before `ui.run()`."""
    # Importing a page module registers its page; /tickets/new before /tickets/{number}.
    from .pages import login, tickets_list, ticket_new, ticket_card  # noqa: F401
    from .pages import queue  # noqa: F401  (the developers' workspace, /queue)
    from .pages import (admin_organizations, admin_settings, admin_staff,  # noqa: F401
                        admin_tokens)

    api.setup(settings)
    files.register(settings.max_upload_bytes)  # GET /files/{id}, /files/{id}/preview
    app.add_middleware(AuthMiddleware)
