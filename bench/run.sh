#!/usr/bin/env bash
# bench/run.sh — `make bench`: trustdesk's figures beside baselines measured
# in the same run on the same machine, as ratios. Never part of `make test`.
#
# Usage: bench/run.sh BIN            (make bench passes build/trustdesk)
# Environment:
#   BENCH_CUSTOMERS  demo size (default 1000000; e.g. 20000 for a quick run)
#   BENCH_SECONDS    length of each throughput run (default 15)
#   BENCH_REGEN=1    build the demo database again even if bench/out has it
#
#   (a) demo generation      trustdesk demo           vs sqlite3 copying the same rows (every
#                                                        table: purchases, aggregates, cases,
#                                                        ledger) into a fresh schema
#   (b) CSV purchase import  trustdesk import         vs sqlite3 .import of the same file
#   (c) customer search      server-side p50/p99      vs customer_search() in-process (tdbench)
#   (d) GET customer         server-side p99          vs token check + customer_get() in-process
#                            throughput (wrk)         vs nginx returning a body of the same size
#   (e) server memory        VmRSS after start        vs nginx (master + workers)
#   (f) PostgreSQL reads     demo copied with `trustdesk copy` into a throwaway cluster
#                            (scripts/pg-cluster.sh in bench/out/pg); search p50/p99 as (c)
#                            vs customer_search() on PG in-process; GET throughput as (d)
#                            vs trustdesk on SQLite in this run
#   (g) ledger on SQLite     redemptions/s through the API at 1 and 64 connections (wrk,
#                            Idempotency-Key per request) on a fresh bench/out/ledger.db
#                                                      vs raw durable 1-row SQLite txns/s
#                                                        (bench/sqlite_tps.c, same disk)
#   (h) ledger on PostgreSQL redemptions/s at 64 connections vs pgbench TPC-B (-s 10 -c 16 -j 2)
#                            on the same cluster; `trustdesk ledger verify` after (g) and (h)
#   (i) desk decisions       POST /cases/{id}/decision p50/p99 server-side over BENCH_DESK_CASES
#                            (3000) varied open cases on a copy of the demo (bench/out/desk.db)
#                                                      vs desk_decide() in-process (tdbench desk)
#   (j) cases per second     open a case + resolve it with store credit (a credit note), both
#                            durable, at 64 connections; `trustdesk ledger verify` after
#                                                      vs raw durable 1-row SQLite txns/s
#   (k) clienteling match    a 2,000-sku collection matched in every store (all the demo's
#                            customers) and the ranked tasks written, committed (tdbench match:
#                            the arrival in all stores at once; a diagnostic row: store by store)
#                                                      vs the same match as one INSERT...SELECT
#                                                        in sqlite3 (bench/match.sql), same data
#   (l) today's outreach     GET /api/v1/outreach/today p50/p99 server-side (associate.utrecht,
#                            after (k))          vs staff_token_check + cl_tasks_each() in-process
#   (m) holds                POST /api/v1/holds p50/p99 server-side, a random sku of the collection
#                            for a random Utrecht customer, Idempotency-Key per request
#                                                      vs staff_token_check + cl_hold_create() in
#                                                        its own durable transaction, in-process
#   (n) survey answers       POST /api/v1/surveys/{token} (the public page's form), each a
#                            first answer stored durably with its NPS counts (and a
#                            follow-up for 0-6), wrk 2 threads 64 connections
#                                                      vs raw durable 1-row SQLite txns/s
#   (o) NPS dashboard        GET /api/v1/nps p50/p99 server-side, every dimension, 90 and
#                            182 days, the chain and one store, after topping the answers
#                            up to BENCH_NPS_ANSWERS (1,000,000; in bulk, not timed)
#                                                      vs nps_each() in-process (npsbench figures)
#   (p) what-if simulator    `trustdesk simulate` (the CLI, wall time, --json) of a draft policy
#                            over every decision the demo stored (bench/out/sim-draft.json: the
#                            default with gold's goodwill limit at EUR 500), the whole answer and
#                            with --no-modelled (without the goodwill economics it reads), after
#                            `trustdesk migrate` (a demo kept from before migration 0023 gets its
#                            compact rows there)
#                                                      vs guard_score + policy_decide on the same
#                                                        inputs already in memory (tdbench simulate)
#                            diagnostics: the CLI's CPU time (user + system) against the pure loop's
#   (q) daily dashboard      GET /api/v1/insight/daily p50/p99 server-side (head office: 30, 90 and
#                            365 days, the chain and one store in turn) on a copy of the demo,
#                            after dropping its rollup and timing the migration's backfill
#                            (checked equal to the rollup the demo's events made)
#                                                      vs insight_daily_each() in-process (tdbench daily:
#                                                        the one read of the period's rows)
#   (r) goodwill economics   GET /api/v1/insight/goodwill (and /referrals, the referral outcomes: the
#                            same table, case_outcomes) p50/p99 server-side on the demo, the
#                            chain and one store alternately (BENCH_GOODWILL_N requests, 20);
#                            no baseline: a target only; a diagnostic: the server's CPU time per
#                            goodwill request (the same requests again, /proc)
#   (s) coaching             GET /api/v1/insight/coaching p50/p99 server-side, one store and every
#                            store (head office), 90 days and a year in turn (BENCH_COACH_N
#                            requests each, 20), on a copy of the demo topped up to
#                            BENCH_COACH_CASES resolved cases (1,000,000; synthetic, over the
#                            last year, in bulk, not timed); on SQLite and, copied with
#                            `trustdesk copy`, on PostgreSQL (BENCH_COACH_PG=0: SQLite only);
#                            two requests per view first, not counted (connections warming up)
#                                                      vs coaching_read + each person's overrides
#                                                        in-process (tdbench coaching)
#   (t) slowloris            1,000 sockets sending headers a byte at a time (bench/slowloris.c) while
#                            real clients GET customers: their p99 (client-side)
#                                                      vs the same clients without the attack
#   (u) soak                 BENCH_SOAK_SECONDS (600) of reads and durable redemptions: the server's
#                            anonymous memory must stay flat; `ledger verify` after (bench/attack.sh)
#   (v) two servers          two `trustdesk serve` on one PostgreSQL behind nginx (docs/operations.md):
#                            GET customer and redemptions, wrk -t2 -c64; `ledger verify` after
#                                                      vs one server behind the same nginx (bench/pair.sh)
#   BENCH_ONLY=import        runs (a) and (b) only
#   BENCH_ONLY=desk          runs (a), (i) and (j) only
#   BENCH_ONLY=clienteling   runs (a), (k), (l) and (m) only
#   BENCH_ONLY=nps           runs (a), (n) and (o) only
#   BENCH_ONLY=simulate      runs (a) and (p) only
#   BENCH_ONLY=daily         runs (a) and (q) only
#   BENCH_ONLY=goodwill      runs (a) and (r) only
#   BENCH_ONLY=coaching      runs (a) and (s) only
#   BENCH_ONLY=attack        runs (a), (t) and (u) only (BENCH_SOAK_SECONDS, default 600)
#   BENCH_ONLY=pair          runs (a) and (v) only
#   BENCH_ONLY=get           runs (a), (c), (d) and (e) only
#   BENCH_ONLY=redeem        runs (a), (g) and (h) only (with (f)'s copy of the demo to PostgreSQL)
#
# Server-side latencies come from the server's JSON log ("us" per request),
# which goes to bench/out/server.log. The demo database (and its timing) is
# kept in bench/out and reused; everything started here is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $# -ne 1 ]]; then echo "usage: bench/run.sh BIN" >&2; exit 2; fi
BIN=$(realpath "$1")
BUILD=$(dirname "$BIN")
N=${BENCH_CUSTOMERS:-1000000}
DUR=${BENCH_SECONDS:-15}
LAT_DUR=10
mkdir -p bench/out
OUT=$(realpath bench/out)
NPROC=$(nproc 2>/dev/null || echo 2)
RESULTS=$OUT/results.tsv
: >"$RESULTS"

bash scripts/deps.sh --bench
for tool in wrk nginx sqlite3 curl python3 cc psql; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (scripts/deps.sh --bench)" >&2; exit 1; }
done

say() { echo "bench: $*" >&2; }
# Share of the last minute in which some task waited for a CPU (Linux PSI):
# other work on the machine shows here and makes every figure noisier.
cpu_pressure() { awk '/^some/ {sub("avg60=", "", $3); print $3 "%"}' /proc/pressure/cpu 2>/dev/null || echo n/a; }
PRESSURE_START=$(cpu_pressure)
now() { date +%s.%N; }
calc() { python3 -c "print($1)"; }
# Percentile p (integer percent) of the numbers on stdin, nearest rank.
pct() { sort -n | awk -v p="$1" '{a[NR] = $1} END { if (NR == 0) { print "NA"; exit } i = int((NR * p + 99) / 100); if (i < 1) i = 1; print a[i] }'; }
# One table row: metric, value, unit, baseline, baseline-what, ratio, target, verdict.
# Fields are separated by '|' (a tab would not do: read collapses empty fields).
row() { local IFS='|'; echo "${*//|//}" >>"$RESULTS"; }
verdict() { if python3 -c "import sys; sys.exit(0 if ($1) else 1)"; then echo PASS; else echo MISS; fi; }

