"""Small pieces the pages share: the status badge and user text with clickable links."""

from __future__ import annotations

import re

from nicegui import ui

from . import labels

# Only http(s) links become links; everything else stays text.
LINK = re.compile(r'https?://[^\s<>"\'«»]+', re.IGNORECASE)
TRAILING = '.,;:!?)]}'


def status_badge(status: int) -> ui.badge:
    return ui.badge(labels.status(status), color=labels.status_color(status)) \
        .classes('text-sm px-3 py-1 rounded-full') \
        .mark('status')


def priority_chip(priority: int) -> ui.label:
    return ui.label(labels.priority(priority)) \
        .classes(f'text-{labels.PRIORITY_COLOR.get(priority, "grey-8")} font-medium')


def user_text(text: str) -> ui.element:
    """Plain text as typed (never HTML), line breaks kept, http(s) links clickable."""
    with ui.element('div').classes('text-body1') \
            .style('white-space: pre-wrap; overflow-wrap: anywhere') as box:
        for part, is_link in split_links(text):
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


def caption(text: str) -> None:
    ui.label(text).classes('text-xs text-grey-7 uppercase tracking-wide')


def field_row(title: str, *lines: str, empty: str = '—') -> None:
    """A caption over its value; extra lines (an e-mail, a phone) in smaller print."""
    shown = [line for line in lines if line]
    with ui.column().classes('gap-0 min-w-0'):
        caption(title)
        ui.label(shown[0] if shown else empty).classes('text-body1') \
            .style('overflow-wrap: anywhere')
        for line in shown[1:]:
            ui.label(line).classes('text-body2 text-grey-8').style('overflow-wrap: anywhere')
