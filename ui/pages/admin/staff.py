"""The manager's administration: the studio's staff accounts (developers and managers)."""

from __future__ import annotations

from nicegui import ui

from ... import routes
from ...components.admin.accounts import Accounts
from ...components.admin.common import admin_frame, intro_row, refused, table_card
from ...i18n import _
from ...session import Session


async def staff_page() -> None:
    session = await Session.of_page()
    if refused(session):
        return
    accounts = Accounts(session)
    with admin_frame(session, _('Сотрудники'), routes.STAFF):
        with intro_row(_('Разработчики видят все тикеты и работают с ними; менеджеры проекта '
                         'вдобавок ведут администрирование.')):
            ui.button(_('Новый сотрудник'), icon='person_add', on_click=accounts.create) \
                .props('unelevated no-caps').mark('new-staff')
        table_card(accounts.table)
    await accounts.load()
