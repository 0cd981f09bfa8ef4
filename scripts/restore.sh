#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into the configured databases and file store.
#   scripts/restore.sh SRC [--yes]
# Stop TicketDesk's services and worker first. Checksums are verified before anything
# changes; PostgreSQL databases are replaced (pg_restore --clean), SQLite files overwritten.
set -euo pipefail

if [[ $# -lt 1 || "$1" == -h || "$1" == --help ]]; then
  echo "usage: $0 SRC [--yes]" >&2
  exit 2
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$1"
case "$src" in /*) ;; *) src="$PWD/$src" ;; esac

python="${TICKETDESK_PYTHON:-}"
if [[ -z "$python" ]]; then
  if [[ -x "$root/.venv/bin/python" ]]; then python="$root/.venv/bin/python"; else python=python3; fi
fi

cd "$root"
umask 077
"$python" "$root/deploy/backup.py" verify "$src"
if [[ "${2:-}" != "--yes" ]]; then
  read -r -p "Replace the current TicketDesk data with this backup? Type 'yes': " answer
  [[ "$answer" == "yes" ]] || { echo "cancelled" >&2; exit 1; }
fi
exec "$python" "$root/deploy/backup.py" restore "$src"
