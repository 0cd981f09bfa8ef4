"""Scenario 9: «Отчёты» (/reports) over a year of tickets (1,000,000 in the full run) in a
whole `ticketdesk dev`, in headless Chromium, as scenario 5 measures its pages.

The demo manager opens the service report (the page's default tab) and the time report
(`?view=time`), each timed until every section of it has loaded: the page's report
container then carries the class `reports-ready` (the page's contract with this bench).
The login page, the framework's own page without data, is the baseline of the same run.
Both are judged at the page's default period («Этот месяц»), whose data grows from a day's
to a month's as the month goes on; the service report over «Квартал» is shown beside them
(not judged), as a longer period reads more.

The data: `ticketdesk dev` starts once to create its databases and demo data, stops, and
the tickets and time entries go straight into its tickets database with bench/data.py's
bulk loader (no service holds the file meanwhile); then it starts again on that data, with
the tickets service's start-up repair off (TICKETDESK_REPAIR_ON_START=false): the loaded
open tickets have no workflows (rows only; starting 180,000 would take hours), and the
repair would otherwise start them all in the background through the whole measurement,
Temporal and the worker busy with it, the login page included. A real installation's
open tickets have their workflows, and its repair finds none to start. The load is
written to disk (`sync`) before the stack starts, and the rounds begin once the stack has
settled (bench/webui.py `settled`: start-up work such as the tickets service's planner
statistics over the million, 3-20 s); the login page is timed in the same rounds.
"""

from __future__ import annotations

import asyncio
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bench import data, webui
from bench.sizes import Sizes
from bench.stats import Figures, compare
from cli.demo import login as demo_login
from services.common.client.channels import channel
from ticketdesk.auth.v1 import auth_pb2, auth_pb2_grpc
from workflows.ticket.rules import Status

SCENARIO = "9 Reports"
# The page's contract: set on the report's container once every visible section loaded.
READY = ".reports-ready"
TIMEOUT_MS = 60_000  # a round not ready by then counts as failed (and as this long)
GIVE_UP = 2  # a page that timed out this often is not opened again: the rest time out too
STAFF = ("manager", "developer")  # they log the time; tickets are assigned to them
CASES = {"service": "/reports", "time": "/reports?view=time",
         "quarter": "/reports?period=quarter", "charts": "/reports"}
# The charts are drawn once the browser has connected (ui/components/reports/sections.py):
# "charts" waits, beyond READY, until every chart's box holds its canvas.
CHARTS_DRAWN = """() => [...document.querySelectorAll('.td-chart-box')]
                         .every(box => box.querySelector('canvas'))"""
QUARTER_DAYS = 92


async def run(sizes: Sizes, data_dir: Path, log=print) -> list[dict]:
    if not webui.CHROMIUM.exists():
        raise RuntimeError(f"{webui.CHROMIUM} is missing: install Debian chromium")
    async with webui.ticketdesk_dev(data_dir) as (ports, _):
        staff = await staff_users(ports)
    started = time.monotonic()
    shape = await fill(data_dir / "tickets.db", sizes, staff)
    # The load's gigabytes on disk before the stack starts: the kernel would otherwise be
    # writing them back through the rounds.
    await asyncio.to_thread(os.sync)
    loaded = time.monotonic() - started
    log(f"  reports: {sizes.report_tickets:,} tickets and {sizes.report_entries:,} time "
        f"entries loaded in {loaded:.0f} s")
    async with webui.ticketdesk_dev(data_dir, TICKETDESK_REPAIR_ON_START="false") as (ports,
                                                                                     ui_pid):
        waited = await webui.settled(ui_pid)
        log(f"  reports: the stack settled {waited:.0f} s after it started")
        figures, failed = await timings(f"http://127.0.0.1:{ports['ui']}", sizes.report_rounds)
    return [
        {"scenario": SCENARIO, "case": "the data", "loaded_seconds": loaded, **shape,
         "summary": (f"{shape['tickets']:,} tickets over 12 months ({shape['quarter']:,} "
                     f"created in the last {QUARTER_DAYS} days, {shape['open']:,} open), "
                     f"{shape['entries']:,} time entries, {shape['moves']:,} ticket moves; "
                     f"bulk-loaded in {loaded:.0f} s; the default period (this month) "
                     f"holds {datetime.now(UTC).day} days so far"),
         "goal": "", "met": None},
        _timed(f"service report at {shape['tickets']:,} tickets usable", figures["service"],
               figures["login"], failed["service"]),
        _timed(f"time report, {shape['entries']:,} time entries, usable", figures["time"],
               figures["login"], failed["time"]),
        _timed("service report, period «Квартал», usable (not judged)", figures["quarter"],
               figures["login"], failed["quarter"], judged=False),
        _timed("service report, every chart drawn (not judged)", figures["charts"],
               figures["login"], failed["charts"], judged=False)]


