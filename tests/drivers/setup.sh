#!/usr/bin/env bash
# Installs what the driver tests need, once: a Python virtualenv with
# psycopg 3 and asyncpg, node-postgres from the lock file, and checks for
# the PostgreSQL JDBC driver (Debian's libpostgresql-jdbc-java). Idempotent.
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import psycopg, asyncpg' 2>/dev/null; then
    rm -rf .venv
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check -r python/requirements.txt
fi
if [ ! -d node/node_modules/pg ]; then
    (cd node && npm ci --silent --no-audit --no-fund)
fi
if [ ! -f /usr/share/java/postgresql.jar ]; then
    echo "missing /usr/share/java/postgresql.jar (apt-get install libpostgresql-jdbc-java)" >&2
    exit 1
fi
command -v java >/dev/null || { echo "missing java" >&2; exit 1; }
