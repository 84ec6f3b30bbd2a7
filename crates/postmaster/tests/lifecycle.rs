//! Connection limits, cancel, shutdown, restart and the lock file, in every
//! launch mode (what each mode's children are is in launch_modes.rs).

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::{parent_of, sqlstate, wait_until, Server, MODES};
use nix::sys::signal::Signal;

#[tokio::test]
async fn too_many_clients() {
    for mode in MODES {
        let server = Server::start(
            mode,
            &["max_connections=2", "superuser_reserved_connections=0"],
        );
        let a = server.connect().await;
        let b = server.connect().await;
        let e = server
            .try_connect_with(server.config("postgres"))
            .await
            .err()
            .unwrap_or_else(|| panic!("third connection accepted with max_connections=2"));
        assert_eq!(sqlstate(&e), "53300", "{mode}");
        let db = e.as_db_error().unwrap();
        assert_eq!(db.severity(), "FATAL");
        assert_eq!(db.message(), "sorry, too many clients already");

        // The two sessions are untouched, and a slot comes back on disconnect.
        a.batch_execute("SELECT 1").await.unwrap();
        drop(b);
        let mut c = None;
        for _ in 0..100 {
            match server.try_connect_with(server.config("postgres")).await {
                Ok(client) => {
                    c = Some(client);
                    break;
                }
                Err(e) => {
                    assert_eq!(sqlstate(&e), "53300");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
        c.expect("slot never freed")
            .batch_execute("SELECT 1")
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn cancel_a_running_query() {
    for mode in MODES {
        let server = Server::start(mode, &[]);
        let c = server.connect().await;
        let watcher = server.connect().await;
        let pid = common::backend_pid(&c).await;
        let token = c.cancel_token();
        let sleeper = tokio::spawn(async move {
            let r = c.batch_execute("SELECT pg_sleep(30)").await;
            (r, c)
        });
        common::wait_until_active(&watcher, pid).await;
        let started = std::time::Instant::now();
        token.cancel_query(tokio_postgres::NoTls).await.unwrap();
        let (r, c) = tokio::time::timeout(Duration::from_secs(10), sleeper)
            .await
            .expect("cancel did not stop pg_sleep")
            .unwrap();
        let e = r.unwrap_err();
        assert_eq!(sqlstate(&e), "57014", "{mode}");
        assert_eq!(
            e.as_db_error().unwrap().message(),
            "canceling statement due to user request"
        );
        assert!(started.elapsed() < Duration::from_secs(10));
        // The session survives a cancel.
        let one: i32 = common::scalar(&c, "SELECT 1").await;
        assert_eq!(one, 1);
    }
}

#[tokio::test]
async fn cancel_with_a_wrong_key_is_ignored() {
    for mode in MODES {
        let server = Server::start(mode, &[]);
        let c = server.connect().await;
        let pid: i32 = common::backend_pid(&c).await;
        // CancelRequest with the right pid and a wrong key.
        let mut raw = server.raw_tcp();
        let mut pkt = Vec::new();
        pkt.extend_from_slice(&16u32.to_be_bytes());
        pkt.extend_from_slice(&80877102u32.to_be_bytes());
        pkt.extend_from_slice(&pid.to_be_bytes());
        pkt.extend_from_slice(&0u32.to_be_bytes());
        let answer = common::send_and_read_all(&mut raw, &pkt);
        assert!(answer.is_empty(), "{mode}: cancel request answered");
        server.wait_for_log(&format!("wrong key in cancel request for process {pid}"));
        // The session was not cancelled.
        c.batch_execute("SELECT pg_sleep(0.2)").await.unwrap();
    }
}

#[tokio::test]
async fn fast_shutdown_terminates_sessions_and_removes_files() {
    for mode in MODES {
        let mut server = Server::start(mode, &[]);
        let pid_file = server.data_dir().join("postmaster.pid");
        let socket = server.socket_path();
        let socket_lock = server.dir.join(format!(".s.PGSQL.{}.lock", server.port));
        assert!(pid_file.exists() && socket.exists() && socket_lock.exists());
        let pid_text = std::fs::read_to_string(&pid_file).unwrap();
        assert_eq!(
            pid_text.lines().next().unwrap(),
            server.pid().as_raw().to_string()
        );

        let (client, conn) = server.connect_watched().await;
        client
            .batch_execute("CREATE TABLE w (v integer); INSERT INTO w VALUES (1)")
            .await
            .unwrap();

        server.stop();
        let err = tokio::time::timeout(Duration::from_secs(10), conn)
            .await
            .expect("connection not closed by shutdown")
            .unwrap()
            .expect_err("no error on shutdown");
        assert_eq!(sqlstate(&err), "57P01", "{mode}");
        assert_eq!(
            err.as_db_error().unwrap().message(),
            "terminating connection due to administrator command"
        );
        assert!(!pid_file.exists(), "{mode}: postmaster.pid left behind");
        assert!(!socket.exists(), "{mode}: socket left behind");
        assert!(!socket_lock.exists(), "{mode}: socket lock left behind");
        let log = server.log();
        assert!(log.contains("received fast shutdown request"), "{log}");
        assert!(log.contains("database system is shut down"), "{log}");
        // The shutdown checkpoint left no WAL behind.
        assert!(log.contains("checkpoint complete"), "{log}");
        for entry in std::fs::read_dir(server.data_dir().join("base")).unwrap() {
            let path = entry.unwrap().path();
            if path.to_string_lossy().ends_with("-wal") {
                assert_eq!(
                    std::fs::metadata(&path).unwrap().len(),
                    0,
                    "{mode}: {} not checkpointed",
                    path.display()
                );
            }
        }
    }
}

#[tokio::test]
async fn committed_rows_survive_a_restart() {
    for mode in MODES {
        let mut server = Server::start(mode, &[]);
        {
            let c = server.connect().await;
            c.batch_execute(
                "CREATE TABLE kept (id serial primary key, v text);
                 INSERT INTO kept (v) VALUES ('one'), ('two');
                 BEGIN; INSERT INTO kept (v) VALUES ('three'); COMMIT;",
            )
            .await
            .unwrap();
            // Uncommitted at shutdown: must not survive.
            c.batch_execute("BEGIN; INSERT INTO kept (v) VALUES ('lost')")
                .await
                .unwrap();
            server.stop();
        }
        server.spawn();
        let c = server.connect().await;
        let rows = c
            .query("SELECT v FROM kept ORDER BY id", &[])
            .await
            .unwrap();
        let got: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
        assert_eq!(got, ["one", "two", "three"], "{mode}");
        // The serial counter continues; the value the rolled-back insert
        // took is not handed out again (as PostgreSQL: 5, not 4).
        let id: i32 = common::scalar(&c, "INSERT INTO kept (v) VALUES ('four') RETURNING id").await;
        assert_eq!(id, 5);
    }
}

#[tokio::test]
async fn committed_rows_survive_a_killed_postmaster() {
    for mode in MODES {
        let mut server = Server::start(mode, &[]);
        let c = server.connect().await;
        c.batch_execute("CREATE TABLE k (v integer); INSERT INTO k VALUES (1), (2)")
            .await
            .unwrap();
        let backend: i32 = common::backend_pid(&c).await;
        // SIGKILL leaves a stale postmaster.pid behind; the backend notices
        // the postmaster is gone and exits by itself.
        let status = server.stop_with(Signal::SIGKILL);
        assert!(!status.success());
        drop(c);
        wait_until("orphaned backend to exit", Duration::from_secs(10), || {
            parent_of(backend).is_none()
        });
        assert!(server.data_dir().join("postmaster.pid").exists());
        server.spawn();
        let c = server.connect().await;
        let n: i64 = common::scalar(&c, "SELECT count(*) FROM k").await;
        assert_eq!(n, 2, "{mode}");
    }
}

#[test]
fn second_server_on_the_same_directory_refuses() {
    for mode in MODES {
        let server = Server::start(mode, &[]);
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_postmaster"))
            .arg("-D")
            .arg(server.data_dir())
            .args(["-p", &common::free_port().to_string(), "-k"])
            .arg(&server.dir)
            .args(["-c", "listen_addresses=127.0.0.1"])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(!out.status.success(), "{mode}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("FATAL:  lock file \"postmaster.pid\" already exists"),
            "{err}"
        );
        assert!(
            err.contains(&format!(
                "HINT:  Is another postmaster (PID {}) running in data directory",
                server.pid()
            )),
            "{err}"
        );
    }
}

#[test]
fn help_version_and_missing_data_directory() {
    let bin = env!("CARGO_BIN_EXE_postmaster");
    let out = std::process::Command::new(bin)
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("postmaster "));
    let out = std::process::Command::new(bin)
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("-D <DATADIR>"));
    let out = std::process::Command::new(bin)
        .env_remove("PGDATA")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("PGDATA"));

    // init creates a directory the server then uses as is.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("d");
    let out = std::process::Command::new(bin)
        .args(["init", "-D"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("PG_VERSION"))
            .unwrap()
            .trim(),
        "17"
    );
    assert!(dir.join("postgresql.conf").exists());
    let out = std::process::Command::new(bin)
        .args(["init", "-D"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success(), "init over an existing directory");
}

#[tokio::test]
async fn pg_cancel_backend_and_pg_terminate_backend() {
    for mode in MODES {
        let server = Server::start(mode, &[]);
        let admin = server.connect().await;

        // Cancel: the statement fails, the session goes on.
        let busy = server.connect().await;
        let pid = common::backend_pid(&busy).await;
        let sleeper = tokio::spawn(async move {
            let r = busy.batch_execute("SELECT pg_sleep(30)").await;
            (r, busy)
        });
        common::wait_until_active(&admin, pid).await;
        let ok: bool = admin
            .query_one("SELECT pg_cancel_backend($1)", &[&pid])
            .await
            .unwrap()
            .get(0);
        assert!(ok, "{mode}");
        let (r, busy) = tokio::time::timeout(Duration::from_secs(10), sleeper)
            .await
            .expect("pg_cancel_backend did not stop pg_sleep")
            .unwrap();
        let e = r.unwrap_err();
        assert_eq!(sqlstate(&e), "57014", "{mode}");
        busy.batch_execute("SELECT 1").await.unwrap();

        // Terminate: the session ends with 57P01.
        let (victim, conn) = server.connect_watched().await;
        let pid = common::backend_pid(&victim).await;
        let ok: bool = admin
            .query_one("SELECT pg_terminate_backend($1)", &[&pid])
            .await
            .unwrap()
            .get(0);
        assert!(ok);
        let err = tokio::time::timeout(Duration::from_secs(10), conn)
            .await
            .expect("terminated session still open")
            .unwrap()
            .expect_err("terminated without an error");
        assert_eq!(sqlstate(&err), "57P01", "{mode}");
        assert_eq!(
            err.as_db_error().unwrap().message(),
            "terminating connection due to administrator command"
        );

        // No such backend: false, with PostgreSQL's warning.
        let rows = admin
            .simple_query("SELECT pg_cancel_backend(1)")
            .await
            .unwrap();
        let value = rows.iter().find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => Some(r.get(0).unwrap().to_string()),
            _ => None,
        });
        assert_eq!(value.as_deref(), Some("f"), "{mode}");
    }
}

