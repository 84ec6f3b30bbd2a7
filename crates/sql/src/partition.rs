//! Partitioned tables (PostgreSQL's declarative partitioning: LIST and
//! RANGE, multi-level, DEFAULT partitions) on SQLite.
//!
//! Storage: a partition that is not itself partitioned (a leaf) is an
//! ordinary table, the only place rows live. A partitioned table `p` is
//! three things:
//! - `pm$p`, an empty table with p's columns, defaults and constraints
//!   (the declared types PostgreSQL's analyzer reads, and the definition
//!   `PARTITION OF p` copies);
//! - the view `p`: `pm$p` UNION ALL every leaf below p, each row carrying
//!   its leaf's name (`pm$leaf`, what `tableoid` reads) and rowid
//!   (`pm$rowid`), both hidden from `*` and from names;
//! - INSTEAD OF INSERT / UPDATE / DELETE triggers on the view: an INSERT
//!   is routed to the one leaf whose bounds hold the row (PostgreSQL's
//!   ExecFindPartition: 23514 `no partition of relation ... found for
//!   row` naming the level where routing failed), an UPDATE that takes a
//!   row out of its leaf moves it (delete + insert), a DELETE removes the
//!   row from its leaf.
//!
//! Every leaf and every partitioned partition checks its partition
//! constraint (its bound and its ancestors') on direct INSERT and UPDATE,
//! as PostgreSQL does (23514 `new row for relation ... violates partition
//! constraint`), with BEFORE triggers.
//!
//! The tree is kept in `pm_partition` (one row per partitioned table or
//! partition: parent, strategy, keys and bound as PostgreSQL's text);
//! views and triggers are derived from it and rebuilt by [`rebuild`]
//! whenever the tree changes, inside the DDL statement's savepoint. Bound
//! predicates are PostgreSQL expressions over the keys, analyzed and
//! generated like CHECK constraints, so values compare with their types'
//! semantics.

use pg_query::protobuf::{self as pb, node::Node as N};
use pm_elog::{sqlstate as code, PgError};
use rusqlite::Connection;

use crate::analyze::{Analyzer, ColumnDef, Schema};
use crate::session::quote_ident;

pub const META: &str = "pm_partition";
/// The view's hidden columns: the leaf a row is in, and its rowid there.
pub const LEAF: &str = "pm$leaf";
pub const ROWID: &str = "pm$rowid";

/// The empty table that holds a partitioned table's definition.
pub fn shadow(name: &str) -> String {
    format!("pm${name}")
}

