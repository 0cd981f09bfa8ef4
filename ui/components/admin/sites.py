"""The sites of one client organization as the manager keeps them: a table with add, edit,
switch off and on (clients choose among the active ones in a new ticket)."""

from __future__ import annotations

from nicegui import ui

from ticketdesk.tickets.v1 import tickets_pb2 as pb

from ... import i18n
from ...clients.base import new_request_id
from ...i18n import N_, _
from ...session import Session
from ..alerts import succeeded
from ..dialogs import answer, confirm
from ..widgets import short_url
from .common import ACTIVE_CELL, ReadTable, placeholder
from .forms import Form, buttons, save_form

COLUMNS = [
    {'name': 'url', 'label': N_('Адрес'), 'field': 'url', 'align': 'left'},
    {'name': 'display_name', 'label': N_('Название'), 'field': 'display_name', 'align': 'left'},
    {'name': 'status', 'label': N_('Статус'), 'field': 'status', 'align': 'left'},
    {'name': 'actions', 'label': '', 'field': 'name', 'align': 'right'},
]
URL_CELL = '''
<q-td :props="props">
  <a :href="props.value" target="_blank" rel="noopener noreferrer"
     class="text-primary no-underline">{{ props.row.short }}</a>
</q-td>
'''
ACTIONS_CELL = N_('''
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


class Sites(ReadTable):
    """The sites of `organization` (its resource name), active first."""

    def __init__(self, session: Session, organization: str):
        super().__init__()
        self.session = session
        self.organization = organization

    async def fetch(self) -> list[pb.Site]:
        sites = await self.session.tickets.sites(self.organization, show_inactive=True)
        return sorted(sites, key=lambda s: (not s.active, s.url))

    @ui.refreshable_method
    def table(self) -> None:
        if placeholder(self.loaded, self.rows, 'h-16', 'language', _('Сайтов пока нет'),
                       _('Добавьте сайт, который студия обслуживает для этой организации: '
                         'клиенты выбирают его в тикете.')):
            return
        rows = [{'name': s.name, 'url': s.url, 'short': short_url(s.url),
                 'display_name': s.display_name or '—', 'active': s.active,
                 'status': _('Активен') if s.active else _('Отключён')} for s in self.rows]
        table = ui.table(columns=i18n.columns(COLUMNS), rows=rows, row_key='name',
                         pagination={'rowsPerPage': 0}) \
            .props('flat wrap-cells hide-pagination').classes('w-full').mark('sites')
        table.add_slot('body-cell-url', URL_CELL)
        table.add_slot('body-cell-status', ACTIVE_CELL)
        table.add_slot('body-cell-actions', _(ACTIONS_CELL))
        table.on('edit', lambda e: self.edit(e.args['name']))
        table.on('deactivate', lambda e: self.deactivate(e.args['name']))
        table.on('activate', lambda e: self.set_active(e.args['name'], True))

    def _find(self, name: str) -> pb.Site | None:
        return next((s for s in self.rows if s.name == name), None)

    async def add(self) -> None:
        if await self._dialog(None) is not None:
            ui.notify(_('Сайт добавлен'), type='positive')
            await self.load()

    async def edit(self, name: str) -> None:
        site = self._find(name)
        if site is not None and await self._dialog(site) is not None:
            ui.notify(_('Изменения сохранены'), type='positive')
            await self.load()

    async def _dialog(self, site: pb.Site | None) -> pb.Site | None:
        """Adds a site (`site` None) or changes one; None when cancelled."""
        request_id = new_request_id()
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
                address, name = (url.value or '').strip(), (title.value or '').strip()
                if not address.lower().startswith(('http://', 'https://')) or '.' not in address:
                    form.problem('url', _('адрес сайта вида https://example.ru'))
                    return
                await save_form(dialog, form, save,
                                lambda: self._saved(site, address, name, request_id))

            save = buttons(dialog, _('Добавить') if site is None else _('Сохранить'), submit)
        return await answer(dialog)

    async def _saved(self, site: pb.Site | None, url: str, title: str,
                     request_id: str) -> pb.Site:
        if site is None:
            return await self.session.tickets.create_site(self.organization, url, title,
                                                          request_id)
        changes = {field: value for field, value in (('url', url), ('display_name', title))
                   if getattr(site, field) != value}
        return await self.session.tickets.update_site(site.name, **changes) if changes else site

    async def deactivate(self, name: str) -> None:
        site = self._find(name)
        if site is None or not await confirm(
                _('Отключить сайт?'),
                _('Клиенты не смогут выбрать {site} в новых тикетах. Существующие тикеты '
                  'сохранятся.').format(site=short_url(site.url)), _('Отключить сайт')):
            return
        await self.set_active(name, False)

    async def set_active(self, name: str, active: bool) -> None:
        if await succeeded(self.session.tickets.update_site(name, active=active)):
            ui.notify(_('Сайт включён') if active else _('Сайт отключён'), type='positive')
            await self.load()
