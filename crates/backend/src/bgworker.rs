//! Background workers (PostgreSQL's bgworker.h): the registration a worker
//! is started from, the entry functions looked up by name, and the
//! built-in workers: the checkpointer, pg_background's executor and a test
//! worker.
//!
//! A worker is registered either statically, in code before the server
//! starts (`StartOptions::workers`), or dynamically by a running backend
//! through a request slot in shared memory plus SIGUSR1 to the supervisor
//! ([`register_dynamic`]); the backend gets a handle (slot, generation) and
//! is sent SIGUSR1 when the worker starts and when it stops
//! (`notify_pid`). The supervisor starts every worker with `child_launch`,
//! so the same registration works in every launch mode; the entry is a
//! name, so an exec'd child finds the function in its own copy of the
//! table.
//!
//! ```ignore
//! fn ticker(worker: &BackgroundWorker, env: &WorkerEnv<'_>) -> i32 {
//!     while !env.should_stop(Duration::from_secs(1)) {
//!         log::info!("{} ticks", worker.name);
//!     }
//!     0
//! }
//! register_worker_entry("ticker", ticker);            // before postmaster_main
//! let ticker = BackgroundWorker::new("ticker", "ticker", "ticker").restart_after(10);
//! postmaster_main(StartOptions { workers: vec![ticker], .. });
//! ```

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use pm_elog::{sqlstate as code, PgError};
use pm_shmem::activity::{WorkerState, PMSIGNAL_WORKER_CHANGE};
use pm_shmem::Shmem;
use pm_sql::session::{Column, ResultSink};
use rusqlite::types::ValueRef;
use serde::{Deserialize, Serialize};

use crate::BackendEnv;

/// The worker attaches to shared memory (every worker here does).
pub const BGWORKER_SHMEM_ACCESS: u32 = 1;
/// The worker opens a database (needs `database` and `user`).
pub const BGWORKER_BACKEND_DATABASE_CONNECTION: u32 = 2;

/// When the supervisor starts a worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WorkerStartTime {
    /// As soon as the supervisor runs.
    PostmasterStart,
    /// Once the server accepts connections.
    ConsistentState,
}

/// A background worker's registration (PostgreSQL's BackgroundWorker).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackgroundWorker {
    /// bgw_name: shown in logs.
    pub name: String,
    /// bgw_type: pg_stat_activity's backend_type.
    pub worker_type: String,
    pub flags: u32,
    pub start_time: WorkerStartTime,
    /// Seconds to wait before restarting it after it exits with code 1 or
    /// after a crash; None: never restart (BGW_NEVER_RESTART).
    pub restart_interval: Option<u32>,
    /// Name of the entry function (see [`register_worker_entry`]).
    pub entry: String,
    /// bgw_extra: data for the entry function.
    pub extra: Vec<u8>,
    /// Sent SIGUSR1 when the worker starts and stops (0: nobody).
    pub notify_pid: i32,
    pub database: Option<String>,
    pub user: Option<String>,
}

impl BackgroundWorker {
    /// A worker with shared-memory access, started once the server accepts
    /// connections, never restarted.
    pub fn new(name: &str, worker_type: &str, entry: &str) -> BackgroundWorker {
        BackgroundWorker {
            name: name.to_string(),
            worker_type: worker_type.to_string(),
            flags: BGWORKER_SHMEM_ACCESS,
            start_time: WorkerStartTime::ConsistentState,
            restart_interval: None,
            entry: entry.to_string(),
            extra: Vec::new(),
            notify_pid: 0,
            database: None,
            user: None,
        }
    }

    pub fn restart_after(mut self, seconds: u32) -> BackgroundWorker {
        self.restart_interval = Some(seconds);
        self
    }
}

/// What the supervisor hands a worker child.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerStartupData {
    pub worker: BackgroundWorker,
    /// Its child slot (status, pg_terminate_backend).
    pub slot: Option<u32>,
}

