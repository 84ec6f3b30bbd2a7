//! Real client programs and the statements they send: pgbench's
//! initialisation and runs, COPY through tokio-postgres and psql, and the
//! utility statements (DROP of several tables, TRUNCATE, VACUUM, ALTER
//! TABLE ... ADD constraint), in every launch mode.

mod common;

use std::process::Command;

use bytes::Bytes;
use common::{scalar, sqlstate, Server, MODES};
use futures_util::{SinkExt, StreamExt};

/// Runs pgbench against `server` with `args`; panics unless it succeeds.
fn pgbench(server: &Server, args: &[&str]) -> String {
    let out = Command::new("pgbench")
        .args(["-h"])
        .arg(&server.dir)
        .args(["-p", &server.port.to_string(), "-U", "postgres"])
        .args(args)
        .arg("postgres")
        .output()
        .expect("run pgbench");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "pgbench {args:?} failed:\n{text}");
    text
}

fn processed(report: &str) -> u64 {
    report
        .lines()
        .find_map(|l| l.strip_prefix("number of transactions actually processed: "))
        .and_then(|n| n.split('/').next()?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no transaction count in:\n{report}"))
}

#[tokio::test]
async fn pgbench_initializes_and_runs_every_query_mode_without_failures() {
    for mode in MODES {
        let server = Server::start(mode, &["max_connections=20"]);
        let init = pgbench(&server, &["-i", "-s", "2"]);
        assert!(init.contains("done in"), "{mode}: {init}");
        let c = server.connect().await;
        assert_eq!(
            scalar::<i64>(&c, "SELECT count(*) FROM pgbench_accounts").await,
            200_000
        );
        let mut history = 0;
        for args in [
            &["-c", "8", "-j", "2", "-T", "3", "-n"][..],
            &["-c", "8", "-j", "2", "-T", "2", "-n", "-S"],
            &["-c", "8", "-j", "2", "-T", "3", "-n", "-M", "extended"],
            &["-c", "8", "-j", "2", "-T", "3", "-n", "-M", "prepared"],
        ] {
            let report = pgbench(&server, args);
            assert!(
                report.contains("number of failed transactions: 0 (0.000%)"),
                "{mode} {args:?}:\n{report}"
            );
            let n = processed(&report);
            assert!(n > 0, "{mode} {args:?}: nothing processed");
            if !args.contains(&"-S") {
                history += n;
            }
        }
        // TPC-B's invariant: every delta went to one account, teller and branch.
        let mut sums = Vec::new();
        for q in [
            "SELECT sum(abalance) FROM pgbench_accounts",
            "SELECT sum(bbalance) FROM pgbench_branches",
            "SELECT sum(tbalance) FROM pgbench_tellers",
            "SELECT coalesce(sum(delta), 0) FROM pgbench_history",
        ] {
            sums.push(scalar::<i64>(&c, q).await);
        }
        assert!(sums.iter().all(|s| *s == sums[0]), "{mode}: {sums:?}");
        assert_eq!(
            scalar::<i64>(&c, "SELECT count(*) FROM pgbench_history").await as u64,
            history,
            "{mode}: one history row per acknowledged transaction"
        );
    }
}

/// COPY FROM stores what INSERT would: each type's input function and the
/// column's typmod (answers from PostgreSQL 15).
#[tokio::test]
async fn copy_from_applies_input_functions_and_typmods() {
    async fn copy(
        c: &tokio_postgres::Client,
        data: &'static [u8],
    ) -> Result<u64, tokio_postgres::Error> {
        let sink = c.copy_in("COPY tc FROM STDIN").await?;
        futures_util::pin_mut!(sink);
        sink.send(Bytes::from_static(data)).await?;
        sink.finish().await
    }
    for mode in MODES {
        let server = Server::start(mode, &[]);
        let c = server.connect().await;
        c.batch_execute("CREATE TABLE tc (x float4, n numeric(5,2), v varchar(3), d date)")
            .await
            .unwrap();
        assert_eq!(
            copy(&c, b"107.9\t1.005\tab\t0099-01-08 BC\n")
                .await
                .unwrap(),
            1,
            "{mode}"
        );
        let row = c
            .query_one("SELECT x::float8::text, n::text, v, d::text FROM tc", &[])
            .await
            .unwrap();
        let got: (String, String, String, String) =
            (row.get(0), row.get(1), row.get(2), row.get(3));
        assert_eq!(
            got,
            (
                "107.9000015258789".into(),
                "1.01".into(),
                "ab".into(),
                "0099-01-08 BC".into()
            ),
            "{mode}"
        );
        let e = copy(&c, b"1\t1\tabcd\t2000-01-01\n").await.unwrap_err();
        assert_eq!(sqlstate(&e), "22001", "{mode}: varchar(3) overflow");
        let e = copy(&c, b"1e40\t1\tab\t2000-01-01\n").await.unwrap_err();
        assert_eq!(sqlstate(&e), "22003", "{mode}: float4 overflow");
        let e = copy(&c, b"1\t1234.5\tab\t2000-01-01\n").await.unwrap_err();
        assert_eq!(sqlstate(&e), "22003", "{mode}: numeric(5,2) overflow");
        assert_eq!(
            scalar::<i64>(&c, "SELECT count(*) FROM tc").await,
            1,
            "{mode}"
        );
    }
}

#[tokio::test]
async fn copy_from_stdin_and_to_stdout() {
    for mode in MODES {
        let server = Server::start(mode, &[]);
        let c = server.connect().await;
        c.batch_execute("CREATE TABLE t (a int, b text, c boolean, d numeric)")
            .await
            .unwrap();

        // tokio-postgres sends COPY through the extended protocol.
        let sink = c.copy_in("COPY t FROM STDIN").await.unwrap();
        futures_util::pin_mut!(sink);
        sink.send(Bytes::from_static(b"1\tone\tt\t1.5\n2\ttab\\there\tf\t"))
            .await
            .unwrap();
        sink.send(Bytes::from_static(b"\\N\n3\t\\N\ttrue\t-2\n"))
            .await
            .unwrap();
        assert_eq!(sink.finish().await.unwrap(), 3, "{mode}");
        let rows = c
            .query("SELECT a, b, c FROM t ORDER BY a", &[])
            .await
            .unwrap();
        let got: Vec<(i32, Option<String>, bool)> = rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
        assert_eq!(
            got,
            [
                (1, Some("one".into()), true),
                (2, Some("tab\there".into()), false),
                (3, None, true)
            ],
            "{mode}"
        );

        // Out again, text and CSV.
        let stream = c
            .copy_out("COPY (SELECT a, b, c FROM t ORDER BY a) TO STDOUT")
            .await
            .unwrap();
        let chunks: Vec<Bytes> = stream.map(|r| r.unwrap()).collect().await;
        assert_eq!(chunks.concat(), b"1\tone\tt\n2\ttab\\there\tf\n3\t\\N\tt\n");
        let stream = c
            .copy_out("COPY t (a, b) TO STDOUT WITH (FORMAT csv, HEADER)")
            .await
            .unwrap();
        let chunks: Vec<Bytes> = stream.map(|r| r.unwrap()).collect().await;
        let csv = String::from_utf8(chunks.concat()).unwrap();
        assert_eq!(csv, "a,b\n1,one\n2,tab\there\n3,\n", "{mode}");

        // A bad row names its line and column; nothing of that COPY stays.
        let sink = c.copy_in("COPY t (a, b) FROM STDIN").await.unwrap();
        futures_util::pin_mut!(sink);
        sink.send(Bytes::from_static(b"10\tx\nnot a number\ty\n"))
            .await
            .unwrap();
        let e = sink.finish().await.unwrap_err();
        let db = e.as_db_error().expect("server error");
        assert_eq!(db.code().code(), "22P02", "{mode}");
        assert_eq!(
            db.message(),
            "invalid input syntax for type integer: \"not a number\""
        );
        assert_eq!(
            db.where_(),
            Some("COPY t, line 2, column a: \"not a number\"")
        );
        assert_eq!(scalar::<i64>(&c, "SELECT count(*) FROM t").await, 3);

        // psql: \copy with CSV from a file, and COPY FROM STDIN in a script.
        let file = server.dir.join("in.csv");
        std::fs::write(&file, "a,b\n20,\"quoted, with comma\"\n21,\"two\nlines\"\n").unwrap();
        let (status, out, err) = server.psql(&[
            "-d",
            "postgres",
            "-c",
            &format!(
                "\\copy t (a, b) from '{}' with (format csv, header)",
                file.display()
            ),
        ]);
        assert!(status.success(), "{mode}: {err}");
        assert_eq!(out.trim(), "COPY 2");
        assert_eq!(
            scalar::<String>(&c, "SELECT b FROM t WHERE a = 21").await,
            "two\nlines"
        );
        let (status, _, err) = server.psql(&["-d", "postgres", "-c", "COPY t (a, b) FROM STDIN"]);
        // Without input on stdin psql ends the COPY at once: zero rows.
        assert!(status.success(), "{mode}: {err}");
        let e = c
            .batch_execute("COPY t (a, b) FROM STDIN WITH (FORMAT binary)")
            .await;
        assert_eq!(sqlstate(&e.unwrap_err()), "0A000");
        let e = c.batch_execute("COPY nosuch FROM STDIN").await;
        assert_eq!(sqlstate(&e.unwrap_err()), "42P01");
        let e = c.batch_execute("COPY t (a, zz) TO STDOUT").await;
        assert_eq!(sqlstate(&e.unwrap_err()), "42703");
        server.assert_serving().await;
    }
}

#[tokio::test]
async fn utility_statements_as_postgresql_runs_them() {
    for mode in MODES {
        let server = Server::start(mode, &[]);
        let c = server.connect().await;
        c.batch_execute(
            "CREATE TABLE a (x int); CREATE TABLE b (y int); \
             INSERT INTO a VALUES (1), (2); INSERT INTO b VALUES (3);",
        )
        .await
        .unwrap();

        // TRUNCATE of several tables, then DROP of several, one missing.
        c.batch_execute("TRUNCATE a, b").await.unwrap();
        assert_eq!(scalar::<i64>(&c, "SELECT count(*) FROM a").await, 0);
        let (status, _, err) =
            server.psql(&["-d", "postgres", "-c", "DROP TABLE IF EXISTS a, nosuch, b"]);
        assert!(status.success());
        assert!(
            err.contains("NOTICE:  table \"nosuch\" does not exist, skipping"),
            "{mode}: {err}"
        );
        let e = c.batch_execute("DROP TABLE a").await.unwrap_err();
        assert_eq!(sqlstate(&e), "42P01");
        assert_eq!(
            e.as_db_error().unwrap().message(),
            "table \"a\" does not exist"
        );

        // VACUUM: not in a transaction block; ANALYZE fine anywhere.
        c.batch_execute("CREATE TABLE p (id int, v text)")
            .await
            .unwrap();
        c.batch_execute("VACUUM ANALYZE p").await.unwrap();
        c.batch_execute("VACUUM (FULL, ANALYZE)").await.unwrap();
        let e = c
            .batch_execute("BEGIN; VACUUM p; COMMIT")
            .await
            .unwrap_err();
        assert_eq!(sqlstate(&e), "25001");
        c.batch_execute("ROLLBACK").await.unwrap();
        let e = c.batch_execute("VACUUM nosuch").await.unwrap_err();
        assert_eq!(sqlstate(&e), "42P01");

        // ADD PRIMARY KEY, FOREIGN KEY, CHECK on existing tables.
        c.batch_execute("INSERT INTO p VALUES (1, 'one'), (2, 'two')")
            .await
            .unwrap();
        c.batch_execute("ALTER TABLE p ADD PRIMARY KEY (id)")
            .await
            .unwrap();
        let e = c
            .batch_execute("INSERT INTO p VALUES (1, 'again')")
            .await
            .unwrap_err();
        assert_eq!(sqlstate(&e), "23505", "{mode}");
        let e = c
            .batch_execute("ALTER TABLE p ADD PRIMARY KEY (v)")
            .await
            .unwrap_err();
        assert_eq!(sqlstate(&e), "42P16");
        c.batch_execute("CREATE TABLE ch (id int, p_id int); INSERT INTO ch VALUES (1, 2)")
            .await
            .unwrap();
        c.batch_execute(
            "ALTER TABLE ch ADD CONSTRAINT ch_p_fkey FOREIGN KEY (p_id) REFERENCES p (id)",
        )
        .await
        .unwrap();
        let e = c
            .batch_execute("INSERT INTO ch VALUES (2, 99)")
            .await
            .unwrap_err();
        assert_eq!(sqlstate(&e), "23503", "{mode}");
        c.batch_execute("INSERT INTO ch VALUES (3, 77)")
            .await
            .expect_err("still enforced on the next statement");
        // A constraint that existing rows break is refused and not added.
        c.batch_execute("CREATE TABLE q (n int); INSERT INTO q VALUES (-1)")
            .await
            .unwrap();
        let e = c
            .batch_execute("ALTER TABLE q ADD CONSTRAINT q_pos CHECK (n > 0)")
            .await
            .unwrap_err();
        assert_eq!(sqlstate(&e), "23514");
        assert_eq!(
            e.as_db_error().unwrap().message(),
            "check constraint \"q_pos\" of relation \"q\" is violated by some row"
        );
        c.batch_execute("INSERT INTO q VALUES (-2)").await.unwrap();
        c.batch_execute("DELETE FROM q; ALTER TABLE q ADD CONSTRAINT q_pos CHECK (n > 0)")
            .await
            .unwrap();
        let e = c
            .batch_execute("INSERT INTO q VALUES (-3)")
            .await
            .unwrap_err();
        assert_eq!(sqlstate(&e), "23514");
        server.assert_serving().await;
    }
}

#[tokio::test]
async fn create_and_drop_database() {
    for mode in MODES {
        let server = Server::start(mode, &[]);
        let c = server.connect().await;
        c.batch_execute("CREATE DATABASE shop").await.unwrap();
        let e = c.batch_execute("CREATE DATABASE shop").await.unwrap_err();
        assert_eq!(sqlstate(&e), "42P04", "{mode}");
        let e = c
            .batch_execute("BEGIN; CREATE DATABASE other")
            .await
            .unwrap_err();
        assert_eq!(sqlstate(&e), "25001");
        c.batch_execute("ROLLBACK").await.unwrap();

        // A database of its own: tables there are not in postgres.
        let (shop, conn) = server
            .config("shop")
            .connect(tokio_postgres::NoTls)
            .await
            .unwrap();
        let shop_conn = tokio::spawn(conn);
        shop.batch_execute("CREATE TABLE orders (id int); INSERT INTO orders VALUES (1)")
            .await
            .unwrap();
        let e = c.batch_execute("SELECT * FROM orders").await.unwrap_err();
        assert_eq!(sqlstate(&e), "42P01");

        // In use: refused with PostgreSQL's detail; FORCE ends the session.
        let e = c.batch_execute("DROP DATABASE shop").await.unwrap_err();
        assert_eq!(sqlstate(&e), "55006", "{mode}");
        let db = e.as_db_error().unwrap();
        assert_eq!(
            db.message(),
            "database \"shop\" is being accessed by other users"
        );
        assert_eq!(
            db.detail(),
            Some("There is 1 other session using the database.")
        );
        let e = shop.batch_execute("DROP DATABASE shop").await.unwrap_err();
        assert_eq!(
            e.as_db_error().unwrap().message(),
            "cannot drop the currently open database"
        );
        c.batch_execute("DROP DATABASE shop WITH (FORCE)")
            .await
            .unwrap();
        let gone = shop.batch_execute("SELECT 1").await.unwrap_err();
        assert!(
            gone.is_closed() || sqlstate(&gone) == "57P01",
            "{mode}: {gone:?}"
        );
        let _ = shop_conn.await;
        let Err(e) = server.config("shop").connect(tokio_postgres::NoTls).await else {
            panic!("{mode}: connected to a dropped database");
        };
        assert_eq!(sqlstate(&e), "3D000", "{mode}");
        let e = c.batch_execute("DROP DATABASE shop").await.unwrap_err();
        assert_eq!(sqlstate(&e), "3D000");
        c.batch_execute("DROP DATABASE IF EXISTS shop")
            .await
            .unwrap();
        // The name can be used again, and the new database starts empty.
        c.batch_execute("CREATE DATABASE shop").await.unwrap();
        let (shop, conn) = server
            .config("shop")
            .connect(tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        let e = shop
            .batch_execute("SELECT * FROM orders")
            .await
            .unwrap_err();
        assert_eq!(sqlstate(&e), "42P01", "{mode}");
        let base: Vec<_> = std::fs::read_dir(server.data_dir().join("base"))
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.path().extension().is_some_and(|x| x == "db"))
            .collect();
        assert_eq!(base.len(), 2, "{mode}: the dropped database's file is gone");
    }
}

/// psql's describe commands read the emulated pg_catalog; their output is
/// compared with `expected/psql_meta.out`, which is what PostgreSQL 15's
/// psql prints for this schema except: no sequence for `serial` (so no
/// `nextval(...)` default), no template databases, collation `C`, and
/// CHECK expressions without PostgreSQL's added casts.
#[tokio::test]
async fn psql_meta_commands_print_what_postgresql_prints() {
    let expected = include_str!("expected/psql_meta.out");
    for mode in MODES {
        let server = Server::start(mode, &[]);
        let (status, _, err) = server.psql(&[
            "-d",
            "postgres",
            "-q",
            "-c",
            "CREATE TABLE items (id serial primary key, name varchar(40) not null, \
             price numeric, created timestamp default now()); \
             CREATE INDEX items_name_idx ON items (name); \
             CREATE TABLE tags (item_id int references items(id) on delete cascade, \
             tag text not null default 'new' CHECK (tag <> ''), UNIQUE (item_id, tag)); \
             CREATE VIEW cheap AS SELECT * FROM items WHERE price < 10;",
        ]);
        assert!(status.success(), "{mode}: {err}");
        let mut got = String::new();
        for meta in [
            "\\d",
            "\\dt",
            "\\di",
            "\\dv",
            "\\l",
            "\\du",
            "\\d items",
            "\\d+ items",
            "\\d tags",
            "\\d cheap",
        ] {
            let (status, out, err) = server.psql(&["-d", "postgres", "-c", meta]);
            assert!(status.success(), "{mode} {meta}: {err}");
            got.push_str(&format!("=== {meta}\n{out}{err}"));
        }
        assert_eq!(got, expected, "{mode}");

        // information_schema and pg_type as drivers and tools query them.
        let c = server.connect().await;
        let rows = c
            .query(
                "SELECT column_name, data_type, character_maximum_length, is_nullable \
                 FROM information_schema.columns WHERE table_name = 'items' \
                 ORDER BY ordinal_position",
                &[],
            )
            .await
            .unwrap();
        let cols: Vec<(String, String, Option<i32>, String)> = rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
            .collect();
        assert_eq!(
            cols,
            [
                ("id".into(), "integer".into(), None, "NO".into()),
                (
                    "name".into(),
                    "character varying".into(),
                    Some(40),
                    "NO".into()
                ),
                ("price".into(), "numeric".into(), None, "YES".into()),
                (
                    "created".into(),
                    "timestamp without time zone".into(),
                    None,
                    "YES".into()
                ),
            ],
            "{mode}"
        );
        let oid: u32 = c
            .query_one(
                "SELECT oid FROM pg_catalog.pg_type WHERE typname = $1",
                &[&"_int4"],
            )
            .await
            .unwrap()
            .get(0);
        assert_eq!(oid, 1007);
        let e = c.batch_execute("SELECT 'a' ~ '('").await.unwrap_err();
        assert_eq!(sqlstate(&e), "2201B", "{mode}");
    }
}

/// The emulated catalogs are created on first use in a session; created
/// inside a transaction block that rolls back, they are gone with it and
/// must be created again (once made in autocommit they are remembered).
#[tokio::test]
async fn catalog_views_survive_a_rollback_of_the_block_that_created_them() {
    for mode in MODES {
        let server = Server::start(mode, &[]);
        let c = server.connect().await;
        c.batch_execute("CREATE TABLE kept (n int)").await.unwrap();
        let count = "SELECT count(*) FROM pg_catalog.pg_class WHERE relname = 'kept'";
        c.batch_execute("BEGIN").await.unwrap();
        let n: i64 = scalar(&c, count).await;
        assert_eq!(n, 1, "{mode}");
        c.batch_execute("ROLLBACK").await.unwrap();
        for _ in 0..2 {
            let n: i64 = scalar(&c, count).await;
            assert_eq!(n, 1, "{mode}: after the rollback");
        }
        let types: i64 = scalar(&c, "SELECT count(*) FROM pg_type WHERE typname = 'int4'").await;
        assert_eq!(types, 1, "{mode}");
    }
}
