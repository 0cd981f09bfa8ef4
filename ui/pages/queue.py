"""The developers' workspace: one queue across every client organization.

Filters by status, organization, site, priority, assignee and SLA state; sorted by the
SLA due time by default; «есть замечания» stands out. The filters live in the address
(`/queue?status=queued,in_progress&org=…`), so that «назад» from a card returns to the
same queue. Staff land here: `/` shows this queue to them (ui/pages/tickets_list.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from ticketdesk.tickets.v1 import tickets_pb2 as pb

from .. import i18n, labels, widgets
from ..api import Api, ApiError
from ..frame import frame, show_error
from ..sla import sla_state, when
from ..workspace_api import WorkspaceApi
from ..i18n import N_, _

PAGE_SIZE = 25
REFRESH_SECONDS = 30.0
OPEN = (pb.STATUS_QUEUED, pb.STATUS_IN_PROGRESS, pb.STATUS_NEEDS_INFO,
        pb.STATUS_AWAITING_ACCEPTANCE)
STATUS_CODES = {s: pb.Status.Name(s).removeprefix('STATUS_').lower() for s in labels.STATUS}
PRIORITY_CODES = {p: pb.Priority.Name(p).removeprefix('PRIORITY_').lower()
                  for p in labels.PRIORITY}
SORTS = {
    'sla_due_time': N_('Срок SLA'),
    'update_time desc': N_('Обновлён'),
    'priority desc': N_('Приоритет'),
    'create_time desc': N_('Создан'),
}
TOGGLE_STYLE = 'border: 1px solid #b0bec5; border-radius: 6px'
ASSIGNEES = {'anyone': N_('Все'), 'me': N_('Мои'), 'unassigned': N_('Не назначены')}
SLA_FILTERS = {'all': N_('Все'), 'breached': N_('Просроченные')}

COLUMNS = [
    {'name': 'number', 'label': N_('№'), 'field': 'number', 'align': 'left'},
    {'name': 'title', 'label': N_('Название'), 'field': 'title', 'align': 'left',
     'style': 'min-width: 16rem'},
    {'name': 'organization', 'label': N_('Организация'), 'field': 'organization', 'align': 'left',
     'style': 'white-space: nowrap'},
    {'name': 'site', 'label': N_('Сайт'), 'field': 'site', 'align': 'left'},
    {'name': 'priority', 'label': N_('Приоритет'), 'field': 'priority', 'align': 'left'},
    {'name': 'status', 'label': N_('Статус'), 'field': 'status', 'align': 'left'},
    {'name': 'assignee', 'label': N_('Исполнитель'), 'field': 'assignee', 'align': 'left'},
    {'name': 'sla', 'label': 'SLA', 'field': 'sla', 'align': 'left',
     'style': 'white-space: nowrap'},
    {'name': 'updated', 'label': N_('Обновлён'), 'field': 'updated', 'align': 'left',
     'style': 'white-space: nowrap'},
]

# Vue templates interpolate with {{ }}, which escapes: user text stays text.
NUMBER_CELL = '''
<q-td :props="props">
  <a :href="'/tickets/' + props.value" class="text-primary font-medium no-underline">#{{ props.value }}</a>
</q-td>
'''
STATUS_CELL = N_('''
<q-td :props="props">
  <div class="column items-start q-gutter-y-xs">
    <q-badge :color="props.row.status_color" :label="props.value" class="text-sm px-3 py-1 rounded-full"/>
    <q-badge v-if="props.row.remarks" outline color="orange-9" label="есть замечания" class="remarks"/>
  </div>
</q-td>
''')
PRIORITY_CELL = '''
<q-td :props="props">
  <span :class="'text-' + props.row.priority_color + ' text-weight-medium'">{{ props.value }}</span>
</q-td>
'''
SLA_CELL = '''
<q-td :props="props">
  <span :class="'text-' + props.row.sla_color + ' text-weight-medium row no-wrap items-center'">
    <q-icon v-if="props.row.sla_icon" :name="props.row.sla_icon" size="xs" class="q-mr-xs"/>
    {{ props.value }}
    <q-tooltip v-if="props.row.sla_hint">{{ props.row.sla_hint }}</q-tooltip>
  </span>
</q-td>
'''
ASSIGNEE_CELL = '''
<q-td :props="props">
  <span v-if="props.value">{{ props.value }}</span>
  <span v-else class="text-grey-6">—</span>
</q-td>
'''


def _options(choices: dict[str, str]) -> dict[str, str]:
    """A select's or toggle's choices (msgids) in the reader's language."""
    return {value: _(title) for value, title in choices.items()}


