//! One backend's session: its SQLite connection, transaction state
//! (PostgreSQL's, emulated on SQLite's) and session settings.
//!
//! Transaction rules reproduced (xact.c):
//! - BEGIN inside a block: WARNING 25001, nothing changes; COMMIT/ROLLBACK
//!   outside one: WARNING 25P01.
//! - After an error inside a block every command but ROLLBACK/COMMIT fails
//!   with 25P02, and COMMIT of the failed block rolls back and answers
//!   `ROLLBACK`.
//! - Several statements in one simple Query run in one implicit transaction
//!   unless they contain their own BEGIN/COMMIT ([`Session::begin_implicit`]).
//!
//! Interrupts: a long statement is stopped by SQLite's progress handler,
//! lock waits by the busy handler, and pg_sleep by polling, each asking the
//! backend's [`Interrupts`] whether a cancel or termination is pending.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use pm_elog::{sqlstate as code, PgError, Severity};
use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags};

use crate::dialect::{self, Command, Tag, Translated};
use crate::utility::Utility;

mod privileges;
mod utility;
use crate::{adt, analyze, datadir, datetime, errors, generate, infer, normalize, pgparse, types};
pub(crate) use utility::quote_ident;

/// What the engine needs from the backend around it: whether the running
/// statement must stop, and the server-wide actions SQL functions ask for
/// (signalling another backend, reloading the configuration, announcing a
/// catalog change), which go through the backend's shared memory and
/// signal delivery.
pub trait Interrupts: Send + Sync {
    /// Whether a cancel or termination is pending (cheap; polled often).
    fn pending(&self) -> bool;
    /// The error to raise for the pending interrupt, clearing it.
    fn take(&self) -> Option<PgError>;
    /// pg_cancel_backend / pg_terminate_backend: asks backend `pid` to
    /// cancel its statement or to end. False when `pid` is no backend.
    fn signal_backend(&self, _pid: i32, _terminate: bool) -> bool {
        false
    }
    /// pg_reload_conf: asks the supervisor to re-read the configuration.
    fn reload_config(&self) -> bool {
        false
    }
    /// The global catalog (roles, databases) was changed by this session:
    /// snapshots taken before must not be used any more.
    fn catalog_changed(&self) {}
    /// A counter [`Interrupts::catalog_changed`] moves (a session whose
    /// copy of the catalog was read at another value reads it again).
    fn catalog_generation(&self) -> u64 {
        0
    }
    /// A counter every session's schema change moves (see
    /// `schema_changed`); a session whose last reading differs drops its
    /// cached statements and translations.
    fn schema_generation(&self) -> u64 {
        0
    }
    /// This session changed a database's schema (or ended a transaction
    /// that did).
    fn schema_changed(&self) {}
    /// Pids of the backends connected to database `oid`, this one included.
    fn database_users(&self, _oid: i64) -> Vec<i32> {
        Vec::new()
    }
    /// pg_stat_activity's rows, a JSON array of objects (see the view).
    fn activity_json(&self) -> String {
        "[]".to_string()
    }
    /// pg_stat_database: (numbackends, xact_commit, xact_rollback) of `oid`.
    fn database_stats(&self, _oid: i64) -> (i64, i64, i64) {
        (0, 0, 0)
    }
    /// A transaction of this session ended.
    fn transaction_ended(&self, _committed: bool) {}
    /// This session starts (true) or stops (false) waiting in pg_sleep.
    fn sleeping(&self, _asleep: bool) {}
    /// pg_background_launch: runs `sql` in a new background worker as
    /// `user` in `database`; returns the worker's pid once it started.
    fn background_launch(&self, _sql: &str, _database: &str, _user: &str) -> Result<i32, PgError> {
        Err(PgError::error(
            code::FEATURE_NOT_SUPPORTED,
            "background workers are not available here",
        ))
    }
    /// pg_background_result: waits for the worker and returns its result.
    fn background_result(&self, _pid: i32) -> Result<String, PgError> {
        Err(PgError::error(
            code::FEATURE_NOT_SUPPORTED,
            "background workers are not available here",
        ))
    }
    /// pg_background_detach: the result of `pid` is not wanted.
    fn background_detach(&self, _pid: i32) -> Result<(), PgError> {
        Err(PgError::error(
            code::FEATURE_NOT_SUPPORTED,
            "background workers are not available here",
        ))
    }
}

/// The backend's interrupts plus this session's statement_timeout: the
/// one view of "must the running statement stop" that SQLite's handlers
/// and pg_sleep poll.
struct TimedInterrupts {
    inner: Arc<dyn Interrupts>,
    /// When the running statement times out (µs since the epoch), 0: never.
    deadline_us: AtomicI64,
}

impl TimedInterrupts {
    fn timed_out(&self) -> bool {
        let d = self.deadline_us.load(Ordering::Relaxed);
        d != 0 && now_us() >= d
    }
}

impl Interrupts for TimedInterrupts {
    fn pending(&self) -> bool {
        self.inner.pending() || self.timed_out()
    }

    fn take(&self) -> Option<PgError> {
        self.inner.take().or_else(|| {
            self.timed_out().then(|| {
                self.deadline_us.store(0, Ordering::Relaxed);
                PgError::error(
                    code::QUERY_CANCELED,
                    "canceling statement due to statement timeout",
                )
            })
        })
    }

    fn signal_backend(&self, pid: i32, terminate: bool) -> bool {
        self.inner.signal_backend(pid, terminate)
    }

    fn reload_config(&self) -> bool {
        self.inner.reload_config()
    }

    fn catalog_changed(&self) {
        self.inner.catalog_changed()
    }

    fn catalog_generation(&self) -> u64 {
        self.inner.catalog_generation()
    }

    fn schema_generation(&self) -> u64 {
        self.inner.schema_generation()
    }

    fn schema_changed(&self) {
        self.inner.schema_changed()
    }

    fn database_users(&self, oid: i64) -> Vec<i32> {
        self.inner.database_users(oid)
    }

    fn transaction_ended(&self, committed: bool) {
        self.inner.transaction_ended(committed)
    }
}

/// A duration setting in milliseconds (`100`, `250ms`, `2s`, `1min`, `1h`).
fn parse_ms(value: &str) -> Option<i64> {
    let v = value.trim().trim_matches('\'');
    let split = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
        .unwrap_or(v.len());
    let (number, unit) = v.split_at(split);
    let n: f64 = number.parse().ok()?;
    let factor = match unit.trim() {
        "" | "ms" => 1.0,
        "us" => 0.001,
        "s" => 1000.0,
        "min" => 60_000.0,
        "h" => 3_600_000.0,
        "d" => 86_400_000.0,
        _ => return None,
    };
    let ms = n * factor;
    (ms >= 0.0 && ms <= i32::MAX as f64).then_some(ms as i64)
}

/// Receives a statement's results.
pub trait ResultSink {
    /// Called once, before the first row, for statements that return rows.
    fn describe(&mut self, columns: &[Column]) -> Result<(), PgError>;
    /// One row; values in column order.
    fn row(&mut self, columns: &[Column], values: &[ValueRef<'_>]) -> Result<(), PgError>;
    /// A NOTICE or WARNING to pass on.
    fn notice(&mut self, notice: PgError);
    /// COPY FROM STDIN: tell the client to send `columns` text columns.
    fn copy_in_start(&mut self, _columns: usize) -> Result<(), PgError> {
        Err(PgError::error(
            code::FEATURE_NOT_SUPPORTED,
            "COPY FROM STDIN is not supported here",
        ))
    }
    /// The next CopyData chunk; None at CopyDone; an error at CopyFail.
    fn copy_in_chunk(&mut self) -> Result<Option<Vec<u8>>, PgError> {
        Ok(None)
    }
    /// COPY TO STDOUT: announce `columns` text columns.
    fn copy_out_start(&mut self, _columns: usize) -> Result<(), PgError> {
        Err(PgError::error(
            code::FEATURE_NOT_SUPPORTED,
            "COPY TO STDOUT is not supported here",
        ))
    }
    /// One CopyData message.
    fn copy_out_data(&mut self, _data: &[u8]) -> Result<(), PgError> {
        Ok(())
    }
    /// CopyDone.
    fn copy_out_done(&mut self) -> Result<(), PgError> {
        Ok(())
    }
}

/// A result column as RowDescription describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub type_oid: u32,
    /// The declared type's modifier (`char(5)`: 9, as PostgreSQL's
    /// atttypmod), -1 when there is none.
    pub type_mod: i32,
}

/// ReadyForQuery's transaction status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionStatus {
    /// 'I'
    Idle,
    /// 'T'
    InBlock,
    /// 'E'
    Failed,
}

impl TransactionStatus {
    pub fn indicator(self) -> u8 {
        match self {
            TransactionStatus::Idle => b'I',
            TransactionStatus::InBlock => b'T',
            TransactionStatus::Failed => b'E',
        }
    }
}

/// Translations cached by statement text (bounded).
const TRANSLATION_CACHE_ENTRIES_MAX: usize = 256;
/// How often (in SQLite VM steps) a running statement checks for interrupts.
const PROGRESS_CHECK_STEPS: i32 = 1000;
/// pg_sleep and lock waits check for interrupts this often.
const INTERRUPT_POLL_MS: u64 = 5;

/// Settings a client may SET that the server reports with ParameterStatus.
const REPORTED_SETTINGS: &[(&str, &str)] = &[
    ("application_name", "application_name"),
    ("client_encoding", "client_encoding"),
    ("datestyle", "DateStyle"),
    ("timezone", "TimeZone"),
    ("intervalstyle", "IntervalStyle"),
    ("standard_conforming_strings", "standard_conforming_strings"),
    ("is_superuser", "is_superuser"),
    ("session_authorization", "session_authorization"),
    ("server_version", "server_version"),
    ("server_encoding", "server_encoding"),
    ("integer_datetimes", "integer_datetimes"),
];

/// The planner's settings, with PostgreSQL 17's defaults: accepted and
/// shown, they change how PostgreSQL plans, never what a query answers
/// (SQLite plans on its own).
const PLANNER_SETTINGS: &[(&str, &str)] = &[
    ("enable_async_append", "on"),
    ("force_parallel_mode", "off"),
    ("enable_bitmapscan", "on"),
    ("enable_gathermerge", "on"),
    ("enable_group_by_reordering", "on"),
    ("enable_hashagg", "on"),
    ("enable_hashjoin", "on"),
    ("enable_incremental_sort", "on"),
    ("enable_indexonlyscan", "on"),
    ("enable_indexscan", "on"),
    ("enable_material", "on"),
    ("enable_memoize", "on"),
    ("enable_mergejoin", "on"),
    ("enable_nestloop", "on"),
    ("enable_parallel_append", "on"),
    ("enable_parallel_hash", "on"),
    ("enable_partition_pruning", "on"),
    ("enable_partitionwise_aggregate", "off"),
    ("enable_partitionwise_join", "off"),
    ("enable_presorted_aggregate", "on"),
    ("enable_seqscan", "on"),
    ("enable_sort", "on"),
    ("enable_tidscan", "on"),
    ("constraint_exclusion", "partition"),
    ("cursor_tuple_fraction", "0.1"),
    ("from_collapse_limit", "8"),
    ("join_collapse_limit", "8"),
    ("geqo", "on"),
    ("plan_cache_mode", "auto"),
    ("random_page_cost", "4"),
    ("seq_page_cost", "1"),
    ("cpu_tuple_cost", "0.01"),
    ("cpu_index_tuple_cost", "0.005"),
    ("cpu_operator_cost", "0.0025"),
    ("parallel_setup_cost", "1000"),
    ("parallel_tuple_cost", "0.1"),
    ("min_parallel_table_scan_size", "8MB"),
    ("min_parallel_index_scan_size", "512kB"),
    ("parallel_leader_participation", "on"),
    ("debug_parallel_query", "off"),
    ("hash_mem_multiplier", "2"),
    ("effective_cache_size", "4GB"),
    ("default_statistics_target", "100"),
    ("jit_above_cost", "100000"),
    ("recursive_worktable_factor", "10"),
];

/// Settings a session may change (besides `name.with_dot` placeholders).
const SESSION_SETTINGS: &[&str] = &[
    "application_name",
    "client_encoding",
    "datestyle",
    "timezone",
    "intervalstyle",
    "search_path",
    "statement_timeout",
    "lock_timeout",
    "idle_in_transaction_session_timeout",
    "client_min_messages",
    "extra_float_digits",
    "standard_conforming_strings",
    "work_mem",
    "synchronous_commit",
    "default_transaction_isolation",
    "transaction_isolation",
    "default_transaction_read_only",
    "bytea_output",
    "password_encryption",
    "jit",
    "row_security",
    "escape_string_warning",
    "check_function_bodies",
    "max_parallel_workers_per_gather",
    "maintenance_work_mem",
    "temp_buffers",
    "enable_seqscan",
    "enable_indexscan",
    "enable_bitmapscan",
    "enable_hashjoin",
    "enable_mergejoin",
    "enable_nestloop",
    "log_statement",
    "log_min_duration_statement",
    "lc_messages",
    "lc_monetary",
    "lc_numeric",
    "lc_time",
    "xmloption",
    "trace_sort",
    "default_with_oids",
    "transaction",
];

/// Session start-up values the backend supplies.
pub struct SessionOptions<'a> {
    pub data_dir: &'a Path,
    pub database: &'a str,
    pub database_oid: i64,
    pub user: &'a str,
    /// The role's oid (pg_authid).
    pub user_oid: i64,
    pub is_superuser: bool,
    pub backend_pid: i32,
    pub interrupts: Arc<dyn Interrupts>,
    /// Initial values of session settings (startup packet, server defaults).
    pub settings: Vec<(String, String)>,
    /// Register `pg_debug_panic(text)` (the `debug_allow_panic` setting).
    pub debug_allow_panic: bool,
}

thread_local! {
    /// Warnings raised inside SQL functions, sent once the statement ends.
    static NOTICES: RefCell<Vec<PgError>> = const { RefCell::new(Vec::new()) };
    /// A panic asked for by `pg_debug_panic`, raised once SQLite has
    /// returned (a panic inside a SQLite callback would be caught there).
    static PANIC_REQUEST: RefCell<Option<String>> = const { RefCell::new(None) };
    /// The session's settings as current_setting() reads them (a copy
    /// kept in step by the session), and set_config() calls made by the
    /// running statement, applied by the session once it succeeds.
    static SQL_SETTINGS: RefCell<BTreeMap<String, String>> = const { RefCell::new(BTreeMap::new()) };
    static SET_CONFIG_REQUESTS: RefCell<Vec<(String, String)>> = const { RefCell::new(Vec::new()) };
}

