//! Descriptor helpers.

use std::io;
use std::os::fd::{AsFd, BorrowedFd, RawFd};

use nix::fcntl::{fcntl, FcntlArg, FdFlag};
use nix::poll::{PollFd, PollFlags, PollTimeout};

/// Sets or clears FD_CLOEXEC.
pub fn set_cloexec(fd: BorrowedFd<'_>, on: bool) -> io::Result<()> {
    let flags = FdFlag::from_bits_truncate(fcntl(fd, FcntlArg::F_GETFD)?);
    let flags = if on {
        flags | FdFlag::FD_CLOEXEC
    } else {
        flags - FdFlag::FD_CLOEXEC
    };
    fcntl(fd, FcntlArg::F_SETFD(flags))?;
    Ok(())
}

/// Clears FD_CLOEXEC on a raw descriptor so that it survives exec. Only
/// fcntl(2): safe between fork and exec.
pub fn set_inheritable(fd: RawFd) {
    // SAFETY: fcntl on an integer has no memory-safety precondition; on a
    // number that is not open it fails and changes nothing.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFD);
        if flags >= 0 {
            libc::fcntl(fd, libc::F_SETFD, flags & !libc::FD_CLOEXEC);
        }
    }
}

/// Closes a raw descriptor this process holds a copy of but does not own as
/// an `OwnedFd` any more (a forked child closing the supervisor's sockets).
pub fn close_raw(fd: RawFd) {
    // SAFETY: close(2) on an integer has no memory-safety precondition; the
    // caller guarantees no live OwnedFd in this process will use `fd` again
    // (the child never returns into the code that owns it).
    unsafe {
        libc::close(fd);
    }
}

/// What `poll_readable` saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ready {
    /// The descriptor at this index is readable (or hung up).
    Fd(usize),
    /// The timeout expired.
    Timeout,
    /// A signal interrupted the wait.
    Interrupted,
}

/// Waits until one of `fds` is readable, the timeout (None = forever)
/// expires, or a signal arrives. The lowest ready index wins.
pub fn poll_readable(fds: &[BorrowedFd<'_>], timeout_ms: Option<u64>) -> io::Result<Ready> {
    let mut pollfds: Vec<PollFd<'_>> = fds
        .iter()
        .map(|fd| PollFd::new(fd.as_fd(), PollFlags::POLLIN))
        .collect();
    let timeout = match timeout_ms {
        None => PollTimeout::NONE,
        Some(ms) => {
            PollTimeout::try_from(ms.min(i32::MAX as u64) as i32).unwrap_or(PollTimeout::MAX)
        }
    };
    match nix::poll::poll(&mut pollfds, timeout) {
        Ok(0) => Ok(Ready::Timeout),
        Ok(_) => {
            for (i, p) in pollfds.iter().enumerate() {
                if p.revents().is_some_and(|r| !r.is_empty()) {
                    return Ok(Ready::Fd(i));
                }
            }
            Ok(Ready::Timeout)
        }
        Err(nix::errno::Errno::EINTR) => Ok(Ready::Interrupted),
        Err(e) => Err(e.into()),
    }
}

/// Reads and discards everything a non-blocking pipe holds.
pub fn drain(fd: BorrowedFd<'_>) {
    let mut buf = [0u8; 64];
    while let Ok(n) = nix::unistd::read(fd, &mut buf) {
        if n == 0 {
            break;
        }
    }
}
