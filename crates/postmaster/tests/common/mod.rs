//! Test harness: starts the real `postmaster` binary on a free port in a
//! temporary directory and hands out real clients (tokio-postgres, psql,
//! raw sockets). Every server is killed when its `Server` is dropped.

#![allow(dead_code)]

use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use tempfile::TempDir;

/// The launch modes every behaviour test runs in.
pub const MODES: &[&str] = &["fork", "exec", "thread"];

/// How long a server gets to come up or go down before a test fails.
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(20);

pub struct Server {
    pub child: Option<Child>,
    pub port: u16,
    pub mode: String,
    /// Holds the data directory, the socket directory and the log.
    pub dir: PathBuf,
    _tmp: Option<TempDir>,
    settings: Vec<String>,
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().unwrap().port()
}

fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_postmaster")
}

impl Server {
    /// Starts a server in `mode` with extra `-c name=value` settings.
    pub fn start(mode: &str, settings: &[&str]) -> Server {
        let tmp = tempfile::Builder::new()
            .prefix("pm")
            .tempdir()
            .expect("tempdir");
        let dir = tmp.path().to_path_buf();
        let mut s = Server {
            child: None,
            port: free_port(),
            mode: mode.to_string(),
            dir,
            _tmp: Some(tmp),
            settings: settings.iter().map(|s| s.to_string()).collect(),
        };
        s.spawn();
        s
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.join("postmaster.log")
    }

    pub fn socket_path(&self) -> PathBuf {
        self.dir.join(format!(".s.PGSQL.{}", self.port))
    }

    /// The whole server log so far.
    pub fn log(&self) -> String {
        fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    pub fn pid(&self) -> Pid {
        Pid::from_raw(self.child.as_ref().expect("server running").id() as i32)
    }

    /// The command line that starts this server (not yet spawned).
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(binary());
        cmd.arg("-D")
            .arg(self.data_dir())
            .arg("-p")
            .arg(self.port.to_string())
            .arg("-k")
            .arg(&self.dir)
            .args(["-c", "listen_addresses=127.0.0.1"])
            .arg("-c")
            .arg(format!("launch_mode={}", self.mode));
        for s in &self.settings {
            cmd.arg("-c").arg(s);
        }
        cmd.env_remove("PGDATA").env_remove("PGPORT");
        cmd
    }

