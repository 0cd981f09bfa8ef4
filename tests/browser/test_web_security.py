"""Access to the web UI and hostile input, on a running `ticketdesk dev` in real Chromium.

Every page route × anonymous, client of organization A («Ромашка»), developer, manager;
the download route's refusals; the session cookie across login and logout; requests and
WebSocket connections from another site; script and HTML typed into a ticket, a comment and
a file name shown as text. The route table itself is checked complete against the app in
tests/security/test_web_routes.py.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
import websockets
from playwright.async_api import Page, expect

from tests.security.hostile import INJECTION, MARKER
from tests.security.test_web_routes import EVIL, PAGES
from tests.support.browser import TIMEOUT, Backend, sign_in
from tests.support.summary import report
from ticketdesk.auth.v1 import auth_pb2
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from ui.routes import STYLE_SHEET

ROLES = ('anonymous', 'romashka', 'developer', 'manager')
CLIENT_B = 'vasiliev'
HOSTILE_FILE = '<img src=x onerror=alert(1)>.png'
CSV = 'Товар;Цена\nРомашка;120\n'.encode()
# The title of an admin page as its manager gets it (anybody else: «Нет доступа»).
ADMIN_TEXT = {
    '/admin': '<title>Организации — TicketDesk',
    '/admin/staff': '<title>Сотрудники — TicketDesk',
    '/admin/tokens': '<title>API-токены — TicketDesk',
    '/admin/integrations': '<title>Интеграции — TicketDesk',
    '/admin/settings': '<title>Настройки — TicketDesk',
    '/admin/organizations/{org_id}': '<title>ООО Ромашка — TicketDesk',
}
PAGE_TEXT = {'/tickets/new': 'Название', '/queue': 'Тикеты всех организаций',
             '/profile': 'Профиль', '/login': 'Войти', '/reports': '<title>Отчёты — TicketDesk'}
# The reports' files as the access table walks them: the entries (staff's) and A's
# statement of a month; a client is refused (403), staff get the file.
REPORT_FILES = {'/reports/export/{report}.{fmt}', '/reports/statement.xlsx'}
INJECTED = ('img[src="x"], [onerror], [onload], [onmouseover], [data-x], iframe, b#{tag}, '
            'a[href^="javascript:"], a#{tag}, img[src*="evil.example"]')
# An injected <style> would hide the page (`body{display:none}`) or restyle it.
STYLE_INJECTED = ('[...document.querySelectorAll("style")]'
                  f'.some(s => s.textContent.includes("{MARKER}"))')


# Helper H4's corpus, one line each (a line break in a label is shown as a space).
CORPUS = ('script', 'script_close', 'img_onerror', 'svg_onload', 'attribute_break', 'iframe',
          'javascript_url', 'html_entities', 'markdown', 'template', 'style')


def hostile(tag: str) -> dict[str, str]:
    """Script, HTML and Vue template injection, with a marker to find the text by."""
    corpus = ' '.join(INJECTION[case] for case in CORPUS)
    return {
        'title': f'<script>window.__xss=1;alert(1)</script> Счёт {tag}',
        'description': (f'<img src=x onerror="window.__xss=2;alert(2)"> <svg onload=alert(3)>'
                        f'<a id="{tag}" href="javascript:alert(4)">ссылка</a> '
                        f'{{{{ constructor.constructor("alert(5)")() }}}} описание {tag} '
                        f'{corpus}'),
        'comment': (f'<iframe srcdoc="<script>parent.__xss=3</script>"></iframe>'
                    f'<b id="{tag}" onmouseover=alert(6)>жирный</b> {{{{ 7*7 }}}} ответ {tag} '
                    f'{corpus}'),
    }


@dataclass
class Scene:
    tag: str
    text: dict[str, str]
    own: pb.Ticket  # A's ticket with the hostile text, its comment and files
    foreign: pb.Ticket  # B's ticket
    organization: str  # A's, organizations/{id}
    files: dict[str, str] = field(default_factory=dict)  # display name -> id

    def number(self, ticket: pb.Ticket) -> int:
        return int(ticket.name.removeprefix('tickets/'))


@pytest.fixture(scope='module')
async def scene(backend: Backend, browser, base_url) -> Scene:
    """A's ticket with script and HTML in its title, description and (through the card) a
    comment with two files, one named like an <img> tag; and a ticket of B."""
    tag = f'x{uuid.uuid4().hex[:8]}'
    text = hostile(tag)
    client = await backend.as_('romashka')
    me = await backend.auth.WhoAmI(auth_pb2.WhoAmIRequest(), metadata=client, timeout=60)
    sites = await backend.tickets.ListSites(pb.ListSitesRequest(parent=me.user.organization),
                                            metadata=client, timeout=60)
    own = await backend.tickets.CreateTicket(pb.CreateTicketRequest(ticket=pb.Ticket(
        title=text['title'], description=text['description'], site=sites.sites[0].name,
        priority=pb.PRIORITY_NORMAL), request_id=uuid.uuid4().hex), metadata=client,
        timeout=60)
    foreign = await backend.ticket(f'Тикет Васильева {tag}', client=CLIENT_B)
    found = Scene(tag, text, own, foreign, me.user.organization)
    context = await browser.new_context(viewport={'width': 1366, 'height': 900}, locale='ru-RU')
    try:
        page = await context.new_page()
        await sign_in(page, base_url, 'romashka')
        await page.goto(f'{base_url}/tickets/{found.number(own)}')
        await page.get_by_label('Комментарий').fill(text['comment'])
        await page.locator('input[type=file]').set_input_files([
            {'name': HOSTILE_FILE, 'mimeType': 'image/png', 'buffer': png_bytes()},
            {'name': 'Прайс.csv', 'mimeType': 'text/csv', 'buffer': CSV}])
        await expect(page.locator('.td-picked-file')).to_have_count(2, timeout=TIMEOUT)
        await expect(page.locator('.td-picked-file').filter(has_text='ожидает')) \
            .to_have_count(2, timeout=TIMEOUT)
        await page.get_by_role('button', name='Отправить').click()
        links = page.locator('.td-file a[href^="/files/"]:not([href$="/preview"])')
        await expect(links).to_have_count(2, timeout=TIMEOUT)
        for link in await links.all():
            found.files[await link.inner_text()] = \
                (await link.get_attribute('href')).removeprefix('/files/')
    finally:
        await context.close()
    assert set(found.files) == {HOSTILE_FILE, 'Прайс.csv'}, found.files
    return found


def png_bytes() -> bytes:
    from tests.support.browser import png
    return png(40, 20)


@pytest.fixture(scope='module')
async def people(browser, base_url, scene):
    """A signed-in page per role (a fresh browser context each); anonymous signs in never."""
    contexts, pages = [], {}
    for role in ROLES:
        context = await browser.new_context(viewport={'width': 1366, 'height': 900},
                                            locale='ru-RU')
        contexts.append(context)
        pages[role] = await context.new_page()
        if role != 'anonymous':
            await sign_in(pages[role], base_url, role)
    yield pages
    for context in contexts:
        await context.close()


# --- pages by role ---------------------------------------------------------------------------

def expected(route: str, role: str) -> str:
    """What `role` gets at `route`: `page`, `no-access`, `not-found` or `-> /path`."""
    if route == STYLE_SHEET:
        return 'file'
    if role == 'anonymous':
        return 'page' if route == '/login' else '-> /login'
    staff = role in ('developer', 'manager')
    special = {'/login': '-> /', '/password': '-> /', '/login/session': '-> /login',
               '/queue': 'page' if staff else '-> /',
               '/tickets/{foreign}': 'page' if staff else 'not-found'}
    if route in special:
        return special[route]
    if route in REPORT_FILES:
        return 'file' if staff else 'refused'
    if route in ADMIN_TEXT:
        return 'page' if role == 'manager' else 'no-access'
    return 'page'


def concrete(route: str, scene: Scene) -> str:
    if route == '/reports/statement.xlsx':
        return f'{route}?org={scene.organization}&month=2020-01'
    return route.replace('{number}', str(scene.number(scene.own))) \
        .replace('{foreign}', str(scene.number(scene.foreign))) \
        .replace('{org_id}', scene.organization.removeprefix('organizations/')) \
        .replace('{report}', 'entries').replace('{fmt}', 'xlsx')


async def outcome(page: Page, base_url: str, path: str) -> tuple[str, str]:
    """(what the HTTP answer is, its text): a redirect's target, a refusal, a file, or the
    page as sent."""
    answer = await page.request.get(base_url + path, max_redirects=0)
    body = '' if answer.headers.get('content-type', '').startswith('application/') \
        else await answer.text()
    if answer.status in (302, 303, 307):
        return f'-> {urlsplit(answer.headers["location"]).path}', body
    if answer.status == 403:  # a report's file that is not the person's
        return 'refused', body
    assert answer.status == 200, (path, answer.status)
    if not answer.headers['content-type'].startswith('text/html'):
        return 'file', ''
    return ('no-access' if 'Нет доступа' in body else 'page'), body


async def test_pages_by_role(people, base_url, scene):
    """Anonymous gets only the login page (every other route redirects to it), a client
    gets no staff or admin page and not B's ticket (it reads «Тикет не найден», as a missing
    one) nor the studio's report files (403), a developer no admin page, the manager every
    page."""
    routes = [r for r in PAGES if not r.startswith('/files/')] + ['/tickets/{foreign}']
    checked = 0
    for role in ROLES:
        for route in routes:
            want = expected(route, role)
            path = concrete(route, scene)
            if want == 'not-found':
                await card_not_found(people[role], base_url, path, scene)
            else:
                got, body = await outcome(people[role], base_url, path)
                assert got == want, (role, route, got)
                show = ADMIN_TEXT.get(route) or PAGE_TEXT.get(route)
                if show:  # the page itself, or nothing of it
                    assert (show in body) is (want == 'page'), (role, route, show)
            checked += 1
    report(f'access: {len(routes)} UI routes × {len(ROLES)} roles = {checked} checks; '
           'anonymous -> login, client: no staff/admin page, B\'s ticket = missing')


async def test_style_sheet_compiled_ahead(new_page, base_url):
    """Every page, the login page first, takes its Tailwind classes from the precompiled
    sheet (ui/styles.py), kept a year by the browser, and runs no Tailwind compiler."""
    page = await new_page()
    await page.goto(base_url + '/login')
    card = page.locator('.q-card').first
    await expect(card).to_be_visible(timeout=TIMEOUT)
    assert await card.evaluate('e => getComputedStyle(e).maxWidth') == '448px'  # max-w-md
    scripts = await page.evaluate('[...document.scripts].map(s => s.src)')
    assert scripts and not [s for s in scripts if 'tailwind' in s], scripts
    links = await page.evaluate(
        "[...document.querySelectorAll('link[rel=stylesheet]')].map(l => l.href)")
    sheet = [link for link in links if STYLE_SHEET in link]
    assert len(sheet) == 1, links
    answer = await page.request.get(sheet[0])
    assert answer.status == 200 and answer.headers['content-type'].startswith('text/css')
    assert 'max-age=31536000' in answer.headers['cache-control']


async def card_not_found(page: Page, base_url: str, path: str, scene: Scene) -> None:
    """B's ticket reads exactly as a missing one, with nothing of B's on the page."""
    seen = []
    for target in (path, '/tickets/999999'):
        await page.goto(base_url + target)
        await expect(page.get_by_text('Тикет не найден')).to_be_visible(timeout=TIMEOUT)
        seen.append(await page.locator('.q-page').inner_text())
    assert scene.foreign.title not in seen[0]
    assert seen[0].replace(path.rsplit('/', 1)[1], 'N') == seen[1].replace('999999', 'N')


# --- the download route ----------------------------------------------------------------------

async def test_downloads(people, browser, base_url, scene):
    """A file goes to its organization's client and to staff; B's client gets the same 404
    as for a missing file, anonymous the login page; a file id is a random UUID (its
    neighbours answer 404) and no path trick in the route reaches anything."""
    csv_id = scene.files['Прайс.csv']
    url = f'{base_url}/files/{csv_id}'
    for role in ('romashka', 'developer', 'manager'):
        answer = await people[role].request.get(url)
        assert answer.status == 200 and await answer.body() == CSV, role
    preview = await people['romashka'].request.get(
        f'{base_url}/files/{scene.files[HOSTILE_FILE]}/preview')
    disposition = preview.headers['content-disposition']  # the name, quoted, never raw
    assert preview.status == 200 and disposition.startswith('inline; filename="img src_x ')
    assert disposition.endswith(
        "filename*=UTF-8''%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E.png")
    assert '<' not in disposition and '>' not in disposition
    stranger = await signed_in(browser, base_url, CLIENT_B)
    try:
        missing = await stranger.request.get(f'{base_url}/files/{uuid.uuid4().hex}')
        for file_id in scene.files.values():
            foreign = await stranger.request.get(f'{base_url}/files/{file_id}')
            assert foreign.status == missing.status == 404
            assert await foreign.body() == await missing.body()
    finally:
        await stranger.context.close()
    anonymous = await people['anonymous'].request.get(url, max_redirects=0)
    assert anonymous.status == 307 and anonymous.headers['location'].endswith('/login')

    assert re.fullmatch(r'[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}', csv_id), csv_id
    neighbours = [f'{int(csv_id, 16) + step:032x}' for step in (-1, 1)]
    tricks = [*neighbours, csv_id.upper(), f'{csv_id}%00', f'{csv_id}%2F..%2F..',
              '..%2F..%2F..%2Fetc%2Fpasswd', '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
              f'{csv_id[:-1]}', f'{csv_id}0', f'..%2F{csv_id}', f'{csv_id}/preview/..%2F..']
    owner = people['romashka'].request
    for trick in tricks:
        answer = await owner.get(f'{base_url}/files/{trick}', max_redirects=0)
        body = await answer.body()
        assert answer.status == 404, (trick, answer.status)
        assert body != CSV and b'root:' not in body, trick
    report(f'download: owner+2 staff 200, B\'s client {len(scene.files)} files 404 = missing, '
           f'anonymous -> login, {len(tricks)} guessed/tricked ids 404')


async def signed_in(browser, base_url: str, key: str) -> Page:
    context = await browser.new_context(locale='ru-RU')
    page = await context.new_page()
    await sign_in(page, base_url, key)
    return page


# --- the session -----------------------------------------------------------------------------

async def session_cookie(page: Page) -> dict:
    cookies = [c for c in await page.context.cookies() if c['name'] == 'session']
    assert len(cookies) == 1, cookies
    return cookies[0]


async def replayed(browser, base_url: str, cookie: dict) -> str:
    """Where `/` sends a fresh browser that carries only `cookie`."""
    context = await browser.new_context()
    try:
        await context.add_cookies([{k: cookie[k] for k in ('name', 'value', 'domain', 'path')}])
        page = await context.new_page()
        answer = await page.request.get(f'{base_url}/', max_redirects=0)
        return 'page' if answer.status == 200 else urlsplit(answer.headers['location']).path
    finally:
        await context.close()


async def test_session_cookie_fixation_and_logout(browser, base_url, new_page, scene):
    """The cookie is HttpOnly, SameSite=Lax, Path=/; the session id a browser had before
    signing in is not the signed-in one (an attacker who planted it gets the login page);
    after «Выйти» the signed-in cookie, replayed, gets the login page too."""
    page = await new_page()
    await page.goto(f'{base_url}/login')
    planted = await session_cookie(page)
    await sign_in(page, base_url, 'romashka')
    signed = await session_cookie(page)
    assert signed['httpOnly'] and signed['sameSite'] == 'Lax' and signed['path'] == '/'
    assert signed['value'] != planted['value']
    assert await replayed(browser, base_url, planted) == '/login'
    assert await replayed(browser, base_url, signed) == 'page'

    await page.goto(f'{base_url}/profile')
    await page.get_by_role('button', name='Меню пользователя').click()
    await page.get_by_role('menuitem', name='Выйти').click()
    await expect(page).to_have_url(f'{base_url}/login', timeout=TIMEOUT)
    assert await replayed(browser, base_url, signed) == '/login'
    report('session: cookie HttpOnly+SameSite=Lax+Path=/; id renewed at login (planted id '
           '-> login); logged-out cookie replayed -> login')


# --- other sites -----------------------------------------------------------------------------

async def test_cross_site_post_and_websocket_origin(new_page, base_url, scene):
    """A real upload POST of a signed-in page is refused (403) from another Origin and
    accepted from the UI's own; NiceGUI's socket (WebSocket and polling) refuses a
    handshake from another Origin and accepts the UI's own."""
    page = await new_page()
    await sign_in(page, base_url, 'romashka')
    await page.goto(f'{base_url}/tickets/new')
    async with page.expect_request(lambda r: r.method == 'POST' and '/upload/' in r.url,
                                   timeout=TIMEOUT) as posted:
        await page.locator('input[type=file]').set_input_files(
            [{'name': 'Прайс.csv', 'mimeType': 'text/csv', 'buffer': CSV}])
    upload_url = (await posted.value).url
    await expect(page.locator('.td-picked-file')).to_have_count(1, timeout=TIMEOUT)
    form = {'file': {'name': 'evil.csv', 'mimeType': 'text/csv', 'buffer': CSV}}
    refused = 0
    for headers in ({'Origin': EVIL}, {'Origin': 'null'}, {'Sec-Fetch-Site': 'cross-site'}):
        answer = await page.request.post(upload_url, multipart=form, headers=headers)
        assert answer.status == 403, (headers, answer.status)
        refused += 1
    for route in ('/', '/login', '/login/session', f'/files/{scene.files["Прайс.csv"]}'):
        answer = await page.request.post(base_url + route, headers={'Origin': EVIL})
        assert answer.status == 403, (route, answer.status)
        refused += 1
    await expect(page.get_by_text('evil.csv')).to_have_count(0)
    own = await page.request.post(upload_url, multipart=form, headers={'Origin': base_url})
    assert own.status == 200, own.status
    await expect(page.get_by_text('evil.csv')).to_be_visible(timeout=TIMEOUT)

    socket = base_url.replace('http', 'ws', 1) + '/_nicegui_ws/socket.io/?EIO=4&transport=websocket'
    with pytest.raises(websockets.InvalidStatus) as refusal:
        async with websockets.connect(socket, origin=EVIL, open_timeout=30):
            pass
    assert refusal.value.response.status_code in (400, 403)  # refused before it opens
    async with websockets.connect(socket, origin=base_url, open_timeout=30) as own_socket:
        assert (await own_socket.recv()).startswith('0{')  # engine.io's «open»
    polling = f'{base_url}/_nicegui_ws/socket.io/?EIO=4&transport=polling'
    assert (await page.request.get(polling, headers={'Origin': EVIL})).status == 400
    assert (await page.request.get(polling, headers={'Origin': base_url})).status == 200
    report(f'cross-site: {refused} POSTs (a real upload + 4 routes) refused 403, own upload '
           'accepted; WebSocket+polling from foreign Origin refused, own accepted')


