# bench/attack.sh — rows (t) and (u) of `make bench`, sourced by bench/run.sh
# (it uses run.sh's helpers: serve_up, row, calc, verdict, pct, issue_notes,
# redeem_lua, ...). Both run against one server on a small demo of its own
# (BENCH_ATTACK_CUSTOMERS, 2,000), so that the big demo stays as it was.
#
#   (t) slowloris  1,000 sockets from eight loopback addresses (125 each, under the
#                  per-address limit, so the server holds every one) send headers a
#                  byte every 200 ms and never finish; meanwhile real clients (wrk
#                  -t1 -c8, GET customer) from 127.0.0.1. Their p99 (client-side)
#                  against the same wrk run without the attack, just before; the
#                  server's anonymous memory (RssAnon) before, during and after.
#   (u) soak       BENCH_SOAK_SECONDS (600) of mixed load: GET customer and search
#                  (wrk -t1 -c16) and durable redemptions (wrk -t1 -c4), the
#                  server's RssAnon sampled every 10 s. Flat: the highest sample of
#                  the last quarter is at most 2 MiB + 2 % above the highest of the
#                  second quarter (the first quarter warms caches up). `trustdesk
#                  ledger verify` after.
say "(t)/(u) a small demo of its own for the attack and the soak"
ADB=$OUT/attack.db
rm -f "$ADB" "$ADB"-*
A_N=${BENCH_ATTACK_CUSTOMERS:-2000}
"$BIN" demo --db "sqlite:$ADB" --customers "$A_N" --seed 3 >"$OUT/attack-demo.log"
A_TOKEN=$("$BIN" token add --login admin --db "sqlite:$ADB")
A_STORE=$(sqlite3 "$ADB" "SELECT code FROM stores ORDER BY id LIMIT 1")
serve_up server-attack "sqlite:$ADB"
A_PID=$SRV_PID A_BASE=$SRV_BASE
A_PORT=${A_BASE##*:}
anon_kb() { awk '/^RssAnon/ {print $2}' "/proc/$1/status"; }
cat >"$OUT/attack-get.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $A_TOKEN"
math.randomseed(7)
request = function()
  return wrk.format("GET", "/api/v1/customers/" .. math.random(1, $A_N))
end
LUA
wrk_p99_ms() {   # wrk --latency output -> its 99% line in ms
  awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub("us", "", v); print v / 1000 }
                     else if (v ~ /ms$/) { sub("ms", "", v); print v + 0 }
                     else if (v ~ /s$/) { sub("s", "", v); print v * 1000 } }' "$1"
}

# ---- (t) slowloris -----------------------------------------------------------------
cc -O2 -std=gnu17 bench/slowloris.c -o "$OUT/slowloris"
say "(t) real clients alone: wrk -t1 -c8 ${LAT_DUR}s"
wrk -t1 -c8 -d"${LAT_DUR}s" --latency -s "$OUT/attack-get.lua" "$A_BASE" >"$OUT/wrk-attack-before.txt"
t_base=$(wrk_p99_ms "$OUT/wrk-attack-before.txt")
t_rss0=$(anon_kb "$A_PID")
t_len=$(( LAT_DUR + 20 ))
"$OUT/slowloris" "$A_PORT" 1000 125 "$t_len" >"$OUT/slowloris.out" &
SL_PID=$!
STARTED+=("$SL_PID")
for _ in $(seq 600); do grep -q connected "$OUT/slowloris.out" 2>/dev/null && break; sleep 0.1; done
sleep 2   # the first bytes of every socket are on their way
t_open=$(curl -s "$A_BASE/metrics" | awk '$1 == "trustdesk_http_open_connections" {print $2}')
say "(t) 1,000 slow sockets, the server holds ${t_open:-?} connections; real clients again"
wrk -t1 -c8 -d"${LAT_DUR}s" --latency -s "$OUT/attack-get.lua" "$A_BASE" >"$OUT/wrk-attack-during.txt"
t_rss1=$(anon_kb "$A_PID")
wait "$SL_PID" || true
t_held=$(sed -n 's/^held //p' "$OUT/slowloris.out")
t_p99=$(wrk_p99_ms "$OUT/wrk-attack-during.txt")
t_non2xx=$(wrk_non2xx "$OUT/wrk-attack-during.txt")
t_rss2=$(anon_kb "$A_PID")
need "slowloris p99" "${t_p99%.*}"
row "(t) slowloris: real clients' p99 beside 1,000 slow sockets (server held ${t_open:-?}; ${t_held:-?} still open at the end; $t_non2xx non-2xx)" \
    "$t_p99" ms "$t_base" "the same wrk without the attack" "$(printf %.2f "$(calc "$t_p99 / max($t_base, 0.01)")")" \
    "< 500 ms" "$(verdict "$t_p99 < 500 and ${t_open:-0} >= 1000")"
