"""What a page tells the person when a call failed: the words come with the `ApiError`
(chosen by its reasons, ui/clients/errors.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping

from nicegui import ui

from .. import routes
from ..clients.errors import ApiError


def show_error(error: ApiError, fields: Mapping[str, str] | None = None) -> None:
    """Tells the person what went wrong, each bad field under its label in `fields` (the
    form's labels by the services' field names); an expired session goes back to the login
    page."""
    if error.session_expired:
        ui.navigate.to(routes.login(expired=True))
        return
    ui.notify(error.explain(fields) if fields else error.message, type='negative',
              multi_line=True)


def show_field_errors(error: ApiError, fields: Mapping[str, ui.element]) -> bool:
    """Each bad field's problem under its form element (`fields`: by the services' field
    names, `title`, `new_password`); True when one was shown."""
    shown = {name: text for name, text in error.violations.items() if name in fields}
    for name, text in shown.items():
        fields[name].error = text
    return bool(shown)


async def succeeded(call: Awaitable[object]) -> bool:
    """Awaits a call whose answer the page does not need; a refusal is told (`show_error`)
    and answers False."""
    try:
        await call
    except ApiError as error:
        show_error(error)
        return False
    return True
