//! What every child is doing (PostgreSQL's PgBackendStatus, read by
//! pg_stat_activity), the background-worker request slots a backend fills
//! to ask the supervisor for a dynamic worker (BackgroundWorkerSlot), and
//! per-database transaction counters (pg_stat_database).
//!
//! Status entries are written only by their own child and read by anyone,
//! without locks: the writer bumps `changecount` to odd before a change and
//! to even after; a reader copies the entry and retries when the count was
//! odd or moved meanwhile (PostgreSQL's st_changecount protocol). Strings
//! live in arrays of `AtomicU64`, so a torn read is impossible by
//! construction and a reader never sees half of an update.

use std::sync::atomic::{fence, AtomicI32, AtomicI64, AtomicU32, AtomicU64, Ordering};

use crate::Shmem;

/// `backend_type` codes.
pub const BACKEND_TYPE_NONE: u32 = 0;
pub const BACKEND_TYPE_CLIENT: u32 = 1;
pub const BACKEND_TYPE_WORKER: u32 = 2;

/// `state` codes, as pg_stat_activity names them.
pub const STATE_STARTING: u32 = 0;
pub const STATE_IDLE: u32 = 1;
pub const STATE_ACTIVE: u32 = 2;
pub const STATE_IDLE_IN_TRANSACTION: u32 = 3;
pub const STATE_IDLE_IN_TRANSACTION_ABORTED: u32 = 4;

/// `wait_event` codes (type, event).
pub const WAIT_NONE: u32 = 0;
pub const WAIT_CLIENT_READ: u32 = 1;
pub const WAIT_PG_SLEEP: u32 = 2;
pub const WAIT_LOCK: u32 = 3;
pub const WAIT_WORKER_MAIN: u32 = 4;

/// Bytes of query text kept (PostgreSQL's track_activity_query_size).
pub const QUERY_BYTES: usize = 1024;
const NAME_WORDS: usize = 8;

#[repr(C)]
pub struct BackendStatus {
    changecount: AtomicU32,
    backend_type: AtomicU32,
    pid: AtomicI32,
    database_oid: AtomicU32,
    state: AtomicU32,
    wait_event: AtomicU32,
    client_port: AtomicI32,
    _pad: AtomicU32,
    backend_start_us: AtomicI64,
    xact_start_us: AtomicI64,
    query_start_us: AtomicI64,
    state_change_us: AtomicI64,
    user: [AtomicU64; NAME_WORDS],
    application_name: [AtomicU64; NAME_WORDS],
    client_addr: [AtomicU64; NAME_WORDS],
    type_name: [AtomicU64; NAME_WORDS],
    query: [AtomicU64; QUERY_BYTES / 8],
}

/// A consistent copy of one status entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Activity {
    pub pid: i32,
    pub backend_type: u32,
    /// `client backend`, a worker's type, `checkpointer`, ...
    pub type_name: String,
    pub database_oid: u32,
    pub state: u32,
    pub wait_event: u32,
    pub user: String,
    pub application_name: String,
    /// Empty for a Unix-socket client or a worker.
    pub client_addr: String,
    /// -1 for a Unix socket, 0 for none.
    pub client_port: i32,
    pub backend_start_us: i64,
    pub xact_start_us: i64,
    pub query_start_us: i64,
    pub state_change_us: i64,
    pub query: String,
}

/// What a child reports about itself when it starts.
pub struct StatusStart<'a> {
    pub backend_type: u32,
    pub type_name: &'a str,
    pub pid: i32,
    pub user: &'a str,
    pub client_addr: &'a str,
    pub client_port: i32,
    pub now_us: i64,
}

fn store_text(cells: &[AtomicU64], text: &str) {
    let mut end = text.len().min(cells.len() * 8 - 1);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let bytes = &text.as_bytes()[..end];
    // Every cell up to and including the one holding the terminating zero.
    for (i, cell) in cells.iter().enumerate().take(end / 8 + 1) {
        let mut word = [0u8; 8];
        let chunk = bytes.get(i * 8..).unwrap_or_default();
        let n = chunk.len().min(8);
        word[..n].copy_from_slice(&chunk[..n]);
        cell.store(u64::from_ne_bytes(word), Ordering::Relaxed);
    }
}

