//! The start-up packet, as ProcessStartupPacket() in PostgreSQL 17's
//! backend_startup.c reads it.
//!
//! The first message on a new connection is length-prefixed with no type
//! byte. Its first 4 bytes after the length are a code: SSLRequest and
//! GSSENCRequest (answered 'N': no encryption here yet, then read again),
//! CancelRequest (pid + key, never answered), or a protocol version
//! followed by `name\0value\0...\0` parameters.
//!
//! Errors, as PostgreSQL reports them: a bad length or a truncated packet is
//! only logged (COMMERROR: nothing is sent, the client may not even speak
//! the protocol); a wrong layout, an unsupported protocol version or a
//! missing user name is a FATAL sent to the client.

use std::time::Instant;

use pm_elog::{sqlstate as code, PgError};

use crate::wire::{Incoming, Wire};

/// PostgreSQL's MAX_STARTUP_PACKET_LENGTH.
pub const STARTUP_PACKET_BYTES_MAX: usize = 10_000;
/// Identifier length limit (NAMEDATALEN - 1).
pub const NAME_BYTES_MAX: usize = 63;

const CANCEL_REQUEST_CODE: u32 = (1234 << 16) | 5678;
const NEGOTIATE_SSL_CODE: u32 = (1234 << 16) | 5679;
const NEGOTIATE_GSS_CODE: u32 = (1234 << 16) | 5680;
/// The protocol versions this server speaks: 3.0 only.
const PROTOCOL_MAJOR: u32 = 3;
const PROTOCOL_LATEST_MINOR: u32 = 0;

/// A client's start-up request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartupPacket {
    pub user: String,
    pub database: String,
    pub application_name: String,
    /// Other parameters: settings for the session (`-c` from `options` included).
    pub settings: Vec<(String, String)>,
    /// Requested minor version (we answer with NegotiateProtocolVersion if > 0).
    pub minor: u32,
    /// `_pq_.*` options we do not know.
    pub unsupported_options: Vec<String>,
}

/// How the start-up phase ended.
#[derive(Debug)]
pub enum StartupOutcome {
    Startup(StartupPacket),
    Cancel {
        pid: i32,
        key: u32,
    },
    /// Nothing to do: the client went away, timed out, or sent something
    /// that is only logged. `log` is the LOG line to write, if any.
    Close {
        log: Option<String>,
    },
    /// The supervisor is gone or we were told to exit.
    Exit,
}

/// First byte of a TLS handshake record (a direct TLS ClientHello).
const TLS_HANDSHAKE_RECORD: u8 = 0x16;

