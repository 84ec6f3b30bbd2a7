//! Background workers and activity views, in every launch mode: static
//! workers and their restart policies, dynamic workers from SQL
//! (pg_background), the checkpointer, pg_stat_activity and
//! pg_stat_database.

mod common;

use std::time::Duration;

use common::{scalar, sqlstate, wait_until_async, Server, MODES, STARTUP_TIMEOUT};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

/// Pids of the processes pg_stat_activity shows with this backend_type.
async fn pids_of(c: &tokio_postgres::Client, backend_type: &str) -> Vec<i32> {
    c.query(
        "SELECT pid FROM pg_stat_activity WHERE backend_type = $1 ORDER BY pid",
        &[&backend_type],
    )
    .await
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect()
}

/// Waits until `backend_type` shows exactly `n` processes, on fresh
/// sessions (a crash restart ends old ones).
async fn wait_for_workers(server: &Server, backend_type: &str, n: usize) -> Vec<i32> {
    let deadline = std::time::Instant::now() + STARTUP_TIMEOUT;
    loop {
        if let Ok(c) = server.try_connect_with(server.config("postgres")).await {
            if let Ok(rows) = c
                .query(
                    "SELECT pid FROM pg_stat_activity WHERE backend_type = $1",
                    &[&backend_type],
                )
                .await
            {
                if rows.len() == n {
                    return rows.iter().map(|r| r.get(0)).collect();
                }
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{}: never {n} \"{backend_type}\" workers\n{}",
            server.mode,
            server.log()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn static_workers_start_with_the_server_and_restart_per_their_policy() {
    for mode in MODES {
        let server = Server::start(mode, &["debug_test_workers=on"]);
        let restart = wait_for_workers(&server, "test restart", 1).await;
        let once = wait_for_workers(&server, "test once", 1).await;
        wait_for_workers(&server, "checkpointer", 1).await;
        let c = server.connect().await;
        // Terminated (exit code 1): the restartable one is back within its
        // interval with a new pid; the other stays down.
        for pid in [restart[0], once[0]] {
            let ok: bool = c
                .query_one("SELECT pg_terminate_backend($1)", &[&pid])
                .await
                .unwrap()
                .get(0);
            assert!(ok, "{mode}");
        }
        wait_for_workers(&server, "test once", 0).await;
        // (The terminated one may still be on its way out: wait for the
        // replacement, a new pid.)
        let deadline = std::time::Instant::now() + STARTUP_TIMEOUT;
        while wait_for_workers(&server, "test restart", 1).await == restart {
            assert!(
                std::time::Instant::now() < deadline,
                "{mode}: \"test restart\" never replaced"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        server
            .wait_for_log_async("background worker \"test restart\"")
            .await;
        server.assert_serving().await;
    }
}

#[tokio::test]
async fn a_killed_worker_causes_a_crash_restart_after_which_workers_follow_their_policy() {
    for mode in ["fork", "exec"] {
        let server = Server::start(mode, &["debug_test_workers=on"]);
        let restart = wait_for_workers(&server, "test restart", 1).await;
        let once = wait_for_workers(&server, "test once", 1).await;
        kill(Pid::from_raw(restart[0]), Signal::SIGKILL).unwrap();
        server
            .wait_for_log_async("background worker \"test restart\"")
            .await;
        server
            .wait_for_log_async("all server processes terminated; reinitializing")
            .await;
        let back = wait_for_workers(&server, "test restart", 1).await;
        assert_ne!(back, restart, "{mode}");
        // The never-restart worker was stopped by the crash and stays down.
        wait_for_workers(&server, "test once", 0).await;
        assert!(
            common::children_of(server.pid().as_raw()).len() >= 2,
            "{mode}: checkpointer and worker"
        );
        assert!(!common::children_of(server.pid().as_raw()).contains(&once[0]));
        server.assert_serving().await;
    }
}

/// pg_background_launch(sql), retried while every worker slot is taken
/// (53000): a finished worker's slot is freed once the supervisor reaped it.
async fn launch_when_a_slot_is_free(c: &tokio_postgres::Client, sql: &str, mode: &str) -> i32 {
    for _ in 0..200 {
        match c
            .query_one("SELECT pg_background_launch($1)", &[&sql])
            .await
        {
            Ok(row) => return row.get(0),
            Err(e) if sqlstate(&e) == "53000" => {
                tokio::time::sleep(Duration::from_millis(20)).await
            }
            Err(e) => panic!("{mode}: {e}"),
        }
    }
    panic!("{mode}: no worker slot was freed");
}

#[tokio::test]
async fn dynamic_workers_run_sql_and_hand_back_the_result() {
    for mode in MODES {
        let server = Server::start(mode, &["max_worker_processes=2"]);
        let c = server.connect().await;
        c.batch_execute("CREATE TABLE jobs (n int); INSERT INTO jobs VALUES (1), (2), (3)")
            .await
            .unwrap();
        // Launch waits for the start notification; result waits for the
        // stop notification: both come from the supervisor (SIGUSR1).
        let pid: i32 = scalar(
            &c,
            "SELECT pg_background_launch('UPDATE jobs SET n = n * 10')",
        )
        .await;
        assert!(pid > 0, "{mode}");
        let tag: String = c
            .query_one("SELECT pg_background_result($1)", &[&pid])
            .await
            .unwrap()
            .get(0);
        assert_eq!(tag, "UPDATE 3", "{mode}");
        let rows: String = scalar(
            &c,
            "SELECT pg_background_result(pg_background_launch('SELECT n, n + 1 FROM jobs ORDER BY n'))",
        )
        .await;
        assert_eq!(rows, "10\t11\n20\t21\n30\t31", "{mode}");
        // The worker's error is the caller's.
        let e = c
            .query_one(
                "SELECT pg_background_result(pg_background_launch('SELECT 1/0'))",
                &[],
            )
            .await
            .unwrap_err();
        assert_eq!(sqlstate(&e), "22012", "{mode}");
        // Detached: the result is dropped; the pid is not ours any more.
        let pid = launch_when_a_slot_is_free(&c, "SELECT pg_sleep(0.2)", mode).await;
        c.query_one("SELECT pg_background_detach($1)", &[&pid])
            .await
            .unwrap();
        let e = c
            .query_one("SELECT pg_background_result($1)", &[&pid])
            .await
            .unwrap_err();
        assert_eq!(sqlstate(&e), "42704", "{mode}");
        // The detached worker ends by itself.
        for _ in 0..200 {
            if pids_of(&c, "pg_background").await.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // max_worker_processes = 2: a third at once is refused. (The
        // detached worker's registration is freed when the supervisor has
        // reaped it, a moment after it left pg_stat_activity.)
        let a = launch_when_a_slot_is_free(&c, "SELECT pg_sleep(2)", mode).await;
        let b = launch_when_a_slot_is_free(&c, "SELECT pg_sleep(2)", mode).await;
        let e = c
            .query_one("SELECT pg_background_launch('SELECT 1')", &[])
            .await
            .unwrap_err();
        assert_eq!(sqlstate(&e), "53000", "{mode}");
        assert_eq!(
            e.as_db_error().unwrap().message(),
            "could not register background process"
        );
        // While they run they are in pg_stat_activity (once started up).
        let mut shown = Vec::new();
        for _ in 0..100 {
            shown = pids_of(&c, "pg_background").await;
            if shown.contains(&a) && shown.contains(&b) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(
            shown.contains(&a) && shown.contains(&b),
            "{mode}: {shown:?}"
        );
        for pid in [a, b] {
            let r: String = c
                .query_one("SELECT pg_background_result($1)", &[&pid])
                .await
                .unwrap()
                .get(0);
            assert_eq!(r, "", "{mode}: pg_sleep returns void");
        }
    }
}

#[tokio::test]
async fn pg_stat_activity_shows_what_each_backend_is_doing() {
    for mode in MODES {
        let server = Server::start(mode, &[]);
        let mut config = server.config("postgres");
        config.application_name("sleeper");
        let sleeper = server.try_connect_with(config).await.unwrap();
        let sleeper_pid = common::backend_pid(&sleeper).await;
        let task = tokio::spawn(async move {
            let result = sleeper.simple_query("SELECT pg_sleep(5)").await;
            (sleeper, result)
        });
        let watcher = server.connect().await;
        let sql = "SELECT state, query, wait_event_type, wait_event, datname, usename, \
                   application_name, backend_type, query_start IS NOT NULL, \
                   backend_start <= query_start, client_port \
                   FROM pg_stat_activity WHERE pid = $1";
        let row = tokio::time::timeout(STARTUP_TIMEOUT, async {
            loop {
                let row = watcher.query_one(sql, &[&sleeper_pid]).await.unwrap();
                let state: Option<String> = row.get(0);
                if state.as_deref() == Some("active") {
                    return row;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await
        .unwrap_or_else(|_| panic!("{mode}: the sleeper never showed as active"));
        assert_eq!(row.get::<_, String>(1), "SELECT pg_sleep(5)", "{mode}");
        assert_eq!(row.get::<_, Option<String>>(2).as_deref(), Some("Timeout"));
        assert_eq!(row.get::<_, Option<String>>(3).as_deref(), Some("PgSleep"));
        assert_eq!(row.get::<_, String>(4), "postgres");
        assert_eq!(row.get::<_, String>(5), "postgres");
        assert_eq!(row.get::<_, String>(6), "sleeper");
        assert_eq!(row.get::<_, String>(7), "client backend");
        assert!(row.get::<_, bool>(8) && row.get::<_, bool>(9));
        assert_eq!(
            row.get::<_, Option<i32>>(10),
            Some(-1),
            "{mode}: Unix socket"
        );
        // The watcher itself: active, running this query.
        let me: String = scalar(
            &watcher,
            "SELECT state FROM pg_stat_activity WHERE pid = pg_backend_pid()",
        )
        .await;
        assert_eq!(me, "active");
        // Cancel the sleep; afterwards the sleeper is idle with its last query.
        let cancelled: bool = watcher
            .query_one("SELECT pg_cancel_backend($1)", &[&sleeper_pid])
            .await
            .unwrap()
            .get(0);
        assert!(cancelled);
        let (_sleeper, result) = task.await.unwrap();
        assert_eq!(sqlstate(&result.unwrap_err()), "57014", "{mode}");
        let mut state = String::new();
        for _ in 0..100 {
            let row = watcher.query_one(sql, &[&sleeper_pid]).await.unwrap();
            state = row.get::<_, Option<String>>(0).unwrap_or_default();
            if state == "idle" {
                assert_eq!(row.get::<_, String>(1), "SELECT pg_sleep(5)");
                assert_eq!(
                    row.get::<_, Option<String>>(3).as_deref(),
                    Some("ClientRead")
                );
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(state, "idle", "{mode}");
        // In a transaction, then aborted.
        let tx = server.connect().await;
        let tx_pid = common::backend_pid(&tx).await;
        tx.batch_execute("BEGIN; SELECT 1").await.unwrap();
        let row = watcher
            .query_one(
                "SELECT state, xact_start IS NOT NULL FROM pg_stat_activity WHERE pid = $1",
                &[&tx_pid],
            )
            .await
            .unwrap();
        assert_eq!(row.get::<_, String>(0), "idle in transaction", "{mode}");
        assert!(row.get::<_, bool>(1));
        let _ = tx.batch_execute("SELECT 1/0").await;
        let state: String = watcher
            .query_one(
                "SELECT state FROM pg_stat_activity WHERE pid = $1",
                &[&tx_pid],
            )
            .await
            .unwrap()
            .get(0);
        assert_eq!(state, "idle in transaction (aborted)", "{mode}");
        tx.batch_execute("ROLLBACK").await.unwrap();

        // pg_stat_database: backends and transactions of this database.
        let row = watcher
            .query_one(
                "SELECT numbackends, xact_commit, xact_rollback FROM pg_stat_database \
                 WHERE datname = 'postgres'",
                &[],
            )
            .await
            .unwrap();
        let (backends, commits, rollbacks): (i32, i64, i64) = (row.get(0), row.get(1), row.get(2));
        assert!(backends >= 3, "{mode}: {backends}");
        assert!(
            commits >= 3 && rollbacks >= 2,
            "{mode}: {commits} {rollbacks}"
        );
    }
}

#[tokio::test]
async fn the_checkpointer_truncates_the_wal_every_checkpoint_timeout_and_at_shutdown() {
    for mode in MODES {
        let mut server = Server::start(mode, &["checkpoint_timeout=1s", "log_checkpoints=on"]);
        let c = server.connect().await;
        c.batch_execute(
            "CREATE TABLE w (n int, pad text); \
             INSERT INTO w SELECT g, 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' FROM generate_series(1, 2000) AS g",
        )
        .await
        .unwrap();
        let wal = server.data_dir().join("base/5.db-wal");
        let size = || std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        wait_until_async("the WAL to be truncated", STARTUP_TIMEOUT, || size() == 0).await;
        server.wait_for_log_async("checkpoint starting: time").await;
        server.wait_for_log_async("checkpoint complete:").await;
        c.batch_execute("INSERT INTO w VALUES (0, 'after')")
            .await
            .unwrap();
        drop(c);
        server.stop();
        assert!(
            server.log().contains("checkpoint starting: shutdown"),
            "{mode}: the checkpointer takes the shutdown checkpoint\n{}",
            server.log()
        );
        assert_eq!(size(), 0, "{mode}");
    }
}