pub struct Session {
    /// The query string the client sent (pg_cursors shows it).
    query_string: String,
    conn: Connection,
    status: TransactionStatus,
    /// An implicit block from a multi-statement Query is open.
    implicit: bool,
    interrupts: Arc<TimedInterrupts>,
    settings: BTreeMap<String, String>,
    defaults: BTreeMap<String, String>,
    reports: Vec<(String, String)>,
    /// Microseconds since the epoch at which the current transaction started.
    xact_start_us: Arc<AtomicI64>,
    data_dir: std::path::PathBuf,
    database_oid: i64,
    backend_pid: i32,
    is_superuser: bool,
    /// `statement_timeout` in milliseconds (0: none), kept in step with
    /// the setting's text by `store_setting`.
    statement_timeout_ms: i64,
    cache: HashMap<String, Arc<Translated>>,
    /// Translations by text with the integer literals taken out
    /// ([`normalize`]), and which of those literals are negated.
    literal_cache: HashMap<String, (Arc<Translated>, Vec<bool>)>,
    /// The schema generation the translations and SQLite's prepared
    /// statements were made under (see `Interrupts::schema_generation`).
    schema_seen: u64,
    /// This session changed the schema in a transaction still open: the
    /// generation moves again when it ends (its commit or rollback changes
    /// what others see).
    schema_dirty: bool,
    /// Catalog relations created outside any transaction block (so no
    /// rollback can remove them): not created again.
    catalogs_made: std::cell::RefCell<std::collections::HashSet<&'static str>>,
    /// This database's sequences (shared with the SQL functions nextval,
    /// currval, setval, lastval).
    sequences: Arc<std::sync::Mutex<crate::sequence::Sequences>>,
    /// Sequences of tables dropped in the open transaction block.
    pending_sequence_drops: RefCell<Vec<String>>,
    /// Sequences created in the open transaction block (CREATE SEQUENCE,
    /// serial and identity columns): a rollback removes them, as
    /// PostgreSQL's rollback does.
    created_sequences: RefCell<Vec<String>>,
    /// DECLAREd cursors.
    portals: RefCell<crate::portal::Portals>,
    /// SQL-level PREPAREd statements: query text and parameter types.
    prepared: HashMap<String, (String, Vec<u32>)>,
    /// The database's name.
    database: String,
    /// The authenticated role (oid, name): SET SESSION AUTHORIZATION
    /// needs it to be a superuser.
    login: (i64, String),
    /// Who runs statements (SET ROLE, SET SESSION AUTHORIZATION).
    identity: RefCell<privileges::IdentityState>,
    /// The privilege state, shared with the SQL functions ([`crate::acl`]).
    privileges: crate::acl::Shared,
    /// The login catalog as last read, and the generation it was read at.
    catalog_cache: RefCell<Option<(u64, Arc<datadir::CatalogSnapshot>)>>,
    /// (catalog generation, session user, current user) the privilege
    /// state was computed for.
    who_key: std::cell::Cell<Option<(u64, i64, i64)>>,
    /// The end of a transaction restored an earlier identity (its
    /// settings are shown again at the next chance).
    identity_restored: std::cell::Cell<bool>,
    /// This transaction wrote ACLs (so reading them again starts no
    /// snapshot of its own).
    acl_written: std::cell::Cell<bool>,
    /// The ACLs were read for the open block (or the statement now).
    acl_loaded: std::cell::Cell<bool>,
}

fn undefined_prepared(name: &str) -> PgError {
    PgError::error(
        code::INVALID_SQL_STATEMENT_NAME,
        format!("prepared statement \"{name}\" does not exist"),
    )
}

