"""`python -m ui`: the TicketDesk web UI."""

from __future__ import annotations

import secrets

from nicegui import ui
from nicegui.storage import Storage

from services.common.platform.config import Settings, load_settings

from . import observability, routes
from .app import build
from .downloads import GZipExceptFiles


def main() -> None:
    settings = load_settings()
    secret = storage_secret(settings)
    observability.serve(settings)
    build(settings)
    # User storage (it holds the session tokens) lives with the rest of the data, or in
    # Redis when NICEGUI_REDIS_URL is set (several replicas).
    Storage.path = (settings.data_dir / 'ui-storage').resolve()
    ui.run(host=settings.host, port=settings.ui_port, title='TicketDesk', language='ru',
           storage_secret=secret, reload=False, show=False, favicon='🛠️',
           session_middleware_kwargs=session_cookie(settings),
           gzip_middleware_factory=GZipExceptFiles, tailwind=False)


def session_cookie(settings: Settings) -> dict:
    """The session cookie's options (Starlette's SessionMiddleware, which makes it HttpOnly):
    not sent by other sites' requests (SameSite=Lax), only over HTTPS when the UI's public
    address is HTTPS (production, behind the proxy)."""
    return {'same_site': 'lax', 'max_age': 12 * 60 * 60, 'path': routes.ROOT,
            'https_only': settings.web_url.startswith('https://')}


def storage_secret(settings: Settings) -> str:
    """Signs the session cookie. Replicas that share their user storage in Redis must
    share it too, or a person signed in on one is a stranger to the next."""
    secret = settings.ui_storage_secret.get_secret_value()
    if secret:
        return secret
    if Storage.redis_url:
        raise SystemExit('configuration error: TICKETDESK_UI_STORAGE_SECRET: required with '
                         'NICEGUI_REDIS_URL (every UI replica signs with the same secret)')
    return secrets.token_urlsafe(32)


if __name__ in {'__main__', '__mp_main__'}:
    main()
