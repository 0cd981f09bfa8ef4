"""The precompiled style sheet (ui/styles.py) holds every class the UI's code names: a class
given to `.classes()` in ui/ or written in a component's template is either defined by it,
by Quasar's or NiceGUI's own sheets, or one of ours (`td-…`, hooks for tests and the bench).
A new Tailwind class without `make css` fails here (and so does a misspelt one)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nicegui

from ui import styles

UI = Path(styles.__file__).parent
STATIC = Path(nicegui.__file__).parent / 'static'
OTHER_SHEETS = ('quasar.unimportant.prod.css', 'quasar.important.prod.css', 'nicegui.css')
OURS = 'td-'  # hooks: no style of their own
UNSTYLED = {'notranslate',  # Quasar's icons: not for the browser's translator
            'remarks'}  # the list's badge, a hook (ticket_table.js)
TEMPLATE_CLASS = re.compile(r'\sclass="([^"]+)"')


def escaped(token: str) -> str:
    """A class as CSS writes it in a selector (`md:w-1/2` -> `md\\:w-1\\/2`)."""
    return ''.join(c if c.isalnum() or c in '-_' else '\\' + c for c in token)


def defined_classes(sheet: str, tokens: set[str]) -> set[str]:
    return {t for t in tokens
            if re.search(r'\.' + re.escape(escaped(t)) + r'(?![\w\\-])', sheet)}


def literal_tokens(node: ast.expr) -> set[str]:
    """The whole classes of a string or an f-string (none that touches a placeholder)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return set(node.value.split())
    if isinstance(node, ast.JoinedStr):
        found: set[str] = set()
        for part in node.values:
            if isinstance(part, ast.Constant):
                words = part.value.split()
                whole = words[int(not part.value[:1].isspace()):
                              len(words) - int(not part.value[-1:].isspace())]
                found |= set(whole)
        return found
    return set()


def classes_in_code() -> dict[str, str]:
    """Every class named in ui/ -> the first file that names it."""
    named: dict[str, str] = {}
    for path in sorted(UI.rglob('*.py')):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr == 'classes':
                for argument in [*node.args, *(k.value for k in node.keywords)]:
                    for token in literal_tokens(argument):
                        named.setdefault(token, str(path.relative_to(UI)))
    for path in sorted(UI.rglob('*.js')):
        for found in TEMPLATE_CLASS.finditer(path.read_text()):
            for token in found.group(1).split():
                named.setdefault(token, str(path.relative_to(UI)))
    return named


def test_every_class_named_in_the_code_has_its_style():
    named = classes_in_code()
    assert len(named) > 100, 'the scan found too few classes: is it still reading ui/?'
    ours = {t for t in named if t.startswith(OURS) or t in UNSTYLED}
    sheets = '\n'.join((STATIC / name).read_text() for name in OTHER_SHEETS)
    elsewhere = defined_classes(sheets, set(named) - ours)
    compiled = defined_classes(styles.SHEET.read_text(), set(named) - ours - elsewhere)
    missing = sorted(set(named) - ours - elsewhere - compiled)
    assert not missing, 'classes without a style (after a new Tailwind class: `make css`): ' \
        + ', '.join(f'{t} ({named[t]})' for t in missing)
    assert compiled, 'no class came from the compiled sheet'


def test_the_check_finds_a_class_the_sheet_lacks():
    """The check above can fail: a made-up class and a Tailwind one the UI never used are
    both missing from the sheet, while one it uses is there."""
    sheet = styles.SHEET.read_text()
    assert defined_classes(sheet, {'w-full', 'max-w-md', 'md:w-1/2'}) >= {'w-full', 'max-w-md'}
    assert defined_classes(sheet, {'td-made-up', 'skew-y-12', 'w-ful'}) == set()


def test_sheet_is_tailwinds_of_the_version_nicegui_bundles():
    header = styles.SHEET.read_text()[:80]
    assert f'tailwindcss v{styles.TAILWIND} ' in header
    bundled = (STATIC / 'tailwindcss.min.js').read_text()[:200]
    assert f'"{styles.TAILWIND}"' in bundled, 'NiceGUI bundles another Tailwind: `make css`'
