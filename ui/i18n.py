"""The UI's languages: Russian (the source language and the default) and English.

The msgids are the Russian texts themselves; `locale/en/LC_MESSAGES/messages.po` holds
the English ones and is read when first needed, so there is no build step to forget.
Each browser client answers in the language its page was built with (`use_language`):
never read from `app.storage.user`, which in a callback triggered by another user's
action belongs to *that* user (ENGINEERING.md, the cross-user pitfall).
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
from pathlib import Path
from typing import TYPE_CHECKING

from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po
from nicegui import ui
from nicegui.client import Client
from nicegui.slot import Slot

if TYPE_CHECKING:
    from .api import Api

LANGUAGES = {'ru': 'Русский', 'en': 'English'}
DEFAULT = 'ru'
LOCALE_DIR = Path(__file__).parent / 'locale'
DOMAIN = 'messages'
# Quasar's language packs (its date picker, table pagination) and `<html lang>`.
QUASAR = {'ru': 'ru', 'en': 'en-US'}
_KEY = 'ticketdesk.language'


def _(text: str) -> str:
    """`text` (a Russian msgid) in the current client's language."""
    return translate(text, current_language())


def pgettext(context: str, text: str) -> str:
    """`_()` for a Russian word with two meanings: «Оценка» is a rating or an estimate."""
    return translate(text, current_language(), context)


def translate(text: str, code: str, context: str | None = None) -> str:
    """`text` (a Russian msgid) in the language `code`; itself when untranslated."""
    if code not in LANGUAGES or code == DEFAULT:
        return text
    return catalog(code).get((context, text)) or text


def N_(text: str) -> str:
    """Marks `text` for the catalog where it cannot be translated yet (at import time):
    whoever shows it translates it with `_()`."""
    return text


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


async def change_language(session: Api, code: str) -> None:
    """Keeps `code` as the signed-in user's language (auth's UpdateUser) and the account
    remembered for this browser, then shows the page again in it."""
    from . import api  # not at the top: ui.api translates its own messages with this module

    if code not in LANGUAGES:
        raise ValueError(f'unknown language {code!r}')
    account = await session.change_language(code)
    api.remember(account)
    ui.navigate.reload()


def columns(definitions: list[dict]) -> list[dict]:
    """A table's column definitions with their labels (marked with `N_`) translated."""
    return [_with_label(column) for column in definitions]


def _with_label(column: dict) -> dict:
    label = column.get('label')  # read apart: the extractor takes any literal inside _()
    return {**column, 'label': _(label)} if label else column


@functools.cache
def catalog(code: str) -> dict[tuple[str | None, str], str]:
    """(context, msgid) -> translation of `code`'s catalog; fuzzy and empty entries are
    left out."""
    path = LOCALE_DIR / code / 'LC_MESSAGES' / f'{DOMAIN}.po'
    with path.open('rb') as file:
        messages = read_po(file, locale=code)
    return {(m.context, m.id): m.string for m in messages
            if m.id and isinstance(m.id, str) and m.string and not m.fuzzy}


def format_day(day: dt.date) -> str:
    """A date as the current language writes it: 05.12.2026 or Dec 5, 2026."""
    if current_language() == 'en':
        return format_date(day, format='medium', locale='en')
    return day.strftime('%d.%m.%Y')


def format_moment(moment: dt.datetime, *, year: bool = True) -> str:
    """A date and time (already in the reader's time zone): 05.12.2026 14:30, Dec 5, 2026,
    14:30 in English; without the year: 05.12 14:30, Dec 5, 14:30."""
    if current_language() == 'en':
        pattern = 'MMM d, y, HH:mm' if year else 'MMM d, HH:mm'
        return format_datetime(moment, format=pattern, tzinfo=moment.tzinfo, locale='en')
    return moment.strftime('%d.%m.%Y %H:%M' if year else '%d.%m %H:%M')


def _current_client() -> Client | None:
    # Not `ui.context.client`: outside any page it would create NiceGUI's script-mode client.
    stack = Slot.get_stack()
    return stack[-1].parent.client if stack else None
