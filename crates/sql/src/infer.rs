//! PostgreSQL types for what SQLite leaves untyped: result columns that
//! are expressions (`n * 2`, `sum(n)`) and `$n` parameters.
//!
//! PostgreSQL resolves both at parse analysis; SQLite knows only the
//! declared type of a plain column. We walk the sqlparser AST of the
//! original PostgreSQL statement: literals, casts and function results give
//! types by themselves; column references get the declared type of the
//! column from a [`Catalog`] (the session's SQLite schema); a parameter
//! takes the type of what it is compared with, assigned to, inserted into
//! or cast to. What stays unknown is `None` and the caller decides (text,
//! or the class of the first value).

use std::ops::ControlFlow;

use sqlparser::ast::{
    AssignmentTarget, BinaryOperator, Expr, FunctionArg, FunctionArgExpr, FunctionArguments,
    InTarget, LimitClause, ObjectName, ObjectNamePart, Query, SelectItem, SetExpr, Statement,
    TableFactor, TableObject, UnaryOperator, Value, Visit, Visitor,
};

use crate::types;

/// Column types of tables, by name.
pub trait Catalog {
    /// The columns of `table` with their PostgreSQL types, in table order
    /// (empty when there is no such table).
    fn columns(&self, table: &str) -> Vec<(String, u32)>;
}

/// A catalog that knows no tables: types from the text alone.
pub struct NoCatalog;

impl Catalog for NoCatalog {
    fn columns(&self, _table: &str) -> Vec<(String, u32)> {
        Vec::new()
    }
}

/// A table in scope: its name, its alias, and its columns.
struct TableRef {
    name: String,
    alias: Option<String>,
    columns: Vec<(String, u32)>,
}

/// The tables a statement mentions, to resolve column references.
pub struct Scope<'a> {
    catalog: &'a dyn Catalog,
    tables: Vec<TableRef>,
}

/// The last part of a possibly schema-qualified name, as PostgreSQL folds it.
fn base_name(name: &ObjectName) -> String {
    // information_schema.X is the emulated view information_schema_X.
    if let [ObjectNamePart::Identifier(schema), ObjectNamePart::Identifier(rel)] = name.0.as_slice()
    {
        if schema.value.eq_ignore_ascii_case("information_schema") {
            return format!("information_schema_{}", rel.value.to_ascii_lowercase());
        }
    }
    match name.0.last() {
        Some(ObjectNamePart::Identifier(i)) if i.quote_style.is_some() => i.value.clone(),
        Some(ObjectNamePart::Identifier(i)) => i.value.to_ascii_lowercase(),
        Some(other) => other.to_string().to_ascii_lowercase(),
        None => String::new(),
    }
}

impl<'a> Scope<'a> {
    /// Every table the statement names (FROM, JOIN, INSERT/UPDATE/DELETE
    /// targets, subqueries alike: a flat scope is enough for typing).
    pub fn of(statement: &Statement, catalog: &'a dyn Catalog) -> Scope<'a> {
        struct Tables(Vec<(String, Option<String>)>);
        impl Visitor for Tables {
            type Break = ();
            fn pre_visit_table_factor(&mut self, t: &TableFactor) -> ControlFlow<()> {
                if let TableFactor::Table { name, alias, .. } = t {
                    self.0.push((
                        base_name(name),
                        alias.as_ref().map(|a| a.name.value.clone()),
                    ));
                }
                ControlFlow::Continue(())
            }
        }
        let mut found = Tables(Vec::new());
        if let Statement::Insert(i) = statement {
            if let TableObject::TableName(name) = &i.table {
                found.0.push((base_name(name), None));
            }
        }
        let _ = statement.visit(&mut found);
        let tables = found
            .0
            .into_iter()
            .map(|(name, alias)| TableRef {
                columns: catalog.columns(&name),
                name,
                alias,
            })
            .collect();
        Scope { catalog, tables }
    }

    /// A scope with no tables.
    pub fn empty() -> Scope<'static> {
        Scope {
            catalog: &NoCatalog,
            tables: Vec::new(),
        }
    }

