"""The layers of docs/ARCHITECTURE.md hold: import-linter's contracts (pyproject.toml) are
kept, and they do catch a break; modules stay small; nothing points outside the
repository."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).parent / "lint-imports"
PACKAGES = ("ui", "services", "workflows", "texts", "cli")
# "No module over ~350 lines" (issue #14); generated code and migrations are not ours to split.
MAX_LINES = 360


def lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--no-cache"], cwd=root, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{root}:{root / 'proto'}"})


def test_the_import_contracts_are_kept():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_page_reaching_into_a_service_breaks_a_contract(tmp_path):
    """The contracts are not vacuous: the same tree with one forbidden import fails."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package,
                        ignore=shutil.ignore_patterns("__pycache__", "locale"))
    shutil.copytree(ROOT / "proto", tmp_path / "proto",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "ui" / "clients" / "shortcut.py").write_text(
        "from services.tickets import store  # noqa: F401\n")
    result = lint(tmp_path)
    assert result.returncode != 0
    assert "ui.clients.shortcut -> services.tickets.store" in result.stdout


def test_modules_stay_small():
    large = []
    for package in ("ui", "services", "workflows", "texts"):
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            lines = len(path.read_text().splitlines())
            if lines > MAX_LINES:
                large.append(f"{path.relative_to(ROOT)}: {lines}")
    assert large == []


def test_no_file_points_outside_the_repository():
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    # Spelled apart, or this file would find itself.
    outside = ("../" + "shared", "shared" + "/seed", "/" + "work/")
    found = []
    for name in tracked:
        path = ROOT / name
        if path.suffix in (".png", ".json") or not path.is_file():
            continue
        text = path.read_text(errors="ignore")
        found += [f"{name}: {needle}" for needle in outside if needle in text]
    assert found == []
