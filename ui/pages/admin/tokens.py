"""The manager's administration: API tokens for integrations."""

from __future__ import annotations

from nicegui import ui

from ticketdesk.auth.v1 import auth_pb2

from ... import i18n, labels, routes
from ...clients.base import new_request_id
from ...clients.errors import ApiError
from ...components.admin.common import (ROLES, admin_frame, intro_row, placeholder, refused,
                                        role_options, role_title, table_card)
from ...components.admin.forms import Form, buttons, save_form, show_secret
from ...components.alerts import show_error, succeeded
from ...components.dialogs import answer, confirm
from ...i18n import N_, _
from ...session import Session

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


async def tokens_page() -> None:
    session = await Session.of_page()
    if refused(session):
        return
    view = Tokens(session)
    with admin_frame(session, _('API-токены'), routes.TOKENS):
        with intro_row(_('Другие сервисы вызывают gRPC API TicketDesk с токеном: '
                         '«authorization: Bearer <токен>». Токен действует с правами '
                         'выбранной роли; токен клиента — только для своей организации.'),
                       wrap=False):
            ui.button(_('Новый токен'), icon='add', on_click=view.create) \
                .props('unelevated no-caps').classes('shrink-0').mark('new-token')
        table_card(view.table)
    await view.load()


class Tokens:
    def __init__(self, session: Session):
        self.session = session
        self.tokens: list[auth_pb2.ApiToken] = []
        self.organizations: dict[str, str] = {}  # every organization, for the table
        self.active: dict[str, str] = {}  # the active ones, to choose from
        self.loaded = False

    async def load(self) -> None:
        try:
            self.tokens = await self.session.auth.api_tokens()
            organizations = await self.session.auth.organizations()
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
        if placeholder(self.loaded, self.tokens, 'h-24', 'key', _('Токенов пока нет'),
                       _('Создайте токен для интеграции: он будет показан один раз.')):
            return
        table = ui.table(columns=i18n.columns(COLUMNS), rows=[self._row(t) for t in self.tokens],
                         row_key='name',
                         pagination={'rowsPerPage': 0}) \
            .props('flat wrap-cells hide-pagination').classes('w-full').mark('tokens')
        table.add_slot('body-cell-status', STATUS_CELL)
        table.add_slot('body-cell-actions', _(ACTIONS_CELL))
        table.on('revoke', lambda e: self.revoke(e.args['name']))

    def _row(self, token: auth_pb2.ApiToken) -> dict:
        t, zone = token, self.session.zone
        return {
            'name': t.name,
            'display_name': t.display_name,
            'role': role_title(t.role),
            'organization': self.organizations.get(t.organization, '—')
            if t.organization.removeprefix('organizations/') else '—',
            'created': labels.moment(t.create_time, zone),
            'used': labels.moment(t.last_use_time, zone) if t.last_use_time.seconds
            else _('не использовался'),
            'status': _('Отозван') if t.revoked else _('Действует'),
            'revoked': t.revoked,
        }

    async def revoke(self, name: str) -> None:
        token = next((t for t in self.tokens if t.name == name), None)
        if token is None:
            return
        if not await confirm(_('Отозвать токен?'),
                             _('Интеграция «{name}» сразу потеряет доступ к TicketDesk. '
                               'Отозванный токен нельзя вернуть — только создать новый.')
                             .format(name=token.display_name), _('Отозвать')):
            return
        if await succeeded(self.session.auth.revoke_api_token(name)):
            ui.notify(_('Токен «{name}» отозван').format(name=token.display_name),
                      type='positive')
            await self.load()

    async def create(self) -> None:
        created = await self._dialog()
        if created is None:
            return
        if created.token:
            token = created.api_token
            details = [(_('Название'), token.display_name), (_('Роль'), role_title(token.role))]
            if token.organization.removeprefix('organizations/'):
                details.append((_('Организация'), self.organizations.get(token.organization, '')))
            await show_secret(_('Токен создан'), _('Токен'), created.token, details)
        await self.load()

    async def _dialog(self) -> auth_pb2.CreateApiTokenResponse | None:
        """A new token's name, role and (for a client's) organization; None when cancelled."""
        request_id = new_request_id()  # one per dialog: a retried «Создать» makes one token
        form = Form()
        with ui.dialog() as dialog, ui.card().classes('w-[32rem] max-w-full gap-3') \
                .mark('token-dialog'):
            ui.label(_('Новый API-токен')).classes('text-h6')
            form.add('display_name', ui.input(
                _('Название'), placeholder=_('Например, «CRM студии»')).props('autofocus')
                .classes('w-full'))
            role = form.add('role', ui.select(role_options(ROLES), label=_('Роль'),
                                              value=auth_pb2.ROLE_DEVELOPER).classes('w-full'))
            # A token for a switched-off client is of no use: the active ones only.
            form.add('organization', ui.select(self.active, label=_('Организация'),
                                               with_input=True).classes('w-full')) \
                .bind_visibility_from(role, 'value', backward=lambda r: r == auth_pb2.ROLE_CLIENT)
            form.message_line()

            async def submit() -> None:
                if (values := _checked(form)) is not None:
                    await save_form(dialog, form, save, lambda: self.session.auth.create_api_token(
                        *values, request_id))

            save = buttons(dialog, _('Создать'), submit)
        return await answer(dialog)


def _checked(form: Form) -> tuple[str, int, str] | None:
    """The token's name, role and organization; None when the form can already tell a
    problem."""
    form.clear()
    title, role = form.text('display_name'), form.fields['role'].value
    client = role == auth_pb2.ROLE_CLIENT
    organization = (form.fields['organization'].value or '') if client else ''
    if not title:
        form.problem('display_name', _('обязательное поле'))
    if client and not organization:
        form.problem('organization', _('выберите организацию клиента'))
    return None if form.has_problems else (title, role, organization)
