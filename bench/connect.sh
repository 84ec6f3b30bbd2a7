#!/usr/bin/env bash
# Connection set-up rate and memory per idle backend: postmaster in each
# launch mode (fork, exec, thread) side by side with PostgreSQL 15, plus the
# ceiling this machine and client allow (a canned responder with no backend).
#
# For every server: `pgbench -n -C -f select1.sql -c C -j min(C,2) -T DURATION`
# over TCP for C = 1 and 8 (a new connection per transaction), then PSS per
# idle backend with IDLE_CONNECTIONS connections held open by pgbench
# (a script of one `\sleep`): (PSS of all server processes with them - PSS
# without) / IDLE_CONNECTIONS. Ratios are against PostgreSQL 15 measured in
# the same run; "ceiling" is the share of the canned responder's rate.
#
# Usage: bench/connect.sh [DURATION_S=10] [IDLE_CONNECTIONS=500]
# Runs as any user; as root, PostgreSQL runs as `nobody`.
set -euo pipefail
DURATION=${1:-10}
IDLE=${2:-500}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PGBIN=/usr/lib/postgresql/15/bin
WORK=$(mktemp -d)
chmod 755 "$WORK"
[ "$(id -u)" = 0 ] && chown nobody "$WORK"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  [ -f "$WORK/pg/postmaster.pid" ] && as_pg "$PGBIN/pg_ctl" -D "$WORK/pg" -m immediate stop >/dev/null 2>&1 || true
  sleep 1
  rm -rf "$WORK"
}
trap cleanup EXIT
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi; }
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

cargo build --release --manifest-path "$ROOT/Cargo.toml" -q -p postmaster -p pm-bench-responder
PM="$ROOT/target/release/postmaster"
RESPONDER="$ROOT/target/release/canned-responder"
PORT=25432
echo 'SELECT 1;' > "$WORK/select1.sql"
printf '\\sleep %d s\n' 12 > "$WORK/idle.sql"

rate() { # port clients -> connections per second
  local jobs=$(( $2 < 2 ? $2 : 2 ))
  pgbench -n -C -c "$2" -j "$jobs" -T "$DURATION" -f "$WORK/select1.sql" \
    -h 127.0.0.1 -p "$1" -U postgres postgres 2>/dev/null | awk '/^tps/ {print int($3); exit}'
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

wait_port() { for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }

declare -A C1 C8 MEM
measure() { # name port root-pid
  C1[$1]=$(rate "$2" 1)
  C8[$1]=$(rate "$2" 8)
  MEM[$1]=$(idle_backend_pss "$2" "$3")
}

# PostgreSQL 15.
as_pg "$PGBIN/initdb" -D "$WORK/pg" -U postgres -A trust >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg.log" -w \
  -o "-p $PORT -k $WORK -c listen_addresses=127.0.0.1 -c max_connections=$((IDLE + 20))" start >/dev/null
measure postgres15 "$PORT" "$(head -1 "$WORK/pg/postmaster.pid")"
as_pg "$PGBIN/pg_ctl" -D "$WORK/pg" -m fast stop >/dev/null

# postmaster, each launch mode, on a fresh data directory.
for mode in fork exec thread; do
  PORT=$((PORT + 1))
  "$PM" -D "$WORK/pm-$mode" -p "$PORT" -k "$WORK" -c listen_addresses=127.0.0.1 \
    -c launch_mode="$mode" -c max_connections=$((IDLE + 20)) 2>"$WORK/pm-$mode.log" &
  pid=$!; PIDS+=("$pid")
  wait_port "$PORT"
  measure "$mode" "$PORT" "$pid"
  kill -INT "$pid"; wait "$pid" || true
done

# The ceiling: canned answers, no backend.
PORT=$((PORT + 1))
"$RESPONDER" "$PORT" & PIDS+=("$!")
wait_port "$PORT"
CEIL1=$(rate "$PORT" 1); CEIL8=$(rate "$PORT" 8)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; }
share() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f%%", 100 * a / b; else print "-" }'; }
echo
echo "connections/s (pgbench -C, SELECT 1, TCP, ${DURATION}s); PSS per idle backend with $IDLE connections"
printf '%-12s %9s %7s %7s | %9s %7s %7s | %10s %7s\n' server "C=1/s" "vs PG" ceiling "C=8/s" "vs PG" ceiling "PSS kB" "vs PG"
for s in postgres15 fork exec thread; do
  printf '%-12s %9s %7s %7s | %9s %7s %7s | %10s %7s\n' "$s" \
    "${C1[$s]}" "$(ratio "${C1[$s]}" "${C1[postgres15]}")" "$(share "${C1[$s]}" "$CEIL1")" \
    "${C8[$s]}" "$(ratio "${C8[$s]}" "${C8[postgres15]}")" "$(share "${C8[$s]}" "$CEIL8")" \
    "${MEM[$s]}" "$(ratio "${MEM[$s]}" "${MEM[postgres15]}")"
done
printf '%-12s %9s %7s %7s | %9s %7s %7s |\n' ceiling "$CEIL1" "$(ratio "$CEIL1" "${C1[postgres15]}")" 100% \
  "$CEIL8" "$(ratio "$CEIL8" "${C8[postgres15]}")" 100%
