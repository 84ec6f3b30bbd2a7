//! Server settings, PostgreSQL's GUCs for the part of them this server has.
//!
//! Sources, lowest priority first: built-in defaults, `DATADIR/postgresql.conf`
//! (see [`conf`]), then `-c name=value` on the command line. Every setting is
//! a typed field of [`Settings`]; [`Settings::set`] is the one place that
//! parses a value (units, booleans, enums) and validates it, so a bad value
//! is refused the same way from every source.
//!
//! `Settings` is plain data (serde) so that a child started by exec can be
//! handed the values in force in the supervisor.

use serde::{Deserialize, Serialize};

pub mod conf;
pub mod hba;

/// How the supervisor starts its children (see the launch crate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LaunchMode {
    /// fork(2): the child is a copy of the supervisor.
    Fork,
    /// fork(2) then exec of the server binary: a fresh process that gets
    /// everything it needs in a parameter block (PostgreSQL's EXEC_BACKEND).
    Exec,
    /// A thread of the server process.
    Thread,
}

impl LaunchMode {
    pub fn as_str(self) -> &'static str {
        match self {
            LaunchMode::Fork => "fork",
            LaunchMode::Exec => "exec",
            LaunchMode::Thread => "thread",
        }
    }
}

/// The settings in force. Field names are the GUC names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub port: u16,
    pub listen_addresses: String,
    pub unix_socket_directories: String,
    pub max_connections: u32,
    pub superuser_reserved_connections: u32,
    pub launch_mode: LaunchMode,
    pub log_connections: bool,
    pub log_disconnections: bool,
    pub authentication_timeout_ms: u64,
    pub client_min_messages: String,
    pub debug_logging: bool,
    /// Registers `pg_debug_panic(text)`, which makes the calling backend
    /// panic: a crash on demand, for tests of crash handling.
    pub debug_allow_panic: bool,
    /// After a child crashes: reinitialize and accept connections again
    /// (on), or shut down (off).
    pub restart_after_crash: bool,
    /// Makes the first N client-backend launches fail as a failed fork would
    /// (EAGAIN), for tests of the fork-failure path.
    pub debug_launch_failures: u32,
    /// Accept TLS connections (SSLRequest answered 'S').
    pub ssl: bool,
    /// Server certificate chain (PEM), relative to the data directory.
    pub ssl_cert_file: String,
    /// Server private key (PEM), relative to the data directory.
    pub ssl_key_file: String,
    /// How CREATE/ALTER ROLE ... PASSWORD stores a password: `scram-sha-256`
    /// or `md5` (a session may SET it).
    pub password_encryption: String,
    /// Background workers at most (static and dynamic; the checkpointer
    /// is not counted).
    pub max_worker_processes: u32,
    /// Time between automatic checkpoints.
    pub checkpoint_timeout_ms: u64,
    pub log_checkpoints: bool,
    /// Registers two static test workers (`pm_test_worker`): one restarted
    /// a second after it ends, one never restarted.
    pub debug_test_workers: bool,
    /// Backends started ahead of demand, waiting for a connection (0: off).
    pub prelaunch_backends: u32,
    /// The largest frontend message a backend accepts, in bytes
    /// (PostgreSQL's fixed limit, 1 GB - 1, by default); a longer one is
    /// FATAL 08P01 before any of it is buffered.
    pub max_message_size: u32,
}

/// Where the Unix socket goes by default: `/tmp` (PostgreSQL's default),
/// and also `/var/run/postgresql` where that directory exists and we may
/// write there, because Debian's and Ubuntu's libpq look there first: a
/// plain `psql` then finds the server.
fn default_socket_directories() -> String {
    const DISTRIBUTION_DIR: &str = "/var/run/postgresql";
    let writable = nix::unistd::access(DISTRIBUTION_DIR, nix::unistd::AccessFlags::W_OK).is_ok();
    if writable {
        format!("/tmp, {DISTRIBUTION_DIR}")
    } else {
        "/tmp".to_string()
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            port: 5432,
            listen_addresses: "localhost".to_string(),
            unix_socket_directories: default_socket_directories(),
            max_connections: 100,
            superuser_reserved_connections: 3,
            launch_mode: LaunchMode::Fork,
            log_connections: false,
            log_disconnections: false,
            authentication_timeout_ms: 60_000,
            client_min_messages: "notice".to_string(),
            debug_logging: false,
            debug_allow_panic: false,
            restart_after_crash: true,
            debug_launch_failures: 0,
            ssl: false,
            ssl_cert_file: "server.crt".to_string(),
            ssl_key_file: "server.key".to_string(),
            password_encryption: "scram-sha-256".to_string(),
            max_worker_processes: 8,
            checkpoint_timeout_ms: 300_000,
            log_checkpoints: true,
            debug_test_workers: false,
            prelaunch_backends: 2,
            max_message_size: MAX_MESSAGE_SIZE_DEFAULT,
        }
    }
}

