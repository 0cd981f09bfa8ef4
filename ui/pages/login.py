"""Step 1 of the instruction: «Авторизация»."""

from __future__ import annotations

import uuid

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, ui

from .. import api, frame
from ..app import PASSWORD_PAGE
from ..i18n import N_, _
from ..password_form import PasswordForm
from ..user_menu import logout

WELCOME = N_('Добро пожаловать в систему обслуживания вашего сайта. Чтобы оставить заявку, '
             'войдите в систему. Если у вас нет данных для входа в систему - свяжитесь '
             'с менеджером вашего проекта.')


@ui.page('/login')
async def login_page(expired: bool = False) -> RedirectResponse | None:
    account = api.current_account()
    if expired and account is not None and await api.Api(account).signed_in():
        # The page that sent us here held a session its owner has replaced since (a new
        # password in another tab); the browser's own session still holds.
        return RedirectResponse('/')
    if expired:
        api.forget()
    elif account is not None:
        return RedirectResponse('/')
    ui.page_title(_('Вход — TicketDesk'))
    frame.theme()
    with ui.card().classes('absolute-center w-full max-w-md p-8 gap-4 shadow-lg'):
        ui.icon('support_agent', size='xl', color='primary').classes('self-center')
        ui.label(_('СЕРВИС ТЕХНИЧЕСКОЙ ПОДДЕРЖКИ САЙТОВ')) \
            .classes('text-h6 font-bold text-center self-center leading-snug')
        ui.label(_(WELCOME)).classes('text-body2 text-grey-8 text-center')
        if expired:
            ui.label(_(api.SESSION_EXPIRED)).classes('text-negative text-center self-center')
        email = ui.input('E-mail').props('outlined type=email autocomplete=username autofocus') \
            .classes('w-full').mark('email')
        password = ui.input(_('Пароль'), password=True, password_toggle_button=True) \
            .props('outlined autocomplete=current-password').classes('w-full').mark('password')
        error = ui.label().classes('text-negative').mark('login-error')
        error.visible = False
        button = ui.button(_('Войти')).props('unelevated size=lg').classes('w-full')

    async def submit() -> None:
        if not email.value.strip() or not password.value:
            _fail(error, _(api.BAD_LOGIN))
            return
        button.props('loading')
        try:
            account = await api.login(email.value, password.value)
        except api.ApiError as failure:
            _fail(error, failure.message)
            password.value = ''
            return
        finally:
            button.props(remove='loading')
        ui.navigate.to(f'{SESSION_START}?ticket={api.hold_sign_in(account)}')

    button.on_click(submit)
    email.on('keydown.enter', submit)
    password.on('keydown.enter', submit)
    return None


SESSION_START = '/login/session'


@app.get(SESSION_START, include_in_schema=False)
async def start_session(request: Request, ticket: str = '') -> RedirectResponse:
    """Signs the browser in under a new session id (and so a new cookie): whoever knew the
    id it had before the login does not share the session."""
    account = api.take_sign_in(ticket)
    if account is None:
        return RedirectResponse('/login')
    api.forget()
    await renew_session_id(request)
    api.remember(account)
    return RedirectResponse(PASSWORD_PAGE if account.password_change_required else '/')


async def renew_session_id(request: Request) -> None:
    """A new id in the signed session cookie, with its own (empty) user storage."""
    session_id = str(uuid.uuid4())
    request.session['id'] = session_id
    # NiceGUI makes a session's user storage at the start of its first request.
    await app.storage._create_user_storage(session_id)  # pylint: disable=protected-access


@ui.page(PASSWORD_PAGE)
def first_password_page() -> RedirectResponse | None:
    """«Смена пароля» for an account whose password a manager issued: the auth middleware
    (ui/app.py) sends every other page here until the person has chosen their own."""
    account = api.current_account()
    if account is None or not account.password_change_required:
        return RedirectResponse('/')
    session = api.Api.of_current_user()  # in the person's language
    ui.page_title(_('Смена пароля — TicketDesk'))
    frame.theme()
    with ui.column().classes('w-full min-h-screen items-center justify-center p-4'), \
            ui.card().classes('w-full max-w-md p-8 gap-4 shadow-lg'):
        ui.icon('lock_reset', size='xl', color='primary').classes('self-center')
        ui.label(_('Смена пароля')).classes('text-h6 font-bold text-center self-center')
        ui.label(_('Вы вошли с паролем, который выдал менеджер проекта. Придумайте свой '
                   'пароль, чтобы продолжить.')).classes('text-body2 text-grey-8')
        PasswordForm(session, lambda: ui.navigate.to('/'),
                     submit_text=_('Сохранить пароль и продолжить'))
        ui.button(_('Выйти'), icon='logout', on_click=lambda: logout(session)) \
            .props('flat no-caps').classes('self-center')
    return None


def _fail(error: ui.label, message: str) -> None:
    error.set_text(message)
    error.visible = True
