//! Client authentication (PostgreSQL's ClientAuthentication): the method
//! pg_hba.conf chose, run over the wire in the backend, inside
//! `authentication_timeout`.
//!
//! - `password`: AuthenticationCleartextPassword, checked against the
//!   stored SCRAM verifier or md5 hash.
//! - `md5`: AuthenticationMD5Password with a random 4-byte salt; a role
//!   whose stored password is a SCRAM verifier gets SCRAM instead, as in
//!   PostgreSQL.
//! - `scram-sha-256`: SASL with SCRAM-SHA-256 (RFC 7677), and
//!   SCRAM-SHA-256-PLUS with `tls-server-end-point` channel binding over
//!   TLS.
//!
//! A failure tells the client only `password authentication failed for
//! user "x"` (28P01); why (no such role, no password, wrong password) goes
//! to the server log. A role that does not exist or has no usable secret
//! still goes through a complete exchange with a made-up secret, so the
//! client cannot tell the cases apart.

use std::time::Instant;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use bytes::Bytes;
use hmac::{Hmac, KeyInit, Mac};
use pgwire::messages::startup::Authentication;
use pgwire::messages::{PgWireBackendMessage, PgWireFrontendMessage};
use pm_elog::{sqlstate as code, PgError};
use pm_settings::hba::{AuthMethod, HbaLine};
use sha2::{Digest, Sha256};

use crate::wire::{Incoming, Wire};

type HmacSha256 = Hmac<Sha256>;

/// Iterations and salt length for made-up SCRAM secrets (PostgreSQL's
/// defaults for real ones).
const SCRAM_ITERATIONS: u32 = 4096;
const SCRAM_SALT_BYTES: usize = 16;
const SCRAM_NONCE_BYTES: usize = 18;

/// How authentication ended when it did not succeed.
pub enum AuthFailure {
    /// Send this FATAL to the client; log it with `log_detail`.
    Fatal {
        error: Box<PgError>,
        log_detail: Option<String>,
    },
    /// The client went away (psql does this to ask for a password) or the
    /// deadline passed: end quietly.
    Gone,
}

/// What the exchange needs to know about the connection.
pub struct AuthContext<'a> {
    pub user: &'a str,
    /// The role's stored secret: None when the role does not exist or has
    /// no password (`missing_reason` says which, for the log).
    pub secret: Option<&'a str>,
    pub missing_reason: String,
    /// `tls-server-end-point` channel-binding data when the connection is
    /// TLS (the hash of the server certificate).
    pub channel_binding: Option<Vec<u8>>,
    pub deadline: Instant,
}

/// Runs the method of `line` for this connection.
pub fn authenticate(
    wire: &mut Wire,
    line: &HbaLine,
    hba_line_text: &str,
    ctx: &AuthContext<'_>,
) -> Result<(), AuthFailure> {
    let failed = |reason: String| AuthFailure::Fatal {
        error: Box::new(password_failed(ctx.user)),
        log_detail: Some(format!("{reason}\n{hba_line_text}")),
    };
    match line.method {
        AuthMethod::Trust => Ok(()),
        AuthMethod::Reject => unreachable!("reject is handled by the caller"),
        AuthMethod::Password => {
            send(wire, Authentication::CleartextPassword)?;
            let password = read_password(wire, ctx.deadline)?;
            if password.is_empty() {
                return Err(failed("empty password returned by client".to_string()));
            }
            match ctx.secret {
                None => Err(failed(ctx.missing_reason.clone())),
                Some(secret) if plain_password_matches(secret, ctx.user, &password) => Ok(()),
                Some(_) => Err(failed(password_mismatch(ctx.user))),
            }
        }
        AuthMethod::Md5 if ctx.secret.is_some_and(|s| s.starts_with("SCRAM-SHA-256$")) => {
            scram(wire, ctx).map_err(|r| r.into_failure(ctx, hba_line_text))
        }
        AuthMethod::Md5 => {
            let salt: [u8; 4] = random_bytes();
            send(wire, Authentication::MD5Password(salt.to_vec()))?;
            let response = read_password(wire, ctx.deadline)?;
            match ctx.secret {
                None => Err(failed(ctx.missing_reason.clone())),
                Some(stored) if stored.starts_with("md5") => {
                    let expected = md5_salted(&stored[3..], &salt);
                    if constant_time_eq(expected.as_bytes(), response.as_bytes()) {
                        Ok(())
                    } else {
                        Err(failed(password_mismatch(ctx.user)))
                    }
                }
                Some(_) => Err(failed(format!(
                    "User \"{}\" does not have a valid MD5 password.",
                    ctx.user
                ))),
            }
        }
        AuthMethod::ScramSha256 => {
            if ctx.secret.is_some_and(|s| s.starts_with("md5")) {
                // An md5 hash cannot answer SCRAM: the exchange still runs
                // (with a made-up secret) and fails.
                let ctx = AuthContext {
                    secret: None,
                    missing_reason: format!(
                        "User \"{}\" does not have a valid SCRAM secret.",
                        ctx.user
                    ),
                    channel_binding: ctx.channel_binding.clone(),
                    ..*ctx
                };
                return scram(wire, &ctx).map_err(|r| r.into_failure(&ctx, hba_line_text));
            }
            scram(wire, ctx).map_err(|r| r.into_failure(ctx, hba_line_text))
        }
    }
}

