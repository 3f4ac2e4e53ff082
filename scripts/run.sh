#!/usr/bin/env bash
# run.sh — `make run`: serve trustdesk on a demo database.
#
# Usage: scripts/run.sh BIN DBURL LISTEN
#   BIN     the trustdesk binary (build/trustdesk)
#   DBURL   sqlite:PATH (default of make run: sqlite:data/trustdesk.db)
#   LISTEN  HOST:PORT (default of make run: 127.0.0.1:8080)
#
# On the first start the SQLite file does not exist: it is filled with the
# demo chain (DEMO_CUSTOMERS customers, default 20000; DEMO_SEED, default 1).
# The demo is built under a temporary name and moved into place only when it
# is complete, so an interrupted first start never leaves a half-filled
# database that later starts would reuse. Later starts reuse the file.
set -euo pipefail

if [[ $# -ne 3 ]]; then
  echo "usage: scripts/run.sh BIN DBURL LISTEN" >&2
  exit 2
fi
bin=$1 url=$2 listen=$3
customers=${DEMO_CUSTOMERS:-20000}
seed=${DEMO_SEED:-1}

if [[ ! -x "$bin" ]]; then
  echo "run.sh: $bin is not built; run 'make build' first" >&2
  exit 1
fi

case "$url" in
  sqlite:*) path=${url#sqlite:} ;;
  *://*)    path= ;;
  *)        path=$url ;;
esac

if [[ -n "$path" && ! -e "$path" ]]; then
  mkdir -p "$(dirname "$path")"
  tmp="$path.demo-tmp"
  rm -f "$tmp" "$tmp-wal" "$tmp-shm" "$tmp-journal"
  trap 'rm -f "$tmp" "$tmp-wal" "$tmp-shm" "$tmp-journal"' EXIT
  echo "run.sh: $path does not exist: creating the demo chain ($customers customers, seed $seed)"
  "$bin" demo --db "sqlite:$tmp" --customers "$customers" --seed "$seed"
  for suffix in -wal -shm; do          # none after a clean close; moved along if present
    if [[ -e "$tmp$suffix" ]]; then mv -f "$tmp$suffix" "$path$suffix"; fi
  done
  mv -f "$tmp" "$path"
  trap - EXIT
elif [[ -n "$path" ]]; then
  echo "run.sh: using the existing database $path (delete it to get a fresh demo chain)"
else
  echo "run.sh: $url is not a SQLite file; no demo data is created (fill it with: $bin demo --db URL)"
fi

# The demo password as the binary knows it (one source of truth: demo.h).
password=$("$bin" demo --help | sed -n "s/.*share the password '\([^']*\)'.*/\1/p")
host=${listen%:*} port=${listen##*:}
if [[ -z "$host" || "$host" == "0.0.0.0" || "$host" == "localhost" ]]; then host=127.0.0.1; fi
cat <<EOF

  trustdesk: http://$host:$port

  demo logins (password for all demo staff: ${password:-see 'trustdesk demo --help'}; demo data only)
    admin               admin
    manager.utrecht     store manager, Utrecht (UTR01)
    associate.utrecht   sales associate, Utrecht (UTR01)

  Stop with Ctrl-C. The server logs one JSON line per request below.

EOF
exec "$bin" serve --db "$url" --listen "$listen"
