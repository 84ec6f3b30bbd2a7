//! Fuzz targets: every decoder that reads bytes a client chose.
//!
//! Each target takes arbitrary bytes and must return without panicking
//! (errors are the expected answer to garbage). They are driven two ways:
//! - by libFuzzer through cargo-fuzz (`fuzz/`, nightly), the long run for
//!   developers: `cargo +nightly fuzz run TARGET -- -max_total_time=600`;
//! - by `cargo test` ([`run_for`] in this crate's tests): every file under
//!   `regressions/TARGET/` (inputs that once panicked), then a few seconds
//!   of seeded random and mutated inputs, so CI runs each target on every
//!   change with the stable toolchain.

use bytes::BytesMut;
use pgwire::messages::{DecodeContext, ProtocolVersion};

/// Installs the server's panic hook once: quiet for the panics the server
/// contains (`pm_elog::contain_panic`), so libFuzzer only sees the ones
/// that would reach a backend's top (libfuzzer-sys aborts on those).
pub fn init() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(pm_elog::install_panic_hook);
}

/// A fuzz target: name and function.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, by the name cargo-fuzz and `regressions/` use.
pub const TARGETS: &[Target] = &[
    ("startup_packet", startup_packet),
    ("frontend_messages", frontend_messages),
    ("binary_parameters", binary_parameters),
    ("sql_rewriter", sql_rewriter),
    ("copy_input", copy_input),
    ("scram_messages", scram_messages),
    ("text_values", text_values),
];

/// A start-up packet after its length: protocol code, then parameters.
pub fn startup_packet(data: &[u8]) {
    if data.len() < 4 {
        return;
    }
    let version = u32::from_be_bytes([data[0], data[1], data[2], data[3]]);
    let _ = pm_backend::startup::parse_startup_body(version, &data[4..]);
}

/// A stream of frontend messages, as the backend's read loop decodes them
/// (pgwire's codecs with the protocol-3.0 context after start-up).
pub fn frontend_messages(data: &[u8]) {
    let mut ctx = DecodeContext::new(ProtocolVersion::PROTOCOL3_0);
    ctx.awaiting_frontend_ssl = false;
    ctx.awaiting_frontend_startup = false;
    let mut buf = BytesMut::from(data);
    for _ in 0..1000 {
        match pm_backend::wire::decode_frontend(&mut buf, &ctx, 1 << 30) {
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => return,
        }
    }
}

/// A Bind parameter in binary form: the first byte picks the type among
/// the server's types, the rest is the value.
pub fn binary_parameters(data: &[u8]) {
    let Some((&pick, value)) = data.split_first() else {
        return;
    };
    let types = pm_sql::types::CATALOG;
    let oid = types[pick as usize % types.len()].oid;
    if let Ok(text) = pm_backend::format::decode_binary_param(oid, value) {
        // What was accepted encodes back without panicking.
        let _ =
            pm_backend::format::encode(oid, rusqlite::types::ValueRef::Text(text.as_bytes()), true);
    }
}

/// A Bind parameter in text form: the first byte picks the type, the
/// rest is the text the server canonicalizes (dates, intervals, bytea,
/// uuid, ...) and encodes in binary.
pub fn text_values(data: &[u8]) {
    let Some((&pick, value)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(value) else {
        return;
    };
    let types = pm_sql::types::CATALOG;
    let oid = types[pick as usize % types.len()].oid;
    let text = pm_sql::types::canonical_text(oid, text).unwrap_or_else(|| text.to_string());
    let _ = pm_backend::format::encode(oid, rusqlite::types::ValueRef::Text(text.as_bytes()), true);
    let _ = pm_sql::datetime::parse_interval(&text);
    let _ = pm_sql::datetime::parse_timestamptz(&text);
    let _ = pm_sql::datetime::parse_bytea(&text);
}

/// SQL text through the PostgreSQL-to-SQLite rewriter (and the utility
/// statement parser it falls back to).
pub fn sql_rewriter(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = pm_sql::dialect::translate(text);
}

/// COPY FROM input: the first byte picks the format and options, the rest
/// is fed in chunks whose sizes come from the data too.
pub fn copy_input(data: &[u8]) {
    let Some((&pick, input)) = data.split_first() else {
        return;
    };
    let spec = pm_sql::copy::CopySpec {
        table: "t".into(),
        from: true,
        format: if pick & 1 == 0 {
            pm_sql::copy::CopyFormat::Text
        } else {
            pm_sql::copy::CopyFormat::Csv
        },
        header: pick & 2 != 0,
        delimiter: (pick & 4 != 0).then_some(b'|'),
        null: (pick & 8 != 0).then(|| "NULL".to_string()),
        quote: (pick & 16 != 0).then_some(b'\''),
        escape: (pick & 32 != 0).then_some(b'\\'),
        ..Default::default()
    };
    if spec.check().is_err() {
        return;
    }
    let mut reader = pm_sql::copy::CopyReader::new(&spec);
    let chunk = 1 + (pick as usize >> 6) * 7;
    for piece in input.chunks(chunk) {
        reader.feed(piece);
        while let Some(r) = reader.next_record(false) {
            if r.is_err() {
                return;
            }
        }
    }
    while let Some(r) = reader.next_record(true) {
        if r.is_err() {
            return;
        }
    }
}

/// A SCRAM exchange's two client messages, split at the first 0xff byte:
/// SASLInitialResponse body, then client-final-message.
pub fn scram_messages(data: &[u8]) {
    let (first, last) = match data.iter().position(|b| *b == 0xff) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    for can_bind in [false, true] {
        if let Ok(f) = pm_backend::auth::parse_client_first(first, can_bind) {
            let nonce = format!("{}server", f.client_nonce);
            let _ = pm_backend::auth::parse_client_final(last, f.gs2_header.as_bytes(), &nonce);
        }
    }
}

/// Runs `target` on every file of `regressions/NAME/`, then on seeded
/// random and mutated inputs until `budget` has passed. Returns how many
/// inputs were tried. A panic propagates (the failing input is printed
/// first, in hex, to be saved under `regressions/`).
pub fn run_for(name: &str, target: fn(&[u8]), budget: std::time::Duration) -> usize {
    let mut tried = 0;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("regressions")
        .join(name);
    let mut corpus: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| std::fs::read(e.path()).ok())
        .collect();
    for input in &corpus {
        check(name, target, input);
        tried += 1;
    }
    corpus.extend(seeds(name));
    let mut rng = Rng(0x2545_f491_4f6c_dd1d ^ name.len() as u64);
    let started = std::time::Instant::now();
    while started.elapsed() < budget {
        let input = if corpus.is_empty() || rng.below(4) == 0 {
            let n = rng.below(256) as usize;
            (0..n).map(|_| rng.next() as u8).collect()
        } else {
            let base = &corpus[rng.below(corpus.len() as u64) as usize];
            mutate(base, &mut rng)
        };
        check(name, target, &input);
        tried += 1;
    }
    tried
}