thread_local! {
    /// The busy handler is a plain fn: it finds its interrupts here.
    static BUSY_INTERRUPTS: RefCell<Option<Arc<dyn Interrupts>>> = const { RefCell::new(None) };
    /// FOR UPDATE NOWAIT is taking its lock: do not wait.
    static NO_WAIT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn busy_handler(_attempt: i32) -> bool {
    if NO_WAIT.with(std::cell::Cell::get) {
        return false;
    }
    let interrupted = BUSY_INTERRUPTS.with(|i| i.borrow().as_ref().is_some_and(|i| i.pending()));
    if interrupted {
        return false;
    }
    // Waiters that retry often take CPU from the lock holder on a small
    // machine: TPC-B with 8 clients on 2 cores ran 1,137 tps with 50 us
    // naps, 2,062 with 1 ms and 2,443 with 3 ms (bench/pgbench.sh).
    std::thread::sleep(Duration::from_micros(BUSY_NAP_US));
    true
}

/// Prepared SQLite statements kept per session (by SQL text).
const STATEMENT_CACHE_CAPACITY: usize = 64;

/// How long a backend waiting for SQLite's write lock sleeps between tries.
const BUSY_NAP_US: u64 = 3000;

fn now_us() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

pub use crate::datetime::format_timestamptz;

/// Whether a PASSWORD text is already a stored form: `md5` + 32 hex digits
/// or a SCRAM-SHA-256 verifier.
fn is_hashed_password(p: &str) -> bool {
    (p.len() == 35 && p.starts_with("md5") && p[3..].bytes().all(|b| b.is_ascii_hexdigit()))
        || (p.starts_with("SCRAM-SHA-256$") && p.contains(':'))
}

/// A SQL function argument as a number, as SQLite's arithmetic reads it:
/// NULL stays None, text that looks like a number is that number, other
/// text is 0.
fn numeric_arg(ctx: &Context<'_>, i: usize) -> rusqlite::Result<Option<rusqlite::types::Value>> {
    use rusqlite::types::Value;
    Ok(match ctx.get_raw(i) {
        ValueRef::Null => None,
        ValueRef::Integer(n) => Some(Value::Integer(n)),
        ValueRef::Real(r) => Some(Value::Real(r)),
        ValueRef::Text(t) | ValueRef::Blob(t) => {
            let s = String::from_utf8_lossy(t);
            let s = s.trim();
            Some(match s.parse::<i64>() {
                Ok(n) => Value::Integer(n),
                Err(_) => Value::Real(s.parse().unwrap_or(0.0)),
            })
        }
    })
}

pub(crate) fn user_error(e: PgError) -> rusqlite::Error {
    errors::function_error(e)
}

impl Session {
    /// Opens the database for a backend and registers PostgreSQL's functions.
    pub fn open(opts: SessionOptions<'_>) -> Result<Session, PgError> {
        let path = datadir::database_path(opts.data_dir, opts.database_oid);
        let mut conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| {
            PgError::fatal(
                code::IO_ERROR,
                format!("could not open file \"{}\"", path.display()),
            )
            .with_detail(e.to_string())
        })?;
        let fail = |e: rusqlite::Error| {
            PgError::fatal(
                code::INTERNAL_ERROR,
                "could not initialize the database session",
            )
            .with_detail(e.to_string())
        };
        // synchronous = FULL and a case-sensitive LIKE are this build's
        // SQLite defaults (.cargo/config.toml; a unit test checks them), so
        // opening a session parses no SQL. Foreign keys are switched on
        // explicitly, without SQL either.
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_FKEY,
            true,
        )
        .map_err(fail)?;
        // The last backend to leave a database would otherwise checkpoint
        // and delete its WAL on every disconnect; checkpoints happen as WAL
        // grows (wal_autocheckpoint) and committed data is in the WAL anyway.
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
            true,
        )
        .map_err(fail)?;
        let interrupts = Arc::new(TimedInterrupts {
            inner: opts.interrupts.clone(),
            deadline_us: AtomicI64::new(0),
        });
        BUSY_INTERRUPTS.with(|i| *i.borrow_mut() = Some(interrupts.clone()));
        conn.busy_handler(Some(busy_handler)).map_err(fail)?;
        let ints = interrupts.clone();
        conn.progress_handler(PROGRESS_CHECK_STEPS, Some(move || ints.pending()))
            .map_err(fail)?;
        let xact_start_us = Arc::new(AtomicI64::new(now_us()));
        register_functions(&conn, &opts, interrupts.clone(), xact_start_us.clone())
            .map_err(fail)?;
        let sequences = Arc::new(std::sync::Mutex::new(crate::sequence::Sequences::new(
            datadir::sequence_path(opts.data_dir, opts.database_oid),
        )));
        // A superuser's privilege state needs no catalog read; another
        // role's is computed at its first statement (its memberships).
        let login = (opts.user_oid, opts.user.to_string());
        let privileges: crate::acl::Shared = Default::default();
        {
            let mut state = privileges.lock().unwrap_or_else(|p| p.into_inner());
            state.who = crate::acl::Who {
                current: login.0,
                current_name: login.1.clone(),
                session: login.0,
                session_name: login.1.clone(),
                superuser: opts.is_superuser,
                privileges_of: vec![login.0, crate::acl::PUBLIC],
            };
        }
        let who_key = opts
            .is_superuser
            .then(|| (opts.interrupts.catalog_generation(), login.0, login.0));
        crate::acl::ensure_table(&conn);
        register_sequence_functions(&conn, &sequences, &privileges).map_err(fail)?;
        register_identity_functions(&conn, &privileges).map_err(fail)?;
        register_inquiry_function(&conn, &privileges).map_err(fail)?;

        let mut defaults = BTreeMap::new();
        for (name, value) in [
            ("application_name", ""),
            ("client_encoding", "UTF8"),
            ("datestyle", "ISO, MDY"),
            ("timezone", "UTC"),
            ("intervalstyle", "postgres"),
            ("search_path", "\"$user\", public"),
            ("statement_timeout", "0"),
            ("lock_timeout", "0"),
            ("client_min_messages", "notice"),
            ("extra_float_digits", "1"),
            ("standard_conforming_strings", "on"),
            ("transaction_isolation", "read committed"),
            ("default_transaction_isolation", "read committed"),
            ("server_version", crate::SERVER_VERSION),
            ("server_version_num", crate::SERVER_VERSION_NUM),
            ("server_encoding", "UTF8"),
            ("integer_datetimes", "on"),
            ("is_superuser", if opts.is_superuser { "on" } else { "off" }),
            ("session_authorization", opts.user),
            ("role", "none"),
            ("max_identifier_length", "63"),
            ("block_size", "8192"),
            ("lc_collate", "C"),
            ("lc_ctype", "C"),
            ("bytea_output", "hex"),
            ("password_encryption", "scram-sha-256"),
        ] {
            defaults.insert(name.to_string(), value.to_string());
        }
        for (name, value) in PLANNER_SETTINGS {
            defaults.insert(name.to_string(), value.to_string());
        }
        for (name, value) in &opts.settings {
            defaults.insert(name.to_ascii_lowercase(), value.clone());
        }
        let statement_timeout_ms = defaults
            .get("statement_timeout")
            .and_then(|v| parse_ms(v))
            .unwrap_or(0);
        SQL_SETTINGS.with(|s| *s.borrow_mut() = defaults.clone());
        crate::datefmt::set_transaction_clock(xact_start_us.clone());
        for (name, apply) in [
            ("datestyle", crate::datefmt::set_date_style as fn(&str) -> _),
            ("timezone", crate::datefmt::set_time_zone),
            ("intervalstyle", crate::interval::set_style),
            ("extra_float_digits", crate::types::set_extra_float_digits),
        ] {
            if let Some(v) = defaults.get(name).cloned() {
                match apply(&v) {
                    Ok(shown) => {
                        defaults.insert(name.to_string(), shown);
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        // Statements are prepared once per text and kept (the extended
        // protocol describes at Parse and runs at Execute).
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE_CAPACITY);
        let schema_seen = interrupts.schema_generation();
        Ok(Session {
            query_string: String::new(),
            schema_seen,
            schema_dirty: false,
            statement_timeout_ms,
            conn,
            status: TransactionStatus::Idle,
            implicit: false,
            interrupts,
            settings: defaults.clone(),
            defaults,
            reports: Vec::new(),
            xact_start_us,
            data_dir: opts.data_dir.to_path_buf(),
            database_oid: opts.database_oid,
            backend_pid: opts.backend_pid,
            is_superuser: opts.is_superuser,
            cache: HashMap::new(),
            literal_cache: HashMap::new(),
            catalogs_made: Default::default(),
            sequences,
            pending_sequence_drops: RefCell::new(Vec::new()),
            created_sequences: RefCell::new(Vec::new()),
            portals: RefCell::new(Default::default()),
            prepared: HashMap::new(),
            database: opts.database.to_string(),
            identity: RefCell::new(privileges::IdentityState {
                now: privileges::Identity {
                    session: login.clone(),
                    role: None,
                },
                ..Default::default()
            }),
            login,
            privileges,
            catalog_cache: RefCell::new(None),
            who_key: std::cell::Cell::new(who_key),
            identity_restored: std::cell::Cell::new(false),
            acl_written: std::cell::Cell::new(false),
            acl_loaded: std::cell::Cell::new(false),
        })
    }

    /// When the open transaction block began (µs since the epoch).
    pub fn xact_start_us(&self) -> i64 {
        self.xact_start_us.load(Ordering::Relaxed)
    }

    pub fn status(&self) -> TransactionStatus {
        self.status
    }

    /// The value of a session setting (SHOW).
    pub fn setting(&self, name: &str) -> Option<&str> {
        self.settings
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// The ParameterStatus values to send at the end of start-up.
    pub fn reported_settings(&self) -> Vec<(String, String)> {
        REPORTED_SETTINGS
            .iter()
            .filter_map(|(name, shown)| {
                self.settings
                    .get(*name)
                    .map(|v| (shown.to_string(), v.clone()))
            })
            .collect()
    }

    /// The query string the client sent, as PostgreSQL's
    /// debug_query_string (pg_cursors shows a cursor's).
    pub fn set_query_string(&mut self, text: &str) {
        self.query_string.clear();
        self.query_string.push_str(text);
    }

    /// ParameterStatus values changed since the last call.
    pub fn take_reports(&mut self) -> Vec<(String, String)> {
        std::mem::take(&mut self.reports)
    }

    /// Translates a statement, using the cache. A statement that cannot be
    /// translated fails the transaction block as any error does; in a
    /// failed block only a syntax error is reported as itself (PostgreSQL
    /// parses before it looks at the block's state, and analyzes after).
    pub fn translate(&mut self, text: &str) -> Result<Arc<Translated>, PgError> {
        let result = self.translate_text(text);
        if let Err(e) = &result {
            if self.status == TransactionStatus::Failed && e.code != code::SYNTAX_ERROR {
                return Err(in_failed_transaction());
            }
            self.mark_failed();
        }
        result
    }

    /// A DECLARE's query (not cached: its rows carry rowids).
    fn translate_cursor(&mut self, text: &str) -> Result<Translated, PgError> {
        self.forget_stale_schema();
        let conn = &self.conn;
        let result =
            pm_elog::contain_panic(|| translate_query(text, &SchemaCatalog(conn), &[], true))
                .map_err(|message| {
                    PgError::error(
                        code::INTERNAL_ERROR,
                        "internal error while translating the statement",
                    )
                    .with_detail(message)
                })
                .and_then(|r| r);
        match result {
            Ok((t, _)) => Ok(t),
            Err(e) => {
                if self.status == TransactionStatus::Failed && e.code != code::SYNTAX_ERROR {
                    return Err(in_failed_transaction());
                }
                self.mark_failed();
                Err(e)
            }
        }
    }

    fn translate_text(&mut self, text: &str) -> Result<Arc<Translated>, PgError> {
        self.forget_stale_schema();
        if let Some(t) = self.cache.get(text) {
            return Ok(t.clone());
        }
        // The same statement with other integer literals: its analysis and
        // prepared statement again, with these values bound.
        let normalized = normalize::integer_literals(text);
        if let Some((key, literals)) = &normalized {
            if let Some((t, negated)) = self.literal_cache.get(key) {
                let mut t = Translated::clone(t);
                t.literals = bound_literals(literals, negated);
                return Ok(Arc::new(t));
            }
        }
        let literals = normalized.as_ref().map_or(&[][..], |(_, l)| l.as_slice());
        // Translation is a function of the text and the schema: a panic in
        // it (a bug) is this statement's error, not a crash of the backend.
        let conn = &self.conn;
        let (mut t, negated) =
            pm_elog::contain_panic(|| translate_statement(text, &SchemaCatalog(conn), literals))
                .map_err(|message| {
                PgError::error(
                    code::INTERNAL_ERROR,
                    "internal error while translating the statement",
                )
                .with_detail(message)
            })??;
        if let (Some((key, literals)), Some(negated)) = (&normalized, negated) {
            if self.literal_cache.len() >= TRANSLATION_CACHE_ENTRIES_MAX {
                self.literal_cache.clear();
            }
            t.literals = bound_literals(literals, &negated);
            self.literal_cache
                .insert(key.clone(), (Arc::new(t.clone()), negated));
            return Ok(Arc::new(t));
        }
        let t = Arc::new(t);
        if self.cache.len() >= TRANSLATION_CACHE_ENTRIES_MAX {
            self.cache.clear();
        }
        self.cache.insert(text.to_string(), t.clone());
        Ok(t)
    }

    /// Drops translations and prepared statements made before another
    /// session (or this one) changed a schema.
    fn forget_stale_schema(&mut self) {
        let now = self.interrupts.schema_generation();
        if now != self.schema_seen {
            self.schema_seen = now;
            self.cache.clear();
            self.literal_cache.clear();
            self.conn.flush_prepared_statement_cache();
            // SQLite re-reads its schema when a transaction starts, not at
            // prepare: a short read makes the next describe see the change.
            // (Not inside a block: a read there would pin the block's
            // snapshot before its first write; see ARCHITECTURE.md.)
            if self.status == TransactionStatus::Idle {
                let _ = self
                    .conn
                    .execute_batch("SELECT 1 FROM sqlite_schema LIMIT 1");
            }
        }
    }

    /// This session changed the schema: its own caches go now, other
    /// sessions' at their next statement, and again when the transaction
    /// ends.
    fn schema_changed(&mut self) {
        self.cache.clear();
        self.literal_cache.clear();
        self.conn.flush_prepared_statement_cache();
        self.interrupts.schema_changed();
        if self.status != TransactionStatus::Idle {
            self.schema_dirty = true;
        }
    }

    /// After a transaction ended: a schema change in it is now committed
    /// or rolled back, which others must see.
    fn transaction_over(&mut self) {
        if self.status == TransactionStatus::Idle {
            self.acl_written.set(false);
            self.acl_loaded.set(false);
        }
        if self.identity_restored.take() {
            self.identity_settings();
        }
        if self.schema_dirty && self.status == TransactionStatus::Idle {
            self.schema_dirty = false;
            self.schema_changed();
        }
    }

    /// Opens the implicit transaction of a multi-statement Query.
    pub fn begin_implicit(&mut self) -> Result<(), PgError> {
        if self.status == TransactionStatus::Idle {
            // (The ACLs the block's statements are checked against.)
            self.prepare_privileges(true)?;
            self.sqlite_batch("BEGIN")?;
            self.xact_start_us.store(now_us(), Ordering::Relaxed);
            self.implicit = true;
            self.status = TransactionStatus::InBlock;
        }
        Ok(())
    }

    /// Closes the implicit transaction: commit after success, roll back after an error.
    pub fn end_implicit(&mut self, success: bool) -> Result<(), PgError> {
        if !self.implicit {
            return Ok(());
        }
        self.implicit = false;
        self.status = TransactionStatus::Idle;
        let result = if success {
            self.sqlite_batch("COMMIT")
                .inspect_err(|_| self.rollback_sqlite())
                .inspect(|_| self.committed())
        } else {
            self.rollback_sqlite();
            Ok(())
        };
        self.transaction_over();
        result
    }

    /// After an error: an explicit block becomes failed; an implicit one
    /// stays open until `end_implicit(false)`.
    pub fn mark_failed(&mut self) {
        if self.status == TransactionStatus::InBlock && !self.implicit {
            self.status = TransactionStatus::Failed;
        }
    }

    fn sqlite_batch(&self, sql: &str) -> Result<(), PgError> {
        self.conn
            .execute_batch(sql)
            .map_err(|e| errors::from_sqlite(&e))
    }

    fn rollback_sqlite(&self) {
        self.identity_transaction_over(false);
        self.pending_sequence_drops.borrow_mut().clear();
        let created = std::mem::take(&mut *self.created_sequences.borrow_mut());
        if !created.is_empty() {
            let mut seqs = self.sequences();
            for name in created {
                let _ = seqs.remove(&name);
            }
        }
        self.portals.borrow_mut().rolled_back();
        if !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }

    /// Runs one translated statement without parameters. Returns the
    /// CommandComplete tag.
    pub fn execute(
        &mut self,
        t: &Translated,
        sink: &mut dyn ResultSink,
    ) -> Result<String, PgError> {
        self.execute_with_columns(t, &Params::default(), None, sink)
    }

    /// Like `execute`, with the result columns fixed in advance by
    /// `describe` (the extended protocol promises them before execution).
    pub fn execute_with_columns(
        &mut self,
        t: &Translated,
        params: &Params<'_>,
        fixed: Option<&[Column]>,
        sink: &mut dyn ResultSink,
    ) -> Result<String, PgError> {
        let was_idle = self.status == TransactionStatus::Idle;
        self.forget_stale_schema();
        let result = self.execute_inner(t, params, fixed, sink);
        self.transaction_over();
        let requests = SET_CONFIG_REQUESTS.with(|r| std::mem::take(&mut *r.borrow_mut()));
        if result.is_ok() {
            for (name, value) in requests {
                self.store_setting(&name, value);
            }
        } else if !requests.is_empty() {
            SQL_SETTINGS.with(|s| *s.borrow_mut() = self.settings.clone());
        }
        if let Some(message) = PANIC_REQUEST.with(|p| p.borrow_mut().take()) {
            panic!("{message}");
        }
        // pg_stat_database: a statement outside a block is a transaction;
        // a block counts when it ends.
        match (&t.command, was_idle) {
            (Command::Commit, false) => self
                .interrupts
                .transaction_ended(result.as_deref().is_ok_and(|tag| tag == "COMMIT")),
            (Command::Rollback, false) => self.interrupts.transaction_ended(false),
            (Command::Begin | Command::Commit | Command::Rollback, _) => {}
            (_, true) if !self.implicit && self.status == TransactionStatus::Idle => {
                self.interrupts.transaction_ended(result.is_ok())
            }
            _ => {}
        }
        for notice in NOTICES.with(|n| std::mem::take(&mut *n.borrow_mut())) {
            sink.notice(notice);
        }
        if result.is_err() {
            self.mark_failed();
        }
        result
    }

    fn execute_inner(
        &mut self,
        t: &Translated,
        params: &Params<'_>,
        fixed: Option<&[Column]>,
        sink: &mut dyn ResultSink,
    ) -> Result<String, PgError> {
        if self.status == TransactionStatus::Failed
            && !matches!(t.command, Command::Commit | Command::Rollback)
        {
            return Err(in_failed_transaction());
        }
        // Privileges: checked before the statement touches storage,
        // ownership recorded once it succeeded ([`crate::acl`]).
        let checked = matches!(
            t.command,
            Command::Sql { .. } | Command::Ddl(_) | Command::Utility(_)
        );
        let mut created = Vec::new();
        if checked {
            self.prepare_privileges(true)?;
            if t.needs.inquiry {
                self.prepare_inquiry()?;
            }
            self.check_needs(&t.needs)?;
            if !t.needs.creates.is_empty() {
                created = self.new_relations(&t.needs);
            }
        }
        let result = match &t.command {
            Command::Begin => {
                if self.status == TransactionStatus::InBlock && !self.implicit {
                    sink.notice(PgError::new(
                        Severity::Warning,
                        code::ACTIVE_SQL_TRANSACTION,
                        "there is already a transaction in progress",
                    ));
                } else if self.implicit {
                    self.implicit = false;
                } else {
                    self.prepare_privileges(true)?;
                    self.sqlite_batch("BEGIN")?;
                    self.xact_start_us.store(now_us(), Ordering::Relaxed);
                    self.status = TransactionStatus::InBlock;
                }
                Ok(t.tag.render(0))
            }
            Command::Commit | Command::Rollback => {
                let was = self.status;
                self.implicit = false;
                self.status = TransactionStatus::Idle;
                match was {
                    TransactionStatus::Idle => {
                        sink.notice(PgError::new(
                            Severity::Warning,
                            code::NO_ACTIVE_SQL_TRANSACTION,
                            "there is no transaction in progress",
                        ));
                        Ok(t.tag.render(0))
                    }
                    TransactionStatus::Failed => {
                        self.rollback_sqlite();
                        Ok("ROLLBACK".to_string())
                    }
                    TransactionStatus::InBlock if t.command == Command::Rollback => {
                        self.rollback_sqlite();
                        Ok("ROLLBACK".to_string())
                    }
                    TransactionStatus::InBlock => {
                        self.sqlite_batch("COMMIT")
                            .inspect_err(|_| self.rollback_sqlite())?;
                        self.committed();
                        Ok("COMMIT".to_string())
                    }
                }
            }
            Command::Set { name, value } => {
                self.set(name, value)?;
                Ok("SET".to_string())
            }
            Command::Reset { name } => {
                if name == "all" {
                    // (Who runs statements is not a setting RESET ALL resets.)
                    let names: Vec<String> = self
                        .settings
                        .keys()
                        .filter(|n| {
                            !matches!(
                                n.as_str(),
                                "role" | "session_authorization" | "is_superuser"
                            )
                        })
                        .cloned()
                        .collect();
                    for n in names {
                        self.reset(&n);
                    }
                } else {
                    self.check_setting_name(name)?;
                    self.reset(name);
                }
                Ok("RESET".to_string())
            }
            Command::Show { name } => self.show(name, sink),
            Command::CreateRole { .. }
            | Command::AlterRole { .. }
            | Command::DropRole { .. }
            | Command::RenameRole { .. }
            | Command::GrantRole(_)
            | Command::Grant(_)
            | Command::AlterOwner(_)
            | Command::Owned { .. }
            | Command::DefaultPrivileges(_)
            | Command::SetRole(_) => self.run_role_command(t, sink),
            Command::Utility(u) => {
                let result = self.run_utility(u, &t.tag, sink);
                if result.is_ok() && !matches!(u, Utility::Copy(_) | Utility::Maintain { .. }) {
                    self.schema_changed();
                }
                result
            }
            Command::Declare(d) => {
                if self.status == TransactionStatus::Idle && !d.hold {
                    return Err(PgError::error(
                        code::NO_ACTIVE_SQL_TRANSACTION,
                        "DECLARE CURSOR can only be used in transaction blocks",
                    ));
                }
                if self.portals.borrow().exists(&d.name) {
                    return Err(PgError::error(
                        code::DUPLICATE_CURSOR,
                        format!("cursor \"{}\" already exists", d.name),
                    ));
                }
                let query = self.translate_cursor(&d.query)?;
                if matches!(&query.command, Command::Sql { steps, .. } if !steps.is_empty()) {
                    return Err(PgError::error(
                        code::FEATURE_NOT_SUPPORTED,
                        "DECLARE CURSOR must not contain data-modifying statements in WITH",
                    ));
                }
                if query.tag != Tag::Select {
                    return Err(PgError::error(
                        code::SYNTAX_ERROR,
                        "DECLARE CURSOR must be a SELECT or VALUES query",
                    ));
                }
                let mut rows = crate::portal::Collect::default();
                self.execute_inner(&query, &Params::default(), None, &mut rows)?;
                for n in rows.notices {
                    sink.notice(n);
                }
                // The trailing rowid columns are the cursor's, not its rows'.
                let (row_id_tables, locked) = match &query.command {
                    Command::Sql { row_ids, locks, .. } => (row_ids.clone(), !locks.is_empty()),
                    _ => (Vec::new(), false),
                };
                let visible = rows.columns.len().saturating_sub(row_id_tables.len());
                rows.columns.truncate(visible);
                let mut row_ids = Vec::with_capacity(rows.rows.len());
                for r in &mut rows.rows {
                    row_ids.push(
                        r.split_off(visible)
                            .into_iter()
                            .map(|v| match v {
                                rusqlite::types::Value::Integer(i) => i,
                                _ => 0,
                            })
                            .collect(),
                    );
                }
                self.portals.borrow_mut().insert(
                    d.name.clone(),
                    crate::portal::Cursor {
                        columns: rows.columns,
                        rows: rows.rows,
                        row_ids,
                        row_id_tables,
                        locked,
                        position: 0,
                        no_scroll: d.no_scroll,
                        hold: d.hold,
                        this_transaction: self.status != TransactionStatus::Idle,
                        statement: if self.query_string.is_empty() {
                            d.query.clone()
                        } else {
                            self.query_string.clone()
                        },
                        binary: d.binary,
                        created: crate::datetime::format_timestamptz(now_us()),
                    },
                );
                Ok(t.tag.render(0))
            }
            Command::Fetch(f) => self.portals.borrow_mut().fetch(f, sink),
            Command::Prepare(p) => {
                if self.prepared.contains_key(&p.name) {
                    return Err(PgError::error(
                        code::DUPLICATE_PSTATEMENT,
                        format!("prepared statement \"{}\" already exists", p.name),
                    ));
                }
                let translated = self.translate(&p.query)?;
                let count = dialect::parameter_count(&p.query).max(p.types.len());
                let inferred = self.parameter_types(&translated, count);
                let types: Vec<u32> = (0..count)
                    .map(|i| {
                        p.types
                            .get(i)
                            .copied()
                            .or(inferred.get(i).copied().flatten())
                            .unwrap_or(types::TEXT)
                    })
                    .collect();
                self.prepared
                    .insert(p.name.clone(), (p.query.clone(), types));
                Ok(t.tag.render(0))
            }
            Command::ExecutePrepared(e) => {
                let (query, types) = self
                    .prepared
                    .get(&e.name)
                    .cloned()
                    .ok_or_else(|| undefined_prepared(&e.name))?;
                if e.args.len() != types.len() {
                    return Err(PgError::error(
                        code::SYNTAX_ERROR,
                        format!(
                            "wrong number of parameters for prepared statement \"{}\"",
                            e.name
                        ),
                    )
                    .with_detail(format!(
                        "Expected {} parameters but got {}.",
                        types.len(),
                        e.args.len()
                    )));
                }
                let translated = self.translate(&query)?;
                let params = Params {
                    values: &e.args,
                    types: &types,
                };
                self.execute_inner(&translated, &params, None, sink)
            }
            Command::Deallocate(name) => {
                match name {
                    None => self.prepared.clear(),
                    Some(n) => {
                        self.prepared
                            .remove(n)
                            .ok_or_else(|| undefined_prepared(n))?;
                    }
                }
                Ok(t.tag.render(0))
            }
            Command::ClosePortal(name) => {
                self.portals.borrow_mut().close(name.as_deref())?;
                Ok(t.tag.render(0))
            }
            Command::Ddl(plan) => {
                if let Some(name) = &plan.skip_if_exists {
                    if analyze::Schema::relation(&SchemaCatalog(&self.conn), name).is_some() {
                        sink.notice(PgError::new(
                            Severity::Notice,
                            code::DUPLICATE_TABLE,
                            format!("relation \"{name}\" already exists, skipping"),
                        ));
                        return Ok(t.tag.render(0));
                    }
                }
                if let Some(notice) = &plan.notice {
                    sink.notice(PgError::new(
                        Severity::Notice,
                        code::SUCCESSFUL_COMPLETION,
                        notice.clone(),
                    ));
                }
                let created = self.run_sequence_actions(&plan.sequences, sink)?;
                // The table and its rows (CREATE TABLE AS) as one statement.
                let result = self.in_savepoint(|s| {
                    if let Some(sql) = &plan.sql {
                        s.sqlite_batch(sql)?;
                    }
                    if let Some((view, reads)) = &plan.view_reads {
                        crate::acl::store_view_reads(&s.conn, view, reads)?;
                    }
                    if let Some((table, column, default)) = &plan.set_default {
                        s.set_column_default(table, column, default.as_deref())?;
                    }
                    if let Some(crate::partition::Action::Alter { table, stmt }) = &plan.partition {
                        let statements = crate::partition::alter_statements(&s.conn, table, stmt)?;
                        crate::partition::drop_derived(&s.conn, table)?;
                        for text in statements {
                            let translated = s.translate(&text)?;
                            let params = Params {
                                values: &[],
                                types: &[],
                            };
                            s.execute_inner(&translated, &params, None, sink)?;
                        }
                    }
                    if let Some(action) = &plan.partition {
                        crate::partition::apply(&s.conn, &SchemaCatalog(&s.conn), action)?;
                    }
                    match &plan.fill {
                        Some(fill) => s
                            .conn
                            .execute(fill, [])
                            .map(Some)
                            .map_err(|e| errors::from_sqlite(&e)),
                        None => Ok(None),
                    }
                });
                let rows = match result {
                    Ok(rows) => rows,
                    Err(e) => {
                        let mut seqs = self.sequences();
                        for name in created {
                            let _ = seqs.remove(&name);
                        }
                        return Err(e);
                    }
                };
                if plan.sql.is_some() || plan.partition.is_some() || plan.set_default.is_some() {
                    self.schema_changed();
                }
                Ok(match rows {
                    Some(n) => format!("SELECT {n}"),
                    None => t.tag.render(0),
                })
            }
            Command::Sql { .. } => {
                if self.status == TransactionStatus::Idle {
                    self.xact_start_us.store(now_us(), Ordering::Relaxed);
                }
                if self.statement_timeout_ms > 0 {
                    self.interrupts.deadline_us.store(
                        now_us() + self.statement_timeout_ms * 1000,
                        Ordering::Relaxed,
                    );
                }
                let result = self.run_sql(t, params, fixed, sink);
                self.interrupts.deadline_us.store(0, Ordering::Relaxed);
                if let (Ok(_), Tag::Fixed(tag)) = (&result, &t.tag) {
                    if ["CREATE", "DROP", "ALTER"]
                        .iter()
                        .any(|w| tag.starts_with(w))
                    {
                        // Types inferred from the old schema may be wrong now.
                        self.schema_changed();
                    }
                }
                result
            }
        };
        if result.is_ok() && checked {
            self.record_needs(&t.needs, &created)?;
        }
        result
    }

    pub(crate) fn sequences(&self) -> std::sync::MutexGuard<'_, crate::sequence::Sequences> {
        self.sequences.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// CREATE / ALTER / DROP SEQUENCE (at once: see [`crate::sequence`]).
    /// Returns the sequences created.
    fn run_sequence_actions(
        &mut self,
        actions: &[crate::ddl::SequenceAction],
        sink: &mut dyn ResultSink,
    ) -> Result<Vec<String>, PgError> {
        use crate::ddl::SequenceAction as A;
        let mut created = Vec::new();
        for action in actions {
            let result = match action {
                A::Create {
                    name,
                    options,
                    owned,
                    if_not_exists,
                } => {
                    let exists = self.sequences().exists(name)?
                        || analyze::Schema::relation(&SchemaCatalog(&self.conn), name).is_some();
                    if exists && *if_not_exists {
                        sink.notice(PgError::new(
                            Severity::Notice,
                            code::DUPLICATE_TABLE,
                            format!("relation \"{name}\" already exists, skipping"),
                        ));
                        Ok(())
                    } else if exists {
                        Err(PgError::error(
                            code::DUPLICATE_TABLE,
                            format!("relation \"{name}\" already exists"),
                        ))
                    } else {
                        let def = options.apply(None);
                        let owned = owned.as_ref().map(|(t, c)| (t.as_str(), c.as_str()));
                        let r = self.sequences().create(name, &def, owned);
                        if r.is_ok() {
                            created.push(name.clone());
                            if self.status != TransactionStatus::Idle {
                                self.created_sequences.borrow_mut().push(name.clone());
                            }
                        }
                        r
                    }
                }
                A::Alter {
                    name,
                    options,
                    missing_ok,
                } => {
                    let mut seqs = self.sequences();
                    match seqs.definition(name)? {
                        None if *missing_ok => {
                            sink.notice(PgError::new(
                                Severity::Notice,
                                code::SUCCESSFUL_COMPLETION,
                                format!("relation \"{name}\" does not exist, skipping"),
                            ));
                            Ok(())
                        }
                        None => Err(crate::sequence::undefined(name)),
                        Some(current) => {
                            let def = options.apply(Some(&current));
                            let restart = options.restart.map(|r| r.unwrap_or(def.start));
                            seqs.alter(name, &def, restart)
                                .and_then(|_| match &options.owned_by {
                                    Some(o) => seqs.set_owner(
                                        name,
                                        o.as_ref().map(|(t, c)| (t.as_str(), c.as_str())),
                                    ),
                                    None => Ok(()),
                                })
                        }
                    }
                }
                A::Drop { names, missing_ok } => {
                    let mut seqs = self.sequences();
                    let mut result = Ok(());
                    for name in names {
                        if !seqs.exists(name)? {
                            if *missing_ok {
                                sink.notice(PgError::new(
                                    Severity::Notice,
                                    code::SUCCESSFUL_COMPLETION,
                                    format!("sequence \"{name}\" does not exist, skipping"),
                                ));
                                continue;
                            }
                            result = Err(PgError::error(
                                code::UNDEFINED_TABLE,
                                format!("sequence \"{name}\" does not exist"),
                            ));
                            break;
                        }
                    }
                    if result.is_ok() {
                        for name in names {
                            seqs.remove(name)?;
                        }
                    }
                    result
                }
            };
            if let Err(e) = result {
                let mut seqs = self.sequences();
                for name in &created {
                    let _ = seqs.remove(name);
                }
                return Err(e);
            }
        }
        Ok(created)
    }

    /// The sequences a dropped table owned go with it: now outside a
    /// transaction block, else when the block commits (a rollback keeps
    /// the table and so its sequences).
    pub(crate) fn drop_owned_sequences(&mut self, table: &str) -> Result<(), PgError> {
        let owned = self.sequences().owned_by(table)?;
        for (name, _) in owned {
            if self.status == TransactionStatus::Idle {
                self.sequences().remove(&name)?;
            } else {
                self.pending_sequence_drops.borrow_mut().push(name);
            }
        }
        Ok(())
    }

    /// After a commit: the sequence drops it was waiting for.
    fn committed(&self) {
        self.identity_transaction_over(true);
        self.portals.borrow_mut().committed();
        self.created_sequences.borrow_mut().clear();
        let drops = std::mem::take(&mut *self.pending_sequence_drops.borrow_mut());
        let mut seqs = self.sequences();
        for name in drops {
            let _ = seqs.remove(&name);
        }
    }

    fn require_superuser(&self, what: &str) -> Result<(), PgError> {
        if self.is_superuser {
            return Ok(());
        }
        Err(PgError::error(
            code::INSUFFICIENT_PRIVILEGE,
            format!("permission denied to {what}"),
        ))
    }

    fn check_setting_name(&self, name: &str) -> Result<(), PgError> {
        if SESSION_SETTINGS.contains(&name)
            || PLANNER_SETTINGS.iter().any(|(n, _)| *n == name)
            || name.contains('.')
            || self.settings.contains_key(name)
        {
            Ok(())
        } else {
            Err(PgError::error(
                code::UNDEFINED_OBJECT,
                format!("unrecognized configuration parameter \"{name}\""),
            ))
        }
    }

    fn set(&mut self, name: &str, value: &str) -> Result<(), PgError> {
        self.check_setting_name(name)?;
        if value.eq_ignore_ascii_case("default") {
            self.reset(name);
            return Ok(());
        }
        if matches!(name, "statement_timeout" | "lock_timeout") && parse_ms(value).is_none() {
            return Err(PgError::error(
                code::INVALID_PARAMETER_VALUE,
                format!("invalid value for parameter \"{name}\": \"{value}\""),
            ));
        }
        if !SESSION_SETTINGS.contains(&name)
            && !PLANNER_SETTINGS.iter().any(|(n, _)| *n == name)
            && !name.contains('.')
        {
            return Err(PgError::error(
                code::CANT_CHANGE_RUNTIME_PARAM,
                format!("parameter \"{name}\" cannot be changed now"),
            ));
        }
        // DateStyle and TimeZone are checked and shown as PostgreSQL
        // shows them (`Postgres, MDY`, `America/New_York`).
        let value = match name {
            "datestyle" => crate::datefmt::set_date_style(value)?,
            "timezone" => crate::datefmt::set_time_zone(value)?,
            "intervalstyle" => crate::interval::set_style(value)?,
            "extra_float_digits" => crate::types::set_extra_float_digits(value)?,
            _ => value.to_string(),
        };
        self.store_setting(name, value);
        Ok(())
    }

    fn reset(&mut self, name: &str) {
        if let Some(v) = self.defaults.get(name).cloned() {
            self.store_setting(name, v);
        } else {
            self.settings.remove(name);
            SQL_SETTINGS.with(|s| s.borrow_mut().remove(name));
        }
    }

    fn store_setting(&mut self, name: &str, value: String) {
        if self.settings.get(name) != Some(&value) {
            if let Some((_, shown)) = REPORTED_SETTINGS.iter().find(|(n, _)| *n == name) {
                self.reports.push((shown.to_string(), value.clone()));
            }
        }
        if name == "statement_timeout" {
            self.statement_timeout_ms = parse_ms(&value).unwrap_or(0);
        }
        if name == "extra_float_digits" {
            let _ = crate::types::set_extra_float_digits(&value);
        }
        if matches!(name, "datestyle" | "timezone" | "intervalstyle") {
            let _ = match name {
                "datestyle" => crate::datefmt::set_date_style(&value),
                "timezone" => crate::datefmt::set_time_zone(&value),
                _ => crate::interval::set_style(&value),
            };
            // Date/time literals were read in the old style and zone.
            self.cache.clear();
            self.literal_cache.clear();
        }
        SQL_SETTINGS.with(|s| s.borrow_mut().insert(name.to_string(), value.clone()));
        self.settings.insert(name.to_string(), value);
    }

    fn show(&mut self, name: &str, sink: &mut dyn ResultSink) -> Result<String, PgError> {
        let rows: Vec<(String, String)> = if name == "all" {
            self.settings
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        } else {
            let value = self.settings.get(name).cloned().ok_or_else(|| {
                PgError::error(
                    code::UNDEFINED_OBJECT,
                    format!("unrecognized configuration parameter \"{name}\""),
                )
            })?;
            vec![(name.to_string(), value)]
        };
        let columns: Vec<Column> = if name == "all" {
            ["name", "setting"]
                .iter()
                .map(|n| Column {
                    name: n.to_string(),
                    type_oid: types::TEXT,
                    type_mod: -1,
                })
                .collect()
        } else {
            let shown = REPORTED_SETTINGS
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, s)| s.to_string())
                .unwrap_or_else(|| name.to_string());
            vec![Column {
                name: shown,
                type_oid: types::TEXT,
                type_mod: -1,
            }]
        };
        sink.describe(&columns)?;
        for (n, v) in &rows {
            let values: Vec<ValueRef<'_>> = if name == "all" {
                vec![ValueRef::Text(n.as_bytes()), ValueRef::Text(v.as_bytes())]
            } else {
                vec![ValueRef::Text(v.as_bytes())]
            };
            sink.row(&columns, &values)?;
        }
        Ok("SHOW".to_string())
    }

    fn run_sql(
        &mut self,
        t: &Translated,
        params: &Params<'_>,
        fixed: Option<&[Column]>,
        sink: &mut dyn ResultSink,
    ) -> Result<String, PgError> {
        let Command::Sql {
            catalogs, steps, ..
        } = &t.command
        else {
            unreachable!("run_sql is only called for Command::Sql");
        };
        if !steps.is_empty() {
            // All of the statement or none of it.
            return self.in_savepoint(|s| {
                let result = s
                    .run_steps(t, steps, params)
                    .and_then(|_| s.run_main(t, params, fixed, sink));
                s.drop_step_tables(steps)?;
                result
            });
        }
        self.ensure_catalogs(catalogs)?;
        if catalogs.contains(&"pg_cursors") {
            self.portals.borrow().publish();
        }
        self.run_main(t, params, fixed, sink)
    }

    /// Binds a statement's parameters and integer literals.
    fn bind_all(
        &self,
        stmt: &mut rusqlite::CachedStatement<'_>,
        t: &Translated,
        params: &Params<'_>,
    ) -> Result<(), PgError> {
        let sqlite_err = |e: rusqlite::Error| self.interrupt_or(errors::from_sqlite(&e));
        for (i, p) in params.values.iter().enumerate() {
            let Some(index) = stmt
                .parameter_index(&format!("${}", i + 1))
                .map_err(sqlite_err)?
            else {
                continue;
            };
            let type_oid = params.types.get(i).copied().unwrap_or(types::TEXT);
            let value = match p {
                Some(text) => bind_value(type_oid, text)?,
                None => ToSqlOutput::Borrowed(ValueRef::Null),
            };
            stmt.raw_bind_parameter(index, value).map_err(sqlite_err)?;
        }
        for (k, v) in t.literals.iter().enumerate() {
            if let Some(index) = stmt
                .parameter_index(&normalize::slot_name(k))
                .map_err(sqlite_err)?
            {
                stmt.raw_bind_parameter(index, *v).map_err(sqlite_err)?;
            }
        }
        Ok(())
    }

    /// The temporary tables of a statement's steps, empty; columns
    /// without a type, so that values keep their storage class.
    fn create_step_tables(&self, steps: &[dialect::Step]) -> Result<(), PgError> {
        for step in steps {
            let table = quote_ident(&step.table);
            let columns: Vec<String> = (0..step.width.max(1)).map(|i| format!("c{i}")).collect();
            self.sqlite_batch(&format!(
                "DROP TABLE IF EXISTS temp.{table}; CREATE TEMP TABLE {table} ({});",
                columns.join(", ")
            ))?;
        }
        Ok(())
    }

    fn drop_step_tables(&self, steps: &[dialect::Step]) -> Result<(), PgError> {
        let drops: Vec<String> = steps
            .iter()
            .map(|st| format!("DROP TABLE IF EXISTS temp.{};", quote_ident(&st.table)))
            .collect();
        self.sqlite_batch(&drops.concat())
    }

    /// Runs the data-modifying WITH queries of a statement in turn, each
    /// one's RETURNING rows into its temporary table.
    fn run_steps(
        &self,
        t: &Translated,
        steps: &[dialect::Step],
        params: &Params<'_>,
    ) -> Result<(), PgError> {
        let sqlite_err = |e: rusqlite::Error| self.interrupt_or(errors::from_sqlite(&e));
        self.create_step_tables(steps)?;
        for step in steps {
            let table = quote_ident(&step.table);
            if let Some(table) = &step.upsert {
                crate::upsert::begin(&self.conn, table)?;
            }
            let mut stmt = self.conn.prepare_cached(&step.sql).map_err(sqlite_err)?;
            self.bind_all(&mut stmt, t, params)?;
            if step.width == 0 {
                stmt.raw_execute().map_err(sqlite_err)?;
                continue;
            }
            let slots: Vec<String> = (1..=step.width).map(|i| format!("?{i}")).collect();
            let mut insert = self
                .conn
                .prepare(&format!(
                    "INSERT INTO temp.{table} VALUES ({})",
                    slots.join(", ")
                ))
                .map_err(sqlite_err)?;
            let mut rows = stmt.raw_query();
            while let Some(row) = rows.next().map_err(sqlite_err)? {
                for i in 0..step.width {
                    let v = row.get_ref(i).map_err(sqlite_err)?;
                    insert
                        .raw_bind_parameter(i + 1, ToSqlOutput::Borrowed(v))
                        .map_err(sqlite_err)?;
                }
                insert.raw_execute().map_err(sqlite_err)?;
            }
        }
        Ok(())
    }

    /// FOR UPDATE / SHARE: SQLite's write lock, taken through a write to
    /// `table` that changes nothing, held to the end of the transaction
    /// (analyze::locking). NOWAIT: 55P03 when another transaction has it.
    fn lock_for_update(&self, table: &str, nowait: bool) -> Result<(), PgError> {
        NO_WAIT.with(|n| n.set(nowait));
        let result = self
            .conn
            .prepare_cached(&format!("DELETE FROM {} WHERE 0", quote_ident(table)))
            .and_then(|mut s| s.execute([]));
        NO_WAIT.with(|n| n.set(false));
        match result {
            Ok(_) => Ok(()),
            Err(rusqlite::Error::SqliteFailure(f, _))
                if nowait && f.code == rusqlite::ErrorCode::DatabaseBusy =>
            {
                Err(PgError::error(
                    code::LOCK_NOT_AVAILABLE,
                    format!("could not obtain lock on row in relation \"{table}\""),
                ))
            }
            Err(e) => Err(self.interrupt_or(errors::from_sqlite(&e))),
        }
    }

    /// Runs a statement's SQL on SQLite, its rows to `sink`.
    fn run_main(
        &self,
        t: &Translated,
        params: &Params<'_>,
        fixed: Option<&[Column]>,
        sink: &mut dyn ResultSink,
    ) -> Result<String, PgError> {
        let Command::Sql {
            sql,
            column_types,
            column_names,
            ast,
            upsert,
            refusal,
            locks,
            nowait,
            ..
        } = &t.command
        else {
            unreachable!("run_main is only called for Command::Sql");
        };
        let tag = &t.tag;
        crate::partition::reset_rows();
        for table in locks {
            self.lock_for_update(table, *nowait)?;
        }
        if let Some(table) = upsert {
            crate::upsert::begin(&self.conn, table)?;
        }
        let sqlite_err = |e: rusqlite::Error| self.interrupt_or(errors::from_sqlite(&e));
        let mut stmt = self
            .conn
            .prepare_cached(sql)
            .map_err(|e| refused(sqlite_err(e), refusal))?;
        self.bind_all(&mut stmt, t, params)?;
        let column_count = visible_columns(t, stmt.column_count());
        if fixed.is_some_and(|f| f.len() != column_count) {
            // The table changed since the statement was prepared.
            return Err(PgError::error(
                code::FEATURE_NOT_SUPPORTED,
                "cached plan must not change result type",
            ));
        }
        // ALTER TABLE ADD COLUMN ... NOT NULL compiles to a program with a
        // result column (SQLite's check that the table is empty): no rows.
        let alter = matches!(tag, Tag::Fixed(t) if t.starts_with("ALTER "));
        if stmt.column_count() == 0 || alter {
            let changed = stmt.raw_execute().map_err(sqlite_err)?;
            // Rows written through a partitioned table's view are counted
            // by its triggers (SQLite's count has none of them).
            let changed = match crate::partition::rows() {
                0 => changed as u64,
                n => n,
            };
            return Ok(tag.render(changed));
        }
        // Names and declared types, before rows borrow the statement.
        let (mut columns, known) = match fixed {
            Some(f) => (f.to_vec(), vec![true; f.len()]),
            None => describe_columns(
                &self.conn,
                &stmt,
                column_types,
                column_names,
                ast,
                &t.inferred,
            ),
        };
        columns.truncate(column_count);
        let is_select = *tag == Tag::Select;
        let mut rows = stmt.raw_query();
        let mut count: u64 = 0;
        let mut described = false;
        loop {
            let row = match rows.next() {
                Ok(Some(row)) => row,
                Ok(None) => break,
                Err(e) => return Err(self.interrupt_or(errors::from_sqlite(&e))),
            };
            let mut values: Vec<ValueRef<'_>> = Vec::with_capacity(column_count);
            for i in 0..column_count {
                values.push(row.get_ref(i).map_err(|e| errors::from_sqlite(&e))?);
            }
            if !described {
                // Expression columns take their type from the first row.
                for (i, c) in columns.iter_mut().enumerate() {
                    if !known[i] {
                        c.type_oid = types::oid_for_value(values[i]);
                    }
                }
                sink.describe(&columns)?;
                described = true;
            }
            sink.row(&columns, &values)?;
            count += 1;
        }
        if !described {
            sink.describe(&columns)?;
        }
        drop(rows);
        let n = if is_select {
            count
        } else {
            // Rows written through a partitioned table's view are counted
            // by its triggers.
            match crate::partition::rows() {
                0 => self.conn.changes(),
                n => n,
            }
        };
        Ok(tag.render(n))
    }

    /// Types of parameters `$1..=$count` of a statement, from where they
    /// are used (None where nothing tells).
    pub fn parameter_types(&self, t: &Translated, count: usize) -> Vec<Option<u32>> {
        if let Some(types) = &t.param_types {
            return (0..count).map(|i| types.get(i).copied()).collect();
        }
        match &t.command {
            Command::Sql {
                ast: Some(ast),
                catalogs,
                ..
            } => {
                // The catalog views must exist for their column types to show.
                let _ = self.ensure_catalogs(catalogs);
                infer::parameter_types(ast, count, &SchemaCatalog(&self.conn))
            }
            _ => vec![None; count],
        }
    }

    /// The result columns a statement will have (None: it returns no rows),
    /// for Describe. Column types not known from the text or a declared
    /// type are reported as text.
    pub fn describe(&mut self, t: &Translated) -> Result<Option<Vec<Column>>, PgError> {
        match &t.command {
            Command::Show { name } => {
                let shown = REPORTED_SETTINGS
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, s)| s.to_string())
                    .unwrap_or_else(|| name.clone());
                Ok(Some(if name == "all" {
                    vec![
                        Column {
                            name: "name".into(),
                            type_oid: types::TEXT,
                            type_mod: -1,
                        },
                        Column {
                            name: "setting".into(),
                            type_oid: types::TEXT,
                            type_mod: -1,
                        },
                    ]
                } else {
                    vec![Column {
                        name: shown,
                        type_oid: types::TEXT,
                        type_mod: -1,
                    }]
                }))
            }
            Command::Sql { steps, .. } if !steps.is_empty() => {
                // The main statement reads the steps' tables: they exist
                // while it is described.
                self.in_savepoint(|s| {
                    s.create_step_tables(steps)?;
                    let mut t = t.clone();
                    if let Command::Sql { steps, .. } = &mut t.command {
                        steps.clear();
                    }
                    let columns = s.describe(&t);
                    s.drop_step_tables(steps)?;
                    columns
                })
            }
            Command::Sql {
                sql,
                column_types,
                column_names,
                ast,
                catalogs,
                refusal,
                ..
            } => {
                self.ensure_catalogs(catalogs)?;
                let stmt = self
                    .conn
                    .prepare_cached(sql)
                    .map_err(|e| refused(errors::from_sqlite(&e), refusal))?;
                if stmt.column_count() == 0 {
                    return Ok(None);
                }
                let mut columns = describe_columns(
                    &self.conn,
                    &stmt,
                    column_types,
                    column_names,
                    ast,
                    &t.inferred,
                )
                .0;
                columns.truncate(visible_columns(t, stmt.column_count()));
                Ok(Some(columns))
            }
            Command::ExecutePrepared(e) => {
                let (query, _) = self
                    .prepared
                    .get(&e.name)
                    .cloned()
                    .ok_or_else(|| undefined_prepared(&e.name))?;
                let translated = self.translate(&query)?;
                self.describe(&translated)
            }
            Command::Fetch(f) if !f.is_move => Ok(Some(
                self.portals
                    .borrow()
                    .columns(&f.name)
                    .ok_or_else(|| crate::portal::undefined(&f.name))?,
            )),
            _ => Ok(None),
        }
    }

    /// Creates the emulated catalog views a statement reads, once per
    /// session: `IF NOT EXISTS` statements inside a transaction block (a
    /// rollback may remove what they create), remembered once made in
    /// autocommit.
    fn ensure_catalogs(&self, catalogs: &[&'static str]) -> Result<(), PgError> {
        let mut made = self.catalogs_made.borrow_mut();
        let missing: Vec<&'static str> = catalogs
            .iter()
            .copied()
            .filter(|c| !made.contains(c))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let mut statements = Vec::new();
        for c in &missing {
            crate::catalog::view_statements(c, &mut statements);
        }
        for sql in statements {
            self.conn
                .execute_batch(&sql)
                .map_err(|e| errors::from_sqlite(&e))?;
        }
        if self.status == TransactionStatus::Idle && !self.implicit && self.conn.is_autocommit() {
            made.extend(missing);
        }
        Ok(())
    }

    /// A statement stopped by the progress handler reports the interrupt's own error.
    fn interrupt_or(&self, e: PgError) -> PgError {
        if e.code == code::QUERY_CANCELED {
            if let Some(pending) = self.interrupts.take() {
                return pending;
            }
        }
        e
    }
}

