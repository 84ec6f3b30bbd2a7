//! The client connection: buffered reads and writes of v3 protocol
//! messages over the accepted socket, using pgwire's message codecs behind
//! this small interface (pgwire changes its API often; only this file
//! knows it).
//!
//! Every wait for client input is a poll on three descriptors: the socket,
//! this process's signal self-pipe (cancel/terminate arrive as signals) and
//! the postmaster-alive pipe (EOF there means the supervisor died). So a
//! backend idle in a read still reacts to interrupts at once.
//!
//! Writes never block without watching the same descriptors: bytes go out
//! with `send(MSG_DONTWAIT)` and, when the client's socket buffer is full,
//! the backend polls for room, a termination request (SIGTERM or SIGQUIT
//! in its mailbox) or the supervisor's death, as PostgreSQL's
//! ProcessClientWriteInterrupt does. A client that stops reading cannot
//! keep its backend from being terminated or shut down. A cancel request
//! is left for after the write (a half-sent message cannot be taken back).

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

/// The connection: the socket itself, or TLS over it once SSLRequest (or
/// a direct TLS hello) was answered.
enum Stream {
    Plain(std::fs::File),
    Tls(Box<rustls::StreamOwned<rustls::ServerConnection, std::fs::File>>),
}

impl Stream {
    fn socket(&self) -> &std::fs::File {
        match self {
            Stream::Plain(f) => f,
            Stream::Tls(t) => &t.sock,
        }
    }
}

/// The message of a write ended by a termination request.
pub const TERMINATED_WHILE_WRITING: &str = "terminating connection due to administrator command";

/// Why a write gave up before the client took the bytes.
fn terminated() -> io::Error {
    io::Error::other(TERMINATED_WHILE_WRITING)
}

