//! How a child of the supervisor starts: one function, [`child_launch`],
//! for every kind of child and every launch mode (PostgreSQL 17's
//! postmaster_child_launch() in launch_backend.c, plus a thread mode).
//!
//! Callers say *what* to start — a [`ChildKind`], its typed
//! [`StartupData`] and, for a backend, the accepted [`ClientSocket`] — and
//! get back a [`ChildHandle`] with the child's pid. *How* it starts is this
//! crate's business: the kinds are a table ([`CHILD_KINDS`]: name, entry
//! function, whether it needs shared memory and a client socket), and
//! `launch_mode` picks the mechanism:
//!
//! | mode | child is | it receives |
//! |---|---|---|
//! | [`fork`] | a copy of the supervisor | everything, by inheritance; it closes the supervisor's descriptors |
//! | [`exec`] | the server binary run again with `--forkchild=KIND` | a serialized parameter block: startup data, client socket fd and addresses, shared memory fd, postmaster-alive fd, settings |
//! | [`thread`] | a thread of the server process | the same values, moved into the thread; a mailbox instead of signals |
//!
//! In every mode the child runs the kind's entry function with a
//! [`ChildEnv`], and its end (return or panic) is reported to the
//! supervisor as an exit code: by waitpid for a process, by
//! [`take_exited_threads`] after a posted SIGCHLD for a thread.

pub mod exec;
pub mod fork;
pub mod thread;

use std::io;
use std::os::fd::{AsFd, OwnedFd, RawFd};
use std::path::PathBuf;
use std::sync::Arc;

use nix::sys::signal::Signal;
use nix::unistd::Pid;
pub use pm_backend::{BackendStartupData, CanAcceptConnections};
use pm_settings::{LaunchMode, Settings};
use pm_shmem::Shmem;
use pm_sql::datadir::CatalogSnapshot;
use pm_sys::signals::Mailbox;
use pm_sys::ClientSocket;
use serde::{Deserialize, Serialize};

pub use exec::forkchild_main;
pub use thread::take_exited_threads;

/// Exit code of a child whose entry function panicked (a crash).
pub const EXIT_PANIC: i32 = 3;

/// Signals a process child handles (a thread child gets them posted).
pub const CHILD_SIGNALS: &[Signal] = pm_backend::BACKEND_SIGNALS;

/// The kinds of children the supervisor starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChildKind {
    /// A client backend (PostgreSQL's B_BACKEND), including dead-end ones.
    Backend,
    /// A background worker (B_BG_WORKER), the checkpointer included.
    BackgroundWorker,
    /// A client backend started ahead of demand (`prelaunch_backends`):
    /// it runs the generic part of start-up, then waits on its handoff
    /// channel for a connection and becomes a client backend.
    ReadyBackend,
}

/// Startup data: what the supervisor decided for this child, by kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StartupData {
    Backend(BackendStartupData),
    Worker(WorkerStartupData),
    /// A ready backend learns its startup data with its connection.
    Ready,
}

/// What the supervisor sends a ready backend with the connection's
/// descriptor: the startup data a launched backend would have been given,
/// and the socket's addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handoff {
    pub startup: BackendStartupData,
    pub local: pm_sys::SocketAddress,
    pub remote: pm_sys::SocketAddress,
}

pub use pm_backend::bgworker::{
    register_worker_entry, BackgroundWorker, WorkerStartTime, WorkerStartupData,
};

/// Everything a child gets from its surroundings, whatever its kind and
/// launch mode: settings, data directory, shared memory, the
/// postmaster-alive descriptor (process modes), its pid, its signal
/// mailbox, whether it owns the process title, and the login catalog.
/// Client backends are the only kind yet, so this is their environment
/// type; it moves to a crate of its own when a second kind needs it.
pub use pm_backend::BackendEnv as ChildEnv;

/// A row of the child kinds table.
pub struct ChildKindInfo {
    pub kind: ChildKind,
    /// As PostgreSQL names it in logs (`client backend`, ...).
    pub name: &'static str,
    /// As it appears in `--forkchild=NAME`.
    pub arg_name: &'static str,
    pub needs_shared_memory: bool,
    pub takes_client_socket: bool,
    pub main: fn(StartupData, Option<ClientSocket>, ChildEnv) -> i32,
}

