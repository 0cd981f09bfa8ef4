"""Accounts as a manager keeps them: a table of people with create, edit, password reset,
deactivate and re-activate. The client accounts of one organization and the studio's staff
use the same table."""

from __future__ import annotations

import re

from nicegui import ui

from ticketdesk.auth.v1 import auth_pb2

from ... import i18n, labels
from ...clients.base import new_request_id
from ...clients.errors import ApiError
from ...i18n import N_, _
from ...session import Session
from ..alerts import show_error, succeeded
from ..dialogs import answer, confirm
from .common import STAFF_ROLES, ReadTable, placeholder, role_options, role_title
from .forms import Form, buttons, save_form, show_secret

EMAIL = re.compile(r'^[^@\s]+@[^@\s]+\.[^@\s]+$')

COLUMNS = [
    {'name': 'full_name', 'label': N_('ФИО'), 'field': 'full_name', 'align': 'left',
     'sortable': True},
    {'name': 'email', 'label': 'E-mail', 'field': 'email', 'align': 'left', 'sortable': True},
    {'name': 'phone', 'label': N_('Телефон'), 'field': 'phone', 'align': 'left'},
    {'name': 'role', 'label': N_('Роль'), 'field': 'role', 'align': 'left', 'sortable': True},
    {'name': 'status', 'label': N_('Статус'), 'field': 'status', 'align': 'left'},
    {'name': 'created', 'label': N_('Создан'), 'field': 'created', 'align': 'left'},
    {'name': 'actions', 'label': '', 'field': 'name', 'align': 'right'},
]

STATUS_CELL = N_('''
<q-td :props="props">
  <q-badge :color="props.row.active ? 'positive' : 'grey-6'" :label="props.value"
           class="px-2 py-1 rounded-full"/>
  <div v-if="props.row.active && props.row.must_change" class="text-xs text-grey-7 q-mt-xs">
    начальный пароль ещё не сменён
  </div>
</q-td>
''')
NAME_CELL = N_('''
<q-td :props="props">
  <span class="font-medium">{{ props.value }}</span>
  <q-badge v-if="props.row.self" color="blue-grey-2" text-color="blue-grey-9" label="это вы"
           class="q-ml-sm"/>
</q-td>
''')
ACTIONS_CELL = N_('''
<q-td :props="props" class="text-right" style="white-space: nowrap">
  <q-btn flat dense round icon="edit" aria-label="Изменить"
         @click.stop="() => $parent.$emit('edit', props.row)">
    <q-tooltip>Изменить</q-tooltip>
  </q-btn>
  <q-btn v-if="props.row.active" flat dense round icon="lock_reset" aria-label="Сбросить пароль"
         @click.stop="() => $parent.$emit('reset', props.row)">
    <q-tooltip>Сбросить пароль</q-tooltip>
  </q-btn>
  <q-btn v-if="props.row.active && !props.row.self" flat dense round color="negative"
         icon="person_off" aria-label="Отключить"
         @click.stop="() => $parent.$emit('deactivate', props.row)">
    <q-tooltip>Отключить учётную запись</q-tooltip>
  </q-btn>
  <q-btn v-if="!props.row.active" flat dense no-caps color="primary" icon="person_add"
         label="Включить" @click.stop="() => $parent.$emit('activate', props.row)"/>
</q-td>
''')


