"""psycopg 3 against the server: types (text and binary parameters),
transactions, errors. Prints every failed check; "OK psycopg" when none."""

import psycopg
from psycopg.types.json import Json, Jsonb

from driver_common import COLUMNS, EXPECTED, VALUES, check, check_float4, create_table, report


def sqlstate_of(conn, sql, params=None):
    try:
        conn.execute(sql, params)
    except psycopg.Error as e:
        return e.sqlstate
    return None


def round_trip(conn, binary):
    table = "drv_psycopg_bin" if binary else "drv_psycopg"
    conn.execute(f"DROP TABLE IF EXISTS {table}")
    conn.execute(create_table(table))
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
            check_float4(f"{table}.f4", value, expected)
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
        check(f"server_version {version!r} starts with a digit", version[:1].isdigit(), True)
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

    report("psycopg")


if __name__ == "__main__":
    main()