fn check(name: &str, target: fn(&[u8]), input: &[u8]) {
    let result = std::panic::catch_unwind(|| target(input));
    if let Err(e) = result {
        let hex: String = input.iter().map(|b| format!("{b:02x}")).collect();
        eprintln!("{name}: panic on input (hex) {hex}");
        std::panic::resume_unwind(e);
    }
}

/// Valid-looking inputs the mutations start from.
fn seeds(name: &str) -> Vec<Vec<u8>> {
    let s = |t: &str| t.as_bytes().to_vec();
    match name {
        "startup_packet" => {
            let mut p = 196_608u32.to_be_bytes().to_vec();
            p.extend(b"user\0postgres\0database\0postgres\0options\0-c work_mem=4MB\0\0");
            vec![p]
        }
        "frontend_messages" => {
            let mut m = vec![b'Q'];
            m.extend(13u32.to_be_bytes());
            m.extend(b"SELECT 1\0");
            m.extend([b'P', 0, 0, 0, 16]);
            m.extend(b"\0SELECT $1\0\0\x01");
            m.extend([b'S', 0, 0, 0, 4]);
            vec![m]
        }
        "sql_rewriter" => vec![
            s("SELECT a::int, now(), b ILIKE 'x%' FROM t WHERE c = ANY($1) ORDER BY 1 LIMIT $2"),
            s("CREATE TABLE t (id serial PRIMARY KEY, v varchar(20) DEFAULT 'x', n numeric(10,2))"),
            s("INSERT INTO t VALUES (1, 'a') ON CONFLICT (id) DO UPDATE SET v = excluded.v RETURNING *"),
            s("COPY t (a, b) FROM STDIN WITH (FORMAT csv, HEADER true, NULL 'x')"),
            s("SELECT c.oid::regclass, generate_series(1, 3) FROM pg_catalog.pg_class c"),
        ],
        "text_values" => vec![
            s("\x0a2024-02-29 13:45:07.25+05:30"),
            s("\x0b3 days 04:00:05.5"),
            s("\x01\\x00ff10"),
            s("\x0c{1,2,NULL,\"a b\"}"),
        ],
        "copy_input" => vec![s("\x011\tx\n2\t\\N\n\\.\n"), s("\x03a,b\n\"q\"\"x\",1\n")],
        "scram_messages" => {
            let mut m = s("SCRAM-SHA-256\0\0\0\0\x20n,,n=,r=abcdefghij");
            m.push(0xff);
            m.extend(s("c=biws,r=abcdefghijserver,p=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
            vec![m]
        }
        _ => Vec::new(),
    }
}

/// Byte flips, insertions, deletions, splices of interesting values.
fn mutate(base: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut out = base.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = if out.is_empty() {
            0
        } else {
            rng.below(out.len() as u64) as usize
        };
        match rng.below(5) {
            0 if !out.is_empty() => out[at] ^= 1 << rng.below(8),
            1 => out.insert(at, rng.next() as u8),
            2 if !out.is_empty() => {
                out.remove(at);
            }
            3 => {
                let v = [
                    0u8, 0xff, 0x7f, 0x80, b'\0', b',', b'"', b'\\', b'\n', b'\'',
                ];
                out.insert(at, v[rng.below(v.len() as u64) as usize]);
            }
            _ => {
                let n = [0u32, 1, 4, 0x7fff_ffff, 0xffff_ffff, 0x8000_0000];
                let bytes = n[rng.below(n.len() as u64) as usize].to_be_bytes();
                for (i, b) in bytes.iter().enumerate() {
                    if at + i < out.len() {
                        out[at + i] = *b;
                    }
                }
            }
        }
    }
    out
}

/// xorshift64*: deterministic, so a run can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Seconds per target (`FUZZ_SECONDS`; 3 by default, the CI form).
    fn budget() -> std::time::Duration {
        std::time::Duration::from_secs(
            std::env::var("FUZZ_SECONDS")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(3),
        )
    }

    #[test]
    fn every_target_survives_its_regressions_and_a_short_random_run() {
        // The server's hook: quiet for panics the server contains (a
        // third-party decoder's), a log line for any other.
        init();
        for (name, target) in TARGETS {
            let n = run_for(name, *target, budget());
            eprintln!("{name}: {n} inputs");
            assert!(n > 0);
        }
    }
}
