//! DDL from PostgreSQL's parse tree, as PostgreSQL's parse_utilcmd.c
//! transforms it: CREATE TABLE and CREATE INDEX become SQLite statements
//! that we generate, with every column type resolved by the analyzer,
//! DEFAULT and CHECK expressions analyzed and generated like any other
//! expression, and constraints named as PostgreSQL names them.
//!
//! Storage: a column's declared SQLite type is our name for its PostgreSQL
//! type and typmod (`int4`, `character varying(5)`, `timestamptz(2)`,
//! `pg_numeric_text(10,2)`), which [`crate::types::oid_for_type_name`] and
//! [`crate::types::type_modifier`] read back, chosen so that SQLite's type
//! affinity keeps the storage encoding of each type (numeric as TEXT, see
//! [`crate::types::NUMERIC_STORAGE_NAME`]). `integer` is never written as
//! SQLite's `INTEGER`: an `INTEGER PRIMARY KEY` is SQLite's rowid, which
//! numbers a NULL itself where PostgreSQL answers 23502.
//!
//! What this module does not handle yet is declined (`Ok(None)`), and the
//! statement goes to the older translator; what PostgreSQL has but we do
//! not (inheritance, partitioning, exclusion constraints) is 0A000.

use pg_query::protobuf::{self as pb, node::Node as N};
use pm_elog::{sqlstate as code, PgError};

use crate::analyze::{Analyzer, ColumnDef, Schema};
use crate::generate;
use crate::session::quote_ident;
use crate::types::*;

/// A DDL statement ready to run: its sequence actions first, then the
/// SQLite statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub sequences: Vec<SequenceAction>,
    /// The SQLite statement (None: sequences only).
    pub sql: Option<String>,
    /// CREATE TABLE AS: the INSERT ... SELECT that fills the new table
    /// (its row count is the tag's: `SELECT 3`).
    pub fill: Option<String>,
    /// The command tag (`CREATE TABLE`).
    pub tag: &'static str,
    /// IF NOT EXISTS: the relation that, when it exists, makes the
    /// statement a NOTICE and nothing else.
    pub skip_if_exists: Option<String>,
    /// What the statement does to a partition tree ([`crate::partition`]),
    /// after `sql`.
    pub partition: Option<crate::partition::Action>,
    /// ALTER COLUMN SET / DROP DEFAULT: (table, column, the new DEFAULT's
    /// SQL or None), written into the table's stored definition.
    pub set_default: Option<(String, String, Option<String>)>,
    /// A NOTICE the statement sends (`view "v" will be a temporary view`).
    pub notice: Option<String>,
    /// CREATE VIEW: the view and what its query reads, checked against
    /// the view's owner when the view is used ([`crate::acl::store_view_reads`]).
    pub view_reads: Option<(String, Vec<crate::acl::Access>)>,
}

/// What a DDL statement does to sequences ([`crate::sequence`]).
#[derive(Debug, Clone, PartialEq)]
pub enum SequenceAction {
    Create {
        name: String,
        options: SequenceOptions,
        /// OWNED BY (table, column): dropped with the table.
        owned: Option<(String, String)>,
        if_not_exists: bool,
    },
    Alter {
        name: String,
        options: SequenceOptions,
        missing_ok: bool,
    },
    Drop {
        names: Vec<String>,
        missing_ok: bool,
    },
}

/// The options of CREATE / ALTER SEQUENCE (and of identity columns), as
/// written: None leaves the current or default value.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SequenceOptions {
    pub type_oid: Option<u32>,
    pub increment: Option<i64>,
    /// Some(None): NO MINVALUE / NO MAXVALUE.
    pub min: Option<Option<i64>>,
    pub max: Option<Option<i64>>,
    pub start: Option<i64>,
    /// Some(None): RESTART without a value (the start value).
    pub restart: Option<Option<i64>>,
    pub cache: Option<i64>,
    pub cycle: Option<bool>,
    /// Some(None): OWNED BY NONE.
    pub owned_by: Option<Option<(String, String)>>,
}

impl SequenceOptions {
    /// The definition these options make of `current` (or of a new
    /// sequence's defaults), as init_params() does.
    pub fn apply(
        &self,
        current: Option<&crate::sequence::Definition>,
    ) -> crate::sequence::Definition {
        use crate::sequence::{type_max, Definition};
        let type_oid = self
            .type_oid
            .or(current.map(|c| c.type_oid))
            .unwrap_or(INT8);
        let increment = self.increment.or(current.map(|c| c.increment)).unwrap_or(1);
        let defaults = Definition::defaults(type_oid, increment);
        // A bound left alone keeps its value unless the type or the sign
        // of the increment changed it from the old default.
        let keep = |old: Option<i64>, old_default: Option<i64>, new_default: i64| match old {
            Some(v) if Some(v) != old_default => v,
            _ => new_default,
        };
        let old_defaults = current.map(|c| Definition::defaults(c.type_oid, c.increment));
        let min = match self.min {
            Some(Some(v)) => v,
            Some(None) => defaults.min,
            None => keep(
                current.map(|c| c.min),
                old_defaults.as_ref().map(|d| d.min),
                defaults.min,
            ),
        };
        let max = match self.max {
            Some(Some(v)) => v,
            Some(None) => defaults.max,
            None => keep(
                current.map(|c| c.max),
                old_defaults.as_ref().map(|d| d.max),
                defaults.max,
            ),
        };
        let _ = type_max;
        let start = self
            .start
            .or(current.map(|c| c.start))
            .unwrap_or(if increment > 0 { min } else { max });
        Definition {
            type_oid,
            start,
            increment,
            min,
            max,
            cache: self.cache.or(current.map(|c| c.cache)).unwrap_or(1),
            cycle: self.cycle.or(current.map(|c| c.cycle)).unwrap_or(false),
        }
    }
}

/// The plan for a DDL statement, None when this module does not take it.
pub fn plan(node: &N, sql: &str, schema: &dyn Schema) -> Result<Option<Plan>, PgError> {
    match node {
        N::CreateStmt(c) => create_table(c, sql, schema),
        N::AlterTableStmt(a) => match storage_only(a)? {
            Some(plan) => Ok(Some(plan)),
            None => match column_default(a, sql, schema)? {
                Some(plan) => Ok(Some(plan)),
                None => partition_command(a),
            },
        },
        N::IndexStmt(i) => create_index(i, sql, schema),
        N::ViewStmt(v) => create_view(v, sql, schema).map(Some),
        N::CreateTableAsStmt(c) if c.objtype == pb::ObjectType::ObjectTable as i32 => {
            match (node_select(&c.query), c.into.as_deref()) {
                (Some(q), Some(into)) => create_table_as(q, into, c.if_not_exists, sql, schema),
                _ => Ok(None),
            }
        }
        N::SelectStmt(s) if s.into_clause.is_some() => {
            let into = s.into_clause.clone().expect("checked");
            let mut query = s.clone();
            query.into_clause = None;
            create_table_as(&query, &into, false, sql, schema)
        }
        N::CreateSeqStmt(c) => {
            let Some(rv) = &c.sequence else {
                return Ok(None);
            };
            let Some((name, _)) = relation_name(rv) else {
                return Ok(None);
            };
            let options = sequence_options(&c.options, sql)?;
            let owned = options.owned_by.clone().flatten();
            Ok(Some(Plan {
                sequences: vec![SequenceAction::Create {
                    name,
                    options,
                    owned,
                    if_not_exists: c.if_not_exists,
                }],
                sql: None,
                fill: None,
                tag: "CREATE SEQUENCE",
                skip_if_exists: None,
                partition: None,
                set_default: None,
                notice: None,
                view_reads: None,
            }))
        }
        N::AlterSeqStmt(a) => {
            let Some(rv) = &a.sequence else {
                return Ok(None);
            };
            let Some((name, _)) = relation_name(rv) else {
                return Ok(None);
            };
            Ok(Some(Plan {
                sequences: vec![SequenceAction::Alter {
                    name,
                    options: sequence_options(&a.options, sql)?,
                    missing_ok: a.missing_ok,
                }],
                sql: None,
                fill: None,
                tag: "ALTER SEQUENCE",
                skip_if_exists: None,
                partition: None,
                set_default: None,
                notice: None,
                view_reads: None,
            }))
        }
        N::DropStmt(d) if d.remove_type == pb::ObjectType::ObjectSequence as i32 => {
            let mut names = Vec::new();
            for o in &d.objects {
                let Some(N::List(l)) = o.node.as_ref() else {
                    return Ok(None);
                };
                let parts: Vec<&str> = l.items.iter().filter_map(str_of).collect();
                match parts.as_slice() {
                    [n] | ["public", n] => names.push(n.to_string()),
                    _ => return Ok(None),
                }
            }
            Ok(Some(Plan {
                sequences: vec![SequenceAction::Drop {
                    names,
                    missing_ok: d.missing_ok,
                }],
                sql: None,
                fill: None,
                tag: "DROP SEQUENCE",
                skip_if_exists: None,
                partition: None,
                set_default: None,
                notice: None,
                view_reads: None,
            }))
        }
        _ => Ok(None),
    }
}

