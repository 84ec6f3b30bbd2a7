//! The startup packet: malformed input from raw sockets, negotiation
//! requests, missing database and role, and connection logging. Whatever
//! a client sends, the postmaster keeps running and serving.

mod common;

use std::io::Write;

use common::{
    error_fields, field, read_message, send_and_read_all, sqlstate, startup_packet, Server, MODES,
};

/// Sends `bytes`, expects one FATAL ErrorResponse and then EOF.
fn expect_fatal(server: &Server, bytes: &[u8]) -> (String, String) {
    let mut s = server.raw_tcp();
    let reply = send_and_read_all(&mut s, bytes);
    assert_eq!(reply.first(), Some(&b'E'), "no ErrorResponse: {reply:?}");
    let (_, body) = read_message(&mut &reply[..]).unwrap();
    let f = error_fields(&body);
    assert_eq!(field(&f, b'S'), Some("FATAL"));
    assert_eq!(field(&f, b'V'), Some("FATAL"));
    (
        field(&f, b'C').unwrap().to_string(),
        field(&f, b'M').unwrap().to_string(),
    )
}

async fn still_serving(server: &Server) {
    server.assert_serving().await;
    assert!(common::parent_of(server.pid().as_raw()).is_some());
}

#[tokio::test]
async fn malformed_startup_packets_leave_the_server_running() {
    for mode in MODES {
        let server = Server::start(mode, &[]);

        // Length below the minimum: closed without a reply, logged.
        let mut s = server.raw_tcp();
        let reply = send_and_read_all(&mut s, &4u32.to_be_bytes());
        assert!(reply.is_empty(), "{mode}: {reply:?}");
        server.wait_for_log("invalid length of startup packet");

        // Length far over the maximum.
        let mut s = server.raw_tcp();
        let mut junk = 0xffff_ffffu32.to_be_bytes().to_vec();
        junk.extend_from_slice(&[0xff; 4096]);
        assert!(send_and_read_all(&mut s, &junk).is_empty());

        // Connection closed before a whole packet arrives.
        let mut s = server.raw_tcp();
        s.write_all(&[0, 0, 0, 40, 0, 3]).unwrap();
        drop(s);
        server.wait_for_log("incomplete startup packet");

        // Protocol 2.0.
        let mut pkt = 8u32.to_be_bytes().to_vec();
        pkt.extend_from_slice(&0x0002_0000u32.to_be_bytes());
        let (code, msg) = expect_fatal(&server, &pkt);
        assert_eq!(code, "0A000");
        assert_eq!(
            msg,
            "unsupported frontend protocol 2.0: server supports 3.0 to 3.0"
        );

        // A future major version.
        let mut pkt = 8u32.to_be_bytes().to_vec();
        pkt.extend_from_slice(&0x0004_0000u32.to_be_bytes());
        let (code, _) = expect_fatal(&server, &pkt);
        assert_eq!(code, "0A000");

        // Parameters without the final terminator.
        let mut body = 196608u32.to_be_bytes().to_vec();
        body.extend_from_slice(b"user\0postgres\0database\0postgres");
        let mut pkt = ((body.len() + 4) as u32).to_be_bytes().to_vec();
        pkt.extend_from_slice(&body);
        let (code, msg) = expect_fatal(&server, &pkt);
        assert_eq!(code, "08P01");
        assert_eq!(
            msg,
            "invalid startup packet layout: expected terminator as last byte"
        );

        // No user name.
        let (code, msg) = expect_fatal(&server, &startup_packet(&[("database", "postgres")]));
        assert_eq!(code, "28000");
        assert_eq!(msg, "no PostgreSQL user name specified in startup packet");

        // Unknown role.
        let (code, msg) = expect_fatal(&server, &startup_packet(&[("user", "nobody_here")]));
        assert_eq!(code, "28000");
        assert_eq!(msg, "role \"nobody_here\" does not exist");

        // Random bytes after a plausible length.
        let mut pkt = 64u32.to_be_bytes().to_vec();
        pkt.extend((0..60u8).map(|i| i.wrapping_mul(37)));
        let _ = send_and_read_all(&mut server.raw_tcp(), &pkt);

        still_serving(&server).await;
    }
}

