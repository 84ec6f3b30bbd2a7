#!/usr/bin/env bash
# Query throughput side by side with PostgreSQL 15, at PostgreSQL's default
# durability on both sides (every commit durable before it is acknowledged:
# PostgreSQL with fsync + synchronous_commit on; SQLite WAL with
# synchronous=FULL).
#
# For every server, on a fresh data directory over TCP with CLIENTS clients:
#   pgbench -i -s SCALE, then (all with -n, so runs do not vacuum)
#   TPC-B (the default script), select-only (-S), and `SELECT 1` with the
#   simple and the extended protocol, DURATION seconds each.
# Prints transactions per second, failed transactions, and the ratio to
# PostgreSQL 15 measured in the same run.
#
# Usage: bench/pgbench.sh [DURATION_S=15] [SCALE=10] [CLIENTS=8]
#        MODES="fork exec thread" bench/pgbench.sh   (default: fork)
#        PM=/path/to/postmaster bench/pgbench.sh     (that binary, no build)
# Runs as any user; as root, PostgreSQL runs as `nobody`.
set -euo pipefail
DURATION=${1:-15}
SCALE=${2:-10}
CLIENTS=${3:-8}
MODES=${MODES:-fork}
source "$(dirname "$0")/common.sh"

# PM=path measures a given binary (say, an older build) without building.
if [ -z "${PM:-}" ]; then
  cargo build --release --manifest-path "$ROOT/Cargo.toml" -q -p postmaster
  PM="$ROOT/target/release/postmaster"
fi
PORT=26432
echo 'SELECT 1;' > "$WORK/select1.sql"
JOBS=$(( CLIENTS < 2 ? CLIENTS : 2 ))

declare -A TPS FAIL
run() { # name port key extra-args...
  local name=$1 port=$2 key=$3; shift 3
  local out
  out=$(pgbench -n -c "$CLIENTS" -j "$JOBS" -T "$DURATION" -h 127.0.0.1 -p "$port" -U postgres "$@" postgres 2>&1)
  TPS[$name.$key]=$(awk '/^tps/ {print int($3); exit}' <<<"$out")
  FAIL[$name.$key]=$(awk -F': ' '/^number of failed transactions/ {split($2, a, " "); print a[1]; exit}' <<<"$out")
  FAIL[$name.$key]=${FAIL[$name.$key]:-0}
}
measure() { # name port
  pgbench -i -q -s "$SCALE" -h 127.0.0.1 -p "$2" -U postgres postgres >/dev/null 2>&1
  run "$1" "$2" tpcb
  run "$1" "$2" select -S
  run "$1" "$2" one_simple -f "$WORK/select1.sql" -M simple
  run "$1" "$2" one_extended -f "$WORK/select1.sql" -M extended
}

as_pg "$PGBIN/initdb" -D "$WORK/pg" -U postgres -A trust >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg.log" -w \
  -o "-p $PORT -k $WORK -c listen_addresses=127.0.0.1" start >/dev/null
measure postgres15 "$PORT"
as_pg "$PGBIN/pg_ctl" -D "$WORK/pg" -m fast stop >/dev/null

for mode in $MODES; do
  PORT=$((PORT + 1))
  "$PM" -D "$WORK/pm-$mode" -p "$PORT" -k "$WORK" -c listen_addresses=127.0.0.1 \
    -c launch_mode="$mode" 2>"$WORK/pm-$mode.log" &
  pid=$!; PIDS+=("$pid")
  wait_port "$PORT"
  measure "$mode" "$PORT"
  kill -INT "$pid"; wait "$pid" || true
done

echo
echo "pgbench, $CLIENTS clients, scale $SCALE, ${DURATION}s each, TCP; tps (failed transactions) and ratio to PostgreSQL 15"
printf '%-12s' server
for k in tpcb select one_simple one_extended; do printf ' | %-24s' "$k"; done
echo
for s in postgres15 $MODES; do
  printf '%-12s' "$s"
  for k in tpcb select one_simple one_extended; do
    printf ' | %-24s' "${TPS[$s.$k]} (${FAIL[$s.$k]}) $(ratio "${TPS[$s.$k]}" "${TPS[postgres15.$k]}")"
  done
  echo
done
