#!/usr/bin/env bash
# bench/coaching.sh — the coaching route at a million cases (docs/insight.md,
# "Coaching"): a fresh SQLite database with COACH_CASES (1,000,000) resolved
# cases over the last year in 20 stores by 400 associates, one in seven an
# override, and their day and month rows as migrations 0020 and 0024 fill
# them; then GET /api/v1/insight/coaching ten times each for one store and
# for every store, over 90 days and over a year, timed server-side from the
# server's log (µs). By hand; `make bench` row (s) (BENCH_ONLY=coaching)
# measures the same route on the demo topped up to a million cases.
#
# Usage: bench/coaching.sh build/trustdesk
set -euo pipefail
BIN=$(realpath "${1:?usage: bench/coaching.sh path/to/trustdesk}")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${COACH_CASES:-1000000}
OUT=$(mktemp -d)
SPID=
trap '[[ -n "$SPID" ]] && kill "$SPID" 2>/dev/null; rm -rf "$OUT"' EXIT
DB="sqlite:$OUT/c.db"
"$BIN" migrate --db "$DB" >/dev/null
echo bench-password-1 | "$BIN" user add --db "$DB" --login admin --name Admin --role admin --password-stdin >/dev/null
NOW=$(date +%s)
FILL=$(sed -n '/^INSERT INTO coaching_days/,/;$/p' "$ROOT/src/db/migrations/0020_coaching.sql")
FILL_MONTHS=$(sed -n '/^INSERT INTO coaching_months/,/;$/p' "$ROOT/src/db/migrations/0024_coaching_months.sql")
echo "coaching bench: $N cases (not timed)"
sqlite3 "$OUT/c.db" <<SQL
BEGIN;
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 20)
INSERT INTO stores (code, name, city, created_at) SELECT printf('S%02d', i), printf('Winkel %d', i), 'X', 0 FROM s;
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 400)
INSERT INTO staff (login, name, role, store_id, password_hash, created_at, updated_at)
  SELECT printf('a%03d', i), printf('Medewerker %d', i), 'associate',
         (SELECT id FROM stores WHERE code = printf('S%02d', (i % 20) + 1)), 'x', 0, 0 FROM s;
CREATE TEMP TABLE who AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id, store_id FROM staff WHERE role = 'associate';
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $N)
INSERT INTO cases (store_id, associate_id, kind, receipt, customer_words, status, created_at, updated_at,
                   rec_resolution, resolution, amount_cents, override_reason, resolved_at, resolved_by)
  SELECT w.store_id, w.id, CASE i % 3 WHEN 0 THEN 'return' WHEN 1 THEN 'complaint' ELSE 'exchange' END, 1, 'x',
         'resolved', ${NOW}000000 - (i % 365) * 86400000000 - 3600000000, ${NOW}000000, 'refund',
         CASE WHEN i % 7 = 0 THEN 'decline' ELSE 'refund' END, 0, CASE WHEN i % 7 = 0 THEN 'reden' END,
         ${NOW}000000 - (i % 365) * 86400000000 - 3540000000, w.id
  FROM s JOIN who w ON w.n = i % 400;
$FILL
$FILL_MONTHS
COMMIT;
ANALYZE;
SQL
echo "coaching bench: $(sqlite3 "$OUT/c.db" 'SELECT COUNT(*) FROM coaching_days') day rows, $(sqlite3 "$OUT/c.db" 'SELECT COUNT(*) FROM coaching_months') month rows"
TOKEN=$("$BIN" token add --db "$DB" --login admin 2>/dev/null)
"$BIN" serve --db "$DB" --listen 127.0.0.1:0 >"$OUT/serve.out" 2>"$OUT/serve.log" &
SPID=$!
for _ in $(seq 100); do grep -q 'listening on' "$OUT/serve.out" && break; sleep 0.1; done
BASE=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$OUT/serve.out" | head -1)
YEAR=$(date -u -d '-364 days' +%F)
printf '%-32s %s\n' "view" "server-side ms, sorted (10 requests)"
for q in "store=S01" "store=S01&from=$YEAR" "" "from=$YEAR"; do
  off=$(wc -l <"$OUT/serve.log")
  for _ in $(seq 10); do curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/insight/coaching?$q"; done
  sleep 1.2                     # the server writes its access lines gathered, within a second
  times=$(tail -n +"$((off + 1))" "$OUT/serve.log" | grep -F '"route":"/api/v1/insight/coaching"' |
          sed -n 's/.*"us":\([0-9]*\).*/\1/p' | sort -n | awk '{printf "%.0f ", $1 / 1000}')
  printf '%-32s %s\n' "${q:-every store, 90 days}" "$times"
done
