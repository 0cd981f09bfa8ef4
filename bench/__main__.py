"""`python -m bench [--quick] [--only NAME ...]`: every scenario (or those named), results
in bench/results/."""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import comments, create, files, machine, report, reports, scale, transition, webui
from bench import stack as whole_stack
from bench.env import log_to, postgres_unavailable, running_stack
from bench.sizes import FULL, QUICK, Sizes

RESULTS = Path(__file__).parent / "results"
# What --only selects: each back end's scenarios (1-4, 6, 7 on SQLite; 3 and 6 on
# PostgreSQL), the web UI (5), the whole stack (8), the reports page (9).
PARTS = ("sqlite", "postgres", "web", "stack", "reports")


async def backend_scenarios(backend: str, sizes: Sizes, scratch: Path) -> list[dict]:
    """Everything measured on one back end: the Temporal scenarios on SQLite only."""
    rows: list[dict] = []
    async with running_stack(scratch / backend, backend) as stack:
        orgs = [await stack.new_organization() for _ in range(sizes.organizations)]
        print(f"{backend}: stack and {len(orgs)} organizations ready")
        if backend == "sqlite":
            rows += await create.run(stack, orgs, sizes.creates, sizes.single_creates)
            print(f"  create: {rows[-1]['system']['throughput']:.1f}/s")
            rows += await transition.run(stack, orgs[1], sizes.transitions)
            print(f"  transition: {rows[-1]['system']['median_ms']:.1f} ms")
            rows += await comments.run(stack, orgs[1], sizes.comments)
            print(f"  comments: {rows[-1]['system']['median_ms']:.1f} ms")
            for mib in sizes.file_mib:
                rows += await files.run(stack, orgs[2], mib, sizes.file_rounds, scratch)
            print("  files done")
        rows += await scale.run(stack, orgs, backend, sizes)
    return rows


async def failed_as_row(scenario: str, measured) -> list[dict]:
    """The rows of a scenario of its own processes; if it fails, one row that says why (its
    goal not met), and the other scenarios' results are still written."""
    try:
        return await measured
    except Exception as error:  # noqa: BLE001 (any failure is the row's verdict)
        print(f"  {scenario} failed: {error}", flush=True)
        return [{"scenario": scenario, "case": "the scenario ran", "summary": f"failed: {error}",
                 "goal": "runs to the end", "met": False}]


async def main(sizes: Sizes, out: Path, with_web: bool, parts=PARTS) -> dict:
    started, clock = datetime.now(UTC), time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    log_to(out / "services-log.tmp")
    rows, skipped = [], [f"{part} (not in --only)" for part in PARTS if part not in parts]
    with tempfile.TemporaryDirectory(prefix="ticketdesk-bench-") as scratch:
        if "sqlite" in parts:
            rows += await backend_scenarios("sqlite", sizes, Path(scratch))
            print(f"[{time.monotonic() - clock:.0f} s] SQLite done")
        if "postgres" in parts:
            if reason := await postgres_unavailable():
                skipped.append(f"PostgreSQL ({reason})")
            else:
                rows += await backend_scenarios("postgres", sizes, Path(scratch))
                print(f"[{time.monotonic() - clock:.0f} s] PostgreSQL done")
        for part, scenario, what, measured in (
                ("web", "5 Web UI", "the web UI", webui.run),
                ("reports", reports.SCENARIO, "the reports page", reports.run)):
            if part not in parts:
                continue
            if not with_web:
                skipped.append(f"{what} (--no-web)")
            elif not webui.CHROMIUM.exists():
                skipped.append(f"{what} ({webui.CHROMIUM} is missing)")
            else:
                rows += await failed_as_row(scenario, measured(sizes, Path(scratch) / part))
                print(f"[{time.monotonic() - clock:.0f} s] {what} done")
        if "stack" in parts:
            if reason := whole_stack.unavailable():
                skipped.append(f"the whole stack ({reason})")
            else:
                rows += await failed_as_row("8 Stack",
                                            whole_stack.run(sizes, Path(scratch) / "stack"))
                print(f"[{time.monotonic() - clock:.0f} s] whole stack under load done")
    results = {"started": started.isoformat(timespec="seconds"), "mode": sizes.name,
               "seconds": time.monotonic() - clock, "machine": machine.describe(),
               "sizes": sizes.__dict__, "rows": rows, "skipped": skipped}
    paths = report.write(results, out)
    print(report.markdown(results))
    print("written:", *paths)
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (under 2 minutes)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write results")
    parser.add_argument("--no-web", action="store_true",
                        help="skip the scenarios in a browser (web UI, reports)")
    parser.add_argument("--only", nargs="+", choices=PARTS, default=PARTS, metavar="NAME",
                        help=f"run only these parts: {', '.join(PARTS)}")
    arguments = parser.parse_args()
    asyncio.run(main(QUICK if arguments.quick else FULL, arguments.out, not arguments.no_web,
                     tuple(arguments.only)))
