//! Roles and privileges as PostgreSQL enforces them, in every launch
//! mode: a role sees and changes only what it was granted. The expected
//! outcomes were taken from PostgreSQL 15 running the same statements in
//! one session (psycopg, autocommit).

mod common;

use common::{sqlstate, Server, MODES};
use tokio_postgres::SimpleQueryMessage;

/// What a statement must give: its tag and the first row's values joined
/// by `|` (empty: not checked), or an error's SQLSTATE and message.
enum Want {
    Ok(&'static str, &'static str),
    Err(&'static str, &'static str),
}
use Want::{Err as E, Ok as O};

const STEPS: &[(&str, Want)] = &[
    ("CREATE TABLE secret (id serial PRIMARY KEY, v text)", O("", "")),
    ("INSERT INTO secret (v) VALUES ('a')", O("", "")),
    ("CREATE VIEW secret_v AS SELECT id, v FROM secret", O("", "")),
    ("CREATE ROLE app LOGIN", O("CREATE ROLE", "")),
    ("CREATE ROLE readers", O("CREATE ROLE", "")),
    ("CREATE ROLE manager CREATEROLE", O("CREATE ROLE", "")),
    ("SET ROLE app", O("SET", "")),
    ("SELECT current_user, session_user", O("", "app|postgres")),
    ("SELECT * FROM secret", E("42501", "permission denied for table secret")),
    ("INSERT INTO secret (v) VALUES ('b')", E("42501", "permission denied for table secret")),
    ("UPDATE secret SET v = 'x'", E("42501", "permission denied for table secret")),
    ("DELETE FROM secret", E("42501", "permission denied for table secret")),
    ("TRUNCATE secret", E("42501", "permission denied for table secret")),
    ("DROP TABLE secret", E("42501", "must be owner of table secret")),
    ("ALTER TABLE secret ADD COLUMN w int", E("42501", "must be owner of table secret")),
    ("CREATE INDEX ON secret (v)", E("42501", "must be owner of table secret")),
    ("SELECT * FROM secret_v", E("42501", "permission denied for view secret_v")),
    ("SELECT nextval('secret_id_seq')", E("42501", "permission denied for sequence secret_id_seq")),
    ("CREATE TABLE mine (x int)", E("42501", "permission denied for schema public")),
    // No escalation.
    ("CREATE ROLE evil SUPERUSER", E("42501", "must be superuser to create superusers")),
    ("CREATE ROLE evil", E("42501", "permission denied to create role")),
    ("ALTER ROLE app SUPERUSER", E("42501", "must be superuser to alter superuser roles or change superuser attribute")),
    ("ALTER ROLE postgres PASSWORD 'x'", E("42501", "must be superuser to alter superuser roles or change superuser attribute")),
    ("GRANT readers TO app", E("42501", "must have admin option on role \"readers\"")),
    // SET SESSION AUTHORIZATION follows the authenticated role.
    ("SET SESSION AUTHORIZATION postgres", O("SET", "")),
    ("SET ROLE postgres", O("SET", "")),
    ("RESET ROLE", O("RESET", "")),
    // Views run with their owner's rights.
    ("GRANT SELECT ON secret_v TO readers", O("GRANT", "")),
    ("GRANT readers TO app", O("GRANT ROLE", "")),
    ("SET ROLE app", O("SET", "")),
    ("SELECT id, v FROM secret_v", O("SELECT 1", "1|a")),
    ("SELECT * FROM secret", E("42501", "permission denied for table secret")),
    ("RESET ROLE", O("RESET", "")),
    // INSERT needs the sequence of its default too; RETURNING and WHERE
    // need SELECT.
    ("GRANT INSERT, UPDATE ON secret TO app", O("GRANT", "")),
    ("SET ROLE app", O("SET", "")),
    ("INSERT INTO secret (v) VALUES ('b')", E("42501", "permission denied for sequence secret_id_seq")),
    ("RESET ROLE", O("RESET", "")),
    ("GRANT USAGE ON SEQUENCE secret_id_seq TO app", O("GRANT", "")),
    ("SET ROLE app", O("SET", "")),
    ("INSERT INTO secret (v) VALUES ('b')", O("INSERT 0 1", "")),
    ("INSERT INTO secret (v) VALUES ('c') RETURNING id", E("42501", "permission denied for table secret")),
    ("UPDATE secret SET v = 'y'", O("UPDATE 2", "")),
    ("UPDATE secret SET v = 'y' WHERE id = 2", E("42501", "permission denied for table secret")),
    ("RESET ROLE", O("RESET", "")),
    // CREATE on the schema; the creator owns what it makes.
    ("GRANT CREATE ON SCHEMA public TO app", O("GRANT", "")),
    ("SET ROLE app", O("SET", "")),
    ("CREATE TABLE mine (x int)", O("CREATE TABLE", "")),
    ("INSERT INTO mine VALUES (1)", O("INSERT 0 1", "")),
    ("GRANT SELECT ON mine TO readers", O("GRANT", "")),
    ("GRANT SELECT ON secret TO readers", O("GRANT", "")),
    ("RESET ROLE", O("RESET", "")),
    (
        "SELECT string_agg(relname || ' ' || relacl, '; ' ORDER BY relname) FROM pg_class \
         WHERE relname IN ('secret', 'secret_v', 'mine')",
        O(
            "SELECT 1",
            "mine {app=arwdDxt/app,readers=r/app}; secret {postgres=arwdDxt/postgres,app=aw/postgres}; \
             secret_v {postgres=arwdDxt/postgres,readers=r/postgres}",
        ),
    ),
    (
        "SELECT has_table_privilege('app', 'secret', 'insert'), \
         has_table_privilege('app', 'secret', 'select'), \
         has_table_privilege('readers', 'secret_v', 'select with grant option'), \
         has_schema_privilege('app', 'public', 'create')",
        O("SELECT 1", "t|f|f|t"),
    ),
    // CREATEROLE manages roles that are not superusers.
    ("SET ROLE manager", O("SET", "")),
    ("CREATE ROLE helper", O("CREATE ROLE", "")),
    ("GRANT helper TO app", O("GRANT ROLE", "")),
    ("ALTER ROLE helper CONNECTION LIMIT 3", O("ALTER ROLE", "")),
    ("CREATE ROLE boss SUPERUSER", E("42501", "must be superuser to create superusers")),
    ("RESET ROLE", O("RESET", "")),
    (
        "SELECT rolname, rolcreaterole, rolconnlimit FROM pg_roles WHERE rolname = 'helper'",
        O("SELECT 1", "helper|f|3"),
    ),
    ("DROP ROLE app", E("2BP01", "role \"app\" cannot be dropped because some objects depend on it")),
    ("REVOKE ALL ON secret FROM app", O("REVOKE", "")),
    ("REVOKE ALL ON SEQUENCE secret_id_seq FROM app", O("REVOKE", "")),
    ("REVOKE ALL ON SCHEMA public FROM app", O("REVOKE", "")),
    ("DROP TABLE mine", O("DROP TABLE", "")),
    ("DROP ROLE app", O("DROP ROLE", "")),
    // SET LOCAL lasts to the end of the transaction; a rollback undoes SET.
    ("BEGIN", O("BEGIN", "")),
    ("SET LOCAL ROLE manager", O("SET", "")),
    ("SELECT current_user", O("SELECT 1", "manager")),
    ("COMMIT", O("COMMIT", "")),
    ("SELECT current_user", O("SELECT 1", "postgres")),
    ("BEGIN", O("BEGIN", "")),
    ("SET ROLE manager", O("SET", "")),
    ("ROLLBACK", O("ROLLBACK", "")),
    ("SELECT current_user", O("SELECT 1", "postgres")),
];

