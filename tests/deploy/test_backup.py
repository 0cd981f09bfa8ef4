"""scripts/backup.sh and scripts/restore.sh: back up, wipe, restore, compare.

SQLite (the default) and PostgreSQL (pg_dump / pg_restore), each with the services' real
migrations, a file store with content and, for SQLite, the Temporal dev server's file.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import make_url, pool, text
from sqlalchemy.ext.asyncio import create_async_engine

from services.auth.server import MIGRATIONS as AUTH_MIGRATIONS
from services.common.server.database import create_engine, migrate
from services.files.server import MIGRATIONS_DIR as FILES_MIGRATIONS
from services.tickets.server import MIGRATIONS as TICKETS_MIGRATIONS
from tests.support import postgres

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = {"auth": AUTH_MIGRATIONS, "tickets": TICKETS_MIGRATIONS, "files": FILES_MIGRATIONS}
PROBE_ROWS = [(1, "Заявка № 1: «кавычки», emoji 🛠️"), (2, "second\nline"), (3, "x" * 5000)]
STORE_FILES = {
    "ab/cd/abcd0123456789": os.urandom(300_000),
    "ef/01/ef01fedcba9876": "Отчёт.csv\n1;2;3\n".encode(),
}


def environment(data_dir: Path, urls: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TICKETDESK_")}
    env["TICKETDESK_DATA_DIR"] = str(data_dir)
    env["TICKETDESK_PYTHON"] = sys.executable
    for name, url in (urls or {}).items():
        env[f"TICKETDESK_{name.upper()}_DATABASE_URL"] = url
    return env


def run_script(name: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([str(ROOT / "scripts" / name), *args], env=env, capture_output=True,
                          text=True, timeout=300, cwd=ROOT)


async def migrate_all(urls: dict[str, str]) -> None:
    for name, url in urls.items():
        engine = create_engine(url)
        try:
            await migrate(engine, MIGRATIONS[name])
        finally:
            await engine.dispose()


def make_file_store(store: Path) -> None:
    for key, content in STORE_FILES.items():
        (store / key).parent.mkdir(parents=True, exist_ok=True)
        (store / key).write_bytes(content)
    (store / "tmp").mkdir(parents=True)
    (store / "tmp" / "upload-in-progress").write_bytes(b"partial")


def file_tree(store: Path) -> dict[str, bytes]:
    return {p.relative_to(store).as_posix(): p.read_bytes() for p in store.rglob("*") if p.is_file()}


def check_manifest(backup: Path, kinds: list[tuple[str, str]]) -> None:
    manifest = json.loads((backup / "manifest.json").read_text())
    assert [(item["name"], item["kind"]) for item in manifest["items"]] == kinds
    for item in manifest["items"]:
        assert len(item["sha256"]) == 64 and item["bytes"] == (backup / item["file"]).stat().st_size
    assert "password" not in json.dumps(manifest).lower()


# ------------------------------------------------------------------------------ SQLite


def sqlite_dump(path: Path) -> str:
    """Every table's schema and rows. A contentless FTS5 table cannot be read row by row
    (iterdump fails on it), so its schema is taken and its content compared through the
    shadow tables FTS5 keeps it in, which are ordinary tables."""
    connection = sqlite3.connect(path)
    try:
        tables = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name").fetchall()
        lines = []
        for name, sql in tables:
            lines.append(sql)
            if sql.startswith("CREATE TABLE"):
                lines += map(repr, connection.execute(f'SELECT * FROM "{name}" ORDER BY 1'))
        return "\n".join(lines)
    finally:
        connection.close()


async def test_sqlite_round_trip(tmp_path):
    data = tmp_path / "var"
    urls = {name: f"sqlite+aiosqlite:///{data / (name + '.db')}" for name in MIGRATIONS}
    await migrate_all(urls)
    # A writer that stays open: its committed rows are still in the WAL when the backup runs.
    writer = sqlite3.connect(data / "tickets.db")
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("CREATE TABLE probe (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
    writer.executemany("INSERT INTO probe VALUES (?, ?)", PROBE_ROWS)
    writer.commit()
    assert (data / "tickets.db-wal").stat().st_size > 0
    temporal = sqlite3.connect(data / "temporal.db")
    temporal.execute("CREATE TABLE executions (id TEXT)")
    temporal.execute("INSERT INTO executions VALUES ('ticket-1')")
    temporal.commit()
    temporal.close()
    make_file_store(data / "files")

    databases = ["auth.db", "tickets.db", "files.db", "temporal.db"]
    before = {name: sqlite_dump(data / name) for name in databases}
    assert "Заявка № 1" in before["tickets.db"]
    env = environment(data)
    backup = tmp_path / "backups" / "one"
    result = run_script("backup.sh", str(backup), env=env)
    writer.close()
    assert result.returncode == 0, result.stderr
    check_manifest(backup, [("auth", "sqlite"), ("tickets", "sqlite"), ("files", "sqlite"),
                            ("file-store", "file-store"), ("temporal", "temporal-sqlite")])
    assert backup.stat().st_mode & 0o777 == 0o700

    # A second backup into the same folder is refused.
    again = run_script("backup.sh", str(backup), env=env)
    assert again.returncode == 1 and "not empty" in again.stderr

    shutil.rmtree(data)
    restored = run_script("restore.sh", str(backup), "--yes", env=env)
    assert restored.returncode == 0, restored.stderr
    assert {name: sqlite_dump(data / name) for name in databases} == before
    assert file_tree(data / "files") == STORE_FILES  # tmp/ (unfinished uploads) left out


async def test_restore_refuses_a_damaged_backup(tmp_path):
    data = tmp_path / "var"
    await migrate_all({name: f"sqlite+aiosqlite:///{data / (name + '.db')}" for name in MIGRATIONS})
    make_file_store(data / "files")
    env = environment(data)
    backup = tmp_path / "backup"
    assert run_script("backup.sh", str(backup), env=env).returncode == 0
    before = sqlite_dump(data / "auth.db")
    with (backup / "files.tar.gz").open("r+b") as handle:
        handle.seek(100)
        handle.write(b"\x00garbage\x00")
    result = run_script("restore.sh", str(backup), "--yes", env=env)
    assert result.returncode == 1
    assert "checksum of" in result.stderr and "files.tar.gz" in result.stderr
    assert sqlite_dump(data / "auth.db") == before
    # Without --yes and without a terminal answer, nothing is restored.
    unanswered = subprocess.run([str(ROOT / "scripts" / "restore.sh"), str(backup)], env=env,
                                input="", capture_output=True, text=True, timeout=60)
    assert unanswered.returncode != 0


def test_libpq_url_keeps_the_password_off_the_command_line():
    sys.path.insert(0, str(ROOT / "deploy"))
    try:
        import backup
    finally:
        sys.path.remove(str(ROOT / "deploy"))
    target = backup.database_target(
        "auth", "postgresql+asyncpg://td:p%40ss%2Fw@db.internal:5433/auth?ssl=require")
    assert target.kind == "postgresql"
    assert target.location == "postgresql://td@db.internal:5433/auth?sslmode=require"
    assert target.password == "p@ss/w"
    sqlite_target = backup.database_target("tickets", "sqlite+aiosqlite:///var/tickets.db")
    assert (sqlite_target.kind, sqlite_target.location) == ("sqlite", "var/tickets.db")


# -------------------------------------------------------------------------- PostgreSQL


def pg_tools_or_skip() -> None:
    missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    if missing:
        reason = f"{', '.join(missing)} not installed (PostgreSQL client)"
        if postgres.required():
            pytest.fail(f"TICKETDESK_REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(reason)


async def pg_snapshot(url: str) -> dict:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            tables = (await connection.execute(text(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' ORDER BY table_name"))).scalars().all()
            version = (await connection.execute(
                text("SELECT version_num FROM alembic_version"))).scalars().all()
            probe = []
            if "probe" in tables:
                probe = [tuple(row) for row in (await connection.execute(
                    text("SELECT id, body FROM probe ORDER BY id"))).all()]
    finally:
        await engine.dispose()
    return {"tables": tables, "version": version, "probe": probe}


async def recreate_empty(url: str) -> None:
    await postgres.drop_database(url)
    name = make_url(url).database
    engine = create_async_engine(postgres.admin_url(), isolation_level="AUTOCOMMIT",
                                 poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()


async def test_postgres_round_trip(tmp_path):
    pg_tools_or_skip()
    urls = {}
    try:
        for name in MIGRATIONS:
            urls[name] = await postgres.fresh_database_or_skip(f"td_backup_{name}")
        await migrate_all(urls)
        engine = create_async_engine(urls["tickets"], poolclass=pool.NullPool)
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE probe (id integer PRIMARY KEY, body text)"))
            for row_id, body in PROBE_ROWS:
                await connection.execute(text("INSERT INTO probe VALUES (:i, :b)"),
                                         {"i": row_id, "b": body})
        await engine.dispose()
        before = {name: await pg_snapshot(url) for name, url in urls.items()}
        assert before["tickets"]["probe"] == PROBE_ROWS
        assert all(snapshot["version"] for snapshot in before.values())

        data = tmp_path / "var"
        make_file_store(data / "files")
        env = environment(data, urls)
        backup = tmp_path / "backup"
        result = run_script("backup.sh", str(backup), env=env)
        assert result.returncode == 0, result.stderr
        check_manifest(backup, [("auth", "postgresql"), ("tickets", "postgresql"),
                                ("files", "postgresql"), ("file-store", "file-store")])
        assert {p.name for p in backup.iterdir()} == {
            "auth.pgdump", "tickets.pgdump", "files.pgdump", "files.tar.gz", "manifest.json"}

        for url in urls.values():  # wipe: empty databases of the same names
            await recreate_empty(url)
        shutil.rmtree(data)
        assert (await pg_snapshot_or_empty(urls["tickets"]))["tables"] == []

        restored = run_script("restore.sh", str(backup), "--yes", env=env)
        assert restored.returncode == 0, restored.stderr
        assert {name: await pg_snapshot(url) for name, url in urls.items()} == before
        assert file_tree(data / "files") == STORE_FILES

        # Restoring over live data replaces it (pg_restore --clean).
        engine = create_async_engine(urls["tickets"], poolclass=pool.NullPool)
        async with engine.begin() as connection:
            await connection.execute(text("DELETE FROM probe WHERE id = 1"))
        await engine.dispose()
        again = run_script("restore.sh", str(backup), "--yes", env=env)
        assert again.returncode == 0, again.stderr
        assert (await pg_snapshot(urls["tickets"]))["probe"] == PROBE_ROWS

        # A backup of PostgreSQL cannot be restored into a SQLite configuration.
        mismatch = run_script("restore.sh", str(backup), "--yes", env=environment(data))
        assert mismatch.returncode == 1 and "the backup holds postgresql" in mismatch.stderr
    finally:
        for url in urls.values():
            await postgres.drop_database(url)


async def pg_snapshot_or_empty(url: str) -> dict:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            tables = (await connection.execute(text(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public'"))).scalars().all()
    finally:
        await engine.dispose()
    return {"tables": tables}