#[tokio::test]
async fn ssl_and_gss_requests_are_declined_then_startup_continues() {
    for mode in MODES {
        let server = Server::start(mode, &[]);
        for code in [80877103u32, 80877104u32] {
            let mut s = server.raw_tcp();
            let mut req = 8u32.to_be_bytes().to_vec();
            req.extend_from_slice(&code.to_be_bytes());
            s.write_all(&req).unwrap();
            let mut answer = [0u8; 1];
            std::io::Read::read_exact(&mut s, &mut answer).unwrap();
            assert_eq!(&answer, b"N", "{mode}: request {code}");
            s.write_all(&startup_packet(&[
                ("user", "postgres"),
                ("database", "postgres"),
            ]))
            .unwrap();
            // AuthenticationOk, then ParameterStatus..., BackendKeyData, ReadyForQuery.
            let (t, body) = read_message(&mut s).unwrap();
            assert_eq!((t, body), (b'R', vec![0, 0, 0, 0]));
            let mut params = Vec::new();
            let mut saw_key = false;
            loop {
                let (t, body) = read_message(&mut s).unwrap();
                match t {
                    b'S' => {
                        let parts: Vec<String> = body
                            .split(|b| *b == 0)
                            .map(|p| String::from_utf8_lossy(p).into_owned())
                            .collect();
                        params.push(parts[0].clone());
                    }
                    b'K' => saw_key = true,
                    b'Z' => {
                        assert_eq!(body, b"I");
                        break;
                    }
                    other => panic!("unexpected message {}", other as char),
                }
            }
            assert!(saw_key);
            for p in [
                "server_version",
                "server_encoding",
                "client_encoding",
                "DateStyle",
                "TimeZone",
                "integer_datetimes",
                "standard_conforming_strings",
                "application_name",
                "is_superuser",
                "session_authorization",
            ] {
                assert!(
                    params.iter().any(|x| x == p),
                    "{mode}: no ParameterStatus {p}"
                );
            }
            // Terminate.
            s.write_all(&[b'X', 0, 0, 0, 4]).unwrap();
        }
        still_serving(&server).await;
    }
}

#[tokio::test]
async fn missing_database() {
    for mode in MODES {
        let server = Server::start(mode, &[]);
        let e = server
            .try_connect_with(server.config("nosuch"))
            .await
            .err()
            .unwrap_or_else(|| panic!("connected to a missing database"));
        assert_eq!(sqlstate(&e), "3D000", "{mode}");
        let db = e.as_db_error().unwrap();
        assert_eq!(db.severity(), "FATAL");
        assert_eq!(db.message(), "database \"nosuch\" does not exist");
        // Over TCP too, and the server keeps going.
        let e = server
            .try_connect_with(server.tcp_config("other"))
            .await
            .err()
            .unwrap();
        assert_eq!(sqlstate(&e), "3D000");
        still_serving(&server).await;
    }
}

#[tokio::test]
async fn connection_logging() {
    for mode in MODES {
        let server = Server::start(mode, &["log_connections=on", "log_disconnections=on"]);
        let c = server
            .try_connect_with(server.tcp_config("postgres"))
            .await
            .unwrap();
        c.batch_execute("SELECT 1").await.unwrap();
        server.wait_for_log("connection received: host=127.0.0.1 port=");
        server.wait_for_log("connection authorized: user=postgres database=postgres");
        drop(c);
        server
            .wait_for_log_async("disconnection: session time: ")
            .await;
        let log = server.log();
        // PostgreSQL's prefix: timestamp, [pid], then the level.
        let line = log
            .lines()
            .find(|l| l.contains("connection authorized"))
            .unwrap();
        assert!(line.contains("] LOG:  connection authorized"), "{line}");
    }
}

