//! Signal handling for the supervisor and its children, in any launch mode.
//!
//! A [`Mailbox`] is a set of pending-signal bits plus a self-pipe: posting
//! sets the bit and writes one byte, so its owner, which polls the pipe's
//! read end next to its sockets, never misses a wake-up, and does the work
//! in ordinary code after taking the bits.
//!
//! - In a process (the supervisor, a forked or exec'd child) real signals
//!   are routed to the process's mailbox by [`install`]: the handler only
//!   posts, which is async-signal-safe.
//! - A thread child has a mailbox of its own, registered under its pid
//!   ([`register_thread`]); [`deliver`] posts to it instead of calling
//!   kill(2), so cancel and shutdown reach a thread backend exactly as they
//!   reach a process, through the same bits.
//!
//! We do not use the signal-hook crate here because a forked child must
//! drop the supervisor's handlers and install its own before doing
//! anything else; with one static of our own that reset is explicit
//! ([`reset_after_fork`]) and needs no allocation.

use std::collections::HashMap;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicPtr, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use nix::fcntl::OFlag;
use nix::sys::signal::{kill, sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};
use nix::unistd::Pid;

/// Pending-signal bits and the self-pipe that announces them.
#[derive(Debug)]
pub struct Mailbox {
    /// Bit `n` is set when signal number `n` arrived and was not yet taken.
    pending: AtomicU64,
    read: OwnedFd,
    write: OwnedFd,
}

impl Mailbox {
    pub fn new() -> io::Result<Mailbox> {
        let (read, write) = nix::unistd::pipe2(OFlag::O_CLOEXEC | OFlag::O_NONBLOCK)?;
        Ok(Mailbox {
            pending: AtomicU64::new(0),
            read,
            write,
        })
    }

    /// Marks `signo` pending and wakes the owner. Async-signal-safe: an
    /// atomic RMW and write(2) to a non-blocking pipe (a full pipe just
    /// means a wake-up is already pending).
    pub fn post_raw(&self, signo: i32) {
        if (0..64).contains(&signo) {
            self.pending.fetch_or(1 << signo, Ordering::SeqCst);
        }
        let byte = 1u8;
        // SAFETY: writes one byte from a valid local to a descriptor this
        // mailbox owns for its whole life.
        unsafe { libc::write(self.write.as_raw_fd(), (&byte as *const u8).cast(), 1) };
    }

    pub fn post(&self, sig: Signal) {
        self.post_raw(sig as i32);
    }

    /// Readable when something was posted.
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

    /// Takes (and clears) the pending signals.
    pub fn take_pending(&self) -> PendingSignals {
        PendingSignals(self.pending.swap(0, Ordering::SeqCst))
    }

    /// Looks at the pending signals without clearing them.
    pub fn peek_pending(&self) -> PendingSignals {
        PendingSignals(self.pending.load(Ordering::SeqCst))
    }

    /// Clears one pending signal, returning whether it was pending.
    pub fn take_one(&self, sig: Signal) -> bool {
        let bit = 1u64 << (sig as i32);
        self.pending.fetch_and(!bit, Ordering::SeqCst) & bit != 0
    }
}

/// The mailbox real signals go to in this process (a leaked `Arc`), or null.
static PROCESS_MAILBOX: AtomicPtr<Mailbox> = AtomicPtr::new(std::ptr::null_mut());

extern "C" fn on_signal(signo: libc::c_int) {
    // SAFETY: errno is saved and restored around the post, which is
    // async-signal-safe (see `Mailbox::post_raw`). The pointer, when not
    // null, comes from `Arc::into_raw` and is never freed.
    unsafe {
        let saved_errno = *libc::__errno_location();
        let mailbox = PROCESS_MAILBOX.load(Ordering::SeqCst);
        if !mailbox.is_null() {
            (*mailbox).post_raw(signo);
        }
        *libc::__errno_location() = saved_errno;
    }
}

/// Creates this process's mailbox and routes `signals` to it. Handlers are
/// installed without SA_RESTART so blocking calls return EINTR. Call once
/// per process (the supervisor at start, a process child after fork/exec);
/// never from a thread child, whose signals come by [`deliver`].
pub fn install(signals: &[Signal]) -> io::Result<Arc<Mailbox>> {
    let mailbox = Arc::new(Mailbox::new()?);
    // One reference stays with the handler for the life of the process.
    let raw = Arc::into_raw(mailbox.clone()) as *mut Mailbox;
    PROCESS_MAILBOX.store(raw, Ordering::SeqCst);
    let action = SigAction::new(
        SigHandler::Handler(on_signal),
        SaFlags::empty(),
        SigSet::empty(),
    );
    for &sig in signals {
        // SAFETY: `on_signal` is async-signal-safe (see above).
        unsafe { sigaction(sig, &action) }?;
    }
    Ok(mailbox)
}

/// Posts `sig` to this process's own mailbox, as if it had been raised
/// (used by thread children to tell the supervisor they exited).
pub fn post_to_process(sig: Signal) {
    let mailbox = PROCESS_MAILBOX.load(Ordering::SeqCst);
    if !mailbox.is_null() {
        // SAFETY: see `on_signal`: the pointer is a leaked, live Arc.
        unsafe { (*mailbox).post(sig) };
    }
}

/// Mailboxes of thread children, by pid (the pid a thread backend reports).
fn threads() -> &'static Mutex<HashMap<i32, Arc<Mailbox>>> {
    static THREADS: OnceLock<Mutex<HashMap<i32, Arc<Mailbox>>>> = OnceLock::new();
    THREADS.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Makes `pid` name a thread child whose signals go to `mailbox`.
pub fn register_thread(pid: i32, mailbox: Arc<Mailbox>) {
    threads()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(pid, mailbox);
}

pub fn unregister_thread(pid: i32) {
    threads()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&pid);
}

/// Sends `sig` to child `pid`: posted to its mailbox when it is a thread
/// of this process, kill(2) otherwise. A thread cannot be killed, so
/// SIGKILL becomes SIGQUIT there.
pub fn deliver(pid: i32, sig: Signal) -> io::Result<()> {
    let thread = threads()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&pid)
        .cloned();
    match thread {
        Some(mailbox) => {
            mailbox.post(if sig == Signal::SIGKILL {
                Signal::SIGQUIT
            } else {
                sig
            });
            Ok(())
        }
        None => Ok(kill(Pid::from_raw(pid), sig)?),
    }
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
    PROCESS_MAILBOX.store(std::ptr::null_mut(), Ordering::SeqCst);
    let default = SigAction::new(SigHandler::SigDfl, SaFlags::empty(), SigSet::empty());
    for &sig in signals {
        // SAFETY: SIG_DFL runs no code of ours.
        let _ = unsafe { sigaction(sig, &default) };
    }
    let _ = SigSet::all().thread_unblock();
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
