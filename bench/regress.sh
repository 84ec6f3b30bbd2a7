#!/usr/bin/env bash
# How often this server gives PostgreSQL 15's outcome on PostgreSQL 15's own
# regression SQL files (src/test/regress/sql), statement by statement.
#
# The files come at run time from Debian's source package postgresql-15
# (the version of the installed PostgreSQL 15 when the mirror still has it):
# deb-src lines for the machine's own Debian mirrors and suites go into an
# apt configuration of our own under the cache directory (the system's apt
# state is not touched), then `apt-get source --download-only` and
# `dpkg-source -x`; src/test/regress is kept in REGRESS_CACHE, reused by
# later runs. Nothing of PostgreSQL's is kept in this repository.
#
# Then PostgreSQL 15 (fresh initdb --no-locale -E UTF8, as `nobody` when we
# are root) and postmaster run side by side, and bench/regress/compare.py
# (psycopg 3) does, for every file: CREATE DATABASE regress_<file> on both,
# the shared setup (not counted: test_setup.sql, COPY FROM its data files
# sent from the client, and the btree indexes create_index.sql builds on its
# tables, as the schedule runs create_index before most files), then each
# statement of the file on both, split as psql splits them (meta-commands
# are skipped and not counted, but \set, \getenv, \gset, COPY ... FROM
# STDIN data and \c are honoured), one autocommit
# connection per server with psql's simple query protocol and pg_regress's
# TimeZone PST8PDT and DateStyle 'Postgres, MDY'. An outcome is the SQLSTATE
# on error, otherwise the command tag, column names, column type OIDs and
# the rows as text (in order when the statement's top level has ORDER BY or
# it is EXPLAIN/SHOW, otherwise as a sorted multiset). statement_timeout is
# TIMEOUT seconds on both, with a client-side guard (cancel at TIMEOUT + 5 s,
# then drop the connection); a dropped connection counts as an error of that
# side and is made again. Each file has a budget of FILE_BUDGET seconds; the
# statements after it count as "we error".
#
# Prints per file: statements, same, different error (we error while PG
# succeeds / we succeed while PG errors / both error with another SQLSTATE),
# silent wrong answers (both succeed, results differ), % same; and the total.
#
# Usage: bench/regress.sh [FILE...]          (default: the list below)
#   -v or VERBOSE=1   details of every statement that is not the same, one
#                     file per test in OUT (default target/regress)
#   PM=path           the postmaster binary (no build); PM=postgres compares
#                     PostgreSQL 15 with a second PostgreSQL 15 cluster
#                     (validates the comparer: 100% on the default list)
#   BUILD=0           do not run cargo even when PM is not given
#   TIMEOUT=5 FILE_BUDGET=300 REGRESS_CACHE=~/.cache/pm-regress
# Without PM: `cargo build --release -p postmaster`, then target/release/
# postmaster (target/debug/postmaster when BUILD=0 and there is no release).
# Takes about 1-2 minutes for the default list against a debug build plus
# ~30 s for the first download; at worst FILE_BUDGET per file.
# Runs as root (apt-get needs it for a first download; PostgreSQL then runs
# as `nobody`) or as any user once REGRESS_CACHE holds the files.
set -euo pipefail
VERBOSE=${VERBOSE:-0}
if [ "${1:-}" = -v ]; then VERBOSE=1; shift; fi
FILES=("$@")
[ ${#FILES[@]} -gt 0 ] || FILES=(boolean char varchar text int2 int4 int8 float4 float8 numeric
  date time timetz timestamp timestamptz interval select select_distinct select_distinct_on
  select_having select_implicit select_into insert insert_conflict update delete join aggregates
  case union subselect with limit returning namespace sequence identity prepare portals)
TIMEOUT=${TIMEOUT:-5}
FILE_BUDGET=${FILE_BUDGET:-300}
CACHE=${REGRESS_CACHE:-$HOME/.cache/pm-regress}
source "$(dirname "$0")/common.sh"
OUT=${OUT:-$ROOT/target/regress}

# --- PostgreSQL 15's regression files -------------------------------------
fetch_regress() {
  local apt=$CACHE/apt want
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$CACHE/src"
  # deb-src for every Debian `deb` source of this machine (one-line and
  # deb822 formats), with its Signed-By.
  {
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [ -f "$f" ] || continue
      awk '$1 == "deb" { $1 = "deb-src"; print }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
      [ -f "$f" ] || continue
      awk 'function flush(  n, m, i, j, u, s, opt) {
             if (types ~ /(^| )deb( |$)/ && uris != "" && suites != "") {
               opt = signed != "" ? "[signed-by=" signed "] " : ""
               n = split(uris, u, " "); m = split(suites, s, " ")
               for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) print "deb-src", opt u[i], s[j], comps
             }
             types = uris = suites = comps = signed = "" }
           /^[ \t]*$/ { flush(); next }
           /^[ \t]*#/ { next }
           { k = tolower($1); sub(/:$/, "", k); $1 = ""; sub(/^ +/, "") }
           k == "types" { types = $0 } k == "uris" { uris = $0 } k == "suites" { suites = $0 }
           k == "components" { comps = $0 } k == "signed-by" { signed = $0 }
           END { flush() }' "$f"
    done
  } | grep -E 'debian' | sort -u > "$apt/sources.list"
  [ -s "$apt/sources.list" ] || { echo "no Debian apt sources found in /etc/apt" >&2; exit 1; }
  command -v dpkg-source >/dev/null || apt-get install -y -q dpkg-dev >/dev/null
  local o=(-q -o APT::Sandbox::User=root -o Dir::Etc::SourceList="$apt/sources.list"
    -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache")
  apt-get "${o[@]}" update >/dev/null
  want=$(dpkg-query -W -f='${Version}' postgresql-15 2>/dev/null || true)
  rm -rf "$CACHE/src"/*
  # The installed version when the mirror still has it, else the newest.
  (cd "$CACHE/src" && { [ -n "$want" ] && apt-get "${o[@]}" source --download-only "postgresql-15=$want" >/dev/null 2>&1; } ||
    apt-get "${o[@]}" source --download-only postgresql-15 >/dev/null)
  (cd "$CACHE/src" && dpkg-source -q -x --skip-debianization ./postgresql-15_*.dsc pg >/dev/null 2>&1)
  rm -rf "$CACHE/regress.tmp" && mv "$CACHE/src/pg/src/test/regress" "$CACHE/regress.tmp"
  basename "$CACHE"/src/postgresql-15_*.dsc .dsc > "$CACHE/regress.tmp/VERSION"
  rm -rf "$CACHE/regress" "$CACHE/src" "$apt" && mv "$CACHE/regress.tmp" "$CACHE/regress"
}
[ -f "$CACHE/regress/sql/test_setup.sql" ] || fetch_regress
REGRESS=$CACHE/regress
echo "regression files: $(cat "$REGRESS/VERSION") ($REGRESS)"

# --- psycopg 3 ---------------------------------------------------------------
PY=
for p in python3 "$ROOT/tests/drivers/.venv/bin/python" "$CACHE/venv/bin/python"; do
  if [ -x "$(command -v "$p")" ] && "$p" -c 'import psycopg.pq' 2>/dev/null; then PY=$p; break; fi
done
if [ -z "$PY" ]; then
  rm -rf "$CACHE/venv"
  python3 -m venv "$CACHE/venv"
  "$CACHE/venv/bin/pip" install -q --disable-pip-version-check \
    "$(grep -i '^psycopg' "$ROOT/tests/drivers/python/requirements.txt" || echo 'psycopg[binary]')"
  PY=$CACHE/venv/bin/python
fi

# --- the servers -------------------------------------------------------------
free_port() { # first port from $1 on which nothing listens
  local p=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}
start_pg() { # dir port
  as_pg "$PGBIN/initdb" -D "$1" -U postgres -A trust --no-locale -E UTF8 >/dev/null
  as_pg "$PGBIN/pg_ctl" -D "$1" -l "$1.log" -w \
    -o "-p $2 -k $WORK -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
}
if [ -z "${PM:-}" ]; then
  [ "${BUILD:-1}" = 0 ] || cargo build --release --manifest-path "$ROOT/Cargo.toml" -q -p postmaster
  PM=$ROOT/target/release/postmaster
  [ -x "$PM" ] || PM=$ROOT/target/debug/postmaster
fi
PG_PORT=$(free_port 27432)
start_pg "$WORK/pg" "$PG_PORT"
PM_PORT=$(free_port $((PG_PORT + 1)))
if [ "$PM" = postgres ]; then
  NAME=postgres15-b
  start_pg "$WORK/pg2" "$PM_PORT"
  # common.sh's cleanup stops $WORK/pg only.
  trap 'as_pg "$PGBIN/pg_ctl" -D "$WORK/pg2" -m immediate stop >/dev/null 2>&1 || true; cleanup' EXIT
else
  NAME=postmaster
  [ -x "$PM" ] || { echo "no postmaster binary at $PM" >&2; exit 1; }
  # PM_OPTS: more settings for our server, e.g. "-c debug_logging=on"
  # (its log is kept as $OUT/postmaster.log when OUT is set).
  # shellcheck disable=SC2086
  "$PM" -D "$WORK/pm" -p "$PM_PORT" -k "$WORK" -c listen_addresses=127.0.0.1 ${PM_OPTS:-} 2>"$WORK/pm.log" &
  PIDS+=($!)
  wait_port "$PM_PORT" || { echo "postmaster did not start:" >&2; cat "$WORK/pm.log" >&2; exit 1; }
fi
echo "PostgreSQL 15 on port $PG_PORT, $NAME ($PM) on port $PM_PORT"
echo

ARGS=(--sql-dir "$REGRESS/sql" --data-dir "$REGRESS/data" --a "127.0.0.1:$PG_PORT" --b "127.0.0.1:$PM_PORT"
  --b-name "$NAME" --timeout "$TIMEOUT" --file-budget "$FILE_BUDGET")
[ "$VERBOSE" = 1 ] && ARGS+=(--out "$OUT")
"$PY" "$ROOT/bench/regress/compare.py" "${ARGS[@]}" "${FILES[@]}"
[ "$VERBOSE" = 1 ] && echo "details: $OUT/<file>.txt"
[ "$VERBOSE" = 1 ] && [ -f "$WORK/pm.log" ] && cp "$WORK/pm.log" "$OUT/postmaster.log"
true
