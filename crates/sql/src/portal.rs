//! SQL-level cursors (commands/portalcmds.c): DECLARE, FETCH, MOVE,
//! CLOSE.
//!
//! A cursor's query runs at DECLARE and its rows are kept in the session
//! (PostgreSQL materializes a WITH HOLD cursor at commit in the same way),
//! so every FETCH direction works and a cursor sees the data as of its
//! DECLARE, as PostgreSQL's snapshot does. A cursor lives until CLOSE or
//! the end of its transaction; WITH HOLD until CLOSE or the end of the
//! session, unless the transaction that declared it rolls back.

use std::collections::HashMap;

use pg_query::protobuf as pb;
use pm_elog::{sqlstate as code, PgError};
use rusqlite::types::{Value, ValueRef};

use crate::session::{Column, ResultSink};

const CURSOR_OPT_BINARY: i32 = 0x0001;
const CURSOR_OPT_SCROLL: i32 = 0x0002;
const CURSOR_OPT_NO_SCROLL: i32 = 0x0004;
const CURSOR_OPT_HOLD: i32 = 0x0020;
/// FETCH ALL's count in PostgreSQL's grammar (LONG_MAX).
pub const FETCH_ALL: i64 = i64::MAX;

/// A DECLARE as parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Declare {
    pub name: String,
    /// The query's text (after FOR).
    pub query: String,
    pub no_scroll: bool,
    pub hold: bool,
    pub binary: bool,
}

/// PREPARE name [(types)] AS query.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepare {
    pub name: String,
    /// Declared parameter types (oids; may be fewer than used).
    pub types: Vec<u32>,
    pub query: String,
}

/// EXECUTE name [(values)]: the arguments' texts (None: NULL).
#[derive(Debug, Clone, PartialEq)]
pub struct Execute {
    pub name: String,
    pub args: Vec<Option<String>>,
}

pub fn prepare(p: &pb::PrepareStmt, sql: &str) -> Option<Prepare> {
    let mut types = Vec::new();
    for t in &p.argtypes {
        let Some(pb::node::Node::TypeName(tn)) = t.node.as_ref() else {
            return None;
        };
        let names: Vec<&str> = tn
            .names
            .iter()
            .filter_map(|n| match n.node.as_ref() {
                Some(pb::node::Node::String(s)) => Some(s.sval.as_str()),
                _ => None,
            })
            .collect();
        let name = names.last()?;
        let oid = crate::types::oid_for_type_name(name);
        if oid == crate::types::TEXT && !matches!(*name, "text" | "varchar" | "bpchar") {
            return None;
        }
        types.push(oid);
    }
    Some(Prepare {
        name: p.name.clone(),
        types,
        query: query_after(sql, &p.name, "as")?,
    })
}

/// EXECUTE's arguments when each is a constant (`'x'`, `5`, `-1.5`,
/// `'x'::type`, NULL); None otherwise.
pub fn execute(e: &pb::ExecuteStmt) -> Option<Execute> {
    use pb::a_const::Val;
    use pb::node::Node as N;
    fn constant(n: &pb::Node) -> Option<Option<String>> {
        match n.node.as_ref()? {
            N::AConst(c) => Some(match c.val.as_ref() {
                None => None,
                Some(Val::Ival(i)) => Some(i.ival.to_string()),
                Some(Val::Fval(f)) => Some(f.fval.clone()),
                Some(Val::Sval(s)) => Some(s.sval.clone()),
                Some(Val::Boolval(b)) => Some(if b.boolval { "t" } else { "f" }.to_string()),
                Some(Val::Bsval(b)) => Some(b.bsval.clone()),
            }),
            N::TypeCast(tc) => constant(tc.arg.as_deref()?),
            N::AExpr(a) if a.lexpr.is_none() => {
                let op = a.name.first().and_then(|n| match n.node.as_ref() {
                    Some(N::String(s)) => Some(s.sval.as_str()),
                    _ => None,
                })?;
                let v = constant(a.rexpr.as_deref()?)??;
                (op == "-").then(|| Some(format!("-{v}")))
            }
            _ => None,
        }
    }
    let mut args = Vec::new();
    for p in &e.params {
        args.push(constant(p)?);
    }
    Some(Execute {
        name: e.name.clone(),
        args,
    })
}

