"""A report's table as one light element (report_table.js): its columns and rows as given,
no sorting, no paging (a report's tables are short)."""

from __future__ import annotations

from nicegui import ui


class ReportTable(ui.element, component='report_table.js'):
    """Quasar's dense bordered table as it looks, drawn by one component instead of one per
    cell: the columns (`name`, `label`, `field`, `align`) over the rows."""

    def __init__(self, *, columns: list[dict], rows: list[dict], row_key: str) -> None:
        super().__init__()
        self._props['columns'] = columns
        self._props['rows'] = rows
        self._props['row-key'] = row_key

    @property
    def rows(self) -> list[dict]:
        return self._props['rows']
