//! Listen sockets (PostgreSQL's ListenServerPort): TCP for each entry of
//! `listen_addresses`, a Unix socket in each of `unix_socket_directories`.
//! All are non-blocking (the server loop never blocks in accept) and
//! close-on-exec (an exec'd child must never hold one).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};

use socket2::{Domain, SockAddr, Socket, Type};

use crate::lockfile::LockFile;

/// listen(2) backlog, as PostgreSQL's (MaxConnections * 2, capped).
const LISTEN_BACKLOG_MAX: u32 = 10_000;

pub enum ListenKind {
    Tcp,
    Unix { path: PathBuf, _lock: LockFile },
}

pub struct ListenSocket {
    pub socket: Socket,
    pub kind: ListenKind,
}

impl ListenSocket {
    pub fn raw_fd(&self) -> RawFd {
        self.socket.as_raw_fd()
    }
}

impl Drop for ListenSocket {
    fn drop(&mut self) {
        if let ListenKind::Unix { path, .. } = &self.kind {
            let _ = std::fs::remove_file(path);
        }
    }
}

fn backlog(max_connections: u32) -> i32 {
    (max_connections * 2).clamp(64, LISTEN_BACKLOG_MAX) as i32
}

/// The addresses `listen_addresses` names: `*` = every address, `localhost`
/// resolves to its loopback addresses, others are host names or literals.
pub fn resolve_listen_addresses(
    setting: &str,
    port: u16,
) -> Vec<(String, Result<Vec<SocketAddr>, String>)> {
    setting
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|host| {
            let addrs = match host {
                "*" => Ok(vec![
                    SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port),
                    SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), port),
                ]),
                _ => (host, port)
                    .to_socket_addrs()
                    .map(|a| {
                        let mut v: Vec<SocketAddr> = a.collect();
                        v.dedup();
                        v
                    })
                    .map_err(|e| format!("could not translate host name \"{host}\", service \"{port}\" to address: {e}")),
            };
            (host.to_string(), addrs)
        })
        .collect()
}

/// Binds and listens on one TCP address.
pub fn listen_tcp(addr: SocketAddr, max_connections: u32) -> std::io::Result<ListenSocket> {
    let socket = Socket::new(
        Domain::for_address(addr),
        Type::STREAM.nonblocking().cloexec(),
        None,
    )?;
    socket.set_reuse_address(true)?;
    if addr.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    socket.bind(&addr.into())?;
    socket.listen(backlog(max_connections))?;
    Ok(ListenSocket {
        socket,
        kind: ListenKind::Tcp,
    })
}

/// The socket file name PostgreSQL clients look for.
pub fn unix_socket_path(dir: &Path, port: u16) -> PathBuf {
    dir.join(format!(".s.PGSQL.{port}"))
}

/// Binds the Unix socket in `dir`, after taking its lock file.
pub fn listen_unix(
    dir: &Path,
    port: u16,
    max_connections: u32,
    lock_contents: &str,
) -> Result<ListenSocket, String> {
    let path = unix_socket_path(dir, port);
    let lock_path = PathBuf::from(format!("{}.lock", path.display()));
    let lock =
        LockFile::create(&lock_path, lock_contents, true, &path).map_err(|e| match e.hint {
            Some(h) => format!("{}\nHINT:  {h}", e.message),
            None => e.message,
        })?;
    // Our lock is held: any socket file left there is stale.
    let _ = std::fs::remove_file(&path);
    let bind = || -> std::io::Result<Socket> {
        let socket = Socket::new(Domain::UNIX, Type::STREAM.nonblocking().cloexec(), None)?;
        socket.bind(&SockAddr::unix(&path)?)?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o777))?;
        socket.listen(backlog(max_connections))?;
        Ok(socket)
    };
    let socket =
        bind().map_err(|e| format!("could not bind Unix address \"{}\": {e}", path.display()))?;
    Ok(ListenSocket {
        socket,
        kind: ListenKind::Unix { path, _lock: lock },
    })
}

/// Accepts one connection if one is waiting (non-blocking).
pub fn accept(listen: &ListenSocket) -> std::io::Result<Option<pm_sys::ClientSocket>> {
    match listen.socket.accept() {
        Ok((socket, peer)) => {
            // The accepted socket is blocking: the child reads it with poll + read.
            socket.set_nonblocking(false)?;
            socket.set_cloexec(true)?;
            let local = socket.local_addr().ok();
            let fd: OwnedFd = socket.into();
            let convert = |a: Option<SockAddr>| match a.as_ref().and_then(SockAddr::as_socket) {
                Some(sa) => pm_sys::SocketAddress::Tcp(sa),
                None => pm_sys::SocketAddress::Unix(match &listen.kind {
                    ListenKind::Unix { path, .. } => path.clone(),
                    ListenKind::Tcp => PathBuf::new(),
                }),
            };
            Ok(Some(pm_sys::ClientSocket {
                fd,
                local: convert(local),
                remote: convert(Some(peer)),
            }))
        }
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => Ok(None),
        Err(e) => Err(e),
    }
}
