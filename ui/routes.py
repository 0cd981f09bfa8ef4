"""Every address of the web UI, in one place: the pages, the files, NiceGUI's own routes.

Pages register at these paths (ui/pages/<area>/__init__.py), links and redirects are built
here (`ticket(12)` -> `/tickets/12`), and the middleware (ui/security.py) knows by them which
paths need no sign-in. The URLs are part of the product: people bookmark them.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

# --- signing in --------------------------------------------------------------------------
LOGIN = '/login'
# The login's one-time ticket starts the session under a new id (ui/pages/auth/login.py).
SESSION_START = '/login/session'
# Where an account with a manager-issued password must choose its own.
PASSWORD = '/password'
PROFILE = '/profile'

# --- the client instruction and the developers' workspace --------------------------------
HOME = '/'  # the client's list; staff see the queue there
NEW_TICKET = '/tickets/new'
TICKET = '/tickets/{number}'
QUEUE = '/queue'

# --- the manager's administration ----------------------------------------------------------
ADMIN = '/admin'  # the client organizations
ORGANIZATION = '/admin/organizations/{org_id}'
STAFF = '/admin/staff'
TOKENS = '/admin/tokens'
INTEGRATIONS = '/admin/integrations'
SETTINGS = '/admin/settings'

# --- attachments ---------------------------------------------------------------------------
FILES_PREFIX = '/files/'
FILE = '/files/{file_id}'
FILE_PREVIEW = '/files/{file_id}/preview'

# --- the browser's and NiceGUI's own ---------------------------------------------------------
ROOT = '/'  # every path of the UI (the session cookie's)
FAVICON = '/favicon.ico'
# NiceGUI's static files, its socket and its upload routes.
INTERNAL_PREFIX = '/_nicegui'
UPLOAD = re.compile(r'^/_nicegui/client/[^/]+/upload/[^/]+$')

# Reachable without signing in.
PUBLIC = frozenset({LOGIN, SESSION_START, FAVICON})


def is_public(path: str) -> bool:
    return path in PUBLIC or path.startswith(INTERNAL_PREFIX)


def login(*, expired: bool = False) -> str:
    """The login page; `expired`: it says that the session has ended."""
    return f'{LOGIN}?expired=1' if expired else LOGIN


def session_start(ticket: str) -> str:
    return f'{SESSION_START}?{urlencode({"ticket": ticket})}'


def ticket(number: int | str) -> str:
    """`12` or `tickets/12` -> `/tickets/12`."""
    return TICKET.format(number=str(number).removeprefix('tickets/'))


def queue(query: str = '') -> str:
    """The queue with its filters in the address (`status=queued&org=…`)."""
    return f'{QUEUE}?{query}' if query else QUEUE


def organization(name: str) -> str:
    """`organizations/7` (or `7`) -> `/admin/organizations/7`."""
    return ORGANIZATION.format(org_id=name.removeprefix('organizations/'))


def file(file_id: str) -> str:
    return FILE.format(file_id=file_id)


def file_preview(file_id: str) -> str:
    return FILE_PREVIEW.format(file_id=file_id)
