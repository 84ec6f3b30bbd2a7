//! The client connection: buffered reads and writes of v3 protocol
//! messages over the accepted socket, using pgwire's message codecs behind
//! this small interface (pgwire changes its API often; only this file
//! knows it).
//!
//! Every wait for client input is a poll on three descriptors: the socket,
//! this process's signal self-pipe (cancel/terminate arrive as signals) and
//! the postmaster-alive pipe (EOF there means the supervisor died). So a
//! backend idle in a read still reacts to interrupts at once.

use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::time::Instant;

use bytes::{BufMut, BytesMut};
use pgwire::messages::{
    DecodeContext, PgWireBackendMessage, PgWireFrontendMessage, ProtocolVersion,
};
use pm_elog::PgError;
use pm_sys::fd::{poll_readable, Ready};

/// ErrorResponse/NoticeResponse fields longer than this are cut (libpq
/// refuses backend messages over 30,000 bytes).
const ERROR_FIELD_BYTES_MAX: usize = 8000;
/// Reads from the socket in chunks of this size.
const READ_CHUNK_BYTES: usize = 16 * 1024;
/// Flush the output buffer when it grows past this.
const WRITE_BUFFER_FLUSH_BYTES: usize = 64 * 1024;

/// What a wait for input ended with.
#[derive(Debug)]
pub enum Incoming<T> {
    Message(T),
    /// The client closed the connection.
    Eof,
    /// A signal arrived: look at the interrupts, then read again.
    Interrupted,
    /// The supervisor is gone.
    PostmasterDied,
    /// The deadline passed.
    Timeout,
}

pub struct Wire {
    stream: std::fs::File,
    rbuf: BytesMut,
    wbuf: BytesMut,
    signal_fd: Option<OwnedFd>,
    postmaster_alive_fd: Option<OwnedFd>,
    ctx: DecodeContext,
}

impl Wire {
    pub fn new(
        socket: OwnedFd,
        signal_fd: Option<OwnedFd>,
        postmaster_alive_fd: Option<OwnedFd>,
    ) -> Wire {
        let mut ctx = DecodeContext::new(ProtocolVersion::PROTOCOL3_0);
        ctx.awaiting_frontend_ssl = false;
        ctx.awaiting_frontend_startup = false;
        Wire {
            stream: std::fs::File::from(socket),
            rbuf: BytesMut::with_capacity(READ_CHUNK_BYTES),
            wbuf: BytesMut::with_capacity(READ_CHUNK_BYTES),
            signal_fd,
            postmaster_alive_fd,
            ctx,
        }
    }

    /// Waits for more bytes and appends them to the read buffer.
    fn fill(&mut self, deadline: Option<Instant>) -> io::Result<Incoming<()>> {
        let timeout_ms =
            deadline.map(|d| d.saturating_duration_since(Instant::now()).as_millis() as u64);
        let mut fds: Vec<BorrowedFd<'_>> = vec![self.stream.as_fd()];
        let signal_index = self.signal_fd.as_ref().map(|fd| {
            fds.push(fd.as_fd());
            fds.len() - 1
        });
        let alive_index = self.postmaster_alive_fd.as_ref().map(|fd| {
            fds.push(fd.as_fd());
            fds.len() - 1
        });
        match poll_readable(&fds, timeout_ms)? {
            Ready::Timeout => return Ok(Incoming::Timeout),
            Ready::Interrupted => return Ok(Incoming::Interrupted),
            Ready::Fd(i) if Some(i) == signal_index => {
                if let Some(fd) = &self.signal_fd {
                    pm_sys::fd::drain(fd.as_fd());
                }
                return Ok(Incoming::Interrupted);
            }
            Ready::Fd(i) if Some(i) == alive_index => return Ok(Incoming::PostmasterDied),
            Ready::Fd(_) => {}
        }
        let start = self.rbuf.len();
        self.rbuf.resize(start + READ_CHUNK_BYTES, 0);
        let result = self.stream.read(&mut self.rbuf[start..]);
        match result {
            Ok(0) => {
                self.rbuf.truncate(start);
                Ok(Incoming::Eof)
            }
            Ok(n) => {
                self.rbuf.truncate(start + n);
                Ok(Incoming::Message(()))
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                self.rbuf.truncate(start);
                Ok(Incoming::Interrupted)
            }
            Err(e) if e.kind() == io::ErrorKind::ConnectionReset => {
                self.rbuf.truncate(start);
                Ok(Incoming::Eof)
            }
            Err(e) => {
                self.rbuf.truncate(start);
                Err(e)
            }
        }
    }

    /// Reads exactly `n` bytes (start-up phase), or reports why not.
    pub fn read_exact(
        &mut self,
        n: usize,
        deadline: Option<Instant>,
    ) -> io::Result<Incoming<Vec<u8>>> {
        while self.rbuf.len() < n {
            match self.fill(deadline)? {
                Incoming::Message(()) => {}
                Incoming::Eof => return Ok(Incoming::Eof),
                Incoming::Interrupted => return Ok(Incoming::Interrupted),
                Incoming::PostmasterDied => return Ok(Incoming::PostmasterDied),
                Incoming::Timeout => return Ok(Incoming::Timeout),
            }
        }
        Ok(Incoming::Message(self.rbuf.split_to(n).to_vec()))
    }

