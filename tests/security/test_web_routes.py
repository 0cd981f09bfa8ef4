"""The web UI's HTTP surface without a browser: every route the app serves is in the access
table the browser tests walk (tests/browser/test_web_security.py), the only routes that
change something are NiceGUI's uploads and socket, a request from another site is refused
before it reaches them, and the session cookie's flags.

The browser tests prove the same rules on a running `ticketdesk dev`; these prove that no
route escapes the table and that the rules themselves hold for every case.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse

from services.common.platform.config import Settings
from tests.support.summary import report
from ui.__main__ import session_cookie
from ui.security import SameOriginMiddleware, is_same_origin, socket_origin_check

ROOT = Path(__file__).resolve().parents[2]
EVIL = 'https://evil.example'

# Every page and HTTP route of the UI -> who gets its content (the browser tests check it).
# `signed-in`: every signed-in person; `staff`: developers and managers; `manager`: only.
PAGES = {
    '/login': 'anyone',
    '/login/session': 'anyone',  # a one-time ticket from the login starts the session
    '/password': 'signed-in',  # only while a manager-issued password must be changed
    '/': 'signed-in',
    '/tickets/new': 'signed-in',
    '/tickets/{number}': 'signed-in',  # of the client's own organization
    '/queue': 'staff',
    '/profile': 'signed-in',
    '/admin': 'manager',
    '/admin/organizations/{org_id}': 'manager',
    '/admin/settings': 'manager',
    '/admin/staff': 'manager',
    '/admin/tokens': 'manager',
    '/admin/integrations': 'manager',
    '/files/{file_id}': 'signed-in',  # a file the account may read (the files service says)
    '/files/{file_id}/preview': 'signed-in',
    # The time reports: staff the studio's, a client their organization's where it is shown.
    '/reports': 'signed-in',
    # A summary or the entries as a file; a client: their months and tickets only (403).
    '/reports/export/{report}.{fmt}': 'signed-in',
    '/reports/statement.xlsx': 'staff',  # an organization's monthly statement
    '/styles/tailwind.css': 'anyone',  # the pages' style sheet (the login page's too)
}
NICEGUI_PREFIXES = ('/_nicegui/', '/_nicegui_ws')

LIST_ROUTES = '''
import json
from services.common.platform.config import Settings
from ui.app import build
build(Settings())
from nicegui import app, core
routes = [[getattr(r, 'path', ''), sorted(getattr(r, 'methods', None) or [])] for r in app.routes]
check = core.sio.eio.cors_allowed_origins
print(json.dumps({'routes': routes, 'socket_origin_checked': callable(check),
                  'evil_socket': check('https://evil.example', {'HTTP_HOST': 'ui:8080',
                                                                'wsgi.url_scheme': 'http'})
                  if callable(check) else True}))
'''


@pytest.fixture(scope='module')
def built_app() -> dict:
    """The routes of the UI as `python -m ui` builds it (in a process of its own: building
    registers NiceGUI pages globally)."""
    done = subprocess.run([sys.executable, '-c', LIST_ROUTES], cwd=ROOT, capture_output=True,
                          text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_every_route_is_in_the_access_table(built_app):
    """No page or HTTP route of the UI is missing from the access table, and apart from
    NiceGUI's own (uploads, socket) every route only reads (GET)."""
    ours = {path: methods for path, methods in built_app['routes']
            if not path.startswith(NICEGUI_PREFIXES)}
    assert set(ours) == set(PAGES), 'routes missing from / stale in PAGES: ' \
        f'{sorted(set(ours) ^ set(PAGES))}'
    changing = {path: methods for path, methods in ours.items() if set(methods) - {'GET', 'HEAD'}}
    assert not changing, f'routes that change something need a CSRF test: {changing}'
    assert built_app['socket_origin_checked'] and not built_app['evil_socket']
    report(f'web routes: {len(ours)} UI routes all in the access table, all GET; '
           'socket Origin checked')