@dataclass
class Filters:
    """What the queue shows; also its address."""

    statuses: list[int] = field(default_factory=lambda: list(OPEN))
    organization: str = ''
    site: str = ''
    priorities: list[int] = field(default_factory=list)
    assignee: str = 'anyone'
    sla: str = 'all'
    order: str = 'sla_due_time'
    query: str = ''

    @classmethod
    def parse(cls, params) -> Filters:
        """From the address; anything unknown falls back to the default."""
        f = cls()
        codes = {v: k for k, v in STATUS_CODES.items()}
        if 'status' in params:
            f.statuses = [codes[c] for c in params['status'].split(',') if c in codes]
        priorities = {v: k for k, v in PRIORITY_CODES.items()}
        f.priorities = [priorities[c] for c in params.get('priority', '').split(',')
                        if c in priorities]
        org = params.get('org', '')
        f.organization = org if org.startswith('organizations/') else ''
        site = params.get('site', '')
        f.site = site if f.organization and site.startswith(f.organization + '/sites/') else ''
        f.assignee = params.get('who', '') if params.get('who') in ASSIGNEES else 'anyone'
        f.sla = params.get('sla', '') if params.get('sla') in SLA_FILTERS else 'all'
        f.order = params.get('sort', '') if params.get('sort') in SORTS else 'sla_due_time'
        f.query = params.get('q', '')[:200]
        return f

    def address(self) -> str:
        params = {'status': ','.join(STATUS_CODES[s] for s in self.statuses),
                  'org': self.organization, 'site': self.site,
                  'priority': ','.join(PRIORITY_CODES[p] for p in self.priorities),
                  'who': '' if self.assignee == 'anyone' else self.assignee,
                  'sla': '' if self.sla == 'all' else self.sla,
                  'sort': '' if self.order == 'sla_due_time' else self.order,
                  'q': self.query}
        if self.statuses == list(OPEN):
            params.pop('status')
        query = urlencode({k: v for k, v in params.items() if v or k == 'status'})
        return '/queue' + (f'?{query}' if query else '')

    def request(self, me: str) -> pb.ListTicketsRequest:
        return pb.ListTicketsRequest(
            page_size=PAGE_SIZE, statuses=self.statuses, organization=self.organization,
            site=self.site, priorities=self.priorities,
            assignee=me if self.assignee == 'me' else '', query=self.query.strip(),
            order_by=self.order, sla_breached_only=self.sla == 'breached')

    @property
    def narrowed(self) -> bool:
        return self != Filters(statuses=self.statuses) or self.statuses != list(OPEN)


@ui.page('/queue', response_timeout=20)
async def queue_page(request: Request):
    session = Api.of_current_user()
    if session.account.is_client:
        return RedirectResponse('/')
    await show_queue(session, Filters.parse(request.query_params))
    return None


async def show_queue(session: Api, filters: Filters | None = None) -> None:
    """The queue's page content (also `/` for staff)."""
    view = Queue(session, filters or Filters())
    with frame(session, _('Очередь')):
        view.build()
    await view.start()