/// Column privileges (ExecCheckPermissions: each column read, inserted
/// and updated), and a view owned by a role that is not a superuser: its
/// reads are checked as that owner.
const COLUMN_STEPS: &[(&str, Want)] = &[
    (
        "CREATE TABLE t5 (one int, two int UNIQUE, three int)",
        O("", ""),
    ),
    ("INSERT INTO t5 VALUES (1, 2, 3)", O("", "")),
    ("CREATE ROLE col_app", O("CREATE ROLE", "")),
    ("CREATE ROLE col_other", O("CREATE ROLE", "")),
    (
        "GRANT SELECT (one), INSERT (two), UPDATE (three) ON t5 TO col_app",
        O("GRANT", ""),
    ),
    ("SET ROLE col_app", O("SET", "")),
    (
        "SELECT * FROM t5",
        E("42501", "permission denied for table t5"),
    ),
    ("SELECT one FROM t5", O("SELECT 1", "1")),
    ("SELECT 1 FROM t5", O("SELECT 1", "1")),
    (
        "SELECT one FROM t5 WHERE two = 2",
        E("42501", "permission denied for table t5"),
    ),
    (
        "SELECT 1 FROM t5 a JOIN t5 b USING (one)",
        O("SELECT 1", "1"),
    ),
    (
        "SELECT 1 FROM t5 a JOIN t5 b USING (two)",
        E("42501", "permission denied for table t5"),
    ),
    ("INSERT INTO t5 (two) VALUES (5)", O("INSERT 0 1", "")),
    (
        "INSERT INTO t5 (two, three) VALUES (6, 6)",
        E("42501", "permission denied for table t5"),
    ),
    ("UPDATE t5 SET three = 10", O("UPDATE 2", "")),
    (
        "UPDATE t5 SET one = 10",
        E("42501", "permission denied for table t5"),
    ),
    ("UPDATE t5 SET three = 10 WHERE one = 1", O("UPDATE 1", "")),
    (
        "UPDATE t5 SET three = 10 WHERE two = 2",
        E("42501", "permission denied for table t5"),
    ),
    (
        "INSERT INTO t5 (two) VALUES (5) ON CONFLICT (two) DO UPDATE SET three = 7",
        E("42501", "permission denied for table t5"),
    ),
    (
        "COPY t5 TO STDOUT",
        E("42501", "permission denied for table t5"),
    ),
    (
        "SELECT has_column_privilege('t5', 'one', 'SELECT'), \
         has_column_privilege('t5', 'two', 'SELECT'), has_column_privilege('t5', 'two', 'INSERT')",
        O("SELECT 1", "t|f|t"),
    ),
    ("RESET ROLE", O("RESET", "")),
    (
        "SELECT attname, attacl FROM pg_attribute WHERE attrelid = 't5'::regclass AND attnum = 1",
        O("SELECT 1", "one|{col_app=r/postgres}"),
    ),
    // A table-level REVOKE takes the columns' privileges too.
    ("REVOKE SELECT ON t5 FROM col_app", O("REVOKE", "")),
    (
        "SELECT has_column_privilege('col_app', 't5', 'one', 'SELECT')",
        O("SELECT 1", "f"),
    ),
    (
        "GRANT SELECT (nosuch) ON t5 TO col_app",
        E(
            "42703",
            "column \"nosuch\" of relation \"t5\" does not exist",
        ),
    ),
    (
        "GRANT DELETE (one) ON t5 TO col_app",
        E("0LP01", "invalid privilege type DELETE for column"),
    ),
    // A view reads its relations with its owner's rights.
    ("GRANT CREATE ON SCHEMA public TO col_app", O("GRANT", "")),
    ("SET ROLE col_app", O("SET", "")),
    (
        "CREATE VIEW mine_v AS SELECT one, two FROM t5",
        O("CREATE VIEW", ""),
    ),
    (
        "SELECT * FROM mine_v",
        E("42501", "permission denied for table t5"),
    ),
    ("GRANT SELECT ON mine_v TO col_other", O("GRANT", "")),
    ("SET ROLE col_other", O("SET", "")),
    (
        "SELECT * FROM mine_v",
        E("42501", "permission denied for table t5"),
    ),
    ("RESET ROLE", O("RESET", "")),
    ("GRANT SELECT (one, two) ON t5 TO col_app", O("GRANT", "")),
    ("SET ROLE col_other", O("SET", "")),
    ("SELECT two FROM mine_v ORDER BY two", O("SELECT 2", "2")),
    (
        "SELECT * FROM t5",
        E("42501", "permission denied for table t5"),
    ),
    (
        "INSERT INTO mine_v VALUES (7, 7)",
        E("42501", "permission denied for view mine_v"),
    ),
    ("RESET ROLE", O("RESET", "")),
    ("GRANT INSERT ON mine_v TO col_other", O("GRANT", "")),
    ("SET ROLE col_other", O("SET", "")),
    (
        "INSERT INTO mine_v VALUES (7, 7)",
        E("42501", "permission denied for table t5"),
    ),
    ("RESET ROLE", O("RESET", "")),
    (
        "DROP ROLE col_app",
        E(
            "2BP01",
            "role \"col_app\" cannot be dropped because some objects depend on it",
        ),
    ),
    ("DROP VIEW mine_v", O("DROP VIEW", "")),
    ("REVOKE ALL ON t5 FROM col_app", O("REVOKE", "")),
    ("REVOKE ALL ON SCHEMA public FROM col_app", O("REVOKE", "")),
    ("DROP ROLE col_app", O("DROP ROLE", "")),
];

