"""The manager's administration: API tokens for integrations."""

from __future__ import annotations

from nicegui import ui

from ticketdesk.auth.v1 import auth_pb2

from .. import api, i18n, labels
from ..admin_api import ROLES, AdminApi, role_options
from ..admin_widgets import (Form, buttons, confirm, empty_state, is_manager, no_access,
                             role_title, save_form, sections, show_secret)
from ..dialogs import answer
from ..api import ApiError
from ..frame import frame, show_error
from ..i18n import N_, _

COLUMNS = [
    {'name': 'display_name', 'label': N_('Название'), 'field': 'display_name', 'align': 'left',
     'sortable': True},
    {'name': 'role', 'label': N_('Роль'), 'field': 'role', 'align': 'left'},
    {'name': 'organization', 'label': N_('Организация'), 'field': 'organization', 'align': 'left'},
    {'name': 'created', 'label': N_('Создан'), 'field': 'created', 'align': 'left'},
    {'name': 'used', 'label': N_('Последнее использование'), 'field': 'used', 'align': 'left'},
    {'name': 'status', 'label': N_('Статус'), 'field': 'status', 'align': 'left'},
    {'name': 'actions', 'label': '', 'field': 'name', 'align': 'right'},
]
STATUS_CELL = '''
<q-td :props="props">
  <q-badge :color="props.row.revoked ? 'grey-6' : 'positive'" :label="props.value"
           class="px-2 py-1 rounded-full"/>
</q-td>
'''
ACTIONS_CELL = N_('''
<q-td :props="props" class="text-right">
  <q-btn v-if="!props.row.revoked" flat dense no-caps color="negative" icon="key_off"
         label="Отозвать" @click.stop="() => $parent.$emit('revoke', props.row)"/>
</q-td>
''')


@ui.page('/admin/tokens', response_timeout=20)
async def tokens_page() -> None:
    session = AdminApi.of_current_user()
    if not is_manager(session):
        no_access(session)
        return
    view = Tokens(session)
    with frame(session, _('API-токены')):
        sections('/admin/tokens')
        with ui.row().classes('w-full items-center gap-4 no-wrap'):
            ui.label(_('Другие сервисы вызывают gRPC API TicketDesk с токеном: '
                       '«authorization: Bearer <токен>». Токен действует с правами выбранной '
                       'роли; токен клиента — только для своей организации.')) \
                .classes('text-grey-8')
            ui.space()
            ui.button(_('Новый токен'), icon='add', on_click=view.create) \
                .props('unelevated no-caps').classes('shrink-0').mark('new-token')
        with ui.card().classes('w-full p-0').props('flat bordered'):
            view.table()
    await view.load()


class Tokens:
    def __init__(self, session: AdminApi):
        self.session = session
        self.tokens: list[auth_pb2.ApiToken] = []
        self.organizations: dict[str, str] = {}  # every organization, for the table
        self.active: dict[str, str] = {}  # the active ones, to choose from
        self.loaded = False

    async def load(self) -> None:
        try:
            self.tokens = await self.session.api_tokens()
            organizations = await self.session.organizations()
            self.organizations = {o.name: o.display_name for o in organizations}
            self.active = {o.name: o.display_name for o in organizations if o.active}
        except ApiError as error:
            show_error(error)
            return
        self.tokens.sort(key=lambda t: (t.revoked, -t.create_time.seconds))
        self.loaded = True
        self.table.refresh()

    @ui.refreshable_method
    def table(self) -> None:
        if not self.loaded:
            ui.skeleton().classes('w-full h-24')
            return
        if not self.tokens:
            empty_state('key', _('Токенов пока нет'),
                        _('Создайте токен для интеграции: он будет показан один раз.'))
            return
        rows = [{
            'name': t.name,
            'display_name': t.display_name,
            'role': role_title(t.role),
            'organization': self.organizations.get(t.organization, '—')
            if t.organization.removeprefix('organizations/') else '—',
            'created': labels.moment(t.create_time),
            'used': labels.moment(t.last_use_time) if t.last_use_time.seconds
            else _('не использовался'),
            'status': _('Отозван') if t.revoked else _('Действует'),
            'revoked': t.revoked,
        } for t in self.tokens]
        table = ui.table(columns=i18n.columns(COLUMNS), rows=rows, row_key='name',
                         pagination={'rowsPerPage': 0}) \
            .props('flat wrap-cells hide-pagination').classes('w-full').mark('tokens')
        table.add_slot('body-cell-status', STATUS_CELL)
        table.add_slot('body-cell-actions', _(ACTIONS_CELL))
        table.on('revoke', lambda e: self.revoke(e.args['name']))

    async def revoke(self, name: str) -> None:
        token = next((t for t in self.tokens if t.name == name), None)
        if token is None:
            return
        if not await confirm(_('Отозвать токен?'),
                             _('Интеграция «{name}» сразу потеряет доступ к TicketDesk. '
                               'Отозванный токен нельзя вернуть — только создать новый.')
                             .format(name=token.display_name), _('Отозвать')):
            return
        try:
            await self.session.revoke_api_token(name)
        except ApiError as error:
            show_error(error)
            return
        ui.notify(_('Токен «{name}» отозван').format(name=token.display_name), type='positive')
        await self.load()

    async def create(self) -> None:
        request_id = api.new_request_id()
        form = Form()
        organizations = dict(self.active)  # a token for a switched-off client is of no use
        with ui.dialog() as dialog, ui.card().classes('w-[32rem] max-w-full gap-3') \
                .mark('token-dialog'):
            ui.label(_('Новый API-токен')).classes('text-h6')
            name = form.add('display_name', ui.input(
                _('Название'), placeholder=_('Например, «CRM студии»')).props('autofocus')
                .classes('w-full'))
            role = form.add('role', ui.select(role_options(ROLES), label=_('Роль'),
                                              value=auth_pb2.ROLE_DEVELOPER).classes('w-full'))
            organization = form.add('organization', ui.select(
                organizations, label=_('Организация'), with_input=True).classes('w-full'))
            organization.bind_visibility_from(role, 'value',
                                              backward=lambda r: r == auth_pb2.ROLE_CLIENT)
            form.message_line()

            async def submit() -> None:
                form.clear()
                title = (name.value or '').strip()
                client = role.value == auth_pb2.ROLE_CLIENT
                if not title:
                    form.problem('display_name', _('обязательное поле'))
                if client and not organization.value:
                    form.problem('organization', _('выберите организацию клиента'))
                if not title or (client and not organization.value):
                    return
                await save_form(dialog, form, save, lambda: self.session.create_api_token(
                    title, role.value, organization.value if client else '', request_id))

            save = buttons(dialog, _('Создать'), submit)
        created = await answer(dialog)
        if created is None:
            return
        if created.token:
            details = [(_('Название'), created.api_token.display_name),
                       (_('Роль'), role_title(created.api_token.role))]
            if created.api_token.organization.removeprefix('organizations/'):
                details.append((_('Организация'),
                                self.organizations.get(created.api_token.organization, '')))
            await show_secret(_('Токен создан'), _('Токен'), created.token, details)
        await self.load()
