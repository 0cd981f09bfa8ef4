"""Small pieces the pages share: the status badge, user text with clickable links and the
date field."""

from __future__ import annotations

import re
from datetime import date

from nicegui import ui

from texts import dates

from .. import i18n, labels
from ..i18n import N_, _

# Only http(s) links become links; everything else stays text.
LINK = re.compile(r'https?://[^\s<>"\'«»]+', re.IGNORECASE)
TRAILING = '.,;:!?)]}'
# Vue templates interpolate with {{ }}, which escapes: user text stays text.
# A table's ticket number, a link to its card (the row's `href`: ui/routes.py).
NUMBER_CELL = '''
<q-td :props="props">
  <a :href="props.row.href" class="text-primary font-medium no-underline">#{{ props.value }}</a>
</q-td>
'''
# A table's status cell (a Vue template, translated whole): «есть замечания» under the
# status, not in its badge, so that a phone's narrow column wraps.
STATUS_CELL = N_('''
<q-td :props="props">
  <div class="column items-start q-gutter-y-xs">
    <q-badge :color="props.row.status_color" :label="props.value" class="text-sm px-3 py-1 rounded-full"/>
    <q-badge v-if="props.row.remarks" outline color="orange-9" label="есть замечания" class="remarks"/>
  </div>
</q-td>
''')


# Every row on one page, as Quasar's table spells the pagination once it has filled it in.
ALL_ROWS = {'sortBy': None, 'descending': False, 'page': 1, 'rowsPerPage': 0}


class Table(ui.table):
    """`ui.table` with all its rows on one page. Quasar's table reports its pagination as
    it mounts, and `ui.table` then sends itself back whole (every row, drawn again) even
    when nothing changed: here only a pagination that did change is sent."""

    def __init__(self, *, columns: list[dict], rows: list[dict], row_key: str) -> None:
        super().__init__(columns=columns, rows=rows, row_key=row_key, pagination=dict(ALL_ROWS))

    @property
    def pagination(self) -> dict:
        return self._props['pagination']

    @pagination.setter
    def pagination(self, value: dict) -> None:
        if value != self._props['pagination']:
            self._props['pagination'] = value


def status_badge(status: int) -> ui.badge:
    return ui.badge(labels.status(status), color=labels.status_color(status)) \
        .classes('text-sm px-3 py-1 rounded-full') \
        .mark('status')


def filter_chip(text: str, color: str, on_click, *, selected: bool, urgent: bool = False,
                icon: str | None = None) -> ui.chip:
    """A filter of a ticket list as a chip (`Требует уточнений: 2`): filled while chosen,
    outlined otherwise; bold while it counts tickets that wait for the client."""
    chip = ui.chip(text, icon=icon, color=color, text_color='white' if selected else None,
                   on_click=on_click)
    if not selected:
        chip.props('outline')
    if urgent:
        chip.classes('font-bold')
    return chip


def loading() -> ui.spinner:
    """What a list shows until its first answer."""
    with ui.row().classes('w-full justify-center py-12'):
        return ui.spinner(size='lg').mark('loading')


def user_text(text: str) -> ui.element:
    """Plain text as typed (never HTML), line breaks kept, http(s) links clickable."""
    parts = split_links(text)
    style = 'white-space: pre-wrap; overflow-wrap: anywhere'
    if not any(is_link for _part, is_link in parts):  # one element (a thread has many of them)
        return ui.label(text).classes('text-body1').style(style)
    with ui.element('div').classes('text-body1').style(style) as box:
        for part, is_link in parts:
            if is_link:
                ui.link(part, target=part, new_tab=True).props('rel="noopener noreferrer"')
            else:
                ui.label(part).classes('inline')
    return box


def split_links(text: str) -> list[tuple[str, bool]]:
    """`see https://a.ru/x.` -> [('see ', False), ('https://a.ru/x', True), ('.', False)]."""
    parts: list[tuple[str, bool]] = []
    position = 0
    for match in LINK.finditer(text):
        url = match.group().rstrip(TRAILING)
        start, end = match.start(), match.start() + len(url)
        if start > position:
            parts.append((text[position:start], False))
        parts.append((url, True))
        position = end
    if position < len(text):
        parts.append((text[position:], False))
    return parts


def site_link(url: str) -> None:
    """The site's address without its scheme, opening the site in a new tab."""
    if not url.lower().startswith(('http://', 'https://')):
        ui.label(url or '—').classes('text-body1')
        return
    ui.link(short_url(url), target=url, new_tab=True).props('rel="noopener noreferrer"') \
        .classes('text-body1').style('overflow-wrap: anywhere')


