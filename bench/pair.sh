# bench/pair.sh — row (v) of `make bench`, sourced by bench/run.sh (it uses
# run.sh's helpers: serve_up, row, calc, verdict, issue_notes, ledger_run, ...).
#
#   (v) two servers    two `trustdesk serve` processes on one PostgreSQL behind the nginx of
#                      docs/operations.md (upstream, keepalive 64, X-Forwarded-For with
#                      TRUSTDESK_TRUSTED_PROXIES=127.0.0.1), on a demo of BENCH_PAIR_CUSTOMERS
#                      (20,000) made on PostgreSQL in a throwaway cluster (bench/out/pg-pair):
#                      GET customer and durable redemptions, wrk -t2 -c64 each
#                                                  vs one server behind the same nginx, same run
#                      then `trustdesk ledger verify`, and every redemption in the database
#                      answered 201 (or 499: wrk closed the connection as its time was up).
# Two servers on two shared cores do not double anything: the row says what a second server
# costs or brings on one machine (the servers, nginx, PostgreSQL and wrk all share it).
PP_DIR=$OUT/pg-pair
bash scripts/pg-cluster.sh stop "$PP_DIR" >/dev/null 2>&1 || true
rm -rf "$PP_DIR"
mkdir -p "$PP_DIR"
chmod 777 "$PP_DIR"
PP_URL=$(bash scripts/pg-cluster.sh start "$PP_DIR")
PP_UP=1
pair_cleanup() { [[ "${PP_UP:-0}" == 1 ]] && bash scripts/pg-cluster.sh stop "$PP_DIR" >/dev/null 2>&1; PP_UP=0; }
psql -qAtX "${PP_URL}postgres" -c "CREATE DATABASE pair" >/dev/null
PP_DB=${PP_URL}pair
PP_N=${BENCH_PAIR_CUSTOMERS:-20000}
say "(v) a demo of $PP_N customers on PostgreSQL for the pair"
"$BIN" demo --db "$PP_DB" --customers "$PP_N" --seed 5 >"$OUT/pair-demo.log"
psql -qAtX "$PP_DB" -c "ANALYZE" >/dev/null
PP_TOKEN=$("$BIN" token add --login admin --db "$PP_DB")
PP_STORE=$(psql -qAtX "$PP_DB" -c "SELECT code FROM stores ORDER BY id LIMIT 1")
cat >"$OUT/pair-get.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $PP_TOKEN"
math.randomseed(5)
request = function()
  return wrk.format("GET", "/api/v1/customers/" .. math.random(1, $PP_N))