    /// Reads the next frontend message. A malformed message is a protocol
    /// violation, reported as FATAL 08P01.
    pub fn read_message(&mut self) -> Result<Incoming<PgWireFrontendMessage>, PgError> {
        loop {
            match PgWireFrontendMessage::decode(&mut self.rbuf, &self.ctx) {
                Ok(Some(m)) => return Ok(Incoming::Message(m)),
                Ok(None) => {}
                Err(e) => {
                    let message = match e {
                        pgwire::error::PgWireError::InvalidMessageType(t) => {
                            format!("invalid frontend message type {t}")
                        }
                        pgwire::error::PgWireError::MessageTooLarge(_, _) => {
                            "invalid message length".to_string()
                        }
                        other => format!("invalid message format: {other}"),
                    };
                    return Err(PgError::fatal(
                        pm_elog::sqlstate::PROTOCOL_VIOLATION,
                        message,
                    ));
                }
            }
            match self.fill(None) {
                Ok(Incoming::Message(())) => {}
                Ok(Incoming::Eof) => return Ok(Incoming::Eof),
                Ok(Incoming::Interrupted) => return Ok(Incoming::Interrupted),
                Ok(Incoming::PostmasterDied) => return Ok(Incoming::PostmasterDied),
                Ok(Incoming::Timeout) => return Ok(Incoming::Timeout),
                Err(_) => return Ok(Incoming::Eof),
            }
        }
    }

    /// Queues a backend message.
    pub fn send(&mut self, message: PgWireBackendMessage) -> io::Result<()> {
        message.encode(&mut self.wbuf).map_err(io::Error::other)?;
        self.maybe_flush()
    }

    /// Queues raw bytes (the start-up phase's single-byte answers).
    pub fn send_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.wbuf.put_slice(bytes);
        Ok(())
    }

    /// Queues a DataRow whose fields are already encoded (None = NULL).
    pub fn send_data_row<'a>(
        &mut self,
        fields: impl ExactSizeIterator<Item = Option<&'a [u8]>>,
    ) -> io::Result<()> {
        let start = self.wbuf.len();
        self.wbuf.put_u8(b'D');
        self.wbuf.put_i32(0); // length, patched below
        self.wbuf.put_i16(fields.len() as i16);
        for f in fields {
            match f {
                None => self.wbuf.put_i32(-1),
                Some(bytes) => {
                    self.wbuf.put_i32(bytes.len() as i32);
                    self.wbuf.put_slice(bytes);
                }
            }
        }
        let len = (self.wbuf.len() - start - 1) as i32;
        self.wbuf[start + 1..start + 5].copy_from_slice(&len.to_be_bytes());
        self.maybe_flush()
    }

    /// Queues an ErrorResponse (or NoticeResponse for lower severities).
    pub fn send_error(&mut self, e: &PgError) -> io::Result<()> {
        let cut = |s: &str| -> String {
            if s.len() <= ERROR_FIELD_BYTES_MAX {
                return s.to_string();
            }
            let mut end = ERROR_FIELD_BYTES_MAX;
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            s[..end].to_string()
        };
        let mut fields = vec![
            (b'S', e.severity.as_str().to_string()),
            (b'V', e.severity.as_str().to_string()),
            (b'C', e.code.to_string()),
            (b'M', cut(&e.message)),
        ];
        if let Some(d) = &e.detail {
            fields.push((b'D', cut(d)));
        }
        if let Some(h) = &e.hint {
            fields.push((b'H', cut(h)));
        }
        if let Some(w) = &e.context {
            fields.push((b'W', cut(w)));
        }
        use pm_elog::Severity;
        let message = match e.severity {
            Severity::Error | Severity::Fatal | Severity::Panic => {
                PgWireBackendMessage::ErrorResponse(pgwire::messages::response::ErrorResponse::new(
                    fields,
                ))
            }
            _ => PgWireBackendMessage::NoticeResponse(
                pgwire::messages::response::NoticeResponse::new(fields),
            ),
        };
        self.send(message)
    }

    fn maybe_flush(&mut self) -> io::Result<()> {
        if self.wbuf.len() >= WRITE_BUFFER_FLUSH_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes out everything queued.
    pub fn flush(&mut self) -> io::Result<()> {
        while !self.wbuf.is_empty() {
            match self.stream.write(&self.wbuf) {
                Ok(0) => return Err(io::Error::from(io::ErrorKind::WriteZero)),
                Ok(n) => {
                    let _ = self.wbuf.split_to(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.wbuf.clear();
                    return Err(e);
                }
            }
        }
        Ok(())
    }
}

impl Wire {
    /// Bytes received but not yet consumed.
    pub fn buffered_bytes(&self) -> usize {
        self.rbuf.len()
    }
}