/// A partition bound, as written.
#[derive(Debug, Clone, PartialEq)]
pub enum Bound {
    Default,
    /// `FOR VALUES IN (...)`: PostgreSQL's text of each value, None for NULL.
    List(Vec<Option<String>>),
    /// `FOR VALUES FROM (...) TO (...)`.
    Range(Vec<Datum>, Vec<Datum>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Datum {
    Min,
    Max,
    Value(String),
}

impl Bound {
    /// From the parse tree's PartitionBoundSpec (None: a form declined,
    /// such as HASH).
    pub fn from_spec(spec: &pb::PartitionBoundSpec) -> Result<Bound, PgError> {
        if spec.is_default {
            return Ok(Bound::Default);
        }
        let text = |n: &pb::Node| -> Result<String, PgError> {
            crate::ddl::deparse_expr(n).ok_or_else(|| not_supported("this partition bound"))
        };
        match spec.strategy.as_str() {
            "l" => {
                let mut values = Vec::new();
                for d in &spec.listdatums {
                    values.push(match d.node.as_ref() {
                        Some(N::AConst(c)) if c.isnull => None,
                        _ => Some(text(d)?),
                    });
                }
                Ok(Bound::List(values))
            }
            "r" => {
                let datums = |list: &[pb::Node]| -> Result<Vec<Datum>, PgError> {
                    list.iter()
                        .map(|d| {
                            if let Some(N::ColumnRef(c)) = d.node.as_ref() {
                                if let [f] = c.fields.as_slice() {
                                    if let Some(N::String(s)) = f.node.as_ref() {
                                        match s.sval.as_str() {
                                            "minvalue" => return Ok(Datum::Min),
                                            "maxvalue" => return Ok(Datum::Max),
                                            _ => {}
                                        }
                                    }
                                }
                            }
                            Ok(Datum::Value(text(d)?))
                        })
                        .collect()
                };
                Ok(Bound::Range(
                    datums(&spec.lowerdatums)?,
                    datums(&spec.upperdatums)?,
                ))
            }
            _ => Err(not_supported("hash partitioning")),
        }
    }

    /// PostgreSQL's text (pg_get_expr of relpartbound).
    pub fn text(&self) -> String {
        let datum = |d: &Datum| match d {
            Datum::Min => "MINVALUE".to_string(),
            Datum::Max => "MAXVALUE".to_string(),
            Datum::Value(v) => v.clone(),
        };
        match self {
            Bound::Default => "DEFAULT".into(),
            Bound::List(vs) => format!(
                "FOR VALUES IN ({})",
                vs.iter()
                    .map(|v| v.clone().unwrap_or_else(|| "NULL".into()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Bound::Range(lo, hi) => format!(
                "FOR VALUES FROM ({}) TO ({})",
                lo.iter().map(datum).collect::<Vec<_>>().join(", "),
                hi.iter().map(datum).collect::<Vec<_>>().join(", ")
            ),
        }
    }

    fn to_json(&self) -> String {
        let datum = |d: &Datum| match d {
            Datum::Min => serde_json::json!({"min": true}),
            Datum::Max => serde_json::json!({"max": true}),
            Datum::Value(v) => serde_json::json!(v),
        };
        match self {
            Bound::Default => serde_json::json!("default").to_string(),
            Bound::List(vs) => serde_json::json!({ "in": vs }).to_string(),
            Bound::Range(lo, hi) => serde_json::json!({
                "from": lo.iter().map(datum).collect::<Vec<_>>(),
                "to": hi.iter().map(datum).collect::<Vec<_>>(),
            })
            .to_string(),
        }
    }

    fn from_json(s: &str) -> Option<Bound> {
        let v: serde_json::Value = serde_json::from_str(s).ok()?;
        if v.as_str() == Some("default") {
            return Some(Bound::Default);
        }
        if let Some(list) = v.get("in").and_then(|l| l.as_array()) {
            return Some(Bound::List(
                list.iter()
                    .map(|x| x.as_str().map(str::to_string))
                    .collect(),
            ));
        }
        let datums = |x: &serde_json::Value| -> Option<Vec<Datum>> {
            x.as_array()?
                .iter()
                .map(|d| match d {
                    serde_json::Value::String(s) => Some(Datum::Value(s.clone())),
                    o if o.get("min").is_some() => Some(Datum::Min),
                    o if o.get("max").is_some() => Some(Datum::Max),
                    _ => None,
                })
                .collect()
        };
        Some(Bound::Range(datums(v.get("from")?)?, datums(v.get("to")?)?))
    }
}

/// A node of the partition tree.
#[derive(Debug, Clone)]
pub struct Part {
    pub name: String,
    pub parent: Option<String>,
    /// `list` / `range` for a partitioned table.
    pub strategy: Option<String>,
    /// PostgreSQL's text of each partition key.
    pub keys: Vec<String>,
    pub bound: Option<Bound>,
}

/// What a DDL statement does to the partition tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// CREATE TABLE: partitioned (`strategy`, `keys`) and/or a partition
    /// (`parent`, `bound`; the table itself is created here from the
    /// parent's definition).
    Create {
        name: String,
        parent: Option<String>,
        bound: Option<Bound>,
        strategy: Option<String>,
        keys: Vec<String>,
    },
    Attach {
        parent: String,
        name: String,
        bound: Bound,
    },
    Detach {
        parent: String,
        name: String,
    },
    /// ALTER TABLE of a partitioned table: the same commands on its `pm$`
    /// table and on every partition below it (as PostgreSQL recurses),
    /// then the tree rebuilt.
    Alter {
        table: String,
        stmt: Box<pb::AlterTableStmt>,
    },
}

/// Drops the views and triggers of the tree `name` is in (SQLite's ALTER
/// TABLE checks them against the altered table), for [`rebuild`] to make
/// again.
pub fn drop_derived(conn: &Connection, name: &str) -> Result<(), PgError> {
    let parts = load(conn)?;
    let mut root = name.to_string();
    while let Some(p) = find(&parts, &root).and_then(|p| p.parent.clone()) {
        root = p;
    }
    let mut sql = String::new();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        for c in children(&parts, &n) {
            stack.push(c.name.clone());
        }
        for t in ["ins", "upd", "del", "chk", "chku"] {
            sql.push_str(&format!(
                "DROP TRIGGER IF EXISTS {};\n",
                quote_ident(&format!("pm${t}${n}"))
            ));
        }
        if find(&parts, &n).is_some_and(|p| p.strategy.is_some()) {
            sql.push_str(&format!("DROP VIEW IF EXISTS {};\n", quote_ident(&n)));
        }
    }
    conn.execute_batch(&sql).map_err(sqlerr)
}

/// The tables an ALTER TABLE of partitioned `name` changes, and the
/// statement's text for each.
pub fn alter_statements(
    conn: &Connection,
    name: &str,
    stmt: &pb::AlterTableStmt,
) -> Result<Vec<String>, PgError> {
    let parts = load(conn)?;
    let partitioned = find(&parts, name).is_some_and(|p| p.strategy.is_some());
    let mut targets = vec![if partitioned {
        shadow(name)
    } else {
        name.to_string()
    }];
    let mut stack = if partitioned {
        vec![name.to_string()]
    } else {
        Vec::new()
    };
    while let Some(n) = stack.pop() {
        for c in children(&parts, &n) {
            targets.push(if c.strategy.is_some() {
                shadow(&c.name)
            } else {
                c.name.clone()
            });
            stack.push(c.name.clone());
        }
    }
    // A partition key column cannot be dropped or retyped.
    if let Some(p) = find(&parts, name) {
        for cmd in &stmt.cmds {
            let Some(N::AlterTableCmd(c)) = cmd.node.as_ref() else {
                continue;
            };
            let keyed = p
                .keys
                .iter()
                .any(|k| *k == crate::adt::quote_ident_text(&c.name));
            let what = match pb::AlterTableType::try_from(c.subtype) {
                Ok(pb::AlterTableType::AtDropColumn) => "drop",
                Ok(pb::AlterTableType::AtAlterColumnType) => "alter type of",
                _ => continue,
            };
            if keyed {
                return Err(PgError::error(
                    code::INVALID_TABLE_DEFINITION,
                    format!("cannot {what} column \"{}\" because it is part of the partition key of relation \"{name}\"", c.name),
                ));
            }
        }
    }
    // One statement per table and command.
    let mut out = Vec::new();
    for t in targets {
        for cmd in &stmt.cmds {
            let mut one = stmt.clone();
            one.cmds = vec![cmd.clone()];
            if let Some(rv) = one.relation.as_mut() {
                rv.relname = t.clone();
                rv.schemaname.clear();
            }
            let text = N::AlterTableStmt(one)
                .deparse(pg_query::DeparseOptions::default())
                .map_err(|_| not_supported("this form of ALTER TABLE"))?;
            out.push(text);
        }
    }
    Ok(out)
}

fn not_supported(what: &str) -> PgError {
    PgError::error(
        code::FEATURE_NOT_SUPPORTED,
        format!("{what} is not supported"),
    )
}

fn sqlerr(e: rusqlite::Error) -> PgError {
    crate::errors::from_sqlite(&e)
}

fn ensure_meta(conn: &Connection) -> Result<(), PgError> {
    conn.execute_batch(&format!(
        "CREATE TABLE IF NOT EXISTS {META} (relname TEXT PRIMARY KEY, parent TEXT, \
         strategy TEXT, keys TEXT, bound TEXT)"
    ))
    .map_err(sqlerr)
}

fn has_meta(conn: &Connection) -> bool {
    conn.query_row(
        "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1",
        [META],
        |_| Ok(()),
    )
    .is_ok()
}

/// Every node of every partition tree of the database.
pub fn load(conn: &Connection) -> Result<Vec<Part>, PgError> {
    if !has_meta(conn) {
        return Ok(Vec::new());
    }
    let mut stmt = conn
        .prepare(&format!(
            "SELECT relname, parent, strategy, keys, bound FROM {META} ORDER BY rowid"
        ))
        .map_err(sqlerr)?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })
        .map_err(sqlerr)?;
    let mut out = Vec::new();
    for row in rows {
        let (name, parent, strategy, keys, bound) = row.map_err(sqlerr)?;
        out.push(Part {
            name,
            parent,
            strategy,
            keys: keys
                .and_then(|k| serde_json::from_str::<Vec<String>>(&k).ok())
                .unwrap_or_default(),
            bound: bound.as_deref().and_then(Bound::from_json),
        });
    }
    Ok(out)
}

/// Whether `name` is a partitioned table.
pub fn is_partitioned(conn: &Connection, name: &str) -> bool {
    conn.query_row(
        "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1",
        [shadow(name)],
        |_| Ok(()),
    )
    .is_ok()
}

fn find<'p>(parts: &'p [Part], name: &str) -> Option<&'p Part> {
    parts.iter().find(|p| p.name == name)
}

