//! The shared-memory segment, created by the supervisor before any child
//! exists (PostgreSQL's CreateSharedMemoryAndSemaphores).
//!
//! Layout: a [`Header`], `slot_count` [`ChildSlot`]s, as many
//! [`activity::BackendStatus`] entries, `worker_slot_count`
//! [`activity::WorkerSlot`]s and the per-database counters. Everything
//! is `#[repr(C)]` and made of atomics, so any process (or thread) mapping
//! the segment can read and write it without locks, and a child that dies
//! mid-update cannot leave a lock held that the supervisor would wait on.
//!
//! The segment is a memfd mapped MAP_SHARED: a forked child shares it, and an
//! exec'd child can map the same memfd again from an inherited descriptor.
//!
//! Ownership of fields (who writes / who reads):
//! - `ChildSlot::state`: supervisor writes FREE<->ASSIGNED; the child writes
//!   ASSIGNED->ACTIVE at start and ACTIVE->ASSIGNED at a clean exit
//!   (PostgreSQL's PMChildFlags). A slot still ACTIVE when its child is
//!   reaped means the child died without cleaning up.
//! - `pid`, `cancel_key`: supervisor writes before launch; cancel children read.
//! - `pending`: anyone sets interrupt bits (cancel); the owning child takes them.
//! - `holds_connection`: the child, when it counts against max_connections.
//! - `database_oid`: the backend, once logged in (0 before); DROP DATABASE
//!   reads it to find other sessions on a database.
//! - `role_oid`: the backend's login role, once authenticated (0 before);
//!   a role's CONNECTION LIMIT counts the slots holding it.
//! - `Header::connections`: backends increment (bounded by max_connections)
//!   and decrement; the supervisor corrects it for a child that died holding one.

use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicI32, AtomicU32, AtomicU64, Ordering};

use memmap2::{MmapMut, MmapOptions};

pub mod activity;

/// "PMSHMEM1" — identifies a segment of ours.
pub const SHMEM_MAGIC: u64 = 0x504d_5348_4d45_4d31;
/// Bumped whenever the layout changes.
pub const SHMEM_LAYOUT_VERSION: u32 = 8;

/// Why the supervisor sent SIGQUIT (PostgreSQL's QuitSignalReason): an
/// immediate shutdown, or the crash of another child.
pub const QUIT_FOR_STOP: u32 = 0;
pub const QUIT_FOR_CRASH: u32 = 1;

/// Slot states (PostgreSQL's PM_CHILD_*).
pub const SLOT_FREE: u32 = 0;
pub const SLOT_ASSIGNED: u32 = 1;
pub const SLOT_ACTIVE: u32 = 2;

/// Interrupt bits in `ChildSlot::pending`.
pub const INTERRUPT_CANCEL: u32 = 1 << 0;
pub const INTERRUPT_TERMINATE: u32 = 1 << 1;

#[repr(C)]
pub struct Header {
    magic: AtomicU64,
    layout_version: AtomicU32,
    slot_count: AtomicU32,
    max_connections: AtomicU32,
    /// Backends that passed the max_connections check and have not exited.
    connections: AtomicU32,
    /// Bumped by whoever changes the global catalog (roles, databases), so
    /// that catalog snapshots taken before are not used any more.
    catalog_generation: AtomicU64,
    /// Bumped by a session that changes a database's schema (at the DDL
    /// and again when its transaction ends), so that other sessions drop
    /// prepared SQLite statements and inferred types made before.
    schema_generation: AtomicU64,
    /// QUIT_FOR_STOP or QUIT_FOR_CRASH, set by the supervisor before it
    /// sends SIGQUIT.
    quit_reason: AtomicU32,
    /// The supervisor's process id (pg_reload_conf signals it).
    postmaster_pid: AtomicI32,
    /// Dynamic background worker request slots (max_worker_processes).
    worker_slot_count: AtomicU32,
    /// activity::PMSIGNAL_* bits raised by children for the supervisor.
    pm_signal: AtomicU32,
}

#[repr(C)]
pub struct ChildSlot {
    state: AtomicU32,
    pid: AtomicI32,
    cancel_key: AtomicU32,
    pending: AtomicU32,
    holds_connection: AtomicU32,
    database_oid: AtomicU32,
    role_oid: AtomicU32,
    /// (The arrays after the slots hold 8-byte atomics: a slot's size
    /// stays a multiple of 8.)
    _pad: AtomicU32,
}

/// A mapping of the segment.
pub struct Shmem {
    map: MmapMut,
    fd: OwnedFd,
}

/// Byte offsets of the arrays after the header.
struct Layout {
    statuses: usize,
    workers: usize,
    databases: usize,
    size: usize,
}

