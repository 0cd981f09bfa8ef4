"""The integrations page's list of messages the e-mail channel did not apply: loops it
ignored and messages it refused, with the reason in words."""

from __future__ import annotations

from nicegui import ui

from ticketdesk.tickets.v1 import tickets_pb2 as pb

from ... import i18n, labels, routes
from ...i18n import N_, _
from ...session import Session
from .common import ReadTable, placeholder

REASONS = {
    'OWN_NOTICE': N_('вернулось наше уведомление'),
    'AUTO_SUBMITTED': N_('автоответ'),
    'AUTO_REPLY': N_('автоответ'),
    'BULK': N_('рассылка'),
    'BOUNCE': N_('отчет о недоставке'),
    'SYSTEM_SENDER': N_('системный отправитель'),
    'REPLIES_OFF': N_('прием писем выключен'),
    'FORGED_ADDRESS': N_('поддельный адрес ответа'),
    'UNKNOWN_TICKET': N_('тикет не найден'),
    'SENDER_NOT_AUTHENTICATED': N_('подпись отправителя не прошла проверку (DMARC)'),
    'UNKNOWN_SENDER': N_('отправитель — не контакт клиента'),
    'EMPTY_REPLY': N_('в письме нет текста'),
    'TICKET_CLOSED': N_('тикет закрыт'),
}
COLUMNS = [
    {'name': 'time', 'label': N_('Получено'), 'field': 'time', 'align': 'left'},
    {'name': 'sender', 'label': N_('Отправитель'), 'field': 'sender', 'align': 'left'},
    {'name': 'subject', 'label': N_('Тема'), 'field': 'subject', 'align': 'left'},
    {'name': 'reason', 'label': N_('Почему'), 'field': 'reason', 'align': 'left'},
    {'name': 'ticket', 'label': N_('Тикет'), 'field': 'ticket', 'align': 'left'},
]
TICKET_CELL = '''
<q-td :props="props">
  <a v-if="props.row.link" :href="props.row.link" class="text-primary">{{ props.value }}</a>
  <span v-else>—</span>
</q-td>
'''


def reason_words(reason: str) -> str:
    return _(REASONS[reason]) if reason in REASONS else reason


class RefusedMail(ReadTable):
    def __init__(self, session: Session):
        super().__init__()
        self.session = session

    async def fetch(self) -> list[pb.InboundEmail]:
        return await self.session.tickets.refused_emails()

    @ui.refreshable_method
    def table(self) -> None:
        if placeholder(self.loaded, self.rows, 'h-24', 'mark_email_read',
                       _('Все письма дошли до тикетов'),
                       _('Здесь появятся письма, которые не стали комментариями или '
                         'тикетами, с причиной.')):
            return
        table = ui.table(columns=i18n.columns(COLUMNS), rows=[self._row(m) for m in self.rows],
                         row_key='name', pagination={'rowsPerPage': 20}) \
            .props('flat wrap-cells').classes('w-full').mark('refused-mail')
        table.add_slot('body-cell-ticket', TICKET_CELL)

    def _row(self, message: pb.InboundEmail) -> dict:
        number = message.ticket.rpartition('/')[2]
        return {'name': message.name, 'time': labels.moment(message.create_time,
                                                            self.session.zone),
                'sender': message.sender or '—', 'subject': message.subject or '—',
                'reason': reason_words(message.reason),
                'ticket': f'#{number}' if number else '',
                'link': routes.ticket(number) if number else ''}
