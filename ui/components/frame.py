"""The frame every signed-in page shares: the header with the product's name,
«Создать тикет» in the top right corner, the notification bell and the user menu."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from nicegui import ui

from .. import routes
from ..i18n import N_, _
from ..session import Session
from .bell import Bell
from .user_menu import user_menu

PRODUCT = N_('Сервис технической поддержки сайтов')
PRIMARY = '#1f5fa6'


def theme() -> None:
    ui.colors(primary=PRIMARY)
    ui.query('body').classes('bg-grey-2')


@contextmanager
def frame(session: Session, title: str) -> Iterator[ui.column]:
    """The page's header and its content column."""
    ui.page_title(f'{title} — TicketDesk')
    theme()
    bell = _header(session)
    with ui.column().classes('w-full max-w-screen-xl mx-auto px-4 py-6 gap-4') as content:
        yield content
    bell.start()  # after the content: its timer would send the page before it (bell.py)


def _header(session: Session) -> Bell:
    """Product name, the staff's links, «Создать тикет», the bell and the user menu. On a
    phone «Создать тикет» keeps its words (step 2 of the instruction names the button);
    the other buttons keep their icons and accessible names, their texts hide."""
    account = session.account
    with ui.header().classes('items-center no-wrap px-2 sm:px-6 py-2 gap-1 sm:gap-3 '
                             'bg-primary text-white shadow') as header:
        with ui.link(target=routes.HOME).classes('row no-wrap items-center gap-3 no-underline '
                                         'text-white min-w-0'):
            ui.icon('support_agent', size='md')
            with ui.column().classes('gap-0 max-md:hidden'):
                ui.label(_(PRODUCT)).classes('text-lg font-medium leading-tight')
                ui.label('TicketDesk').classes('text-xs opacity-80 leading-tight')
            ui.label('TicketDesk').classes('md:hidden max-sm:hidden text-lg font-medium')
        ui.space()
        if not account.is_client:  # the developers' workspace (ui/pages/workspace/)
            _link_button(_('Очередь'), 'view_list', routes.QUEUE).mark('queue-link')
        # The time reports (ui/pages/reports/): the studio's, or a client's own organization's.
        _link_button(_('Отчёты'), 'insights', routes.REPORTS).mark('reports-link')
        if account.is_manager:  # the administration (ui/pages/admin/)
            _link_button(_('Администрирование'), 'admin_panel_settings', routes.ADMIN) \
                .mark('admin-link')
        _link_button(_('Создать тикет'), 'add', routes.NEW_TICKET,
                     look='unelevated color=white text-color=primary', words_on_phone=True) \
            .classes('font-medium shrink-0 max-sm:px-2') \
            .mark('create-ticket')
        bell = Bell(session)
        user_menu(session, header)
    return bell


def _link_button(text: str, icon: str, target: str, *, look: str = 'flat color=white',
                 words_on_phone: bool = False) -> ui.button:
    """A header button whose text hides on a phone (its accessible name stays), or, with
    `words_on_phone`, whose icon does: the words matter more than the picture."""
    with ui.button(on_click=lambda: ui.navigate.to(target)) \
            .props(f'{look} no-caps') as button:
        with ui.row().classes('items-center no-wrap gap-2'):
            ui.icon(icon).classes('max-sm:hidden' if words_on_phone else '')
            ui.label(text).classes('whitespace-nowrap' if words_on_phone else 'max-sm:hidden')
    button.props['aria-label'] = text
    if not words_on_phone:  # an icon alone needs less room: the header fits a phone
        button.classes('max-sm:px-2')
    return button