fn layout(slot_count: u32, worker_slot_count: u32) -> Layout {
    let slots = std::mem::size_of::<Header>();
    let statuses = slots + slot_count as usize * std::mem::size_of::<ChildSlot>();
    let workers = statuses + slot_count as usize * std::mem::size_of::<activity::BackendStatus>();
    let databases =
        workers + worker_slot_count as usize * std::mem::size_of::<activity::WorkerSlot>();
    let size =
        databases + activity::DATABASE_STATS_MAX * std::mem::size_of::<activity::DatabaseStats>();
    Layout {
        statuses,
        workers,
        databases,
        size,
    }
}

impl Shmem {
    /// Creates a zeroed segment with room for `slot_count` children and
    /// `worker_slot_count` dynamic worker requests.
    pub fn create(
        slot_count: u32,
        max_connections: u32,
        worker_slot_count: u32,
    ) -> io::Result<Shmem> {
        let fd = nix::sys::memfd::memfd_create(
            c"postmaster-shmem",
            nix::sys::memfd::MFdFlags::MFD_CLOEXEC,
        )?;
        let size = layout(slot_count, worker_slot_count).size;
        nix::unistd::ftruncate(&fd, size as i64)?;
        let shmem = Self::map(fd, size)?;
        let h = shmem.header();
        h.slot_count.store(slot_count, Ordering::SeqCst);
        h.worker_slot_count
            .store(worker_slot_count, Ordering::SeqCst);
        h.max_connections.store(max_connections, Ordering::SeqCst);
        h.postmaster_pid
            .store(std::process::id() as i32, Ordering::SeqCst);
        h.layout_version
            .store(SHMEM_LAYOUT_VERSION, Ordering::SeqCst);
        h.magic.store(SHMEM_MAGIC, Ordering::SeqCst);
        Ok(shmem)
    }

    /// Maps an existing segment from its descriptor (an exec'd child).
    pub fn attach(fd: OwnedFd) -> io::Result<Shmem> {
        let size = nix::sys::stat::fstat(&fd)?.st_size as usize;
        if size < std::mem::size_of::<Header>() {
            return Err(io::Error::other("shared memory segment is too small"));
        }
        let shmem = Self::map(fd, size)?;
        let h = shmem.header();
        if h.magic.load(Ordering::SeqCst) != SHMEM_MAGIC
            || h.layout_version.load(Ordering::SeqCst) != SHMEM_LAYOUT_VERSION
            || layout(
                h.slot_count.load(Ordering::SeqCst),
                h.worker_slot_count.load(Ordering::SeqCst),
            )
            .size
                > size
        {
            return Err(io::Error::other(
                "shared memory segment has a different layout version",
            ));
        }
        Ok(shmem)
    }

    fn map(fd: OwnedFd, size: usize) -> io::Result<Shmem> {
        let file = std::fs::File::from(fd.try_clone()?);
        // SAFETY: the memfd is ours; it is only ever resized by `create`
        // before mapping, so the mapping cannot be truncated under us.
        // MmapOptions::map_mut on a file maps it MAP_SHARED.
        let map = unsafe { MmapOptions::new().len(size).map_mut(&file)? };
        Ok(Shmem { map, fd })
    }

    /// The segment's descriptor (to pass to an exec'd child).
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    fn layout(&self) -> Layout {
        layout(self.slot_count(), self.worker_slot_count())
    }

    fn base(&self) -> *const u8 {
        self.map.as_ptr()
    }

    fn header(&self) -> &Header {
        // SAFETY: the map is page-aligned and at least size_of::<Header>()
        // long (checked in create/attach); Header is repr(C) atomics, for
        // which all-zero and any bit pattern written by us are valid; all
        // mutation goes through atomics, so shared references are sound.
        unsafe { &*(self.map.as_ptr() as *const Header) }
    }

    pub fn slot_count(&self) -> u32 {
        self.header().slot_count.load(Ordering::Relaxed)
    }

    pub fn max_connections(&self) -> u32 {
        self.header().max_connections.load(Ordering::Relaxed)
    }

    /// The slot at `index`. Panics on an index out of range (a broken invariant).
    pub fn slot(&self, index: u32) -> &ChildSlot {
        assert!(index < self.slot_count(), "child slot {index} out of range");
        let offset =
            std::mem::size_of::<Header>() + index as usize * std::mem::size_of::<ChildSlot>();
        // SAFETY: in bounds (asserted above, and segment_size covers every
        // slot); ChildSlot is repr(C) atomics with alignment 4, and the
        // offset is a multiple of 4 past a page-aligned base.
        unsafe { &*(self.map.as_ptr().add(offset) as *const ChildSlot) }
    }

