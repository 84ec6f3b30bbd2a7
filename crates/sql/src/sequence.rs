//! Sequences as PostgreSQL has them (commands/sequence.c): named counters
//! that never hand out a value twice and are not rolled back with the
//! transaction that took a value.
//!
//! SQLite rolls back everything a transaction wrote, so the counters live
//! outside the database's transactions: in a second SQLite file per
//! database (`base/<oid>.seq`), written by a connection of its own in
//! autocommit mode with `synchronous = FULL`. A value is durable before
//! nextval returns it, so no commit that used it can survive a crash that
//! the counter does not (PostgreSQL logs 32 values ahead instead; a log-ahead
//! of our own would save the fsync per call). The file is opened at a
//! session's first use of a sequence.
//!
//! A sequence's definition is in the same file, so ALTER / DROP SEQUENCE
//! take effect at once, not at commit as in PostgreSQL; a sequence created
//! in a transaction block that rolls back is removed by the session's
//! rollback (and a dropped table's sequences go at commit).
//! currval and lastval are the session's own, as in PostgreSQL.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use pm_elog::{sqlstate as code, PgError};
use rusqlite::{params, Connection, OptionalExtension};

use crate::types::{INT2, INT4};

/// How long a nextval waits for another session's nextval on the file.
const SEQUENCE_LOCK_TIMEOUT_MS: u64 = 10_000;

/// A sequence's parameters (pg_sequence).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    pub type_oid: u32,
    pub start: i64,
    pub increment: i64,
    pub min: i64,
    pub max: i64,
    pub cache: i64,
    pub cycle: bool,
}

impl Definition {
    /// PostgreSQL's defaults for a sequence of `type_oid` counting by
    /// `increment`.
    pub fn defaults(type_oid: u32, increment: i64) -> Definition {
        let type_max = type_max(type_oid);
        let (min, max) = if increment > 0 {
            (1, type_max)
        } else {
            (-type_max - 1, -1)
        };
        Definition {
            type_oid,
            start: if increment > 0 { min } else { max },
            increment,
            min,
            max,
            cache: 1,
            cycle: false,
        }
    }
}

pub fn type_max(type_oid: u32) -> i64 {
    match type_oid {
        INT2 => i16::MAX as i64,
        INT4 => i32::MAX as i64,
        _ => i64::MAX,
    }
}

/// One session's sequences: the file's connection and currval/lastval.
pub struct Sequences {
    path: PathBuf,
    conn: Option<Connection>,
    currval: HashMap<String, i64>,
    last: Option<String>,
}

fn io_error(e: rusqlite::Error) -> PgError {
    if let rusqlite::Error::SqliteFailure(f, _) = &e {
        if f.code == rusqlite::ErrorCode::DatabaseBusy {
            return PgError::error(
                code::LOCK_NOT_AVAILABLE,
                "could not obtain lock on sequence",
            );
        }
    }
    PgError::error(code::IO_ERROR, "could not access the sequence file").with_detail(e.to_string())
}

pub fn undefined(name: &str) -> PgError {
    PgError::error(
        code::UNDEFINED_TABLE,
        format!("relation \"{name}\" does not exist"),
    )
}

/// The relation name a regclass text names (`Foo` -> foo, `"Foo"` -> Foo,
/// `public.foo` -> foo), as regclassin reads it.
pub fn regclass_name(text: &str) -> String {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut chars = text.trim().chars().peekable();
    let mut quoted_part = false;
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                quoted_part = true;
                while let Some(q) = chars.next() {
                    if q == '"' {
                        if chars.peek() == Some(&'"') {
                            chars.next();
                            cur.push('"');
                        } else {
                            break;
                        }
                    } else {
                        cur.push(q);
                    }
                }
            }
            '.' => {
                parts.push(std::mem::take(&mut cur));
                quoted_part = false;
            }
            c if quoted_part => cur.push(c),
            c => cur.extend(c.to_lowercase()),
        }
    }
    parts.push(cur);
    match parts.as_slice() {
        [.., last] => last.clone(),
        [] => String::new(),
    }
}

impl Sequences {
    pub fn new(path: PathBuf) -> Sequences {
        Sequences {
            path,
            conn: None,
            currval: HashMap::new(),
            last: None,
        }
    }