fn children<'p>(parts: &'p [Part], name: &str) -> Vec<&'p Part> {
    parts
        .iter()
        .filter(|p| p.parent.as_deref() == Some(name))
        .collect()
}

/// The leaves below `name` (itself when it is not partitioned), each
/// with the path of partitions from just below `name` down to it.
fn leaves<'p>(parts: &'p [Part], name: &str) -> Vec<Vec<&'p Part>> {
    let mut out = Vec::new();
    for c in children(parts, name) {
        if c.strategy.is_some() {
            for mut path in leaves(parts, &c.name) {
                path.insert(0, c);
                out.push(path);
            }
        } else {
            out.push(vec![c]);
        }
    }
    out
}

fn paren(k: &str) -> String {
    format!("({k})")
}

/// `a >= lo` (`strict`: `a > lo`) over keys, lexicographically; MINVALUE
/// is below and MAXVALUE above every value.
fn range_ge(keys: &[String], lo: &[Datum], i: usize) -> String {
    match lo.get(i) {
        None => "true".into(),
        Some(Datum::Min) => "true".into(),
        Some(Datum::Max) => "false".into(),
        Some(Datum::Value(v)) => {
            let k = paren(&keys[i]);
            if i + 1 >= lo.len() {
                format!("({k} >= {v})")
            } else {
                format!(
                    "({k} > {v} OR ({k} = {v} AND {}))",
                    range_ge(keys, lo, i + 1)
                )
            }
        }
    }
}

fn range_lt(keys: &[String], hi: &[Datum], i: usize) -> String {
    match hi.get(i) {
        None => "false".into(),
        Some(Datum::Max) => "true".into(),
        Some(Datum::Min) => "false".into(),
        Some(Datum::Value(v)) => {
            let k = paren(&keys[i]);
            if i + 1 >= hi.len() {
                format!("({k} < {v})")
            } else {
                format!(
                    "({k} < {v} OR ({k} = {v} AND {}))",
                    range_lt(keys, hi, i + 1)
                )
            }
        }
    }
}

/// PostgreSQL's text of a bound's own condition over the parent's keys
/// (get_qual_for_list / get_qual_for_range), NULL counted as false.
fn bound_condition(parts: &[Part], part: &Part) -> String {
    let Some(parent) = part.parent.as_deref().and_then(|p| find(parts, p)) else {
        return "true".into();
    };
    let keys = &parent.keys;
    match &part.bound {
        None => "true".into(),
        Some(Bound::List(values)) => {
            let k = paren(keys.first().map(String::as_str).unwrap_or("NULL"));
            let vals: Vec<&str> = values.iter().flatten().map(String::as_str).collect();
            let has_null = values.iter().any(Option::is_none);
            let inlist = (!vals.is_empty()).then(|| format!("{k} IN ({})", vals.join(", ")));
            match (inlist, has_null) {
                (Some(i), true) => format!("({k} IS NULL OR {i})"),
                (Some(i), false) => format!("coalesce({i}, false)"),
                (None, true) => format!("({k} IS NULL)"),
                (None, false) => "false".into(),
            }
        }
        Some(Bound::Range(lo, hi)) => {
            let mut conds: Vec<String> = keys
                .iter()
                .map(|k| format!("{} IS NOT NULL", paren(k)))
                .collect();
            conds.push(range_ge(keys, lo, 0));
            conds.push(range_lt(keys, hi, 0));
            format!("coalesce(({}), false)", conds.join(" AND "))
        }
        Some(Bound::Default) => {
            let others: Vec<String> = children(parts, &parent.name)
                .into_iter()
                .filter(|c| c.name != part.name && c.bound != Some(Bound::Default))
                .map(|c| bound_condition(parts, c))
                .collect();
            if others.is_empty() {
                "true".into()
            } else {
                format!("NOT ({})", others.join(" OR "))
            }
        }
    }
}

/// The partition constraint of `name`: its bound and its ancestors'.
fn partition_constraint(parts: &[Part], name: &str) -> Option<String> {
    let mut conds = Vec::new();
    let mut cur = find(parts, name)?;
    while cur.parent.is_some() {
        conds.push(bound_condition(parts, cur));
        match cur.parent.as_deref().and_then(|p| find(parts, p)) {
            Some(p) => cur = p,
            None => break,
        }
    }
    if conds.is_empty() {
        return None;
    }
    conds.reverse();
    Some(conds.join(" AND "))
}

/// The SQLite SQL of a PostgreSQL expression over `columns` (bare names).
struct Gen<'a> {
    schema: &'a dyn Schema,
}

