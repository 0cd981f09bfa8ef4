"""What both tabs of the studio's reports share: the filters' card (the period, the
organization, the developer and, for the service report, the organization's site and the
priority), the names the filters offer (read once per page), and the person's choices,
each of which reloads the report and the address."""

from __future__ import annotations

import asyncio

from nicegui import ui

from ... import labels
from ...clients.errors import ApiError
from ...i18n import _
from ...session import Session
from ..alerts import show_error
from ..widgets import short_url
from .base import ReportView
from .filters import ReportFilters
from .period import PeriodPicker

LOOK = 'outlined dense options-dense'


class StaffView(ReportView):
    """One tab of the studio's reports; `filters.view` says which."""

    def __init__(self, session: Session, filters: ReportFilters):
        super().__init__(session, filters)
        self.organizations: dict[str, str] = {}  # every one, by `organizations/{id}`

    @property
    def service(self) -> bool:
        return self.filters.view == 'service'

    def build_filters(self) -> None:
        with ui.card().classes('w-full p-3 gap-3').props('flat bordered'):
            PeriodPicker(self.filters, self.today, self.load).build()
            with ui.row().classes('w-full items-center gap-3'):
                self.organization = self._select(_('Все организации'), _('Организация'),
                                                 self._organization_chosen,
                                                 'report-organization')
                if self.service:
                    self.site = self._select(_('Все сайты'), _('Сайт'), self._site_chosen,
                                             'report-site')
                    self.site.set_enabled(False)
                self.developer = self._select(_('Все разработчики'), _('Разработчик'),
                                              self._developer_chosen, 'report-developer')
                if self.service:
                    self.priority = ui.select(
                        {0: _('Все приоритеты')} | labels.priorities(),
                        value=self.filters.priority, label=_('Приоритет'),
                        on_change=self._priority_chosen) \
                        .props(LOOK).classes('w-48').mark('report-priority')
                ui.space()
                ui.button(_('Сбросить фильтры'), icon='filter_alt_off', on_click=self._reset) \
                    .props('flat dense no-caps color=grey-8')

    def _select(self, everything: str, label: str, chosen, marker: str) -> ui.select:
        return ui.select({'': everything}, value='', label=label, on_change=chosen) \
            .props(LOOK).classes('w-64').mark(marker)

    # --- reading -------------------------------------------------------------------------

    async def start(self) -> None:
        """The report asked at once, beside the names the filters offer (once per page);
        asked again only if the address named a site the organization does not have."""
        site = self.filters.site
        asked = asyncio.ensure_future(self.ask())
        await asyncio.gather(self._read_organizations(), self._read_staff(), self._load_sites())
        if self.filters.site != site:
            if not asked.cancel():
                asked.exception()  # answered already: its error, if any, is not for anyone
            asked = None
        await self.load(asked)

    async def _read_organizations(self) -> None:
        try:
            found = await self.session.auth.organizations()
        except ApiError as error:
            show_error(error)
            return
        self.organizations = {o.name: o.display_name or o.name for o in found}
        active = {o.name: o.display_name or o.name for o in found if o.active
                  or o.name == self.filters.organization}
        self.organization.set_options({'': _('Все организации')} | active,
                                      value=_known(self.filters.organization, active))
        self.names_read(active)

    async def _read_staff(self) -> None:
        try:
            people = {u.name: u.full_name or u.email for u in await self.session.auth.staff()}
        except ApiError:
            people = {}  # the report still works; the filter offers nobody
        self.developer.set_options({'': _('Все разработчики')} | people,
                                   value=_known(self.filters.developer, people))

    def names_read(self, active: dict[str, str]) -> None:
        """What a tab does with the active organizations' names."""

    async def _load_sites(self) -> None:
        """The chosen organization's sites, to choose among (none without one)."""
        if not self.service:
            return
        sites: dict[str, str] = {}
        if self.filters.organization:
            try:
                found = await self.session.tickets.sites(self.filters.organization)
                sites = {s.name: short_url(s.url) or s.display_name for s in found}
            except ApiError as error:
                show_error(error)
        self.filters.site = _known(self.filters.site, sites)
        self.site.set_options({'': _('Все сайты')} | sites, value=self.filters.site)
        self.site.set_enabled(bool(sites))

    # --- the person's choices ------------------------------------------------------------

    async def _organization_chosen(self, event) -> None:
        if (event.value or '') != self.filters.organization:
            self.filters.organization = event.value or ''
            await self._load_sites()
            await self.load()

    async def _site_chosen(self, event) -> None:
        if (event.value or '') != self.filters.site:
            self.filters.site = event.value or ''
            await self.load()

    async def _developer_chosen(self, event) -> None:
        if (event.value or '') != self.filters.developer:
            self.filters.developer = event.value or ''
            await self.load()

    async def _priority_chosen(self, event) -> None:
        if (event.value or 0) != self.filters.priority:
            self.filters.priority = event.value or 0
            await self.load()

    async def _reset(self) -> None:
        ui.navigate.to(ReportFilters(view=self.filters.view).address())


def _known(value: str, options: dict[str, str]) -> str:
    return value if value in options else ''
