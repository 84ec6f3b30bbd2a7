//! The process title `ps` shows (PostgreSQL's ps_status.c, Linux only).
//!
//! Linux shows a process's command line from the memory that held its
//! argv strings, followed by its environment strings. We take over that
//! whole area: the environment strings are first copied to the heap (and
//! `environ` pointed at the copies), then the title is written over
//! argv+environ and the rest padded with NUL. The comm name (`ps -o comm`,
//! 15 bytes) is set with `prctl(PR_SET_NAME)`, so an exec'd child shows
//! `postmaster`, not `exe`.
//!
//! [`init`] must run while the process has one thread, before anything
//! reads the environment concurrently: right after fork or exec in a
//! process child. A thread child never calls any of this: the title
//! belongs to the process.

use std::ffi::CString;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Start and length of the title area, once [`init`] has run.
static AREA_START: AtomicUsize = AtomicUsize::new(0);
static AREA_LEN: AtomicUsize = AtomicUsize::new(0);

extern "C" {
    static mut environ: *mut *mut libc::c_char;
}

/// `arg_start`, `arg_end`, `env_start`, `env_end` from /proc/self/stat
/// (fields 48 to 51).
fn argv_env_bounds() -> Option<[usize; 4]> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after "pid (comm) " start at field 3.
    let fields: Vec<&str> = stat[stat.rfind(')')? + 2..].split_whitespace().collect();
    let field = |n: usize| fields.get(n - 3)?.parse::<usize>().ok();
    Some([field(48)?, field(49)?, field(50)?, field(51)?])
}

/// Claims the argv+environ area for titles. Returns false (and titles stay
/// unchanged) when the area is not laid out as expected.
pub fn init() -> bool {
    let Some([arg_start, arg_end, env_start, env_end]) = argv_env_bounds() else {
        return false;
    };
    if arg_start == 0 || arg_end <= arg_start {
        return false;
    }
    // Use the environment area too only when it directly follows argv.
    let end = if env_start == arg_end && env_end > env_start {
        // SAFETY: the process is single-threaded here (see the module
        // docs), so nothing reads `environ` while we replace it. Each
        // string is copied into a leaked CString and the new array is
        // leaked, so the pointers stay valid for the life of the process.
        unsafe {
            let mut copies: Vec<*mut libc::c_char> = Vec::new();
            let mut p = environ;
            while !p.is_null() && !(*p).is_null() {
                let s = std::ffi::CStr::from_ptr(*p).to_owned();
                copies.push(CString::into_raw(s));
                p = p.add(1);
            }
            copies.push(std::ptr::null_mut());
            environ = Box::leak(copies.into_boxed_slice()).as_mut_ptr();
        }
        env_end
    } else {
        arg_end
    };
    AREA_START.store(arg_start, Ordering::SeqCst);
    AREA_LEN.store(end - arg_start, Ordering::SeqCst);
    true
}

/// Sets the title, the concatenation of `parts` (truncated to the area).
pub fn set(parts: &[&str]) {
    let (start, len) = (
        AREA_START.load(Ordering::SeqCst),
        AREA_LEN.load(Ordering::SeqCst),
    );
    if start == 0 || len < 2 {
        return;
    }
    // SAFETY: [start, start + len) is this process's argv+environ area as
    // the kernel reports it, writable stack memory that nothing else uses
    // after `init` moved the environment out of it.
    let area = unsafe { std::slice::from_raw_parts_mut(start as *mut u8, len) };
    let mut n = 0;
    for part in parts {
        let room = len - 1 - n;
        let take = part.len().min(room);
        area[n..n + take].copy_from_slice(&part.as_bytes()[..take]);
        n += take;
    }
    area[n..].fill(0);
}

/// Sets the comm name (`ps -o comm`, `top`), at most 15 bytes.
pub fn set_comm(name: &str) {
    let short: String = name.chars().take(15).collect();
    if let Ok(c) = CString::new(short) {
        // SAFETY: PR_SET_NAME reads a NUL-terminated string of at most 16
        // bytes from a valid pointer.
        unsafe { libc::prctl(libc::PR_SET_NAME, c.as_ptr(), 0, 0, 0) };
    }
}
