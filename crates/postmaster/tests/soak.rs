//! Crash-loop soak and power loss, with nothing committed lost.
//!
//! A TPC-B-like load (8 clients, each transaction one simple-protocol
//! message: BEGIN; three UPDATEs; INSERT INTO history; COMMIT) counts the
//! commits the server acknowledged and the ones left in doubt (the
//! connection died after COMMIT was sent). Meanwhile backends are killed
//! with SIGKILL every second (each a crash restart; in thread mode
//! pg_terminate_backend, since a thread cannot be killed alone), or the
//! whole server is killed with SIGKILL and started again. Afterwards:
//! sum(abalance) = sum(bbalance) = sum(tbalance) = sum(delta), and
//! acknowledged <= history rows <= acknowledged + in doubt.
//!
//! Short forms run in CI; `SOAK_SECONDS=60 POWER_LOSS_ROUNDS=20` are the
//! long forms (README, development section).

mod common;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{parent_of, Rng, Server, MODES};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

const CLIENTS: usize = 8;
const ACCOUNTS: i32 = 1000;
const TELLERS: i32 = 10;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[derive(Default)]
struct Counts {
    acknowledged: AtomicU64,
    in_doubt: AtomicU64,
    refused: AtomicU64,
}

async fn create_schema(server: &Server) {
    let c = server.connect().await;
    c.batch_execute(&format!(
        "CREATE TABLE branches (bid int PRIMARY KEY, bbalance int NOT NULL);
         CREATE TABLE tellers (tid int PRIMARY KEY, bid int, tbalance int NOT NULL);
         CREATE TABLE accounts (aid int PRIMARY KEY, bid int, abalance int NOT NULL);
         CREATE TABLE history (tid int, bid int, aid int, delta int, mtime timestamp);
         INSERT INTO branches VALUES (1, 0);
         INSERT INTO tellers SELECT i, 1, 0 FROM generate_series(1, {TELLERS}) AS i;
         INSERT INTO accounts SELECT i, 1, 0 FROM generate_series(1, {ACCOUNTS}) AS i;"
    ))
    .await
    .unwrap();
}

/// One load client: connects (again and again, through crash restarts)
/// and runs TPC-B transactions until `stop`.
async fn client_loop(
    config: tokio_postgres::Config,
    seed: u64,
    stop: Arc<AtomicBool>,
    counts: Arc<Counts>,
) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ seed);
    while !stop.load(Ordering::Relaxed) {
        let Ok((client, conn)) = config.connect(tokio_postgres::NoTls).await else {
            counts.refused.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        let conn = tokio::spawn(conn);
        while !stop.load(Ordering::Relaxed) {
            let aid = 1 + rng.below(ACCOUNTS as u64) as i32;
            let tid = 1 + rng.below(TELLERS as u64) as i32;
            let delta = rng.below(10_001) as i32 - 5000;
            let sql = format!(
                "BEGIN;
                 UPDATE accounts SET abalance = abalance + {delta} WHERE aid = {aid};
                 SELECT abalance FROM accounts WHERE aid = {aid};
                 UPDATE tellers SET tbalance = tbalance + {delta} WHERE tid = {tid};
                 UPDATE branches SET bbalance = bbalance + {delta} WHERE bid = 1;
                 INSERT INTO history VALUES ({tid}, 1, {aid}, {delta}, now());
                 COMMIT;"
            );
            match client.batch_execute(&sql).await {
                Ok(()) => {
                    counts.acknowledged.fetch_add(1, Ordering::Relaxed);
                }
                // An ERROR with the session alive rolled the block back
                // (a serialization failure, say): nothing committed.
                Err(e) if e.as_db_error().is_some_and(|d| d.severity() == "ERROR") => {}
                // The connection ended: this one may or may not have
                // committed.
                Err(_) => {
                    counts.in_doubt.fetch_add(1, Ordering::Relaxed);
                    break;
                }
            }
        }
        drop(client);
        let _ = conn.await;
    }
}