/// ALTER TABLE t ALTER COLUMN c SET DEFAULT e / DROP DEFAULT (alone in
/// its statement): the default analyzed for the column's type, as CREATE
/// TABLE's.
fn column_default(
    a: &pb::AlterTableStmt,
    sql: &str,
    schema: &dyn Schema,
) -> Result<Option<Plan>, PgError> {
    let [cmd] = a.cmds.as_slice() else {
        return Ok(None);
    };
    let Some(N::AlterTableCmd(cmd)) = cmd.node.as_ref() else {
        return Ok(None);
    };
    if a.objtype != pb::ObjectType::ObjectTable as i32
        || cmd.subtype != pb::AlterTableType::AtColumnDefault as i32
    {
        return Ok(None);
    }
    let Some((table, _)) = a.relation.as_ref().and_then(relation_name) else {
        return Ok(None);
    };
    if schema.partitioned(&table) {
        return Ok(None);
    }
    let Some(columns) = schema.relation(&table) else {
        if a.missing_ok {
            return Ok(None);
        }
        return Err(PgError::error(
            code::UNDEFINED_TABLE,
            format!("relation \"{table}\" does not exist"),
        ));
    };
    let Some(column) = columns.iter().find(|c| c.name == cmd.name) else {
        return Err(PgError::error(
            code::UNDEFINED_COLUMN,
            format!(
                "column \"{}\" of relation \"{table}\" does not exist",
                cmd.name
            ),
        ));
    };
    if schema.identity_always(&table, &column.name) {
        let e = PgError::error(
            code::SYNTAX_ERROR,
            format!(
                "column \"{}\" of relation \"{table}\" is an identity column",
                column.name
            ),
        );
        return Err(match cmd.def {
            None => e.with_hint("Use ALTER TABLE ... ALTER COLUMN ... DROP IDENTITY instead."),
            Some(_) => e,
        });
    }
    let default = match cmd.def.as_deref() {
        None => None,
        Some(raw) => {
            let mut a = Analyzer::for_ddl(schema, sql);
            let Ok(e) = a.ddl_expression(raw, None, Some(column))? else {
                return Ok(None);
            };
            Some(with_pg_text(expr_sql(&e), deparse_expr(raw)))
        }
    };
    Ok(Some(Plan {
        sequences: Vec::new(),
        sql: None,
        fill: None,
        tag: "ALTER TABLE",
        skip_if_exists: None,
        partition: None,
        set_default: Some((table, column.name.clone(), default)),
        notice: None,
        view_reads: None,
    }))
}

/// A table's stored definition with column `column`'s DEFAULT clause
/// replaced (None: removed); None if the definition cannot be read.
pub fn with_column_default(table_sql: &str, column: &str, default: Option<&str>) -> Option<String> {
    // Top-level items of the column list, by byte range.
    let b = table_sql.as_bytes();
    let open = table_sql.find('(')?;
    let (mut depth, mut i, mut start) = (0i32, open, open + 1);
    let mut items = Vec::new();
    let mut close = None;
    while i < b.len() {
        match b[i] {
            q @ (b'\'' | b'"') => {
                i += 1;
                while i < b.len() && !(b[i] == q && b.get(i + 1) != Some(&q)) {
                    i += if b[i] == q { 2 } else { 1 };
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += table_sql[i..].find("*/")? + 1;
            }
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    items.push(start..i);
                    close = Some(i);
                    break;
                }
            }
            b',' if depth == 1 => {
                items.push(start..i);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    close?;
    let wanted = format!("\"{}\"", column.replace('"', "\"\""));
    let item = items.into_iter().find(|r| {
        let text = table_sql[r.clone()].trim_start();
        text.starts_with(&wanted) || text.split_whitespace().next() == Some(column)
    })?;
    let text = &table_sql[item.clone()];
    // The current DEFAULT (ours is always parenthesized), if any.
    let upper = text.to_ascii_uppercase();
    let mut kept = text.to_string();
    if let Some(at) = upper.find(" DEFAULT (") {
        let from = at + " DEFAULT ".len();
        let mut depth = 0;
        let mut end = None;
        let tb = text.as_bytes();
        let mut j = from;
        while j < tb.len() {
            match tb[j] {
                b'\'' => {
                    j += 1;
                    while j < tb.len() && !(tb[j] == b'\'' && tb.get(j + 1) != Some(&b'\'')) {
                        j += if tb[j] == b'\'' { 2 } else { 1 };
                    }
                }
                b'/' if tb.get(j + 1) == Some(&b'*') => j += text[j..].find("*/")? + 1,
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(j + 1);
                        break;
                    }
                }
                _ => {}
            }
            j += 1;
        }
        kept = format!("{}{}", &text[..at], &text[end?..]);
    } else if upper.contains(" DEFAULT ") {
        return None;
    }
    if let Some(d) = default {
        kept = format!("{} DEFAULT ({d})", kept.trim_end());
    }
    Some(format!(
        "{}{kept}{}",
        &table_sql[..item.start],
        &table_sql[item.end..]
    ))
}

