//! Pending interrupts of a backend (PostgreSQL's QueryCancelPending /
//! ProcDiePending, checked at CHECK_FOR_INTERRUPTS points).
//!
//! Two sources, one answer: signals to this backend's mailbox (SIGINT =
//! cancel, SIGTERM = terminate, as PostgreSQL's backends take them; real
//! signals in a process, posted ones in a thread) and the
//! interrupt bits of this backend's slot in shared memory (set by a cancel
//! request, then followed by the signal as a wake-up). The SQL engine polls
//! `pending()` from SQLite's progress handler and pg_sleep; the protocol
//! loop calls `take()` when a wait on the client is interrupted.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use nix::sys::signal::Signal;
use pm_elog::{sqlstate as code, PgError};
use pm_shmem::{Shmem, INTERRUPT_CANCEL, INTERRUPT_TERMINATE, QUIT_FOR_CRASH};
use pm_sys::signals::Mailbox;

pub struct BackendInterrupts {
    shmem: Arc<Shmem>,
    slot: Option<u32>,
    mailbox: Arc<Mailbox>,
    data_dir: PathBuf,
    /// pg_background workers this session launched, by pid.
    workers: Mutex<HashMap<i32, crate::bgworker::WorkerHandle>>,
}

/// How long pg_background_launch waits for its worker to start.
const WORKER_START_TIMEOUT: Duration = Duration::from_secs(30);

/// Sends `sig` to the supervisor: a real signal from a process child, a
/// post to the process's own mailbox from a thread.
pub fn signal_postmaster(shmem: &Shmem, sig: Signal) -> bool {
    let postmaster = shmem.postmaster_pid();
    if postmaster == std::process::id() as i32 {
        pm_sys::signals::post_to_process(sig);
        true
    } else {
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(postmaster), sig).is_ok()
    }
}

/// What `take` found, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interrupt {
    /// SIGQUIT: immediate shutdown.
    Quit,
    Terminate,
    Cancel,
}

impl BackendInterrupts {
    pub fn new(
        shmem: Arc<Shmem>,
        slot: Option<u32>,
        mailbox: Arc<Mailbox>,
        data_dir: PathBuf,
    ) -> Self {
        BackendInterrupts {
            shmem,
            slot,
            mailbox,
            data_dir,
            workers: Mutex::new(HashMap::new()),
        }
    }

    fn own_worker(&self, pid: i32) -> Result<crate::bgworker::WorkerHandle, PgError> {
        self.workers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&pid)
            .copied()
            .ok_or_else(|| {
                PgError::error(
                    code::UNDEFINED_OBJECT,
                    format!("PID {pid} is not attached to this session"),
                )
            })
    }

    fn slot_bits(&self) -> u32 {
        self.slot
            .map(|s| self.shmem.pending_interrupts(s))
            .unwrap_or(0)
    }

    /// The error to report for `kind`.
    pub fn error(&self, kind: Interrupt) -> PgError {
        error_for(kind, self.shmem.quit_reason())
    }

    /// Takes the most severe pending interrupt. A terminate leaves a cancel
    /// pending behind it (it does not matter: the session ends).
    pub fn take_kind(&self) -> Option<Interrupt> {
        let signals = self.mailbox.peek_pending();
        if signals.contains(Signal::SIGQUIT) {
            return Some(Interrupt::Quit);
        }
        if signals.contains(Signal::SIGTERM) || self.slot_bits() & INTERRUPT_TERMINATE != 0 {
            self.mailbox.take_one(Signal::SIGTERM);
            if let Some(s) = self.slot {
                self.shmem.take_interrupts(s, INTERRUPT_TERMINATE);
            }
            return Some(Interrupt::Terminate);
        }
        let by_signal = self.mailbox.take_one(Signal::SIGINT);
        let by_slot = self
            .slot
            .map(|s| self.shmem.take_interrupts(s, INTERRUPT_CANCEL) != 0)
            .unwrap_or(false);
        (by_signal || by_slot).then_some(Interrupt::Cancel)
    }
}

/// The error a backend reports for an interrupt; a quit says whether it
/// is an immediate shutdown or the crash of another server process.
pub fn error_for(kind: Interrupt, quit_reason: u32) -> PgError {
    match kind {
        Interrupt::Quit if quit_reason == QUIT_FOR_CRASH => PgError::fatal(
            code::CRASH_SHUTDOWN,
            "terminating connection because of crash of another server process",
        )
        .with_detail(
            "The postmaster has commanded this server process to roll back the current transaction and exit, because another server process exited abnormally and possibly corrupted shared memory.",
        )
        .with_hint("In a moment you should be able to reconnect to the database and repeat your command."),
        Interrupt::Quit => PgError::fatal(
            code::ADMIN_SHUTDOWN,
            "terminating connection due to immediate shutdown command",
        ),
        Interrupt::Terminate => PgError::fatal(
            code::ADMIN_SHUTDOWN,
            "terminating connection due to administrator command",
        ),
        Interrupt::Cancel => PgError::error(
            code::QUERY_CANCELED,
            "canceling statement due to user request",
        ),
    }
}