# --- hostile input ---------------------------------------------------------------------------

async def test_hostile_input_is_shown_as_text(new_page, base_url, scene):
    """Script and HTML in a ticket's title and description, a comment and a file name are
    shown literally in the list, the queue and the card, to the client and to staff: no
    dialog opens, no script runs, no injected element exists."""
    dialogs: list[str] = []
    shown = 0
    number = scene.number(scene.own)
    views = [('romashka', '/', ['title']), ('developer', '/queue', ['title']),
             ('romashka', f'/tickets/{number}', ['title', 'description', 'comment', 'file']),
             ('developer', f'/tickets/{number}', ['title', 'description', 'comment', 'file'])]
    pages: dict[str, Page] = {}
    for role, path, texts in views:
        if role not in pages:
            pages[role] = await new_page()
            pages[role].on('dialog', lambda d: (dialogs.append(d.message), d.dismiss()))
            await sign_in(pages[role], base_url, role)
        page = pages[role]
        await page.goto(base_url + path)
        for key in texts:
            literal = HOSTILE_FILE if key == 'file' else scene.text[key]
            await expect(page.get_by_text(literal, exact=True).first) \
                .to_be_visible(timeout=TIMEOUT)
            shown += 1
        injected = await page.locator(INJECTED.format(tag=scene.tag)).count()
        assert injected == 0, (role, path, injected)
        assert await page.evaluate('window.__xss') is None, (role, path)
        assert not await page.evaluate(STYLE_INJECTED), (role, path)
        if 'comment' in texts:
            assert '49' not in await page.locator('.q-card').filter(
                has_text=f'ответ {scene.tag}').last.inner_text()  # no Vue template ran
    assert dialogs == [], dialogs
    report(f'XSS: title, description and comment (+{len(CORPUS)} payloads of the hostile '
           f'corpus), file name; {len(views)} views as client and developer: {shown} texts '
           'shown literally; dialogs 0, injected elements 0')
