//! The analyzer: PostgreSQL's raw parse tree (from [`crate::pgparse`]) to a
//! typed query tree (PostgreSQL: `parser/analyze.c`, `parse_expr.c`,
//! `parse_oper.c`, `parse_func.c`, `parse_coerce.c`, `parse_relation.c`).
//!
//! Every name is resolved against the session's schema, every expression
//! gets PostgreSQL's type, and operators, functions and casts are chosen
//! from [`crate::ops`] by PostgreSQL's rules. [`crate::generate`] then
//! writes the SQLite SQL from the tree; nothing else reaches SQLite from
//! the statements this module accepts.
//!
//! What the analyzer does not know yet it reports as [`Analysis::Unsupported`]:
//! the session then falls back to the older sqlparser translator (see
//! docs/ARCHITECTURE.md, "The SQL layer in transition"). A PostgreSQL error
//! (unknown column, operator does not exist, invalid input) is final.

use pg_query::protobuf::{self as pb, a_const, node::Node as N};
use pm_elog::{sqlstate as code, PgError};
use rusqlite::types::Value;

use crate::adt;
use crate::ops::{self, CastContext, FuncKind, UNKNOWN};
use crate::types::*;

mod arrays;
mod locking;
use arrays::array_element;
pub use locking::Locking;

/// A column of a relation as the schema declares it.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnDef {
    pub name: String,
    pub type_oid: u32,
    pub typmod: i32,
}

/// What the analyzer reads of the schema.
pub trait Schema {
    /// The columns of a table or view, None when there is no such
    /// relation. A column whose type is not known has type_oid 0.
    fn relation(&self, name: &str) -> Option<Vec<ColumnDef>>;
    /// Whether `name` is one of the emulated catalog relations (left to
    /// the older translator for now).
    fn is_catalog(&self, name: &str) -> bool;
    /// The table's primary-key columns (empty: none declared).
    fn primary_key(&self, name: &str) -> Vec<String>;
    /// A column's DEFAULT expression as SQLite holds it.
    fn column_default(&self, _table: &str, _column: &str) -> Option<String> {
        None
    }
    /// Whether `name` is a partitioned table (a view over its leaves,
    /// [`crate::partition`]).
    fn partitioned(&self, _name: &str) -> bool {
        false
    }
    /// Whether the column is declared NOT NULL.
    fn not_null(&self, _table: &str, _column: &str) -> bool {
        false
    }
    /// Whether `name` is a view.
    fn is_view(&self, _name: &str) -> bool {
        false
    }
    /// Whether the column is GENERATED ALWAYS AS IDENTITY.
    fn identity_always(&self, _table: &str, _column: &str) -> bool {
        false
    }
    /// Whether `name` is a temporary relation.
    fn is_temp(&self, _name: &str) -> bool {
        false
    }
    /// Whether `name` is a view made by [`crate::ddl::create_view`] (found
    /// as a prepare finds it: without a read, which in a transaction
    /// block would take the block's snapshot before its first write).
    fn is_typed_view(&self, _name: &str) -> bool {
        false
    }
    /// Whether `name` is a view an earlier version made (its query as the
    /// older translator left it, not analyzed: never read).
    fn is_legacy_view(&self, _name: &str) -> bool {
        false
    }
    /// A view's definition as SQLite holds it.
    fn view_sql(&self, _name: &str) -> Option<String> {
        None
    }
    /// The CREATE VIEW statement a view was made by, kept with its
    /// definition ([`crate::ddl::view_statement`]).
    fn view_definition(&self, name: &str) -> Option<String> {
        self.view_sql(name)
            .and_then(|sql| crate::ddl::view_statement(&sql))
    }
}

/// The outcome of analysis.
pub enum Analysis {
    Query(Box<Query>),
    /// Valid PostgreSQL the analyzer does not handle yet; with the error
    /// PostgreSQL gives when the cause is a function no catalog of ours
    /// has (the older translator may still know it).
    Unsupported(String, Option<PgError>),
}

#[derive(Debug)]
pub enum Fail {
    Unsupported(String),
    Error(PgError),
}

impl From<PgError> for Fail {
    fn from(e: PgError) -> Self {
        Fail::Error(e)
    }
}

type R<T> = Result<T, Fail>;

fn unsupported<T>(what: impl Into<String>) -> R<T> {
    Err(Fail::Unsupported(what.into()))
}

/// A typed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A constant in its storage form.
    Const(Value, u32),
    /// A quoted literal not yet given a type (`unknown`).
    Unknown(String, i32),
    Param(usize, u32),
    /// An integer literal of the text, bound as SQLite parameter `slot`
    /// (see [`crate::normalize`]), so the statement serves every value.
    Literal {
        slot: usize,
        value: i64,
        ty: u32,
    },
    Column {
        /// Range-table alias; None in INSERT/UPDATE/DELETE's own table.
        rel: Option<String>,
        name: String,
        ty: u32,
        typmod: i32,
    },
    /// An operator, function or cast: the template from [`crate::ops`].
    Call {
        template: &'static str,
        args: Vec<Expr>,
        ty: u32,
    },
    /// An aggregate call (template from [`crate::ops`]).
    Agg {
        template: &'static str,
        args: Vec<Expr>,
        distinct: bool,
        ty: u32,
        /// FILTER (WHERE ...) and ORDER BY inside the call.
        filter: Option<Box<Expr>>,
        order: Vec<OrderItem>,
    },
    /// A typmod applied at run time (`pg_typmod`).
    Typmod {
        arg: Box<Expr>,
        typmod: i32,
        explicit: bool,
    },
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    IsNull(Box<Expr>, bool),
    /// `x IS [NOT] TRUE/FALSE/UNKNOWN`, as SQLite spells it.
    BoolTest(Box<Expr>, &'static str),
    /// `x IS [NOT] DISTINCT FROM y` for types SQLite compares as PostgreSQL.
    Distinct(Box<Expr>, Box<Expr>, bool),
    Case {
        whens: Vec<(Expr, Expr)>,
        default: Option<Box<Expr>>,
        ty: u32,
    },
    Coalesce(Vec<Expr>, u32),
    /// GREATEST / LEAST: NULLs ignored.
    MinMax {
        greatest: bool,
        args: Vec<Expr>,
        ty: u32,
    },
    ScalarSub(Box<Query>, u32),
    /// A column's DEFAULT, as SQLite holds it for the table (NULL when
    /// the column has none).
    Default(Option<String>, u32),
    Exists(Box<Query>),
    InSub(Box<Expr>, Box<Query>, bool),
    /// `left op ANY / ALL (subquery)`: `cmp` compares `left` with the
    /// subquery's column as `"pm_q"."column"`.
    QuantSub {
        left: Box<Expr>,
        cmp: Box<Expr>,
        query: Box<Query>,
        all: bool,
    },
}

impl Expr {
    pub fn ty(&self) -> u32 {
        match self {
            Expr::Const(_, t) | Expr::Param(_, t) => *t,
            Expr::Literal { ty, .. } => *ty,
            Expr::Unknown(..) => UNKNOWN,
            Expr::Column { ty, .. }
            | Expr::Call { ty, .. }
            | Expr::Agg { ty, .. }
            | Expr::Case { ty, .. }
            | Expr::MinMax { ty, .. } => *ty,
            Expr::Typmod { arg, .. } => arg.ty(),
            Expr::Coalesce(_, t) | Expr::ScalarSub(_, t) | Expr::Default(_, t) => *t,
            Expr::And(_)
            | Expr::Or(_)
            | Expr::Not(_)
            | Expr::IsNull(..)
            | Expr::BoolTest(..)
            | Expr::Distinct(..)
            | Expr::Exists(_)
            | Expr::InSub(..)
            | Expr::QuantSub { .. } => BOOL,
        }
    }

    pub fn typmod(&self) -> i32 {
        match self {
            Expr::Column { typmod, .. } | Expr::Typmod { typmod, .. } => *typmod,
            _ => -1,
        }
    }

    pub(crate) fn contains_agg(&self) -> bool {
        let mut found = false;
        self.walk(&mut |e| found |= matches!(e, Expr::Agg { .. }));
        found
    }

    fn contains_subquery(&self) -> bool {
        let mut found = false;
        self.walk(&mut |e| {
            found |= matches!(
                e,
                Expr::ScalarSub(..) | Expr::Exists(_) | Expr::InSub(..) | Expr::QuantSub { .. }
            )
        });
        found
    }

    /// [`Expr::walk`], changing what it visits (a node first, then the
    /// subexpressions of what it became).
    pub(crate) fn walk_mut(&mut self, f: &mut dyn FnMut(&mut Expr)) {
        f(self);
        match self {
            Expr::Call { args, .. }
            | Expr::Agg { args, .. }
            | Expr::And(args)
            | Expr::Or(args)
            | Expr::Coalesce(args, _)
            | Expr::MinMax { args, .. } => args.iter_mut().for_each(|a| a.walk_mut(f)),
            Expr::Typmod { arg, .. }
            | Expr::Not(arg)
            | Expr::IsNull(arg, _)
            | Expr::BoolTest(arg, _)
            | Expr::InSub(arg, _, _)
            | Expr::QuantSub { left: arg, .. } => arg.walk_mut(f),
            Expr::Distinct(a, b, _) => {
                a.walk_mut(f);
                b.walk_mut(f);
            }
            Expr::Case { whens, default, .. } => {
                for (w, t) in whens {
                    w.walk_mut(f);
                    t.walk_mut(f);
                }
                if let Some(d) = default {
                    d.walk_mut(f);
                }
            }
            _ => {}
        }
    }

    /// Visits this expression and its subexpressions (not subqueries).
    pub(crate) fn walk(&self, f: &mut dyn FnMut(&Expr)) {
        f(self);
        match self {
            Expr::Call { args, .. }
            | Expr::Agg { args, .. }
            | Expr::And(args)
            | Expr::Or(args)
            | Expr::Coalesce(args, _)
            | Expr::MinMax { args, .. } => args.iter().for_each(|a| a.walk(f)),
            Expr::Typmod { arg, .. }
            | Expr::Not(arg)
            | Expr::IsNull(arg, _)
            | Expr::BoolTest(arg, _) => arg.walk(f),
            Expr::Distinct(a, b, _) => {
                a.walk(f);
                b.walk(f);
            }
            Expr::Case { whens, default, .. } => {
                for (w, t) in whens {
                    w.walk(f);
                    t.walk(f);
                }
                if let Some(d) = default {
                    d.walk(f);
                }
            }
            Expr::InSub(a, _, _) => a.walk(f),
            Expr::QuantSub { left, .. } => left.walk(f),
            _ => {}
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub expr: Expr,
    pub name: String,
    /// Expanded from `*` / `t.*`: (qualifier, expansion number). The
    /// generator writes the star back, so that SQLite's prepared statement
    /// sees a table that gained or lost columns (and a prepared statement
    /// is refused as PostgreSQL refuses a changed result type).
    pub star: Option<(Option<String>, usize)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FromItem {
    Table {
        name: String,
        alias: String,
    },
    Sub {
        query: Box<Query>,
        alias: String,
    },
    Join {
        left: Box<FromItem>,
        right: Box<FromItem>,
        kind: &'static str,
        on: Option<Expr>,
    },
    /// generate_series over numeric and timestamps: a recursive query
    /// from `first` while `first_ok`, then `next` (over `pm_series.v`)
    /// while `next_ok`.
    Recurse {
        first: Expr,
        first_ok: Expr,
        next: Expr,
        next_ok: Expr,
        alias: String,
        column: String,
    },
    /// A LATERAL item (SQLite has none): `query`'s rows, evaluated per row
    /// of the items to its left, as a JSON array of rows that json_each()
    /// (a table-valued function, which may refer to the left) walks; its
    /// columns are `pm$lat$i` (`pm$latx$i` for bytea, hex in the JSON),
    /// which generate reads out of each row's `value`.
    Lateral {
        query: Box<Select>,
        alias: String,
    },
    /// Rows given as one JSON array of JSON arrays (unnest): `json_each`
    /// over `json`; columns as a LATERAL item's (`pm$lat$i`).
    Rows {
        json: Expr,
        alias: String,
    },
    /// generate_series(start, stop [, step]) over integers.
    Series {
        start: Expr,
        stop: Expr,
        step: Expr,
        alias: String,
        column: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrderItem {
    pub expr: Expr,
    pub desc: bool,
    pub nulls_first: bool,
}

/// A SELECT (or VALUES) block.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Select {
    pub distinct: bool,
    pub targets: Vec<Target>,
    pub from: Vec<FromItem>,
    pub filter: Option<Expr>,
    pub group_by: Vec<Expr>,
    pub having: Option<Expr>,
    pub order_by: Vec<OrderItem>,
    pub limit: Option<Expr>,
    pub offset: Option<Expr>,
    /// VALUES rows (then `targets` only names and types the columns).
    pub values: Option<Vec<Vec<Expr>>>,
    /// UNION / INTERSECT / EXCEPT: the two sides (then `targets` names
    /// and types the result columns, and ORDER BY / LIMIT apply to it).
    pub compound: Option<Box<Compound>>,
    /// WITH: common table expressions, in order.
    pub with: Vec<(String, Select)>,
    /// This is a WITH RECURSIVE query's body: `non-recursive UNION [ALL]
    /// recursive term` (generated without the set operation's wrapping,
    /// which SQLite's recursion needs).
    pub recursive: bool,
    /// DISTINCT ON expressions: the first row of each group in ORDER BY order.
    pub distinct_on: Vec<Expr>,
    /// A WITH query evaluated once (`AS MATERIALIZED`).
    pub materialized: bool,
    /// FETCH FIRST n ROWS WITH TIES: the rows tied with the last one too.
    pub with_ties: bool,
    /// FOR UPDATE / FOR SHARE: the rows it locks.
    pub locking: Option<Locking>,
}

/// INSERT ... ON CONFLICT.
#[derive(Debug, Clone, PartialEq)]
pub struct OnConflict {
    /// The conflict target's columns and index expressions, over the
    /// table (empty: any constraint, DO NOTHING).
    pub target: Vec<Expr>,
    /// The target's WHERE (a partial unique index's predicate).
    pub target_filter: Option<Expr>,
    /// DO UPDATE (else DO NOTHING).
    pub update: bool,
    pub sets: Vec<(String, Expr)>,
    pub filter: Option<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Compound {
    /// `UNION`, `UNION ALL`, `INTERSECT`, `EXCEPT`, `INTERSECT ALL`,
    /// `EXCEPT ALL` (the last two generated with row numbers: SQLite has
    /// neither).
    pub op: &'static str,
    pub left: Select,
    pub right: Select,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    Select(Box<Select>),
    Insert {
        table: String,
        columns: Vec<String>,
        /// VALUES rows already coerced to the column types, or a query
        /// whose columns are coerced by `coerced`.
        rows: Option<Vec<Vec<Expr>>>,
        source: Option<Box<Select>>,
        coerced: Vec<Expr>,
        on_conflict: Option<OnConflict>,
        returning: Vec<Target>,
    },
    Update {
        table: String,
        alias: Option<String>,
        sets: Vec<(String, Expr)>,
        /// UPDATE ... FROM.
        from: Vec<FromItem>,
        filter: Option<Expr>,
        returning: Vec<Target>,
    },
    Delete {
        table: String,
        alias: Option<String>,
        /// DELETE ... USING.
        using: Vec<FromItem>,
        filter: Option<Expr>,
        returning: Vec<Target>,
    },
    /// WITH queries in front of an INSERT, UPDATE or DELETE.
    With {
        ctes: Vec<(String, Select)>,
        body: Box<Query>,
    },
    /// A statement with data-modifying WITH queries: SQLite has none, so
    /// each runs first, in order, its RETURNING rows kept in a temporary
    /// table that the WITH query reads in `body` (see [`DmlStep`]).
    Steps {
        steps: Vec<DmlStep>,
        body: Box<Query>,
    },
}

/// The SQLite names of a LATERAL item's columns (see [`FromItem::Lateral`]).
pub const LATERAL_COLUMN: &str = "pm$lat$";
pub const LATERAL_HEX_COLUMN: &str = "pm$latx$";

/// The SQLite name of column `i` of type `ty` of a LATERAL item.
fn lateral_column(ty: u32, i: usize) -> String {
    if ty == BYTEA {
        format!("{LATERAL_HEX_COLUMN}{i}")
    } else {
        format!("{LATERAL_COLUMN}{i}")
    }
}

/// A data-modifying WITH query as the statement run before the one that
/// reads it: its RETURNING rows go to temporary table `table`, columns
/// c0, c1, ... (`width` of them).
#[derive(Debug, Clone, PartialEq)]
pub struct DmlStep {
    pub table: String,
    pub width: usize,
    pub query: Query,
}

/// How a part of a statement uses a relation (for data-modifying WITH
/// queries, which PostgreSQL runs on one snapshot and we run in turn).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Access {
    Read,
    Insert,
    Modify,
}

/// Data-modifying WITH queries met so far (`Analyzer::dml`).
#[derive(Debug, Default)]
struct DmlCtes {
    /// Whether the next WITH clause is the statement's own, the only one
    /// that may hold INSERT / UPDATE / DELETE.
    top: bool,
    steps: Vec<DmlStep>,
    /// The part being analyzed: 0 the main statement and its SELECT WITH
    /// queries, k the k-th data-modifying WITH query.
    part: usize,
    /// (part, relation, access, a view or partitioned table) per use.
    touched: Vec<(usize, String, Access, bool)>,
    /// Data-modifying WITH queries without RETURNING (not readable).
    no_returning: Vec<String>,
}

impl Select {
    /// The result columns written out one by one, not as `t.*`: a view's
    /// columns are the ones its table had when it was created.
    pub fn expand_stars(&mut self) {
        clear_star(&mut self.targets);
        if let Some(c) = &mut self.compound {
            c.left.expand_stars();
            c.right.expand_stars();
        }
    }
}

impl Query {
    /// The result columns (name, type, typmod).
    pub fn columns(&self) -> Vec<(String, u32, i32)> {
        let targets = match self {
            Query::Select(s) => &s.targets,
            Query::Insert { returning, .. }
            | Query::Update { returning, .. }
            | Query::Delete { returning, .. } => returning,
            Query::With { body, .. } | Query::Steps { body, .. } => return body.columns(),
        };
        targets
            .iter()
            .map(|t| (t.name.clone(), t.expr.ty(), t.expr.typmod()))
            .collect()
    }
}

/// A relation visible by name in a FROM clause.
#[derive(Debug, Clone, Default)]
struct Rel {
    alias: String,
    /// Qualifier written in the generated SQL (None: unqualified, for the
    /// target table of INSERT ... RETURNING).
    qualifier: Option<String>,
    /// Columns as the query names them (after an alias column list).
    columns: Vec<ColumnDef>,
    /// The same columns as SQLite names them.
    sql_names: Vec<String>,
    /// Columns merged into a USING / NATURAL join's column: reachable
    /// only qualified, and not in `*`.
    hidden: Vec<String>,
    /// For a join's merged columns: the expression of each column
    /// (COALESCE for FULL JOIN) instead of a stored column.
    exprs: Option<Vec<Expr>>,
    /// The table this rel scans (for the `tableoid` system column).
    table: Option<String>,
    /// The table is partitioned: a view whose rows carry their leaf.
    partitioned: bool,
    /// The relation whose SELECT privilege reading a column needs, when
    /// not `table` (a view written through to its table).
    acl_name: Option<String>,
    /// For a join's columns: the (relation, column) pairs each reads, for
    /// column privileges (markVarForSelectPriv through join alias vars).
    acl_columns: Option<Vec<Vec<(String, String)>>>,
}

/// (relation, column) pairs, for column privileges.
type AclColumns = Vec<(String, String)>;

/// The table columns (relation, column) that reading column `pos` of
/// `rel` reads, for column privileges.
fn acl_columns_of(rel: &Rel, pos: usize) -> AclColumns {
    if let Some(name) = &rel.acl_name {
        return vec![(name.clone(), rel.columns[pos].name.clone())];
    }
    if let Some(cols) = &rel.acl_columns {
        return cols.get(pos).cloned().unwrap_or_default();
    }
    match (&rel.table, &rel.exprs) {
        (Some(t), None) => vec![(t.clone(), rel.sql_names[pos].clone())],
        _ => Vec::new(),
    }
}

pub struct Analyzer<'a> {
    schema: &'a dyn Schema,
    sql: &'a str,
    /// Parameter types as resolved so far (UNKNOWN until a context tells).
    pub params: Vec<u32>,
    /// Enclosing scopes, innermost last.
    scopes: Vec<Vec<Rel>>,
    alias_seq: usize,
    /// WITH names visible at this point, innermost last.
    /// WITH queries in scope: name, columns, and how often the query
    /// refers to it (a CTE read twice is materialized, as PostgreSQL does).
    ctes: Vec<(String, Vec<ColumnDef>, std::cell::Cell<usize>)>,
    star_seq: std::cell::Cell<usize>,
    /// The text's integer literals ([`crate::normalize`]) and, per slot,
    /// whether the parse tree has it negated (None: not used as a literal).
    literals: &'a [crate::normalize::Literal],
    pub slot_negated: Vec<Option<bool>>,
    /// Literals are kept as constants (see `select_body`).
    literals_by_value: bool,
    dml: DmlCtes,
    /// 42883 for the first function met that no catalog of ours has.
    missing: Option<PgError>,
    /// The view an INSERT / UPDATE / DELETE writes through.
    view: Option<ViewTarget>,
    /// The relations the statement reads and writes, with the privilege
    /// each needs (ExecCheckPermissions' list; [`crate::acl`]).
    accesses: std::cell::RefCell<Vec<crate::acl::Access>>,
}

/// A simple view written through to its table (rewriteTargetView).
#[derive(Debug, Default)]
struct ViewTarget {
    name: String,
    /// The view's WHERE, over the statement's target (UPDATE / DELETE
    /// see only the rows the view shows).
    filter: Option<Expr>,
    /// The view's columns that are not columns of its table.
    read_only: Vec<String>,
    /// `insert into`, `update`, `delete from`.
    verb: &'static str,
}

/// Analyzes one raw statement. `sql` is the statement's text (positions).
pub fn analyze(
    stmt: &pb::RawStmt,
    sql: &str,
    schema: &dyn Schema,
) -> Result<(Analysis, Vec<u32>), PgError> {
    analyze_with_literals(stmt, sql, schema, &[]).map(|(a, p, _, _)| (a, p))
}

/// An analysis, the resolved parameter types, and per integer literal
/// whether the tree holds it negated (None: not made a parameter).
pub type Analyzed = (
    Analysis,
    Vec<u32>,
    Vec<Option<bool>>,
    Vec<crate::acl::Access>,
);

/// [`analyze`], binding the text's integer `literals` as parameters; also
/// returns, per literal, whether the tree holds it negated (None: the
/// analysis did not make it a parameter).
pub fn analyze_with_literals(
    stmt: &pb::RawStmt,
    sql: &str,
    schema: &dyn Schema,
    literals: &[crate::normalize::Literal],
) -> Result<Analyzed, PgError> {
    let mut a = Analyzer {
        schema,
        sql,
        params: Vec::new(),
        scopes: Vec::new(),
        alias_seq: 0,
        ctes: Vec::new(),
        star_seq: std::cell::Cell::new(0),
        literals,
        slot_negated: vec![None; literals.len()],
        literals_by_value: false,
        dml: DmlCtes {
            top: true,
            ..Default::default()
        },
        missing: None,
        view: None,
        accesses: Default::default(),
    };
    let Some(node) = stmt.stmt.as_ref().and_then(|n| n.node.as_ref()) else {
        return Ok((
            Analysis::Unsupported("empty statement".into(), None),
            Vec::new(),
            Vec::new(),
            Vec::new(),
        ));
    };
    let result = match node {
        N::SelectStmt(s) => a.select(s, false).map(|s| Query::Select(Box::new(s))),
        N::InsertStmt(s) => a.with_dml(&s.with_clause, |a| a.insert(s)),
        N::UpdateStmt(s) => a.with_dml(&s.with_clause, |a| a.update(s)),
        N::DeleteStmt(s) => a.with_dml(&s.with_clause, |a| a.delete(s)),
        _ => unsupported("statement kind"),
    };
    let result = result.and_then(|q| a.with_steps(q));
    match result {
        Ok(q) => {
            if a.params.contains(&UNKNOWN) {
                let why = Analysis::Unsupported("untyped parameter".into(), None);
                return Ok((why, Vec::new(), Vec::new(), Vec::new()));
            }
            let params = a.params.clone();
            let accesses = a.accesses.take();
            Ok((
                Analysis::Query(Box::new(q)),
                params,
                a.slot_negated,
                accesses,
            ))
        }
        Err(Fail::Unsupported(w)) => Ok((
            Analysis::Unsupported(w, a.missing.take()),
            Vec::new(),
            Vec::new(),
            Vec::new(),
        )),
        Err(Fail::Error(e)) => Err(e),
    }
}

/// What a DDL statement's pieces resolve to: Ok(Err(reason)) is valid
/// PostgreSQL the analyzer does not handle.
pub type DdlResult<T> = Result<Result<T, String>, PgError>;

fn ddl_result<T>(r: R<T>) -> DdlResult<T> {
    match r {
        Ok(v) => Ok(Ok(v)),
        Err(Fail::Unsupported(w)) => Ok(Err(w)),
        Err(Fail::Error(e)) => Err(e),
    }
}

impl<'a> Analyzer<'a> {
    /// An analyzer for the pieces of a DDL statement (types, DEFAULT and
    /// CHECK expressions); literals stay constants.
    pub fn for_ddl(schema: &'a dyn Schema, sql: &'a str) -> Analyzer<'a> {
        Analyzer {
            schema,
            sql,
            params: Vec::new(),
            scopes: Vec::new(),
            alias_seq: 0,
            ctes: Vec::new(),
            star_seq: std::cell::Cell::new(0),
            literals: &[],
            slot_negated: Vec::new(),
            literals_by_value: true,
            dml: DmlCtes::default(),
            missing: None,
            view: None,
            accesses: Default::default(),
        }
    }

    /// The query of CREATE TABLE AS / SELECT INTO.
    pub fn select_query(&mut self, s: &pb::SelectStmt) -> DdlResult<Query> {
        let r = self.select(s, false).map(|s| Query::Select(Box::new(s)));
        let r = match r {
            // A utility statement has no parameters.
            Ok(_) if !self.params.is_empty() => Err(Fail::Error(PgError::error(
                code::UNDEFINED_PARAMETER,
                format!("there is no parameter ${}", self.params.len()),
            ))),
            other => other,
        };
        ddl_result(r)
    }

    /// The tables and views the analyzed statement reads.
    pub fn relations_read(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (_, name, access, _) in &self.dml.touched {
            if *access == Access::Read && !out.contains(name) {
                out.push(name.clone());
            }
        }
        out
    }

    /// PostgreSQL's 42883 for a function nothing here has, when that is
    /// why the statement was not analyzed.
    /// The relations the analyzed query reads and writes, with the
    /// privileges each needs ([`crate::acl::Access`]).
    pub fn take_accesses(&self) -> Vec<crate::acl::Access> {
        self.accesses.take()
    }

    pub fn missing_function(&mut self) -> Option<PgError> {
        self.missing.take()
    }

    /// Whether the analyzed statement has data-modifying WITH queries.
    pub fn has_steps(&self) -> bool {
        !self.dml.steps.is_empty()
    }

    /// A column's declared type: oid and typmod (typenameTypeIdAndMod).
    pub fn column_type(&self, tn: &pb::TypeName) -> DdlResult<(u32, i32)> {
        ddl_result(self.type_name(tn))
    }

    /// A column DEFAULT (no column may be named) or, with `table`, a CHECK
    /// constraint over the table's columns (unqualified in the generated
    /// SQL), as transformExpr does for them; DEFAULT is coerced to
    /// `target` by assignment, CHECK must be boolean.
    pub fn ddl_expression(
        &mut self,
        n: &pb::Node,
        table: Option<(&str, &[ColumnDef])>,
        target: Option<&ColumnDef>,
    ) -> DdlResult<Expr> {
        self.ddl_expr(n, table, Some(target))
    }

    /// An index key expression over the table's columns, as it is.
    pub fn ddl_expression_value(
        &mut self,
        n: &pb::Node,
        table: (&str, &[ColumnDef]),
    ) -> DdlResult<Expr> {
        self.ddl_expr(n, Some(table), None)
    }

    /// `target`: None a value as it is, Some(None) a CHECK condition,
    /// Some(Some(c)) a DEFAULT for column c.
    fn ddl_expr(
        &mut self,
        n: &pb::Node,
        table: Option<(&str, &[ColumnDef])>,
        target: Option<Option<&ColumnDef>>,
    ) -> DdlResult<Expr> {
        self.scopes.clear();
        if let Some((name, columns)) = table {
            self.scopes.push(vec![Rel {
                alias: name.to_string(),
                qualifier: None,
                sql_names: columns.iter().map(|c| c.name.clone()).collect(),
                columns: columns.to_vec(),
                ..Default::default()
            }]);
        }
        let r = (|| {
            let e = self.expr(n)?;
            if e.contains_agg() || e.contains_subquery() || !self.params.is_empty() {
                return unsupported("aggregate, subquery or parameter in a DDL expression");
            }
            match target {
                Some(Some(col)) => self.assign(e, col, node_location(n)),
                Some(None) => self.coerce_bool(e, "CHECK constraint"),
                None => Ok(e),
            }
        })();
        self.scopes.clear();
        ddl_result(r)
    }
}

/// An ORDER BY item's (descending, nulls first), PostgreSQL's default
/// being NULLS LAST ascending and NULLS FIRST descending.
fn sort_direction(sb: &pb::SortBy) -> R<(bool, bool)> {
    // USING < / USING > are the types' btree ordering operators: ASC and
    // DESC (nulls placed as for those); other operators are declined.
    let using = if sb.sortby_dir == pb::SortByDir::SortbyUsing as i32 {
        let op: Vec<&str> = sb.use_op.iter().filter_map(str_of).collect();
        match op.as_slice() {
            ["<"] | ["pg_catalog", "<"] => Some(false),
            [">"] | ["pg_catalog", ">"] => Some(true),
            _ => return unsupported("ORDER BY USING"),
        }
    } else {
        None
    };
    let desc = using.unwrap_or(sb.sortby_dir == pb::SortByDir::SortbyDesc as i32);
    let nulls_first = match sb.sortby_nulls {
        x if x == pb::SortByNulls::SortbyNullsFirst as i32 => true,
        x if x == pb::SortByNulls::SortbyNullsLast as i32 => false,
        _ => desc,
    };
    Ok((desc, nulls_first))
}

/// Whether a template is one call whose parentheses close at its end
/// (`sum($1)`, not `CAST(sum($1) AS REAL)`): FILTER and ORDER BY go inside.
fn plain_call(template: &str) -> bool {
    let Some(open) = template.find('(') else {
        return false;
    };
    if !template[..open]
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return false;
    }
    let mut depth = 0;
    for (i, c) in template.char_indices().skip(open) {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return i == template.len() - 1;
                }
            }
            _ => {}
        }
    }
    false
}

