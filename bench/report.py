"""Results as JSON and as a Markdown table."""

from __future__ import annotations

import json
from pathlib import Path

HEADER = ("| scenario | case | backend | median ms | p95 ms | p99 ms | throughput "
          "| baseline median / p95 / p99 ms, throughput | ratio median / p99 / throughput "
          "| goal | met |\n|---|---|---|---:|---:|---:|---:|---|---|---|---|")


def write(results: dict, directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    as_json, as_markdown = directory / "latest.json", directory / "latest.md"
    as_json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    as_markdown.write_text(markdown(results))
    return as_json, as_markdown


def markdown(results: dict) -> str:
    machine = results["machine"]
    packages = ", ".join(f"{k} {v}" for k, v in machine["packages"].items())
    lines = [f"Run {results['started']} ({results['mode']}, {results['seconds']:.0f} s) on "
             f"{machine['cores']} cores, {machine['memory_gib']} GiB, {machine['cpu']}; "
             f"Python {machine['python']}; PostgreSQL {machine['postgresql']}; {packages}.",
             "", HEADER]
    lines += [_line(row) for row in results["rows"]]
    lines += ["", "Goals of the second wave (met when every row of theirs is met):", "",
              *(f"- {goal}: {verdict}" for goal, verdict in goals(results["rows"]))]
    if results.get("skipped"):
        lines += ["", *(f"- not measured: {what}" for what in results["skipped"])]
    return "\n".join(lines) + "\n"


def _line(row: dict) -> str:
    met = {True: "yes", False: "**no**", None: ""}[row.get("met")]
    start = f"| {row['scenario']} | {row['case']} | {row.get('backend', '')} |"
    if "system" not in row:
        return f"{start} {row['summary']} | | | | | | {row['goal']} | {met} |"
    s, b, r = row["system"], row["baseline"], row["ratio"]
    return (f"{start} {s['median_ms']:.1f} | {s['p95_ms']:.1f} | {s['p99_ms']:.1f} | "
            f"{s['throughput']:.1f} {row['unit']} | {b['median_ms']:.1f} / {b['p95_ms']:.1f} / "
            f"{b['p99_ms']:.1f}, {b['throughput']:.1f} ({row['baseline_is']}) | "
            f"{r['median_ms']:.2f} / {r['p99_ms']:.2f} / {r['throughput']:.2f} | "
            f"{row['goal']} | {met} |")


# Issue goals and the scenarios whose rows decide them.
GOALS = (
    ("1 create: one caller <= 1.3x, 16 callers >= 0.8x raw", ("1 Create",)),
    ("2 transition: median <= 2x a raw update", ("2 Transition",)),
    ("3 comments: median <= 1.5x a raw signal + INSERT", ("7 Comments",)),
    ("4 lists at the largest size: p99 <= 30 ms, growth <= log", ("3 List", "6 Scale")),
    ("5 files: upload and download >= 0.5x a disk copy", ("4 Files",)),
    ("6 web UI: list and card p95 <= 1 s and <= 1.3x login", ("5 Web UI",)),
    ("7 the whole stack under load: every call answered", ("8 Stack",)),
    ("8 reports page at 1M tickets: service and time tabs p95 <= 1 s", ("9 Reports",)),
)


def goals(rows: list[dict]) -> list[tuple[str, str]]:
    """Each goal: yes, no (with how many of its rows missed) or not measured."""
    verdicts = []
    for goal, scenarios in GOALS:
        judged = [row["met"] for row in rows
                  if row["scenario"] in scenarios and row.get("met") is not None]
        missed = judged.count(False)
        verdict = ("not measured" if not judged else "yes" if not missed
                   else f"**no** ({missed} of {len(judged)} rows missed)")
        verdicts.append((goal, verdict))
    return verdicts