fn load_text(cells: &[AtomicU64]) -> String {
    let mut bytes = Vec::new();
    for cell in cells {
        let word = cell.load(Ordering::Relaxed).to_ne_bytes();
        match word.iter().position(|b| *b == 0) {
            Some(n) => {
                bytes.extend_from_slice(&word[..n]);
                break;
            }
            None => bytes.extend_from_slice(&word),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

impl BackendStatus {
    /// Runs `f` between the two changecount bumps.
    fn write(&self, f: impl FnOnce(&BackendStatus)) {
        self.changecount.fetch_add(1, Ordering::AcqRel);
        f(self);
        self.changecount.fetch_add(1, Ordering::Release);
    }

    fn read(&self) -> Activity {
        loop {
            let before = self.changecount.load(Ordering::Acquire);
            if before % 2 == 1 {
                std::hint::spin_loop();
                continue;
            }
            let copy = Activity {
                pid: self.pid.load(Ordering::Relaxed),
                backend_type: self.backend_type.load(Ordering::Relaxed),
                type_name: load_text(&self.type_name),
                database_oid: self.database_oid.load(Ordering::Relaxed),
                state: self.state.load(Ordering::Relaxed),
                wait_event: self.wait_event.load(Ordering::Relaxed),
                user: load_text(&self.user),
                application_name: load_text(&self.application_name),
                client_addr: load_text(&self.client_addr),
                client_port: self.client_port.load(Ordering::Relaxed),
                backend_start_us: self.backend_start_us.load(Ordering::Relaxed),
                xact_start_us: self.xact_start_us.load(Ordering::Relaxed),
                query_start_us: self.query_start_us.load(Ordering::Relaxed),
                state_change_us: self.state_change_us.load(Ordering::Relaxed),
                query: load_text(&self.query),
            };
            fence(Ordering::Acquire);
            if self.changecount.load(Ordering::Relaxed) == before {
                return copy;
            }
        }
    }
}

/// A request slot for a dynamic background worker.
#[repr(C)]
pub struct WorkerSlot {
    /// WORKER_SLOT_FREE, _CLAIMED (being written) or _READY.
    in_use: AtomicU32,
    /// Bumped each time the slot is freed: a handle names slot + generation.
    generation: AtomicU32,
    /// 0 before the worker started, its pid while it runs, -1 once stopped.
    pid: AtomicI32,
    data_len: AtomicU32,
    /// The pid the worker had when the slot was last freed (0: it never
    /// started), for a registrant that looks only after it stopped.
    stopped_pid: AtomicI32,
    _pad: AtomicU32,
    data: [AtomicU64; WORKER_DATA_BYTES / 8],
}

const WORKER_SLOT_FREE: u32 = 0;
const WORKER_SLOT_CLAIMED: u32 = 1;
const WORKER_SLOT_READY: u32 = 2;
/// Room for a serialized registration.
pub const WORKER_DATA_BYTES: usize = 4096;

/// Where a dynamic worker is, as its registrant sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkerState {
    NotYetStarted,
    Started(i32),
    Stopped,
}

/// Per-database counters.
#[repr(C)]
pub struct DatabaseStats {
    oid: AtomicU32,
    _pad: AtomicU32,
    commits: AtomicU64,
    rollbacks: AtomicU64,
}

/// Databases whose counters shared memory keeps.
pub const DATABASE_STATS_MAX: usize = 64;

/// Signals from children to the supervisor (PostgreSQL's PMSignalReason),
/// sent with SIGUSR1.
pub const PMSIGNAL_WORKER_CHANGE: u32 = 1 << 0;

impl Shmem {
    fn status(&self, slot: u32) -> &BackendStatus {
        assert!(slot < self.slot_count(), "status slot {slot} out of range");
        let offset = self.layout().statuses + slot as usize * std::mem::size_of::<BackendStatus>();
        // SAFETY: in bounds (segment_size covers slot_count statuses);
        // BackendStatus is repr(C) atomics, 8-aligned at an 8-aligned offset.
        unsafe { &*(self.base().add(offset) as *const BackendStatus) }
    }

    fn worker_slot(&self, index: u32) -> &WorkerSlot {
        assert!(
            index < self.worker_slot_count(),
            "worker slot {index} out of range"
        );
        let offset = self.layout().workers + index as usize * std::mem::size_of::<WorkerSlot>();
        // SAFETY: as for `status`.
        unsafe { &*(self.base().add(offset) as *const WorkerSlot) }
    }

    fn database_stats(&self, index: usize) -> &DatabaseStats {
        assert!(index < DATABASE_STATS_MAX);
        let offset = self.layout().databases + index * std::mem::size_of::<DatabaseStats>();
        // SAFETY: as for `status`.
        unsafe { &*(self.base().add(offset) as *const DatabaseStats) }
    }

    /// Child: its status entry at start (PostgreSQL's pgstat_bestart).
    pub fn status_start(&self, slot: u32, s: &StatusStart<'_>) {
        self.status(slot).write(|st| {
            st.backend_type.store(s.backend_type, Ordering::Relaxed);
            st.pid.store(s.pid, Ordering::Relaxed);
            st.database_oid.store(0, Ordering::Relaxed);
            st.state.store(STATE_STARTING, Ordering::Relaxed);
            st.wait_event.store(WAIT_NONE, Ordering::Relaxed);
            st.client_port.store(s.client_port, Ordering::Relaxed);
            st.backend_start_us.store(s.now_us, Ordering::Relaxed);
            st.xact_start_us.store(0, Ordering::Relaxed);
            st.query_start_us.store(0, Ordering::Relaxed);
            st.state_change_us.store(s.now_us, Ordering::Relaxed);
            store_text(&st.type_name, s.type_name);
            store_text(&st.user, s.user);
            store_text(&st.application_name, "");
            store_text(&st.client_addr, s.client_addr);
            store_text(&st.query, "");
        });
    }

    /// Child, after login: database and application name.
    pub fn status_login(&self, slot: u32, database_oid: u32, application_name: &str) {
        self.status(slot).write(|st| {
            st.database_oid.store(database_oid, Ordering::Relaxed);
            store_text(&st.application_name, application_name);
        });
    }

    /// Child: a new state; `query` is the statement starting (active) or
    /// None to keep the last one (pgstat_report_activity).
    pub fn status_report(&self, slot: u32, state: u32, query: Option<&str>, now_us: i64) {
        self.status(slot).write(|st| {
            if st.state.load(Ordering::Relaxed) != state {
                st.state_change_us.store(now_us, Ordering::Relaxed);
            }
            st.state.store(state, Ordering::Relaxed);
            if let Some(q) = query {
                st.query_start_us.store(now_us, Ordering::Relaxed);
                store_text(&st.query, q);
            }
        });
    }

    /// Child: when its transaction started (0: none open).
    pub fn status_xact_start(&self, slot: u32, us: i64) {
        self.status(slot)
            .write(|st| st.xact_start_us.store(us, Ordering::Relaxed));
    }

    /// Child: what it waits for (a single word: no changecount needed).
    pub fn status_wait_event(&self, slot: u32, event: u32) {
        self.status(slot).wait_event.store(event, Ordering::Relaxed);
    }

    /// Child, at exit: the entry no longer shows.
    pub fn status_end(&self, slot: u32) {
        self.status(slot)
            .write(|st| st.backend_type.store(BACKEND_TYPE_NONE, Ordering::Relaxed));
    }

    /// Every child's status (pg_stat_activity), in slot order.
    pub fn activity(&self) -> Vec<Activity> {
        (0..self.slot_count())
            .filter(|&i| self.slot(i).state.load(Ordering::SeqCst) == crate::SLOT_ACTIVE)
            .map(|i| self.status(i).read())
            .filter(|a| a.backend_type != BACKEND_TYPE_NONE)
            .collect()
    }

    pub fn worker_slot_count(&self) -> u32 {
        self.header().worker_slot_count.load(Ordering::Relaxed)
    }

    /// Backend: asks for a dynamic worker with this serialized
    /// registration. Returns the handle (slot, generation), or None when
    /// every slot is taken (max_worker_processes) or the data is too big.
    pub fn request_worker(&self, data: &[u8]) -> Option<(u32, u32)> {
        if data.len() > WORKER_DATA_BYTES {
            return None;
        }
        let index = (0..self.worker_slot_count()).find(|&i| {
            self.worker_slot(i)
                .in_use
                .compare_exchange(
                    WORKER_SLOT_FREE,
                    WORKER_SLOT_CLAIMED,
                    Ordering::AcqRel,
                    Ordering::Relaxed,
                )
                .is_ok()
        })?;
        let slot = self.worker_slot(index);
        slot.pid.store(0, Ordering::Relaxed);
        slot.data_len.store(data.len() as u32, Ordering::Relaxed);
        for (i, cell) in slot.data.iter().enumerate().take(data.len().div_ceil(8)) {
            let mut word = [0u8; 8];
            let chunk = &data[i * 8..];
            let n = chunk.len().min(8);
            word[..n].copy_from_slice(&chunk[..n]);
            cell.store(u64::from_ne_bytes(word), Ordering::Relaxed);
        }
        let generation = slot.generation.load(Ordering::Relaxed);
        slot.in_use.store(WORKER_SLOT_READY, Ordering::Release);
        self.header()
            .pm_signal
            .fetch_or(PMSIGNAL_WORKER_CHANGE, Ordering::SeqCst);
        Some((index, generation))
    }

    /// Supervisor: requests ready in slots it does not know yet.
    pub fn worker_requests(&self, known: &[u32]) -> Vec<(u32, u32, Vec<u8>)> {
        (0..self.worker_slot_count())
            .filter(|i| !known.contains(i))
            .filter_map(|i| {
                let slot = self.worker_slot(i);
                if slot.in_use.load(Ordering::Acquire) != WORKER_SLOT_READY {
                    return None;
                }
                let len = (slot.data_len.load(Ordering::Relaxed) as usize).min(WORKER_DATA_BYTES);
                let mut data = Vec::with_capacity(len);
                for cell in slot.data.iter().take(len.div_ceil(8)) {
                    data.extend_from_slice(&cell.load(Ordering::Relaxed).to_ne_bytes());
                }
                data.truncate(len);
                Some((i, slot.generation.load(Ordering::Relaxed), data))
            })
            .collect()
    }

    /// Supervisor: the worker of a request slot started (pid) or stopped (-1).
    pub fn set_worker_pid(&self, index: u32, pid: i32) {
        self.worker_slot(index).pid.store(pid, Ordering::SeqCst);
    }

    /// Supervisor: the request slot's worker is gone for good.
    pub fn free_worker_slot(&self, index: u32) {
        let slot = self.worker_slot(index);
        let pid = slot.pid.swap(-1, Ordering::SeqCst);
        slot.stopped_pid.store(pid.max(0), Ordering::SeqCst);
        slot.generation.fetch_add(1, Ordering::SeqCst);
        slot.in_use.store(WORKER_SLOT_FREE, Ordering::SeqCst);
    }

    /// Registrant: the pid its worker had, once the worker has started
    /// and stopped and the slot was freed (a short-lived worker may do
    /// all that before the registrant looks).
    pub fn worker_stopped_pid(&self, index: u32, generation: u32) -> Option<i32> {
        let slot = self.worker_slot(index);
        if slot.generation.load(Ordering::SeqCst) != generation.wrapping_add(1) {
            return None;
        }
        Some(slot.stopped_pid.load(Ordering::SeqCst)).filter(|&p| p > 0)
    }

    /// Registrant: where its worker is (GetBackgroundWorkerPid).
    pub fn worker_state(&self, index: u32, generation: u32) -> WorkerState {
        let slot = self.worker_slot(index);
        if slot.generation.load(Ordering::SeqCst) != generation
            || slot.in_use.load(Ordering::SeqCst) != WORKER_SLOT_READY
        {
            return WorkerState::Stopped;
        }
        match slot.pid.load(Ordering::SeqCst) {
            0 => WorkerState::NotYetStarted,
            -1 => WorkerState::Stopped,
            pid => WorkerState::Started(pid),
        }
    }

    /// Child: raises a reason for the supervisor (then sends it SIGUSR1).
    pub fn set_pm_signal(&self, bits: u32) {
        self.header().pm_signal.fetch_or(bits, Ordering::SeqCst);
    }

    /// Supervisor: takes the reasons raised since last time.
    pub fn take_pm_signals(&self) -> u32 {
        self.header().pm_signal.swap(0, Ordering::SeqCst)
    }

    /// Backend: counts a finished transaction of database `oid`.
    pub fn count_transaction(&self, oid: u32, committed: bool) {
        if oid == 0 {
            return;
        }
        for i in 0..DATABASE_STATS_MAX {
            let entry = self.database_stats(i);
            let current = entry.oid.load(Ordering::Acquire);
            let mine = current == oid
                || (current == 0
                    && match entry
                        .oid
                        .compare_exchange(0, oid, Ordering::AcqRel, Ordering::Acquire)
                    {
                        Ok(_) => true,
                        Err(other) => other == oid,
                    });
            if mine {
                let counter = if committed {
                    &entry.commits
                } else {
                    &entry.rollbacks
                };
                counter.fetch_add(1, Ordering::Relaxed);
                return;
            }
        }
    }

    /// (commits, rollbacks) counted for database `oid`.
    pub fn transaction_counts(&self, oid: u32) -> (u64, u64) {
        (0..DATABASE_STATS_MAX)
            .map(|i| self.database_stats(i))
            .find(|e| e.oid.load(Ordering::Acquire) == oid)
            .map(|e| {
                (
                    e.commits.load(Ordering::Relaxed),
                    e.rollbacks.load(Ordering::Relaxed),
                )
            })
            .unwrap_or((0, 0))
    }

    /// Children with an active slot connected to database `oid`.
    pub fn backends_on(&self, oid: u32) -> usize {
        self.activity()
            .iter()
            .filter(|a| a.database_oid == oid && a.backend_type == BACKEND_TYPE_CLIENT)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_round_trips_and_cuts_long_text() {
        let shm = Shmem::create(2, 2, 2).unwrap();
        shm.assign_slot(1, 7);
        shm.mark_active(1);
        shm.status_start(
            1,
            &StatusStart {
                backend_type: BACKEND_TYPE_CLIENT,
                type_name: "client backend",
                pid: 4242,
                user: "alice",
                client_addr: "127.0.0.1",
                client_port: 5555,
                now_us: 10,
            },
        );
        shm.status_login(1, 5, "psql");
        let long = "é".repeat(QUERY_BYTES);
        shm.status_report(1, STATE_ACTIVE, Some(&long), 20);
        let a = &shm.activity()[0];
        assert_eq!(
            (a.pid, a.user.as_str(), a.application_name.as_str()),
            (4242, "alice", "psql")
        );
        assert_eq!(
            (a.state, a.query_start_us, a.state_change_us),
            (STATE_ACTIVE, 20, 20)
        );
        assert!(a.query.len() < QUERY_BYTES && long.starts_with(&a.query));
        shm.status_report(1, STATE_IDLE, None, 30);
        assert_eq!(
            shm.activity()[0].query,
            a.query,
            "idle keeps the last query"
        );
        shm.status_end(1);
        assert!(shm.activity().is_empty());
    }

    #[test]
    fn worker_requests_have_generations() {
        let shm = Shmem::create(2, 2, 1).unwrap();
        let (i, g) = shm.request_worker(b"registration").unwrap();
        assert!(shm.request_worker(b"second").is_none(), "one slot only");
        assert_eq!(shm.take_pm_signals(), PMSIGNAL_WORKER_CHANGE);
        let requests = shm.worker_requests(&[]);
        assert_eq!(requests, vec![(i, g, b"registration".to_vec())]);
        assert!(shm.worker_requests(&[i]).is_empty());
        assert_eq!(shm.worker_state(i, g), WorkerState::NotYetStarted);
        shm.set_worker_pid(i, 99);
        assert_eq!(shm.worker_state(i, g), WorkerState::Started(99));
        shm.free_worker_slot(i);
        assert_eq!(shm.worker_state(i, g), WorkerState::Stopped);
        let (_, g2) = shm.request_worker(b"again").unwrap();
        assert_ne!(g, g2);
        assert_eq!(shm.worker_state(i, g), WorkerState::Stopped, "old handle");
    }

    #[test]
    fn transaction_counters_per_database() {
        let shm = Shmem::create(1, 1, 0).unwrap();
        shm.count_transaction(5, true);
        shm.count_transaction(5, true);
        shm.count_transaction(5, false);
        shm.count_transaction(16384, true);
        assert_eq!(shm.transaction_counts(5), (2, 1));
        assert_eq!(shm.transaction_counts(16384), (1, 0));
        assert_eq!(shm.transaction_counts(7), (0, 0));
    }
}
