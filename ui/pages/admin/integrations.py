"""The manager's administration: integrations. Webhooks that POST ticket events, signed,
to other systems; and the messages the e-mail channel did not apply."""

from __future__ import annotations

from nicegui import ui

from ticketdesk.tickets.v1 import tickets_pb2 as pb

from ... import i18n, routes
from ...clients.errors import ApiError
from ...components.admin.common import admin_frame, intro_row, placeholder, refused, table_card
from ...components.admin.inbound_mail import RefusedMail
from ...components.admin.webhooks import create_webhook, kind_title, show_deliveries
from ...components.alerts import show_error, succeeded
from ...components.dialogs import confirm
from ...i18n import N_, _
from ...session import Session

COLUMNS = [
    {'name': 'display_name', 'label': N_('Название'), 'field': 'display_name', 'align': 'left'},
    {'name': 'url', 'label': N_('Адрес'), 'field': 'url', 'align': 'left'},
    {'name': 'owner', 'label': N_('Чьи тикеты'), 'field': 'owner', 'align': 'left'},
    {'name': 'kinds', 'label': N_('События'), 'field': 'kinds', 'align': 'left'},
    {'name': 'status', 'label': N_('Статус'), 'field': 'status', 'align': 'left'},
    {'name': 'actions', 'label': '', 'field': 'name', 'align': 'right'},
]
STATUS_CELL = '''
<q-td :props="props">
  <q-badge :color="props.row.enabled ? 'positive' : 'grey-6'" :label="props.value"
           class="px-2 py-1 rounded-full"/>
  <div v-if="props.row.reason" class="text-xs text-negative mt-1">{{ props.row.reason }}</div>
</q-td>
'''
ACTIONS_CELL = N_('''
<q-td :props="props" class="text-right">
  <q-btn flat dense no-caps icon="list_alt" label="Доставки"
         @click.stop="() => $parent.$emit('deliveries', props.row)"/>
  <q-btn flat dense no-caps :icon="props.row.enabled ? 'pause' : 'play_arrow'"
         :label="props.row.enabled ? 'Выключить' : 'Включить'"
         @click.stop="() => $parent.$emit('toggle', props.row)"/>
  <q-btn flat dense no-caps color="negative" icon="delete" label="Удалить"
         @click.stop="() => $parent.$emit('delete', props.row)"/>
</q-td>
''')


async def integrations_page() -> None:
    session = await Session.of_page()
    if refused(session):
        return
    view, mail = Webhooks(session), RefusedMail(session)
    with admin_frame(session, _('Интеграции'), routes.INTEGRATIONS):
        with intro_row(_('Вебхуки отправляют события тикетов в другие системы: POST с '
                         'подписью, по порядку, с повторами. Вебхук клиента получает то, что '
                         'видит клиент.'), wrap=False):
            ui.button(_('Новый вебхук'), icon='add', on_click=view.create) \
                .props('unelevated no-caps').classes('shrink-0').mark('new-webhook')
        table_card(view.table)
        ui.label(_('Письма, не дошедшие до тикетов')).classes('text-h6 mt-4')
        ui.label(_('Ответы на уведомления становятся комментариями, письма клиентов на адрес '
                   'поддержки — тикетами. Остальные (автоответы, чужие отправители, '
                   'поддельные адреса) сохраняются здесь с причиной.')).classes('text-grey-8')
        table_card(mail.table)
    await view.load()
    await mail.load()


class Webhooks:
    def __init__(self, session: Session):
        self.session = session
        self.hooks: list[pb.Webhook] = []
        self.organizations: dict[str, str] = {}
        self.loaded = False

    async def load(self) -> None:
        try:
            self.hooks = await self.session.tickets.webhooks()
            organizations = await self.session.auth.organizations(show_inactive=False)
            self.organizations = {o.name: o.display_name for o in organizations}
        except ApiError as error:
            show_error(error)
            return
        self.loaded = True
        self.table.refresh()

    @ui.refreshable_method
    def table(self) -> None:
        if placeholder(self.loaded, self.hooks, 'h-24', 'webhook', _('Вебхуков пока нет'),
                       _('Создайте вебхук, чтобы CRM или мессенджер узнавали о тикетах '
                         'сразу.')):
            return
        table = ui.table(columns=i18n.columns(COLUMNS), rows=[self._row(h) for h in self.hooks],
                         row_key='name', pagination={'rowsPerPage': 0}) \
            .props('flat wrap-cells hide-pagination').classes('w-full').mark('webhooks')
        table.add_slot('body-cell-status', STATUS_CELL)
        table.add_slot('body-cell-actions', _(ACTIONS_CELL))
        table.on('deliveries', lambda e: self.deliveries(e.args['name']))
        table.on('toggle', lambda e: self.toggle(e.args['name']))
        table.on('delete', lambda e: self.delete(e.args['name']))

    def _row(self, hook: pb.Webhook) -> dict:
        return {
            'name': hook.name, 'display_name': hook.display_name, 'url': hook.url,
            'owner': self.organizations.get(hook.organization, hook.organization)
            if hook.organization else _('вся студия'),
            'kinds': ', '.join(kind_title(k) for k in hook.event_kinds) or _('все'),
            'status': _('Включен') if hook.enabled else _('Выключен'),
            'enabled': hook.enabled,
            'reason': _('Выключен после неудачных попыток: {reason}').format(
                reason=hook.disabled_reason) if hook.disabled_reason else '',
        }

    def _hook(self, name: str) -> pb.Webhook | None:
        return next((h for h in self.hooks if h.name == name), None)

    async def create(self) -> None:
        await create_webhook(self.session, self.organizations)
        await self.load()

    async def deliveries(self, name: str) -> None:
        if (hook := self._hook(name)) is not None:
            await show_deliveries(self.session, hook)

    async def toggle(self, name: str) -> None:
        if (hook := self._hook(name)) is None:
            return
        if await succeeded(self.session.tickets.enable_webhook(name, not hook.enabled)):
            ui.notify((_('Вебхук «{name}» выключен') if hook.enabled else
                       _('Вебхук «{name}» включен: недоставленные события уйдут по порядку'))
                      .format(name=hook.display_name), type='positive')
            await self.load()

    async def delete(self, name: str) -> None:
        if (hook := self._hook(name)) is None:
            return
        if not await confirm(_('Удалить вебхук?'),
                             _('«{name}» больше не получит событий, его журнал доставок '
                               'удалится. Это нельзя отменить.').format(name=hook.display_name),
                             _('Удалить')):
            return
        if await succeeded(self.session.tickets.delete_webhook(name)):
            ui.notify(_('Вебхук «{name}» удален').format(name=hook.display_name),
                      type='positive')
            await self.load()
