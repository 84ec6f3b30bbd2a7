//! The driver matrix: real client libraries against the real server, in
//! every launch mode. sqlx (its PostgreSQL driver crate, since the `sqlx`
//! facade's optional SQLite driver links a different libsqlite3) runs in-process (it uses the extended protocol
//! with binary parameters and results for every type); psycopg 3, asyncpg,
//! node-postgres and JDBC run as programs under `tests/drivers/`, each
//! checking the same things and exiting non-zero with what differed.

mod common;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use common::{Server, MODES};
use rust_decimal::Decimal;
use sqlx_core::connection::Connection;
use sqlx_core::executor::Executor;
use sqlx_core::query::query;
use sqlx_core::query_as::query_as;
use sqlx_core::query_scalar::query_scalar;
use sqlx_core::row::Row;
use sqlx_core::types::Json;
use sqlx_postgres::types::PgInterval;
use sqlx_postgres::{PgConnectOptions, PgConnection};

const CREATE: &str = "CREATE TABLE drv_sqlx (id serial PRIMARY KEY, b bool, i2 int2, i4 int4, \
    i8 int8, f4 float4, f8 float8, n numeric, t text, vc varchar(20), c char(5), by bytea, \
    d date, tm time, ts timestamp, tz timestamptz, iv interval, u uuid, j json, jb jsonb)";

fn options(server: &Server) -> PgConnectOptions {
    PgConnectOptions::new()
        .host("127.0.0.1")
        .port(server.port)
        .username("postgres")
        .database("postgres")
}

fn sqlstate(e: &sqlx_core::Error) -> String {
    e.as_database_error()
        .and_then(|d| d.code())
        .map(|c| c.into_owned())
        .unwrap_or_else(|| format!("not a database error: {e}"))
}

struct Row1 {
    b: bool,
    i2: i16,
    i4: i32,
    i8: i64,
    f4: f32,
    f8: f64,
    n: Decimal,
    t: String,
    vc: String,
    c: String,
    by: Vec<u8>,
    d: NaiveDate,
    tm: NaiveTime,
    ts: NaiveDateTime,
    tz: DateTime<Utc>,
    iv: PgInterval,
    u: uuid::Uuid,
    j: serde_json::Value,
    jb: serde_json::Value,
}

fn sample() -> Row1 {
    let d = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
    let tm = NaiveTime::from_hms_micro_opt(13, 45, 7, 250_000).unwrap();
    Row1 {
        b: true,
        i2: -12345,
        i4: 2_000_000_000,
        i8: -9_000_000_000_000,
        f4: 1.5,
        f8: -2.25e-10,
        n: "12345.6789".parse().unwrap(),
        t: "héllo 'world'".into(),
        vc: "varchar".into(),
        c: "ab   ".into(),
        by: vec![0, 1, 2, 0xfe, 0xff],
        d,
        tm,
        ts: d.and_time(tm),
        tz: DateTime::from_timestamp(1_700_000_000, 123_456_000).unwrap(),
        iv: PgInterval {
            months: 14,
            days: 3,
            microseconds: 4 * 3_600_000_000 + 5_000_000,
        },
        u: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11".parse().unwrap(),
        j: serde_json::json!({"k": [1, 2, "x"]}),
        jb: serde_json::json!({"a": null, "b": true}),
    }
}