/// Parses a statement with PostgreSQL's grammar, then analyzes it into a
/// typed tree and generates its SQLite SQL; statements the analyzer does
/// not handle yet go to the older sqlparser translator (see
/// docs/ARCHITECTURE.md). A syntax error is always PostgreSQL's.
/// The result columns a client sees: a SELECT without columns (which
/// PostgreSQL allows) is generated with one that SQLite needs.
fn visible_columns(t: &Translated, sqlite_columns: usize) -> usize {
    match &t.command {
        Command::Sql { column_types, .. }
            if t.param_types.is_some() && t.tag == Tag::Select && column_types.is_empty() =>
        {
            0
        }
        _ => sqlite_columns,
    }
}

fn is_syntax_error(e: &PgError) -> bool {
    e.code == code::SYNTAX_ERROR && e.message.starts_with("syntax error at")
}

/// A syntax error for a statement PostgreSQL's grammar accepted is the
/// statement's refusal instead (see `Command::Sql::refusal`).
fn refused(e: PgError, refusal: &Option<PgError>) -> PgError {
    match refusal {
        Some(r) if is_syntax_error(&e) => r.clone(),
        _ => e,
    }
}

/// 25P02: a statement in a transaction block that an error failed.
fn in_failed_transaction() -> PgError {
    PgError::error(
        code::IN_FAILED_SQL_TRANSACTION,
        "current transaction is aborted, commands ignored until end of transaction block",
    )
}

