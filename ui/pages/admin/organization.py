"""The manager's administration: one client organization — its name, auto-acceptance,
access and whether its clients see the time spent, its sites and its contact persons'
accounts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from nicegui import ui

from ticketdesk.auth.v1 import auth_pb2

from ... import labels, routes
from ...clients.errors import ApiError
from ...components.admin.accounts import Accounts
from ...components.admin.common import admin_frame, business_days, refused
from ...components.admin.organizations import TimeVisibility, organization_dialog
from ...components.admin.sites import Sites
from ...components.alerts import show_error
from ...components.dialogs import confirm
from ...components.widgets import field_row, not_found_card
from ...i18n import _
from ...session import Session


async def organization_page(org_id: str) -> None:
    session = await Session.of_page()
    if refused(session):
        return
    try:
        organization = await session.auth.organization(f'organizations/{org_id}')
    except ApiError as error:
        with admin_frame(session, _('Организация не найдена'), routes.ADMIN):
            if not error.not_found:
                show_error(error)
            not_found_card(_('Организация не найдена'), _('Все организации'), 'apartment',
                           routes.ADMIN)
        return
    view = OrganizationView(session, organization)
    with admin_frame(session, organization.display_name, routes.ADMIN):
        with ui.row().classes('items-center gap-1 text-grey-7'):
            ui.link(_('Организации'), routes.ADMIN).classes('text-primary no-underline')
            ui.icon('chevron_right', size='xs')
            ui.label(organization.display_name)
        view.summary()
        with _section('language', _('Сайты'), _('Добавить сайт'), 'add', view.sites.add,
                      'add-site'):
            view.sites.table()
        with _section('group', _('Клиенты — контактные лица'), _('Новый клиент'),
                      'person_add', view.accounts.create, 'new-client'):
            view.accounts.table()
    await view.sites.load()
    await view.accounts.load()


@contextmanager
def _section(icon: str, title: str, action: str, action_icon: str, on_click: Callable,
             marker: str) -> Iterator[ui.card]:
    """A card with its title and its one button (marked `marker`) in the top row."""
    with ui.card().classes('w-full gap-2').props('flat bordered') as card:
        with ui.row().classes('w-full items-center'):
            ui.icon(icon, color='primary')
            ui.label(title).classes('text-h6')
            ui.space()
            ui.button(action, icon=action_icon, on_click=on_click) \
                .props('outline no-caps').mark(marker)
        yield card


class OrganizationView:
    def __init__(self, session: Session, organization: auth_pb2.Organization):
        self.session = session
        self.organization = organization
        self.sites = Sites(session, organization.name)
        self.accounts = Accounts(session, organization.name, organization.display_name)

    @ui.refreshable_method
    def summary(self) -> None:
        o = self.organization
        with ui.card().classes('w-full').props('flat bordered'), \
                ui.row().classes('w-full items-start gap-6'):
            with ui.column().classes('gap-1'):
                with ui.row().classes('items-center gap-3'):
                    ui.label(o.display_name).classes('text-h5 font-medium') \
                        .mark('organization-title')
                    ui.badge(_('Активна') if o.active else _('Отключена'),
                             color='positive' if o.active else 'grey-6') \
                        .classes('px-2 py-1 rounded-full').mark('organization-status')
                with ui.row().classes('gap-8 mt-2'):
                    field_row(_('Автоприёмка'), business_days(o.auto_accept_business_days))
                    field_row(_('Создана'), labels.moment_day(o.create_time, self.session.zone))
                with ui.element('div').classes('mt-2'):
                    TimeVisibility(self.session, o, self._adopt).build()
            ui.space()
            ui.button(_('Изменить'), icon='edit', on_click=self.edit) \
                .props('outline no-caps').mark('edit-organization')
            if o.active:
                ui.button(_('Отключить'), icon='block', color='negative',
                          on_click=self.deactivate).props('outline no-caps') \
                    .mark('deactivate-organization')
            else:
                ui.button(_('Включить'), icon='check_circle', on_click=self.activate) \
                    .props('unelevated no-caps').mark('activate-organization')

    def _adopt(self, saved: auth_pb2.Organization) -> None:
        self.organization = saved

    async def edit(self) -> None:
        saved = await organization_dialog(self.session, self.organization)
        if saved is not None:
            self.organization = saved
            ui.notify(_('Изменения сохранены'), type='positive')
            self.summary.refresh()

    async def deactivate(self) -> None:
        if await confirm(_('Отключить организацию?'),
                         _('Клиенты «{name}» больше не смогут войти, их открытые '
                           'сеансы завершатся сразу. Тикеты, сайты и учётные записи '
                           'сохранятся; организацию можно будет включить снова.')
                         .format(name=self.organization.display_name),
                         _('Отключить организацию')):
            await self._set_active(False)

    async def activate(self) -> None:
        await self._set_active(True)

    async def _set_active(self, active: bool) -> None:
        try:
            self.organization = await self.session.auth.update_organization(
                self.organization.name, active=active)
        except ApiError as error:
            show_error(error)
            return
        ui.notify(_('Организация включена') if active else _('Организация отключена'),
                  type='positive')
        self.summary.refresh()