/// The child kinds table.
pub const CHILD_KINDS: &[ChildKindInfo] = &[
    ChildKindInfo {
        kind: ChildKind::Backend,
        name: "client backend",
        arg_name: "backend",
        needs_shared_memory: true,
        takes_client_socket: true,
        main: backend_entry,
    },
    // The "client socket" of a ready backend is its handoff channel (the
    // child's end of a socketpair): every launch mode already knows how to
    // give a child exactly one descriptor.
    ChildKindInfo {
        kind: ChildKind::ReadyBackend,
        name: "client backend",
        arg_name: "ready-backend",
        needs_shared_memory: true,
        takes_client_socket: true,
        main: ready_backend_entry,
    },
    ChildKindInfo {
        kind: ChildKind::BackgroundWorker,
        name: "background worker",
        arg_name: "bgworker",
        needs_shared_memory: true,
        takes_client_socket: false,
        main: worker_entry,
    },
];

/// The table row for a kind.
pub fn kind_info(kind: ChildKind) -> &'static ChildKindInfo {
    CHILD_KINDS
        .iter()
        .find(|k| k.kind == kind)
        .expect("every ChildKind has a row in CHILD_KINDS")
}

fn worker_entry(startup: StartupData, _client: Option<ClientSocket>, env: ChildEnv) -> i32 {
    let StartupData::Worker(data) = startup else {
        log::error!(target: pm_elog::FATAL, "background worker started with a backend's data");
        return pm_backend::EXIT_FATAL;
    };
    pm_backend::bgworker::worker_main(data, env)
}

fn backend_entry(startup: StartupData, client: Option<ClientSocket>, env: ChildEnv) -> i32 {
    let StartupData::Backend(data) = startup else {
        log::error!(target: pm_elog::FATAL, "client backend started with a worker's data");
        return pm_backend::EXIT_FATAL;
    };
    let Some(client) = client else {
        log::error!(target: pm_elog::FATAL, "client backend started without a client socket");
        return pm_backend::EXIT_FATAL;
    };
    pm_backend::backend_main(data, client, env)
}

/// A ready backend: waits for its connection (or for shutdown, or the
/// supervisor's death), then runs as the client backend for it. Until the
/// handoff it holds nothing shared: no slot, no lock, no database.
fn ready_backend_entry(_startup: StartupData, channel: Option<ClientSocket>, env: ChildEnv) -> i32 {
    let Some(channel) = channel else {
        log::error!(target: pm_elog::FATAL, "ready backend started without a handoff channel");
        return pm_backend::EXIT_FATAL;
    };
    if env.process_title {
        pm_sys::proctitle::set(&["postmaster: ready backend"]);
    }
    loop {
        let mut fds = vec![channel.fd.as_fd(), env.mailbox.read_fd()];
        if let Some(alive) = &env.postmaster_alive {
            fds.push(alive.as_fd());
        }
        match pm_sys::fd::poll_readable(&fds, None) {
            Ok(pm_sys::fd::Ready::Fd(0)) => break,
            Ok(pm_sys::fd::Ready::Fd(1)) | Ok(pm_sys::fd::Ready::Interrupted) => {
                let pending = env.mailbox.peek_pending();
                if [Signal::SIGTERM, Signal::SIGQUIT, Signal::SIGINT]
                    .iter()
                    .any(|&s| pending.contains(s))
                {
                    return 0; // shutdown, crash or retirement: nothing to clean up
                }
                env.mailbox.drain();
                let _ = env.mailbox.take_pending();
            }
            Ok(pm_sys::fd::Ready::Fd(_)) => return 1, // the supervisor is gone
            Ok(pm_sys::fd::Ready::Timeout) => {}
            Err(e) => {
                log::error!(target: pm_elog::FATAL, "ready backend could not wait: {e}");
                return pm_backend::EXIT_FATAL;
            }
        }
    }
    let (message, fd) = match pm_sys::handoff::receive(channel.fd.as_fd()) {
        Ok(Some(m)) => m,
        Ok(None) => return 0, // retired: the supervisor closed the channel
        Err(e) => {
            log::error!(target: pm_elog::FATAL, "could not receive a connection: {e}");
            return pm_backend::EXIT_FATAL;
        }
    };
    drop(channel);
    let handoff: Handoff = match postcard::from_bytes(&message) {
        Ok(h) => h,
        Err(e) => {
            log::error!(target: pm_elog::FATAL, "invalid connection handoff: {e}");
            return pm_backend::EXIT_FATAL;
        }
    };
    let client = ClientSocket {
        fd,
        local: handoff.local,
        remote: handoff.remote,
    };
    if env.process_title {
        let from = match client.remote.port() {
            Some(port) => format!("{}({port})", client.remote.host()),
            None => client.remote.host(),
        };
        pm_sys::proctitle::set(&["postmaster: connection from ", &from]);
    }
    pm_backend::backend_main(handoff.startup, client, env)
}

