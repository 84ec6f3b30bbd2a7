//! exec mode: fork, then exec the server binary again (PostgreSQL's
//! EXEC_BACKEND), so the child starts from a fresh process image and gets
//! everything it needs explicitly.
//!
//! The parent writes a **parameter block** into a memfd: a header (magic,
//! layout version, build identity) and the postcard-serialized
//! [`ParamBlock`]: kind, startup data, the client socket's fd number and
//! addresses, the shared-memory memfd's fd number, the postmaster-alive
//! fd number, the settings in force and the data directory. The child is
//! started with close-on-exec cleared on exactly those descriptors and the
//! block's, as `/proc/self/exe --forkchild=KIND --params-fd=N`. Every other
//! descriptor of the supervisor is close-on-exec and so never reaches the
//! child. The fork+exec itself is posix_spawn(3), which does not copy the
//! supervisor's page tables and reports a failed exec to the caller. The
//! new process ([`forkchild_main`]) reads and closes the block, refuses one
//! written by a different build, re-attaches shared memory from its fd,
//! and runs the same entry function as the fork path.

use std::ffi::{CString, OsString};
use std::fs::File;
use std::io::{self, Read, Seek, Write};
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use nix::spawn::{posix_spawn, PosixSpawnAttr, PosixSpawnFileActions, PosixSpawnFlags};
use nix::sys::signal::SigSet;
use pm_settings::Settings;
use pm_shmem::Shmem;
use pm_sql::datadir::CatalogSnapshot;
use pm_sys::{ClientSocket, SocketAddress};
use serde::{Deserialize, Serialize};

use crate::{
    kind_info, process_child_setup, run_entry, ChildEnv, ChildHandle, ChildKind, ChildKindInfo,
    LaunchContext, StartupData, CHILD_KINDS,
};

/// First bytes of a parameter block.
const MAGIC: &[u8; 4] = b"PMPB";
/// Layout of the header and of [`ParamBlock`]; bump on any change.
pub const LAYOUT_VERSION: u32 = 3;
/// A block larger than this is not one of ours.
const BLOCK_SIZE_MAX: u64 = 1 << 20;

/// Everything an exec'd child needs to behave as if it had been forked.
#[derive(Debug, Serialize, Deserialize)]
pub struct ParamBlock {
    pub kind: ChildKind,
    pub startup: StartupData,
    pub client: Option<ClientParams>,
    pub shmem_fd: RawFd,
    pub postmaster_alive_fd: RawFd,
    pub settings: Settings,
    pub data_dir: PathBuf,
    pub catalog: CatalogSnapshot,
    pub hba: pm_settings::hba::HbaRules,
}

/// The client socket as it crosses exec: an inherited fd and its addresses.
#[derive(Debug, Serialize, Deserialize)]
pub struct ClientParams {
    pub fd: RawFd,
    pub local: SocketAddress,
    pub remote: SocketAddress,
}

/// This binary's identity: version and the executable file itself (device,
/// inode, size, modification time). Parent and child compute it from
/// their own `/proc/self/exe`; they match only when both run the same file.
pub fn build_id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| {
        let exe = std::fs::metadata("/proc/self/exe")
            .map(|m| {
                format!(
                    "{}:{}:{}:{}.{}",
                    m.dev(),
                    m.ino(),
                    m.size(),
                    m.mtime(),
                    m.mtime_nsec()
                )
            })
            .unwrap_or_else(|_| "unknown".to_string());
        format!("postmaster {} exe {exe}", env!("CARGO_PKG_VERSION"))
    })
}

/// The block's bytes: header, then the serialized block.
pub fn encode_block(block: &ParamBlock, build: &str) -> io::Result<Vec<u8>> {
    let payload = postcard::to_stdvec(block).map_err(io::Error::other)?;
    let mut out = Vec::with_capacity(12 + build.len() + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&LAYOUT_VERSION.to_le_bytes());
    out.extend_from_slice(&(build.len() as u32).to_le_bytes());
    out.extend_from_slice(build.as_bytes());
    out.extend_from_slice(&payload);
    Ok(out)
}

/// Reads a block written by [`encode_block`], refusing one from another
/// layout or build with a message that says which.
pub fn decode_block(bytes: &[u8], build: &str) -> Result<ParamBlock, String> {
    let invalid = || "invalid parameter block".to_string();
    if bytes.len() < 12 || &bytes[..4] != MAGIC {
        return Err(invalid());
    }
    let version = u32::from_le_bytes(bytes[4..8].try_into().unwrap());
    if version != LAYOUT_VERSION {
        return Err(format!(
            "parameter block has layout version {version}, this server expects {LAYOUT_VERSION}"
        ));
    }
    let len = u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize;
    let theirs = bytes.get(12..12 + len).ok_or_else(invalid)?;
    if theirs != build.as_bytes() {
        return Err(format!(
            "parameter block was written by a different build of postmaster (\"{}\"), this is \"{build}\"",
            String::from_utf8_lossy(theirs)
        ));
    }
    postcard::from_bytes(&bytes[12 + len..]).map_err(|e| format!("invalid parameter block: {e}"))
}