#[tokio::test]
async fn idle_sockets_time_out_and_do_not_lock_out_real_clients() {
    const IDLE: usize = 60;
    for mode in MODES {
        let mut server = Server::start(mode, &["max_connections=20", "authentication_timeout=1s"]);
        // More idle sockets than max_connections, fewer than the cap on
        // live children (2 x max_connections).
        let idle: Vec<_> = (0..IDLE / 2).map(|_| server.raw_tcp()).collect();
        let c = server.connect().await;
        c.batch_execute("SELECT 1").await.unwrap();
        drop(c);
        // authentication_timeout closes them without a word.
        for mut s in idle {
            let mut buf = Vec::new();
            let started = std::time::Instant::now();
            let _ = std::io::Read::read_to_end(&mut s, &mut buf);
            assert!(buf.is_empty(), "{mode}: idle socket got {buf:?}");
            assert!(started.elapsed() < std::time::Duration::from_secs(5));
        }
        server.assert_serving().await;

        // Far beyond the cap: the surplus is refused, not queued, and a
        // fast shutdown is not held up by the lingering connections.
        let flood: Vec<_> = (0..IDLE * 2).map(|_| server.raw_tcp()).collect();
        std::thread::sleep(std::time::Duration::from_millis(300));
        let started = std::time::Instant::now();
        server.stop();
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{mode}: fast shutdown waited for idle connections"
        );
        drop(flood);
    }
}

#[tokio::test]
async fn dead_end_children_and_the_hard_cap() {
    for mode in MODES {
        // max_connections=2: 4 child slots, then 4 dead-end children, then
        // the supervisor answers by itself.
        let mut server = Server::start(
            mode,
            &[
                "max_connections=2",
                "superuser_reserved_connections=0",
                "authentication_timeout=20s",
            ],
        );
        // (The readiness probe's backend must be gone first.)
        common::wait_until_async("no children", std::time::Duration::from_secs(10), || {
            mode == &"thread" || server.children().is_empty()
        })
        .await;
        // (and reaped: its slot is freed when the supervisor reaps it)
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let mut sockets: Vec<_> = (0..8).map(|_| server.raw_tcp()).collect();
        if mode != &"thread" {
            common::wait_until_async("8 children", std::time::Duration::from_secs(10), || {
                server.children().len() == 8
            })
            .await;
        }
        // Beyond every cap: refused at once, nothing launched.
        let e = server
            .try_connect_with(server.config("postgres"))
            .await
            .err()
            .unwrap_or_else(|| panic!("{mode}: connected beyond the cap"));
        assert_eq!(sqlstate(&e), "53300", "{mode}");
        assert_eq!(
            e.as_db_error().unwrap().message(),
            "sorry, too many clients already"
        );
        if mode != &"thread" {
            assert_eq!(server.children().len(), 8, "{mode}");
        }
        // A dead-end child still negotiates, then refuses.
        let s = sockets.last_mut().unwrap();
        let mut req = 8u32.to_be_bytes().to_vec();
        req.extend_from_slice(&80877103u32.to_be_bytes());
        s.write_all(&req).unwrap();
        let mut answer = [0u8; 1];
        std::io::Read::read_exact(s, &mut answer).unwrap();
        assert_eq!(&answer, b"N", "{mode}");
        let reply = send_and_read_all(s, &startup_packet(&[("user", "postgres")]));
        let (_, body) = read_message(&mut &reply[..]).unwrap();
        assert_eq!(field(&error_fields(&body), b'C'), Some("53300"), "{mode}");
        // Dead-end children waiting for start-up packets (authentication_timeout
        // is 20 s) do not hold up a fast shutdown.
        let started = std::time::Instant::now();
        server.stop();
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{mode}: fast shutdown waited for dead-end children"
        );
        drop(sockets);
        server.spawn();
        // Once they are gone, clients are served again.
        let mut served = false;
        for _ in 0..100 {
            if server
                .try_connect_with(server.config("postgres"))
                .await
                .is_ok()
            {
                served = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(served, "{mode}: never served again");
    }
}