class Accounts(ReadTable):
    """The accounts of one organization (its clients) or of the studio (`organization=''`)."""

    def __init__(self, session: Session, organization: str = '', organization_title: str = ''):
        super().__init__()
        self.session = session
        self.organization = organization
        self.organization_title = organization_title

    @property
    def staff(self) -> bool:
        return not self.organization

    async def fetch(self) -> list[auth_pb2.User]:
        if self.staff:
            return await self.session.auth.staff()
        people = await self.session.auth.users(organization=self.organization,
                                               role=auth_pb2.ROLE_CLIENT)
        return sorted(people, key=lambda u: (not u.active, u.full_name.lower()))

    @ui.refreshable_method
    def table(self) -> None:
        if self.staff:
            empty = (_('Сотрудников пока нет'), '')
        else:
            empty = (_('Клиентов пока нет'),
                     _('Создайте учётную запись контактного лица организации: оно войдёт по '
                       'e-mail и паролю и сможет оставлять тикеты.'))
        if placeholder(self.loaded, self.rows, 'h-24', 'group', *empty):
            return
        columns = i18n.columns([c for c in COLUMNS if self.staff or c['name'] != 'role'])
        rows = [self._row(user) for user in self.rows]
        table = ui.table(columns=columns, rows=rows, row_key='name',
                         pagination={'rowsPerPage': 0}) \
            .props('flat wrap-cells hide-pagination').classes('w-full') \
            .mark('staff' if self.staff else 'clients')
        table.add_slot('body-cell-status', _(STATUS_CELL))
        table.add_slot('body-cell-full_name', _(NAME_CELL))
        table.add_slot('body-cell-actions', _(ACTIONS_CELL))
        table.on('edit', lambda e: self.edit(e.args['name']))
        table.on('reset', lambda e: self.reset(e.args['name']))
        table.on('deactivate', lambda e: self.deactivate(e.args['name']))
        table.on('activate', lambda e: self.activate(e.args['name']))

    def _row(self, user: auth_pb2.User) -> dict:
        return {
            'name': user.name,
            'full_name': user.full_name or '—',
            'email': user.email,
            'phone': user.phone or '—',
            'role': role_title(user.role),
            'status': _('Активен') if user.active else _('Отключён'),
            'active': user.active,
            'must_change': user.password_change_required,
            'self': user.name == self.session.account.name,
            'created': labels.moment_day(user.create_time, self.session.zone),
        }

    def _find(self, name: str) -> auth_pb2.User | None:
        return next((u for u in self.rows if u.name == name), None)

    # --- create and edit ----------------------------------------------------------------

    async def create(self) -> None:
        answer = await self._dialog(None)
        if answer is None:
            return
        await self.load()
        if answer.initial_password:
            details = [(_('ФИО'), answer.user.full_name), ('E-mail', answer.user.email)]
            if self.staff:
                details.append((_('Роль'), role_title(answer.user.role)))
            else:
                details.append((_('Организация'), self.organization_title))
            await show_secret(_('Учётная запись создана'), _('Начальный пароль'),
                              answer.initial_password, details)
        else:  # a retry of a request that already succeeded: the password was shown then
            ui.notify(_('Учётная запись уже была создана. Если пароль не сохранён, сбросьте его.'),
                      type='warning', multi_line=True)

    async def edit(self, name: str) -> None:
        user = self._find(name)
        if user is not None and await self._dialog(user) is not None:
            ui.notify(_('Изменения сохранены'), type='positive')
            await self.load()

    async def _dialog(self, user: auth_pb2.User | None):
        """Creates (user is None: the CreateUserResponse) or edits an account (the User);
        None when cancelled."""
        request_id = new_request_id()  # one per dialog: a retried «Создать» makes one account
        form = Form()
        with ui.dialog() as dialog, ui.card().classes('w-[32rem] max-w-full gap-3') \
                .mark('account-dialog'):
            ui.label(self._title(user)).classes('text-h6')
            if not self.staff:
                ui.label(_('Организация: {name}').format(name=self.organization_title)) \
                    .classes('text-grey-7')
            self._fields(form, user)
            if user is None:
                ui.label(_('Пароль создаётся автоматически и будет показан один раз; при первом '
                           'входе его попросят сменить.')).classes('text-xs text-grey-7')
            form.message_line()

            async def submit() -> None:
                values = self._checked(form)
                if values is not None:
                    await save_form(dialog, form, save, lambda: self._create(values, request_id)
                                    if user is None else self._update(user, values))

            save = buttons(dialog, _('Создать') if user is None else _('Сохранить'), submit)
        return await answer(dialog)

    def _title(self, user: auth_pb2.User | None) -> str:
        if user is not None:
            return _('Учётная запись')
        return _('Новый сотрудник') if self.staff else _('Новый клиент')

    def _fields(self, form: Form, user: auth_pb2.User | None) -> None:
        form.add('full_name', ui.input(_('ФИО'), value=user.full_name if user else '')
                 .props('autofocus').classes('w-full'))
        form.add('email', ui.input('E-mail', value=user.email if user else '')
                 .props('type=email').classes('w-full'))
        form.add('phone', ui.input(_('Телефон'), value=user.phone if user else '')
                 .props('type=tel').classes('w-full'))
        if self.staff:
            role = form.add('role', ui.select(
                role_options(STAFF_ROLES), label=_('Роль'),
                value=user.role if user else list(STAFF_ROLES)[0]).classes('w-full'))
            if user is not None and user.name == self.session.account.name:
                role.disable()  # a manager keeps their own rights

    @staticmethod
    def _checked(form: Form) -> dict | None:
        """The account's values as typed; None when the form can already tell a problem."""
        form.clear()
        values = {name: form.text(name) for name in ('full_name', 'email', 'phone')}
        if 'role' in form.fields:
            values['role'] = form.fields['role'].value
        if not values['full_name']:
            form.problem('full_name', _('обязательное поле'))
        if not EMAIL.match(values['email']):
            form.problem('email', _('введите адрес e-mail, например name@example.ru'))
        return None if form.has_problems else values

    async def _create(self, values: dict, request_id: str) -> auth_pb2.CreateUserResponse:
        role = values.pop('role', auth_pb2.ROLE_CLIENT)
        new = auth_pb2.User(**values, role=role, organization=self.organization, language='ru')
        return await self.session.auth.create_user(new, request_id)

    async def _update(self, user: auth_pb2.User, values: dict) -> auth_pb2.User:
        changes = {k: v for k, v in values.items() if getattr(user, k) != v}
        if not changes:
            return user
        return await self.session.auth.update_user(user.name, **changes)

    # --- password and access ------------------------------------------------------------

    async def reset(self, name: str) -> None:
        user = self._find(name)
        if user is None:
            return
        if not await confirm(_('Сбросить пароль?'),
                             _('Текущий пароль {name} ({email}) перестанет действовать, '
                               'открытые сеансы завершатся. Новый пароль будет показан '
                               'один раз.').format(name=user.full_name, email=user.email),
                             _('Сбросить пароль')):
            return
        try:
            password = await self.session.auth.reset_password(name)
        except ApiError as error:
            show_error(error)
            return
        await show_secret(_('Пароль сброшен'), _('Новый пароль'), password,
                          [(_('ФИО'), user.full_name), ('E-mail', user.email)])
        await self.load()

    async def deactivate(self, name: str) -> None:
        user = self._find(name)
        if user is None:
            return
        if not await confirm(_('Отключить учётную запись?'),
                             _('{name} ({email}) больше не сможет войти, открытые сеансы '
                               'завершатся сразу. Тикеты и комментарии сохранятся.')
                             .format(name=user.full_name, email=user.email),
                             _('Отключить')):
            return
        if await succeeded(self.session.auth.deactivate_user(name)):
            ui.notify(_('Учётная запись {email} отключена').format(email=user.email),
                      type='positive')
            await self.load()

    async def activate(self, name: str) -> None:
        user = self._find(name)
        if await succeeded(self.session.auth.update_user(name, active=True)):
            email = user.email if user else ''
            ui.notify(_('Учётная запись {email} снова активна').format(email=email),
                      type='positive')
            await self.load()