fn password_failed(user: &str) -> PgError {
    PgError::fatal(
        code::INVALID_PASSWORD,
        format!("password authentication failed for user \"{user}\""),
    )
}

fn password_mismatch(user: &str) -> String {
    format!("Password does not match for user \"{user}\".")
}

fn send(wire: &mut Wire, auth: Authentication) -> Result<(), AuthFailure> {
    wire.send(PgWireBackendMessage::Authentication(auth))
        .and_then(|_| wire.flush())
        .map_err(|_| AuthFailure::Gone)
}

/// The body of the next message, which must be a PasswordMessage ('p').
fn read_password_message(wire: &mut Wire, deadline: Instant) -> Result<Bytes, AuthFailure> {
    loop {
        match wire.read_message_until(Some(deadline)) {
            Ok(Incoming::Message(PgWireFrontendMessage::PasswordMessageFamily(m))) => {
                return Ok(match m {
                    pgwire::messages::startup::PasswordMessageFamily::Raw(b) => b.freeze(),
                    other => {
                        let mut buf = bytes::BytesMut::new();
                        let _ = pgwire::messages::Message::encode(&other, &mut buf);
                        buf.split_off(5).freeze()
                    }
                })
            }
            Ok(Incoming::Message(_)) => {
                return Err(AuthFailure::Fatal {
                    error: Box::new(PgError::fatal(
                        code::PROTOCOL_VIOLATION,
                        "expected password response, got another message type",
                    )),
                    log_detail: None,
                })
            }
            Ok(Incoming::Interrupted) => continue,
            Ok(_) => return Err(AuthFailure::Gone),
            Err(e) => {
                return Err(AuthFailure::Fatal {
                    error: Box::new(e),
                    log_detail: None,
                })
            }
        }
    }
}

/// A cleartext or md5 PasswordMessage: one NUL-terminated string.
fn read_password(wire: &mut Wire, deadline: Instant) -> Result<String, AuthFailure> {
    let body = read_password_message(wire, deadline)?;
    let text = body.strip_suffix(b"\0").unwrap_or(&body);
    if text.contains(&0) {
        return Err(AuthFailure::Fatal {
            error: Box::new(PgError::fatal(
                code::PROTOCOL_VIOLATION,
                "invalid password packet size",
            )),
            log_detail: None,
        });
    }
    Ok(String::from_utf8_lossy(text).into_owned())
}

/// Whether a cleartext password matches a stored secret.
pub fn plain_password_matches(stored: &str, user: &str, password: &str) -> bool {
    if let Some(hash) = stored.strip_prefix("md5") {
        let expected = postgres_protocol::password::md5(password.as_bytes(), user);
        return constant_time_eq(&expected.as_bytes()[3..], hash.as_bytes());
    }
    match ScramSecret::parse(stored) {
        Some(secret) => {
            let salted = hi(&saslprep(password), &secret.salt, secret.iterations);
            let client_key = hmac(&salted, b"Client Key");
            constant_time_eq(&Sha256::digest(client_key), &secret.stored_key)
        }
        None => false,
    }
}