STARTED=()
PG_UP=0
cleanup() {
  local p
  for p in "${STARTED[@]:-}"; do
    [[ -n "$p" ]] && kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
  done
  if [[ "$PG_UP" == 1 ]]; then bash scripts/pg-cluster.sh stop "$OUT/pg" || true; fi
  if [[ "${PP_UP:-0}" == 1 ]]; then bash scripts/pg-cluster.sh stop "$OUT/pg-pair" || true; fi
  rm -f "$OUT/import.db" "$OUT"/import.db-* "$OUT/import-base.db" "$OUT/copy.db" "$OUT"/copy.db-* || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- in-process baseline tool ------------------------------------------------
say "building bench/out/tdbench against $BUILD/libtdcore.a"
# shellcheck disable=SC2046
cc -O2 -std=gnu17 -Isrc bench/tdbench.c "$BUILD/libtdcore.a" \
   $(pkg-config --cflags --libs libmicrohttpd jansson sqlite3 libsodium libcurl libpq libqrencode xlsxwriter) -lpthread -lm -o "$OUT/tdbench"

# ---- helpers for (f)-(j) --------------------------------------------------------------
# Starts `trustdesk serve --db $2 [more options]` on a free loopback port, stdout in $OUT/$1.out
# and its JSON log in $OUT/$1.log; sets SRV_PID and SRV_BASE. Stopped by cleanup on exit.
serve_up() {
  local name=$1 url=$2 port=''
  shift 2
  : >"$OUT/$name.log"
  "$BIN" serve --db "$url" --listen 127.0.0.1:0 "$@" >"$OUT/$name.out" 2>"$OUT/$name.log" &
  SRV_PID=$!
  STARTED+=("$SRV_PID")
  for _ in $(seq 600); do
    grep -q listening "$OUT/$name.out" 2>/dev/null && break
    kill -0 "$SRV_PID" 2>/dev/null || break
    sleep 0.1
  done
  port=$(sed -n 's/.*listening on http:\/\/[^:]*:\([0-9]*\).*/\1/p' "$OUT/$name.out")
  [[ -n "$port" ]] || { echo "bench: the server ($name) did not start; see $OUT/$name.log" >&2; exit 1; }
  SRV_BASE=http://127.0.0.1:$port
  sleep 0.5
}
serve_down() { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
# Sets raw_tps, raw durable 1-row SQLite transactions per second on this disk (bench/sqlite_tps.c),
# once per run: the baseline of (g), (j) and (n).
raw_tps_once() {
  [[ -n "${raw_tps:-}" ]] && return 0
  # shellcheck disable=SC2046
  cc -O2 -std=gnu17 bench/sqlite_tps.c $(pkg-config --cflags --libs sqlite3) -o "$OUT/sqlite_tps"
  raw_tps=$("$OUT/sqlite_tps" "$OUT/raw-tps.db" "$DUR" | sed -n 's/.*tps=\([0-9.]*\).*/\1/p')
  rm -f "$OUT/raw-tps.db" "$OUT"/raw-tps.db-*
  need "raw SQLite tps" "${raw_tps%.*}"
}
# Issues $3 credit notes of 900000000 cents on server $1 with token $2; prints their codes.
issue_notes() {
  local i
  for i in $(seq "$3"); do
    curl -s -X POST -H "Authorization: Bearer $2" -H 'Content-Type: application/json' \
      -H "Idempotency-Key: bench-issue-$(date +%s%N)-$i" \
      -d '{"amount_cents":900000000,"reason":"bench: till float","funding":"goodwill"}' "$1/api/v1/credit-notes" |
      python3 -c 'import sys, json; print(json.load(sys.stdin)["code"])' || true
  done
}
# Writes a wrk script to $1 that redeems 1 cent per request round-robin over the notes
# in $4 (one code a line) at store $3 with token $2, each request with its own
# Idempotency-Key ($5-<thread>-<counter>), as tills would send them.
redeem_lua() {
  {
    printf 'local token = "%s"\nlocal body = %s\nlocal tag = "%s"\nlocal codes = {\n' "$2" \
      "'{\"amount_cents\":1,\"store_code\":\"$3\"}'" "$5"
    sed 's/.*/  "&",/' "$4"
    cat <<'LUA'
}
local nthreads = 0
setup = function(thread)
  nthreads = nthreads + 1
  thread:set("tid", nthreads)
end
local counter = 0
request = function()
  counter = counter + 1
  local code = codes[(counter % #codes) + 1]
  return wrk.format("POST", "/api/v1/credit-notes/" .. code .. "/redemptions", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = tag .. "-" .. tostring(tid) .. "-" .. counter,
  }, body)
end
LUA
  } >"$1"
}
# Counts in log $1 after line $2 the answers of the redemption route: "TOTAL BAD GONE",
# BAD = neither 201 nor 499, GONE = 499 (wrk closed the connection when its time was up:
# the server finished the request, possibly committed it, and had no one to answer).
redeem_answers() {
  tail -n +"$(( $2 + 1 ))" "$1" | grep -F '"route":"/api/v1/credit-notes/{code}/redemptions"' |
    awk '{n++; if ($0 ~ /"status":499/) gone++; else if ($0 !~ /"status":201/) bad++} END {print n + 0, bad + 0, gone + 0}'
}
# Answers with status $2 to redemptions in log $1.
redeem_status() { grep -F '"route":"/api/v1/credit-notes/{code}/redemptions"' "$1" | grep -c "\"status\":$2" || true; }
wrk_rps() { awk '/^Requests\/sec/ {print $2}' "$1"; }
wrk_non2xx() { awk '/Non-2xx/ {print $NF}' "$1" | grep . || echo 0; }
wrk_errs() { sed -n 's/.*Socket errors: *//p' "$1"; }
# Server-side durations (us) of route $1 logged after line $2 of server.log.
# SLOG: the log of the server being measured (server.log for SQLite, server-pg.log for PG).
SLOG=$OUT/server.log
# The server writes its access lines within a second, gathered (docs/operations.md):
# wait that long after a load before reading them.
log_settle() { sleep 1.2; }
server_us() { tail -n +"$(( $2 + 1 ))" "$SLOG" | grep -F "\"route\":\"$1\"" | sed -n 's/.*"us":\([0-9]*\).*/\1/p'; }
not_ok() { tail -n +"$(( $2 + 1 ))" "$SLOG" | grep -F "\"route\":\"$1\"" | grep -vc '"status":200' || true; }
ms() { if [[ "$1" =~ ^[0-9]+$ ]]; then python3 -c "print('%.2f' % ($1 / 1000.0))"; else echo NA; fi; }
# Runs wrk (1 thread, 2 connections, LAT_DUR seconds) with Lua script $2 against the server at $3
# (pid $4, its log in $SLOG; wrk's own output to $5), stops that server, and sets L_P50 and L_P99
# (server-side us), L_N (requests) and L_BAD (answers not 200) of route $1 from the log.
latency_run() {
  local route=$1 lua=$2 base=$3 pid=$4 wout=$5 off
  off=$(wc -l <"$SLOG")
  wrk -t1 -c2 -d"${LAT_DUR}s" -s "$lua" "$base" >"$wout"
  log_settle
  serve_down "$pid"
  L_P50=$(server_us "$route" "$off" | pct 50)
  L_P99=$(server_us "$route" "$off" | pct 99)
  L_N=$(server_us "$route" "$off" | wc -l)
  L_BAD=$(not_ok "$route" "$off")
  need "$route (server log)" "$L_P99"
}
# Fails the run when a measurement came back empty.
need() { [[ "$2" =~ ^[0-9]+$ ]] || { echo "bench: no measurement for $1 (see $OUT)" >&2; exit 1; }; }

# ---- (a) demo generation -----------------------------------------------------
DB=$OUT/demo-$N.db
META=$OUT/demo-$N.meta
demo_s='' copy_s='' when=''
if [[ ! -s "$DB" || ! -s "$META" || "${BENCH_REGEN:-0}" == 1 ]]; then
  rm -f "$DB" "$DB"-* "$META" "$OUT/purchases-$N.csv"
  say "(a) generating the demo chain with $N customers"
  t0=$(now)
  "$BIN" demo --db "sqlite:$DB.tmp" --customers "$N" --seed 1 >"$OUT/demo.log"
  t1=$(now)
  mv "$DB.tmp" "$DB"
  demo_s=$(calc "$t1 - $t0")
  say "(a) baseline: sqlite3 copies the same rows into a freshly migrated database"
  rm -f "$OUT/copy.db" "$OUT"/copy.db-*
  "$BIN" migrate --db "sqlite:$OUT/copy.db" >/dev/null
  t0=$(now)
  sqlite3 "$OUT/copy.db" <<SQL >/dev/null
PRAGMA foreign_keys=OFF; PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;
ATTACH '$DB' AS src;
BEGIN;
INSERT INTO main.stores SELECT * FROM src.stores;
INSERT INTO main.staff SELECT * FROM src.staff;
INSERT INTO main.products SELECT * FROM src.products;
INSERT INTO main.customers SELECT * FROM src.customers;
INSERT INTO main.consent_events SELECT * FROM src.consent_events;
INSERT INTO main.customer_search SELECT * FROM src.customer_search;
INSERT INTO main.receipts SELECT * FROM src.receipts;
INSERT INTO main.purchase_lines SELECT * FROM src.purchase_lines;
INSERT INTO main.audit_log SELECT * FROM src.audit_log;
INSERT INTO main.customer_facts SELECT * FROM src.customer_facts;
INSERT INTO main.customer_days SELECT * FROM src.customer_days;
INSERT INTO main.product_price_days SELECT * FROM src.product_price_days;
INSERT INTO main.category_days SELECT * FROM src.category_days;
INSERT INTO main.customer_case_stores SELECT * FROM src.customer_case_stores;
INSERT INTO main.customer_item_stores SELECT * FROM src.customer_item_stores;
INSERT INTO main.cases SELECT * FROM src.cases;
INSERT INTO main.case_items SELECT * FROM src.case_items;
INSERT INTO main.case_events SELECT * FROM src.case_events;
INSERT INTO main.line_returns SELECT * FROM src.line_returns;
INSERT INTO main.line_return_claims SELECT * FROM src.line_return_claims;
INSERT INTO main.repairs SELECT * FROM src.repairs;
INSERT INTO main.referrals SELECT * FROM src.referrals;
INSERT INTO main.credit_notes SELECT * FROM src.credit_notes;
INSERT INTO main.ledger_transactions SELECT * FROM src.ledger_transactions;
INSERT INTO main.ledger_texts SELECT * FROM src.ledger_texts;
INSERT INTO main.ledger_entries SELECT * FROM src.ledger_entries;
INSERT INTO main.demo_labels SELECT * FROM src.demo_labels;
INSERT INTO main.demo_walk_ins SELECT * FROM src.demo_walk_ins;
INSERT INTO main.identity_secret SELECT * FROM src.identity_secret;
INSERT INTO main.customer_keys SELECT * FROM src.customer_keys;
INSERT INTO main.identity_key_counts SELECT * FROM src.identity_key_counts;
INSERT INTO main.customer_quick_returns SELECT * FROM src.customer_quick_returns;
INSERT INTO main.case_walk_ins SELECT * FROM src.case_walk_ins;
INSERT INTO main.walk_in_days SELECT * FROM src.walk_in_days;
INSERT INTO main.walk_in_case_stores SELECT * FROM src.walk_in_case_stores;
INSERT INTO main.walk_in_item_stores SELECT * FROM src.walk_in_item_stores;
COMMIT;
SQL
  t1=$(now)
  copy_s=$(calc "$t1 - $t0")
  rm -f "$OUT/copy.db" "$OUT"/copy.db-*
  printf 'demo_s=%s\ncopy_s=%s\nwhen=%s\n' "$demo_s" "$copy_s" "$(date -u +%Y-%m-%dT%H:%MZ)" >"$META"
  demo_note=""
else
  # shellcheck disable=SC1090
  . "$META"
  demo_note=" [cached $when]"
  say "(a) reusing $DB (generated $when; BENCH_REGEN=1 to measure again)"
fi
LINES=$(sqlite3 "$DB" "SELECT COUNT(*) FROM purchase_lines")
STORE=$(sqlite3 "$DB" "SELECT code FROM stores ORDER BY id LIMIT 1")
row "(a) demo generation, $N customers, $LINES lines$demo_note" "$(printf %.1f "$demo_s")" s \
    "$(printf %.1f "$copy_s")" "sqlite3 INSERT...SELECT of the same rows" "$(printf %.2f "$(calc "$demo_s / $copy_s")")" \
    "< 60 s" "$(verdict "$demo_s < 60")"

if [[ -z "${BENCH_ONLY:-}" || "${BENCH_ONLY:-}" == import ]]; then
# ---- (b) CSV import of purchases ----------------------------------------------
M=$(( LINES < 1000000 ? LINES : 1000000 ))
CSV=$OUT/purchases-$N.csv
if [[ ! -s "$CSV" ]]; then
  say "(b) writing $M purchase lines of the demo as a till export (new receipt ids)"
  sqlite3 -csv -header "$DB" >"$CSV" <<SQL
WITH l AS (SELECT * FROM purchase_lines ORDER BY receipt_id DESC, line_no DESC LIMIT $M)
SELECT 'IMP' || printf('%010d', r.id) AS receipt_id,
       strftime('%Y-%m-%dT%H:%M:%SZ', r.purchased_at / 1000000, 'unixepoch') AS purchased_at,
       s.code AS store_code, COALESCE(c.loyalty_number, '') AS customer_ref,
       p.sku AS sku, p.name AS product_name, p.brand AS brand, p.category AS category,
       printf('%d.%02d', l.unit_price_cents / 100, l.unit_price_cents % 100) AS unit_price, l.quantity AS quantity
FROM l JOIN receipts r ON r.id = l.receipt_id JOIN stores s ON s.id = r.store_id
JOIN products p ON p.id = l.product_id LEFT JOIN customers c ON c.id = r.customer_id
ORDER BY l.receipt_id, l.line_no;
SQL
fi
say "(b) baseline: sqlite3 .import of the same file into a plain table"
rm -f "$OUT/import-base.db"
t0=$(now)
sqlite3 "$OUT/import-base.db" \
  "CREATE TABLE p (receipt_id TEXT, purchased_at TEXT, store_code TEXT, customer_ref TEXT, sku TEXT,
                   product_name TEXT, brand TEXT, category TEXT, unit_price TEXT, quantity TEXT)" \
  ".import --csv --skip 1 '$CSV' p"
t1=$(now)
base_rate=$(calc "round($M / ($t1 - $t0))")
rm -f "$OUT/import-base.db"
say "(b) trustdesk import purchases into a copy of the demo database"
cp "$DB" "$OUT/import.db"
t0=$(now)
if "$BIN" import purchases --db "sqlite:$OUT/import.db" "$CSV" >"$OUT/import.log" 2>&1; then
  t1=$(now)
  rate=$(calc "round($M / ($t1 - $t0))")
  row "(b) CSV import, $M purchase lines" "$rate" "lines/s" "$base_rate" "sqlite3 .import, plain table" \
      "$(printf %.2f "$(calc "$rate / $base_rate")")" ">= 200000/s" "$(verdict "$rate >= 200000")"
else
  why=$(grep -v '^{' "$OUT/import.log" | head -n 1 | cut -c1-70)
  row "(b) CSV import, $M purchase lines" "n/a" "" "$base_rate" "sqlite3 .import (lines/s)" "" ">= 200000/s" \
      "not available: ${why:-import failed}"
fi
rm -f "$OUT/import.db" "$OUT"/import.db-*
fi

# part [NAME...]: the whole bench runs, or BENCH_ONLY names one of NAME (get, redeem: parts of the block below).
part() { [[ -z "${BENCH_ONLY:-}" || " $* " == *" ${BENCH_ONLY} "* ]]; }
if part get redeem; then   # BENCH_ONLY=desk runs (a), (i), (j); =clienteling (a), (k)-(m)
TOKEN=$("$BIN" token add --login admin --db "sqlite:$DB")
if part get; then
# ---- start the server ------------------------------------------------------------
: >"$OUT/server.log"
"$BIN" serve --db "sqlite:$DB" --listen 127.0.0.1:0 >"$OUT/serve.out" 2>"$OUT/server.log" &
SPID=$!
STARTED+=("$SPID")
for _ in $(seq 100); do grep -q listening "$OUT/serve.out" 2>/dev/null && break; sleep 0.1; done
PORT=$(sed -n 's/.*listening on http:\/\/[^:]*:\([0-9]*\).*/\1/p' "$OUT/serve.out")
[[ -n "$PORT" ]] || { echo "bench: the server did not start; see $OUT/server.log" >&2; exit 1; }
BASE=http://127.0.0.1:$PORT
sleep 0.5
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
RSS_START=$(rss_kb "$SPID")
say "server pid $SPID on port $PORT, VmRSS $RSS_START kB after start"
code=$(curl -s -o "$OUT/customer1.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/customers/1")
[[ "$code" == 200 ]] || { echo "bench: GET /api/v1/customers/1 answered $code" >&2; exit 1; }

# Keep-alive: two requests on one connection, and no "Connection: close".
curl -sv -o /dev/null -o /dev/null -H "Authorization: Bearer $TOKEN" \
  "$BASE/api/v1/customers/1" "$BASE/api/v1/customers/2" 2>"$OUT/keepalive.txt" || true
if grep -q "Re-using existing connection" "$OUT/keepalive.txt" && ! grep -qi "^< connection: close" "$OUT/keepalive.txt"; then
  KEEPALIVE="kept alive: curl -v re-used the connection for the 2nd GET; no 'Connection: close'"
else
  KEEPALIVE="NOT kept alive: see $OUT/keepalive.txt"
fi

# ---- (c) customer search ------------------------------------------------------------
# A mix of what associates type: surnames with particles, accent-free first
# names, first-name prefixes, phone prefixes in several notations, and exact
# loyalty numbers, e-mail addresses, phone numbers and full names of demo
# customers (sampled evenly over the ids).
step=$(( N / 12 > 0 ? N / 12 : 1 ))
{
  printf '%s\n' "de vries" "van den berg" "jansen" "bakker" "van 't hek" "muller" "yilmaz" "celik" \
    "jose" "zoe" "sanne" "jan" "emm" "pet" "de j" "0612" "06-2" "+31 6 3" "0031 6 4" "sanne de vries" \
    "jose van den berg"
  sqlite3 "$DB" "SELECT loyalty_number FROM customers WHERE id % $step = 7 AND loyalty_number IS NOT NULL;
                 SELECT email FROM customers WHERE id % $step = 11 AND email IS NOT NULL;
                 SELECT phone FROM customers WHERE id % $step = 13 AND phone IS NOT NULL;
                 SELECT name FROM customers WHERE id % $step = 17;"
} >"$OUT/queries.txt"
NQ=$(wc -l <"$OUT/queries.txt")
python3 - "$OUT/queries.txt" "$OUT/search.lua" "$TOKEN" <<'PY'
import sys, urllib.parse
qs = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
with open(sys.argv[2], "w") as f:
    f.write('wrk.headers["Authorization"] = "Bearer %s"\n' % sys.argv[3])
    f.write("local paths = {\n")
    for q in qs:
        f.write('  "/api/v1/customers?q=%s",\n' % urllib.parse.quote(q, safe=""))
    f.write("}\nlocal i = 0\n")
    f.write("request = function()\n  i = i + 1\n  return wrk.format(\"GET\", paths[(i % #paths) + 1])\nend\n")
PY
cat >"$OUT/get.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $TOKEN"
math.randomseed(42)
request = function()
  return wrk.format("GET", "/api/v1/customers/" .. math.random(1, $N))
end
LUA


say "(c) search: $NQ queries round-robin, wrk 1 thread 2 connections ${LAT_DUR}s"
off=$(wc -l <"$OUT/server.log")
wrk -t1 -c2 -d"${LAT_DUR}s" -s "$OUT/search.lua" "$BASE" >"$OUT/wrk-search.txt"
log_settle
s_p50=$(server_us /api/v1/customers "$off" | pct 50)
s_p99=$(server_us /api/v1/customers "$off" | pct 99)
s_n=$(server_us /api/v1/customers "$off" | wc -l)
s_bad=$(not_ok /api/v1/customers "$off")
read -r b_p50 b_p99 < <("$OUT/tdbench" search "sqlite:$DB" "$OUT/queries.txt" 20 |
                        sed -n 's/.*p50_us=\([0-9]*\) p99_us=\([0-9]*\).*/\1 \2/p') || true
need "search (server log)" "$s_p99"
need "search (tdbench)" "${b_p99:-}"
row "(c) search p50, server-side ($s_n requests, $s_bad not 200)" "$(ms "$s_p50")" ms "$(ms "$b_p50")" \
    "customer_search() in-process" "$(printf %.2f "$(calc "$s_p50 / max($b_p50, 1)")")" "" ""
row "(c) search p99, server-side" "$(ms "$s_p99")" ms "$(ms "$b_p99")" "customer_search() in-process" \
    "$(printf %.2f "$(calc "$s_p99 / max($b_p99, 1)")")" "< 10 ms" "$(verdict "$s_p99 < 10000")"

# ---- (d) GET /api/v1/customers/{id} ------------------------------------------------
say "(d) GET customer latency: wrk 1 thread 2 connections ${LAT_DUR}s"
off=$(wc -l <"$OUT/server.log")
wrk -t1 -c2 -d"${LAT_DUR}s" -s "$OUT/get.lua" "$BASE" >"$OUT/wrk-get-latency.txt"
log_settle
g_p50=$(server_us "/api/v1/customers/{id}" "$off" | pct 50)
g_p99=$(server_us "/api/v1/customers/{id}" "$off" | pct 99)
g_bad=$(not_ok "/api/v1/customers/{id}" "$off")
read -r gb_p50 gb_p99 < <("$OUT/tdbench" get "sqlite:$DB" "$TOKEN" "$N" 20000 |
                          sed -n 's/.*p50_us=\([0-9]*\) p99_us=\([0-9]*\).*/\1 \2/p') || true
need "GET customer (server log)" "$g_p99"
need "GET customer (tdbench)" "${gb_p99:-}"
row "(d) GET customer p50, server-side ($g_bad not 200)" "$(ms "$g_p50")" ms "$(ms "$gb_p50")" \
    "token check + customer_get() in-process" "$(printf %.2f "$(calc "$g_p50 / max($gb_p50, 1)")")" "" ""
row "(d) GET customer p99, server-side" "$(ms "$g_p99")" ms "$(ms "$gb_p99")" \
    "token check + customer_get() in-process" "$(printf %.2f "$(calc "$g_p99 / max($gb_p99, 1)")")" "< 5 ms" \
    "$(verdict "$g_p99 < 5000")"

say "(d) GET customer throughput: wrk 2 threads 64 connections ${DUR}s against trustdesk"
off=$(wc -l <"$OUT/server.log")
wrk -t2 -c64 -d"${DUR}s" --latency -s "$OUT/get.lua" "$BASE" >"$OUT/wrk-get.txt"
log_settle
td_rps=$(awk '/^Requests\/sec/ {print $2}' "$OUT/wrk-get.txt")
need "trustdesk throughput" "${td_rps%.*}"
td_non2xx=$(awk '/Non-2xx/ {print $NF}' "$OUT/wrk-get.txt")
td_err=$(sed -n 's/.*Socket errors: *//p' "$OUT/wrk-get.txt")
l_p99=$(server_us "/api/v1/customers/{id}" "$off" | pct 99)
RSS_AFTER=$(rss_kb "$SPID")
# SQLite reads through a memory map: the mapped file pages count in VmRSS
# once touched, but they are page cache, not memory the server allocated.
ANON_AFTER=$(awk '/^RssAnon/ {print $2}' "/proc/$SPID/status")

# nginx answering from memory with a body of the same size, same worker count.
BODY_LEN=$(for i in 1 2 3 4 5 6 7 8 9 10; do
             curl -s -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/customers/$(( (i * 7919) % N + 1 ))" | wc -c
           done | awk '{s += $1} END {printf "%d", s / NR}')
BODY=$(head -c "$BODY_LEN" /dev/zero | tr '\0' x)
NPORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$OUT/nginx"
cat >"$OUT/nginx.conf" <<NGINX
# Written by bench/run.sh: the throughput baseline, a fixed body from memory.
worker_processes $NPROC;
daemon off;
pid $OUT/nginx/nginx.pid;
error_log $OUT/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path $OUT/nginx/body;
    proxy_temp_path $OUT/nginx/proxy;
    fastcgi_temp_path $OUT/nginx/fastcgi;
    uwsgi_temp_path $OUT/nginx/uwsgi;
    scgi_temp_path $OUT/nginx/scgi;
    server {
        listen 127.0.0.1:$NPORT;
        location / {
            default_type application/json;
            return 200 '$BODY';
        }
    }
}
NGINX
nginx -c "$OUT/nginx.conf" -p "$OUT/nginx" 2>"$OUT/nginx/stderr.log" &
NPID=$!
STARTED+=("$NPID")
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$NPORT/" && break; sleep 0.1; done
nginx_len=$(curl -s "http://127.0.0.1:$NPORT/api/v1/customers/1" | wc -c)
say "(d) nginx pid $NPID on port $NPORT, body $nginx_len bytes (trustdesk average $BODY_LEN)"
NGINX_RSS=$(( $(rss_kb "$NPID") + $(for c in $(pgrep -P "$NPID"); do rss_kb "$c"; done | awk '{s += $1} END {print s + 0}') ))
wrk -t2 -c64 -d"${DUR}s" --latency -s "$OUT/get.lua" "http://127.0.0.1:$NPORT" >"$OUT/wrk-nginx.txt"
ng_rps=$(awk '/^Requests\/sec/ {print $2}' "$OUT/wrk-nginx.txt")
need "nginx throughput" "${ng_rps%.*}"
kill -QUIT "$NPID" 2>/dev/null || true
wait "$NPID" 2>/dev/null || true