    /// Starts the binary (again) on the same directory and port and waits
    /// until it accepts connections.
    pub fn spawn(&mut self) {
        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path())
            .unwrap();
        let child = self
            .command()
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("spawn postmaster");
        self.child = Some(child);
        self.wait_ready();
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("postmaster exited during startup: {status}\n{}", self.log());
            }
            // Connect rather than look for the socket file: the file
            // exists from bind(), before listen() lets anyone in. (The
            // Unix socket listens after the TCP ones.)
            if std::os::unix::net::UnixStream::connect(self.socket_path()).is_ok() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "postmaster did not start\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Runs the server (with extra command-line arguments) where it is
    /// expected to refuse to start; gives its exit status and stderr.
    pub fn run_to_exit(&self, extra: &[&str]) -> (ExitStatus, String) {
        let mut child = self
            .command()
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn postmaster");
        let status = wait_child(&mut child, STARTUP_TIMEOUT).expect("the server exits");
        let mut err = String::new();
        let _ = std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err);
        (status, err)
    }

    /// Adds a `-c name=value` setting for the next start.
    pub fn add_setting(&mut self, setting: &str) {
        self.settings.push(setting.to_string());
    }

    /// Asserts, without an async runtime, that psql can connect and query.
    pub fn assert_serving_sync(&self) {
        let (status, out, err) = self.psql(&["-d", "postgres", "-Atc", "SELECT 1"]);
        assert!(
            status.success() && out.trim() == "1",
            "{}: {err}",
            self.mode
        );
    }

    /// Sends `sig` to the postmaster and waits for it to exit.
    pub fn stop_with(&mut self, sig: Signal) -> ExitStatus {
        let mut child = self.child.take().expect("server running");
        kill(Pid::from_raw(child.id() as i32), sig).unwrap();
        wait_child(&mut child, STARTUP_TIMEOUT).unwrap_or_else(|| {
            let _ = child.kill();
            panic!("postmaster did not exit after {sig}\n{}", self.log())
        })
    }

    /// Fast shutdown (SIGINT), asserting a clean exit.
    pub fn stop(&mut self) {
        let status = self.stop_with(Signal::SIGINT);
        assert!(status.success(), "exit {status}\n{}", self.log());
    }

    pub fn config(&self, db: &str) -> tokio_postgres::Config {
        let mut c = tokio_postgres::Config::new();
        c.host_path(&self.dir)
            .port(self.port)
            .user("postgres")
            .dbname(db)
            .connect_timeout(Duration::from_secs(10));
        c
    }

    pub fn tcp_config(&self, db: &str) -> tokio_postgres::Config {
        let mut c = tokio_postgres::Config::new();
        c.host("127.0.0.1")
            .port(self.port)
            .user("postgres")
            .dbname(db)
            .connect_timeout(Duration::from_secs(10));
        c
    }

    /// A tokio-postgres client on the Unix socket, database `postgres`.
    pub async fn connect(&self) -> tokio_postgres::Client {
        self.try_connect_with(self.config("postgres"))
            .await
            .unwrap_or_else(|e| panic!("connect: {e:?}\n{}", self.log()))
    }

    /// A session on the Unix socket whose connection error can be read.
    pub async fn connect_watched(&self) -> Watched {
        let (client, conn) = self
            .config("postgres")
            .connect(tokio_postgres::NoTls)
            .await
            .unwrap();
        (client, tokio::spawn(conn))
    }

    pub async fn try_connect_with(
        &self,
        config: tokio_postgres::Config,
    ) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
        let (client, conn) = config.connect(tokio_postgres::NoTls).await?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(client)
    }

    /// Runs psql on the Unix socket with `args`; gives (status, stdout, stderr).
    pub fn psql(&self, args: &[&str]) -> (ExitStatus, String, String) {
        let out = Command::new("psql")
            .args(["-X", "-h"])
            .arg(&self.dir)
            .args(["-p", &self.port.to_string(), "-U", "postgres"])
            .args(args)
            .env_remove("PGDATABASE")
            .env_remove("PGOPTIONS")
            .stdin(Stdio::null())
            .output()
            .expect("run psql");
        (
            out.status,
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// A raw TCP connection to the server, with a read timeout.
    pub fn raw_tcp(&self) -> TcpStream {
        let s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s
    }

    /// Live children of the postmaster (from /proc).
    /// Child processes that serve or will serve a client: neither the
    /// checkpointer (a background worker from start to shutdown) nor ready
    /// backends still waiting for a connection (`prelaunch_backends`).
    /// Both are told apart by their titles, which they set at once.
    pub fn children(&self) -> Vec<i32> {
        self.all_children()
            .into_iter()
            .filter(|&p| {
                let title = cmdline_of(p);
                !title.starts_with("postmaster: checkpointer") && !is_ready_title(&title)
            })
            .collect()
    }

    /// Pre-launched backends waiting for a connection (process modes).
    pub fn ready_children(&self) -> Vec<i32> {
        self.all_children()
            .into_iter()
            .filter(|&p| is_ready_title(&cmdline_of(p)))
            .collect()
    }

    /// Every child process, background workers included.
    pub fn all_children(&self) -> Vec<i32> {
        children_of(self.pid().as_raw())
    }

    /// Waits until the log contains `needle`.
    pub fn wait_for_log(&self, needle: &str) {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        while !self.log().contains(needle) {
            assert!(
                Instant::now() < deadline,
                "log never said {needle:?}\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Server {
    /// Asserts that a new session can still connect and run a query.
    pub async fn assert_serving(&self) {
        let c = self.connect().await;
        let one: i32 = c.query_one("SELECT 1", &[]).await.unwrap().get(0);
        assert_eq!(one, 1);
    }

    /// `wait_for_log` that lets client connection tasks run meanwhile.
    pub async fn wait_for_log_async(&self, needle: &str) {
        wait_until_async(needle, STARTUP_TIMEOUT, || self.log().contains(needle)).await;
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = kill(Pid::from_raw(child.id() as i32), Signal::SIGQUIT);
            if wait_child(&mut child, Duration::from_secs(10)).is_none() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

pub fn wait_child(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return Some(s);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A ready backend's title, or its exec command line before it set one.
fn is_ready_title(title: &str) -> bool {
    title.starts_with("postmaster: ready backend") || title.contains("--forkchild=ready-backend")
}

/// The command line `ps` shows for `pid` (NULs as spaces, trimmed).
pub fn cmdline_of(pid: i32) -> String {
    fs::read(format!("/proc/{pid}/cmdline"))
        .map(|b| {
            String::from_utf8_lossy(&b)
                .replace('\0', " ")
                .trim()
                .to_string()
        })
        .unwrap_or_default()
}

/// The parent pid of `pid`, if it is alive (zombies count as gone).
pub fn parent_of(pid: i32) -> Option<i32> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "pid (comm) state ppid ..." ; comm may hold spaces, so split after ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split_whitespace();
    let state = fields.next()?;
    if state == "Z" || state == "X" {
        return None;
    }
    fields.next()?.parse().ok()
}

pub fn children_of(ppid: i32) -> Vec<i32> {
    let mut out = Vec::new();
    for entry in fs::read_dir("/proc").unwrap().flatten() {
        if let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() {
            if parent_of(pid) == Some(ppid) {
                out.push(pid);
            }
        }
    }
    out
}

/// Waits until `cond` holds, or fails with `what`.
pub fn wait_until(what: &str, timeout: Duration, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `wait_until` that lets the runtime's other tasks (client connections)
/// run while it waits.
pub async fn wait_until_async(what: &str, timeout: Duration, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Logs in on a raw socket; returns it after the first ReadyForQuery,
/// with the backend's pid from BackendKeyData.
pub fn raw_login(server: &Server) -> (std::net::TcpStream, i32) {
    let mut s = server.raw_tcp();
    s.write_all(&startup_packet(&[
        ("user", "postgres"),
        ("database", "postgres"),
    ]))
    .unwrap();
    let mut pid = 0;
    loop {
        let (tag, body) = read_message(&mut s).expect("login");
        if tag == b'K' {
            pid = i32::from_be_bytes(body[..4].try_into().unwrap());
        }
        if tag == b'Z' {
            return (s, pid);
        }
    }
}

/// A v3 startup packet for `user` and `database`.
pub fn startup_packet(params: &[(&str, &str)]) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&196608u32.to_be_bytes());
    for (k, v) in params {
        body.extend_from_slice(k.as_bytes());
        body.push(0);
        body.extend_from_slice(v.as_bytes());
        body.push(0);
    }
    body.push(0);
    let mut pkt = ((body.len() + 4) as u32).to_be_bytes().to_vec();
    pkt.extend_from_slice(&body);
    pkt
}

/// One backend message read from a raw socket: (type byte, body).
pub fn read_message(s: &mut impl Read) -> Option<(u8, Vec<u8>)> {
    let mut head = [0u8; 5];
    s.read_exact(&mut head).ok()?;
    let len = u32::from_be_bytes(head[1..5].try_into().unwrap()) as usize;
    let mut body = vec![0u8; len - 4];
    s.read_exact(&mut body).ok()?;
    Some((head[0], body))
}

/// The fields of an ErrorResponse body, by field code.
pub fn error_fields(body: &[u8]) -> Vec<(u8, String)> {
    body.split(|b| *b == 0)
        .filter(|f| !f.is_empty())
        .map(|f| (f[0], String::from_utf8_lossy(&f[1..]).into_owned()))
        .collect()
}

pub fn field(fields: &[(u8, String)], code: u8) -> Option<&str> {
    fields
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, v)| v.as_str())
}

/// Sends raw bytes and reads until the server closes the connection.
pub fn send_and_read_all(s: &mut TcpStream, bytes: &[u8]) -> Vec<u8> {
    let _ = s.write_all(bytes);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    out
}

/// The one value a query without parameters returns.
pub async fn scalar<T>(c: &tokio_postgres::Client, sql: &str) -> T
where
    T: for<'a> tokio_postgres::types::FromSql<'a>,
{
    c.query_one(sql, &[]).await.unwrap().get(0)
}

/// A session and its connection task, whose result tells why the server
/// closed it.
pub type Watched = (
    tokio_postgres::Client,
    tokio::task::JoinHandle<Result<(), tokio_postgres::Error>>,
);

/// `SELECT pg_backend_pid()` on a session.
pub async fn backend_pid(c: &tokio_postgres::Client) -> i32 {
    c.query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0)
}

/// Waits until backend `pid` shows as running a statement in
/// pg_stat_activity, read through `watcher` (a cancel sent earlier would
/// find it idle and do nothing, as in PostgreSQL).
pub async fn wait_until_active(watcher: &tokio_postgres::Client, pid: i32) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let row = watcher
            .query_one("SELECT state FROM pg_stat_activity WHERE pid = $1", &[&pid])
            .await
            .unwrap();
        if row.get::<_, Option<String>>(0).as_deref() == Some("active") {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "backend {pid} never became active"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The SQLSTATE of a tokio-postgres error.
pub fn sqlstate(e: &tokio_postgres::Error) -> String {
    e.as_db_error()
        .map(|d| d.code().code().to_string())
        .unwrap_or_else(|| format!("not a server error: {e:?}"))
}

pub fn path_exists(p: &Path) -> bool {
    p.symlink_metadata().is_ok()
}

/// A small deterministic generator (xorshift64*) for tests: the same
/// inputs on every run, so a failure can be replayed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}