/// A worker's surroundings.
pub struct WorkerEnv<'a> {
    pub env: &'a BackendEnv,
    pub slot: Option<u32>,
}

impl WorkerEnv<'_> {
    /// Waits up to `timeout` for a signal; true when the worker must end
    /// (SIGTERM, SIGQUIT, a pg_terminate_backend, or the supervisor died).
    pub fn should_stop(&self, timeout: Duration) -> bool {
        if self.stop_pending() {
            return true;
        }
        let mut fds = vec![self.env.mailbox.read_fd()];
        if let Some(alive) = &self.env.postmaster_alive {
            use std::os::fd::AsFd;
            fds.push(alive.as_fd());
        }
        match pm_sys::fd::poll_readable(&fds, Some(timeout.as_millis() as u64)) {
            Ok(pm_sys::fd::Ready::Fd(1)) => return true, // supervisor gone
            Ok(pm_sys::fd::Ready::Fd(0)) => self.env.mailbox.drain(),
            _ => {}
        }
        self.stop_pending()
    }

    fn stop_pending(&self) -> bool {
        let pending = self.env.mailbox.peek_pending();
        pending.contains(Signal::SIGTERM)
            || pending.contains(Signal::SIGQUIT)
            || self.slot.is_some_and(|s| {
                self.env.shmem.pending_interrupts(s) & pm_shmem::INTERRUPT_TERMINATE != 0
            })
    }
}

/// A worker's entry function; returns the exit code (0: done, do not
/// restart; 1: restart per the registration).
pub type WorkerMain = fn(&BackgroundWorker, &WorkerEnv<'_>) -> i32;

static ENTRIES: Mutex<Vec<(String, WorkerMain)>> = Mutex::new(Vec::new());

/// Built-in entries.
const BUILTIN_ENTRIES: &[(&str, WorkerMain)] = &[
    ("checkpointer", checkpointer_main),
    ("pg_background", pg_background_main),
    ("pm_test_worker", test_worker_main),
];

/// Makes `main` startable as entry `name`. Call it before the server
/// starts, in the binary's `main`, so that exec'd children have it too.
pub fn register_worker_entry(name: &str, main: WorkerMain) {
    let mut entries = ENTRIES.lock().unwrap_or_else(|e| e.into_inner());
    entries.retain(|(n, _)| n != name);
    entries.push((name.to_string(), main));
}

/// The entry function registered as `name`.
pub fn worker_entry(name: &str) -> Option<WorkerMain> {
    if let Some((_, f)) = BUILTIN_ENTRIES.iter().find(|(n, _)| *n == name) {
        return Some(*f);
    }
    let entries = ENTRIES.lock().unwrap_or_else(|e| e.into_inner());
    entries.iter().find(|(n, _)| n == name).map(|(_, f)| *f)
}

/// The checkpointer's registration: restarted a second after it ends.
pub fn checkpointer() -> BackgroundWorker {
    BackgroundWorker {
        start_time: WorkerStartTime::PostmasterStart,
        ..BackgroundWorker::new("checkpointer", "checkpointer", "checkpointer").restart_after(1)
    }
}

/// The checkpointer: every `checkpoint_timeout`, and once more when the
/// supervisor asks at shutdown (SIGUSR2), truncates the WAL of every
/// database into its main file.
fn checkpointer_main(_worker: &BackgroundWorker, w: &WorkerEnv<'_>) -> i32 {
    let env = w.env;
    let interval = Duration::from_millis(env.settings.checkpoint_timeout_ms);
    let mut next = Instant::now() + interval;
    loop {
        let wait = next.saturating_duration_since(Instant::now());
        let stop = w.should_stop(wait);
        let pending = env.mailbox.peek_pending();
        if pending.contains(Signal::SIGQUIT) || (stop && !pending.contains(Signal::SIGTERM)) {
            return 1; // crash of another process, or the supervisor is gone
        }
        if env.mailbox.take_one(Signal::SIGUSR2) {
            checkpoint(env, "shutdown");
            return 0;
        }
        // SIGTERM is not for the checkpointer: it ends after the shutdown
        // checkpoint, when every other child is gone.
        env.mailbox.take_one(Signal::SIGTERM);
        if Instant::now() >= next {
            checkpoint(env, "time");
            next = Instant::now() + interval;
        }
    }
}

fn checkpoint(env: &BackendEnv, reason: &str) {
    let start = Instant::now();
    if env.settings.log_checkpoints {
        log::info!("checkpoint starting: {reason}");
    }
    match pm_sql::datadir::checkpoint_all(&env.data_dir) {
        Ok(n) if env.settings.log_checkpoints => log::info!(
            "checkpoint complete: {n} database files checkpointed, WAL truncated; total={:.3} s",
            start.elapsed().as_secs_f64()
        ),
        Ok(_) => {}
        Err(e) => log::warn!("checkpoint failed: {e}"),
    }
}

/// A worker that waits to be stopped (for tests of the worker machinery).
fn test_worker_main(worker: &BackgroundWorker, w: &WorkerEnv<'_>) -> i32 {
    log::info!("background worker \"{}\" started", worker.name);
    while !w.should_stop(Duration::from_secs(3600)) {}
    1
}

/// What a pg_background worker runs and where it leaves the result.
#[derive(Debug, Serialize, Deserialize)]
struct BackgroundTask {
    sql: String,
}

/// Result files of pg_background workers: `DATADIR/pg_background/<pid>`.
fn result_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("pg_background")
}