ratio=$(printf %.2f "$(calc "$td_rps / $ng_rps")")
row "(d) GET customer throughput, wrk -t2 -c64 (${td_non2xx:-0} non-2xx${td_err:+; socket errors: $td_err})" "$(printf %.0f "$td_rps")" "req/s" \
    "$(printf %.0f "$ng_rps")" "nginx return 200, ${BODY_LEN}-byte body" "$ratio" ">= 0.50" "$(verdict "$ratio >= 0.5")"
row "(d) GET customer p99 server-side under that load" "$(ms "$l_p99")" ms "" "" "" "" ""
row "(e) server VmRSS after start" "$(calc "round($RSS_START / 1024, 1)")" MB "$(calc "round($NGINX_RSS / 1024, 1)")" \
    "nginx master + $NPROC workers" "$(printf %.2f "$(calc "$RSS_START / $NGINX_RSS")")" "< 64 MB" \
    "$(verdict "$RSS_START < 65536")"
row "(e) server VmRSS after the runs above (incl. mmap'd database pages)" "$(calc "round($RSS_AFTER / 1024, 1)")" MB "" "" "" "" ""
row "(e) server anonymous memory (RssAnon) after the runs above" "$(calc "round($ANON_AFTER / 1024, 1)")" MB "" "" "" "< 64 MB" \
    "$(verdict "$ANON_AFTER < 65536")"