pub struct Wire {
    stream: Stream,
    rbuf: BytesMut,
    wbuf: BytesMut,
    signal_fd: Option<OwnedFd>,
    postmaster_alive_fd: Option<OwnedFd>,
    /// Where a termination request shows while a write waits.
    mailbox: Option<std::sync::Arc<pm_sys::signals::Mailbox>>,
    /// TLS records produced and not yet sent.
    tls_out: Vec<u8>,
    /// The longest message accepted (its length field, in bytes).
    max_message_size: usize,
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
            stream: Stream::Plain(std::fs::File::from(socket)),
            rbuf: BytesMut::with_capacity(READ_CHUNK_BYTES),
            wbuf: BytesMut::with_capacity(READ_CHUNK_BYTES),
            signal_fd,
            postmaster_alive_fd,
            mailbox: None,
            tls_out: Vec::new(),
            max_message_size: pm_settings::MAX_MESSAGE_SIZE_DEFAULT as usize,
            ctx,
        }
    }

    /// Messages longer than `bytes` are refused (08P01) before they are
    /// read in.
    pub fn set_max_message_size(&mut self, bytes: u32) {
        self.max_message_size = bytes as usize;
    }

    /// The mailbox whose SIGTERM/SIGQUIT ends a write the client does not
    /// take (see the module docs).
    pub fn set_mailbox(&mut self, mailbox: std::sync::Arc<pm_sys::signals::Mailbox>) {
        self.mailbox = Some(mailbox);
    }

    /// Whether the connection is TLS.
    pub fn is_tls(&self) -> bool {
        matches!(self.stream, Stream::Tls(_))
    }

    /// The TLS session, once there is one.
    pub fn tls(&self) -> Option<&rustls::ServerConnection> {
        match &self.stream {
            Stream::Tls(t) => Some(&t.conn),
            Stream::Plain(_) => None,
        }
    }

    /// Runs the TLS handshake on the socket; bytes already received (a
    /// direct TLS hello) are fed to TLS first. Waits at most until
    /// `deadline`. Afterwards every message goes through TLS.
    pub fn start_tls(
        &mut self,
        config: std::sync::Arc<rustls::ServerConfig>,
        deadline: Instant,
    ) -> io::Result<()> {
        let Stream::Plain(sock) = &self.stream else {
            return Err(io::Error::other("TLS is already on"));
        };
        let sock = sock.try_clone()?;
        let mut conn = rustls::ServerConnection::new(config).map_err(io::Error::other)?;
        let mut early = std::mem::take(&mut self.rbuf);
        while !early.is_empty() {
            let mut reader: &[u8] = &early;
            let n = conn.read_tls(&mut reader)?;
            let _ = early.split_to(n);
            conn.process_new_packets().map_err(io::Error::other)?;
        }
        let mut sock_ref = &sock;
        while conn.is_handshaking() {
            if conn.wants_write() {
                conn.write_tls(&mut sock_ref)?;
                continue;
            }
            let timeout_ms = deadline
                .saturating_duration_since(Instant::now())
                .as_millis() as u64;
            match poll_readable(&[sock.as_fd()], Some(timeout_ms))? {
                Ready::Timeout => return Err(io::Error::from(io::ErrorKind::TimedOut)),
                Ready::Interrupted => continue,
                Ready::Fd(_) => {}
            }
            if conn.read_tls(&mut sock_ref)? == 0 {
                return Err(io::Error::from(io::ErrorKind::UnexpectedEof));
            }
            if let Err(e) = conn.process_new_packets() {
                // Tell the client why (a TLS alert) before giving up.
                let _ = conn.write_tls(&mut sock_ref);
                return Err(io::Error::other(e));
            }
        }
        while conn.wants_write() {
            conn.write_tls(&mut sock_ref)?;
        }
        self.stream = Stream::Tls(Box::new(rustls::StreamOwned::new(conn, sock)));
        Ok(())
    }

    /// Plaintext TLS has already decrypted, appended to the read buffer.
    fn take_tls_plaintext(&mut self) -> io::Result<Option<Incoming<()>>> {
        let Stream::Tls(t) = &mut self.stream else {
            return Ok(None);
        };
        let start = self.rbuf.len();
        self.rbuf.resize(start + READ_CHUNK_BYTES, 0);
        let result = t.conn.reader().read(&mut self.rbuf[start..]);
        match result {
            Ok(0) => {
                self.rbuf.truncate(start);
                Ok(Some(Incoming::Eof))
            }
            Ok(n) => {
                self.rbuf.truncate(start + n);
                Ok(Some(Incoming::Message(())))
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                self.rbuf.truncate(start);
                Ok(None)
            }
            Err(e) => {
                self.rbuf.truncate(start);
                Err(e)
            }
        }
    }

    /// Waits for more bytes and appends them to the read buffer.
    fn fill(&mut self, deadline: Option<Instant>) -> io::Result<Incoming<()>> {
        if let Some(ready) = self.take_tls_plaintext()? {
            return Ok(ready);
        }
        let timeout_ms =
            deadline.map(|d| d.saturating_duration_since(Instant::now()).as_millis() as u64);
        let mut fds: Vec<BorrowedFd<'_>> = vec![self.stream.socket().as_fd()];
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
        if let Stream::Tls(t) = &mut self.stream {
            // Records in; whatever plaintext they complete is taken next
            // time round (a partial record gives none yet).
            let mut sock = &t.sock;
            return match t.conn.read_tls(&mut sock) {
                Ok(0) => Ok(Incoming::Eof),
                Ok(_) => {
                    t.conn.process_new_packets().map_err(io::Error::other)?;
                    Ok(self.take_tls_plaintext()?.unwrap_or(Incoming::Message(())))
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(Incoming::Interrupted),
                Err(e) if e.kind() == io::ErrorKind::ConnectionReset => Ok(Incoming::Eof),
                Err(e) => Err(e),
            };
        }
        let Stream::Plain(file) = &mut self.stream else {
            unreachable!("TLS was handled above")
        };
        let start = self.rbuf.len();
        self.rbuf.resize(start + READ_CHUNK_BYTES, 0);
        let result = file.read(&mut self.rbuf[start..]);
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
        self.read_message_until(None)
    }

    /// Like `read_message`, giving up at `deadline` (Incoming::Timeout).
    pub fn read_message_until(
        &mut self,
        deadline: Option<Instant>,
    ) -> Result<Incoming<PgWireFrontendMessage>, PgError> {
        loop {
            if let Some(m) = decode_frontend(&mut self.rbuf, &self.ctx, self.max_message_size)? {
                return Ok(Incoming::Message(m));
            }
            // Answers go out only when we are about to wait for the client:
            // a pipelined Parse/Bind/Describe/Execute/Sync gets one send,
            // not one per message (PostgreSQL flushes the same way).
            if self.flush().is_err() {
                return Ok(Incoming::Eof);
            }
            match self.fill(deadline) {
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
        if e.position > 0 {
            fields.push((b'P', e.position.to_string()));
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
        let result = self.flush_inner();
        if result.is_err() {
            self.wbuf.clear();
            self.tls_out.clear();
        }
        result
    }

    fn flush_inner(&mut self) -> io::Result<()> {
        if matches!(self.stream, Stream::Plain(_)) {
            while !self.wbuf.is_empty() {
                let n = self.send_some(Pending::Plain)?;
                let _ = self.wbuf.split_to(n);
            }
            return Ok(());
        }
        loop {
            // Plaintext into TLS records (rustls takes what its buffer
            // allows), records out to the socket.
            if let Stream::Tls(t) = &mut self.stream {
                if !self.wbuf.is_empty() {
                    let n = t.conn.writer().write(&self.wbuf)?;
                    let _ = self.wbuf.split_to(n);
                }
                while t.conn.wants_write() {
                    t.conn.write_tls(&mut self.tls_out)?;
                }
            }
            while !self.tls_out.is_empty() {
                let n = self.send_some(Pending::Tls)?;
                self.tls_out.drain(..n);
            }
            if self.wbuf.is_empty() {
                return Ok(());
            }
        }
    }

    /// Sends a prefix of the pending bytes without blocking; when the
    /// socket has no room, waits for room, a termination request or the
    /// supervisor's death. Returns how many bytes went out (> 0).
    fn send_some(&mut self, which: Pending) -> io::Result<usize> {
        use nix::sys::socket::{send, MsgFlags};
        use std::os::fd::AsRawFd;
        loop {
            let bytes: &[u8] = match which {
                Pending::Plain => &self.wbuf,
                Pending::Tls => &self.tls_out,
            };
            let fd = self.stream.socket().as_raw_fd();
            match send(fd, bytes, MsgFlags::MSG_DONTWAIT | MsgFlags::MSG_NOSIGNAL) {
                Ok(0) => return Err(io::Error::from(io::ErrorKind::WriteZero)),
                Ok(n) => return Ok(n),
                Err(nix::errno::Errno::EINTR) => continue,
                Err(nix::errno::Errno::EAGAIN) => self.wait_writable()?,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Waits until the socket can take bytes. A termination request or the
    /// supervisor's death ends the wait with an error; other signals stay
    /// pending for the caller's interrupt checks.
    fn wait_writable(&self) -> io::Result<()> {
        use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
        loop {
            if let Some(m) = &self.mailbox {
                let pending = m.peek_pending();
                if pending.contains(nix::sys::signal::Signal::SIGTERM)
                    || pending.contains(nix::sys::signal::Signal::SIGQUIT)
                {
                    return Err(terminated());
                }
            }
            let mut fds = vec![PollFd::new(
                self.stream.socket().as_fd(),
                PollFlags::POLLOUT,
            )];
            if let Some(fd) = &self.signal_fd {
                fds.push(PollFd::new(fd.as_fd(), PollFlags::POLLIN));
            }
            let alive_index = self.postmaster_alive_fd.as_ref().map(|fd| {
                fds.push(PollFd::new(fd.as_fd(), PollFlags::POLLIN));
                fds.len() - 1
            });
            match poll(&mut fds, PollTimeout::NONE) {
                Ok(_) => {}
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => return Err(e.into()),
            }
            let ready = |i: usize| fds[i].revents().is_some_and(|r| !r.is_empty());
            if alive_index.is_some_and(ready) {
                return Err(io::Error::other("the postmaster is gone"));
            }
            if self.signal_fd.is_some() && ready(1) {
                if let Some(fd) = &self.signal_fd {
                    pm_sys::fd::drain(fd.as_fd());
                }
                continue; // look at the mailbox again
            }
            if ready(0) {
                return Ok(());
            }
        }
    }
}

/// Decodes the next frontend message from `buf`, if it is all there.
/// Errors are FATAL 08P01, as PostgreSQL's: a length over `max_size` (from
/// the header alone, before the body is read), an unknown type, a body
/// pgwire cannot decode — including one that makes pgwire panic, which is
/// contained here (a backend crash would restart the whole server).
pub fn decode_frontend(
    buf: &mut BytesMut,
    ctx: &DecodeContext,
    max_size: usize,
) -> Result<Option<PgWireFrontendMessage>, PgError> {
    let violation = |m: String| PgError::fatal(pm_elog::sqlstate::PROTOCOL_VIOLATION, m);
    if buf.len() < 5 {
        return Ok(None);
    }
    let len = i32::from_be_bytes([buf[1], buf[2], buf[3], buf[4]]);
    if len < 4 || len as usize > max_size {
        return Err(violation("invalid message length".to_string()));
    }
    let frame = 1 + len as usize;
    if buf.len() < frame {
        return Ok(None);
    }
    let before = buf.len();
    match pm_elog::contain_panic(|| PgWireFrontendMessage::decode(buf, ctx)) {
        // A body shorter or longer than its fields (pgwire may read past
        // the frame): PostgreSQL's "insufficient data left in message".
        Ok(Ok(Some(_))) if before - buf.len() != frame => {
            Err(violation("invalid message format".to_string()))
        }
        Ok(Ok(m)) => Ok(m),
        Ok(Err(e)) => Err(violation(match e {
            pgwire::error::PgWireError::InvalidMessageType(t) => {
                format!("invalid frontend message type {t}")
            }
            pgwire::error::PgWireError::MessageTooLarge(_, _) => {
                "invalid message length".to_string()
            }
            other => format!("invalid message format: {other}"),
        })),
        Err(_) => Err(violation("invalid message format".to_string())),
    }
}

/// Which output buffer `send_some` sends from.
#[derive(Clone, Copy)]
enum Pending {
    Plain,
    Tls,
}

impl Wire {
    /// Puts bytes back in front of the read buffer.
    pub fn unread(&mut self, bytes: &[u8]) {
        let mut front = BytesMut::with_capacity(bytes.len() + self.rbuf.len());
        front.put_slice(bytes);
        front.put_slice(&self.rbuf);
        self.rbuf = front;
    }

    /// Bytes received but not yet consumed.
    pub fn buffered_bytes(&self) -> usize {
        self.rbuf.len()
    }
}