fn result_path(data_dir: &Path, pid: i32) -> PathBuf {
    result_dir(data_dir).join(format!("{pid}.json"))
}

/// The outcome of one pg_background statement.
#[derive(Debug, Default, Serialize, Deserialize)]
struct BackgroundResult {
    tag: String,
    columns: Vec<String>,
    rows: Vec<Vec<Option<String>>>,
    notices: Vec<String>,
    error: Option<(String, String)>,
}

struct CollectSink<'a> {
    result: &'a mut BackgroundResult,
}

impl ResultSink for CollectSink<'_> {
    fn describe(&mut self, columns: &[Column]) -> Result<(), PgError> {
        self.result.columns = columns.iter().map(|c| c.name.clone()).collect();
        Ok(())
    }

    fn row(&mut self, columns: &[Column], values: &[ValueRef<'_>]) -> Result<(), PgError> {
        self.result.rows.push(
            columns
                .iter()
                .zip(values)
                .map(|(c, v)| pm_sql::types::format_text(c.type_oid, *v))
                .collect(),
        );
        Ok(())
    }

    fn notice(&mut self, notice: PgError) {
        self.result.notices.push(notice.message);
    }
}

/// pg_background's executor: runs the statement of its registration in
/// its database as its user and writes the outcome for the launcher.
fn pg_background_main(worker: &BackgroundWorker, w: &WorkerEnv<'_>) -> i32 {
    let env = w.env;
    let Ok(task) = postcard::from_bytes::<BackgroundTask>(&worker.extra) else {
        log::error!(target: pm_elog::FATAL, "pg_background: unreadable task");
        return 0;
    };
    let (database, user) = (
        worker.database.clone().unwrap_or_default(),
        worker.user.clone().unwrap_or_default(),
    );
    let mut result = BackgroundResult::default();
    let outcome = (|| -> Result<String, PgError> {
        let catalog = pm_sql::datadir::CatalogSnapshot::load(&env.data_dir, 0)?;
        let (role, database_oid) = catalog.lookup_login(&user, &database)?;
        if let Some(slot) = w.slot {
            env.shmem
                .status_login(slot, database_oid as u32, "pg_background");
            env.shmem.status_report(
                slot,
                pm_shmem::activity::STATE_ACTIVE,
                Some(&task.sql),
                crate::now_us(),
            );
        }
        let interrupts = Arc::new(crate::interrupts::BackendInterrupts::new(
            env.shmem.clone(),
            w.slot,
            env.mailbox.clone(),
            env.data_dir.clone(),
        ));
        let mut session = pm_sql::session::Session::open(pm_sql::session::SessionOptions {
            data_dir: &env.data_dir,
            database: &database,
            database_oid,
            user: &user,
            user_oid: role.oid,
            is_superuser: role.is_superuser,
            backend_pid: env.pid,
            interrupts,
            settings: Vec::new(),
            debug_allow_panic: false,
        })?;
        let mut sink = CollectSink {
            result: &mut result,
        };
        let mut tag = String::new();
        for stmt in pm_sql::dialect::split_statements(&task.sql) {
            let translated = pm_sql::dialect::translate(stmt)?;
            tag = session.execute(&translated, &mut sink)?;
        }
        Ok(tag)
    })();
    match outcome {
        Ok(tag) => result.tag = tag,
        Err(e) => result.error = Some((e.code.to_string(), e.message)),
    }
    let dir = result_dir(&env.data_dir);
    let _ = std::fs::create_dir_all(&dir);
    let path = result_path(&env.data_dir, env.pid);
    let detached = path.with_extension("detached");
    if detached.exists() {
        let _ = std::fs::remove_file(detached);
        return 0;
    }
    let tmp = path.with_extension("tmp");
    let written = serde_json::to_vec(&result)
        .map_err(std::io::Error::other)
        .and_then(|bytes| std::fs::write(&tmp, bytes))
        .and_then(|_| std::fs::rename(&tmp, &path));
    if let Err(e) = written {
        log::warn!("pg_background: could not write the result: {e}");
    }
    0
}

