//! Hostile clients, in every launch mode: thousands of random and
//! malformed start-up packets, a message over the size limit, a client
//! that stops reading a large result. Afterwards the server still serves,
//! nothing crashed, and nothing is left behind.

mod common;

use std::io::{Read, Write};
use std::net::Shutdown;
use std::time::{Duration, Instant};

use common::{backend_pid, raw_login, read_message, startup_packet, Rng, Server, MODES};

/// Start-up packets tried per launch mode (`HOSTILE_PACKETS` overrides,
/// for a longer run).
fn packets_per_mode() -> usize {
    std::env::var("HOSTILE_PACKETS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000)
}

fn be32(v: u32) -> [u8; 4] {
    v.to_be_bytes()
}

/// A simple Query message.
fn query_message(sql: &str) -> Vec<u8> {
    let mut q = vec![b'Q'];
    q.extend((5 + sql.len() as u32).to_be_bytes());
    q.extend(sql.as_bytes());
    q.push(0);
    q
}

/// How many pg_stat_activity rows show `pid`.
async fn activity_rows(c: &tokio_postgres::Client, pid: i32) -> i64 {
    c.query_one(
        "SELECT count(*) FROM pg_stat_activity WHERE pid = $1",
        &[&pid],
    )
    .await
    .unwrap()
    .get(0)
}

/// Asks for a ~50 MB result that the caller never reads.
const LARGE_RESULT: &str = "SELECT repeat('x', 1000) FROM generate_series(1, 50000)";

/// One hostile opening, chosen by `kind`.
fn hostile_packet(rng: &mut Rng, kind: u64) -> Vec<u8> {
    let valid = startup_packet(&[("user", "postgres"), ("database", "postgres")]);
    match kind {
        // Random bytes.
        0 => {
            let n = rng.below(64) as usize;
            rng.bytes(n)
        }
        // An absurd length, then a little.
        1 => {
            let mut p = be32(0x7fff_ffff - rng.below(1000) as u32).to_vec();
            p.extend(rng.bytes(16));
            p
        }
        // A length below the minimum.
        2 => {
            let mut p = be32(rng.below(8) as u32).to_vec();
            p.extend(be32(196_608));
            p
        }
        // A valid packet cut short.
        3 => {
            let cut = 1 + rng.below(valid.len() as u64 - 1) as usize;
            valid[..cut].to_vec()
        }
        // A wrong protocol code.
        4 => {
            let mut p = valid.clone();
            p[4..8].copy_from_slice(&be32(rng.next() as u32));
            p
        }
        // SSLRequest twice.
        5 => {
            let mut p = be32(8).to_vec();
            p.extend(be32(80_877_103));
            p.extend(be32(8));
            p.extend(be32(80_877_103));
            p
        }
        // CancelRequest with garbage: random pid and key, or a bad length.
        6 => {
            let len = if rng.below(2) == 0 {
                16
            } else {
                rng.below(40) as u32
            };
            let mut p = be32(len).to_vec();
            p.extend(be32(80_877_102));
            p.extend(rng.bytes(8));
            p
        }
        // GSSENCRequest, then garbage.
        7 => {
            let mut p = be32(8).to_vec();
            p.extend(be32(80_877_104));
            let n = rng.below(32) as usize;
            p.extend(rng.bytes(n));
            p
        }
        // Parameters without terminators, or not UTF-8.
        8 => {
            let mut body = be32(196_608).to_vec();
            body.extend(b"user\0");
            let n = 1 + rng.below(20) as usize;
            body.extend(rng.bytes(n));
            let mut p = be32(body.len() as u32 + 4).to_vec();
            p.extend(body);
            p
        }
        // A valid start-up packet with random bytes after it.
        _ => {
            let mut p = valid;
            let n = rng.below(64) as usize;
            p.extend(rng.bytes(n));
            p
        }
    }
}

/// Sends one hostile opening and reads until the server closes (or a
/// few seconds pass); the server may answer anything but must not hang.
fn try_one(port: u16, packet: &[u8]) {
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return;
    };
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let _ = s.write_all(packet);
    let _ = s.shutdown(Shutdown::Write);
    let mut sink = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        match s.read(&mut sink) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
    panic!("the server kept a hostile connection open");
}

