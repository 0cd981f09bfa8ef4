"""The raw Temporal baselines: a trivial workflow, a trivial update and signal handler.

Only temporalio is imported here: the workflow sandbox re-imports this module."""

from __future__ import annotations

from temporalio import workflow

BASELINE_QUEUE = "bench-baseline"


@workflow.defn
class Trivial:
    @workflow.run
    async def run(self, number: int) -> int:
        return number


@workflow.defn
class Counter:
    def __init__(self) -> None:
        self.count = 0
        self.stopped = False

    @workflow.run
    async def run(self) -> int:
        await workflow.wait_condition(lambda: self.stopped)
        return self.count

    @workflow.update
    async def bump(self, step: int) -> int:
        self.count += step
        return self.count

    @workflow.signal
    def noted(self, step: int) -> None:
        """A comment's signal, as raw as it gets (scenario 7)."""
        self.count += step

    @workflow.signal
    def stop(self) -> None:
        self.stopped = True