    /// Supervisor: marks a free slot assigned to a child about to start.
    pub fn assign_slot(&self, index: u32, cancel_key: u32) {
        let slot = self.slot(index);
        let previous = slot.state.swap(SLOT_ASSIGNED, Ordering::SeqCst);
        assert_eq!(previous, SLOT_FREE, "child slot {index} assigned twice");
        slot.pid.store(0, Ordering::SeqCst);
        slot.cancel_key.store(cancel_key, Ordering::SeqCst);
        slot.pending.store(0, Ordering::SeqCst);
        slot.holds_connection.store(0, Ordering::SeqCst);
        slot.database_oid.store(0, Ordering::SeqCst);
        slot.role_oid.store(0, Ordering::SeqCst);
    }

    /// Supervisor: records the pid once the child exists.
    pub fn set_slot_pid(&self, index: u32, pid: i32) {
        self.slot(index).pid.store(pid, Ordering::SeqCst);
    }

    /// Supervisor, after reaping the slot's child: frees the slot. Returns
    /// false when the child had not released it (died without cleaning up).
    /// A connection it still counted is given back.
    pub fn release_slot(&self, index: u32) -> bool {
        let slot = self.slot(index);
        if slot.holds_connection.swap(0, Ordering::SeqCst) != 0 {
            self.header().connections.fetch_sub(1, Ordering::SeqCst);
        }
        slot.pid.store(0, Ordering::SeqCst);
        slot.cancel_key.store(0, Ordering::SeqCst);
        // Its child is gone: its status entry shows no more.
        self.status_end(index);
        let previous = slot.state.swap(SLOT_FREE, Ordering::SeqCst);
        assert_ne!(previous, SLOT_FREE, "child slot {index} released twice");
        previous == SLOT_ASSIGNED
    }

    /// Child: marks its slot active (PostgreSQL's MarkPostmasterChildActive).
    pub fn mark_active(&self, index: u32) {
        let previous = self.slot(index).state.swap(SLOT_ACTIVE, Ordering::SeqCst);
        assert_eq!(
            previous, SLOT_ASSIGNED,
            "child slot {index} was not assigned"
        );
    }

    /// Child, at a clean exit: gives back its connection and marks the slot
    /// inactive (MarkPostmasterChildInactive).
    pub fn mark_inactive(&self, index: u32) {
        self.release_connection(index);
        let previous = self.slot(index).state.swap(SLOT_ASSIGNED, Ordering::SeqCst);
        assert_eq!(previous, SLOT_ACTIVE, "child slot {index} was not active");
    }

