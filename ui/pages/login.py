"""Step 1 of the instruction: «Авторизация»."""

from __future__ import annotations

from fastapi.responses import RedirectResponse
from nicegui import ui

from .. import api, frame

WELCOME = ('Добро пожаловать в систему обслуживания вашего сайта. Чтобы оставить заявку, '
           'войдите в систему. Если у вас нет данных для входа в систему - свяжитесь '
           'с менеджером вашего проекта.')


@ui.page('/login')
def login_page(expired: bool = False) -> RedirectResponse | None:
    if expired:
        api.forget()
    elif api.current_account() is not None:
        return RedirectResponse('/')
    ui.page_title('Вход — TicketDesk')
    frame.theme()
    with ui.card().classes('absolute-center w-full max-w-md p-8 gap-4 shadow-lg'):
        ui.icon('support_agent', size='xl', color='primary').classes('self-center')
        ui.label('СЕРВИС ТЕХНИЧЕСКОЙ ПОДДЕРЖКИ САЙТОВ') \
            .classes('text-h6 font-bold text-center self-center leading-snug')
        ui.label(WELCOME).classes('text-body2 text-grey-8 text-center')
        if expired:
            ui.label(api.SESSION_EXPIRED).classes('text-negative text-center self-center')
        email = ui.input('E-mail').props('outlined type=email autocomplete=username autofocus') \
            .classes('w-full').mark('email')
        password = ui.input('Пароль', password=True, password_toggle_button=True) \
            .props('outlined autocomplete=current-password').classes('w-full').mark('password')
        error = ui.label().classes('text-negative').mark('login-error')
        error.visible = False
        button = ui.button('Войти').props('unelevated size=lg').classes('w-full')

    async def submit() -> None:
        if not email.value.strip() or not password.value:
            _fail(error, api.BAD_LOGIN)
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
        api.remember(account)
        ui.navigate.to('/')

    button.on_click(submit)
    email.on('keydown.enter', submit)
    password.on('keydown.enter', submit)
    return None


def _fail(error: ui.label, message: str) -> None:
    error.set_text(message)
    error.visible = True