    /// The type of column `column` of the table named or aliased `qualifier`
    /// (any table in scope when None).
    fn column_type(&self, qualifier: Option<&str>, column: &str) -> Option<u32> {
        self.tables
            .iter()
            .filter(|t| match qualifier {
                Some(q) => t
                    .alias
                    .as_deref()
                    .unwrap_or(&t.name)
                    .eq_ignore_ascii_case(q),
                None => true,
            })
            .find_map(|t| {
                t.columns
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(column))
                    .map(|(_, oid)| *oid)
            })
    }

    fn table_columns(&self, table: &str) -> Vec<(String, u32)> {
        self.catalog.columns(table)
    }

    /// The PostgreSQL type of an expression, when known.
    pub fn expr_type(&self, e: &Expr) -> Option<u32> {
        Some(match e {
            Expr::Identifier(i) => return self.column_type(None, &i.value),
            Expr::CompoundIdentifier(parts) => {
                let n = parts.len();
                let qualifier = (n >= 2).then(|| parts[n - 2].value.as_str());
                return self.column_type(qualifier, &parts.last()?.value);
            }
            Expr::Value(v) => match &v.value {
                Value::Number(n, _) => {
                    if n.contains(['.', 'e', 'E']) {
                        types::NUMERIC
                    } else if n.parse::<i32>().is_ok() {
                        types::INT4
                    } else if n.parse::<i64>().is_ok() {
                        types::INT8
                    } else {
                        types::NUMERIC
                    }
                }
                Value::Boolean(_) => types::BOOL,
                Value::SingleQuotedString(_) | Value::EscapedStringLiteral(_) | Value::Null => {
                    types::TEXT
                }
                _ => return None,
            },
            Expr::Cast { data_type, .. } => types::oid_for_type_name(&data_type.to_string()),
            Expr::Nested(inner) => return self.expr_type(inner),
            Expr::UnaryOp {
                op: UnaryOperator::Not,
                ..
            } => types::BOOL,
            Expr::UnaryOp { expr, .. } => return self.expr_type(expr),
            Expr::IsNull(_)
            | Expr::IsNotNull(_)
            | Expr::IsTrue(_)
            | Expr::IsFalse(_)
            | Expr::IsNotTrue(_)
            | Expr::IsNotFalse(_)
            | Expr::IsDistinctFrom(..)
            | Expr::IsNotDistinctFrom(..)
            | Expr::In { .. }
            | Expr::Between { .. }
            | Expr::Like { .. }
            | Expr::ILike { .. }
            | Expr::Exists { .. } => types::BOOL,
            Expr::BinaryOp { left, op, right } => match op {
                BinaryOperator::Eq
                | BinaryOperator::NotEq
                | BinaryOperator::Lt
                | BinaryOperator::LtEq
                | BinaryOperator::Gt
                | BinaryOperator::GtEq
                | BinaryOperator::And
                | BinaryOperator::Or => types::BOOL,
                BinaryOperator::StringConcat => types::TEXT,
                BinaryOperator::Plus
                | BinaryOperator::Minus
                | BinaryOperator::Multiply
                | BinaryOperator::Divide
                | BinaryOperator::Modulo => {
                    return numeric_result(self.expr_type(left)?, self.expr_type(right)?)
                }
                _ => return None,
            },
            Expr::Case {
                conditions,
                else_result,
                ..
            } => {
                return conditions
                    .iter()
                    .map(|w| &w.result)
                    .chain(else_result.as_deref())
                    .find_map(|r| {
                        self.expr_type(r)
                            .filter(|t| *t != types::TEXT || !is_null(r))
                    })
            }
            Expr::Subquery(q) => match first_projection(&q.body)?.first()? {
                SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                    return self.expr_type(e)
                }
                _ => return None,
            },
            Expr::Function(f) => return self.function_type(&base_name(&f.name), &f.args),
            _ => return None,
        })
    }

    fn function_type(&self, name: &str, args: &FunctionArguments) -> Option<u32> {
        let first = || first_arg(args).and_then(|a| self.expr_type(a));
        Some(match name {
            "count" => types::INT8,
            "sum" => match first()? {
                types::INT2 | types::INT4 => types::INT8,
                types::FLOAT4 | types::FLOAT8 => types::FLOAT8,
                _ => types::NUMERIC,
            },
            "avg" => match first()? {
                types::FLOAT4 | types::FLOAT8 => types::FLOAT8,
                _ => types::NUMERIC,
            },
            "min" | "max" | "abs" | "coalesce" | "nullif" | "greatest" | "least"
            | "generate_series" => return first(),
            "round" | "trunc" | "ceil" | "ceiling" | "floor" => match first()? {
                types::FLOAT4 | types::FLOAT8 => types::FLOAT8,
                _ => types::NUMERIC,
            },
            "version" | "lower" | "upper" | "concat" | "concat_ws" | "substr" | "substring"
            | "replace" | "trim" | "btrim" | "ltrim" | "rtrim" | "repeat" | "md5" | "to_char"
            | "initcap" | "lpad" | "rpad" | "left" | "right" | "reverse" | "split_part"
            | "string_agg" | "quote_ident" | "quote_literal" | "format" => types::TEXT,
            "current_database" | "current_user" | "session_user" | "user" | "current_role"
            | "current_schema" | "current_catalog" => types::NAME,
            "pg_backend_pid" | "length" | "char_length" | "octet_length" | "strpos"
            | "position" => types::INT4,
            "pg_sleep" | "pg_background_detach" => types::VOID,
            "pg_background_launch" => types::INT4,
            "pg_background_result" => types::TEXT,
            "now"
            | "current_timestamp"
            | "transaction_timestamp"
            | "statement_timestamp"
            | "clock_timestamp" => types::TIMESTAMPTZ,
            "localtimestamp" => types::TIMESTAMP,
            "current_date" => types::DATE,
            "random" => types::FLOAT8,
            "bool_and"
            | "bool_or"
            | "every"
            | "pg_cancel_backend"
            | "pg_terminate_backend"
            | "pg_reload_conf" => types::BOOL,
            _ => return None,
        })
    }
}

