"""Back up and restore TicketDesk's data: `python deploy/backup.py backup DEST | restore SRC`.

What a backup holds (one folder, `manifest.json` lists every file with its SHA-256):

- the databases of auth, tickets and files, wherever `TICKETDESK_<SERVICE>_DATABASE_URL`
  points: SQLite through SQLite's online backup API (a consistent copy while the
  services run), PostgreSQL through `pg_dump --format=custom`;
- the file store (`TICKETDESK_FILES_DIR`, default `<data dir>/files`) as `files.tar.gz`,
  taken after the databases, so every file a database row names is in it (files newer
  than the dump are harmless orphans; `tmp/`, unfinished uploads, is left out);
- in development, the Temporal dev server's SQLite file (`<data dir>/temporal.db`).
  A Temporal cluster or Temporal Cloud is backed up by its own means: the SQL
  databases are the record of truth, and on start-up the tickets service starts the
  workflow of any open ticket that has none.

`restore` checks every checksum first, then writes each item back where the *current*
configuration points (stop the services first): SQLite via the backup API into the
database file, PostgreSQL via `pg_restore --clean --if-exists --no-owner`, the file
store by extracting over the folder (files not in the backup stay, unreferenced).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

SERVICES = ("auth", "tickets", "files")
MANIFEST = "manifest.json"
FORMAT = 1


class BackupError(Exception):
    """One line for the operator."""


@dataclass
class Target:
    """Where one database lives, as the configuration says."""

    name: str
    kind: str  # "sqlite" or "postgresql"
    location: str  # a file path (sqlite) or a libpq URL without password (postgresql)
    password: str | None = None

    @property
    def display(self) -> str:
        return self.location


def database_target(name: str, url: str) -> Target:
    from sqlalchemy import make_url

    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise BackupError(f"{name}: an in-memory SQLite database cannot be backed up")
        return Target(name, "sqlite", parsed.database)
    if backend == "postgresql":
        return Target(name, "postgresql", *libpq_url(parsed))
    raise BackupError(f"{name}: unsupported database {backend!r}")


def libpq_url(parsed) -> tuple[str, str | None]:
    """`postgresql+asyncpg://u:p@h/db?ssl=require` -> (`postgresql://u@h/db?sslmode=require`, p).

    The password travels in PGPASSWORD, never on a command line (`ps` shows those).
    """
    query = dict(parsed.query)
    if "ssl" in query:  # asyncpg's name for libpq's sslmode
        query["sslmode"] = query.pop("ssl")
    from sqlalchemy import URL

    plain = URL.create("postgresql", username=parsed.username, host=parsed.host,
                       port=parsed.port, database=parsed.database, query=query)
    return plain.render_as_string(hide_password=False), parsed.password


def configured_targets():
    from services.common.platform.config import load_settings

    settings = load_settings()
    databases = [database_target(name, settings.database_url(name)) for name in SERVICES]
    return settings, databases


# ----------------------------------------------------------------------------- helpers


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def sqlite_copy(source: Path, destination: Path) -> None:
    """A consistent copy of a live database (WAL included) with the online backup API."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(destination, timeout=30)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def pg_tool(tool: str) -> str:
    found = shutil.which(tool)
    if not found:
        raise BackupError(f"`{tool}` was not found: install the PostgreSQL client "
                          f"(same major version as the server or newer)")
    return found


def run_pg(argv: list[str], target: Target) -> None:
    env = dict(os.environ)
    if target.password is not None:
        env["PGPASSWORD"] = target.password
    result = subprocess.run(argv, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{target.name}: {Path(argv[0]).name} failed: "
                          f"{detail[-1] if detail else 'exit ' + str(result.returncode)}")


