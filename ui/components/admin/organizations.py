"""A client organization as the manager edits it: its name and its auto-acceptance period,
in one dialog for a new organization and for an existing one; whether its clients see the
time the studio spent on their tickets, saved as soon as it is ticked."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from ticketdesk.auth.v1 import auth_pb2

from ...clients.base import new_request_id
from ...clients.errors import ApiError
from ...i18n import _
from ...session import Session
from ..alerts import show_error
from ..dialogs import answer
from .forms import Form, buttons, save_form

MAX_AUTO_ACCEPT = 365
DEFAULT_AUTO_ACCEPT = 10


async def organization_dialog(session: Session, organization: auth_pb2.Organization | None = None
                              ) -> auth_pb2.Organization | None:
    """Creates an organization (`organization` None) or changes one; answers it as saved,
    None when cancelled or nothing changed."""
    request_id = new_request_id()  # one per dialog: a retried «Создать» makes one organization
    form = Form()
    with ui.dialog() as dialog, ui.card().classes('w-[32rem] max-w-full gap-3') \
            .mark('organization-dialog'):
        ui.label(_('Новая организация') if organization is None else _('Организация')) \
            .classes('text-h6')
        name = form.add('display_name', ui.input(
            _('Название'), value=organization.display_name if organization else '')
            .props('autofocus').classes('w-full'))
        days = form.add('auto_accept_business_days', auto_accept_input(
            organization.auto_accept_business_days if organization else DEFAULT_AUTO_ACCEPT))
        form.message_line()

        async def submit() -> None:
            form.clear()
            title = (name.value or '').strip()
            if not title:
                form.problem('display_name', _('обязательное поле'))
            period = check_auto_accept(form, days.value)
            if title and period is not None:
                await save_form(dialog, form, save, lambda: _saved(
                    session, organization, title, period, request_id))

        save = buttons(dialog, _('Создать') if organization is None else _('Сохранить'), submit)
    return await answer(dialog)


async def _saved(session: Session, organization: auth_pb2.Organization | None, title: str,
                 period: int, request_id: str) -> auth_pb2.Organization | None:
    if organization is None:
        return await session.auth.create_organization(title, period, request_id)
    changes = {field: value for field, value in (('display_name', title),
                                                 ('auto_accept_business_days', period))
               if getattr(organization, field) != value}
    if not changes:
        return None
    return await session.auth.update_organization(organization.name, **changes)


def auto_accept_input(value: int) -> ui.number:
    box = ui.number(_('Автоприёмка, рабочих дней'), value=value, min=0, max=MAX_AUTO_ACCEPT,
                    precision=0, step=1).classes('w-full')
    box.props['hint'] = _('Через сколько рабочих дней работа без замечаний принимается '
                          'автоматически; 0 — выключено')
    return box


def check_auto_accept(form: Form, value) -> int | None:
    if value is None or not float(value).is_integer() or not 0 <= value <= MAX_AUTO_ACCEPT:
        form.problem('auto_accept_business_days',
                     _('целое число от 0 (выключено) до {count}').format(count=MAX_AUTO_ACCEPT))
        return None
    return int(value)


class TimeVisibility:
    """«Клиенты видят затраченное время»: the checkbox saves the organization's setting at
    once (UpdateOrganization); a refused save puts the box back and says why. `on_saved`
    gets the organization as saved."""

    def __init__(self, session: Session, organization: auth_pb2.Organization,
                 on_saved: Callable[[auth_pb2.Organization], None]):
        self.session = session
        self.organization = organization
        self.on_saved = on_saved

    def build(self) -> None:
        with ui.column().classes('gap-0'):
            self.box = ui.checkbox(_('Клиенты видят затраченное время'),
                                   value=self.organization.client_sees_time_spent,
                                   on_change=lambda e: self.save(bool(e.value))) \
                .props('dense').mark('client-sees-time')
            ui.label(_('В карточке тикета клиенты организации увидят, сколько времени '
                       'студия на него затратила.')).classes('text-xs text-grey-7 ml-7')

    async def save(self, value: bool) -> None:
        if value == self.organization.client_sees_time_spent:
            return  # put back after a refusal, or nothing changed
        self.box.disable()
        try:
            saved = await self.session.auth.update_organization(
                self.organization.name, client_sees_time_spent=value)
        except ApiError as error:
            show_error(error)
            self.box.set_value(self.organization.client_sees_time_spent)
            return
        finally:
            self.box.enable()
        self.organization = saved
        self.on_saved(saved)
        ui.notify(_('Клиенты видят затраченное время') if saved.client_sees_time_spent
                  else _('Клиенты не видят затраченное время'), type='positive')
