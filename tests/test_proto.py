"""The committed generated code matches the .proto files, and buf lint passes."""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROTO = ROOT / "proto"
BIN = Path(sys.executable).parent


def generated(directory: Path) -> list[Path]:
    """The generated sources (not the bytecode Python caches beside them)."""
    return sorted(p.relative_to(directory) for p in directory.rglob("*_pb2*")
                  if p.suffix in (".py", ".pyi"))


def test_generated_code_is_fresh(tmp_path):
    shutil.copytree(PROTO, tmp_path / "proto", ignore=shutil.ignore_patterns("*_pb2*"))
    out = tmp_path / "proto"
    protos = [str(p.relative_to(out)) for p in out.rglob("*.proto")]
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run([sys.executable, "-m", "grpc_tools.protoc", "-I.", "--python_out=.",
                    "--grpc_python_out=.", "--mypy_out=.", "--mypy_grpc_out=.", *protos],
                   cwd=out, env=env, check=True, capture_output=True)
    assert generated(out) == generated(PROTO)
    stale = [str(p) for p in generated(PROTO) if not filecmp.cmp(out / p, PROTO / p, shallow=False)]
    assert stale == [], f"run `make proto`: stale generated files {stale}"


def test_buf_lint_passes():
    buf = BIN / "buf"
    result = subprocess.run([str(buf if buf.exists() else "buf"), "lint"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