pub fn translate_statement(
    text: &str,
    schema: &dyn analyze::Schema,
    literals: &[normalize::Literal],
) -> Result<(Translated, Option<Vec<bool>>), PgError> {
    translate_query(text, schema, literals, false)
}

/// [`translate_statement`]; `cursor`: the query of a DECLARE, whose rows
/// carry the rowids of its updatable tables (`Command::Sql::row_ids`).
/// The translation carries what the statement needs in privileges and
/// changes in ownership ([`crate::acl::Needs`]).
fn translate_query(
    text: &str,
    schema: &dyn analyze::Schema,
    literals: &[normalize::Literal],
    cursor: bool,
) -> Result<(Translated, Option<Vec<bool>>), PgError> {
    let stmts = pgparse::parse(text)?;
    if stmts.len() != 1 {
        return Ok((dialect::translate(text)?, None));
    }
    let (mut t, negated) = translate_parsed(&stmts, text, schema, literals, cursor)?;
    if let Some(node) = stmts[0].stmt.as_ref().and_then(|n| n.node.as_ref()) {
        use pg_query::protobuf::node::Node as N;
        let mut needs = crate::roles::needs(node, text);
        if t.needs.access.is_empty() {
            // The older translator's queries: what pg_query finds in them.
            let verb = match node {
                N::InsertStmt(_) => crate::acl::INSERT,
                N::UpdateStmt(_) => crate::acl::UPDATE,
                N::DeleteStmt(_) => crate::acl::DELETE,
                _ => 0,
            };
            // (Only the older translator's: the analyzer's list is complete.)
            let older = matches!(&t.command, Command::Sql { ast: Some(_), .. });
            let dml = older && (verb != 0 || matches!(node, N::SelectStmt(_)));
            if let (true, Ok(parsed)) = (dml, pg_query::parse(text, 0)) {
                for (name, privileges) in parsed
                    .select_tables()
                    .into_iter()
                    .map(|n| (n, crate::acl::SELECT))
                    .chain(parsed.dml_tables().into_iter().map(|n| (n, verb)))
                {
                    let relation = name.trim_start_matches("public.").to_string();
                    if schema.is_catalog(&relation) || privileges == 0 {
                        continue;
                    }
                    match needs.access.iter_mut().find(|a| a.relation == relation) {
                        Some(a) => a.privileges |= privileges,
                        None => needs
                            .access
                            .push(crate::acl::Access::new(relation, privileges)),
                    }
                }
            }
        } else {
            needs.access.append(&mut t.needs.access);
        }
        let lower = text.to_ascii_lowercase();
        needs.inquiry = lower.contains("_privilege") || lower.contains("pg_has_role");
        t.needs = needs;
    }
    Ok((t, negated))
}