    /// Child: counts itself against max_connections; false if none is left.
    pub fn try_claim_connection(&self, index: u32) -> bool {
        let h = self.header();
        let max = h.max_connections.load(Ordering::Relaxed);
        let claimed = h
            .connections
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < max).then_some(n + 1)
            })
            .is_ok();
        if claimed {
            self.slot(index).holds_connection.store(1, Ordering::SeqCst);
        }
        claimed
    }

    /// Backend, once logged in: the database it is connected to.
    pub fn set_slot_database(&self, index: u32, oid: u32) {
        self.slot(index).database_oid.store(oid, Ordering::SeqCst);
    }

    /// Child: the role its backend logged in as.
    pub fn set_slot_role(&self, index: u32, oid: u32) {
        self.slot(index).role_oid.store(oid, Ordering::SeqCst);
    }

    /// How many live backends logged in as role `oid` (CountUserBackends).
    pub fn role_backends(&self, oid: u32) -> usize {
        (0..self.slot_count())
            .map(|i| self.slot(i))
            .filter(|s| {
                s.state.load(Ordering::SeqCst) == SLOT_ACTIVE
                    && s.role_oid.load(Ordering::SeqCst) == oid
            })
            .count()
    }

    /// The database a slot's backend is connected to (0: none yet).
    pub fn slot_database(&self, index: u32) -> u32 {
        self.slot(index).database_oid.load(Ordering::SeqCst)
    }

    /// Pids of live children connected to database `oid`.
    pub fn database_users(&self, oid: u32) -> Vec<i32> {
        (0..self.slot_count())
            .map(|i| self.slot(i))
            .filter(|s| {
                s.state.load(Ordering::SeqCst) == SLOT_ACTIVE
                    && s.database_oid.load(Ordering::SeqCst) == oid
            })
            .map(|s| s.pid.load(Ordering::SeqCst))
            .collect()
    }

    /// Child: stops counting against max_connections (idempotent).
    pub fn release_connection(&self, index: u32) {
        if self.slot(index).holds_connection.swap(0, Ordering::SeqCst) != 0 {
            self.header().connections.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Live connections counted against max_connections.
    /// The supervisor's process id.
    pub fn postmaster_pid(&self) -> i32 {
        self.header().postmaster_pid.load(Ordering::SeqCst)
    }

    /// Supervisor: records why the next SIGQUIT is sent.
    pub fn set_quit_reason(&self, reason: u32) {
        self.header().quit_reason.store(reason, Ordering::SeqCst);
    }

    /// Child: why it was told to quit.
    pub fn quit_reason(&self) -> u32 {
        self.header().quit_reason.load(Ordering::SeqCst)
    }

    /// The current catalog generation (see `CatalogSnapshot`).
    pub fn catalog_generation(&self) -> u64 {
        self.header().catalog_generation.load(Ordering::SeqCst)
    }

    /// Marks every catalog snapshot taken so far as stale.
    pub fn bump_catalog_generation(&self) -> u64 {
        self.header()
            .catalog_generation
            .fetch_add(1, Ordering::SeqCst)
            + 1
    }

    /// The current schema generation (see `Header::schema_generation`).
    pub fn schema_generation(&self) -> u64 {
        self.header().schema_generation.load(Ordering::Acquire)
    }

    /// Marks every session's cached statements and types as stale.
    pub fn bump_schema_generation(&self) {
        self.header()
            .schema_generation
            .fetch_add(1, Ordering::AcqRel);
    }

    pub fn connection_count(&self) -> u32 {
        self.header().connections.load(Ordering::SeqCst)
    }

    /// Finds the active child with this pid and cancel key (CancelRequest).
    pub fn find_by_cancel_key(&self, pid: i32, cancel_key: u32) -> Option<u32> {
        (0..self.slot_count()).find(|&i| {
            let s = self.slot(i);
            s.state.load(Ordering::SeqCst) == SLOT_ACTIVE
                && s.pid.load(Ordering::SeqCst) == pid
                && pid != 0
                && s.cancel_key.load(Ordering::SeqCst) == cancel_key
        })
    }

    /// Finds the active child with this pid (pg_cancel_backend and friends).
    pub fn find_by_pid(&self, pid: i32) -> Option<u32> {
        (0..self.slot_count()).find(|&i| {
            let s = self.slot(i);
            pid != 0
                && s.state.load(Ordering::SeqCst) == SLOT_ACTIVE
                && s.pid.load(Ordering::SeqCst) == pid
        })
    }

    pub fn slot_pid(&self, index: u32) -> i32 {
        self.slot(index).pid.load(Ordering::SeqCst)
    }

    pub fn slot_cancel_key(&self, index: u32) -> u32 {
        self.slot(index).cancel_key.load(Ordering::SeqCst)
    }

    /// Sets interrupt bits on a slot (the sender then wakes the child).
    pub fn raise_interrupt(&self, index: u32, bits: u32) {
        self.slot(index).pending.fetch_or(bits, Ordering::SeqCst);
    }

    /// Looks at a slot's pending interrupts without clearing them.
    pub fn pending_interrupts(&self, index: u32) -> u32 {
        self.slot(index).pending.load(Ordering::SeqCst)
    }

    /// Clears the given interrupt bits, returning which of them were set.
    pub fn take_interrupts(&self, index: u32, bits: u32) -> u32 {
        self.slot(index).pending.fetch_and(!bits, Ordering::SeqCst) & bits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_lifecycle_and_connection_limit() {
        let shm = Shmem::create(4, 2, 0).unwrap();
        for i in 0..3 {
            shm.assign_slot(i, 100 + i);
            shm.set_slot_pid(i, 1000 + i as i32);
            shm.mark_active(i);
        }
        assert!(shm.try_claim_connection(0));
        assert!(shm.try_claim_connection(1));
        assert!(!shm.try_claim_connection(2), "max_connections is 2");
        assert_eq!(shm.find_by_cancel_key(1001, 101), Some(1));
        assert_eq!(shm.find_by_cancel_key(1001, 999), None);

        // Clean exit: the child gives everything back.
        shm.mark_inactive(0);
        assert!(shm.release_slot(0));
        assert_eq!(shm.connection_count(), 1);
        // Died while active: the supervisor sees it and repairs the count.
        assert!(!shm.release_slot(1));
        assert_eq!(shm.connection_count(), 0);
        assert!(shm.try_claim_connection(2));
    }

    #[test]
    fn interrupts_are_taken_once() {
        let shm = Shmem::create(1, 1, 0).unwrap();
        shm.assign_slot(0, 7);
        shm.raise_interrupt(0, INTERRUPT_CANCEL);
        assert_eq!(shm.take_interrupts(0, INTERRUPT_CANCEL), INTERRUPT_CANCEL);
        assert_eq!(shm.take_interrupts(0, INTERRUPT_CANCEL), 0);
    }

    #[test]
    fn attach_sees_the_same_contents() {
        let shm = Shmem::create(2, 2, 0).unwrap();
        shm.assign_slot(1, 42);
        let other = Shmem::attach(shm.fd().try_clone_to_owned().unwrap()).unwrap();
        assert_eq!(other.slot_cancel_key(1), 42);
    }
}