/// A FETCH or MOVE as parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Fetch {
    pub name: String,
    pub direction: Direction,
    pub count: i64,
    pub is_move: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Forward,
    Backward,
    Absolute,
    Relative,
}

/// The token after which the rest of `sql` is a statement's query
/// (`... CURSOR ... FOR <query>`, `PREPARE name ... AS <query>`).
pub fn query_after(sql: &str, first: &str, then: &str) -> Option<String> {
    let scan = pg_query::scan(sql).ok()?;
    let word = |t: &pb::ScanToken| sql.get(t.start as usize..t.end as usize).unwrap_or("");
    let tokens = &scan.tokens;
    let i = tokens
        .iter()
        .skip(1)
        .position(|t| word(t).eq_ignore_ascii_case(first))?
        + 1;
    let j = tokens[i..]
        .iter()
        .position(|t| word(t).eq_ignore_ascii_case(then))?
        + i;
    let start = tokens.get(j + 1)?.start as usize;
    Some(sql[start..].trim().trim_end_matches(';').to_string())
}

pub fn declare(d: &pb::DeclareCursorStmt, sql: &str) -> Option<Declare> {
    Some(Declare {
        name: d.portalname.clone(),
        query: query_after(sql, "cursor", "for")?,
        no_scroll: d.options & CURSOR_OPT_NO_SCROLL != 0
            || (d.options & CURSOR_OPT_SCROLL == 0 && !scans_backward(d.query.as_deref())),
        hold: d.options & CURSOR_OPT_HOLD != 0,
        binary: d.options & CURSOR_OPT_BINARY != 0,
    })
}

/// Whether a cursor declared without SCROLL or NO SCROLL can move
/// backward: PostgreSQL allows it when the plan can scan backward, which a
/// query without FROM (a Result node), with FOR UPDATE, or grouped (an Agg
/// node) cannot.
fn scans_backward(query: Option<&pb::Node>) -> bool {
    match query.and_then(|n| n.node.as_ref()) {
        Some(pb::node::Node::SelectStmt(s)) if s.op == pb::SetOperation::SetopNone as i32 => {
            (!s.from_clause.is_empty() || !s.values_lists.is_empty())
                && s.locking_clause.is_empty()
                && s.group_clause.is_empty()
                && s.having_clause.is_none()
        }
        _ => true,
    }
}

pub fn fetch(f: &pb::FetchStmt) -> Fetch {
    let direction = match f.direction {
        x if x == pb::FetchDirection::FetchBackward as i32 => Direction::Backward,
        x if x == pb::FetchDirection::FetchAbsolute as i32 => Direction::Absolute,
        x if x == pb::FetchDirection::FetchRelative as i32 => Direction::Relative,
        _ => Direction::Forward,
    };
    Fetch {
        name: f.portalname.clone(),
        direction,
        count: f.how_many,
        is_move: f.ismove,
    }
}

/// A cursor's rows and where it stands: 0 is before the first row,
/// `rows.len() + 1` after the last.
pub struct Cursor {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Value>>,
    pub position: usize,
    pub no_scroll: bool,
    pub hold: bool,
    /// Declared in the open transaction (a rollback removes it).
    pub this_transaction: bool,
    /// The query string that declared it, as the client sent it.
    pub statement: String,
    pub binary: bool,
    /// When it was declared (timestamptz output text).
    pub created: String,
    /// Per row, the rowids of `row_id_tables` (WHERE CURRENT OF).
    pub row_ids: Vec<Vec<i64>>,
    /// The tables WHERE CURRENT OF may change through this cursor: its
    /// FOR UPDATE / SHARE tables, or the table of a simply updatable scan.
    pub row_id_tables: Vec<String>,
    /// It has FOR UPDATE / SHARE (PostgreSQL's errors differ).
    pub locked: bool,
}