#[tokio::test]
async fn thousands_of_malformed_startup_packets_leave_the_server_serving() {
    let per_mode = packets_per_mode();
    for mode in MODES {
        let server = Server::start(mode, &["max_connections=200"]);
        let postmaster = server.pid();
        let port = server.port;
        let started = Instant::now();
        // Four clients at once, each with its own sequence.
        let senders: Vec<_> = (0..4u64)
            .map(|t| {
                std::thread::spawn(move || {
                    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (t + 1));
                    for i in 0..per_mode / 4 {
                        let kind = (i as u64 + t) % 10;
                        let packet = hostile_packet(&mut rng, kind);
                        try_one(port, &packet);
                    }
                })
            })
            .collect();
        for s in senders {
            s.join().expect("a sender failed");
        }
        let took = started.elapsed();
        // Still serving, the same supervisor, no crash restart.
        let c = server.connect().await;
        let n: i32 = c.query_one("SELECT 1 + 1", &[]).await.unwrap().get(0);
        assert_eq!(n, 2, "{mode}");
        assert_eq!(server.pid(), postmaster, "{mode}");
        let log = server.log();
        assert!(
            !log.contains("terminating any other active server processes"),
            "{mode}: a hostile packet crashed a backend\n{log}"
        );
        assert!(!log.contains("panicked"), "{mode}\n{log}");
        eprintln!("{mode}: {per_mode} hostile start-up packets in {took:?}");
    }
}

#[tokio::test]
async fn a_message_over_the_limit_is_refused_with_08p01() {
    for mode in MODES {
        let server = Server::start(mode, &["max_message_size=65536"]);
        let (mut s, _) = raw_login(&server);
        // A Query that claims 1 MB: refused from its header alone.
        let mut q = vec![b'Q'];
        q.extend((1u32 << 20).to_be_bytes());
        q.extend(b"SELECT 1");
        s.write_all(&q).unwrap();
        let (tag, body) = read_message(&mut s).expect("an error");
        assert_eq!(tag, b'E', "{mode}");
        let text = String::from_utf8_lossy(&body).to_string();
        assert!(text.contains("08P01"), "{mode}: {text}\n{}", server.log());
        assert!(text.contains("invalid message length"), "{mode}: {text}");
        // ... and the connection is closed.
        let mut rest = Vec::new();
        let _ = s.read_to_end(&mut rest);
        // A message under the limit is fine.
        let c = server.connect().await;
        let big = "x".repeat(60_000);
        let got: String = c
            .query_one("SELECT $1::text", &[&big])
            .await
            .unwrap()
            .get(0);
        assert_eq!(got.len(), 60_000, "{mode}");
    }
}

#[tokio::test]
async fn a_client_that_stops_reading_can_still_be_terminated() {
    for mode in MODES {
        let server = Server::start(mode, &[]);
        // A raw session that asks for ~50 MB and never reads.
        let (mut s, pid) = raw_login(&server);
        s.write_all(&query_message(LARGE_RESULT)).unwrap();
        // Let it fill the socket buffers and block.
        tokio::time::sleep(Duration::from_millis(500)).await;
        // Other clients are served meanwhile.
        let other = server.connect().await;
        let other_pid = backend_pid(&other).await;
        assert_ne!(other_pid, pid);
        assert_eq!(
            activity_rows(&other, pid).await,
            1,
            "{mode}: the stuck backend is listed"
        );
        // Terminated while blocked in a write: it goes at once.
        let ok: bool = other
            .query_one("SELECT pg_terminate_backend($1)", &[&pid])
            .await
            .unwrap()
            .get(0);
        assert!(ok, "{mode}");
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if activity_rows(&other, pid).await == 0 {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{mode}: a backend blocked writing ignored termination\n{}",
                server.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        drop(s);
        // No crash: the other session goes on.
        other.batch_execute("SELECT 1").await.unwrap();
        assert!(
            !server
                .log()
                .contains("terminating any other active server processes"),
            "{mode}"
        );
    }
}

#[tokio::test]
async fn fast_shutdown_is_not_held_up_by_a_client_that_stops_reading() {
    for mode in MODES {
        let mut server = Server::start(mode, &[]);
        let (mut s, _) = raw_login(&server);
        s.write_all(&query_message(LARGE_RESULT)).unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let started = Instant::now();
        server.stop();
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "{mode}: fast shutdown waited {:?}",
            started.elapsed()
        );
        drop(s);
    }
}