async fn sqlx_round_trip(server: &Server) {
    let mut c = PgConnection::connect_with(&options(server))
        .await
        .unwrap_or_else(|e| panic!("{}: sqlx connect: {e}", server.mode));
    c.execute("DROP TABLE IF EXISTS drv_sqlx").await.unwrap();
    c.execute(CREATE).await.unwrap();
    let v = sample();
    let id: i32 = query_scalar(
        "INSERT INTO drv_sqlx (b, i2, i4, i8, f4, f8, n, t, vc, c, by, d, tm, ts, tz, iv, u, j, jb) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) \
         RETURNING id",
    )
    .bind(v.b)
    .bind(v.i2)
    .bind(v.i4)
    .bind(v.i8)
    .bind(v.f4)
    .bind(v.f8)
    .bind(v.n)
    .bind(&v.t)
    .bind(&v.vc)
    .bind(&v.c)
    .bind(&v.by)
    .bind(v.d)
    .bind(v.tm)
    .bind(v.ts)
    .bind(v.tz)
    .bind(v.iv)
    .bind(v.u)
    .bind(Json(&v.j))
    .bind(&v.jb)
    .fetch_one(&mut c)
    .await
    .unwrap_or_else(|e| panic!("{}: insert: {e}", server.mode));
    assert_eq!(id, 1);

    let r = query("SELECT * FROM drv_sqlx WHERE id = $1")
        .bind(id)
        .fetch_one(&mut c)
        .await
        .unwrap_or_else(|e| panic!("{}: select: {e}", server.mode));
    let m = &server.mode;
    assert_eq!(r.get::<bool, _>("b"), v.b, "{m}");
    assert_eq!(r.get::<i16, _>("i2"), v.i2, "{m}");
    assert_eq!(r.get::<i32, _>("i4"), v.i4, "{m}");
    assert_eq!(r.get::<i64, _>("i8"), v.i8, "{m}");
    assert_eq!(r.get::<f32, _>("f4"), v.f4, "{m}");
    assert_eq!(r.get::<f64, _>("f8"), v.f8, "{m}");
    assert_eq!(r.get::<Decimal, _>("n"), v.n, "{m}");
    assert_eq!(r.get::<String, _>("t"), v.t, "{m}");
    assert_eq!(r.get::<String, _>("vc"), v.vc, "{m}");
    assert_eq!(r.get::<String, _>("c"), v.c, "{m}");
    assert_eq!(r.get::<Vec<u8>, _>("by"), v.by, "{m}");
    assert_eq!(r.get::<NaiveDate, _>("d"), v.d, "{m}");
    assert_eq!(r.get::<NaiveTime, _>("tm"), v.tm, "{m}");
    assert_eq!(r.get::<NaiveDateTime, _>("ts"), v.ts, "{m}");
    assert_eq!(r.get::<DateTime<Utc>, _>("tz"), v.tz, "{m}");
    assert_eq!(r.get::<PgInterval, _>("iv"), v.iv, "{m}");
    assert_eq!(r.get::<uuid::Uuid, _>("u"), v.u, "{m}");
    assert_eq!(r.get::<Json<serde_json::Value>, _>("j").0, v.j, "{m}");
    assert_eq!(r.get::<serde_json::Value, _>("jb"), v.jb, "{m}");

    // NULLs of several types come back as NULL.
    query("INSERT INTO drv_sqlx (b, n, by, tz, u) VALUES ($1, $2, $3, $4, $5)")
        .bind(None::<bool>)
        .bind(None::<Decimal>)
        .bind(None::<Vec<u8>>)
        .bind(None::<DateTime<Utc>>)
        .bind(None::<uuid::Uuid>)
        .execute(&mut c)
        .await
        .unwrap();
    let r = query("SELECT b, n, by, tz, u FROM drv_sqlx WHERE id = 2")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(r.get::<Option<bool>, _>(0), None, "{m}");
    assert_eq!(r.get::<Option<Decimal>, _>(1), None, "{m}");
    assert_eq!(r.get::<Option<Vec<u8>>, _>(2), None, "{m}");
    assert_eq!(r.get::<Option<DateTime<Utc>>, _>(3), None, "{m}");
    assert_eq!(r.get::<Option<uuid::Uuid>, _>(4), None, "{m}");
    c.close().await.unwrap();
}