/// A worker child's main: marks its slot, reports itself in
/// pg_stat_activity, runs the entry named by its registration.
pub fn worker_main(data: WorkerStartupData, env: BackendEnv) -> i32 {
    let worker = &data.worker;
    let Some(main) = worker_entry(&worker.entry) else {
        log::error!(
            target: pm_elog::FATAL,
            "background worker \"{}\": no entry function \"{}\"",
            worker.name,
            worker.entry
        );
        return 0; // not restartable: it would fail again
    };
    if env.process_title {
        pm_sys::proctitle::set(&["postmaster: ", &worker.worker_type]);
    }
    if let Some(slot) = data.slot {
        env.shmem.mark_active(slot);
        env.shmem.status_start(
            slot,
            &pm_shmem::activity::StatusStart {
                backend_type: pm_shmem::activity::BACKEND_TYPE_WORKER,
                type_name: &worker.worker_type,
                pid: env.pid,
                user: worker.user.as_deref().unwrap_or(""),
                client_addr: "",
                client_port: 0,
                now_us: crate::now_us(),
            },
        );
        env.shmem
            .status_wait_event(slot, pm_shmem::activity::WAIT_WORKER_MAIN);
    }
    let code = main(
        worker,
        &WorkerEnv {
            env: &env,
            slot: data.slot,
        },
    );
    if let Some(slot) = data.slot {
        env.shmem.status_end(slot);
        env.shmem.mark_inactive(slot);
    }
    code
}

/// A dynamic worker a backend registered: its request slot and generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerHandle {
    pub index: u32,
    pub generation: u32,
}

/// RegisterDynamicBackgroundWorker: asks the supervisor to start `worker`.
pub fn register_dynamic(shmem: &Shmem, worker: &BackgroundWorker) -> Result<WorkerHandle, PgError> {
    let data = postcard::to_allocvec(worker).map_err(|e| {
        PgError::error(
            code::INTERNAL_ERROR,
            "could not register background process",
        )
        .with_detail(e.to_string())
    })?;
    let (index, generation) = shmem.request_worker(&data).ok_or_else(|| {
        let mut e = PgError::error(
            code::INSUFFICIENT_RESOURCES,
            "could not register background process",
        );
        e.hint = Some("You may need to increase max_worker_processes.".to_string());
        e
    })?;
    shmem.set_pm_signal(PMSIGNAL_WORKER_CHANGE);
    crate::interrupts::signal_postmaster(shmem, Signal::SIGUSR1);
    Ok(WorkerHandle { index, generation })
}

