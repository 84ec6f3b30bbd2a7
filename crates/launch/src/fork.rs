//! fork mode: the child is a copy of the supervisor.
//!
//! The child resets the supervisor's signal handlers, closes the
//! descriptors only the supervisor may hold (listen sockets, its signal
//! pipe, the write end of the postmaster-alive pipe), installs its own
//! handlers, runs the kind's entry function and `_exit`s with its code. A
//! panic ends the child ([`EXIT_PANIC`](crate::EXIT_PANIC)), never unwinds
//! into the supervisor's code.

use std::io;

use nix::unistd::ForkResult;
use pm_sys::ClientSocket;

use crate::{
    exit_process, process_child_setup, run_entry, ChildEnv, ChildHandle, ChildKindInfo,
    LaunchContext, StartupData,
};

pub(crate) fn launch(
    info: &ChildKindInfo,
    startup: StartupData,
    client: Option<ClientSocket>,
    ctx: &LaunchContext,
) -> io::Result<ChildHandle> {
    debug_assert!(
        supervisor_is_single_threaded(),
        "fork from a multi-threaded supervisor"
    );
    // SAFETY: the supervisor has no other threads in the process modes
    // (asserted above in debug builds; the supervisor starts none and
    // thread mode never forks), so the child may run ordinary code after
    // fork: no lock can be held by a thread that does not exist in it.
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
            let mailbox = match process_child_setup().and_then(|m| {
                crate::die_with_supervisor(&ctx.shmem)?;
                Ok(m)
            }) {
                Ok(m) => m,
                Err(e) => {
                    log::error!(target: pm_elog::FATAL, "could not set up signal handling: {e}");
                    exit_process(1)
                }
            };
            let env = ChildEnv {
                settings: ctx.settings.clone(),
                data_dir: ctx.data_dir.clone(),
                shmem: ctx.shmem.clone(),
                postmaster_alive: ctx.postmaster_alive.try_clone().ok(),
                pid: nix::unistd::getpid().as_raw(),
                mailbox,
                process_title: true,
                catalog: ctx.catalog.clone(),
                hba: ctx.hba.clone(),
                tls: ctx.tls.clone(),
            };
            exit_process(run_entry(info, startup, client, env))
        }
    }
}

fn supervisor_is_single_threaded() -> bool {
    std::fs::read_dir("/proc/self/task")
        .map(|d| d.count() == 1)
        .unwrap_or(true)
}
