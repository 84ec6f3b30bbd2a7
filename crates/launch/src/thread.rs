//! thread mode: the child is a thread of the server process.
//!
//! No process is created and fork is never called. The thread receives the
//! same startup data, client socket and environment as a process child,
//! moved into it. What a process would get from the kernel is given
//! explicitly:
//! - a **pid**: a number above Linux's largest pid (so it never collides
//!   with a real one), used for BackendKeyData, pg_backend_pid(), the
//!   registry and log lines;
//! - a **mailbox** registered under that pid: cancel, terminate and
//!   shutdown are posted to it by `pm_sys::signals::deliver` where a
//!   process would get kill(2);
//! - an **exit report**: when the entry function returns or panics, the
//!   thread queues `(pid, exit code)` and posts SIGCHLD to the supervisor's
//!   mailbox, which then handles it as it handles a reaped process.
//!
//! The thread blocks all signals, so real signals sent to the server
//! process reach the supervisor's thread only.

use std::io;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex};

use nix::sys::signal::{SigSet, Signal};
use nix::unistd::Pid;
use pm_sys::signals::Mailbox;
use pm_sys::ClientSocket;

use crate::{run_entry, ChildEnv, ChildHandle, ChildKindInfo, LaunchContext, StartupData};

/// First pid given to a thread child: above PID_MAX_LIMIT (2^22), the
/// largest pid Linux hands out.
pub const THREAD_PID_BASE: i32 = 4_194_304 + 1;

/// Stack of a child thread. Pages are committed only when touched.
const THREAD_STACK_SIZE: usize = 2 << 20;

static NEXT_PID: AtomicI32 = AtomicI32::new(THREAD_PID_BASE);

/// Thread children that ended and are not yet reported: (pid, exit code).
static EXITED: Mutex<Vec<(i32, i32)>> = Mutex::new(Vec::new());

/// Takes the exit reports of thread children that ended (the supervisor's
/// counterpart of waitpid for threads).
pub fn take_exited_threads() -> Vec<(Pid, i32)> {
    std::mem::take(&mut *EXITED.lock().unwrap_or_else(|e| e.into_inner()))
        .into_iter()
        .map(|(pid, code)| (Pid::from_raw(pid), code))
        .collect()
}

pub(crate) fn launch(
    info: &'static ChildKindInfo,
    startup: StartupData,
    client: Option<ClientSocket>,
    ctx: &LaunchContext,
) -> io::Result<ChildHandle> {
    let pid = NEXT_PID.fetch_add(1, Ordering::Relaxed);
    let mailbox = Arc::new(Mailbox::new()?);
    pm_sys::signals::register_thread(pid, mailbox.clone());
    let env = ChildEnv {
        settings: ctx.settings.clone(),
        data_dir: ctx.data_dir.clone(),
        shmem: ctx.shmem.clone(),
        postmaster_alive: None,
        pid,
        mailbox,
        process_title: false,
        catalog: ctx.catalog.clone(),
        hba: ctx.hba.clone(),
        tls: ctx.tls.clone(),
    };
    let spawned = std::thread::Builder::new()
        .name(format!("backend {pid}"))
        .stack_size(THREAD_STACK_SIZE)
        .spawn(move || {
            let _ = SigSet::all().thread_block();
            pm_elog::set_thread_pid(pid);
            let code = run_entry(info, startup, client, env);
            pm_sys::signals::unregister_thread(pid);
            EXITED
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((pid, code));
            pm_sys::signals::post_to_process(Signal::SIGCHLD);
        });
    match spawned {
        Ok(_detached) => Ok(ChildHandle {
            pid: Pid::from_raw(pid),
        }),
        Err(e) => {
            pm_sys::signals::unregister_thread(pid);
            Err(e)
        }
    }
}
