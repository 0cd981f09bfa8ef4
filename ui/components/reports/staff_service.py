"""«Обслуживание», the studio's service report: how it served the tickets of a period
(GetServiceReport), narrowed to an organization, its site, a developer (the assignee) or a
priority; every section a chart over its table, with its files."""

from __future__ import annotations

from nicegui import ui

from ticketdesk.tickets.v1 import tickets_pb2 as pb

from ...i18n import _
from .service import staff_sections
from .staff_view import StaffView


class ServiceReport(StaffView):
    @staticmethod
    def description() -> str:
        return _('Как студия обслуживает тикеты: поток по неделям, очередь по статусам, '
                 'время ответа и решения, SLA, доработки и оценки')

    def build(self) -> None:
        self.build_filters()
        with self.container():
            self.results()

    async def ask(self) -> dict[str, pb.ServiceReport]:
        return {'service': await self.client.service(self.filters.service_query(self.today))}

    @ui.refreshable_method
    def results(self) -> None:
        if self.waiting():
            return
        staff_sections(self.answers['service'], self.filters)
