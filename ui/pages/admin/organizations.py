"""The manager's administration: the client organizations, with their active sites and
the number of their contact persons."""

from __future__ import annotations

from collections import Counter

from nicegui import ui

from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb

from ... import i18n, labels, routes
from ...clients.errors import ApiError
from ...components.admin.common import (ACTIVE_CELL, admin_frame, business_days, intro_row,
                                        placeholder, refused, table_card)
from ...components.admin.organizations import organization_dialog
from ...components.alerts import show_error
from ...components.widgets import short_url
from ...i18n import N_, _
from ...session import Session

COLUMNS = [
    {'name': 'display_name', 'label': N_('Организация'), 'field': 'display_name',
     'align': 'left', 'sortable': True},
    {'name': 'sites', 'label': N_('Сайты'), 'field': 'sites', 'align': 'left'},
    {'name': 'clients', 'label': N_('Клиенты'), 'field': 'clients', 'align': 'right',
     'sortable': True},
    {'name': 'auto_accept', 'label': N_('Автоприёмка'), 'field': 'auto_accept', 'align': 'left'},
    {'name': 'status', 'label': N_('Статус'), 'field': 'status', 'align': 'left'},
    {'name': 'created', 'label': N_('Создана'), 'field': 'created', 'align': 'left'},
]
NAME_CELL = '''
<q-td :props="props">
  <a :href="props.row.href" class="text-primary font-medium no-underline"
     @click.stop>{{ props.value }}</a>
</q-td>
'''
SITES_CELL = N_('''
<q-td :props="props">
  <div v-for="site in props.value" :key="site" class="text-grey-9">{{ site }}</div>
  <span v-if="!props.value.length" class="text-grey-6">нет сайтов</span>
</q-td>
''')
AUTO_ACCEPT_CELL = '''
<q-td :props="props">
  <span :class="props.row.auto_accept_days ? '' : 'text-grey-6'">{{ props.value }}</span>
</q-td>
'''


async def organizations_page() -> None:
    session = await Session.of_page()
    if refused(session):
        return
    view = Organizations(session)
    with admin_frame(session, _('Организации'), routes.ADMIN):
        with intro_row(_('Клиентские организации, их сайты и контактные лица.')):
            ui.switch(_('Показать отключённые'), on_change=lambda e: view.show(e.value)) \
                .mark('show-inactive')
            ui.button(_('Новая организация'), icon='add', on_click=view.create) \
                .props('unelevated no-caps').mark('new-organization')
        table_card(view.table)
    await view.load()


class Organizations:
    def __init__(self, session: Session):
        self.session = session
        self.organizations: list[auth_pb2.Organization] = []
        self.sites: dict[str, list[str]] = {}
        self.clients: Counter[str] = Counter()
        self.show_inactive = False
        self.loaded = False

    async def load(self) -> None:
        try:
            self.organizations = await self.session.auth.organizations(show_inactive=True)
            sites = await self.session.tickets.sites(show_inactive=True)
            clients = await self.session.auth.users(role=auth_pb2.ROLE_CLIENT)
        except ApiError as error:
            show_error(error)
            return
        self.sites = _active_sites(sites)
        self.clients = Counter(u.organization for u in clients if u.active)
        self.loaded = True
        self.table.refresh()

    async def show(self, inactive: bool) -> None:
        self.show_inactive = inactive
        self.table.refresh()

    @ui.refreshable_method
    def table(self) -> None:
        shown = [o for o in self.organizations if o.active or self.show_inactive]
        if placeholder(self.loaded, shown, 'h-32', 'apartment', _('Организаций пока нет'),
                       _('Создайте организацию клиента, добавьте её сайты и контактных лиц.')):
            return
        table = ui.table(columns=i18n.columns(COLUMNS), rows=[self._row(o) for o in shown],
                         row_key='href', pagination={'rowsPerPage': 0}) \
            .props('flat wrap-cells hide-pagination').classes('w-full cursor-pointer') \
            .mark('organizations')
        table.add_slot('body-cell-display_name', NAME_CELL)
        table.add_slot('body-cell-sites', _(SITES_CELL))
        table.add_slot('body-cell-status', ACTIVE_CELL)
        table.add_slot('body-cell-auto_accept', AUTO_ACCEPT_CELL)
        table.on('rowClick', lambda e: ui.navigate.to(e.args[1]['href']))

    def _row(self, organization: auth_pb2.Organization) -> dict:
        o = organization
        return {
            'href': routes.organization(o.name),
            'display_name': o.display_name,
            'sites': self.sites.get(o.name, []),
            'clients': self.clients.get(o.name, 0),
            'auto_accept': business_days(o.auto_accept_business_days),
            'auto_accept_days': o.auto_accept_business_days,
            'status': _('Активна') if o.active else _('Отключена'),
            'active': o.active,
            'created': labels.moment_day(o.create_time, self.session.zone),
        }

    async def create(self) -> None:
        created = await organization_dialog(self.session)
        if created is not None:
            ui.notify(_('Организация «{name}» создана').format(name=created.display_name),
                      type='positive')
            ui.navigate.to(routes.organization(created.name))


def _active_sites(sites: list[pb.Site]) -> dict[str, list[str]]:
    """`organizations/{id}` -> the addresses of its active sites, alphabetically."""
    found: dict[str, list[str]] = {}
    for site in sorted(sites, key=lambda s: s.url):
        if site.active:
            organization = site.name.rsplit('/sites/', 1)[0]
            found.setdefault(organization, []).append(short_url(site.url))
    return found