/// Reads the start-up packet, answering SSL/GSS negotiation on the way.
/// `must_stop` is asked whenever a signal interrupts the wait: a shutdown
/// ends a child still in start-up at once, silently, as PostgreSQL's
/// process_startup_packet_die does.
pub fn read_startup(
    wire: &mut Wire,
    deadline: Instant,
    must_stop: &dyn Fn() -> bool,
    tls: Option<&crate::tls::TlsServer>,
) -> Result<StartupOutcome, PgError> {
    let mut ssl_done = false;
    let mut gss_done = false;
    let mut first = true;
    loop {
        let header = match wire.read_exact(4, Some(deadline)) {
            Ok(Incoming::Message(h)) => h,
            Ok(Incoming::Eof) => {
                // EOF before any byte is a port probe: say nothing.
                let log = (!first).then(|| "incomplete startup packet".to_string());
                return Ok(StartupOutcome::Close { log });
            }
            Ok(Incoming::Interrupted) if must_stop() => return Ok(StartupOutcome::Exit),
            Ok(Incoming::Interrupted) => continue,
            Ok(Incoming::Timeout) | Ok(Incoming::PostmasterDied) => {
                return Ok(StartupOutcome::Exit)
            }
            Err(_) => return Ok(StartupOutcome::Close { log: None }),
        };
        // PostgreSQL 17's direct TLS: a TLS ClientHello instead of a packet.
        if first && header[0] == TLS_HANDSHAKE_RECORD {
            let Some(tls) = tls else {
                return Ok(StartupOutcome::Close {
                    log: Some("direct SSL connection request, but SSL is off".to_string()),
                });
            };
            wire.unread(&header);
            if let Err(e) = wire.start_tls(tls.config.clone(), deadline) {
                return Ok(StartupOutcome::Close {
                    log: Some(format!("could not accept SSL connection: {e}")),
                });
            }
            let alpn = wire.tls().and_then(|c| c.alpn_protocol());
            if alpn != Some(crate::tls::ALPN_POSTGRESQL) {
                return Err(PgError::fatal(
                    code::PROTOCOL_VIOLATION,
                    "received direct SSL connection request without ALPN protocol negotiation extension",
                ));
            }
            ssl_done = true;
            first = false;
            continue;
        }
        first = false;
        let len = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        // The limit is on the packet without its length word, as in PostgreSQL.
        if len < 8 || len - 4 > STARTUP_PACKET_BYTES_MAX {
            return Ok(StartupOutcome::Close {
                log: Some("invalid length of startup packet".to_string()),
            });
        }
        let body = loop {
            match wire.read_exact(len - 4, Some(deadline)) {
                Ok(Incoming::Message(b)) => break b,
                Ok(Incoming::Interrupted) if must_stop() => return Ok(StartupOutcome::Exit),
                Ok(Incoming::Interrupted) => continue,
                Ok(Incoming::Eof) => {
                    return Ok(StartupOutcome::Close {
                        log: Some("incomplete startup packet".to_string()),
                    })
                }
                _ => return Ok(StartupOutcome::Exit),
            }
        };
        let code_ = u32::from_be_bytes([body[0], body[1], body[2], body[3]]);
        if code_ == CANCEL_REQUEST_CODE {
            if len != 16 {
                return Ok(StartupOutcome::Close {
                    log: Some("invalid length of startup packet".to_string()),
                });
            }
            let pid = i32::from_be_bytes([body[4], body[5], body[6], body[7]]);
            let key = u32::from_be_bytes([body[8], body[9], body[10], body[11]]);
            return Ok(StartupOutcome::Cancel { pid, key });
        }
        if (code_ == NEGOTIATE_SSL_CODE && !ssl_done) || (code_ == NEGOTIATE_GSS_CODE && !gss_done)
        {
            if code_ == NEGOTIATE_SSL_CODE {
                ssl_done = true;
            } else {
                gss_done = true;
            }
            let accept_tls = code_ == NEGOTIATE_SSL_CODE && tls.is_some() && !wire.is_tls();
            let answer: &[u8] = if accept_tls { b"S" } else { b"N" };
            wire.send_raw(answer).and_then(|_| wire.flush()).ok();
            if wire_has_buffered_data(wire) {
                return Err(PgError::fatal(
                    code::PROTOCOL_VIOLATION,
                    if code_ == NEGOTIATE_SSL_CODE {
                        "received unencrypted data after SSL request"
                    } else {
                        "received unencrypted data after GSSAPI encryption request"
                    },
                )
                .with_detail("This could be either a client-software bug or evidence of an attempted man-in-the-middle attack."));
            }
            if let (true, Some(tls)) = (accept_tls, tls) {
                if let Err(e) = wire.start_tls(tls.config.clone(), deadline) {
                    return Ok(StartupOutcome::Close {
                        log: Some(format!("could not accept SSL connection: {e}")),
                    });
                }
            }
            continue;
        }
        return parse_startup_body(code_, &body[4..]).map(StartupOutcome::Startup);
    }
}

fn wire_has_buffered_data(wire: &Wire) -> bool {
    wire.buffered_bytes() > 0
}

/// Parses a protocol-version start-up packet (code and parameters).
pub fn parse_startup_body(version: u32, params: &[u8]) -> Result<StartupPacket, PgError> {
    let (major, minor) = (version >> 16, version & 0xffff);
    if major != PROTOCOL_MAJOR {
        return Err(PgError::fatal(
            code::FEATURE_NOT_SUPPORTED,
            format!(
                "unsupported frontend protocol {major}.{minor}: server supports {PROTOCOL_MAJOR}.0 to {PROTOCOL_MAJOR}.{PROTOCOL_LATEST_MINOR}"
            ),
        ));
    }
    let layout_error = || {
        PgError::fatal(
            code::PROTOCOL_VIOLATION,
            "invalid startup packet layout: expected terminator as last byte",
        )
    };
    let mut packet = StartupPacket {
        user: String::new(),
        database: String::new(),
        application_name: String::new(),
        settings: Vec::new(),
        minor,
        unsupported_options: Vec::new(),
    };
    let mut rest = params;
    loop {
        let name_end = rest.iter().position(|&b| b == 0).ok_or_else(layout_error)?;
        if name_end == 0 {
            // The terminator: it must be the last byte.
            if rest.len() != 1 {
                return Err(layout_error());
            }
            break;
        }
        let name = String::from_utf8_lossy(&rest[..name_end]).into_owned();
        rest = &rest[name_end + 1..];
        let value_end = rest.iter().position(|&b| b == 0).ok_or_else(layout_error)?;
        let value = String::from_utf8_lossy(&rest[..value_end]).into_owned();
        rest = &rest[value_end + 1..];
        match name.as_str() {
            "user" => packet.user = truncate_name(value),
            "database" => packet.database = truncate_name(value),
            "application_name" => packet.application_name = value,
            "replication" => {
                return Err(PgError::fatal(
                    code::FEATURE_NOT_SUPPORTED,
                    "replication connections are not supported",
                ))
            }
            "options" => packet.settings.extend(parse_options(&value)?),
            n if n.starts_with("_pq_.") => packet.unsupported_options.push(name),
            _ => packet.settings.push((name, value)),
        }
    }
    if packet.user.is_empty() {
        return Err(PgError::fatal(
            code::INVALID_AUTHORIZATION_SPECIFICATION,
            "no PostgreSQL user name specified in startup packet",
        ));
    }
    if packet.database.is_empty() {
        packet.database = packet.user.clone();
    }
    Ok(packet)
}

