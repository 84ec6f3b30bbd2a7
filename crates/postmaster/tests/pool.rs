//! Pre-launched backends (`prelaunch_backends`) in every launch mode:
//! connections are handed to ready children, bursts larger than the pool
//! fall back to launching, cancel keys work for handed-over backends, a
//! ready child killed is replaced without a crash restart, and shutdown
//! with ready children is prompt.

mod common;

use std::time::{Duration, Instant};

use common::{backend_pid, sqlstate, wait_until, wait_until_async, Server, MODES};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

const POOL: usize = 4;

/// The pool, and the supervisor's debug lines that name the pids it
/// starts and hands connections to (how a thread child is seen).
fn pool_settings() -> Vec<String> {
    vec![
        format!("prelaunch_backends={POOL}"),
        "debug_logging=on".to_string(),
    ]
}

/// Pids in the log lines containing `what` (`..., pid=N`).
fn log_pids(log: &str, what: &str) -> Vec<i32> {
    log.lines()
        .filter(|l| l.contains(what))
        .filter_map(|l| l.rsplit("pid=").next()?.trim().parse().ok())
        .collect()
}

/// Ready children by the supervisor's log: started and not yet handed a
/// connection (valid while nothing retires or kills them).
fn pool_from_log(log: &str) -> Vec<i32> {
    let handed = log_pids(log, "handed connection to ready backend");
    log_pids(log, "started ready backend")
        .into_iter()
        .filter(|p| !handed.contains(p))
        .collect()
}

/// The ready children: processes in the process modes, the log's record
/// in thread mode (a thread is not visible from outside).
fn ready_now(server: &Server, mode: &str) -> Vec<i32> {
    if mode == "thread" {
        pool_from_log(&server.log())
    } else {
        server.ready_children()
    }
}

fn start(mode: &str, extra: &[&str]) -> Server {
    let settings = pool_settings();
    let mut all: Vec<&str> = settings.iter().map(String::as_str).collect();
    all.extend_from_slice(extra);
    Server::start(mode, &all)
}

/// Waits until the pool is full.
fn wait_for_full_pool(server: &Server, mode: &str) {
    wait_until("a full pool", Duration::from_secs(10), || {
        ready_now(server, mode).len() == POOL
    });
}

#[tokio::test]
async fn connections_go_to_ready_backends() {
    for mode in MODES {
        let server = start(mode, &[]);
        wait_for_full_pool(&server, mode);
        let ready = ready_now(&server, mode);
        let c = server.connect().await;
        let pid = backend_pid(&c).await;
        assert!(ready.contains(&pid), "{mode}: {pid} not from {ready:?}");
        server.wait_for_log(&format!("handed connection to ready backend, pid={pid}"));
        // The pool is refilled.
        wait_for_full_pool(&server, mode);
        assert!(!ready_now(&server, mode).contains(&pid), "{mode}");
        let n: i32 = c.query_one("SELECT 41 + 1", &[]).await.unwrap().get(0);
        assert_eq!(n, 42, "{mode}");
        // A handed-over backend's cancel key is the one the supervisor
        // put in its slot: a cancel request finds it.
        let c2 = server.connect().await;
        let c2_pid = backend_pid(&c2).await;
        let token = c2.cancel_token();
        let task = tokio::spawn(async move {
            let r = c2.batch_execute("SELECT pg_sleep(30)").await;
            (r, c2)
        });
        common::wait_until_active(&c, c2_pid).await;
        token.cancel_query(tokio_postgres::NoTls).await.unwrap();
        let (r, _c2) = tokio::time::timeout(Duration::from_secs(10), task)
            .await
            .expect("cancel took effect")
            .unwrap();
        assert_eq!(sqlstate(&r.unwrap_err()), "57014", "{mode}");
        let one: i32 = c.query_one("SELECT 1", &[]).await.unwrap().get(0);
        assert_eq!(one, 1, "{mode}");
    }
}

#[tokio::test]
async fn a_burst_larger_than_the_pool_is_served_up_to_the_limit() {
    const BURST: usize = 200;
    for mode in MODES {
        let server = start(mode, &["max_connections=120"]);
        wait_for_full_pool(&server, mode);
        let mut tasks = Vec::new();
        for _ in 0..BURST {
            let config = server.tcp_config("postgres");
            tasks.push(tokio::spawn(async move {
                let (client, conn) = config.connect(tokio_postgres::NoTls).await?;
                let conn = tokio::spawn(conn);
                let one: i32 = client.query_one("SELECT 1", &[]).await?.get(0);
                assert_eq!(one, 1);
                // Stay connected until every task has tried, so the limit
                // is really reached.
                Ok::<_, tokio_postgres::Error>((client, conn))
            }));
        }
        let mut clients = Vec::new();
        let mut refused = 0;
        for t in tasks {
            match tokio::time::timeout(Duration::from_secs(60), t)
                .await
                .expect("burst connection hung")
                .unwrap()
            {
                Ok(c) => clients.push(c),
                Err(e) => {
                    assert_eq!(sqlstate(&e), "53300", "{mode}: {e}");
                    refused += 1;
                }
            }
        }
        assert_eq!(clients.len() + refused, BURST, "{mode}");
        assert_eq!(clients.len(), 120, "{mode}: {refused} refused");
        drop(clients);
        // Afterwards the server still serves, and no crash happened.
        let c = server.connect().await;
        c.batch_execute("SELECT 1").await.unwrap();
        assert!(
            !server
                .log()
                .contains("terminating any other active server processes"),
            "{mode}\n{}",
            server.log()
        );
    }
}

