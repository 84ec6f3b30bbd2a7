//! A client backend: everything a child does with its client, from the
//! start-up packet to Terminate (PostgreSQL's BackendMain, then
//! PostgresMain).
//!
//! [`backend_main`] is the child kind's entry point. It receives what the
//! supervisor decided (the can-accept state, its child slot, its cancel
//! key) as [`BackendStartupData`], the accepted [`ClientSocket`], and the
//! process-independent environment in [`BackendEnv`]. It never touches the
//! supervisor's state: only its own slot in shared memory.
//!
//! - [`startup`]: the start-up packet, SSL/GSS negotiation, CancelRequest.
//! - [`postgres`]: the query loop (simple and extended protocol).
//! - [`wire`]: message I/O, waiting on the socket, signals and supervisor death.
//! - [`interrupts`]: cancel and terminate requests.
//! - [`format`]: values in text and binary format.

pub mod auth;
pub mod bgworker;
pub mod format;
pub mod interrupts;
pub mod postgres;
pub mod startup;
pub mod tls;
pub mod wire;

use std::os::fd::OwnedFd;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use pgwire::messages::startup::{
    Authentication, BackendKeyData, NegotiateProtocolVersion, ParameterStatus, SecretKey,
};
use pgwire::messages::PgWireBackendMessage;
use pm_elog::{sqlstate as code, PgError};
use pm_settings::Settings;
use pm_shmem::{Shmem, INTERRUPT_CANCEL};
use pm_sys::signals::Mailbox;
use pm_sys::{ClientSocket, SocketAddress};
use serde::{Deserialize, Serialize};

use crate::interrupts::BackendInterrupts;
use crate::startup::{StartupOutcome, StartupPacket};
use crate::wire::Wire;

/// Whether the server takes new connections, decided by the supervisor for
/// each one (PostgreSQL's CAC_state) and applied by the child after it has
/// read the start-up packet, so the refusal is a proper ErrorResponse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CanAcceptConnections {
    Ok,
    Startup,
    Shutdown,
    Recovery,
    NotConsistent,
    /// Over the cap on live children: a dead-end backend that only refuses.
    TooMany,
}

/// The startup data of a client backend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendStartupData {
    pub can_accept: CanAcceptConnections,
    /// The child slot in shared memory; None for a dead-end backend.
    pub slot: Option<u32>,
    pub cancel_key: u32,
}

/// What a backend needs from its surroundings, in any launch mode.
pub struct BackendEnv {
    pub settings: Settings,
    pub data_dir: PathBuf,
    pub shmem: Arc<Shmem>,
    /// Read end of the postmaster-alive pipe: EOF means the supervisor died
    /// (None in thread mode: a thread cannot outlive its supervisor).
    pub postmaster_alive: Option<OwnedFd>,
    /// This backend's pid as clients see it (BackendKeyData,
    /// pg_backend_pid()): the process id, or a thread backend's own id.
    pub pid: i32,
    /// Where this backend's signals arrive (real ones in a process, posted
    /// ones in a thread).
    pub mailbox: Arc<Mailbox>,
    /// Whether this backend owns its process title (the process modes).
    pub process_title: bool,
    /// The login catalog as the supervisor loaded it.
    pub catalog: Arc<pm_sql::datadir::CatalogSnapshot>,
    /// pg_hba.conf as the supervisor last loaded it.
    pub hba: Arc<pm_settings::hba::HbaRules>,
    /// TLS, when `ssl` is on.
    pub tls: Option<Arc<tls::TlsServer>>,
}

/// Signals a backend handles (the launch code resets them after fork).
pub const BACKEND_SIGNALS: &[Signal] = &[
    Signal::SIGINT,
    Signal::SIGTERM,
    Signal::SIGQUIT,
    Signal::SIGHUP,
    // Background-worker notifications; the checkpointer's shutdown request.
    Signal::SIGUSR1,
    Signal::SIGUSR2,
];

/// Exit code of a backend that ended normally (Terminate or client EOF).
pub const EXIT_NORMAL: i32 = 0;
/// Exit code after a FATAL error: still a normal exit for the supervisor.
pub const EXIT_FATAL: i32 = 1;

/// The client backend's main function. Returns the process exit code.
pub fn backend_main(startup: BackendStartupData, client: ClientSocket, env: BackendEnv) -> i32 {
    if let Some(slot) = startup.slot {
        env.shmem.mark_active(slot);
    }
    let code = run(&startup, client, &env);
    if let Some(slot) = startup.slot {
        env.shmem.mark_inactive(slot);
    }
    code
}

