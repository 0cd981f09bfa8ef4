#!/usr/bin/env bash
# Back up TicketDesk's databases, file store and (development) Temporal state.
#   scripts/backup.sh [DEST]     DEST defaults to backups/ticketdesk-<UTC time>
# Reads the same TICKETDESK_* variables as the services (export them, or
# `set -a; . deploy/ticketdesk.env; set +a` first). Details: deploy/backup.py.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${1:-backups/ticketdesk-$(date -u +%Y%m%dT%H%M%SZ)}"
case "$dest" in /*) ;; *) dest="$PWD/$dest" ;; esac

python="${TICKETDESK_PYTHON:-}"
if [[ -z "$python" ]]; then
  if [[ -x "$root/.venv/bin/python" ]]; then python="$root/.venv/bin/python"; else python=python3; fi
fi

# Relative paths in the configuration (the default data dir `var`) are the repository's.
cd "$root"
umask 077
exec "$python" "$root/deploy/backup.py" backup "$dest"
