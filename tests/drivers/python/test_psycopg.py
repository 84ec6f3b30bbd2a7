"""psycopg 3 against the server: types (text and binary parameters),
transactions, errors. Prints every failed check; "OK psycopg" when none."""

import datetime as dt
import decimal
import sys
import uuid

import psycopg
from psycopg.types.json import Json, Jsonb

failures = []


def check(what, got, expected):
    if got != expected:
        failures.append(f"{what}: expected {expected!r}, got {got!r}")


def sqlstate_of(conn, sql, params=None):
    try:
        conn.execute(sql, params)
    except psycopg.Error as e:
        return e.sqlstate
    return None


VALUES = {
    "b": True,
    "i2": -12345,
    "i4": 2_000_000_000,
    "i8": -9_000_000_000_000,
    "f4": 1.5,
    "f8": -2.25e-10,
    "n": decimal.Decimal("12345.6789"),
    "t": "héllo 'world'",
    "vc": "varchar",
    "c": "ab",
    "by": b"\x00\x01\x02\xfe\xff",
    "d": dt.date(2024, 2, 29),
    "tm": dt.time(13, 45, 7, 250000),
    "ts": dt.datetime(2024, 2, 29, 13, 45, 7, 250000),
    "tz": dt.datetime(2023, 11, 14, 22, 13, 20, 123456, tzinfo=dt.timezone.utc),
    "iv": dt.timedelta(days=3, hours=4, seconds=5),
    "u": uuid.UUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
    "j": {"k": [1, 2, "x"]},
    "jb": {"a": None, "b": True},
}
EXPECTED = dict(VALUES, c="ab   ")
COLUMNS = list(VALUES)


def round_trip(conn, binary):
    table = "drv_psycopg_bin" if binary else "drv_psycopg"
    conn.execute(f"DROP TABLE IF EXISTS {table}")
    conn.execute(
        f"CREATE TABLE {table} (id serial PRIMARY KEY, b bool, i2 int2, i4 int4, i8 int8, "
        "f4 float4, f8 float8, n numeric, t text, vc varchar(20), c char(5), by bytea, "
        "d date, tm time, ts timestamp, tz timestamptz, iv interval, u uuid, j json, jb jsonb)"
    )
    params = dict(VALUES, j=Json(VALUES["j"]), jb=Jsonb(VALUES["jb"]))
    placeholders = ", ".join(("%b" if binary else "%s") for _ in COLUMNS)
    cur = conn.execute(
        f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({placeholders}) RETURNING id",
        [params[c] for c in COLUMNS],
    )
    row_id = cur.fetchone()[0]
    check(f"{table} RETURNING id", row_id, 1)
    cur = conn.cursor(binary=binary)
    cur.execute(f"SELECT {', '.join(COLUMNS)} FROM {table} WHERE id = %s", [row_id])
    row = cur.fetchone()
    for name, value in zip(COLUMNS, row):
        expected = EXPECTED[name]
        if name == "f4":
            if not isinstance(value, float) or abs(value - expected) > 1e-6:
                failures.append(f"{table}.f4: expected {expected!r}, got {value!r}")
        elif name == "by":
            check(f"{table}.by", bytes(value) if value is not None else None, expected)
        else:
            check(f"{table}.{name}", value, expected)
    conn.execute(f"INSERT INTO {table} (b, n, by, tz, u) VALUES (%s, %s, %s, %s, %s)",
                 [None, None, None, None, None])
    cur = conn.execute(f"SELECT b, n, by, tz, u FROM {table} WHERE id = 2")
    check(f"{table} NULLs", cur.fetchone(), (None, None, None, None, None))


def main():
    with psycopg.connect(autocommit=True) as conn:
        check("SELECT 1", conn.execute("SELECT 1").fetchone()[0], 1)
        version = conn.execute("SHOW server_version").fetchone()[0]
        if not version[:1].isdigit():
            failures.append(f"server_version: {version!r}")
        round_trip(conn, binary=False)
        round_trip(conn, binary=True)

        # Arrays as parameters: = ANY(%s) with a list.
        cur = conn.execute("SELECT count(*) FROM drv_psycopg WHERE i4 = ANY(%s)", [[1, 2_000_000_000]])
        check("= ANY(list)", cur.fetchone()[0], 1)

        conn.execute("DROP TABLE IF EXISTS drv_psycopg_tx")
        conn.execute("CREATE TABLE drv_psycopg_tx (id int PRIMARY KEY, v text)")
        try:
            with conn.transaction():
                conn.execute("INSERT INTO drv_psycopg_tx VALUES (%s, %s)", [1, "rolled back"])
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        with conn.transaction():
            conn.execute("INSERT INTO drv_psycopg_tx VALUES (%s, %s)", [2, "committed"])
        rows = conn.execute("SELECT id, v FROM drv_psycopg_tx ORDER BY id").fetchall()
        check("transactions", rows, [(2, "committed")])

        check("duplicate key", sqlstate_of(conn, "INSERT INTO drv_psycopg_tx VALUES (2, 'x')"), "23505")
        check("undefined table", sqlstate_of(conn, "SELECT * FROM no_such_table"), "42P01")
        check("syntax error", sqlstate_of(conn, "SELEC 1"), "42601")
        check("usable after errors", conn.execute("SELECT 2").fetchone()[0], 2)

    with psycopg.connect() as conn:  # not autocommit: a transaction is open
        check("division by zero", sqlstate_of(conn, "SELECT 1/0"), "22012")
        check("aborted transaction", sqlstate_of(conn, "SELECT 1"), "25P02")
        conn.rollback()
        check("after rollback", conn.execute("SELECT 3").fetchone()[0], 3)
        conn.rollback()

    with psycopg.connect(autocommit=True) as conn:
        for table in ["drv_psycopg", "drv_psycopg_bin", "drv_psycopg_tx"]:
            conn.execute(f"DROP TABLE {table}")

    if failures:
        print("\n".join(failures))
        sys.exit(1)
    print("OK psycopg")


if __name__ == "__main__":
    main()