async fn sqlx_transactions_and_errors(server: &Server) {
    let m = &server.mode;
    let mut c = PgConnection::connect_with(&options(server)).await.unwrap();
    c.execute("CREATE TABLE drv_sqlx_tx (id int PRIMARY KEY, v text)")
        .await
        .unwrap();
    let mut tx = c.begin().await.unwrap();
    query("INSERT INTO drv_sqlx_tx VALUES ($1, $2)")
        .bind(1)
        .bind("rolled back")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    let mut tx = c.begin().await.unwrap();
    query("INSERT INTO drv_sqlx_tx VALUES ($1, $2)")
        .bind(2)
        .bind("committed")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let rows: Vec<(i32, String)> = query_as("SELECT id, v FROM drv_sqlx_tx ORDER BY id")
        .fetch_all(&mut c)
        .await
        .unwrap();
    assert_eq!(rows, vec![(2, "committed".to_string())], "{m}");

    let dup = query("INSERT INTO drv_sqlx_tx VALUES ($1, 'again')")
        .bind(2)
        .execute(&mut c)
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&dup), "23505", "{m}");
    let missing = query("SELECT * FROM no_such_table")
        .fetch_all(&mut c)
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&missing), "42P01", "{m}");
    let syntax = query("SELEC 1").execute(&mut c).await.unwrap_err();
    assert_eq!(sqlstate(&syntax), "42601", "{m}");

    // Inside a transaction an error aborts it: 25P02 until ROLLBACK.
    let mut tx = c.begin().await.unwrap();
    let e = query("SELECT 1/0").execute(&mut *tx).await.unwrap_err();
    assert_eq!(sqlstate(&e), "22012", "{m}");
    let e = query("SELECT 1").execute(&mut *tx).await.unwrap_err();
    assert_eq!(sqlstate(&e), "25P02", "{m}");
    tx.rollback().await.unwrap();
    let one: i32 = query_scalar("SELECT $1::int4 + 1")
        .bind(41)
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(one, 42, "{m}");
    c.close().await.unwrap();
}

#[tokio::test(flavor = "current_thread")]
async fn sqlx_types_transactions_and_errors_in_every_mode() {
    for mode in MODES {
        let server = Server::start(mode, &[]);
        sqlx_round_trip(&server).await;
        sqlx_transactions_and_errors(&server).await;
    }
}

/// `tests/drivers/` in the repository.
fn drivers_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/drivers")
}

/// Installs the Python virtualenv and node modules once (setup.sh is
/// idempotent; `.ci/run` installs the system packages it needs).
fn setup_drivers() {
    static SETUP: std::sync::Mutex<Option<Result<(), String>>> = std::sync::Mutex::new(None);
    let mut done = SETUP.lock().unwrap_or_else(|e| e.into_inner());
    let result = done.get_or_insert_with(|| {
        let out = std::process::Command::new("bash")
            .arg(drivers_dir().join("setup.sh"))
            .output()
            .map_err(|e| format!("setup.sh: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "setup.sh failed:\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// Runs one driver's program against a fresh server in every launch mode.
fn run_driver(driver: &str) {
    setup_drivers();
    for mode in MODES {
        let server = Server::start(mode, &[]);
        let out = std::process::Command::new("timeout")
            .args(["120", "bash"])
            .arg(drivers_dir().join("run.sh"))
            .arg(driver)
            .env("PGHOST", "127.0.0.1")
            .env("PGPORT", server.port.to_string())
            .env("PGUSER", "postgres")
            .env("PGDATABASE", "postgres")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains(&format!("OK {driver}")),
            "{driver} in {mode} mode:\n{stdout}{}\nserver log:\n{}",
            String::from_utf8_lossy(&out.stderr),
            server.log()
        );
    }
}

#[test]
fn psycopg_in_every_mode() {
    run_driver("psycopg");
}

#[test]
fn asyncpg_in_every_mode() {
    run_driver("asyncpg");
}

#[test]
fn node_postgres_in_every_mode() {
    run_driver("node");
}

#[test]
fn jdbc_in_every_mode() {
    run_driver("jdbc");
}