    fn conn(&mut self) -> Result<&mut Connection, PgError> {
        if self.conn.is_none() {
            let conn = Connection::open(&self.path).map_err(io_error)?;
            conn.busy_timeout(Duration::from_millis(SEQUENCE_LOCK_TIMEOUT_MS))
                .map_err(io_error)?;
            conn.execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
                 CREATE TABLE IF NOT EXISTS pm_sequence (
                     name TEXT PRIMARY KEY, type_oid INTEGER NOT NULL,
                     start_value INTEGER NOT NULL, increment INTEGER NOT NULL,
                     min_value INTEGER NOT NULL, max_value INTEGER NOT NULL,
                     cache INTEGER NOT NULL, cycle INTEGER NOT NULL,
                     last_value INTEGER NOT NULL, is_called INTEGER NOT NULL,
                     owned_table TEXT, owned_column TEXT)",
            )
            .map_err(io_error)?;
            self.conn = Some(conn);
        }
        Ok(self.conn.as_mut().expect("opened above"))
    }

    /// The definition of `name`, None when there is no such sequence.
    pub fn definition(&mut self, name: &str) -> Result<Option<Definition>, PgError> {
        self.conn()?
            .query_row(
                "SELECT type_oid, start_value, increment, min_value, max_value, cache, cycle
                 FROM pm_sequence WHERE name = ?1",
                [name],
                |r| {
                    Ok(Definition {
                        type_oid: r.get(0)?,
                        start: r.get(1)?,
                        increment: r.get(2)?,
                        min: r.get(3)?,
                        max: r.get(4)?,
                        cache: r.get(5)?,
                        cycle: r.get::<_, i64>(6)? != 0,
                    })
                },
            )
            .optional()
            .map_err(io_error)
    }

    pub fn exists(&mut self, name: &str) -> Result<bool, PgError> {
        Ok(self.definition(name)?.is_some())
    }

    /// last_value and is_called (`SELECT * FROM seq`).
    pub fn state(&mut self, name: &str) -> Result<Option<(i64, bool)>, PgError> {
        self.conn()?
            .query_row(
                "SELECT last_value, is_called FROM pm_sequence WHERE name = ?1",
                [name],
                |r| Ok((r.get(0)?, r.get::<_, i64>(1)? != 0)),
            )
            .optional()
            .map_err(io_error)
    }

    /// CREATE SEQUENCE; `owned`: the (table, column) it belongs to.
    pub fn create(
        &mut self,
        name: &str,
        d: &Definition,
        owned: Option<(&str, &str)>,
    ) -> Result<(), PgError> {
        validate(name, d)?;
        let inserted = self
            .conn()?
            .execute(
                "INSERT INTO pm_sequence VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?3, 0, ?9, ?10)
                 ON CONFLICT (name) DO NOTHING",
                params![
                    name,
                    d.type_oid,
                    d.start,
                    d.increment,
                    d.min,
                    d.max,
                    d.cache,
                    d.cycle as i64,
                    owned.map(|o| o.0),
                    owned.map(|o| o.1)
                ],
            )
            .map_err(io_error)?;
        if inserted == 0 {
            return Err(PgError::error(
                code::DUPLICATE_TABLE,
                format!("relation \"{name}\" already exists"),
            ));
        }
        Ok(())
    }

    /// ALTER SEQUENCE: the new definition, and RESTART's value.
    pub fn alter(
        &mut self,
        name: &str,
        d: &Definition,
        restart: Option<i64>,
    ) -> Result<(), PgError> {
        validate(name, d)?;
        let conn = self.conn()?;
        conn.execute(
            "UPDATE pm_sequence SET type_oid = ?2, start_value = ?3, increment = ?4,
                 min_value = ?5, max_value = ?6, cache = ?7, cycle = ?8
             WHERE name = ?1",
            params![
                name,
                d.type_oid,
                d.start,
                d.increment,
                d.min,
                d.max,
                d.cache,
                d.cycle as i64
            ],
        )
        .map_err(io_error)?;
        if let Some(v) = restart {
            if v < d.min || v > d.max {
                return Err(PgError::error(
                    code::INVALID_PARAMETER_VALUE,
                    format!(
                        "RESTART value ({v}) cannot be {} than MINVALUE ({})",
                        if v < d.min { "less" } else { "greater" },
                        if v < d.min { d.min } else { d.max }
                    ),
                ));
            }
            conn.execute(
                "UPDATE pm_sequence SET last_value = ?2, is_called = 0 WHERE name = ?1",
                params![name, v],
            )
            .map_err(io_error)?;
        }
        Ok(())
    }

    /// DROP SEQUENCE; false when there was none.
    pub fn remove(&mut self, name: &str) -> Result<bool, PgError> {
        self.currval.remove(name);
        Ok(self
            .conn()?
            .execute("DELETE FROM pm_sequence WHERE name = ?1", [name])
            .map_err(io_error)?
            > 0)
    }

    /// Sequences owned by a column of `table` (dropped with it).
    /// Every sequence's name.
    pub fn names(&mut self) -> Result<Vec<String>, PgError> {
        let conn = self.conn()?;
        let mut stmt = conn
            .prepare("SELECT name FROM pm_sequence ORDER BY name")
            .map_err(io_error)?;
        let rows = stmt.query_map([], |r| r.get(0)).map_err(io_error)?;
        rows.collect::<Result<_, _>>().map_err(io_error)
    }

    pub fn owned_by(&mut self, table: &str) -> Result<Vec<(String, String)>, PgError> {
        let conn = self.conn()?;
        let mut stmt = conn
            .prepare("SELECT name, owned_column FROM pm_sequence WHERE owned_table = ?1")
            .map_err(io_error)?;
        let rows = stmt
            .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(io_error)?;
        rows.collect::<Result<_, _>>().map_err(io_error)
    }

    /// The table whose column owns sequence `name` (None: not owned).
    pub fn owned_table(&mut self, name: &str) -> Result<Option<String>, PgError> {
        self.conn()?
            .query_row(
                "SELECT owned_table FROM pm_sequence WHERE name = ?1",
                [name],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()
            .map(Option::flatten)
            .map_err(io_error)
    }

    /// The sequence owned by `table.column` (pg_get_serial_sequence).
    pub fn owned_sequence(&mut self, table: &str, column: &str) -> Result<Option<String>, PgError> {
        self.conn()?
            .query_row(
                "SELECT name FROM pm_sequence WHERE owned_table = ?1 AND owned_column = ?2",
                [table, column],
                |r| r.get(0),
            )
            .optional()
            .map_err(io_error)
    }

    pub fn set_owner(&mut self, name: &str, owned: Option<(&str, &str)>) -> Result<(), PgError> {
        self.conn()?
            .execute(
                "UPDATE pm_sequence SET owned_table = ?2, owned_column = ?3 WHERE name = ?1",
                params![name, owned.map(|o| o.0), owned.map(|o| o.1)],
            )
            .map_err(io_error)?;
        Ok(())
    }

    /// nextval(): the next value, durable before it is returned.
    pub fn nextval(&mut self, name: &str) -> Result<i64, PgError> {
        let conn = self.conn()?;
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(io_error)?;
        let row: Option<(i64, bool, i64, i64, i64, bool)> = tx
            .query_row(
                "SELECT last_value, is_called, increment, min_value, max_value, cycle
                 FROM pm_sequence WHERE name = ?1",
                [name],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get::<_, i64>(1)? != 0,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get::<_, i64>(5)? != 0,
                    ))
                },
            )
            .optional()
            .map_err(io_error)?;
        let Some((last, called, inc, min, max, cycle)) = row else {
            return Err(undefined(name));
        };
        let next = if !called {
            last
        } else {
            match last.checked_add(inc) {
                Some(n) if n >= min && n <= max => n,
                _ if cycle => {
                    if inc > 0 {
                        min
                    } else {
                        max
                    }
                }
                _ => {
                    return Err(PgError::error(
                        code::SEQUENCE_GENERATOR_LIMIT_EXCEEDED,
                        format!(
                            "nextval: reached {} value of sequence \"{name}\" ({})",
                            if inc > 0 { "maximum" } else { "minimum" },
                            if inc > 0 { max } else { min }
                        ),
                    ))
                }
            }
        };
        tx.execute(
            "UPDATE pm_sequence SET last_value = ?2, is_called = 1 WHERE name = ?1",
            params![name, next],
        )
        .map_err(io_error)?;
        tx.commit().map_err(io_error)?;
        self.currval.insert(name.to_string(), next);
        self.last = Some(name.to_string());
        Ok(next)
    }

    pub fn currval(&mut self, name: &str) -> Result<i64, PgError> {
        if !self.exists(name)? {
            return Err(undefined(name));
        }
        self.currval.get(name).copied().ok_or_else(|| {
            PgError::error(
                code::OBJECT_NOT_IN_PREREQUISITE_STATE,
                format!("currval of sequence \"{name}\" is not yet defined in this session"),
            )
        })
    }

    /// The sequence lastval() reads.
    pub fn last_name(&self) -> Option<String> {
        self.last.clone()
    }

    pub fn lastval(&mut self) -> Result<i64, PgError> {
        let not_yet = || {
            PgError::error(
                code::OBJECT_NOT_IN_PREREQUISITE_STATE,
                "lastval is not yet defined in this session",
            )
        };
        let name = self.last.clone().ok_or_else(not_yet)?;
        if !self.exists(&name)? {
            return Err(not_yet());
        }
        self.currval.get(&name).copied().ok_or_else(not_yet)
    }

    /// setval(name, value, is_called).
    pub fn setval(&mut self, name: &str, value: i64, is_called: bool) -> Result<i64, PgError> {
        let Some(d) = self.definition(name)? else {
            return Err(undefined(name));
        };
        if value < d.min || value > d.max {
            return Err(PgError::error(
                code::NUMERIC_VALUE_OUT_OF_RANGE,
                format!(
                    "setval: value {value} is out of bounds for sequence \"{name}\" ({}..{})",
                    d.min, d.max
                ),
            ));
        }
        self.conn()?
            .execute(
                "UPDATE pm_sequence SET last_value = ?2, is_called = ?3 WHERE name = ?1",
                params![name, value, is_called as i64],
            )
            .map_err(io_error)?;
        if is_called {
            self.currval.insert(name.to_string(), value);
            self.last = Some(name.to_string());
        }
        Ok(value)
    }
}

