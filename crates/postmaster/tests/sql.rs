//! SQL through real clients: tokio-postgres (simple and extended protocol)
//! and psql as a process, in every launch mode.

mod common;

use common::{raw_login, read_message, sqlstate, Server, MODES};

#[tokio::test]
async fn crud_with_serial_key() {
    for mode in MODES {
        let server = Server::start(mode, &[]);
        let c = server.connect().await;
        c.batch_execute("CREATE TABLE t (id serial primary key, name text, n integer)")
            .await
            .unwrap();
        let rows = c
            .simple_query(
                "INSERT INTO t (name, n) VALUES ('a', 1), ('b', 2), ('c', 3) RETURNING id",
            )
            .await
            .unwrap();
        let ids: Vec<String> = rows
            .iter()
            .filter_map(|m| match m {
                tokio_postgres::SimpleQueryMessage::Row(r) => Some(r.get(0).unwrap().to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(ids, ["1", "2", "3"], "{mode}");
        let tag = rows.iter().find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::CommandComplete(n) => Some(*n),
            _ => None,
        });
        assert_eq!(tag, Some(3));

        assert_eq!(
            c.execute("UPDATE t SET n = n * 10 WHERE n >= 2", &[])
                .await
                .unwrap(),
            2
        );
        assert_eq!(
            c.execute("DELETE FROM t WHERE name = 'a'", &[])
                .await
                .unwrap(),
            1
        );

        let rows = c
            .query("SELECT id, name, n FROM t ORDER BY id", &[])
            .await
            .unwrap();
        let got: Vec<(i32, String, i32)> = rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
        assert_eq!(got, [(2, "b".into(), 20), (3, "c".into(), 30)], "{mode}");

        // The key keeps counting after deletes.
        let row = c
            .query_one(
                "INSERT INTO t (name, n) VALUES ($1, $2) RETURNING id",
                &[&"d", &4i32],
            )
            .await
            .unwrap();
        assert_eq!(row.get::<_, i32>(0), 4);

        // Joins and aggregates.
        c.batch_execute(
            "CREATE TABLE tags (t_id integer, tag text);
             INSERT INTO tags VALUES (2, 'x'), (2, 'y'), (3, 'x');",
        )
        .await
        .unwrap();
        let rows = c
            .query(
                "SELECT t.name, count(*) AS c FROM t JOIN tags ON tags.t_id = t.id \
                 GROUP BY t.name ORDER BY t.name",
                &[],
            )
            .await
            .unwrap();
        let got: Vec<(String, i64)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
        assert_eq!(got, [("b".into(), 2), ("c".into(), 1)]);
        assert_eq!(rows[0].columns()[1].name(), "c");

        let row = c
            .query_one("SELECT sum(n), max(name) FROM t", &[])
            .await
            .unwrap();
        assert_eq!(row.get::<_, i64>(0), 54);
        assert_eq!(row.get::<_, String>(1), "d");
    }
}

#[tokio::test]
async fn session_functions_and_errors() {
    for mode in MODES {
        let server = Server::start(mode, &[]);
        let c = server.connect().await;
        let row = c
            .query_one("SELECT version(), current_database(), current_user", &[])
            .await
            .unwrap();
        assert!(
            row.get::<_, String>(0).starts_with("PostgreSQL 17"),
            "{mode}"
        );
        assert_eq!(row.get::<_, String>(1), "postgres");
        assert_eq!(row.get::<_, String>(2), "postgres");

        let pid: i32 = common::backend_pid(&c).await;
        assert_ne!(pid, server.pid().as_raw());

        let e = c.query("SELECT * FROM nosuch", &[]).await.unwrap_err();
        assert_eq!(sqlstate(&e), "42P01");
        assert_eq!(
            e.as_db_error().unwrap().message(),
            "relation \"nosuch\" does not exist"
        );
        let e = c.batch_execute("SELEC 1").await.unwrap_err();
        assert_eq!(sqlstate(&e), "42601");

        // The session is still usable after errors.
        let one: i32 = common::scalar(&c, "SELECT 1").await;
        assert_eq!(one, 1);
    }
}

#[tokio::test]
async fn transactions_and_the_aborted_state() {
    for mode in MODES {
        let server = Server::start(mode, &[]);
        let c = server.connect().await;
        c.batch_execute("CREATE TABLE acct (id integer primary key, bal integer)")
            .await
            .unwrap();

        c.batch_execute("BEGIN; INSERT INTO acct VALUES (1, 100); ROLLBACK")
            .await
            .unwrap();
        let n: i64 = common::scalar(&c, "SELECT count(*) FROM acct").await;
        assert_eq!(n, 0, "{mode}: rolled-back row visible");

        c.batch_execute("BEGIN").await.unwrap();
        c.batch_execute("INSERT INTO acct VALUES (1, 100)")
            .await
            .unwrap();
        let e = c
            .batch_execute("INSERT INTO acct VALUES (1, 5)")
            .await
            .unwrap_err();
        assert_eq!(sqlstate(&e), "23505");
        let e = c.batch_execute("SELECT 1").await.unwrap_err();
        assert_eq!(sqlstate(&e), "25P02");
        assert_eq!(
            e.as_db_error().unwrap().message(),
            "current transaction is aborted, commands ignored until end of transaction block"
        );
        // COMMIT of a failed transaction rolls back.
        c.batch_execute("COMMIT").await.unwrap();
        let n: i64 = common::scalar(&c, "SELECT count(*) FROM acct").await;
        assert_eq!(n, 0);

        // A multi-statement query is one implicit transaction.
        let e = c
            .batch_execute("INSERT INTO acct VALUES (2, 1); INSERT INTO acct VALUES (2, 2)")
            .await
            .unwrap_err();
        assert_eq!(sqlstate(&e), "23505");
        let n: i64 = common::scalar(&c, "SELECT count(*) FROM acct").await;
        assert_eq!(n, 0, "{mode}: first statement of a failed batch kept");

        let mut tx_client = c;
        let tx = tx_client.transaction().await.unwrap();
        tx.execute("INSERT INTO acct VALUES (3, 30)", &[])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let n: i64 = common::scalar(&tx_client, "SELECT count(*) FROM acct").await;
        assert_eq!(n, 1);
    }
}

#[tokio::test]
async fn concurrent_writers_lose_nothing() {
    const CLIENTS: usize = 8;
    const ROWS: usize = 50;
    for mode in MODES {
        let server = Server::start(mode, &[]);
        let setup = server.connect().await;
        setup
            .batch_execute("CREATE TABLE w (id serial primary key, who integer, i integer)")
            .await
            .unwrap();
        let mut clients = Vec::new();
        for _ in 0..CLIENTS {
            clients.push(server.connect().await);
        }
        let mut tasks = Vec::new();
        for (who, c) in clients.into_iter().enumerate() {
            tasks.push(tokio::spawn(async move {
                for i in 0..ROWS {
                    c.execute(
                        "INSERT INTO w (who, i) VALUES ($1, $2)",
                        &[&(who as i32), &(i as i32)],
                    )
                    .await
                    .unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let row = setup
            .query_one(
                "SELECT count(*), count(DISTINCT id), count(DISTINCT who) FROM w",
                &[],
            )
            .await
            .unwrap();
        assert_eq!(row.get::<_, i64>(0), (CLIENTS * ROWS) as i64, "{mode}");
        assert_eq!(row.get::<_, i64>(1), (CLIENTS * ROWS) as i64);
        assert_eq!(row.get::<_, i64>(2), CLIENTS as i64);
    }
}

#[tokio::test]
async fn extended_protocol_parameters_and_types() {
    for mode in MODES {
        let server = Server::start(mode, &[]);
        let c = server.connect().await;
        c.batch_execute(
            "CREATE TABLE p (id integer primary key, name text, price double precision, ok boolean)",
        )
        .await
        .unwrap();
        let stmt = c
            .prepare("INSERT INTO p VALUES ($1, $2, $3, $4)")
            .await
            .unwrap();
        for i in 0..3i32 {
            c.execute(
                &stmt,
                &[&i, &format!("n{i}"), &(i as f64 * 1.5), &(i % 2 == 0)],
            )
            .await
            .unwrap();
        }
        let rows = c
            .query(
                "SELECT id, name, price, ok FROM p WHERE id >= $1 ORDER BY id",
                &[&1i32],
            )
            .await
            .unwrap();
        assert_eq!(rows.len(), 2, "{mode}");
        assert_eq!(rows[0].get::<_, i32>(0), 1);
        assert_eq!(rows[0].get::<_, String>(1), "n1");
        assert_eq!(rows[0].get::<_, f64>(2), 1.5);
        assert!(!rows[0].get::<_, bool>(3));
        assert!(rows[1].get::<_, bool>(3));
        // NULLs come back as NULL.
        let row = c.query_one("SELECT NULL::text", &[]).await.unwrap();
        assert_eq!(row.get::<_, Option<String>>(0), None);

        // A prepared statement keeps the columns it was described with:
        // executed many times, and refused once the table changes shape.
        let all = c.prepare("SELECT * FROM p ORDER BY id").await.unwrap();
        for _ in 0..3 {
            assert_eq!(c.query(&all, &[]).await.unwrap().len(), 3, "{mode}");
        }
        c.batch_execute("ALTER TABLE p ADD COLUMN extra integer")
            .await
            .unwrap();
        let e = c.query(&all, &[]).await.unwrap_err();
        assert_eq!(common::sqlstate(&e), "0A000", "{mode}");
        assert_eq!(
            e.as_db_error().unwrap().message(),
            "cached plan must not change result type"
        );

        // Expression types follow the schema, also after it changes.
        let twice = "SELECT n * 2 AS x FROM q";
        c.batch_execute("CREATE TABLE q (n integer)").await.unwrap();
        let st = c.prepare(twice).await.unwrap();
        assert_eq!(
            st.columns()[0].type_(),
            &tokio_postgres::types::Type::INT4,
            "{mode}"
        );
        c.batch_execute("DROP TABLE q; CREATE TABLE q (n double precision)")
            .await
            .unwrap();
        let st = c.prepare(twice).await.unwrap();
        assert_eq!(
            st.columns()[0].type_(),
            &tokio_postgres::types::Type::FLOAT8,
            "{mode}"
        );

        // ... also when another session changes it, in a transaction that
        // others see only once it commits (statements and types cached
        // meanwhile are dropped then).
        let other = server.connect().await;
        other
            .batch_execute("BEGIN; DROP TABLE q; CREATE TABLE q (n bigint)")
            .await
            .unwrap();
        let type_of = |st: tokio_postgres::Statement| st.columns()[0].type_().clone();
        let st = c.prepare(twice).await.unwrap();
        assert_eq!(type_of(st), tokio_postgres::types::Type::FLOAT8, "{mode}");
        other.batch_execute("COMMIT").await.unwrap();
        let st = c.prepare(twice).await.unwrap();
        assert_eq!(type_of(st), tokio_postgres::types::Type::INT8, "{mode}");
        let st = c.prepare("SELECT n FROM q").await.unwrap();
        assert_eq!(type_of(st), tokio_postgres::types::Type::INT8, "{mode}");
        other
            .batch_execute("ALTER TABLE q ADD COLUMN m text")
            .await
            .unwrap();
        let st = c.prepare("SELECT * FROM q").await.unwrap();
        assert_eq!(st.columns().len(), 2, "{mode}");
    }
}

#[test]
fn psql_runs_a_script() {
    for mode in MODES {
        let server = Server::start(mode, &[]);
        let script = server.dir.join("script.sql");
        std::fs::write(
            &script,
            "CREATE TABLE items (id serial primary key, name text, n integer);\n\
             INSERT INTO items (name, n) VALUES ('apple', 3), ('pear', 5);\n\
             SELECT name, n FROM items ORDER BY id;\n\
             SELECT current_database(), current_user;\n\
             BEGIN;\n\
             UPDATE items SET n = n + 1;\n\
             COMMIT;\n\
             SELECT sum(n) FROM items;\n",
        )
        .unwrap();
        let (status, out, err) = server.psql(&[
            "-d",
            "postgres",
            "-v",
            "ON_ERROR_STOP=1",
            "-A",
            "-t",
            "-e",
            "-f",
            script.to_str().unwrap(),
        ]);
        assert!(
            status.success(),
            "{mode}: psql failed: {err}\n{}",
            server.log()
        );
        let lines: Vec<&str> = out.lines().filter(|l| !l.is_empty()).collect();
        for want in [
            "apple|3",
            "pear|5",
            "postgres|postgres",
            "10",
            "CREATE TABLE",
            "INSERT 0 2",
            "UPDATE 2",
        ] {
            assert!(lines.contains(&want), "{mode}: no line {want:?} in\n{out}");
        }

        // Errors are reported as PostgreSQL reports them.
        let (status, _out, err) = server.psql(&["-d", "postgres", "-c", "SELECT * FROM nosuch"]);
        assert!(!status.success());
        assert!(
            err.contains("ERROR:  relation \"nosuch\" does not exist"),
            "{err}"
        );
        // psql's default user and database settings over TCP work too.
        let out = std::process::Command::new("psql")
            .args(["-X", "-A", "-t", "-h", "127.0.0.1", "-p"])
            .arg(server.port.to_string())
            .args(["-U", "postgres", "-d", "postgres", "-c", "SELECT 40 + 2"])
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "42");
    }
}

#[tokio::test]
async fn division_as_postgresql_does_it() {
    for mode in MODES {
        let server = Server::start(mode, &[]);
        let c = server.connect().await;
        let row = c
            .query_one("SELECT 7 / 2, 7 % 3, -7 / 2", &[])
            .await
            .unwrap();
        assert_eq!(row.get::<_, i32>(0), 3, "{mode}");
        assert_eq!(row.get::<_, i32>(1), 1);
        assert_eq!(row.get::<_, i32>(2), -3);
        let half: String = c
            .simple_query("SELECT 7.0 / 2")
            .await
            .unwrap()
            .iter()
            .find_map(|m| match m {
                tokio_postgres::SimpleQueryMessage::Row(r) => Some(r.get(0).unwrap().to_string()),
                _ => None,
            })
            .unwrap();
        // numeric division with PostgreSQL's result scale (PostgreSQL 15
        // prints 3.5000000000000000).
        assert_eq!(half, "3.5000000000000000");
        for zero in ["SELECT 1 / 0", "SELECT 5 % 0", "SELECT 1.5 / 0.0"] {
            let e = c.batch_execute(zero).await.unwrap_err();
            assert_eq!(common::sqlstate(&e), "22012", "{mode}: {zero}");
            assert_eq!(e.as_db_error().unwrap().message(), "division by zero");
        }
        c.batch_execute("CREATE TABLE d (a integer, b integer); INSERT INTO d VALUES (10, 0)")
            .await
            .unwrap();
        let e = c.query("SELECT a / b FROM d", &[]).await.unwrap_err();
        assert_eq!(common::sqlstate(&e), "22012");
        let n: Option<i32> = c
            .query_one("SELECT a / NULLIF(b, 0) FROM d", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(n, None);
    }
}

/// A frontend message: tag, length, body.
fn message(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut m = vec![tag];
    m.extend((4 + body.len() as u32).to_be_bytes());
    m.extend(body);
    m
}

#[test]
fn flush_sends_what_is_queued_before_later_messages_run() {
    for mode in MODES {
        let server = Server::start(mode, &[]);
        let (mut s, _) = raw_login(&server);
        // Parse, Flush, then Bind/Execute of a statement that takes two
        // seconds, all in one write: ParseComplete must come at the Flush,
        // not after the statement.
        let mut batch = message(b'P', b"\0SELECT pg_sleep(2)\0\0\0");
        batch.extend(message(b'H', b""));
        batch.extend(message(b'B', b"\0\0\0\0\0\0\0\0"));
        batch.extend(message(b'E', b"\0\0\0\0\0"));
        batch.extend(message(b'S', b""));
        let started = std::time::Instant::now();
        std::io::Write::write_all(&mut s, &batch).unwrap();
        let (tag, _) = read_message(&mut s).expect("ParseComplete");
        assert_eq!(tag, b'1', "{mode}");
        assert!(
            started.elapsed() < std::time::Duration::from_millis(1500),
            "{mode}: ParseComplete waited for the statement ({:?})",
            started.elapsed()
        );
        let mut tags = Vec::new();
        while let Some((tag, _)) = read_message(&mut s) {
            tags.push(tag);
            if tag == b'Z' {
                break;
            }
        }
        assert_eq!(tags, b"2DCZ".to_vec(), "{mode}");
    }
}

/// Statements generated in more than one SQLite step, and with a column
/// SQLite needs but the client never sees, through the extended protocol
/// (Parse / Describe / Bind / Execute): data-modifying WITH queries with
/// parameters, a SELECT without columns, a LATERAL subquery.
#[tokio::test]
async fn multi_step_statements_over_the_extended_protocol() {
    for mode in MODES {
        let server = Server::start(mode, &[]);
        let c = server.connect().await;
        c.batch_execute(
            "CREATE TABLE q (id int, v text); INSERT INTO q VALUES (1, 'a'), (2, 'b'), (3, 'c')",
        )
        .await
        .unwrap();
        // The WITH query's rows, once, with the parameter bound in it.
        let st = c
            .prepare("WITH d AS (DELETE FROM q WHERE id >= $1 RETURNING id, v) SELECT v FROM d ORDER BY id")
            .await
            .unwrap();
        assert_eq!(st.columns().len(), 1, "{mode}");
        assert_eq!(st.columns()[0].name(), "v", "{mode}");
        let rows = c.query(&st, &[&2i32]).await.unwrap();
        let got: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
        assert_eq!(got, ["b", "c"], "{mode}");
        let left: i64 = c
            .query_one("SELECT count(*) FROM q", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(left, 1, "{mode}");
        // A failing main statement leaves none of its WITH query's effects.
        let e = c
            .execute(
                "WITH d AS (DELETE FROM q RETURNING id) INSERT INTO q SELECT id / 0, 'x' FROM d",
                &[],
            )
            .await
            .unwrap_err();
        assert_eq!(sqlstate(&e), "22012", "{mode}");
        let left: i64 = c
            .query_one("SELECT count(*) FROM q", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(left, 1, "{mode}");
        // Rows without columns: counted, and described with none.
        let st = c
            .prepare("SELECT FROM generate_series(1, 3)")
            .await
            .unwrap();
        assert!(st.columns().is_empty(), "{mode}");
        assert_eq!(c.query(&st, &[]).await.unwrap().len(), 3, "{mode}");
        // LATERAL, with a parameter inside the lateral subquery.
        let rows = c
            .query(
                "SELECT g, s.n FROM generate_series(1, 3) g, LATERAL (SELECT g * $1::int AS n) s ORDER BY g",
                &[&10i32],
            )
            .await
            .unwrap();
        let got: Vec<i32> = rows.iter().map(|r| r.get(1)).collect();
        assert_eq!(got, [10, 20, 30], "{mode}");
    }
}

#[tokio::test]
async fn arrays_over_the_extended_protocol() {
    for mode in MODES {
        let server = Server::start(mode, &[]);
        let c = server.connect().await;
        c.batch_execute(
            "CREATE TABLE arr (id int, a int[], t text[], f float8[], b bool[], s text)",
        )
        .await
        .unwrap();
        // Binary parameters (tokio-postgres sends arrays as array_send).
        let ints: Vec<Option<i32>> = vec![Some(3), None, Some(1)];
        let texts = vec!["a b".to_string(), "NULL".to_string(), "{x}".to_string()];
        let floats = vec![0.1f64, f64::INFINITY];
        let bools = vec![true, false];
        c.execute(
            "INSERT INTO arr VALUES (1, $1, $2, $3, $4, NULL)",
            &[&ints, &texts, &floats, &bools],
        )
        .await
        .unwrap();
        // Binary results, and the same values as text.
        let row = c
            .query_one("SELECT a, t, f, b, a::text, t::text FROM arr", &[])
            .await
            .unwrap();
        assert_eq!(row.get::<_, Vec<Option<i32>>>(0), ints, "{mode}");
        assert_eq!(row.get::<_, Vec<String>>(1), texts, "{mode}");
        assert_eq!(row.get::<_, Vec<f64>>(2), floats, "{mode}");
        assert_eq!(row.get::<_, Vec<bool>>(3), bools, "{mode}");
        assert_eq!(row.get::<_, String>(4), "{3,NULL,1}", "{mode}");
        assert_eq!(row.get::<_, String>(5), r#"{"a b","NULL","{x}"}"#, "{mode}");
        // = ANY with an array parameter, and unnest of parameters (as
        // Django's bulk insert writes it).
        let n: i64 = c
            .query_one(
                "SELECT count(*) FROM generate_series(1, 5) g WHERE g = ANY($1)",
                &[&vec![2i32, 4, 9]],
            )
            .await
            .unwrap()
            .get(0);
        assert_eq!(n, 2, "{mode}");
        let n = c
            .execute(
                "INSERT INTO arr (id, s) SELECT * FROM UNNEST($1::integer[], $2::text[])",
                &[&vec![2i32, 3], &vec![Some("p".to_string()), None]],
            )
            .await
            .unwrap();
        assert_eq!(n, 2, "{mode}");
        let rows = c
            .query(
                "SELECT i, s FROM UNNEST($1::integer[], $2::text[]) AS u(i, s) ORDER BY i DESC",
                &[&vec![2i32, 3], &vec![Some("p".to_string()), None]],
            )
            .await
            .unwrap();
        let got: Vec<(i32, Option<String>)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
        assert_eq!(got, [(3, None), (2, Some("p".to_string()))], "{mode}");
        // Two dimensions and lower bounds, through a parameter and back.
        let m: String = c
            .query_one("SELECT ($1::text::int[])[2:2]::text", &[&"[0:2]={1,2,3}"])
            .await
            .unwrap()
            .get(0);
        assert_eq!(m, "{3}", "{mode}");
        let dims: String = c
            .query_one("SELECT array_dims($1::int[])", &[&vec![1i32, 2, 3]])
            .await
            .unwrap()
            .get(0);
        assert_eq!(dims, "[1:3]", "{mode}");
        // Bad array text is PostgreSQL's error.
        let e = c
            .execute(
                "INSERT INTO arr (id, a) VALUES (9, $1::text::int[])",
                &[&"{1,x}"],
            )
            .await
            .unwrap_err();
        assert_eq!(sqlstate(&e), "22P02", "{mode}");
    }
}

#[tokio::test]
async fn for_update_holds_other_writers_off_until_commit() {
    for mode in MODES {
        let server = Server::start(mode, &[]);
        let a = server.connect().await;
        let b = server.connect().await;
        a.batch_execute("CREATE TABLE fu (id int, v text); INSERT INTO fu VALUES (1, 'a')")
            .await
            .unwrap();
        a.batch_execute("BEGIN").await.unwrap();
        let rows = a
            .query("SELECT v FROM fu WHERE id = 1 FOR UPDATE", &[])
            .await
            .unwrap();
        assert_eq!(rows.len(), 1, "{mode}");
        // Another transaction may not lock (or change) the rows meanwhile.
        let e = b
            .query("SELECT v FROM fu FOR UPDATE NOWAIT", &[])
            .await
            .unwrap_err();
        assert_eq!(sqlstate(&e), "55P03", "{mode}");
        a.batch_execute("UPDATE fu SET v = 'b' WHERE id = 1; COMMIT")
            .await
            .unwrap();
        let v: String = b
            .query_one("SELECT v FROM fu FOR UPDATE NOWAIT", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(v, "b", "{mode}");
    }
}

#[tokio::test]
async fn simple_views_take_writes_with_parameters_for_their_table() {
    for mode in MODES {
        let server = Server::start(mode, &[]);
        let c = server.connect().await;
        c.batch_execute(
            "CREATE TABLE vp (id int PRIMARY KEY, a int, b text DEFAULT 'd');
             CREATE VIEW vpv AS SELECT id, a, a * 2 AS twice FROM vp WHERE a > 0",
        )
        .await
        .unwrap();
        let rows = c
            .query(
                "INSERT INTO vpv (id, a) VALUES ($1, $2), ($3, $4) RETURNING twice",
                &[&1i32, &5i32, &2i32, &-5i32],
            )
            .await
            .unwrap();
        let twice: Vec<i32> = rows.iter().map(|r| r.get(0)).collect();
        assert_eq!(twice, [10, -10], "{mode}");
        // UPDATE and DELETE see the rows the view shows.
        let n = c
            .execute("UPDATE vpv SET a = a + $1", &[&1i32])
            .await
            .unwrap();
        assert_eq!(n, 1, "{mode}");
        let n = c
            .execute("DELETE FROM vpv WHERE id = ANY($1)", &[&vec![1i32, 2]])
            .await
            .unwrap();
        assert_eq!(n, 1, "{mode}");
        let left: Vec<(i32, i32, String)> = c
            .query("SELECT id, a, b FROM vp", &[])
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
        assert_eq!(left, [(2, -5, "d".to_string())], "{mode}");
        let e = c
            .execute("UPDATE vpv SET twice = $1", &[&1i32])
            .await
            .unwrap_err();
        assert_eq!(sqlstate(&e), "0A000", "{mode}");
        let e = e.as_db_error().unwrap();
        assert_eq!(
            e.message(),
            "cannot update column \"twice\" of view \"vpv\""
        );
    }
}

/// A view an earlier version made keeps its query as the older
/// translator wrote it for SQLite: it is refused, never read, until
/// CREATE OR REPLACE VIEW makes it anew.
#[tokio::test]
async fn views_an_earlier_version_made_are_refused_until_recreated() {
    let mut server = Server::start("fork", &[]);
    let c = server.connect().await;
    c.batch_execute("CREATE TABLE lv (d date); INSERT INTO lv VALUES ('2024-03-15')")
        .await
        .unwrap();
    drop(c);
    server.stop();
    // The view as the older translator left it: `d + 1` with SQLite's
    // meaning (2025, not 2024-03-16).
    let base = server.data_dir().join("base");
    let db = std::fs::read_dir(&base)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.extension().is_some_and(|x| x == "db")
                && rusqlite::Connection::open(p)
                    .and_then(|c| c.prepare("SELECT d FROM lv").map(|_| ()))
                    .is_ok()
        })
        .expect("the database file");
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("CREATE VIEW lvv AS SELECT d + 1 AS next FROM lv")
        .unwrap();
    server.spawn();
    let c = server.connect().await;
    let e = c.query("SELECT * FROM lvv", &[]).await.unwrap_err();
    assert_eq!(sqlstate(&e), "55000");
    assert!(
        e.as_db_error()
            .unwrap()
            .message()
            .contains("was created by an earlier version"),
        "{e}"
    );
    c.batch_execute("CREATE OR REPLACE VIEW lvv AS SELECT d + 1 AS next FROM lv")
        .await
        .unwrap();
    let next: String = c
        .query_one("SELECT next::text FROM lvv", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(next, "2024-03-16");
}
