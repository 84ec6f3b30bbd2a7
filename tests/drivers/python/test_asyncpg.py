"""asyncpg against the server: asyncpg prepares every statement and uses
binary formats for all built-in types; transactions, errors. Prints every
failed check; "OK asyncpg" when none."""

import asyncio
import json

import asyncpg

from driver_common import COLUMNS, EXPECTED, VALUES, check, check_float4, create_table, report


async def sqlstate_of(conn, sql, *args):
    try:
        await conn.execute(sql, *args)
    except asyncpg.PostgresError as e:
        return e.sqlstate
    return None


async def main():
    conn = await asyncpg.connect()
    for name in ("json", "jsonb"):
        await conn.set_type_codec(name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    check("SELECT 1", await conn.fetchval("SELECT 1"), 1)

    await conn.execute("DROP TABLE IF EXISTS drv_asyncpg")
    await conn.execute(create_table("drv_asyncpg"))
    placeholders = ", ".join(f"${i + 1}" for i in range(len(COLUMNS)))
    row_id = await conn.fetchval(
        f"INSERT INTO drv_asyncpg ({', '.join(COLUMNS)}) VALUES ({placeholders}) RETURNING id",
        *[VALUES[c] for c in COLUMNS],
    )
    check("RETURNING id", row_id, 1)
    row = await conn.fetchrow(f"SELECT {', '.join(COLUMNS)} FROM drv_asyncpg WHERE id = $1", row_id)
    for name in COLUMNS:
        value, expected = row[name], EXPECTED[name]
        if name == "f4":
            check_float4("f4", value, expected)
        else:
            check(name, value, expected)

    await conn.execute(
        "INSERT INTO drv_asyncpg (b, n, by, tz, u) VALUES ($1, $2, $3, $4, $5)",
        None, None, None, None, None,
    )
    row = await conn.fetchrow("SELECT b, n, by, tz, u FROM drv_asyncpg WHERE id = 2")
    check("NULLs", tuple(row), (None, None, None, None, None))

    # Arrays as parameters.
    check("= ANY($1)", await conn.fetchval(
        "SELECT count(*) FROM drv_asyncpg WHERE i4 = ANY($1::int4[])", [1, 2_000_000_000]), 1)

    # A prepared statement used several times, and a cursor in a transaction.
    stmt = await conn.prepare("SELECT $1::int8 * 2")
    check("prepared", [await stmt.fetchval(i) for i in (1, 2, 3)], [2, 4, 6])
    async with conn.transaction():
        got = [r[0] async for r in conn.cursor("SELECT generate_series(1, 250)", prefetch=100)]
    check("cursor rows", len(got), 250)

    await conn.execute("DROP TABLE IF EXISTS drv_asyncpg_tx")
    await conn.execute("CREATE TABLE drv_asyncpg_tx (id int PRIMARY KEY, v text)")
    try:
        async with conn.transaction():
            await conn.execute("INSERT INTO drv_asyncpg_tx VALUES ($1, $2)", 1, "rolled back")
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    async with conn.transaction():
        await conn.execute("INSERT INTO drv_asyncpg_tx VALUES ($1, $2)", 2, "committed")
    rows = [tuple(r) for r in await conn.fetch("SELECT id, v FROM drv_asyncpg_tx ORDER BY id")]
    check("transactions", rows, [(2, "committed")])

    check("duplicate key", await sqlstate_of(conn, "INSERT INTO drv_asyncpg_tx VALUES (2, 'x')"), "23505")
    check("undefined table", await sqlstate_of(conn, "SELECT * FROM no_such_table"), "42P01")
    check("syntax error", await sqlstate_of(conn, "SELEC 1"), "42601")
    tx = conn.transaction()
    await tx.start()
    check("division by zero", await sqlstate_of(conn, "SELECT 1/0"), "22012")
    check("aborted transaction", await sqlstate_of(conn, "SELECT 1"), "25P02")
    await tx.rollback()
    check("usable after errors", await conn.fetchval("SELECT 2"), 2)

    await conn.execute("DROP TABLE drv_asyncpg")
    await conn.execute("DROP TABLE drv_asyncpg_tx")
    await conn.close()

    report("asyncpg")


if __name__ == "__main__":
    asyncio.run(main())