/// Owners: ALTER ... OWNER TO, REASSIGN OWNED, DROP OWNED, pg_has_role.
const OWNER_STEPS: &[(&str, Want)] = &[
    ("CREATE ROLE o1", O("CREATE ROLE", "")),
    ("CREATE ROLE o2", O("CREATE ROLE", "")),
    ("CREATE TABLE ot (id serial, v int)", O("CREATE TABLE", "")),
    ("GRANT SELECT ON ot TO o1", O("GRANT", "")),
    ("ALTER TABLE ot OWNER TO o1", O("ALTER TABLE", "")),
    (
        "SELECT relname, pg_get_userbyid(relowner), relacl FROM pg_class WHERE relname = 'ot'",
        O("SELECT 1", "ot|o1|{o1=arwdDxt/o1}"),
    ),
    (
        "ALTER SEQUENCE ot_id_seq OWNER TO o2",
        E("0A000", "cannot change owner of sequence \"ot_id_seq\""),
    ),
    ("SET ROLE o1", O("SET", "")),
    (
        "ALTER TABLE ot OWNER TO o2",
        E("42501", "must be member of role \"o2\""),
    ),
    ("RESET ROLE", O("RESET", "")),
    ("GRANT o2 TO o1", O("GRANT ROLE", "")),
    ("SET ROLE o1", O("SET", "")),
    (
        "ALTER TABLE ot OWNER TO o2",
        E("42501", "permission denied for schema public"),
    ),
    ("RESET ROLE", O("RESET", "")),
    ("GRANT CREATE ON SCHEMA public TO o2", O("GRANT", "")),
    ("SET ROLE o1", O("SET", "")),
    ("ALTER TABLE ot OWNER TO o2", O("ALTER TABLE", "")),
    ("RESET ROLE", O("RESET", "")),
    (
        "ALTER TABLE nosuch OWNER TO o1",
        E("42P01", "relation \"nosuch\" does not exist"),
    ),
    (
        "SELECT pg_has_role('o1', 'o2', 'MEMBER'), pg_has_role('o2', 'o1', 'USAGE'), \
         pg_has_role('o1', 'o2', 'MEMBER WITH ADMIN OPTION')",
        O("SELECT 1", "t|f|f"),
    ),
    ("REASSIGN OWNED BY o2 TO o1", O("REASSIGN OWNED", "")),
    (
        "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'ot'",
        O("SELECT 1", "o1"),
    ),
    ("CREATE TABLE keep (x int)", O("CREATE TABLE", "")),
    ("GRANT SELECT ON keep TO o1", O("GRANT", "")),
    ("DROP OWNED BY o1", O("DROP OWNED", "")),
    (
        "SELECT count(*) FROM pg_class WHERE relname = 'ot'",
        O("SELECT 1", "0"),
    ),
    (
        "SELECT relacl FROM pg_class WHERE relname = 'keep'",
        O("SELECT 1", "{postgres=arwdDxt/postgres}"),
    ),
    ("DROP OWNED BY o2", O("DROP OWNED", "")),
    // LIKE / ILIKE over the catalogs: PostgreSQL's backslash escape.
    ("CREATE TABLE a_b (x int)", O("CREATE TABLE", "")),
    ("CREATE TABLE ab (x int)", O("CREATE TABLE", "")),
    (
        "SELECT count(*) FROM pg_class WHERE relname LIKE 'a\\_%'",
        O("SELECT 1", "1"),
    ),
    (
        "SELECT count(*) FROM pg_class WHERE relname ILIKE 'A\\_B'",
        O("SELECT 1", "1"),
    ),
    (
        "SELECT count(*) FROM pg_class WHERE relname NOT LIKE 'a\\_%' AND relname IN ('a_b', 'ab')",
        O("SELECT 1", "1"),
    ),
    ("DROP TABLE a_b, ab", O("DROP TABLE", "")),
    ("DROP ROLE o1", O("DROP ROLE", "")),
    ("DROP ROLE o2", O("DROP ROLE", "")),
];

