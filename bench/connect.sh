#!/usr/bin/env bash
# Connection set-up rate, postmaster vs PostgreSQL 15, side by side.
#
# Each server gets a fresh data directory and a Unix socket in a temp dir;
# pgbench runs `SELECT 1` with a new connection per transaction (-C), for
# DURATION seconds with CLIENTS clients, over the Unix socket and over TCP.
# Prints connections/s for both and the ratio (postmaster / PostgreSQL).
#
# Usage: bench/connect.sh [DURATION_S=10] [CLIENTS=2]
set -euo pipefail
DURATION=${1:-10}
CLIENTS=${2:-2}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PGBIN=/usr/lib/postgresql/15/bin
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; sleep 1; rm -rf "$WORK"' EXIT
[ "$(id -u)" = 0 ] && chown -R nobody "$WORK"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi; }

cargo build --release --manifest-path "$ROOT/Cargo.toml" -q
PM_PORT=55432; PG_PORT=55433
echo 'SELECT 1;' > "$WORK/select1.sql"

"$ROOT/target/release/postmaster" -D "$WORK/pm" -p $PM_PORT -k "$WORK" -c listen_addresses=127.0.0.1 2>"$WORK/pm.log" &
as_pg "$PGBIN/initdb" -D "$WORK/pg" -U postgres -A trust >/dev/null
as_pg "$PGBIN/postgres" -D "$WORK/pg" -p $PG_PORT -k "$WORK" -c listen_addresses=127.0.0.1 -c fsync=off 2>"$WORK/pg.log" &
for i in $(seq 100); do
  [ -S "$WORK/.s.PGSQL.$PM_PORT" ] && [ -S "$WORK/.s.PGSQL.$PG_PORT" ] && break
  sleep 0.1
done

rate() { # host port
  pgbench -n -C -c "$CLIENTS" -j "$CLIENTS" -T "$DURATION" -f "$WORK/select1.sql" -h "$1" -p "$2" -U postgres postgres 2>/dev/null \
    | awk '/^tps/ {print int($3); exit}'
}
printf '%-22s %14s %14s %8s\n' "transport" "postmaster/s" "postgres15/s" "ratio"
for transport in unix tcp; do
  host=$WORK; [ $transport = tcp ] && host=127.0.0.1
  pm=$(rate "$host" $PM_PORT); pg=$(rate "$host" $PG_PORT)
  printf '%-22s %14s %14s %8s\n' "connect+SELECT 1 ($transport)" "$pm" "$pg" "$(awk -v a="$pm" -v b="$pg" 'BEGIN{printf "%.2f", a/b}')"
done