impl Gen<'_> {
    fn sql(
        &self,
        table: &str,
        columns: &[ColumnDef],
        pg: &str,
        cond: bool,
    ) -> Result<String, PgError> {
        let text = format!("SELECT {pg}");
        let stmts = crate::pgparse::parse(&text)?;
        let node = stmts
            .first()
            .and_then(|s| s.stmt.as_ref())
            .and_then(|s| match s.node.as_ref() {
                Some(N::SelectStmt(sel)) => sel.target_list.first().cloned(),
                _ => None,
            })
            .and_then(|t| match t.node {
                Some(N::ResTarget(rt)) => rt.val.map(|v| *v),
                _ => None,
            })
            .ok_or_else(|| not_supported("this partition key"))?;
        let mut a = Analyzer::for_ddl(self.schema, &text);
        let e = if cond {
            a.ddl_expression(&node, Some((table, columns)), None)?
        } else {
            a.ddl_expression_value(&node, (table, columns))?
        };
        let e = e.map_err(|reason| not_supported(&format!("partition key ({reason})")))?;
        let mut out = String::new();
        crate::generate::expr(&e, &mut out);
        Ok(out)
    }
}

/// `(SELECT expr FROM (SELECT NEW."a" AS "a", ...))`: an expression over
/// bare column names, evaluated on a trigger's NEW row.
fn on_new(sql: &str, columns: &[ColumnDef], row: &str) -> String {
    let cols: Vec<String> = columns
        .iter()
        .map(|c| format!("{row}.{q} AS {q}", q = quote_ident(&c.name)))
        .collect();
    format!("(SELECT {sql} FROM (SELECT {}))", cols.join(", "))
}

fn text_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn columns_of(
    schema: &dyn Schema,
    name: &str,
    partitioned: bool,
) -> Result<Vec<ColumnDef>, PgError> {
    let rel = if partitioned {
        shadow(name)
    } else {
        name.to_string()
    };
    schema.relation(&rel).ok_or_else(|| {
        PgError::error(
            code::UNDEFINED_TABLE,
            format!("relation \"{name}\" does not exist"),
        )
    })
}

/// `pm_partition_violation('t', a::text, ...)` when NEW breaks `name`'s
/// partition constraint.
fn check_statement(
    g: &Gen,
    parts: &[Part],
    name: &str,
    columns: &[ColumnDef],
) -> Result<Option<String>, PgError> {
    let Some(constraint) = partition_constraint(parts, name) else {
        return Ok(None);
    };
    let cond = g.sql(name, columns, &constraint, true)?;
    let mut args = vec![text_literal(name)];
    for c in columns {
        let v = g.sql(
            name,
            columns,
            &format!("{}::text", quote_ident(&c.name)),
            false,
        )?;
        args.push(on_new(&v, columns, "NEW"));
    }
    Ok(Some(format!(
        "SELECT pm_partition_violation({}) WHERE NOT coalesce({}, 0);",
        args.join(", "),
        on_new(&cond, columns, "NEW")
    )))
}

/// The routing check of a partitioned table: NULL when NEW has a leaf,
/// else the error of the level where no partition takes it.
fn route_check(
    g: &Gen,
    parts: &[Part],
    name: &str,
    table: &str,
    columns: &[ColumnDef],
) -> Result<String, PgError> {
    let Some(p) = find(parts, name) else {
        return Ok("NULL".into());
    };
    let mut whens = String::new();
    for c in children(parts, name) {
        let cond = g.sql(table, columns, &bound_condition(parts, c), true)?;
        let inner = if c.strategy.is_some() {
            route_check(g, parts, &c.name, table, columns)?
        } else {
            "NULL".into()
        };
        whens.push_str(&format!(" WHEN coalesce({cond}, 0) THEN {inner}"));
    }
    let mut args = vec![text_literal(name), text_literal(&p.keys.join(", "))];
    for k in &p.keys {
        args.push(g.sql(table, columns, &format!("({k})::text"), false)?);
    }
    let fail = format!("pm_no_partition({})", args.join(", "));
    Ok(if whens.is_empty() {
        fail
    } else {
        format!("CASE{whens} ELSE {fail} END")
    })
}

