//! What each launch mode's children really are: processes forked from the
//! supervisor, the server binary re-executed, or threads of the server.

mod common;

use std::collections::HashSet;
use std::fs;
use std::io::Write;
use std::process::Stdio;
use std::time::Duration;

use common::{cmdline_of as cmdline, parent_of, wait_until_async, Server};

const PROCESS_MODES: &[&str] = &["fork", "exec"];

/// Inodes of every listening socket on this machine (TCP and Unix).
fn listening_socket_inodes() -> HashSet<u64> {
    let mut out = HashSet::new();
    for file in ["/proc/net/tcp", "/proc/net/tcp6"] {
        for line in fs::read_to_string(file).unwrap_or_default().lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.get(3) == Some(&"0A") {
                if let Some(inode) = f.get(9).and_then(|i| i.parse().ok()) {
                    out.insert(inode);
                }
            }
        }
    }
    for line in fs::read_to_string("/proc/net/unix")
        .unwrap_or_default()
        .lines()
        .skip(1)
    {
        let f: Vec<&str> = line.split_whitespace().collect();
        let listening = f
            .get(3)
            .and_then(|flags| u32::from_str_radix(flags, 16).ok())
            .is_some_and(|flags| flags & 0x0001_0000 != 0);
        if listening {
            if let Some(inode) = f.get(6).and_then(|i| i.parse().ok()) {
                out.insert(inode);
            }
        }
    }
    out
}

/// Socket inodes a process holds open.
fn socket_inodes_of(pid: i32) -> Vec<u64> {
    fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .flatten()
        .filter_map(|e| fs::read_link(e.path()).ok())
        .filter_map(|target| {
            let t = target.to_string_lossy().into_owned();
            t.strip_prefix("socket:[")?.strip_suffix(']')?.parse().ok()
        })
        .collect()
}

/// The inode of the server's end of the TCP connection from `client_port`.
fn server_side_inode(server_port: u16, client_port: u16) -> u64 {
    let port_of = |addr: &str| u16::from_str_radix(addr.rsplit(':').next().unwrap(), 16).unwrap();
    for line in fs::read_to_string("/proc/net/tcp").unwrap().lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        if port_of(f[1]) == server_port && port_of(f[2]) == client_port {
            return f[9].parse().unwrap();
        }
    }
    0
}

fn thread_count(pid: i32) -> usize {
    fs::read_dir(format!("/proc/{pid}/task")).unwrap().count()
}

/// The thread count once it has stopped changing: ready threads of the
/// pool and their replacements start in the background, so a single
/// reading may come before they exist.
async fn settled_thread_count(pid: i32) -> usize {
    let mut last = thread_count(pid);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let now = thread_count(pid);
        if now == last || std::time::Instant::now() > deadline {
            return now;
        }
        last = now;
    }
}

#[tokio::test]
async fn process_modes_one_process_per_connection() {
    for mode in PROCESS_MODES {
        let server = Server::start(mode, &[]);
        let mut clients = Vec::new();
        let mut pids = Vec::new();
        for _ in 0..3 {
            let c = server.connect().await;
            let pid: i32 = common::backend_pid(&c).await;
            pids.push(pid);
            clients.push(c);
        }
        let postmaster = server.pid().as_raw();
        for &pid in &pids {
            assert_ne!(pid, postmaster, "{mode}");
            assert_eq!(
                parent_of(pid),
                Some(postmaster),
                "{mode}: {pid} not a child"
            );
            // The title tells backends apart, like PostgreSQL's.
            assert_eq!(
                cmdline(pid),
                "postmaster: postgres postgres [local] idle",
                "{mode}"
            );
        }
        // While a statement runs, the title shows its command.
        let busy = clients.pop().unwrap();
        let busy_pid = pids[2];
        let running =
            tokio::spawn(async move { (busy.batch_execute("select pg_sleep(1)").await, busy) });
        wait_until_async("the running title", Duration::from_secs(5), || {
            cmdline(busy_pid) == "postmaster: postgres postgres [local] SELECT"
        })
        .await;
        let (r, busy) = running.await.unwrap();
        r.unwrap();
        clients.push(busy);
        let distinct: HashSet<i32> = pids.iter().copied().collect();
        assert_eq!(distinct.len(), 3, "{mode}: shared backends {pids:?}");
        let children = server.children();
        for pid in &pids {
            assert!(children.contains(pid));
        }
        // The supervisor stays single-threaded.
        assert_eq!(thread_count(postmaster), 1, "{mode}");

        drop(clients);
        wait_until_async("backends to exit", Duration::from_secs(10), || {
            pids.iter().all(|&p| parent_of(p).is_none())
        })
        .await;
        server.assert_serving().await;
    }
}

#[tokio::test]
async fn process_children_hold_no_listen_socket() {
    for mode in PROCESS_MODES {
        let server = Server::start(mode, &[]);
        let c = server.connect().await;
        let pid: i32 = common::backend_pid(&c).await;
        let listening = listening_socket_inodes();
        let mine = socket_inodes_of(server.pid().as_raw());
        assert!(
            mine.iter().any(|i| listening.contains(i)),
            "{mode}: the supervisor's listen sockets are not visible"
        );
        let held: Vec<u64> = socket_inodes_of(pid)
            .into_iter()
            .filter(|i| listening.contains(i))
            .collect();
        assert!(
            held.is_empty(),
            "{mode}: backend {pid} holds listen sockets {held:?}"
        );
    }
}

