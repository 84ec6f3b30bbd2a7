//! Signal handling for the supervisor and its process children.
//!
//! A handler does two async-signal-safe things: it sets the signal's bit in
//! a process-wide mask and writes one byte to a self-pipe. The owner of the
//! pipe's read end polls it next to its sockets, so a signal that arrives
//! just before poll() is never lost (the byte is still there), and the
//! work happens in ordinary code after `take_pending()`.
//!
//! We do not use the signal-hook crate here because a forked child must
//! drop the supervisor's handlers and install its own before doing
//! anything else; with our own two statics that reset is explicit
//! ([`reset_after_fork`]) and needs no allocation.

use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};

use nix::fcntl::OFlag;
use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};

/// Bit `n` is set when signal number `n` arrived and was not yet taken.
static PENDING: AtomicU64 = AtomicU64::new(0);
/// Write end of the current self-pipe, or -1.
static WAKE_FD: AtomicI32 = AtomicI32::new(-1);

extern "C" fn on_signal(signo: libc::c_int) {
    // SAFETY: only async-signal-safe calls: errno save/restore, an atomic
    // RMW, and write(2) to a non-blocking pipe (a full pipe just means a
    // wake-up is already pending).
    unsafe {
        let saved_errno = *libc::__errno_location();
        if (0..64).contains(&signo) {
            PENDING.fetch_or(1 << signo, Ordering::SeqCst);
        }
        let fd = WAKE_FD.load(Ordering::SeqCst);
        if fd >= 0 {
            let byte = 1u8;
            libc::write(fd, (&byte as *const u8).cast(), 1);
        }
        *libc::__errno_location() = saved_errno;
    }
}

/// The read end of the self-pipe; readable after a handled signal arrives.
pub struct SignalPipe {
    read: OwnedFd,
    write: OwnedFd,
}

impl SignalPipe {
    pub fn read_fd(&self) -> BorrowedFd<'_> {
        self.read.as_fd()
    }

    pub fn write_fd(&self) -> BorrowedFd<'_> {
        self.write.as_fd()
    }

    /// Empties the pipe; call before `take_pending`.
    pub fn drain(&self) {
        crate::fd::drain(self.read.as_fd());
    }
}

/// Creates the self-pipe and routes `signals` to it. Handlers are installed
/// without SA_RESTART so blocking calls return EINTR and the caller looks
/// at the pending mask. Call once per process.
pub fn install(signals: &[Signal]) -> io::Result<SignalPipe> {
    let (read, write) = nix::unistd::pipe2(OFlag::O_CLOEXEC | OFlag::O_NONBLOCK)?;
    use std::os::fd::AsRawFd;
    WAKE_FD.store(write.as_raw_fd(), Ordering::SeqCst);
    let action = SigAction::new(
        SigHandler::Handler(on_signal),
        SaFlags::empty(),
        SigSet::empty(),
    );
    for &sig in signals {
        // SAFETY: `on_signal` is async-signal-safe (see above).
        unsafe { sigaction(sig, &action) }?;
    }
    Ok(SignalPipe { read, write })
}

/// Sets `signals` to be ignored (e.g. SIGPIPE: a dead client is seen as EPIPE).
pub fn ignore(signals: &[Signal]) -> io::Result<()> {
    let action = SigAction::new(SigHandler::SigIgn, SaFlags::empty(), SigSet::empty());
    for &sig in signals {
        // SAFETY: SIG_IGN runs no code.
        unsafe { sigaction(sig, &action) }?;
    }
    Ok(())
}

/// In a freshly forked child: put `signals` back to their default action,
/// forget the parent's pipe and pending bits, and unblock everything.
/// The caller closes the inherited pipe descriptors.
pub fn reset_after_fork(signals: &[Signal]) {
    WAKE_FD.store(-1, Ordering::SeqCst);
    PENDING.store(0, Ordering::SeqCst);
    let default = SigAction::new(SigHandler::SigDfl, SaFlags::empty(), SigSet::empty());
    for &sig in signals {
        // SAFETY: SIG_DFL runs no code of ours.
        let _ = unsafe { sigaction(sig, &default) };
    }
    let _ = SigSet::all().thread_unblock();
}

/// Takes (and clears) the pending signals.
pub fn take_pending() -> PendingSignals {
    PendingSignals(PENDING.swap(0, Ordering::SeqCst))
}

/// Looks at the pending signals without clearing them.
pub fn peek_pending() -> PendingSignals {
    PendingSignals(PENDING.load(Ordering::SeqCst))
}

/// Clears one pending signal, returning whether it was pending.
pub fn take_one(sig: Signal) -> bool {
    let bit = 1u64 << (sig as i32);
    PENDING.fetch_and(!bit, Ordering::SeqCst) & bit != 0
}

/// A set of signals that arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingSignals(u64);

impl PendingSignals {
    pub fn contains(self, sig: Signal) -> bool {
        self.0 & (1u64 << (sig as i32)) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}
