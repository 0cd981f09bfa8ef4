"""What the manager's administration pages share: the access check, the section tabs,
the empty state of a table, and the words of roles and periods."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sized
from contextlib import contextmanager

from nicegui import ui

from ticketdesk.auth.v1 import auth_pb2

from ... import labels, routes
from ...clients.errors import ApiError
from ...i18n import N_, _, current_language
from ...session import Session
from ..alerts import show_error
from ..frame import frame

SECTIONS = (
    (routes.ADMIN, N_('Организации'), 'apartment'),
    (routes.STAFF, N_('Сотрудники'), 'badge'),
    (routes.TOKENS, N_('API-токены'), 'key'),
    (routes.INTEGRATIONS, N_('Интеграции'), 'webhook'),
    (routes.SETTINGS, N_('Настройки'), 'tune'),
)
# Roles a manager may give an account or a token.
ROLES = {
    auth_pb2.ROLE_CLIENT: N_('Клиент'),
    auth_pb2.ROLE_DEVELOPER: N_('Разработчик'),
    auth_pb2.ROLE_MANAGER: N_('Менеджер проекта'),
}
STAFF_ROLES = {auth_pb2.ROLE_DEVELOPER: N_('Разработчик'),
               auth_pb2.ROLE_MANAGER: N_('Менеджер проекта')}


def role_options(roles: dict[int, str]) -> dict[int, str]:
    """`ROLES` or `STAFF_ROLES` as a select offers them, in the reader's language."""
    return {value: _(title) for value, title in roles.items()}


def refused(session: Session) -> bool:
    """Everyone but a manager gets «Нет доступа» instead of the page (True then)."""
    if session.account.is_manager:
        return False
    no_access(session)
    return True


def no_access(session: Session) -> None:
    """The page a non-manager gets instead of an administration page."""
    with frame(session, _('Нет доступа')):
        with ui.card().classes('w-full max-w-xl self-center items-center py-12 gap-3') \
                .props('flat bordered'):
            ui.icon('lock', size='xl', color='grey-5')
            ui.label(_('Нет доступа')).classes('text-h6').mark('no-access')
            ui.label(_('Этот раздел доступен только менеджеру проекта.')).classes('text-grey-7')
            ui.button(_('К тикетам'), icon='list', on_click=lambda: ui.navigate.to(routes.HOME)) \
                .props('unelevated no-caps')


@contextmanager
def admin_frame(session: Session, title: str, section: str) -> Iterator[ui.column]:
    """The frame of an administration page: its section tabs (`section`: the tab's path)
    over the content."""
    with frame(session, title) as content:
        sections(section)
        yield content


def sections(current: str) -> None:
    """The administration's sections as tabs under the page title."""
    with ui.row().classes('w-full items-end gap-1 border-b border-gray-300'):
        ui.label(_('Администрирование')).classes('text-h5 font-medium mr-6 pb-1')
        for path, title, icon in SECTIONS:
            active = path == current
            link = ui.link(target=path).classes(
                'row items-center gap-1 px-3 py-2 no-underline rounded-t '
                + ('text-primary font-medium border-b-2 border-primary bg-white'
                   if active else 'text-grey-8 hover:text-primary'))
            with link:
                ui.icon(icon, size='xs')
                ui.label(_(title))


@contextmanager
def intro_row(text: str, *, wrap: bool = True) -> Iterator[ui.row]:
    """The line under the section tabs: what the page holds; its actions, added inside,
    on the right."""
    with ui.row().classes('w-full items-center gap-4' + ('' if wrap else ' no-wrap')) as row:
        ui.label(text).classes('text-grey-8')
        ui.space()
        yield row


def table_card(table: Callable[[], None]) -> None:
    """The page's one table, in a card of the page's width."""
    with ui.card().classes('w-full p-0').props('flat bordered'):
        table()


class ReadTable:
    """A table of rows read from a service: `fetch` gives them, `table` (a refreshable
    method) draws them. A failed read is shown and leaves the rows as they were."""

    def __init__(self) -> None:
        self.rows: list = []
        self.loaded = False

    async def fetch(self) -> list:
        raise NotImplementedError

    async def load(self) -> None:
        try:
            self.rows = await self.fetch()
        except ApiError as error:
            show_error(error)
            return
        self.loaded = True
        self.table.refresh()


def placeholder(loaded: bool, rows: Sized, height: str, icon: str, title: str,
                text: str = '') -> bool:
    """Stands in for a table: a skeleton of `height` until its rows are read, the empty
    state when there are none. True when it did (and the table is not drawn)."""
    if not loaded:
        ui.skeleton().classes(f'w-full {height}')
        return True
    if not rows:
        empty_state(icon, title, text)
        return True
    return False


def empty_state(icon: str, title: str, text: str = '') -> None:
    with ui.column().classes('w-full items-center py-10 gap-2'):
        ui.icon(icon, size='xl', color='grey-5')
        ui.label(title).classes('text-subtitle1 text-grey-8').mark('empty')
        if text:
            ui.label(text).classes('text-grey-7 text-center max-w-md')


def plural(n: int, one: str, few: str, many: str) -> str:
    """The Russian form for `n` (1, 2–4, 5+); English has two: `one` and `many`."""
    if current_language() == 'en':
        return one if n == 1 else many
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def business_days(n: int) -> str:
    """The auto-accept period as people read it: 0 is «выключено»."""
    if n <= 0:
        return _('выключено')
    days = plural(n, _('рабочий день'), _('рабочих дня'), _('рабочих дней'))
    return f'{n} {days}'


def role_title(role: int) -> str:
    return labels.role_title(labels.ROLE[role]) if role in labels.ROLE else '—'


# A table's «Активна» / «Отключена» badge (the row's `active`), organizations and sites alike.
ACTIVE_CELL = '''
<q-td :props="props">
  <q-badge :color="props.row.active ? 'positive' : 'grey-6'" :label="props.value"
           class="px-2 py-1 rounded-full"/>
</q-td>
'''