pub(crate) fn launch(
    info: &ChildKindInfo,
    startup: StartupData,
    client: Option<ClientSocket>,
    ctx: &LaunchContext,
) -> io::Result<ChildHandle> {
    let block = ParamBlock {
        kind: info.kind,
        startup,
        client: client.as_ref().map(|c| ClientParams {
            fd: c.fd.as_raw_fd(),
            local: c.local.clone(),
            remote: c.remote.clone(),
        }),
        shmem_fd: ctx.shmem.fd().as_raw_fd(),
        postmaster_alive_fd: ctx.postmaster_alive.as_raw_fd(),
        settings: ctx.settings.clone(),
        data_dir: ctx.data_dir.clone(),
        catalog: (*ctx.catalog).clone(),
        hba: (*ctx.hba).clone(),
    };
    let block_fd: OwnedFd = nix::sys::memfd::memfd_create(
        c"postmaster-params",
        nix::sys::memfd::MFdFlags::MFD_CLOEXEC,
    )?;
    File::from(block_fd.try_clone()?).write_all(&encode_block(&block, build_id())?)?;
    let argv = [
        CString::new("postmaster").unwrap(),
        CString::new(format!("--forkchild={}", info.arg_name)).unwrap(),
        CString::new(format!("--params-fd={}", block_fd.as_raw_fd())).unwrap(),
    ];
    let mut inherit = vec![
        block_fd.as_raw_fd(),
        block.shmem_fd,
        block.postmaster_alive_fd,
    ];
    if let Some(c) = &client {
        inherit.push(c.fd.as_raw_fd());
    }
    // posix_spawn: fork+exec without copying the supervisor's page tables
    // (glibc clones with CLONE_VM|CLONE_VFORK). dup2(fd, fd) clears
    // FD_CLOEXEC on exactly the descriptors the block names; the
    // supervisor's handled signals start at their default action.
    let mut actions = PosixSpawnFileActions::init()?;
    for fd in inherit {
        actions.add_dup2(fd, fd)?;
    }
    let mut attr = PosixSpawnAttr::init()?;
    let mut defaults = SigSet::empty();
    for &sig in &ctx.supervisor_signals {
        defaults.add(sig);
    }
    attr.set_sigdefault(&defaults)?;
    attr.set_sigmask(&SigSet::empty())?;
    attr.set_flags(
        PosixSpawnFlags::POSIX_SPAWN_SETSIGDEF | PosixSpawnFlags::POSIX_SPAWN_SETSIGMASK,
    )?;
    let pid = posix_spawn(c"/proc/self/exe", &actions, &attr, &argv, environment())?;
    drop(client);
    drop(block_fd);
    Ok(ChildHandle { pid })
}

/// The supervisor's environment, as exec wants it (built once).
fn environment() -> &'static [CString] {
    static ENV: OnceLock<Vec<CString>> = OnceLock::new();
    ENV.get_or_init(|| {
        std::env::vars_os()
            .filter_map(|(k, v)| {
                let mut kv = k.into_encoded_bytes();
                kv.push(b'=');
                kv.extend(v.into_encoded_bytes());
                CString::new(kv).ok()
            })
            .collect()
    })
}

/// Takes ownership of a descriptor number handed down through exec.
fn inherited_fd(fd: RawFd, what: &str) -> Result<OwnedFd, String> {
    // SAFETY: F_GETFD only reads the descriptor's flags; it fails on a
    // number that is not open.
    if fd < 0 || unsafe { libc::fcntl(fd, libc::F_GETFD) } < 0 {
        return Err(format!(
            "{what} descriptor {fd} from the parameter block is not open"
        ));
    }
    // SAFETY: the number is open (checked above), it came from our parent
    // through exec, and nothing else in this fresh process owns it.
    let owned = unsafe { OwnedFd::from_raw_fd(fd) };
    let _ = pm_sys::fd::set_cloexec(owned.as_fd(), true);
    Ok(owned)
}

/// `postmaster --forkchild=KIND --params-fd=N`: the exec'd child's main.
/// Returns the process exit code.
pub fn forkchild_main(args: &[OsString]) -> i32 {
    // Exec'd through /proc/self/exe, the kernel named us "exe".
    pm_sys::proctitle::set_comm("postmaster");
    pm_elog::init(false);
    match start_from_block(args) {
        Ok((info, startup, client, env)) => run_entry(info, startup, client, env),
        Err(message) => {
            log::error!(target: pm_elog::FATAL, "{message}");
            1
        }
    }
}

type ExecChild = (
    &'static ChildKindInfo,
    StartupData,
    Option<ClientSocket>,
    ChildEnv,
);