async fn outcome(
    c: &tokio_postgres::Client,
    sql: &str,
) -> Result<(String, String), (String, String)> {
    match c.simple_query(sql).await {
        Ok(messages) => {
            let mut tag = String::new();
            let mut first = None;
            for m in messages {
                match m {
                    SimpleQueryMessage::Row(r) if first.is_none() => {
                        first = Some(
                            (0..r.len())
                                .map(|i| r.get(i).unwrap_or("NULL").to_string())
                                .collect::<Vec<_>>()
                                .join("|"),
                        )
                    }
                    SimpleQueryMessage::CommandComplete(n) => tag = n.to_string(),
                    _ => {}
                }
            }
            Ok((tag, first.unwrap_or_default()))
        }
        Err(e) => {
            let db = e.as_db_error().expect("a server error");
            Err((db.code().code().to_string(), db.message().to_string()))
        }
    }
}

/// Runs `steps` in one session of a fresh server, in every launch mode.
async fn run_steps(steps: &[(&str, Want)]) {
    for mode in MODES {
        let server = Server::start(mode, &[]);
        let c = server.connect().await;
        for (sql, want) in steps {
            let got = outcome(&c, sql).await;
            match (want, &got) {
                (O(tag, row), Ok((got_tag, first))) => {
                    // (tokio-postgres gives a tag's row count only.)
                    if let Some(Ok(n)) = tag
                        .split(' ')
                        .nth(1)
                        .map(|_| tag.rsplit(' ').next().unwrap().parse::<u64>())
                    {
                        assert_eq!(got_tag, &n.to_string(), "{mode}: {sql}");
                    }
                    if !row.is_empty() {
                        let want: String = row.split_whitespace().collect::<Vec<_>>().join(" ");
                        assert_eq!(first, &want, "{mode}: {sql}");
                    }
                }
                (E(code, message), Err((c, m))) => {
                    assert_eq!((c.as_str(), m.as_str()), (*code, *message), "{mode}: {sql}")
                }
                _ => panic!("{mode}: {sql}: got {got:?}"),
            }
        }
    }
}