/// What the supervisor holds that children need, or must not keep.
pub struct LaunchContext {
    pub settings: Settings,
    pub data_dir: PathBuf,
    pub shmem: Arc<Shmem>,
    /// Read end of the postmaster-alive pipe, handed to every process child.
    pub postmaster_alive: OwnedFd,
    /// Descriptors a forked child must close at once (listen sockets, the
    /// supervisor's signal pipe, the write end of the alive pipe). They
    /// are all close-on-exec, so an exec'd child never has them.
    pub supervisor_fds: Vec<RawFd>,
    /// Signals the supervisor handles, reset to default in a child.
    pub supervisor_signals: Vec<Signal>,
    /// The login catalog, loaded at start-up.
    pub catalog: Arc<CatalogSnapshot>,
    /// pg_hba.conf, loaded at start-up and on SIGHUP.
    pub hba: Arc<pm_settings::hba::HbaRules>,
    /// TLS configuration, when `ssl` is on.
    pub tls: Option<Arc<pm_backend::tls::TlsServer>>,
    /// Launches still to fail as a failed fork does (EAGAIN), from the
    /// `debug_launch_failures` setting: the failure path, on demand.
    pub injected_failures: std::cell::Cell<u32>,
}

/// A started child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChildHandle {
    pub pid: Pid,
}

/// Starts a child of `kind`. The client socket, if any, belongs to the
/// child afterwards (the supervisor's copy is closed).
pub fn child_launch(
    kind: ChildKind,
    startup: StartupData,
    client: Option<ClientSocket>,
    ctx: &LaunchContext,
) -> io::Result<ChildHandle> {
    let info = kind_info(kind);
    assert_eq!(
        client.is_some(),
        info.takes_client_socket,
        "{} launched with a wrong client socket",
        info.name
    );
    let injected = ctx.injected_failures.get();
    if injected > 0 && kind == ChildKind::Backend {
        ctx.injected_failures.set(injected - 1);
        return Err(io::Error::from_raw_os_error(libc::EAGAIN));
    }
    match ctx.settings.launch_mode {
        LaunchMode::Fork => fork::launch(info, startup, client, ctx),
        LaunchMode::Exec => exec::launch(info, startup, client, ctx),
        LaunchMode::Thread => thread::launch(info, startup, client, ctx),
    }
}

/// Runs a child's entry function; a panic becomes [`EXIT_PANIC`] (the
/// panic hook has logged it).
fn run_entry(
    info: &ChildKindInfo,
    startup: StartupData,
    client: Option<ClientSocket>,
    env: ChildEnv,
) -> i32 {
    let main = info.main;
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| main(startup, client, env)))
        .unwrap_or(EXIT_PANIC)
}

/// Set-up common to the process modes, in the new process: this process's
/// signal mailbox and SIGPIPE ignored (a dead client is EPIPE).
fn process_child_setup() -> io::Result<Arc<Mailbox>> {
    let mailbox = pm_sys::signals::install(CHILD_SIGNALS)?;
    pm_sys::signals::ignore(&[Signal::SIGPIPE])?;
    Ok(mailbox)
}

/// A process child must not outlive the supervisor, even in the middle of
/// a statement (the postmaster-alive pipe is only watched between
/// statements): the kernel kills it when its parent dies. If the parent
/// is already gone, it exits at once.
fn die_with_supervisor(shmem: &Shmem) -> io::Result<()> {
    nix::sys::prctl::set_pdeathsig(Signal::SIGKILL)?;
    if nix::unistd::getppid().as_raw() != shmem.postmaster_pid() {
        exit_process(1);
    }
    Ok(())
}

/// Before the first child in fork mode: claim the title area once in the
/// supervisor (its own title is left as it is), so that forked children,
/// which share its address layout, only write their titles.
pub fn prepare_for_launches(mode: LaunchMode) {
    if mode == LaunchMode::Fork {
        pm_sys::proctitle::init();
    }
}

/// Ends a process child without running anything of the supervisor's.
fn exit_process(code: i32) -> ! {
    // SAFETY: _exit(2) has no preconditions; it skips atexit handlers,
    // which in a forked child belong to the supervisor's copy of the process.
    unsafe { libc::_exit(code) }
}