/// Reads messages until ReadyForQuery or EOF; gives the error text seen.
fn error_text_until_ready(s: &mut std::net::TcpStream) -> String {
    let mut errors = String::new();
    while let Some((tag, body)) = read_message(s) {
        if tag == b'E' {
            errors.push_str(&String::from_utf8_lossy(&body));
        }
        if tag == b'Z' {
            break;
        }
    }
    errors
}

/// Inputs the fuzz targets found (crates/fuzzing/regressions), sent to a
/// real server: each is an error for that client, never a crash.
#[tokio::test]
async fn messages_that_once_panicked_a_decoder_are_errors() {
    for mode in MODES {
        let server = Server::start(mode, &[]);
        // A Parse whose parameter-type list is cut short (pgwire panicked).
        let (mut s, _) = raw_login(&server);
        let mut m = vec![b'P'];
        m.extend(16u32.to_be_bytes());
        m.extend(b"\0SELECT $1\0\0\x01");
        m.extend([b'S', 0, 0, 0, 4]);
        s.write_all(&m).unwrap();
        let text = error_text_until_ready(&mut s);
        assert!(text.contains("08P01"), "{mode}: {text}\n{}", server.log());
        // A binary date parameter far out of range (chrono overflowed).
        let (mut s, _) = raw_login(&server);
        let mut m = Vec::new();
        let mut parse = b"\0SELECT $1::date\0".to_vec();
        parse.extend(1u16.to_be_bytes());
        parse.extend(1082u32.to_be_bytes());
        m.push(b'P');
        m.extend((4 + parse.len() as u32).to_be_bytes());
        m.extend(&parse);
        let mut bind = b"\0\0".to_vec();
        bind.extend(1u16.to_be_bytes());
        bind.extend(1u16.to_be_bytes()); // binary
        bind.extend(1u16.to_be_bytes());
        bind.extend(4u32.to_be_bytes());
        bind.extend(0x7fff_fff0u32.to_be_bytes());
        bind.extend(0u16.to_be_bytes());
        m.push(b'B');
        m.extend((4 + bind.len() as u32).to_be_bytes());
        m.extend(&bind);
        m.extend([b'E', 0, 0, 0, 9, 0, 0, 0, 0, 0]);
        m.extend([b'S', 0, 0, 0, 4]);
        s.write_all(&m).unwrap();
        let text = error_text_until_ready(&mut s);
        assert!(text.contains("22008"), "{mode}: {text}");
        // SET with multibyte text where the parser expected a keyword
        // (sliced at a byte offset).
        let c = server.connect().await;
        for sql in ["set \u{a66e}\u{a66e}\u{a66e} = 1", "set x \u{a66e}"] {
            let e = c.batch_execute(sql).await.unwrap_err();
            assert!(e.as_db_error().is_some(), "{mode}: {sql:?}: {e}");
        }
        drop(c);
        // The session survives an ERROR; the server never restarted.
        server.assert_serving().await;
        let log = server.log();
        assert!(!log.contains("panicked"), "{mode}\n{log}");
        assert!(
            !log.contains("terminating any other active server processes"),
            "{mode}\n{log}"
        );
    }
}

/// utime + stime of a process, in clock ticks.
fn cpu_ticks(pid: i32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..]
        .split_whitespace()
        .collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

fn prlimit_nofile(pid: i32, limits: &str) {
    let status = std::process::Command::new("prlimit")
        .args(["--pid", &pid.to_string(), &format!("--nofile={limits}")])
        .status()
        .expect("run prlimit");
    assert!(status.success(), "prlimit --nofile={limits}");
}

