"""The reports: the studio's (staff) and a client's own organization's, at one path."""

from __future__ import annotations

from nicegui import ui

from ... import routes
from .. import RESPONSE_TIMEOUT
from . import reports


def register() -> None:
    """The area's page; call before `ui.run()`."""
    ui.page(routes.REPORTS, response_timeout=RESPONSE_TIMEOUT)(reports.reports_page)
