//! INSERT ... ON CONFLICT DO UPDATE's rule that one command affects a row
//! once (ExecOnConflictUpdate's "cannot affect row a second time"):
//! SQLite's upsert would update a row the same statement inserted or
//! already updated. The generated DO UPDATE's WHERE calls
//! `pm_upsert_row(rowid, condition)`; the session calls [`begin`] with
//! the table's highest rowid before the statement, so a rowid above it is
//! a row this statement inserted (SQLite gives new rows max(rowid) + 1).

use std::cell::RefCell;
use std::collections::HashSet;

use pm_elog::{sqlstate as code, PgError};
use rusqlite::Connection;

#[derive(Default)]
struct State {
    /// The table's highest rowid before the statement.
    before: i64,
    /// Rows the statement's DO UPDATE changed.
    updated: HashSet<i64>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

/// Starts an upsert statement on `table`.
pub fn begin(conn: &Connection, table: &str) -> Result<(), PgError> {
    let before: i64 = conn
        .query_row(
            &format!(
                "SELECT coalesce(max(rowid), 0) FROM {}",
                crate::session::quote_ident(table)
            ),
            [],
            |r| r.get(0),
        )
        .map_err(|e| crate::errors::from_sqlite(&e))?;
    STATE.with(|s| {
        *s.borrow_mut() = State {
            before,
            updated: HashSet::new(),
        }
    });
    Ok(())
}

pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    // pm_upsert_row(rowid, condition): the DO UPDATE's WHERE.
    conn.create_scalar_function("pm_upsert_row", 2, FunctionFlags::SQLITE_UTF8, |ctx| {
        let rowid: i64 = ctx.get(0)?;
        let update = ctx.get::<Option<i64>>(1)?.unwrap_or(0) != 0;
        STATE.with(|s| {
            let mut s = s.borrow_mut();
            if rowid > s.before || s.updated.contains(&rowid) {
                return Err(crate::errors::function_error(
                    PgError::error(
                        code::CARDINALITY_VIOLATION,
                        "ON CONFLICT DO UPDATE command cannot affect row a second time",
                    )
                    .with_hint(
                        "Ensure that no rows proposed for insertion within the same command have duplicate constrained values.",
                    ),
                ));
            }
            if update {
                s.updated.insert(rowid);
            }
            Ok(update as i64)
        })
    })
}
