//! `canned-responder PORT`: the fastest a PostgreSQL server could possibly
//! answer `pgbench -C` on this machine. It accepts on 127.0.0.1:PORT and,
//! in a thread per connection, declines SSL, answers any startup packet
//! with canned AuthenticationOk / ParameterStatus / BackendKeyData /
//! ReadyForQuery, answers every Query with one canned row (`1`), and
//! closes on Terminate or EOF. No parsing beyond framing, no database, no
//! process per connection: whatever rate pgbench reaches against it is the
//! ceiling the client and the kernel impose, against which bench/connect.sh
//! reads every other figure.

use std::io::{self, BufReader, BufWriter, Read, Write};
use std::net::{TcpListener, TcpStream};

const SSL_REQUEST: u32 = 80_877_103;
const GSSENC_REQUEST: u32 = 80_877_104;

fn message(out: &mut Vec<u8>, tag: u8, body: &[u8]) {
    out.push(tag);
    out.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
    out.extend_from_slice(body);
}

fn login_reply() -> Vec<u8> {
    let mut out = Vec::new();
    message(&mut out, b'R', &0u32.to_be_bytes());
    for (k, v) in [
        ("server_version", "17.0"),
        ("server_encoding", "UTF8"),
        ("client_encoding", "UTF8"),
        ("DateStyle", "ISO, MDY"),
        ("integer_datetimes", "on"),
        ("standard_conforming_strings", "on"),
        ("TimeZone", "UTC"),
    ] {
        let mut body = k.as_bytes().to_vec();
        body.push(0);
        body.extend_from_slice(v.as_bytes());
        body.push(0);
        message(&mut out, b'S', &body);
    }
    let mut key = 4242u32.to_be_bytes().to_vec();
    key.extend_from_slice(&1234u32.to_be_bytes());
    message(&mut out, b'K', &key);
    message(&mut out, b'Z', b"I");
    out
}

fn query_reply() -> Vec<u8> {
    let mut out = Vec::new();
    // RowDescription: one int4 column named ?column?.
    let mut rd = 1u16.to_be_bytes().to_vec();
    rd.extend_from_slice(b"?column?\0");
    rd.extend_from_slice(&0u32.to_be_bytes());
    rd.extend_from_slice(&0u16.to_be_bytes());
    rd.extend_from_slice(&23u32.to_be_bytes());
    rd.extend_from_slice(&4i16.to_be_bytes());
    rd.extend_from_slice(&(-1i32).to_be_bytes());
    rd.extend_from_slice(&0u16.to_be_bytes());
    message(&mut out, b'T', &rd);
    let mut dr = 1u16.to_be_bytes().to_vec();
    dr.extend_from_slice(&1u32.to_be_bytes());
    dr.push(b'1');
    message(&mut out, b'D', &dr);
    message(&mut out, b'C', b"SELECT 1\0");
    message(&mut out, b'Z', b"I");
    out
}

fn serve(stream: TcpStream, login: &[u8], answer: &[u8]) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut input = BufReader::new(stream.try_clone()?);
    let mut output = BufWriter::new(stream);
    // Startup, after any number of SSL/GSS requests.
    loop {
        let mut head = [0u8; 8];
        input.read_exact(&mut head)?;
        let len = u32::from_be_bytes(head[..4].try_into().unwrap()) as usize;
        let code = u32::from_be_bytes(head[4..].try_into().unwrap());
        let mut rest = vec![0u8; len.saturating_sub(8)];
        input.read_exact(&mut rest)?;
        if code == SSL_REQUEST || code == GSSENC_REQUEST {
            output.write_all(b"N")?;
            output.flush()?;
            continue;
        }
        output.write_all(login)?;
        output.flush()?;
        break;
    }
    loop {
        let mut head = [0u8; 5];
        input.read_exact(&mut head)?;
        let len = u32::from_be_bytes(head[1..].try_into().unwrap()) as usize;
        let mut body = vec![0u8; len.saturating_sub(4)];
        input.read_exact(&mut body)?;
        match head[0] {
            b'Q' => {
                output.write_all(answer)?;
                output.flush()?;
            }
            b'X' => return Ok(()),
            _ => {}
        }
    }
}

fn main() -> io::Result<()> {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(55439);
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    let login: &'static [u8] = Box::leak(login_reply().into_boxed_slice());
    let answer: &'static [u8] = Box::leak(query_reply().into_boxed_slice());
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        std::thread::spawn(move || {
            let _ = serve(stream, login, answer);
        });
    }
    Ok(())
}