/// Drops and recreates the views and triggers of the tree `name` is in.
pub fn rebuild(conn: &Connection, schema: &dyn Schema, name: &str) -> Result<(), PgError> {
    let parts = load(conn)?;
    let mut root = name.to_string();
    while let Some(p) = find(&parts, &root).and_then(|p| p.parent.clone()) {
        root = p;
    }
    let g = Gen { schema };
    let mut sql = String::new();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        let Some(part) = find(&parts, &n) else {
            continue;
        };
        for c in children(&parts, &n) {
            stack.push(c.name.clone());
        }
        let qn = quote_ident(&n);
        for t in ["ins", "upd", "del", "chk", "chku"] {
            sql.push_str(&format!(
                "DROP TRIGGER IF EXISTS {};\n",
                quote_ident(&format!("pm${t}${n}"))
            ));
        }
        if part.strategy.is_none() {
            // A leaf: its partition constraint on direct writes.
            let columns = columns_of(schema, &n, false)?;
            if let Some(check) = check_statement(&g, &parts, &n, &columns)? {
                for (t, when) in [("chk", "INSERT"), ("chku", "UPDATE")] {
                    sql.push_str(&format!(
                        "CREATE TRIGGER {} BEFORE {when} ON {qn} BEGIN {check} END;\n",
                        quote_ident(&format!("pm${t}${n}")),
                    ));
                }
            }
            continue;
        }
        let columns = columns_of(schema, &n, true)?;
        let names: Vec<String> = columns.iter().map(|c| quote_ident(&c.name)).collect();
        let list = names.join(", ");
        let new_list = names
            .iter()
            .map(|c| format!("NEW.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let leaves = leaves(&parts, &n);
        let mut view = format!(
            "DROP VIEW IF EXISTS {qn};\nCREATE VIEW {qn} AS SELECT NULL AS {}, NULL AS {}, {list} FROM {}",
            quote_ident(LEAF),
            quote_ident(ROWID),
            quote_ident(&shadow(&n))
        );
        // Each leaf's condition relative to this table, on NEW.
        let mut conds = Vec::new();
        for path in &leaves {
            let leaf = path.last().expect("a leaf");
            view.push_str(&format!(
                " UNION ALL SELECT {}, rowid, {list} FROM {}",
                text_literal(&leaf.name),
                quote_ident(&leaf.name)
            ));
            let pg: Vec<String> = path.iter().map(|p| bound_condition(&parts, p)).collect();
            let cond = g.sql(&n, &columns, &pg.join(" AND "), true)?;
            conds.push((
                leaf.name.clone(),
                format!("coalesce({}, 0)", on_new(&cond, &columns, "NEW")),
            ));
        }
        sql.push_str(&view);
        sql.push_str(";\n");
        let own_check = check_statement(&g, &parts, &n, &columns)?.unwrap_or_default();
        let route = format!(
            "SELECT {};",
            on_new(&route_check(&g, &parts, &n, &n, &columns)?, &columns, "NEW")
        );
        let inserts: String = conds
            .iter()
            .map(|(leaf, cond)| {
                format!(
                    "INSERT INTO {} ({list}) SELECT {new_list} WHERE {cond};",
                    quote_ident(leaf)
                )
            })
            .collect();
        sql.push_str(&format!(
            "CREATE TRIGGER {} INSTEAD OF INSERT ON {qn} BEGIN SELECT pm_partition_row(); {own_check} {route} {inserts} END;\n",
            quote_ident(&format!("pm$ins${n}"))
        ));
        // A row met again (UPDATE ... FROM a join with several matches)
        // is written once, as PostgreSQL does.
        let old_is = |leaf: &str| {
            format!(
                "OLD.{} = {} AND rowid = OLD.{} AND NOT pm_partition_dup()",
                quote_ident(LEAF),
                text_literal(leaf),
                quote_ident(ROWID)
            )
        };
        let first = format!(
            "SELECT pm_partition_row(OLD.{}, OLD.{});",
            quote_ident(LEAF),
            quote_ident(ROWID)
        );
        let mut upd = String::new();
        for (leaf, cond) in &conds {
            upd.push_str(&format!(
                "UPDATE {} SET ({list}) = ({new_list}) WHERE {} AND {cond};",
                quote_ident(leaf),
                old_is(leaf)
            ));
            upd.push_str(&format!(
                "DELETE FROM {} WHERE {} AND NOT {cond};",
                quote_ident(leaf),
                old_is(leaf)
            ));
        }
        for (leaf, cond) in &conds {
            upd.push_str(&format!(
                "INSERT INTO {} ({list}) SELECT {new_list} WHERE OLD.{} <> {} AND NOT pm_partition_dup() AND {cond};",
                quote_ident(leaf),
                quote_ident(LEAF),
                text_literal(leaf)
            ));
        }
        sql.push_str(&format!(
            "CREATE TRIGGER {} INSTEAD OF UPDATE ON {qn} BEGIN {first} {own_check} {route} {upd} END;\n",
            quote_ident(&format!("pm$upd${n}"))
        ));
        let del: String = conds
            .iter()
            .map(|(leaf, _)| format!("DELETE FROM {} WHERE {};", quote_ident(leaf), old_is(leaf)))
            .collect();
        sql.push_str(&format!(
            "CREATE TRIGGER {} INSTEAD OF DELETE ON {qn} BEGIN {first} {del} END;\n",
            quote_ident(&format!("pm$del${n}"))
        ));
    }
    log::debug!("partition tree rebuilt:\n{sql}");
    conn.execute_batch(&sql).map_err(sqlerr)
}

/// The CREATE TABLE of a partition: its parent's definition under its
/// own name (`partitioned`: the partition is itself partitioned, so the
/// definition goes to its `pm$` table).
fn create_from_parent(
    conn: &Connection,
    parent: &str,
    name: &str,
    partitioned: bool,
) -> Result<(), PgError> {
    let parts = load(conn)?;
    let source = if find(&parts, parent).is_some_and(|p| p.strategy.is_some()) {
        shadow(parent)
    } else {
        return Err(PgError::error(
            code::WRONG_OBJECT_TYPE,
            format!("\"{parent}\" is not partitioned"),
        ));
    };
    let def: String = conn
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?1",
            [&source],
            |r| r.get(0),
        )
        .map_err(|_| {
            PgError::error(
                code::UNDEFINED_TABLE,
                format!("relation \"{parent}\" does not exist"),
            )
        })?;
    let target = if partitioned {
        shadow(name)
    } else {
        name.to_string()
    };
    let quoted = quote_ident(&source);
    let Some(at) = def.find(&quoted) else {
        return Err(not_supported("this partitioned table's definition"));
    };
    let sql = format!(
        "{}{}{}",
        &def[..at],
        quote_ident(&target),
        &def[at + quoted.len()..]
    );
    conn.execute_batch(&sql).map_err(sqlerr)
}

fn exists(conn: &Connection, name: &str) -> bool {
    conn.query_row(
        "SELECT 1 FROM sqlite_schema WHERE name = ?1 AND type IN ('table', 'view')",
        [name],
        |_| Ok(()),
    )
    .is_ok()
}