/// Names of every setting `set` accepts, for `SHOW ALL`-style listings.
pub const SETTING_NAMES: &[&str] = &[
    "port",
    "listen_addresses",
    "unix_socket_directories",
    "max_connections",
    "superuser_reserved_connections",
    "launch_mode",
    "log_connections",
    "log_disconnections",
    "authentication_timeout",
    "client_min_messages",
    "debug_logging",
    "debug_allow_panic",
    "restart_after_crash",
    "debug_launch_failures",
    "ssl",
    "ssl_cert_file",
    "ssl_key_file",
    "password_encryption",
    "max_worker_processes",
    "checkpoint_timeout",
    "log_checkpoints",
    "debug_test_workers",
    "prelaunch_backends",
    "max_message_size",
];

/// PostgreSQL's limit on a frontend message (PQ_LARGE_MESSAGE_LIMIT).
pub const MAX_MESSAGE_SIZE_DEFAULT: u32 = 0x3fff_ffff - 1;

impl Settings {
    /// Sets one setting from its text form, as written in postgresql.conf or `-c`.
    /// The error is PostgreSQL's message text.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        let lname = name.to_ascii_lowercase();
        let value = value.trim();
        match lname.as_str() {
            "port" => self.port = parse_int(&lname, value, 1, 65535)? as u16,
            "listen_addresses" => self.listen_addresses = value.to_string(),
            "unix_socket_directories" => self.unix_socket_directories = value.to_string(),
            "max_connections" => {
                self.max_connections = parse_int(&lname, value, 1, 262_143)? as u32
            }
            "superuser_reserved_connections" => {
                self.superuser_reserved_connections = parse_int(&lname, value, 0, 262_143)? as u32
            }
            "launch_mode" => {
                self.launch_mode = match value.to_ascii_lowercase().as_str() {
                    "fork" => LaunchMode::Fork,
                    "exec" => LaunchMode::Exec,
                    "thread" => LaunchMode::Thread,
                    _ => return Err(invalid_enum(&lname, value, "fork, exec, thread")),
                }
            }
            "log_connections" => self.log_connections = parse_bool(&lname, value)?,
            "log_disconnections" => self.log_disconnections = parse_bool(&lname, value)?,
            "authentication_timeout" => {
                self.authentication_timeout_ms =
                    parse_duration_ms(&lname, value, 1000, 1000, 600_000)?
            }
            "client_min_messages" => self.client_min_messages = value.to_ascii_lowercase(),
            "debug_logging" => self.debug_logging = parse_bool(&lname, value)?,
            "debug_allow_panic" => self.debug_allow_panic = parse_bool(&lname, value)?,
            "restart_after_crash" => self.restart_after_crash = parse_bool(&lname, value)?,
            "debug_launch_failures" => {
                self.debug_launch_failures = parse_int(&lname, value, 0, 1_000_000)? as u32
            }
            "max_worker_processes" => {
                self.max_worker_processes = parse_int(&lname, value, 0, 262_143)? as u32
            }
            // PostgreSQL's minimum is 30s; shorter helps tests and demos.
            "checkpoint_timeout" => {
                self.checkpoint_timeout_ms =
                    parse_duration_ms(&lname, value, 1000, 1000, 86_400_000)?
            }
            "log_checkpoints" => self.log_checkpoints = parse_bool(&lname, value)?,
            "debug_test_workers" => self.debug_test_workers = parse_bool(&lname, value)?,
            "prelaunch_backends" => {
                self.prelaunch_backends = parse_int(&lname, value, 0, 1000)? as u32
            }
            "max_message_size" => {
                self.max_message_size =
                    parse_int(&lname, value, 1024, MAX_MESSAGE_SIZE_DEFAULT as i64)? as u32
            }
            "ssl" => self.ssl = parse_bool(&lname, value)?,
            "ssl_cert_file" => self.ssl_cert_file = value.to_string(),
            "ssl_key_file" => self.ssl_key_file = value.to_string(),
            "password_encryption" => {
                self.password_encryption = match value.to_ascii_lowercase().as_str() {
                    v @ ("md5" | "scram-sha-256") => v.to_string(),
                    _ => return Err(invalid_enum(&lname, value, "md5, scram-sha-256")),
                }
            }
            _ => return Err(format!("unrecognized configuration parameter \"{name}\"")),
        }
        Ok(())
    }

    /// The text form of a setting, as SHOW prints it.
    pub fn get(&self, name: &str) -> Option<String> {
        let on_off = |b: bool| if b { "on" } else { "off" }.to_string();
        Some(match name.to_ascii_lowercase().as_str() {
            "port" => self.port.to_string(),
            "listen_addresses" => self.listen_addresses.clone(),
            "unix_socket_directories" => self.unix_socket_directories.clone(),
            "max_connections" => self.max_connections.to_string(),
            "superuser_reserved_connections" => self.superuser_reserved_connections.to_string(),
            "launch_mode" => self.launch_mode.as_str().to_string(),
            "log_connections" => on_off(self.log_connections),
            "log_disconnections" => on_off(self.log_disconnections),
            "authentication_timeout" => format_duration_ms(self.authentication_timeout_ms),
            "client_min_messages" => self.client_min_messages.clone(),
            "debug_logging" => on_off(self.debug_logging),
            "debug_allow_panic" => on_off(self.debug_allow_panic),
            "restart_after_crash" => on_off(self.restart_after_crash),
            "debug_launch_failures" => self.debug_launch_failures.to_string(),
            "max_worker_processes" => self.max_worker_processes.to_string(),
            "checkpoint_timeout" => format_duration_ms(self.checkpoint_timeout_ms),
            "log_checkpoints" => on_off(self.log_checkpoints),
            "debug_test_workers" => on_off(self.debug_test_workers),
            "prelaunch_backends" => self.prelaunch_backends.to_string(),
            "max_message_size" => self.max_message_size.to_string(),
            "ssl" => on_off(self.ssl),
            "ssl_cert_file" => self.ssl_cert_file.clone(),
            "ssl_key_file" => self.ssl_key_file.clone(),
            "password_encryption" => self.password_encryption.clone(),
            _ => return None,
        })
    }
}

