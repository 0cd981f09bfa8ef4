"""The manager's administration: client organizations (each with its sites and contact
persons), the studio's staff, API tokens, integrations (webhooks, the e-mail channel's
refused messages) and the studio's settings."""

from __future__ import annotations

from nicegui import ui

from ... import routes
from .. import RESPONSE_TIMEOUT as TIMEOUT
from . import integrations, organization, organizations, settings, staff, tokens


def register() -> None:
    """The administration's pages; call before `ui.run()`."""
    ui.page(routes.ADMIN, response_timeout=TIMEOUT)(organizations.organizations_page)
    ui.page(routes.ORGANIZATION, response_timeout=TIMEOUT)(organization.organization_page)
    ui.page(routes.STAFF, response_timeout=TIMEOUT)(staff.staff_page)
    ui.page(routes.TOKENS, response_timeout=TIMEOUT)(tokens.tokens_page)
    ui.page(routes.INTEGRATIONS, response_timeout=TIMEOUT)(integrations.integrations_page)
    ui.page(routes.SETTINGS, response_timeout=TIMEOUT)(settings.settings_page)
