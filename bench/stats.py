"""Latency samples into the figures every scenario reports."""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass
class Figures:
    """One measured operation: latencies (seconds) and the wall time of the whole run."""

    samples: list[float]
    wall: float
    unit_per_op: float = 1.0  # e.g. MiB moved by one operation (throughput in MiB/s)

    def percentile(self, p: float) -> float:
        """Nearest rank: the smallest sample with at least p% of the samples at or below."""
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

    def as_dict(self) -> dict:
        return {"n": len(self.samples), "median_ms": self.percentile(50) * 1000,
                "p95_ms": self.percentile(95) * 1000, "p99_ms": self.percentile(99) * 1000,
                "throughput": len(self.samples) * self.unit_per_op / self.wall}


Operation = Callable[[int], Awaitable[object]]


async def measure(operation: Operation, count: int, concurrency: int = 1,
                  unit_per_op: float = 1.0, first: int = 0) -> Figures:
    """Run `operation(i)` for i in first..first+count-1 with `concurrency` callers."""
    numbers, samples = itertools.count(first), []

    async def caller() -> None:
        while (i := next(numbers)) < first + count:
            started = time.perf_counter()
            await operation(i)
            samples.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(concurrency)))
    return Figures(samples, time.perf_counter() - started, unit_per_op)


async def side_by_side(system: Operation, baseline: Operation, count: int,
                       concurrency: int = 1, unit_per_op: float = 1.0,
                       rounds: int = 4) -> dict:
    """Both measured in alternating rounds, so that a burst of load on a shared machine
    (or the system's own background work) falls on both sides alike."""
    sides: dict[str, list[Figures]] = {"system": [], "baseline": []}
    per_round = max(1, count // rounds)
    for r, first in enumerate(range(0, count, per_round)):
        n = min(per_round, count - first)
        order = ("baseline", "system") if r % 2 == 0 else ("system", "baseline")
        for side in order:
            operation = system if side == "system" else baseline
            sides[side].append(await measure(operation, n, concurrency, unit_per_op, first))
    return compare(merged(sides["system"]), merged(sides["baseline"]))


def merged(parts: list[Figures]) -> Figures:
    return Figures([x for p in parts for x in p.samples], sum(p.wall for p in parts),
                   parts[0].unit_per_op)


def compare(system: Figures, baseline: Figures) -> dict:
    """System and baseline side by side, with the ratios (system / baseline)."""
    s, b = system.as_dict(), baseline.as_dict()
    ratio = {key: s[key] / b[key] for key in ("median_ms", "p95_ms", "p99_ms", "throughput")}
    return {"system": s, "baseline": b, "ratio": ratio}
