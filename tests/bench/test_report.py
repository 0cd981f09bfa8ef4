"""The goals summary that `make bench` prints: every goal judged from its own rows."""

from __future__ import annotations

from bench.report import GOALS, goals


def row(scenario: str, met) -> dict:
    return {"scenario": scenario, "case": "c", "met": met}


def test_a_goal_is_met_only_when_every_row_of_its_scenarios_is():
    verdicts = dict(goals([row("3 List", True), row("6 Scale", False), row("6 Scale", None),
                           row("4 Files", True), row("4 Files", True)]))
    assert verdicts[GOALS[3][0]] == "**no** (1 of 2 rows missed)"
    assert verdicts[GOALS[4][0]] == "yes"


def test_a_goal_without_judged_rows_says_not_measured():
    verdicts = dict(goals([row("1 Create", None), row("5 Web UI", False)]))
    assert verdicts[GOALS[0][0]] == "not measured"
    assert verdicts[GOALS[5][0]].startswith("**no**")
    assert len(verdicts) == len(GOALS) == 8