/// Whether a query names relation `name` anywhere (a recursive reference).
fn refers_to(s: &pb::SelectStmt, name: &str) -> bool {
    format!("{s:?}").contains(&format!("relname: {name:?}"))
}

fn node(n: &Option<Box<pb::Node>>) -> Option<&N> {
    n.as_ref().and_then(|n| n.node.as_ref())
}

fn str_of(n: &pb::Node) -> Option<&str> {
    match n.node.as_ref()? {
        N::String(s) => Some(&s.sval),
        _ => None,
    }
}

/// A possibly qualified name as its parts; `pg_catalog.` is dropped.
fn name_parts(list: &[pb::Node]) -> Vec<&str> {
    let parts: Vec<&str> = list.iter().filter_map(str_of).collect();
    match parts.as_slice() {
        ["pg_catalog", rest @ ..] => rest.to_vec(),
        _ => parts,
    }
}

/// Types the analyzer computes with; other known types pass through
/// (selected, compared for NULL) only.
fn computable(oid: u32) -> bool {
    matches!(
        oid,
        BOOL | INT2
            | INT4
            | INT8
            | FLOAT4
            | FLOAT8
            | NUMERIC
            | TEXT
            | VARCHAR
            | BPCHAR
            | DATE
            | TIMESTAMP
            | TIMESTAMPTZ
            | INTERVAL
            | TIME
            | NAME
            | CHAR
            | REGTYPE
            | REGCLASS
            | OID
            | TIMETZ
    )
}

/// Types whose equality is not SQLite's (numeric `1.0 = 1.00`, interval
/// `1 mon = 30 days`): DISTINCT, GROUP BY and set operations over them
/// need a key the generator does not build yet.
fn equality_needs_key(t: u32) -> bool {
    matches!(t, NUMERIC | INTERVAL) || array_element(t).is_some()
}

/// Types whose stored values the analyzer may read and write.
fn storable(oid: u32) -> bool {
    computable(oid)
        || matches!(oid, TIMESTAMPTZ | INTERVAL | TIME | UUID | BYTEA | NAME)
        || array_element(oid).is_some()
}

impl<'a> Analyzer<'a> {
    fn position(&self, location: i32) -> Option<u32> {
        if location < 0 {
            return None;
        }
        let byte = (location as usize).min(self.sql.len());
        let byte = (0..=byte).rev().find(|&b| self.sql.is_char_boundary(b))?;
        Some(self.sql[..byte].chars().count() as u32 + 1)
    }

    fn error_at(&self, e: PgError, location: i32) -> Fail {
        Fail::Error(match self.position(location) {
            Some(p) if e.position == 0 => e.at(p),
            _ => e,
        })
    }

    fn fresh_alias(&mut self) -> String {
        self.alias_seq += 1;
        format!("pm_sub{}", self.alias_seq)
    }

    // ------------------------------------------------------------ SELECT

    /// A SELECT; `keep_unknown`: a set operation's member leaves its
    /// unknown-typed columns for the set operation to resolve.
    fn select(&mut self, s: &pb::SelectStmt, keep_unknown: bool) -> R<Select> {
        if let Some(into) = &s.into_clause {
            // A statement's own SELECT INTO is CREATE TABLE AS (planned
            // before analysis); inside another statement it is an error.
            if self.dml.top {
                return unsupported("SELECT INTO of this form");
            }
            let at = into.rel.as_ref().map_or(-1, |r| r.location);
            return Err(self.error_at(
                PgError::error(code::SYNTAX_ERROR, "SELECT ... INTO is not allowed here"),
                at,
            ));
        }
        if !s.window_clause.is_empty() || s.group_distinct {
            return unsupported("clause");
        }
        let with_ties = s.limit_option == pb::LimitOption::WithTies as i32;
        if with_ties && s.sort_clause.is_empty() {
            return Err(Fail::Error(PgError::error(
                code::SYNTAX_ERROR,
                "WITH TIES cannot be specified without ORDER BY clause",
            )));
        }
        let ctes_before = self.ctes.len();
        let top = std::mem::take(&mut self.dml.top);
        let with = match &s.with_clause {
            Some(w) => self.with_clause(w, top),
            None => Ok(Vec::new()),
        };
        let result = with.and_then(|with| {
            let mut out = if s.op != pb::SetOperation::SetopNone as i32 {
                let mut out = self.set_operation(s)?;
                self.locking(s, &mut out)?;
                out
            } else if !s.values_lists.is_empty() {
                if !s.locking_clause.is_empty() {
                    return unsupported("FOR UPDATE on VALUES");
                }
                self.values(s)?
            } else {
                self.scopes.push(Vec::new());
                let r = self
                    .select_body(s, keep_unknown)
                    .and_then(|mut out| self.locking(s, &mut out).map(|_| out));
                self.scopes.pop();
                r?
            };
            out.with = with;
            if with_ties {
                if out.distinct || !out.distinct_on.is_empty() || out.compound.is_some() {
                    return unsupported("WITH TIES with DISTINCT or a set operation");
                }
                out.with_ties = true;
            }
            // PostgreSQL evaluates a WITH query once when it is read more
            // than once (unless NOT MATERIALIZED) or asked to: SQLite
            // would run it again for each reference (random() twice).
            if let Some(w) = &s.with_clause {
                for (i, c) in w.ctes.iter().enumerate() {
                    let Some(N::CommonTableExpr(cte)) = c.node.as_ref() else {
                        continue;
                    };
                    let refs = self.ctes.get(ctes_before + i).map_or(0, |c| c.2.get());
                    let mode = cte.ctematerialized;
                    let materialize = mode == pb::CteMaterialize::Always as i32
                        || (refs > 1 && mode != pb::CteMaterialize::Never as i32);
                    if let Some((_, q)) = out.with.get_mut(i) {
                        q.materialized = materialize && !q.recursive;
                    }
                }
            }
            Ok(out)
        });
        self.ctes.truncate(ctes_before);
        result
    }

    /// INSERT / UPDATE / DELETE with a WITH clause of SELECT queries: the
    /// queries in scope for the statement (data-modifying WITH queries are
    /// declined by with_clause).
    fn with_dml(
        &mut self,
        w: &Option<pb::WithClause>,
        body: impl FnOnce(&mut Self) -> R<Query>,
    ) -> R<Query> {
        let top = std::mem::take(&mut self.dml.top);
        let Some(w) = w else {
            return body(self);
        };
        let before = self.ctes.len();
        let result = self.with_clause(w, top).and_then(|mut ctes| {
            let steps_before = self.dml.steps.len();
            let q = body(self)?;
            for (i, (_, c)) in ctes.iter_mut().enumerate() {
                let refs = self.ctes.get(before + i).map_or(0, |c| c.2.get());
                c.materialized = refs > 1 && !c.recursive;
            }
            // The body's own steps (returning_through_steps) see the WITH
            // queries as the body does.
            for step in &mut self.dml.steps[steps_before..] {
                let query = std::mem::replace(&mut step.query, Query::Select(Box::default()));
                step.query = Query::With {
                    ctes: ctes.clone(),
                    body: Box::new(query),
                };
            }
            Ok(Query::With {
                ctes,
                body: Box::new(q),
            })
        });
        self.ctes.truncate(before);
        result
    }

    /// A WITH clause; `top`: the statement's own, where INSERT / UPDATE /
    /// DELETE may be WITH queries.
    fn with_clause(&mut self, w: &pb::WithClause, top: bool) -> R<Vec<(String, Select)>> {
        let mut out = Vec::new();
        for c in &w.ctes {
            let Some(N::CommonTableExpr(cte)) = c.node.as_ref() else {
                return unsupported("WITH item");
            };
            if cte.search_clause.is_some() || cte.cycle_clause.is_some() {
                return unsupported("SEARCH / CYCLE");
            }
            let q = match node(&cte.ctequery) {
                Some(N::SelectStmt(sel)) => {
                    let saved = std::mem::take(&mut self.scopes);
                    // A WITH of the body's own that takes the name hides it.
                    let shadowed = sel.with_clause.as_ref().is_some_and(|inner| {
                        inner.ctes.iter().any(|c| {
                            matches!(c.node.as_ref(), Some(N::CommonTableExpr(i)) if i.ctename == cte.ctename)
                        })
                    });
                    let q = if w.recursive && !shadowed && refers_to(sel, &cte.ctename) {
                        self.recursive_cte(sel, cte)
                    } else {
                        self.select(sel, false)
                    };
                    self.scopes = saved;
                    q
                }
                Some(dml @ (N::InsertStmt(_) | N::UpdateStmt(_) | N::DeleteStmt(_))) => {
                    if !top {
                        return Err(self.error_at(
                            PgError::error(
                                code::FEATURE_NOT_SUPPORTED,
                                "WITH clause containing a data-modifying statement must be at the top level",
                            ),
                            cte.location,
                        ));
                    }
                    self.dml_cte(cte, dml, &out)
                }
                _ => return unsupported("WITH item"),
            };
            let mut q = q?;
            if cte.aliascolnames.len() > q.targets.len() {
                return Err(self.error_at(
                    PgError::error(
                        code::INVALID_COLUMN_REFERENCE,
                        format!(
                            "WITH query \"{}\" has {} columns available but {} columns specified",
                            cte.ctename,
                            q.targets.len(),
                            cte.aliascolnames.len()
                        ),
                    ),
                    cte.location,
                ));
            }
            for (t, n) in q.targets.iter_mut().zip(&cte.aliascolnames) {
                t.name = str_of(n).unwrap_or_default().to_string();
            }
            if !cte.aliascolnames.is_empty() {
                clear_star(&mut q.targets);
            }
            let mut columns: Vec<ColumnDef> = Vec::new();
            for t in &q.targets {
                if columns.iter().any(|c| c.name == t.name) {
                    return unsupported("duplicate column names in a WITH query");
                }
                columns.push(ColumnDef {
                    name: t.name.clone(),
                    type_oid: t.expr.ty(),
                    typmod: t.expr.typmod(),
                });
            }
            if out
                .iter()
                .any(|(n, _): &(String, Select)| *n == cte.ctename)
            {
                return Err(self.error_at(
                    PgError::error(
                        code::DUPLICATE_ALIAS,
                        format!(
                            "WITH query name \"{}\" specified more than once",
                            cte.ctename
                        ),
                    ),
                    cte.location,
                ));
            }
            self.ctes
                .push((cte.ctename.clone(), columns, std::cell::Cell::new(0)));
            out.push((cte.ctename.clone(), q));
        }
        Ok(out)
    }

    /// A data-modifying WITH query: analyzed as a statement of its own
    /// (with the WITH queries before it in scope) that the session runs
    /// first; the WITH query reads its RETURNING rows from the step's
    /// temporary table.
    fn dml_cte(
        &mut self,
        cte: &pb::CommonTableExpr,
        dml: &N,
        earlier: &[(String, Select)],
    ) -> R<Select> {
        let k = self.dml.steps.len() + 1;
        let saved_part = std::mem::replace(&mut self.dml.part, k);
        let saved_scopes = std::mem::take(&mut self.scopes);
        let q = match dml {
            N::InsertStmt(s) if s.with_clause.is_none() => self.insert(s),
            N::UpdateStmt(s) if s.with_clause.is_none() => self.update(s),
            N::DeleteStmt(s) if s.with_clause.is_none() => self.delete(s),
            _ => unsupported("WITH inside a data-modifying WITH query"),
        };
        self.scopes = saved_scopes;
        self.dml.part = saved_part;
        let q = q?;
        let table = format!("pm$with{k}");
        let columns = q.columns();
        let query = if earlier.is_empty() {
            q
        } else {
            Query::With {
                ctes: earlier.to_vec(),
                body: Box::new(q),
            }
        };
        self.dml.steps.push(DmlStep {
            table: table.clone(),
            width: columns.len(),
            query,
        });
        if columns.is_empty() {
            // Never read (a reference is an error): a valid stand-in.
            self.dml.no_returning.push(cte.ctename.clone());
            return Ok(Select {
                targets: vec![Target {
                    expr: Expr::Const(Value::Null, TEXT),
                    name: "?column?".into(),
                    star: None,
                }],
                ..Default::default()
            });
        }
        let targets = columns
            .into_iter()
            .enumerate()
            .map(|(i, (name, ty, typmod))| Target {
                expr: Expr::Column {
                    rel: Some(table.clone()),
                    name: format!("c{i}"),
                    ty,
                    typmod,
                },
                name,
                star: None,
            })
            .collect();
        Ok(Select {
            targets,
            from: vec![FromItem::Table {
                name: table.clone(),
                alias: table,
            }],
            ..Default::default()
        })
    }

    /// Keeps PostgreSQL's error for a call of a function we have no
    /// candidates for, in case nothing else handles the statement.
    fn note_missing(&mut self, fname: &str, f: &pb::FuncCall) {
        if self.missing.is_some() {
            return;
        }
        let mut types = Vec::new();
        for a in &f.args {
            match self.expr(a) {
                Ok(e) => types.push(e.ty()),
                Err(_) => return,
            }
        }
        let e = self.error_at(
            PgError::error(
                code::UNDEFINED_FUNCTION,
                format!("function {fname}({}) does not exist", type_list(&types)),
            )
            .with_hint("No function matches the given name and argument types. You might need to add explicit type casts."),
            f.location,
        );
        if let Fail::Error(e) = e {
            self.missing = Some(e);
        }
    }

    /// Records that the part being analyzed uses `table`.
    fn touch(&mut self, table: &str, access: Access) {
        self.dml
            .touched
            .push((self.dml.part, table.to_string(), access, false));
    }

    /// The statement with its data-modifying WITH queries as steps, if it
    /// has any. PostgreSQL runs every part on one snapshot, so no part sees
    /// another's changes. The steps run in order and the main statement
    /// last, so a part that reads a relation after another part wrote it
    /// would see the change: that statement is refused. Views and
    /// partitioned tables count as every table.
    fn with_steps(&mut self, q: Query) -> R<Query> {
        if self.dml.steps.is_empty() {
            return Ok(q);
        }
        let mut touched = std::mem::take(&mut self.dml.touched);
        for t in touched.iter_mut() {
            t.3 = self.schema.partitioned(&t.1) || self.schema.is_view(&t.1);
        }
        let order = |part: usize| if part == 0 { usize::MAX } else { part };
        let reads = |a: Access| a != Access::Insert;
        for w in &touched {
            for r in &touched {
                let related = w.1 == r.1 || w.3 || r.3;
                if related && w.2 != Access::Read && reads(r.2) && order(w.0) < order(r.0) {
                    return Err(Fail::Error(PgError::error(
                        code::FEATURE_NOT_SUPPORTED,
                        format!(
                            "a data-modifying WITH query writing \"{}\", which a later part of the statement reads, is not supported",
                            w.1
                        ),
                    )));
                }
            }
        }
        Ok(Query::Steps {
            steps: std::mem::take(&mut self.dml.steps),
            body: Box::new(q),
        })
    }

    /// A recursive WITH query (transformSetOperationTree for a recursive
    /// CTE): the non-recursive term gives the columns the recursive term
    /// sees; the types must not change between the two.
    fn recursive_cte(&mut self, sel: &pb::SelectStmt, cte: &pb::CommonTableExpr) -> R<Select> {
        if sel.op != pb::SetOperation::SetopUnion as i32 && sel.with_clause.is_none() {
            return Err(self.error_at(
                PgError::error(
                    code::INVALID_RECURSION,
                    format!(
                        "recursive query \"{}\" does not have the form non-recursive-term UNION [ALL] recursive-term",
                        cte.ctename
                    ),
                ),
                cte.location,
            ));
        }
        if !sel.sort_clause.is_empty() && sel.op == pb::SetOperation::SetopUnion as i32 {
            let at = sel.sort_clause.first().map_or(-1, node_location);
            return Err(self.error_at(
                PgError::error(
                    code::FEATURE_NOT_SUPPORTED,
                    "ORDER BY in a recursive query is not implemented",
                ),
                at,
            ));
        }
        let not_implemented = |what: &str, n: &Option<Box<pb::Node>>| {
            let at = n.as_deref().map_or(-1, node_location);
            Err(self.error_at(
                PgError::error(
                    code::FEATURE_NOT_SUPPORTED,
                    format!("{what} in a recursive query is not implemented"),
                ),
                at,
            ))
        };
        if sel.op == pb::SetOperation::SetopUnion as i32 && sel.limit_offset.is_some() {
            return not_implemented("OFFSET", &sel.limit_offset);
        }
        if sel.op == pb::SetOperation::SetopUnion as i32 && sel.limit_count.is_some() {
            return not_implemented("LIMIT", &sel.limit_count);
        }
        if sel.op != pb::SetOperation::SetopUnion as i32
            || !sel.sort_clause.is_empty()
            || sel.with_clause.is_some()
        {
            return unsupported("WITH RECURSIVE of this form");
        }
        let (Some(larg), Some(rarg)) = (sel.larg.as_deref(), sel.rarg.as_deref()) else {
            return unsupported("WITH RECURSIVE");
        };
        let recursion_error = |what: &str| {
            Err(self.error_at(
                PgError::error(
                    code::INVALID_RECURSION,
                    format!(
                        "recursive reference to query \"{}\" must not appear {what}",
                        cte.ctename
                    ),
                ),
                -1,
            ))
        };
        if refers_to(larg, &cte.ctename) {
            return recursion_error("within its non-recursive term");
        }
        if rarg
            .from_clause
            .iter()
            .any(|f| outer_join_reference(f, &cte.ctename, false))
        {
            return recursion_error("within an outer join");
        }
        let left = self.select(larg, false)?;
        let mut columns: Vec<ColumnDef> = left
            .targets
            .iter()
            .map(|t| ColumnDef {
                name: t.name.clone(),
                type_oid: t.expr.ty(),
                typmod: -1,
            })
            .collect();
        for (c, n) in columns.iter_mut().zip(&cte.aliascolnames) {
            c.name = str_of(n).unwrap_or_default().to_string();
        }
        if columns.iter().any(|c| c.type_oid == UNKNOWN) {
            return unsupported("unknown-typed column in a recursive WITH query");
        }
        self.ctes.push((
            cte.ctename.clone(),
            columns.clone(),
            std::cell::Cell::new(0),
        ));
        let whole = self.set_operation(sel);
        self.ctes.pop();
        let mut whole = whole?;
        for (i, (t, c)) in whole.targets.iter().zip(&columns).enumerate() {
            if t.expr.ty() != c.type_oid {
                return Err(Fail::Error(
                    PgError::error(
                        code::DATATYPE_MISMATCH,
                        format!(
                            "recursive query \"{}\" column {} has type {} in non-recursive term but type {} overall",
                            cte.ctename,
                            i + 1,
                            format_type(c.type_oid, -1),
                            format_type(t.expr.ty(), -1)
                        ),
                    )
                    .with_hint("Cast the output of the non-recursive term to the correct type."),
                ));
            }
        }
        whole.recursive = true;
        Ok(whole)
    }