fn translate_parsed(
    stmts: &[pg_query::protobuf::RawStmt],
    text: &str,
    schema: &dyn analyze::Schema,
    literals: &[normalize::Literal],
    cursor: bool,
) -> Result<(Translated, Option<Vec<bool>>), PgError> {
    analyze::check_column_types(&stmts[0], text)?;
    if let Some(node) = stmts[0].stmt.as_ref().and_then(|n| n.node.as_ref()) {
        use pg_query::protobuf::node::Node as N;
        let portal_command = match node {
            N::DeclareCursorStmt(d) => {
                crate::portal::declare(d, text).map(|d| (Command::Declare(d), "DECLARE CURSOR"))
            }
            N::FetchStmt(f) => {
                let f = crate::portal::fetch(f);
                let tag = if f.is_move { "MOVE" } else { "FETCH" };
                Some((Command::Fetch(f), tag))
            }
            N::ClosePortalStmt(c) => Some((
                Command::ClosePortal((!c.portalname.is_empty()).then(|| c.portalname.clone())),
                if c.portalname.is_empty() {
                    "CLOSE CURSOR ALL"
                } else {
                    "CLOSE CURSOR"
                },
            )),
            N::PrepareStmt(p) => {
                crate::portal::prepare(p, text).map(|p| (Command::Prepare(p), "PREPARE"))
            }
            N::ExecuteStmt(e) => match crate::portal::execute(e) {
                Some(e) => Some((Command::ExecutePrepared(e), "EXECUTE")),
                None => {
                    return Err(PgError::error(
                        code::FEATURE_NOT_SUPPORTED,
                        "EXECUTE with arguments other than constants is not supported",
                    ))
                }
            },
            N::DeallocateStmt(d) => Some((
                Command::Deallocate((!d.isall).then(|| d.name.clone())),
                if d.isall {
                    "DEALLOCATE ALL"
                } else {
                    "DEALLOCATE"
                },
            )),
            _ => None,
        };
        if let Some(t) = crate::roles::plan(node)? {
            return Ok((t, None));
        }
        if let Some((command, tag)) = portal_command {
            return Ok((
                Translated {
                    needs: Default::default(),
                    command,
                    tag: Tag::Fixed(tag.to_string()),
                    inferred: Default::default(),
                    param_types: Some(Vec::new()),
                    literals: Vec::new(),
                },
                None,
            ));
        }
        if let Some(plan) = crate::ddl::plan(node, text, schema)? {
            let tag = Tag::Fixed(plan.tag.to_string());
            return Ok((
                Translated {
                    needs: Default::default(),
                    command: Command::Ddl(plan),
                    tag,
                    inferred: Default::default(),
                    param_types: Some(Vec::new()),
                    literals: Vec::new(),
                },
                None,
            ));
        }
        // The older translator would alter or index the view of a
        // partitioned table, not its partitions.
        // ALTER TABLE of a partitioned table (recursing to its
        // partitions), or with several commands (one after the other).
        if let N::AlterTableStmt(a) = node {
            let table = a.objtype == pg_query::protobuf::ObjectType::ObjectTable as i32;
            if let Some(rv) = a
                .relation
                .as_ref()
                .filter(|rv| table && (schema.partitioned(&rv.relname) || a.cmds.len() > 1))
            {
                return Ok((
                    Translated {
                        needs: Default::default(),
                        command: Command::Ddl(crate::ddl::Plan {
                            sequences: Vec::new(),
                            sql: None,
                            fill: None,
                            tag: "ALTER TABLE",
                            skip_if_exists: None,
                            partition: Some(crate::partition::Action::Alter {
                                table: rv.relname.clone(),
                                stmt: Box::new(a.clone()),
                            }),
                            set_default: None,
                            notice: None,
                            view_reads: None,
                        }),
                        tag: Tag::Fixed("ALTER TABLE".into()),
                        inferred: Default::default(),
                        param_types: Some(Vec::new()),
                        literals: Vec::new(),
                    },
                    None,
                ));
            }
        }
        let partitioned_target = match node {
            N::AlterTableStmt(a) => a.relation.as_ref().map(|r| (r, "ALTER TABLE")),
            N::IndexStmt(i) => i.relation.as_ref().map(|r| (r, "CREATE INDEX")),
            N::RenameStmt(r) => r.relation.as_ref().map(|r| (r, "ALTER TABLE RENAME")),
            _ => None,
        };
        if let Some((rv, what)) = partitioned_target {
            if schema.partitioned(&rv.relname) {
                return Err(PgError::error(
                    code::FEATURE_NOT_SUPPORTED,
                    format!("{what} on a partitioned table is not supported"),
                ));
            }
        }
    }
    let (analysis, param_types, negated, accesses) =
        analyze::analyze_with_literals(&stmts[0], text, schema, literals)?;
    let query = match analysis {
        analyze::Analysis::Query(q) => q,
        analyze::Analysis::Unsupported(reason, missing) => {
            // The older translator knows nothing of partitioned tables: it
            // would see their view (hidden columns, no UPSERT).
            use pg_query::protobuf::node::Node as N;
            let dml = matches!(
                stmts[0].stmt.as_ref().and_then(|n| n.node.as_ref()),
                Some(
                    N::SelectStmt(_)
                        | N::InsertStmt(_)
                        | N::UpdateStmt(_)
                        | N::DeleteStmt(_)
                        | N::CopyStmt(_)
                )
            );
            if let Some(parsed) = dml.then(|| pg_query::parse(text, 0).ok()).flatten() {
                if let Some(t) = parsed
                    .tables()
                    .iter()
                    .find(|t| schema.partitioned(t.trim_start_matches("public.")))
                {
                    return Err(PgError::error(
                        code::FEATURE_NOT_SUPPORTED,
                        format!(
                            "{} is not supported on partitioned table \"{}\"",
                            statement_kind(&stmts[0], &reason),
                            t.trim_start_matches("public.")
                        ),
                    ));
                }
            }
            log::debug!("left to the sqlparser translator ({reason}): {text}");
            // PostgreSQL's grammar accepted the statement: sqlparser's (or
            // SQLite's) syntax error would be wrong. What we cannot run is
            // refused.
            let refusal = missing.unwrap_or_else(|| {
                PgError::error(
                    code::FEATURE_NOT_SUPPORTED,
                    format!("{} is not supported", statement_kind(&stmts[0], &reason)),
                )
            });
            let mut t = dialect::translate(text).map_err(|e| {
                if is_syntax_error(&e) {
                    refusal.clone()
                } else {
                    e
                }
            })?;
            if let Command::Sql { refusal: r, .. } = &mut t.command {
                *r = Some(refusal);
            }
            // What neither the analyzer nor sqlparser understood would go
            // to SQLite as written and get SQLite's meaning: refuse it.
            if matches!(t.command, Command::Sql { ast: None, .. }) {
                return Err(PgError::error(
                    code::FEATURE_NOT_SUPPORTED,
                    format!("{} is not supported", statement_kind(&stmts[0], &reason)),
                ));
            }
            // A query of the user's tables that the analyzer declined would
            // get SQLite's meaning from the older translator (its types,
            // NULL order, integer arithmetic): refused. That translator
            // stays for the emulated catalogs that tools query.
            if let Command::Sql {
                refusal: Some(r),
                catalogs,
                ast: Some(ast),
                ..
            } = &t.command
            {
                let mut reads_tables = false;
                let _ = sqlparser::ast::visit_relations(&**ast, |_| {
                    reads_tables = true;
                    std::ops::ControlFlow::<()>::Break(())
                });
                // (Tables with columns of types the analyzer does not know
                // yet, uuid or jsonb, stay with that translator for now.)
                let unknown_types = reason == "column of a type the analyzer does not know";
                if dml && catalogs.is_empty() && reads_tables && !unknown_types {
                    return Err(r.clone());
                }
            }
            return Ok((t, None));
        }
    };
    let (steps, query) = match *query {
        analyze::Query::Steps { steps, body } => (steps, body),
        q => (Vec::new(), Box::new(q)),
    };
    let steps = steps
        .iter()
        .map(|s| dialect::Step {
            sql: generate::query(&s.query),
            table: s.table.clone(),
            width: s.width,
            upsert: generate::upsert_table(&s.query).map(str::to_string),
        })
        .collect();
    // A cursor's rows carry the rowids WHERE CURRENT OF reads.
    let mut query = query;
    let mut row_ids = Vec::new();
    if cursor {
        if let analyze::Query::Select(s) = &mut *query {
            row_ids = s.add_row_ids(&|t: &str| {
                schema.relation(t).is_some() && !schema.is_view(t) && !schema.partitioned(t)
            });
        }
    }
    let locks: Vec<String> = query
        .locked_tables()
        .into_iter()
        .filter(|t| !schema.is_view(t))
        .collect();
    let sql = generate::query(&query);
    let columns = query.columns();
    let mut body = &*query;
    while let analyze::Query::With { body: b, .. } = body {
        body = b;
    }
    use pg_query::protobuf::node::Node as N;
    let tag = match (body, stmts[0].stmt.as_ref().and_then(|n| n.node.as_ref())) {
        // RETURNING computed after the statement's steps (analyze's
        // returning_through_steps) is still the statement's.
        (_, Some(N::UpdateStmt(_))) => Tag::Update,
        (_, Some(N::DeleteStmt(_))) => Tag::Delete,
        (analyze::Query::Select(_), _) => Tag::Select,
        (analyze::Query::Insert { .. }, _) => Tag::Insert,
        (analyze::Query::Update { .. }, _) => Tag::Update,
        (analyze::Query::Delete { .. }, _) => Tag::Delete,
        (analyze::Query::With { .. } | analyze::Query::Steps { .. }, _) => {
            unreachable!("unwrapped above")
        }
    };
    // Literals the analysis kept as values are bound too (unused); the
    // translation serves other values only when every literal is bound.
    let flags: Vec<bool> = negated.iter().map(|n| n.unwrap_or(false)).collect();
    let bound = bound_literals(literals, &flags);
    let negated: Option<Vec<bool>> = negated.into_iter().collect();
    let negated = negated.filter(|n| !n.is_empty());
    let t = Translated {
        needs: crate::acl::Needs {
            access: accesses,
            ..Default::default()
        },
        command: Command::Sql {
            sql,
            column_types: columns.iter().map(|c| Some(c.1)).collect(),
            column_names: columns.iter().map(|c| Some(c.0.clone())).collect(),
            ast: None,
            catalogs: Vec::new(),
            steps,
            upsert: generate::upsert_table(&query).map(str::to_string),
            refusal: None,
            locks,
            nowait: query.lock_nowait(),
            row_ids,
        },
        tag,
        inferred: Default::default(),
        param_types: Some(param_types),
        literals: bound,
    };
    Ok((t, negated))
}

/// The values to bind for a statement's integer literals.
fn bound_literals(literals: &[normalize::Literal], negated: &[bool]) -> Vec<i64> {
    literals
        .iter()
        .zip(negated)
        .map(|(l, &neg)| if neg { -l.value } else { l.value })
        .collect()
}

/// How an unsupported statement is named in its 0A000 error: the
/// analyzer's reason for the statements it handles, else the statement's
/// leading keywords (`CREATE TYPE`).
fn statement_kind(stmt: &pg_query::protobuf::RawStmt, reason: &str) -> String {
    use pg_query::protobuf::node::Node as N;
    match stmt.stmt.as_ref().and_then(|n| n.node.as_ref()) {
        Some(N::SelectStmt(_) | N::InsertStmt(_) | N::UpdateStmt(_) | N::DeleteStmt(_)) => {
            reason.to_string()
        }
        Some(other) => {
            let debug = format!("{other:?}");
            let kind = debug.split('(').next().unwrap_or("statement");
            // PostgreSQL's own words where the node's name is not them.
            let named = match kind {
                "VariableSetStmt" => Some("SET"),
                "VariableShowStmt" => Some("SHOW"),
                "ViewStmt" => Some("CREATE VIEW"),
                "RuleStmt" => Some("CREATE RULE"),
                "CreateTrigStmt" => Some("CREATE TRIGGER"),
                "CreateFunctionStmt" => Some("CREATE FUNCTION"),
                "DefineStmt" => Some("CREATE AGGREGATE / OPERATOR / TYPE"),
                "CompositeTypeStmt" | "CreateEnumStmt" | "CreateRangeStmt" => Some("CREATE TYPE"),
                "CreateDomainStmt" => Some("CREATE DOMAIN"),
                "GrantStmt" => Some("GRANT / REVOKE"),
                "GrantRoleStmt" => Some("GRANT / REVOKE of a role"),
                "DropStmt" => Some("DROP"),
                "CreateTableAsStmt" => Some("CREATE TABLE AS"),
                _ => None,
            };
            if let Some(words) = named {
                return format!("this form of {words}");
            }
            // CreateStmt -> "CREATE statement of this form"
            let words: Vec<String> =
                kind.trim_end_matches("Stmt")
                    .chars()
                    .fold(Vec::new(), |mut w: Vec<String>, c| {
                        if c.is_uppercase() || w.is_empty() {
                            w.push(c.to_uppercase().to_string());
                        } else if let Some(last) = w.last_mut() {
                            last.extend(c.to_uppercase());
                        }
                        w
                    });
            format!("this form of {}", words.join(" "))
        }
        None => "statement".to_string(),
    }
}

/// The session's SQLite schema as a catalog for type inference.
pub(crate) struct SchemaCatalog<'a>(&'a Connection);

