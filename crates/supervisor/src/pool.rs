//! Pre-launched backends (`prelaunch_backends`): children started ahead
//! of demand that wait for a connection, so that accepting one costs a
//! sendmsg instead of a fork or an exec.
//!
//! Each ready child has a socketpair: the supervisor keeps one end (in
//! [`ReadyChild`]), the child got the other at launch. On accept,
//! [`Server::hand_to_ready`] assigns the slot and cancel key in shared
//! memory exactly as for a launched backend, then sends the startup data,
//! the addresses and the connection's descriptor (SCM_RIGHTS) to the
//! oldest ready child, which from then on is an ordinary backend in the
//! registry. Replacements are started from the server loop once the
//! accepts of a wake-up are done ([`Server::replenish_pool`]).
//!
//! The rules that keep the supervisor's promises:
//! - a ready child holds no slot and no client, so connection limits and
//!   dead-end counts ignore it;
//! - it holds nothing shared either (no slot, no lock, no database open),
//!   so its death — even by SIGKILL — never needs a crash restart: it is
//!   logged and replaced;
//! - it is retired (SIGTERM, and its channel closed) at any shutdown, at a
//!   crash, and on reload (it was launched with the old settings and
//!   pg_hba.conf);
//! - with no ready child, the normal launch path serves the connection.

use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use nix::unistd::Pid;
use pm_launch::{child_launch, BackendStartupData, ChildKind, Handoff, StartupData};
use pm_sys::{ClientSocket, SocketAddress};

use crate::{os_error_text, PmState, Server};

/// A child waiting for a connection.
pub struct ReadyChild {
    pub pid: Pid,
    /// The supervisor's end of the handoff channel.
    pub channel: OwnedFd,
}

/// After a failed launch of a ready child, wait this long before trying
/// again (the normal path still serves connections meanwhile).
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// Ready children started per turn of the server loop, so that a burst of
/// connections is never kept waiting behind a refill.
const LAUNCHES_PER_TURN: usize = 2;

impl Server {
    /// Whether the pool wants another child now (for the loop's timeout).
    pub(crate) fn pool_wants_more(&self) -> bool {
        self.state == PmState::Run
            && self.ready.len() < self.ctx.settings.prelaunch_backends as usize
            && self.pool_retry_at.is_none_or(|at| Instant::now() >= at)
    }

    /// Starts ready children up to `prelaunch_backends`, a few at a time.
    pub(crate) fn replenish_pool(&mut self) {
        for _ in 0..LAUNCHES_PER_TURN {
            if !self.pool_wants_more() {
                return;
            }
            if let Err(e) = self.launch_ready() {
                log::info!("could not start a ready backend: {}", os_error_text(&e));
                self.pool_retry_at = Some(Instant::now() + RETRY_AFTER);
                return;
            }
        }
    }

    fn launch_ready(&mut self) -> std::io::Result<()> {
        let (ours, theirs) = pm_sys::handoff::channel()?;
        // A forked child (this one included) must not keep the
        // supervisor's end: EOF on its own end is how it learns it was
        // retired.
        self.ctx.supervisor_fds.push(ours.as_raw_fd());
        let channel = ClientSocket {
            fd: theirs,
            local: SocketAddress::Unix(Default::default()),
            remote: SocketAddress::Unix(Default::default()),
        };
        match child_launch(
            ChildKind::ReadyBackend,
            StartupData::Ready,
            Some(channel),
            &self.ctx,
        ) {
            Ok(handle) => {
                log::debug!("started ready backend, pid={}", handle.pid);
                self.registry
                    .insert(handle.pid, ChildKind::ReadyBackend, None);
                self.ready.push(ReadyChild {
                    pid: handle.pid,
                    channel: ours,
                });
                Ok(())
            }
            Err(e) => {
                self.refresh_supervisor_fds();
                Err(e)
            }
        }
    }

    /// Gives the connection to a ready child. The slot (already assigned
    /// in shared memory with its cancel key) gets the child's pid. Returns
    /// the client back when no ready child took it.
    pub(crate) fn hand_to_ready(
        &mut self,
        client: ClientSocket,
        startup: &BackendStartupData,
    ) -> Result<Pid, ClientSocket> {
        let Some(slot) = startup.slot else {
            return Err(client);
        };
        let message = match postcard::to_stdvec(&Handoff {
            startup: startup.clone(),
            local: client.local.clone(),
            remote: client.remote.clone(),
        }) {
            Ok(m) => m,
            Err(_) => return Err(client),
        };
        // Oldest first: it has had the longest to finish starting.
        while !self.ready.is_empty() {
            let child = self.ready.remove(0);
            self.ctx.shmem.set_slot_pid(slot, child.pid.as_raw());
            match pm_sys::handoff::send(child.channel.as_fd(), &message, client.fd.as_fd()) {
                Ok(()) => {
                    let pid = child.pid;
                    self.registry.became_backend(pid, Some(slot));
                    drop(child); // closes our end: the child has its message
                    drop(client); // the child has its own copy
                    self.refresh_supervisor_fds();
                    return Ok(pid);
                }
                Err(e) => {
                    // It died (its exit is reaped as a ready child's) or
                    // its channel is unusable: retire it, try the next.
                    log::debug!("ready backend {} did not take a connection: {e}", child.pid);
                    let _ = pm_sys::signals::deliver(child.pid.as_raw(), Signal::SIGTERM);
                }
            }
        }
        self.refresh_supervisor_fds();
        Err(client)
    }

    /// Stops every ready child (shutdown, crash, reload): SIGTERM, and the
    /// channel closed. They are reaped like any child.
    pub(crate) fn retire_pool(&mut self) {
        if self.ready.is_empty() {
            return;
        }
        for child in self.ready.drain(..) {
            let _ = pm_sys::signals::deliver(child.pid.as_raw(), Signal::SIGTERM);
        }
        self.refresh_supervisor_fds();
    }

    /// A ready child ended before it got a connection: it held nothing
    /// shared, so this is never a crash, whatever the cause. Logged when
    /// it was not asked to stop; the loop starts a replacement.
    pub(crate) fn ready_child_exited(
        &mut self,
        pid: Pid,
        exit_code: Option<i32>,
        signal: Option<Signal>,
    ) {
        let was_ready = self.ready.iter().any(|c| c.pid == pid);
        self.ready.retain(|c| c.pid != pid);
        if was_ready {
            self.refresh_supervisor_fds();
            let how = match (exit_code, signal) {
                (_, Some(sig)) => format!("was terminated by signal {}", sig as i32),
                (Some(code), None) => format!("exited with exit code {code}"),
                (None, None) => "ended".to_string(),
            };
            log::info!(
                "ready backend (PID {pid}) {how} before it was given a connection; it held nothing shared, replacing it"
            );
        }
    }
}
