//! The supervisor's side of background workers (PostgreSQL's bgworker.c
//! in the postmaster): the list of registered workers, starting them when
//! due, restarting or forgetting them when they exit, taking dynamic
//! registrations from shared memory, notifying registrants, and the
//! checkpointer's part in shutdown.

use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use nix::unistd::Pid;
use pm_launch::{child_launch, BackgroundWorker, ChildKind, StartupData, WorkerStartupData};
use pm_shmem::activity::PMSIGNAL_WORKER_CHANGE;

use crate::{os_error_text, PmState, Server};

/// A registered worker.
pub struct WorkerEntry {
    pub reg: BackgroundWorker,
    pub pid: Option<Pid>,
    /// The shared-memory request slot of a dynamic worker.
    pub request: Option<u32>,
    /// When it last exited (restart is due `restart_interval` later).
    pub exited_at: Option<Instant>,
    pub is_checkpointer: bool,
}

impl WorkerEntry {
    pub fn new(reg: BackgroundWorker, request: Option<u32>) -> WorkerEntry {
        WorkerEntry {
            is_checkpointer: reg.entry == "checkpointer" && request.is_none(),
            reg,
            pid: None,
            request,
            exited_at: None,
        }
    }

    /// When it should (re)start, if it is not running (`now` if at once).
    fn due_at(&self, now: Instant) -> Option<Instant> {
        if self.pid.is_some() {
            return None;
        }
        match self.exited_at {
            None => Some(now),
            Some(at) => self
                .reg
                .restart_interval
                .map(|s| at + Duration::from_secs(s as u64)),
        }
    }
}

impl Server {
    /// The earliest pending worker (re)start, for the loop's timeout.
    pub(crate) fn next_worker_start(&self) -> Option<Instant> {
        if self.state != PmState::Run {
            return None;
        }
        let now = Instant::now();
        self.workers.iter().filter_map(|w| w.due_at(now)).min()
    }

    /// Starts every worker that is due (only while the server runs).
    pub(crate) fn start_due_workers(&mut self) {
        if self.state != PmState::Run {
            return;
        }
        let now = Instant::now();
        let due: Vec<usize> = (0..self.workers.len())
            .filter(|&i| self.workers[i].due_at(now).is_some_and(|at| at <= now))
            .collect();
        for i in due {
            self.launch_worker(i);
        }
    }

    fn launch_worker(&mut self, i: usize) {
        let Some(slot) = self.registry.take_worker_slot() else {
            log::warn!(
                "could not start background worker \"{}\": no free slot",
                self.workers[i].reg.name
            );
            self.workers[i].exited_at = Some(Instant::now());
            return;
        };
        self.ctx.shmem.assign_slot(slot, 0);
        let startup = StartupData::Worker(WorkerStartupData {
            worker: self.workers[i].reg.clone(),
            slot: Some(slot),
        });
        match child_launch(ChildKind::BackgroundWorker, startup, None, &self.ctx) {
            Ok(handle) => {
                self.ctx.shmem.set_slot_pid(slot, handle.pid.as_raw());
                self.registry
                    .insert(handle.pid, ChildKind::BackgroundWorker, Some(slot));
                let w = &mut self.workers[i];
                w.pid = Some(handle.pid);
                log::debug!(
                    "starting background worker process \"{}\" (PID {})",
                    w.reg.name,
                    handle.pid
                );
                if let Some(index) = w.request {
                    self.ctx.shmem.set_worker_pid(index, handle.pid.as_raw());
                }
                notify(w.reg.notify_pid);
            }
            Err(e) => {
                self.ctx.shmem.release_slot(slot);
                self.registry.free_slot(slot);
                log::info!("could not fork worker process: {}", os_error_text(&e));
                self.workers[i].exited_at = Some(Instant::now());
                if self.workers[i].reg.restart_interval.is_none() {
                    self.forget_worker(i);
                }
            }
        }
    }

