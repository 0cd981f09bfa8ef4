"""The manager's administration: client organizations, and on an organization's page its
sites and client accounts."""

from __future__ import annotations

from collections import Counter

from nicegui import ui

from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb

from .. import api, i18n, labels, widgets
from ..admin_accounts import Accounts
from ..admin_api import AdminApi
from ..admin_widgets import (Form, business_days, buttons, confirm, empty_state, is_manager,
                             no_access, save_form, sections)
from ..dialogs import answer
from ..api import ApiError
from ..frame import frame, show_error
from ..i18n import N_, _

MAX_AUTO_ACCEPT = 365

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
  <a :href="'/admin/organizations/' + props.row.id" class="text-primary font-medium no-underline"
     @click.stop>{{ props.value }}</a>
</q-td>
'''
SITES_CELL = N_('''
<q-td :props="props">
  <div v-for="site in props.value" :key="site" class="text-grey-9">{{ site }}</div>
  <span v-if="!props.value.length" class="text-grey-6">нет сайтов</span>
</q-td>
''')
STATUS_CELL = '''
<q-td :props="props">
  <q-badge :color="props.row.active ? 'positive' : 'grey-6'" :label="props.value"
           class="px-2 py-1 rounded-full"/>
</q-td>
'''
AUTO_ACCEPT_CELL = '''
<q-td :props="props">
  <span :class="props.row.auto_accept_days ? '' : 'text-grey-6'">{{ props.value }}</span>
</q-td>
'''

SITE_COLUMNS = [
    {'name': 'url', 'label': N_('Адрес'), 'field': 'url', 'align': 'left'},
    {'name': 'display_name', 'label': N_('Название'), 'field': 'display_name', 'align': 'left'},
    {'name': 'status', 'label': N_('Статус'), 'field': 'status', 'align': 'left'},
    {'name': 'actions', 'label': '', 'field': 'name', 'align': 'right'},
]
SITE_URL_CELL = '''
<q-td :props="props">
  <a :href="props.value" target="_blank" rel="noopener noreferrer"
     class="text-primary no-underline">{{ props.row.short }}</a>
</q-td>
'''
SITE_ACTIONS_CELL = N_('''
<q-td :props="props" class="text-right" style="white-space: nowrap">
  <q-btn flat dense round icon="edit" aria-label="Изменить сайт"
         @click.stop="() => $parent.$emit('edit', props.row)">
    <q-tooltip>Изменить</q-tooltip>
  </q-btn>
  <q-btn v-if="props.row.active" flat dense round color="negative" icon="link_off"
         aria-label="Отключить сайт" @click.stop="() => $parent.$emit('deactivate', props.row)">
    <q-tooltip>Отключить сайт</q-tooltip>
  </q-btn>
  <q-btn v-else flat dense no-caps color="primary" label="Включить"
         @click.stop="() => $parent.$emit('activate', props.row)"/>
