//! How a child of the supervisor starts: one function, [`child_launch`],
//! for every kind of child (PostgreSQL 17's postmaster_child_launch() in
//! launch_backend.c).
//!
//! Callers say *what* to start — a [`ChildKind`], its typed
//! [`StartupData`] and, for a backend, the accepted [`ClientSocket`] — and
//! get back a [`ChildHandle`]. *How* it starts is this module's business:
//! the kinds are a table ([`CHILD_KINDS`]: name, entry function, whether it
//! needs shared memory and a client socket), and the launch mode picks the
//! mechanism. Today the mechanism is fork(2); the exec and thread modes
//! are added here, beside it, with the same inputs.
//!
//! In the fork path the child is a copy of the supervisor: it resets the
//! supervisor's signal handlers, closes the descriptors only the
//! supervisor may hold (listen sockets, its signal pipe, the write end of
//! the postmaster-alive pipe), runs the kind's entry function and exits
//! with its return code. A panic in the child ends the child (exit code
//! [`EXIT_PANIC`]), never unwinds into the supervisor's code.

use std::io;
use std::os::fd::{OwnedFd, RawFd};
use std::path::PathBuf;
use std::sync::Arc;

use nix::sys::signal::Signal;
use nix::unistd::{ForkResult, Pid};
use pm_backend::BackendEnv;
pub use pm_backend::{BackendStartupData, CanAcceptConnections};
use pm_settings::{LaunchMode, Settings};
use pm_shmem::Shmem;
use pm_sys::ClientSocket;
use serde::{Deserialize, Serialize};

/// Exit code of a child whose entry function panicked (a crash).
pub const EXIT_PANIC: i32 = 3;

/// The kinds of children the supervisor starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChildKind {
    /// A client backend (PostgreSQL's B_BACKEND), including dead-end ones.
    Backend,
}

/// Startup data: what the supervisor decided for this child, by kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StartupData {
    Backend(BackendStartupData),
}

/// Everything a child gets from its surroundings, whatever its kind.
pub struct ChildEnv {
    pub settings: Settings,
    pub data_dir: PathBuf,
    pub shmem: Arc<Shmem>,
    pub postmaster_alive: Option<OwnedFd>,
}

/// A row of the child kinds table.
pub struct ChildKindInfo {
    pub kind: ChildKind,
    /// As PostgreSQL names it in logs (`client backend`, ...).
    pub name: &'static str,
    pub needs_shared_memory: bool,
    pub takes_client_socket: bool,
    pub main: fn(StartupData, Option<ClientSocket>, ChildEnv) -> i32,
}

/// The child kinds table.
pub const CHILD_KINDS: &[ChildKindInfo] = &[ChildKindInfo {
    kind: ChildKind::Backend,
    name: "client backend",
    needs_shared_memory: true,
    takes_client_socket: true,
    main: backend_entry,
}];

/// The table row for a kind.
pub fn kind_info(kind: ChildKind) -> &'static ChildKindInfo {
    CHILD_KINDS
        .iter()
        .find(|k| k.kind == kind)
        .expect("every ChildKind has a row in CHILD_KINDS")
}

fn backend_entry(startup: StartupData, client: Option<ClientSocket>, env: ChildEnv) -> i32 {
    let StartupData::Backend(data) = startup;
    let Some(client) = client else {
        log::error!(target: pm_elog::FATAL, "client backend started without a client socket");
        return pm_backend::EXIT_FATAL;
    };
    pm_backend::backend_main(
        data,
        client,
        BackendEnv {
            settings: env.settings,
            data_dir: env.data_dir,
            shmem: env.shmem,
            postmaster_alive: env.postmaster_alive,
        },
    )
}

/// What the supervisor holds that children need, or must not keep.
pub struct LaunchContext {
    pub settings: Settings,
    pub data_dir: PathBuf,
    pub shmem: Arc<Shmem>,
    /// Read end of the postmaster-alive pipe, handed to every child.
    pub postmaster_alive: OwnedFd,
    /// Descriptors a child must close at once (listen sockets, the
    /// supervisor's signal pipe, the write end of the alive pipe).
    pub supervisor_fds: Vec<RawFd>,
    /// Signals the supervisor handles, reset to default in a child.
    pub supervisor_signals: Vec<Signal>,
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
    match ctx.settings.launch_mode {
        LaunchMode::Fork => fork_child(info, startup, client, ctx),
    }
}

/// fork mode: the child is a copy of the supervisor.
fn fork_child(
    info: &ChildKindInfo,
    startup: StartupData,
    client: Option<ClientSocket>,
    ctx: &LaunchContext,
) -> io::Result<ChildHandle> {
    debug_assert!(
        supervisor_is_single_threaded(),
        "fork from a multi-threaded supervisor"
    );
    // SAFETY: the supervisor has no other threads (asserted above in debug
    // builds; the supervisor crate starts none), so the child may run
    // ordinary code after fork: no lock can be held by a thread that does
    // not exist in the child.
    match unsafe { nix::unistd::fork() }? {
        ForkResult::Parent { child } => {
            drop(client); // the child has its own copy of the socket
            Ok(ChildHandle { pid: child })
        }
        ForkResult::Child => {
            pm_sys::signals::reset_after_fork(&ctx.supervisor_signals);
            for &fd in &ctx.supervisor_fds {
                pm_sys::fd::close_raw(fd);
            }
            let env = ChildEnv {
                settings: ctx.settings.clone(),
                data_dir: ctx.data_dir.clone(),
                shmem: ctx.shmem.clone(),
                postmaster_alive: ctx.postmaster_alive.try_clone().ok(),
            };
            let main = info.main;
            let code = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                main(startup, client, env)
            }))
            .unwrap_or(EXIT_PANIC);
            exit_child(code)
        }
    }
}

/// Ends a forked child without running anything of the supervisor's.
fn exit_child(code: i32) -> ! {
    // SAFETY: _exit(2) has no preconditions; it skips atexit handlers,
    // which belong to the supervisor's copy of the process.
    unsafe { libc::_exit(code) }
}

fn supervisor_is_single_threaded() -> bool {
    std::fs::read_dir("/proc/self/task")
        .map(|d| d.count() == 1)
        .unwrap_or(true)
}
