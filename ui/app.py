"""Builds the web UI: everything is registered here, explicitly, before `ui.run()`."""

from __future__ import annotations

import gc
import inspect
import weakref
from collections.abc import Callable

from nicegui import app, helpers

from services.common.platform.config import Settings

from . import downloads, observability, report_downloads, security, styles
from .clients import channels
from .pages import admin, auth, reports, tickets, workspace


def build(settings: Settings) -> None:
    """The service channels, the pages of every area, the attachments' routes and the
    checks of every request; call once, before `ui.run()`."""
    channels.configure(settings)
    app.on_startup(channels.open_channels)
    app.on_shutdown(channels.close_channels)
    app.on_startup(freeze_heap)
    for area in (auth, tickets, workspace, reports, admin):
        area.register()
    downloads.register()  # GET /files/{id}, /files/{id}/preview
    report_downloads.register(settings)  # GET /reports/export/…, /reports/statement.xlsx
    styles.install()  # GET /styles/tailwind.css, linked from every page
    security.install(settings)
    observability.install()  # after (outside) the sign-in check: it counts its redirects
    helpers.expects_arguments = expects_arguments


# --- the cost of building a page -------------------------------------------------------
# A page is thousands of short-lived objects (the card: about a thousand elements). Two
# costs grew with them, measured with py-spy on the list and the card (bench/webui.py):

def freeze_heap() -> None:
    """The collector's full passes walked every object alive since start (the framework,
    gRPC, protobuf: ≈ 140,000, 0.1-0.2 s a pass on a busy machine) in the middle of
    building pages; frozen, they are never walked again."""
    gc.collect()
    gc.freeze()


_EXPECTS: weakref.WeakKeyDictionary[Callable, bool] = weakref.WeakKeyDictionary()
_expects_arguments = helpers.expects_arguments


def expects_arguments(func: Callable) -> bool:
    """NiceGUI's `helpers.expects_arguments`, remembered per method: every element asks it
    three times (its classes', style's and props' change handlers, bound methods), and
    `inspect.signature` was about half of the time an element took to create. A bound
    method's answer is its function's, less `self`, and a function's does not change."""
    if not inspect.ismethod(func):
        return _expects_arguments(func)
    try:
        return _EXPECTS[func.__func__]
    except (KeyError, TypeError):
        answer = _expects_arguments(func)
        try:
            _EXPECTS[func.__func__] = answer
        except TypeError:  # not weakly referable
            pass
        return answer