</q-td>
''')


def organization_id(name: str) -> str:
    return name.removeprefix('organizations/')


def day_of(stamp) -> str:
    return labels.moment_day(stamp)


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


# --- the list of organizations ------------------------------------------------------------

@ui.page('/admin', response_timeout=20)
async def organizations_page() -> None:
    session = AdminApi.of_current_user()
    if not is_manager(session):
        no_access(session)
        return
    view = Organizations(session)
    with frame(session, _('Организации')):
        sections('/admin')
        with ui.row().classes('w-full items-center gap-4'):
            ui.label(_('Клиентские организации, их сайты и контактные лица.')) \
                .classes('text-grey-8')
            ui.space()
            ui.switch(_('Показать отключённые'), on_change=lambda e: view.show(e.value)) \
                .mark('show-inactive')
            ui.button(_('Новая организация'), icon='add', on_click=view.create) \
                .props('unelevated no-caps').mark('new-organization')
        with ui.card().classes('w-full p-0').props('flat bordered'):
            view.table()
    await view.load()


class Organizations:
    def __init__(self, session: AdminApi):
        self.session = session
        self.organizations: list[auth_pb2.Organization] = []
        self.sites: dict[str, list[str]] = {}
        self.clients: Counter[str] = Counter()
        self.show_inactive = False
        self.loaded = False

    async def load(self) -> None:
        try:
            self.organizations = await self.session.organizations(show_inactive=True)
            sites = await self.session.sites()
            clients = await self.session.users(role=auth_pb2.ROLE_CLIENT)
        except ApiError as error:
            show_error(error)
            return
        self.sites = {}
        for site in sorted(sites, key=lambda s: s.url):
            if site.active:
                parent = site.name.rsplit('/sites/', 1)[0]
                self.sites.setdefault(parent, []).append(widgets.short_url(site.url))
        self.clients = Counter(u.organization for u in clients if u.active)
        self.loaded = True
        self.table.refresh()

    async def show(self, inactive: bool) -> None:
        self.show_inactive = inactive
        self.table.refresh()

    @ui.refreshable_method
    def table(self) -> None:
        if not self.loaded:
            ui.skeleton().classes('w-full h-32')
            return
        shown = [o for o in self.organizations if o.active or self.show_inactive]
        if not shown:
            empty_state('apartment', _('Организаций пока нет'),
                        _('Создайте организацию клиента, добавьте её сайты и контактных лиц.'))
            return
        rows = [{
            'id': organization_id(o.name),
            'display_name': o.display_name,
            'sites': self.sites.get(o.name, []),
            'clients': self.clients.get(o.name, 0),
            'auto_accept': business_days(o.auto_accept_business_days),
            'auto_accept_days': o.auto_accept_business_days,
            'status': _('Активна') if o.active else _('Отключена'),
            'active': o.active,
            'created': day_of(o.create_time),
        } for o in shown]
        table = ui.table(columns=i18n.columns(COLUMNS), rows=rows, row_key='id',
                         pagination={'rowsPerPage': 0}) \
            .props('flat wrap-cells hide-pagination').classes('w-full cursor-pointer') \
            .mark('organizations')
        table.add_slot('body-cell-display_name', NAME_CELL)
        table.add_slot('body-cell-sites', _(SITES_CELL))
        table.add_slot('body-cell-status', STATUS_CELL)
        table.add_slot('body-cell-auto_accept', AUTO_ACCEPT_CELL)
        table.on('rowClick', lambda e: ui.navigate.to(f'/admin/organizations/{e.args[1]["id"]}'))

    async def create(self) -> None:
        request_id = api.new_request_id()
        form = Form()
        with ui.dialog() as dialog, ui.card().classes('w-[32rem] max-w-full gap-3') \
                .mark('organization-dialog'):
            ui.label(_('Новая организация')).classes('text-h6')
            name = form.add('display_name', ui.input(_('Название')).props('autofocus')
                            .classes('w-full'))
            days = form.add('auto_accept_business_days', auto_accept_input(10))
            form.message_line()

            async def submit() -> None:
                form.clear()
                title = (name.value or '').strip()
                if not title:
                    form.problem('display_name', _('обязательное поле'))
                period = check_auto_accept(form, days.value)
                if not title or period is None:
                    return
                await save_form(dialog, form, save, lambda: self.session.create_organization(
                    title, period, request_id))

            save = buttons(dialog, _('Создать'), submit)
        created = await answer(dialog)
        if created is not None:
            ui.notify(_('Организация «{name}» создана').format(name=created.display_name),
                      type='positive')
            ui.navigate.to(f'/admin/organizations/{organization_id(created.name)}')


# --- one organization ---------------------------------------------------------------------

@ui.page('/admin/organizations/{org_id}', response_timeout=20)
async def organization_page(org_id: str) -> None:
    session = AdminApi.of_current_user()
    if not is_manager(session):
        no_access(session)
        return
    name = f'organizations/{org_id}'
    try:
        organization = await session.organization(name)
    except ApiError as error:
        with frame(session, _('Организация не найдена')):
            sections('/admin')
            if not error.not_found:
                show_error(error)
            with ui.card().classes('w-full max-w-xl self-center items-center py-12 gap-3'):
                ui.icon('search_off', size='xl', color='grey-5')
                ui.label(_('Организация не найдена')).classes('text-h6').mark('not-found')
                ui.button(_('Все организации'), icon='apartment',
                          on_click=lambda: ui.navigate.to('/admin')).props('unelevated no-caps')
        return
    view = OrganizationView(session, organization)
    with frame(session, organization.display_name):
        sections('/admin')
        with ui.row().classes('items-center gap-1 text-grey-7'):
            ui.link(_('Организации'), '/admin').classes('text-primary no-underline')
            ui.icon('chevron_right', size='xs')
            ui.label(organization.display_name)
        view.summary()
        with ui.card().classes('w-full gap-2').props('flat bordered'):
            with ui.row().classes('w-full items-center'):
                ui.icon('language', color='primary')
                ui.label(_('Сайты')).classes('text-h6')
                ui.space()
                ui.button(_('Добавить сайт'), icon='add', on_click=view.add_site) \
                    .props('outline no-caps').mark('add-site')
            view.sites_table()
        with ui.card().classes('w-full gap-2').props('flat bordered'):
            with ui.row().classes('w-full items-center'):
                ui.icon('group', color='primary')
                ui.label(_('Клиенты — контактные лица')).classes('text-h6')
                ui.space()
                ui.button(_('Новый клиент'), icon='person_add', on_click=view.accounts.create) \
                    .props('outline no-caps').mark('new-client')
            view.accounts.table()
    await view.load_sites()
    await view.accounts.load()


class OrganizationView:
    def __init__(self, session: AdminApi, organization: auth_pb2.Organization):
        self.session = session
        self.organization = organization
        self.sites: list[pb.Site] = []
        self.sites_loaded = False
        self.accounts = Accounts(session, organization.name, organization.display_name)

    # --- the organization itself ----------------------------------------------------------

    @ui.refreshable_method
    def summary(self) -> None:
        o = self.organization
        with ui.card().classes('w-full').props('flat bordered'):
            with ui.row().classes('w-full items-start gap-6'):
                with ui.column().classes('gap-1'):
                    with ui.row().classes('items-center gap-3'):
                        ui.label(o.display_name).classes('text-h5 font-medium') \
                            .mark('organization-title')
                        ui.badge(_('Активна') if o.active else _('Отключена'),
                                 color='positive' if o.active else 'grey-6') \
                            .classes('px-2 py-1 rounded-full').mark('organization-status')
                    with ui.row().classes('gap-8 mt-2'):
                        widgets.field_row(_('Автоприёмка'), business_days(
                            o.auto_accept_business_days))
                        widgets.field_row(_('Создана'), day_of(o.create_time))
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

    async def edit(self) -> None:
        o = self.organization
        form = Form()
        with ui.dialog() as dialog, ui.card().classes('w-[32rem] max-w-full gap-3') \
                .mark('organization-dialog'):
            ui.label(_('Организация')).classes('text-h6')
            name = form.add('display_name', ui.input(_('Название'), value=o.display_name)
                            .classes('w-full'))
            days = form.add('auto_accept_business_days',
                            auto_accept_input(o.auto_accept_business_days))
            form.message_line()

            async def submit() -> None:
                form.clear()
                title = (name.value or '').strip()
                if not title:
                    form.problem('display_name', _('обязательное поле'))
                period = check_auto_accept(form, days.value)
                if not title or period is None:
                    return
                changes = {}
                if title != o.display_name:
                    changes['display_name'] = title
                if period != o.auto_accept_business_days:
                    changes['auto_accept_business_days'] = period
                if not changes:
                    dialog.submit(None)
                    return
                await save_form(dialog, form, save,
                                lambda: self.session.update_organization(o.name, **changes))

            save = buttons(dialog, _('Сохранить'), submit)
        done = await answer(dialog)
        if done is not None:
            self.organization = done
            ui.notify(_('Изменения сохранены'), type='positive')
            self.summary.refresh()

    async def deactivate(self) -> None:
        o = self.organization
        if not await confirm(_('Отключить организацию?'),
                             _('Клиенты «{name}» больше не смогут войти, их открытые '
                               'сеансы завершатся сразу. Тикеты, сайты и учётные записи '
                               'сохранятся; организацию можно будет включить снова.')
                             .format(name=o.display_name),
                             _('Отключить организацию')):
            return
        await self._set_active(False)

    async def activate(self) -> None:
        await self._set_active(True)

    async def _set_active(self, active: bool) -> None:
        try:
            self.organization = await self.session.update_organization(
                self.organization.name, active=active)
        except ApiError as error:
            show_error(error)
            return
        ui.notify(_('Организация включена') if active else _('Организация отключена'),
                  type='positive')
        self.summary.refresh()

    # --- sites ----------------------------------------------------------------------------

    async def load_sites(self) -> None:
        try:
            self.sites = await self.session.sites(self.organization.name)
        except ApiError as error:
            show_error(error)
            return
        self.sites.sort(key=lambda s: (not s.active, s.url))
        self.sites_loaded = True
        self.sites_table.refresh()

    @ui.refreshable_method
    def sites_table(self) -> None:
        if not self.sites_loaded:
            ui.skeleton().classes('w-full h-16')
            return
        if not self.sites:
            empty_state('language', _('Сайтов пока нет'),
                        _('Добавьте сайт, который студия обслуживает для этой организации: '
                          'клиенты выбирают его в тикете.'))
            return
        rows = [{'name': s.name, 'url': s.url, 'short': widgets.short_url(s.url),
                 'display_name': s.display_name or '—', 'active': s.active,
                 'status': _('Активен') if s.active else _('Отключён')} for s in self.sites]
        table = ui.table(columns=i18n.columns(SITE_COLUMNS), rows=rows, row_key='name',
                         pagination={'rowsPerPage': 0}) \
            .props('flat wrap-cells hide-pagination').classes('w-full').mark('sites')
        table.add_slot('body-cell-url', SITE_URL_CELL)
        table.add_slot('body-cell-status', STATUS_CELL)
        table.add_slot('body-cell-actions', _(SITE_ACTIONS_CELL))
        table.on('edit', lambda e: self.edit_site(e.args['name']))
        table.on('deactivate', lambda e: self.deactivate_site(e.args['name']))
        table.on('activate', lambda e: self.set_site_active(e.args['name'], True))

    def _site(self, name: str) -> pb.Site | None:
        return next((s for s in self.sites if s.name == name), None)

    async def add_site(self) -> None:
        if await self._site_dialog(None) is not None:
            ui.notify(_('Сайт добавлен'), type='positive')
            await self.load_sites()

    async def edit_site(self, name: str) -> None:
        site = self._site(name)
        if site is not None and await self._site_dialog(site) is not None:
            ui.notify(_('Изменения сохранены'), type='positive')
            await self.load_sites()

    async def _site_dialog(self, site: pb.Site | None) -> pb.Site | None:
        request_id = api.new_request_id()
        form = Form()
        with ui.dialog() as dialog, ui.card().classes('w-[32rem] max-w-full gap-3') \
                .mark('site-dialog'):
            ui.label(_('Новый сайт') if site is None else _('Сайт')).classes('text-h6')
            url = form.add('url', ui.input(_('Адрес сайта'), value=site.url if site else '',
                                           placeholder='https://example.ru')
                           .props('autofocus type=url').classes('w-full'))
            title = form.add('display_name', ui.input(
                _('Название (необязательно)'), value=site.display_name if site else '',
                placeholder=_('Например, «Интернет-магазин»')).classes('w-full'))
            form.message_line()

            async def submit() -> None:
                form.clear()
                address = (url.value or '').strip()
                name = (title.value or '').strip()
                if not address.lower().startswith(('http://', 'https://')) or '.' not in address:
                    form.problem('url', _('адрес сайта вида https://example.ru'))
                    return
                async def store():
                    if site is None:
                        return await self.session.create_site(self.organization.name, address,
                                                              name, request_id)
                    changes = {k: v for k, v in (('url', address), ('display_name', name))
                               if getattr(site, k) != v}
                    return await self.session.update_site(site.name, **changes) \
                        if changes else site

                await save_form(dialog, form, save, store)

            save = buttons(dialog, _('Добавить') if site is None else _('Сохранить'), submit)
        return await answer(dialog)

    async def deactivate_site(self, name: str) -> None:
        site = self._site(name)
        if site is None:
            return
        if not await confirm(_('Отключить сайт?'),
                             _('Клиенты не смогут выбрать {site} в новых тикетах. '
                               'Существующие тикеты сохранятся.')
                             .format(site=widgets.short_url(site.url)), _('Отключить сайт')):
            return
        await self.set_site_active(name, False)

    async def set_site_active(self, name: str, active: bool) -> None:
        try:
            await self.session.update_site(name, active=active)
        except ApiError as error:
            show_error(error)
            return
        ui.notify(_('Сайт включён') if active else _('Сайт отключён'), type='positive')
        await self.load_sites()