fn run(startup: &BackendStartupData, client: ClientSocket, env: &BackendEnv) -> i32 {
    let session_start = Instant::now();
    let signal_fd = env.mailbox.read_fd().try_clone_to_owned().ok();
    let alive_fd = env
        .postmaster_alive
        .as_ref()
        .and_then(|fd| fd.try_clone().ok());
    client.configure();
    let remote = client.remote.clone();
    let client_local = client.local.clone();
    let mut wire = Wire::new(client.fd, signal_fd, alive_fd);
    wire.set_mailbox(env.mailbox.clone());
    wire.set_max_message_size(env.settings.max_message_size);
    let remote_text = match remote.port() {
        Some(port) => format!("host={} port={port}", remote.host()),
        None => format!("host={}", remote.host()),
    };
    if env.settings.log_connections {
        log::info!("connection received: {remote_text}");
    }

    let deadline = Instant::now() + Duration::from_millis(env.settings.authentication_timeout_ms);
    let must_stop = || {
        let pending = env.mailbox.peek_pending();
        pending.contains(Signal::SIGTERM) || pending.contains(Signal::SIGQUIT)
    };
    let packet = match startup::read_startup(&mut wire, deadline, &must_stop, env.tls.as_deref()) {
        Ok(StartupOutcome::Startup(p)) => p,
        Ok(StartupOutcome::Cancel { pid, key }) => {
            process_cancel_request(&env.shmem, pid, key);
            return EXIT_NORMAL;
        }
        Ok(StartupOutcome::Close { log }) => {
            if let Some(line) = log {
                log::info!("{line}");
            }
            return EXIT_NORMAL;
        }
        Ok(StartupOutcome::Exit) => return EXIT_FATAL,
        Err(e) => return send_fatal(&mut wire, e),
    };

    let ps = PsDisplay::new(env.process_title, &packet.user, &packet.database, &remote);
    ps.set("authentication");
    if let Err(e) = check_can_accept(startup.can_accept) {
        return send_fatal(&mut wire, e);
    }
    let Some(slot) = startup.slot else {
        return send_fatal(&mut wire, too_many_clients());
    };
    if packet.minor > 0 || !packet.unsupported_options.is_empty() {
        let _ = wire.send(PgWireBackendMessage::NegotiateProtocolVersion(
            NegotiateProtocolVersion::new(0, packet.unsupported_options.clone()),
        ));
    }
    if !env.shmem.try_claim_connection(slot) {
        return send_fatal(&mut wire, too_many_clients());
    }
    // The supervisor's snapshot of the catalog, unless the catalog changed
    // since it was taken.
    let fresh;
    let catalog = if env.catalog.generation == env.shmem.catalog_generation() {
        &*env.catalog
    } else {
        match pm_sql::datadir::CatalogSnapshot::load(&env.data_dir, 0) {
            Ok(c) => {
                fresh = c;
                &fresh
            }
            Err(e) => return send_fatal(&mut wire, e),
        }
    };
    if let Err(code) = authenticate_client(
        &mut wire,
        env,
        &packet,
        &client_local,
        &remote,
        catalog,
        deadline,
    ) {
        return code;
    }
    let (role, database_oid) = match catalog.lookup_login(&packet.user, &packet.database) {
        Ok(found) => found,
        Err(e) => return send_fatal(&mut wire, e),
    };
    env.shmem.set_slot_database(slot, database_oid as u32);
    env.shmem.set_slot_role(slot, role.oid as u32);
    // CONNECT on the database and the role's CONNECTION LIMIT
    // (InitPostgres; superusers pass both).
    if !role.is_superuser {
        let who = pm_sql::acl::Who::of_role(catalog, role.oid, database_oid);
        let refusal = if who.mask(&catalog.database_entry(database_oid)) & pm_sql::acl::CONNECT == 0
        {
            Some(
                PgError::fatal(
                    code::INSUFFICIENT_PRIVILEGE,
                    format!("permission denied for database \"{}\"", packet.database),
                )
                .with_detail("User does not have CONNECT privilege."),
            )
        } else if role.connection_limit >= 0
            && env.shmem.role_backends(role.oid as u32) as i64 > role.connection_limit
        {
            Some(PgError::fatal(
                code::TOO_MANY_CONNECTIONS,
                format!("too many connections for role \"{}\"", role.name),
            ))
        } else {
            None
        };
        if let Some(e) = refusal {
            env.shmem.release_connection(slot);
            return send_fatal(&mut wire, e);
        }
    }
    // The last superuser_reserved_connections are for superusers (this
    // backend is already counted).
    let reserved = env.settings.superuser_reserved_connections;
    if !role.is_superuser && env.shmem.connection_count() + reserved > env.settings.max_connections
    {
        env.shmem.release_connection(slot);
        return send_fatal(
            &mut wire,
            PgError::fatal(
                code::TOO_MANY_CONNECTIONS,
                "remaining connection slots are reserved for roles with the SUPERUSER attribute",
            ),
        );
    }
    let pid = env.pid;
    let interrupts = Arc::new(BackendInterrupts::new(
        env.shmem.clone(),
        Some(slot),
        env.mailbox.clone(),
        env.data_dir.clone(),
    ));
    let session = match pm_sql::session::Session::open(session_options(
        env,
        &packet,
        database_oid,
        (role.oid, role.is_superuser),
        pid,
        interrupts.clone(),
    )) {
        Ok(s) => s,
        Err(e) => return send_fatal(&mut wire, e),
    };
    if env.settings.log_connections {
        log::info!(
            "connection authorized: user={} database={} application_name={}",
            packet.user,
            packet.database,
            packet.application_name
        );
    }
    let mut login = vec![PgWireBackendMessage::Authentication(Authentication::Ok)];
    for (name, value) in session.reported_settings() {
        login.push(PgWireBackendMessage::ParameterStatus(ParameterStatus::new(
            name, value,
        )));
    }
    login.push(PgWireBackendMessage::BackendKeyData(BackendKeyData::new(
        pid,
        SecretKey::I32(startup.cancel_key as i32),
    )));
    for m in login {
        if wire.send(m).is_err() {
            return EXIT_NORMAL;
        }
    }
    // pg_stat_activity from here on.
    let (client_addr, client_port) = match &remote {
        SocketAddress::Tcp(a) => (a.ip().to_string(), a.port() as i32),
        _ => (String::new(), -1),
    };
    env.shmem.status_start(
        slot,
        &pm_shmem::activity::StatusStart {
            backend_type: pm_shmem::activity::BACKEND_TYPE_CLIENT,
            type_name: "client backend",
            pid,
            user: &packet.user,
            client_addr: &client_addr,
            client_port,
            now_us: now_us(),
        },
    );
    env.shmem
        .status_login(slot, database_oid as u32, &packet.application_name);
    let status = postgres::StatusReporter {
        shmem: env.shmem.clone(),
        slot,
    };
    let code = postgres::PostgresMain::new(wire, session, interrupts, ps, status).run();
    env.shmem.status_end(slot);
    if env.settings.log_disconnections {
        let t = session_start.elapsed();
        let ms = t.as_millis();
        log::info!(
            "disconnection: session time: {}:{:02}:{:02}.{:03} user={} database={} {remote_text}",
            ms / 3_600_000,
            (ms / 60_000) % 60,
            (ms / 1000) % 60,
            ms % 1000,
            packet.user,
            packet.database
        );
    }
    code
}