async def staff_users(ports: dict[str, int]) -> list[tuple[str, str]]:
    """(users/{id}, full name) of the demo's staff, as their sessions name them."""
    found = []
    auth_channel = channel(f"127.0.0.1:{ports['auth']}")
    try:
        api = auth_pb2_grpc.AuthServiceStub(auth_channel)
        for key in STAFF:
            person = demo_login(key)
            session = await api.Login(auth_pb2.LoginRequest(email=person.email,
                                                            password=person.password))
            found.append((session.user.name, session.user.full_name or person.full_name))
    finally:
        await auth_channel.close()
    return found


async def fill(database: Path, sizes: Sizes, staff: list[tuple[str, str]]) -> dict:
    """The tickets (statuses by age, their service figures, the staff's) and the time
    entries, into the stopped dev's tickets database; what the page then reads."""
    if not database.exists():
        raise RuntimeError(f"{database}: ticketdesk dev did not create its tickets database")
    engine = data.raw_engine(f"sqlite+aiosqlite:///{database}")
    try:
        sites = await data.site_ids_by_organization(engine)
        await data.load(engine, sites, sizes.report_tickets, aged=True,
                        assignees=[name for name, _ in staff])
        await data.load_time_entries(engine, sizes.report_entries, staff)
        return await _shape(engine)
    finally:
        await engine.dispose()


async def _shape(engine) -> dict:
    tickets, entries = data.TICKETS, data.TIME_ENTRIES
    since = datetime.now(UTC) - timedelta(days=QUARTER_DAYS)
    closed = [s.value for s in (Status.DONE, Status.CANCELLED)]
    async with engine.connect() as connection:
        async def count(query) -> int:
            return (await connection.execute(query)).scalar_one()
        return {
            "tickets": await count(select(func.count()).select_from(tickets)),
            "quarter": await count(select(func.count()).where(tickets.c.create_time >= since)),
            "open": await count(select(func.count()).where(tickets.c.status.not_in(closed))),
            "entries": await count(select(func.count()).select_from(entries)),
            "moves": await count(select(func.count()).select_from(data.MOVES))}


async def timings(base_url: str, rounds: int) -> tuple[dict[str, Figures], dict[str, int]]:
    """Each page opened `rounds` times, a fresh load in a new tab each time, in one browser
    context per page (a returning visitor, the framework's scripts cached), the pages in
    turn within a round; the first round warms up. A round that times out is counted as
    failed and as TIMEOUT_MS long (after GIVE_UP of them, without waiting again)."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout
    from playwright.async_api import async_playwright

    async def report_ready(page) -> None:
        await page.locator(READY).first.wait_for(timeout=TIMEOUT_MS)

    async def charts_drawn(page) -> None:
        await report_ready(page)
        await page.wait_for_function(CHARTS_DRAWN, timeout=TIMEOUT_MS)

    async def login_ready(page) -> None:
        await page.get_by_role("button", name="Войти").wait_for(timeout=TIMEOUT_MS)

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(webui.CHROMIUM),
                                                   args=webui.CHROMIUM_ARGS, headless=True)
        try:
            state = await webui.signed_in_state(browser, base_url, "manager")
            cases = {"login": (None, f"{base_url}/login", login_ready)} | {
                name: (state, base_url + path, charts_drawn if name == "charts" else report_ready)
                for name, path in CASES.items()}
            contexts = {name: await browser.new_context(
                locale="ru-RU", storage_state=who, viewport={"width": 1366, "height": 900})
                for name, (who, _, _) in cases.items()}
            samples: dict[str, list[float]] = {name: [] for name in cases}
            failed, timeouts = dict.fromkeys(cases, 0), dict.fromkeys(cases, 0)
            for round_ in range(rounds + 1):
                for name, (_, url, ready) in cases.items():
                    seconds = TIMEOUT_MS / 1000
                    try:
                        if timeouts[name] < GIVE_UP:
                            seconds = await webui.time_until(contexts[name], url, ready)
                        else:
                            raise PlaywrightTimeout("given up")
                    except PlaywrightTimeout:
                        timeouts[name] += 1
                        failed[name] += int(round_ > 0)
                    samples[name].append(seconds)
        finally:
            await browser.close()
    return ({name: Figures(values[1:], sum(values[1:])) for name, values in samples.items()},
            failed)


def _timed(case: str, system: Figures, baseline: Figures, failed: int,
           judged: bool = True) -> dict:
    """Met when the page is ready within 1 s at p95 and no round timed out; the login
    page beside it says how much of that is the framework's own."""
    figures = compare(system, baseline)
    timed_out = f" ({failed} rounds timed out)" if failed else ""
    return {"scenario": SCENARIO, "case": case, "unit": "pages/s",
            "baseline_is": "the login page", "failed_rounds": failed, **figures,
            "goal": ("p95 <= 1 s" if judged else "") + timed_out,
            "met": figures["system"]["p95_ms"] <= 1000 and not failed if judged else None}
