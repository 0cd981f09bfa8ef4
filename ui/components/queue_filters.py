"""What the staff queue shows, and its address (`/queue?status=queued,in_progress&org=…`):
the filters by status, organization, site, priority, assignee and SLA state, the order,
the search; and what they ask the tickets service for (no widgets here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from ticketdesk.tickets.v1 import tickets_pb2 as pb

from .. import labels, routes
from ..i18n import N_

PAGE_SIZE = 25
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
ASSIGNEES = {'anyone': N_('Все'), 'me': N_('Мои'), 'unassigned': N_('Не назначены')}
SLA_FILTERS = {'all': N_('Все'), 'breached': N_('Просроченные')}


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
        return routes.queue(urlencode({k: v for k, v in params.items() if v or k == 'status'}))

    def criteria(self, me: str) -> dict[str, Any]:
        """`TicketsClient.list_tickets`'s arguments for one page (`me`: the reader)."""
        return {'page_size': PAGE_SIZE, 'statuses': self.statuses,
                'organization': self.organization, 'site': self.site,
                'priorities': self.priorities, 'assignee': me if self.assignee == 'me' else '',
                'query': self.query, 'order_by': self.order,
                'sla_breached_only': self.sla == 'breached',
                'unassigned_only': self.assignee == 'unassigned'}

    @property
    def narrowed(self) -> bool:
        return self != Filters(statuses=self.statuses) or self.statuses != list(OPEN)
