#!/usr/bin/env bash
# Runs one driver's test program against the server named by PGHOST,
# PGPORT, PGUSER, PGDATABASE. Prints "OK <driver>" and exits 0 when every
# check passed. Drivers: psycopg, asyncpg, node, jdbc.
set -euo pipefail
cd "$(dirname "$0")"
case "${1:-}" in
    psycopg) exec .venv/bin/python python/test_psycopg.py ;;
    asyncpg) exec .venv/bin/python python/test_asyncpg.py ;;
    node) exec node node/test_pg.js ;;
    jdbc) exec java -cp /usr/share/java/postgresql.jar jdbc/DriverTest.java ;;
    *) echo "usage: $0 psycopg|asyncpg|node|jdbc" >&2; exit 2 ;;
esac
