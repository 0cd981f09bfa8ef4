#!/bin/bash
# Runs once, when the PostgreSQL volume is first initialized (docker-entrypoint-initdb.d).
# One role for TicketDesk's three databases, one for Temporal's two; passwords come from
# deploy/.env through compose.yaml. Changing them later: ALTER ROLE ... PASSWORD.
set -euo pipefail
: "${TICKETDESK_DB_PASSWORD:?set TICKETDESK_DB_PASSWORD in deploy/.env}"
: "${TEMPORAL_DB_PASSWORD:?set TEMPORAL_DB_PASSWORD in deploy/.env}"

psql --no-psqlrc -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  --set app_password="$TICKETDESK_DB_PASSWORD" \
  --set temporal_password="$TEMPORAL_DB_PASSWORD" <<'SQL'
CREATE ROLE ticketdesk LOGIN PASSWORD :'app_password';
CREATE ROLE temporal LOGIN PASSWORD :'temporal_password';

CREATE DATABASE auth OWNER ticketdesk;
CREATE DATABASE tickets OWNER ticketdesk;
CREATE DATABASE files OWNER ticketdesk;
CREATE DATABASE temporal OWNER temporal;
CREATE DATABASE temporal_visibility OWNER temporal;

-- Each role reaches only its own databases.
REVOKE ALL ON DATABASE auth, tickets, files, temporal, temporal_visibility FROM PUBLIC;
SQL
echo "created databases auth, tickets, files (role ticketdesk), temporal, temporal_visibility (role temporal)"
