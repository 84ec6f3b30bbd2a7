//! The supervisor: PostgreSQL's postmaster.
//!
//! [`postmaster_main`] starts the server (data directory, settings, lock
//! file, shared memory, listen sockets, signals) and runs the server loop:
//! a single-threaded poll(2) over the listen sockets and the signal
//! self-pipe. It never blocks on anything but that poll, never parses
//! client data, never takes a lock a child takes, and starts no threads (a
//! fork from it must be safe).
//!
//! Per connection (BackendStartup): accept -> ClientSocket; pick a free
//! child slot and a random cancel key; compute the can-accept state; launch
//! a client backend with `child_launch`; record the child in the registry.
//! On SIGCHLD it reaps children, frees their slots and logs abnormal exits.
//!
//! Shutdown modes (pmdie): SIGTERM smart (refuse new sessions, wait for the
//! running ones), SIGINT fast (SIGTERM every child, wait), SIGQUIT
//! immediate (SIGQUIT every child, SIGKILL what is left after a few
//! seconds). SIGHUP re-reads postgresql.conf.

mod listen;
pub mod lockfile;
mod pool;
mod registry;
mod workers;

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;
use pm_launch::{
    child_launch, BackendStartupData, CanAcceptConnections, ChildKind, LaunchContext, StartupData,
};
use pm_settings::{LaunchMode, Settings};
use pm_shmem::Shmem;
use pm_sys::fd::{poll_readable, Ready};
use pm_sys::signals::Mailbox;

use crate::listen::ListenSocket;
use crate::lockfile::LockFile;
use crate::registry::Registry;
use crate::workers::WorkerEntry;

/// Signals the supervisor handles.
const SUPERVISOR_SIGNALS: &[Signal] = &[
    Signal::SIGCHLD,
    Signal::SIGTERM,
    Signal::SIGINT,
    Signal::SIGQUIT,
    Signal::SIGHUP,
    // PMSIGNAL: a child asks for something (a dynamic background worker).
    Signal::SIGUSR1,
];
/// Immediate shutdown: SIGKILL children still alive after this long
/// (PostgreSQL's SIGKILL_CHILDREN_AFTER_SECS).
const IMMEDIATE_KILL_AFTER: Duration = Duration::from_secs(5);
/// Connections accepted per wake-up of the loop, so signals are not starved.
const ACCEPTS_PER_WAKEUP_MAX: usize = 64;
/// Pauses of accepting after EMFILE and the like.
const ACCEPT_BACKOFF_MIN: Duration = Duration::from_millis(50);
const ACCEPT_BACKOFF_MAX: Duration = Duration::from_secs(1);

/// How the server was asked to start.
pub struct StartOptions {
    pub data_dir: PathBuf,
    /// Settings from the environment (PGPORT): below postgresql.conf.
    pub env_defaults: Vec<(String, String)>,
    /// Settings from the command line (-p, -k, -c): above postgresql.conf.
    pub overrides: Vec<(String, String)>,
    /// Background workers registered in code before start (static ones).
    pub workers: Vec<pm_launch::BackgroundWorker>,
}

/// The server's state (PostgreSQL's pmState, reduced to what exists so far).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PmState {
    Run,
    SmartShutdown,
    FastShutdown,
    ImmediateShutdown {
        kill_at: Instant,
    },
    /// A child crashed: the others were told to quit; once all are gone,
    /// shared memory is re-created (or, with restart_after_crash off, the
    /// server exits).
    CrashRecovery {
        kill_at: Instant,
    },
}

fn fatal(message: impl std::fmt::Display) -> i32 {
    log::error!(target: pm_elog::FATAL, "{message}");
    1
}

/// Loads settings: defaults, environment, postgresql.conf, command line.
pub fn load_settings(
    data_dir: &Path,
    env_defaults: &[(String, String)],
    overrides: &[(String, String)],
) -> Result<Settings, String> {
    let mut settings = Settings::default();
    for (name, value) in env_defaults {
        settings.set(name, value)?;
    }
    let conf = data_dir.join("postgresql.conf");
    if conf.exists() {
        for item in pm_settings::conf::read_conf_file(&conf)? {
            settings.set(&item.name, &item.value).map_err(|e| {
                format!(
                    "{e}\nDETAIL:  in file \"{}\" line {}",
                    item.file.display(),
                    item.line
                )
            })?;
        }
    }
    for (name, value) in overrides {
        settings.set(name, value)?;
    }
    if settings.superuser_reserved_connections >= settings.max_connections {
        return Err(format!(
            "superuser_reserved_connections ({}) must be less than max_connections ({})",
            settings.superuser_reserved_connections, settings.max_connections
        ));
    }
    Ok(settings)
}

