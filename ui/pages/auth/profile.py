"""The person's own profile: who they are, their name, phone and language, their password."""

from __future__ import annotations

from nicegui import ElementFilter, ui

from ticketdesk.auth.v1 import auth_pb2

from ...clients.errors import ApiError
from ...components.alerts import show_error, show_field_errors
from ...components.frame import frame
from ...components.password_form import PasswordForm
from ...components.user_menu import change_language
from ...i18n import LANGUAGES, _
from ...session import Session, remember


async def profile_page() -> None:
    session = await Session.of_page()
    with frame(session, _('Профиль')):
        ui.label(_('Профиль')).classes('text-h5 font-medium')
        cards = ui.row().classes('w-full gap-4 items-start')
    try:
        user = await session.auth.whoami()
    except ApiError as error:
        show_error(error)
        return
    organization = await session.auth.organization_title()
    with cards:
        ProfileCard(session, user, organization)
        with ui.card().classes('w-full max-w-md gap-3').mark('password-card'):
            ui.label(_('Смена пароля')).classes('text-h6')
            PasswordForm(session, lambda: ui.notify(_('Пароль изменён'), type='positive'))


class ProfileCard:
    """Read-only facts (e-mail, role, organization) and what the person may change."""

    def __init__(self, session: Session, user: auth_pb2.User, organization: str) -> None:
        self.session = session
        account = session.account
        with ui.card().classes('w-full max-w-md gap-3').mark('profile-card'):
            ui.label(_('Личные данные')).classes('text-h6')
            _fact(_('E-mail'), user.email)
            _fact(_('Роль'), account.role_title)
            if organization:
                _fact(_('Организация'), organization)
            self.full_name = ui.input(_('ФИО'), value=user.full_name) \
                .props('outlined autocomplete=name').classes('w-full').mark('full-name')
            self.phone = ui.input(_('Телефон'), value=user.phone) \
                .props('outlined type=tel autocomplete=tel').classes('w-full').mark('phone')
            self.button = ui.button(_('Сохранить'), on_click=self.save) \
                .props('unelevated no-caps').mark('save-profile')
            ui.separator()
            ui.select(LANGUAGES, value=account.language, label=_('Язык интерфейса'),
                      on_change=lambda event: self.change_language(event.value)) \
                .props('outlined').classes('w-full').mark('language')

    async def save(self) -> None:
        self.full_name.error = self.phone.error = None
        self.button.props('loading')
        try:
            await self.session.update_profile(self.full_name.value or '', self.phone.value or '')
        except ApiError as error:
            self._fail(error)
            return
        finally:
            self.button.props(remove='loading')
        remember(self.session.account)
        name = self.session.account.full_name or self.session.account.email
        for label in ElementFilter(marker='user-name'):  # the header's user menu
            label.set_text(name)
        ui.notify(_('Профиль сохранён'), type='positive')

    def _fail(self, error: ApiError) -> None:
        fields = {'full_name': self.full_name, 'phone': self.phone}
        if error.session_expired or not show_field_errors(error, fields):
            show_error(error)

    async def change_language(self, code: str) -> None:
        if code != self.session.account.language:
            await change_language(self.session, code)


def _fact(label: str, value: str) -> None:
    with ui.column().classes('gap-0'):
        ui.label(label).classes('text-caption text-grey-7')
        ui.label(value or '—').classes('text-body1')
