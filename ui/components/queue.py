"""The developers' workspace: one queue across every client organization.

Filters by status, organization, site, priority, assignee and SLA state; sorted by the
SLA due time by default; «есть замечания» stands out. The filters live in the address
(`/queue?status=queued,in_progress&org=…`), so that «назад» from a card returns to the
same queue. Staff land here: `/` shows this queue to them too.
"""

from __future__ import annotations

from nicegui import ui

from ticketdesk.tickets.v1 import tickets_pb2 as pb

from .. import i18n, labels, routes
from ..clients.errors import ApiError
from ..i18n import _
from ..session import Session
from . import queue_table
from .alerts import show_error
from .frame import frame
from .queue_filters import ASSIGNEES, PAGE_SIZE, SLA_FILTERS, SORTS, STATUS_CODES, Filters
from .widgets import Table, filter_chip, loading, search_box, short_url

REFRESH_SECONDS = 30.0
TOGGLE_STYLE = 'border: 1px solid #b0bec5; border-radius: 6px'


def _options(choices: dict[str, str]) -> dict[str, str]:
    """A select's or toggle's choices (msgids) in the reader's language."""
    return {value: _(title) for value, title in choices.items()}


def _toggle(label: str, choices: dict[str, str], value: str, on_change,
            color: str) -> ui.toggle:
    with ui.row().classes('items-center gap-2'):
        ui.label(label).classes('text-sm text-grey-8')
        return ui.toggle(_options(choices), value=value, on_change=on_change) \
            .style(TOGGLE_STYLE) \
            .props(f'dense no-caps unelevated padding="2px 12px" toggle-color={color}')


async def show_queue(session: Session, filters: Filters | None = None) -> None:
    """The queue's page (at `/queue`, and at `/` for staff)."""
    view = Queue(session, filters or Filters())
    with frame(session, _('Очередь')):
        view.build()
    await view.start()


