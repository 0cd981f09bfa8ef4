"""Scenario 5: the web UI in headless Chromium against a whole `ticketdesk dev`.

Time until the list (a client with many tickets) and a card with many comments are
usable, next to the login page (the framework's own page, no data) as the baseline;
and the UI process's memory per connected client."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from contextlib import asynccontextmanager
from pathlib import Path

from bench.sizes import Sizes
from bench.stats import Figures, compare
from cli.demo import login as demo_login
from services.common.client.channels import bearer, channel
from tests.support.processes import descendants, kill_tree, ticketdesk_env, wait_for
from ticketdesk.auth.v1 import auth_pb2, auth_pb2_grpc
from ticketdesk.tickets.v1 import tickets_pb2 as pb
from ticketdesk.tickets.v1 import tickets_pb2_grpc

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ROOT = Path(__file__).resolve().parents[1]
ROWS = ".q-table tbody tr"
TIMEOUT_MS = 60_000
MIB = 1024 * 1024
# NiceGUI's page script sets this once its socket has shaken hands with the server.
CONNECTED = "window.did_handshake === true"


@asynccontextmanager
async def ticketdesk_dev(data_dir: Path, **settings: str):
    """`ticketdesk dev` with its demo data on free ports, and `settings` (TICKETDESK_…
    variables); yields (ports, UI process id)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    env, ports = ticketdesk_env(data_dir, **settings)
    log_path = data_dir / "dev.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "cli.main", "dev"], cwd=ROOT, env=env,
                                   stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    try:
        await asyncio.to_thread(
            wait_for, lambda: b"Press Ctrl-C to stop" in log_path.read_bytes(), 180,
            f"ticketdesk dev (log: {log_path})", process=process)
        yield ports, _ui_process(process.pid)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            await asyncio.to_thread(process.wait, 60)
        except subprocess.TimeoutExpired:
            kill_tree(process)


async def settled(ui_pid: int, window: float = 3.0, busy: float = 0.1,
                  limit: float = 60.0) -> float:
    """Waits until the whole `ticketdesk dev` of this UI process (the supervisor's every
    process) used under `busy` of a core over `window` seconds, at most `limit`; returns
    the seconds waited. Start-up work (SQLite's statistics over a million tickets: 3 s
    with the file cached, 20 s without) otherwise runs through the first rounds."""
    supervisor = int(Path(f"/proc/{ui_pid}/stat").read_text().rsplit(")", 1)[-1].split()[1])
    started = time.monotonic()
    while time.monotonic() - started < limit:
        before = _cpu_seconds(supervisor)
        await asyncio.sleep(window)
        if _cpu_seconds(supervisor) - before < busy * window:
            break
    return time.monotonic() - started


def _cpu_seconds(supervisor: int) -> float:
    """User and system CPU seconds of the supervisor's live descendants."""
    total = 0
    for pid in descendants(supervisor):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    return total / os.sysconf("SC_CLK_TCK")


def _ui_process(supervisor: int) -> int:
    for pid in descendants(supervisor):
        if b"-m\0ui" in Path(f"/proc/{pid}/cmdline").read_bytes():
            return pid
    raise RuntimeError("the web UI process of ticketdesk dev was not found")


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


async def fill(ports: dict[str, int], tickets: int, comments: int) -> int:
    """The demo client of Ромашка gets `tickets` more tickets, the last with `comments`
    comments; returns that ticket's number."""
    person = demo_login("romashka")
    auth_channel = channel(f"127.0.0.1:{ports['auth']}")
    tickets_channel = channel(f"127.0.0.1:{ports['tickets']}")
    try:
        session = await auth_pb2_grpc.AuthServiceStub(auth_channel).Login(
            auth_pb2.LoginRequest(email=person.email, password=person.password))
        me, api = bearer(session.session_token), tickets_pb2_grpc.TicketServiceStub(tickets_channel)
        sites = await api.ListSites(pb.ListSitesRequest(parent=session.user.organization),
                                    metadata=me)
        gate, numbers = asyncio.Semaphore(8), []

        async def create(i: int) -> None:
            async with gate:
                ticket = await api.CreateTicket(pb.CreateTicketRequest(ticket=pb.Ticket(
                    title=f"Задача для замера {i}", site=sites.sites[0].name,
                    description="Поправить вёрстку на странице контактов.")), metadata=me)
                numbers.append(ticket.number)

        await asyncio.gather(*(create(i) for i in range(tickets)))
        card = max(numbers)
        for i in range(1, comments + 1):
            await api.AddComment(pb.AddCommentRequest(
                parent=f"tickets/{card}", comment=pb.Comment(body=f"Комментарий {i}")),
                metadata=me)
        return card
    finally:
        await auth_channel.close()
        await tickets_channel.close()


