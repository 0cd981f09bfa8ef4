"""The general list: every ticket the client may see, with its status and counts per status.
Staff see the developers' queue here instead."""

from __future__ import annotations

import asyncio

from nicegui import ui

from ticketdesk.tickets.v1 import tickets_pb2 as pb

from ... import i18n, labels, routes
from ...clients.errors import ApiError
from ...clients.tickets import LIST_PAGE_SIZE
from ...components.alerts import show_error
from ...components.frame import frame
from ...components.queue import show_queue
from ...components.ticket_table import TicketTable
from ...components.widgets import filter_chip, loading, search_box, short_url
from ...i18n import N_, _
from ...session import Session

PAGE_SIZE = LIST_PAGE_SIZE

COLUMNS = [
    {'name': 'number', 'label': N_('№'), 'field': 'number', 'align': 'left', 'sortable': True},
    {'name': 'title', 'label': N_('Название'), 'field': 'title', 'align': 'left'},
    {'name': 'site', 'label': N_('Сайт'), 'field': 'site', 'align': 'left'},
    {'name': 'priority', 'label': N_('Приоритет'), 'field': 'priority', 'align': 'left'},
    {'name': 'status', 'label': N_('Статус'), 'field': 'status', 'align': 'left'},
    {'name': 'desired', 'label': N_('Желаемая дата'), 'field': 'desired', 'align': 'left'},
    {'name': 'planned', 'label': N_('Плановая дата'), 'field': 'planned', 'align': 'left'},
    {'name': 'updated', 'label': N_('Обновлён'), 'field': 'updated', 'align': 'left'},
]
# The list's orders, as TicketService spells them (services/tickets/store.py ORDERS).
ORDERS = {
    'update_time desc': N_('Сначала недавно обновлённые'),
    'create_time desc': N_('Сначала новые'),
    'create_time': N_('Сначала старые'),
    'priority desc': N_('Сначала важные'),
    'desired_date': N_('По желаемой дате'),
}


async def tickets_list_page() -> None:
    session = await Session.of_page()
    if not session.account.is_client:  # staff land on the workspace's queue
        await show_queue(session)
        return
    view = TicketList(session)
    await view.load()  # the first page goes out with the page's HTML, not after its socket
    with frame(session, _('Тикеты')):
        with ui.row().classes('w-full items-center'):
            ui.label(_('Тикеты')).classes('text-h5 font-medium')
            ui.space()
            search_box('', view.search).mark('search')
        view.counters()
        view.toolbar()
        view.table()
        view.pager()


