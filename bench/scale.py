"""Scenario 6 (and 3 at the largest size): the ticket store grown by bulk loads to each
size in turn; create and list measured at each, next to their Core baselines."""

from __future__ import annotations

import math
import random
import uuid
from datetime import UTC, datetime

from sqlalchemy import insert

from bench import data, listing
from bench.create import create_ticket
from bench.sizes import Sizes
from bench.stats import side_by_side
from tests.support.stack import Organization, Stack

WITHOUT_STATISTICS_CALLS = 4


async def run(stack: Stack, orgs: list[Organization], backend: str, sizes: Sizes,
              log=print) -> list[dict]:
    engine = data.raw_engine(stack.settings.database_url("tickets"))
    developer = await stack.staff("developer")
    sites = await data.site_ids_by_organization(engine)
    rows, medians = [], {}
    try:
        for size in sizes.tickets:
            await data.load(engine, sites, size - await data.ticket_count(engine))
            log(f"  {backend}: {size:,} tickets loaded")
            largest = size == sizes.tickets[-1]
            listed = await listing.run(stack, engine, orgs[0], developer, backend, size,
                                       sizes.lists, only_first_page=not largest)
            created = await _create(stack, engine, orgs[0], sites, backend, size,
                                    sizes.scale_creates)
            medians[size] = (listed[0]["system"]["median_ms"], created["system"]["median_ms"])
            rows += [_scaled(listed[0], size), created]
            if largest:
                rows += listed
                if backend == "sqlite":
                    # A few calls: without statistics each one sorts the open queue
                    # (seconds at a million tickets).
                    rows.append(await listing.without_statistics(
                        stack, engine, developer, size, WITHOUT_STATISTICS_CALLS))
    finally:
        await engine.dispose()
    return rows + [_growth(backend, medians, what, i) for i, what in enumerate(("list", "create"))]


async def _create(stack: Stack, engine, org: Organization, sites: dict, backend: str,
                  size: int, count: int) -> dict:
    """CreateTicket one after another, against the INSERT of a ticket row."""
    site = sites[org.client_user.organization][0]

    async def raw_insert(i: int) -> None:
        row = data.ticket_row(random.Random(i), org.client_user.organization, {
            org.client_user.organization: [site]}, datetime.now(UTC))
        async with engine.begin() as connection:
            await connection.execute(insert(data.TICKETS), row | {"request_id": uuid.uuid4().hex})

    figures = await side_by_side(lambda i: create_ticket(stack, org, i), raw_insert, count)
    return {"scenario": "6 Scale", "case": f"create at {size:,} tickets", "backend": backend,
            "baseline_is": "INSERT of the ticket row with Core", "unit": "tickets/s",
            **figures, "goal": "", "met": None}


def _scaled(listed: dict, size: int) -> dict:
    return listed | {"scenario": "6 Scale", "case": f"list at {size:,} tickets", "goal": "",
                     "met": None}


def _growth(backend: str, medians: dict[int, tuple[float, float]], what: str, i: int) -> dict:
    """The median's growth from the smallest size to the largest, against log(size)'s."""
    small, large = min(medians), max(medians)
    growth = medians[large][i] / medians[small][i]
    allowed = math.log(large) / math.log(small)
    return {"scenario": "6 Scale", "case": f"{what}: median growth {small:,} -> {large:,}",
            "backend": backend, "growth": growth, "log_growth": allowed,
            "summary": f"x{growth:.2f}",
            "goal": f"growth <= log ratio ({allowed:.2f})", "met": growth <= allowed}