class Queue:
    """One open queue: its filters, the page shown, the names it needs (read once)."""

    def __init__(self, session: Session, filters: Filters):
        self.session = session  # the page's: callbacks never ask whose page it is
        self.account = session.account
        self.filters = filters
        self.tickets: list[pb.Ticket] = []
        self.total = 0
        self.counts: dict[int, int] = {}
        self.tokens = ['']  # the page token of every page up to the shown one
        self.next_token = ''
        self.organizations: dict[str, str] = {}
        self.people: dict[str, str] = {}
        self.sites: dict[str, str] = {}
        self.loaded = False
        self.asked = 0  # loads asked so far: a late answer to an older one is dropped
        self._busy = False

    # --- layout --------------------------------------------------------------------------

    def build(self) -> None:
        with ui.row().classes('w-full items-center gap-4'):
            with ui.column().classes('gap-0'):
                ui.label(_('Очередь')).classes('text-h5 font-medium')
                ui.label(_('Тикеты всех организаций')).classes('text-sm text-grey-7')
            ui.space()
            search_box(self.filters.query, self._search).mark('queue-search')
        self.counters()
        with ui.card().classes('w-full p-3').props('flat bordered'):
            self._selects()
            with ui.row().classes('w-full items-center gap-x-6 gap-y-2 pt-2'):
                _toggle(_('Исполнитель'), ASSIGNEES, self.filters.assignee,
                        self._assignee_chosen, 'primary').mark('filter-assignee')
                _toggle('SLA', SLA_FILTERS, self.filters.sla, self._sla_chosen,
                        'negative').mark('filter-sla')
                ui.space()
                ui.button(_('Сбросить фильтры'), icon='filter_alt_off', on_click=self._reset) \
                    .props('flat dense no-caps color=grey-8')
        self.table()
        ui.timer(REFRESH_SECONDS, self._refresh)

    def _selects(self) -> None:
        """Organization, site, priority and order; the organizations and sites come later."""
        look = 'outlined dense options-dense'
        with ui.row().classes('w-full items-center gap-3'):
            self.organization = ui.select({'': _('Все организации')}, label=_('Организация'),
                                          value='', on_change=self._organization_chosen) \
                .props(look).classes('w-56').mark('filter-organization')
            self.site = ui.select({'': _('Все сайты')}, label=_('Сайт'), value='',
                                  on_change=self._site_chosen) \
                .props(look).classes('w-56').mark('filter-site')
            self.priority = ui.select(labels.priorities(), label=_('Приоритет'), multiple=True,
                                      value=list(self.filters.priorities),
                                      on_change=self._priority_chosen) \
                .props(f'{look} use-chips clearable').classes('min-w-40') \
                .mark('filter-priority')
            self.order = ui.select(_options(SORTS), label=_('Сортировка'),
                                   value=self.filters.order, on_change=self._order_chosen) \
                .props(look).classes('w-40').mark('filter-sort')

    async def _refresh(self) -> None:
        """New tickets and changed statuses appear without a reload (same page, same filters)."""
        if self.loaded and not self._busy:
            await self.load(keep_page=True, quiet=True)

    @ui.refreshable_method
    def counters(self) -> None:
        chosen = set(self.filters.statuses)
        with ui.row().classes('w-full gap-2 items-center').mark('queue-counters'):
            every = not chosen
            filter_chip(_('Все: {count}').format(count=sum(self.counts.values())),
                        'primary' if every else 'grey-8', lambda: self._statuses([]),
                        selected=every).mark('status-all')
            for status, title in labels.statuses().items():
                selected, count = status in chosen, self.counts.get(status, 0)
                filter_chip(f'{title}: {count}',
                            labels.status_color(status) if selected else 'grey-8',
                            lambda s=status: self._toggle_status(s), selected=selected,
                            urgent=status in labels.WAITING_FOR_CLIENT and count > 0,
                            icon='check' if selected else None) \
                    .mark(f'status-{STATUS_CODES[status]}')

    @ui.refreshable_method
    def table(self) -> None:
        if not self.loaded:
            loading()
            return
        if not self.tickets:
            self._empty()
            return
        rows = [self._row(t) for t in self.tickets]
        table = Table(columns=i18n.columns(queue_table.COLUMNS), rows=rows, row_key='number') \
            .props('flat bordered wrap-cells hide-pagination') \
            .classes('w-full cursor-pointer').mark('queue')
        table.add_slot('body-cell-number', queue_table.NUMBER_CELL)
        table.add_slot('body-cell-status', _(queue_table.STATUS_CELL))
        table.add_slot('body-cell-priority', queue_table.PRIORITY_CELL)
        table.add_slot('body-cell-sla', queue_table.SLA_CELL)
        table.add_slot('body-cell-assignee', queue_table.ASSIGNEE_CELL)
        table.on('rowClick', lambda e: ui.navigate.to(routes.ticket(e.args[1]['number'])))
        self._pager()

    def _pager(self) -> None:
        page = len(self.tokens) - 1
        first = page * PAGE_SIZE + 1
        last = first + len(self.tickets) - 1
        with ui.row().classes('w-full items-center gap-2').mark('pager'):
            shown = _('{first}–{last} из {total}')
            ui.label(shown.format(first=first, last=last, total=self.total)).classes('text-grey-8')
            ui.space()
            ui.button(_('Назад'), icon='chevron_left', on_click=self._previous) \
                .props('flat no-caps').set_enabled(page > 0)
            ui.button(_('Далее'), on_click=self._next) \
                .props('flat no-caps icon-right=chevron_right') \
                .set_enabled(bool(self.next_token))

    def _empty(self) -> None:
        with ui.card().classes('w-full items-center py-12 gap-3').props('flat bordered') \
                .mark('queue-empty'):
            ui.icon('task_alt' if not self.filters.narrowed else 'search_off', size='xl',
                    color='grey-5')
            if self.filters.narrowed:
                ui.label(_('Нет тикетов по этим условиям')).classes('text-h6 text-grey-8')
                ui.button(_('Сбросить фильтры'), icon='filter_alt_off', on_click=self._reset) \
                    .props('unelevated no-caps')
            else:
                ui.label(_('Очередь пуста: открытых тикетов нет')).classes('text-h6 text-grey-8')

    def _row(self, ticket: pb.Ticket) -> dict:
        return queue_table.row(ticket, self.organizations.get(ticket.organization, ''),
                               self._person(ticket.assignee), self.session.zone)

    def _person(self, name: str) -> str:
        if not name:
            return ''
        if name == self.account.name:
            return self.people.get(name, self.account.full_name or _('Я'))
        return self.people.get(name, _('сотрудник студии'))

    # --- reading -------------------------------------------------------------------------

    async def start(self) -> None:
        """Names first (once per page), then the first page."""
        try:
            orgs = await self.session.auth.organizations()
            self.organizations = {o.name: o.display_name or o.name for o in orgs}
            self.organization.set_options(
                {'': _('Все организации')} | {o.name: o.display_name or o.name
                                           for o in orgs if o.active},
                value=self.filters.organization
                if self.filters.organization in self.organizations else '')
        except ApiError as error:
            show_error(error)
        try:
            self.people = await self.session.auth.staff_names()
        except ApiError:
            self.people = {}  # the queue still works; assignees read «сотрудник студии»
        await self._load_sites()
        await self.load()

    async def load(self, *, keep_page: bool = False, quiet: bool = False) -> None:
        if not keep_page:
            self.tokens = ['']
        if self.loaded and not quiet:  # the first load comes from the address itself
            ui.navigate.history.replace(self.filters.address())
        self._busy = True
        self.asked += 1
        question = self.asked
        try:
            answer = await self._ask_page()
            if question != self.asked:  # the filters changed meanwhile: a newer answer comes
                return
            self._show_page(answer)
        except ApiError as error:
            if 'page_token' in error.violations:  # stale: start from the first page
                self.tokens = ['']
            if not quiet or error.session_expired:
                show_error(error)
        finally:
            self._busy = question != self.asked  # still busy while a newer load runs
        self.loaded = True
        self.counters.refresh()
        self.table.refresh()

    async def _ask_page(self) -> pb.ListTicketsResponse:
        return await self.session.tickets.list_tickets(
            **self.filters.criteria(self.account.name), page_token=self.tokens[-1])

    def _show_page(self, answer: pb.ListTicketsResponse) -> None:
        self.tickets = list(answer.tickets)
        self.total = answer.total_size
        self.next_token = answer.next_page_token
        self.counts = {c.status: c.count for c in answer.status_counts}

    async def _load_sites(self) -> None:
        organization = self.filters.organization
        if not organization:
            self.sites = {}
        else:
            try:
                sites = await self.session.tickets.sites(organization)
            except ApiError as error:
                show_error(error)
                sites = []
            self.sites = {s.name: short_url(s.url) or s.display_name for s in sites}
        if self.filters.site not in self.sites:
            self.filters.site = ''
        self.site.set_options({'': _('Все сайты')} | self.sites, value=self.filters.site)
        self.site.set_enabled(bool(organization) and bool(self.sites))

    # --- the person's choices ------------------------------------------------------------

    async def _search(self, event) -> None:
        self.filters.query = event.value or ''
        await self.load()

    async def _statuses(self, statuses: list[int]) -> None:
        self.filters.statuses = statuses
        await self.load()

    async def _toggle_status(self, status: int) -> None:
        chosen = [s for s in self.filters.statuses if s != status]
        if status not in self.filters.statuses:
            chosen = [s for s in labels.STATUS if s in chosen or s == status]
        await self._statuses(chosen)

    async def _organization_chosen(self, event) -> None:
        if (event.value or '') == self.filters.organization:
            return
        self.filters.organization, self.filters.site = event.value or '', ''
        await self._load_sites()
        await self.load()

    async def _site_chosen(self, event) -> None:
        if (event.value or '') == self.filters.site:
            return
        self.filters.site = event.value or ''
        await self.load()

    async def _priority_chosen(self, event) -> None:
        self.filters.priorities = [p for p in labels.PRIORITY if p in (event.value or [])]
        await self.load()

    async def _order_chosen(self, event) -> None:
        self.filters.order = event.value or 'sla_due_time'
        await self.load()

    async def _assignee_chosen(self, event) -> None:
        self.filters.assignee = event.value or 'anyone'
        await self.load()

    async def _sla_chosen(self, event) -> None:
        self.filters.sla = event.value or 'all'
        await self.load()

    async def _reset(self) -> None:
        ui.navigate.to(routes.QUEUE)

    async def _next(self) -> None:
        if self.next_token:
            self.tokens.append(self.next_token)
            await self.load(keep_page=True)

    async def _previous(self) -> None:
        if len(self.tokens) > 1:
            self.tokens.pop()
            await self.load(keep_page=True)
