#!/usr/bin/env bash
# bench_import.sh — times `trustdesk import` on generated files in a fresh
# SQLite database: 100,000 customers, then LINES purchase lines (default
# 1,000,000), then the same purchases again (all skipped).
#
#   tests/data/bench_import.sh [TRUSTDESK_BIN] [LINES]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../../build/trustdesk}
lines=${2:-1000000}
dir=$(mktemp -d /tmp/trustdesk-bench-XXXXXX)
trap 'rm -rf "$dir"' EXIT
db="sqlite:$dir/bench.db"
python3 "$here/gen_import.py" customers 100000 "$dir/customers.csv"
python3 "$here/gen_import.py" purchases "$lines" "$dir/purchases.csv" 100000
"$bin" migrate --db "$db" >/dev/null
# Stores are set up by an admin through the API; a benchmark may write them directly.
python3 - "$dir/bench.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executemany("INSERT INTO stores (code, name, city, created_at) VALUES (?, ?, ?, 0)",
              [("UTR01", "Utrecht Centrum", "Utrecht"), ("AMS01", "Amsterdam Kalverstraat", "Amsterdam"),
               ("RTM01", "Rotterdam Lijnbaan", "Rotterdam")])
c.commit()
PY
ls -l "$dir"/*.csv | awk '{print $5, $9}'
"$bin" import customers --db "$db" "$dir/customers.csv"
"$bin" import purchases --db "$db" "$dir/purchases.csv"
"$bin" import purchases --db "$db" "$dir/purchases.csv"