kill -TERM "$SPID" 2>/dev/null || true
wait "$SPID" 2>/dev/null || true
fi   # part get

NNOTES=8
if part redeem; then

# ---- (f) PostgreSQL: the same reads on the same demo data ---------------------------------
PGDIR=$OUT/pg
bash scripts/pg-cluster.sh stop "$PGDIR"            # a cluster left by an interrupted run
say "(f) starting a throwaway PostgreSQL cluster in $PGDIR"
PGURL=$(bash scripts/pg-cluster.sh start "$PGDIR")
PG_UP=1
psql -qAtX "${PGURL}postgres" -c "CREATE DATABASE bench" -c "CREATE DATABASE pgbench" >/dev/null
PGDB=${PGURL}bench
say "(f) trustdesk copy --from sqlite:$DB --to ${PGDB}"
t0=$(now)
if ! "$BIN" copy --from "sqlite:$DB" --to "$PGDB" >"$OUT/copy-pg.log" 2>&1; then
  echo "bench: trustdesk copy to PostgreSQL failed; see $OUT/copy-pg.log" >&2; exit 1
fi
t1=$(now)
copy_pg_s=$(calc "$t1 - $t0")
copy_verdict=$(grep -q "copied and verified" "$OUT/copy-pg.log" && echo "copied and verified" || echo "no verification line")
row "(f) trustdesk copy SQLite -> PostgreSQL (COPY, checked)" "$(printf %.1f "$copy_pg_s")" s "" "" "" "" "$copy_verdict"
psql -qAtX "$PGDB" -c "ANALYZE" >/dev/null

serve_up server-pg "$PGDB"
PG_SPID=$SRV_PID PG_BASE=$SRV_BASE
say "(f) trustdesk on PostgreSQL: pid $PG_SPID at $PG_BASE"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$PG_BASE/api/v1/customers/1")
[[ "$code" == 200 ]] || { echo "bench: GET /api/v1/customers/1 on PostgreSQL answered $code" >&2; exit 1; }
SLOG=$OUT/server-pg.log

if part; then
say "(f) PG search: $NQ queries round-robin, wrk 1 thread 2 connections ${LAT_DUR}s"
off=$(wc -l <"$SLOG")
wrk -t1 -c2 -d"${LAT_DUR}s" -s "$OUT/search.lua" "$PG_BASE" >"$OUT/wrk-pg-search.txt"
log_settle
ps_p50=$(server_us /api/v1/customers "$off" | pct 50)
ps_p99=$(server_us /api/v1/customers "$off" | pct 99)
ps_n=$(server_us /api/v1/customers "$off" | wc -l)
ps_bad=$(not_ok /api/v1/customers "$off")
read -r pb_p50 pb_p99 < <("$OUT/tdbench" search "$PGDB" "$OUT/queries.txt" 20 |
                          sed -n 's/.*p50_us=\([0-9]*\) p99_us=\([0-9]*\).*/\1 \2/p') || true
need "PG search (server log)" "$ps_p99"
need "PG search (tdbench)" "${pb_p99:-}"
row "(f) PG search p50, server-side ($ps_n requests, $ps_bad not 200)" "$(ms "$ps_p50")" ms "$(ms "$pb_p50")" \
    "customer_search() in-process on PG" "$(printf %.2f "$(calc "$ps_p50 / max($pb_p50, 1)")")" "" ""
row "(f) PG search p99, server-side (SQLite: $(ms "$s_p99") ms)" "$(ms "$ps_p99")" ms "$(ms "$pb_p99")" \
    "customer_search() in-process on PG" "$(printf %.2f "$(calc "$ps_p99 / max($pb_p99, 1)")")" "< 20 ms" \
    "$(verdict "$ps_p99 < 20000")"

say "(f) PG GET customer throughput: wrk 2 threads 64 connections ${DUR}s"
off=$(wc -l <"$SLOG")
wrk -t2 -c64 -d"${DUR}s" --latency -s "$OUT/get.lua" "$PG_BASE" >"$OUT/wrk-pg-get.txt"
log_settle
pg_rps=$(wrk_rps "$OUT/wrk-pg-get.txt")
need "PG GET throughput" "${pg_rps%.*}"
pg_non2xx=$(wrk_non2xx "$OUT/wrk-pg-get.txt")
pg_err=$(wrk_errs "$OUT/wrk-pg-get.txt")
pl_p99=$(server_us "/api/v1/customers/{id}" "$off" | pct 99)
ratio=$(printf %.2f "$(calc "$pg_rps / $td_rps")")
row "(f) PG GET customer throughput, wrk -t2 -c64 ($pg_non2xx non-2xx${pg_err:+; socket errors: $pg_err})" \
    "$(printf %.0f "$pg_rps")" "req/s" "$(printf %.0f "$td_rps")" "trustdesk on SQLite, same run (d)" "$ratio" \
    ">= 0.50" "$(verdict "$ratio >= 0.5")"
row "(f) PG GET customer p99 server-side under that load" "$(ms "$pl_p99")" ms "$(ms "$l_p99")" \
    "the same on SQLite (d)" "$(printf %.2f "$(calc "$pl_p99 / max($l_p99, 1)")")" "" ""
fi   # part (the whole bench only)

# ---- (g) ledger on SQLite: durable redemptions vs raw durable transactions ----------------
say "(g) baseline: raw durable single-row SQLite transactions (WAL, synchronous=FULL) for ${DUR}s"
# shellcheck disable=SC2046
cc -O2 -std=gnu17 bench/sqlite_tps.c $(pkg-config --cflags --libs sqlite3) -o "$OUT/sqlite_tps"
raw_tps=$("$OUT/sqlite_tps" "$OUT/raw-tps.db" "$DUR" | sed -n 's/.*tps=\([0-9.]*\).*/\1/p')
rm -f "$OUT/raw-tps.db" "$OUT"/raw-tps.db-*
need "raw SQLite tps" "${raw_tps%.*}"

LDB=$OUT/ledger.db
rm -f "$LDB" "$LDB"-*
"$BIN" migrate --db "sqlite:$LDB" >/dev/null
echo "bench-admin-password-$$-long-enough" |
  "$BIN" user add --login admin --name "Bench Admin" --role admin --password-stdin --db "sqlite:$LDB" >/dev/null
LTOKEN=$("$BIN" token add --login admin --db "sqlite:$LDB")
serve_up server-ledger "sqlite:$LDB"
L_SPID=$SRV_PID L_BASE=$SRV_BASE
code=$(curl -s -o "$OUT/store.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $LTOKEN" \
       -H 'Content-Type: application/json' -d "{\"code\":\"$STORE\",\"name\":\"Bench store\",\"city\":\"Utrecht\"}" \
       "$L_BASE/api/v1/stores")
[[ "$code" == 201 ]] || { echo "bench: POST /api/v1/stores answered $code: $(cat "$OUT/store.json")" >&2; exit 1; }
issue_notes "$L_BASE" "$LTOKEN" "$NNOTES" >"$OUT/notes-sqlite.txt"
[[ $(grep -c . "$OUT/notes-sqlite.txt") -eq $NNOTES ]] || { echo "bench: issuing credit notes on SQLite failed" >&2; exit 1; }
ledger_run() {   # NAME BASE TOKEN NOTES LOG THREADS CONNS -> sets LR_RPS LR_NON2XX LR_ERR LR_N LR_BAD
  local name=$1 lo
  redeem_lua "$OUT/$name.lua" "$3" "$STORE" "$4" "$name-$(date +%s%N)"
  lo=$(wc -l <"$5")
  wrk -t"$6" -c"$7" -d"${DUR}s" --latency -s "$OUT/$name.lua" "$2" >"$OUT/wrk-$name.txt"
  log_settle
  LR_RPS=$(wrk_rps "$OUT/wrk-$name.txt")
  need "$name throughput" "${LR_RPS%.*}"
  LR_NON2XX=$(wrk_non2xx "$OUT/wrk-$name.txt")
  LR_ERR=$(wrk_errs "$OUT/wrk-$name.txt")
  read -r LR_N LR_BAD LR_GONE < <(redeem_answers "$5" "$lo")
  LR_WHAT="$LR_NON2XX non-2xx; log: $LR_N answers, $LR_BAD neither 201 nor 499, $LR_GONE 499${LR_ERR:+; socket errors: $LR_ERR}"
}
say "(g) trustdesk redemptions on SQLite: wrk 1 thread 1 connection ${DUR}s"
ledger_run ledger-sqlite-c1 "$L_BASE" "$LTOKEN" "$OUT/notes-sqlite.txt" "$OUT/server-ledger.log" 1 1
ratio=$(printf %.2f "$(calc "$LR_RPS / $raw_tps")")
row "(g) SQLite redemptions/s, 1 connection ($LR_WHAT)" \
    "$(printf %.0f "$LR_RPS")" "req/s" "$(printf %.0f "$raw_tps")" "raw durable 1-row SQLite txns/s" "$ratio" \
    ">= 0.50" "$(verdict "$ratio >= 0.5 and $LR_NON2XX == 0 and $LR_BAD == 0")"
say "(g) trustdesk redemptions on SQLite: wrk 2 threads 64 connections ${DUR}s"
ledger_run ledger-sqlite-c64 "$L_BASE" "$LTOKEN" "$OUT/notes-sqlite.txt" "$OUT/server-ledger.log" 2 64
ratio=$(printf %.2f "$(calc "$LR_RPS / $raw_tps")")
row "(g) SQLite redemptions/s, 64 connections ($LR_WHAT)" \
    "$(printf %.0f "$LR_RPS")" "req/s" "$(printf %.0f "$raw_tps")" "raw durable 1-row SQLite txns/s" "$ratio" \
    "> 1.0" "$(verdict "$ratio > 1.0 and $LR_NON2XX == 0 and $LR_BAD == 0")"
serve_down "$L_SPID"
l_redeems=$(sqlite3 "$LDB" "SELECT COUNT(*) FROM ledger_transactions WHERE kind = 'redeem'")
l_201=$(redeem_status "$OUT/server-ledger.log" 201)
l_499=$(redeem_status "$OUT/server-ledger.log" 499)
LEDGER_SQLITE=$("$BIN" ledger verify --db "sqlite:$LDB" 2>&1 | tail -n 1) || LEDGER_SQLITE="FAILED: $LEDGER_SQLITE"
LEDGER_SQLITE="$LEDGER_SQLITE; redeem transactions in the database: $l_redeems, answers 201: $l_201 (+ $l_499 answered 499 to a closed connection)"
say "(g) $LEDGER_SQLITE"
row "(g) ledger verify, SQLite ($OUT/ledger.db)" "" "" "" "" "" "ok" "$(grep -q '^ledger verify: ok' <<<"$LEDGER_SQLITE" && (( l_201 <= l_redeems && l_redeems <= l_201 + l_499 )) && echo PASS || echo MISS)"

# ---- (h) ledger on PostgreSQL: redemptions vs pgbench TPC-B on the same cluster -----------------
PGHOST_PORT=$(cat "$PGDIR/port")
say "(h) baseline: pgbench -i -s 10, then pgbench -c 16 -j 2 -T $DUR on the bench cluster"
PGBENCH=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)/pgbench
[[ -x "$PGBENCH" ]] || PGBENCH=pgbench
"$PGBENCH" -h 127.0.0.1 -p "$PGHOST_PORT" -U postgres -i -s 10 -q pgbench >"$OUT/pgbench-init.log" 2>&1
"$PGBENCH" -h 127.0.0.1 -p "$PGHOST_PORT" -U postgres -c 16 -j 2 -T "$DUR" pgbench >"$OUT/pgbench.txt" 2>&1
pgb_tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$OUT/pgbench.txt" | tail -n 1)
need "pgbench tps" "${pgb_tps%.*}"
psql -qAtX "${PGURL}postgres" -c "DROP DATABASE pgbench" >/dev/null || true

