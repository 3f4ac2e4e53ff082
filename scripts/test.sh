#!/usr/bin/env bash
# test.sh — `make test`: builds with -Werror, and again with AddressSanitizer
# and UndefinedBehaviorSanitizer; runs the banned-function check, the unit
# tests and the API tests (against a real server on a free port) on the
# sanitizer build — once on SQLite and once on a throwaway PostgreSQL
# cluster made with initdb in a temporary folder; builds the web app and runs
# the end-to-end tests in Chromium; ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
JOBS=$(nproc 2>/dev/null || echo 2)
LOG_DIR=${TEST_LOG_DIR:-build-san/test-logs}
passed=0
failed=0
failures=()

count_cmocka() {   # file -> adds its cmocka PASSED/FAILED counts
  local p f
  p=$(grep -hoE '^([0-9]+: )?\[  PASSED  \] [0-9]+ test' "$1" | sed -E 's/^[0-9]+: //' | awk '{s+=$4} END {print s+0}')
  f=$(grep -hoE '^([0-9]+: )?\[  FAILED  \] [0-9]+ test' "$1" | sed -E 's/^[0-9]+: //' | awk '{s+=$4} END {print s+0}')
  passed=$((passed + p))
  failed=$((failed + f))
}

step() {           # name, command... -> one test that passes or fails as a whole
  local name=$1; shift
  if "$@" >"$LOG_DIR/$name.log" 2>&1; then
    passed=$((passed + 1)); echo "ok    $name"
  else
    failed=$((failed + 1)); failures+=("$name"); echo "FAIL  $name (log: $LOG_DIR/$name.log)"
    tail -n 30 "$LOG_DIR/$name.log" | sed 's/^/      /'
  fi
}

# TEST_ONLY=postgres: the PostgreSQL half alone (the API tests and the unit
# tests' PostgreSQL halves on a throwaway cluster), without SQLite and Chromium.
ONLY=${TEST_ONLY:-}
if [[ -n "$ONLY" && "$ONLY" != postgres ]]; then echo "TEST_ONLY: postgres or nothing, not '$ONLY'"; echo "0 passed, 1 failed"; exit 1; fi
mkdir -p "$LOG_DIR"
echo "== build (-Werror)"
if ! make -s build >"$LOG_DIR/build.log" 2>&1; then
  cat "$LOG_DIR/build.log"; echo "0 passed, 1 failed"; exit 1
fi
echo "== build (ASan + UBSan)"
if ! make -s build-san >"$LOG_DIR/build-san.log" 2>&1; then
  cat "$LOG_DIR/build-san.log"; echo "0 passed, 1 failed"; exit 1
fi

echo "== source checks"
step checksrc bash scripts/checksrc
step checklayers bash scripts/checklayers
step openapi-lint bash scripts/lint-openapi.sh
step web-build bash scripts/web.sh

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

run_ctest() {      # label [suffix] -> runs every test binary of that label, counts cmocka results
  local label=$1 suffix=${2:-} t log rc
  for t in $(cd build-san && ctest -N -L "$label" | awk '/Test +#/ {print $3}'); do
    log="$LOG_DIR/$t$suffix.log"
    (cd build-san && ctest -R "^${t}\$" -V --timeout 900) >"$log" 2>&1
    rc=$?
    local before=$failed
    count_cmocka "$log"
    if [[ $rc -ne 0 && $failed -eq $before ]]; then
      failed=$((failed + 1))       # crashed or failed outside a cmocka test
    fi
    if [[ $rc -ne 0 ]]; then
      failures+=("$t$suffix"); echo "FAIL  $t$suffix (log: $log)"; grep -E '^\[  (FAILED|  ERROR) |ERROR|error:|Sanitizer' "$log" | head -20 | sed 's/^/      /'
    else
      echo "ok    $t$suffix"
    fi
    # The crash loop's counts (answered, cut off, verified), for the record.
    grep -hoE 'crash loop \[[a-z]+\]: .*' "$log" | sed 's/^/      /'
  done
}

if [[ -z "$ONLY" ]]; then
  echo "== unit tests"
  run_ctest unit
  echo "== API tests on SQLite"
  run_ctest api " [sqlite]"
fi

echo "== API tests on PostgreSQL (a throwaway cluster)"
PG_DIR=$(mktemp -d /tmp/trustdesk-pg-XXXXXX)
trap 'bash scripts/pg-cluster.sh stop "$PG_DIR"' EXIT
if PG_BASE=$(bash scripts/pg-cluster.sh start "$PG_DIR" 2>"$LOG_DIR/pg-cluster.log"); then
  echo "   cluster at ${PG_BASE}"
  TRUSTDESK_TEST_PG=$PG_BASE run_ctest api " [postgres]"
  TRUSTDESK_TEST_PG=$PG_BASE run_ctest postgres " [postgres]"
else
  failed=$((failed + 1)); failures+=("postgres-cluster")
  echo "FAIL  could not start PostgreSQL (log: $LOG_DIR/pg-cluster.log)"; tail -n 20 "$LOG_DIR/pg-cluster.log" | sed 's/^/      /'
fi

echo "== end-to-end tests (Chromium, the web app on a real server)"
E2E_LOG="$LOG_DIR/e2e.log"
if [[ -n "$ONLY" ]]; then
  echo "   left out (TEST_ONLY=$ONLY)"
elif [[ -f web/dist/index.html ]]; then
  node tests/e2e/run.mjs build/trustdesk >"$E2E_LOG" 2>&1
  e2e_rc=$?
  grep -E '^(ok|FAIL)  ' "$E2E_LOG" | sed 's/^/   /'
  grep -E '^      first screen' "$E2E_LOG" | sed 's/^ */   /'
  e2e_ok=$(grep -c '^ok    e2e:' "$E2E_LOG" || true)
  e2e_fail=$(grep -c '^FAIL  e2e:' "$E2E_LOG" || true)
  passed=$((passed + e2e_ok))
  failed=$((failed + e2e_fail))
  if [[ $e2e_fail -gt 0 ]]; then failures+=("e2e"); fi
  if [[ $e2e_rc -ne 0 && $e2e_fail -eq 0 ]]; then
    failed=$((failed + 1)); failures+=("e2e-runner"); echo "FAIL  e2e runner (log: $E2E_LOG)"; tail -n 20 "$E2E_LOG" | sed 's/^/      /'
  fi
  if [[ $e2e_rc -ne 0 ]]; then grep -A4 '^FAIL' "$E2E_LOG" | head -40 | sed 's/^/      /'; fi
else
  failed=$((failed + 1)); failures+=("e2e (no web/dist)"); echo "FAIL  e2e: the web app was not built"
fi

echo
if [[ ${#failures[@]} -gt 0 ]]; then echo "failed: ${failures[*]}"; fi
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