#[tokio::test]
async fn out_of_descriptors_at_accept_backs_off_then_recovers() {
    for mode in MODES {
        let server = Server::start(mode, &["prelaunch_backends=0"]);
        let pid = server.pid().as_raw();
        let original = String::from_utf8(
            std::process::Command::new("prlimit")
                .args([
                    "--pid",
                    &pid.to_string(),
                    "--nofile",
                    "--raw",
                    "--noheadings",
                ])
                .args(["--output=SOFT,HARD"])
                .output()
                .unwrap()
                .stdout,
        )
        .unwrap();
        let original = original.split_whitespace().collect::<Vec<_>>().join(":");
        // The socket listens before the server loop has made its signal
        // descriptors: one served query shows start-up is over.
        {
            let c = server.connect().await;
            c.simple_query("SELECT 1").await.unwrap();
        }
        // No descriptor left for accept(2): a limit below the descriptors
        // already open (they stay valid; no new one can be made).
        let open = std::fs::read_dir(format!("/proc/{pid}/fd"))
            .unwrap()
            .count();
        let low = (open / 2).max(3);
        let hard = original
            .split(':')
            .nth(1)
            .unwrap_or("unlimited")
            .to_string();
        prlimit_nofile(pid, &format!("{low}:{hard}"));
        let mut s = server.raw_tcp();
        s.write_all(&startup_packet(&[
            ("user", "postgres"),
            ("database", "postgres"),
        ]))
        .unwrap();
        let before = cpu_ticks(pid);
        std::thread::sleep(Duration::from_secs(2));
        let spent = cpu_ticks(pid) - before;
        assert!(
            spent < 30,
            "{mode}: {spent} ticks of CPU in 2 s while out of descriptors: spinning"
        );
        server.wait_for_log("could not accept new connection: Too many open files");
        let complaints = server
            .log()
            .matches("could not accept new connection")
            .count();
        assert!(complaints < 20, "{mode}: {complaints} log lines in 2 s");
        // Descriptors again: the waiting connection is served.
        prlimit_nofile(pid, &original);
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let (tag, _) = read_message(&mut s).expect("served after the limit was raised");
        assert_eq!(tag, b'R', "{mode}");
        server.assert_serving().await;
    }
}

/// How many of `sockets` the server has closed (peeked without blocking).
fn closed_by_server(sockets: &[std::net::TcpStream]) -> usize {
    sockets
        .iter()
        .filter(|s| {
            s.set_nonblocking(true).unwrap();
            let closed = matches!(s.peek(&mut [0u8; 1]), Ok(0));
            s.set_nonblocking(false).unwrap();
            closed
        })
        .count()
}

/// Raises this process's soft descriptor limit to its hard limit (the
/// server started next inherits it).
fn raise_nofile() {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
    let _ = setrlimit(Resource::RLIMIT_NOFILE, hard.min(65_536), hard);
}

#[tokio::test]
async fn a_thousand_idle_unauthenticated_connections_do_not_lock_out_a_login() {
    const IDLE: usize = 1000;
    raise_nofile();
    for mode in MODES {
        let server = Server::start(mode, &["max_connections=600", "authentication_timeout=3s"]);
        // Connections that never send a start-up packet.
        let idle: Vec<_> = (0..IDLE).map(|_| server.raw_tcp()).collect();
        // (once each has its backend, so the login is not simply queued
        // behind them in the listen backlog)
        // (Under load the first may already have timed out before the last
        // is launched: those count as taken in too.)
        if *mode != "thread" {
            common::wait_until("idle backends", Duration::from_secs(30), || {
                server.children().len() + closed_by_server(&idle) >= IDLE
            });
        }
        // A real login meanwhile, promptly.
        let started = Instant::now();
        let c = server.connect().await;
        c.batch_execute("SELECT 1").await.unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{mode}: login took {:?} behind {IDLE} idle connections",
            started.elapsed()
        );
        drop(c);
        // authentication_timeout drops every one of them, silently.
        let deadline = Instant::now() + Duration::from_secs(20);
        for mut s in idle {
            s.set_read_timeout(Some(
                deadline.saturating_duration_since(Instant::now()) + Duration::from_millis(1),
            ))
            .unwrap();
            let mut buf = Vec::new();
            let r = s.read_to_end(&mut buf);
            assert!(r.is_ok() && buf.is_empty(), "{mode}: {r:?} {buf:?}");
        }
        server.assert_serving().await;
    }
}
