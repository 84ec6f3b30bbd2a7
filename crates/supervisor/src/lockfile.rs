//! Lock files, as PostgreSQL's miscinit.c CreateLockFile(): `postmaster.pid`
//! in the data directory and `.s.PGSQL.<port>.lock` beside each Unix socket.
//!
//! A lock file is created with O_EXCL. If one exists, the pid on its first
//! line is checked: a live process (other than us) means another server owns
//! the directory or socket and we refuse to start; a dead one means the file
//! is stale, and it is replaced.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::sys::signal::kill;
use nix::unistd::Pid;

/// Attempts at replacing a stale lock file before giving up.
const LOCK_ATTEMPTS_MAX: usize = 100;

/// postmaster.pid status words (padded like PostgreSQL's PM_STATUS_*).
pub const STATUS_STARTING: &str = "starting";
pub const STATUS_READY: &str = "ready   ";
pub const STATUS_STOPPING: &str = "stopping";

/// A lock file we created; removed on drop.
#[derive(Debug)]
pub struct LockFile {
    path: PathBuf,
}

/// Why a lock could not be taken, as a FATAL message and a HINT.
#[derive(Debug)]
pub struct LockError {
    pub message: String,
    pub hint: Option<String>,
}

fn pid_alive(pid: i32) -> bool {
    if pid <= 0 {
        return false;
    }
    if pid == std::process::id() as i32 || pid == nix::unistd::getppid().as_raw() {
        // Our own pid (a recycled pid after a reboot in a container) or our
        // parent's: not another server.
        return false;
    }
    matches!(kill(Pid::from_raw(pid), None), Ok(()) | Err(Errno::EPERM))
}

impl LockFile {
    /// Creates `path` holding `contents`. `what` names the thing locked in
    /// the HINT ("running in data directory ..." / "using socket file ...").
    pub fn create(
        path: &Path,
        contents: &str,
        is_socket: bool,
        target: &Path,
    ) -> Result<LockFile, LockError> {
        let fail = |e: std::io::Error| LockError {
            message: format!("could not create lock file \"{}\": {e}", path.display()),
            hint: None,
        };
        for _ in 0..LOCK_ATTEMPTS_MAX {
            match OpenOptions::new().write(true).create_new(true).open(path) {
                Ok(mut f) => {
                    use std::os::unix::fs::PermissionsExt;
                    let _ = f.set_permissions(std::fs::Permissions::from_mode(0o600));
                    f.write_all(contents.as_bytes()).map_err(fail)?;
                    f.sync_all().map_err(fail)?;
                    return Ok(LockFile {
                        path: path.to_path_buf(),
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let existing = std::fs::read_to_string(path).unwrap_or_default();
                    let other: i32 = existing
                        .lines()
                        .next()
                        .unwrap_or("")
                        .trim()
                        .parse()
                        .unwrap_or(0);
                    if pid_alive(other) {
                        let name = path
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        let shown = if is_socket {
                            path.display().to_string()
                        } else {
                            name
                        };
                        let hint = if is_socket {
                            format!(
                                "Is another postmaster (PID {other}) using socket file \"{}\"?",
                                target.display()
                            )
                        } else {
                            format!("Is another postmaster (PID {other}) running in data directory \"{}\"?", target.display())
                        };
                        return Err(LockError {
                            message: format!("lock file \"{shown}\" already exists"),
                            hint: Some(hint),
                        });
                    }
                    // Stale: the process that wrote it is gone.
                    match std::fs::remove_file(path) {
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => {
                            return Err(LockError {
                                message: format!("could not remove old lock file \"{}\": {e}", path.display()),
                                hint: Some("The file seems accidentally left over, but it could not be removed. Please remove the file by hand and try again.".to_string()),
                            })
                        }
                    }
                }
                Err(e) => return Err(fail(e)),
            }
        }
        Err(LockError {
            message: format!(
                "could not create lock file \"{}\": too many attempts",
                path.display()
            ),
            hint: None,
        })
    }

    /// Rewrites the status line (the last line) of postmaster.pid.
    pub fn set_status(&self, status: &str) {
        if let Ok(text) = std::fs::read_to_string(&self.path) {
            let mut lines: Vec<&str> = text.lines().collect();
            if let Some(last) = lines.last_mut() {
                *last = status;
            }
            // Rewritten in place, never truncated first (as
            // AddToDataDirLockFile): a reader never sees it empty.
            let contents = format!("{}\n", lines.join("\n"));
            if let Ok(mut f) = OpenOptions::new().write(true).open(&self.path) {
                let _ = f
                    .write_all(contents.as_bytes())
                    .and_then(|_| f.set_len(contents.len() as u64));
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for LockFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_owner_refuses_and_stale_file_is_replaced() {
        let dir = std::env::temp_dir().join(format!("pm-lock-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("postmaster.pid");
        // pid 1 is alive (init): another server.
        std::fs::write(&path, "1\n").unwrap();
        let e = LockFile::create(&path, "x\n", false, &dir).unwrap_err();
        assert_eq!(e.message, "lock file \"postmaster.pid\" already exists");
        // A pid that cannot exist: stale.
        std::fs::write(&path, "2147483646\n").unwrap();
        let lock = LockFile::create(&path, "mine\nstarting\n", false, &dir).unwrap();
        lock.set_status(STATUS_READY);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine\nready   \n");
        drop(lock);
        assert!(!path.exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