impl SchemaCatalog<'_> {
    /// The table holding `table`'s column definitions: a partitioned
    /// table's `pm$` table, else the table itself.
    fn definition_table(&self, table: &str) -> String {
        if analyze::Schema::partitioned(self, table) {
            crate::partition::shadow(table)
        } else {
            table.to_string()
        }
    }
}

impl analyze::Schema for SchemaCatalog<'_> {
    fn relation(&self, name: &str) -> Option<Vec<analyze::ColumnDef>> {
        let sql = format!("SELECT * FROM {}", utility::quote_ident(name));
        let mut stmt = self.0.prepare_cached(&sql).ok()?;
        if stmt.columns().any(|c| c.decl_type().is_none()) {
            // A view's columns are typed by its table (ddl::create_view).
            let shape = format!("{}{name}", crate::ddl::VIEW_SHAPE);
            let sql = format!("SELECT * FROM {}", utility::quote_ident(&shape));
            if let Ok(s) = self.0.prepare_cached(&sql) {
                stmt = s;
            }
        }
        Some(
            stmt.columns()
                .filter(|c| !c.name().starts_with("pm$"))
                .map(|c| {
                    let declared = c.decl_type().unwrap_or("");
                    analyze::ColumnDef {
                        name: c.name().to_string(),
                        type_oid: if declared.is_empty() {
                            0
                        } else {
                            types::oid_for_type_name(declared)
                        },
                        // Bare `char` / `character` is char(1).
                        typmod: match declared.trim().to_ascii_lowercase().as_str() {
                            "char" | "character" => 5,
                            _ => types::type_modifier(declared),
                        },
                    }
                })
                .collect(),
        )
    }

    fn is_catalog(&self, name: &str) -> bool {
        crate::catalog::is_catalog(name)
    }

    fn not_null(&self, table: &str, column: &str) -> bool {
        let table = self.definition_table(table);
        let Ok(mut stmt) = self
            .0
            .prepare_cached("SELECT \"notnull\" FROM pragma_table_info(?1) WHERE name = ?2")
        else {
            return false;
        };
        stmt.query_row([table.as_str(), column], |r| r.get::<_, i64>(0))
            .is_ok_and(|n| n != 0)
    }

    /// A partitioned table's view has the hidden leaf column.
    fn is_view(&self, name: &str) -> bool {
        self.0
            .query_row(
                "SELECT 1 FROM (SELECT type, name FROM temp.sqlite_schema UNION ALL \
                   SELECT type, name FROM main.sqlite_schema) WHERE type = 'view' AND name = ?1",
                [name],
                |_| Ok(()),
            )
            .is_ok()
    }

    fn is_typed_view(&self, name: &str) -> bool {
        let shape = format!("{}{name}", crate::ddl::VIEW_SHAPE);
        self.0
            .prepare_cached(&format!("SELECT * FROM {}", utility::quote_ident(&shape)))
            .is_ok()
    }

    /// A view (sqlite3_table_column_metadata refuses views; it reads the
    /// schema as a prepare does) that is neither ours nor a partitioned
    /// table's.
    fn is_legacy_view(&self, name: &str) -> bool {
        let sql = format!("SELECT * FROM {}", utility::quote_ident(name));
        let Ok(stmt) = self.0.prepare_cached(&sql) else {
            return false;
        };
        let Some(first) = stmt.column_names().next().map(|c| c.to_string()) else {
            return false;
        };
        drop(stmt);
        self.0.column_metadata(None, name, first.as_str()).is_err()
            && !analyze::Schema::is_typed_view(self, name)
            && !analyze::Schema::partitioned(self, name)
    }

    fn view_sql(&self, name: &str) -> Option<String> {
        self.0
            .query_row(
                "SELECT sql FROM (SELECT type, name, sql FROM temp.sqlite_schema UNION ALL \
                   SELECT type, name, sql FROM main.sqlite_schema) WHERE type = 'view' AND name = ?1",
                [name],
                |r| r.get(0),
            )
            .ok()
    }

    /// Found as a prepare finds it (see `is_typed_view`).
    fn is_temp(&self, name: &str) -> bool {
        self.0
            .prepare_cached(&format!(
                "SELECT * FROM temp.{}",
                utility::quote_ident(name)
            ))
            .is_ok()
    }

    fn partitioned(&self, name: &str) -> bool {
        let sql = format!("SELECT * FROM {}", utility::quote_ident(name));
        let Ok(stmt) = self.0.prepare_cached(&sql) else {
            return false;
        };
        let found = stmt
            .column_names()
            .into_iter()
            .any(|c| c == crate::partition::LEAF);
        found
    }

    /// From the declared type ([`types::IDENTITY_ALWAYS_MARK`]), which a
    /// prepare reads without a read transaction.
    fn identity_always(&self, table: &str, column: &str) -> bool {
        let sql = format!("SELECT * FROM {}", utility::quote_ident(table));
        let Ok(stmt) = self.0.prepare_cached(&sql) else {
            return false;
        };
        let found = stmt.columns().into_iter().any(|c| {
            c.name() == column
                && c.decl_type()
                    .is_some_and(|d| d.ends_with(types::IDENTITY_ALWAYS_MARK))
        });
        found
    }

    /// Read from pragma_table_info: only for an explicit DEFAULT (a read,
    /// which in a transaction block takes its snapshot).
    fn column_default(&self, table: &str, column: &str) -> Option<String> {
        let table = self.definition_table(table);
        let mut stmt = self
            .0
            .prepare_cached("SELECT dflt_value FROM pragma_table_info(?1) WHERE name = ?2")
            .ok()?;
        stmt.query_row([table.as_str(), column], |r| r.get::<_, Option<String>>(0))
            .ok()
            .flatten()
    }

    /// From sqlite3_table_column_metadata, which reads the schema as a
    /// prepare does (no read transaction).
    fn primary_key(&self, name: &str) -> Vec<String> {
        let Some(columns) = analyze::Schema::relation(self, name) else {
            return Vec::new();
        };
        columns
            .into_iter()
            .filter(|c| {
                self.0
                    .column_metadata(None, name, c.name.as_str())
                    .is_ok_and(|m| m.3)
            })
            .map(|c| c.name)
            .collect()
    }
}

impl infer::Catalog for SchemaCatalog<'_> {
    /// A table's columns and declared types, from a prepared (never run)
    /// `SELECT *`: preparing reads the schema without starting a read
    /// transaction, so a later write in the same transaction cannot fail
    /// on a snapshot this lookup took (SQLITE_BUSY_SNAPSHOT).
    fn columns(&self, table: &str) -> Vec<(String, u32)> {
        let sql = format!("SELECT * FROM {}", utility::quote_ident(table));
        // Cached: a schema change anywhere flushes the cache (see
        // `Session::forget_stale_schema`).
        let Ok(stmt) = self.0.prepare_cached(&sql) else {
            return Vec::new();
        };
        let is_catalog = crate::catalog::is_catalog(table);
        stmt.columns()
            .map(|c| {
                let declared = types::oid_for_type_name(c.decl_type().unwrap_or(""));
                let oid = match is_catalog {
                    true => crate::catalog::column_type(c.name()).unwrap_or(declared),
                    false => declared,
                };
                (c.name().to_string(), oid)
            })
            .collect()
    }
}

/// Parameters of an extended-protocol execution: their text values and the
/// types they were declared or inferred with.
#[derive(Debug, Default, Clone, Copy)]
pub struct Params<'a> {
    pub values: &'a [Option<String>],
    pub types: &'a [u32],
}

/// A parameter's text bound as the SQLite value of its type, so that
/// comparisons and arithmetic see numbers, as PostgreSQL does.
fn bind_value(type_oid: u32, text: &str) -> Result<ToSqlOutput<'_>, PgError> {
    use rusqlite::types::Value;
    let invalid = |type_name: &str| {
        PgError::error(
            code::INVALID_TEXT_REPRESENTATION,
            format!("invalid input syntax for type {type_name}: \"{text}\""),
        )
    };
    let t = text.trim();
    Ok(match type_oid {
        types::INT2 | types::INT4 | types::INT8 | types::OID => {
            let name = match type_oid {
                types::INT2 => "smallint",
                types::INT8 => "bigint",
                types::OID => "oid",
                _ => "integer",
            };
            ToSqlOutput::Owned(Value::Integer(t.parse().map_err(|_| invalid(name))?))
        }
        // numeric parameters keep every digit: the validated decimal text.
        types::NUMERIC => match crate::numeric::Numeric::parse(t) {
            Some(n) => ToSqlOutput::Owned(Value::Text(n.to_text())),
            None => return Err(invalid("numeric")),
        },
        types::FLOAT4 | types::FLOAT8 => {
            let name = match type_oid {
                types::FLOAT4 => "real",
                types::FLOAT8 => "double precision",
                _ => "numeric",
            };
            match t.parse::<i64>() {
                Ok(i) if type_oid == types::NUMERIC => ToSqlOutput::Owned(Value::Integer(i)),
                _ => match t.to_ascii_lowercase().as_str() {
                    // NaN is stored as text (a NaN double is NULL to SQLite).
                    "nan" => ToSqlOutput::Owned(Value::Text("NaN".into())),
                    "infinity" | "inf" => ToSqlOutput::Owned(Value::Real(f64::INFINITY)),
                    "-infinity" | "-inf" => ToSqlOutput::Owned(Value::Real(f64::NEG_INFINITY)),
                    _ => ToSqlOutput::Owned(Value::Real(t.parse().map_err(|_| invalid(name))?)),
                },
            }
        }
        types::BOOL => ToSqlOutput::Owned(Value::Integer(
            types::parse_bool(t).ok_or_else(|| invalid("boolean"))? as i64,
        )),
        types::BYTEA => ToSqlOutput::Owned(Value::Blob(
            datetime::parse_bytea(text).ok_or_else(|| invalid("bytea"))?,
        )),
        // Stored in the canonical text PostgreSQL prints, so that equal
        // values compare equal in SQLite and read back as PostgreSQL's.
        types::INTERVAL | types::TIME | types::TIMESTAMPTZ | types::UUID => ToSqlOutput::Owned(
            Value::Text(types::canonical_text(type_oid, t).ok_or_else(|| {
                let err = invalid(types::format_type(type_oid, -1).as_str());
                if type_oid == types::UUID {
                    err
                } else {
                    PgError {
                        code: code::INVALID_DATETIME_FORMAT,
                        ..err
                    }
                }
            })?),
        ),
        // An array parameter: validated and stored as array_in reads it.
        oid if types::element_of(oid).is_some_and(crate::array::supported_element) => {
            let elem = types::element_of(oid).unwrap_or(types::TEXT);
            ToSqlOutput::Owned(Value::Text(crate::array::input(elem, text, -1)?))
        }
        _ => ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes())),
    })
}

/// Columns of a prepared statement: name and type (from the query text, else
/// the declared column type, else inferred from the schema, else text), and
/// whether the type is known.
fn describe_columns(
    conn: &Connection,
    stmt: &rusqlite::Statement<'_>,
    column_types: &[Option<u32>],
    column_names: &[Option<String>],
    ast: &Option<Arc<sqlparser::ast::Statement>>,
    inferred: &std::sync::OnceLock<Option<Vec<Option<u32>>>>,
) -> (Vec<Column>, Vec<bool>) {
    let mut columns = Vec::with_capacity(stmt.column_count());
    let mut known = Vec::with_capacity(stmt.column_count());
    for (i, c) in stmt.columns().enumerate() {
        let mut hint = column_types.get(i).copied().flatten();
        let declared = c.decl_type().map(types::oid_for_type_name);
        if hint.is_none() && declared.is_none() {
            if let Some(ast) = ast {
                // Once per translation: the schema is read the first time.
                let types = inferred.get_or_init(|| {
                    infer::result_types(ast, &SchemaCatalog(conn))
                        .filter(|t| t.len() == stmt.column_count())
                });
                hint = types.as_ref().and_then(|t| t.get(i).copied().flatten());
            }
        }
        known.push(hint.is_some() || declared.is_some());
        let name = column_names
            .get(i)
            .cloned()
            .flatten()
            .unwrap_or_else(|| c.name().to_string());
        let type_oid = hint.or(declared).unwrap_or(types::TEXT);
        let type_mod = match (declared, c.decl_type()) {
            (Some(d), Some(text)) if d == type_oid => types::type_modifier(text),
            _ => -1,
        };
        columns.push(Column {
            name,
            type_oid,
            type_mod,
        });
    }
    (columns, known)
}

/// current_setting(name [, missing_ok]) and set_config(name, value,
/// is_local). set_config's change takes effect for the session once the
/// statement succeeds (is_local is treated as false: no setting here is
/// transaction-scoped).
fn register_setting_functions(conn: &Connection) -> rusqlite::Result<()> {
    let volatile = FunctionFlags::SQLITE_UTF8;
    let unrecognized = |name: &str| {
        user_error(PgError::error(
            code::UNDEFINED_OBJECT,
            format!("unrecognized configuration parameter \"{name}\""),
        ))
    };
    for args in [1, 2] {
        conn.create_scalar_function("current_setting", args, volatile, move |ctx| {
            let name = ctx.get::<String>(0)?.to_ascii_lowercase();
            let missing_ok = args == 2 && ctx.get::<Option<bool>>(1)?.unwrap_or(false);
            match SQL_SETTINGS.with(|s| s.borrow().get(&name).cloned()) {
                Some(v) => Ok(Some(v)),
                None if missing_ok => Ok(None),
                None => Err(unrecognized(&name)),
            }
        })?;
    }
    conn.create_scalar_function("set_config", 3, volatile, move |ctx| {
        let name = ctx.get::<String>(0)?.to_ascii_lowercase();
        let value = ctx.get::<Option<String>>(1)?.unwrap_or_default();
        let known = SQL_SETTINGS.with(|s| s.borrow().contains_key(&name));
        if !SESSION_SETTINGS.contains(&name.as_str()) && !name.contains('.') {
            return Err(if known {
                user_error(PgError::error(
                    code::CANT_CHANGE_RUNTIME_PARAM,
                    format!("parameter \"{name}\" cannot be changed now"),
                ))
            } else {
                unrecognized(&name)
            });
        }
        SQL_SETTINGS.with(|s| s.borrow_mut().insert(name.clone(), value.clone()));
        SET_CONFIG_REQUESTS.with(|r| r.borrow_mut().push((name, value.clone())));
        Ok(value)
    })
}

/// nextval, currval, setval, lastval and pg_get_serial_sequence over the
/// session's [`crate::sequence::Sequences`].
/// current_user and session_user: who runs the statement now.
fn register_identity_functions(
    conn: &Connection,
    privileges: &crate::acl::Shared,
) -> rusqlite::Result<()> {
    let volatile = FunctionFlags::SQLITE_UTF8;
    for (name, session) in [("current_user", false), ("session_user", true)] {
        let p = privileges.clone();
        conn.create_scalar_function(name, 0, volatile, move |_| {
            let state = p.lock().unwrap_or_else(|p| p.into_inner());
            Ok(if session {
                state.who.session_name.clone()
            } else {
                state.who.current_name.clone()
            })
        })?;
    }
    Ok(())
}

