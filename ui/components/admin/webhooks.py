"""The integrations page's webhook dialogs: a new webhook (its secret shown once) and a
webhook's delivery log, each delivery sendable again."""

from __future__ import annotations

from nicegui import ui

from ticketdesk.tickets.v1 import tickets_pb2 as pb

from ... import i18n, labels
from ...clients.base import new_request_id
from ...clients.errors import ApiError
from ...i18n import N_, _
from ...session import Session
from ..alerts import show_error
from ..dialogs import answer
from .common import ReadTable, placeholder
from .forms import Form, buttons, save_form, show_secret

# The events a webhook can carry (TicketEvent kinds), as a manager reads them.
EVENT_KINDS = {
    'ticket_created': N_('Новый тикет'),
    'status_changed': N_('Смена статуса'),
    'comment': N_('Комментарий'),
    'remarks': N_('Замечания при приемке'),
    'auto_accepted': N_('Автоматическая приемка'),
    'sla_warning': N_('SLA: предупреждение'),
    'sla_breach': N_('SLA: нарушение'),
    'internal_note': N_('Внутренняя заметка'),
}
STAFF_ONLY_KINDS = {'internal_note'}
DELIVERY_COLUMNS = [
    {'name': 'time', 'label': N_('Событие'), 'field': 'time', 'align': 'left'},
    {'name': 'kind', 'label': N_('Тип'), 'field': 'kind', 'align': 'left'},
    {'name': 'ticket', 'label': N_('Тикет'), 'field': 'ticket', 'align': 'left'},
    {'name': 'attempts', 'label': N_('Попыток'), 'field': 'attempts', 'align': 'right'},
    {'name': 'answer', 'label': N_('Ответ'), 'field': 'answer', 'align': 'left'},
    {'name': 'actions', 'label': '', 'field': 'name', 'align': 'right'},
]
REDELIVER_CELL = N_('''
<q-td :props="props" class="text-right">
  <q-btn flat dense no-caps color="primary" icon="replay" label="Отправить снова"
         @click.stop="() => $parent.$emit('redeliver', props.row)"/>
</q-td>
''')


def kind_title(kind: str) -> str:
    return _(EVENT_KINDS[kind]) if kind in EVENT_KINDS else kind


async def create_webhook(session: Session, organizations: dict[str, str]) -> None:
    """Asks for a new webhook; once created, shows its signing secret (once)."""
    created = await _dialog(session, organizations)
    if created is None:
        return
    hook = created.webhook
    await show_secret(_('Вебхук создан'), _('Секрет подписи'), created.secret, [
        (_('Название'), hook.display_name), (_('Адрес'), hook.url),
        (_('События'), organizations.get(hook.organization, _('все тикеты студии')))])


async def _dialog(session: Session,
                  organizations: dict[str, str]) -> pb.CreateWebhookResponse | None:
    request_id = new_request_id()  # one per dialog: a retried «Создать» makes one webhook
    form = Form()
    studio = {'': _('Все тикеты студии (с внутренними заметками)')}
    with ui.dialog() as dialog, ui.card().classes('w-[34rem] max-w-full gap-3') \
            .mark('webhook-dialog'):
        ui.label(_('Новый вебхук')).classes('text-h6')
        form.add('display_name', ui.input(_('Название'), placeholder=_('Например, «CRM студии»'))
                 .props('autofocus').classes('w-full'))
        form.add('url', ui.input(_('Адрес (URL)'), placeholder='https://crm.example.com/hooks')
                 .classes('w-full'))
        owner = form.add('organization', ui.select(
            {**studio, **organizations}, label=_('Чьи тикеты'), value='', with_input=True)
            .classes('w-full'))
        kinds = form.add('event_kinds', ui.select(
            {kind: _(title) for kind, title in EVENT_KINDS.items()}, multiple=True,
            label=_('События (пусто — все)'), value=[]).props('use-chips').classes('w-full'))
        ui.label(_('TicketDesk подписывает каждый запрос (заголовок TicketDesk-Signature, '
                   'как у Stripe) и повторяет неудачные; после всех неудачных попыток '
                   'вебхук выключается.')).classes('text-xs text-grey-7')
        form.message_line()

        async def submit() -> None:
            form.clear()
            if not form.text('display_name'):
                form.problem('display_name', _('обязательное поле'))
            if not form.text('url'):
                form.problem('url', _('обязательное поле'))
            chosen = list(kinds.value or [])
            if owner.value and STAFF_ONLY_KINDS & set(chosen):
                form.problem('event_kinds', _('внутренние заметки — только для вебхука студии'))
            if form.has_problems:
                return
            await save_form(dialog, form, save, lambda: session.tickets.create_webhook(
                form.text('display_name'), form.text('url'), owner.value or '', chosen,
                request_id))

        save = buttons(dialog, _('Создать'), submit)
    return await answer(dialog)


async def show_deliveries(session: Session, hook: pb.Webhook) -> None:
    """The webhook's latest deliveries, newest first; each can be sent again."""
    log = Deliveries(session, hook)
    with ui.dialog() as dialog, ui.card().classes('w-[56rem] max-w-full gap-3') \
            .mark('deliveries-dialog'):
        with ui.row().classes('w-full items-center no-wrap'):
            ui.label(_('Доставки: {name}').format(name=hook.display_name)).classes('text-h6')
            ui.space()
            refresh = ui.button(icon='refresh', on_click=log.load).props('flat round dense') \
                .tooltip(_('Обновить'))
            refresh.props['aria-label'] = _('Обновить')
        log.table()
        with ui.row().classes('w-full justify-end'):
            ui.button(_('Закрыть'), on_click=lambda: dialog.submit(None)).props('flat no-caps')
    await log.load()
    await answer(dialog)


class Deliveries(ReadTable):
    def __init__(self, session: Session, hook: pb.Webhook):
        super().__init__()
        self.session, self.hook = session, hook

    async def fetch(self) -> list[pb.WebhookDelivery]:
        return await self.session.tickets.webhook_deliveries(self.hook.name)

    @ui.refreshable_method
    def table(self) -> None:
        if placeholder(self.loaded, self.rows, 'h-24', 'outbox', _('Доставок пока нет'),
                       _('Они появятся с первым событием, которое подходит вебхуку.')):
            return
        table = ui.table(columns=i18n.columns(DELIVERY_COLUMNS),
                         rows=[self._row(d) for d in self.rows], row_key='name',
                         pagination={'rowsPerPage': 0}) \
            .props('flat dense wrap-cells hide-pagination').classes('w-full') \
            .mark('deliveries')
        table.add_slot('body-cell-actions', _(REDELIVER_CELL))
        table.on('redeliver', lambda e: self.redeliver(e.args['name']))

    def _row(self, delivery: pb.WebhookDelivery) -> dict:
        d = delivery
        if d.delivered:
            result = _('доставлено ({code})').format(code=d.response_code)
        elif d.response_code:
            result = _('ошибка {code}').format(code=d.response_code)
        else:
            result = d.error or _('ждет отправки')
        return {'name': d.name, 'time': labels.moment(d.create_time, self.session.zone),
                'kind': kind_title(d.kind), 'ticket': f'#{d.ticket.rpartition("/")[2]}'
                if d.ticket else '—', 'attempts': d.attempts, 'answer': result}

    async def redeliver(self, name: str) -> None:
        try:
            await self.session.tickets.redeliver(name)
        except ApiError as error:
            show_error(error)
            return
        ui.notify(_('Событие будет отправлено снова'), type='positive')
        await self.load()
