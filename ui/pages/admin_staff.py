"""The manager's administration: the studio's staff accounts (developers and managers)."""

from __future__ import annotations

from nicegui import ui

from ..admin_accounts import Accounts
from ..admin_api import AdminApi
from ..admin_widgets import is_manager, no_access, sections
from ..frame import frame
from ..i18n import _


@ui.page('/admin/staff', response_timeout=20)
async def staff_page() -> None:
    session = AdminApi.of_current_user()
    if not is_manager(session):
        no_access(session)
        return
    accounts = Accounts(session)
    with frame(session, _('Сотрудники')):
        sections('/admin/staff')
        with ui.row().classes('w-full items-center gap-4'):
            ui.label(_('Разработчики видят все тикеты и работают с ними; менеджеры проекта '
                       'вдобавок ведут администрирование.')).classes('text-grey-8')
            ui.space()
            ui.button(_('Новый сотрудник'), icon='person_add', on_click=accounts.create) \
                .props('unelevated no-caps').mark('new-staff')
        with ui.card().classes('w-full p-0').props('flat bordered'):
            accounts.table()
    await accounts.load()
