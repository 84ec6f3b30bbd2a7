#!/usr/bin/env bash
# Connection set-up rate and memory per idle backend: postmaster in each
# launch mode (fork, exec, thread) side by side with PostgreSQL 15, plus the
# ceiling this machine and client allow (a canned responder with no backend).
#
# For every server: `pgbench -n -C -f select1.sql -c C -j min(C,2) -T DURATION`
# over TCP for C = 1 and 8 (a new connection per transaction; for C = 1
# also pgbench's average connection time, and p50/p99 from 2,000
# connections made one at a time by bench/storm), then PSS per
# idle backend with IDLE_CONNECTIONS connections held open by pgbench
# (a script of one `\sleep`): (PSS of all server processes with them - PSS
# without) / IDLE_CONNECTIONS. Ratios are against PostgreSQL 15 measured in
# the same run; "ceiling" is the share of the canned responder's rate.
#
# Each launch mode runs twice: without pre-launched backends
# (prelaunch_backends=0) and with POOL of them ("+pool"; PSS is not
# measured again for those).
#
# Usage: bench/connect.sh [DURATION_S=10] [IDLE_CONNECTIONS=500] [POOL=8]
# Runs as any user; as root, PostgreSQL runs as `nobody`.
set -euo pipefail
DURATION=${1:-10}
IDLE=${2:-500}
POOL=${3:-8}
source "$(dirname "$0")/common.sh"

cargo build --release --manifest-path "$ROOT/Cargo.toml" -q -p postmaster -p pm-bench-responder -p pm-bench-storm
STORM="$ROOT/target/release/connection-storm"
PM="$ROOT/target/release/postmaster"
RESPONDER="$ROOT/target/release/canned-responder"
PORT=25432
echo 'SELECT 1;' > "$WORK/select1.sql"
printf '\\sleep %d s\n' 12 > "$WORK/idle.sql"

rate() { # port clients -> "connections/s average-connection-ms"
  local jobs=$(( $2 < 2 ? $2 : 2 ))
  pgbench -n -C -c "$2" -j "$jobs" -T "$DURATION" -f "$WORK/select1.sql" \
    -h 127.0.0.1 -p "$1" -U postgres postgres 2>/dev/null |
    awk '/^average connection time/ {ms = $5} /^tps/ {tps = int($3)} END {print tps, ms}'
}

latency() { # port -> "p50 p99" of connect() to ReadyForQuery, one at a time
  "$STORM" "$1" 2000 --serial |
    awk '{for (i = 1; i <= NF; i++) {split($i, kv, "="); v[kv[1]] = kv[2]}} END {print v["p50_ms"], v["p99_ms"]}'
}

pss_kb() { # root pid -> PSS in kB of it and its children
  local total=0 p v
  for p in "$1" $(pgrep -P "$1" || true); do
    v=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
    total=$(( total + ${v:-0} ))
  done
  echo "$total"
}

idle_backend_pss() { # port root-pid -> kB per idle backend
  sleep 1
  local base with
  base=$(pss_kb "$2")
  pgbench -n -c "$IDLE" -j 2 -T 14 -f "$WORK/idle.sql" -h 127.0.0.1 -p "$1" -U postgres postgres \
    >/dev/null 2>&1 &
  local bench=$!
  sleep 7
  with=$(pss_kb "$2")
  wait "$bench" || true
  echo $(( (with - base) / IDLE ))
}


declare -A C1 C8 MEM CT P50 P99
measure() { # name port root-pid [skip-pss]
  local r
  r=$(rate "$2" 1); C1[$1]=${r% *}; CT[$1]=${r#* }
  r=$(rate "$2" 8); C8[$1]=${r% *}
  r=$(latency "$2"); P50[$1]=${r% *}; P99[$1]=${r#* }
  if [ -z "${4:-}" ]; then MEM[$1]=$(idle_backend_pss "$2" "$3"); else MEM[$1]=-; fi
}

# PostgreSQL 15.
as_pg "$PGBIN/initdb" -D "$WORK/pg" -U postgres -A trust >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg.log" -w \
  -o "-p $PORT -k $WORK -c listen_addresses=127.0.0.1 -c max_connections=$((IDLE + 20))" start >/dev/null
measure postgres15 "$PORT" "$(head -1 "$WORK/pg/postmaster.pid")"
as_pg "$PGBIN/pg_ctl" -D "$WORK/pg" -m fast stop >/dev/null

# postmaster, each launch mode, on a fresh data directory.
for run in fork exec thread fork+pool exec+pool thread+pool; do
  PORT=$((PORT + 1))
  mode=${run%+pool}
  pool=0; skip=""
  if [ "$run" != "$mode" ]; then pool=$POOL; skip=1; fi
  "$PM" -D "$WORK/pm-$run" -p "$PORT" -k "$WORK" -c listen_addresses=127.0.0.1 \
    -c launch_mode="$mode" -c prelaunch_backends="$pool" -c max_connections=$((IDLE + 20)) \
    2>"$WORK/pm-$run.log" &
  pid=$!; PIDS+=("$pid")
  wait_port "$PORT"
  sleep 0.5 # the pool fills
  measure "$run" "$PORT" "$pid" "$skip"
  kill -INT "$pid"; wait "$pid" || true
done

# The ceiling: canned answers, no backend.
PORT=$((PORT + 1))
"$RESPONDER" "$PORT" & PIDS+=("$!")
wait_port "$PORT"
r=$(rate "$PORT" 1); CEIL1=${r% *}
r=$(rate "$PORT" 8); CEIL8=${r% *}

share() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f%%", 100 * a / b; else print "-" }'; }
echo
echo "connections/s (pgbench -C, SELECT 1, TCP, ${DURATION}s); PSS per idle backend with $IDLE connections"
printf '%-12s %8s %6s %5s %8s %6s %7s %7s | %8s %6s %5s | %7s %6s\n' server "C=1/s" "vs PG" ceil \
  "conn ms" "vs PG" "p50 ms" "p99 ms" "C=8/s" "vs PG" ceil "PSS kB" "vs PG"
for s in postgres15 fork exec thread fork+pool exec+pool thread+pool; do
  printf '%-12s %8s %6s %5s %8s %6s %7s %7s | %8s %6s %5s | %7s %6s\n' "$s" \
    "${C1[$s]}" "$(ratio "${C1[$s]}" "${C1[postgres15]}")" "$(share "${C1[$s]}" "$CEIL1")" \
    "${CT[$s]}" "$(ratio "${CT[$s]}" "${CT[postgres15]}")" "${P50[$s]}" "${P99[$s]}" \
    "${C8[$s]}" "$(ratio "${C8[$s]}" "${C8[postgres15]}")" "$(share "${C8[$s]}" "$CEIL8")" \
    "${MEM[$s]}" "$(ratio "${MEM[$s]}" "${MEM[postgres15]}")"
done
printf '%-12s %8s %6s %5s %8s %6s %7s %7s | %8s %6s %5s |\n' ceiling "$CEIL1" "$(ratio "$CEIL1" "${C1[postgres15]}")" 100% \
  - - - - "$CEIL8" "$(ratio "$CEIL8" "${C8[postgres15]}")" 100%