/// Runs a partition action of a DDL statement (inside its savepoint).
pub fn apply(conn: &Connection, schema: &dyn Schema, action: &Action) -> Result<(), PgError> {
    ensure_meta(conn)?;
    match action {
        Action::Create {
            name,
            parent,
            bound,
            strategy,
            keys,
        } => {
            if let Some(parent) = parent {
                if exists(conn, name) {
                    return Err(PgError::error(
                        code::DUPLICATE_TABLE,
                        format!("relation \"{name}\" already exists"),
                    ));
                }
                create_from_parent(conn, parent, name, strategy.is_some())?;
            }
            insert_part(
                conn,
                name,
                parent.as_deref(),
                strategy.as_deref(),
                keys,
                bound.as_ref(),
            )?;
            if let (Some(parent), Some(bound)) = (parent, bound) {
                check_bound(conn, schema, parent, name, bound)?;
            }
            rebuild(conn, schema, name)
        }
        Action::Attach {
            parent,
            name,
            bound,
        } => {
            let parts = load(conn)?;
            if find(&parts, parent).is_none_or(|p| p.strategy.is_none()) {
                return Err(PgError::error(
                    code::WRONG_OBJECT_TYPE,
                    format!("table \"{parent}\" is not partitioned"),
                ));
            }
            if let Some(p) = find(&parts, name).and_then(|p| p.parent.clone()) {
                return Err(PgError::error(
                    code::OBJECT_IN_USE,
                    format!("\"{name}\" is already a partition of \"{p}\""),
                ));
            }
            if !exists(conn, name) {
                return Err(PgError::error(
                    code::UNDEFINED_TABLE,
                    format!("relation \"{name}\" does not exist"),
                ));
            }
            let partitioned = find(&parts, name).is_some_and(|p| p.strategy.is_some());
            let theirs = columns_of(schema, parent, true)?;
            let ours = columns_of(schema, name, partitioned)?;
            for c in &ours {
                if !theirs.iter().any(|t| t.name == c.name) {
                    return Err(PgError::error(
                        code::DATATYPE_MISMATCH,
                        format!(
                            "table \"{name}\" contains column \"{}\" not found in parent \"{parent}\"",
                            c.name
                        ),
                    )
                    .with_detail("The new partition may contain only the columns present in parent."));
                }
            }
            for t in &theirs {
                match ours.iter().find(|c| c.name == t.name) {
                    None => {
                        return Err(PgError::error(
                            code::DATATYPE_MISMATCH,
                            format!("child table is missing column \"{}\"", t.name),
                        ))
                    }
                    Some(c) if c.type_oid != t.type_oid || c.typmod != t.typmod => {
                        return Err(PgError::error(
                            code::DATATYPE_MISMATCH,
                            format!(
                                "child table \"{name}\" has different type for column \"{}\"",
                                t.name
                            ),
                        ))
                    }
                    Some(_) => {}
                }
            }
            if find(&parts, name).is_some() {
                conn.execute(
                    &format!("UPDATE {META} SET parent = ?2, bound = ?3 WHERE relname = ?1"),
                    rusqlite::params![name, parent, bound.to_json()],
                )
                .map_err(sqlerr)?;
            } else {
                insert_part(conn, name, Some(parent), None, &[], Some(bound))?;
            }
            check_bound(conn, schema, parent, name, bound)?;
            // Rows already there must satisfy the new constraint.
            let parts = load(conn)?;
            if let Some(constraint) = partition_constraint(&parts, name) {
                if let Some(t) = leaf_with_row(
                    conn,
                    schema,
                    &parts,
                    name,
                    &format!("NOT coalesce(({constraint}), false)"),
                )? {
                    return Err(PgError::error(
                        code::CHECK_VIOLATION,
                        format!("partition constraint of relation \"{t}\" is violated by some row"),
                    ));
                }
            }
            rebuild(conn, schema, parent)
        }
        Action::Alter { table, .. } => rebuild(conn, schema, table),
        Action::Detach { parent, name } => {
            let parts = load(conn)?;
            if find(&parts, name).and_then(|p| p.parent.as_deref()) != Some(parent.as_str()) {
                return Err(PgError::error(
                    code::UNDEFINED_TABLE,
                    format!("relation \"{name}\" is not a partition of relation \"{parent}\""),
                ));
            }
            remove_from_tree(conn, name)?;
            rebuild(conn, schema, parent)?;
            rebuild(conn, schema, name)
        }
    }
}

fn insert_part(
    conn: &Connection,
    name: &str,
    parent: Option<&str>,
    strategy: Option<&str>,
    keys: &[String],
    bound: Option<&Bound>,
) -> Result<(), PgError> {
    conn.execute(
        &format!(
            "INSERT OR REPLACE INTO {META} (relname, parent, strategy, keys, bound) VALUES (?1, ?2, ?3, ?4, ?5)"
        ),
        rusqlite::params![
            name,
            parent,
            strategy,
            strategy.map(|_| serde_json::json!(keys).to_string()),
            bound.map(Bound::to_json)
        ],
    )
    .map_err(sqlerr)?;
    Ok(())
}

/// A detached partition: no parent, no bound, no constraint triggers.
fn remove_from_tree(conn: &Connection, name: &str) -> Result<(), PgError> {
    conn.execute_batch(&format!(
        "DROP TRIGGER IF EXISTS {}; DROP TRIGGER IF EXISTS {};",
        quote_ident(&format!("pm$chk${name}")),
        quote_ident(&format!("pm$chku${name}"))
    ))
    .map_err(sqlerr)?;
    let parts = load(conn)?;
    if find(&parts, name).is_some_and(|p| p.strategy.is_some()) {
        conn.execute(
            &format!("UPDATE {META} SET parent = NULL, bound = NULL WHERE relname = ?1"),
            [name],
        )
    } else {
        conn.execute(&format!("DELETE FROM {META} WHERE relname = ?1"), [name])
    }
    .map_err(sqlerr)?;
    Ok(())
}