    fn set_operation(&mut self, s: &pb::SelectStmt) -> R<Select> {
        use pb::SetOperation as Op;
        let op = match (s.op, s.all) {
            (x, false) if x == Op::SetopUnion as i32 => "UNION",
            (x, true) if x == Op::SetopUnion as i32 => "UNION ALL",
            (x, false) if x == Op::SetopIntersect as i32 => "INTERSECT",
            (x, false) if x == Op::SetopExcept as i32 => "EXCEPT",
            (x, true) if x == Op::SetopIntersect as i32 => "INTERSECT ALL",
            (x, true) if x == Op::SetopExcept as i32 => "EXCEPT ALL",
            _ => return unsupported("set operation"),
        };
        let (Some(l), Some(r)) = (s.larg.as_deref(), s.rarg.as_deref()) else {
            return unsupported("set operation");
        };
        // Each side sees the enclosing queries (a correlated set operation).
        let left = self.select(l, true);
        let right = left.and_then(|left| Ok((left, self.select(r, true)?)));
        let (mut left, mut right) = right?;
        clear_star(&mut left.targets);
        clear_star(&mut right.targets);
        let name = op.split(' ').next().unwrap_or(op);
        if left.targets.len() != right.targets.len() {
            return Err(Fail::Error(PgError::error(
                code::SYNTAX_ERROR,
                format!("each {name} query must have the same number of columns"),
            )));
        }
        let mut targets = Vec::new();
        for i in 0..left.targets.len() {
            let types = [left.targets[i].expr.ty(), right.targets[i].expr.ty()];
            let ty = self.common_type(&types, name, -1)?;
            if equality_needs_key(ty) && matches!(op, "INTERSECT ALL" | "EXCEPT ALL") {
                return unsupported("set operation over numeric or interval");
            }
            if !ordered_like_postgresql(ty) && op != "UNION ALL" {
                return unsupported("set operation over this type");
            }
            for side in [&mut left, &mut right] {
                let e = std::mem::replace(&mut side.targets[i].expr, Expr::Const(Value::Null, ty));
                side.targets[i].expr = self.coerce(e, ty, -1, CastContext::Implicit, -1)?;
            }
            targets.push(Target {
                expr: Expr::Column {
                    rel: Some("pm_setop".into()),
                    name: left.targets[i].name.clone(),
                    ty,
                    typmod: -1,
                },
                name: left.targets[i].name.clone(),
                star: None,
            });
        }
        // Columns of one name (`SELECT 1, 2 UNION ...`: ?column? twice)
        // are told apart in SQLite by position: the left side names them.
        let duplicated = targets
            .iter()
            .enumerate()
            .any(|(i, t)| targets[..i].iter().any(|u| u.name == t.name));
        if duplicated {
            for (i, t) in targets.iter_mut().enumerate() {
                let sql_name = format!("pm$c{i}");
                left.targets[i].name = sql_name.clone();
                if let Expr::Column { name, .. } = &mut t.expr {
                    *name = sql_name;
                }
            }
        }
        let mut out = Select {
            targets,
            compound: Some(Box::new(Compound { op, left, right })),
            ..Default::default()
        };
        // ORDER BY and LIMIT see only the result columns.
        self.scopes.push(vec![Rel {
            alias: "pm_setop".into(),
            qualifier: Some("pm_setop".into()),
            columns: out
                .targets
                .iter()
                .map(|t| ColumnDef {
                    name: t.name.clone(),
                    type_oid: t.expr.ty(),
                    typmod: -1,
                })
                .collect(),
            sql_names: out
                .targets
                .iter()
                .map(|t| match &t.expr {
                    Expr::Column { name, .. } => name.clone(),
                    _ => t.name.clone(),
                })
                .collect(),
            ..Default::default()
        }]);
        let result = self.order_limit(s, &mut out);
        self.scopes.pop();
        result?;
        Ok(out)
    }

    fn order_limit(&mut self, s: &pb::SelectStmt, out: &mut Select) -> R<()> {
        for o in &s.sort_clause {
            let Some(N::SortBy(sb)) = o.node.as_ref() else {
                return unsupported("sort");
            };
            let (desc, nulls_first) = sort_direction(sb)?;
            let inner = sb.node.as_deref().ok_or(Fail::Unsupported("sort".into()))?;
            let expr = self.order_or_group_expr(inner, &out.targets)?;
            if out.distinct && !out.targets.iter().any(|t| t.expr == expr) {
                return Err(self.error_at(
                    PgError::error(
                        code::INVALID_COLUMN_REFERENCE,
                        "for SELECT DISTINCT, ORDER BY expressions must appear in select list",
                    ),
                    node_location(inner),
                ));
            }
            if !ordered_like_postgresql(expr.ty()) {
                return unsupported("ORDER BY type");
            }
            out.order_by.push(OrderItem {
                expr,
                desc,
                nulls_first,
            });
        }
        out.limit = self.limit(&s.limit_count)?;
        out.offset = self.limit(&s.limit_offset)?;
        Ok(())
    }

    fn select_body(&mut self, s: &pb::SelectStmt, keep_unknown: bool) -> R<Select> {
        // GROUP BY, HAVING and DISTINCT match expressions by value (`x + 1`
        // in the select list is the grouped `x + 1`): from here on literals
        // stay constants, and the statement is not shared with other values.
        if !s.group_clause.is_empty() || s.having_clause.is_some() || !s.distinct_clause.is_empty()
        {
            self.literals_by_value = true;
        }
        let mut out = Select::default();
        for f in &s.from_clause {
            let item = self.range_item(f.node.as_ref())?;
            out.from.push(item);
        }
        // unnest(...) in the select list: its rows joined to FROM's.
        let srfs = self.select_list_unnest(s, &mut out)?;
        // Targets.
        for (i, t) in s.target_list.iter().enumerate() {
            let Some(N::ResTarget(rt)) = t.node.as_ref() else {
                return unsupported("target");
            };
            if let Some((_, column)) = srfs.iter().find(|(at, _)| *at == i) {
                let name = if rt.name.is_empty() {
                    rt.val
                        .as_deref()
                        .map_or_else(|| "unnest".to_string(), figure_colname)
                } else {
                    rt.name.clone()
                };
                out.targets.push(Target {
                    expr: column.clone(),
                    name,
                    star: None,
                });
                continue;
            }
            if let Some(N::ColumnRef(c)) = node(&rt.val) {
                if let Some(star) = self.star(c)? {
                    out.targets.extend(star);
                    continue;
                }
            }
            let v = rt
                .val
                .as_deref()
                .ok_or(Fail::Unsupported("target".into()))?;
            let mut expr = self.expr(v)?;
            if expr.ty() == UNKNOWN && !keep_unknown {
                expr = self.coerce(expr, TEXT, -1, CastContext::Implicit, -1)?;
            }
            let name = if rt.name.is_empty() {
                figure_colname(v)
            } else {
                rt.name.clone()
            };
            out.targets.push(Target {
                expr,
                name,
                star: None,
            });
        }
        if !srfs.is_empty() && out.targets.iter().any(|t| t.expr.contains_agg()) {
            return unsupported("unnest in the select list of an aggregate query");
        }
        if let Some(w) = s.where_clause.as_deref() {
            let e = self.expr(w)?;
            if e.contains_agg() {
                return Err(self.error_at(
                    PgError::error(
                        code::GROUPING_ERROR,
                        "aggregate functions are not allowed in WHERE",
                    ),
                    0,
                ));
            }
            out.filter = Some(self.coerce_bool(e, "WHERE")?);
        }
        for g in &s.group_clause {
            let e = self.order_or_group_expr(g, &out.targets)?;
            out.group_by.push(e);
        }
        if let Some(h) = s.having_clause.as_deref() {
            let e = self.expr(h)?;
            out.having = Some(self.coerce_bool(e, "HAVING")?);
        }
        // DISTINCT (DISTINCT ON has expressions).
        if s.distinct_clause.iter().any(|n| n.node.is_some()) {
            for d in &s.distinct_clause {
                let e = self.order_or_group_expr(d, &out.targets)?;
                if equality_needs_key(e.ty()) || !ordered_like_postgresql(e.ty()) {
                    return unsupported("DISTINCT ON over this type");
                }
                out.distinct_on.push(e);
            }
            clear_star(&mut out.targets);
            self.order_limit(s, &mut out)?;
            // The DISTINCT ON expressions must lead the ORDER BY.
            let leading = out.order_by.iter().take(out.distinct_on.len());
            if !out.order_by.is_empty()
                && (out.order_by.len() < out.distinct_on.len()
                    || leading.zip(&out.distinct_on).any(|(o, d)| o.expr != *d))
            {
                let matched = out.distinct_on.iter().all(|d| {
                    out.order_by
                        .iter()
                        .take(out.distinct_on.len())
                        .any(|o| o.expr == *d)
                });
                if !matched {
                    return Err(self.error_at(
                        PgError::error(
                            code::INVALID_COLUMN_REFERENCE,
                            "SELECT DISTINCT ON expressions must match initial ORDER BY expressions",
                        ),
                        node_location(&s.distinct_clause[0]),
                    ));
                }
            }
            self.check_grouping(&out)?;
            return Ok(out);
        }
        if !s.distinct_clause.is_empty() {
            // Keyed DISTINCT is generated as GROUP BY the keys.
            let grouped = !out.group_by.is_empty()
                || out.having.is_some()
                || out.targets.iter().any(|t| t.expr.contains_agg());
            if grouped && out.targets.iter().any(|t| equality_needs_key(t.expr.ty())) {
                return Err(Fail::Error(PgError::error(
                    code::FEATURE_NOT_SUPPORTED,
                    "SELECT DISTINCT over numeric or interval in an aggregate query is not supported",
                )));
            }
            out.distinct = true;
        }
        self.order_limit(s, &mut out)?;
        self.check_grouping(&out)?;
        Ok(out)
    }

    fn limit(&mut self, n: &Option<Box<pb::Node>>) -> R<Option<Expr>> {
        let Some(n) = n.as_deref() else {
            return Ok(None);
        };
        if let Some(N::AConst(c)) = n.node.as_ref() {
            if c.isnull {
                return Ok(None);
            }
        }
        let e = self.expr(n)?;
        let e = self.coerce(e, INT8, -1, CastContext::Assignment, node_location(n))?;
        Ok(Some(e))
    }

    /// Ungrouped columns outside aggregates are 42803, as
    /// `check_ungrouped_columns()`; a query grouped by a table's column may
    /// depend on its primary key, which is not known here: left to the
    /// fallback.
    fn check_grouping(&self, s: &Select) -> R<()> {
        let has_agg = s.targets.iter().any(|t| t.expr.contains_agg())
            || s.having.as_ref().is_some_and(|h| h.contains_agg())
            || s.order_by.iter().any(|o| o.expr.contains_agg());
        if !has_agg && s.group_by.is_empty() && s.having.is_none() {
            return Ok(());
        }
        let mut bad: Option<(Option<String>, String)> = None;
        let mut check = |e: &Expr| check_ungrouped(e, &s.group_by, &mut bad);
        for t in &s.targets {
            check(&t.expr);
        }
        if let Some(h) = &s.having {
            check(h);
        }
        for o in &s.order_by {
            check(&o.expr);
        }
        if let Some((rel, name)) = bad {
            // Grouping by a table's primary key makes its other columns
            // functionally dependent (check_functional_grouping).
            let table = s.from.iter().find_map(|f| table_of(f, rel.as_deref()));
            if let Some(table) = table {
                let pk = self.schema.primary_key(&table);
                let grouped = |c: &String| {
                    s.group_by.iter().any(|g| {
                        matches!(g, Expr::Column { rel: r, name, .. } if *r == rel && name == c)
                    })
                };
                if !pk.is_empty() && pk.iter().all(grouped) {
                    return Ok(());
                }
            } else if rel.is_some()
                && s.group_by
                    .iter()
                    .any(|g| matches!(g, Expr::Column { rel: r, .. } if *r == rel))
            {
                return unsupported("functional dependency on a primary key");
            }
            let shown = match rel {
                Some(r) if !r.starts_with("pm_sub") => format!("{r}.{name}"),
                _ => name,
            };
            return Err(Fail::Error(PgError::error(
                code::GROUPING_ERROR,
                format!(
                    "column \"{shown}\" must appear in the GROUP BY clause or be used in an aggregate function"
                ),
            )));
        }
        Ok(())
    }

    fn order_or_group_expr(&mut self, n: &pb::Node, targets: &[Target]) -> R<Expr> {
        match n.node.as_ref() {
            // ORDER BY 2: the second output column.
            Some(N::AConst(pb::AConst {
                val: Some(a_const::Val::Ival(i)),
                location,
                ..
            })) => {
                let k = i.ival as usize;
                if k == 0 || k > targets.len() {
                    return Err(self.error_at(
                        PgError::error(
                            code::INVALID_COLUMN_REFERENCE,
                            format!("ORDER BY position {} is not in select list", i.ival),
                        ),
                        *location,
                    ));
                }
                Ok(targets[k - 1].expr.clone())
            }
            // ORDER BY alias: an output column's name wins over input columns.
            Some(N::ColumnRef(c)) if c.fields.len() == 1 => {
                if let Some(name) = str_of(&c.fields[0]) {
                    let matching: Vec<&Target> =
                        targets.iter().filter(|t| t.name == name).collect();
                    if matching.len() == 1 {
                        return Ok(matching[0].expr.clone());
                    }
                    // Several output columns of that name: one expression,
                    // or ambiguous (findTargetlistEntrySQL92).
                    if matching.len() > 1 {
                        if matching.iter().all(|t| t.expr == matching[0].expr) {
                            return Ok(matching[0].expr.clone());
                        }
                        return Err(self.error_at(
                            PgError::error(
                                code::AMBIGUOUS_COLUMN,
                                format!("ORDER BY \"{name}\" is ambiguous"),
                            ),
                            c.location,
                        ));
                    }
                }
                self.expr(n)
            }
            _ => self.expr(n),
        }
    }

    fn values(&mut self, s: &pb::SelectStmt) -> R<Select> {
        let mut rows: Vec<Vec<Expr>> = Vec::new();
        for row in &s.values_lists {
            let Some(N::List(l)) = row.node.as_ref() else {
                return unsupported("VALUES row");
            };
            let mut out = Vec::new();
            for item in &l.items {
                out.push(self.expr(item)?);
            }
            if let Some(first) = rows.first() {
                if first.len() != out.len() {
                    return Err(self.error_at(
                        PgError::error(
                            code::SYNTAX_ERROR,
                            "VALUES lists must all be the same length",
                        ),
                        node_location(&l.items[0]),
                    ));
                }
            }
            rows.push(out);
        }
        let width = rows.first().map_or(0, |r| r.len());
        let mut targets = Vec::new();
        for col in 0..width {
            let types: Vec<u32> = rows.iter().map(|r| r[col].ty()).collect();
            let ty = self.common_type(&types, "VALUES", -1)?;
            for row in rows.iter_mut() {
                let e = std::mem::replace(&mut row[col], Expr::Const(Value::Null, ty));
                row[col] = self.coerce(e, ty, -1, CastContext::Implicit, -1)?;
            }
            targets.push(Target {
                expr: Expr::Const(Value::Null, ty),
                name: format!("column{}", col + 1),
                star: None,
            });
        }
        let mut out = Select {
            targets,
            values: Some(rows),
            ..Default::default()
        };
        if !s.sort_clause.is_empty() || s.limit_count.is_some() || s.limit_offset.is_some() {
            // ORDER BY / LIMIT over VALUES: as a subquery.
            let _ = &mut out;
            return unsupported("VALUES with ORDER BY or LIMIT");
        }
        Ok(out)
    }

    fn common_type(&self, types: &[u32], context: &str, location: i32) -> R<u32> {
        ops::common_type(types).map_err(|(a, b)| {
            self.error_at(
                PgError::error(
                    code::DATATYPE_MISMATCH,
                    format!(
                        "{context} types {} and {} cannot be matched",
                        ops::type_name(a),
                        ops::type_name(b)
                    ),
                ),
                location,
            )
        })
    }

    fn range_item(&mut self, n: Option<&N>) -> R<FromItem> {
        match n {
            Some(N::RangeVar(rv)) => {
                let (name, alias, columns) = self.range_var(rv)?;
                if !self.is_cte(rv) {
                    self.note_access(&name, crate::acl::SELECT);
                }
                let alias_name = alias.clone();
                let sql_names = columns.iter().map(|c| c.name.clone()).collect();
                let mut visible = columns;
                if let Some(a) = &rv.alias {
                    self.rename_columns(&mut visible, &a.colnames, &alias_name)?;
                }
                let table = self.scanned_table(rv, &name)?;
                if let Some(t) = &table {
                    self.touch(t, Access::Read);
                }
                self.add_rel(
                    Rel {
                        alias: alias_name.clone(),
                        qualifier: Some(alias_name),
                        columns: visible,
                        sql_names,
                        partitioned: table.as_ref().is_some_and(|t| self.schema.partitioned(t)),
                        table,
                        ..Default::default()
                    },
                    rv.location,
                )?;
                Ok(FromItem::Table { name, alias })
            }
            Some(N::RangeSubselect(rs)) => {
                let Some(N::SelectStmt(sub)) = node(&rs.subquery) else {
                    return unsupported("subquery");
                };
                // A FROM subquery sees only outer queries' names, not its
                // siblings, unless LATERAL.
                let q = if rs.lateral {
                    self.select(sub, false)
                } else {
                    let siblings = self.scopes.pop().unwrap_or_default();
                    let q = self.select(sub, false);
                    self.scopes.push(siblings);
                    q
                };
                let mut q = q?;
                let alias = match &rs.alias {
                    Some(a) => a.aliasname.clone(),
                    None => self.fresh_alias(),
                };
                if let Some(a) = &rs.alias {
                    if a.colnames.len() > q.targets.len() {
                        return Err(Fail::Error(PgError::error(
                            code::INVALID_COLUMN_REFERENCE,
                            format!(
                                "table \"{alias}\" has {} columns available but {} columns specified",
                                q.targets.len(),
                                a.colnames.len()
                            ),
                        )));
                    }
                    for (t, n) in q.targets.iter_mut().zip(&a.colnames) {
                        t.name = str_of(n).unwrap_or_default().to_string();
                    }
                    clear_star(&mut q.targets);
                }
                let mut columns = Vec::new();
                for t in &q.targets {
                    columns.push(ColumnDef {
                        name: t.name.clone(),
                        type_oid: t.expr.ty(),
                        typmod: t.expr.typmod(),
                    });
                }
                let mut sql_names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
                // Columns of one name (a reference to it is ambiguous) are
                // told apart in SQLite by position.
                let duplicated = columns
                    .iter()
                    .enumerate()
                    .any(|(i, c)| columns[..i].iter().any(|d| d.name == c.name));
                if duplicated {
                    for (i, t) in q.targets.iter_mut().enumerate() {
                        t.name = format!("pm$c{i}");
                        sql_names[i] = t.name.clone();
                    }
                }
                self.add_rel(
                    Rel {
                        alias: alias.clone(),
                        qualifier: Some(alias.clone()),
                        columns,
                        sql_names,
                        ..Default::default()
                    },
                    -1,
                )?;
                let item = FromItem::Sub {
                    query: Box::new(Query::Select(Box::new(q))),
                    alias: alias.clone(),
                };
                Ok(if rs.lateral {
                    self.lateral(item, &alias)
                } else {
                    item
                })
            }
            Some(N::JoinExpr(j)) => {
                let kind = match j.jointype {
                    x if x == pb::JoinType::JoinInner as i32 => {
                        if j.quals.is_none() {
                            "CROSS JOIN"
                        } else {
                            "JOIN"
                        }
                    }
                    x if x == pb::JoinType::JoinLeft as i32 => "LEFT JOIN",
                    x if x == pb::JoinType::JoinRight as i32 => "RIGHT JOIN",
                    x if x == pb::JoinType::JoinFull as i32 => "FULL JOIN",
                    _ => return unsupported("join type"),
                };
                let start = self.scopes.last().map_or(0, Vec::len);
                let left = self.range_item(node(&j.larg))?;
                let mid = self.scopes.last().map_or(0, Vec::len);
                let right = self.range_item(node(&j.rarg))?;
                if matches!(right, FromItem::Lateral { .. } | FromItem::Rows { .. })
                    && matches!(kind, "RIGHT JOIN" | "FULL JOIN")
                {
                    return unsupported("LATERAL in a RIGHT or FULL JOIN");
                }
                let on = if j.is_natural || !j.using_clause.is_empty() {
                    let kind = if j.is_natural { "NATURAL" } else { kind };
                    Some(self.join_using(j, start, mid, kind)?)
                } else {
                    match j.quals.as_deref() {
                        Some(q) => {
                            let e = self.expr(q)?;
                            Some(self.coerce_bool(e, "JOIN/ON")?)
                        }
                        None => None,
                    }
                };
                let kind = if j.is_natural && kind == "CROSS JOIN" {
                    "JOIN"
                } else {
                    kind
                };
                if let Some(a) = &j.join_using_alias {
                    self.join_using_alias(a, start)?;
                }
                if let Some(a) = &j.alias {
                    self.join_alias(a, start)?;
                }
                Ok(FromItem::Join {
                    left: Box::new(left),
                    right: Box::new(right),
                    kind,
                    on,
                })
            }
            Some(N::RangeFunction(rf)) => self.range_function(rf),
            _ => unsupported("FROM item"),
        }
    }

    /// `JOIN ... USING (cols) AS x`: x names the merged columns (only
    /// qualified: unqualified, they are the join's own).
    fn join_using_alias(&mut self, a: &pb::Alias, start: usize) -> R<()> {
        let scope = self.scopes.last().expect("a scope");
        let Some(merged) = scope.get(start).filter(|r| r.alias.starts_with('\u{0}')) else {
            return unsupported("join alias");
        };
        let rel = Rel {
            alias: a.aliasname.clone(),
            qualifier: None,
            hidden: merged.columns.iter().map(|c| c.name.clone()).collect(),
            ..merged.clone()
        };
        self.add_rel(rel, -1)
    }

    /// `(a JOIN b) AS x [(cols)]`: x names the join's columns (renamed by
    /// the list), and the tables inside are no longer visible.
    fn join_alias(&mut self, a: &pb::Alias, start: usize) -> R<()> {
        let scope = self.scopes.last_mut().expect("a scope");
        let inner: Vec<Rel> = scope.drain(start..).collect();
        let mut columns = Vec::new();
        let mut exprs = Vec::new();
        let mut acl_columns = Vec::new();
        for r in &inner {
            for (pos, c) in r.columns.iter().enumerate() {
                if r.hidden.contains(&c.name) {
                    continue;
                }
                columns.push(c.clone());
                exprs.push(rel_column(r, pos));
                acl_columns.push(acl_columns_of(r, pos));
            }
        }
        self.rename_columns(&mut columns, &a.colnames, &a.aliasname)?;
        let rel = Rel {
            alias: a.aliasname.clone(),
            qualifier: None,
            sql_names: columns.iter().map(|c| c.name.clone()).collect(),
            columns,
            exprs: Some(exprs),
            acl_columns: Some(acl_columns),
            ..Default::default()
        };
        self.add_rel(rel, -1)
    }

    /// A visible (not merged-away) column of the rels in `range` of the
    /// current scope: its expression and type.
    fn side_column(
        &self,
        range: std::ops::Range<usize>,
        name: &str,
    ) -> Vec<(usize, Expr, AclColumns)> {
        let scope = self.scopes.last().expect("a scope");
        let mut found = Vec::new();
        for i in range {
            let rel = &scope[i];
            if rel.hidden.iter().any(|h| h == name) {
                continue;
            }
            if let Some(pos) = rel.columns.iter().position(|c| c.name == name) {
                found.push((i, rel_column(rel, pos), acl_columns_of(rel, pos)));
            }
        }
        found
    }

