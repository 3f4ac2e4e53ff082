#!/usr/bin/env bash
# web.sh — builds the web app into web/dist (make web; make run and make test
# call it). Installs its npm packages with `npm ci` only when web/node_modules
# is missing or web/package-lock.json changed since the last install. The
# build regenerates the API types from docs/openapi.yaml, checks the Dutch and
# English strings, that no screen names an API path (web/src/api/ alone does),
# the screen registry (route guard, menus, the modules' routes), type-checks
# (a drift between spec and screens fails here), bundles with Vite and writes
# .br/.gz twins of every asset.
set -euo pipefail
cd "$(dirname "$0")/../web"

for cmd in node npm; do
  command -v "$cmd" >/dev/null || { echo "web.sh: $cmd is not installed (scripts/deps.sh installs it)" >&2; exit 2; }
done
want=$(sha256sum package-lock.json | cut -d' ' -f1)
have=$(cat node_modules/.trustdesk-lock.sha256 2>/dev/null || true)
if [[ ! -d node_modules || "$want" != "$have" ]]; then
  echo "web.sh: npm ci (web/)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >node_modules/.trustdesk-lock.sha256
fi
npm run --silent build