/// The bound of a new partition against its siblings (42P17 when they
/// overlap; 23514 when the default partition holds rows it would take).
fn check_bound(
    conn: &Connection,
    schema: &dyn Schema,
    parent: &str,
    name: &str,
    bound: &Bound,
) -> Result<(), PgError> {
    let parts = load(conn)?;
    let Some(p) = find(&parts, parent) else {
        return Ok(());
    };
    let strategy = p.strategy.as_deref().unwrap_or("");
    let invalid = |what: &str| {
        PgError::error(
            code::INVALID_TABLE_DEFINITION,
            format!("invalid bound specification for a {what} partition"),
        )
    };
    match (strategy, bound) {
        ("list", Bound::Range(..)) => return Err(invalid("list")),
        ("range", Bound::List(_)) => return Err(invalid("range")),
        _ => {}
    }
    let siblings: Vec<&Part> = children(&parts, parent)
        .into_iter()
        .filter(|c| c.name != name)
        .collect();
    if *bound == Bound::Default {
        if let Some(d) = siblings.iter().find(|c| c.bound == Some(Bound::Default)) {
            return Err(PgError::error(
                code::INVALID_OBJECT_DEFINITION,
                format!(
                    "partition \"{name}\" conflicts with existing default partition \"{}\"",
                    d.name
                ),
            ));
        }
        return Ok(());
    }
    let keys = &p.keys;
    let g = Gen { schema };
    let columns = columns_of(schema, parent, true)?;
    let eval = |pg: &str| -> Result<bool, PgError> {
        let cond = g.sql(parent, &columns, pg, true)?;
        let v: Option<i64> = conn
            .query_row(&format!("SELECT {cond}"), [], |r| r.get(0))
            .map_err(sqlerr)?;
        Ok(v == Some(1))
    };
    // The values as constants of the key types: `(lit)`.
    match bound {
        Bound::Range(lo, hi) => {
            if lo.len() != keys.len() || hi.len() != keys.len() {
                return Err(PgError::error(
                    code::INVALID_TABLE_DEFINITION,
                    "FROM must specify exactly one value per partitioning column",
                ));
            }
            // lo < hi, comparing the bound values themselves.
            let lo_keys: Vec<String> = lo.iter().map(datum_text).collect();
            if !lo.iter().any(|d| *d != Datum::Max) || !eval(&range_lt_datums(&lo_keys, lo, hi))? {
                let show = |ds: &[Datum]| ds.iter().map(datum_text).collect::<Vec<_>>().join(", ");
                return Err(PgError::error(
                    code::INVALID_OBJECT_DEFINITION,
                    format!("empty range bound specified for partition \"{name}\""),
                )
                .with_detail(format!(
                    "Specified lower bound ({}) is greater than or equal to upper bound ({}).",
                    show(lo),
                    show(hi)
                )));
            }
            for s in &siblings {
                let Some(Bound::Range(slo, shi)) = &s.bound else {
                    continue;
                };
                // Overlap: lo < shi and slo < hi.
                let a = range_lt_datums(&lo_keys, lo, shi);
                let slo_keys: Vec<String> = slo.iter().map(datum_text).collect();
                let b = range_lt_datums(&slo_keys, slo, hi);
                if eval(&a)? && eval(&b)? {
                    return Err(overlap(name, &s.name));
                }
            }
        }
        Bound::List(values) => {
            for s in &siblings {
                let Some(Bound::List(theirs)) = &s.bound else {
                    continue;
                };
                for v in values {
                    let hit = match v {
                        None => theirs.iter().any(Option::is_none),
                        Some(v) => {
                            let vals: Vec<&str> =
                                theirs.iter().flatten().map(String::as_str).collect();
                            !vals.is_empty()
                                && eval(&format!(
                                    "coalesce(({v}) IN ({}), false)",
                                    vals.join(", ")
                                ))?
                        }
                    };
                    if hit {
                        return Err(overlap(name, &s.name));
                    }
                }
            }
        }
        Bound::Default => {}
    }
    // A default partition may not hold rows the new partition takes.
    if let Some(d) = siblings.iter().find(|c| c.bound == Some(Bound::Default)) {
        let mut probe = parts.clone();
        probe.retain(|x| x.name != name);
        probe.push(Part {
            name: name.to_string(),
            parent: Some(parent.to_string()),
            strategy: None,
            keys: Vec::new(),
            bound: Some(bound.clone()),
        });
        let cond_pg = bound_condition(&probe, find(&probe, name).expect("pushed"));
        let pg = format!("coalesce(({cond_pg}), false)");
        if leaf_with_row(conn, schema, &parts, &d.name, &pg)?.is_some() {
            return Err(PgError::error(
                code::CHECK_VIOLATION,
                format!(
                    "updated partition constraint for default partition \"{}\" would be violated by some row",
                    d.name
                ),
            ));
        }
    }
    Ok(())
}

/// The first leaf at or below `name` holding a row for which the
/// PostgreSQL condition `pg` holds.
fn leaf_with_row(
    conn: &Connection,
    schema: &dyn Schema,
    parts: &[Part],
    name: &str,
    pg: &str,
) -> Result<Option<String>, PgError> {
    let targets: Vec<String> = if find(parts, name).is_some_and(|p| p.strategy.is_some()) {
        leaves(parts, name)
            .iter()
            .map(|p| p.last().expect("a leaf").name.clone())
            .collect()
    } else {
        vec![name.to_string()]
    };
    let g = Gen { schema };
    for t in targets {
        let columns = columns_of(schema, &t, false)?;
        let cond = g.sql(&t, &columns, pg, true)?;
        let sql = format!("SELECT 1 FROM {} WHERE {cond} LIMIT 1", quote_ident(&t));
        if conn.query_row(&sql, [], |_| Ok(())).is_ok() {
            return Ok(Some(t));
        }
    }
    Ok(None)
}

fn datum_text(d: &Datum) -> String {
    match d {
        Datum::Min => "MINVALUE".into(),
        Datum::Max => "MAXVALUE".into(),
        Datum::Value(v) => v.clone(),
    }
}

/// `a < b` for two bound tuples (`a` spelled by `a_keys` where it is a
/// value), MINVALUE / MAXVALUE taken into account.
fn range_lt_datums(a_keys: &[String], a: &[Datum], b: &[Datum]) -> String {
    fn go(a_keys: &[String], a: &[Datum], b: &[Datum], i: usize) -> String {
        let (Some(x), Some(y)) = (a.get(i), b.get(i)) else {
            return "false".into();
        };
        match (x, y) {
            (Datum::Min, Datum::Min) | (Datum::Max, Datum::Max) => go(a_keys, a, b, i + 1),
            (Datum::Min, _) | (_, Datum::Max) => "true".into(),
            (Datum::Max, _) | (_, Datum::Min) => "false".into(),
            (Datum::Value(_), Datum::Value(v)) => {
                let k = paren(&a_keys[i]);
                format!("({k} < {v} OR ({k} = {v} AND {}))", go(a_keys, a, b, i + 1))
            }
        }
    }
    format!("coalesce({}, false)", go(a_keys, a, b, 0))
}

fn overlap(name: &str, other: &str) -> PgError {
    PgError::error(
        code::INVALID_OBJECT_DEFINITION,
        format!("partition \"{name}\" would overlap partition \"{other}\""),
    )
}