fn is_null(e: &Expr) -> bool {
    matches!(e, Expr::Value(v) if v.value == Value::Null)
}

/// The result type of arithmetic on two numeric types (the wider one).
fn numeric_result(l: u32, r: u32) -> Option<u32> {
    let rank = |t| match t {
        types::INT2 => 1,
        types::INT4 => 2,
        types::INT8 => 3,
        types::NUMERIC => 4,
        types::FLOAT4 => 5,
        types::FLOAT8 => 6,
        _ => 0,
    };
    if rank(l) == 0 || rank(r) == 0 {
        return None;
    }
    Some(if rank(l) >= rank(r) { l } else { r })
}

pub(crate) fn first_projection(body: &SetExpr) -> Option<&Vec<SelectItem>> {
    match body {
        SetExpr::Select(s) => Some(&s.projection),
        SetExpr::Query(q) => first_projection(&q.body),
        SetExpr::SetOperation { left, .. } => first_projection(left),
        _ => None,
    }
}

pub(crate) fn first_arg(args: &FunctionArguments) -> Option<&Expr> {
    match args {
        FunctionArguments::List(list) => list.args.first().and_then(|a| match a {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
            _ => None,
        }),
        _ => None,
    }
}

/// The projection (or RETURNING list) whose columns a statement returns.
pub(crate) fn result_items(statement: &Statement) -> Option<&Vec<SelectItem>> {
    match statement {
        Statement::Query(q) => first_projection(&q.body),
        Statement::Insert(i) => i.returning.as_ref(),
        Statement::Update(u) => u.returning.as_ref(),
        Statement::Delete(d) => d.returning.as_ref(),
        _ => None,
    }
}

