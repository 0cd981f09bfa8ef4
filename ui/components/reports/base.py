"""What every view of «Отчёты» does to load its report: the address follows the filters,
only the answer to the latest question is shown (a late answer to an older one is dropped),
a failure is kept to be told in place of the report, and the report's container carries
`reports-ready` once every section has its data, its empty state or its error (a
benchmark waits for it; it is taken off while a reload is in flight)."""

from __future__ import annotations

import asyncio
from typing import Any

from nicegui import ui

from texts import dates

from ...clients.errors import ApiError
from ...clients.reports import ReportsClient
from ...session import Session
from ..alerts import show_error
from ..widgets import loading
from .filters import ReportFilters
from .sections import failed

READY = 'reports-ready'


class ReportView:
    """A report's view: `ask()` the services, then its refreshable `results()` shows
    `answers` (or `error`), inside `container()`."""

    def __init__(self, session: Session, filters: ReportFilters):
        self.session = session  # the page's: callbacks never ask whose page it is
        self.client = ReportsClient(session.account)
        self.filters = filters
        self.today = dates.today(session.zone)
        self.answers: dict[str, Any] = {}
        self.error: ApiError | None = None
        self.loaded = False
        self.asked = 0  # loads asked so far: a late answer to an older one is dropped
        self.box: ui.column | None = None

    def container(self) -> ui.column:
        """The box the report is shown in (it carries the readiness mark)."""
        self.box = ui.column().classes('w-full gap-4 td-reports').mark('reports')
        return self.box

    def ready(self, settled: bool = True) -> None:
        if self.box is None:
            return
        if settled:
            self.box.classes(add=READY)
        else:
            self.box.classes(remove=READY)

    def waiting(self, retry=None) -> bool:
        """Draws the loading or the failure (with `retry`, else `load`) in place of the
        report: True when it did."""
        if not self.loaded:
            loading()
            return True
        if self.error is not None:
            failed(self.error, retry or self.load)
            return True
        return False

    async def ask(self) -> dict[str, Any]:
        raise NotImplementedError

    def answered(self) -> None:
        """What follows a new answer, besides showing it."""

    async def load(self, asked: asyncio.Future | None = None) -> None:
        """Asks for the report (or takes the answer `asked` already), then shows it."""
        if self.loaded:  # the first load comes from the address itself
            ui.navigate.history.replace(self.filters.address())
        self.asked += 1
        question = self.asked
        self.ready(False)
        try:
            answers = await (asked if asked is not None else self.ask())
        except ApiError as error:
            if question != self.asked:
                return
            self.error = error
            if error.session_expired:
                show_error(error)
        else:
            if question != self.asked:  # the filters changed meanwhile: a newer answer comes
                return
            self.error, self.answers = None, answers
            self.answered()
        self.loaded = True
        self.results.refresh()  # type: ignore[attr-defined]  # a refreshable method
        self.ready()