fn session_options<'a>(
    env: &'a BackendEnv,
    packet: &'a StartupPacket,
    database_oid: i64,
    (user_oid, is_superuser): (i64, bool),
    pid: i32,
    interrupts: Arc<BackendInterrupts>,
) -> pm_sql::session::SessionOptions<'a> {
    let mut settings = vec![(
        "password_encryption".to_string(),
        env.settings.password_encryption.clone(),
    )];
    settings.extend(packet.settings.iter().cloned());
    settings.push((
        "application_name".to_string(),
        packet.application_name.clone(),
    ));
    pm_sql::session::SessionOptions {
        data_dir: &env.data_dir,
        database: &packet.database,
        database_oid,
        user: &packet.user,
        user_oid,
        is_superuser,
        backend_pid: pid,
        interrupts,
        settings,
        debug_allow_panic: env.settings.debug_allow_panic,
    }
}

/// The process title of a backend in a process mode
/// (`postmaster: USER DB HOST(PORT) STATE`, like PostgreSQL's
/// `postgres: ...`); does nothing in thread mode.
pub(crate) struct PsDisplay {
    prefix: Option<String>,
}

impl PsDisplay {
    fn new(enabled: bool, user: &str, database: &str, remote: &pm_sys::SocketAddress) -> Self {
        let host = match remote.port() {
            Some(port) => format!("{}({port})", remote.host()),
            None => remote.host(),
        };
        PsDisplay {
            prefix: enabled.then(|| format!("postmaster: {user} {database} {host} ")),
        }
    }

