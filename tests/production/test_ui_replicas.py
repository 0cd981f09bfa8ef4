"""Two web UI replicas share their user storage in Redis (NICEGUI_REDIS_URL) and sign
cookies with one secret: a person signed in on one is signed in on the other, so losing
the sticky replica does not log anyone out, and logging out on one ends it on both.

Real processes, real Redis, real Chromium. Without Redis the test skips with its reason,
unless TICKETDESK_REQUIRE_REDIS=1 (set by .ci/run) makes that a failure.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import redis

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, require_browser
from tests.production.test_metrics import samples, value
from tests.production.ui_processes import start_ui, status_of, stop, tail, wait_status
from tests.support.processes import free_ports
from tests.support.stack import PASSWORD, Stack, start_stack, start_temporal

REDIS_URL = os.environ.get("TICKETDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
TIMEOUT = 30_000  # ms, for the browser on a busy machine


def redis_or_skip() -> str:
    try:
        with redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3) as client:
            client.ping()
    except redis.RedisError as error:
        reason = f"Redis at {REDIS_URL} does not answer ({error})"
        if os.environ.get("TICKETDESK_REQUIRE_REDIS") == "1":
            pytest.fail(f"TICKETDESK_REQUIRE_REDIS=1 but {reason}")
        print(f"skipping the UI replica test: {reason}")
        pytest.skip(reason)
    return REDIS_URL


@dataclass
class Replica:
    port: int
    metrics_port: int
    process: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Replicas:
    stack: Stack
    a: Replica
    b: Replica


@pytest.fixture
async def replicas(tmp_path):
    url = redis_or_skip()
    require_browser()
    temporal = await start_temporal()
    stack = await start_stack(temporal, tmp_path, worker=False)
    prefix = f"ticketdesk-test-{uuid.uuid4().hex[:12]}:"  # this test's keys only
    shared = {"NICEGUI_REDIS_URL": url, "NICEGUI_REDIS_KEY_PREFIX": prefix,
              "TICKETDESK_UI_STORAGE_SECRET": secrets.token_urlsafe(32),
              "TICKETDESK_TICKETS_ADDRESS": stack.settings.tickets_target,
              "TICKETDESK_FILES_ADDRESS": stack.settings.files_target}
    started: list[Replica] = []
    ports = free_ports(4)  # in one call, so that no two are alike
    try:
        for ui_port, metrics_port in (ports[:2], ports[2:]):
            process, log = start_ui(tmp_path, ui_port, metrics_port, stack.settings.auth_port,
                                    **shared)
            started.append(Replica(ui_port, metrics_port, process, log))
        for replica in started:
            await wait_status(replica.metrics_port, "/readyz", 200, replica.process, replica.log)
        yield Replicas(stack, *started)
    finally:
        for replica in started:
            stop(replica.process)
        await stack.stop()
        await temporal.shutdown()
        with redis.Redis.from_url(url) as client:
            for key in client.scan_iter(match=f"{prefix}*"):
                client.delete(key)


async def signed_in(replica: Replica, page) -> bool:
    """Whether `replica` lets the person's cookie in: GET / answers the page, not a
    redirect to /login. Plain HTTP, so that no page code runs (a page that calls a
    service with a revoked token would sign the person out by itself)."""
    cookies = {c["name"]: c["value"] for c in await page.context.cookies(replica.url)}
    async with httpx.AsyncClient(cookies=cookies, timeout=30) as http:
        answer = await http.get(f"{replica.url}/")
    assert answer.status_code in (200, 307), (answer.status_code, tail(replica.log))
    return answer.status_code == 200


async def eventually_signed_out(replica: Replica, page, seconds: float = 15) -> None:
    """The other replica hears of a logout through Redis, a moment later."""
    async with asyncio.timeout(seconds):
        while await signed_in(replica, page):
            await asyncio.sleep(0.2)


async def connected_tabs(replica: Replica, count: int, seconds: float = 15) -> None:
    """Until `ticketdesk_ui_clients` of `replica` is `count` (the page's websocket
    connects just after the page loads)."""
    url = f"http://127.0.0.1:{replica.metrics_port}/metrics"
    async with httpx.AsyncClient(timeout=5) as http, asyncio.timeout(seconds):
        while value(samples((await http.get(url)).text), "ticketdesk_ui_clients") != count:
            await asyncio.sleep(0.2)


async def test_a_session_is_shared_by_the_ui_replicas(replicas):
    from playwright.async_api import async_playwright, expect

    org = await replicas.stack.new_organization()
    name = org.client_user.full_name
    a, b = replicas.a, replicas.b
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                   args=CHROMIUM_ARGS, headless=True)
        page = await (await browser.new_context(locale="ru-RU")).new_page()
        page.set_default_timeout(TIMEOUT)
        try:
            await sign_in(page, a, org.email)
            # B never saw this person: the cookie (one host, so the same cookie) is checked
            # with the shared secret and the session is read from Redis.
            assert await signed_in(b, page), tail(b.log)
            await page.goto(f"{b.url}/")
            await expect(page.get_by_text(name)).to_be_visible()
            await connected_tabs(b, 1)  # the UI metrics see the open page

            await page.get_by_role("button", name="Меню пользователя").click()
            await page.get_by_role("menuitem", name="Выйти").click()
            await expect(page).to_have_url(f"{b.url}/login")
            await eventually_signed_out(a, page)

            # Failover: the replica the person signed in on goes away, the other takes over.
            await sign_in(page, a, org.email)
            stop(a.process)
            assert await status_of(a.port, "/login") is None
            assert await signed_in(b, page), tail(b.log)
            await page.goto(f"{b.url}/")
            await expect(page.get_by_text(name)).to_be_visible()
        finally:
            await browser.close()


async def sign_in(page, replica: Replica, email: str) -> None:
    await page.goto(f"{replica.url}/login")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Пароль").fill(PASSWORD)
    await page.get_by_role("button", name="Войти").click()
    await page.wait_for_url(f"{replica.url}/")


def test_replicas_with_redis_need_one_storage_secret(tmp_path):
    ui_port, metrics_port, auth_port = free_ports(3)
    process, log = start_ui(tmp_path, ui_port, metrics_port, auth_port,
                            NICEGUI_REDIS_URL=REDIS_URL, TICKETDESK_UI_STORAGE_SECRET="")
    try:
        assert process.wait(120) != 0
    finally:
        stop(process)
    assert ("configuration error: TICKETDESK_UI_STORAGE_SECRET: required with "
            "NICEGUI_REDIS_URL") in log.read_text()