/// What WHERE CURRENT OF needs of a cursor (see [`Portals::sync_current`]).
struct CurrentOf {
    held: bool,
    locked: bool,
    tables: Vec<String>,
    row: Option<Vec<i64>>,
}

thread_local! {
    /// The session's cursors as JSON rows for pg_cursors ([`Portals::publish`]).
    static PUBLISHED: std::cell::RefCell<String> = std::cell::RefCell::new("[]".into());
    /// Where the session's cursors stand, for `pm_current_of`.
    static CURRENT: std::cell::RefCell<HashMap<String, CurrentOf>> = std::cell::RefCell::new(HashMap::new());
}

/// The rowid of the row cursor `name` stands on, for WHERE CURRENT OF in
/// an UPDATE or DELETE of `table`, with PostgreSQL's errors
/// (execCurrentOf).
fn current_of(name: &str, table: &str) -> Result<i64, PgError> {
    CURRENT.with(|c| {
        let c = c.borrow();
        let cursor = c.get(name).ok_or_else(|| undefined(name))?;
        let state = |message: String| PgError::error(code::INVALID_CURSOR_STATE, message);
        if cursor.held {
            return Err(state(format!(
                "cursor \"{name}\" is held from a previous transaction"
            )));
        }
        let at: Vec<usize> = (0..cursor.tables.len())
            .filter(|&i| cursor.tables[i] == table)
            .collect();
        let i = match (at.as_slice(), cursor.locked) {
            ([i], _) => *i,
            ([], true) => {
                return Err(state(format!(
                "cursor \"{name}\" does not have a FOR UPDATE/SHARE reference to table \"{table}\""
            )))
            }
            ([], false) => {
                return Err(state(format!(
                    "cursor \"{name}\" is not a simply updatable scan of table \"{table}\""
                )))
            }
            _ => {
                return Err(state(format!(
                "cursor \"{name}\" has multiple FOR UPDATE/SHARE references to table \"{table}\""
            )))
            }
        };
        cursor
            .row
            .as_ref()
            .map(|r| r[i])
            .ok_or_else(|| state(format!("cursor \"{name}\" is not positioned on a row")))
    })
}

/// `pm_cursors()`: the published cursors (the pg_cursors view reads them);
/// `pm_current_of(cursor, table)`: see [`current_of`].
pub fn register(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    conn.create_scalar_function("pm_cursors", 0, FunctionFlags::SQLITE_UTF8, |_| {
        Ok(PUBLISHED.with(|p| p.borrow().clone()))
    })?;
    conn.create_scalar_function("pm_current_of", 2, FunctionFlags::SQLITE_UTF8, |ctx| {
        let name: String = ctx.get(0)?;
        let table: String = ctx.get(1)?;
        current_of(&name, &table).map_err(crate::errors::function_error)
    })
}

/// Collects a query's rows for DECLARE.
#[derive(Default)]
pub struct Collect {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Value>>,
    pub notices: Vec<PgError>,
}

impl ResultSink for Collect {
    fn describe(&mut self, columns: &[Column]) -> Result<(), PgError> {
        self.columns = columns.to_vec();
        Ok(())
    }
    fn row(&mut self, _columns: &[Column], values: &[ValueRef<'_>]) -> Result<(), PgError> {
        self.rows
            .push(values.iter().map(|v| crate::adt::owned(*v)).collect());
        Ok(())
    }
    fn notice(&mut self, notice: PgError) {
        self.notices.push(notice);
    }
}

/// The session's cursors.
#[derive(Default)]
pub struct Portals {
    cursors: HashMap<String, Cursor>,
}

pub fn undefined(name: &str) -> PgError {
    PgError::error(
        code::INVALID_CURSOR_NAME,
        format!("cursor \"{name}\" does not exist"),
    )
}

impl Portals {
    pub fn exists(&self, name: &str) -> bool {
        self.cursors.contains_key(name)
    }

    pub fn insert(&mut self, name: String, cursor: Cursor) {
        self.cursors.insert(name, cursor);
        self.sync_current();
    }