/// pm_has_privilege(kind, role, object, privileges): the has_*_privilege
/// functions ([`crate::acl::State::inquire`]).
fn register_inquiry_function(
    conn: &Connection,
    privileges: &crate::acl::Shared,
) -> rusqlite::Result<()> {
    let p = privileges.clone();
    conn.create_scalar_function(
        "pm_has_privilege",
        4,
        FunctionFlags::SQLITE_UTF8,
        move |ctx| {
            use rusqlite::types::ValueRef;
            let kind: String = ctx.get(0)?;
            let role = ctx.get_raw(1);
            let (Some(object), Some(privileges)) =
                (ctx.get::<Option<String>>(2)?, ctx.get::<Option<String>>(3)?)
            else {
                return Ok(None);
            };
            let text;
            let role = match role {
                ValueRef::Null => return Ok(None),
                ValueRef::Integer(oid) => crate::acl::RoleArg::Oid(oid),
                _ => {
                    text = ctx.get::<String>(1)?;
                    crate::acl::RoleArg::Name(&text)
                }
            };
            let state = p.lock().unwrap_or_else(|p| p.into_inner());
            state
                .inquire(&kind, Some(role), &object, &privileges)
                .map(Some)
                .map_err(user_error)
        },
    )
}

fn register_sequence_functions(
    conn: &Connection,
    sequences: &Arc<std::sync::Mutex<crate::sequence::Sequences>>,
    privileges: &crate::acl::Shared,
) -> rusqlite::Result<()> {
    use crate::acl::{SELECT, UPDATE, USAGE};
    use crate::sequence::regclass_name;
    let volatile = FunctionFlags::SQLITE_UTF8;
    // Each checks the privileges its PostgreSQL function checks (any of).
    let check = {
        let p = privileges.clone();
        move |name: &str, any_of: u16, exists: &mut dyn FnMut() -> bool| {
            let state = p.lock().unwrap_or_else(|p| p.into_inner());
            if state.who.superuser || !exists() {
                return Ok(());
            }
            state.check_sequence(name, any_of).map_err(user_error)
        }
    };
    let seq = sequences.clone();
    let ok = check.clone();
    conn.create_scalar_function("pg_nextval", 1, volatile, move |ctx| {
        let Some(name) = ctx.get::<Option<String>>(0)? else {
            return Ok(None);
        };
        let name = regclass_name(&name);
        let mut s = seq.lock().unwrap_or_else(|p| p.into_inner());
        ok(&name, USAGE | UPDATE, &mut || {
            s.exists(&name).unwrap_or(false)
        })?;
        s.nextval(&name).map(Some).map_err(user_error)
    })?;
    let seq = sequences.clone();
    let ok = check.clone();
    conn.create_scalar_function("pg_currval", 1, volatile, move |ctx| {
        let Some(name) = ctx.get::<Option<String>>(0)? else {
            return Ok(None);
        };
        let name = regclass_name(&name);
        let mut s = seq.lock().unwrap_or_else(|p| p.into_inner());
        ok(&name, SELECT | USAGE, &mut || {
            s.exists(&name).unwrap_or(false)
        })?;
        s.currval(&name).map(Some).map_err(user_error)
    })?;
    let seq = sequences.clone();
    let ok = check.clone();
    conn.create_scalar_function("pg_setval", 3, volatile, move |ctx| {
        let (Some(name), Some(value)) = (ctx.get::<Option<String>>(0)?, ctx.get::<Option<i64>>(1)?)
        else {
            return Ok(None);
        };
        let called = ctx.get::<Option<bool>>(2)?.unwrap_or(true);
        let name = regclass_name(&name);
        let mut s = seq.lock().unwrap_or_else(|p| p.into_inner());
        ok(&name, UPDATE, &mut || s.exists(&name).unwrap_or(false))?;
        s.setval(&name, value, called).map(Some).map_err(user_error)
    })?;
    let seq = sequences.clone();
    let ok = check;
    conn.create_scalar_function("pg_lastval", 0, volatile, move |_| {
        let mut s = seq.lock().unwrap_or_else(|p| p.into_inner());
        let value = s.lastval().map_err(user_error)?;
        if let Some(name) = s.last_name() {
            ok(&name, SELECT | USAGE, &mut || true)?;
        }
        Ok(value)
    })?;
    let seq = sequences.clone();
    conn.create_scalar_function("pg_get_serial_sequence", 2, volatile, move |ctx| {
        let (Some(table), Some(column)) =
            (ctx.get::<Option<String>>(0)?, ctx.get::<Option<String>>(1)?)
        else {
            return Ok(None);
        };
        let mut s = seq.lock().unwrap_or_else(|p| p.into_inner());
        s.owned_sequence(&regclass_name(&table), &column)
            .map(|o| o.map(|name| format!("public.{name}")))
            .map_err(user_error)
    })?;
    Ok(())
}

fn register_functions(
    conn: &Connection,
    opts: &SessionOptions<'_>,
    interrupts: Arc<TimedInterrupts>,
    xact_start_us: Arc<AtomicI64>,
) -> rusqlite::Result<()> {
    let deterministic = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    let volatile = FunctionFlags::SQLITE_UTF8;
    let version = format!(
        "PostgreSQL {} (postmaster {}) on {}-pc-linux-gnu, compiled by rustc, 64-bit",
        crate::SERVER_VERSION,
        env!("CARGO_PKG_VERSION"),
        std::env::consts::ARCH
    );
    conn.create_scalar_function("version", 0, deterministic, move |_| Ok(version.clone()))?;
    let pid = opts.backend_pid;
    conn.create_scalar_function("pg_backend_pid", 0, deterministic, move |_| Ok(pid))?;
    register_setting_functions(conn)?;
    adt::register(conn)?;
    crate::interval::register(conn)?;
    crate::partition::register(conn)?;
    crate::upsert::register(conn)?;
    crate::ordered_set::register(conn)?;
    crate::portal::register(conn)?;
    crate::array::register(conn)?;
    crate::timetz::register(conn)?;
    if opts.debug_allow_panic {
        conn.create_scalar_function("pg_debug_panic", 1, volatile, |ctx| {
            let message: String = ctx.get(0)?;
            PANIC_REQUEST.with(|p| *p.borrow_mut() = Some(message));
            Err::<i32, _>(rusqlite::Error::UserFunctionError(
                "backend panic requested".into(),
            ))
        })?;
    }
    let database = opts.database.to_string();
    conn.create_scalar_function("current_database", 0, deterministic, move |_| {
        Ok(database.clone())
    })?;
    conn.create_scalar_function("current_schema", 0, deterministic, |_| Ok("public"))?;
    crate::catalog::register_functions(conn, opts.data_dir.to_path_buf())?;
    rusqlite::vtab::series::load_module(conn)?;
    let xact = xact_start_us.clone();
    let now = move |_: &mut Context<'_>| Ok(format_timestamptz(xact.load(Ordering::Relaxed)));
    conn.create_scalar_function("now", 0, volatile, now.clone())?;
    conn.create_scalar_function("transaction_timestamp", 0, volatile, now)?;
    conn.create_scalar_function("statement_timestamp", 0, volatile, |_| {
        Ok(format_timestamptz(now_us()))
    })?;
    conn.create_scalar_function("clock_timestamp", 0, volatile, |_| {
        Ok(format_timestamptz(now_us()))
    })?;
    for (name, terminate) in [("pg_cancel_backend", false), ("pg_terminate_backend", true)] {
        let ints = interrupts.clone();
        conn.create_scalar_function(name, 1, volatile, move |ctx| {
            let Some(pid) = ctx.get::<Option<i64>>(0)? else {
                return Ok(None);
            };
            let found = i32::try_from(pid).is_ok_and(|p| ints.signal_backend(p, terminate));
            if !found {
                NOTICES.with(|n| {
                    n.borrow_mut().push(PgError::new(
                        Severity::Warning,
                        code::SUCCESSFUL_COMPLETION,
                        format!("PID {pid} is not a PostgreSQL backend process"),
                    ))
                });
            }
            Ok(Some(found))
        })?;
    }
    let ints = interrupts.clone();
    conn.create_scalar_function("pg_reload_conf", 0, volatile, move |_| {
        Ok(ints.reload_config())
    })?;
    let hooks = opts.interrupts.clone();
    conn.create_scalar_function("pm_stat_activity", 0, volatile, move |_| {
        Ok(hooks.activity_json())
    })?;
    let hooks = opts.interrupts.clone();
    conn.create_scalar_function("pm_stat_database", 2, volatile, move |ctx| {
        let oid = ctx.get::<Option<i64>>(0)?.unwrap_or(0);
        let (backends, commits, rollbacks) = hooks.database_stats(oid);
        Ok(match ctx.get::<String>(1)?.as_str() {
            "numbackends" => backends,
            "xact_commit" => commits,
            _ => rollbacks,
        })
    })?;
    let hooks = opts.interrupts.clone();
    let (database, user) = (opts.database.to_string(), opts.user.to_string());
    conn.create_scalar_function("pg_background_launch", 1, volatile, move |ctx| {
        let sql: String = ctx.get::<Option<String>>(0)?.unwrap_or_default();
        hooks
            .background_launch(&sql, &database, &user)
            .map_err(user_error)
    })?;
    let hooks = opts.interrupts.clone();
    conn.create_scalar_function("pg_background_result", 1, volatile, move |ctx| {
        let pid = ctx.get::<Option<i64>>(0)?.unwrap_or(0) as i32;
        hooks.background_result(pid).map_err(user_error)
    })?;
    let hooks = opts.interrupts.clone();
    conn.create_scalar_function("pg_background_detach", 1, volatile, move |ctx| {
        let pid = ctx.get::<Option<i64>>(0)?.unwrap_or(0) as i32;
        hooks
            .background_detach(pid)
            .map(|_| rusqlite::types::Null)
            .map_err(user_error)
    })?;
    let ints = interrupts.clone();
    let hooks = opts.interrupts.clone();
    conn.create_scalar_function("pg_sleep", 1, volatile, move |ctx| {
        let seconds: f64 = crate::adt::float_arg(ctx, 0)?.unwrap_or(0.0);
        let deadline = std::time::Instant::now() + Duration::from_secs_f64(seconds.max(0.0));
        hooks.sleeping(true);
        struct Awake<'a>(&'a dyn Interrupts);
        impl Drop for Awake<'_> {
            fn drop(&mut self) {
                self.0.sleeping(false);
            }
        }
        let _awake = Awake(hooks.as_ref());
        loop {
            if ints.pending() {
                let e = ints.take().unwrap_or_else(|| {
                    PgError::error(
                        code::QUERY_CANCELED,
                        "canceling statement due to user request",
                    )
                });
                return Err(user_error(e));
            }
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return Ok(rusqlite::types::Null);
            }
            std::thread::sleep(left.min(Duration::from_millis(INTERRUPT_POLL_MS)));
        }
    })?;
    // Division and modulo with PostgreSQL's errors (the dialect rewrites
    // `/` and `%` to these); otherwise SQLite's arithmetic: integer
    // operands give an integer (truncated), any real operand a real.
    for (name, modulo) in [("pg_div", false), ("pg_mod", true)] {
        conn.create_scalar_function(name, 2, deterministic, move |ctx| {
            let (Some(a), Some(b)) = (numeric_arg(ctx, 0)?, numeric_arg(ctx, 1)?) else {
                return Ok(rusqlite::types::Value::Null);
            };
            use rusqlite::types::Value::{Integer, Real};
            let zero = match b {
                Integer(0) => true,
                Real(r) => r == 0.0,
                _ => false,
            };
            if zero {
                return Err(user_error(PgError::error(
                    code::DIVISION_BY_ZERO,
                    "division by zero",
                )));
            }
            let out_of_range = || {
                user_error(PgError::error(
                    code::NUMERIC_VALUE_OUT_OF_RANGE,
                    "bigint out of range",
                ))
            };
            Ok(match (a, b) {
                (Integer(x), Integer(y)) if modulo => {
                    Integer(x.checked_rem(y).ok_or_else(out_of_range)?)
                }
                (Integer(x), Integer(y)) => Integer(x.checked_div(y).ok_or_else(out_of_range)?),
                (x, y) => {
                    let f = |v| match v {
                        Integer(i) => i as f64,
                        Real(r) => r,
                        _ => f64::NAN,
                    };
                    Real(if modulo { f(x) % f(y) } else { f(x) / f(y) })
                }
            })
        })?;
    }
    conn.create_scalar_function("pg_bool", 1, deterministic, |ctx| {
        Ok(match ctx.get_raw(0) {
            ValueRef::Null => None,
            ValueRef::Integer(i) => Some(i != 0),
            ValueRef::Real(f) => Some(f != 0.0),
            ValueRef::Text(t) => {
                let text = String::from_utf8_lossy(t);
                Some(types::parse_bool(&text).ok_or_else(|| {
                    user_error(PgError::error(
                        code::INVALID_TEXT_REPRESENTATION,
                        format!("invalid input syntax for type boolean: \"{text}\""),
                    ))
                })?)
            }
            ValueRef::Blob(_) => None,
        })
    })?;
    conn.create_scalar_function("pg_date", 1, deterministic, |ctx| {
        Ok(match ctx.get_raw(0) {
            ValueRef::Text(t) => {
                let text = String::from_utf8_lossy(t);
                Some(text.get(..10).unwrap_or(&text).to_string())
            }
            ValueRef::Null => None,
            other => Some(format!("{other:?}")),
        })
    })?;
    conn.create_scalar_function("pg_timestamp", 1, deterministic, |ctx| {
        Ok(match ctx.get_raw(0) {
            ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Null => None,
            other => Some(format!("{other:?}")),
        })
    })?;
    Ok(())
}

#[cfg(test)]
mod build_defaults {
    use rusqlite::Connection;

    /// Sessions rely on these being SQLite's defaults in this build
    /// (.cargo/config.toml): a build without them would lose durability or
    /// PostgreSQL's LIKE.
    #[test]
    fn sqlite_is_built_with_postgresql_defaults() {
        let dir = std::env::temp_dir().join(format!("pm-defaults-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let conn = Connection::open(dir.join("t.db")).unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 2, "synchronous is not FULL in WAL mode");
        let like: bool = conn
            .query_row("SELECT 'a' LIKE 'A'", [], |r| r.get(0))
            .unwrap();
        assert!(!like, "LIKE is case-insensitive");
        let mmap: i64 = conn
            .query_row("PRAGMA mmap_size", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mmap, 1 << 30, "database files are not memory-mapped");
        drop(conn);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