#[tokio::test]
async fn statement_timeout() {
    for mode in MODES {
        let server = Server::start(mode, &[]);
        let c = server.connect().await;
        c.batch_execute("CREATE TABLE t (v integer); SET statement_timeout = '250ms'")
            .await
            .unwrap();
        for slow in [
            "SELECT pg_sleep(10)",
            // A statement SQLite itself runs for ever: stopped by the
            // progress handler.
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
        ] {
            let started = std::time::Instant::now();
            let e = c.batch_execute(slow).await.unwrap_err();
            assert_eq!(sqlstate(&e), "57014", "{mode}: {slow}");
            assert_eq!(
                e.as_db_error().unwrap().message(),
                "canceling statement due to statement timeout"
            );
            assert!(started.elapsed() < Duration::from_secs(5));
        }
        // Inside a transaction it aborts that transaction only.
        c.batch_execute("BEGIN; INSERT INTO t VALUES (1)")
            .await
            .unwrap();
        let e = c.batch_execute("SELECT pg_sleep(10)").await.unwrap_err();
        assert_eq!(sqlstate(&e), "57014");
        let e = c.batch_execute("SELECT 1").await.unwrap_err();
        assert_eq!(sqlstate(&e), "25P02");
        c.batch_execute("ROLLBACK").await.unwrap();
        c.batch_execute("SET statement_timeout = 0").await.unwrap();
        let n: i64 = common::scalar(&c, "SELECT count(*) FROM t").await;
        assert_eq!(n, 0, "{mode}");
        // Fast statements are unaffected; bad values are refused.
        c.batch_execute("SET statement_timeout = '5s'; SELECT pg_sleep(0.05)")
            .await
            .unwrap();
        let e = c
            .batch_execute("SET statement_timeout = 'soon'")
            .await
            .unwrap_err();
        assert_eq!(sqlstate(&e), "22023");
    }
}

