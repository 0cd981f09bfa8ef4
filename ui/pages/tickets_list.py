"""The general list: every ticket the user may see, with its status and counts per status."""

from __future__ import annotations

from nicegui import ui

from ticketdesk.tickets.v1 import tickets_pb2 as pb

from .. import labels, widgets
from ..api import Api, ApiError
from ..frame import frame, show_error

COLUMNS = [
    {'name': 'number', 'label': '№', 'field': 'number', 'align': 'left', 'sortable': True},
    {'name': 'title', 'label': 'Название', 'field': 'title', 'align': 'left'},
    {'name': 'site', 'label': 'Сайт', 'field': 'site', 'align': 'left'},
    {'name': 'priority', 'label': 'Приоритет', 'field': 'priority', 'align': 'left'},
    {'name': 'status', 'label': 'Статус', 'field': 'status', 'align': 'left'},
    {'name': 'desired', 'label': 'Желаемая дата', 'field': 'desired', 'align': 'left'},
    {'name': 'planned', 'label': 'Плановая дата', 'field': 'planned', 'align': 'left'},
    {'name': 'updated', 'label': 'Обновлён', 'field': 'updated', 'align': 'left'},
]
ORGANIZATION_COLUMN = {'name': 'organization', 'label': 'Организация',
                       'field': 'organization', 'align': 'left'}

# Vue templates interpolate with {{ }}, which escapes: user text stays text.
STATUS_CELL = '''
<q-td :props="props">
  <q-badge :color="props.row.status_color" :label="props.value" class="text-sm px-3 py-1 rounded-full"/>
</q-td>
'''
NUMBER_CELL = '''
<q-td :props="props">
  <a :href="'/tickets/' + props.value" class="text-primary font-medium no-underline">#{{ props.value }}</a>
</q-td>
'''


@ui.page('/', response_timeout=20)
async def tickets_list_page() -> None:
    session = Api.of_current_user()
    if not session.account.is_client:  # staff land on the workspace's queue
        from .queue import show_queue
        await show_queue(session)
        return
    view = TicketList(session)
    with frame(session, 'Тикеты'):
        with ui.row().classes('w-full items-center'):
            ui.label('Тикеты').classes('text-h5 font-medium')
            ui.space()
            with ui.input(placeholder='Поиск по номеру и тексту', on_change=view.search) \
                    .props('outlined dense clearable debounce=400 bg-color=white') \
                    .classes('w-80').mark('search') as search:
                with search.add_slot('prepend'):
                    ui.icon('search')
        view.counters()
        view.table()
    await view.load()


class TicketList:
    """The list's state for one open page: filter, query and the last answer."""

    def __init__(self, session: Api):
        self.session = session
        self.status: int | None = None
        self.query = ''
        self.answer = pb.ListTicketsResponse()
        self.organizations: dict[str, str] | None = None  # staff only, read once

    async def load(self) -> None:
        try:
            if self.organizations is None:
                self.organizations = await self.session.organization_names()
            self.answer = await self.session.list_tickets(
                statuses=[self.status] if self.status else None, query=self.query)
        except ApiError as error:
            show_error(error)
            return
        self.counters.refresh()
        self.table.refresh()

    async def search(self, event) -> None:
        self.query = event.value or ''
        await self.load()

    async def filter(self, status: int | None) -> None:
        self.status = status
        await self.load()

    @ui.refreshable_method
    def counters(self) -> None:
        counts = {c.status: c.count for c in self.answer.status_counts}
        with ui.row().classes('w-full gap-2 items-center').mark('counters'):
            self._counter('Все', sum(counts.values()), None, 'primary')
            for status, title in labels.STATUS.items():
                self._counter(title, counts.get(status, 0), status, labels.status_color(status))

    def _counter(self, title: str, count: int, status: int | None, color: str) -> None:
        selected = self.status == status
        urgent = status in labels.WAITING_FOR_CLIENT and count > 0
        chip = ui.chip(f'{title}: {count}', icon='priority_high' if urgent else None,
                       color=color if selected or urgent else 'grey-8',
                       text_color='white' if selected else None,
                       on_click=lambda: self.filter(status)).mark(f'counter-{status or 0}')
        if not selected:
            chip.props('outline')
        if urgent:
            chip.classes('font-bold')

    @ui.refreshable_method
    def table(self) -> None:
        tickets = list(self.answer.tickets)
        if not tickets:
            self._empty()
            return
        staff = not self.session.account.is_client
        columns = [COLUMNS[0], COLUMNS[1], *([ORGANIZATION_COLUMN] if staff else []),
                   *COLUMNS[2:]]
        rows = [_row(t, self.organizations or {}) for t in tickets]
        table = ui.table(columns=columns, rows=rows, row_key='number',
                         pagination={'rowsPerPage': 0}) \
            .props('flat bordered wrap-cells hide-pagination').classes('w-full cursor-pointer').mark('tickets')
        table.add_slot('body-cell-status', STATUS_CELL)
        table.add_slot('body-cell-number', NUMBER_CELL)
        table.on('rowClick', lambda e: ui.navigate.to(f'/tickets/{e.args[1]["number"]}'))
        if self.answer.total_size > len(tickets):
            ui.label(f'Показаны {len(tickets)} из {self.answer.total_size}. '
                     'Уточните поиск или фильтр.').classes('text-grey-7')

    def _empty(self) -> None:
        with ui.card().classes('w-full items-center py-12 gap-3').props('flat bordered'):
            ui.icon('inbox', size='xl', color='grey-5')
            if self.status or self.query:
                ui.label('Ничего не найдено').classes('text-h6 text-grey-8')
                return
            ui.label('Тикетов пока нет').classes('text-h6 text-grey-8')
            ui.label('Одна задача — один тикет. Опишите первую задачу по вашему сайту.') \
                .classes('text-grey-7')
            ui.button('Создать тикет', icon='add',
                      on_click=lambda: ui.navigate.to('/tickets/new')).props('unelevated')


def _row(ticket: pb.Ticket, organizations: dict[str, str]) -> dict:
    return {
        'number': ticket.number,
        'title': ticket.title,
        'organization': ticket.organization_display_name
        or organizations.get(ticket.organization, ''),
        'site': widgets.short_url(ticket.site_url),
        'priority': labels.priority(ticket.priority),
        'status': labels.status(ticket.status) + (' · есть замечания' if ticket.has_remarks else ''),
        'status_color': labels.status_color(ticket.status),
        'desired': labels.day(ticket.desired_date),
        'planned': labels.day(ticket.planned_date),
        'updated': labels.moment(ticket.update_time),
    }