/// The checks of init_params(): bounds within the type, MINVALUE below
/// MAXVALUE, START within them.
fn validate(name: &str, d: &Definition) -> Result<(), PgError> {
    let bad = |m: String| Err(PgError::error(code::INVALID_PARAMETER_VALUE, m));
    let _ = name;
    if d.increment == 0 {
        return bad("INCREMENT must not be zero".into());
    }
    let type_max = type_max(d.type_oid);
    let type_name = crate::types::format_type(d.type_oid, -1);
    if d.max > type_max || d.max < -type_max - 1 {
        return bad(format!(
            "MAXVALUE ({}) is out of range for sequence data type {type_name}",
            d.max
        ));
    }
    if d.min < -type_max - 1 || d.min > type_max {
        return bad(format!(
            "MINVALUE ({}) is out of range for sequence data type {type_name}",
            d.min
        ));
    }
    if d.min >= d.max {
        return bad(format!(
            "MINVALUE ({}) must be less than MAXVALUE ({})",
            d.min, d.max
        ));
    }
    if d.start < d.min {
        return bad(format!(
            "START value ({}) cannot be less than MINVALUE ({})",
            d.start, d.min
        ));
    }
    if d.start > d.max {
        return bad(format!(
            "START value ({}) cannot be greater than MAXVALUE ({})",
            d.start, d.max
        ));
    }
    if d.cache < 1 {
        return bad(format!("CACHE ({}) must be greater than zero", d.cache));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regclass_text_is_read_as_regclassin_reads_it() {
        assert_eq!(regclass_name("Foo"), "foo");
        assert_eq!(regclass_name("\"Foo\""), "Foo");
        assert_eq!(regclass_name("public.t_id_seq"), "t_id_seq");
        assert_eq!(regclass_name("\"a.b\""), "a.b");
    }

    #[test]
    fn values_are_never_handed_out_twice_and_bounds_hold() {
        let dir = std::env::temp_dir().join(format!("pm-seq-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("1.seq");
        let mut a = Sequences::new(path.clone());
        let mut b = Sequences::new(path);
        let mut d = Definition::defaults(INT4, 1);
        d.max = 4;
        a.create("s", &d, None).unwrap();
        assert!(a.create("s", &d, None).is_err());
        assert_eq!(a.nextval("s").unwrap(), 1);
        assert_eq!(b.nextval("s").unwrap(), 2);
        assert_eq!(a.currval("s").unwrap(), 1);
        assert_eq!(b.lastval().unwrap(), 2);
        assert_eq!(a.nextval("s").unwrap(), 3);
        assert_eq!(a.nextval("s").unwrap(), 4);
        let e = a.nextval("s").unwrap_err();
        assert_eq!(e.code, code::SEQUENCE_GENERATOR_LIMIT_EXCEEDED);
        assert_eq!(a.setval("s", 1, false).unwrap(), 1);
        assert_eq!(b.nextval("s").unwrap(), 1);
        assert!(a.setval("s", 9, true).is_err());
        assert!(a.remove("s").unwrap());
        assert_eq!(a.nextval("s").unwrap_err().code, code::UNDEFINED_TABLE);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