    /// JOIN ... USING (cols) / NATURAL JOIN: the equality condition, and
    /// one merged column per name in front of both sides' columns.
    fn join_using(&mut self, j: &pb::JoinExpr, start: usize, mid: usize, kind: &str) -> R<Expr> {
        let end = self.scopes.last().map_or(0, Vec::len);
        let names: Vec<String> = if j.is_natural {
            let scope = self.scopes.last().expect("a scope");
            let mut names = Vec::new();
            for rel in &scope[start..mid] {
                for c in &rel.columns {
                    if rel.hidden.contains(&c.name) || names.contains(&c.name) {
                        continue;
                    }
                    if !self.side_column(mid..end, &c.name).is_empty() {
                        names.push(c.name.clone());
                    }
                }
            }
            names
        } else {
            j.using_clause
                .iter()
                .map(|n| str_of(n).unwrap_or_default().to_string())
                .collect()
        };
        let mut conds = Vec::new();
        let mut columns = Vec::new();
        let mut exprs = Vec::new();
        let mut acl_columns = Vec::new();
        for (k, name) in names.iter().enumerate() {
            if names[..k].contains(name) {
                return Err(self.error_at(
                    PgError::error(
                        code::DUPLICATE_COLUMN,
                        format!("column \"{name}\" appears more than once in USING clause"),
                    ),
                    j.using_clause.get(k).map_or(-1, node_location),
                ));
            }
            let mut sides = Vec::new();
            for (range, side) in [(start..mid, "left"), (mid..end, "right")] {
                let found = self.side_column(range, name);
                match found.len() {
                    1 => sides.push(found.into_iter().next().expect("one")),
                    0 => {
                        return Err(Fail::Error(PgError::error(
                            code::UNDEFINED_COLUMN,
                            format!(
                                "column \"{name}\" specified in USING clause does not exist in {side} table"
                            ),
                        )))
                    }
                    _ => {
                        return Err(Fail::Error(PgError::error(
                            code::AMBIGUOUS_COLUMN,
                            format!("common column name \"{name}\" appears more than once in {side} table"),
                        )))
                    }
                }
            }
            let (li, l, l_acl) = sides[0].clone();
            let (ri, r, r_acl) = sides[1].clone();
            // The USING condition reads both sides' columns.
            for (relation, column) in l_acl.iter().chain(&r_acl) {
                self.note_column(relation, column, crate::acl::SELECT);
            }
            let ty = self.common_type(&[l.ty(), r.ty()], "JOIN/USING", -1)?;
            let l = self.coerce(l, ty, -1, CastContext::Implicit, -1)?;
            let r = self.coerce(r, ty, -1, CastContext::Implicit, -1)?;
            let eq = self.binary_op("=", l.clone(), r.clone(), -1)?;
            conds.push(self.coerce_bool(eq, "JOIN/USING")?);
            let (merged, merged_acl) = match kind {
                "RIGHT JOIN" => (r, r_acl),
                "FULL JOIN" => (Expr::Coalesce(vec![l, r], ty), [l_acl, r_acl].concat()),
                _ => (l, l_acl),
            };
            acl_columns.push(merged_acl);
            columns.push(ColumnDef {
                name: name.clone(),
                type_oid: ty,
                typmod: -1,
            });
            exprs.push(merged);
            let scope = self.scopes.last_mut().expect("a scope");
            scope[li].hidden.push(name.clone());
            scope[ri].hidden.push(name.clone());
        }
        if !columns.is_empty() {
            // Not addressable by name: the merged columns are reached
            // unqualified only.
            self.alias_seq += 1;
            let rel = Rel {
                alias: format!("\u{0}using{}", self.alias_seq),
                qualifier: None,
                sql_names: columns.iter().map(|c| c.name.clone()).collect(),
                columns,
                hidden: Vec::new(),
                exprs: Some(exprs),
                acl_columns: Some(acl_columns),
                ..Default::default()
            };
            self.scopes.last_mut().expect("a scope").insert(start, rel);
        }
        Ok(match conds.len() {
            0 => Expr::Const(Value::Integer(1), BOOL),
            1 => conds.pop().expect("one"),
            _ => Expr::And(conds),
        })
    }

