"""One line per fault, attack or load test of what it tried and what held, printed at
the end of the run (for example «faults: 3 worker kills; tickets 200/200; duplicates 0»)."""

from __future__ import annotations

LINES: list[str] = []


def report(line: str) -> None:
    """Keeps `line` for the run's summary; also printed, for `pytest -s`."""
    LINES.append(line)
    print(line)