/// Reads and parses DATADIR/pg_hba.conf. A data directory made before
/// pg_hba.conf existed gets the default file first.
fn load_hba(data_dir: &Path) -> Result<pm_settings::hba::HbaRules, String> {
    let path = pm_sql::datadir::hba_path(data_dir);
    if !path.exists() {
        log::info!("writing the default pg_hba.conf to \"{}\"", path.display());
        std::fs::write(&path, pm_settings::hba::DEFAULT_HBA_CONF)
            .map_err(|e| format!("could not write file \"{}\": {e}", path.display()))?;
    }
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "could not open configuration file \"{}\": {e}",
            path.display()
        )
    })?;
    let rules = pm_settings::hba::HbaRules::parse(&text, &path.display().to_string())?;
    let trusts_tcp = rules.lines.iter().any(|l| {
        l.method == pm_settings::hba::AuthMethod::Trust
            && l.conn_type != pm_settings::hba::ConnType::Local
    });
    if trusts_tcp {
        log::warn!(
            "pg_hba.conf trusts some TCP connections without a password (\"{}\")",
            path.display()
        );
    }
    Ok(rules)
}

/// Creates the data directory if it is missing. Returns an error message.
pub fn ensure_data_dir(data_dir: &Path) -> Result<(), String> {
    if pm_sql::datadir::is_initialized(data_dir) {
        return pm_sql::datadir::check(data_dir);
    }
    let empty = std::fs::read_dir(data_dir)
        .map(|mut d| d.next().is_none())
        .unwrap_or(true);
    if !empty && !data_dir.join("postgresql.conf").exists() {
        return Err(format!(
            "directory \"{}\" exists but is not a data directory (no PG_VERSION), and it is not empty",
            data_dir.display()
        ));
    }
    log::info!(
        "data directory \"{}\" is not initialized; creating it with defaults (database \"postgres\", superuser \"postgres\")",
        data_dir.display()
    );
    pm_sql::datadir::init(data_dir, "postgres")
}

