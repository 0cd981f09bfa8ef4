"""The web UI's own rules (docs/ARCHITECTURE.md, the UI): every error a person reads is
chosen by its reason, never by the services' English words; every address lives in
ui/routes.py; the studio's time zone comes only from the studio settings.

(That every ErrorReason and FieldReason has words is tests/texts/test_errors.py's.)"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from ui import routes

ROOT = Path(__file__).resolve().parents[2]
UI = ROOT / 'ui'
# The calls that make the services' errors, and the English words they carry.
ERROR_CALLS = {'ApiError', 'violation', 'bad_field', 'invalid', 'not_found',
               'permission_denied', 'unauthenticated', 'failed_precondition', 'unavailable',
               'WeakPassword'}
# Two English words in a row: a phrase, not a CSS class or a field's name.
PHRASE = re.compile(r'[A-Za-z]{2,}[ ,;:()]+[A-Za-z]{2,}')
# What reads the services' English words of a failed call: `error.details()`,
# `error_details(error)` or `problem_of(error)` and its FieldProblems' descriptions
# (ui/clients/errors.py alone turns a failed call into an ApiError).
ENGLISH_FUNCTIONS = {'error_details', 'FieldProblem', 'Problem'}
# Matching a string against another: `in`, ==, startswith, a regular expression.
CUTTING_CALLS = {'strip', 'rstrip', 'lstrip', 'split', 'rsplit', 'rpartition', 'partition'}
MATCHING_CALLS = {'startswith', 'endswith', 'search', 'match', 'fullmatch', 'findall',
                  'compile', 'sub', 'split', 'find', 'index', 'count'}


def modules(folder: Path) -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(folder.rglob('*.py')):
        if 'migrations' not in path.parts:
            yield path, ast.parse(path.read_text(), str(path))


def docstrings(tree: ast.Module) -> set[int]:
    """The ids of the docstring nodes: prose about the code, not values."""
    found = set()
    for node in ast.walk(tree):
        body = getattr(node, 'body', None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant):
            found.add(id(body[0].value))
    return found


def literals(tree: ast.AST) -> Iterator[ast.Constant]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node


def called(node: ast.Call) -> str:
    function = node.func
    return function.attr if isinstance(function, ast.Attribute) else getattr(function, 'id', '')


def services_english() -> set[str]:
    """Every literal the services and the workflows put into an error's words."""
    words = set()
    for folder in ('services', 'workflows'):
        for _, tree in modules(ROOT / folder):
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and called(node) in ERROR_CALLS:
                    words |= {c.value.lower() for c in literals(node) if PHRASE.search(c.value)}
                if isinstance(node, ast.Assign) and any(
                        isinstance(t, ast.Name) and t.id in ('description', 'message')
                        for t in node.targets):
                    words |= {c.value.lower() for c in literals(node.value)}
    return words


def ui_values() -> Iterator[tuple[str, ast.Constant]]:
    """The string literals of ui/ that are values (no docstrings, no characters a string
    is cut at: `url.rstrip('/')`), with where they are."""
    for path, tree in modules(UI):
        skipped = docstrings(tree) | {
            id(argument) for node in ast.walk(tree)
            if isinstance(node, ast.Call) and called(node) in CUTTING_CALLS
            for argument in node.args}
        for constant in literals(tree):
            if id(constant) not in skipped:
                yield f'{path.relative_to(ROOT)}:{constant.lineno}', constant


# --- errors by their reasons ---------------------------------------------------------------

def test_the_services_english_words_are_nowhere_in_the_ui():
    english = services_english()
    assert len(english) > 50  # the scan finds the services' words at all
    found = [f'{where}: {c.value!r}' for where, c in ui_values()
             if PHRASE.search(c.value) and any(c.value.strip().lower() in e for e in english)]
    assert found == []


def test_no_ui_code_matches_english_words():
    """No `'is required' in description`, no `re.search('must be', …)`: a phrase in a
    comparison or a match would be reading a service's message."""
    found = []
    for path, tree in modules(UI):
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare):
                operands = [node.left, *node.comparators]
            elif isinstance(node, ast.Call) and called(node) in MATCHING_CALLS:
                operands = [*node.args, getattr(node.func, 'value', None)]
            else:
                continue
            found += [f'{path.relative_to(ROOT)}:{node.lineno}: {o.value!r}'
                      for o in operands if isinstance(o, ast.Constant)
                      and isinstance(o.value, str) and PHRASE.search(o.value)]
    assert found == []


def test_only_the_client_layer_reads_a_failed_call():
    """The pages and components get an ApiError (ui/clients/errors.py) and read its reason,
    code and words in the reader's language; the status's English details stay unread."""
    found = []
    for path, tree in modules(UI):
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and called(node) == 'details' \
                    and re.search(r'error|failure|exc', ast.unparse(node.func)):
                found.append(f'{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}')
            names = [a.name for a in node.names] if isinstance(node, ast.ImportFrom) else []
            if ENGLISH_FUNCTIONS & set(names) or \
                    ('problem_of' in names and path.parent.name != 'clients'):
                found.append(f'{path.relative_to(ROOT)}:{node.lineno}: {names}')
    assert found == []


# --- one place for each thing --------------------------------------------------------------

def route_paths() -> set[str]:
    """The UI's paths and their fixed beginnings (`/tickets/`, `/admin/organizations/`)."""
    paths = {value for name, value in vars(routes).items()
             if name.isupper() and isinstance(value, str) and value.startswith('/')}
    return paths | {p.split('{', 1)[0] for p in paths if '{' in p}


def test_every_path_lives_in_routes():
    paths = route_paths()
    assert {'/', '/login', '/tickets/', '/admin/organizations/', '/files/'} <= paths
    found = [f'{where}: {c.value!r}' for where, c in ui_values()
             if not where.startswith('ui/routes.py')
             and (c.value in paths or any(c.value.startswith(p) for p in paths if p != '/'))]
    assert found == []


def test_the_studio_time_zone_comes_from_the_studio_settings():
    """No zone written into the UI, and not the configuration's: what the page shows reads
    in `Session.zone`, which the studio settings give (ui/session.py)."""
    found = [f'{path.relative_to(ROOT)}: {needle}' for path, _ in modules(UI)
             for needle in ('Europe/Moscow', "['timezone']", 'settings().timezone',
                            'TICKETDESK_TIMEZONE')
             if needle in path.read_text()]
    assert found == []
