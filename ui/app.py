"""Builds the web UI: everything is registered here, explicitly, before `ui.run()`."""

from __future__ import annotations

from nicegui import app

from services.common.platform.config import Settings

from . import downloads, observability, security
from .clients import channels
from .pages import admin, auth, tickets, workspace


def build(settings: Settings) -> None:
    """The service channels, the pages of every area, the attachments' routes and the
    checks of every request; call once, before `ui.run()`."""
    channels.configure(settings)
    app.on_startup(channels.open_channels)
    app.on_shutdown(channels.close_channels)
    for area in (auth, tickets, workspace, admin):
        area.register()
    downloads.register()  # GET /files/{id}, /files/{id}/preview
    security.install(settings)
    observability.install()  # after (outside) the sign-in check: it counts its redirects
