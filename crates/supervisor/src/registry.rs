//! The supervisor's list of its children (PostgreSQL's BackendList /
//! PMChild array): pid, kind, child slot, start time. It is how the
//! supervisor finds whom to signal at shutdown and whose slot to free when
//! a child exits. Private to the supervisor; children never see it.

use std::collections::HashMap;
use std::time::Instant;

use nix::unistd::Pid;
use pm_launch::ChildKind;

pub struct Child {
    pub kind: ChildKind,
    pub slot: Option<u32>,
    #[allow(dead_code)]
    pub started: Instant,
}

pub struct Registry {
    children: HashMap<Pid, Child>,
    free_slots: Vec<u32>,
    /// Slots kept for background workers (after the backends' ones).
    free_worker_slots: Vec<u32>,
    backend_slots: u32,
}

impl Registry {
    /// Slots `0..backend_slots` for backends, the next `worker_slots` for
    /// background workers.
    pub fn new(backend_slots: u32, worker_slots: u32) -> Registry {
        Registry {
            children: HashMap::new(),
            // Lowest slot first.
            free_slots: (0..backend_slots).rev().collect(),
            free_worker_slots: (backend_slots..backend_slots + worker_slots)
                .rev()
                .collect(),
            backend_slots,
        }
    }

    /// How many slots backends have (the cap on live backends).
    pub fn backend_slot_count(&self) -> u32 {
        self.backend_slots
    }

    pub fn take_slot(&mut self) -> Option<u32> {
        self.free_slots.pop()
    }

    pub fn take_worker_slot(&mut self) -> Option<u32> {
        self.free_worker_slots.pop()
    }

    pub fn free_slot(&mut self, slot: u32) {
        let list = if slot < self.backend_slots {
            &mut self.free_slots
        } else {
            &mut self.free_worker_slots
        };
        assert!(!list.contains(&slot), "child slot {slot} freed twice");
        list.push(slot);
    }

    pub fn count_of(&self, kind: ChildKind) -> usize {
        self.children.values().filter(|c| c.kind == kind).count()
    }

    pub fn insert(&mut self, pid: Pid, kind: ChildKind, slot: Option<u32>) {
        let previous = self.children.insert(
            pid,
            Child {
                kind,
                slot,
                started: Instant::now(),
            },
        );
        assert!(previous.is_none(), "pid {pid} registered twice");
    }

    /// A ready backend was given a connection: it is a client backend
    /// holding `slot` from now on.
    pub fn became_backend(&mut self, pid: Pid, slot: Option<u32>) {
        if let Some(c) = self.children.get_mut(&pid) {
            c.kind = ChildKind::Backend;
            c.slot = slot;
        }
    }

    pub fn remove(&mut self, pid: Pid) -> Option<Child> {
        self.children.remove(&pid)
    }

    pub fn pids(&self) -> Vec<Pid> {
        self.children.keys().copied().collect()
    }

    /// Backends without a slot (dead-end backends; ready backends and
    /// workers are not counted).
    pub fn dead_end_count(&self) -> usize {
        self.children
            .values()
            .filter(|c| c.slot.is_none() && c.kind == ChildKind::Backend)
            .count()
    }

    pub fn is_empty(&self) -> bool {
        self.children.is_empty()
    }
}