/// PostmasterMain: runs the server until it shuts down. Returns the exit code.
pub fn postmaster_main(opts: StartOptions) -> i32 {
    let data_dir = match std::path::absolute(&opts.data_dir) {
        Ok(p) => p,
        Err(e) => {
            return fatal(format!(
                "invalid data directory \"{}\": {e}",
                opts.data_dir.display()
            ))
        }
    };
    if let Err(e) = ensure_data_dir(&data_dir) {
        return fatal(e);
    }
    let settings = match load_settings(&data_dir, &opts.env_defaults, &opts.overrides) {
        Ok(s) => s,
        Err(e) => return fatal(e),
    };
    pm_elog::init(settings.debug_logging);
    raise_open_files_limit();
    let start_epoch = chrono::Utc::now().timestamp();
    let socket_dirs: Vec<PathBuf> = settings
        .unix_socket_directories
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
        .collect();
    let first_listen = settings
        .listen_addresses
        .split(',')
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    let pid = std::process::id();
    let lock_contents = |status: &str| {
        format!(
            "{pid}\n{}\n{start_epoch}\n{}\n{}\n{}\n{:>9} {:>9}\n{status}\n",
            data_dir.display(),
            settings.port,
            socket_dirs
                .first()
                .map(|d| d.display().to_string())
                .unwrap_or_default(),
            if first_listen.is_empty() {
                String::new()
            } else {
                first_listen.clone()
            },
            0,
            0
        )
    };
    let pid_file = match LockFile::create(
        &data_dir.join("postmaster.pid"),
        &lock_contents(lockfile::STATUS_STARTING),
        false,
        &data_dir,
    ) {
        Ok(l) => l,
        Err(e) => {
            let mut error = pm_elog::PgError::fatal(pm_elog::sqlstate::OBJECT_IN_USE, e.message);
            error.hint = e.hint;
            error.log();
            return 1;
        }
    };
    log::info!(
        "starting PostgreSQL {} (postmaster {}) on {}-pc-linux-gnu, launch mode {}",
        pm_sql::SERVER_VERSION,
        env!("CARGO_PKG_VERSION"),
        std::env::consts::ARCH,
        settings.launch_mode.as_str()
    );

    // Shared memory before any child: slots for twice max_connections, as
    // PostgreSQL's MaxLivePostmasterChildren().
    // Static workers: the checkpointer, then the user's (bounded by
    // max_worker_processes, which dynamic ones share).
    let mut static_workers = opts.workers.clone();
    if settings.debug_test_workers {
        static_workers.push(
            pm_launch::BackgroundWorker::new("test restart", "test restart", "pm_test_worker")
                .restart_after(1),
        );
        static_workers.push(pm_launch::BackgroundWorker::new(
            "test once",
            "test once",
            "pm_test_worker",
        ));
    }
    if static_workers.len() > settings.max_worker_processes as usize {
        pm_elog::PgError::new(
            pm_elog::Severity::Log,
            pm_elog::sqlstate::CONFIGURATION_LIMIT_EXCEEDED,
            "too many background workers",
        )
        .with_detail(format!(
            "Up to {} background workers can be registered with the current settings.",
            settings.max_worker_processes
        ))
        .log();
        static_workers.truncate(settings.max_worker_processes as usize);
    }
    let dynamic_worker_slots = settings.max_worker_processes - static_workers.len() as u32;
    let mut workers = vec![WorkerEntry::new(pm_backend::bgworker::checkpointer(), None)];
    workers.extend(
        static_workers
            .into_iter()
            .map(|w| WorkerEntry::new(w, None)),
    );
    let backend_slots = settings.max_connections.saturating_mul(2).max(2);
    let worker_slots = settings.max_worker_processes + 1;
    let slot_count = backend_slots + worker_slots;
    let shmem = match Shmem::create(slot_count, settings.max_connections, dynamic_worker_slots) {
        Ok(s) => Arc::new(s),
        Err(e) => return fatal(format!("could not create shared memory segment: {e}")),
    };
    // The login catalog, read once here, before any child exists.
    let catalog =
        match pm_sql::datadir::CatalogSnapshot::load(&data_dir, shmem.catalog_generation()) {
            Ok(c) => Arc::new(c),
            Err(e) => {
                e.log();
                return 1;
            }
        };

    // Client authentication rules and TLS: a bad file stops the start.
    let hba = match load_hba(&data_dir) {
        Ok(h) => Arc::new(h),
        Err(e) => {
            log::info!("{e}");
            return fatal("could not load pg_hba.conf".to_string());
        }
    };
    let tls = if settings.ssl {
        match pm_backend::tls::load(&data_dir, &settings) {
            Ok(t) => Some(t),
            Err(e) => return fatal(e),
        }
    } else {
        None
    };

    let mut listeners: Vec<ListenSocket> = Vec::new();
    let mut tcp_wanted = false;
    for (host, addrs) in listen::resolve_listen_addresses(&settings.listen_addresses, settings.port)
    {
        tcp_wanted = true;
        let addrs = match addrs {
            Ok(a) => a,
            Err(e) => {
                log::warn!("{e}");
                continue;
            }
        };
        for addr in addrs {
            let family = if addr.is_ipv4() { "IPv4" } else { "IPv6" };
            match listen::listen_tcp(addr, settings.max_connections) {
                Ok(l) => {
                    log::info!(
                        "listening on {family} address \"{}\", port {}",
                        addr.ip(),
                        addr.port()
                    );
                    listeners.push(l);
                }
                Err(e) => {
                    pm_elog::PgError::new(
                        pm_elog::Severity::Log,
                        pm_elog::sqlstate::SUCCESSFUL_COMPLETION,
                        format!("could not bind {family} address \"{}\": {e}", addr.ip()),
                    )
                    .with_hint(format!(
                        "Is another postmaster already running on port {}? If not, wait a few seconds and retry.",
                        settings.port
                    ))
                    .log();
                    let _ = &host;
                }
            }
        }
    }
    if tcp_wanted && listeners.is_empty() {
        return fatal("could not create any TCP/IP sockets");
    }
    let tcp_count = listeners.len();
    for dir in &socket_dirs {
        match listen::listen_unix(
            dir,
            settings.port,
            settings.max_connections,
            &lock_contents(lockfile::STATUS_READY),
        ) {
            Ok(l) => {
                log::info!(
                    "listening on Unix socket \"{}\"",
                    listen::unix_socket_path(dir, settings.port).display()
                );
                listeners.push(l);
            }
            Err(e) => log::warn!("{e}"),
        }
    }
    if !socket_dirs.is_empty() && listeners.len() == tcp_count {
        return fatal("could not create any Unix-domain sockets");
    }
    if listeners.is_empty() {
        return fatal("no socket created for listening");
    }

    let mailbox = match pm_sys::signals::install(SUPERVISOR_SIGNALS) {
        Ok(p) => p,
        Err(e) => return fatal(format!("could not set up signal handlers: {e}")),
    };
    let _ = pm_sys::signals::ignore(&[Signal::SIGPIPE]);
    // The postmaster-alive pipe: children hold the read end; only we hold
    // the write end, so EOF on it tells a child we are gone.
    let (alive_read, alive_write) = match nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC) {
        Ok(p) => p,
        Err(e) => return fatal(format!("could not create pipe: {e}")),
    };
    let mut supervisor_fds: Vec<_> = listeners.iter().map(ListenSocket::raw_fd).collect();
    supervisor_fds.push(mailbox.read_fd().as_raw_fd());
    supervisor_fds.push(mailbox.write_fd().as_raw_fd());
    supervisor_fds.push(alive_write.as_raw_fd());

    let base_supervisor_fds = supervisor_fds.clone();
    let injected_failures = settings.debug_launch_failures;
    let mut server = Server {
        ctx: LaunchContext {
            settings,
            data_dir: data_dir.clone(),
            shmem,
            postmaster_alive: alive_read,
            supervisor_fds,
            supervisor_signals: SUPERVISOR_SIGNALS.to_vec(),
            catalog,
            hba,
            tls,
            injected_failures: std::cell::Cell::new(injected_failures),
        },
        opts,
        data_dir,
        registry: Registry::new(backend_slots, worker_slots),
        workers,
        workers_told: false,
        checkpointer_told: false,
        shutdown_checkpoint_done: false,
        ready: Vec::new(),
        pool_retry_at: None,
        accept_paused_until: None,
        accept_backoff: ACCEPT_BACKOFF_MIN,
        state: PmState::Run,
        listeners,
        pid_file,
        lingering: Vec::new(),
        base_supervisor_fds,
    };
    pm_launch::prepare_for_launches(server.ctx.settings.launch_mode);
    server.pid_file.set_status(lockfile::STATUS_READY);
    log::info!("database system is ready to accept connections");
    let code = server.server_loop(&mailbox);
    drop(alive_write);
    code
}