    /// A function in FROM: generate_series over integers for now.
    /// A FROM item, just added as the last rel of the scope under
    /// `alias`, made a LATERAL one ([`FromItem::Lateral`]).
    fn lateral(&mut self, item: FromItem, alias: &str) -> FromItem {
        let scope = self.scopes.last_mut().expect("a scope");
        let rel = scope
            .iter_mut()
            .rev()
            .find(|r| r.alias == alias)
            .expect("the rel just added");
        let targets = rel
            .columns
            .iter()
            .zip(&rel.sql_names)
            .enumerate()
            .map(|(i, (c, sql))| Target {
                expr: Expr::Column {
                    rel: Some(alias.to_string()),
                    name: sql.clone(),
                    ty: c.type_oid,
                    typmod: c.typmod,
                },
                name: format!("c{i}"),
                star: None,
            })
            .collect();
        rel.sql_names = rel
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| lateral_column(c.type_oid, i))
            .collect();
        FromItem::Lateral {
            query: Box::new(Select {
                targets,
                from: vec![item],
                ..Default::default()
            }),
            alias: alias.to_string(),
        }
    }

    fn range_function(&mut self, rf: &pb::RangeFunction) -> R<FromItem> {
        if let [f] = rf.functions.as_slice() {
            if let Some(N::List(l)) = f.node.as_ref() {
                if let Some(N::FuncCall(fc)) = l.items.first().and_then(|n| n.node.as_ref()) {
                    if name_parts(&fc.funcname).as_slice() == ["unnest"]
                        && !rf.is_rowsfrom
                        && rf.coldeflist.is_empty()
                    {
                        // json_each may refer to the items before it.
                        return self.unnest_in_from(rf, fc);
                    }
                }
            }
        }
        if rf.ordinality || rf.is_rowsfrom || !rf.coldeflist.is_empty() {
            return unsupported("FROM function of this form");
        }
        let (item, correlated) = self.range_function_call(rf)?;
        // A function in FROM may refer to the items before it (LATERAL
        // or not, as PostgreSQL allows).
        if !rf.lateral && !correlated {
            return Ok(item);
        }
        let alias = match &item {
            FromItem::Series { alias, .. } | FromItem::Recurse { alias, .. } => alias.clone(),
            _ => return unsupported("LATERAL function"),
        };
        Ok(self.lateral(item, &alias))
    }

    /// The function's FROM item, and whether its arguments refer to the
    /// items before it.
    fn range_function_call(&mut self, rf: &pb::RangeFunction) -> R<(FromItem, bool)> {
        let [f] = rf.functions.as_slice() else {
            return unsupported("ROWS FROM");
        };
        let Some(N::List(l)) = f.node.as_ref() else {
            return unsupported("FROM function");
        };
        let Some(N::FuncCall(fc)) = l.items.first().and_then(|n| n.node.as_ref()) else {
            return unsupported("FROM function");
        };
        let fname = name_parts(&fc.funcname).join(".");
        if fname != "generate_series"
            || !(2..=3).contains(&fc.args.len())
            || fc.agg_star
            || fc.agg_distinct
            || fc.func_variadic
            || fc.over.is_some()
        {
            return unsupported(format!("function {fname} in FROM"));
        }
        let args: Vec<Expr> = fc.args.iter().map(|a| self.expr(a)).collect::<R<_>>()?;
        let siblings: Vec<String> = self
            .scopes
            .last()
            .map(|s| s.iter().filter_map(|r| r.qualifier.clone()).collect())
            .unwrap_or_default();
        let mut correlated = false;
        for a in &args {
            a.walk(&mut |e| {
                if let Expr::Column { rel: Some(r), .. } = e {
                    correlated |= siblings.contains(r);
                }
            });
        }
        let alias = rf
            .alias
            .as_ref()
            .map_or_else(|| "generate_series".to_string(), |a| a.aliasname.clone());
        let column = rf
            .alias
            .as_ref()
            .and_then(|a| a.colnames.first())
            .and_then(str_of)
            .map_or_else(|| alias.clone(), str::to_string);
        let kinds: Vec<u32> = args.iter().map(Expr::ty).collect();
        let numeric = kinds.contains(&NUMERIC)
            && kinds
                .iter()
                .all(|t| matches!(*t, INT2 | INT4 | INT8 | NUMERIC | UNKNOWN));
        let stamp = [TIMESTAMPTZ, TIMESTAMP]
            .into_iter()
            .find(|t| args.len() == 3 && kinds[..2].contains(t));
        if numeric || stamp.is_some() {
            let (ty, step_ty) = match stamp {
                Some(t) => (t, INTERVAL),
                None => (NUMERIC, NUMERIC),
            };
            let mut args = args.into_iter();
            let start = args.next().expect("start");
            let stop = args.next().expect("stop");
            let start = self.coerce(start, ty, -1, CastContext::Implicit, -1)?;
            let stop = self.coerce(stop, ty, -1, CastContext::Implicit, -1)?;
            let step = match args.next() {
                Some(st) => self.coerce(st, step_ty, -1, CastContext::Implicit, -1)?,
                None => self.coerce(
                    Expr::Unknown("1".into(), -1),
                    step_ty,
                    -1,
                    CastContext::Implicit,
                    -1,
                )?,
            };
            let zero = self.coerce(
                Expr::Unknown("0".into(), -1),
                step_ty,
                -1,
                CastContext::Implicit,
                -1,
            )?;
            let v = Expr::Column {
                rel: Some("pm_series".into()),
                name: "v".into(),
                ty,
                typmod: -1,
            };
            let positive = self.binary_op(">", step.clone(), zero.clone(), -1)?;
            let negative = self.binary_op("<", step.clone(), zero.clone(), -1)?;
            let is_zero = self.binary_op("=", step.clone(), zero, -1)?;
            let within = |a: &mut Self, x: Expr| -> R<Expr> {
                let le = a.binary_op("<=", x.clone(), stop.clone(), -1)?;
                let ge = a.binary_op(">=", x, stop.clone(), -1)?;
                Ok(Expr::Or(vec![
                    Expr::And(vec![positive.clone(), le]),
                    Expr::And(vec![negative.clone(), ge]),
                ]))
            };
            let mut first_ok = vec![
                Expr::Call {
                    template: "pg_series_nonzero($1)",
                    args: vec![is_zero],
                    ty: BOOL,
                },
                within(self, start.clone())?,
            ];
            if ty == NUMERIC {
                first_ok.insert(
                    0,
                    Expr::Call {
                        template: "pg_series_numeric_check($1, $2, $3)",
                        args: vec![start.clone(), stop.clone(), step.clone()],
                        ty: BOOL,
                    },
                );
            }
            let first_ok = Expr::And(first_ok);
            let next = self.binary_op("+", v, step, -1)?;
            let next_ok = within(self, next.clone())?;
            self.add_rel(
                Rel {
                    alias: alias.clone(),
                    qualifier: Some(alias.clone()),
                    sql_names: vec![column.clone()],
                    columns: vec![ColumnDef {
                        name: column.clone(),
                        type_oid: ty,
                        typmod: -1,
                    }],
                    ..Default::default()
                },
                -1,
            )?;
            return Ok((
                FromItem::Recurse {
                    first: start,
                    first_ok,
                    next,
                    next_ok,
                    alias,
                    column,
                },
                correlated,
            ));
        }
        let ty = if args.iter().any(|a| a.ty() == INT8) {
            INT8
        } else {
            INT4
        };
        if args
            .iter()
            .any(|a| !matches!(a.ty(), INT2 | INT4 | INT8 | UNKNOWN))
        {
            return unsupported("generate_series over other types");
        }
        let mut coerced = Vec::new();
        for a in args {
            coerced.push(self.coerce(a, ty, -1, CastContext::Implicit, -1)?);
        }
        let step = if coerced.len() == 3 {
            coerced.pop().expect("three arguments")
        } else {
            Expr::Const(Value::Integer(1), ty)
        };
        let stop = coerced.pop().expect("stop");
        let start = coerced.pop().expect("start");
        let columns = vec![ColumnDef {
            name: column.clone(),
            type_oid: ty,
            typmod: -1,
        }];
        self.add_rel(
            Rel {
                alias: alias.clone(),
                qualifier: Some(alias.clone()),
                sql_names: vec![column.clone()],
                columns,
                ..Default::default()
            },
            -1,
        )?;
        Ok((
            FromItem::Series {
                start,
                stop,
                step,
                alias,
                column,
            },
            correlated,
        ))
    }

    fn rename_columns(&self, columns: &mut [ColumnDef], names: &[pb::Node], alias: &str) -> R<()> {
        if names.len() > columns.len() {
            return Err(Fail::Error(PgError::error(
                code::INVALID_COLUMN_REFERENCE,
                format!(
                    "table \"{alias}\" has {} columns available but {} columns specified",
                    columns.len(),
                    names.len()
                ),
            )));
        }
        for (c, n) in columns.iter_mut().zip(names) {
            c.name = str_of(n).unwrap_or_default().to_string();
        }
        Ok(())
    }

    fn add_rel(&mut self, rel: Rel, location: i32) -> R<()> {
        let scope = self.scopes.last_mut().expect("a scope");
        if scope.iter().any(|r| r.alias == rel.alias) {
            let alias = rel.alias.clone();
            return Err(self.error_at(
                PgError::error(
                    code::DUPLICATE_ALIAS,
                    format!("table name \"{alias}\" specified more than once"),
                ),
                location,
            ));
        }
        scope.push(rel);
        Ok(())
    }

    /// Whether a RangeVar names a WITH query in scope.
    fn is_cte(&self, rv: &pb::RangeVar) -> bool {
        rv.schemaname.is_empty() && self.ctes.iter().any(|(n, _, _)| *n == rv.relname)
    }

    /// The statement needs `privileges` on relation `name`.
    fn note_access(&self, name: &str, privileges: u16) {
        let mut accesses = self.accesses.borrow_mut();
        match accesses.iter_mut().find(|a| a.relation == name) {
            Some(a) => a.privileges |= privileges,
            None => accesses.push(crate::acl::Access::new(name, privileges)),
        }
    }

    /// Column `column` of relation `name` needs `privilege` (SELECT,
    /// INSERT or UPDATE), on it or on the relation.
    fn note_column(&self, name: &str, column: &str, privilege: u16) {
        let mut accesses = self.accesses.borrow_mut();
        if !accesses.iter().any(|a| a.relation == name) {
            accesses.push(crate::acl::Access::new(name, 0));
        }
        if let Some(a) = accesses.iter_mut().find(|a| a.relation == name) {
            a.add_column(column, privilege);
        }
    }

    /// The relation whose privileges writing `table` needs: the view an
    /// INSERT / UPDATE writes through, else the table.
    fn acl_target(&self, table: &str) -> String {
        self.view
            .as_ref()
            .map_or_else(|| table.to_string(), |v| v.name.clone())
    }

    /// Column `pos` of `rel` is read: SELECT on its table's column (for a
    /// view written through, the view's: markVarForSelectPriv).
    fn note_read(&self, rel: &Rel, pos: usize) {
        for (relation, column) in acl_columns_of(rel, pos) {
            self.note_column(&relation, &column, crate::acl::SELECT);
        }
    }

    /// A table reference: its name, alias and typed columns.
    fn range_var(&self, rv: &pb::RangeVar) -> R<(String, String, Vec<ColumnDef>)> {
        if !rv.catalogname.is_empty() || (!rv.schemaname.is_empty() && rv.schemaname != "public") {
            return unsupported("schema-qualified name");
        }
        let name = rv.relname.clone();
        if rv.schemaname.is_empty() {
            if let Some((_, columns, refs)) = self.ctes.iter().rev().find(|(n, _, _)| *n == name) {
                if self.dml.no_returning.contains(&name) {
                    return Err(self.error_at(
                        PgError::error(
                            code::FEATURE_NOT_SUPPORTED,
                            format!("WITH query \"{name}\" does not have a RETURNING clause"),
                        ),
                        rv.location,
                    ));
                }
                refs.set(refs.get() + 1);
                let alias = rv
                    .alias
                    .as_ref()
                    .map_or(name.clone(), |a| a.aliasname.clone());
                return Ok((name, alias, columns.clone()));
            }
        }
        if self.schema.is_catalog(&name) {
            return unsupported("catalog relation");
        }
        if self.schema.is_legacy_view(&name) {
            return Err(self.error_at(legacy_view(&name), rv.location));
        }
        let Some(columns) = self.schema.relation(&name) else {
            return Err(self.error_at(
                PgError::error(
                    code::UNDEFINED_TABLE,
                    format!("relation \"{name}\" does not exist"),
                ),
                rv.location,
            ));
        };
        if columns.iter().any(|c| !storable(c.type_oid)) {
            return unsupported("column of a type the analyzer does not know");
        }
        let alias = rv
            .alias
            .as_ref()
            .map_or(name.clone(), |a| a.aliasname.clone());
        Ok((name, alias, columns))
    }

    /// The table a RangeVar scans (None for a WITH query). `ONLY t` is
    /// t itself when t has no partitions to leave out.
    fn scanned_table(&self, rv: &pb::RangeVar, name: &str) -> R<Option<String>> {
        if rv.schemaname.is_empty() && self.ctes.iter().any(|(n, _, _)| n == name) {
            return Ok(None);
        }
        if !rv.inh && self.schema.partitioned(name) {
            return unsupported("ONLY over a partitioned table");
        }
        Ok(Some(name.to_string()))
    }

    /// The `tableoid` system column of a rel: the oid of the table a row
    /// comes from (a partitioned table's rows: their leaf's).
    fn tableoid(&self, rel: &Rel) -> Expr {
        let name = if rel.partitioned {
            Expr::Call {
                template: "pg_quote_ident($1)",
                args: vec![Expr::Column {
                    rel: rel.qualifier.clone(),
                    name: crate::partition::LEAF.to_string(),
                    ty: TEXT,
                    typmod: -1,
                }],
                ty: REGCLASS,
            }
        } else {
            Expr::Const(
                Value::Text(adt::quote_ident_text(rel.table.as_deref().unwrap_or(""))),
                REGCLASS,
            )
        };
        Expr::Call {
            template: ops::REGCLASS_TO_OID,
            args: vec![name],
            ty: OID,
        }
    }

    /// `*` and `t.*` in a select list.
    fn star(&self, c: &pb::ColumnRef) -> R<Option<Vec<Target>>> {
        let is_star = |n: &pb::Node| matches!(n.node, Some(N::AStar(_)));
        if !c.fields.last().is_some_and(is_star) {
            return Ok(None);
        }
        let scope = self.scopes.last().expect("a scope");
        let rels: Vec<&Rel> = match c.fields.len() {
            1 => {
                if scope.is_empty() {
                    return Err(self.error_at(
                        PgError::error(
                            code::SYNTAX_ERROR,
                            "SELECT * with no tables specified is not valid",
                        ),
                        c.location,
                    ));
                }
                scope.iter().collect()
            }
            2 => {
                let t = str_of(&c.fields[0]).unwrap_or("");
                match scope.iter().find(|r| r.alias == t) {
                    Some(r) => vec![r],
                    None => {
                        return Err(self.error_at(
                            PgError::error(
                                code::UNDEFINED_TABLE,
                                format!("missing FROM-clause entry for table \"{t}\""),
                            ),
                            c.location,
                        ))
                    }
                }
            }
            _ => return unsupported("qualified star"),
        };
        let mut out = Vec::new();
        let bare = c.fields.len() == 1;
        for r in rels {
            let group = self.star_seq.get() + 1;
            self.star_seq.set(group);
            let renamed = r
                .columns
                .iter()
                .zip(&r.sql_names)
                .any(|(c, s)| c.name != *s)
                || r.exprs.is_some()
                || r.partitioned
                || (bare && !r.hidden.is_empty());
            for (pos, col) in r.columns.iter().enumerate() {
                if bare && r.hidden.contains(&col.name) {
                    continue;
                }
                self.note_read(r, pos);
                out.push(Target {
                    expr: rel_column(r, pos),
                    name: col.name.clone(),
                    star: (!renamed).then(|| (r.qualifier.clone(), group)),
                });
            }
        }
        Ok(Some(out))
    }

    // ------------------------------------------------------------ DML

    fn target_table(
        &mut self,
        rv: &Option<pb::RangeVar>,
        qualify: bool,
        verb: &'static str,
    ) -> R<(String, Option<String>, Vec<ColumnDef>)> {
        let rv = rv.as_ref().ok_or(Fail::Unsupported("no table".into()))?;
        let (name, alias, columns) = self.range_var(rv)?;
        self.note_access(
            &name,
            match verb {
                "insert into" => crate::acl::INSERT,
                "update" => crate::acl::UPDATE,
                _ => crate::acl::DELETE,
            },
        );
        // A WITH query's view target is not this statement's.
        self.view = None;
        if self.schema.is_typed_view(&name) {
            return self.view_target(&name, alias, columns, qualify, verb);
        }
        let table = self.scanned_table(rv, &name)?;
        let explicit_alias = rv.alias.as_ref().map(|a| a.aliasname.clone());
        self.scopes.push(vec![Rel {
            alias: alias.clone(),
            qualifier: if qualify { Some(alias) } else { None },
            sql_names: columns.iter().map(|c| c.name.clone()).collect(),
            columns: columns.clone(),
            partitioned: table.as_ref().is_some_and(|t| self.schema.partitioned(t)),
            table,
            ..Default::default()
        }]);
        Ok((name, explicit_alias, columns))
    }

    /// `qualified`: the columns keep their tables' names (see
    /// [`Analyzer::returning_through_steps`]).
    /// A view as the target of INSERT / UPDATE / DELETE: an automatically
    /// updatable view (view_query_is_auto_updatable) is written through
    /// to its table, the statement seeing the view's columns and, for
    /// UPDATE / DELETE, only the rows its WHERE shows. Returns what
    /// [`Analyzer::target_table`] does, for the table.
    fn view_target(
        &mut self,
        view: &str,
        alias: String,
        columns: Vec<ColumnDef>,
        qualify: bool,
        verb: &'static str,
    ) -> R<(String, Option<String>, Vec<ColumnDef>)> {
        let (gerund, command) = match verb {
            "insert into" => ("inserting into", "INSERT"),
            "update" => ("updating", "UPDATE"),
            _ => ("deleting from", "DELETE"),
        };
        let not_updatable = |detail: &str| {
            Fail::Error(
                PgError::error(
                    code::OBJECT_NOT_IN_PREREQUISITE_STATE,
                    format!("cannot {verb} view \"{view}\""),
                )
                .with_detail(detail)
                .with_hint(format!(
                    "To enable {gerund} the view, provide an INSTEAD OF {command} trigger or an unconditional ON {command} DO INSTEAD rule."
                )),
            )
        };
        let not_supported = || {
            Fail::Error(PgError::error(
                code::FEATURE_NOT_SUPPORTED,
                format!(
                    "cannot {verb} view \"{view}\": writing through this view is not supported"
                ),
            ))
        };
        // The view's own statement, kept with its SQLite definition
        // (ddl::create_view); views made otherwise are not written to.
        let definition = self
            .schema
            .view_definition(view)
            .ok_or_else(not_supported)?;
        let parsed = crate::pgparse::parse(&definition).map_err(|_| not_supported())?;
        let query = match parsed
            .first()
            .and_then(|s| s.stmt.as_ref())
            .and_then(|n| n.node.as_ref())
        {
            Some(N::ViewStmt(v)) => match v.query.as_deref().and_then(|n| n.node.as_ref()) {
                Some(N::SelectStmt(q)) => q.clone(),
                _ => return Err(not_supported()),
            },
            _ => return Err(not_supported()),
        };
        let mut a = Analyzer::for_ddl(self.schema, &definition);
        let sel = match a.select(&query, false) {
            Ok(sel) => sel,
            Err(Fail::Error(e)) => return Err(Fail::Error(e)),
            Err(Fail::Unsupported(_)) => return Err(not_supported()),
        };
        if !sel.with.is_empty() {
            return Err(not_updatable(
                "Views containing WITH are not automatically updatable.",
            ));
        }
        if sel.compound.is_some() {
            return Err(not_updatable(
                "Views containing UNION, INTERSECT, or EXCEPT are not automatically updatable.",
            ));
        }
        if sel.distinct || !sel.distinct_on.is_empty() {
            return Err(not_updatable(
                "Views containing DISTINCT are not automatically updatable.",
            ));
        }
        if !sel.group_by.is_empty() {
            return Err(not_updatable(
                "Views containing GROUP BY are not automatically updatable.",
            ));
        }
        if sel.having.is_some() {
            return Err(not_updatable(
                "Views containing HAVING are not automatically updatable.",
            ));
        }
        if sel.limit.is_some() || sel.offset.is_some() {
            return Err(not_updatable(
                "Views containing LIMIT or OFFSET are not automatically updatable.",
            ));
        }
        if sel.targets.iter().any(|t| t.expr.contains_agg()) {
            return Err(not_updatable(
                "Views that return aggregate functions are not automatically updatable.",
            ));
        }
        let (table, from_alias) = match (sel.values.is_none(), sel.from.as_slice()) {
            (true, [FromItem::Table { name, alias }]) => (name.clone(), alias.clone()),
            _ => {
                return Err(not_updatable(
                    "Views that do not select from a single table or view are not automatically updatable.",
                ))
            }
        };
        if self.schema.is_view(&table) || self.schema.partitioned(&table) {
            return Err(not_supported());
        }
        // A table renamed since: SQLite rewrote the view's SQL, not the
        // statement kept with it.
        if !self
            .schema
            .view_sql(view)
            .is_some_and(|sql| sql.contains(&crate::session::quote_ident(&table)))
        {
            return Err(not_supported());
        }
        let qualifier = qualify.then(|| alias.clone());
        // The view's expressions over the statement's target.
        let over_target = |e: &mut Expr| {
            if e.contains_subquery() {
                return Err(not_supported());
            }
            e.walk_mut(&mut |e| {
                if let Expr::Column { rel, .. } = e {
                    if rel.as_deref() == Some(from_alias.as_str()) {
                        *rel = qualifier.clone();
                    }
                }
            });
            Ok(())
        };
        let mut read_only = Vec::new();
        let mut exprs = Vec::new();
        for (col, t) in columns.iter().zip(&sel.targets) {
            match &t.expr {
                Expr::Column {
                    rel: Some(r), name, ..
                } if *r == from_alias && *name == col.name => {}
                Expr::Column { rel: Some(r), .. } if *r == from_alias => {
                    return Err(not_supported())
                }
                _ => read_only.push(col.name.clone()),
            }
            let mut e = t.expr.clone();
            over_target(&mut e)?;
            exprs.push(e);
        }
        if read_only.len() == columns.len() && verb != "delete from" {
            return Err(not_updatable(
                "Views that have no updatable columns are not automatically updatable.",
            ));
        }
        let mut filter = sel.filter;
        if let Some(f) = &mut filter {
            over_target(f)?;
        }
        self.view = Some(ViewTarget {
            name: view.to_string(),
            filter,
            read_only,
            verb,
        });
        // UPDATE / DELETE name the table by the view's name.
        let sql_alias = qualifier.clone();
        self.scopes.push(vec![Rel {
            alias,
            qualifier,
            sql_names: columns.iter().map(|c| c.name.clone()).collect(),
            columns: columns.clone(),
            table: Some(table.clone()),
            exprs: Some(exprs),
            acl_name: Some(view.to_string()),
            ..Default::default()
        }]);
        Ok((table, sql_alias, columns))
    }

    /// The view's WHERE (see [`Analyzer::view_target`]) and the
    /// statement's.
    fn with_view_filter(&mut self, filter: Option<Expr>) -> Option<Expr> {
        match (self.view.as_mut().and_then(|v| v.filter.take()), filter) {
            (Some(v), Some(f)) => Some(Expr::And(vec![v, f])),
            (v, f) => v.or(f),
        }
    }

    fn returning(&mut self, r: &Option<pb::ReturningClause>, qualified: bool) -> R<Vec<Target>> {
        let Some(r) = r else {
            return Ok(Vec::new());
        };
        if !r.options.is_empty() {
            return unsupported("RETURNING options");
        }
        // RETURNING names the target table's columns without a qualifier.
        if let Some(scope) = self.scopes.last_mut().filter(|_| !qualified) {
            for rel in scope.iter_mut() {
                let qualifier = rel.qualifier.take();
                // A view's columns over its table (view_target).
                for e in rel.exprs.iter_mut().flatten() {
                    e.walk_mut(&mut |e| {
                        if let Expr::Column { rel, .. } = e {
                            if *rel == qualifier {
                                *rel = None;
                            }
                        }
                    });
                }
            }
        }
        let mut out = Vec::new();
        for t in &r.exprs {
            let Some(N::ResTarget(rt)) = t.node.as_ref() else {
                return unsupported("RETURNING item");
            };
            if let Some(N::ColumnRef(c)) = node(&rt.val) {
                if let Some(star) = self.star(c)? {
                    out.extend(star);
                    continue;
                }
            }
            let v = rt
                .val
                .as_deref()
                .ok_or(Fail::Unsupported("target".into()))?;
            let mut expr = self.expr(v)?;
            if expr.ty() == UNKNOWN {
                expr = self.coerce(expr, TEXT, -1, CastContext::Implicit, -1)?;
            }
            if expr.contains_agg() {
                return Err(Fail::Error(PgError::error(
                    code::GROUPING_ERROR,
                    "aggregate functions are not allowed in RETURNING",
                )));
            }
            let name = if rt.name.is_empty() {
                figure_colname(v)
            } else {
                rt.name.clone()
            };
            out.push(Target {
                expr,
                name,
                star: None,
            });
        }
        Ok(out)
    }

    fn column<'c>(
        &self,
        columns: &'c [ColumnDef],
        table: &str,
        name: &str,
        location: i32,
    ) -> R<&'c ColumnDef> {
        if let Some(v) = self
            .view
            .as_ref()
            .filter(|v| v.read_only.iter().any(|c| c == name))
        {
            return Err(Fail::Error(
                PgError::error(
                    code::FEATURE_NOT_SUPPORTED,
                    format!("cannot {} column \"{name}\" of view \"{}\"", v.verb, v.name),
                )
                .with_detail(
                    "View columns that are not columns of their base relation are not updatable.",
                ),
            ));
        }
        columns.iter().find(|c| c.name == name).ok_or_else(|| {
            self.error_at(
                PgError::error(
                    code::UNDEFINED_COLUMN,
                    format!("column \"{name}\" of relation \"{table}\" does not exist"),
                ),
                location,
            )
        })
    }

    /// An expression stored into a column: assignment coercion and typmod.
    fn assign(&mut self, e: Expr, col: &ColumnDef, location: i32) -> R<Expr> {
        let from = e.ty();
        match self.coerce(
            e,
            col.type_oid,
            col.typmod,
            CastContext::Assignment,
            location,
        ) {
            Err(Fail::Error(err)) if err.code == code::CANNOT_COERCE => Err(self.error_at(
                PgError::error(
                    code::DATATYPE_MISMATCH,
                    format!(
                        "column \"{}\" is of type {} but expression is of type {}",
                        col.name,
                        format_type(col.type_oid, -1),
                        ops::type_name(from)
                    ),
                )
                .with_hint("You will need to rewrite or cast the expression."),
                location,
            )),
            other => other,
        }
    }

    /// Some(true): a GENERATED ALWAYS identity column, None: another
    /// column (BY DEFAULT identity columns are told by their default only).
    fn identity_kind(&self, table: &str, column: &str) -> Option<bool> {
        self.schema.identity_always(table, column).then_some(true)
    }

    fn identity_always_error(&self, column: &str, location: i32) -> Fail {
        self.error_at(
            PgError::error(
                code::GENERATED_ALWAYS,
                format!("cannot insert a non-DEFAULT value into column \"{column}\""),
            )
            .with_detail(format!(
                "Column \"{column}\" is an identity column defined as GENERATED ALWAYS."
            ))
            .with_hint("Use OVERRIDING SYSTEM VALUE to override."),
            location,
        )
    }

    fn insert(&mut self, s: &pb::InsertStmt) -> R<Query> {
        let overriding_system = s.r#override == pb::OverridingKind::OverridingSystemValue as i32;
        let overriding_user = s.r#override == pb::OverridingKind::OverridingUserValue as i32;
        // `INSERT INTO t AS a`: the rel is named a (the target's columns
        // are written unqualified, so the alias needs no SQL of its own).
        let (table, _alias, columns) = self.target_table(&s.relation, false, "insert into")?;
        let access = match s.on_conflict_clause {
            Some(_) => Access::Modify,
            None => Access::Insert,
        };
        self.touch(&table, access);
        let mut targets: Vec<(ColumnDef, i32)> = Vec::new();
        for c in &s.cols {
            let Some(N::ResTarget(rt)) = c.node.as_ref() else {
                return unsupported("column");
            };
            if !rt.indirection.is_empty() {
                return unsupported("subscripted column");
            }
            let def = self
                .column(&columns, &table, &rt.name, rt.location)?
                .clone();
            if targets.iter().any(|(t, _)| t.name == def.name) {
                return Err(self.error_at(
                    PgError::error(
                        code::DUPLICATE_COLUMN,
                        format!("column \"{}\" specified more than once", def.name),
                    ),
                    rt.location,
                ));
            }
            targets.push((def, rt.location));
        }
        let explicit_columns = !targets.is_empty();
        if !explicit_columns {
            targets = columns.iter().map(|c| (c.clone(), -1)).collect();
        }
        let Some(N::SelectStmt(sel)) = node(&s.select_stmt) else {
            if s.on_conflict_clause.is_some() {
                return unsupported("DEFAULT VALUES with ON CONFLICT");
            }
            // DEFAULT VALUES
            let returning = self.returning(&s.returning_clause, false)?;
            self.scopes.pop();
            let (names, rows) = if self.schema.partitioned(&table) {
                // A view has no defaults: the table's, written out.
                let defaults = columns
                    .iter()
                    .map(|c| Expr::Default(self.schema.column_default(&table, &c.name), c.type_oid))
                    .collect();
                (
                    columns.iter().map(|c| c.name.clone()).collect(),
                    vec![defaults],
                )
            } else {
                (Vec::new(), Vec::new())
            };
            return Ok(Query::Insert {
                table,
                columns: names,
                rows: Some(rows),
                source: None,
                coerced: Vec::new(),
                on_conflict: None,
                returning,
            });
        };
        let mut names: Vec<String> = Vec::new();
        let query = if !sel.values_lists.is_empty()
            && sel.sort_clause.is_empty()
            && sel.limit_count.is_none()
            && sel.with_clause.is_none()
        {
            // VALUES rows: each value coerced to its column, DEFAULT kept
            // only where every row has it (then the column is left out).
            let mut rows: Vec<Vec<Option<Expr>>> = Vec::new();
            let width = targets.len();
            for row in &sel.values_lists {
                let Some(N::List(l)) = row.node.as_ref() else {
                    return unsupported("VALUES row");
                };
                if l.items.len() > width {
                    return Err(self.error_at(
                        PgError::error(
                            code::SYNTAX_ERROR,
                            "INSERT has more expressions than target columns",
                        ),
                        node_location(&l.items[width]),
                    ));
                }
                if explicit_columns && l.items.len() < width {
                    return Err(self.error_at(
                        PgError::error(
                            code::SYNTAX_ERROR,
                            "INSERT has more target columns than expressions",
                        ),
                        targets[l.items.len()].1,
                    ));
                }
                let mut out = Vec::new();
                for (i, item) in l.items.iter().enumerate() {
                    let identity = self.identity_kind(&table, &targets[i].0.name);
                    if matches!(item.node, Some(N::SetToDefault(_)))
                        || (overriding_user && identity.is_some())
                    {
                        out.push(None);
                        continue;
                    }
                    if identity == Some(true) && !overriding_system {
                        return Err(self.identity_always_error(&targets[i].0.name, -1));
                    }
                    let e = self.expr(item)?;
                    let col = targets[i].0.clone();
                    out.push(Some(self.assign(e, &col, node_location(item))?));
                }
                rows.push(out);
            }
            let used = rows.iter().map(|r| r.len()).max().unwrap_or(0);
            for (col, _) in &targets[..used.min(targets.len())] {
                self.note_column(&self.acl_target(&table), &col.name, crate::acl::INSERT);
            }
            let keep: Vec<usize> = (0..used)
                .filter(|&i| rows.iter().any(|r| r.get(i).is_some_and(|v| v.is_some())))
                .collect();
            for &i in &keep {
                names.push(targets[i].0.name.clone());
            }
            // DEFAULT where other rows give a value: the column's default
            // expression in that row.
            let defaults: Vec<Expr> = keep
                .iter()
                .map(|&i| {
                    let col = &targets[i].0;
                    Expr::Default(self.schema.column_default(&table, &col.name), col.type_oid)
                })
                .collect();
            let rows: Vec<Vec<Expr>> = rows
                .into_iter()
                .map(|r| {
                    keep.iter()
                        .enumerate()
                        .map(|(k, &i)| match r.get(i).cloned().flatten() {
                            Some(e) => e,
                            None => defaults[k].clone(),
                        })
                        .collect()
                })
                .collect();
            (Some(rows), None, Vec::new())
        } else {
            let saved = std::mem::take(&mut self.scopes);
            let q = self.select(sel, false);
            self.scopes = saved;
            let q = q?;
            if q.targets.len() > targets.len() {
                return Err(Fail::Error(PgError::error(
                    code::SYNTAX_ERROR,
                    "INSERT has more expressions than target columns",
                )));
            }
            if explicit_columns && q.targets.len() < targets.len() {
                return Err(Fail::Error(PgError::error(
                    code::SYNTAX_ERROR,
                    "INSERT has more target columns than expressions",
                )));
            }
            let mut coerced = Vec::new();
            for (i, t) in q.targets.iter().enumerate() {
                let col = targets[i].0.clone();
                if overriding_user && self.identity_kind(&table, &col.name).is_some() {
                    return unsupported("OVERRIDING USER VALUE with a SELECT");
                }
                if self.identity_kind(&table, &col.name) == Some(true) && !overriding_system {
                    return Err(self.identity_always_error(&col.name, -1));
                }
                let source = Expr::Column {
                    rel: Some("pm_source".into()),
                    name: format!("c{i}"),
                    ty: t.expr.ty(),
                    typmod: t.expr.typmod(),
                };
                coerced.push(self.assign(source, &col, -1)?);
                self.note_column(&self.acl_target(&table), &col.name, crate::acl::INSERT);
                names.push(col.name.clone());
            }
            (None, Some(Box::new(q)), coerced)
        };
        let mut query = query;
        if self.schema.partitioned(&table) {
            if s.on_conflict_clause.is_some() {
                return unsupported("ON CONFLICT on a partitioned table");
            }
            // A view has no defaults: the table's, written out.
            for c in &columns {
                if names.contains(&c.name) {
                    continue;
                }
                let d = Expr::Default(self.schema.column_default(&table, &c.name), c.type_oid);
                names.push(c.name.clone());
                match &mut query.0 {
                    Some(rows) => rows.iter_mut().for_each(|r| r.push(d.clone())),
                    None => query.2.push(d),
                }
            }
        }
        let on_conflict = match s.on_conflict_clause.as_deref() {
            Some(oc) => Some(self.on_conflict(oc, &table, &columns)?),
            None => None,
        };
        let returning = self.returning(&s.returning_clause, false)?;
        self.scopes.pop();
        Ok(Query::Insert {
            table,
            columns: names,
            rows: query.0,
            source: query.1,
            coerced: query.2,
            on_conflict,
            returning,
        })
    }

    /// ON CONFLICT (cols) DO NOTHING / DO UPDATE SET ... WHERE, with the
    /// proposed row as `excluded` (PostgreSQL: transformOnConflictClause).
    fn on_conflict(
        &mut self,
        oc: &pb::OnConflictClause,
        table: &str,
        columns: &[ColumnDef],
    ) -> R<OnConflict> {
        let mut target = Vec::new();
        let mut target_filter = None;
        if let Some(infer) = oc.infer.as_deref() {
            if !infer.conname.is_empty() {
                return unsupported("ON CONFLICT ON CONSTRAINT");
            }
            // Literals stay constants: SQLite matches the index by its
            // expressions, which a bound parameter would not match.
            self.literals_by_value = true;
            // Columns and expressions as the unique index has them (the
            // same generated SQL SQLite matches the index by), and the
            // partial index's WHERE.
            for e in &infer.index_elems {
                let Some(N::IndexElem(ie)) = e.node.as_ref() else {
                    return unsupported("ON CONFLICT target");
                };
                if !ie.collation.is_empty() || !ie.opclass.is_empty() {
                    return unsupported("ON CONFLICT target with a collation or operator class");
                }
                match ie.expr.as_deref() {
                    Some(x) => {
                        let e = self.expr(x)?;
                        if e.contains_agg() || e.contains_subquery() {
                            return unsupported("ON CONFLICT expression target");
                        }
                        target.push(e);
                    }
                    None => {
                        let col = self.column(columns, table, &ie.name, -1)?.clone();
                        self.note_column(table, &col.name, crate::acl::SELECT);
                        target.push(Expr::Column {
                            rel: None,
                            name: col.name,
                            ty: col.type_oid,
                            typmod: col.typmod,
                        });
                    }
                }
            }
            target_filter = self.where_filter(&infer.where_clause)?;
        }
        let update = oc.action == pb::OnConflictAction::OnconflictUpdate as i32;
        if update && target.is_empty() {
            return Err(Fail::Error(
                PgError::error(
                    code::SYNTAX_ERROR,
                    "ON CONFLICT DO UPDATE requires inference specification or constraint name",
                )
                .with_hint("For example, ON CONFLICT (column_name)."),
            ));
        }
        let mut sets = Vec::new();
        let mut filter = None;
        if update && table == "excluded" {
            // SQLite would read `excluded.c` as the table's own column.
            return unsupported("ON CONFLICT DO UPDATE on a table named excluded");
        }
        if update {
            // The existing row by the table's name, the proposed one as excluded.
            if let Some(scope) = self.scopes.last_mut() {
                scope.push(Rel {
                    alias: "excluded".into(),
                    qualifier: Some("excluded".into()),
                    sql_names: columns.iter().map(|c| c.name.clone()).collect(),
                    columns: columns.to_vec(),
                    // excluded.c needs SELECT on the target's column c.
                    acl_columns: Some(
                        columns
                            .iter()
                            .map(|c| vec![(table.to_string(), c.name.clone())])
                            .collect(),
                    ),
                    ..Default::default()
                });
            }
            sets = self.set_list(&oc.target_list, columns, table)?;
            filter = self.where_filter(&oc.where_clause)?;
            if let Some(scope) = self.scopes.last_mut() {
                scope.retain(|r| r.alias != "excluded");
            }
        }
        Ok(OnConflict {
            target,
            target_filter,
            update,
            sets,
            filter,
        })
    }

    /// A WHERE clause: a boolean condition.
    fn where_filter(&mut self, w: &Option<Box<pb::Node>>) -> R<Option<Expr>> {
        match w.as_deref() {
            Some(w) => {
                let e = self.expr(w)?;
                Ok(Some(self.coerce_bool(e, "WHERE")?))
            }
            None => Ok(None),
        }
    }

    /// `SET col = expr, ...` of UPDATE and ON CONFLICT DO UPDATE: each value
    /// assigned to its column's type.
    fn set_list(
        &mut self,
        list: &[pb::Node],
        columns: &[ColumnDef],
        table: &str,
    ) -> R<Vec<(String, Expr)>> {
        let mut sets = Vec::new();
        for t in list {
            let Some(N::ResTarget(rt)) = t.node.as_ref() else {
                return unsupported("SET item");
            };
            let col = self.column(columns, table, &rt.name, rt.location)?.clone();
            self.note_column(&self.acl_target(table), &col.name, crate::acl::UPDATE);
            if !rt.indirection.is_empty() {
                let e = self.subscripted_assignment(rt, &col)?;
                if sets.iter().any(|(n, _)| *n == col.name) {
                    return unsupported("several assignments to elements of one column");
                }
                sets.push((col.name.clone(), e));
                continue;
            }
            if sets.iter().any(|(n, _)| *n == col.name) {
                return Err(self.error_at(
                    PgError::error(
                        code::SYNTAX_ERROR,
                        format!("multiple assignments to same column \"{}\"", col.name),
                    ),
                    rt.location,
                ));
            }
            let mut v = rt.val.as_deref().ok_or(Fail::Unsupported("SET".into()))?;
            // SET (a, b) = (x, y): each column its item of the row.
            if let Some(N::MultiAssignRef(m)) = v.node.as_ref() {
                let item = match node(&m.source) {
                    Some(N::RowExpr(r)) if r.args.len() == m.ncolumns as usize => {
                        r.args.get((m.colno - 1) as usize)
                    }
                    Some(N::RowExpr(_)) => {
                        return Err(self.error_at(
                            PgError::error(
                                code::SYNTAX_ERROR,
                                "number of columns does not match number of values",
                            ),
                            m.source.as_deref().map_or(-1, node_location),
                        ))
                    }
                    Some(N::SubLink(_)) => None,
                    _ => {
                        return Err(self.error_at(
                            PgError::error(
                                code::FEATURE_NOT_SUPPORTED,
                                "source for a multiple-column UPDATE item must be a sub-SELECT or ROW() expression",
                            ),
                            m.source.as_deref().map_or(-1, node_location),
                        ))
                    }
                };
                match item {
                    Some(item) => v = item,
                    None => {
                        // SET (a, b) = (SELECT x, y ...): each column the
                        // sub-SELECT of its item (NULL without a row).
                        let Some(N::SubLink(sl)) = node(&m.source) else {
                            return unsupported("multiple assignment");
                        };
                        let Some(N::SelectStmt(sel)) = node(&sl.subselect) else {
                            return unsupported("multiple assignment from a subquery");
                        };
                        let mut q = self.select(sel, false)?;
                        if q.targets.len() != m.ncolumns as usize {
                            return Err(self.error_at(
                                PgError::error(
                                    code::SYNTAX_ERROR,
                                    "number of columns does not match number of values",
                                ),
                                sl.location,
                            ));
                        }
                        if q.distinct || q.compound.is_some() || !q.distinct_on.is_empty() {
                            return unsupported("multiple assignment from this subquery");
                        }
                        let mut t = q.targets.remove((m.colno - 1) as usize);
                        t.star = None;
                        let ty = t.expr.ty();
                        q.targets = vec![t];
                        let e = Expr::ScalarSub(Box::new(Query::Select(Box::new(q))), ty);
                        let e = self.assign(e, &col, sl.location)?;
                        sets.push((col.name.clone(), e));
                        continue;
                    }
                }
            }
            if matches!(v.node, Some(N::SetToDefault(_))) {
                let d = self.schema.column_default(table, &col.name);
                sets.push((col.name.clone(), Expr::Default(d, col.type_oid)));
                continue;
            }
            if self.identity_kind(table, &col.name) == Some(true) {
                return Err(self.error_at(
                    PgError::error(
                        code::GENERATED_ALWAYS,
                        format!("column \"{}\" can only be updated to DEFAULT", col.name),
                    )
                    .with_detail(format!(
                        "Column \"{}\" is an identity column defined as GENERATED ALWAYS.",
                        col.name
                    )),
                    -1,
                ));
            }
            let e = self.expr(v)?;
            if e.contains_agg() {
                return Err(self.error_at(
                    PgError::error(
                        code::GROUPING_ERROR,
                        "aggregate functions are not allowed in UPDATE",
                    ),
                    node_location(v),
                ));
            }
            let e = self.assign(e, &col, node_location(v))?;
            sets.push((col.name.clone(), e));
        }
        Ok(sets)
    }

    fn update(&mut self, s: &pb::UpdateStmt) -> R<Query> {
        let (table, alias, columns) = self.target_table(&s.relation, true, "update")?;
        self.touch(&table, Access::Modify);
        // UPDATE ... FROM: the other tables join the target's scope.
        let mut from = Vec::new();
        for f in &s.from_clause {
            from.push(self.range_item(f.node.as_ref())?);
            if matches!(
                from.last(),
                Some(FromItem::Lateral { .. } | FromItem::Rows { .. })
            ) {
                // (It must not see the target, which our scope shows.)
                return unsupported("LATERAL in UPDATE ... FROM");
            }
        }
        let mut sets = self.set_list(&s.target_list, &columns, &table)?;
        if self.schema.partitioned(&table) {
            // The INSTEAD OF trigger's OLD and NEW rows of an UPDATE ...
            // FROM have NULL in the columns the statement does not name:
            // assign every column, and the hidden ones.
            let qualifier = self
                .scopes
                .last()
                .and_then(|sc| sc.first())
                .and_then(|r| r.qualifier.clone());
            let hidden = [crate::partition::LEAF, crate::partition::ROWID].map(|n| ColumnDef {
                name: n.to_string(),
                type_oid: TEXT,
                typmod: -1,
            });
            for c in columns.iter().chain(&hidden) {
                if !sets.iter().any(|(n, _)| *n == c.name) {
                    sets.push((
                        c.name.clone(),
                        Expr::Column {
                            rel: qualifier.clone(),
                            name: c.name.clone(),
                            ty: c.type_oid,
                            typmod: c.typmod,
                        },
                    ));
                }
            }
        }
        let filter = match node(&s.where_clause) {
            Some(N::CurrentOfExpr(c)) if s.from_clause.is_empty() => {
                Some(self.current_of(c, &table)?)
            }
            _ => self.where_filter(&s.where_clause)?,
        };
        let filter = self.with_view_filter(filter);
        let q = Query::Update {
            table,
            alias,
            sets,
            from,
            filter,
            returning: Vec::new(),
        };
        self.with_returning(q, &s.returning_clause)
    }

    /// An UPDATE's or DELETE's RETURNING, in the target's scope (which it
    /// then leaves): SQLite's own, or, when other tables are joined in,
    /// [`Analyzer::returning_through_steps`].
    fn with_returning(&mut self, mut q: Query, r: &Option<pb::ReturningClause>) -> R<Query> {
        let (others, filter) = match &q {
            Query::Update { from, filter, .. } => (from, filter),
            Query::Delete { using, filter, .. } => (using, filter),
            _ => return unsupported("RETURNING"),
        };
        if !others.is_empty() && r.is_some() {
            let (others, filter) = (others.clone(), filter.clone());
            let returning = self.returning(r, true)?;
            let target = self.scopes.pop().and_then(|mut sc| sc.drain(..1).next());
            return self.returning_through_steps(q, returning, target, others, filter);
        }
        let list = self.returning(r, false)?;
        self.scopes.pop();
        if let Query::Update { returning, .. } | Query::Delete { returning, .. } = &mut q {
            *returning = list;
        }
        Ok(q)
    }

    /// RETURNING of an UPDATE ... FROM or DELETE ... USING, which may name
    /// the other tables that SQLite's RETURNING cannot see: two steps and
    /// a join. The first keeps, per target row the statement changes, its
    /// rowid and the other tables' columns RETURNING reads (one joined row
    /// per target row, as the statement uses one); the second is the
    /// statement itself, returning the rowid and the target's columns (new
    /// values for UPDATE, old for DELETE); RETURNING is computed over the
    /// two, joined on rowid.
    fn returning_through_steps(
        &mut self,
        mut q: Query,
        mut returning: Vec<Target>,
        target: Option<Rel>,
        others: Vec<FromItem>,
        filter: Option<Expr>,
    ) -> R<Query> {
        let Some(target) = target.filter(|t| !t.partitioned && t.exprs.is_none()) else {
            return unsupported("RETURNING of UPDATE ... FROM or DELETE ... USING on this table");
        };
        let (Some(qualifier), Some(table)) = (target.qualifier.clone(), target.table.clone())
        else {
            return unsupported("RETURNING of UPDATE ... FROM or DELETE ... USING on this table");
        };
        if returning.iter().any(|t| t.expr.contains_subquery()) {
            return unsupported("a subquery in RETURNING of UPDATE ... FROM or DELETE ... USING");
        }
        let n = self.dml.steps.len();
        let (old, new) = (format!("pm$ret{n}o"), format!("pm$ret{n}n"));
        let column = |rel: &str, i: usize, ty: u32, typmod: i32| Expr::Column {
            rel: Some(rel.to_string()),
            name: format!("c{i}"),
            ty,
            typmod,
        };
        let row_id = |rel: Option<String>| Expr::Column {
            rel,
            name: "rowid".into(),
            ty: INT8,
            typmod: -1,
        };
        // The other tables' columns RETURNING reads, each once.
        let mut picked: Vec<Expr> = Vec::new();
        for t in &mut returning {
            t.star = None;
            t.expr.walk_mut(&mut |e| {
                let Expr::Column {
                    rel,
                    name,
                    ty,
                    typmod,
                } = e
                else {
                    return;
                };
                let (ty, typmod) = (*ty, *typmod);
                if rel.as_deref() == Some(qualifier.as_str()) {
                    if let Some(i) = target.sql_names.iter().position(|c| c == name) {
                        *e = column(&new, i + 1, ty, typmod);
                    }
                    return;
                }
                let i = match picked.iter().position(|p| p == e) {
                    Some(i) => i,
                    None => {
                        picked.push(e.clone());
                        picked.len() - 1
                    }
                };
                *e = column(&old, i + 1, ty, typmod);
            });
        }
        let key = row_id(Some(qualifier.clone()));
        let mut targets = vec![Target {
            expr: key.clone(),
            name: "rowid".into(),
            star: None,
        }];
        targets.extend(picked.into_iter().map(|expr| Target {
            expr,
            name: "?column?".into(),
            star: None,
        }));
        let mut from = vec![FromItem::Table {
            name: table,
            alias: qualifier,
        }];
        from.extend(others);
        let matched = Select {
            targets,
            from,
            filter,
            group_by: vec![key],
            ..Default::default()
        };
        let mut changed = vec![Target {
            expr: row_id(None),
            name: "rowid".into(),
            star: None,
        }];
        changed.extend(
            target
                .columns
                .iter()
                .zip(&target.sql_names)
                .map(|(c, name)| Target {
                    expr: Expr::Column {
                        rel: None,
                        name: name.clone(),
                        ty: c.type_oid,
                        typmod: c.typmod,
                    },
                    name: c.name.clone(),
                    star: None,
                }),
        );
        if let Query::Update { returning, .. } | Query::Delete { returning, .. } = &mut q {
            *returning = changed;
        }
        self.dml.steps.push(DmlStep {
            table: old.clone(),
            width: matched.targets.len(),
            query: Query::Select(Box::new(matched)),
        });
        self.dml.steps.push(DmlStep {
            table: new.clone(),
            width: target.columns.len() + 1,
            query: q,
        });
        Ok(Query::Select(Box::new(Select {
            targets: returning,
            from: [&new, &old]
                .map(|t| FromItem::Table {
                    name: t.clone(),
                    alias: t.clone(),
                })
                .into(),
            filter: Some(Expr::Call {
                template: "($1 = $2)",
                args: vec![column(&new, 0, INT8, -1), column(&old, 0, INT8, -1)],
                ty: BOOL,
            }),
            order_by: vec![OrderItem {
                expr: row_id(Some(new.clone())),
                desc: false,
                nulls_first: false,
            }],
            ..Default::default()
        })))
    }

    fn delete(&mut self, s: &pb::DeleteStmt) -> R<Query> {
        let (table, alias, _) = self.target_table(&s.relation, true, "delete from")?;
        self.touch(&table, Access::Modify);
        // DELETE ... USING: the other tables join the target's scope.
        let mut using = Vec::new();
        for f in &s.using_clause {
            using.push(self.range_item(f.node.as_ref())?);
            if matches!(
                using.last(),
                Some(FromItem::Lateral { .. } | FromItem::Rows { .. })
            ) {
                return unsupported("LATERAL in DELETE ... USING");
            }
        }
        let filter = match node(&s.where_clause) {
            Some(N::CurrentOfExpr(c)) if s.using_clause.is_empty() => {
                Some(self.current_of(c, &table)?)
            }
            _ => self.where_filter(&s.where_clause)?,
        };
        let filter = self.with_view_filter(filter);
        let q = Query::Delete {
            table,
            alias,
            using,
            filter,
            returning: Vec::new(),
        };
        self.with_returning(q, &s.returning_clause)
    }

    // ------------------------------------------------------------ expressions

    fn expr(&mut self, n: &pb::Node) -> R<Expr> {
        let Some(n) = n.node.as_ref() else {
            return unsupported("empty expression");
        };
        match n {
            N::AConst(c) => self.constant(c),
            N::ColumnRef(c) => self.column_ref(c),
            N::ParamRef(p) => {
                let i = p.number as usize;
                if i == 0 {
                    return unsupported("parameter $0");
                }
                if self.params.len() < i {
                    self.params.resize(i, UNKNOWN);
                }
                Ok(Expr::Param(i, self.params[i - 1]))
            }
            N::TypeCast(tc) => {
                let arg = tc.arg.as_deref().ok_or(Fail::Unsupported("cast".into()))?;
                let tn = tc
                    .type_name
                    .as_ref()
                    .ok_or(Fail::Unsupported("cast".into()))?;
                let (oid, typmod) = self.type_name(tn)?;
                // `date '2024-01-01'` and `'1'::int` are typed literals.
                let e = match arg.node.as_ref() {
                    Some(N::AArrayExpr(a)) if array_element(oid).is_some() => {
                        self.array_expr(a, Some(oid), typmod)?
                    }
                    _ => self.expr(arg)?,
                };
                self.coerce(e, oid, typmod, CastContext::Explicit, tc.location)
            }
            N::AExpr(a) => self.a_expr(a),
            // COLLATE "C" / "POSIX" / "default": the byte order text already
            // has here; other collations are declined.
            N::CollateClause(c) => {
                let names: Vec<&str> = c.collname.iter().filter_map(str_of).collect();
                if !matches!(
                    names.as_slice(),
                    ["C"] | ["POSIX"] | ["default"] | ["pg_catalog", "C" | "POSIX" | "default"]
                ) {
                    return unsupported("COLLATE");
                }
                let arg = c
                    .arg
                    .as_deref()
                    .ok_or(Fail::Unsupported("COLLATE".into()))?;
                let e = self.expr(arg)?;
                match e.ty() {
                    TEXT | VARCHAR | BPCHAR | NAME | UNKNOWN => Ok(e),
                    t => Err(self.error_at(
                        PgError::error(
                            code::DATATYPE_MISMATCH,
                            format!("collations are not supported by type {}", ops::type_name(t)),
                        ),
                        c.location,
                    )),
                }
            }
            N::BoolExpr(b) => {
                let mut args = Vec::new();
                let what = match b.boolop {
                    x if x == pb::BoolExprType::AndExpr as i32 => "AND",
                    x if x == pb::BoolExprType::OrExpr as i32 => "OR",
                    _ => "NOT",
                };
                for a in &b.args {
                    let e = self.expr(a)?;
                    args.push(self.coerce_bool(e, what)?);
                }
                Ok(match what {
                    "AND" => Expr::And(args),
                    "OR" => Expr::Or(args),
                    _ => Expr::Not(Box::new(args.pop().ok_or(Fail::Unsupported("NOT".into()))?)),
                })
            }
            N::NullTest(t) => {
                let arg = t
                    .arg
                    .as_deref()
                    .ok_or(Fail::Unsupported("null test".into()))?;
                let mut e = self.expr(arg)?;
                if e.ty() == UNKNOWN {
                    e = self.coerce(e, TEXT, -1, CastContext::Implicit, -1)?;
                }
                Ok(Expr::IsNull(
                    Box::new(e),
                    t.nulltesttype == pb::NullTestType::IsNotNull as i32,
                ))
            }
            N::BooleanTest(t) => {
                let arg = t
                    .arg
                    .as_deref()
                    .ok_or(Fail::Unsupported("boolean test".into()))?;
                let e = self.expr(arg)?;
                let what = match t.booltesttype {
                    x if x == pb::BoolTestType::IsTrue as i32 => "IS TRUE",
                    x if x == pb::BoolTestType::IsNotTrue as i32 => "IS NOT TRUE",
                    x if x == pb::BoolTestType::IsFalse as i32 => "IS FALSE",
                    x if x == pb::BoolTestType::IsNotFalse as i32 => "IS NOT FALSE",
                    x if x == pb::BoolTestType::IsUnknown as i32 => "IS NULL",
                    _ => "IS NOT NULL",
                };
                let e = self.coerce_bool(e, what)?;
                Ok(Expr::BoolTest(Box::new(e), what))
            }
            N::FuncCall(f) => self.func_call(f),
            N::CaseExpr(c) => self.case(c),
            N::CoalesceExpr(c) => {
                let mut args = Vec::new();
                for a in &c.args {
                    args.push(self.expr(a)?);
                }
                let ty = self.common_type(
                    &args.iter().map(Expr::ty).collect::<Vec<_>>(),
                    "COALESCE",
                    c.location,
                )?;
                let args = self.coerce_all(args, ty)?;
                Ok(Expr::Coalesce(args, ty))
            }
            N::MinMaxExpr(m) => {
                let mut args = Vec::new();
                for a in &m.args {
                    args.push(self.expr(a)?);
                }
                let greatest = m.op == pb::MinMaxOp::IsGreatest as i32;
                let what = if greatest { "GREATEST" } else { "LEAST" };
                let ty = self.common_type(
                    &args.iter().map(Expr::ty).collect::<Vec<_>>(),
                    what,
                    m.location,
                )?;
                if !ordered_like_postgresql(ty) {
                    return unsupported("GREATEST/LEAST type");
                }
                let args = self.coerce_all(args, ty)?;
                Ok(Expr::MinMax { greatest, args, ty })
            }
            N::SubLink(s) => self.sublink(s),
            N::SqlvalueFunction(f) => self.sql_value_function(f),
            N::AArrayExpr(a) => self.array_expr(a, None, -1),
            N::AIndirection(i) => self.indirection(i),
            _ => unsupported("expression"),
        }
    }

    /// CURRENT_TIMESTAMP, CURRENT_DATE, LOCALTIMESTAMP, CURRENT_USER and
    /// the other keywords PostgreSQL's grammar turns into SQLValueFunction.
    fn sql_value_function(&mut self, f: &pb::SqlValueFunction) -> R<Expr> {
        use pb::SqlValueFunctionOp as O;
        let now = || Expr::Call {
            template: "now()",
            args: Vec::new(),
            ty: TIMESTAMPTZ,
        };
        let text_call = |template: &'static str| Expr::Call {
            template,
            args: Vec::new(),
            ty: NAME,
        };
        let op = f.op;
        let with_precision = |e: Expr| {
            if f.typmod >= 0 {
                Expr::Typmod {
                    arg: Box::new(e),
                    typmod: f.typmod.min(6),
                    explicit: true,
                }
            } else {
                e
            }
        };
        Ok(match op {
            x if x == O::SvfopCurrentTimestamp as i32 || x == O::SvfopCurrentTimestampN as i32 => {
                with_precision(now())
            }
            x if x == O::SvfopCurrentDate as i32 => {
                self.coerce(now(), DATE, -1, CastContext::Explicit, f.location)?
            }
            x if x == O::SvfopLocaltimestamp as i32 || x == O::SvfopLocaltimestampN as i32 => {
                let local = self.coerce(now(), TIMESTAMP, -1, CastContext::Explicit, f.location)?;
                with_precision(local)
            }
            x if x == O::SvfopCurrentUser as i32
                || x == O::SvfopCurrentRole as i32
                || x == O::SvfopUser as i32 =>
            {
                text_call("current_user()")
            }
            x if x == O::SvfopSessionUser as i32 => text_call("session_user()"),
            x if x == O::SvfopCurrentCatalog as i32 => text_call("current_database()"),
            x if x == O::SvfopCurrentSchema as i32 => text_call("current_schema()"),
            // CURRENT_TIME is timetz; LOCALTIME needs timestamp -> time.
            _ => return unsupported("SQL value function"),
        })
    }

    fn coerce_all(&mut self, args: Vec<Expr>, ty: u32) -> R<Vec<Expr>> {
        args.into_iter()
            .map(|a| self.coerce(a, ty, -1, CastContext::Implicit, -1))
            .collect()
    }

    fn constant(&mut self, c: &pb::AConst) -> R<Expr> {
        if c.isnull {
            return Ok(Expr::Unknown(String::new(), -2));
        }
        Ok(match &c.val {
            Some(a_const::Val::Ival(i)) => {
                let at = c.location.max(0) as usize;
                let v = i.ival as i64;
                let slot = self.literals.iter().position(|l| {
                    !self.literals_by_value && {
                        (l.offset == at && l.value == v)
                            || (l.minus_offset == Some(at) && l.value == -v)
                    }
                });
                match slot {
                    Some(k) => {
                        self.slot_negated[k] = Some(self.literals[k].offset != at);
                        Expr::Literal {
                            slot: k,
                            value: v,
                            ty: INT4,
                        }
                    }
                    None => Expr::Const(Value::Integer(v), INT4),
                }
            }
            Some(a_const::Val::Fval(f)) => {
                let text = &f.fval;
                let is_integer = text.bytes().all(|b| b.is_ascii_digit() || b == b'-');
                match text.parse::<i64>() {
                    // make_const: an integer too long for the lexer's int4
                    // (`-2147483648` after the grammar's negation) is int4
                    // when it fits, else int8.
                    Ok(v) if is_integer => Expr::Const(
                        Value::Integer(v),
                        if i32::try_from(v).is_ok() { INT4 } else { INT8 },
                    ),
                    _ => Expr::Const(
                        adt::input(NUMERIC, text).map_err(|e| self.error_at(e, c.location))?,
                        NUMERIC,
                    ),
                }
            }
            Some(a_const::Val::Sval(s)) => Expr::Unknown(s.sval.clone(), c.location),
            Some(a_const::Val::Boolval(b)) => Expr::Const(Value::Integer(b.boolval as i64), BOOL),
            _ => return unsupported("bit string"),
        })
    }

    fn column_ref(&mut self, c: &pb::ColumnRef) -> R<Expr> {
        let parts: Vec<&str> = c.fields.iter().filter_map(str_of).collect();
        if parts.len() != c.fields.len() {
            return unsupported("star in an expression");
        }
        let (table, name) = match parts.as_slice() {
            [name] => (None, *name),
            [t, name] => (Some(*t), *name),
            _ => return unsupported("qualified column"),
        };
        for scope in self.scopes.iter().rev() {
            let mut found: Vec<(&Rel, usize)> = Vec::new();
            let mut table_seen = false;
            for rel in scope {
                if table.is_some_and(|t| t != rel.alias) {
                    continue;
                }
                if table.is_none() && rel.hidden.iter().any(|h| h == name) {
                    continue;
                }
                table_seen = true;
                // (A name a rel has twice, as a join alias may, is ambiguous.)
                for (pos, _) in rel
                    .columns
                    .iter()
                    .enumerate()
                    .filter(|(_, col)| col.name == name)
                {
                    found.push((rel, pos));
                }
            }
            match found.len() {
                // The tableoid system column of the tables in scope.
                0 if name == "tableoid" && tables_named(scope, table).len() == 1 => {
                    let rel = tables_named(scope, table)[0];
                    if rel.partitioned && rel.qualifier.is_none() {
                        return unsupported("tableoid of an INSERT into a partitioned table");
                    }
                    return Ok(self.tableoid(rel));
                }
                0 if table.is_some() && table_seen => {
                    return Err(self.error_at(
                        PgError::error(
                            code::UNDEFINED_COLUMN,
                            format!("column {}.{name} does not exist", table.unwrap_or("")),
                        ),
                        c.location,
                    ))
                }
                0 if name != "tableoid" || tables_named(scope, table).is_empty() => continue,
                1 => {
                    let (rel, pos) = found[0];
                    self.note_read(rel, pos);
                    return Ok(rel_column(rel, pos));
                }
                _ => {
                    return Err(self.error_at(
                        PgError::error(
                            code::AMBIGUOUS_COLUMN,
                            format!("column reference \"{name}\" is ambiguous"),
                        ),
                        c.location,
                    ))
                }
            }
        }
        if let Some(t) = table {
            // The table's own name where an alias hides it.
            let aliased = self
                .scopes
                .iter()
                .flatten()
                .find(|r| r.table.as_deref() == Some(t) && r.alias != t)
                .map(|r| r.alias.clone());
            let e = match aliased {
                Some(alias) => PgError::error(
                    code::UNDEFINED_TABLE,
                    format!("invalid reference to FROM-clause entry for table \"{t}\""),
                )
                .with_hint(format!(
                    "Perhaps you meant to reference the table alias \"{alias}\"."
                )),
                None => PgError::error(
                    code::UNDEFINED_TABLE,
                    format!("missing FROM-clause entry for table \"{t}\""),
                ),
            };
            return Err(self.error_at(e, c.location));
        }
        let mut err = PgError::error(
            code::UNDEFINED_COLUMN,
            format!("column \"{name}\" does not exist"),
        );
        if let Some(hint) = self.similar_column(name) {
            err = err.with_hint(hint);
        }
        Err(self.error_at(err, c.location))
    }

    /// PostgreSQL's "Perhaps you meant to reference the column" hint: the
    /// closest column name by Levenshtein distance, when close enough.
    fn similar_column(&self, name: &str) -> Option<String> {
        let mut best: Option<(usize, String)> = None;
        for scope in &self.scopes {
            for rel in scope.iter().filter(|r| r.exprs.is_none()) {
                for col in &rel.columns {
                    let d = levenshtein(name, &col.name);
                    if d <= name.len().max(col.name.len()) / 2
                        && best.as_ref().is_none_or(|(b, _)| d < *b)
                    {
                        best = Some((d, format!("{}.{}", rel.alias, col.name)));
                    }
                }
            }
        }
        best.map(|(_, c)| format!("Perhaps you meant to reference the column \"{c}\"."))
    }

    fn a_expr(&mut self, a: &pb::AExpr) -> R<Expr> {
        use pb::AExprKind as K;
        let kind = a.kind;
        let name = name_parts(&a.name);
        let op = name.first().copied().unwrap_or("");
        if name.len() != 1 {
            return unsupported("qualified operator");
        }
        let lexpr = a.lexpr.as_deref();
        let rexpr = a.rexpr.as_deref();
        match kind {
            x if x == K::AexprOp as i32
                || x == K::AexprLike as i32
                || x == K::AexprIlike as i32 =>
            {
                let r = self.expr(rexpr.ok_or(Fail::Unsupported("operator".into()))?)?;
                match lexpr {
                    Some(l) => {
                        let l = self.expr(l)?;
                        self.binary_op(op, l, r, a.location)
                    }
                    None => self.prefix_op(op, r, a.location),
                }
            }
            x if x == K::AexprDistinct as i32 || x == K::AexprNotDistinct as i32 => {
                let l = self.expr(lexpr.ok_or(Fail::Unsupported("distinct".into()))?)?;
                let r = self.expr(rexpr.ok_or(Fail::Unsupported("distinct".into()))?)?;
                let eq = self.binary_op("=", l, r, a.location)?;
                match eq {
                    Expr::Call {
                        template: "($1 = $2)",
                        mut args,
                        ..
                    } => {
                        let r = args.pop().expect("two");
                        let l = args.pop().expect("two");
                        Ok(Expr::Distinct(
                            Box::new(l),
                            Box::new(r),
                            x == K::AexprDistinct as i32,
                        ))
                    }
                    _ => unsupported("IS DISTINCT FROM for this type"),
                }
            }
            x if x == K::AexprNullif as i32 => {
                let l = self.expr(lexpr.ok_or(Fail::Unsupported("nullif".into()))?)?;
                let r = self.expr(rexpr.ok_or(Fail::Unsupported("nullif".into()))?)?;
                let eq = self.binary_op("=", l.clone(), r, a.location)?;
                let ty = match l.ty() {
                    UNKNOWN => TEXT,
                    t => t,
                };
                let l = self.coerce(l, ty, -1, CastContext::Implicit, -1)?;
                Ok(Expr::Case {
                    whens: vec![(eq, Expr::Const(Value::Null, ty))],
                    default: Some(Box::new(l)),
                    ty,
                })
            }
            x if x == K::AexprIn as i32 => {
                let l = self.expr(lexpr.ok_or(Fail::Unsupported("IN".into()))?)?;
                let Some(N::List(list)) = rexpr.and_then(|r| r.node.as_ref()) else {
                    return unsupported("IN");
                };
                let negated = op == "<>";
                let mut terms = Vec::new();
                for item in &list.items {
                    let r = self.expr(item)?;
                    terms.push(self.binary_op("=", l.clone(), r, a.location)?);
                }
                let any = Expr::Or(terms);
                Ok(if negated {
                    Expr::Not(Box::new(any))
                } else {
                    any
                })
            }
            x if x == K::AexprBetween as i32 || x == K::AexprNotBetween as i32 => {
                let l = self.expr(lexpr.ok_or(Fail::Unsupported("BETWEEN".into()))?)?;
                let Some(N::List(list)) = rexpr.and_then(|r| r.node.as_ref()) else {
                    return unsupported("BETWEEN");
                };
                if list.items.len() != 2 {
                    return unsupported("BETWEEN");
                }
                let lo = self.expr(&list.items[0])?;
                let hi = self.expr(&list.items[1])?;
                let ge = self.binary_op(">=", l.clone(), lo, a.location)?;
                let le = self.binary_op("<=", l, hi, a.location)?;
                let both = Expr::And(vec![ge, le]);
                Ok(if x == K::AexprNotBetween as i32 {
                    Expr::Not(Box::new(both))
                } else {
                    both
                })
            }
            x if x == K::AexprOpAny as i32 || x == K::AexprOpAll as i32 => {
                self.array_quantified(a, x == K::AexprOpAll as i32)
            }
            _ => unsupported("operator kind"),
        }
    }

    fn no_operator(
        &self,
        op: &str,
        l: Option<u32>,
        r: u32,
        location: i32,
        ambiguous: bool,
    ) -> Fail {
        let shown = match l {
            Some(l) => format!("{} {op} {}", ops::type_name(l), ops::type_name(r)),
            None => format!("{op} {}", ops::type_name(r)),
        };
        let (sqlstate, message, hint) = if ambiguous {
            (
                code::AMBIGUOUS_FUNCTION,
                format!("operator is not unique: {shown}"),
                "Could not choose a best candidate operator. You might need to add explicit type casts.",
            )
        } else {
            (
                code::UNDEFINED_FUNCTION,
                format!("operator does not exist: {shown}"),
                "No operator matches the given name and argument types. You might need to add explicit type casts.",
            )
        };
        self.error_at(PgError::error(sqlstate, message).with_hint(hint), location)
    }

    pub(crate) fn binary_op(&mut self, op: &str, l: Expr, r: Expr, location: i32) -> R<Expr> {
        if let Some(e) = self.array_op(op, &l, &r, location)? {
            return Ok(e);
        }
        let (lt, rt) = (l.ty(), r.ty());
        for t in [lt, rt] {
            if t != UNKNOWN && !computable(t) {
                return unsupported("operator on a type the analyzer does not compute with");
            }
        }
        // text || anything: the other side's output function (textanycat).
        if op == "||" && (lt != rt) {
            let string = |t: u32| ops::category(t) == ops::Category::String;
            if (string(lt) || lt == UNKNOWN) && rt != UNKNOWN && !string(rt)
                || (string(rt) || rt == UNKNOWN) && lt != UNKNOWN && !string(lt)
            {
                let l = self.coerce(l, TEXT, -1, CastContext::Explicit, location)?;
                let r = self.coerce(r, TEXT, -1, CastContext::Explicit, location)?;
                return Ok(Expr::Call {
                    template: "($1 || $2)",
                    args: vec![l, r],
                    ty: TEXT,
                });
            }
        }
        let Some(cands) = ops::catalog().operators.get(op) else {
            return unsupported(format!("operator {op}"));
        };
        let binary: Vec<(usize, [u32; 2])> = cands
            .iter()
            .enumerate()
            .filter(|(_, o)| o.left != 0)
            .map(|(i, o)| (i, [o.left, o.right]))
            .collect();
        let chosen =
            ops::select_candidate(&[lt, rt], binary.iter().map(|(i, args)| (&args[..], *i)))
                .map_err(|_| self.no_operator(op, Some(lt), rt, location, true))?;
        let Some(i) = chosen else {
            // Date/time arithmetic the catalog does not have yet (timestamptz
            // - timestamptz, ...) is PostgreSQL's, not an error.
            if [lt, rt].contains(&TIMESTAMPTZ) {
                return unsupported(format!("operator {op} on timestamptz"));
            }
            return Err(self.no_operator(op, Some(lt), rt, location, false));
        };
        let o = &cands[i];
        if o.template == ops::NOT_YET {
            // Not the older translator: it would answer with SQLite's float.
            return Err(self.error_at(
                PgError::error(
                    code::FEATURE_NOT_SUPPORTED,
                    format!(
                        "operator {op} for types {} and {} is not supported",
                        ops::type_name(o.left),
                        ops::type_name(o.right)
                    ),
                ),
                location,
            ));
        }
        let l = self.coerce(l, o.left, -1, CastContext::Implicit, location)?;
        let r = self.coerce(r, o.right, -1, CastContext::Implicit, location)?;
        Ok(Expr::Call {
            template: o.template,
            args: vec![l, r],
            ty: o.result,
        })
    }

    fn prefix_op(&mut self, op: &str, r: Expr, location: i32) -> R<Expr> {
        let rt = r.ty();
        if rt != UNKNOWN && !computable(rt) {
            return unsupported("operator on a type the analyzer does not compute with");
        }
        // A negative numeric literal is a constant (PostgreSQL folds it in
        // the grammar for integers too: `-2147483648` is an int4).
        if op == "-" {
            if let Expr::Const(v, t) = &r {
                match (v, *t) {
                    (Value::Integer(i), INT4 | INT8) => {
                        if let Some(n) = i.checked_neg() {
                            let t = if i32::try_from(n).is_ok() { INT4 } else { INT8 };
                            return Ok(Expr::Const(Value::Integer(n), t));
                        }
                    }
                    (Value::Text(s), NUMERIC) if !s.starts_with('-') && s != "NaN" => {
                        return Ok(Expr::Const(Value::Text(format!("-{s}")), NUMERIC));
                    }
                    _ => {}
                }
            }
        }
        let Some(cands) = ops::catalog().operators.get(op) else {
            return unsupported(format!("operator {op}"));
        };
        let prefix: Vec<(usize, [u32; 1])> = cands
            .iter()
            .enumerate()
            .filter(|(_, o)| o.left == 0)
            .map(|(i, o)| (i, [o.right]))
            .collect();
        let chosen = ops::select_candidate(&[rt], prefix.iter().map(|(i, a)| (&a[..], *i)))
            .map_err(|_| self.no_operator(op, None, rt, location, true))?;
        let Some(i) = chosen else {
            return Err(self.no_operator(op, None, rt, location, false));
        };
        let o = &cands[i];
        let r = self.coerce(r, o.right, -1, CastContext::Implicit, location)?;
        Ok(Expr::Call {
            template: o.template,
            args: vec![r],
            ty: o.result,
        })
    }

    fn func_call(&mut self, f: &pb::FuncCall) -> R<Expr> {
        let name = name_parts(&f.funcname);
        if name.len() != 1 {
            return unsupported("qualified function");
        }
        let fname = name[0];
        if f.agg_within_group && f.over.is_none() && !f.func_variadic {
            return self.ordered_set(fname, f);
        }
        if fname == "string_agg" && f.agg_distinct && f.over.is_none() && !f.func_variadic {
            return self.string_agg_distinct(f);
        }
        if f.func_variadic && f.over.is_none() && matches!(fname, "concat" | "concat_ws" | "format")
        {
            return self.concat_variadic(fname, f);
        }
        if f.over.is_some() || f.agg_within_group || f.func_variadic {
            return unsupported("aggregate clause");
        }
        if matches!(fname, "concat" | "concat_ws" | "format") && !f.agg_star && !f.agg_distinct {
            if fname == "format" && f.args.is_empty() {
                return unsupported("format without arguments");
            }
            return self.concat(fname, f);
        }
        if fname == "pg_typeof" && f.args.len() == 1 && !f.agg_star && !f.agg_distinct {
            // The argument's type is known here: a constant, as PostgreSQL's
            // result for every row.
            let arg = self.expr(&f.args[0])?;
            let shown = if arg.ty() == UNKNOWN {
                "unknown".to_string()
            } else {
                crate::types::format_type(arg.ty(), -1)
            };
            return Ok(Expr::Const(Value::Text(shown), REGTYPE));
        }
        if let Some(e) = self.array_function(fname, f)? {
            return Ok(e);
        }
        let Some(cands) = ops::catalog().functions.get(fname) else {
            // `float8(x)`, `text(x)`: a type's name called on one argument
            // is that explicit cast (func_get_detail's coercion).
            if let [arg] = f.args.as_slice() {
                if BUILTIN_TYPE_NAMES.contains(&fname)
                    && !f.agg_star
                    && !f.agg_distinct
                    && f.agg_filter.is_none()
                    && f.agg_order.is_empty()
                    && !matches!(arg.node, Some(N::NamedArgExpr(_)))
                {
                    let tn = pb::TypeName {
                        names: vec![pb::Node {
                            node: Some(N::String(pb::String {
                                sval: fname.to_string(),
                            })),
                        }],
                        typemod: -1,
                        location: f.location,
                        ..Default::default()
                    };
                    let (oid, typmod) = self.type_name(&tn)?;
                    let e = self.expr(arg)?;
                    return self.coerce(e, oid, typmod, CastContext::Explicit, f.location);
                }
            }
            self.note_missing(fname, f);
            return unsupported(format!("function {fname}"));
        };
        let args = if fname == "make_interval" {
            self.make_interval_args(f)?
        } else {
            let mut args = Vec::new();
            for a in &f.args {
                if matches!(a.node, Some(N::NamedArgExpr(_))) {
                    return unsupported("named argument");
                }
                args.push(self.expr(a)?);
            }
            args
        };
        if let Some(e) = self.array_min_max(fname, f, &args)? {
            return Ok(e);
        }
        let types: Vec<u32> = args.iter().map(Expr::ty).collect();
        if types.iter().any(|&t| t != UNKNOWN && !computable(t))
            && !matches!(fname, "count" | "string_agg")
        {
            return unsupported("function on a type the analyzer does not compute with");
        }
        if f.agg_star {
            if fname != "count" || !args.is_empty() {
                return unsupported("star argument");
            }
            let filter = self.agg_filter(f)?;
            return Ok(Expr::Agg {
                template: "count(*)",
                args: Vec::new(),
                distinct: false,
                ty: INT8,
                filter,
                order: Vec::new(),
            });
        }
        let chosen = ops::select_candidate(&types, cands.iter().enumerate().map(|(i, c)| (c.args, i)))
            .map_err(|_| {
                self.error_at(
                    PgError::error(
                        code::AMBIGUOUS_FUNCTION,
                        format!("function {fname}({}) is not unique", type_list(&types)),
                    )
                    .with_hint("Could not choose a best candidate function. You might need to add explicit type casts."),
                    f.location,
                )
            })?;
        let Some(i) = chosen else {
            return Err(self.error_at(
                PgError::error(
                    code::UNDEFINED_FUNCTION,
                    format!("function {fname}({}) does not exist", type_list(&types)),
                )
                .with_hint("No function matches the given name and argument types. You might need to add explicit type casts."),
                f.location,
            ));
        };
        let func = &cands[i];
        if func.template == ops::NOT_YET {
            // Not the older translator: it would answer with SQLite's float.
            return Err(self.error_at(
                PgError::error(
                    code::FEATURE_NOT_SUPPORTED,
                    format!(
                        "function {fname}({}) is not supported",
                        type_list(func.args)
                    ),
                ),
                f.location,
            ));
        }
        let mut coerced = Vec::new();
        for (a, &t) in args.into_iter().zip(func.args) {
            coerced.push(self.coerce(a, t, -1, CastContext::Implicit, f.location)?);
        }
        if func.kind == FuncKind::Aggregate {
            if coerced.iter().any(Expr::contains_agg) {
                return Err(self.error_at(
                    PgError::error(
                        code::GROUPING_ERROR,
                        "aggregate function calls cannot be nested",
                    ),
                    f.location,
                ));
            }
            // min / max of the distinct values are min / max.
            let distinct = f.agg_distinct && !matches!(fname, "min" | "max");
            if distinct {
                // SQLite's DISTINCT compares stored values: PostgreSQL's
                // equality for every type but numeric and interval (count
                // compares their keys; see generate).
                let keyed = coerced.iter().any(|a| equality_needs_key(a.ty()));
                if keyed && !func.template.starts_with("count(") {
                    return Err(self.error_at(
                        PgError::error(
                            code::FEATURE_NOT_SUPPORTED,
                            format!("DISTINCT in aggregate {fname} over numeric or interval is not supported"),
                        ),
                        f.location,
                    ));
                }
                if coerced.len() != 1 || !plain_call(func.template) {
                    return unsupported("DISTINCT in this aggregate");
                }
            }
            if (f.agg_filter.is_some() || !f.agg_order.is_empty()) && !plain_call(func.template) {
                return unsupported("FILTER / ORDER BY in this aggregate");
            }
            let filter = self.agg_filter(f)?;
            let mut order = Vec::new();
            for o in &f.agg_order {
                let Some(N::SortBy(sb)) = o.node.as_ref() else {
                    return unsupported("aggregate ORDER BY");
                };
                let (desc, nulls_first) = sort_direction(sb)?;
                let e = self.expr(sb.node.as_deref().ok_or(Fail::Unsupported("sort".into()))?)?;
                if !ordered_like_postgresql(e.ty()) || e.contains_agg() {
                    return unsupported("aggregate ORDER BY of this type");
                }
                order.push(OrderItem {
                    expr: e,
                    desc,
                    nulls_first,
                });
            }
            if distinct && !order.is_empty() {
                return unsupported("DISTINCT with ORDER BY in an aggregate");
            }
            return Ok(Expr::Agg {
                template: func.template,
                args: coerced,
                distinct,
                ty: func.result,
                filter,
                order,
            });
        }
        if f.agg_filter.is_some() || !f.agg_order.is_empty() {
            return Err(self.error_at(
                PgError::error(
                    code::WRONG_OBJECT_TYPE,
                    format!("FILTER specified, but {fname} is not an aggregate function"),
                ),
                f.location,
            ));
        }
        if f.agg_distinct {
            return unsupported("DISTINCT in a function");
        }
        Ok(Expr::Call {
            template: func.template,
            args: coerced,
            ty: func.result,
        })
    }

    /// make_interval(years, months, weeks, days, hours, mins, secs), every
    /// argument defaulting to 0, by position or by name.
    fn make_interval_args(&mut self, f: &pb::FuncCall) -> R<Vec<Expr>> {
        const NAMES: [&str; 7] = ["years", "months", "weeks", "days", "hours", "mins", "secs"];
        let mut slots: Vec<Option<Expr>> = vec![None; 7];
        let mut named = false;
        for (i, a) in f.args.iter().enumerate() {
            let (slot, node) = match a.node.as_ref() {
                Some(N::NamedArgExpr(n)) => {
                    named = true;
                    let Some(pos) = NAMES.iter().position(|x| *x == n.name) else {
                        return Err(self.error_at(
                            PgError::error(
                                code::UNDEFINED_FUNCTION,
                                "function make_interval(...) does not exist with these argument names",
                            ),
                            f.location,
                        ));
                    };
                    (
                        pos,
                        n.arg
                            .as_deref()
                            .ok_or(Fail::Unsupported("named argument".into()))?,
                    )
                }
                _ if named => {
                    return Err(self.error_at(
                        PgError::error(
                            code::SYNTAX_ERROR,
                            "positional argument cannot follow named argument",
                        ),
                        node_location(a),
                    ))
                }
                _ => (i, a),
            };
            if slot >= 7 {
                return unsupported("make_interval with more than 7 arguments");
            }
            slots[slot] = Some(self.expr(node)?);
        }
        Ok(slots
            .into_iter()
            .enumerate()
            .map(|(i, e)| {
                e.unwrap_or(if i == 6 {
                    Expr::Const(Value::Real(0.0), FLOAT8)
                } else {
                    Expr::Const(Value::Integer(0), INT4)
                })
            })
            .collect())
    }

    /// An aggregate's FILTER (WHERE ...): boolean, no aggregates inside.
    /// An ordered-set or hypothetical-set aggregate `WITHIN GROUP (ORDER
    /// BY x)` ([`crate::ordered_set`]), with one ordering column.
    fn ordered_set(&mut self, fname: &str, f: &pb::FuncCall) -> R<Expr> {
        let [o] = f.agg_order.as_slice() else {
            return unsupported("WITHIN GROUP with several columns");
        };
        let Some(N::SortBy(sb)) = o.node.as_ref() else {
            return unsupported("WITHIN GROUP");
        };
        let (desc, nulls_first) = sort_direction(sb)?;
        let x = self.expr(sb.node.as_deref().ok_or(Fail::Unsupported("sort".into()))?)?;
        let x = if x.ty() == UNKNOWN {
            self.coerce(x, TEXT, -1, CastContext::Implicit, -1)?
        } else {
            x
        };
        let mut direct = Vec::new();
        for a in &f.args {
            direct.push(self.expr(a)?);
        }
        if x.contains_agg() || direct.iter().any(Expr::contains_agg) {
            return Err(self.error_at(
                PgError::error(
                    code::GROUPING_ERROR,
                    "aggregate function calls cannot be nested",
                ),
                f.location,
            ));
        }
        let flag = |b: bool| Expr::Const(Value::Integer(b as i64), INT4);
        let (template, ty, args) = match (fname, direct.len()) {
            ("percentile_cont", 1) if x.ty() != INTERVAL => {
                let p = direct.pop().expect("one");
                let p = self.coerce(p, FLOAT8, -1, CastContext::Implicit, f.location)?;
                let x = self.coerce(x, FLOAT8, -1, CastContext::Implicit, f.location)?;
                let key = self.sort_key(x.clone())?;
                (
                    "pm_percentile_cont($1, $2, $3, $4)",
                    FLOAT8,
                    vec![p, x, key, flag(desc)],
                )
            }
            ("percentile_disc", 1) => {
                let p = direct.pop().expect("one");
                let p = self.coerce(p, FLOAT8, -1, CastContext::Implicit, f.location)?;
                let ty = x.ty();
                let key = self.sort_key(x.clone())?;
                (
                    "pm_percentile_disc($1, $2, $3, $4)",
                    ty,
                    vec![p, x, key, flag(desc)],
                )
            }
            ("mode", 0) => {
                let ty = x.ty();
                let key = self.sort_key(x.clone())?;
                ("pm_mode($1, $2, $3)", ty, vec![x, key, flag(desc)])
            }
            ("rank" | "dense_rank" | "percent_rank" | "cume_dist", 1) => {
                let h = direct.pop().expect("one");
                let ty = self.common_type(&[h.ty(), x.ty()], "WITHIN GROUP", f.location)?;
                let ty = if ty == UNKNOWN { TEXT } else { ty };
                let h = self.coerce(h, ty, -1, CastContext::Implicit, f.location)?;
                let x = self.coerce(x, ty, -1, CastContext::Implicit, f.location)?;
                let (hk, xk) = (self.sort_key(h)?, self.sort_key(x)?);
                let (template, result) = match fname {
                    "rank" => ("pm_rank($1, $2, $3, $4)", INT8),
                    "dense_rank" => ("pm_dense_rank($1, $2, $3, $4)", INT8),
                    "percent_rank" => ("pm_percent_rank($1, $2, $3, $4)", FLOAT8),
                    _ => ("pm_cume_dist($1, $2, $3, $4)", FLOAT8),
                };
                (
                    template,
                    result,
                    vec![hk, xk, flag(desc), flag(nulls_first)],
                )
            }
            _ => {
                let mut types: Vec<u32> = direct.iter().map(Expr::ty).collect();
                types.push(x.ty());
                let known = ops::catalog().functions.get(fname);
                // PostgreSQL looks the function up with the direct and the
                // ordering arguments together.
                let e = match known {
                    Some(c) if c.iter().any(|c| c.args.len() == types.len()) || types.len() == 1 => {
                        PgError::error(
                            code::WRONG_OBJECT_TYPE,
                            format!("{fname} is not an ordered-set aggregate, so it cannot have WITHIN GROUP"),
                        )
                    }
                    _ => PgError::error(
                        code::UNDEFINED_FUNCTION,
                        format!("function {fname}({}) does not exist", type_list(&types)),
                    )
                    .with_hint("No function matches the given name and argument types. You might need to add explicit type casts."),
                };
                return Err(self.error_at(e, f.location));
            }
        };
        let filter = self.agg_filter(f)?;
        Ok(Expr::Agg {
            template,
            args,
            distinct: false,
            ty,
            filter,
            order: Vec::new(),
        })
    }

    /// What orders values of `e`'s type as PostgreSQL does, in SQLite's
    /// comparison of stored values.
    fn sort_key(&self, e: Expr) -> R<Expr> {
        if let Some(elem) = array_element(e.ty()) {
            // Arrays by array_cmp's order, never by their text.
            return Ok(Expr::Call {
                template: "pm_array_key($1, $2)",
                args: vec![e, Expr::Const(Value::Integer(elem as i64), INT4)],
                ty: BYTEA,
            });
        }
        let template = match e.ty() {
            NUMERIC => "pg_numeric_sortkey($1)",
            INTERVAL => "pg_interval_sortkey($1)",
            TIMETZ => "pg_timetz_sortkey($1)",
            BPCHAR => "rtrim($1, ' ')",
            CHAR => "pg_char_code($1)",
            REGCLASS => return unsupported("ordering regclass here"),
            t if ordered_like_postgresql(t) => return Ok(e),
            _ => return unsupported("ordering this type"),
        };
        let ty = e.ty();
        Ok(Expr::Call {
            template,
            args: vec![e],
            ty,
        })
    }

    fn agg_filter(&mut self, f: &pb::FuncCall) -> R<Option<Box<Expr>>> {
        let Some(w) = f.agg_filter.as_deref() else {
            return Ok(None);
        };
        let e = self.expr(w)?;
        if e.contains_agg() {
            return Err(self.error_at(
                PgError::error(
                    code::GROUPING_ERROR,
                    "aggregate functions are not allowed in FILTER",
                ),
                node_location(w),
            ));
        }
        Ok(Some(Box::new(self.coerce_bool(e, "FILTER")?)))
    }

    /// concat(VARIADIC "any") and concat_ws(text, VARIADIC "any"): every
    /// argument by its output function, NULLs skipped.
    fn concat(&mut self, fname: &str, f: &pb::FuncCall) -> R<Expr> {
        if fname == "concat_ws" && f.args.is_empty() {
            return unsupported("concat_ws without arguments");
        }
        let mut args = Vec::new();
        for a in &f.args {
            let e = self.expr(a)?;
            if e.ty() != UNKNOWN && !computable(e.ty()) {
                return unsupported("concat of a type the analyzer does not compute with");
            }
            // The output function: boolean is t/f here, not the cast's true.
            let e = if e.ty() == BOOL {
                Expr::Call {
                    template: "CASE WHEN $1 THEN 't' WHEN NOT $1 THEN 'f' END",
                    args: vec![e],
                    ty: TEXT,
                }
            } else {
                self.coerce(e, TEXT, -1, CastContext::Explicit, f.location)?
            };
            args.push(e);
        }
        Ok(Expr::Call {
            template: match fname {
                "concat" => "pg_concat($*)",
                "format" => "pg_format($*)",
                _ => "pg_concat_ws($*)",
            },
            args,
            ty: TEXT,
        })
    }

    fn case(&mut self, c: &pb::CaseExpr) -> R<Expr> {
        let arg = match c.arg.as_deref() {
            Some(a) => Some(self.expr(a)?),
            None => None,
        };
        let mut conds = Vec::new();
        let mut results = Vec::new();
        for w in &c.args {
            let Some(N::CaseWhen(cw)) = w.node.as_ref() else {
                return unsupported("CASE");
            };
            let cond = self.expr(cw.expr.as_deref().ok_or(Fail::Unsupported("WHEN".into()))?)?;
            let cond = match &arg {
                Some(a) => self.binary_op("=", a.clone(), cond, cw.location)?,
                None => self.coerce_bool(cond, "CASE/WHEN")?,
            };
            conds.push(cond);
            results.push(
                self.expr(
                    cw.result
                        .as_deref()
                        .ok_or(Fail::Unsupported("THEN".into()))?,
                )?,
            );
        }
        let default = match c.defresult.as_deref() {
            Some(d) => Some(self.expr(d)?),
            None => None,
        };
        let mut types: Vec<u32> = results.iter().map(Expr::ty).collect();
        if let Some(d) = &default {
            types.push(d.ty());
        }
        let ty = self.common_type(&types, "CASE", c.location)?;
        let results = self.coerce_all(results, ty)?;
        let default = match default {
            Some(d) => Some(Box::new(self.coerce(
                d,
                ty,
                -1,
                CastContext::Implicit,
                -1,
            )?)),
            None => None,
        };
        Ok(Expr::Case {
            whens: conds.into_iter().zip(results).collect(),
            default,
            ty,
        })
    }

    fn sublink(&mut self, s: &pb::SubLink) -> R<Expr> {
        use pb::SubLinkType as T;
        let Some(N::SelectStmt(sel)) = node(&s.subselect) else {
            return unsupported("subquery");
        };
        let q = self.select(sel, false)?;
        match s.sub_link_type {
            x if x == T::ExistsSublink as i32 => {
                Ok(Expr::Exists(Box::new(Query::Select(Box::new(q)))))
            }
            x if x == T::ExprSublink as i32 => {
                if q.targets.len() != 1 {
                    return Err(self.error_at(
                        PgError::error(code::SYNTAX_ERROR, "subquery must return only one column"),
                        s.location,
                    ));
                }
                let ty = q.targets[0].expr.ty();
                Ok(Expr::ScalarSub(Box::new(Query::Select(Box::new(q))), ty))
            }
            x if x == T::ArraySublink as i32 => self.array_sublink(q, s.location),
            x if (x == T::AnySublink as i32 || x == T::AllSublink as i32)
                && q.targets.len() == 1
                && (x == T::AllSublink as i32
                    || !matches!(name_parts(&s.oper_name).as_slice(), [] | ["="])) =>
            {
                // op ANY / op ALL: true, false or NULL as PostgreSQL's
                // ScalarArrayOp-like subplan gives them.
                let op = name_parts(&s.oper_name);
                let [op] = op.as_slice() else {
                    return unsupported("ANY subquery");
                };
                let l = self.expr(
                    s.testexpr
                        .as_deref()
                        .ok_or(Fail::Unsupported("ANY".into()))?,
                )?;
                let column = Expr::Column {
                    rel: Some("pm_q".into()),
                    name: q.targets[0].name.clone(),
                    ty: q.targets[0].expr.ty(),
                    typmod: q.targets[0].expr.typmod(),
                };
                let cmp = self.binary_op(op, l.clone(), column, s.location)?;
                if cmp.ty() != BOOL {
                    return unsupported("ANY subquery");
                }
                Ok(Expr::QuantSub {
                    left: Box::new(l),
                    cmp: Box::new(cmp),
                    query: Box::new(Query::Select(Box::new(q))),
                    all: x == T::AllSublink as i32,
                })
            }
            x if x == T::AnySublink as i32
                && q.targets.len() > 1
                && matches!(name_parts(&s.oper_name).as_slice(), [] | ["="]) =>
            {
                // (a, b) IN (SELECT x, y ...): a row compares true when every
                // column does, NULL when none is false and one is NULL.
                let Some(N::RowExpr(row)) = s.testexpr.as_deref().and_then(|n| n.node.as_ref())
                else {
                    return unsupported("ANY subquery");
                };
                if row.args.len() != q.targets.len() {
                    let message = if row.args.len() < q.targets.len() {
                        "subquery has too many columns"
                    } else {
                        "subquery has too few columns"
                    };
                    return Err(
                        self.error_at(PgError::error(code::SYNTAX_ERROR, message), s.location)
                    );
                }
                let names: Vec<&str> = q.targets.iter().map(|t| t.name.as_str()).collect();
                if names
                    .iter()
                    .enumerate()
                    .any(|(i, n)| names[..i].contains(n))
                {
                    return unsupported("ANY subquery with duplicate column names");
                }
                let mut cmps = Vec::new();
                let mut first = None;
                for (arg, t) in row.args.iter().zip(&q.targets) {
                    let mut l = self.expr(arg)?;
                    // An untyped literal takes the column's type (its input
                    // function's error now, not a comparison of text).
                    if l.ty() == UNKNOWN && t.expr.ty() != UNKNOWN {
                        l = self.coerce(l, t.expr.ty(), -1, CastContext::Implicit, s.location)?;
                    }
                    first.get_or_insert_with(|| l.clone());
                    let column = Expr::Column {
                        rel: Some("pm_q".into()),
                        name: t.name.clone(),
                        ty: t.expr.ty(),
                        typmod: t.expr.typmod(),
                    };
                    let cmp = self.binary_op("=", l, column, s.location)?;
                    if cmp.ty() != BOOL {
                        return unsupported("ANY subquery");
                    }
                    cmps.push(cmp);
                }
                Ok(Expr::QuantSub {
                    left: Box::new(first.expect("a row of several columns")),
                    cmp: Box::new(Expr::And(cmps)),
                    query: Box::new(Query::Select(Box::new(q))),
                    all: false,
                })
            }
            x if x == T::AnySublink as i32 => {
                let op = name_parts(&s.oper_name);
                if !(op.is_empty() || op == ["="]) || q.targets.len() != 1 {
                    return unsupported("ANY subquery");
                }
                let l = self.expr(
                    s.testexpr
                        .as_deref()
                        .ok_or(Fail::Unsupported("IN".into()))?,
                )?;
                let sub_ty = q.targets[0].expr.ty();
                let probe = Expr::Const(Value::Null, sub_ty);
                let eq = self.binary_op("=", l.clone(), probe, s.location)?;
                match eq {
                    Expr::Call {
                        template: "($1 = $2)",
                        mut args,
                        ..
                    } => {
                        args.pop();
                        let left = args.pop().expect("left");
                        if left.ty() == sub_ty {
                            return Ok(Expr::InSub(
                                Box::new(left),
                                Box::new(Query::Select(Box::new(q))),
                                false,
                            ));
                        }
                    }
                    Expr::Call { .. } => {}
                    _ => return unsupported("IN subquery for this type"),
                }
                // Other types (int4 IN int8, numeric, ...): = ANY, each
                // row compared by the type's own `=`.
                let column = Expr::Column {
                    rel: Some("pm_q".into()),
                    name: q.targets[0].name.clone(),
                    ty: sub_ty,
                    typmod: q.targets[0].expr.typmod(),
                };
                let cmp = self.binary_op("=", l.clone(), column, s.location)?;
                if cmp.ty() != BOOL {
                    return unsupported("IN subquery for this type");
                }
                Ok(Expr::QuantSub {
                    left: Box::new(l),
                    cmp: Box::new(cmp),
                    query: Box::new(Query::Select(Box::new(q))),
                    all: false,
                })
            }
            _ => unsupported("subquery kind"),
        }
    }

    fn coerce_bool(&mut self, e: Expr, context: &str) -> R<Expr> {
        let t = e.ty();
        if t == BOOL {
            return Ok(e);
        }
        if t == UNKNOWN {
            return self.coerce(e, BOOL, -1, CastContext::Implicit, -1);
        }
        Err(Fail::Error(PgError::error(
            code::DATATYPE_MISMATCH,
            format!(
                "argument of {context} must be type boolean, not type {}",
                ops::type_name(t)
            ),
        )))
    }

    /// coerce_type(): `e` as type `to` (typmod `typmod`) in `context`.
    pub(crate) fn coerce(
        &mut self,
        e: Expr,
        to: u32,
        typmod: i32,
        context: CastContext,
        location: i32,
    ) -> R<Expr> {
        // `tableoid::regclass`: the name the oid was looked up by.
        if let Expr::Call { template, args, .. } = &e {
            if to == REGCLASS && *template == ops::REGCLASS_TO_OID {
                return Ok(args[0].clone());
            }
        }
        let from = e.ty();
        let explicit = context == CastContext::Explicit;
        let with_typmod = |e: Expr| -> R<Expr> {
            let base = array_element(to).unwrap_or(to);
            if typmod < 0
                || !matches!(
                    base,
                    VARCHAR | BPCHAR | NUMERIC | TIME | TIMETZ | TIMESTAMP | TIMESTAMPTZ | INTERVAL
                )
            {
                return Ok(e);
            }
            if let Expr::Const(v, t) = e {
                return Ok(Expr::Const(adt::apply_typmod(to, typmod, v, explicit)?, t));
            }
            Ok(Expr::Typmod {
                arg: Box::new(e),
                typmod,
                explicit,
            })
        };
        if from == to {
            if typmod >= 0 && e.typmod() == typmod {
                return Ok(e);
            }
            return with_typmod(e);
        }
        let e = match self.array_coerce(e, to, typmod, context, location)? {
            Ok(done) => return Ok(done),
            Err(e) => e,
        };
        if !storable(to) {
            return unsupported("type the analyzer does not know");
        }
        match e {
            Expr::Unknown(text, loc) => {
                if loc == -2 {
                    // NULL
                    return Ok(Expr::Const(Value::Null, to));
                }
                if matches!(to, DATE | TIMESTAMP | TIMESTAMPTZ) && adt::is_relative_time(&text) {
                    // `now`, `today`, ...: read when the statement runs, not
                    // into a translation that later statements reuse.
                    adt::input(to, &text).map_err(|err| self.error_at(err, loc))?;
                    return with_typmod(Expr::Call {
                        template: "pg_datetime_in($1, $2)",
                        args: vec![
                            Expr::Const(Value::Text(text), TEXT),
                            Expr::Const(Value::Integer(to as i64), INT4),
                        ],
                        ty: to,
                    });
                }
                if to == INTERVAL {
                    // The typmod decides what a bare number means
                    // (`interval '2' hour`), so it is read with it.
                    let v = crate::interval::input_value(&text, typmod)
                        .map_err(|err| self.error_at(err, loc))?;
                    return Ok(Expr::Const(v, to));
                }
                let v = adt::input(to, &text).map_err(|err| self.error_at(err, loc))?;
                with_typmod(Expr::Const(v, to))
            }
            Expr::Param(i, UNKNOWN) => {
                self.params[i - 1] = to;
                with_typmod(Expr::Param(i, to))
            }
            e => {
                if !computable(from) || !computable(to) {
                    return unsupported("cast between types the analyzer does not compute with");
                }
                let cast = ops::find_cast(from, to, context).or_else(|| {
                    // I/O conversion casts: anything to a string type by
                    // assignment, a string to anything explicitly.
                    let string = |t| ops::category(t) == ops::Category::String;
                    if string(to) && context >= CastContext::Assignment {
                        ops::find_cast(from, TEXT, CastContext::Assignment)
                    } else if string(from) && explicit {
                        ops::find_cast(TEXT, to, CastContext::Explicit)
                    } else {
                        None
                    }
                });
                let Some(cast) = cast else {
                    return Err(self.cannot_cast(from, to, location));
                };
                let e = if cast.template == "$1" {
                    retype(e, to)
                } else {
                    Expr::Call {
                        template: cast.template,
                        args: vec![e],
                        ty: to,
                    }
                };
                with_typmod(e)
            }
        }
    }

    /// A type name as PostgreSQL resolves it: oid and typmod.
    fn type_name(&self, tn: &pb::TypeName) -> R<(u32, i32)> {
        if tn.setof || tn.pct_type {
            return unsupported("SETOF / %TYPE");
        }
        if !tn.array_bounds.is_empty() {
            // `int[]`, `int[3][3]`: the element's array type (the bounds
            // are documentation, as in PostgreSQL), its typmod the element's.
            let element = pb::TypeName {
                array_bounds: Vec::new(),
                ..tn.clone()
            };
            let (elem, typmod) = self.type_name(&element)?;
            let ty = crate::array::array_of(elem);
            if ty == 0 || array_element(ty).is_none() {
                return unsupported("array of this element type");
            }
            return Ok((ty, typmod));
        }
        let parts = name_parts(&tn.names);
        let name = parts.join(".");
        let mods: Vec<i64> = tn
            .typmods
            .iter()
            .filter_map(|m| match m.node.as_ref() {
                Some(N::AConst(pb::AConst {
                    val: Some(a_const::Val::Ival(i)),
                    ..
                })) => Some(i.ival as i64),
                _ => None,
            })
            .collect();
        if mods.len() != tn.typmods.len() {
            return unsupported("type modifier");
        }
        let oid = match name.as_str() {
            "bool" | "boolean" => BOOL,
            "int2" | "smallint" => INT2,
            "int4" | "int" | "integer" => INT4,
            "int8" | "bigint" => INT8,
            "float4" | "real" => FLOAT4,
            "float8" => FLOAT8,
            "float" => match mods.first() {
                Some(&p) if p <= 24 => FLOAT4,
                _ => FLOAT8,
            },
            "numeric" | "decimal" => NUMERIC,
            "text" => TEXT,
            "varchar" => VARCHAR,
            "bpchar" => BPCHAR,
            // Only the quoted "char" reaches here (char is bpchar).
            "char" => CHAR,
            "regtype" => REGTYPE,
            "regclass" => REGCLASS,
            "oid" => OID,
            "name" => NAME,
            "date" => DATE,
            "timestamp" => TIMESTAMP,
            "timestamptz" => TIMESTAMPTZ,
            "interval" => INTERVAL,
            "time" => TIME,
            "timetz" => TIMETZ,
            "uuid" => UUID,
            "bytea" => BYTEA,
            _ => {
                if oid_for_type_name(&name) != TEXT
                    || crate::catalog::is_catalog(&name)
                    || parts.len() > 1
                {
                    return unsupported("type");
                }
                if BUILTIN_TYPE_NAMES.contains(&name.as_str()) {
                    // PostgreSQL has it; we do not yet: never text instead.
                    return Err(self.error_at(
                        PgError::error(
                            code::FEATURE_NOT_SUPPORTED,
                            format!("type {name} is not supported"),
                        ),
                        tn.location,
                    ));
                }
                return Err(self.error_at(
                    PgError::error(
                        code::UNDEFINED_OBJECT,
                        format!("type \"{name}\" does not exist"),
                    ),
                    tn.location,
                ));
            }
        };
        let typmod = match (oid, mods.as_slice()) {
            (_, []) => -1,
            (VARCHAR | BPCHAR, [n]) => {
                if *n < 1 || *n > 10_485_760 {
                    return Err(self.error_at(
                        PgError::error(
                            code::INVALID_PARAMETER_VALUE,
                            format!(
                                "length for type {} must be at least 1",
                                if oid == VARCHAR { "varchar" } else { "char" }
                            ),
                        ),
                        tn.location,
                    ));
                }
                (*n + 4) as i32
            }
            (NUMERIC, [p]) | (NUMERIC, [p, _]) => {
                let s = mods.get(1).copied().unwrap_or(0);
                if !(1..=1000).contains(p) {
                    return Err(self.error_at(
                        PgError::error(
                            code::INVALID_PARAMETER_VALUE,
                            format!("NUMERIC precision {p} must be between 1 and 1000"),
                        ),
                        tn.location,
                    ));
                }
                if !(-1000..=1000).contains(&s) {
                    return Err(self.error_at(
                        PgError::error(
                            code::INVALID_PARAMETER_VALUE,
                            format!("NUMERIC scale {s} must be between -1000 and 1000"),
                        ),
                        tn.location,
                    ));
                }
                (((*p << 16) | (s & 0x7ff)) + 4) as i32
            }
            (FLOAT4 | FLOAT8, [_]) => -1,
            // time(p), timestamp(p): fractional digits, at most 6.
            (TIME | TIMETZ | TIMESTAMP | TIMESTAMPTZ, [p]) if *p >= 0 => (*p).min(6) as i32,
            (INTERVAL, mods) => {
                crate::interval::typmod_in(mods).map_err(|e| self.error_at(e, tn.location))?
            }
            _ => return unsupported("type modifier"),
        };
        Ok((oid, typmod))
    }
}