/// ALTER TABLE commands about physical storage only (storage parameters,
/// a column's STORAGE / COMPRESSION / STATISTICS, LOGGED / UNLOGGED):
/// nothing a query sees changes, so the statement checks the table and
/// its storage parameters' names and does nothing else.
fn storage_only(a: &pb::AlterTableStmt) -> Result<Option<Plan>, PgError> {
    use pb::AlterTableType as T;
    const PARAMETERS: &[&str] = &[
        "fillfactor",
        "parallel_workers",
        "toast_tuple_target",
        "user_catalog_table",
        "vacuum_index_cleanup",
        "vacuum_truncate",
        "log_autovacuum_min_duration",
    ];
    if a.objtype != pb::ObjectType::ObjectTable as i32 || a.cmds.is_empty() {
        return Ok(None);
    }
    let Some((table, _)) = a.relation.as_ref().and_then(relation_name) else {
        return Ok(None);
    };
    for c in &a.cmds {
        let Some(N::AlterTableCmd(cmd)) = c.node.as_ref() else {
            return Ok(None);
        };
        match T::try_from(cmd.subtype) {
            Ok(T::AtSetRelOptions | T::AtResetRelOptions) => {
                let Some(N::List(l)) = cmd.def.as_deref().and_then(|d| d.node.as_ref()) else {
                    return Ok(None);
                };
                for o in &l.items {
                    let Some(N::DefElem(d)) = o.node.as_ref() else {
                        return Ok(None);
                    };
                    let known = (d.defnamespace.is_empty()
                        && PARAMETERS.contains(&d.defname.as_str()))
                        || d.defname.starts_with("autovacuum_")
                        || d.defnamespace == "toast";
                    if !known {
                        return Err(PgError::error(
                            code::INVALID_PARAMETER_VALUE,
                            format!("unrecognized parameter \"{}\"", d.defname),
                        ));
                    }
                }
            }
            Ok(
                T::AtSetStorage
                | T::AtSetCompression
                | T::AtSetStatistics
                | T::AtSetLogged
                | T::AtSetUnLogged,
            ) => {}
            _ => return Ok(None),
        }
    }
    Ok(Some(Plan {
        sequences: Vec::new(),
        sql: Some(format!(
            "SELECT 1 FROM {} LIMIT 0",
            crate::session::quote_ident(&table)
        )),
        fill: None,
        tag: "ALTER TABLE",
        skip_if_exists: None,
        partition: None,
        set_default: None,
        notice: None,
        view_reads: None,
    }))
}

/// ALTER TABLE p ATTACH / DETACH PARTITION t (alone in its statement).
fn partition_command(a: &pb::AlterTableStmt) -> Result<Option<Plan>, PgError> {
    let [cmd] = a.cmds.as_slice() else {
        return Ok(None);
    };
    let Some(N::AlterTableCmd(cmd)) = cmd.node.as_ref() else {
        return Ok(None);
    };
    let Some(N::PartitionCmd(pc)) = cmd.def.as_deref().and_then(|d| d.node.as_ref()) else {
        return Ok(None);
    };
    let (Some(rv), Some(child)) = (&a.relation, &pc.name) else {
        return Ok(None);
    };
    let (Some((parent, _)), Some((name, _))) = (relation_name(rv), relation_name(child)) else {
        return Ok(None);
    };
    let (action, tag) = match pb::AlterTableType::try_from(cmd.subtype) {
        Ok(pb::AlterTableType::AtAttachPartition) => {
            let Some(spec) = &pc.bound else {
                return Ok(None);
            };
            (
                crate::partition::Action::Attach {
                    parent,
                    name,
                    bound: crate::partition::Bound::from_spec(spec)?,
                },
                "ALTER TABLE",
            )
        }
        Ok(pb::AlterTableType::AtDetachPartition) if !pc.concurrent => (
            crate::partition::Action::Detach { parent, name },
            "ALTER TABLE",
        ),
        _ => return Ok(None),
    };
    Ok(Some(Plan {
        sequences: Vec::new(),
        sql: None,
        fill: None,
        tag,
        skip_if_exists: None,
        partition: Some(action),
        set_default: None,
        notice: None,
        view_reads: None,
    }))
}

fn node_select(n: &Option<Box<pb::Node>>) -> Option<&pb::SelectStmt> {
    match n.as_deref()?.node.as_ref()? {
        N::SelectStmt(s) => Some(s),
        _ => None,
    }
}

/// CREATE TABLE ... AS / SELECT ... INTO: the table gets the query's
/// column names, types and typmods, then the query's rows.
fn create_table_as(
    query: &pb::SelectStmt,
    into: &pb::IntoClause,
    if_not_exists: bool,
    sql: &str,
    schema: &dyn Schema,
) -> Result<Option<Plan>, PgError> {
    let Some(rv) = &into.rel else {
        return Ok(None);
    };
    let Some((table, temp)) = relation_name(rv) else {
        return Ok(None);
    };
    if !into.options.is_empty() || !into.access_method.is_empty() || into.on_commit > 1 {
        return Ok(None);
    }
    let mut a = Analyzer::for_ddl(schema, sql);
    let Ok(q) = a.select_query(query)? else {
        return Ok(None);
    };
    let mut columns = q.columns();
    let names: Vec<&str> = into.col_names.iter().filter_map(str_of).collect();
    let Some(defs) = stored_columns(&mut columns, &names, "too many column names were specified")?
    else {
        return Ok(None);
    };
    let create = format!(
        "CREATE {}TABLE {}{} ({})",
        if temp { "TEMP " } else { "" },
        if if_not_exists { "IF NOT EXISTS " } else { "" },
        quote_ident(&table),
        defs.iter()
            .map(|(n, t)| format!("{} {t}", quote_ident(n)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let fill = (!into.skip_data).then(|| {
        format!(
            "INSERT INTO {} SELECT * FROM ({})",
            quote_ident(&table),
            generate::query(&q)
        )
    });
    Ok(Some(Plan {
        sequences: Vec::new(),
        sql: Some(create),
        fill,
        tag: "CREATE TABLE AS",
        skip_if_exists: if_not_exists.then_some(table),
        partition: None,
        set_default: None,
        notice: None,
        view_reads: None,
    }))
}

/// The columns of CREATE TABLE AS / CREATE VIEW as (name, declared SQLite
/// type): renamed by the statement's column list, unknown-typed literals
/// made text (as PostgreSQL makes them, in `columns` too), PostgreSQL's
/// errors for too many names (`too_many`) and duplicates; None when a
/// type has no storage here.
fn stored_columns(
    columns: &mut [(String, u32, i32)],
    names: &[&str],
    too_many: &str,
) -> Result<Option<Vec<(String, String)>>, PgError> {
    if names.len() > columns.len() {
        return Err(PgError::error(code::SYNTAX_ERROR, too_many));
    }
    for (c, n) in columns.iter_mut().zip(names) {
        c.0 = n.to_string();
    }
    let mut defs: Vec<(String, String)> = Vec::new();
    for (name, oid, typmod) in columns.iter_mut() {
        if defs.iter().any(|(n, _)| n == name) {
            return Err(PgError::error(
                code::DUPLICATE_COLUMN,
                format!("column \"{name}\" specified more than once"),
            ));
        }
        if *oid == crate::ops::UNKNOWN {
            (*oid, *typmod) = (TEXT, -1);
        }
        let Some(storage) = storage_type(*oid, *typmod) else {
            return Ok(None);
        };
        defs.push((name.clone(), storage));
    }
    Ok(Some(defs))
}

/// The prefix of the table that gives a view's columns their declared
/// types (see [`create_view`]).
pub const VIEW_SHAPE: &str = "pm$view$";

/// The comment in a view's SQLite definition that keeps the CREATE VIEW
/// statement it was made by (hex), read back when the view is written
/// through ([`crate::analyze`]'s view_target).
const VIEW_STATEMENT: &str = "/*pm:statement:";

/// The CREATE VIEW statement kept in a view's SQLite definition.
pub fn view_statement(sqlite_sql: &str) -> Option<String> {
    let start = sqlite_sql.find(VIEW_STATEMENT)? + VIEW_STATEMENT.len();
    let end = start + sqlite_sql[start..].find("*/")?;
    let hex = &sqlite_sql.as_bytes()[start..end];
    let bytes: Option<Vec<u8>> = hex
        .chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).ok()?, 16).ok())
        .collect();
    String::from_utf8(bytes?).ok()
}

