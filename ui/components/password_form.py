"""The password change form, on the profile, in the header's dialog and on the first login.

The auth service judges the new password (length, the most common ones, the e-mail);
the form only checks that both new fields match. A change ends every other session of
the person and gives this page a fresh one, which the form remembers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from ..clients.errors import ApiError
from ..i18n import _
from ..session import Session, remember
from .alerts import show_error, show_field_errors


class PasswordForm:
    """Current, new and repeated password with a submit button; `on_changed` runs after a
    successful change."""

    def __init__(self, session: Session, on_changed: Callable[[], Awaitable[None] | None], *,
                 submit_text: str = '') -> None:
        self.session = session
        self.on_changed = on_changed
        self.current = _secret(_('Текущий пароль'), 'current-password').mark('current-password')
        self.new = _secret(_('Новый пароль'), 'new-password').mark('new-password')
        self.repeat = _secret(_('Повторите новый пароль'), 'new-password') \
            .mark('repeat-password')
        ui.label(_('Не короче 8 символов. Простые и распространённые пароли не подойдут.')) \
            .classes('text-caption text-grey-7')
        self.button = ui.button(submit_text or _('Сменить пароль'), on_click=self.submit) \
            .props('unelevated no-caps').mark('change-password')
        for field in self.fields:
            field.on('keydown.enter', self.submit)

    @property
    def fields(self) -> tuple[ui.input, ...]:
        return self.current, self.new, self.repeat

    async def submit(self) -> None:
        for field in self.fields:
            field.error = None
        if not self._complete():
            return
        self.button.props('loading')
        try:
            await self.session.change_password(self.current.value, self.new.value)
        except ApiError as error:
            self._fail(error)
            return
        finally:
            self.button.props(remove='loading')
        remember(self.session.account)  # the fresh session replaces the ended ones
        for field in self.fields:
            field.value = ''
        done = self.on_changed()
        if done is not None:
            await done

    def _complete(self) -> bool:
        for field in self.fields:
            if not field.value:
                field.error = _('Обязательное поле')
        if self.new.value and self.repeat.value and self.new.value != self.repeat.value:
            self.repeat.error = _('Пароли не совпадают')
        return all(field.error is None for field in self.fields)

    def _fail(self, error: ApiError) -> None:
        fields = {'current_password': self.current, 'new_password': self.new}
        if error.session_expired or not show_field_errors(error, fields):
            show_error(error)


def _secret(label: str, autocomplete: str) -> ui.input:
    return ui.input(label, password=True, password_toggle_button=True) \
        .props(f'outlined autocomplete={autocomplete}').classes('w-full')
