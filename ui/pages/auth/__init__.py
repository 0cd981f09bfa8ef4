"""Signing in and the person's own account: the login page and the start of its session,
the first password of a manager-issued account, the profile."""

from __future__ import annotations

from nicegui import app, ui

from ... import routes
from .. import RESPONSE_TIMEOUT
from . import login, password, profile


def register() -> None:
    """The area's pages and its one HTTP route; call before `ui.run()`."""
    ui.page(routes.LOGIN)(login.login_page)
    app.add_api_route(routes.SESSION_START, login.start_session, methods=['GET'],
                      include_in_schema=False)
    ui.page(routes.PASSWORD)(password.first_password_page)
    ui.page(routes.PROFILE, response_timeout=RESPONSE_TIMEOUT)(profile.profile_page)