issue_notes "$PG_BASE" "$TOKEN" "$NNOTES" >"$OUT/notes-pg.txt"
[[ $(grep -c . "$OUT/notes-pg.txt") -eq $NNOTES ]] || { echo "bench: issuing credit notes on PostgreSQL failed" >&2; exit 1; }
say "(h) trustdesk redemptions on PostgreSQL: wrk 2 threads 64 connections ${DUR}s"
ledger_run ledger-pg-c64 "$PG_BASE" "$TOKEN" "$OUT/notes-pg.txt" "$OUT/server-pg.log" 2 64
ratio=$(printf %.2f "$(calc "$LR_RPS / $pgb_tps")")
row "(h) PG redemptions/s, 64 connections ($LR_WHAT)" \
    "$(printf %.0f "$LR_RPS")" "req/s" "$(printf %.0f "$pgb_tps")" "pgbench TPC-B -s 10 -c 16 -j 2, tps" "$ratio" \
    ">= 0.50" "$(verdict "$ratio >= 0.5 and $LR_NON2XX == 0 and $LR_BAD == 0")"
serve_down "$PG_SPID"
# Diagnostic, not a target: on PostgreSQL each worker thread holds one connection and waits
# for its commit, so the thread count bounds concurrent transactions (serve's default on
# PostgreSQL is eight per core: on two cores this is the default).
say "(h) diagnostic: the same with trustdesk serve --threads 16"
serve_up server-pg-t16 "$PGDB" --threads 16
ledger_run ledger-pg-t16-c64 "$SRV_BASE" "$TOKEN" "$OUT/notes-pg.txt" "$OUT/server-pg-t16.log" 2 64
row "(h) diagnostic: PG redemptions/s, serve --threads 16, 64 conns ($LR_WHAT)" \
    "$(printf %.0f "$LR_RPS")" "req/s" "$(printf %.0f "$pgb_tps")" "pgbench TPC-B -s 10 -c 16 -j 2, tps" \
    "$(printf %.2f "$(calc "$LR_RPS / $pgb_tps")")" "" "not a target (default: 8 threads/core)"
serve_down "$SRV_PID"
p_redeems=$(psql -qAtX "$PGDB" -c "SELECT COUNT(*) FROM ledger_transactions WHERE kind = 'redeem'")
p_201=$(( $(redeem_status "$OUT/server-pg.log" 201) + $(redeem_status "$OUT/server-pg-t16.log" 201) ))
p_499=$(( $(redeem_status "$OUT/server-pg.log" 499) + $(redeem_status "$OUT/server-pg-t16.log" 499) ))
LEDGER_PG=$("$BIN" ledger verify --db "$PGDB" 2>&1 | tail -n 1) || LEDGER_PG="FAILED: $LEDGER_PG"
LEDGER_PG="$LEDGER_PG; redeem transactions in the database: $p_redeems, answers 201: $p_201 (+ $p_499 answered 499 to a closed connection)"
say "(h) $LEDGER_PG"
row "(h) ledger verify, PostgreSQL (bench database)" "" "" "" "" "" "ok" "$(grep -q '^ledger verify: ok' <<<"$LEDGER_PG" && (( p_201 <= p_redeems && p_redeems <= p_201 + p_499 )) && echo PASS || echo MISS)"
bash scripts/pg-cluster.sh stop "$PGDIR"
PG_UP=0
fi   # part redeem

fi

if [[ -z "${BENCH_ONLY:-}" || "${BENCH_ONLY:-}" == desk ]]; then
# ---- (i) desk decisions and (j) cases per second, on a copy of the demo ---------------
DESK=$OUT/desk.db
rm -f "$DESK" "$DESK"-*
sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp "$DB" "$DESK"
NCASES=${BENCH_DESK_CASES:-3000}
say "(i) baseline: tdbench opens $NCASES varied cases in-process, then times desk_decide() on each (3 rounds)"
read -r d_b50 d_b99 < <("$OUT/tdbench" desk "sqlite:$DESK" "$NCASES" "$OUT/desk-ids.txt" |
                        sed -n 's/.*p50_us=\([0-9]*\) p99_us=\([0-9]*\).*/\1 \2/p') || true
need "desk_decide (tdbench)" "${d_b99:-}"
DTOKEN=$("$BIN" token add --login associate.utrecht --db "sqlite:$DESK")
serve_up server-desk "sqlite:$DESK"
D_SPID=$SRV_PID D_BASE=$SRV_BASE
{
  printf 'wrk.headers["Authorization"] = "Bearer %s"\nlocal ids = {' "$DTOKEN"
  paste -sd, "$OUT/desk-ids.txt"
  printf '}\nlocal i = 0\nrequest = function()\n  i = i + 1\n  return wrk.format("POST", "/api/v1/cases/" .. ids[(i %% #ids) + 1] .. "/decision")\nend\n'
} >"$OUT/decision.lua"
say "(i) decisions: wrk 1 thread 2 connections ${LAT_DUR}s over the $(grep -c . "$OUT/desk-ids.txt") open cases"
SLOG=$OUT/server-desk.log
off=$(wc -l <"$SLOG")
wrk -t1 -c2 -d"${LAT_DUR}s" -s "$OUT/decision.lua" "$D_BASE" >"$OUT/wrk-decision.txt"
log_settle
d_p50=$(server_us "/api/v1/cases/{id}/decision" "$off" | pct 50)
d_p99=$(server_us "/api/v1/cases/{id}/decision" "$off" | pct 99)
d_n=$(server_us "/api/v1/cases/{id}/decision" "$off" | wc -l)
d_bad=$(not_ok "/api/v1/cases/{id}/decision" "$off")
need "decision (server log)" "$d_p99"
row "(i) decision p50, server-side ($d_n requests, $d_bad not 200)" "$(ms "$d_p50")" ms "$(ms "$d_b50")" \
    "desk_decide() in-process" "$(printf %.2f "$(calc "$d_p50 / max($d_b50, 1)")")" "" ""
row "(i) decision (facts, policy, guard) p99, server-side" "$(ms "$d_p99")" ms "$(ms "$d_b99")" "desk_decide() in-process" \
    "$(printf %.2f "$(calc "$d_p99 / max($d_b99, 1)")")" "< 2 ms" "$(verdict "$d_p99 < 2000 and $d_bad == 0")"

# (j) A case is two durable requests: POST /cases (a walk-in's complaint about service) and
# POST /cases/{id}/resolve with the €10 gesture as store credit (a credit note issued), each
# with its own Idempotency-Key. Each wrk thread opens cases and resolves the ones it opened.
cat >"$OUT/cases.lua" <<LUA
local token = "$DTOKEN"
local open_body = '{"kind":"complaint","store_code":"$STORE","receipt":false,"customer_words":"bench",'
  .. '"items":[{"sold_here":false,"brand":"-","description":"Service","stated_price_cents":0,"condition":"new"}]}'
local resolve_body = '{"resolution":"store_credit","amount_cents":1000}'
local nthreads = 0
setup = function(thread) nthreads = nthreads + 1; thread:set("tid", nthreads) end
local queue, n = {}, 0
request = function()
  n = n + 1
  local h = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json",
              ["Idempotency-Key"] = "bench-case-" .. tostring(tid) .. "-" .. n .. "-" .. tostring(os.time()) }
  if #queue > 0 then
    local id = table.remove(queue, 1)
    return wrk.format("POST", "/api/v1/cases/" .. id .. "/resolve", h, resolve_body)
  end
  return wrk.format("POST", "/api/v1/cases", h, open_body)
end
response = function(status, headers, body)
  if status == 201 then
    local id = body:match('^{"id":(%d+)')
    if id then table.insert(queue, id) end
  end
end
LUA
raw_tps_once
say "(j) cases: open + resolve with store credit, wrk 2 threads 64 connections ${DUR}s"
off=$(wc -l <"$SLOG")
wrk -t2 -c64 -d"${DUR}s" -s "$OUT/cases.lua" "$D_BASE" >"$OUT/wrk-cases.txt"
log_settle
j_open=$(tail -n +"$(( off + 1 ))" "$SLOG" | grep -F '"route":"/api/v1/cases"' | grep -c '"status":201' || true)
j_done=$(tail -n +"$(( off + 1 ))" "$SLOG" | grep -F '"route":"/api/v1/cases/{id}/resolve"' | grep -c '"status":200' || true)
j_bad=$(tail -n +"$(( off + 1 ))" "$SLOG" | grep -E '"route":"/api/v1/cases(/\{id\}/resolve)?"' | grep -vcE '"status":(200|201|499)' || true)
serve_down "$D_SPID"
j_notes=$(sqlite3 "$DESK" "SELECT COUNT(*) FROM credit_notes n JOIN cases k ON k.id = n.case_id WHERE k.customer_words = 'bench'")
j_rate=$(calc "$j_done / $DUR")
LEDGER_DESK=$("$BIN" ledger verify --db "sqlite:$DESK" 2>&1 | tail -n 1) || LEDGER_DESK="FAILED: $LEDGER_DESK"
say "(j) $j_open opened, $j_done resolved with a credit note (notes in the database: $j_notes), $j_bad other answers; $LEDGER_DESK"
row "(j) cases opened + resolved with store credit /s, 64 conns ($j_open opened, $j_bad errors, $j_notes notes)" \
    "$(printf %.0f "$j_rate")" "case/s" "$(printf %.0f "$raw_tps")" "raw durable 1-row SQLite txns/s" \
    "$(printf %.2f "$(calc "$j_rate / $raw_tps")")" ">= 1000/s" \
    "$(verdict "$j_rate >= 1000 and $j_bad == 0 and $j_notes >= $j_done")"
row "(j) ledger verify after the cases ($DESK)" "" "" "" "" "" "ok" "$(grep -q '^ledger verify: ok' <<<"$LEDGER_DESK" && echo PASS || echo MISS)"
fi

if [[ -z "${BENCH_ONLY:-}" || "${BENCH_ONLY:-}" == clienteling ]]; then
# ---- (k) clienteling match, (l) today's outreach, (m) holds, on a copy of the demo ------------
CL=$OUT/clienteling.db
CLSQL=$OUT/clienteling-sql.db
CLEACH=$OUT/clienteling-each.db
rm -f "$CL" "$CL"-* "$CLSQL" "$CLSQL"-* "$CLEACH" "$CLEACH"-*
sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp "$DB" "$CL"
say "(k) a collection of 2,000 skus (BENCH-2K), in stock and planned in every store (tdbench match-setup)"
"$OUT/tdbench" match-setup "sqlite:$CL" BENCH-2K 2000 >"$OUT/match-setup.txt"
sqlite3 "$CL" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp "$CL" "$CLSQL"
cp "$CL" "$CLEACH"
say "(k) trustdesk: clienteling_arrive_stores(), the arrival in every store at once, tasks written and committed (tdbench match)"
read -r k_cand k_matched k_tasks k_hold k_ms < <("$OUT/tdbench" match "sqlite:$CL" BENCH-2K |
  sed -n 's/candidates=\([0-9]*\) matched=\([0-9]*\) tasks=\([0-9]*\) holdout=\([0-9]*\) ms=\([0-9]*\).*/\1 \2 \3 \4 \5/p') || true