end
LUA
export TRUSTDESK_TRUSTED_PROXIES=127.0.0.1
serve_up server-pair-1 "$PP_DB"
PP_PID1=$SRV_PID PP_PORT1=${SRV_BASE##*:}
serve_up server-pair-2 "$PP_DB"
PP_PID2=$SRV_PID PP_PORT2=${SRV_BASE##*:}
unset TRUSTDESK_TRUSTED_PROXIES
# nginx in front, as docs/operations.md has it (without TLS): $1 is the upstream's servers.
pair_nginx() {
  local name=$1
  shift
  mkdir -p "$OUT/nginx-$name"
  {
    echo "worker_processes $NPROC; pid $OUT/nginx-$name/nginx.pid; error_log $OUT/nginx-$name/error.log warn;"
    echo "events { worker_connections 4096; }"
    echo "http { access_log off; keepalive_requests 1000000; client_body_temp_path $OUT/nginx-$name/body; proxy_temp_path $OUT/nginx-$name/proxy;"
    echo "  fastcgi_temp_path $OUT/nginx-$name/fastcgi; uwsgi_temp_path $OUT/nginx-$name/uwsgi; scgi_temp_path $OUT/nginx-$name/scgi;"
    echo "  upstream trustdesk {"
    local p
    for p in "$@"; do echo "    server 127.0.0.1:$p;"; done
    echo "    keepalive 64;"
    echo "  }"
    echo "  server { listen 127.0.0.1:0; client_max_body_size 256m;"
    echo "    location / { proxy_pass http://trustdesk; proxy_http_version 1.1; proxy_set_header Connection \"\";"
    echo "      proxy_set_header Host \$host; proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for; } }"
    echo "}"
  } >"$OUT/nginx-$name.conf"
  # nginx cannot listen on port 0: take a free port first.
  local port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  sed -i "s/listen 127.0.0.1:0;/listen 127.0.0.1:$port;/" "$OUT/nginx-$name.conf"
  nginx -c "$OUT/nginx-$name.conf" -p "$OUT/nginx-$name" -g 'daemon off;' 2>"$OUT/nginx-$name/stderr.log" &
  PN_PID=$!
  STARTED+=("$PN_PID")
  PN_BASE=http://127.0.0.1:$port
  local code=000
  for _ in $(seq 100); do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $PP_TOKEN" "$PN_BASE/api/v1/customers/1") || true
    [[ "$code" == 200 ]] && break
    sleep 0.1
  done
  [[ "$code" == 200 ]] || { echo "bench: nginx ($name) in front of trustdesk answered $code" >&2; exit 1; }
}
issue_notes "http://127.0.0.1:$PP_PORT1" "$PP_TOKEN" "${NNOTES:-8}" >"$OUT/notes-pair.txt"
[[ $(grep -c . "$OUT/notes-pair.txt") -eq ${NNOTES:-8} ]] || { echo "bench: issuing credit notes for the pair failed" >&2; exit 1; }
pair_run() {   # NAME BASE -> PR_GET PR_GET_NON2XX PR_RED PR_RED_WHAT
  wrk -t2 -c64 -d"${DUR}s" -s "$OUT/pair-get.lua" "$2" >"$OUT/wrk-$1-get.txt"
  PR_GET=$(wrk_rps "$OUT/wrk-$1-get.txt")
  need "$1 GET throughput" "${PR_GET%.*}"
  PR_GET_NON2XX=$(wrk_non2xx "$OUT/wrk-$1-get.txt")
  redeem_lua "$OUT/$1-redeem.lua" "$PP_TOKEN" "$PP_STORE" "$OUT/notes-pair.txt" "$1-$(date +%s%N)"
  wrk -t2 -c64 -d"${DUR}s" -s "$OUT/$1-redeem.lua" "$2" >"$OUT/wrk-$1-redeem.txt"
  PR_RED=$(wrk_rps "$OUT/wrk-$1-redeem.txt")
  need "$1 redemption throughput" "${PR_RED%.*}"
  PR_RED_NON2XX=$(wrk_non2xx "$OUT/wrk-$1-redeem.txt")
}
say "(v) one server behind nginx: GET, then redemptions, wrk -t2 -c64 ${DUR}s each"
pair_nginx one "$PP_PORT1"
pair_run pair-one "$PN_BASE"
v_get1=$PR_GET v_red1=$PR_RED v_bad1=$(( PR_GET_NON2XX + PR_RED_NON2XX ))
serve_down "$PN_PID"
say "(v) two servers behind nginx: the same"
pair_nginx two "$PP_PORT1" "$PP_PORT2"
pair_run pair-two "$PN_BASE"
v_get2=$PR_GET v_red2=$PR_RED v_bad2=$(( PR_GET_NON2XX + PR_RED_NON2XX ))
serve_down "$PN_PID"
sleep 1.2   # the servers' gathered access lines (log_settle)
v_served1=$(grep -c '"route":"/api/v1/customers/{id}"' "$OUT/server-pair-1.log" || true)
v_served2=$(grep -c '"route":"/api/v1/customers/{id}"' "$OUT/server-pair-2.log" || true)
serve_down "$PP_PID1"
serve_down "$PP_PID2"
v_redeems=$(psql -qAtX "$PP_DB" -c "SELECT COUNT(*) FROM ledger_transactions WHERE kind = 'redeem'")
v_201=$(( $(redeem_status "$OUT/server-pair-1.log" 201) + $(redeem_status "$OUT/server-pair-2.log" 201) ))
v_499=$(( $(redeem_status "$OUT/server-pair-1.log" 499) + $(redeem_status "$OUT/server-pair-2.log" 499) ))
V_LEDGER=$("$BIN" ledger verify --db "$PP_DB" 2>&1 | tail -n 1) || V_LEDGER="FAILED: $V_LEDGER"
row "(v) two servers behind nginx on one PG: GET customer ($v_bad2 non-2xx; GETs served by each: $v_served1 / $v_served2)" \
    "$(printf %.0f "$v_get2")" "req/s" "$(printf %.0f "$v_get1")" "one server behind the same nginx ($v_bad1 non-2xx)" \
    "$(printf %.2f "$(calc "$v_get2 / $v_get1")")" "" ""
row "(v) two servers behind nginx on one PG: redemptions" \
    "$(printf %.0f "$v_red2")" "req/s" "$(printf %.0f "$v_red1")" "one server behind the same nginx" \
    "$(printf %.2f "$(calc "$v_red2 / $v_red1")")" "" ""
row "(v) $V_LEDGER; redeem transactions $v_redeems, answered 201: $v_201 (+ $v_499 answered 499)" "" "" "" "" "" "ok" \
    "$(grep -q '^ledger verify: ok' <<<"$V_LEDGER" && (( v_201 <= v_redeems && v_redeems <= v_201 + v_499 )) && (( v_bad1 + v_bad2 == 0 )) && echo PASS || echo MISS)"
pair_cleanup