fn invalid_value(name: &str, value: &str) -> String {
    format!("invalid value for parameter \"{name}\": \"{value}\"")
}

fn invalid_enum(name: &str, value: &str, choices: &str) -> String {
    format!(
        "invalid value for parameter \"{name}\": \"{value}\"\nHINT:  Available values: {choices}."
    )
}

/// PostgreSQL's boolean spellings: on/off, true/false, yes/no, 1/0 and
/// unambiguous prefixes of them.
pub fn parse_bool(name: &str, value: &str) -> Result<bool, String> {
    let v = value.to_ascii_lowercase();
    let matches = |word: &str, min: usize| v.len() >= min && word.starts_with(&v);
    if matches("true", 1) || matches("yes", 1) || matches("on", 2) || v == "1" {
        Ok(true)
    } else if matches("false", 1) || matches("no", 1) || matches("off", 2) || v == "0" {
        Ok(false)
    } else {
        Err(format!("parameter \"{name}\" requires a Boolean value"))
    }
}

fn parse_int(name: &str, value: &str, min: i64, max: i64) -> Result<i64, String> {
    let n: i64 = value.parse().map_err(|_| invalid_value(name, value))?;
    if n < min || n > max {
        return Err(format!(
            "{n} is outside the valid range for parameter \"{name}\" ({min} .. {max})"
        ));
    }
    Ok(n)
}

/// A time value with an optional unit (ms, s, min, h, d); a bare number is
/// in `default_unit_ms`. Returns milliseconds.
pub fn parse_duration_ms(
    name: &str,
    value: &str,
    default_unit_ms: u64,
    min_ms: u64,
    max_ms: u64,
) -> Result<u64, String> {
    let v = value.trim();
    let split = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(v.len());
    let (number, unit) = v.split_at(split);
    let number: f64 = number.parse().map_err(|_| invalid_value(name, value))?;
    let unit_ms = match unit.trim() {
        "" => default_unit_ms as f64,
        "us" => 0.001,
        "ms" => 1.0,
        "s" => 1000.0,
        "min" => 60_000.0,
        "h" => 3_600_000.0,
        "d" => 86_400_000.0,
        _ => {
            return Err(format!(
                "invalid value for parameter \"{name}\": \"{value}\"\nHINT:  Valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", \"h\", and \"d\"."
            ))
        }
    };
    let ms = (number * unit_ms).round() as u64;
    if ms < min_ms || ms > max_ms {
        return Err(format!(
            "{value} is outside the valid range for parameter \"{name}\""
        ));
    }
    Ok(ms)
}

fn format_duration_ms(ms: u64) -> String {
    if ms.is_multiple_of(60_000) {
        format!("{}min", ms / 60_000)
    } else if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_parse_as_postgresql_does() {
        let mut s = Settings::default();
        for (name, value, shown) in [
            ("port", "6543", "6543"),
            ("max_connections", "2", "2"),
            ("log_connections", "on", "on"),
            ("log_connections", "FALSE", "off"),
            ("log_disconnections", "yes", "on"),
            ("authentication_timeout", "1min", "1min"),
            ("authentication_timeout", "5", "5s"),
            ("authentication_timeout", "1500ms", "1500ms"),
            ("launch_mode", "exec", "exec"),
            ("launch_mode", "Thread", "thread"),
            ("launch_mode", "fork", "fork"),
        ] {
            s.set(name, value).unwrap();
            assert_eq!(s.get(name).unwrap(), shown, "{name} = {value}");
        }
    }

    #[test]
    fn bad_values_get_postgresql_messages() {
        let mut s = Settings::default();
        assert_eq!(
            s.set("no_such", "1").unwrap_err(),
            "unrecognized configuration parameter \"no_such\""
        );
        assert_eq!(
            s.set("port", "0").unwrap_err(),
            "0 is outside the valid range for parameter \"port\" (1 .. 65535)"
        );
        assert_eq!(
            s.set("log_connections", "maybe").unwrap_err(),
            "parameter \"log_connections\" requires a Boolean value"
        );
        assert!(s.set("launch_mode", "spawn").is_err());
        assert!(s.set("authentication_timeout", "3 weeks").is_err());
    }
}