need "match (tdbench)" "${k_ms:-}"
say "(k) baseline: the same match as one INSERT ... SELECT in sqlite3 (bench/match.sql) on a copy"
sed -e "s/:code/BENCH-2K/g" -e "s/:now/$(( $(date +%s) * 1000000 ))/g" bench/match.sql >"$OUT/match.sql"
t0=$(now)
sqlite3 "$CLSQL" <"$OUT/match.sql"
t1=$(now)
k_base=$(calc "round(($t1 - $t0) * 1000)")
k_sql=$(sqlite3 "$CLSQL" "SELECT COUNT(*) FROM outreach_tasks")
rm -f "$CLSQL" "$CLSQL"-*
row "(k) match $k_cand customers x 2000 skus, write $k_tasks tasks + $k_hold hold-out (SQL: $k_sql rows)" \
    "$k_ms" ms "$k_base" "sqlite3, the match as one INSERT...SELECT" "$(printf %.2f "$(calc "$k_ms / max($k_base, 1)")")" \
    "< 1000 ms" "$(verdict "$k_ms < 1000")"
# The same match store by store (clienteling_arrive() 12 times, as the API, the CLI and the
# scheduler arrive one store), each reading only its own store's customers through the indexes.
say "(k) diagnostic: the same match one store at a time (BENCH_MATCH_EACH=1) on a copy"
read -r ke_tasks ke_hold ke_ms < <(BENCH_MATCH_EACH=1 "$OUT/tdbench" match "sqlite:$CLEACH" BENCH-2K |
  sed -n 's/.*tasks=\([0-9]*\) holdout=\([0-9]*\) ms=\([0-9]*\).*/\1 \2 \3/p') || true
need "match per store (tdbench)" "${ke_ms:-}"
rm -f "$CLEACH" "$CLEACH"-*
row "(k) diagnostic: the same, one store at a time ($(( ke_tasks + ke_hold )) rows)" \
    "$ke_ms" ms "$k_base" "sqlite3, the match as one INSERT...SELECT" "$(printf %.2f "$(calc "$ke_ms / max($k_base, 1)")")" "" ""

CTOKEN=$("$BIN" token add --login associate.utrecht --db "sqlite:$CL")
read -r o_b50 o_b99 < <("$OUT/tdbench" outreach "sqlite:$CL" "$CTOKEN" 5000 2>"$OUT/tdbench-outreach.txt" |
                        sed -n 's/.*p50_us=\([0-9]*\) p99_us=\([0-9]*\).*/\1 \2/p') || true
need "outreach (tdbench)" "${o_b99:-}"
serve_up server-cl "sqlite:$CL"
C_SPID=$SRV_PID C_BASE=$SRV_BASE
SLOG=$OUT/server-cl.log
cat >"$OUT/outreach.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $CTOKEN"
request = function() return wrk.format("GET", "/api/v1/outreach/today") end
LUA
say "(l) today's outreach: wrk 1 thread 2 connections ${LAT_DUR}s ($(grep -o '[0-9]* tasks' "$OUT/tdbench-outreach.txt") on the list)"
off=$(wc -l <"$SLOG")
wrk -t1 -c2 -d"${LAT_DUR}s" -s "$OUT/outreach.lua" "$C_BASE" >"$OUT/wrk-outreach.txt"
log_settle
o_p50=$(server_us /api/v1/outreach/today "$off" | pct 50)
o_p99=$(server_us /api/v1/outreach/today "$off" | pct 99)
o_n=$(server_us /api/v1/outreach/today "$off" | wc -l)
o_bad=$(not_ok /api/v1/outreach/today "$off")
need "outreach (server log)" "$o_p99"
row "(l) today's outreach p50, server-side ($o_n requests, $o_bad not 200)" "$(ms "$o_p50")" ms "$(ms "$o_b50")" \
    "token check + cl_tasks_each() in-process" "$(printf %.2f "$(calc "$o_p50 / max($o_b50, 1)")")" "" ""
row "(l) today's outreach p99, server-side" "$(ms "$o_p99")" ms "$(ms "$o_b99")" \
    "token check + cl_tasks_each() in-process" "$(printf %.2f "$(calc "$o_p99 / max($o_b99, 1)")")" "< 5 ms" \
    "$(verdict "$o_p99 < 5000 and $o_bad == 0")"