    /// Shows `state` (`idle`, ...) after the prefix.
    pub(crate) fn set(&self, state: &str) {
        if let Some(prefix) = &self.prefix {
            pm_sys::proctitle::set(&[prefix, state]);
        }
    }

    /// Shows the query's first word, upper-cased (`SELECT`), as the state.
    /// Called for every query: no allocation.
    pub(crate) fn set_command(&self, query: &str) {
        if self.prefix.is_none() {
            return;
        }
        let word = query
            .split_whitespace()
            .next()
            .unwrap_or("")
            .trim_end_matches(';')
            .as_bytes();
        let mut buf = [0u8; 32];
        let n = word.len().min(buf.len());
        buf[..n].copy_from_slice(&word[..n]);
        buf[..n].make_ascii_uppercase();
        // Cut at a character boundary if a multi-byte word was truncated.
        let text = match std::str::from_utf8(&buf[..n]) {
            Ok(t) => t,
            Err(e) => std::str::from_utf8(&buf[..e.valid_up_to()]).unwrap_or(""),
        };
        self.set(text);
    }
}

fn too_many_clients() -> PgError {
    PgError::fatal(
        code::TOO_MANY_CONNECTIONS,
        "sorry, too many clients already",
    )
}

/// The refusal for each can-accept state (backend_startup.c).
fn check_can_accept(state: CanAcceptConnections) -> Result<(), PgError> {
    let refuse = |m: &str| Err(PgError::fatal(code::CANNOT_CONNECT_NOW, m));
    match state {
        CanAcceptConnections::Ok => Ok(()),
        CanAcceptConnections::Startup => refuse("the database system is starting up"),
        CanAcceptConnections::Shutdown => refuse("the database system is shutting down"),
        CanAcceptConnections::Recovery => refuse("the database system is in recovery mode"),
        CanAcceptConnections::NotConsistent => Err(PgError::fatal(
            code::CANNOT_CONNECT_NOW,
            "the database system is not yet accepting connections",
        )
        .with_detail("Consistent recovery state has not been yet reached.")),
        CanAcceptConnections::TooMany => Err(too_many_clients()),
    }
}

/// Sends a FATAL to the client, logs it, and gives the exit code.
/// pg_hba.conf's verdict on this connection, then its method
/// (ClientAuthentication). Err is the exit code after a refusal.
fn authenticate_client(
    wire: &mut Wire,
    env: &BackendEnv,
    packet: &StartupPacket,
    local: &SocketAddress,
    remote: &SocketAddress,
    catalog: &pm_sql::datadir::CatalogSnapshot,
    deadline: Instant,
) -> Result<(), i32> {
    use pm_settings::hba::{AuthMethod, Connection};
    let ip = |a: &SocketAddress| match a {
        SocketAddress::Tcp(a) => Some(a.ip()),
        _ => None,
    };
    let ssl = wire.is_tls();
    let connection = Connection {
        local: ip(remote).is_none(),
        ssl,
        client_addr: ip(remote),
        server_addr: ip(local),
        database: &packet.database,
        user: &packet.user,
    };
    let who = format!(
        "host \"{}\", user \"{}\", database \"{}\", {}",
        remote.host(),
        packet.user,
        packet.database,
        if ssl {
            "SSL encryption"
        } else {
            "no encryption"
        }
    );
    let Some(line) = env.hba.find(&connection) else {
        return Err(send_fatal(
            wire,
            PgError::fatal(
                code::INVALID_AUTHORIZATION_SPECIFICATION,
                format!("no pg_hba.conf entry for {who}"),
            ),
        ));
    };
    if line.method == AuthMethod::Reject {
        return Err(send_fatal(
            wire,
            PgError::fatal(
                code::INVALID_AUTHORIZATION_SPECIFICATION,
                format!("pg_hba.conf rejects connection for {who}"),
            ),
        ));
    }
    let role = catalog.role(&packet.user);
    let (secret, missing_reason) = match role.map(|r| r.password.as_deref()) {
        None => (None, format!("Role \"{}\" does not exist.", packet.user)),
        Some(None) => (
            None,
            format!("User \"{}\" has no password assigned.", packet.user),
        ),
        // VALID UNTIL passed: the password no longer authenticates.
        Some(Some(_))
            if role
                .and_then(|r| r.valid_until.as_deref())
                .is_some_and(pm_sql::datadir::password_expired) =>
        {
            (
                None,
                format!("User \"{}\" has an expired password.", packet.user),
            )
        }
        Some(Some(p)) => (Some(p), String::new()),
    };
    let ctx = auth::AuthContext {
        user: &packet.user,
        secret,
        missing_reason,
        channel_binding: env
            .tls
            .as_ref()
            .filter(|_| ssl)
            .map(|t| t.end_point_hash.clone()),
        deadline,
    };
    let matched = format!(
        "Connection matched file \"{}\" line {}: \"{}\"",
        pm_sql::datadir::hba_path(&env.data_dir).display(),
        line.line_number,
        line.text
    );
    match auth::authenticate(wire, line, &matched, &ctx) {
        Ok(()) => Ok(()),
        Err(auth::AuthFailure::Gone) => Err(EXIT_NORMAL),
        Err(auth::AuthFailure::Fatal { error, log_detail }) => {
            // The client learns only the message; the reason is logged
            // (first, as EmitErrorReport does: server log, then client).
            let mut logged = (*error).clone();
            if log_detail.is_some() {
                logged.detail = log_detail;
            }
            logged.log();
            let _ = wire.send_error(&error);
            let _ = wire.flush();
            Err(EXIT_FATAL)
        }
    }
}

