"""`python -m ui`: the TicketDesk web UI."""

from __future__ import annotations

import secrets

from nicegui import ui
from nicegui.storage import Storage

from services.common.config import load_settings

from .app import build
from .files import GZipExceptFiles


def main() -> None:
    settings = load_settings()
    build(settings)
    # User storage (it holds the session tokens) lives with the rest of the data.
    Storage.path = (settings.data_dir / 'ui-storage').resolve()
    secret = settings.ui_storage_secret.get_secret_value() or secrets.token_urlsafe(32)
    ui.run(host=settings.host, port=settings.ui_port, title='TicketDesk', language='ru',
           storage_secret=secret, reload=False, show=False, favicon='🛠️',
           session_middleware_kwargs={'same_site': 'lax', 'max_age': 12 * 60 * 60},
           gzip_middleware_factory=GZipExceptFiles)


if __name__ in {'__main__', '__mp_main__'}:
    main()