impl pm_sql::Interrupts for BackendInterrupts {
    fn pending(&self) -> bool {
        let signals = self.mailbox.peek_pending();
        signals.contains(Signal::SIGINT)
            || signals.contains(Signal::SIGTERM)
            || signals.contains(Signal::SIGQUIT)
            || self.slot_bits() & (INTERRUPT_CANCEL | INTERRUPT_TERMINATE) != 0
    }

    fn take(&self) -> Option<PgError> {
        self.take_kind().map(|k| self.error(k))
    }

    fn catalog_changed(&self) {
        self.shmem.bump_catalog_generation();
    }

    fn catalog_generation(&self) -> u64 {
        self.shmem.catalog_generation()
    }

    fn schema_generation(&self) -> u64 {
        self.shmem.schema_generation()
    }

    fn schema_changed(&self) {
        self.shmem.bump_schema_generation();
    }

    fn database_users(&self, oid: i64) -> Vec<i32> {
        self.shmem.database_users(oid as u32)
    }

    fn reload_config(&self) -> bool {
        signal_postmaster(&self.shmem, Signal::SIGHUP)
    }

    fn activity_json(&self) -> String {
        crate::activity_json(&self.shmem)
    }

    fn database_stats(&self, oid: i64) -> (i64, i64, i64) {
        let (commits, rollbacks) = self.shmem.transaction_counts(oid as u32);
        (
            self.shmem.backends_on(oid as u32) as i64,
            commits as i64,
            rollbacks as i64,
        )
    }

    fn transaction_ended(&self, committed: bool) {
        if let Some(slot) = self.slot {
            self.shmem
                .count_transaction(self.shmem.slot_database(slot), committed);
        }
    }

    fn sleeping(&self, asleep: bool) {
        if let Some(slot) = self.slot {
            let event = if asleep {
                pm_shmem::activity::WAIT_PG_SLEEP
            } else {
                pm_shmem::activity::WAIT_NONE
            };
            self.shmem.status_wait_event(slot, event);
        }
    }

    fn background_launch(&self, sql: &str, database: &str, user: &str) -> Result<i32, PgError> {
        use crate::bgworker;
        let my_pid = self
            .slot
            .map(|s| self.shmem.slot_pid(s))
            .unwrap_or_default();
        let worker = bgworker::pg_background_worker(sql, database, user, my_pid);
        let handle = bgworker::register_dynamic(&self.shmem, &worker)?;
        let state = bgworker::wait_for_worker(
            &self.mailbox,
            &self.shmem,
            handle,
            false,
            WORKER_START_TIMEOUT,
            &|| pm_sql::Interrupts::pending(self),
        );
        // (A short-lived worker may have started and stopped already.)
        let started = match state {
            pm_shmem::activity::WorkerState::Started(pid) => Some(pid),
            pm_shmem::activity::WorkerState::Stopped => self
                .shmem
                .worker_stopped_pid(handle.index, handle.generation),
            pm_shmem::activity::WorkerState::NotYetStarted => None,
        };
        match started {
            Some(pid) => {
                self.workers
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(pid, handle);
                Ok(pid)
            }
            _ => {
                if let Some(e) = pm_sql::Interrupts::take(self) {
                    return Err(e);
                }
                Err(PgError::error(
                    code::INSUFFICIENT_RESOURCES,
                    "could not start background process",
                )
                .with_hint("More details may be available in the server log."))
            }
        }
    }

    fn background_result(&self, pid: i32) -> Result<String, PgError> {
        let handle = self.own_worker(pid)?;
        let state = crate::bgworker::wait_for_worker(
            &self.mailbox,
            &self.shmem,
            handle,
            true,
            Duration::from_secs(u32::MAX as u64),
            &|| pm_sql::Interrupts::pending(self),
        );
        if state != pm_shmem::activity::WorkerState::Stopped {
            return Err(pm_sql::Interrupts::take(self).unwrap_or_else(|| {
                PgError::error(
                    code::QUERY_CANCELED,
                    "canceling statement due to user request",
                )
            }));
        }
        self.workers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&pid);
        crate::bgworker::take_background_result(&self.data_dir, pid)
    }

    fn background_detach(&self, pid: i32) -> Result<(), PgError> {
        self.own_worker(pid)?;
        self.workers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&pid);
        crate::bgworker::detach_background(&self.data_dir, pid);
        Ok(())
    }

    /// The same path as a CancelRequest (or the supervisor's SIGTERM): the
    /// slot's bit, then the wake-up, in any launch mode.
    fn signal_backend(&self, pid: i32, terminate: bool) -> bool {
        let Some(slot) = self.shmem.find_by_pid(pid) else {
            return false;
        };
        let (bit, sig) = if terminate {
            (INTERRUPT_TERMINATE, Signal::SIGTERM)
        } else {
            (INTERRUPT_CANCEL, Signal::SIGINT)
        };
        self.shmem.raise_interrupt(slot, bit);
        pm_sys::signals::deliver(pid, sig).is_ok()
    }
}