class TicketList:
    """The list's state for one open page: filter, query and the last answer."""

    def __init__(self, session: Session):
        self.session = session
        self.status: int | None = None
        self.query = ''
        self.site = ''
        self.priority = 0
        self.order = next(iter(ORDERS))
        # Tokens of the pages seen so far: the last one is the page shown.
        self.pages: list[str] = ['']
        self.sites: list[pb.Site] = []
        self.answer = pb.ListTicketsResponse()
        # The page reads its first answer before it is built; should that fail, a spinner,
        # not «Тикетов пока нет».
        self.loaded = False
        self.asked = 0  # questions asked so far: a late answer to an older one is dropped
        self.sites_read = False  # the organization's sites, read once

    async def load(self) -> None:
        self.asked += 1
        question = self.asked
        listed = self.session.tickets.list_tickets(
            statuses=[self.status] if self.status else (), query=self.query,
            site=self.site, priorities=[self.priority] if self.priority else (),
            order_by=self.order, page_token=self.pages[-1], page_size=PAGE_SIZE)
        try:
            if self.sites_read:
                answer = await listed
            else:  # both at once
                self.sites, answer = await asyncio.gather(self._sites(), listed)
                self.sites_read = True
        except ApiError as error:
            show_error(error)
            return
        if question != self.asked:  # the filter or the search changed meanwhile
            return
        self.answer, self.loaded = answer, True
        self.counters.refresh()
        self.toolbar.refresh()
        self.table.refresh()
        self.pager.refresh()

    async def _sites(self) -> list[pb.Site]:
        organization = self.session.account.organization
        return await self.session.tickets.sites(organization) if organization else []

    async def search(self, event) -> None:
        self.query = event.value or ''
        await self.first_page()

    async def filter(self, status: int | None) -> None:
        self.status = status
        await self.first_page()

    async def choose(self, **criteria) -> None:
        """A site, a priority or an order was chosen: back to the first page."""
        for name, value in criteria.items():
            setattr(self, name, value or type(getattr(self, name))())
        await self.first_page()

    async def first_page(self) -> None:
        self.pages = ['']
        await self.load()

    async def next_page(self) -> None:
        if self.answer.next_page_token:
            self.pages.append(self.answer.next_page_token)
            await self.load()

    async def previous_page(self) -> None:
        if len(self.pages) > 1:
            self.pages.pop()
            await self.load()

    @ui.refreshable_method
    def toolbar(self) -> None:
        """Site (only with more than one), priority and order."""
        with ui.row().classes('w-full gap-3 items-center').mark('list-filters'):
            if len(self.sites) > 1:
                sites = {'': _('Все сайты')} | {s.name: short_url(s.url) for s in self.sites}
                ui.select(sites, value=self.site, label=_('Сайт'),
                          on_change=lambda e: self.choose(site=e.value)) \
                    .props('outlined dense options-dense bg-color=white').classes('w-56') \
                    .mark('filter-site')
            priorities = {0: _('Все приоритеты')} | labels.priorities()
            ui.select(priorities, value=self.priority, label=_('Приоритет'),
                      on_change=lambda e: self.choose(priority=e.value)) \
                .props('outlined dense options-dense bg-color=white').classes('w-48') \
                .mark('filter-priority')
            ui.space()
            ui.select({key: _(title) for key, title in ORDERS.items()}, value=self.order,
                      label=_('Сортировка'), on_change=lambda e: self.choose(order=e.value)) \
                .props('outlined dense options-dense bg-color=white').classes('w-64') \
                .mark('sort')

    @ui.refreshable_method
    def pager(self) -> None:
        if len(self.pages) == 1 and not self.answer.next_page_token:
            return
        with ui.row().classes('w-full items-center justify-end gap-2').mark('pager'):
            ui.label(_('Страница {page}').format(page=len(self.pages))).classes('text-grey-8')
            ui.button(_('Назад'), icon='chevron_left', on_click=self.previous_page) \
                .props('flat no-caps').set_enabled(len(self.pages) > 1)
            ui.button(_('Дальше'), icon='chevron_right', on_click=self.next_page) \
                .props('flat no-caps').set_enabled(bool(self.answer.next_page_token))

    @ui.refreshable_method
    def counters(self) -> None:
        counts = {c.status: c.count for c in self.answer.status_counts}
        with ui.row().classes('w-full gap-2 items-center').mark('counters'):
            self._counter(_('Все'), sum(counts.values()), None, 'primary')
            for status, title in labels.statuses().items():
                self._counter(title, counts.get(status, 0), status, labels.status_color(status))

    def _counter(self, title: str, count: int, status: int | None, color: str) -> None:
        selected = self.status == status
        urgent = status in labels.WAITING_FOR_CLIENT and count > 0
        filter_chip(f'{title}: {count}', color if selected or urgent else 'grey-8',
                    lambda: self.filter(status), selected=selected, urgent=urgent,
                    icon='priority_high' if urgent else None).mark(f'counter-{status or 0}')

    @ui.refreshable_method
    def table(self) -> None:
        if not self.loaded:
            loading()
            return
        tickets = list(self.answer.tickets)
        if not tickets:
            self._empty()
            return
        rows = [_row(t, self.session.zone) for t in tickets]
        TicketTable(columns=i18n.columns(COLUMNS), rows=rows, row_key='number') \
            .classes('w-full').mark('tickets')
        first = (len(self.pages) - 1) * PAGE_SIZE + 1
        shown = _('Тикеты {first}–{last} из {total}')
        ui.label(shown.format(first=first, last=first + len(tickets) - 1,
                              total=self.answer.total_size)).classes('text-grey-7')

    def _empty(self) -> None:
        with ui.card().classes('w-full items-center py-12 gap-3').props('flat bordered'):
            ui.icon('inbox', size='xl', color='grey-5')
            if self.status or self.query or self.site or self.priority:
                ui.label(_('Ничего не найдено')).classes('text-h6 text-grey-8')
                return
            ui.label(_('Тикетов пока нет')).classes('text-h6 text-grey-8')
            ui.label(_('Одна задача — один тикет. Опишите первую задачу по вашему сайту.')) \
                .classes('text-grey-7')
            ui.button(_('Создать тикет'), icon='add',
                      on_click=lambda: ui.navigate.to(routes.NEW_TICKET)).props('unelevated')


def _row(ticket: pb.Ticket, zone: str) -> dict:
    return {
        'number': ticket.number,
        'href': routes.ticket(ticket.number),
        'title': ticket.title,
        'site': short_url(ticket.site_url),
        'priority': labels.priority(ticket.priority),
        'status': labels.status(ticket.status),
        'remarks': ticket.has_remarks,
        'status_color': labels.status_color(ticket.status),
        'desired': labels.day(ticket.desired_date),
        'planned': labels.day(ticket.planned_date),
        'updated': labels.moment(ticket.update_time, zone),
    }