def short_url(url: str) -> str:
    return re.sub(r'^https?://', '', url, flags=re.IGNORECASE).rstrip('/')


def search_box(value: str, on_change) -> ui.input:
    """«Поиск по номеру и тексту»: asks once the person stops typing."""
    with ui.input(placeholder=_('Поиск по номеру и тексту'), value=value, on_change=on_change) \
            .props('outlined dense clearable debounce=400 bg-color=white') \
            .classes('w-80') as search:
        with search.add_slot('prepend'):
            ui.icon('search')
    return search


def caption(text: str) -> None:
    ui.label(text).classes('text-xs text-grey-7 uppercase tracking-wide')


def field_row(title: str, *lines: str, empty: str = '—') -> ui.column:
    """A caption over its value; extra lines (an e-mail, a phone) in smaller print."""
    shown = [line for line in lines if line]
    with ui.column().classes('gap-0 min-w-0') as row:
        caption(title)
        ui.label(shown[0] if shown else empty).classes('text-body1') \
            .style('overflow-wrap: anywhere')
        for line in shown[1:]:
            ui.label(line).classes('text-body2 text-grey-8').style('overflow-wrap: anywhere')
    return row


class DateField:
    """A date as the reader's language writes it (ДД.ММ.ГГГГ, MM/DD/YYYY): typed through a
    mask or picked in Quasar's calendar (the same mask), read as a date; the services get
    ISO (YYYY-MM-DD). What cannot be read stays in the field with a message beside it."""

    def __init__(self, label: str, *, value: str = '', earliest: date | None = None,
                 on_change=None):
        self.language = i18n.current_language()  # of the page: callbacks never ask again
        self.input = ui.input(label, value=self.shown(value), on_change=on_change)
        self.input.props['mask'] = dates.typing_mask(self.language)
        self.input.props['placeholder'] = dates.input_hint(self.language)
        self.input.props['inputmode'] = 'numeric'  # a phone offers its digits
        with self.input.add_slot('append'):
            with ui.button(icon='event').props('flat round dense') as self.button:
                with ui.menu() as self.menu:
                    self.picker = ui.date(mask=dates.input_mask(self.language),
                                          on_change=self._picked)
        self.button.props['aria-label'] = _('Выбрать дату в календаре')
        if earliest is not None:  # Quasar hands the options YYYY/MM/DD, whatever the mask
            self.picker.props[':options'] = f"d => d >= '{earliest.strftime('%Y/%m/%d')}'"
        self.picker.bind_value(self.input)

    def _picked(self) -> None:
        if self.menu.value and self.parsed_or_none() is not None:
            self.menu.close()  # a day was chosen: back to the form

    def shown(self, iso: str) -> str:
        """An ISO date as the field shows it; anything else as it is."""
        try:
            return dates.format_input_day(date.fromisoformat(iso), self.language) if iso else ''
        except ValueError:
            return iso

    @property
    def text(self) -> str:
        return (self.input.value or '').strip()

    def day(self) -> date | None:
        """The date typed or picked; None when empty; ValueError when it is not a date."""
        return dates.parse_input_day(self.text, self.language)

    def parsed_or_none(self) -> date | None:
        try:
            return self.day()
        except ValueError:
            return None

    def iso(self) -> str:
        """What the services get: YYYY-MM-DD, or the text itself when it is not a date."""
        day = self.parsed_or_none()
        return day.isoformat() if day else self.text

    def set_iso(self, iso: str) -> None:
        self.input.set_value(self.shown(iso))

    def problem(self) -> str:
        """Why the text is not a date, in words; empty when it is one (or empty)."""
        try:
            self.day()
        except ValueError:
            return _('Введите дату в формате {pattern}').format(
                pattern=dates.input_hint(self.language))
        return ''

    def show_error(self, problem: str) -> None:
        self.input.props['error'] = bool(problem)
        self.input.props['error-message'] = problem
        self.input.update()


def not_found_card(title: str, back: str, icon: str, target: str, hint: str = '') -> None:
    """What a page shows for something missing (or not the reader's): `title`, and a
    button `back` to where to look instead."""
    with ui.card().classes('w-full max-w-xl self-center items-center py-12 gap-3'):
        ui.icon('search_off', size='xl', color='grey-5')
        ui.label(title).classes('text-h6').mark('not-found')
        if hint:
            ui.label(hint).classes('text-grey-7')
        ui.button(back, icon=icon, on_click=lambda: ui.navigate.to(target)) \
            .props('unelevated no-caps')