/// DROP TABLE of a partitioned table or a partition: the table, every
/// partition below it, their `pm$` tables and views; the tree's views are
/// rebuilt without them.
pub fn drop_table(conn: &Connection, schema: &dyn Schema, name: &str) -> Result<bool, PgError> {
    let parts = load(conn)?;
    let Some(part) = find(&parts, name) else {
        return Ok(false);
    };
    let parent = part.parent.clone();
    let mut doomed = vec![name.to_string()];
    let mut i = 0;
    while i < doomed.len() {
        for c in children(&parts, &doomed[i]) {
            doomed.push(c.name.clone());
        }
        i += 1;
    }
    let mut sql = String::new();
    for d in &doomed {
        if find(&parts, d).is_some_and(|p| p.strategy.is_some()) {
            sql.push_str(&format!(
                "DROP VIEW IF EXISTS {}; DROP TABLE IF EXISTS {};",
                quote_ident(d),
                quote_ident(&shadow(d))
            ));
        } else {
            sql.push_str(&format!("DROP TABLE IF EXISTS {};", quote_ident(d)));
        }
        sql.push_str(&format!(
            "DELETE FROM {META} WHERE relname = {};",
            text_literal(d)
        ));
    }
    conn.execute_batch(&sql).map_err(sqlerr)?;
    if let Some(p) = parent {
        rebuild(conn, schema, &p)?;
    }
    Ok(true)
}

thread_local! {
    /// Rows an INSTEAD OF trigger of a partitioned table handled in the
    /// current statement (SQLite's changes() counts none of them).
    static ROWS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    /// The (leaf, rowid) rows UPDATE / DELETE triggers met in the current
    /// statement, and whether the current firing met its row before.
    static SEEN: std::cell::RefCell<std::collections::HashSet<(String, i64)>> =
        std::cell::RefCell::new(std::collections::HashSet::new());
    static DUP: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Resets the count of rows written through partitioned tables.
pub fn reset_rows() {
    ROWS.with(|r| r.set(0));
    SEEN.with(|s| s.borrow_mut().clear());
    DUP.with(|d| d.set(false));
}

pub fn rows() -> u64 {
    ROWS.with(|r| r.get())
}

fn value_text(v: rusqlite::types::ValueRef) -> String {
    use rusqlite::types::ValueRef as V;
    match v {
        V::Null => "null".into(),
        V::Integer(i) => i.to_string(),
        V::Real(f) => f.to_string(),
        V::Text(t) | V::Blob(t) => String::from_utf8_lossy(t).into_owned(),
    }
}

pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    conn.create_scalar_function("pm_partition_row", 0, FunctionFlags::SQLITE_UTF8, |_| {
        ROWS.with(|r| r.set(r.get() + 1));
        Ok(0i64)
    })?;
    conn.create_scalar_function("pm_partition_row", 2, FunctionFlags::SQLITE_UTF8, |ctx| {
        let key = (value_text(ctx.get_raw(0)), ctx.get::<i64>(1).unwrap_or(0));
        let fresh = SEEN.with(|s| s.borrow_mut().insert(key));
        DUP.with(|d| d.set(!fresh));
        if fresh {
            ROWS.with(|r| r.set(r.get() + 1));
        }
        Ok(0i64)
    })?;
    conn.create_scalar_function("pm_partition_dup", 0, FunctionFlags::SQLITE_UTF8, |_| {
        Ok(DUP.with(|d| d.get()) as i64)
    })?;
    conn.create_scalar_function(
        "pg_regclass_name",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| Ok(crate::sequence::regclass_name(&value_text(ctx.get_raw(0)))),
    )?;
    conn.create_scalar_function(
        "pg_undefined_relation",
        1,
        FunctionFlags::SQLITE_UTF8,
        |ctx| {
            let name = value_text(ctx.get_raw(0));
            Err::<i64, _>(crate::errors::function_error(PgError::error(
                code::UNDEFINED_TABLE,
                format!("relation \"{name}\" does not exist"),
            )))
        },
    )?;
    // pm_no_partition(rel, keys, key values as text...)
    conn.create_scalar_function("pm_no_partition", -1, FunctionFlags::SQLITE_UTF8, |ctx| {
        let rel = value_text(ctx.get_raw(0));
        let keys = value_text(ctx.get_raw(1));
        let values: Vec<String> = (2..ctx.len()).map(|i| value_text(ctx.get_raw(i))).collect();
        let mut e = PgError::error(
            code::CHECK_VIOLATION,
            format!("no partition of relation \"{rel}\" found for row"),
        );
        if !values.is_empty() {
            e = e.with_detail(format!(
                "Partition key of the failing row contains ({keys}) = ({}).",
                values.join(", ")
            ));
        }
        Err::<i64, _>(crate::errors::function_error(e))
    })?;
    // pm_partition_violation(rel, column values as text...)
    conn.create_scalar_function(
        "pm_partition_violation",
        -1,
        FunctionFlags::SQLITE_UTF8,
        |ctx| {
            let rel = value_text(ctx.get_raw(0));
            let values: Vec<String> = (1..ctx.len()).map(|i| value_text(ctx.get_raw(i))).collect();
            Err::<i64, _>(crate::errors::function_error(
                PgError::error(
                    code::CHECK_VIOLATION,
                    format!("new row for relation \"{rel}\" violates partition constraint"),
                )
                .with_detail(format!("Failing row contains ({}).", values.join(", "))),
            ))
        },
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_conditions_are_lexicographic() {
        let keys = vec!["a".to_string(), "b".to_string()];
        let lo = vec![Datum::Value("'a'".into()), Datum::Value("1".into())];
        assert_eq!(
            range_ge(&keys, &lo, 0),
            "((a) > 'a' OR ((a) = 'a' AND ((b) >= 1)))"
        );
        let hi = vec![Datum::Value("'a'".into()), Datum::Max];
        assert_eq!(
            range_lt(&keys, &hi, 0),
            "((a) < 'a' OR ((a) = 'a' AND true))"
        );
        assert_eq!(range_ge(&keys, &[Datum::Min, Datum::Min], 0), "true");
    }

    #[test]
    fn bounds_round_trip_through_json() {
        for b in [
            Bound::Default,
            Bound::List(vec![Some("'aa'".into()), None]),
            Bound::Range(
                vec![Datum::Min, Datum::Value("1".into())],
                vec![Datum::Max, Datum::Max],
            ),
        ] {
            assert_eq!(Bound::from_json(&b.to_json()), Some(b.clone()));
        }
        assert_eq!(
            Bound::Range(vec![Datum::Min], vec![Datum::Value("10".into())]).text(),
            "FOR VALUES FROM (MINVALUE) TO (10)"
        );
    }
}
