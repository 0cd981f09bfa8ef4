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

# --- the time reports (ui/pages/reports/, ui/report_downloads.py) --------------------------
REPORTS = '/reports'  # its filters in the address: ?period=…&from=…&to=…&org=…&dev=…
# A summary (organizations, developers, months, tickets) or the entries, as csv or xlsx,
# with the page's filters in the query.
REPORT_EXPORT = '/reports/export/{report}.{fmt}'
# The monthly statement of one organization (?org=organizations/{id}&month=YYYY-MM).
STATEMENT = '/reports/statement.xlsx'

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
# The Tailwind classes, compiled ahead (ui/styles.py): the login page needs them too.
STYLE_SHEET = '/styles/tailwind.css'
# NiceGUI's static files, its socket and its upload routes.
INTERNAL_PREFIX = '/_nicegui'
UPLOAD = re.compile(r'^/_nicegui/client/[^/]+/upload/[^/]+$')

# Reachable without signing in.
PUBLIC = frozenset({LOGIN, SESSION_START, FAVICON, STYLE_SHEET})


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


def reports(query: str = '') -> str:
    """The reports page with its filters in the address (`period=year&org=…`)."""
    return f'{REPORTS}?{query}' if query else REPORTS


def report_export(report: str, fmt: str, query: str = '') -> str:
    """`('months', 'csv', 'period=year')` -> `/reports/export/months.csv?period=year`."""
    path = REPORT_EXPORT.format(report=report, fmt=fmt)
    return f'{path}?{query}' if query else path


def statement(organization: str, month: str) -> str:
    """The monthly statement of `organizations/{id}` for `YYYY-MM`."""
    return f'{STATEMENT}?{urlencode({"org": organization, "month": month})}'


def organization(name: str) -> str:
    """`organizations/7` (or `7`) -> `/admin/organizations/7`."""
    return ORGANIZATION.format(org_id=name.removeprefix('organizations/'))


def file(file_id: str) -> str:
    return FILE.format(file_id=file_id)


def file_preview(file_id: str) -> str:
    return FILE_PREVIEW.format(file_id=file_id)
