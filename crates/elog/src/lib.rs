//! Reporting, as PostgreSQL's elog.c does it: one error type that carries
//! what an ErrorResponse carries (severity, SQLSTATE, message, detail, hint),
//! and a logger that writes server log lines to stderr in PostgreSQL's
//! default format (`log_line_prefix = '%m [%p] '`):
//!
//! ```text
//! 2026-11-24 18:01:13.123 UTC [4242] LOG:  database system is ready to accept connections
//! ```
//!
//! Severities map onto the `log` crate's levels: `info!` is LOG, `warn!` is
//! WARNING, `error!` is ERROR, and `error!(target: FATAL, ..)` is FATAL.
//! The logger holds no buffer and starts no thread, so it is safe in the
//! supervisor and in a freshly forked child alike: every line is one
//! `write(2)`, so lines from concurrent processes do not interleave.

use std::fmt;
use std::io::Write;

pub mod sqlstate;

/// `log` target that marks a line as FATAL rather than ERROR.
pub const FATAL: &str = "FATAL";
/// `log` target that marks a line as PANIC.
pub const PANIC: &str = "PANIC";

/// Severity of a report, spelled as PostgreSQL spells it on the wire and in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Panic,
    Fatal,
    Error,
    Warning,
    Notice,
    Info,
    Log,
    Debug,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Panic => "PANIC",
            Severity::Fatal => "FATAL",
            Severity::Error => "ERROR",
            Severity::Warning => "WARNING",
            Severity::Notice => "NOTICE",
            Severity::Info => "INFO",
            Severity::Log => "LOG",
            Severity::Debug => "DEBUG",
        }
    }
}

/// An error as a client sees it: ErrorResponse fields S/V, C, M, D, H, W.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgError {
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    pub detail: Option<String>,
    pub hint: Option<String>,
    /// Where it happened (`COPY t, line 3, column b: "x"`).
    pub context: Option<String>,
    /// 1-based character offset into the statement text (field P), so
    /// psql prints `LINE 1:` and a caret under it; 0: none. (A plain u32
    /// keeps PgError within 128 bytes.)
    pub position: u32,
}

impl PgError {
    pub fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Self {
        PgError {
            severity,
            code,
            message: message.into(),
            detail: None,
            hint: None,
            context: None,
            position: 0,
        }
    }

    /// An ERROR: aborts the statement (and the transaction), the session goes on.
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    /// A FATAL: the session ends after it is sent.
    pub fn fatal(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Severity::Fatal, code, message)
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_context(mut self, context: impl Into<String>) -> Self {
        self.context = Some(context.into());
        self
    }

    /// Sets the error position (1-based, in characters).
    pub fn at(mut self, position: u32) -> Self {
        self.position = position;
        self
    }

    pub fn is_fatal(&self) -> bool {
        matches!(self.severity, Severity::Fatal | Severity::Panic)
    }

    /// Writes this error to the server log at its own severity.
    /// DETAIL and HINT follow on lines of their own, each with the prefix,
    /// as PostgreSQL writes them.
    pub fn log(&self) {
        write_line(&self.log_text());
    }

    /// Logs an error of a statement with PostgreSQL's defaults
    /// (log_min_error_statement = error): the error, ` at character N`
    /// when it has a position, then a `STATEMENT:` line.
    pub fn log_with_statement(&self, statement: &str) {
        let mut text = self.log_text();
        text.push_str(&format!("\n{}STATEMENT:  {statement}", prefix()));
        write_line(&text);
    }

    fn log_text(&self) -> String {
        let mut text = format!("{}:  {}", self.severity.as_str(), self.message);
        if self.position > 0 {
            text.push_str(&format!(" at character {}", self.position));
        }
        if let Some(detail) = &self.detail {
            text.push_str(&format!("\n{}DETAIL:  {detail}", prefix()));
        }
        if let Some(hint) = &self.hint {
            text.push_str(&format!("\n{}HINT:  {hint}", prefix()));
        }
        if let Some(context) = &self.context {
            text.push_str(&format!("\n{}CONTEXT:  {context}", prefix()));
        }
        text
    }
}

impl fmt::Display for PgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:  {} (SQLSTATE {})",
            self.severity.as_str(),
            self.message,
            self.code
        )
    }
}

impl std::error::Error for PgError {}

/// The stderr logger. Install once per process with [`init`].
struct StderrLogger;

static LOGGER: StderrLogger = StderrLogger;

impl log::Log for StderrLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let severity = match (record.level(), record.target()) {
            (log::Level::Error, FATAL) => "FATAL",
            (log::Level::Error, PANIC) => "PANIC",
            (log::Level::Error, _) => "ERROR",
            (log::Level::Warn, _) => "WARNING",
            (log::Level::Info, _) => "LOG",
            (log::Level::Debug, _) => "DEBUG1",
            (log::Level::Trace, _) => "DEBUG5",
        };
        write_line(&format!("{severity}:  {}", record.args()));
    }

    fn flush(&self) {}
}

/// Installs the logger. Debug lines are shown when `debug` is true.
pub fn init(debug: bool) {
    // A second call (tests, a forked child) keeps the first logger: fine.
    let _ = log::set_logger(&LOGGER);
    log::set_max_level(if debug {
        log::LevelFilter::Debug
    } else {
        log::LevelFilter::Info
    });
}

thread_local! {
    /// The pid this thread logs as: a thread backend's own pid, else None
    /// (the process id).
    static THREAD_PID: std::cell::Cell<Option<i32>> = const { std::cell::Cell::new(None) };
}

/// Makes this thread's log lines carry `pid` (a thread child's pid).
pub fn set_thread_pid(pid: i32) {
    THREAD_PID.with(|p| p.set(Some(pid)));
}

/// The pid in this thread's log lines.
pub fn log_pid() -> i32 {
    THREAD_PID
        .with(|p| p.get())
        .unwrap_or(std::process::id() as i32)
}

thread_local! {
    /// Set while `contain_panic` runs a closure on this thread.
    static CONTAINED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, turning a panic inside it into `Err(message)` (and keeping
/// the panic hook quiet). For third-party decoders fed client bytes: a
/// panic there must be the client's error, never a crash of the backend
/// (which would restart the whole server).
pub fn contain_panic<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    let outer = CONTAINED.with(|c| c.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    CONTAINED.with(|c| c.set(outer));
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "Box<dyn Any>".to_string())
    })
}

/// Logs panics as server log lines (`PANIC`-free: a panicking backend is a
/// crash of that backend only, reported by the supervisor as such), with
/// the location and message, instead of Rust's default report.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        if CONTAINED.with(|c| c.get()) {
            return; // `contain_panic` reports it as an error instead
        }
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "Box<dyn Any>".to_string());
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        write_line(&format!(
            "LOG:  server process panicked{location}: {message}"
        ));
    }));
}

/// `log_line_prefix = '%m [%p] '`.
fn prefix() -> String {
    format!(
        "{} [{}] ",
        chrono::Utc::now().format("%Y-%m-%d %H:%M:%S%.3f UTC"),
        log_pid()
    )
}

/// Writes one prefixed line with a single write(2).
fn write_line(body: &str) {
    let line = format!("{}{body}\n", prefix());
    let _ = std::io::stderr().write_all(line.as_bytes());
}