/// Microseconds since the Unix epoch.
pub fn now_us() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

/// pg_stat_activity's rows from shared memory, as JSON for the view.
pub fn activity_json(shmem: &Shmem) -> String {
    use pm_shmem::activity::*;
    let ts = |us: i64| (us != 0).then(|| pm_sql::datetime::format_timestamptz(us));
    let rows: Vec<serde_json::Value> = shmem
        .activity()
        .iter()
        .map(|a| {
            let (wait_type, wait) = match a.wait_event {
                WAIT_CLIENT_READ => (Some("Client"), Some("ClientRead")),
                WAIT_PG_SLEEP => (Some("Timeout"), Some("PgSleep")),
                WAIT_LOCK => (Some("Lock"), Some("relation")),
                WAIT_WORKER_MAIN => (Some("Activity"), Some("BgWorkerMain")),
                _ => (None, None),
            };
            let client = a.backend_type == BACKEND_TYPE_CLIENT;
            let state = match a.state {
                _ if !client && a.backend_type != BACKEND_TYPE_WORKER => None,
                STATE_IDLE => Some("idle"),
                STATE_ACTIVE => Some("active"),
                STATE_IDLE_IN_TRANSACTION => Some("idle in transaction"),
                STATE_IDLE_IN_TRANSACTION_ABORTED => Some("idle in transaction (aborted)"),
                _ => None,
            };
            serde_json::json!({
                "datid": a.database_oid,
                "pid": a.pid,
                "usename": a.user,
                "application_name": a.application_name,
                "client_addr": a.client_addr,
                "client_port": a.client_port,
                "backend_start": ts(a.backend_start_us),
                "xact_start": ts(a.xact_start_us),
                "query_start": ts(a.query_start_us),
                "state_change": ts(a.state_change_us),
                "wait_event_type": wait_type,
                "wait_event": wait,
                "state": state,
                "query": a.query,
                "backend_type": a.type_name,
            })
        })
        .collect();
    serde_json::Value::Array(rows).to_string()
}

/// A FATAL error: to the server log, then to the client (the order of
/// PostgreSQL's EmitErrorReport).
fn send_fatal(wire: &mut Wire, e: PgError) -> i32 {
    e.log();
    let _ = wire.send_error(&e);
    let _ = wire.flush();
    EXIT_FATAL
}

/// A CancelRequest: if pid and key match a live backend, flag its slot and
/// wake it with SIGINT. Never answered; a mismatch is only logged.
pub fn process_cancel_request(shmem: &Shmem, pid: i32, key: u32) {
    match shmem.find_by_cancel_key(pid, key) {
        Some(slot) => {
            shmem.raise_interrupt(slot, INTERRUPT_CANCEL);
            let _ = pm_sys::signals::deliver(pid, Signal::SIGINT);
        }
        None => {
            let known = (0..shmem.slot_count()).any(|s| shmem.slot_pid(s) == pid && pid != 0);
            if known {
                log::info!("wrong key in cancel request for process {pid}");
            } else {
                log::info!("PID {pid} in cancel request did not match any process");
            }
        }
    }
}