/// A view's query as text (pg_get_viewdef), from its SQLite definition:
/// the kept CREATE VIEW statement's query, deparsed by PostgreSQL's
/// deparser (spelled as pg_query writes it, not as ruleutils would).
pub fn view_query_text(sqlite_sql: &str) -> Option<String> {
    let statement = view_statement(sqlite_sql)?;
    let parsed = crate::pgparse::parse(&statement).ok()?;
    let Some(N::ViewStmt(v)) = parsed.first()?.stmt.as_ref()?.node.as_ref() else {
        return None;
    };
    let query = v.query.as_deref()?.node.as_ref()?;
    let text = query.deparse(pg_query::DeparseOptions::default()).ok()?;
    Some(format!(" {text};"))
}

/// CREATE [OR REPLACE] [TEMP] VIEW (DefineView): the query analyzed as any
/// other, so the view answers with PostgreSQL's meaning, its columns
/// fixed at creation as PostgreSQL fixes them. SQLite gives a view's
/// columns the declared types of the columns they select, so the view
/// is an empty table of the view's column types (`pm$view$<name>`)
/// UNION ALL the generated query: the columns carry their PostgreSQL
/// types to `SELECT *`, the catalogs and every query over the view.
fn create_view(v: &pb::ViewStmt, sql: &str, schema: &dyn Schema) -> Result<Plan, PgError> {
    let not_supported = |what: &str| {
        PgError::error(
            code::FEATURE_NOT_SUPPORTED,
            format!("{what} is not supported"),
        )
    };
    let rv = v
        .view
        .as_ref()
        .ok_or_else(|| not_supported("CREATE VIEW"))?;
    let (name, mut temp) =
        relation_name(rv).ok_or_else(|| not_supported("CREATE VIEW in this schema"))?;
    if v.with_check_option > pb::ViewCheckOption::NoCheckOption as i32 {
        return Err(not_supported("WITH CHECK OPTION"));
    }
    if !v.options.is_empty() {
        return Err(not_supported("CREATE VIEW with options"));
    }
    let Some(N::SelectStmt(query)) = v.query.as_deref().and_then(|n| n.node.as_ref()) else {
        return Err(not_supported("this form of CREATE VIEW"));
    };
    if query.into_clause.is_some() {
        return Err(PgError::error(
            code::FEATURE_NOT_SUPPORTED,
            "views must not contain SELECT INTO",
        ));
    }
    let mut a = Analyzer::for_ddl(schema, sql);
    let mut q = match a.select_query(query)? {
        Ok(q) => q,
        Err(reason) => {
            return Err(a
                .missing_function()
                .unwrap_or_else(|| not_supported(&reason)))
        }
    };
    if let crate::analyze::Query::Select(s) = &mut q {
        s.expand_stars();
    }
    if a.has_steps() {
        return Err(PgError::error(
            code::FEATURE_NOT_SUPPORTED,
            "views must not contain data-modifying statements in WITH",
        ));
    }
    let mut columns = q.columns();
    let names: Vec<&str> = v.aliases.iter().filter_map(str_of).collect();
    let too_many = "CREATE VIEW specifies more column names than columns";
    let Some(defs) = stored_columns(&mut columns, &names, too_many)? else {
        let (_, oid, typmod) = columns
            .iter()
            .find(|(_, oid, typmod)| storage_type(*oid, *typmod).is_none())
            .cloned()
            .unwrap_or_default();
        return Err(not_supported(&format!(
            "a view column of type {}",
            format_type(oid, typmod)
        )));
    };
    let mut notice = None;
    if !temp && a.relations_read().iter().any(|t| schema.is_temp(t)) {
        temp = true;
        notice = Some(format!("view \"{name}\" will be a temporary view"));
    }
    let mut statements = Vec::new();
    if let Some(old) = schema.relation(&name) {
        if !v.replace {
            return Err(PgError::error(
                code::DUPLICATE_TABLE,
                format!("relation \"{name}\" already exists"),
            ));
        }
        if !schema.is_view(&name) || schema.partitioned(&name) {
            return Err(PgError::error(
                code::WRONG_OBJECT_TYPE,
                format!("\"{name}\" is not a view"),
            ));
        }
        // A view an earlier version made has no types to keep.
        if !schema.is_legacy_view(&name) {
            check_view_columns(&old, &columns)?;
        }
        statements.push(format!(
            "DROP VIEW {}; DROP TABLE IF EXISTS {};",
            quote_ident(&name),
            quote_ident(&format!("{VIEW_SHAPE}{name}"))
        ));
    }
    let temp_word = if temp { "TEMP " } else { "" };
    let shape = quote_ident(&format!("{VIEW_SHAPE}{name}"));
    statements.push(format!(
        "CREATE {temp_word}TABLE {shape} ({});",
        defs.iter()
            .map(|(n, t)| format!("{} {t}", quote_ident(n)))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    statements.push(format!(
        "CREATE {temp_word}VIEW {} AS {VIEW_STATEMENT}{}*/ SELECT * FROM {shape} UNION ALL SELECT * FROM ({});",
        quote_ident(&name),
        sql.bytes().map(|b| format!("{b:02x}")).collect::<String>(),
        generate::query(&q)
    ));
    Ok(Plan {
        sequences: Vec::new(),
        sql: Some(statements.concat()),
        fill: None,
        tag: "CREATE VIEW",
        skip_if_exists: None,
        partition: None,
        set_default: None,
        notice,
        view_reads: Some((name, a.take_accesses())),
    })
}

/// CREATE OR REPLACE VIEW keeps the old columns, in order, with their names
/// and types; it may add columns at the end (checkViewColumns).
fn check_view_columns(old: &[ColumnDef], new: &[(String, u32, i32)]) -> Result<(), PgError> {
    let invalid = |m: String| PgError::error(code::INVALID_TABLE_DEFINITION, m);
    if new.len() < old.len() {
        return Err(invalid("cannot drop columns from view".into()));
    }
    for (o, (name, oid, typmod)) in old.iter().zip(new) {
        if o.name != *name {
            return Err(invalid(format!(
                "cannot change name of view column \"{}\" to \"{name}\"",
                o.name
            ))
            .with_hint(
                "Use ALTER VIEW ... RENAME COLUMN ... to change name of view column instead.",
            ));
        }
        if o.type_oid != *oid || o.typmod != *typmod {
            return Err(invalid(format!(
                "cannot change data type of view column \"{name}\" from {} to {}",
                format_type(o.type_oid, o.typmod),
                format_type(*oid, *typmod)
            )));
        }
    }
    Ok(())
}

/// An integer option's value (`INCREMENT BY -2`, `START 10`).
fn int_option(d: &pb::DefElem, sql: &str) -> Result<i64, PgError> {
    use pg_query::protobuf::a_const::Val;
    let value = match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
        Some(N::Integer(i)) => Some(i.ival as i64),
        Some(N::Float(f)) => f.fval.parse::<i64>().ok(),
        Some(N::AConst(pb::AConst {
            val: Some(Val::Ival(i)),
            ..
        })) => Some(i.ival as i64),
        _ => None,
    };
    value.ok_or_else(|| {
        let mut e = PgError::error(
            code::SYNTAX_ERROR,
            format!("{} requires a numeric value", d.defname),
        );
        if d.location >= 0 && (d.location as usize) <= sql.len() {
            e = e.at(sql[..d.location as usize].chars().count() as u32 + 1);
        }
        e
    })
}

/// CREATE / ALTER SEQUENCE options (and an identity column's).
pub fn sequence_options(list: &[pb::Node], sql: &str) -> Result<SequenceOptions, PgError> {
    let mut o = SequenceOptions::default();
    for n in list {
        let Some(N::DefElem(d)) = n.node.as_ref() else {
            continue;
        };
        let has_arg = d.arg.is_some();
        match d.defname.as_str() {
            "as" => {
                let Some(N::TypeName(tn)) = d.arg.as_deref().and_then(|a| a.node.as_ref()) else {
                    continue;
                };
                let names: Vec<&str> = tn.names.iter().filter_map(str_of).collect();
                let oid = match names.last().copied() {
                    Some("int2") => INT2,
                    Some("int4") => INT4,
                    Some("int8") => INT8,
                    _ => {
                        return Err(PgError::error(
                            code::INVALID_PARAMETER_VALUE,
                            "sequence type must be smallint, integer, or bigint",
                        ))
                    }
                };
                o.type_oid = Some(oid);
            }
            "increment" => o.increment = Some(int_option(d, sql)?),
            "minvalue" => {
                o.min = Some(if has_arg {
                    Some(int_option(d, sql)?)
                } else {
                    None
                })
            }
            "maxvalue" => {
                o.max = Some(if has_arg {
                    Some(int_option(d, sql)?)
                } else {
                    None
                })
            }
            "start" => o.start = Some(int_option(d, sql)?),
            "restart" => {
                o.restart = Some(if has_arg {
                    Some(int_option(d, sql)?)
                } else {
                    None
                })
            }
            "cache" => o.cache = Some(int_option(d, sql)?),
            "cycle" => {
                o.cycle = Some(match d.arg.as_deref().and_then(|a| a.node.as_ref()) {
                    Some(N::Boolean(b)) => b.boolval,
                    Some(N::Integer(i)) => i.ival != 0,
                    _ => true,
                })
            }
            "owned_by" => {
                let Some(N::List(l)) = d.arg.as_deref().and_then(|a| a.node.as_ref()) else {
                    continue;
                };
                let parts: Vec<&str> = l.items.iter().filter_map(str_of).collect();
                o.owned_by = Some(match parts.as_slice() {
                    ["none"] => None,
                    [.., t, c] => Some((t.to_string(), c.to_string())),
                    _ => {
                        return Err(PgError::error(
                            code::INVALID_PARAMETER_VALUE,
                            "invalid OWNED BY option",
                        )
                        .with_hint("Specify OWNED BY table.column or OWNED BY NONE."))
                    }
                });
            }
            // sequence_name (identity columns) is handled by the caller.
            "sequence_name" => {}
            _ => {
                return Err(not_supported(&format!("sequence option \"{}\"", d.defname)));
            }
        }
    }
    Ok(o)
}

fn not_supported(what: &str) -> PgError {
    PgError::error(
        code::FEATURE_NOT_SUPPORTED,
        format!("{what} is not supported"),
    )
}

fn str_of(n: &pb::Node) -> Option<&str> {
    match n.node.as_ref()? {
        N::String(s) => Some(&s.sval),
        _ => None,
    }
}

/// A relation name of a CREATE statement: (name, temporary), None for a
/// schema other than public / pg_temp.
fn relation_name(rv: &pb::RangeVar) -> Option<(String, bool)> {
    let temp = rv.relpersistence == "t";
    match rv.schemaname.as_str() {
        "" | "public" => Some((rv.relname.clone(), temp)),
        "pg_temp" => Some((rv.relname.clone(), true)),
        _ => None,
    }
}

/// The declared SQLite type for a PostgreSQL type (see the module header).
fn storage_type(oid: u32, typmod: i32) -> Option<String> {
    Some(match oid {
        INT4 => "int4".to_string(),
        NUMERIC if typmod >= 4 => {
            let m = typmod - 4;
            format!("{NUMERIC_STORAGE_NAME}({},{})", m >> 16, m & 0xffff)
        }
        NUMERIC => NUMERIC_STORAGE_NAME.to_string(),
        TIME | TIMETZ | TIMESTAMP | TIMESTAMPTZ => {
            let base = match oid {
                TIME => "time",
                TIMETZ => "timetz",
                TIMESTAMP => "timestamp",
                _ => "timestamptz",
            };
            if typmod >= 0 {
                format!("{base}({typmod})")
            } else {
                base.to_string()
            }
        }
        BOOL | INT2 | INT8 | FLOAT4 | FLOAT8 | TEXT | VARCHAR | BPCHAR | NAME | DATE | INTERVAL
        | UUID | BYTEA => format_type(oid, typmod),
        // An array: `_` and its element's name and typmod, as pg_type
        // names arrays (SQLite's type names end at the typmod; the values
        // are array_out's text, see crate::array).
        _ => match element_of(oid).filter(|&e| crate::array::supported_element(e)) {
            Some(elem) => format!("_{}", storage_type(elem, typmod)?),
            None => return None,
        },
    })
}

fn expr_sql(e: &crate::analyze::Expr) -> String {
    let mut out = String::new();
    generate::expr(e, &mut out);
    out
}

/// Marks PostgreSQL's text of a default inside the SQLite default it was
/// generated as, for pg_attrdef and information_schema (a comment, so the
/// default runs as generated).
pub const PG_TEXT_OPEN: &str = "/*pg:";
pub const PG_TEXT_CLOSE: &str = ":pg*/";

/// `generated /*pg:text:pg*/` (a `*/` in the text is written `* /`).
pub fn with_pg_text(sql: String, text: Option<String>) -> String {
    match text {
        Some(t) => format!(
            "{sql} {PG_TEXT_OPEN}{}{PG_TEXT_CLOSE}",
            t.replace("*/", "* /")
        ),
        None => sql,
    }
}

/// A serial column's default, shown as PostgreSQL shows it.
fn nextval_default(seq: &str) -> String {
    with_pg_text(
        format!("pg_nextval({})", sql_string(seq)),
        Some(format!("nextval({}::regclass)", sql_string(seq))),
    )
}

/// PostgreSQL's text of a raw expression (pg_query's deparser, through a
/// `SELECT expr`).
pub fn deparse_expr(e: &pb::Node) -> Option<String> {
    let target = pb::Node {
        node: Some(pb::node::Node::ResTarget(Box::new(pb::ResTarget {
            val: Some(Box::new(e.clone())),
            ..Default::default()
        }))),
    };
    let select = pb::node::Node::SelectStmt(Box::new(pb::SelectStmt {
        target_list: vec![target],
        limit_option: pb::LimitOption::Default as i32,
        op: pb::SetOperation::SetopNone as i32,
        ..Default::default()
    }));
    let sql = select.deparse(pg_query::DeparseOptions::default()).ok()?;
    sql.strip_prefix("SELECT ").map(str::to_string)
}

/// ChooseConstraintName's default names: `t_a_check`, `t_a_b_key`.
fn constraint_name(table: &str, columns: &[String], kind: &str) -> String {
    let mut name = table.to_string();
    for c in columns {
        name.push('_');
        name.push_str(c);
    }
    name.push('_');
    name.push_str(kind);
    // NAMEDATALEN - 1 bytes, as PostgreSQL truncates identifiers.
    while name.len() > 63 {
        name.pop();
    }
    name
}

/// Column names a CHECK expression reads, in order of first use.
fn columns_of(n: &pb::Node, columns: &[ColumnDef], out: &mut Vec<String>) {
    let json = format!("{n:?}");
    // ColumnRef fields appear as `String { sval: "x" }` in the debug form;
    // every such string that names a column counts.
    for part in json.split("sval: \"").skip(1) {
        let name = part.split('"').next().unwrap_or("");
        if columns.iter().any(|c| c.name == name) && !out.iter().any(|o| o == name) {
            out.push(name.to_string());
        }
    }
}

struct Column {
    def: ColumnDef,
    storage: String,
    not_null: bool,
    primary: bool,
    unique: bool,
    default: Option<String>,
    checks: Vec<(String, String)>,
    references: Option<String>,
}

fn create_table(
    c: &pb::CreateStmt,
    sql: &str,
    schema: &dyn Schema,
) -> Result<Option<Plan>, PgError> {
    let Some(rv) = &c.relation else {
        return Ok(None);
    };
    let Some((table, temp)) = relation_name(rv) else {
        return Ok(None);
    };
    // PARTITION BY: the definition goes to the `pm$` table, the tree to
    // crate::partition.
    let (strategy, keys) = match &c.partspec {
        Some(spec) => {
            if temp {
                return Err(not_supported("a temporary partitioned table"));
            }
            let strategy = match pb::PartitionStrategy::try_from(spec.strategy) {
                Ok(pb::PartitionStrategy::List) => "list",
                Ok(pb::PartitionStrategy::Range) => "range",
                _ => return Err(not_supported("hash partitioning")),
            };
            let mut keys = Vec::new();
            for p in &spec.part_params {
                let Some(N::PartitionElem(e)) = p.node.as_ref() else {
                    return Ok(None);
                };
                if !e.collation.is_empty() || !e.opclass.is_empty() {
                    return Err(not_supported(
                        "a partition key with a collation or operator class",
                    ));
                }
                keys.push(match e.expr.as_deref() {
                    // An operator expression is shown parenthesized, as
                    // pg_get_partkeydef shows it.
                    Some(x) => {
                        let text =
                            deparse_expr(x).ok_or_else(|| not_supported("this partition key"))?;
                        if matches!(x.node, Some(N::AExpr(_))) {
                            format!("({text})")
                        } else {
                            text
                        }
                    }
                    None => crate::adt::quote_ident_text(&e.name),
                });
            }
            if strategy == "list" && keys.len() > 1 {
                return Err(PgError::error(
                    code::INVALID_OBJECT_DEFINITION,
                    "cannot use \"list\" partition strategy with more than one column",
                ));
            }
            (Some(strategy.to_string()), keys)
        }
        None => (None, Vec::new()),
    };
    // PARTITION OF names its parent in inh_relations too.
    if let Some(spec) = &c.partbound {
        let parent = match c.inh_relations.first().and_then(|n| n.node.as_ref()) {
            Some(N::RangeVar(p)) => match relation_name(p) {
                Some((name, _)) => name,
                None => return Ok(None),
            },
            _ => return Ok(None),
        };
        if !c.table_elts.is_empty() || !c.constraints.is_empty() || temp {
            return Err(not_supported(
                "PARTITION OF with column or constraint definitions",
            ));
        }
        let bound = crate::partition::Bound::from_spec(spec)?;
        return Ok(Some(Plan {
            sequences: Vec::new(),
            sql: None,
            fill: None,
            tag: "CREATE TABLE",
            skip_if_exists: c.if_not_exists.then(|| table.clone()),
            partition: Some(crate::partition::Action::Create {
                name: table,
                parent: Some(parent),
                bound: Some(bound),
                strategy,
                keys,
            }),
            set_default: None,
            notice: None,
            view_reads: None,
        }));
    }
    if !c.inh_relations.is_empty() {
        return Err(not_supported("table inheritance (INHERITS)"));
    }
    if c.of_typename.is_some() || !c.access_method.is_empty() || c.oncommit > 1 {
        return Ok(None);
    }
    let mut a = Analyzer::for_ddl(schema, sql);
    let mut sequences: Vec<SequenceAction> = Vec::new();
    let mut columns: Vec<Column> = Vec::new();
    let mut table_constraints: Vec<&pb::Constraint> = Vec::new();
    for e in c.table_elts.iter().chain(&c.constraints) {
        match e.node.as_ref() {
            Some(N::ColumnDef(d)) => {
                let Some(tn) = &d.type_name else {
                    return Ok(None);
                };
                if columns.iter().any(|c| c.def.name == d.colname) {
                    return Err(PgError::error(
                        code::DUPLICATE_COLUMN,
                        format!("column \"{}\" specified more than once", d.colname),
                    ));
                }
                let names: Vec<&str> = tn.names.iter().filter_map(str_of).collect();
                let serial = match names.as_slice() {
                    [n] if tn.typmods.is_empty() && tn.array_bounds.is_empty() => match *n {
                        "serial" | "serial4" => Some(INT4),
                        "bigserial" | "serial8" => Some(INT8),
                        "smallserial" | "serial2" => Some(INT2),
                        _ => None,
                    },
                    _ => None,
                };
                let (oid, typmod) = match serial {
                    Some(oid) => (oid, -1),
                    None => match a.column_type(tn)? {
                        Ok(t) => t,
                        Err(_) => return Ok(None),
                    },
                };
                let Some(storage) = storage_type(oid, typmod) else {
                    return Ok(None);
                };
                if let Some(coll) = &d.coll_clause {
                    let names: Vec<&str> = coll.collname.iter().filter_map(str_of).collect();
                    if !matches!(names.as_slice(), ["C"] | ["POSIX"] | ["default"]) {
                        return Ok(None);
                    }
                }
                if !d.generated.is_empty() {
                    return Ok(None);
                }
                let mut default = None;
                if let Some(oid) = serial {
                    // serial: an owned sequence and its nextval default.
                    let seq = constraint_name(&table, std::slice::from_ref(&d.colname), "seq");
                    sequences.push(SequenceAction::Create {
                        name: seq.clone(),
                        options: SequenceOptions {
                            type_oid: Some(oid),
                            ..Default::default()
                        },
                        owned: Some((table.clone(), d.colname.clone())),
                        if_not_exists: false,
                    });
                    default = Some(nextval_default(&seq));
                }
                columns.push(Column {
                    def: ColumnDef {
                        name: d.colname.clone(),
                        type_oid: oid,
                        typmod,
                    },
                    storage,
                    not_null: d.is_not_null || serial.is_some(),
                    primary: false,
                    unique: false,
                    default,
                    checks: Vec::new(),
                    references: None,
                });
            }
            Some(N::Constraint(k)) => table_constraints.push(k),
            Some(N::TableLikeClause(l)) => {
                // LIKE source: its columns, NOT NULL, and with INCLUDING
                // DEFAULTS its defaults (transformTableLikeClause).
                const DEFAULTS: u32 = 1 << 3;
                const HARMLESS: u32 = 1 << 0 | 1 << 1 | 1 << 7 | 1 << 8;
                if l.options & !(DEFAULTS | HARMLESS) != 0 {
                    return Err(not_supported(
                        "LIKE with INCLUDING CONSTRAINTS, INDEXES, IDENTITY or GENERATED",
                    ));
                }
                let Some((source, _)) = l.relation.as_ref().and_then(relation_name) else {
                    return Ok(None);
                };
                let Some(defs) = schema.relation(&source) else {
                    return Err(PgError::error(
                        code::UNDEFINED_TABLE,
                        format!("relation \"{source}\" does not exist"),
                    ));
                };
                for d in defs {
                    if columns.iter().any(|c| c.def.name == d.name) {
                        return Err(PgError::error(
                            code::DUPLICATE_COLUMN,
                            format!("column \"{}\" specified more than once", d.name),
                        ));
                    }
                    let Some(storage) = storage_type(d.type_oid, d.typmod) else {
                        return Ok(None);
                    };
                    columns.push(Column {
                        not_null: schema.not_null(&source, &d.name),
                        default: if l.options & DEFAULTS != 0 {
                            schema.column_default(&source, &d.name)
                        } else {
                            None
                        },
                        def: d,
                        storage,
                        primary: false,
                        unique: false,
                        checks: Vec::new(),
                        references: None,
                    });
                }
            }
            _ => return Ok(None),
        }
    }
    let defs: Vec<ColumnDef> = columns.iter().map(|c| c.def.clone()).collect();
    // Column constraints, now that every column is known (a CHECK may
    // name another column).
    let column_defs = c.table_elts.iter().filter_map(|e| match e.node.as_ref() {
        Some(N::ColumnDef(d)) => Some(d),
        _ => None,
    });
    for (i, d) in column_defs.enumerate() {
        let mut identity = false;
        for k in &d.constraints {
            let Some(N::Constraint(k)) = k.node.as_ref() else {
                return Ok(None);
            };
            let col = &mut columns[i];
            let both = |what: &str| {
                PgError::error(
                    code::SYNTAX_ERROR,
                    format!(
                        "{what} specified for column \"{}\" of table \"{table}\"",
                        col.def.name
                    ),
                )
            };
            match pb::ConstrType::try_from(k.contype) {
                Ok(pb::ConstrType::ConstrDefault) if identity => {
                    return Err(both("both default and identity"))
                }
                Ok(pb::ConstrType::ConstrIdentity) if identity => {
                    return Err(both("multiple identity specifications"))
                }
                Ok(pb::ConstrType::ConstrIdentity) if col.default.is_some() => {
                    return Err(both("both default and identity"))
                }
                Ok(pb::ConstrType::ConstrIdentity) => identity = true,
                _ => {}
            }
            match pb::ConstrType::try_from(k.contype) {
                Ok(pb::ConstrType::ConstrNull) => {}
                Ok(pb::ConstrType::ConstrNotnull) => col.not_null = true,
                Ok(pb::ConstrType::ConstrPrimary) => {
                    col.primary = true;
                    col.not_null = true;
                }
                Ok(pb::ConstrType::ConstrUnique) if !k.nulls_not_distinct => col.unique = true,
                Ok(pb::ConstrType::ConstrDefault) => {
                    let Some(raw) = k.raw_expr.as_deref() else {
                        return Ok(None);
                    };
                    let Ok(e) = a.ddl_expression(raw, None, Some(&col.def))? else {
                        return Ok(None);
                    };
                    col.default = Some(with_pg_text(expr_sql(&e), deparse_expr(raw)));
                }
                Ok(pb::ConstrType::ConstrCheck) => {
                    let Some(e) = k.raw_expr.as_deref() else {
                        return Ok(None);
                    };
                    let Ok(check) = a.ddl_expression(e, Some((&table, &defs)), None)? else {
                        return Ok(None);
                    };
                    let name = if k.conname.is_empty() {
                        constraint_name(&table, std::slice::from_ref(&col.def.name), "check")
                    } else {
                        k.conname.clone()
                    };
                    col.checks.push((name, expr_sql(&check)));
                }
                Ok(pb::ConstrType::ConstrForeign) => {
                    let Some(r) = foreign_key(k, &table, schema)? else {
                        return Ok(None);
                    };
                    col.references = Some(r);
                }
                Ok(pb::ConstrType::ConstrIdentity) => {
                    // GENERATED {ALWAYS | BY DEFAULT} AS IDENTITY: an owned
                    // sequence; ALWAYS refuses explicit values (the analyzer
                    // reads the mark on the declared type).
                    if !matches!(col.def.type_oid, INT2 | INT4 | INT8) {
                        return Err(PgError::error(
                            code::INVALID_PARAMETER_VALUE,
                            "identity column type must be smallint, integer, or bigint",
                        ));
                    }
                    let mut options = sequence_options(&k.options, sql)?;
                    options.type_oid = Some(col.def.type_oid);
                    let seq = constraint_name(&table, std::slice::from_ref(&col.def.name), "seq");
                    let always = k.generated_when == "a";
                    col.default = Some(nextval_default(&seq));
                    if always {
                        col.storage.push_str(IDENTITY_ALWAYS_MARK);
                    }
                    col.not_null = true;
                    sequences.push(SequenceAction::Create {
                        name: seq,
                        options,
                        owned: Some((table.clone(), col.def.name.clone())),
                        if_not_exists: false,
                    });
                }
                Ok(pb::ConstrType::ConstrExclusion) => {
                    return Err(not_supported("exclusion constraints"))
                }
                _ => return Ok(None),
            }
        }
    }
    let mut parts: Vec<String> = Vec::new();
    let mut tail: Vec<String> = Vec::new();
    for k in table_constraints {
        let keys = |list: &[pb::Node]| -> Vec<String> {
            list.iter().filter_map(str_of).map(str::to_string).collect()
        };
        let check_keys = |names: &[String], what: &str| -> Result<(), PgError> {
            for n in names {
                if !defs.iter().any(|d| &d.name == n) {
                    return Err(PgError::error(
                        code::UNDEFINED_COLUMN,
                        format!("column \"{n}\" named in {what} does not exist"),
                    ));
                }
            }
            Ok(())
        };
        let named = |sql: String| -> String {
            if k.conname.is_empty() {
                sql
            } else {
                format!("CONSTRAINT {} {sql}", quote_ident(&k.conname))
            }
        };
        match pb::ConstrType::try_from(k.contype) {
            Ok(pb::ConstrType::ConstrPrimary) => {
                let names = keys(&k.keys);
                check_keys(&names, "key")?;
                for c in columns.iter_mut().filter(|c| names.contains(&c.def.name)) {
                    c.not_null = true;
                }
                tail.push(named(format!("PRIMARY KEY ({})", ident_list(&names))));
            }
            Ok(pb::ConstrType::ConstrUnique) if !k.nulls_not_distinct => {
                let names = keys(&k.keys);
                check_keys(&names, "key")?;
                tail.push(named(format!("UNIQUE ({})", ident_list(&names))));
            }
            Ok(pb::ConstrType::ConstrCheck) => {
                let Some(e) = k.raw_expr.as_deref() else {
                    return Ok(None);
                };
                let Ok(check) = a.ddl_expression(e, Some((&table, &defs)), None)? else {
                    return Ok(None);
                };
                let name = if k.conname.is_empty() {
                    let mut used = Vec::new();
                    columns_of(e, &defs, &mut used);
                    used.truncate(1);
                    constraint_name(&table, &used, "check")
                } else {
                    k.conname.clone()
                };
                tail.push(format!(
                    "CONSTRAINT {} CHECK ({})",
                    quote_ident(&name),
                    expr_sql(&check)
                ));
            }
            Ok(pb::ConstrType::ConstrForeign) => {
                let names = keys(&k.fk_attrs);
                check_keys(&names, "foreign key")?;
                let Some(r) = foreign_key(k, &table, schema)? else {
                    return Ok(None);
                };
                tail.push(named(format!("FOREIGN KEY ({}) {r}", ident_list(&names))));
            }
            Ok(pb::ConstrType::ConstrExclusion) => {
                return Err(not_supported("exclusion constraints"))
            }
            _ => return Ok(None),
        }
    }
    for c in &columns {
        let mut p = format!("{} {}", quote_ident(&c.def.name), c.storage);
        if c.primary {
            p.push_str(" PRIMARY KEY");
        }
        if c.not_null {
            p.push_str(" NOT NULL");
        }
        if c.unique {
            p.push_str(" UNIQUE");
        }
        if let Some(d) = &c.default {
            p.push_str(&format!(" DEFAULT ({d})"));
        }
        for (name, check) in &c.checks {
            p.push_str(&format!(
                " CONSTRAINT {} CHECK ({check})",
                quote_ident(name)
            ));
        }
        if let Some(r) = &c.references {
            p.push(' ');
            p.push_str(r);
        }
        parts.push(p);
    }
    parts.extend(tail);
    if parts.is_empty() {
        // SQLite has no zero-column tables.
        return Ok(None);
    }
    let sqlite = format!(
        "CREATE {}TABLE {}{} ({})",
        if temp { "TEMP " } else { "" },
        if c.if_not_exists {
            "IF NOT EXISTS "
        } else {
            ""
        },
        quote_ident(&match strategy {
            Some(_) => crate::partition::shadow(&table),
            None => table.clone(),
        }),
        parts.join(", ")
    );
    let partition = strategy.map(|strategy| crate::partition::Action::Create {
        name: table.clone(),
        parent: None,
        bound: None,
        strategy: Some(strategy),
        keys,
    });
    Ok(Some(Plan {
        sequences,
        sql: Some(sqlite),
        fill: None,
        tag: "CREATE TABLE",
        skip_if_exists: c.if_not_exists.then_some(table),
        partition,
        set_default: None,
        notice: None,
        view_reads: None,
    }))
}

fn sql_string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn ident_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| quote_ident(n))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `REFERENCES t (cols) ON DELETE ... ON UPDATE ...` for SQLite.
fn foreign_key(
    k: &pb::Constraint,
    table: &str,
    schema: &dyn Schema,
) -> Result<Option<String>, PgError> {
    let Some(pk) = &k.pktable else {
        return Ok(None);
    };
    let Some((target, _)) = relation_name(pk) else {
        return Ok(None);
    };
    if target != table && schema.relation(&target).is_none() {
        return Err(PgError::error(
            code::UNDEFINED_TABLE,
            format!("relation \"{target}\" does not exist"),
        ));
    }
    let cols: Vec<String> = k
        .pk_attrs
        .iter()
        .filter_map(str_of)
        .map(str::to_string)
        .collect();
    let mut out = format!("REFERENCES {}", quote_ident(&target));
    if !cols.is_empty() {
        out.push_str(&format!(" ({})", ident_list(&cols)));
    }
    for (what, action) in [("DELETE", &k.fk_del_action), ("UPDATE", &k.fk_upd_action)] {
        let a = match action.as_str() {
            "" | "a" => continue,
            "r" => "RESTRICT",
            "c" => "CASCADE",
            "n" => "SET NULL",
            "d" => "SET DEFAULT",
            _ => return Ok(None),
        };
        out.push_str(&format!(" ON {what} {a}"));
    }
    if !k.fk_del_set_cols.is_empty() || k.fk_matchtype == "p" {
        return Ok(None);
    }
    if k.deferrable {
        out.push_str(if k.initdeferred {
            " DEFERRABLE INITIALLY DEFERRED"
        } else {
            " DEFERRABLE INITIALLY IMMEDIATE"
        });
    }
    Ok(Some(out))
}