fn start_load(
    server: &Server,
) -> (
    Arc<AtomicBool>,
    Arc<Counts>,
    Vec<tokio::task::JoinHandle<()>>,
) {
    let stop = Arc::new(AtomicBool::new(false));
    let counts = Arc::new(Counts::default());
    let tasks = (0..CLIENTS)
        .map(|i| {
            let mut config = server.tcp_config("postgres");
            config.connect_timeout(Duration::from_secs(5));
            tokio::spawn(client_loop(
                config,
                i as u64 + 1,
                stop.clone(),
                counts.clone(),
            ))
        })
        .collect();
    (stop, counts, tasks)
}

/// Checks the TPC-B invariants and the history count; returns the rows.
async fn check_invariants(server: &Server, acknowledged: u64, in_doubt: u64, what: &str) -> i64 {
    let c = server.connect().await;
    let row = c
        .query_one(
            "SELECT (SELECT coalesce(sum(abalance), 0) FROM accounts)::int8,
                    (SELECT coalesce(sum(tbalance), 0) FROM tellers)::int8,
                    (SELECT coalesce(sum(bbalance), 0) FROM branches)::int8,
                    (SELECT coalesce(sum(delta), 0) FROM history)::int8,
                    (SELECT count(*) FROM history)::int8",
            &[],
        )
        .await
        .unwrap();
    let (a, t, b, d, rows): (i64, i64, i64, i64, i64) =
        (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4));
    assert!(
        a == t && t == b && b == d,
        "{what}: sums differ: accounts {a}, tellers {t}, branches {b}, history {d}"
    );
    assert!(
        rows as u64 >= acknowledged,
        "{what}: {rows} history rows, {acknowledged} commits acknowledged: a commit was lost"
    );
    assert!(
        rows as u64 <= acknowledged + in_doubt,
        "{what}: {rows} history rows > {acknowledged} acknowledged + {in_doubt} in doubt"
    );
    rows
}