/// The expression of a rel's column `pos`: the stored column, or a join's
/// merged column.
/// The rels of a scope that scan a table, under `qualifier` if given.
fn tables_named<'r>(scope: &'r [Rel], qualifier: Option<&str>) -> Vec<&'r Rel> {
    scope
        .iter()
        .filter(|r| r.table.is_some() && qualifier.is_none_or(|t| t == r.alias))
        .collect()
}

fn rel_column(rel: &Rel, pos: usize) -> Expr {
    if let Some(exprs) = &rel.exprs {
        return exprs[pos].clone();
    }
    let col = &rel.columns[pos];
    Expr::Column {
        rel: rel.qualifier.clone(),
        name: rel.sql_names[pos].clone(),
        ty: col.type_oid,
        typmod: col.typmod,
    }
}

/// A view made before views were analyzed (see `Schema::is_legacy_view`).
pub fn legacy_view(name: &str) -> PgError {
    PgError::error(
        code::OBJECT_NOT_IN_PREREQUISITE_STATE,
        format!("view \"{name}\" was created by an earlier version of this server"),
    )
    .with_detail("Its query was kept as translated for SQLite, without PostgreSQL's analysis, and could answer with SQLite's meaning.")
    .with_hint(format!("Recreate it with CREATE OR REPLACE VIEW {name} AS ..."))
}