/// CREATE [UNIQUE] INDEX [name] ON t [USING btree|hash] (cols or
/// expressions) [INCLUDE (...)] [WHERE ...]. Operator classes and INCLUDE
/// columns change how PostgreSQL can use an index, never what a query
/// answers; SQLite's b-tree serves them all.
fn create_index(
    i: &pb::IndexStmt,
    sql: &str,
    schema: &dyn Schema,
) -> Result<Option<Plan>, PgError> {
    let Some(rv) = &i.relation else {
        return Ok(None);
    };
    let Some((table, _)) = relation_name(rv) else {
        return Ok(None);
    };
    if !matches!(i.access_method.as_str(), "" | "btree" | "hash") {
        return Err(not_supported(&format!(
            "access method \"{}\"",
            i.access_method
        )));
    }
    if i.nulls_not_distinct || !i.exclude_op_names.is_empty() {
        return Ok(None);
    }
    let Some(columns) = schema.relation(&table) else {
        return Err(PgError::error(
            code::UNDEFINED_TABLE,
            format!("relation \"{table}\" does not exist"),
        ));
    };
    let mut a = Analyzer::for_ddl(schema, sql);
    let mut keys = Vec::new();
    let mut names = Vec::new();
    for p in &i.index_params {
        let Some(N::IndexElem(e)) = p.node.as_ref() else {
            return Ok(None);
        };
        let mut key = if let Some(x) = e.expr.as_deref() {
            // An expression key: analyzed over the table's columns.
            let Ok(x) = a.ddl_expression_value(x, (&table, &columns))? else {
                return Ok(None);
            };
            names.push("expr".to_string());
            format!("({})", expr_sql(&x))
        } else {
            if !columns.iter().any(|c| c.name == e.name) {
                return Err(PgError::error(
                    code::UNDEFINED_COLUMN,
                    format!("column \"{}\" does not exist", e.name),
                ));
            }
            names.push(e.name.clone());
            quote_ident(&e.name)
        };
        if !e.collation.is_empty() {
            return Ok(None);
        }
        // SortByDir: 1 default, 2 ASC, 3 DESC; SortByNulls: 1 default.
        if e.ordering == 3 {
            key.push_str(" DESC");
        }
        keys.push(key);
    }
    let filter = match i.where_clause.as_deref() {
        Some(w) => {
            let Ok(w) = a.ddl_expression(w, Some((&table, &columns)), None)? else {
                return Ok(None);
            };
            format!(" WHERE {}", expr_sql(&w))
        }
        None => String::new(),
    };
    // ChooseRelationName: t_a_b_idx (t_a_key for a unique one is what a
    // constraint gets; CREATE UNIQUE INDEX is still _idx).
    let name = if i.idxname.is_empty() {
        constraint_name(&table, &names, "idx")
    } else {
        i.idxname.clone()
    };
    Ok(Some(Plan {
        sequences: Vec::new(),
        sql: Some(format!(
            "CREATE {}INDEX {}{} ON {} ({}){filter}",
            if i.unique { "UNIQUE " } else { "" },
            if i.if_not_exists {
                "IF NOT EXISTS "
            } else {
                ""
            },
            quote_ident(&name),
            quote_ident(&table),
            keys.join(", ")
        )),
        fill: None,
        tag: "CREATE INDEX",
        skip_if_exists: None,
        partition: None,
        set_default: None,
        notice: None,
        view_reads: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::with_column_default;

    #[test]
    fn a_column_default_is_replaced_added_and_removed() {
        let sql = r#"CREATE TABLE "t" ("a" int4 DEFAULT (5 /*pg:5:pg*/), "b" text DEFAULT ('x,(y' /*pg:'x,(y':pg*/), "c" int4 NOT NULL)"#;
        assert_eq!(
            with_column_default(sql, "b", None).as_deref(),
            Some(
                r#"CREATE TABLE "t" ("a" int4 DEFAULT (5 /*pg:5:pg*/), "b" text, "c" int4 NOT NULL)"#
            )
        );
        assert_eq!(
            with_column_default(sql, "c", Some("7")).as_deref(),
            Some(
                r#"CREATE TABLE "t" ("a" int4 DEFAULT (5 /*pg:5:pg*/), "b" text DEFAULT ('x,(y' /*pg:'x,(y':pg*/), "c" int4 NOT NULL DEFAULT (7))"#
            )
        );
        assert_eq!(
            with_column_default(sql, "a", Some("6")).as_deref(),
            Some(
                r#"CREATE TABLE "t" ("a" int4 DEFAULT (6), "b" text DEFAULT ('x,(y' /*pg:'x,(y':pg*/), "c" int4 NOT NULL)"#
            )
        );
        assert_eq!(with_column_default(sql, "nosuch", None), None);
    }
}