    /// Makes where the cursors stand what `pm_current_of` sees.
    fn sync_current(&self) {
        CURRENT.with(|c| {
            let mut c = c.borrow_mut();
            c.clear();
            for (name, cursor) in &self.cursors {
                let row = cursor
                    .position
                    .checked_sub(1)
                    .and_then(|i| cursor.row_ids.get(i))
                    .cloned();
                c.insert(
                    name.clone(),
                    CurrentOf {
                        held: cursor.hold && !cursor.this_transaction,
                        locked: cursor.locked,
                        tables: cursor.row_id_tables.clone(),
                        row,
                    },
                );
            }
        });
    }

    pub fn columns(&self, name: &str) -> Option<Vec<Column>> {
        self.cursors.get(name).map(|c| c.columns.clone())
    }

    pub fn close(&mut self, name: Option<&str>) -> Result<(), PgError> {
        match name {
            None => self.cursors.clear(),
            Some(n) => {
                self.cursors.remove(n).ok_or_else(|| undefined(n))?;
            }
        }
        self.sync_current();
        Ok(())
    }

    /// At commit: cursors without HOLD end; the held ones are kept.
    pub fn committed(&mut self) {
        self.cursors.retain(|_, c| c.hold);
        for c in self.cursors.values_mut() {
            c.this_transaction = false;
        }
        self.sync_current();
    }

    /// At rollback: also the held cursors this transaction declared.
    pub fn rolled_back(&mut self) {
        self.cursors.retain(|_, c| c.hold && !c.this_transaction);
        self.sync_current();
    }

    /// Makes the cursors what the pg_cursors view shows (`pm_cursors()`)
    /// until the next call.
    pub fn publish(&self) {
        let rows: Vec<serde_json::Value> = self
            .cursors
            .iter()
            .map(|(n, c)| {
                serde_json::json!([n, c.statement, c.hold, c.binary, !c.no_scroll, c.created])
            })
            .collect();
        PUBLISHED.with(|p| *p.borrow_mut() = serde_json::Value::Array(rows).to_string());
    }

    /// FETCH / MOVE: sends the rows (FETCH) and returns the tag.
    pub fn fetch(&mut self, f: &Fetch, sink: &mut dyn ResultSink) -> Result<String, PgError> {
        let result = self.fetch_rows(f, sink);
        self.sync_current();
        result
    }

