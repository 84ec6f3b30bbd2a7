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
}

impl Registry {
    pub fn new(slot_count: u32) -> Registry {
        Registry {
            children: HashMap::new(),
            // Lowest slot first.
            free_slots: (0..slot_count).rev().collect(),
        }
    }

    pub fn take_slot(&mut self) -> Option<u32> {
        self.free_slots.pop()
    }

    pub fn free_slot(&mut self, slot: u32) {
        assert!(
            !self.free_slots.contains(&slot),
            "child slot {slot} freed twice"
        );
        self.free_slots.push(slot);
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

    pub fn remove(&mut self, pid: Pid) -> Option<Child> {
        self.children.remove(&pid)
    }

    pub fn pids(&self) -> Vec<Pid> {
        self.children.keys().copied().collect()
    }

    /// Children without a slot (dead-end backends).
    pub fn dead_end_count(&self) -> usize {
        self.children.values().filter(|c| c.slot.is_none()).count()
    }

    pub fn is_empty(&self) -> bool {
        self.children.is_empty()
    }
}