fn postmaster_stop(server: &Server, mode: &str) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_postmaster"))
        .arg("stop")
        .arg("-D")
        .arg(server.data_dir())
        .args(["-m", mode])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[tokio::test]
async fn smart_shutdown_waits_for_sessions_and_refuses_new_ones() {
    for mode in MODES {
        let mut server = Server::start(mode, &[]);
        let session = server.connect().await;
        let stopper = postmaster_stop(&server, "smart");
        server
            .wait_for_log_async("received smart shutdown request")
            .await;
        let e = server
            .try_connect_with(server.config("postgres"))
            .await
            .err()
            .unwrap_or_else(|| panic!("{mode}: new session during smart shutdown"));
        assert_eq!(sqlstate(&e), "57P03", "{mode}");
        assert_eq!(
            e.as_db_error().unwrap().message(),
            "the database system is shutting down"
        );
        // The existing session runs on until it ends by itself.
        session
            .batch_execute("CREATE TABLE s (v integer); INSERT INTO s VALUES (1)")
            .await
            .unwrap();
        drop(session);
        let out = tokio::task::spawn_blocking(move || stopper.wait_with_output().unwrap())
            .await
            .unwrap();
        assert!(out.status.success(), "{mode}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("server stopped"));
        let mut child = server.child.take().unwrap();
        let status = common::wait_child(&mut child, Duration::from_secs(10)).unwrap();
        assert!(status.success(), "{mode}: {status}");
        assert!(!server.data_dir().join("postmaster.pid").exists());
        assert!(!server.socket_path().exists());
        // Committed work is there after a restart.
        server.spawn();
        let c = server.connect().await;
        let n: i64 = common::scalar(&c, "SELECT count(*) FROM s").await;
        assert_eq!(n, 1);
    }
}

#[tokio::test]
async fn immediate_shutdown_and_stop_without_a_server() {
    for mode in MODES {
        let mut server = Server::start(mode, &[]);
        let (client, conn) = server.connect_watched().await;
        client.batch_execute("SELECT 1").await.unwrap();
        let stopper = postmaster_stop(&server, "immediate");
        let out = tokio::task::spawn_blocking(move || stopper.wait_with_output().unwrap())
            .await
            .unwrap();
        assert!(out.status.success(), "{mode}");
        let err = tokio::time::timeout(Duration::from_secs(10), conn)
            .await
            .unwrap()
            .unwrap()
            .expect_err("no error on immediate shutdown");
        assert_eq!(sqlstate(&err), "57P01", "{mode}");
        assert_eq!(
            err.as_db_error().unwrap().message(),
            "terminating connection due to immediate shutdown command"
        );
        let mut child = server.child.take().unwrap();
        common::wait_child(&mut child, Duration::from_secs(10)).unwrap();
        assert!(!server.socket_path().exists());
        // Nothing running: pg_ctl's message and exit 1.
        let out = postmaster_stop(&server, "fast").wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        // The next start recovers.
        server.spawn();
        server.assert_serving().await;
    }
}

#[tokio::test]
async fn reload_applies_reloadable_settings_and_keeps_the_rest() {
    for mode in MODES {
        let server = Server::start(mode, &[]);
        let conf = server.data_dir().join("postgresql.conf");
        let original = std::fs::read_to_string(&conf).unwrap();
        let c = server.connect().await;

        // A reloadable setting and one that needs a restart.
        std::fs::write(
            &conf,
            format!("{original}\nlog_connections = on\nmax_connections = 7\n"),
        )
        .unwrap();
        let ok: bool = common::scalar(&c, "SELECT pg_reload_conf()").await;
        assert!(ok, "{mode}");
        server
            .wait_for_log_async("parameter \"log_connections\" changed to \"on\"")
            .await;
        server
            .wait_for_log_async(
                "parameter \"max_connections\" cannot be changed without restarting the server",
            )
            .await;
        let other = server.connect().await;
        server
            .wait_for_log_async("connection authorized: user=postgres database=postgres")
            .await;
        drop(other);

        // A broken file changes nothing (SIGHUP this time).
        std::fs::write(&conf, format!("{original}\nlog_connections = maybe\n")).unwrap();
        nix::sys::signal::kill(server.pid(), nix::sys::signal::Signal::SIGHUP).unwrap();
        server
            .wait_for_log_async("contains errors; no changes were applied")
            .await;
        assert!(server.log().contains("DETAIL:  "), "{mode}");
        server.assert_serving().await;
    }
}

#[tokio::test]
async fn children_die_with_a_killed_postmaster() {
    for mode in MODES {
        let mut server = Server::start(mode, &[]);
        let idle = server.connect().await;
        let busy = server.connect().await;
        let mut pids = vec![
            common::backend_pid(&idle).await,
            common::backend_pid(&busy).await,
        ];
        let sleeper = tokio::spawn(async move { busy.batch_execute("SELECT pg_sleep(60)").await });
        let _half_open = server.raw_tcp();
        tokio::time::sleep(Duration::from_millis(300)).await;
        pids.extend(server.all_children());
        let status = server.stop_with(Signal::SIGKILL);
        assert!(!status.success());
        // Every child is gone within a second, even one mid-statement.
        let started = std::time::Instant::now();
        let gone = |p: i32| {
            std::fs::read_to_string(format!("/proc/{p}/stat"))
                .map(|s| s.contains(") Z ") || s.contains(") X "))
                .unwrap_or(true)
        };
        common::wait_until_async("children to exit", Duration::from_secs(5), || {
            pids.iter().all(|&p| gone(p))
        })
        .await;
        assert!(
            started.elapsed() < Duration::from_millis(1500),
            "{mode}: {:?}",
            started.elapsed()
        );
        let r = tokio::time::timeout(Duration::from_secs(5), sleeper).await;
        assert!(
            matches!(r, Ok(Ok(Err(_)))),
            "{mode}: sleeping session still alive"
        );
        drop(idle);
        // The stale pid file does not stop the next start.
        server.spawn();
        server.assert_serving().await;
    }
}

#[tokio::test]
async fn a_failed_launch_is_reported_and_the_server_carries_on() {
    for mode in MODES {
        // Two failures: the first is taken by the harness's readiness probe.
        let server = Server::start(
            mode,
            &[
                "debug_launch_failures=2",
                // (the launch path itself: no ready backend takes it)
                "prelaunch_backends=0",
                "max_connections=1",
                "superuser_reserved_connections=0",
            ],
        );
        let e = server
            .try_connect_with(server.tcp_config("postgres"))
            .await
            .err()
            .unwrap_or_else(|| panic!("{mode}: launch did not fail"));
        let db = e.as_db_error().unwrap_or_else(|| panic!("{mode}: {e:?}"));
        assert_eq!(db.severity(), "FATAL");
        assert_eq!(
            db.message(),
            "could not fork new process for connection: Resource temporarily unavailable"
        );
        server
            .wait_for_log_async("could not fork new process for connection")
            .await;
        // The slot was freed (max_connections=1) and the server serves.
        server.assert_serving().await;
    }
}

#[tokio::test]
async fn roles_and_superuser_reserved_connections() {
    for mode in MODES {
        let server = Server::start(
            mode,
            &["max_connections=4", "superuser_reserved_connections=2"],
        );
        let admin = server.connect().await;
        admin.batch_execute("CREATE ROLE app LOGIN").await.unwrap();
        let e = admin.batch_execute("CREATE USER app").await.unwrap_err();
        assert_eq!(sqlstate(&e), "42710", "{mode}");
        assert_eq!(
            e.as_db_error().unwrap().message(),
            "role \"app\" already exists"
        );

        let as_app = || {
            let mut c = server.config("postgres");
            c.user("app");
            c
        };
        // The new role logs in at once (the login catalog was refreshed).
        let app1 = server.try_connect_with(as_app()).await.unwrap();
        let e = app1.batch_execute("CREATE ROLE other").await.unwrap_err();
        assert_eq!(sqlstate(&e), "42501", "{mode}");
        // admin + app1 = 2 of 4: the last 2 are for superusers.
        let e = server
            .try_connect_with(as_app())
            .await
            .err()
            .unwrap_or_else(|| panic!("{mode}: reserved slot given to a non-superuser"));
        assert_eq!(sqlstate(&e), "53300", "{mode}");
        assert_eq!(
            e.as_db_error().unwrap().message(),
            "remaining connection slots are reserved for roles with the SUPERUSER attribute"
        );
        let su3 = server.connect().await;
        let su4 = server.connect().await;
        let e = server
            .try_connect_with(server.config("postgres"))
            .await
            .err()
            .unwrap();
        assert_eq!(
            e.as_db_error().unwrap().message(),
            "sorry, too many clients already"
        );
        drop((su3, su4, app1));

        admin
            .batch_execute("DROP ROLE IF EXISTS ghost")
            .await
            .unwrap();
        let e = admin.batch_execute("DROP ROLE ghost").await.unwrap_err();
        assert_eq!(sqlstate(&e), "42704");
        admin.batch_execute("DROP ROLE app").await.unwrap();
        let mut gone = None;
        for _ in 0..50 {
            match server.try_connect_with(as_app()).await {
                Err(e) if sqlstate(&e) == "28000" => {
                    gone = Some(e);
                    break;
                }
                _ => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
        let e = gone.unwrap_or_else(|| panic!("{mode}: dropped role still logs in"));
        assert_eq!(
            e.as_db_error().unwrap().message(),
            "role \"app\" does not exist"
        );
    }
}

#[test]
fn reserved_connections_must_leave_room() {
    let tmp = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_postmaster"))
        .arg("-D")
        .arg(tmp.path().join("data"))
        .args(["-p", &common::free_port().to_string(), "-k"])
        .arg(tmp.path())
        .args(["-c", "max_connections=3"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains(
        "FATAL:  superuser_reserved_connections (3) must be less than max_connections (3)"
    ));
}
