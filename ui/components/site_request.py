"""The ticket card asks its client for the site when the ticket came without one (an
e-mail to the support address that named none of the organization's sites)."""

from __future__ import annotations

from nicegui import ui

from ..clients.errors import ApiError
from ..i18n import _
from .alerts import show_error


def site_request(card) -> None:
    """Shown to the ticket's client while the ticket has no site; choosing one saves it
    (the client may, once) and redraws the card's details."""
    ticket = card.ticket
    if ticket.site or not card.session.account.is_client:
        return
    with ui.row().classes('w-full items-center gap-3 p-3 rounded bg-blue-1') \
            .style('border-left: 4px solid var(--q-primary)').mark('site-request'):
        ui.icon('language', color='primary')
        ui.label(_('Тикет пришел по почте без адреса сайта. О каком сайте он?')) \
            .classes('font-medium text-blue-10')
        ui.space()
        choice = ui.select({}, label=_('Сайт')).props('outlined dense') \
            .classes('min-w-[16rem]').mark('site-choice')
        save = ui.button(_('Указать сайт'), icon='check').props('unelevated no-caps')

    async def load() -> None:
        try:
            sites = await card.session.tickets.sites(ticket.organization)
        except ApiError as error:
            show_error(error)
            return
        choice.options = {s.name: s.display_name or s.url for s in sites}
        choice.update()

    async def choose() -> None:
        if not choice.value:
            choice.error = _('выберите сайт')
            return
        save.props('loading')
        try:
            updated = await card.session.tickets.update_ticket(
                ticket.name, type(ticket)(site=choice.value), ['site'])
        except ApiError as error:
            show_error(error)
            return
        finally:
            save.props(remove='loading')
        card.ticket = updated
        ui.notify(_('Сайт указан'), type='positive')
        card.details.refresh()

    save.on_click(choose)
    ui.timer(0, load, once=True)
