#!/usr/bin/env bash
# lint-openapi.sh [SPEC] — lints docs/openapi.yaml (or SPEC) with Redocly
# CLI (pinned in tools/openapi/package-lock.json, rules in
# tools/openapi/redocly.yaml).
# Installs the tool with `npm ci` only when tools/openapi/node_modules is
# missing or the lock file changed since the last install. Exits non-zero
# when the spec has errors (or the tool cannot be installed).
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS=tools/openapi
LOCK="$TOOLS/package-lock.json"
STAMP="$TOOLS/node_modules/.trustdesk-lock.sha256"

for cmd in node npm npx; do
  command -v "$cmd" >/dev/null || { echo "lint-openapi: $cmd is not installed (Debian: nodejs, npm)" >&2; exit 2; }
done

want=$(sha256sum "$LOCK" | cut -d' ' -f1)
have=$(cat "$STAMP" 2>/dev/null || true)
if [[ ! -d "$TOOLS/node_modules" || "$want" != "$have" ]]; then
  echo "lint-openapi: npm ci --prefix $TOOLS"
  npm ci --prefix "$TOOLS" --no-audit --no-fund --loglevel=error
  echo "$want" >"$STAMP"
fi

# No telemetry, no update check: lint runs offline once installed.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1
npx --no --prefix "$TOOLS" redocly lint --config "$TOOLS/redocly.yaml" --format=stylish "${1:-docs/openapi.yaml}"
