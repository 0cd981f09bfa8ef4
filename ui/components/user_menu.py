"""The header's user menu: the person's name and role; the profile, the language, the
password and «Выйти»."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from .. import routes
from ..clients.errors import ApiError
from ..i18n import LANGUAGES, _
from ..session import Session, forget, remember
from .alerts import show_error
from .dialogs import answer
from .password_form import PasswordForm


def user_menu(session: Session, parent: ui.element) -> None:
    """The menu button; `parent` outlives the menu and holds the password dialog."""
    account = session.account
    name = account.full_name or account.email
    with ui.button().props('flat no-caps color=white').classes('px-2') \
            .mark('user-menu') as button:
        with ui.row().classes('items-center no-wrap gap-2'):
            ui.icon('account_circle', size='sm')
            with ui.column().classes('gap-0 items-start max-sm:hidden'):
                ui.label(name).classes('text-sm font-medium leading-tight').mark('user-name')
                ui.label(account.role_title).classes('text-xs opacity-80 leading-tight')
            ui.icon('expand_more', size='xs').classes('max-sm:hidden')
        with ui.menu().props('anchor="bottom right" self="top right"'):
            with ui.item().classes('sm:hidden'):  # a phone's header shows no name
                with ui.item_section():
                    ui.item_label(name).classes('font-medium').mark('user-name')
                    ui.item_label(account.role_title).props('caption')
            _entry('person', _('Профиль'), lambda: ui.navigate.to(routes.PROFILE))
            _entry('key', _('Сменить пароль'), lambda: change_password(session, parent))
            ui.separator()
            ui.item_label(_('Язык')).props('header').classes('py-2')
            for code, title in LANGUAGES.items():
                _entry('check' if code == account.language else '', title,
                       lambda code=code: change_language(session, code)) \
                    .mark(f'language-{code}')
            ui.separator()
            _entry('logout', _('Выйти'), lambda: logout(session))
    button.props['aria-label'] = _('Меню пользователя')


def _entry(icon: str, text: str, on_click: Callable) -> ui.menu_item:
    with ui.menu_item(on_click=on_click) as item:
        with ui.item_section().props('avatar'):
            if icon:
                ui.icon(icon, size='xs')
        ui.item_section(text)
    item.props['role'] = 'menuitem'
    return item


async def change_password(session: Session, parent: ui.element) -> None:
    """The password form in a dialog; the page stays signed in with the fresh session."""
    with parent, ui.dialog() as dialog, ui.card().classes('w-[28rem] max-w-full gap-3'):
        ui.label(_('Смена пароля')).classes('text-h6')
        PasswordForm(session, lambda: dialog.submit(True))
        ui.button(_('Отмена'), on_click=lambda: dialog.submit(None)) \
            .props('flat no-caps').classes('self-end')
    if await answer(dialog):
        ui.notify(_('Пароль изменён'), type='positive')


async def change_language(session: Session, code: str) -> None:
    """Keeps `code` as the person's language (auth's UpdateUser) and the account remembered
    for this browser, then shows the page again in it."""
    try:
        await session.change_language(code)
    except ApiError as error:
        show_error(error)
        return
    remember(session.account)
    ui.navigate.reload()


async def logout(session: Session) -> None:
    try:
        await session.auth.logout()
    except ApiError:
        pass  # the session ends here anyway
    forget()
    ui.navigate.to(routes.LOGIN)