#[tokio::test]
async fn a_role_sees_and_changes_only_what_it_was_granted() {
    run_steps(STEPS).await;
}

#[tokio::test]
async fn owners_change_with_alter_owner_reassign_owned_and_drop_owned() {
    run_steps(OWNER_STEPS).await;
}

#[tokio::test]
async fn column_privileges_and_views_with_their_owners_rights() {
    run_steps(COLUMN_STEPS).await;
}

#[tokio::test]
async fn a_revoke_takes_effect_at_the_next_statement_of_a_connected_session() {
    for mode in MODES {
        let server = Server::start(mode, &[]);
        let admin = server.connect().await;
        admin
            .batch_execute(
                "CREATE ROLE app LOGIN; CREATE TABLE t (x int); INSERT INTO t VALUES (1); \
                 GRANT SELECT ON t TO app",
            )
            .await
            .unwrap();
        let mut config = server.config("postgres");
        config.user("app");
        let app = server.try_connect_with(config).await.unwrap();
        let n: i64 = common::scalar(&app, "SELECT count(*) FROM t").await;
        assert_eq!(n, 1, "{mode}");
        // Prepared before the revoke, run after it.
        let prepared = app.prepare("SELECT x FROM t").await.unwrap();
        admin
            .batch_execute("REVOKE SELECT ON t FROM app")
            .await
            .unwrap();
        let e = app.query(&prepared, &[]).await.unwrap_err();
        assert_eq!(sqlstate(&e), "42501", "{mode}");
        let e = app
            .simple_query("SELECT count(*) FROM t")
            .await
            .unwrap_err();
        assert_eq!(
            e.as_db_error().unwrap().message(),
            "permission denied for table t",
            "{mode}"
        );
        // Membership granted to a connected role counts at once too.
        admin
            .batch_execute(
                "CREATE ROLE readers; GRANT SELECT ON t TO readers; GRANT readers TO app",
            )
            .await
            .unwrap();
        let n: i64 = common::scalar(&app, "SELECT count(*) FROM t").await;
        assert_eq!(n, 1, "{mode}");
        // A rolled-back GRANT grants nothing.
        admin
            .batch_execute("REVOKE readers FROM app; BEGIN; GRANT SELECT ON t TO app; ROLLBACK")
            .await
            .unwrap();
        let e = app.simple_query("SELECT x FROM t").await.unwrap_err();
        assert_eq!(sqlstate(&e), "42501", "{mode}");
    }
}