fn start_from_block(args: &[OsString]) -> Result<ExecChild, String> {
    let arg = |i: usize, prefix: &str| -> Result<String, String> {
        args.get(i)
            .and_then(|a| a.to_str())
            .and_then(|a| a.strip_prefix(prefix))
            .map(str::to_string)
            .ok_or_else(|| {
                "usage: postmaster --forkchild=KIND --params-fd=N (started by the server only)"
                    .to_string()
            })
    };
    let kind_name = arg(1, "--forkchild=")?;
    let info = CHILD_KINDS
        .iter()
        .find(|k| k.arg_name == kind_name)
        .ok_or_else(|| format!("unrecognized child kind \"{kind_name}\""))?;
    let block_fd: RawFd = arg(2, "--params-fd=")?
        .parse()
        .map_err(|_| "invalid --params-fd".to_string())?;
    let mut file = File::from(inherited_fd(block_fd, "parameter block")?);
    let mut bytes = Vec::new();
    file.rewind()
        .and_then(|_| (&mut file).take(BLOCK_SIZE_MAX).read_to_end(&mut bytes))
        .map_err(|e| format!("could not read parameter block: {e}"))?;
    drop(file);
    let block = decode_block(&bytes, build_id())?;
    if block.kind != info.kind {
        return Err(format!(
            "parameter block is for a {}, not a {}",
            kind_info(block.kind).name,
            info.name
        ));
    }
    pm_elog::init(block.settings.debug_logging);
    let shmem_fd = inherited_fd(block.shmem_fd, "shared memory")?;
    let shmem =
        Shmem::attach(shmem_fd).map_err(|e| format!("could not attach to shared memory: {e}"))?;
    crate::die_with_supervisor(&shmem)
        .map_err(|e| format!("could not watch for postmaster death: {e}"))?;
    let postmaster_alive = inherited_fd(block.postmaster_alive_fd, "postmaster-alive")?;
    let client = match block.client {
        Some(c) => Some(ClientSocket {
            fd: inherited_fd(c.fd, "client socket")?,
            local: c.local,
            remote: c.remote,
        }),
        None => None,
    };
    let mailbox =
        process_child_setup().map_err(|e| format!("could not set up signal handling: {e}"))?;
    pm_sys::proctitle::init();
    // TLS from the same files the supervisor checked at start.
    let tls = if block.settings.ssl {
        match pm_backend::tls::load(&block.data_dir, &block.settings) {
            Ok(t) => Some(t),
            Err(e) => {
                log::warn!("{e}");
                None
            }
        }
    } else {
        None
    };
    let env = ChildEnv {
        settings: block.settings,
        data_dir: block.data_dir,
        shmem: Arc::new(shmem),
        postmaster_alive: Some(postmaster_alive),
        pid: nix::unistd::getpid().as_raw(),
        mailbox,
        process_title: true,
        catalog: Arc::new(block.catalog),
        hba: Arc::new(block.hba),
        tls,
    };
    Ok((info, block.startup, client, env))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BackendStartupData, CanAcceptConnections};

    fn block() -> ParamBlock {
        ParamBlock {
            kind: ChildKind::Backend,
            startup: StartupData::Backend(BackendStartupData {
                can_accept: CanAcceptConnections::Ok,
                slot: Some(3),
                cancel_key: 0xdead_beef,
            }),
            client: Some(ClientParams {
                fd: 9,
                local: SocketAddress::Unix("/tmp/.s.PGSQL.5432".into()),
                remote: SocketAddress::Tcp("127.0.0.1:40000".parse().unwrap()),
            }),
            shmem_fd: 7,
            postmaster_alive_fd: 8,
            settings: Settings::default(),
            data_dir: "/data".into(),
            catalog: CatalogSnapshot {
                generation: 0,
                roles: Vec::new(),
                databases: vec![("postgres".into(), 5)],
                memberships: Vec::new(),
                database_owners: vec![(5, 10)],
                database_acls: Vec::new(),
            },
            hba: Default::default(),
        }
    }

    #[test]
    fn a_block_round_trips() {
        let bytes = encode_block(&block(), "build A").unwrap();
        let back = decode_block(&bytes, "build A").unwrap();
        assert_eq!(back.startup, block().startup);
        assert_eq!(back.client.unwrap().remote, block().client.unwrap().remote);
        assert_eq!(back.settings, Settings::default());
    }

    #[test]
    fn a_block_from_another_build_or_layout_is_refused() {
        let bytes = encode_block(&block(), "build A").unwrap();
        let e = decode_block(&bytes, "build B").unwrap_err();
        assert!(e.contains("different build"), "{e}");
        let mut other = bytes.clone();
        other[4] = 99;
        assert!(decode_block(&other, "build A")
            .unwrap_err()
            .contains("layout version 99"));
        assert_eq!(
            decode_block(b"garbage", "build A").unwrap_err(),
            "invalid parameter block"
        );
        let truncated = &bytes[..bytes.len() - 3];
        assert!(decode_block(truncated, "build A").is_err());
    }
}