#[tokio::test]
async fn exec_mode_children_are_the_server_binary_re_executed() {
    // The launch path itself: no ready backend takes the connection.
    let server = Server::start("exec", &["prelaunch_backends=0"]);
    let binary = fs::canonicalize(env!("CARGO_BIN_EXE_postmaster")).unwrap();

    // A connection that has not sent its startup packet yet: its backend
    // still shows the command line it was executed with.
    let raw = server.raw_tcp();
    let client_port = raw.local_addr().unwrap().port();
    let mut backend = None;
    let found = |backend: &mut Option<i32>| {
        // Inode 0 until the supervisor has accepted the connection.
        let inode = server_side_inode(server.port, client_port);
        *backend = server
            .children()
            .into_iter()
            .find(|p| inode != 0 && socket_inodes_of(*p).contains(&inode))
            // (between fork and exec it still shows the supervisor's)
            .filter(|p| cmdline(*p).contains("--forkchild"));
        backend.is_some()
    };
    wait_until_async("the connection's backend", Duration::from_secs(10), || {
        found(&mut backend)
    })
    .await;
    let pid = backend.unwrap();
    assert_eq!(
        fs::read_link(format!("/proc/{pid}/exe")).unwrap(),
        binary,
        "exec'd child runs another binary"
    );
    let args = cmdline(pid);
    assert!(
        args.starts_with("postmaster --forkchild=backend --params-fd="),
        "{args}"
    );
    // A fresh image named "exe" by the kernel renames itself.
    let what = format!("the comm name of {pid} ({})", cmdline(pid));
    wait_until_async(&what, Duration::from_secs(5), || {
        fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "postmaster")
    })
    .await;
    let fds: Vec<String> = fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .flatten()
        .map(|e| {
            fs::read_link(e.path())
                .unwrap_or_default()
                .display()
                .to_string()
        })
        .collect();
    // Its client socket and nothing else of the network; the parameter
    // block already read and closed.
    let sockets = fds.iter().filter(|f| f.starts_with("socket:")).count();
    assert_eq!(sockets, 1, "{fds:#?}");
    assert!(
        !fds.iter().any(|f| f.contains("postmaster-params")),
        "parameter block left open: {fds:#?}"
    );
    assert!(
        fds.iter().any(|f| f.contains("postmaster-shmem")),
        "shared memory not attached: {fds:#?}"
    );
    drop(raw);

    // After login it behaves as any backend.
    let c = server.connect().await;
    let pid: i32 = common::backend_pid(&c).await;
    assert_eq!(fs::read_link(format!("/proc/{pid}/exe")).unwrap(), binary);
    assert_eq!(cmdline(pid), "postmaster: postgres postgres [local] idle");
}

#[test]
fn exec_child_refuses_a_block_from_another_build() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("block");
    let mut block = b"PMPB".to_vec();
    block.extend_from_slice(&pm_launch::exec::LAYOUT_VERSION.to_le_bytes());
    let other = b"postmaster 0.0.0 exe some-other-binary";
    block.extend_from_slice(&(other.len() as u32).to_le_bytes());
    block.extend_from_slice(other);
    block.extend_from_slice(&[0; 16]);
    fs::File::create(&path).unwrap().write_all(&block).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_postmaster"))
        .args(["--forkchild=backend", "--params-fd=0"])
        .stdin(fs::File::open(&path).unwrap())
        .stdout(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("FATAL:  parameter block was written by a different build of postmaster"),
        "{err}"
    );

    // Not a block at all.
    fs::write(&path, b"hello").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_postmaster"))
        .args(["--forkchild=backend", "--params-fd=0"])
        .stdin(fs::File::open(&path).unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("FATAL:  invalid parameter block"));
}

#[tokio::test]
async fn thread_mode_has_no_child_processes() {
    const CONNECTIONS: usize = 5;
    let server = Server::start("thread", &[]);
    let postmaster = server.pid().as_raw();
    let idle_threads = settled_thread_count(postmaster).await;
    let mut clients = Vec::new();
    let mut pids = HashSet::new();
    for _ in 0..CONNECTIONS {
        let c = server.connect().await;
        let pid: i32 = common::backend_pid(&c).await;
        // A thread backend's pid is its own, and never a real process's.
        assert!(pid > 4_194_304, "{pid}");
        assert!(pids.insert(pid), "pid {pid} given twice");
        // Stable for the session.
        let again: i32 = common::backend_pid(&c).await;
        assert_eq!(pid, again);
        clients.push(c);
    }
    assert!(server.children().is_empty(), "thread mode forked");
    // One thread per session, on top of the idle set (whose ready threads
    // are replaced in the background as sessions take them).
    wait_until_async("a thread per session", Duration::from_secs(10), || {
        thread_count(postmaster) == idle_threads + CONNECTIONS
    })
    .await;
    drop(clients);
    wait_until_async("backend threads to end", Duration::from_secs(10), || {
        thread_count(postmaster) == idle_threads
    })
    .await;
    server.assert_serving().await;
}