/// CONNECT on the database and the role's CONNECTION LIMIT are checked at
/// login (FATAL as PostgreSQL 15 sends them).
#[tokio::test]
async fn login_needs_connect_and_respects_the_connection_limit() {
    for mode in MODES {
        let server = Server::start(mode, &[]);
        let c = server.connect().await;
        for sql in [
            "CREATE ROLE dbu LOGIN",
            "CREATE ROLE lim LOGIN CONNECTION LIMIT 1",
            "CREATE DATABASE dbp",
            "REVOKE CONNECT ON DATABASE dbp FROM PUBLIC",
        ] {
            c.batch_execute(sql).await.unwrap();
        }
        let login = |user: &str, db: &str| {
            let mut config = server.config(db);
            config.user(user);
            config
        };
        let e = server
            .try_connect_with(login("dbu", "dbp"))
            .await
            .err()
            .unwrap_or_else(|| panic!("{mode}: dbu connected without CONNECT"));
        let db = e.as_db_error().expect("a server error");
        assert_eq!(
            (db.code().code(), db.message(), db.detail()),
            (
                "42501",
                "permission denied for database \"dbp\"",
                Some("User does not have CONNECT privilege.")
            ),
            "{mode}"
        );
        c.batch_execute("GRANT CONNECT ON DATABASE dbp TO dbu")
            .await
            .unwrap();
        let dbu = server.try_connect_with(login("dbu", "dbp")).await.unwrap();
        let row = dbu
            .query_one("SELECT current_user::text", &[])
            .await
            .unwrap();
        assert_eq!(row.get::<_, String>(0), "dbu", "{mode}");
        let first = server
            .try_connect_with(login("lim", "postgres"))
            .await
            .unwrap();
        let e = server
            .try_connect_with(login("lim", "postgres"))
            .await
            .err()
            .unwrap_or_else(|| panic!("{mode}: a second session of lim"));
        assert_eq!(sqlstate(&e), "53300", "{mode}: {e}");
        assert_eq!(
            e.as_db_error().map(|d| d.message()),
            Some("too many connections for role \"lim\""),
            "{mode}"
        );
        drop(first);
    }
}