/// Types of the result columns, one per select item, when no item is a
/// wildcard (None: nothing known about the list).
pub fn result_types(statement: &Statement, catalog: &dyn Catalog) -> Option<Vec<Option<u32>>> {
    let items = result_items(statement)?;
    let scope = Scope::of(statement, catalog);
    items
        .iter()
        .map(|item| match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                Some(scope.expr_type(e))
            }
            _ => None,
        })
        .collect()
}

/// The parameter number of `$n` (1-based), looking through parentheses.
fn placeholder(e: &Expr) -> Option<usize> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::Placeholder(p) => p.strip_prefix('$')?.parse().ok(),
            _ => None,
        },
        Expr::Nested(inner) => placeholder(inner),
        _ => None,
    }
}

/// Types of parameters `$1..=$count` from the places they are used.
pub fn parameter_types(
    statement: &Statement,
    count: usize,
    catalog: &dyn Catalog,
) -> Vec<Option<u32>> {
    let scope = Scope::of(statement, catalog);
    let mut found = Params {
        scope: &scope,
        types: vec![None; count],
    };
    match statement {
        Statement::Insert(i) => {
            if let (TableObject::TableName(table), Some(source)) = (&i.table, &i.source) {
                let table_columns = scope.table_columns(&base_name(table));
                let targets: Vec<Option<u32>> = if i.columns.is_empty() {
                    table_columns.iter().map(|(_, t)| Some(*t)).collect()
                } else {
                    i.columns
                        .iter()
                        .map(|c| {
                            let c = base_name(c);
                            table_columns
                                .iter()
                                .find(|(n, _)| n.eq_ignore_ascii_case(&c))
                                .map(|(_, t)| *t)
                        })
                        .collect()
                };
                if let SetExpr::Values(values) = source.body.as_ref() {
                    for row in &values.rows {
                        for (e, t) in row.iter().zip(&targets) {
                            found.set(e, *t);
                        }
                    }
                }
            }
        }
        Statement::Update(u) => {
            for a in &u.assignments {
                if let AssignmentTarget::ColumnName(c) = &a.target {
                    found.set(&a.value, scope.column_type(None, &base_name(c)));
                }
            }
        }
        _ => {}
    }
    let _ = statement.visit(&mut found);
    found.types
}

struct Params<'s, 'c> {
    scope: &'s Scope<'c>,
    types: Vec<Option<u32>>,
}

impl Params<'_, '_> {
    /// If `e` is a parameter not yet typed, gives it type `t`.
    fn set(&mut self, e: &Expr, t: Option<u32>) {
        if let (Some(n), Some(t)) = (placeholder(e), t) {
            if let Some(slot @ None) = self.types.get_mut(n.wrapping_sub(1)) {
                *slot = Some(t);
            }
        }
    }

    /// `a op b`, `a IN (b, ...)`: each parameter side takes the other's type.
    fn pair(&mut self, a: &Expr, b: &Expr) {
        self.set(a, self.scope.expr_type(b));
        self.set(b, self.scope.expr_type(a));
    }
}

impl Visitor for Params<'_, '_> {
    type Break = ();

