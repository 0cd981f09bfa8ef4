"""The developers' workspace: the queue of every client organization's tickets."""

from __future__ import annotations

from nicegui import ui

from ... import routes
from .. import RESPONSE_TIMEOUT
from . import queue


def register() -> None:
    """The area's page; call before `ui.run()`."""
    ui.page(routes.QUEUE, response_timeout=RESPONSE_TIMEOUT)(queue.queue_page)
