// node-postgres against the server: parameters of every listed type
// (sent as text, as node-postgres does), results parsed by pg-types,
// transactions, errors. Prints every failed check; "OK node" when none.
'use strict';
const { Client } = require('pg');
const assert = require('node:assert');

const failures = [];
function check(what, got, expected) {
  try {
    assert.deepStrictEqual(got, expected);
  } catch (e) {
    failures.push(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`);
  }
}

async function sqlstateOf(client, sql, params) {
  try {
    await client.query(sql, params);
  } catch (e) {
    return e.code;
  }
  return null;
}

const VALUES = {
  b: true,
  i2: -12345,
  i4: 2000000000,
  i8: '-9000000000000',
  f4: 1.5,
  f8: -2.25e-10,
  n: '12345.6789',
  t: "héllo 'world'",
  vc: 'varchar',
  c: 'ab',
  by: Buffer.from([0, 1, 2, 0xfe, 0xff]),
  d: '2024-02-29',
  tm: '13:45:07.25',
  ts: '2024-02-29 13:45:07.25',
  tz: new Date(Date.UTC(2023, 10, 14, 22, 13, 20, 123)),
  iv: '3 days 04:00:05',
  u: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  j: { k: [1, 2, 'x'] },
  jb: { a: null, b: true },
};
const EXPECTED = { ...VALUES, c: 'ab   ', tm: '13:45:07.25' };
const COLUMNS = Object.keys(VALUES);

async function main() {
  const client = new Client();
  await client.connect();
  // Dates and timestamps without zone come back as strings, compared as PostgreSQL prints them.
  const types = require('pg').types;
  for (const oid of [1082, 1114]) types.setTypeParser(oid, (v) => v);

  check('SELECT 1', (await client.query('SELECT 1 AS one')).rows[0].one, 1);

  await client.query('DROP TABLE IF EXISTS drv_node');
  await client.query(
    'CREATE TABLE drv_node (id serial PRIMARY KEY, b bool, i2 int2, i4 int4, i8 int8, ' +
      'f4 float4, f8 float8, n numeric, t text, vc varchar(20), c char(5), by bytea, ' +
      'd date, tm time, ts timestamp, tz timestamptz, iv interval, u uuid, j json, jb jsonb)',
  );
  const placeholders = COLUMNS.map((_, i) => `$${i + 1}`).join(', ');
  const inserted = await client.query(
    `INSERT INTO drv_node (${COLUMNS.join(', ')}) VALUES (${placeholders}) RETURNING id`,
    COLUMNS.map((c) => (c === 'j' || c === 'jb' ? JSON.stringify(VALUES[c]) : VALUES[c])),
  );
  check('RETURNING id', inserted.rows[0].id, 1);
  const row = (await client.query(`SELECT ${COLUMNS.join(', ')} FROM drv_node WHERE id = $1`, [1])).rows[0];
  for (const c of COLUMNS) {
    let got = row[c];
    if (c === 'iv') got = { days: got.days, hours: got.hours, seconds: got.seconds };
    if (c === 'tz') got = got.getTime();
    let expected = EXPECTED[c];
    if (c === 'tz') expected = expected.getTime();
    if (c === 'iv') expected = { days: 3, hours: 4, seconds: 5 };
    check(c, got, expected);
  }

  await client.query('INSERT INTO drv_node (b, n, by, tz, u) VALUES ($1, $2, $3, $4, $5)', [null, null, null, null, null]);
  const nulls = (await client.query('SELECT b, n, by, tz, u FROM drv_node WHERE id = 2')).rows[0];
  check('NULLs', Object.values(nulls), [null, null, null, null, null]);

  // Arrays as parameters (sent as text array literals).
  check('= ANY($1)', (await client.query('SELECT count(*)::int AS n FROM drv_node WHERE i4 = ANY($1)', [[1, 2000000000]])).rows[0].n, 1);

  // A named prepared statement reused.
  const got = [];
  for (const i of [1, 2, 3]) {
    const r = await client.query({ name: 'double', text: 'SELECT $1::int8 * 2 AS v', values: [i] });
    got.push(r.rows[0].v);
  }
  check('prepared', got, ['2', '4', '6']);

  await client.query('DROP TABLE IF EXISTS drv_node_tx');
  await client.query('CREATE TABLE drv_node_tx (id int PRIMARY KEY, v text)');
  await client.query('BEGIN');
  await client.query('INSERT INTO drv_node_tx VALUES ($1, $2)', [1, 'rolled back']);
  await client.query('ROLLBACK');
  await client.query('BEGIN');
  await client.query('INSERT INTO drv_node_tx VALUES ($1, $2)', [2, 'committed']);
  await client.query('COMMIT');
  check('transactions', (await client.query('SELECT id, v FROM drv_node_tx ORDER BY id')).rows, [{ id: 2, v: 'committed' }]);

  check('duplicate key', await sqlstateOf(client, "INSERT INTO drv_node_tx VALUES (2, 'x')"), '23505');
  check('undefined table', await sqlstateOf(client, 'SELECT * FROM no_such_table'), '42P01');
  check('syntax error', await sqlstateOf(client, 'SELEC 1'), '42601');
  await client.query('BEGIN');
  check('division by zero', await sqlstateOf(client, 'SELECT 1/0'), '22012');
  check('aborted transaction', await sqlstateOf(client, 'SELECT 1'), '25P02');
  await client.query('ROLLBACK');
  check('usable after errors', (await client.query('SELECT 2 AS v')).rows[0].v, 2);

  await client.query('DROP TABLE drv_node');
  await client.query('DROP TABLE drv_node_tx');
  await client.end();

  if (failures.length) {
    console.log(failures.join('\n'));
    process.exit(1);
  }
  console.log('OK node');
}

main().catch((e) => {
  console.log(`error: ${e.stack}`);
  process.exit(1);
});