struct Server {
    ctx: LaunchContext,
    opts: StartOptions,
    data_dir: PathBuf,
    registry: Registry,
    state: PmState,
    listeners: Vec<ListenSocket>,
    pid_file: LockFile,
    /// Connections refused by the supervisor itself, kept open briefly so
    /// the client reads the error instead of a reset (see `linger`).
    lingering: Vec<(OwnedFd, Instant)>,
    /// The descriptors every forked child closes, before lingering ones.
    base_supervisor_fds: Vec<RawFd>,
    /// Registered background workers (the checkpointer first).
    workers: Vec<WorkerEntry>,
    /// Shutdown steps taken: workers told to stop; the checkpointer asked
    /// for the shutdown checkpoint; that checkpoint done.
    workers_told: bool,
    checkpointer_told: bool,
    shutdown_checkpoint_done: bool,
    /// Pre-launched backends waiting for a connection, oldest first.
    ready: Vec<pool::ReadyChild>,
    /// When to try starting a ready backend again after a failure.
    pool_retry_at: Option<Instant>,
    /// Accepting is paused until then after running out of descriptors
    /// or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM), and the next pause.
    accept_paused_until: Option<Instant>,
    accept_backoff: Duration,
}

/// How long, and for how many connections at most, refused connections
/// linger.
const LINGER_FOR: Duration = Duration::from_secs(2);
const LINGERING_MAX: usize = 128;