/// Waits (woken by the supervisor's SIGUSR1 notifications) until the
/// worker of `handle` leaves `NotYetStarted` (start) or `Started` (stop),
/// or `timeout` passes. Returns the state then.
pub fn wait_for_worker(
    env_mailbox: &pm_sys::signals::Mailbox,
    shmem: &Shmem,
    handle: WorkerHandle,
    until_stopped: bool,
    timeout: Duration,
    interrupted: &dyn Fn() -> bool,
) -> WorkerState {
    let deadline = Instant::now() + timeout;
    loop {
        let state = shmem.worker_state(handle.index, handle.generation);
        let done = match state {
            WorkerState::NotYetStarted => false,
            WorkerState::Started(_) => !until_stopped,
            WorkerState::Stopped => true,
        };
        if done || Instant::now() >= deadline || interrupted() {
            return state;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        let _ = pm_sys::fd::poll_readable(&[env_mailbox.read_fd()], Some(left.as_millis() as u64));
        env_mailbox.take_one(Signal::SIGUSR1);
        // Other signals stay pending for the caller's interrupt checks.
        if !env_mailbox.peek_pending().is_empty() {
            return shmem.worker_state(handle.index, handle.generation);
        }
        env_mailbox.drain();
    }
}

/// The pg_background registration for `sql`, run as `user` in `database`,
/// reporting to `notify_pid`.
pub fn pg_background_worker(
    sql: &str,
    database: &str,
    user: &str,
    notify_pid: i32,
) -> BackgroundWorker {
    let task = BackgroundTask {
        sql: sql.to_string(),
    };
    BackgroundWorker {
        flags: BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION,
        extra: postcard::to_allocvec(&task).unwrap_or_default(),
        notify_pid,
        database: Some(database.to_string()),
        user: Some(user.to_string()),
        ..BackgroundWorker::new("pg_background", "pg_background", "pg_background")
    }
}

/// The result a finished pg_background worker left: rows as tab-separated
/// text lines, or the command tag when there are none; its error raised.
pub fn take_background_result(data_dir: &Path, pid: i32) -> Result<String, PgError> {
    let path = result_path(data_dir, pid);
    let bytes = std::fs::read(&path).map_err(|_| {
        PgError::error(
            code::OBJECT_NOT_IN_PREREQUISITE_STATE,
            format!("PID {pid} is not attached to this session"),
        )
    })?;
    let _ = std::fs::remove_file(&path);
    let result: BackgroundResult = serde_json::from_slice(&bytes).map_err(|e| {
        PgError::error(code::INTERNAL_ERROR, "unreadable pg_background result")
            .with_detail(e.to_string())
    })?;
    if let Some((sqlstate, message)) = result.error {
        let code = pm_elog::sqlstate::by_code(&sqlstate).unwrap_or(code::INTERNAL_ERROR);
        return Err(
            PgError::error(code, message).with_context(format!("background worker, pid {pid}"))
        );
    }
    if result.columns.is_empty() {
        return Ok(result.tag);
    }
    Ok(result
        .rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|v| v.as_deref().unwrap_or("\\N"))
                .collect::<Vec<_>>()
                .join("\t")
        })
        .collect::<Vec<_>>()
        .join("\n"))
}

/// pg_background_detach: the result of `pid` is not wanted.
pub fn detach_background(data_dir: &Path, pid: i32) {
    let path = result_path(data_dir, pid);
    if path.exists() {
        let _ = std::fs::remove_file(path);
    } else {
        let _ = std::fs::create_dir_all(result_dir(data_dir));
        let _ = std::fs::write(path.with_extension("detached"), b"");
    }
}