    /// A worker process ended. Returns whether it was one (its slot is
    /// already released); a crash is for the caller to handle.
    pub(crate) fn worker_exited(&mut self, pid: Pid, exit_code: Option<i32>) -> bool {
        let Some(i) = self.workers.iter().position(|w| w.pid == Some(pid)) else {
            return false;
        };
        let w = &mut self.workers[i];
        log::debug!(
            "background worker \"{}\" (PID {pid}) exited with {exit_code:?}",
            w.reg.name
        );
        w.pid = None;
        w.exited_at = Some(Instant::now());
        if exit_code == Some(1) {
            log::info!(
                "background worker \"{}\" (PID {pid}) exited with exit code 1",
                w.reg.name
            );
        }
        if w.is_checkpointer && exit_code == Some(0) && self.checkpointer_told {
            self.shutdown_checkpoint_done = true;
        }
        let notify_pid = w.reg.notify_pid;
        // Exit code 0: done for good. Never-restart workers are done too.
        if exit_code == Some(0) || w.reg.restart_interval.is_none() {
            self.forget_worker(i);
        } else if let Some(index) = w.request {
            self.ctx.shmem.set_worker_pid(index, 0);
        }
        // After the slot shows the new state: the registrant looks at it
        // when woken.
        notify(notify_pid);
        true
    }

    fn forget_worker(&mut self, i: usize) {
        let w = self.workers.remove(i);
        if let Some(index) = w.request {
            self.ctx.shmem.free_worker_slot(index);
        }
    }

    /// SIGUSR1 from a child: take what it asked for.
    pub(crate) fn handle_pm_signals(&mut self) {
        let bits = self.ctx.shmem.take_pm_signals();
        if bits & PMSIGNAL_WORKER_CHANGE == 0 {
            return;
        }
        let known: Vec<u32> = self.workers.iter().filter_map(|w| w.request).collect();
        for (index, _generation, data) in self.ctx.shmem.worker_requests(&known) {
            match postcard::from_bytes::<BackgroundWorker>(&data) {
                Ok(reg) if self.state == PmState::Run => {
                    self.workers.push(WorkerEntry::new(reg, Some(index)))
                }
                Ok(_) => self.ctx.shmem.free_worker_slot(index),
                Err(e) => {
                    log::warn!("unreadable background worker registration: {e}");
                    self.ctx.shmem.free_worker_slot(index);
                }
            }
        }
        self.start_due_workers();
    }

    /// Shutdown in steps: in a smart shutdown, workers are told to stop once
    /// no client is left; when only the checkpointer remains it is asked
    /// for the shutdown checkpoint (SIGUSR2) and then exits.
    pub(crate) fn advance_shutdown(&mut self) {
        if !matches!(self.state, PmState::SmartShutdown | PmState::FastShutdown) {
            return;
        }
        let backends = self.registry.count_of(ChildKind::Backend);
        if backends == 0 && !self.workers_told {
            self.workers_told = true;
            for w in &self.workers {
                if let (Some(pid), false) = (w.pid, w.is_checkpointer) {
                    let _ = pm_sys::signals::deliver(pid.as_raw(), Signal::SIGTERM);
                }
            }
        }
        let checkpointer = self
            .workers
            .iter()
            .find(|w| w.is_checkpointer)
            .and_then(|w| w.pid);
        if let (Some(pid), false) = (checkpointer, self.checkpointer_told) {
            if self.registry.pids() == [pid] {
                self.checkpointer_told = true;
                log::info!("shutting down");
                let _ = pm_sys::signals::deliver(pid.as_raw(), Signal::SIGUSR2);
            }
        }
    }

    /// After a crash restart: dynamic and never-restart workers are
    /// forgotten; the others start again at once.
    pub(crate) fn reset_workers_after_crash(&mut self) {
        self.workers
            .retain(|w| w.request.is_none() && w.reg.restart_interval.is_some());
        for w in &mut self.workers {
            w.pid = None;
            w.exited_at = None;
        }
    }
}

/// Tells a registrant its worker started or stopped (SIGUSR1).
fn notify(pid: i32) {
    if pid > 0 {
        let _ = pm_sys::signals::deliver(pid, Signal::SIGUSR1);
    }
}
