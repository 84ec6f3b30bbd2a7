#!/usr/bin/env bash
# Connection storm: COUNT connections opened as close to simultaneously as
# the load driver (bench/storm, COUNT threads behind a barrier) can, each
# running SELECT 1 once, against PostgreSQL 15 and against postmaster in
# each launch mode, without and with pre-launched backends. Reports p50 /
# p99 / max time from connect() to the first ReadyForQuery, the total
# time, failures, and the supervisor's CPU seconds during the storm; p99
# is also given as a ratio to PostgreSQL's in the same run.
#
# max_connections is COUNT + 100 everywhere, so nothing is refused; the
# listen backlog is each server's own (PostgreSQL: 2 x max_connections,
# capped by net.core.somaxconn; postmaster: the same rule).
#
# Usage: bench/storm.sh [COUNT=1000] [POOL=16] [ROUNDS=3]
# ROUNDS storms per server; the figures are those of the median round by p99.
set -euo pipefail
COUNT=${1:-1000}
POOL=${2:-16}
ROUNDS=${3:-3}
source "$(dirname "$0")/common.sh"
ulimit -u unlimited 2>/dev/null || true

cargo build --release --manifest-path "$ROOT/Cargo.toml" -q -p postmaster -p pm-bench-storm
PM="$ROOT/target/release/postmaster"
STORM="$ROOT/target/release/connection-storm"
PORT=26432
MAXCONN=$((COUNT + 100))

declare -A RESULT
storm() { # name port pid
  local lines=() i
  for i in $(seq "$ROUNDS"); do
    lines+=("$("$STORM" "$2" "$COUNT" --pid "$3")")
    sleep 2 # backends of the last round exit
  done
  # The median round by p99.
  RESULT[$1]=$(printf '%s\n' "${lines[@]}" |
    awk '{for (i = 1; i <= NF; i++) {split($i, kv, "="); if (kv[1] == "p99_ms") print kv[2], $0}}' |
    sort -n | awk -v n="$ROUNDS" 'NR == int((n + 1) / 2) {$1 = ""; print substr($0, 2)}')
}

as_pg "$PGBIN/initdb" -D "$WORK/pg" -U postgres -A trust >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg.log" -w \
  -o "-p $PORT -k $WORK -c listen_addresses=127.0.0.1 -c max_connections=$MAXCONN" start >/dev/null
storm postgres15 "$PORT" "$(head -1 "$WORK/pg/postmaster.pid")"
as_pg "$PGBIN/pg_ctl" -D "$WORK/pg" -m fast stop >/dev/null

RUNS=(fork exec thread fork+pool exec+pool thread+pool)
for run in "${RUNS[@]}"; do
  PORT=$((PORT + 1))
  mode=${run%+pool}
  pool=0
  [ "$run" != "$mode" ] && pool=$POOL
  "$PM" -D "$WORK/pm-$run" -p "$PORT" -k "$WORK" -c listen_addresses=127.0.0.1 \
    -c launch_mode="$mode" -c prelaunch_backends="$pool" -c max_connections="$MAXCONN" \
    2>"$WORK/pm-$run.log" &
  pid=$!; PIDS+=("$pid")
  wait_port "$PORT"
  sleep 1 # the pool fills
  storm "$run" "$PORT" "$pid"
  kill -INT "$pid"; wait "$pid" || true
done

field() { echo "$1" | awk -v k="$2" '{for (i = 1; i <= NF; i++) {split($i, kv, "="); if (kv[1] == k) print kv[2]}}'; }
echo
echo "connection storm: $COUNT simultaneous connections, SELECT 1 each (median of $ROUNDS rounds by p99; pool = $POOL)"
printf '%-12s %6s %6s %9s %9s %9s %8s %8s %9s\n' server ok failed "p50 ms" "p99 ms" "max ms" "total s" "sup CPU" "p99 vs PG"
P99PG=$(field "${RESULT[postgres15]}" p99_ms)
for s in postgres15 "${RUNS[@]}"; do
  r=${RESULT[$s]}
  printf '%-12s %6s %6s %9s %9s %9s %8s %8s %9s\n' "$s" "$(field "$r" ok)" "$(field "$r" failed)" \
    "$(field "$r" p50_ms)" "$(field "$r" p99_ms)" "$(field "$r" max_ms)" "$(field "$r" total_s)" \
    "$(field "$r" supervisor_cpu_s)" "$(ratio "$(field "$r" p99_ms)" "$P99PG")"
done