/// Targets written out one by one (their names or expressions changed).
fn clear_star(targets: &mut [Target]) {
    for t in targets {
        t.star = None;
    }
}

/// An expression relabelled with a binary-compatible type (varchar to text).
fn retype(e: Expr, to: u32) -> Expr {
    match e {
        Expr::Literal { slot, value, .. } => Expr::Literal {
            slot,
            value,
            ty: to,
        },
        Expr::Const(v, _) => Expr::Const(v, to),
        Expr::Param(i, _) => Expr::Param(i, to),
        Expr::Column { rel, name, .. } => Expr::Column {
            rel,
            name,
            ty: to,
            typmod: -1,
        },
        other => Expr::Call {
            template: "$1",
            args: vec![other],
            ty: to,
        },
    }
}

/// Types whose SQLite order (as stored or computed) is PostgreSQL's
/// order; numeric is ordered through its sort key by the generator.
fn ordered_like_postgresql(t: u32) -> bool {
    array_element(t).is_some()
        || matches!(
            t,
            BOOL | INT2
                | INT4
                | INT8
                | FLOAT4
                | FLOAT8
                | NUMERIC
                | TEXT
                | VARCHAR
                | DATE
                | TIMESTAMP
                | NAME
                | BPCHAR
                | INTERVAL
                | TIME
                | CHAR
                | OID
                | REGCLASS
                | TIMETZ
        )
}