#[tokio::test]
async fn a_killed_ready_backend_is_replaced_without_a_crash_restart() {
    // Threads cannot be killed one by one: process modes only.
    for mode in MODES.iter().filter(|m| **m != "thread") {
        let server = start(mode, &[]);
        wait_for_full_pool(&server, mode);
        let session = server.connect().await;
        session
            .batch_execute("CREATE TABLE kept (n int); INSERT INTO kept VALUES (1)")
            .await
            .unwrap();
        wait_for_full_pool(&server, mode);
        let victim = server.ready_children()[0];
        kill(Pid::from_raw(victim), Signal::SIGKILL).unwrap();
        server.wait_for_log(&format!(
            "ready backend (PID {victim}) was terminated by signal 9"
        ));
        wait_for_full_pool(&server, mode);
        assert!(!server.ready_children().contains(&victim), "{mode}");
        // No crash restart: the other session never noticed.
        let n: i32 = session
            .query_one("SELECT n FROM kept", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(n, 1, "{mode}");
        let log = server.log();
        assert!(
            !log.contains("terminating any other active server processes"),
            "{mode}\n{log}"
        );
        // A backend that was given a connection is a backend like any
        // other: its crash is a crash.
        let pid = backend_pid(&server.connect().await).await;
        kill(Pid::from_raw(pid), Signal::SIGKILL).unwrap();
        server.wait_for_log("terminating any other active server processes");
        wait_until_async("accepting again", Duration::from_secs(10), || {
            server.log().matches("ready to accept connections").count() >= 2
        })
        .await;
        server.assert_serving().await;
        wait_for_full_pool(&server, mode);
    }
}

#[test]
fn shutdown_with_ready_backends_is_prompt() {
    for mode in MODES {
        for sig in [Signal::SIGTERM, Signal::SIGINT, Signal::SIGQUIT] {
            let mut server = start(mode, &[]);
            wait_for_full_pool(&server, mode);
            let ready = server.ready_children();
            let started = Instant::now();
            let status = server.stop_with(sig);
            assert!(
                started.elapsed() < Duration::from_secs(3),
                "{mode} {sig}: {:?}",
                started.elapsed()
            );
            if sig != Signal::SIGQUIT {
                assert!(status.success(), "{mode} {sig}: {status}");
            }
            for pid in ready {
                wait_until("ready backends gone", Duration::from_secs(2), || {
                    common::parent_of(pid).is_none()
                });
            }
        }
    }
}

#[tokio::test]
async fn reload_replaces_ready_backends() {
    for mode in MODES {
        let server = start(mode, &[]);
        wait_for_full_pool(&server, mode);
        let before = ready_now(&server, mode);
        // pg_hba.conf changed: a ready backend must not use the old rules.
        let hba = server.data_dir().join("pg_hba.conf");
        let text = std::fs::read_to_string(&hba).unwrap();
        std::fs::write(&hba, format!("local all nobody_here reject\n{text}")).unwrap();
        kill(server.pid(), Signal::SIGHUP).unwrap();
        server.wait_for_log("received SIGHUP");
        // POOL new children started after the reload (the old ones were
        // retired), and the next connection goes to one of them.
        let started_since_reload = || {
            let log = server.log();
            let after = log
                .split("received SIGHUP")
                .nth(1)
                .unwrap_or("")
                .to_string();
            log_pids(&after, "started ready backend")
        };
        wait_until("a fresh pool", Duration::from_secs(10), || {
            started_since_reload().len() >= POOL
        });
        if *mode != "thread" {
            wait_until("the old pool gone", Duration::from_secs(10), || {
                let now = server.ready_children();
                now.len() == POOL && now.iter().all(|p| !before.contains(p))
            });
        }
        let c = server.connect().await;
        let pid = backend_pid(&c).await;
        server.wait_for_log(&format!("handed connection to ready backend, pid={pid}"));
        assert!(
            !before.contains(&pid),
            "{mode}: an old ready backend took it"
        );
        assert!(started_since_reload().contains(&pid), "{mode}");
    }
}
