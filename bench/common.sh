# Shared by the bench/ scripts (sourced after `set -euo pipefail`): a
# temporary work directory removed on exit, PostgreSQL 15's binaries run
# as `nobody` when we are root, postmaster children in PIDS stopped on
# exit, and small helpers.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PGBIN=/usr/lib/postgresql/15/bin
WORK=$(mktemp -d)
chmod 755 "$WORK"
[ "$(id -u)" = 0 ] && chown nobody "$WORK"
PIDS=()
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi; }
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  [ -f "$WORK/pg/postmaster.pid" ] && as_pg "$PGBIN/pg_ctl" -D "$WORK/pg" -m immediate stop >/dev/null 2>&1 || true
  sleep 1
  rm -rf "$WORK"
}
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# wait_port PORT: until something accepts on 127.0.0.1:PORT (10 s at most).
wait_port() { for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }
# ratio A B: "A/Bx", or "-" when either is missing.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "-") printf "%.2fx", a / b; else print "-" }'; }
