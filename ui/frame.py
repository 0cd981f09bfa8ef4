"""The frame every signed-in page shares: the header with the product's name,
«Создать тикет» in the top right corner, the user and «Выйти»."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from nicegui import ui

from . import api
from .api import Api, ApiError

PRODUCT = 'Сервис технической поддержки сайтов'
PRIMARY = '#1f5fa6'


def theme() -> None:
    ui.colors(primary=PRIMARY)
    ui.query('body').classes('bg-grey-2')


@contextmanager
def frame(session: Api, title: str) -> Iterator[ui.column]:
    """The page's header and its content column."""
    ui.page_title(f'{title} — TicketDesk')
    theme()
    _header(session)
    with ui.column().classes('w-full max-w-screen-xl mx-auto px-4 py-6 gap-4') as content:
        yield content


def _header(session: Api) -> None:
    account = session.account
    with ui.header().classes('items-center px-6 py-2 gap-4 bg-primary text-white shadow'):
        with ui.link(target='/').classes('row items-center gap-3 no-underline text-white'):
            ui.icon('support_agent', size='md')
            with ui.column().classes('gap-0'):
                ui.label(PRODUCT).classes('text-lg font-medium leading-tight')
                ui.label('TicketDesk').classes('text-xs opacity-80 leading-tight')
        ui.space()
        if not account.is_client:  # the developers' workspace (ui/pages/queue.py)
            ui.button('Очередь', icon='view_list', on_click=lambda: ui.navigate.to('/queue')) \
                .props('flat color=white no-caps').mark('queue-link')
        if account.role == 'manager':  # the administration (ui/pages/admin_*.py)
            ui.button('Администрирование', icon='admin_panel_settings',
                      on_click=lambda: ui.navigate.to('/admin')) \
                .props('flat color=white no-caps').mark('admin-link')
        ui.button('Создать тикет', icon='add', on_click=lambda: ui.navigate.to('/tickets/new')) \
            .props('unelevated color=white text-color=primary no-caps') \
            .classes('font-medium') \
            .mark('create-ticket')
        with ui.column().classes('gap-0 items-end max-sm:hidden'):
            ui.label(account.full_name or account.email).classes('text-sm font-medium')
            ui.label(account.role_title).classes('text-xs opacity-80')

        async def logout() -> None:
            try:
                await session.logout()
            except ApiError:
                pass  # the session ends here anyway
            api.forget()
            ui.navigate.to('/login')

        ui.button('Выйти', icon='logout', on_click=logout).props('flat color=white no-caps')


def show_error(error: ApiError) -> None:
    """Tells the person what went wrong; an expired session goes back to the login page."""
    if error.session_expired:
        ui.navigate.to('/login?expired=1')
        return
    ui.notify(error.message, type='negative', multi_line=True)
