"""The message catalogs: a Russian msgid in the language asked for."""

from __future__ import annotations

import functools
from pathlib import Path

from babel.messages.pofile import read_po

LANGUAGES = {'ru': 'Русский', 'en': 'English'}
DEFAULT = 'ru'
LOCALE_DIR = Path(__file__).parent / 'locale'
DOMAIN = 'messages'


def N_(text: str) -> str:
    """Marks `text` for the catalog where it cannot be translated yet (at import time):
    whoever shows it translates it."""
    return text


def language_or_default(code: str) -> str:
    return code if code in LANGUAGES else DEFAULT


def translate(text: str, language: str, context: str | None = None) -> str:
    """`text` (a Russian msgid) in `language`; itself when untranslated. `context`
    tells apart a Russian word with two meanings («Оценка»: a rating or an estimate)."""
    if language not in LANGUAGES or language == DEFAULT:
        return text
    return catalog(language).get((context, text)) or text


@functools.cache
def catalog(language: str) -> dict[tuple[str | None, str], str]:
    """(context, msgid) -> translation; fuzzy and empty entries are left out. Read when
    first needed, so there is no build step to forget."""
    path = LOCALE_DIR / language / 'LC_MESSAGES' / f'{DOMAIN}.po'
    with path.open('rb') as file:
        messages = read_po(file, locale=language)
    return {(m.context, m.id): m.string for m in messages
            if m.id and isinstance(m.id, str) and m.string and not m.fuzzy}
