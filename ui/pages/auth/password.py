"""«Смена пароля» for an account whose password a manager issued (a new or reset one): the
sign-in check (ui/security.py) sends every other page here until the person has chosen
their own."""

from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from ... import routes
from ...components.frame import theme
from ...components.password_form import PasswordForm
from ...components.user_menu import logout
from ...i18n import _
from ...session import Session, current_account


def first_password_page() -> RedirectResponse | None:
    account = current_account()
    if account is None or not account.password_change_required:
        return RedirectResponse(routes.HOME)
    session = Session.of_current_user()  # in the person's language
    ui.page_title(_('Смена пароля — TicketDesk'))
    theme()
    with ui.column().classes('w-full min-h-screen items-center justify-center p-4'), \
            ui.card().classes('w-full max-w-md p-8 gap-4 shadow-lg'):
        ui.icon('lock_reset', size='xl', color='primary').classes('self-center')
        ui.label(_('Смена пароля')).classes('text-h6 font-bold text-center self-center')
        ui.label(_('Вы вошли с паролем, который выдал менеджер проекта. Придумайте свой '
                   'пароль, чтобы продолжить.')).classes('text-body2 text-grey-8')
        PasswordForm(session, lambda: ui.navigate.to(routes.HOME),
                     submit_text=_('Сохранить пароль и продолжить'))
        ui.button(_('Выйти'), icon='logout', on_click=lambda: logout(session)) \
            .props('flat no-caps').classes('self-center')
    return None