fn truncate_name(mut s: String) -> String {
    if s.len() > NAME_BYTES_MAX {
        let mut end = NAME_BYTES_MAX;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}

/// The `options` parameter: `-c name=value` and `--name=value` switches,
/// separated by spaces (a backslash escapes the next character).
fn parse_options(options: &str) -> Result<Vec<(String, String)>, PgError> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut chars = options.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    current.push(n);
                }
            }
            c if c.is_whitespace() => {
                if !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    let mut out = Vec::new();
    let mut iter = words.into_iter();
    while let Some(w) = iter.next() {
        let assignment = if w == "-c" {
            iter.next()
        } else if let Some(rest) = w.strip_prefix("-c") {
            Some(rest.to_string())
        } else {
            w.strip_prefix("--").map(str::to_string)
        };
        let Some((name, value)) = assignment.as_deref().and_then(|a| a.split_once('=')) else {
            return Err(PgError::fatal(
                code::SYNTAX_ERROR,
                format!("invalid command-line argument for server process: {w}"),
            )
            .with_hint("Try \"postgres --help\" for more information."));
        };
        out.push((name.replace('-', "_"), value.to_string()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(pairs: &[(&str, &str)]) -> Vec<u8> {
        let mut b = Vec::new();
        for (n, v) in pairs {
            b.extend_from_slice(n.as_bytes());
            b.push(0);
            b.extend_from_slice(v.as_bytes());
            b.push(0);
        }
        b.push(0);
        b
    }

    const V3: u32 = 3 << 16;

    #[test]
    fn a_normal_packet_parses() {
        let p = parse_startup_body(
            V3,
            &body(&[
                ("user", "alice"),
                ("application_name", "psql"),
                ("options", "-c search_path=x --work-mem=4MB"),
                ("DateStyle", "ISO"),
            ]),
        )
        .unwrap();
        assert_eq!(p.user, "alice");
        assert_eq!(p.database, "alice", "database defaults to the user name");
        assert_eq!(p.application_name, "psql");
        assert_eq!(
            p.settings,
            vec![
                ("search_path".to_string(), "x".to_string()),
                ("work_mem".to_string(), "4MB".to_string()),
                ("DateStyle".to_string(), "ISO".to_string())
            ]
        );
    }

    #[test]
    fn bad_packets_get_postgresql_errors() {
        let cases: &[(u32, Vec<u8>, &str, &str)] = &[
            (
                2 << 16,
                body(&[("user", "a")]),
                "0A000",
                "unsupported frontend protocol 2.0: server supports 3.0 to 3.0",
            ),
            (
                (1234 << 16) | 5679,
                body(&[("user", "a")]),
                "0A000",
                "unsupported frontend protocol 1234.5679: server supports 3.0 to 3.0",
            ),
            (
                V3,
                b"user\0a\0".to_vec(),
                "08P01",
                "invalid startup packet layout: expected terminator as last byte",
            ),
            (
                V3,
                b"user\0a\0\0junk".to_vec(),
                "08P01",
                "invalid startup packet layout: expected terminator as last byte",
            ),
            (
                V3,
                b"user".to_vec(),
                "08P01",
                "invalid startup packet layout: expected terminator as last byte",
            ),
            (
                V3,
                body(&[("database", "x")]),
                "28000",
                "no PostgreSQL user name specified in startup packet",
            ),
        ];
        for (version, params, sqlstate, message) in cases {
            let e = parse_startup_body(*version, params).unwrap_err();
            assert_eq!(
                (e.code, e.message.as_str()),
                (*sqlstate, *message),
                "{params:?}"
            );
            assert!(e.is_fatal());
        }
    }

    #[test]
    fn newer_minor_and_pq_options_are_kept_for_negotiation() {
        let p = parse_startup_body(V3 | 2, &body(&[("user", "a"), ("_pq_.x", "1")])).unwrap();
        assert_eq!(p.minor, 2);
        assert_eq!(p.unsupported_options, vec!["_pq_.x".to_string()]);
    }
}
