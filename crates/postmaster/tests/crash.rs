//! Crash restart (PostgreSQL's 013_crash_restart.pl, in spirit): a backend
//! that dies abnormally makes the supervisor stop every other child
//! (57P02 to their clients), re-create shared memory and accept
//! connections again; committed data survives, uncommitted data does not.

mod common;

use std::time::Duration;

use common::{backend_pid, sqlstate, Server, MODES};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

const PROCESS_MODES: &[&str] = &["fork", "exec"];

/// Connects once the server accepts connections again; connections during
/// recovery are refused with 57P03.
async fn connect_after_recovery(server: &Server) -> tokio_postgres::Client {
    for _ in 0..400 {
        match server.try_connect_with(server.config("postgres")).await {
            Ok(c) => return c,
            Err(e) => {
                assert_eq!(sqlstate(&e), "57P03", "{e:?}");
                let db = e.as_db_error().unwrap();
                assert_eq!(db.message(), "the database system is in recovery mode");
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
        }
    }
    panic!("server never came back\n{}", server.log());
}

/// Sets up committed and uncommitted rows, crashes a backend with `crash`,
/// then checks the other session's error, the log and the data.
async fn crash_and_recover(
    server: &Server,
    crash: impl AsyncFnOnce(&Server, tokio_postgres::Client, i32),
) {
    let setup = server.connect().await;
    setup
        .batch_execute("CREATE TABLE kept (v integer); INSERT INTO kept VALUES (1), (2)")
        .await
        .unwrap();
    drop(setup);
    let (other, other_conn) = server.connect_watched().await;
    other
        .batch_execute("BEGIN; INSERT INTO kept VALUES (99)")
        .await
        .unwrap();
    let victim = server.connect().await;
    let victim_pid = backend_pid(&victim).await;
    crash(server, victim, victim_pid).await;

    // The bystander is told why it is being stopped.
    let err = tokio::time::timeout(Duration::from_secs(15), other_conn)
        .await
        .expect("bystander not terminated")
        .unwrap()
        .expect_err("bystander closed without an error");
    assert_eq!(sqlstate(&err), "57P02", "{err:?}");
    let db = err.as_db_error().unwrap();
    assert_eq!(
        db.message(),
        "terminating connection because of crash of another server process"
    );
    assert!(db.detail().unwrap().contains("exited abnormally"));

    let c = connect_after_recovery(server).await;
    let rows = c.query("SELECT v FROM kept ORDER BY v", &[]).await.unwrap();
    let got: Vec<i32> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(got, [1, 2], "committed rows lost or uncommitted row kept");
    c.batch_execute("INSERT INTO kept VALUES (3)")
        .await
        .unwrap();
    let log = server.log();
    assert!(
        log.contains("terminating any other active server processes"),
        "{log}"
    );
    assert!(
        log.contains("all server processes terminated; reinitializing"),
        "{log}"
    );
    assert!(
        log.matches("database system is ready to accept connections")
            .count()
            >= 2
    );
}

#[tokio::test]
async fn a_panicking_backend_makes_the_server_restart() {
    for mode in MODES {
        let server = Server::start(mode, &["debug_allow_panic=on"]);
        crash_and_recover(&server, async |server: &Server, victim, pid: i32| {
            let _ = victim.batch_execute("SELECT pg_debug_panic('boom')").await;
            server
                .wait_for_log_async(&format!(
                    "client backend (PID {pid}) exited with exit code 3"
                ))
                .await;
        })
        .await;
        assert!(
            server.log().contains(": boom"),
            "{mode}: panic message not logged"
        );
        // Without the setting the function does not exist.
        drop(server);
        let plain = Server::start(mode, &[]);
        let c = plain.connect().await;
        assert!(c.batch_execute("SELECT pg_debug_panic('x')").await.is_err());
    }
}

#[tokio::test]
async fn a_killed_backend_makes_the_server_restart() {
    for mode in PROCESS_MODES {
        let server = Server::start(mode, &[]);
        crash_and_recover(&server, async |server: &Server, _victim, pid: i32| {
            kill(Pid::from_raw(pid), Signal::SIGKILL).unwrap();
            server
                .wait_for_log_async(&format!(
                    "client backend (PID {pid}) was terminated by signal 9: Killed"
                ))
                .await;
        })
        .await;
    }
}

#[tokio::test]
async fn a_child_that_will_not_quit_is_killed_and_recovery_refuses_meanwhile() {
    for mode in PROCESS_MODES {
        let server = Server::start(mode, &[]);
        let stuck = server.connect().await;
        let stuck_pid = backend_pid(&stuck).await;
        let victim = server.connect().await;
        let victim_pid = backend_pid(&victim).await;
        // A stopped child cannot act on SIGQUIT; the supervisor must escalate.
        kill(Pid::from_raw(stuck_pid), Signal::SIGSTOP).unwrap();
        kill(Pid::from_raw(victim_pid), Signal::SIGKILL).unwrap();
        server
            .wait_for_log_async("terminating any other active server processes")
            .await;
        let e = server
            .try_connect_with(server.config("postgres"))
            .await
            .err()
            .unwrap_or_else(|| panic!("{mode}: connected during recovery"));
        assert_eq!(sqlstate(&e), "57P03", "{mode}");
        server
            .wait_for_log_async(&format!(
                "client backend (PID {stuck_pid}) was terminated by signal 9: Killed"
            ))
            .await;
        let c = connect_after_recovery(&server).await;
        c.batch_execute("SELECT 1").await.unwrap();
    }
}

#[tokio::test]
async fn restart_after_crash_off_shuts_the_server_down() {
    for mode in MODES {
        let mut server = Server::start(mode, &["debug_allow_panic=on", "restart_after_crash=off"]);
        let victim = server.connect().await;
        let _ = victim.batch_execute("SELECT pg_debug_panic('boom')").await;
        let mut child = server.child.take().unwrap();
        let status = common::wait_child(&mut child, Duration::from_secs(15))
            .unwrap_or_else(|| panic!("{mode}: server still running"));
        assert_eq!(status.code(), Some(1), "{mode}");
        assert!(server
            .log()
            .contains("shutting down because \"restart_after_crash\" is off"));
        assert!(!server.data_dir().join("postmaster.pid").exists());
        assert!(!server.socket_path().exists());
    }
}
