"""`python -m bench` keeps what it measured when a scenario of its own processes fails."""

from __future__ import annotations

from bench import report
from bench.__main__ import failed_as_row


async def test_a_scenario_that_fails_is_one_row_not_met():
    async def broken() -> list[dict]:
        raise AssertionError("ticketdesk dev: the process exited with 1")

    rows = await failed_as_row("8 Stack", broken())
    assert [(r["scenario"], r["met"]) for r in rows] == [("8 Stack", False)]
    assert "exited with 1" in report._line(rows[0])
    verdicts = dict(report.goals(rows))
    assert verdicts["7 the whole stack under load: every call answered"].startswith("**no**")


async def test_a_scenario_that_runs_gives_its_rows():
    async def measured() -> list[dict]:
        return [{"scenario": "8 Stack", "met": True}]

    assert await failed_as_row("8 Stack", measured()) == [{"scenario": "8 Stack", "met": True}]
