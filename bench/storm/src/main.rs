//! A connection storm against a PostgreSQL-protocol server on loopback.
//!
//! `connection-storm PORT COUNT [--serial] [--pid PID]`
//!
//! Storm (default): COUNT threads wait at a barrier, then each connects
//! over TCP to 127.0.0.1:PORT, sends a startup packet (user and database
//! `postgres`, trust authentication expected), reads until the first
//! ReadyForQuery, runs `SELECT 1` once, and disconnects. `--serial`: the
//! same COUNT times, one connection at a time. Prints p50 / p99 / max of
//! connect() -> first ReadyForQuery, the total wall time, failures, and,
//! with `--pid`, the CPU seconds that process (the supervisor) used during
//! the run. Bounded: every socket has a 30 s timeout.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(30);

fn startup_packet() -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&196_608u32.to_be_bytes()); // protocol 3.0
    for (k, v) in [("user", "postgres"), ("database", "postgres")] {
        body.extend_from_slice(k.as_bytes());
        body.push(0);
        body.extend_from_slice(v.as_bytes());
        body.push(0);
    }
    body.push(0);
    let mut packet = ((body.len() + 4) as u32).to_be_bytes().to_vec();
    packet.extend_from_slice(&body);
    packet
}

/// Reads messages until ReadyForQuery; an ErrorResponse is a failure.
fn read_until_ready(s: &mut TcpStream) -> Result<(), String> {
    loop {
        let mut header = [0u8; 5];
        s.read_exact(&mut header).map_err(|e| e.to_string())?;
        let len = u32::from_be_bytes(header[1..5].try_into().unwrap()) as usize;
        let mut body = vec![0u8; len.saturating_sub(4)];
        s.read_exact(&mut body).map_err(|e| e.to_string())?;
        match header[0] {
            b'Z' => return Ok(()),
            b'E' => {
                let text: String = body
                    .split(|b| *b == 0)
                    .filter(|f| f.first() == Some(&b'M'))
                    .map(|f| String::from_utf8_lossy(&f[1..]).into_owned())
                    .collect();
                return Err(text);
            }
            _ => {}
        }
    }
}

/// One session: the time from connect() to the first ReadyForQuery.
fn session(port: u16) -> Result<Duration, String> {
    let started = Instant::now();
    let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(TIMEOUT)).ok();
    s.set_write_timeout(Some(TIMEOUT)).ok();
    s.set_nodelay(true).ok();
    s.write_all(&startup_packet()).map_err(|e| e.to_string())?;
    read_until_ready(&mut s)?;
    let ready = started.elapsed();
    let mut query = vec![b'Q'];
    query.extend_from_slice(&(4 + 9u32).to_be_bytes());
    query.extend_from_slice(b"SELECT 1\0");
    s.write_all(&query).map_err(|e| e.to_string())?;
    read_until_ready(&mut s)?;
    s.write_all(&[b'X', 0, 0, 0, 4]).ok();
    Ok(ready)
}

fn cpu_seconds(pid: Option<u32>) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", pid?)).ok()?;
    let fields: Vec<&str> = stat[stat.rfind(')')? + 2..].split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    let hz = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
        .ok()
        .flatten()
        .filter(|v| *v > 0)
        .unwrap_or(100) as f64;
    Some(ticks / hz)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: connection-storm PORT COUNT [--serial] [--pid PID]";
    let port: u16 = args.get(1).and_then(|a| a.parse().ok()).expect(usage);
    let count: usize = args.get(2).and_then(|a| a.parse().ok()).expect(usage);
    let serial = args.iter().any(|a| a == "--serial");
    let pid: Option<u32> = args
        .iter()
        .position(|a| a == "--pid")
        .and_then(|i| args.get(i + 1))
        .and_then(|p| p.parse().ok());
    let cpu_before = cpu_seconds(pid);
    let started = Instant::now();
    let results: Vec<Result<Duration, String>> = if serial {
        (0..count).map(|_| session(port)).collect()
    } else {
        let barrier = Arc::new(Barrier::new(count));
        let threads: Vec<_> = (0..count)
            .map(|_| {
                let barrier = barrier.clone();
                std::thread::Builder::new()
                    .stack_size(128 << 10)
                    .spawn(move || {
                        barrier.wait();
                        session(port)
                    })
                    .expect("spawn")
            })
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().unwrap_or_else(|_| Err("panicked".into())))
            .collect()
    };
    let total = started.elapsed();
    let cpu = match (cpu_before, cpu_seconds(pid)) {
        (Some(a), Some(b)) => format!("{:.2}", b - a),
        _ => "-".to_string(),
    };
    let mut times: Vec<Duration> = results
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .copied()
        .collect();
    let failures: Vec<&String> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    times.sort();
    let pct = |p: f64| -> f64 {
        if times.is_empty() {
            return f64::NAN;
        }
        let i = ((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1;
        times[i].as_secs_f64() * 1000.0
    };
    let mean = if times.is_empty() {
        f64::NAN
    } else {
        times.iter().map(|t| t.as_secs_f64()).sum::<f64>() * 1000.0 / times.len() as f64
    };
    // One line, machine-readable: key=value.
    println!(
        "ok={} failed={} mean_ms={:.3} p50_ms={:.3} p99_ms={:.3} max_ms={:.3} total_s={:.3} supervisor_cpu_s={}",
        times.len(),
        failures.len(),
        mean,
        pct(0.50),
        pct(0.99),
        pct(1.0),
        total.as_secs_f64(),
        cpu
    );
    if let Some(first) = failures.first() {
        eprintln!("first failure: {first}");
    }
}
