"""The client instruction's pages: the list of tickets (staff see the queue there), a new
ticket, the ticket card."""

from __future__ import annotations

from nicegui import ui

from ... import routes
from .. import RESPONSE_TIMEOUT
from . import card, new_ticket, ticket_list


def register() -> None:
    """The area's pages; call before `ui.run()`. `/tickets/new` comes before
    `/tickets/{number}`, which would otherwise take it for a number."""
    ui.page(routes.HOME, response_timeout=RESPONSE_TIMEOUT)(ticket_list.tickets_list_page)
    ui.page(routes.NEW_TICKET, response_timeout=RESPONSE_TIMEOUT)(new_ticket.new_ticket_page)
    ui.page(routes.TICKET, response_timeout=RESPONSE_TIMEOUT)(card.ticket_card_page)
