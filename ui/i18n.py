"""The UI's languages: Russian (the source language and the default) and English.

The catalogs and formats are the `texts` package's (shared with the worker's e-mails);
this module binds them to the language of the browser client being served. Each client
answers in the language its page was built with (`use_language`): never read from
`app.storage.user`, which in a callback triggered by another user's action belongs to
*that* user (docs/ENGINEERING.md, the cross-user pitfall).
"""

from __future__ import annotations

import copy

from nicegui.client import Client
from nicegui.slot import Slot

from texts.catalog import DEFAULT, LANGUAGES, N_, catalog, translate

# Quasar's language packs (its date picker, table pagination) and `<html lang>`.
QUASAR = {'ru': 'ru', 'en': 'en-US'}
_KEY = 'ticketdesk.language'


def _(text: str) -> str:
    """`text` (a Russian msgid) in the current client's language."""
    return translate(text, current_language())


def pgettext(context: str, text: str) -> str:
    """`_()` for a Russian word with two meanings: «Оценка» is a rating or an estimate."""
    return translate(text, current_language(), context)


def current_language() -> str:
    """The language of the client in whose context this runs; Russian without one."""
    client = _current_client()
    if client is None:
        return DEFAULT
    return client.storage.get(_KEY, DEFAULT)


def use_language(code: str) -> None:
    """Builds the current page in `code` (unknown codes mean Russian), Quasar's texts too."""
    code = code if code in LANGUAGES else DEFAULT
    client = _current_client()
    if client is None:  # not building a page
        return
    client.storage[_KEY] = code
    if client.page.resolve_language() != QUASAR[code]:
        # The page object is shared by every client of the route: give this one its own.
        client.page = copy.copy(client.page)
        client.page.language = QUASAR[code]


def columns(definitions: list[dict]) -> list[dict]:
    """A table's column definitions with their labels (marked with `N_`) translated."""
    return [_with_label(column) for column in definitions]


def _with_label(column: dict) -> dict:
    label = column.get('label')  # read apart: the extractor takes any literal inside _()
    return {**column, 'label': _(label)} if label else column


def _current_client() -> Client | None:
    # Not `ui.context.client`: outside any page it would create NiceGUI's script-mode client.
    stack = Slot.get_stack()
    return stack[-1].parent.client if stack else None


__all__ = ['DEFAULT', 'LANGUAGES', 'N_', '_', 'catalog', 'columns', 'current_language',
           'pgettext', 'translate', 'use_language']