/// Whether a FROM item has a reference to WITH query `name` on the
/// nullable side of an outer join (`nullable`: the item is on one).
fn outer_join_reference(n: &pb::Node, name: &str, nullable: bool) -> bool {
    match n.node.as_ref() {
        Some(N::RangeVar(rv)) => nullable && rv.schemaname.is_empty() && rv.relname == name,
        Some(N::JoinExpr(j)) => {
            let (left, right) = match j.jointype {
                x if x == pb::JoinType::JoinLeft as i32 => (false, true),
                x if x == pb::JoinType::JoinRight as i32 => (true, false),
                x if x == pb::JoinType::JoinFull as i32 => (true, true),
                _ => (false, false),
            };
            j.larg
                .as_deref()
                .is_some_and(|l| outer_join_reference(l, name, nullable || left))
                || j.rarg
                    .as_deref()
                    .is_some_and(|r| outer_join_reference(r, name, nullable || right))
        }
        _ => false,
    }
}

/// The table a FROM item names under `alias`, if it is a table.
fn table_of(f: &FromItem, alias: Option<&str>) -> Option<String> {
    match f {
        FromItem::Table { name, alias: a } if Some(a.as_str()) == alias => Some(name.clone()),
        FromItem::Join { left, right, .. } => {
            table_of(left, alias).or_else(|| table_of(right, alias))
        }
        _ => None,
    }
}

fn check_ungrouped(e: &Expr, groups: &[Expr], bad: &mut Option<(Option<String>, String)>) {
    if groups.contains(e) {
        return;
    }
    match e {
        Expr::Agg { .. } => {}
        Expr::Column { rel, name, .. } => {
            if bad.is_none() {
                *bad = Some((rel.clone(), name.clone()));
            }
        }
        Expr::ScalarSub(..) | Expr::Exists(_) | Expr::Default(..) => {}
        Expr::InSub(a, _, _) => check_ungrouped(a, groups, bad),
        Expr::QuantSub { left, .. } => check_ungrouped(left, groups, bad),
        Expr::Call { args, .. }
        | Expr::And(args)
        | Expr::Or(args)
        | Expr::Coalesce(args, _)
        | Expr::MinMax { args, .. } => {
            for a in args {
                check_ungrouped(a, groups, bad);
            }
        }
        Expr::Typmod { arg, .. }
        | Expr::Not(arg)
        | Expr::IsNull(arg, _)
        | Expr::BoolTest(arg, _) => check_ungrouped(arg, groups, bad),
        Expr::Distinct(a, b, _) => {
            check_ungrouped(a, groups, bad);
            check_ungrouped(b, groups, bad);
        }
        Expr::Case { whens, default, .. } => {
            for (w, t) in whens {
                check_ungrouped(w, groups, bad);
                check_ungrouped(t, groups, bad);
            }
            if let Some(d) = default {
                check_ungrouped(d, groups, bad);
            }
        }
        Expr::Const(..) | Expr::Unknown(..) | Expr::Param(..) | Expr::Literal { .. } => {}
    }
}

fn type_list(types: &[u32]) -> String {
    types
        .iter()
        .map(|&t| ops::type_name(t))
        .collect::<Vec<_>>()
        .join(", ")
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

fn node_location(n: &pb::Node) -> i32 {
    match n.node.as_ref() {
        Some(N::AConst(c)) => c.location,
        Some(N::ColumnRef(c)) => c.location,
        Some(N::AExpr(a)) => a.location,
        Some(N::FuncCall(f)) => f.location,
        Some(N::TypeCast(t)) => t.location,
        Some(N::ParamRef(p)) => p.location,
        Some(N::SortBy(s)) => s.node.as_deref().map_or(s.location, node_location),
        _ => -1,
    }
}

/// FigureColname(): the result column name PostgreSQL gives an expression.
pub fn figure_colname(n: &pb::Node) -> String {
    figure(n).map_or_else(|| "?column?".to_string(), |(name, _)| name)
}

/// A name and its strength (2: a real name, 1: a fallback such as a
/// type name or "case"), as FigureColnameInternal() ranks them.
fn figure(n: &pb::Node) -> Option<(String, u8)> {
    let strong = |s: &str| Some((s.to_string(), 2));
    match n.node.as_ref()? {
        N::ColumnRef(c) => c.fields.last().and_then(str_of).and_then(strong),
        N::FuncCall(f) => f.funcname.last().and_then(str_of).and_then(strong),
        N::TypeCast(t) => match t.arg.as_deref().and_then(figure) {
            Some((name, 2)) => Some((name, 2)),
            _ => t
                .type_name
                .as_ref()
                .and_then(|tn| tn.names.last())
                .and_then(str_of)
                .map(|s| (s.to_string(), 1)),
        },
        N::CaseExpr(c) => match c.defresult.as_deref().and_then(figure) {
            Some((name, 2)) => Some((name, 2)),
            _ => Some(("case".into(), 1)),
        },
        N::CoalesceExpr(_) => strong("coalesce"),
        N::MinMaxExpr(m) => strong(if m.op == pb::MinMaxOp::IsGreatest as i32 {
            "greatest"
        } else {
            "least"
        }),
        N::AExpr(a) if a.kind == pb::AExprKind::AexprNullif as i32 => strong("nullif"),
        N::SqlvalueFunction(f) => {
            use pb::SqlValueFunctionOp as O;
            let name = match f.op {
                x if x == O::SvfopCurrentDate as i32 => "current_date",
                x if x == O::SvfopCurrentTime as i32 || x == O::SvfopCurrentTimeN as i32 => {
                    "current_time"
                }
                x if x == O::SvfopCurrentTimestamp as i32
                    || x == O::SvfopCurrentTimestampN as i32 =>
                {
                    "current_timestamp"
                }
                x if x == O::SvfopLocaltime as i32 || x == O::SvfopLocaltimeN as i32 => "localtime",
                x if x == O::SvfopLocaltimestamp as i32 || x == O::SvfopLocaltimestampN as i32 => {
                    "localtimestamp"
                }
                x if x == O::SvfopCurrentRole as i32 => "current_role",
                x if x == O::SvfopCurrentUser as i32 => "current_user",
                x if x == O::SvfopSessionUser as i32 => "session_user",
                x if x == O::SvfopUser as i32 => "user",
                x if x == O::SvfopCurrentCatalog as i32 => "current_catalog",
                _ => "current_schema",
            };
            strong(name)
        }
        N::SubLink(s) => match s.sub_link_type {
            x if x == pb::SubLinkType::ExistsSublink as i32 => strong("exists"),
            x if x == pb::SubLinkType::ArraySublink as i32 => strong("array"),
            x if x == pb::SubLinkType::ExprSublink as i32 => match node(&s.subselect) {
                Some(N::SelectStmt(sel)) => {
                    sel.target_list.first().and_then(|t| match t.node.as_ref() {
                        Some(N::ResTarget(rt)) if !rt.name.is_empty() => strong(&rt.name),
                        Some(N::ResTarget(rt)) => rt.val.as_deref().and_then(figure),
                        _ => None,
                    })
                }
                _ => None,
            },
            _ => None,
        },
        // ARRAY[...] is named like a function.
        N::AArrayExpr(_) => strong("array"),
        // x[1], (row).field: the last field name, else the subscripted
        // expression's name.
        N::AIndirection(i) => match i.indirection.iter().rev().find_map(str_of) {
            Some(field) => strong(field),
            None => i.arg.as_deref().and_then(figure),
        },
        _ => None,
    }
}

/// Type names PostgreSQL 15 has built in (pg_type.typname, and the SQL
/// spellings the grammar leaves as written).
const BUILTIN_TYPE_NAMES: &[&str] = &[
    "bool",
    "bytea",
    "char",
    "name",
    "int8",
    "int2",
    "int2vector",
    "int4",
    "regproc",
    "text",
    "oid",
    "tid",
    "xid",
    "cid",
    "oidvector",
    "json",
    "xml",
    "pg_node_tree",
    "point",
    "lseg",
    "path",
    "box",
    "polygon",
    "line",
    "float4",
    "float8",
    "circle",
    "money",
    "macaddr",
    "inet",
    "cidr",
    "macaddr8",
    "aclitem",
    "bpchar",
    "varchar",
    "date",
    "time",
    "timestamp",
    "timestamptz",
    "interval",
    "timetz",
    "bit",
    "varbit",
    "numeric",
    "refcursor",
    "regprocedure",
    "regoper",
    "regoperator",
    "regclass",
    "regcollation",
    "regtype",
    "regrole",
    "regnamespace",
    "uuid",
    "pg_lsn",
    "tsvector",
    "gtsvector",
    "tsquery",
    "regconfig",
    "regdictionary",
    "jsonb",
    "jsonpath",
    "txid_snapshot",
    "pg_snapshot",
    "int4range",
    "numrange",
    "tsrange",
    "tstzrange",
    "daterange",
    "int8range",
    "int4multirange",
    "nummultirange",
    "tsmultirange",
    "tstzmultirange",
    "datemultirange",
    "int8multirange",
    "record",
    "cstring",
    "void",
    "serial",
    "bigserial",
    "smallserial",
    "serial2",
    "serial4",
    "serial8",
    "int",
    "integer",
    "smallint",
    "bigint",
    "real",
    "float",
    "double precision",
    "decimal",
    "boolean",
    "character",
    "character varying",
    "xid8",
];

/// Column types of CREATE TABLE / ALTER TABLE ADD COLUMN must exist:
/// 42704 `type "x" does not exist` at the type name, as PostgreSQL.
pub fn check_column_types(stmt: &pb::RawStmt, sql: &str) -> Result<(), PgError> {
    let mut defs: Vec<&pb::ColumnDef> = Vec::new();
    match stmt.stmt.as_ref().and_then(|n| n.node.as_ref()) {
        Some(N::CreateStmt(c)) => {
            for e in &c.table_elts {
                if let Some(N::ColumnDef(d)) = e.node.as_ref() {
                    defs.push(d);
                }
            }
        }
        Some(N::AlterTableStmt(a)) => {
            for cmd in &a.cmds {
                if let Some(N::AlterTableCmd(c)) = cmd.node.as_ref() {
                    if let Some(N::ColumnDef(d)) = node(&c.def) {
                        defs.push(d);
                    }
                }
            }
        }
        _ => return Ok(()),
    }
    for d in defs {
        let Some(tn) = &d.type_name else { continue };
        let parts = name_parts(&tn.names);
        let name = parts.join(".");
        if parts.len() == 1 && !BUILTIN_TYPE_NAMES.contains(&name.as_str()) {
            let mut err = PgError::error(
                code::UNDEFINED_OBJECT,
                format!("type \"{name}\" does not exist"),
            );
            let at = tn.location;
            if at >= 0 && (at as usize) <= sql.len() && sql.is_char_boundary(at as usize) {
                err = err.at(sql[..at as usize].chars().count() as u32 + 1);
            }
            return Err(err);
        }
    }
    Ok(())
}