/// How long until a new connection succeeds.
async fn time_to_accept(server: &Server) -> Duration {
    let started = Instant::now();
    loop {
        if server
            .try_connect_with(server.tcp_config("postgres"))
            .await
            .is_ok()
        {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "not accepting 10 s after a crash\n{}",
            server.log()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn backends_killed_every_second_lose_no_committed_transaction() {
    let seconds = env_or("SOAK_SECONDS", 6);
    for mode in MODES {
        let mut server = Server::start(mode, &["max_connections=40"]);
        create_schema(&server).await;
        let (stop, counts, tasks) = start_load(&server);
        let killer = server.connect().await;
        let mut seen_children = Vec::new();
        let mut crashes = 0;
        let mut terminated = 0;
        let mut accept_times = Vec::new();
        let started = Instant::now();
        let mut seed = Rng(42);
        while started.elapsed() < Duration::from_secs(seconds) {
            tokio::time::sleep(Duration::from_secs(1)).await;
            if *mode == "thread" {
                // A thread cannot be killed alone: terminate a session.
                let Ok(c) = server.try_connect_with(server.tcp_config("postgres")).await else {
                    continue;
                };
                let pids: Vec<i32> = c
                    .query(
                        "SELECT pid FROM pg_stat_activity
                         WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
                        &[],
                    )
                    .await
                    .map(|rows| rows.iter().map(|r| r.get(0)).collect())
                    .unwrap_or_default();
                if !pids.is_empty() {
                    let victim = pids[seed.below(pids.len() as u64) as usize];
                    if let Ok(row) = c
                        .query_one("SELECT pg_terminate_backend($1)", &[&victim])
                        .await
                    {
                        terminated += usize::from(row.get::<_, bool>(0));
                    }
                }
                continue;
            }
            let children = server.children();
            seen_children.extend(server.all_children());
            if children.is_empty() {
                continue;
            }
            let victim = children[seed.below(children.len() as u64) as usize];
            let before = server.log().matches("reinitializing").count();
            let killed_at = Instant::now();
            if kill(Pid::from_raw(victim), Signal::SIGKILL).is_ok() {
                crashes += 1;
                // Once the crash restart is under way (every backend told
                // to quit), time how long from the kill until connections
                // are accepted again.
                while server
                    .log()
                    .matches("terminating any other active server processes")
                    .count()
                    < crashes
                {
                    assert!(
                        killed_at.elapsed() < Duration::from_secs(5),
                        "{mode}: no crash restart"
                    );
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
                let _ = time_to_accept(&server).await;
                accept_times.push(killed_at.elapsed());
                assert!(
                    server.log().matches("reinitializing").count() > before,
                    "{mode}: accepted before reinitializing"
                );
            }
        }
        stop.store(true, Ordering::Relaxed);
        for t in tasks {
            let _ = tokio::time::timeout(Duration::from_secs(20), t).await;
        }
        drop(killer);
        let acknowledged = counts.acknowledged.load(Ordering::Relaxed);
        let in_doubt = counts.in_doubt.load(Ordering::Relaxed);
        assert!(acknowledged > 0, "{mode}: no transaction went through");
        // Every second something was cut off.
        assert!(
            crashes + terminated >= seconds as usize / 2,
            "{mode}: {crashes} crashes, {terminated} terminations in {seconds} s"
        );
        let rows = check_invariants(&server, acknowledged, in_doubt, mode).await;
        accept_times.sort();
        let worst = accept_times.last().copied().unwrap_or_default();
        assert!(
            worst < Duration::from_secs(1),
            "{mode}: {worst:?} to accept again after a crash restart"
        );
        eprintln!(
            "{mode}: {seconds}s, {crashes} crash restarts, {terminated} sessions terminated, \
             {acknowledged} commits acknowledged, \
             {in_doubt} in doubt, {rows} history rows; accept again: median {:?}, max {worst:?}",
            accept_times
                .get(accept_times.len() / 2)
                .copied()
                .unwrap_or_default()
        );
        let postmaster = server.pid().as_raw();
        server.stop();
        // No child left behind.
        for pid in seen_children {
            common::wait_until("children gone", Duration::from_secs(5), || {
                parent_of(pid) != Some(postmaster)
            });
        }
    }
}

#[tokio::test]
async fn the_whole_server_killed_mid_load_loses_no_committed_transaction() {
    let rounds = env_or("POWER_LOSS_ROUNDS", 4);
    for mode in MODES {
        let mut server = Server::start(mode, &["max_connections=40"]);
        create_schema(&server).await;
        let (mut acknowledged, mut in_doubt) = (0, 0);
        let mut seed = Rng(7);
        for round in 0..rounds {
            let (stop, counts, tasks) = start_load(&server);
            tokio::time::sleep(Duration::from_millis(300 + seed.below(500))).await;
            // Supervisor and children at once: the children die with it
            // (PR_SET_PDEATHSIG; in thread mode they are its threads).
            let children = server.all_children();
            server.stop_with(Signal::SIGKILL);
            for pid in children {
                common::wait_until("children killed", Duration::from_secs(5), || {
                    parent_of(pid).is_none()
                });
            }
            stop.store(true, Ordering::Relaxed);
            for t in tasks {
                let _ = tokio::time::timeout(Duration::from_secs(20), t).await;
            }
            acknowledged += counts.acknowledged.load(Ordering::Relaxed);
            in_doubt += counts.in_doubt.load(Ordering::Relaxed);
            server.spawn();
            check_invariants(
                &server,
                acknowledged,
                in_doubt,
                &format!("{mode} round {round}"),
            )
            .await;
        }
        eprintln!(
            "{mode}: {rounds} power losses, {acknowledged} commits acknowledged, {in_doubt} in doubt"
        );
        assert!(acknowledged > 0, "{mode}");
    }
}
