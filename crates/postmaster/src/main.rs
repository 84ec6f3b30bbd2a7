//! `postmaster`: the server binary. It only parses the command line
//! (following PostgreSQL's `postgres` options) and calls into the
//! supervisor; everything else lives in the library crates.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgAction, Parser, Subcommand};

/// A PostgreSQL-compatible server built on PostgreSQL's postmaster process model.
#[derive(Parser, Debug)]
#[command(
    name = "postmaster",
    version,
    disable_help_flag = true,
    after_help = "Settings also come from DATADIR/postgresql.conf; -c (and -p, -k, -h, -N) win over it.\nThe data directory is created with defaults when missing.\n\nExamples:\n  postmaster -D ./data\n  postmaster -D ./data -p 5433 -k /tmp -c max_connections=20 -c log_connections=on\n  postmaster init -D ./data"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// Database directory (default: $PGDATA).
    #[arg(short = 'D', value_name = "DATADIR", global = true)]
    data_dir: Option<PathBuf>,

    /// Port number to listen on (default: $PGPORT, else 5432).
    #[arg(short = 'p', value_name = "PORT")]
    port: Option<String>,

    /// Unix-domain socket location(s), comma-separated (default /tmp).
    #[arg(short = 'k', value_name = "DIRECTORY")]
    socket_dirs: Option<String>,

    /// Host name or IP address(es) to listen on (default localhost).
    #[arg(short = 'h', value_name = "HOSTNAME")]
    listen_addresses: Option<String>,

    /// Maximum number of allowed connections.
    #[arg(short = 'N', value_name = "MAX-CONNECT")]
    max_connections: Option<String>,

    /// Set a run-time parameter.
    #[arg(short = 'c', value_name = "NAME=VALUE", action = ArgAction::Append)]
    settings: Vec<String>,

    /// Show this help, then exit.
    #[arg(long = "help", action = ArgAction::Help)]
    help: Option<bool>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create a data directory (like initdb) and exit.
    Init {
        /// Name of the bootstrap superuser.
        #[arg(short = 'U', long = "username", default_value = "postgres")]
        username: String,
    },
    /// Stop the server running on DATADIR (like pg_ctl stop) and wait.
    Stop {
        /// Shutdown mode: smart (SIGTERM), fast (SIGINT) or immediate (SIGQUIT).
        #[arg(short = 'm', long = "mode", default_value = "fast")]
        mode: StopMode,
        /// Seconds to wait.
        #[arg(short = 't', long = "timeout", default_value_t = 60)]
        timeout: u64,
    },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum StopMode {
    Smart,
    Fast,
    Immediate,
}

/// `postmaster stop`: signal the pid in postmaster.pid, wait for the file
/// to go, as pg_ctl does.
fn stop(data_dir: &std::path::Path, mode: StopMode, timeout: u64) -> ExitCode {
    use nix::sys::signal::{kill, Signal};
    let pid_file = data_dir.join("postmaster.pid");
    let pid = std::fs::read_to_string(&pid_file)
        .ok()
        .and_then(|s| s.lines().next().and_then(|l| l.trim().parse::<i32>().ok()));
    let Some(pid) = pid else {
        eprintln!(
            "postmaster: PID file \"{}\" does not exist\nIs server running?",
            pid_file.display()
        );
        return ExitCode::from(1);
    };
    let sig = match mode {
        StopMode::Smart => Signal::SIGTERM,
        StopMode::Fast => Signal::SIGINT,
        StopMode::Immediate => Signal::SIGQUIT,
    };
    if let Err(e) = kill(nix::unistd::Pid::from_raw(pid), sig) {
        eprintln!("postmaster: could not send stop signal (PID: {pid}): {e}");
        return ExitCode::from(1);
    }
    print!("waiting for server to shut down...");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(timeout);
    while pid_file.exists() {
        if std::time::Instant::now() > deadline {
            println!(" failed\npostmaster: server does not shut down");
            return ExitCode::from(1);
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    println!(" done\nserver stopped");
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    pm_elog::install_panic_hook();
    // A child started by the supervisor in exec mode (PostgreSQL's
    // --forkchild): never parsed as a user command line.
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args
        .get(1)
        .and_then(|a| a.to_str())
        .is_some_and(|a| a.starts_with("--forkchild="))
    {
        let code = pm_launch::forkchild_main(&args);
        std::process::exit(code);
    }
    let cli = Cli::parse();
    pm_elog::init(false);
    let Some(data_dir) = cli
        .data_dir
        .clone()
        .or_else(|| std::env::var_os("PGDATA").map(PathBuf::from))
    else {
        eprintln!(
            "postmaster does not know where to find the database system data.\nYou must specify the -D invocation option or set the PGDATA environment variable."
        );
        return ExitCode::from(2);
    };
    if let Some(Command::Stop { mode, timeout }) = &cli.command {
        return stop(&data_dir, *mode, *timeout);
    }
    if let Some(Command::Init { username }) = &cli.command {
        if pm_sql::datadir::is_initialized(&data_dir) {
            eprintln!(
                "postmaster: error: directory \"{}\" already holds a data directory",
                data_dir.display()
            );
            return ExitCode::from(1);
        }
        return match pm_sql::datadir::init(&data_dir, username) {
            Ok(()) => {
                println!("Success. You can now start the database server using:\n\n    postmaster -D {}\n", data_dir.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("postmaster: error: {e}");
                ExitCode::from(1)
            }
        };
    }

    let mut overrides = Vec::new();
    for (name, value) in [
        ("port", &cli.port),
        ("unix_socket_directories", &cli.socket_dirs),
        ("listen_addresses", &cli.listen_addresses),
        ("max_connections", &cli.max_connections),
    ] {
        if let Some(v) = value {
            overrides.push((name.to_string(), v.clone()));
        }
    }
    for s in &cli.settings {
        let Some((name, value)) = s.split_once('=') else {
            eprintln!("postmaster: -c {s} requires a value");
            return ExitCode::from(2);
        };
        overrides.push((name.trim().replace('-', "_"), value.to_string()));
    }
    let mut env_defaults = Vec::new();
    if let Ok(port) = std::env::var("PGPORT") {
        env_defaults.push(("port".to_string(), port));
    }
    let code = pm_supervisor::postmaster_main(pm_supervisor::StartOptions {
        data_dir,
        env_defaults,
        overrides,
        workers: Vec::new(),
    });
    ExitCode::from(code.clamp(0, 255) as u8)
}
