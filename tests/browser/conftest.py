"""Real Chromium against the whole system started by `ticketdesk dev`.

Set TICKETDESK_BROWSER_BASE_URL to run against an already running `ticketdesk dev`
(with its demo data) instead of starting one. Without /usr/bin/chromium the tests
skip, unless TICKETDESK_REQUIRE_BROWSER=1, which makes them fail.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.support.browser import CALL_TIMEOUT, Backend, System
from tests.support.processes import kill_tree, log_tail, ticketdesk_env, wait_for
from tests.support.required import missing
from ticketdesk.tickets.v1 import tickets_pb2 as pb

CHROMIUM = Path('/usr/bin/chromium')
CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu',
                 '--disable-background-networking', '--disable-component-update',
                 '--disable-sync', '--no-first-run']
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / 'test-artifacts' / 'screenshots'
STARTUP_TIMEOUT = 180.0
READY_LINE = re.compile(r'Press Ctrl-C to stop')
# The stack started here takes attachments up to 2 MiB, so that a test can exceed it.
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
# A start that lost a port race is repeated on other ports.
START_ATTEMPTS = 3


def require_browser() -> None:
    if not CHROMIUM.exists():
        missing(f'{CHROMIUM} is missing: install Debian chromium (apt-get install chromium)',
                'TICKETDESK_REQUIRE_BROWSER', 'browser tests')


@pytest.fixture(scope='session')
def system(tmp_path_factory) -> Iterator[System]:
    """A running TicketDesk with its demo data: its web UI and gRPC addresses."""
    require_browser()
    given = os.environ.get('TICKETDESK_BROWSER_BASE_URL')
    if given:
        yield System(given.rstrip('/'), os.environ.get('TICKETDESK_BROWSER_AUTH_ADDRESS', ''),
                     os.environ.get('TICKETDESK_BROWSER_TICKETS_ADDRESS', ''),
                     int(os.environ.get('TICKETDESK_BROWSER_MAIL_IN_PORT', '2525')))
        return
    for attempt in range(1, START_ATTEMPTS + 1):
        data_dir = tmp_path_factory.mktemp('ticketdesk-dev')
        env, ports = ticketdesk_env(data_dir, TICKETDESK_MAX_UPLOAD_BYTES=str(MAX_UPLOAD_BYTES))
        log_path = data_dir / 'dev.log'
        process = _start_dev(env, log_path)
        try:
            wait_for(lambda: READY_LINE.search(log_path.read_text(errors='replace')) is not None,
                     STARTUP_TIMEOUT, f'ticketdesk dev (log: {log_path})', process=process,
                     log=log_path)
        except AssertionError:
            _stop(process)
            if attempt == START_ATTEMPTS or not _lost_a_port(log_path):
                raise
            print(f'ticketdesk dev lost a port to another process; starting it again:'
                  f'{log_tail(log_path, 5)}')
            continue
        try:
            yield System(f'http://127.0.0.1:{ports["ui"]}', f'127.0.0.1:{ports["auth"]}',
                         f'127.0.0.1:{ports["tickets"]}', ports['mail_in'])
        finally:
            _stop(process)
        return


def _start_dev(env: dict[str, str], log_path: Path) -> subprocess.Popen:
    with log_path.open('wb') as log:
        return subprocess.Popen([sys.executable, '-m', 'cli.main', 'dev'], cwd=ROOT, env=env,
                                stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT)


def _lost_a_port(log_path: Path) -> bool:
    """The free ports were picked before the start: another process may take one first
    (`ticketdesk dev` checks, and Temporal's dev server picks its inner ports itself)."""
    return re.search(r'already in use', log_path.read_text(errors='replace')) is not None


@pytest.fixture(scope='session')
def base_url(system) -> str:
    """The web UI of a running TicketDesk with its demo data."""
    return system.url


@pytest.fixture(scope='session')
async def backend(system) -> AsyncIterator[Backend]:
    """The demo people on the gRPC APIs, to set a scene faster than clicking through it."""
    people = Backend(system)
    yield people
    await people.close()


def _stop(process: subprocess.Popen) -> None:
    """Ctrl-C, as a person stops `ticketdesk dev`; force only if it hangs."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 60
        while process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
    if process.poll() is None:
        kill_tree(process)


@pytest.fixture
async def studio_today(backend) -> date:
    """Today in the studio's time zone (its settings'), by which the form and the service
    judge a desired date: near midnight it is not the machine's today."""
    settings = await backend.tickets.GetStudioSettings(
        pb.GetStudioSettingsRequest(name='studioSettings'), metadata=await backend.as_('romashka'),
        timeout=CALL_TIMEOUT)
    return datetime.now(ZoneInfo(settings.timezone)).date()


@pytest.fixture(scope='session')
def max_upload_bytes() -> int:
    """The attachment limit of the system under test (25 MiB for a given base URL)."""
    if os.environ.get('TICKETDESK_BROWSER_BASE_URL'):
        return int(os.environ.get('TICKETDESK_BROWSER_MAX_UPLOAD_BYTES', 25 * 1024 * 1024))
    return MAX_UPLOAD_BYTES


@pytest.fixture(scope='session')
async def browser(base_url):
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                   args=CHROMIUM_ARGS, headless=True)
        yield browser
        await browser.close()


@pytest.fixture
async def new_page(browser) -> AsyncIterator:
    """Opens a page in a fresh browser context: each call is another person."""
    contexts = []

    async def open_page():
        context = await browser.new_context(viewport={'width': 1366, 'height': 900},
                                            locale='ru-RU')
        contexts.append(context)
        return await context.new_page()

    yield open_page
    for context in contexts:
        await context.close()


TAKEN: set[Path] = set()  # the screenshots of this session, for the terminal summary


@pytest.fixture(scope='session')
def screenshot():
    """Saves the whole page as test-artifacts/screenshots/<lang>/<name>.png."""

    async def take(page, name: str, lang: str = 'ru') -> None:
        path = SCREENSHOTS / lang / f'{name}.png'
        path.parent.mkdir(parents=True, exist_ok=True)
        # A scrolled page would show the fixed header in the middle of a full-page picture.
        await page.evaluate('window.scrollTo(0, 0)')
        await page.evaluate('document.fonts.ready.then(() => true)')  # no invisible text
        # Transitions end at once: a field's label is caught floated, not half-way.
        await page.screenshot(path=str(path), full_page=True, animations='disabled')
        TAKEN.add(path)

    return take


def pytest_terminal_summary(terminalreporter) -> None:
    if TAKEN:
        terminalreporter.write_line(f'screenshots: {SCREENSHOTS} ({len(TAKEN)} files)')
