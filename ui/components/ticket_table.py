"""The client's list of tickets as one light table element (ticket_table.js)."""

from __future__ import annotations

from nicegui import ui

from ..i18n import _

# What a phone shows (dense): the number, the title and the status, no table to scroll sideways.
PHONE_COLUMNS = ['number', 'title', 'status']


class TicketTable(ui.element, component='ticket_table.js'):
    """Quasar's table as it looks, drawn by one component instead of one per cell: the rows
    (each with its `href`, `status_color` and `remarks`), sortable by the columns marked
    so, a row's click opening its `href`."""

    def __init__(self, *, columns: list[dict], rows: list[dict], row_key: str) -> None:
        super().__init__()
        self._props['columns'] = columns
        self._props['rows'] = rows
        self._props['row-key'] = row_key
        self._props['phone-columns'] = PHONE_COLUMNS
        self._props['remarks-label'] = _('есть замечания')

    @property
    def rows(self) -> list[dict]:
        return self._props['rows']