# (m) Holds: each POST takes one unit of a random sku of the collection (100,000 of each in stock)
# for a random customer of Utrecht, with its own Idempotency-Key.
sqlite3 "$CL" "SELECT id FROM customers WHERE home_store_id = (SELECT id FROM stores WHERE code = 'UTR01') ORDER BY id LIMIT 2000" >"$OUT/hold-customers.txt"
sqlite3 "$CL" "SELECT p.sku FROM collections c JOIN collection_styles y ON y.collection_id = c.id JOIN products p ON p.style_id = y.style_id WHERE c.code = 'BENCH-2K' ORDER BY p.id" >"$OUT/hold-skus.txt"
{
  printf 'local token = "%s"\nlocal customers = {' "$CTOKEN"
  paste -sd, "$OUT/hold-customers.txt"
  printf '}\nlocal skus = {'
  sed 's/.*/"&"/' "$OUT/hold-skus.txt" | paste -sd,
  cat <<'LUA'
}
local nthreads = 0
setup = function(thread) nthreads = nthreads + 1; thread:set("tid", nthreads) end
local n = 0
request = function()
  n = n + 1
  local body = '{"sku":"' .. skus[math.random(#skus)] .. '","customer_id":' .. customers[math.random(#customers)] .. '}'
  return wrk.format("POST", "/api/v1/holds", {
    ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = "bench-hold-" .. tostring(tid) .. "-" .. n .. "-" .. tostring(os.time()),
  }, body)
end
LUA
} >"$OUT/holds.lua"
say "(m) holds: wrk 1 thread 2 connections ${LAT_DUR}s"
off=$(wc -l <"$SLOG")
wrk -t1 -c2 -d"${LAT_DUR}s" -s "$OUT/holds.lua" "$C_BASE" >"$OUT/wrk-holds.txt"
log_settle
serve_down "$C_SPID"
h_us() { tail -n +"$(( off + 1 ))" "$SLOG" | grep -F '"route":"/api/v1/holds"' | grep -F '"status":201' | sed -n 's/.*"us":\([0-9]*\).*/\1/p'; }
h_p50=$(h_us | pct 50)
h_p99=$(h_us | pct 99)
h_n=$(h_us | wc -l)
h_bad=$(tail -n +"$(( off + 1 ))" "$SLOG" | grep -F '"route":"/api/v1/holds"' | grep -vcE '"status":(201|499)' || true)
need "holds (server log)" "$h_p99"
read -r h_b50 h_b99 < <("$OUT/tdbench" hold "sqlite:$CL" "$CTOKEN" BENCH-2K 3000 |
                        sed -n 's/.*p50_us=\([0-9]*\) p99_us=\([0-9]*\).*/\1 \2/p') || true
need "hold (tdbench)" "${h_b99:-}"
row "(m) hold creation p50, server-side ($h_n holds made, $h_bad other answers)" "$(ms "$h_p50")" ms "$(ms "$h_b50")" \
    "token check + cl_hold_create(), durable" "$(printf %.2f "$(calc "$h_p50 / max($h_b50, 1)")")" "" ""
row "(m) hold creation p99, server-side" "$(ms "$h_p99")" ms "$(ms "$h_b99")" \
    "token check + cl_hold_create(), durable" "$(printf %.2f "$(calc "$h_p99 / max($h_b99, 1)")")" "< 5 ms" \
    "$(verdict "$h_p99 < 5000 and $h_bad == 0")"
fi

if [[ -z "${BENCH_ONLY:-}" || "${BENCH_ONLY:-}" == nps ]]; then
# ---- (n) survey answers stored per second, (o) the NPS dashboard, on a copy of the demo ------
NPSDB=$OUT/nps.db
rm -f "$NPSDB" "$NPSDB"-*
sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp "$DB" "$NPSDB"
say "building bench/out/npsbench against $BUILD/libtdcore.a"
# shellcheck disable=SC2046
cc -O2 -std=gnu17 -Isrc bench/npsbench.c "$BUILD/libtdcore.a" \
   $(pkg-config --cflags --libs libmicrohttpd jansson sqlite3 libsodium libcurl libpq libqrencode xlsxwriter) -lpthread -lm -o "$OUT/npsbench"
NTOK=${BENCH_NPS_TOKENS:-60000}
say "(n) $NTOK customers asked the question (npsbench tokens): their links for wrk"
"$OUT/npsbench" tokens "sqlite:$NPSDB" "$NTOK" "$OUT/nps-links.txt" >/dev/null
{
  printf 'local links = {'
  sed 's/.*/"&"/' "$OUT/nps-links.txt" | paste -sd,
  cat <<'LUA'
}
local nthreads = 0
setup = function(thread) nthreads = nthreads + 1; thread:set("tid", nthreads) end
local scores = {10, 9, 9, 10, 8, 7, 9, 10, 3, 6, 8}
local n = 0
request = function()
  n = n + 1
  -- the threads take turns through the links: each answers a question nobody answered yet
  local i = ((n - 1) * 2 + (tid - 1)) % #links + 1
  return wrk.format("POST", links[i], { ["Content-Type"] = "application/x-www-form-urlencoded" },
                    "score=" .. scores[(n % #scores) + 1])
end
LUA
} >"$OUT/answers.lua"
raw_tps_once
serve_up server-nps "sqlite:$NPSDB"
N_SPID=$SRV_PID N_BASE=$SRV_BASE
SLOG=$OUT/server-nps.log
say "(n) survey answers: wrk 2 threads 64 connections ${DUR}s"
off=$(wc -l <"$SLOG")
wrk -t2 -c64 -d"${DUR}s" -s "$OUT/answers.lua" "$N_BASE" >"$OUT/wrk-answers.txt"
log_settle
n_ok=$(tail -n +"$(( off + 1 ))" "$SLOG" | grep -F '"route":"/api/v1/surveys/{token}"' | grep -c '"status":200' || true)
n_bad=$(tail -n +"$(( off + 1 ))" "$SLOG" | grep -F '"route":"/api/v1/surveys/{token}"' | grep -vcE '"status":(200|499)' || true)
serve_down "$N_SPID"
n_stored=$(sqlite3 "$NPSDB" "SELECT COUNT(*) FROM surveys WHERE round >= 1000000 AND score IS NOT NULL")
n_counted=$(sqlite3 "$NPSDB" "SELECT SUM(promoters + passives + detractors) FROM nps_counts WHERE dim = 'store'")
n_answered=$(sqlite3 "$NPSDB" "SELECT COUNT(*) FROM surveys WHERE score IS NOT NULL")
n_rate=$(calc "$n_ok / $DUR")
say "(n) $n_ok answers stored ($n_stored first answers in the database), $n_bad other answers; counted $n_counted of $n_answered"
row "(n) survey answers stored /s (POST /api/v1/surveys/{token}, 64 conns, $n_ok stored, $n_bad errors)" \
    "$(printf %.0f "$n_rate")" "ans/s" "$(printf %.0f "$raw_tps")" "raw durable 1-row SQLite txns/s" \
    "$(printf %.2f "$(calc "$n_rate / $raw_tps")")" "" "$(verdict "$n_bad == 0 and $n_counted == $n_answered")"

NANS=${BENCH_NPS_ANSWERS:-1000000}
say "(o) topping the answers up to $NANS in bulk (npsbench topup; not timed)"
"$OUT/npsbench" topup "sqlite:$NPSDB" "$NANS" >"$OUT/nps-topup.txt"
say "(o) $(cat "$OUT/nps-topup.txt")"
sqlite3 "$NPSDB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
read -r o2_b50 o2_b99 < <("$OUT/npsbench" figures "sqlite:$NPSDB" 2000 | sed -n 's/.*p50_us=\([0-9]*\) p99_us=\([0-9]*\).*/\1 \2/p') || true
need "nps figures (npsbench)" "${o2_b99:-}"
NTOKEN=$("$BIN" token add --login admin --db "sqlite:$NPSDB")
serve_up server-nps2 "sqlite:$NPSDB"
N_SPID=$SRV_PID N_BASE=$SRV_BASE
SLOG=$OUT/server-nps2.log
cat >"$OUT/nps.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $NTOKEN"
local dims = {"store", "category", "associate", "kind", "resolution"}
local from90 = os.date("!%Y-%m-%d", os.time() - 89 * 86400)
local from182 = os.date("!%Y-%m-%d", os.time() - 181 * 86400)
local i = 0
request = function()
  -- as npsbench figures: the dimension, then the period, then the chain or one store
  local path = "/api/v1/nps?by=" .. dims[(i % 5) + 1] .. "&from=" .. (math.floor(i / 5) % 2 == 1 and from182 or from90)
  if math.floor(i / 10) % 2 == 1 then path = path .. "&store=UTR01" end
  i = i + 1
  return wrk.format("GET", path)
end
LUA
say "(o) the NPS dashboard: wrk 1 thread 2 connections ${LAT_DUR}s"
latency_run /api/v1/nps "$OUT/nps.lua" "$N_BASE" "$N_SPID" "$OUT/wrk-nps.txt"
o2_p50=$L_P50 o2_p99=$L_P99 o2_n=$L_N o2_bad=$L_BAD
o2_ans=$(sed -n 's/answers=\([0-9]*\).*/\1/p' "$OUT/nps-topup.txt")
row "(o) NPS dashboard p50, server-side ($o2_n requests, $o2_bad not 200; $o2_ans answers)" "$(ms "$o2_p50")" ms \
    "$(ms "$o2_b50")" "nps_each() in-process" "$(printf %.2f "$(calc "$o2_p50 / max($o2_b50, 1)")")" "" ""
row "(o) NPS dashboard p99, server-side" "$(ms "$o2_p99")" ms "$(ms "$o2_b99")" "nps_each() in-process" \
    "$(printf %.2f "$(calc "$o2_p99 / max($o2_b99, 1)")")" "< 50 ms" "$(verdict "$o2_p99 < 50000 and $o2_bad == 0")"
fi

if [[ -z "${BENCH_ONLY:-}" || "${BENCH_ONLY:-}" == simulate ]]; then
# ---- (p) the what-if simulator over every stored decision, read-only on the demo ----------
"$BIN" migrate --db "sqlite:$DB" >/dev/null      # decision_replay for a demo kept from before migration 0023
say "(p) baseline: tdbench loads every stored decision's inputs and times guard_score + policy_decide on them"
p_line=$("$OUT/tdbench" simulate "sqlite:$DB" "$OUT/sim-draft.json")
p_cases=$(sed -n 's/.*cases=\([0-9]*\).*/\1/p' <<<"$p_line")
p_pure=$(sed -n 's/.*pure_ms=\([0-9.]*\).*/\1/p' <<<"$p_line")
p_run=$(sed -n 's/.*run_ms=\([0-9.]*\).*/\1/p' <<<"$p_line")
p_replay=$(sed -n 's/.*replay_ms=\([0-9.]*\).*/\1/p' <<<"$p_line")
p_pure_cpu=$(sed -n 's/.*pure_cpu_ms=\([0-9.]*\).*/\1/p' <<<"$p_line")
[[ "${p_pure:-}" =~ ^[0-9.]+$ ]] || { echo "bench: no measurement for the pure decisions (tdbench simulate: $p_line)" >&2; exit 1; }
# Best wall time of three runs of the CLI with the options given (the machine is shared); the
# answer in $OUT/simulate.json; the best CPU time (user + system, ms) of the three in $OUT/simulate.cpu.
p_best() {
  local best='' cpu='' t c t0 _
  for _ in 1 2 3; do
    t0=$(now)
    c=$( { TIMEFORMAT='%U %S'; time "$BIN" simulate --db "sqlite:$DB" --policy "$OUT/sim-draft.json" --from 2000-01-01 \
           --to 2099-12-31 --json "$@" >"$OUT/simulate.json"; } 2>&1 )
    t=$(calc "round(($(now) - $t0) * 1000, 1)")
    c=$(calc "round(($(tr ' ' + <<<"$c")) * 1000, 1)")
    if [[ -z "$best" ]] || python3 -c "import sys; sys.exit(0 if $t < $best else 1)"; then best=$t; fi
    if [[ -z "$cpu" ]] || python3 -c "import sys; sys.exit(0 if $c < $cpu else 1)"; then cpu=$c; fi
  done
  echo "$cpu" >"$OUT/simulate.cpu"
  echo "$best"
}
say "(p) trustdesk simulate over the same $p_cases decisions, with and without the modelled layer (best of three runs each)"
p_bare=$(p_best --no-modelled)
p_bare_cpu=$(cat "$OUT/simulate.cpu")
p_got_bare=$(python3 -c "import json; print(json.load(open('$OUT/simulate.json'))['cases'])")
p_cli=$(p_best)
p_cli_cpu=$(cat "$OUT/simulate.cpu")
p_got=$(python3 -c "import json; print(json.load(open('$OUT/simulate.json'))['cases'])")
row "(p) trustdesk simulate, every stored decision, best of 3 ($p_cases cases; the CLI answered $p_got)" "$p_cli" ms "$p_pure" \
    "guard_score + policy_decide, inputs in memory" "$(printf %.1f "$(calc "$p_cli / max($p_pure, 0.001)")")" "<= 3x" \
    "$(verdict "$p_cli <= 3 * $p_pure and $p_got == $p_cases")"
row "(p) trustdesk simulate --no-modelled (exact and bounded layers; answered $p_got_bare)" "$p_bare" ms "$p_pure" \
    "guard_score + policy_decide, inputs in memory" "$(printf %.1f "$(calc "$p_bare / max($p_pure, 0.001)")")" "<= 3x" \
    "$(verdict "$p_bare <= 3 * $p_pure and $p_got_bare == $p_cases")"
row "(p) diagnostic: simulate_run() in-process, the whole answer (read transaction)" "$p_run" ms "$p_pure" \
    "guard_score + policy_decide, inputs in memory" "$(printf %.1f "$(calc "$p_run / max($p_pure, 0.001)")")" "" ""
row "(p) diagnostic: simulate_run() in-process without the modelled layer" "$p_replay" ms "$p_pure" \
    "guard_score + policy_decide, inputs in memory" "$(printf %.1f "$(calc "$p_replay / max($p_pure, 0.001)")")" "" ""
# CPU time beside CPU time: on a machine whose cores are busy with other work the wall
# times above are mostly waiting, and the two loops wait differently.
row "(p) diagnostic: CPU time (user + system) of the CLI, the whole answer, best of 3" "$p_cli_cpu" ms "$p_pure_cpu" \
    "the pure loop's CPU time" "$(printf %.1f "$(calc "$p_cli_cpu / max($p_pure_cpu, 0.001)")")" "" ""
row "(p) diagnostic: CPU time of the CLI, --no-modelled" "$p_bare_cpu" ms "$p_pure_cpu" \
    "the pure loop's CPU time" "$(printf %.1f "$(calc "$p_bare_cpu / max($p_pure_cpu, 0.001)")")" "" ""
row "(p) simulate per 1M cases, extrapolated from the CLI run" "$(printf %.1f "$(calc "$p_cli / max($p_cases, 1) * 1000")")" s \
    "" "" "" "< 5 s" "$(verdict "$p_cli / max($p_cases, 1) * 1000 < 5")"
row "(p) simulate --no-modelled per 1M cases, extrapolated" "$(printf %.1f "$(calc "$p_bare / max($p_cases, 1) * 1000")")" s \
    "" "" "" "< 5 s" "$(verdict "$p_bare / max($p_cases, 1) * 1000 < 5")"
fi

if [[ -z "${BENCH_ONLY:-}" || "${BENCH_ONLY:-}" == daily ]]; then
# ---- (q) the daily insight dashboard, on a copy of the demo --------------------------------
DDB=$OUT/daily.db
rm -f "$DDB" "$DDB"-*
sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp "$DB" "$DDB"
"$BIN" migrate --db "sqlite:$DDB" >/dev/null              # a demo kept from before migration 0019 gets it here
Q_SUM="SELECT COUNT(*) || ':' || SUM(opened) || ':' || SUM(resolved) || ':' || SUM(declined) || ':' || SUM(goodwill_cents)
       || ':' || SUM(store_credit_cents) || ':' || SUM(overrides) || ':' || SUM(store_id * day) FROM insight_days"
q_live=$(sqlite3 "$DDB" "$Q_SUM")
q_events=$(sqlite3 "$DDB" "SELECT COUNT(*) FROM case_events")
say "(q) the migration's backfill of insight_days from $q_events case events (the rollup dropped first)"
sqlite3 "$DDB" "DROP TABLE insight_days; DELETE FROM schema_migrations WHERE version = 19"
t0=$(now)
"$BIN" migrate --db "sqlite:$DDB" >/dev/null
q_fill=$(calc "round(($(now) - $t0) * 1000)")
q_again=$(sqlite3 "$DDB" "$Q_SUM")
q_rows=$(sqlite3 "$DDB" "SELECT COUNT(*) FROM insight_days")
sqlite3 "$DDB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
read -r q_b50 q_b99 < <("$OUT/tdbench" daily "sqlite:$DDB" 600 | sed -n 's/.*p50_us=\([0-9]*\) p99_us=\([0-9]*\).*/\1 \2/p') || true
need "daily dashboard (tdbench daily)" "${q_b99:-}"
QTOKEN=$("$BIN" token add --login admin --db "sqlite:$DDB")
serve_up server-daily "sqlite:$DDB"
Q_SPID=$SRV_PID Q_BASE=$SRV_BASE
SLOG=$OUT/server-daily.log
cat >"$OUT/daily.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $QTOKEN"
local periods = {30, 90, 365}
local i = 0
request = function()
  -- the periods as tdbench daily; the chain and one store in turn (the same rows read)
  local path = "/api/v1/insight/daily?from=" .. os.date("%Y-%m-%d", os.time() - (periods[(i % 3) + 1] - 1) * 86400)
  if math.floor(i / 3) % 2 == 1 then path = path .. "&store=UTR01" end
  i = i + 1
  return wrk.format("GET", path)
end
LUA
say "(q) the daily dashboard: wrk 1 thread 2 connections ${LAT_DUR}s"
latency_run /api/v1/insight/daily "$OUT/daily.lua" "$Q_BASE" "$Q_SPID" "$OUT/wrk-daily.txt"
q_p50=$L_P50 q_p99=$L_P99 q_n=$L_N q_bad=$L_BAD
q_same=$([[ "$q_live" == "$q_again" ]] && echo 1 || echo 0)
row "(q) daily dashboard p50, server-side ($q_n requests, $q_bad not 200; $q_rows rollup rows)" "$(ms "$q_p50")" ms \
    "$(ms "$q_b50")" "insight_daily_each() in-process" "$(printf %.2f "$(calc "$q_p50 / max($q_b50, 1)")")" "" ""
row "(q) daily dashboard p99, server-side" "$(ms "$q_p99")" ms "$(ms "$q_b99")" "insight_daily_each() in-process" \
    "$(printf %.2f "$(calc "$q_p99 / max($q_b99, 1)")")" "< 100 ms" "$(verdict "$q_p99 < 100000 and $q_bad == 0")"
row "(q) backfill of the rollup from $q_events case events (migration 0019; equal to the live rollup: $q_same)" \
    "$q_fill" ms "" "" "" "" "$(verdict "$q_same == 1")"
fi

if [[ -z "${BENCH_ONLY:-}" || "${BENCH_ONLY:-}" == goodwill ]]; then
# ---- (r) goodwill economics, read-only on the demo ----------------------------------
GTOKEN=$("$BIN" token add --login admin --db "sqlite:$DB")
serve_up server-goodwill "sqlite:$DB"
G_SPID=$SRV_PID G_BASE=$SRV_BASE
SLOG=$OUT/server-goodwill.log
q_n=${BENCH_GOODWILL_N:-20}
say "(r) the goodwill economics: $q_n requests, the chain and $STORE alternately"
off=$(wc -l <"$SLOG")
for i in $(seq "$q_n"); do
  q=''; (( i % 2 == 0 )) && q="?store=$STORE"
  curl -s -o /dev/null -H "Authorization: Bearer $GTOKEN" "$G_BASE/api/v1/insight/goodwill$q"
  curl -s -o /dev/null -H "Authorization: Bearer $GTOKEN" "$G_BASE/api/v1/insight/referrals$q"
done
log_settle
q_p50=$(server_us /api/v1/insight/goodwill "$off" | pct 50)
q_p99=$(server_us /api/v1/insight/goodwill "$off" | pct 99)
need "goodwill (server log)" "$q_p99"
q_r50=$(server_us /api/v1/insight/referrals "$off" | pct 50)
q_r99=$(server_us /api/v1/insight/referrals "$off" | pct 99)
need "referrals (server log)" "$q_r99"
# The server's CPU time (user + system, /proc) over the same goodwill requests again, alone: what
# a request costs when the wall times above are mostly waiting for a core.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
t0=$(cpu_ticks "$G_SPID")
for i in $(seq "$q_n"); do
  q=''; (( i % 2 == 0 )) && q="?store=$STORE"
  curl -s -o /dev/null -H "Authorization: Bearer $GTOKEN" "$G_BASE/api/v1/insight/goodwill$q"
done
q_cpu=$(calc "($(cpu_ticks "$G_SPID") - $t0) * 1000.0 / $(getconf CLK_TCK) / $q_n")
serve_down "$G_SPID"
q_cases=$(sqlite3 "$DB" "SELECT COUNT(*) FROM cases WHERE status IN ('resolved', 'followed_up')")
row "(r) goodwill economics p50, server-side ($q_n requests; $q_cases resolved cases)" "$(ms "$q_p50")" ms "" "" "" "" ""
row "(r) goodwill economics p99, server-side" "$(ms "$q_p99")" ms "" "" "" "< 100 ms" "$(verdict "$q_p99 < 100000")"
row "(r) diagnostic: the server's CPU time per goodwill request (the same $q_n again, alone; user + system)" \
    "$(printf %.1f "$q_cpu")" ms "" "" "" "" ""
row "(r) referral outcomes p50, server-side ($q_n requests, the same mix)" "$(ms "$q_r50")" ms "" "" "" "" ""
row "(r) referral outcomes p99, server-side" "$(ms "$q_r99")" ms "" "" "" "< 100 ms" "$(verdict "$q_r99 < 100000")"
fi

if [[ -z "${BENCH_ONLY:-}" || "${BENCH_ONLY:-}" == coaching ]]; then
# ---- (s) coaching at a million resolved cases, on a copy of the demo --------------------
CDB=$OUT/coaching.db
s_want=${BENCH_COACH_CASES:-1000000}
s_n=${BENCH_COACH_N:-20}
rm -f "$CDB" "$CDB"-*
sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp "$DB" "$CDB"
"$BIN" migrate --db "sqlite:$CDB" >/dev/null              # coaching_days (0020) and coaching_months (0024)
s_have=$(sqlite3 "$CDB" "SELECT COUNT(*) FROM cases WHERE status IN ('resolved', 'followed_up')")
s_add=$(( s_want > s_have ? s_want - s_have : 0 ))
if (( s_add > 0 )); then
  # The demo's associates resolve s_add more cases over the last year: three kinds, five
  # resolutions, one in seven declined against the recommendation with a reason; the
  # rollups are then filled from every case as migrations 0020 and 0024 fill them.
  say "(s) topping the demo up to $s_want resolved cases: $s_add synthetic ones (in bulk, not timed)"
  s_now=$(date +%s)
  sqlite3 "$CDB" <<SQL
BEGIN;
CREATE TEMP TABLE who AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id, store_id FROM staff
  WHERE role = 'associate' AND active = 1 AND store_id IS NOT NULL;
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $s_add)
INSERT INTO cases (store_id, associate_id, kind, receipt, customer_words, status, created_at, updated_at,
                   rec_resolution, resolution, amount_cents, override_reason, resolved_at, resolved_by)
  SELECT w.store_id, w.id, CASE i % 3 WHEN 0 THEN 'return' WHEN 1 THEN 'complaint' ELSE 'exchange' END, 1, 'bench',
         'resolved', ${s_now}000000 - (i % 365) * 86400000000 - 3600000000, ${s_now}000000,
         CASE i % 7 WHEN 0 THEN 'refund' WHEN 1 THEN 'store_credit' WHEN 2 THEN 'exchange' WHEN 3 THEN 'refer_elsewhere' ELSE 'refund' END,
         CASE i % 7 WHEN 0 THEN 'decline' WHEN 1 THEN 'store_credit' WHEN 2 THEN 'exchange' WHEN 3 THEN 'refer_elsewhere' ELSE 'refund' END,
         0, CASE WHEN i % 7 = 0 THEN 'bench: de klant wilde geen bon' END,
         ${s_now}000000 - (i % 365) * 86400000000 - 3540000000, w.id
  FROM s JOIN who w ON w.n = i % (SELECT COUNT(*) FROM who);
DELETE FROM coaching_days;
DELETE FROM coaching_months;
$(sed -n '/^INSERT INTO coaching_days/,/;$/p' src/db/migrations/0020_coaching.sql)
$(sed -n '/^INSERT INTO coaching_months/,/;$/p' src/db/migrations/0024_coaching_months.sql)
COMMIT;
SQL
fi
s_cases=$(sqlite3 "$CDB" "SELECT COUNT(*) FROM cases WHERE status IN ('resolved', 'followed_up')")
s_rows=$(sqlite3 "$CDB" "SELECT (SELECT COUNT(*) FROM coaching_days) || ' day, ' || (SELECT COUNT(*) FROM coaching_months) || ' month rows; ' || (SELECT COUNT(*) FROM staff WHERE role <> 'admin' AND active = 1) || ' people'")
sqlite3 "$CDB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
S_YEAR=$(date -d '-364 days' +%F)
# coaching_views BACKEND URL: p50/p99 server-side of one store and of every store (90 days and a
# year in turn, s_n requests each, one at a time) beside tdbench coaching on the same database;
# writes the rows of (s) for BACKEND.
coaching_views() {
  local be=$1 url=$2 tok view q i off b50 b99 p50 p99 bad
  tok=$("$BIN" token add --login admin --db "$url")
  serve_up "server-coaching-$be" "$url"
  local spid=$SRV_PID base=$SRV_BASE
  SLOG=$OUT/server-coaching-$be.log
  for view in "$STORE" -; do
    say "(s) $be: coaching of ${view/#-/every store}, $s_n requests (90 days and a year in turn)"
    # Two requests first, not counted: each of the server's connections reads its catalog and
    # plans on its first use (on PostgreSQL, after a fresh copy, 300 ms), once per start.
    q=''; [[ "$view" != - ]] && q="store=$view"
    for i in 1 2; do curl -s -o /dev/null -H "Authorization: Bearer $tok" "$base/api/v1/insight/coaching?$q"; done
    off=$(wc -l <"$SLOG")
    for i in $(seq "$s_n"); do
      q=''; (( i % 2 == 0 )) && q="from=$S_YEAR"
      [[ "$view" != - ]] && q="$q&store=$view"
      curl -s -o /dev/null -H "Authorization: Bearer $tok" "$base/api/v1/insight/coaching?$q"
    done
    log_settle
    p50=$(server_us /api/v1/insight/coaching "$off" | pct 50)
    p99=$(server_us /api/v1/insight/coaching "$off" | pct 99)
    bad=$(not_ok /api/v1/insight/coaching "$off")
    need "coaching $be $view (server log)" "$p99"
    read -r b50 b99 < <("$OUT/tdbench" coaching "$url" "$view" "$s_n" 2>/dev/null |
                          sed -n 's/.*p50_us=\([0-9]*\) p99_us=\([0-9]*\).*/\1 \2/p') || true
    need "coaching $be $view (tdbench coaching)" "${b99:-}"
    local what="one store ($view)"
    [[ "$view" == - ]] && what="every store"
    row "(s) coaching $be, $what, p50 server-side ($s_n requests, $bad not 200)" "$(ms "$p50")" ms "$(ms "$b50")" \
        "coaching_read + overrides in-process" "$(printf %.2f "$(calc "$p50 / max($b50, 1)")")" "" ""
    row "(s) coaching $be, $what, p99 server-side" "$(ms "$p99")" ms "$(ms "$b99")" \
        "coaching_read + overrides in-process" "$(printf %.2f "$(calc "$p99 / max($b99, 1)")")" "< 100 ms" \
        "$(verdict "$p99 < 100000 and $bad == 0")"
  done
  serve_down "$spid"
}
row "(s) coaching: $s_cases resolved cases ($s_add synthetic), $s_rows" "" "" "" "" "" "" ""
coaching_views SQLite "sqlite:$CDB"
if [[ "${BENCH_COACH_PG:-1}" == 1 ]]; then
  PGDIR=$OUT/pg
  bash scripts/pg-cluster.sh stop "$PGDIR"            # a cluster left by an interrupted run
  say "(s) a throwaway PostgreSQL cluster in $PGDIR; trustdesk copy of the coaching database"
  PGURL=$(bash scripts/pg-cluster.sh start "$PGDIR")
  PG_UP=1
  psql -qAtX "${PGURL}postgres" -c "CREATE DATABASE coaching" >/dev/null
  if ! "$BIN" copy --from "sqlite:$CDB" --to "${PGURL}coaching" >"$OUT/copy-coaching-pg.log" 2>&1; then
    echo "bench: trustdesk copy of the coaching database failed; see $OUT/copy-coaching-pg.log" >&2; exit 1
  fi
  coaching_views PostgreSQL "${PGURL}coaching"
  bash scripts/pg-cluster.sh stop "$PGDIR"
  PG_UP=0
fi
rm -f "$CDB" "$CDB"-*
fi

if [[ -z "${BENCH_ONLY:-}" || "${BENCH_ONLY:-}" == pair ]]; then
# ---- (v) two servers behind nginx on one PostgreSQL ----------------------------------
# shellcheck source=bench/pair.sh
. bench/pair.sh
fi

if [[ -z "${BENCH_ONLY:-}" || "${BENCH_ONLY:-}" == attack ]]; then
# ---- (t) slowloris and (u) soak, on a small demo of their own ------------------------
# shellcheck source=bench/attack.sh
. bench/attack.sh
fi

# ---- the table ---------------------------------------------------------------------
echo
echo "trustdesk bench — $(date -u +%Y-%m-%dT%H:%MZ), $NPROC cores, $(uname -m), demo of $N customers ($DB)"
MW=$(awk -F'|' '{ if (length($1) > w) w = length($1) } END { print (w > 66 ? w : 66) }' "$RESULTS")
printf '%-*s %12s %-6s %12s  %-40s %6s  %-12s %s\n' "$MW" metric trustdesk unit baseline "baseline is" ratio target verdict
printf '%.0s-' $(seq $(( MW + 104 ))); echo
while IFS='|' read -r m v u b bw r t vd; do
  printf '%-*s %12s %-6s %12s  %-40s %6s  %-12s %s\n' "$MW" "$m" "$v" "$u" "$b" "$bw" "$r" "$t" "$vd"
done <"$RESULTS"
echo
echo "keep-alive check: ${KEEPALIVE:-not measured (BENCH_ONLY=${BENCH_ONLY:-})}"
echo "CPU pressure (PSI some avg60): $PRESSURE_START before the bench (other work on the machine), $(cpu_pressure) at the end (includes this bench)"
if [[ -f "$OUT/wrk-get.txt" && -z "${BENCH_ONLY:-}" ]]; then
  echo "wrk (client side): trustdesk $(grep -E '^ +99%' "$OUT/wrk-get.txt" | awk '{print $2}') p99," \
       "nginx $(grep -E '^ +99%' "$OUT/wrk-nginx.txt" | awk '{print $2}') p99 at -t2 -c64;" \
       "wrk, server and nginx share the same $NPROC cores."
  echo "ledger verify (g) SQLite: $LEDGER_SQLITE"
  echo "ledger verify (h) PostgreSQL: $LEDGER_PG"
fi
if [[ -z "${BENCH_ONLY:-}" || "${BENCH_ONLY:-}" == desk ]]; then echo "ledger verify (j) desk: $LEDGER_DESK"; fi
echo "raw outputs: $OUT (server*.log, wrk-*.txt, pgbench*.txt, copy-pg.log, keepalive.txt, import.log, demo.log)"