class Queue:
    """One open queue: its filters, the page shown, the names it needs (read once)."""

    def __init__(self, session: Api, filters: Filters):
        self.account = session.account  # captured now: callbacks never ask whose page it is
        self.api = WorkspaceApi(session.account)
        self.filters = filters
        self.tickets: list[pb.Ticket] = []
        self.total = 0
        self.counts: dict[int, int] = {}
        self.tokens = ['']  # the page token of every page up to the shown one
        self.next_token = ''
        self.local: list[pb.Ticket] | None = None  # «не назначены»: filtered here
        self.truncated = False
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
            with ui.input(placeholder=_('Поиск по номеру и тексту'), value=self.filters.query,
                          on_change=self._search) \
                    .props('outlined dense clearable debounce=400 bg-color=white') \
                    .classes('w-80').mark('queue-search') as search:
                with search.add_slot('prepend'):
                    ui.icon('search')
        self.counters()
        with ui.card().classes('w-full p-3').props('flat bordered'):
            with ui.row().classes('w-full items-center gap-3'):
                self.organization = ui.select({'': _('Все организации')}, label=_('Организация'),
                                              value='', on_change=self._organization_chosen) \
                    .props('outlined dense options-dense').classes('w-56') \
                    .mark('filter-organization')
                self.site = ui.select({'': _('Все сайты')}, label=_('Сайт'), value='',
                                      on_change=self._site_chosen) \
                    .props('outlined dense options-dense').classes('w-56') \
                    .mark('filter-site')
                self.priority = ui.select(labels.priorities(), label=_('Приоритет'), multiple=True,
                                          value=list(self.filters.priorities),
                                          on_change=self._priority_chosen) \
                    .props('outlined dense options-dense use-chips clearable') \
                    .classes('min-w-40').mark('filter-priority')
                self.order = ui.select(_options(SORTS), label=_('Сортировка'),
                                       value=self.filters.order, on_change=self._order_chosen) \
                    .props('outlined dense options-dense').classes('w-40') \
                    .mark('filter-sort')
            with ui.row().classes('w-full items-center gap-x-6 gap-y-2 pt-2'):
                with ui.row().classes('items-center gap-2'):
                    ui.label(_('Исполнитель')).classes('text-sm text-grey-8')
                    ui.toggle(_options(ASSIGNEES), value=self.filters.assignee,
                              on_change=self._assignee_chosen) \
                        .style(TOGGLE_STYLE) \
                        .props('dense no-caps unelevated padding="2px 12px" toggle-color=primary') \
                        .mark('filter-assignee')
                with ui.row().classes('items-center gap-2'):
                    ui.label('SLA').classes('text-sm text-grey-8')
                    ui.toggle(_options(SLA_FILTERS), value=self.filters.sla,
                              on_change=self._sla_chosen) \
                        .style(TOGGLE_STYLE) \
                        .props('dense no-caps unelevated padding="2px 12px" toggle-color=negative') \
                        .mark('filter-sla')
                ui.space()
                ui.button(_('Сбросить фильтры'), icon='filter_alt_off', on_click=self._reset) \
                    .props('flat dense no-caps color=grey-8')
        self.table()
        ui.timer(REFRESH_SECONDS, self._refresh)

    async def _refresh(self) -> None:
        """New tickets and changed statuses appear without a reload (same page, same filters)."""
        if self.loaded and not self._busy:
            await self.load(keep_page=True, quiet=True)

    @ui.refreshable_method
    def counters(self) -> None:
        chosen = set(self.filters.statuses)
        with ui.row().classes('w-full gap-2 items-center').mark('queue-counters'):
            every = not chosen
            ui.chip(_('Все: {count}').format(count=sum(self.counts.values())),
                    color='primary' if every else 'grey-8',
                    text_color='white' if every else None,
                    on_click=lambda: self._statuses([])).props('' if every else 'outline') \
                .mark('status-all')
            for status, title in labels.statuses().items():
                selected = status in chosen
                count = self.counts.get(status, 0)
                urgent = status in labels.WAITING_FOR_CLIENT and count > 0
                chip = ui.chip(f'{title}: {count}', selectable=False,
                               icon='check' if selected else None,
                               color=labels.status_color(status) if selected else 'grey-8',
                               text_color='white' if selected else None,
                               on_click=lambda s=status: self._toggle_status(s)) \
                    .mark(f'status-{STATUS_CODES[status]}')
                if not selected:
                    chip.props('outline')
                if urgent:
                    chip.classes('font-bold')

    @ui.refreshable_method
    def table(self) -> None:
        if not self.loaded:
            with ui.row().classes('w-full justify-center py-12'):
                ui.spinner(size='lg')
            return
        if not self.tickets:
            self._empty()
            return
        rows = [self._row(t) for t in self.tickets]
        table = ui.table(columns=i18n.columns(COLUMNS), rows=rows, row_key='number',
                         pagination={'rowsPerPage': 0}) \
            .props('flat bordered wrap-cells hide-pagination') \
            .classes('w-full cursor-pointer').mark('queue')
        table.add_slot('body-cell-number', NUMBER_CELL)
        table.add_slot('body-cell-status', _(STATUS_CELL))
        table.add_slot('body-cell-priority', PRIORITY_CELL)
        table.add_slot('body-cell-sla', SLA_CELL)
        table.add_slot('body-cell-assignee', ASSIGNEE_CELL)
        table.on('rowClick', lambda e: ui.navigate.to(f'/tickets/{e.args[1]["number"]}'))
        self._pager()

    def _pager(self) -> None:
        page = len(self.tokens) - 1
        first = page * PAGE_SIZE + 1
        last = first + len(self.tickets) - 1
        with ui.row().classes('w-full items-center gap-2').mark('pager'):
            shown = _('{first}–{last} из {total}')
            ui.label(shown.format(first=first, last=last, total=self.total)).classes('text-grey-8')
            if self.truncated:
                ui.label(_('(просмотрены первые {count} тикетов: уточните фильтр)')
                         .format(count=len(self.local or []))).classes('text-grey-7 text-sm')
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
        state = sla_state(ticket)
        return {
            'number': ticket.number,
            'title': ticket.title,
            'remarks': ticket.has_remarks,
            'organization': ticket.organization_display_name
            or self.organizations.get(ticket.organization, ''),
            'site': widgets.short_url(ticket.site_url),
            'priority': labels.priority(ticket.priority),
            'priority_color': labels.PRIORITY_COLOR.get(ticket.priority, 'grey-8'),
            'status': labels.status(ticket.status),
            'status_color': labels.status_color(ticket.status),
            'assignee': self._person(ticket.assignee),
            'sla': state.text,
            'sla_color': state.color,
            'sla_icon': state.icon,
            'sla_hint': state.hint,
            'updated': when(ticket.update_time.ToDatetime(tzinfo=UTC), datetime.now(UTC)),
        }

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
            orgs = await self.api.list_organizations()
            self.organizations = {o.name: o.display_name or o.name for o in orgs}
            self.organization.set_options(
                {'': _('Все организации')} | {o.name: o.display_name or o.name
                                           for o in orgs if o.active},
                value=self.filters.organization
                if self.filters.organization in self.organizations else '')
        except ApiError as error:
            show_error(error)
        try:
            self.people = await self.api.staff()
        except ApiError:
            self.people = {}  # the queue still works; assignees read «сотрудник студии»
        await self._load_sites()
        await self.load()

    async def load(self, *, keep_page: bool = False, quiet: bool = False) -> None:
        if not keep_page:
            self.tokens = ['']
        if self.loaded and not quiet:  # the first load comes from the address itself
            ui.navigate.history.replace(self.filters.address())
        if quiet:
            self.local = None  # read the unassigned tickets again too
        self._busy = True
        self.asked += 1
        question = self.asked
        try:
            if self.filters.assignee == 'unassigned':
                await self._load_unassigned()
            else:
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
        request = self.filters.request(self.account.name)
        request.page_token = self.tokens[-1]
        return await self.api.queue(request)

    def _show_page(self, answer: pb.ListTicketsResponse) -> None:
        self.local, self.truncated = None, False
        self.tickets = list(answer.tickets)
        self.total = answer.total_size
        self.next_token = answer.next_page_token
        self.counts = {c.status: c.count for c in answer.status_counts}

    async def _load_unassigned(self) -> None:
        """The service filters by one assignee, not by none: «не назначены» is read in full
        (every status, up to workspace_api.SCAN_LIMIT tickets) and filtered here."""
        if self.local is None or len(self.tokens) == 1:
            request = self.filters.request(self.account.name)
            del request.statuses[:]
            found, self.truncated = await self.api.scan(request)
            self.local = [t for t in found if not t.assignee]
        self.counts = {}
        for ticket in self.local:
            self.counts[ticket.status] = self.counts.get(ticket.status, 0) + 1
        chosen = set(self.filters.statuses)
        matching = [t for t in self.local if not chosen or t.status in chosen]
        start = (len(self.tokens) - 1) * PAGE_SIZE
        self.tickets = matching[start:start + PAGE_SIZE]
        self.total = len(matching)
        self.next_token = 'local' if start + PAGE_SIZE < len(matching) else ''

    async def _load_sites(self) -> None:
        organization = self.filters.organization
        if not organization:
            self.sites = {}
        else:
            try:
                sites = await self.api.sites(organization)
            except ApiError as error:
                show_error(error)
                sites = []
            self.sites = {s.name: widgets.short_url(s.url) or s.display_name for s in sites}
        if self.filters.site not in self.sites:
            self.filters.site = ''
        self.site.set_options({'': _('Все сайты')} | self.sites, value=self.filters.site)
        self.site.set_enabled(bool(organization) and bool(self.sites))

    # --- the person's choices ------------------------------------------------------------

    async def _search(self, event) -> None:
        self.filters.query = event.value or ''
        self.local = None
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
        self.local = None
        await self._load_sites()
        await self.load()

    async def _site_chosen(self, event) -> None:
        if (event.value or '') == self.filters.site:
            return
        self.filters.site = event.value or ''
        self.local = None
        await self.load()

    async def _priority_chosen(self, event) -> None:
        self.filters.priorities = [p for p in labels.PRIORITY if p in (event.value or [])]
        self.local = None
        await self.load()

    async def _order_chosen(self, event) -> None:
        self.filters.order = event.value or 'sla_due_time'
        self.local = None
        await self.load()

    async def _assignee_chosen(self, event) -> None:
        self.filters.assignee = event.value or 'anyone'
        self.local = None
        await self.load()

    async def _sla_chosen(self, event) -> None:
        self.filters.sla = event.value or 'all'
        self.local = None
        await self.load()

    async def _reset(self) -> None:
        ui.navigate.to('/queue')

    async def _next(self) -> None:
        if self.next_token:
            self.tokens.append(self.next_token)
            await self.load(keep_page=True)

    async def _previous(self) -> None:
        if len(self.tokens) > 1:
            self.tokens.pop()
            await self.load(keep_page=True)
