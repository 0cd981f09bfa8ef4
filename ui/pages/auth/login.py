"""Step 1 of the instruction: «Авторизация», and the start of the signed-in session."""

from __future__ import annotations

import uuid

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, ui

from texts.errors import BAD_LOGIN, SESSION_EXPIRED

from ... import routes
from ...clients.errors import ApiError
from ...components.frame import theme
from ...i18n import N_, _
from ...session import (Session, current_account, forget, hold_sign_in, login, remember,
                        take_sign_in)

WELCOME = N_('Добро пожаловать в систему обслуживания вашего сайта. Чтобы оставить заявку, '
             'войдите в систему. Если у вас нет данных для входа в систему - свяжитесь '
             'с менеджером вашего проекта.')


async def login_page(expired: bool = False) -> RedirectResponse | None:
    """`expired`: a page found its session ended (ui/components/alerts.py) and sent the
    person here."""
    if (signed_in := await _already_signed_in(expired)) is not None:
        return signed_in
    ui.page_title(_('Вход — TicketDesk'))
    theme()
    LoginForm(expired)
    return None


async def _already_signed_in(expired: bool) -> RedirectResponse | None:
    account = current_account()
    if expired and account is not None and await Session.of(account).auth.signed_in():
        # The page that sent us here held a session its owner has replaced since (a new
        # password in another tab); the browser's own session still holds.
        return RedirectResponse(routes.HOME)
    if expired:
        forget()
    elif account is not None:
        return RedirectResponse(routes.HOME)
    return None


class LoginForm:
    """E-mail and password; every refusal reads the same, whichever of them was wrong."""

    def __init__(self, expired: bool):
        with ui.card().classes('absolute-center w-full max-w-md p-8 gap-4 shadow-lg'):
            ui.icon('support_agent', size='xl', color='primary').classes('self-center')
            ui.label(_('СЕРВИС ТЕХНИЧЕСКОЙ ПОДДЕРЖКИ САЙТОВ')) \
                .classes('text-h6 font-bold text-center self-center leading-snug')
            ui.label(_(WELCOME)).classes('text-body2 text-grey-8 text-center')
            if expired:
                ui.label(_(SESSION_EXPIRED)).classes('text-negative text-center self-center')
            self.email = ui.input('E-mail') \
                .props('outlined type=email autocomplete=username autofocus') \
                .classes('w-full').mark('email')
            self.password = ui.input(_('Пароль'), password=True, password_toggle_button=True) \
                .props('outlined autocomplete=current-password').classes('w-full') \
                .mark('password')
            self.error = ui.label().classes('text-negative').mark('login-error')
            self.error.visible = False
            self.button = ui.button(_('Войти'), on_click=self.submit) \
                .props('unelevated size=lg').classes('w-full')
        self.email.on('keydown.enter', self.submit)
        self.password.on('keydown.enter', self.submit)

    async def submit(self) -> None:
        if not self.email.value.strip() or not self.password.value:
            self._fail(_(BAD_LOGIN))
            return
        self.button.props('loading')
        try:
            account = await login(self.email.value, self.password.value)
        except ApiError as failure:
            self._fail(failure.message)
            self.password.value = ''
            return
        finally:
            self.button.props(remove='loading')
        ui.navigate.to(routes.session_start(hold_sign_in(account)))

    def _fail(self, message: str) -> None:
        self.error.set_text(message)
        self.error.visible = True


async def start_session(request: Request, ticket: str = '') -> RedirectResponse:
    """Signs the browser in under a new session id (and so a new cookie): whoever knew the
    id it had before the login does not share the session."""
    account = take_sign_in(ticket)
    if account is None:
        return RedirectResponse(routes.LOGIN)
    forget()
    await renew_session_id(request)
    remember(account)
    return RedirectResponse(routes.PASSWORD if account.password_change_required
                            else routes.HOME)


async def renew_session_id(request: Request) -> None:
    """A new id in the signed session cookie, with its own (empty) user storage."""
    session_id = str(uuid.uuid4())
    request.session['id'] = session_id
    # NiceGUI makes a session's user storage at the start of its first request.
    await app.storage._create_user_storage(session_id)  # pylint: disable=protected-access