/// `md5` + hex(md5(hex_hash + salt)): what an md5 client answers.
fn md5_salted(hex_hash: &str, salt: &[u8; 4]) -> String {
    use md5::Md5;
    let mut h = Md5::new();
    h.update(hex_hash.as_bytes());
    h.update(salt);
    let digest = h.finalize();
    let mut out = String::from("md5");
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// A stored SCRAM-SHA-256 verifier:
/// `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`.
pub struct ScramSecret {
    pub iterations: u32,
    pub salt: Vec<u8>,
    pub stored_key: Vec<u8>,
    pub server_key: Vec<u8>,
}

impl ScramSecret {
    pub fn parse(text: &str) -> Option<ScramSecret> {
        let rest = text.strip_prefix("SCRAM-SHA-256$")?;
        let (params, keys) = rest.split_once('$')?;
        let (iterations, salt) = params.split_once(':')?;
        let (stored_key, server_key) = keys.split_once(':')?;
        let secret = ScramSecret {
            iterations: iterations.parse().ok().filter(|i| *i > 0)?,
            salt: B64.decode(salt).ok()?,
            stored_key: B64.decode(stored_key).ok()?,
            server_key: B64.decode(server_key).ok()?,
        };
        (secret.stored_key.len() == 32 && secret.server_key.len() == 32).then_some(secret)
    }

    /// A secret nobody knows the password of (for a missing role).
    fn made_up() -> ScramSecret {
        ScramSecret {
            iterations: SCRAM_ITERATIONS,
            salt: random_bytes::<SCRAM_SALT_BYTES>().to_vec(),
            stored_key: random_bytes::<32>().to_vec(),
            server_key: random_bytes::<32>().to_vec(),
        }
    }
}

/// Why a SCRAM exchange did not succeed.
pub enum ScramError {
    /// Malformed or inconsistent messages: FATAL 08P01 with this detail.
    Protocol(String),
    /// The proof did not verify.
    Failed(String),
    Other(AuthFailure),
}

impl From<AuthFailure> for ScramError {
    fn from(f: AuthFailure) -> Self {
        ScramError::Other(f)
    }
}

impl ScramError {
    fn into_failure(self, ctx: &AuthContext<'_>, hba_line_text: &str) -> AuthFailure {
        match self {
            ScramError::Protocol(detail) => AuthFailure::Fatal {
                error: Box::new(
                    PgError::fatal(code::PROTOCOL_VIOLATION, "malformed SCRAM message")
                        .with_detail(detail),
                ),
                log_detail: None,
            },
            ScramError::Failed(reason) => AuthFailure::Fatal {
                error: Box::new(password_failed(ctx.user)),
                log_detail: Some(format!("{reason}\n{hba_line_text}")),
            },
            ScramError::Other(f) => f,
        }
    }
}

const CHANNEL_BINDING_TYPE: &str = "tls-server-end-point";

fn scram(wire: &mut Wire, ctx: &AuthContext<'_>) -> Result<(), ScramError> {
    let mut mechanisms = Vec::new();
    if ctx.channel_binding.is_some() {
        mechanisms.push("SCRAM-SHA-256-PLUS".to_string());
    }
    mechanisms.push("SCRAM-SHA-256".to_string());
    send(wire, Authentication::SASL(mechanisms))?;

    // SASLInitialResponse: mechanism, then the client-first-message.
    let body = read_password_message(wire, ctx.deadline)?;
    let first = parse_client_first(&body, ctx.channel_binding.is_some())?;
    let (plus, gs2_header, client_first_bare, client_nonce) = (
        first.plus,
        first.gs2_header.as_str(),
        first.client_first_bare.as_str(),
        first.client_nonce.as_str(),
    );

    let (secret, known) = match ctx.secret.and_then(ScramSecret::parse) {
        Some(s) => (s, true),
        None => (ScramSecret::made_up(), false),
    };
    let server_nonce = B64.encode(random_bytes::<SCRAM_NONCE_BYTES>());
    let nonce = format!("{client_nonce}{server_nonce}");
    let server_first = format!(
        "r={nonce},s={},i={}",
        B64.encode(&secret.salt),
        secret.iterations
    );
    send(
        wire,
        Authentication::SASLContinue(Bytes::from(server_first.clone())),
    )?;

    // client-final-message: c=<channel binding>,r=<nonce>,p=<proof>
    let body = read_password_message(wire, ctx.deadline)?;
    let mut expected_binding = gs2_header.as_bytes().to_vec();
    if plus {
        expected_binding.extend_from_slice(ctx.channel_binding.as_deref().unwrap_or_default());
    }
    let last = parse_client_final(&body, &expected_binding, &nonce)?;
    let (without_proof, proof) = (last.without_proof.as_str(), last.proof);

    let auth_message = format!("{client_first_bare},{server_first},{without_proof}");
    let client_signature = hmac(&secret.stored_key, auth_message.as_bytes());
    let client_key: Vec<u8> = proof
        .iter()
        .zip(client_signature.iter())
        .map(|(p, s)| p ^ s)
        .collect();
    let verified = constant_time_eq(&Sha256::digest(&client_key), &secret.stored_key);
    if !known {
        return Err(ScramError::Failed(ctx.missing_reason.clone()));
    }
    if !verified {
        return Err(ScramError::Failed(password_mismatch(ctx.user)));
    }
    let server_signature = hmac(&secret.server_key, auth_message.as_bytes());
    let server_final = format!("v={}", B64.encode(server_signature));
    send(wire, Authentication::SASLFinal(Bytes::from(server_final)))?;
    Ok(())
}

/// What a SASLInitialResponse carries, checked.
pub struct ClientFirst {
    /// SCRAM-SHA-256-PLUS was chosen.
    pub plus: bool,
    pub gs2_header: String,
    pub client_first_bare: String,
    pub client_nonce: String,
}

/// What a client-final-message carries, checked against the exchange.
pub struct ClientFinal {
    /// The message up to the proof (part of the AuthMessage).
    pub without_proof: String,
    pub proof: Vec<u8>,
}

fn scram_protocol(detail: &str) -> ScramError {
    ScramError::Protocol(detail.to_string())
}

/// Parses a SASLInitialResponse body (mechanism, NUL, length, the
/// client-first-message), as PostgreSQL's read_client_first_message
/// checks it. `can_bind`: the connection offers SCRAM-SHA-256-PLUS.
pub fn parse_client_first(body: &[u8], can_bind: bool) -> Result<ClientFirst, ScramError> {
    let protocol = scram_protocol;
    let nul = body
        .iter()
        .position(|b| *b == 0)
        .ok_or_else(|| protocol("Missing mechanism name."))?;
    let mechanism = String::from_utf8_lossy(&body[..nul]).into_owned();
    let plus = match mechanism.as_str() {
        "SCRAM-SHA-256" => false,
        "SCRAM-SHA-256-PLUS" if can_bind => true,
        _ => {
            return Err(ScramError::Other(AuthFailure::Fatal {
                error: Box::new(PgError::fatal(
                    code::PROTOCOL_VIOLATION,
                    "client selected an invalid SASL authentication mechanism",
                )),
                log_detail: None,
            }))
        }
    };
    let data = body
        .get(nul + 5..)
        .ok_or_else(|| protocol("Missing client-first-message."))?;
    let client_first =
        std::str::from_utf8(data).map_err(|_| protocol("Message is not valid UTF-8."))?;

    // gs2-header: "n,," | "y,," | "p=tls-server-end-point,," [a=authzid]
    let mut parts = client_first.splitn(3, ',');
    let flag = parts.next().unwrap_or_default();
    let authzid = parts.next().unwrap_or_default();
    let client_first_bare = parts
        .next()
        .ok_or_else(|| protocol("Unexpected end of client-first-message."))?;
    match (flag, plus) {
        ("n", false) => {}
        // The client could bind but thinks we cannot: a downgrade.
        ("y", false) if can_bind => {
            return Err(protocol(
                "The client supports SCRAM channel binding but thinks the server does not.  However, this server does support channel binding.",
            ))
        }
        ("y", false) => {}
        (f, true) if f == format!("p={CHANNEL_BINDING_TYPE}") => {}
        (f, true) if f.starts_with("p=") => {
            return Err(protocol("Unsupported SCRAM channel-binding type."))
        }
        (_, true) => {
            return Err(protocol(
                "The client selected SCRAM-SHA-256-PLUS, but the SCRAM message does not include channel binding data.",
            ))
        }
        (_, false) => {
            return Err(protocol(
                "The client selected SCRAM-SHA-256 without channel binding, but the SCRAM message includes channel binding data.",
            ))
        }
    }
    if !authzid.is_empty() {
        return Err(protocol(
            "client uses authorization identity, but it is not supported",
        ));
    }
    let gs2_header = &client_first[..client_first.len() - client_first_bare.len()];
    // client-first-bare: n=<user>,r=<nonce>[,...]. libpq sends an empty
    // user: the startup packet's user is the one authenticated.
    let client_nonce = client_first_bare
        .split(',')
        .find_map(|a| a.strip_prefix("r="))
        .filter(|n| !n.is_empty())
        .ok_or_else(|| protocol("Could not parse the client nonce."))?;
    if !client_first_bare.starts_with("n=") {
        return Err(protocol("Expected attribute \"n\"."));
    }
    Ok(ClientFirst {
        plus,
        gs2_header: gs2_header.to_string(),
        client_first_bare: client_first_bare.to_string(),
        client_nonce: client_nonce.to_string(),
    })
}

/// Parses a client-final-message and checks its channel binding (the
/// gs2 header, plus the binding data with -PLUS) and nonce.
pub fn parse_client_final(
    body: &[u8],
    expected_binding: &[u8],
    nonce: &str,
) -> Result<ClientFinal, ScramError> {
    let protocol = scram_protocol;
    let client_final =
        std::str::from_utf8(body).map_err(|_| protocol("Message is not valid UTF-8."))?;
    let (without_proof, proof) = client_final
        .rsplit_once(",p=")
        .ok_or_else(|| protocol("Could not read proof."))?;
    let mut attrs = without_proof.split(',');
    let binding = attrs
        .next()
        .and_then(|c| c.strip_prefix("c="))
        .ok_or_else(|| protocol("Expected attribute \"c\"."))?;
    let final_nonce = attrs
        .next()
        .and_then(|r| r.strip_prefix("r="))
        .ok_or_else(|| protocol("Expected attribute \"r\"."))?;
    if B64.decode(binding).ok().as_deref() != Some(expected_binding) {
        return Err(protocol("SCRAM channel binding check failed"));
    }
    if final_nonce != nonce {
        return Err(protocol("Unexpected SCRAM nonce."));
    }
    let proof = B64
        .decode(proof)
        .ok()
        .filter(|p| p.len() == 32)
        .ok_or_else(|| protocol("Malformed proof in client-final-message."))?;
    Ok(ClientFinal {
        without_proof: without_proof.to_string(),
        proof,
    })
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC takes keys of any length.
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// SCRAM's Hi(): PBKDF2 with HMAC-SHA-256 and one 32-byte block.
fn hi(password: &[u8], salt: &[u8], iterations: u32) -> [u8; 32] {
    let mut first = salt.to_vec();
    first.extend_from_slice(&1u32.to_be_bytes());
    let mut u = hmac(password, &first);
    let mut out = u;
    for _ in 1..iterations {
        u = hmac(password, &u);
        for (o, b) in out.iter_mut().zip(u.iter()) {
            *o ^= b;
        }
    }
    out
}

/// SASLprep of a password, skipped (as PostgreSQL does) when the password
/// is not valid for it.
fn saslprep(password: &str) -> Vec<u8> {
    match stringprep::saslprep(password) {
        Ok(p) => p.into_owned().into_bytes(),
        Err(_) => password.as_bytes().to_vec(),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    // The OS CSPRNG; without it no secret is safe to make.
    getrandom::fill(&mut buf).expect("the OS random number generator failed");
    buf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hi_matches_rfc_7677() {
        // RFC 7677's example: user "user", password "pencil".
        let salt = B64.decode("W22ZaJ0SNY7soEsUEjb6gQ==").unwrap();
        let salted = hi(b"pencil", &salt, 4096);
        let client_key = hmac(&salted, b"Client Key");
        let stored_key = Sha256::digest(client_key);
        let client_first_bare = "n=user,r=rOprNGfwEbeRWgbNEkqO";
        let server_first = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,\
                            s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
        let without_proof = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        let auth_message = format!("{client_first_bare},{server_first},{without_proof}");
        let signature = hmac(&stored_key, auth_message.as_bytes());
        let proof: Vec<u8> = client_key
            .iter()
            .zip(signature.iter())
            .map(|(k, s)| k ^ s)
            .collect();
        assert_eq!(
            B64.encode(proof),
            "dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
        );
        let server_key = hmac(&salted, b"Server Key");
        assert_eq!(
            B64.encode(hmac(&server_key, auth_message.as_bytes())),
            "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
        );
    }

    #[test]
    fn stored_secrets_check_cleartext_passwords() {
        let scram = postgres_protocol::password::scram_sha_256(b"s3cret");
        assert!(ScramSecret::parse(&scram).is_some());
        assert!(plain_password_matches(&scram, "bob", "s3cret"));
        assert!(!plain_password_matches(&scram, "bob", "wrong"));
        let md5 = postgres_protocol::password::md5(b"s3cret", "bob");
        assert!(plain_password_matches(&md5, "bob", "s3cret"));
        assert!(!plain_password_matches(&md5, "alice", "s3cret"));
        assert!(ScramSecret::parse("SCRAM-SHA-256$x").is_none());
        // md5 challenge: md5(md5(password + user) + salt).
        let salt = [1, 2, 3, 4];
        let inner = &md5[3..];
        assert_eq!(md5_salted(inner, &salt).len(), 35);
    }
}