async def signed_in_state(browser, base_url: str, who: str = "romashka") -> dict:
    """A demo login's session cookie (the client's by default), signed in once through
    the login form."""
    person = demo_login(who)
    context = await browser.new_context(locale="ru-RU")
    page = await context.new_page()
    await page.goto(f"{base_url}/login")
    await page.get_by_label("E-mail").fill(person.email)
    await page.get_by_label("Пароль").fill(person.password)
    await page.get_by_role("button", name="Войти").click()
    await page.wait_for_url(f"{base_url}/", timeout=TIMEOUT_MS)
    state = await context.storage_state()
    await context.close()
    return state


async def time_until(context, url: str, ready) -> float:
    """Seconds from navigation until `ready(page)` returns and the page's socket is
    connected (it answers clicks), in a new tab of `context`."""
    page = await context.new_page()
    try:
        started = time.perf_counter()
        await page.goto(url, wait_until="commit")
        await ready(page)
        await page.wait_for_function(CONNECTED, timeout=TIMEOUT_MS)
        return time.perf_counter() - started
    finally:
        await page.close()


async def timings(browser, state: dict, base_url: str, card: int, rows: int, comments: int,
                  rounds: int) -> dict[str, Figures]:
    """Each page opened `rounds` times in a new tab of one browser context per page, as
    a returning visitor (the framework's scripts cached); the first visit warms up."""
    async def list_ready(page) -> None:
        await page.locator(ROWS).nth(rows - 1).wait_for(timeout=TIMEOUT_MS)

    async def card_ready(page) -> None:
        await page.get_by_text(f"Комментарий {comments}", exact=True).wait_for(
            timeout=TIMEOUT_MS)

    async def login_ready(page) -> None:
        await page.get_by_role("button", name="Войти").wait_for(timeout=TIMEOUT_MS)

    cases = {"login": (None, f"{base_url}/login", login_ready),
             "list": (state, f"{base_url}/", list_ready),
             "card": (state, f"{base_url}/tickets/{card}", card_ready)}
    contexts = {name: await browser.new_context(locale="ru-RU", storage_state=who,
                                                viewport={"width": 1366, "height": 900})
                for name, (who, _, _) in cases.items()}
    samples: dict[str, list[float]] = {name: [] for name in cases}
    try:
        for _ in range(rounds + 1):
            for name, (_, url, ready) in cases.items():
                samples[name].append(await time_until(contexts[name], url, ready))
    finally:
        for context in contexts.values():
            await context.close()
    return {name: Figures(values[1:], sum(values[1:])) for name, values in samples.items()}


async def memory_per_client(browser, state: dict, base_url: str, ui_pid: int,
                            clients: int) -> tuple[float, int, int]:
    """(MiB per client, RSS before, RSS with every client on the list page)."""
    before = rss_bytes(ui_pid)
    contexts = []
    try:
        for _ in range(clients):
            context = await browser.new_context(locale="ru-RU", storage_state=state)
            contexts.append(context)
            page = await context.new_page()
            await page.goto(f"{base_url}/")
            await page.locator(ROWS).first.wait_for(timeout=TIMEOUT_MS)
        during = rss_bytes(ui_pid)
    finally:
        for context in contexts:
            await context.close()
    return (during - before) / clients / MIB, before, during


async def run(sizes: Sizes, data_dir: Path) -> list[dict]:
    from playwright.async_api import async_playwright

    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing: install Debian chromium")
    async with ticketdesk_dev(data_dir) as (ports, ui_pid):
        base_url = f"http://127.0.0.1:{ports['ui']}"
        card = await fill(ports, sizes.web_tickets, sizes.web_comments)
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                       args=CHROMIUM_ARGS, headless=True)
            try:
                state = await signed_in_state(browser, base_url)
                rows = min(50, sizes.web_tickets)  # the list's first page
                figures = await timings(browser, state, base_url, card, rows,
                                        sizes.web_comments, sizes.web_rounds)
                per_client, before, during = await memory_per_client(
                    browser, state, base_url, ui_pid, sizes.web_clients)
            finally:
                await browser.close()
    return [
        _timed(f"list of {sizes.web_tickets} tickets usable", figures["list"], figures["login"]),
        _timed(f"card with {sizes.web_comments} comments usable", figures["card"],
               figures["login"]),
        {"scenario": "5 Web UI", "case": f"UI memory per client, {sizes.web_clients} clients",
         "mib_per_client": per_client, "rss_before_mib": before / MIB,
         "rss_with_clients_mib": during / MIB,
         "summary": f"{per_client:.2f} MiB/client (RSS {before / MIB:.0f} -> {during / MIB:.0f} MiB)",
         "goal": "<= 2 MiB per client", "met": per_client <= 2}]


def _timed(case: str, system: Figures, baseline: Figures) -> dict:
    """Met when the page is usable within 1 s at p95 and, at the median, within 1.3x the
    time the bare login page takes in the same run."""
    figures = compare(system, baseline)
    return {"scenario": "5 Web UI", "case": case, "unit": "pages/s",
            "baseline_is": "the login page", **figures,
            "goal": "p95 <= 1 s and <= 1.3x the login page",
            "met": figures["system"]["p95_ms"] <= 1000 and figures["ratio"]["median_ms"] <= 1.3}