impl Server {
    /// ServerLoop: wait for connections and signals until shut down.
    fn server_loop(&mut self, mailbox: &Mailbox) -> i32 {
        loop {
            let timeout_ms = match self.state {
                PmState::ImmediateShutdown { kill_at } | PmState::CrashRecovery { kill_at } => {
                    Some(
                        kill_at
                            .saturating_duration_since(Instant::now())
                            .as_millis() as u64,
                    )
                }
                _ => None,
            };
            let linger_ms = self.lingering.iter().map(|(_, until)| {
                until.saturating_duration_since(Instant::now()).as_millis() as u64 + 1
            });
            let worker_ms = self
                .next_worker_start()
                .map(|at| at.saturating_duration_since(Instant::now()).as_millis() as u64 + 1);
            // (A pool to refill: look at the sockets and come straight back.)
            let pool_ms = self.pool_wants_more().then_some(0);
            let timeout_ms = timeout_ms
                .into_iter()
                .chain(linger_ms)
                .chain(worker_ms)
                .chain(pool_ms)
                .min();
            // Listen sockets are left out of the poll while accepting is
            // paused (out of descriptors): the loop would spin on them.
            let listening = match self.accept_paused_until {
                Some(until) if Instant::now() < until => false,
                _ => {
                    self.accept_paused_until = None;
                    true
                }
            };
            let resume_ms = self
                .accept_paused_until
                .map(|t| t.saturating_duration_since(Instant::now()).as_millis() as u64 + 1);
            let timeout_ms = timeout_ms.into_iter().chain(resume_ms).min();
            let polled_listeners = if listening { self.listeners.len() } else { 0 };
            let ready = {
                let mut fds: Vec<BorrowedFd<'_>> = vec![mailbox.read_fd()];
                if listening {
                    fds.extend(self.listeners.iter().map(|l| l.socket.as_fd()));
                }
                fds.extend(self.lingering.iter().map(|(fd, _)| fd.as_fd()));
                poll_readable(&fds, timeout_ms)
            };
            match ready {
                Ok(Ready::Fd(0)) | Ok(Ready::Interrupted) => {
                    mailbox.drain();
                    self.handle_signals(mailbox);
                }
                Ok(Ready::Fd(i)) if i > polled_listeners => {
                    self.drain_lingering(i - 1 - polled_listeners)
                }
                Ok(Ready::Fd(i)) => self.accept_from(i - 1),
                Ok(Ready::Timeout) => {}
                Err(e) => log::warn!("poll() failed in the server loop: {e}"),
            }
            if !self.lingering.is_empty() {
                let now = Instant::now();
                let before = self.lingering.len();
                self.lingering.retain(|(_, until)| *until > now);
                if self.lingering.len() != before {
                    self.refresh_supervisor_fds();
                }
            }
            // Signals may have arrived while we accepted.
            if !mailbox.peek_pending().is_empty() {
                mailbox.drain();
                self.handle_signals(mailbox);
            }
            if let PmState::ImmediateShutdown { kill_at } = self.state {
                if Instant::now() >= kill_at {
                    if self.ctx.settings.launch_mode == LaunchMode::Thread {
                        // Threads cannot be killed; they end with the process.
                        return self.finish_shutdown();
                    }
                    self.signal_children(Signal::SIGKILL);
                }
            }
            if let PmState::CrashRecovery { kill_at } = self.state {
                if Instant::now() >= kill_at {
                    // SIGKILL for processes; a thread gets SIGQUIT again.
                    self.signal_children(Signal::SIGKILL);
                    self.state = PmState::CrashRecovery {
                        kill_at: Instant::now() + IMMEDIATE_KILL_AFTER,
                    };
                }
                if self.registry.is_empty() {
                    if !self.ctx.settings.restart_after_crash {
                        log::info!("shutting down because \"restart_after_crash\" is off");
                        self.finish_shutdown();
                        return 1;
                    }
                    if let Err(code) = self.reinitialize() {
                        return code;
                    }
                }
                continue;
            }
            self.start_due_workers();
            self.replenish_pool();
            self.advance_shutdown();
            if self.state != PmState::Run && self.registry.is_empty() {
                return self.finish_shutdown();
            }
        }
    }

    fn handle_signals(&mut self, mailbox: &Mailbox) {
        let pending = mailbox.take_pending();
        if pending.contains(Signal::SIGCHLD) {
            self.reap_children();
        }
        if pending.contains(Signal::SIGHUP) {
            self.reload();
        }
        if pending.contains(Signal::SIGUSR1) {
            self.handle_pm_signals();
        }
        if pending.contains(Signal::SIGQUIT) {
            self.retire_pool();
            if !matches!(self.state, PmState::ImmediateShutdown { .. }) {
                log::info!("received immediate shutdown request");
                self.ctx.shmem.set_quit_reason(pm_shmem::QUIT_FOR_STOP);
                self.state = PmState::ImmediateShutdown {
                    kill_at: Instant::now() + IMMEDIATE_KILL_AFTER,
                };
                self.pid_file.set_status(lockfile::STATUS_STOPPING);
                self.signal_children(Signal::SIGQUIT);
            }
        } else if pending.contains(Signal::SIGINT) {
            if matches!(
                self.state,
                PmState::Run | PmState::SmartShutdown | PmState::CrashRecovery { .. }
            ) {
                log::info!("received fast shutdown request");
                self.retire_pool();
                log::info!("aborting any active transactions");
                self.state = PmState::FastShutdown;
                self.pid_file.set_status(lockfile::STATUS_STOPPING);
                self.signal_children(Signal::SIGTERM);
            }
        } else if pending.contains(Signal::SIGTERM) && self.state == PmState::Run {
            log::info!("received smart shutdown request");
            self.retire_pool();
            self.state = PmState::SmartShutdown;
            self.pid_file.set_status(lockfile::STATUS_STOPPING);
        }
    }

    fn signal_children(&self, sig: Signal) {
        for pid in self.registry.pids() {
            let _ = pm_sys::signals::deliver(pid.as_raw(), sig);
        }
    }