@pytest.mark.parametrize(('origin', 'scheme', 'host', 'public', 'same'), [
    ('http://ui:8080', 'http', 'ui:8080', '', True),
    ('HTTP://UI:8080', 'http', 'ui:8080', '', True),
    ('https://tickets.example.com', 'https', 'tickets.example.com', '', True),
    ('https://tickets.example.com', 'http', 'ui:8080', 'https://tickets.example.com/', True),
    (EVIL, 'http', 'ui:8080', 'https://tickets.example.com', False),
    ('http://ui:8080.evil.example', 'http', 'ui:8080', '', False),
    ('https://ui:8080', 'http', 'ui:8080', '', False),  # another scheme is another origin
    ('null', 'http', 'ui:8080', '', False),  # a sandboxed frame or a privacy redirect
    ('', 'http', 'ui:8080', '', False),
])
def test_same_origin_rule(origin, scheme, host, public, same):
    """An Origin is this UI only when it is exactly its own address or its public one."""
    assert is_same_origin(origin, scheme, host, public) is same


async def test_cross_site_requests_are_refused_before_the_route():
    """A POST (or PUT, DELETE) whose Origin, or Sec-Fetch-Site without an Origin, says
    another site is answered 403 and never reaches the route; the UI's own requests and
    every GET do."""
    reached: list[str] = []

    async def route(scope, receive, send):  # stands in for NiceGUI's upload route
        reached.append(scope['method'])
        await PlainTextResponse('stored')(scope, receive, send)

    guarded = SameOriginMiddleware(route, public_url='https://tickets.example.com')
    cases = [  # (method, headers, refused)
        ('POST', {'origin': EVIL}, True),
        ('PUT', {'origin': EVIL}, True),
        ('DELETE', {'origin': 'null'}, True),
        ('POST', {'sec-fetch-site': 'cross-site'}, True),
        ('POST', {'sec-fetch-site': 'same-site'}, True),  # a sibling subdomain is not us
        ('POST', {'origin': 'http://ui.test'}, False),
        ('POST', {'origin': 'https://tickets.example.com'}, False),
        ('POST', {}, False),  # no browser: nothing a page elsewhere can make
        ('GET', {'origin': EVIL}, False),  # reading is not changing (and SameSite=Lax)
    ]
    transport = httpx.ASGITransport(app=guarded)
    async with httpx.AsyncClient(transport=transport, base_url='http://ui.test') as client:
        for method, headers, refused in cases:
            before = len(reached)
            answer = await client.request(method, '/_nicegui/client/c/upload/1', headers=headers)
            assert (answer.status_code == 403) is refused, (method, headers, answer.status_code)
            assert (len(reached) == before) is refused, (method, headers)
    report(f'CSRF rule: {sum(r for *_, r in cases)}/{len(cases)} cross-site requests refused '
           'before the route, same-origin ones reach it')


def test_socket_origin_rule():
    """engine.io's Origin check: the UI's own address and public address, nothing else."""
    allowed = socket_origin_check('https://tickets.example.com')
    environ = {'HTTP_HOST': '127.0.0.1:8080', 'wsgi.url_scheme': 'http'}
    assert allowed('http://127.0.0.1:8080', environ)
    assert allowed('https://tickets.example.com', environ)
    assert not allowed(EVIL, environ)
    assert not allowed('http://127.0.0.1:8081', environ)


@pytest.mark.parametrize(('public_url', 'secure'), [('', False),
                                                     ('https://tickets.example.com', True),
                                                     ('http://intranet.example', False)])
async def test_session_cookie_flags(public_url, secure):
    """The session cookie as the UI sets it: HttpOnly, SameSite=Lax, Path=/, a bounded
    lifetime, and Secure when the UI is published over HTTPS."""
    options = session_cookie(Settings(public_url=public_url))

    async def page(scope, receive, send):
        Request(scope).session['id'] = 'a-session'
        await PlainTextResponse('page')(scope, receive, send)

    app = SessionMiddleware(page, secret_key='test-secret', **options)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url='http://ui.test') as client:
        cookie = (await client.get('/')).headers['set-cookie']
    flags = {part.strip().split('=')[0].lower(): part.strip() for part in cookie.split(';')}
    assert 'httponly' in flags, cookie
    assert flags['samesite'].lower() == 'samesite=lax', cookie
    assert flags['path'] == 'path=/', cookie
    assert 0 < int(flags['max-age'].split('=')[1]) <= 24 * 60 * 60, cookie
    assert ('secure' in flags) is secure, cookie
    if public_url.startswith('https://'):
        report('cookies: HttpOnly, SameSite=Lax, Path=/, Max-Age 12 h; Secure over HTTPS')