def _without_tmp(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
    parts = Path(info.name).parts
    return None if len(parts) > 1 and parts[1] == "tmp" else info


def say(message: str) -> None:
    print(message, flush=True)


# ------------------------------------------------------------------------------ backup


def backup(destination: Path, include_temporal: bool = True) -> dict:
    settings, databases = configured_targets()
    if destination.exists() and any(destination.iterdir()):
        raise BackupError(f"{destination} exists and is not empty")
    destination.mkdir(mode=0o700, parents=True, exist_ok=True)
    items = []

    for target in databases:
        if target.kind == "sqlite":
            source = Path(target.location)
            if not source.exists():
                raise BackupError(f"{target.name}: database file {source} does not exist")
            name = f"{target.name}.db"
            sqlite_copy(source, destination / name)
        else:
            name = f"{target.name}.pgdump"
            run_pg([pg_tool("pg_dump"), "--format=custom", "--no-password",
                    "--file", str(destination / name), "--dbname", target.location], target)
        items.append({"name": target.name, "kind": target.kind, "file": name,
                      "source": target.display})
        say(f"✓ {target.name:10} {target.kind:10} {target.display}")

    store = settings.file_store_dir
    with tarfile.open(destination / "files.tar.gz", "w:gz") as archive:
        if store.is_dir():
            archive.add(store, arcname="files", filter=_without_tmp)
    items.append({"name": "file-store", "kind": "file-store", "file": "files.tar.gz",
                  "source": str(store)})
    say(f"✓ {'file store':10} {'tar':10} {store}")

    temporal_db = settings.data_dir / "temporal.db"
    if include_temporal and temporal_db.exists():
        sqlite_copy(temporal_db, destination / "temporal.db")
        items.append({"name": "temporal", "kind": "temporal-sqlite", "file": "temporal.db",
                      "source": str(temporal_db)})
        say(f"✓ {'temporal':10} {'sqlite':10} {temporal_db} (development server)")

    for item in items:
        path = destination / item["file"]
        item["bytes"] = path.stat().st_size
        item["sha256"] = sha256(path)
    manifest = {"format": FORMAT, "created_at": datetime.now(timezone.utc).isoformat(),
                "ticketdesk_version": _version(), "items": items}
    (destination / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    say(f"backup written to {destination}")
    return manifest


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("ticketdesk")
    except Exception:  # noqa: BLE001 - informational only
        return "unknown"


# ----------------------------------------------------------------------------- restore


def verify(source: Path) -> dict:
    """The manifest, after checking that every listed file is intact."""
    path = source / MANIFEST
    if not path.exists():
        raise BackupError(f"{source} has no {MANIFEST}: not a TicketDesk backup")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    for item in manifest["items"]:
        file = source / item["file"]
        if not file.exists():
            raise BackupError(f"{item['name']}: {file} is missing")
        if sha256(file) != item["sha256"]:
            raise BackupError(f"{item['name']}: checksum of {file} does not match the manifest")
    return manifest


def restore(source: Path) -> None:
    manifest = verify(source)
    settings, databases = configured_targets()
    by_name = {item["name"]: item for item in manifest["items"]}
    if "file-store" not in by_name:
        raise BackupError("the file store is not in this backup")
    for target in databases:  # check every item before changing anything
        item = by_name.get(target.name)
        if item is None:
            raise BackupError(f"{target.name}: not in this backup")
        if item["kind"] != target.kind:
            raise BackupError(f"{target.name}: the backup holds {item['kind']}, the "
                              f"configuration points to {target.kind} ({target.display})")

    for target in databases:
        file = source / by_name[target.name]["file"]
        if target.kind == "sqlite":
            destination = Path(target.location)
            sqlite_copy(file, destination)
        else:
            run_pg([pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
                    "--no-privileges", "--single-transaction", "--exit-on-error",
                    "--no-password", "--dbname", target.location, str(file)], target)
        say(f"✓ {target.name:10} restored into {target.display}")

    store = settings.file_store_dir
    store.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=store.parent) as scratch:
        with tarfile.open(source / by_name["file-store"]["file"], "r:gz") as archive:
            archive.extractall(scratch, filter="data")
        unpacked = Path(scratch) / "files"
        if unpacked.is_dir():
            for path in sorted(unpacked.rglob("*")):
                target_path = store / path.relative_to(unpacked)
                if path.is_dir():
                    target_path.mkdir(parents=True, exist_ok=True)
                else:
                    target_path.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(path, target_path)
    say(f"✓ {'file store':10} restored into {store}")

    if "temporal" in by_name:
        temporal_db = settings.data_dir / "temporal.db"
        sqlite_copy(source / by_name["temporal"]["file"], temporal_db)
        say(f"✓ {'temporal':10} restored into {temporal_db} (development server)")
    say(f"restore from {source} complete")


# --------------------------------------------------------------------------------- cli


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="backup.py", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("backup", help="write a backup into DEST (a new folder)")
    make.add_argument("dest", type=Path)
    make.add_argument("--no-temporal", action="store_true",
                      help="leave out the Temporal dev server's SQLite file")
    back = commands.add_parser("restore", help="restore from SRC (stop the services first)")
    back.add_argument("src", type=Path)
    check = commands.add_parser("verify", help="check the checksums of a backup")
    check.add_argument("src", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "backup":
            backup(args.dest, include_temporal=not args.no_temporal)
        elif args.command == "restore":
            restore(args.src)
        else:
            manifest = verify(args.src)
            say(f"{args.src}: {len(manifest['items'])} items intact "
                f"(made {manifest['created_at']})")
    except BackupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