    /// Reaps every exited child (the SIGCHLD handler's work, done here):
    /// processes by waitpid, threads from their exit reports.
    fn reap_children(&mut self) {
        for (pid, code) in pm_launch::take_exited_threads() {
            self.child_exited(pid, Some(code), None);
        }
        loop {
            let status = match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::StillAlive) | Err(_) => return,
                Ok(s) => s,
            };
            match status {
                WaitStatus::Exited(pid, code) => self.child_exited(pid, Some(code), None),
                WaitStatus::Signaled(pid, sig, _) => self.child_exited(pid, None, Some(sig)),
                _ => continue,
            }
        }
    }

    /// CleanupBackend: one child is gone; free what it held and report an
    /// abnormal end.
    fn child_exited(&mut self, pid: Pid, exit_code: Option<i32>, signal: Option<Signal>) {
        let Some(child) = self.registry.remove(pid) else {
            log::warn!("reaped unknown child process (PID {pid})");
            return;
        };
        if child.kind == ChildKind::ReadyBackend {
            return self.ready_child_exited(pid, exit_code, signal);
        }
        let released = match child.slot {
            Some(slot) => {
                let clean = self.ctx.shmem.release_slot(slot);
                self.registry.free_slot(slot);
                clean
            }
            None => true,
        };
        let worker_name = self
            .workers
            .iter()
            .find(|w| w.pid == Some(pid))
            .map(|w| format!("background worker \"{}\"", w.reg.name));
        self.worker_exited(pid, exit_code);
        let name = worker_name.unwrap_or_else(|| pm_launch::kind_info(child.kind).name.to_string());
        let normal = matches!(exit_code, Some(0) | Some(1)) && released;
        if normal {
            return;
        }
        // Crash restart is the lifecycle work still to come: for now the
        // crash is logged and the slot repaired; other children go on.
        match (exit_code, signal) {
            (_, Some(sig)) => log::info!(
                "{name} (PID {pid}) was terminated by signal {}: {}",
                sig as i32,
                signal_description(sig)
            ),
            (Some(code), None) if !released => log::info!(
                "{name} (PID {pid}) exited with exit code {code} without releasing its child slot"
            ),
            (Some(code), None) => log::info!("{name} (PID {pid}) exited with exit code {code}"),
            (None, None) => {}
        }
        self.handle_child_crash();
    }

    /// Accepts what is waiting on listener `i` and starts a backend for each.
    fn accept_from(&mut self, i: usize) {
        for _ in 0..ACCEPTS_PER_WAKEUP_MAX {
            let client = match listen::accept(&self.listeners[i]) {
                Ok(Some(c)) => c,
                Ok(None) => return,
                Err(e) => {
                    log::info!("could not accept new connection: {e}");
                    // Out of descriptors or memory: the connection stays in
                    // the backlog; stop polling the listen sockets for a
                    // while (doubling up to a second) instead of spinning.
                    if matches!(
                        e.raw_os_error(),
                        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
                    ) {
                        self.accept_paused_until = Some(Instant::now() + self.accept_backoff);
                        self.accept_backoff = (self.accept_backoff * 2).min(ACCEPT_BACKOFF_MAX);
                    }
                    return;
                }
            };
            self.accept_backoff = ACCEPT_BACKOFF_MIN;
            self.backend_startup(client);
        }
    }

    /// BackendStartup: bookkeeping, can-accept state, launch.
    fn backend_startup(&mut self, client: pm_sys::ClientSocket) {
        let can_accept = match self.state {
            PmState::Run => CanAcceptConnections::Ok,
            PmState::CrashRecovery { .. } => CanAcceptConnections::Recovery,
            _ => CanAcceptConnections::Shutdown,
        };
        let cancel_key = random_cancel_key();
        // No free slot: over the cap on live children, a dead-end backend
        // that only sends the too-many error.
        let slot = self.registry.take_slot();
        if slot.is_none()
            && self.registry.dead_end_count() >= self.registry.backend_slot_count() as usize
        {
            // Beyond the dead-end children too: answered here, nothing
            // launched, so a flood of connections cannot exhaust processes.
            report_to_client(
                client.fd.as_fd(),
                "53300",
                "sorry, too many clients already",
            );
            self.linger(client.fd);
            return;
        }
        let can_accept = if slot.is_none() && can_accept == CanAcceptConnections::Ok {
            CanAcceptConnections::TooMany
        } else {
            can_accept
        };
        if let Some(s) = slot {
            self.ctx.shmem.assign_slot(s, cancel_key);
        }
        let data = BackendStartupData {
            can_accept,
            slot,
            cancel_key,
        };
        // A ready backend takes it if there is one (never a dead-end one).
        let client = if can_accept == CanAcceptConnections::Ok && !self.ready.is_empty() {
            match self.hand_to_ready(client, &data) {
                Ok(pid) => {
                    log::debug!("handed connection to ready backend, pid={pid}");
                    return;
                }
                Err(client) => client,
            }
        } else {
            client
        };
        let client_fd = client.fd.try_clone().ok();
        let startup = StartupData::Backend(data);
        match child_launch(ChildKind::Backend, startup, Some(client), &self.ctx) {
            Ok(handle) => {
                if let Some(s) = slot {
                    self.ctx.shmem.set_slot_pid(s, handle.pid.as_raw());
                }
                log::debug!(
                    "forked new client backend, pid={} socket={:?}",
                    handle.pid,
                    client_fd.as_ref().map(|f| f.as_raw_fd())
                );
                self.registry.insert(handle.pid, ChildKind::Backend, slot);
            }
            Err(e) => {
                if let Some(s) = slot {
                    self.ctx.shmem.release_slot(s);
                    self.registry.free_slot(s);
                }
                log::info!(
                    "could not fork new process for connection: {}",
                    os_error_text(&e)
                );
                if let Some(fd) = &client_fd {
                    report_fork_failure(fd.as_fd(), &e);
                }
            }
        }
    }

    /// SIGHUP: re-read postgresql.conf; apply what can change while running.
    fn reload(&mut self) {
        log::info!("received SIGHUP, reloading configuration files");
        // Ready backends were launched with the old settings and rules.
        self.retire_pool();
        // pg_hba.conf: new connections use the new rules; a bad file keeps
        // the old ones.
        match load_hba(&self.data_dir) {
            Ok(h) => self.ctx.hba = Arc::new(h),
            Err(e) => {
                log::info!("{e}");
                log::info!("pg_hba.conf was not reloaded");
            }
        }
        let new = match load_settings(
            &self.data_dir,
            &self.opts.env_defaults,
            &self.opts.overrides,
        ) {
            Ok(s) => s,
            Err(e) => {
                pm_elog::PgError::new(
                    pm_elog::Severity::Log,
                    pm_elog::sqlstate::SUCCESSFUL_COMPLETION,
                    format!(
                        "configuration file \"{}\" contains errors; no changes were applied",
                        self.data_dir.join("postgresql.conf").display()
                    ),
                )
                .with_detail(e)
                .log();
                return;
            }
        };
        let old = self.ctx.settings.clone();
        for name in pm_settings::SETTING_NAMES {
            let (before, after) = (old.get(name), new.get(name));
            if before == after {
                continue;
            }
            match *name {
                "log_connections"
                | "restart_after_crash"
                | "log_disconnections"
                | "authentication_timeout"
                | "prelaunch_backends"
                | "client_min_messages" => {
                    let value = after.unwrap_or_default();
                    log::info!("parameter \"{name}\" changed to \"{value}\"");
                    let _ = self.ctx.settings.set(name, &value);
                }
                _ => log::info!(
                    "parameter \"{name}\" cannot be changed without restarting the server"
                ),
            }
        }
    }

    /// Keeps a refused connection open for a moment, reading (and
    /// discarding) what the client sends: closing a socket with unread
    /// input resets it, and the client would lose the error we wrote.
    fn linger(&mut self, fd: OwnedFd) {
        if self.lingering.len() >= LINGERING_MAX {
            return; // dropped: closed now
        }
        self.lingering.push((fd, Instant::now() + LINGER_FOR));
        self.refresh_supervisor_fds();
    }

    /// A forked child closes the listen sockets, the supervisor's pipes and
    /// the lingering connections open at the time of the fork.
    fn refresh_supervisor_fds(&mut self) {
        self.ctx.supervisor_fds = self.base_supervisor_fds.clone();
        self.ctx
            .supervisor_fds
            .extend(self.lingering.iter().map(|(fd, _)| fd.as_raw_fd()));
        self.ctx
            .supervisor_fds
            .extend(self.ready.iter().map(|c| c.channel.as_raw_fd()));
    }

    /// Reads what a lingering client sent; closes it at EOF or error.
    fn drain_lingering(&mut self, i: usize) {
        let mut scratch = [0u8; 1024];
        let done = match nix::sys::socket::recv(
            self.lingering[i].0.as_raw_fd(),
            &mut scratch,
            nix::sys::socket::MsgFlags::MSG_DONTWAIT,
        ) {
            Ok(0) => true,
            Ok(_) => false,
            Err(nix::errno::Errno::EAGAIN) => false,
            Err(_) => true,
        };
        if done {
            self.lingering.swap_remove(i);
            self.refresh_supervisor_fds();
        }
    }

    /// HandleChildCrash: the other children may have seen corrupt shared
    /// memory, so all of them are told to quit (their clients get 57P02).
    fn handle_child_crash(&mut self) {
        if !matches!(self.state, PmState::Run | PmState::SmartShutdown) {
            return; // already stopping or recovering
        }
        log::info!("terminating any other active server processes");
        self.retire_pool();
        self.ctx.shmem.set_quit_reason(pm_shmem::QUIT_FOR_CRASH);
        self.signal_children(Signal::SIGQUIT);
        self.state = PmState::CrashRecovery {
            kill_at: Instant::now() + IMMEDIATE_KILL_AFTER,
        };
        self.pid_file.set_status(lockfile::STATUS_STARTING);
    }

    /// After a crash, with every child gone: new shared memory, a fresh
    /// catalog snapshot (SQLite recovers each database on its next open),
    /// and connections accepted again.
    fn reinitialize(&mut self) -> Result<(), i32> {
        log::info!("all server processes terminated; reinitializing");
        let slot_count = self.ctx.shmem.slot_count();
        let shmem = match Shmem::create(
            slot_count,
            self.ctx.settings.max_connections,
            self.ctx.shmem.worker_slot_count(),
        ) {
            Ok(s) => Arc::new(s),
            Err(e) => {
                return Err(fatal(format!(
                    "could not create shared memory segment: {e}"
                )))
            }
        };
        let catalog =
            pm_sql::datadir::CatalogSnapshot::load(&self.data_dir, shmem.catalog_generation())
                .map_err(|e| {
                    e.log();
                    1
                })?;
        self.ctx.shmem = shmem;
        self.ctx.catalog = Arc::new(catalog);
        let worker_slots = self.ctx.settings.max_worker_processes + 1;
        self.registry = Registry::new(slot_count - worker_slots, worker_slots);
        self.reset_workers_after_crash();
        self.state = PmState::Run;
        self.pid_file.set_status(lockfile::STATUS_READY);
        log::info!("database system is ready to accept connections");
        Ok(())
    }

    fn finish_shutdown(&mut self) -> i32 {
        if matches!(self.state, PmState::SmartShutdown | PmState::FastShutdown)
            && !self.shutdown_checkpoint_done
        {
            // The checkpointer did not take the shutdown checkpoint (it is
            // not running): take it here. An immediate shutdown skips it
            // and the next start recovers from the WAL instead.
            log::info!("shutting down");
            match pm_sql::datadir::checkpoint_all(&self.data_dir) {
                Ok(n) => log::info!("checkpoint complete: {n} database files"),
                Err(e) => log::warn!("shutdown checkpoint failed: {e}"),
            }
        }
        self.listeners.clear(); // removes the socket files and their locks
        log::info!("database system is shut down");
        0
    }
}