    fn pre_visit_query(&mut self, q: &Query) -> ControlFlow<()> {
        match &q.limit_clause {
            Some(LimitClause::LimitOffset { limit, offset, .. }) => {
                if let Some(l) = limit {
                    self.set(l, Some(types::INT8));
                }
                if let Some(o) = offset {
                    self.set(&o.value, Some(types::INT8));
                }
            }
            Some(LimitClause::OffsetCommaLimit { offset, limit }) => {
                self.set(offset, Some(types::INT8));
                self.set(limit, Some(types::INT8));
            }
            None => {}
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
        match e {
            Expr::Cast {
                expr, data_type, ..
            } => self.set(expr, Some(types::oid_for_type_name(&data_type.to_string()))),
            Expr::BinaryOp { left, op, right } => match op {
                BinaryOperator::StringConcat => {
                    self.set(left, Some(types::TEXT));
                    self.set(right, Some(types::TEXT));
                }
                BinaryOperator::And | BinaryOperator::Or => {
                    self.set(left, Some(types::BOOL));
                    self.set(right, Some(types::BOOL));
                }
                _ => self.pair(left, right),
            },
            Expr::IsDistinctFrom(a, b) | Expr::IsNotDistinctFrom(a, b) => self.pair(a, b),
            Expr::In {
                expr,
                target: InTarget::List(list),
                ..
            } => {
                for item in list {
                    self.pair(expr, item);
                }
            }
            Expr::Between {
                expr, low, high, ..
            } => {
                self.pair(expr, low);
                self.pair(expr, high);
            }
            Expr::Like { expr, pattern, .. } | Expr::ILike { expr, pattern, .. } => {
                self.set(expr, Some(types::TEXT));
                self.set(pattern, Some(types::TEXT));
            }
            Expr::Function(f) => {
                // Functions whose (first) argument type PostgreSQL knows.
                let t = match base_name(&f.name).as_str() {
                    "pg_sleep" => Some(types::FLOAT8),
                    "pg_cancel_backend"
                    | "pg_terminate_backend"
                    | "pg_background_result"
                    | "pg_background_detach" => Some(types::INT4),
                    "pg_background_launch" => Some(types::TEXT),
                    _ => None,
                };
                if let (Some(a), Some(t)) = (first_arg(&f.args), t) {
                    self.set(a, Some(t));
                }
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;

    struct Tables;
    impl Catalog for Tables {
        fn columns(&self, table: &str) -> Vec<(String, u32)> {
            match table {
                "t" => vec![
                    ("id".into(), types::INT4),
                    ("name".into(), types::TEXT),
                    ("price".into(), types::FLOAT8),
                ],
                "u" => vec![("id".into(), types::INT8), ("ok".into(), types::BOOL)],
                _ => Vec::new(),
            }
        }
    }

    fn parse(sql: &str) -> Statement {
        Parser::parse_sql(&PostgreSqlDialect {}, sql)
            .unwrap()
            .remove(0)
    }

    fn params(sql: &str, n: usize) -> Vec<Option<u32>> {
        parameter_types(&parse(sql), n, &Tables)
    }

    #[test]
    fn parameters_take_the_type_of_their_context() {
        use types::*;
        assert_eq!(
            params("INSERT INTO t VALUES ($1, $2, $3)", 3),
            [Some(INT4), Some(TEXT), Some(FLOAT8)]
        );
        assert_eq!(
            params("INSERT INTO t (price, id) VALUES ($1, $2), ($3, 4)", 3),
            [Some(FLOAT8), Some(INT4), Some(FLOAT8)]
        );
        assert_eq!(
            params(
                "SELECT * FROM t WHERE id >= $1 AND name LIKE $2 LIMIT $3",
                3
            ),
            [Some(INT4), Some(TEXT), Some(INT8)]
        );
        assert_eq!(
            params("UPDATE t SET price = $1 WHERE id IN ($2, $3)", 3),
            [Some(FLOAT8), Some(INT4), Some(INT4)]
        );
        assert_eq!(
            params(
                "SELECT a.id FROM t a JOIN u b ON b.id = a.id WHERE b.id = $1",
                1
            ),
            [Some(INT8)]
        );
        assert_eq!(params("SELECT $1::int + 1, $2", 2), [Some(INT4), None]);
        assert_eq!(params("SELECT $1 + 1", 1), [Some(INT4)]);
    }

    #[test]
    fn expression_columns_take_their_types_from_the_schema() {
        use types::*;
        let t = result_types(
            &parse("SELECT id * 2, price + 1, sum(id), max(name), id = 1, t.name FROM t"),
            &Tables,
        )
        .unwrap();
        assert_eq!(
            t,
            [
                Some(INT4),
                Some(FLOAT8),
                Some(INT8),
                Some(TEXT),
                Some(BOOL),
                Some(TEXT)
            ]
        );
        assert_eq!(result_types(&parse("SELECT * FROM t"), &Tables), None);
    }
}
