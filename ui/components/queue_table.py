"""The staff queue's table: its columns, its cells (Vue templates) and a ticket as a row."""

from __future__ import annotations

from datetime import UTC, datetime

from ticketdesk.tickets.v1 import tickets_pb2 as pb

from .. import labels, routes
from ..i18n import N_
from .sla import sla_state, when
from .widgets import NUMBER_CELL, STATUS_CELL, short_url

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


__all__ = ['ASSIGNEE_CELL', 'COLUMNS', 'NUMBER_CELL', 'PRIORITY_CELL', 'SLA_CELL',
           'STATUS_CELL', 'row']


def row(ticket: pb.Ticket, organization: str, assignee: str, zone: str) -> dict:
    """One ticket as the table's row; the organization and the assignee by their names,
    the times in the studio's `zone`."""
    state = sla_state(ticket, zone)
    return {
        'number': ticket.number,
        'href': routes.ticket(ticket.number),
        'title': ticket.title,
        'remarks': ticket.has_remarks,
        'organization': ticket.organization_display_name or organization,
        'site': short_url(ticket.site_url),
        'priority': labels.priority(ticket.priority),
        'priority_color': labels.PRIORITY_COLOR.get(ticket.priority, 'grey-8'),
        'status': labels.status(ticket.status),
        'status_color': labels.status_color(ticket.status),
        'assignee': assignee,
        'sla': state.text,
        'sla_color': state.color,
        'sla_icon': state.icon,
        'sla_hint': state.hint,
        'updated': when(ticket.update_time.ToDatetime(tzinfo=UTC), datetime.now(UTC), zone),
    }
