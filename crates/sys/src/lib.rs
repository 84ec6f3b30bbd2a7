//! OS-level pieces shared by the supervisor and its children.
//!
//! - [`signals`]: mailboxes of pending-signal bits with a self-pipe (the
//!   wake-up for a poll loop), fed by real signals in a process and posted
//!   directly to a thread child; the reset a forked child needs.
//! - [`proctitle`]: the process title `ps` shows for a child.
//! - [`ClientSocket`]: an accepted connection and its addresses, PostgreSQL
//!   17's ClientSocket: all the supervisor learns of a client before handing
//!   it to a child.
//! - [`fd`]: small descriptor helpers (close-on-exec, poll with EINTR).
//! - [`handoff`]: an accepted connection's descriptor sent to a
//!   pre-launched backend over a socketpair (SCM_RIGHTS).

pub mod fd;
pub mod handoff;
pub mod proctitle;
pub mod signals;

use std::net::SocketAddr;
use std::os::fd::OwnedFd;
use std::path::PathBuf;

/// Where a client connected from, or to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SocketAddress {
    Tcp(SocketAddr),
    Unix(PathBuf),
}

impl SocketAddress {
    /// PostgreSQL's rendering in log lines: `127.0.0.1` or `[local]`.
    pub fn host(&self) -> String {
        match self {
            SocketAddress::Tcp(a) => a.ip().to_string(),
            SocketAddress::Unix(_) => "[local]".to_string(),
        }
    }

    pub fn port(&self) -> Option<u16> {
        match self {
            SocketAddress::Tcp(a) => Some(a.port()),
            SocketAddress::Unix(_) => None,
        }
    }
}

/// An accepted client connection: the socket and its two addresses.
#[derive(Debug)]
pub struct ClientSocket {
    pub fd: OwnedFd,
    pub local: SocketAddress,
    pub remote: SocketAddress,
}

impl ClientSocket {
    /// Per-connection socket options set by the child (like pq_init):
    /// TCP_NODELAY and keepalives on TCP; nothing for Unix sockets.
    pub fn configure(&self) {
        use nix::sys::socket::{setsockopt, sockopt};
        if matches!(self.remote, SocketAddress::Tcp(_)) {
            let _ = setsockopt(&self.fd, sockopt::TcpNoDelay, &true);
            let _ = setsockopt(&self.fd, sockopt::KeepAlive, &true);
        }
    }
}