/// Raises the soft limit on open files to the hard one: every backend holds
/// a socket and its SQLite files, and in thread mode all of them count
/// against this one process.
fn raise_open_files_limit() {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    if let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE) {
        if soft < hard {
            let _ = setrlimit(Resource::RLIMIT_NOFILE, hard, hard);
        }
    }
}

/// Writes the fork-failure error straight to the client, before any
/// protocol state exists (as PostgreSQL's report_fork_failure_to_client).
fn report_fork_failure(fd: BorrowedFd<'_>, e: &std::io::Error) {
    report_to_client(
        fd,
        "53000",
        &format!(
            "could not fork new process for connection: {}",
            os_error_text(e)
        ),
    );
}

/// strerror-style text, as PostgreSQL's %m prints it.
fn os_error_text(e: &std::io::Error) -> String {
    // std prints strerror(3) followed by " (os error N)".
    let text = e.to_string();
    match text.rfind(" (os error ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// A FATAL ErrorResponse written by the supervisor itself, best effort.
fn report_to_client(fd: BorrowedFd<'_>, sqlstate: &str, message: &str) {
    let mut body = Vec::new();
    for (code, value) in [
        (b'S', "FATAL"),
        (b'V', "FATAL"),
        (b'C', sqlstate),
        (b'M', message),
    ] {
        body.push(code);
        body.extend_from_slice(value.as_bytes());
        body.push(0);
    }
    body.push(0);
    let mut packet = vec![b'E'];
    packet.extend_from_slice(&((body.len() + 4) as i32).to_be_bytes());
    packet.extend_from_slice(&body);
    // Best effort and non-blocking: never let a client stall the supervisor.
    let _ = nix::sys::socket::send(
        fd.as_raw_fd(),
        &packet,
        nix::sys::socket::MsgFlags::MSG_DONTWAIT,
    );
}

/// A cancel key from the OS CSPRNG.
fn random_cancel_key() -> u32 {
    let mut buf = [0u8; 4];
    if getrandom::fill(&mut buf).is_err() {
        // No entropy source: fall back to something unpredictable enough
        // to not be guessed blind, and say so.
        log::warn!("could not generate random cancel key");
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        return (t.as_nanos() as u32) ^ std::process::id().rotate_left(16);
    }
    u32::from_ne_bytes(buf)
}

fn signal_description(sig: Signal) -> &'static str {
    match sig {
        Signal::SIGKILL => "Killed",
        Signal::SIGTERM => "Terminated",
        Signal::SIGSEGV => "Segmentation fault",
        Signal::SIGABRT => "Aborted",
        Signal::SIGQUIT => "Quit",
        Signal::SIGINT => "Interrupt",
        Signal::SIGBUS => "Bus error",
        Signal::SIGFPE => "Floating point exception",
        Signal::SIGILL => "Illegal instruction",
        Signal::SIGHUP => "Hangup",
        _ => "Unknown signal",
    }
}