    fn fetch_rows(&mut self, f: &Fetch, sink: &mut dyn ResultSink) -> Result<String, PgError> {
        let c = self
            .cursors
            .get_mut(&f.name)
            .ok_or_else(|| undefined(&f.name))?;
        let n = c.rows.len();
        let backward = match f.direction {
            Direction::Backward => f.count > 0,
            Direction::Forward => f.count < 0,
            Direction::Absolute | Direction::Relative => false,
        };
        let moves_back = backward
            || match f.direction {
                Direction::Absolute => {
                    let target = absolute_target(f.count, n);
                    target < c.position || (target == c.position && target != 0)
                }
                // (RELATIVE 0 fetches the current row again: a step back.)
                Direction::Relative => f.count < 0 || (f.count == 0 && c.position != 0),
                _ => false,
            };
        if c.no_scroll && moves_back {
            return Err(PgError::error(
                code::OBJECT_NOT_IN_PREREQUISITE_STATE,
                "cursor can only scan forward",
            )
            .with_hint("Declare it with SCROLL option to enable backward scan."));
        }
        let mut picked: Vec<usize> = Vec::new();
        match f.direction {
            Direction::Forward | Direction::Backward => {
                let forward = (f.direction == Direction::Forward) == (f.count >= 0);
                let count = if f.count == FETCH_ALL || f.count == -FETCH_ALL {
                    usize::MAX
                } else {
                    f.count.unsigned_abs() as usize
                };
                for _ in 0..count {
                    if forward {
                        if c.position > n {
                            break;
                        }
                        c.position += 1;
                        if c.position > n {
                            break;
                        }
                    } else {
                        if c.position == 0 {
                            break;
                        }
                        c.position -= 1;
                        if c.position == 0 {
                            break;
                        }
                    }
                    picked.push(c.position);
                }
            }
            Direction::Absolute => {
                c.position = absolute_target(f.count, n);
                if (1..=n).contains(&c.position) {
                    picked.push(c.position);
                }
            }
            Direction::Relative => {
                let target = c.position as i64 + f.count;
                c.position = target.clamp(0, n as i64 + 1) as usize;
                if (1..=n).contains(&c.position) {
                    picked.push(c.position);
                }
            }
        }
        if f.is_move {
            return Ok(format!("MOVE {}", picked.len()));
        }
        sink.describe(&c.columns)?;
        for &p in &picked {
            let row: Vec<ValueRef<'_>> = c.rows[p - 1].iter().map(ValueRef::from).collect();
            sink.row(&c.columns, &row)?;
        }
        Ok(format!("FETCH {}", picked.len()))
    }
}

/// Where FETCH ABSOLUTE k leaves a cursor of n rows.
fn absolute_target(k: i64, n: usize) -> usize {
    if k > 0 {
        (k as u64).min(n as u64 + 1) as usize
    } else if k < 0 {
        let from_end = n as i64 + 1 + k;
        from_end.max(0) as usize
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Rows(Vec<i64>);
    impl ResultSink for Rows {
        fn describe(&mut self, _: &[Column]) -> Result<(), PgError> {
            Ok(())
        }
        fn row(&mut self, _: &[Column], v: &[ValueRef<'_>]) -> Result<(), PgError> {
            if let ValueRef::Integer(i) = v[0] {
                self.0.push(i);
            }
            Ok(())
        }
        fn notice(&mut self, _: PgError) {}
    }

    fn portals(n: i64) -> Portals {
        let mut p = Portals::default();
        p.insert(
            "c".into(),
            Cursor {
                columns: Vec::new(),
                rows: (1..=n).map(|i| vec![Value::Integer(i)]).collect(),
                position: 0,
                no_scroll: false,
                hold: false,
                this_transaction: true,
                statement: String::new(),
                binary: false,
                created: String::new(),
                row_ids: Vec::new(),
                row_id_tables: Vec::new(),
                locked: false,
            },
        );
        p
    }

    fn run(p: &mut Portals, direction: Direction, count: i64) -> (Vec<i64>, String) {
        let mut rows = Rows(Vec::new());
        let f = Fetch {
            name: "c".into(),
            direction,
            count,
            is_move: false,
        };
        let tag = p.fetch(&f, &mut rows).unwrap();
        (rows.0, tag)
    }

    #[test]
    fn fetch_moves_as_postgresql() {
        let mut p = portals(5);
        assert_eq!(
            run(&mut p, Direction::Forward, 2),
            (vec![1, 2], "FETCH 2".into())
        );
        assert_eq!(
            run(&mut p, Direction::Backward, 1),
            (vec![1], "FETCH 1".into())
        );
        assert_eq!(
            run(&mut p, Direction::Backward, 1),
            (vec![], "FETCH 0".into())
        );
        assert_eq!(
            run(&mut p, Direction::Absolute, -1),
            (vec![5], "FETCH 1".into())
        );
        assert_eq!(
            run(&mut p, Direction::Forward, 1),
            (vec![], "FETCH 0".into())
        );
        assert_eq!(
            run(&mut p, Direction::Backward, FETCH_ALL).0,
            vec![5, 4, 3, 2, 1]
        );
        assert_eq!(run(&mut p, Direction::Relative, 3).0, vec![3]);
        assert_eq!(run(&mut p, Direction::Relative, 0).0, vec![3]);
        assert_eq!(run(&mut p, Direction::Forward, FETCH_ALL).0, vec![4, 5]);
        assert_eq!(run(&mut p, Direction::Absolute, 9).0, Vec::<i64>::new());
        assert_eq!(run(&mut p, Direction::Backward, 1).0, vec![5]);
    }
}