row "(t) slowloris: server RssAnon before / during / after" "$(( t_rss1 / 1024 ))" MB "$(( t_rss0 / 1024 ))" \
    "before the attack; after: $(( t_rss2 / 1024 )) MB" "$(printf %.2f "$(calc "$t_rss1 / max($t_rss0, 1)")")" \
    "< +64 MB" "$(verdict "$t_rss1 - $t_rss0 < 65536 and $t_rss2 - $t_rss0 < 32768")"

# ---- (u) soak ------------------------------------------------------------------------
U_S=${BENCH_SOAK_SECONDS:-600}
issue_notes "$A_BASE" "$A_TOKEN" 20 >"$OUT/notes-attack.txt"
[[ $(grep -c . "$OUT/notes-attack.txt") -eq 20 ]] || { echo "bench: issuing credit notes for the soak failed" >&2; exit 1; }
redeem_lua "$OUT/attack-redeem.lua" "$A_TOKEN" "$A_STORE" "$OUT/notes-attack.txt" "soak-$(date +%s%N)"
cat >"$OUT/attack-mix.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $A_TOKEN"
math.randomseed(11)
local names = { "de vries", "jansen", "bakker", "sanne", "jan", "0612", "van den berg" }
local i = 0
request = function()
  i = i + 1
  if i % 4 == 0 then
    return wrk.format("GET", "/api/v1/customers?q=" .. names[(i / 4) % #names + 1]:gsub(" ", "%%20"))
  end
  return wrk.format("GET", "/api/v1/customers/" .. math.random(1, $A_N))
end
LUA
say "(u) soak: ${U_S}s of reads (wrk -t1 -c16) and redemptions (wrk -t1 -c4), RssAnon every 10 s"
wrk -t1 -c16 -d"${U_S}s" -s "$OUT/attack-mix.lua" "$A_BASE" >"$OUT/wrk-soak-reads.txt" &
U_R=$!
wrk -t1 -c4 -d"${U_S}s" -s "$OUT/attack-redeem.lua" "$A_BASE" >"$OUT/wrk-soak-redeem.txt" &
U_W=$!
STARTED+=("$U_R" "$U_W")
: >"$OUT/soak-rss.txt"
u_end=$(( $(date +%s) + U_S ))
while (( $(date +%s) < u_end )); do
  echo "$(( u_end - $(date +%s) )) $(anon_kb "$A_PID")" >>"$OUT/soak-rss.txt"
  sleep 10
done
wait "$U_R" "$U_W" || true
read -r u_q2 u_q4 u_first u_last < <(awk '{ a[NR] = $2 } END {
    q = int(NR / 4); if (q < 1) q = 1
    for (i = q + 1; i <= 2 * q && i <= NR; i++) if (a[i] > m2) m2 = a[i]
    for (i = NR - q + 1; i <= NR; i++) if (a[i] > m4) m4 = a[i]
    print m2 + 0, m4 + 0, a[1] + 0, a[NR] + 0 }' "$OUT/soak-rss.txt")
u_reads=$(awk '/^Requests\/sec/ {print $2}' "$OUT/wrk-soak-reads.txt")
u_writes=$(awk '/^Requests\/sec/ {print $2}' "$OUT/wrk-soak-redeem.txt")
serve_down "$A_PID"
if "$BIN" ledger verify --db "sqlite:$ADB" >"$OUT/soak-verify.txt" 2>&1; then u_verify="ledger verify: ok"; else u_verify="ledger verify FAILED (soak-verify.txt)"; fi
row "(u) soak ${U_S}s: RssAnon, highest of the last quarter (${u_reads:-?} reads/s, ${u_writes:-?} redemptions/s; $u_verify)" \
    "$(calc "round($u_q4 / 1024, 1)")" MB "$(calc "round($u_q2 / 1024, 1)")" \
    "highest of the 2nd quarter (1st sample $(( u_first / 1024 )) MB)" "$(printf %.3f "$(calc "$u_q4 / max($u_q2, 1)")")" \
    "flat (+2 MB +2 %)" "$(verdict "$u_q4 <= $u_q2 * 1.02 + 2048 and '$u_verify' == 'ledger verify: ok'")"
rm -f "$ADB" "$ADB"-*
