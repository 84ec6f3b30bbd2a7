//! PostgreSQL's dialect on SQLite.
//!
//! A query string is split into statements ([`split_statements`]), and each
//! statement becomes a [`Command`] ([`translate`]):
//! - transaction control, SET/SHOW/RESET are recognised by keyword and run
//!   by the session itself (SQLite has no equivalent);
//! - everything else is parsed with sqlparser's PostgreSQL dialect, and the
//!   constructs SQLite lacks are rewritten (`::` casts, `serial` keys,
//!   keyword functions such as `current_user`, `pg_catalog.` prefixes,
//!   `E''` strings, `WITH (fillfactor=..)`). When nothing needed rewriting
//!   the original text goes to SQLite verbatim (no print round trip); when
//!   sqlparser cannot parse a statement, SQLite gets the text and its error,
//!   if any, is mapped to PostgreSQL's.
//!
//! The parse also yields the PostgreSQL type of each result column that is
//! an expression (SQLite only knows declared types of plain columns), so
//! RowDescription carries `int4` for `SELECT 1` and `int8` for `count(*)`.

use std::ops::ControlFlow;
use std::sync::Arc;

use pm_elog::{sqlstate as code, PgError};
use sqlparser::ast::{
    BinaryOperator, CastKind, CreateTableOptions, DataType, Expr, FunctionArg, FunctionArgExpr,
    FunctionArguments, Ident, ObjectName, ObjectNamePart, SelectItem, Statement, Value,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use crate::infer::{self, first_projection};
use crate::utility::{self, Utility};
use crate::{catalog, types};

/// What one statement asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Begin,
    Commit,
    Rollback,
    Set {
        name: String,
        value: String,
    },
    Reset {
        name: String,
    },
    Show {
        name: String,
    },
    /// CREATE ROLE / CREATE USER: a row in the global catalog.
    CreateRole {
        name: String,
        options: crate::roles::RoleOptions,
    },
    AlterRole {
        role: crate::roles::RoleRef,
        options: crate::roles::RoleOptions,
    },
    DropRole {
        names: Vec<crate::roles::RoleRef>,
        missing_ok: bool,
    },
    RenameRole {
        name: String,
        new_name: String,
    },
    /// GRANT role TO role / REVOKE role FROM role.
    GrantRole(crate::roles::GrantRole),
    /// GRANT / REVOKE privileges on objects.
    Grant(Box<crate::roles::Grant>),
    /// ALTER TABLE / VIEW / SEQUENCE / SCHEMA / DATABASE ... OWNER TO.
    AlterOwner(crate::roles::AlterOwner),
    /// ALTER DEFAULT PRIVILEGES.
    DefaultPrivileges(Box<crate::roles::DefaultPrivileges>),
    /// REASSIGN OWNED BY roles TO role (Some) / DROP OWNED BY roles (None).
    Owned {
        roles: Vec<crate::roles::RoleRef>,
        to: Option<crate::roles::RoleRef>,
        cascade: bool,
    },
    /// SET ROLE / SET SESSION AUTHORIZATION and their RESET.
    SetRole(crate::roles::SetRole),
    /// A utility statement with its own parser (COPY, VACUUM, TRUNCATE,
    /// multi-name DROP, ALTER TABLE ... ADD constraint).
    Utility(Utility),
    /// DECLARE ... CURSOR ([`crate::portal`]).
    Declare(crate::portal::Declare),
    /// FETCH / MOVE.
    Fetch(crate::portal::Fetch),
    /// CLOSE name, or CLOSE ALL (None).
    ClosePortal(Option<String>),
    /// SQL-level PREPARE / EXECUTE / DEALLOCATE (None: ALL).
    Prepare(crate::portal::Prepare),
    ExecutePrepared(crate::portal::Execute),
    Deallocate(Option<String>),
    /// CREATE TABLE / CREATE INDEX generated from PostgreSQL's parse tree
    /// ([`crate::ddl`]).
    Ddl(crate::ddl::Plan),
    /// Run on SQLite.
    Sql {
        sql: String,
        /// PostgreSQL type of each result column when known from the query
        /// text (None: use the declared type or the value's class).
        column_types: Vec<Option<u32>>,
        /// PostgreSQL's name for each result column that is an expression
        /// without an alias (`count`, `?column?`); None keeps SQLite's.
        column_names: Vec<Option<String>>,
        /// The statement as parsed, before rewriting, for type inference
        /// against the schema (None when sqlparser could not parse it).
        ast: Option<Arc<Statement>>,
        /// Emulated catalog views the statement reads (see [`crate::catalog`]).
        catalogs: Vec<&'static str>,
        /// Statements run first (data-modifying WITH queries).
        steps: Vec<Step>,
        /// The table of an ON CONFLICT DO UPDATE ([`crate::upsert`]).
        upsert: Option<String>,
        /// The answer when SQLite cannot parse the older translator's text
        /// of a statement PostgreSQL's grammar accepted (its syntax error
        /// would be wrong): 0A000, or 42883 for an unknown function.
        refusal: Option<pm_elog::PgError>,
        /// FOR UPDATE / SHARE: tables to take SQLite's write lock through
        /// before the statement runs, and whether NOWAIT refuses to wait.
        locks: Vec<String>,
        nowait: bool,
        /// For a cursor: the table of each hidden trailing rowid column
        /// (see analyze::Select::add_row_ids).
        row_ids: Vec<String>,
    },
}

/// A statement run before the main one (a data-modifying WITH query),
/// its rows kept in temporary table `table`, columns c0, c1, ... for the
/// main statement to read.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub sql: String,
    pub table: String,
    pub width: usize,
    pub upsert: Option<String>,
}

/// A translated statement and the command tag it reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Translated {
    pub command: Command,
    pub tag: Tag,
    /// Result column types inferred from the schema, worked out at the
    /// first execution that needs them (the session drops its cached
    /// translations when the schema changes).
    pub inferred: std::sync::OnceLock<Option<Vec<Option<u32>>>>,
    /// Parameter types the analyzer resolved (None: the old translator's
    /// statement, typed by `infer`).
    pub param_types: Option<Vec<u32>>,
    /// Values of the text's integer literals, bound as `:l0x`, `:l1x`, ...
    /// (a translation cached by [`crate::normalize`] key serves them all).
    pub literals: Vec<i64>,
    /// The privileges it needs and the ownership it changes ([`crate::acl`]).
    pub needs: crate::acl::Needs,
}

/// The CommandComplete tag, as PostgreSQL writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tag {
    Select,
    Insert,
    Update,
    Delete,
    /// A tag without a row count (`CREATE TABLE`, `BEGIN`, ...).
    Fixed(String),
}

impl Tag {
    /// The tag text for `rows` affected or returned.
    pub fn render(&self, rows: u64) -> String {
        match self {
            Tag::Select => format!("SELECT {rows}"),
            Tag::Insert => format!("INSERT 0 {rows}"),
            Tag::Update => format!("UPDATE {rows}"),
            Tag::Delete => format!("DELETE {rows}"),
            Tag::Fixed(t) => t.clone(),
        }
    }
}

/// Splits a query string at top-level semicolons, honouring quotes,
/// dollar quotes, comments and parentheses. Empty statements are dropped.
pub fn split_statements(sql: &str) -> Vec<&str> {
    let bytes = sql.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let mut depth = 0i32;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' | b'"' => {
                let quote = bytes[i];
                i += 1;
                while i < bytes.len() {
                    if bytes[i] == quote {
                        if i + 1 < bytes.len() && bytes[i + 1] == quote {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    // E'..' strings may escape a quote with a backslash.
                    if bytes[i] == b'\\' && quote == b'\'' && escape_string_at(bytes, i) {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let mut nest = 1;
                i += 2;
                while i < bytes.len() && nest > 0 {
                    if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
                        nest += 1;
                        i += 1;
                    } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
                        nest -= 1;
                        i += 1;
                    }
                    i += 1;
                }
                continue;
            }
            b'$' => {
                // $tag$ ... $tag$ (but not $1 parameters)
                let tag_end = bytes[i + 1..]
                    .iter()
                    .position(|&c| !(c.is_ascii_alphanumeric() || c == b'_'))
                    .map(|p| i + 1 + p);
                if let Some(end) = tag_end {
                    let is_param = end > i + 1 && bytes[i + 1].is_ascii_digit();
                    if bytes[end] == b'$' && !is_param {
                        let tag = &sql[i..=end];
                        if let Some(close) = sql[end + 1..].find(tag) {
                            i = end + 1 + close + tag.len();
                            continue;
                        }
                        i = bytes.len();
                        continue;
                    }
                }
            }
            b'(' => depth += 1,
            b')' => depth -= 1,
            b';' if depth <= 0 => {
                push_statement(&mut out, &sql[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    push_statement(&mut out, &sql[start.min(sql.len())..]);
    out
}

/// Whether the quote that contains position `i` opened as an E'' string.
fn escape_string_at(bytes: &[u8], i: usize) -> bool {
    // Walk back to the opening quote of this literal.
    let mut j = i;
    while j > 0 && bytes[j - 1] != b'\'' {
        j -= 1;
    }
    j >= 2
        && matches!(bytes[j - 2], b'e' | b'E')
        && (j < 3 || !(bytes[j - 3].is_ascii_alphanumeric() || bytes[j - 3] == b'_'))
}

fn push_statement<'a>(out: &mut Vec<&'a str>, s: &'a str) {
    if !is_blank(s) {
        out.push(s.trim());
    }
}

/// True when `s` holds only whitespace and comments.
pub fn is_blank(s: &str) -> bool {
    let mut rest = s.trim_start();
    loop {
        if rest.is_empty() {
            return true;
        }
        if let Some(r) = rest.strip_prefix("--") {
            rest = r
                .split_once('\n')
                .map(|(_, after)| after)
                .unwrap_or("")
                .trim_start();
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r
                .split_once("*/")
                .map(|(_, after)| after)
                .unwrap_or("")
                .trim_start();
        } else {
            return false;
        }
    }
}

/// Leading words, lowercased, comments skipped (for keyword dispatch).
fn leading_words(sql: &str, n: usize) -> Vec<String> {
    let mut words = Vec::new();
    let mut rest = sql;
    while words.len() < n {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("--") {
            rest = r.split_once('\n').map(|(_, a)| a).unwrap_or("");
            continue;
        }
        if let Some(r) = rest.strip_prefix("/*") {
            rest = r.split_once("*/").map(|(_, a)| a).unwrap_or("");
            continue;
        }
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        words.push(rest[..end].to_ascii_lowercase());
        rest = &rest[end..];
    }
    words
}

/// The tag for a statement, from its leading keywords.
pub fn tag_for(sql: &str) -> Tag {
    let words = leading_words(sql, 8);
    let first = words.first().map(String::as_str).unwrap_or("");
    match first {
        "select" | "values" | "table" | "with" => {
            // WITH ... INSERT/UPDATE/DELETE reports the outer statement.
            if first == "with" {
                let lower = sql.to_ascii_lowercase();
                let after_ctes = lower.rfind(')').map(|p| &lower[p..]).unwrap_or("");
                for (kw, tag) in [
                    ("insert", Tag::Insert),
                    ("update", Tag::Update),
                    ("delete", Tag::Delete),
                ] {
                    if after_ctes
                        .trim_start_matches(|c: char| c == ')' || c.is_whitespace())
                        .starts_with(kw)
                    {
                        return tag;
                    }
                }
            }
            Tag::Select
        }
        "insert" => Tag::Insert,
        "update" => Tag::Update,
        "delete" => Tag::Delete,
        "create" | "drop" | "alter" => {
            const SKIP: &[&str] = &[
                "or",
                "replace",
                "temp",
                "temporary",
                "unique",
                "unlogged",
                "global",
                "local",
                "materialized",
                "if",
                "not",
                "exists",
                "concurrently",
            ];
            let object: Vec<&str> = words[1..]
                .iter()
                .map(String::as_str)
                .filter(|w| !SKIP.contains(w))
                .take(1)
                .collect();
            let object = object.first().copied().unwrap_or("");
            if first == "create" && object == "table" && sql.to_ascii_lowercase().contains(" as ") {
                return Tag::Select;
            }
            let mut tag = format!("{} {}", first.to_uppercase(), object.to_uppercase());
            if words.iter().any(|w| w == "materialized") {
                tag = format!("{} MATERIALIZED VIEW", first.to_uppercase());
            }
            Tag::Fixed(tag)
        }
        "rollback" | "abort" => Tag::Fixed("ROLLBACK".to_string()),
        "begin" | "start" => Tag::Fixed(
            if first == "start" {
                "START TRANSACTION"
            } else {
                "BEGIN"
            }
            .to_string(),
        ),
        "commit" | "end" => Tag::Fixed("COMMIT".to_string()),
        "truncate" => Tag::Fixed("TRUNCATE TABLE".to_string()),
        "analyse" => Tag::Fixed("ANALYZE".to_string()),
        "release" => Tag::Fixed("RELEASE".to_string()),
        "discard" => Tag::Fixed(format!(
            "DISCARD {}",
            words.get(1).map(|w| w.to_uppercase()).unwrap_or_default()
        )),
        other => Tag::Fixed(other.to_uppercase()),
    }
}

/// Translates one statement (as returned by [`split_statements`]).
pub fn translate(stmt: &str) -> Result<Translated, PgError> {
    let tag = tag_for(stmt);
    let words = leading_words(stmt, 3);
    let first = words.first().map(String::as_str).unwrap_or("");
    let second = words.get(1).map(String::as_str).unwrap_or("");
    let utility = |command| {
        Ok(Translated {
            needs: Default::default(),
            command,
            tag: tag.clone(),
            inferred: Default::default(),
            param_types: None,
            literals: Vec::new(),
        })
    };
    match first {
        "begin" | "start" => return utility(Command::Begin),
        "commit" | "end" => return utility(Command::Commit),
        "rollback" | "abort" if second != "to" => return utility(Command::Rollback),
        "show" => {
            let name = stmt.trim()[4..].trim().trim_end_matches(';').trim();
            let name = unquote_ident(name).to_ascii_lowercase();
            // The grammar's multi-word spellings of settings.
            let name = match name.split_whitespace().collect::<Vec<_>>().as_slice() {
                ["transaction", "isolation", "level"] => "transaction_isolation".to_string(),
                ["time", "zone"] => "timezone".to_string(),
                ["session", "authorization"] => "session_authorization".to_string(),
                _ => name,
            };
            return Ok(Translated {
                needs: Default::default(),
                command: Command::Show { name },
                tag: Tag::Fixed("SHOW".to_string()),
                inferred: Default::default(),
                param_types: None,
                literals: Vec::new(),
            });
        }
        "reset" => {
            let name = unquote_ident(stmt.trim()[5..].trim()).to_ascii_lowercase();
            // The grammar's spelling RESET TIME ZONE is the timezone setting.
            let name = match name.split_whitespace().collect::<Vec<_>>().as_slice() {
                ["time", "zone"] => "timezone".to_string(),
                _ => name,
            };
            return utility(Command::Reset { name });
        }
        "create" | "drop" | "truncate" | "vacuum" | "analyze" | "analyse" | "copy" | "alter" => {
            if let Some(parsed) = utility::parse(stmt) {
                return parsed.map(|u| Translated {
                    needs: Default::default(),
                    command: Command::Utility(u),
                    tag: tag.clone(),
                    inferred: Default::default(),
                    param_types: None,
                    literals: Vec::new(),
                });
            }
        }
        "set" => {
            return parse_set(stmt).map(|command| Translated {
                needs: Default::default(),
                command,
                tag: tag.clone(),
                inferred: Default::default(),
                param_types: None,
                literals: Vec::new(),
            })
        }
        _ => {}
    }
    let sql_command = |sql: String, column_types, column_names, ast, catalogs| {
        Ok(Translated {
            needs: Default::default(),
            command: Command::Sql {
                sql,
                column_types,
                column_names,
                ast,
                catalogs,
                steps: Vec::new(),
                upsert: None,
                refusal: None,
                locks: Vec::new(),
                nowait: false,
                row_ids: Vec::new(),
            },
            tag: tag.clone(),
            inferred: Default::default(),
            param_types: None,
            literals: Vec::new(),
        })
    };
    let mut statements = match Parser::parse_sql(&PostgreSqlDialect {}, stmt) {
        Ok(s) if s.len() == 1 => s,
        // Not for sqlparser: SQLite gets it verbatim and reports its own error.
        _ => return sql_command(stmt.to_string(), Vec::new(), Vec::new(), None, Vec::new()),
    };
    let mut statement = statements.remove(0);
    let (column_types, column_names) = result_columns(&statement);
    let ast = Some(Arc::new(statement.clone()));
    let mut catalogs = Vec::new();
    if rewrite(&mut statement, &mut catalogs) {
        sql_command(
            statement.to_string(),
            column_types,
            column_names,
            ast,
            catalogs,
        )
    } else {
        sql_command(stmt.to_string(), column_types, column_names, ast, catalogs)
    }
}

fn unquote_ident(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or(s)
}

/// `SET [SESSION | LOCAL] name { TO | = } value [, ...]`, `SET TIME ZONE v`.
fn parse_set(stmt: &str) -> Result<Command, PgError> {
    let mut rest = stmt.trim()[3..].trim_start();
    for scope in ["session ", "local "] {
        if rest
            .get(..scope.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(scope))
        {
            rest = rest[scope.len()..].trim_start();
        }
    }
    let lower = rest.to_ascii_lowercase();
    if lower.starts_with("time zone") {
        return Ok(Command::Set {
            name: "timezone".to_string(),
            value: clean_value(&rest[9..]),
        });
    }
    if lower.starts_with("transaction") || lower.starts_with("session characteristics") {
        return Ok(Command::Set {
            name: "transaction".to_string(),
            value: rest.to_string(),
        });
    }
    let name_end = rest
        .find(|c: char| c.is_whitespace() || c == '=')
        .unwrap_or(rest.len());
    let name = unquote_ident(&rest[..name_end]).to_ascii_lowercase();
    let mut value = rest[name_end..].trim_start();
    if let Some(v) = value.strip_prefix('=') {
        value = v;
    } else if value.get(..2).is_some_and(|w| w.eq_ignore_ascii_case("to")) {
        value = &value[2..];
    } else {
        return Err(PgError::error(
            code::SYNTAX_ERROR,
            format!(
                "syntax error at or near \"{}\"",
                value.split_whitespace().next().unwrap_or(";")
            ),
        ));
    }
    Ok(Command::Set {
        name,
        value: clean_value(value),
    })
}

/// A SET value: quotes removed from each list item, `DEFAULT` kept as is.
fn clean_value(v: &str) -> String {
    v.trim()
        .trim_end_matches(';')
        .split(',')
        .map(|item| {
            let item = item.trim();
            item.strip_prefix('\'')
                .and_then(|r| r.strip_suffix('\''))
                .map(|s| s.replace("''", "'"))
                .unwrap_or_else(|| item.to_string())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// PostgreSQL types and names of result columns inferred from the statement text.
fn result_columns(statement: &Statement) -> (Vec<Option<u32>>, Vec<Option<String>>) {
    let (Some(types), Some(items)) = (
        infer::result_types(statement, &infer::NoCatalog),
        infer::result_items(statement),
    ) else {
        return (Vec::new(), Vec::new());
    };
    let names = items
        .iter()
        .map(|item| match item {
            SelectItem::UnnamedExpr(e) => Some(column_name(e)),
            _ => None,
        })
        .collect();
    (types, names)
}

/// The name PostgreSQL gives an unaliased result column (FigureColname).
fn column_name(e: &Expr) -> String {
    match e {
        Expr::Identifier(i) => i.value.clone(),
        Expr::CompoundIdentifier(parts) => {
            parts.last().map(|i| i.value.clone()).unwrap_or_default()
        }
        Expr::Function(f) => function_name(&f.name),
        Expr::Cast {
            expr, data_type, ..
        } => match column_name(expr).as_str() {
            "?column?" => {
                let t = data_type.to_string().to_ascii_lowercase();
                let base = t.split('(').next().unwrap_or("").trim().to_string();
                match base.as_str() {
                    "int" | "integer" => "int4".to_string(),
                    "bigint" => "int8".to_string(),
                    "smallint" => "int2".to_string(),
                    "boolean" => "bool".to_string(),
                    "double precision" => "float8".to_string(),
                    "real" => "float4".to_string(),
                    "character varying" => "varchar".to_string(),
                    _ => base,
                }
            }
            inner => inner.to_string(),
        },
        Expr::Nested(inner) => column_name(inner),
        Expr::Case { .. } => "case".to_string(),
        Expr::Exists { .. } => "exists".to_string(),
        Expr::Subquery(q) => match first_projection(&q.body).and_then(|p| p.first()) {
            Some(SelectItem::UnnamedExpr(inner)) => column_name(inner),
            Some(SelectItem::ExprWithAlias { alias, .. }) => alias.value.clone(),
            _ => "?column?".to_string(),
        },
        _ => "?column?".to_string(),
    }
}

fn function_name(name: &ObjectName) -> String {
    name.0
        .last()
        .map(|p| match p {
            ObjectNamePart::Identifier(i) => i.value.to_ascii_lowercase(),
            other => other.to_string().to_ascii_lowercase(),
        })
        .unwrap_or_default()
}

/// Rewrites what SQLite lacks, in place, and lists the emulated catalog
/// views the statement reads. Returns whether anything changed.
fn rewrite(statement: &mut Statement, catalogs: &mut Vec<&'static str>) -> bool {
    let mut pre = PreRewrite {
        changed: false,
        catalogs: std::mem::take(catalogs),
    };
    let _ = sqlparser::ast::VisitMut::visit(statement, &mut pre);
    *catalogs = pre.catalogs;
    let mut changed = pre.changed;
    let _ = sqlparser::ast::visit_relations_mut(statement, |name| {
        changed |= rewrite_relation(name, catalogs);
        ControlFlow::<()>::Continue(())
    });
    if let Statement::CreateTable(ct) = statement {
        for column in &mut ct.columns {
            let declared = column.data_type.to_string().to_ascii_lowercase();
            if matches!(
                declared.as_str(),
                "serial" | "serial4" | "bigserial" | "serial8" | "smallserial" | "serial2"
            ) {
                // SQLite's rowid alias: an INTEGER PRIMARY KEY numbers rows itself.
                column.data_type =
                    DataType::Custom(ObjectName::from(vec![Ident::new("INTEGER")]), vec![]);
                changed = true;
            } else if types::oid_for_type_name(&declared) == types::NUMERIC
                && !declared.ends_with("[]")
            {
                // numeric is stored as its decimal text (every digit and the
                // scale kept): a declared type of TEXT affinity, so SQLite
                // does not turn it into a REAL (see types::NUMERIC_STORAGE_NAME).
                // The modifiers stay as written: `pg_numeric_text(10,2)`.
                let modifiers = declared.find('(').map_or("", |i| &declared[i..]);
                column.data_type = DataType::Custom(
                    ObjectName::from(vec![Ident::new(format!(
                        "{}{modifiers}",
                        types::NUMERIC_STORAGE_NAME
                    ))]),
                    Vec::new(),
                );
                changed = true;
            }
        }
        for column in &mut ct.columns {
            for option in &mut column.options {
                // SQLite takes only literals bare: DEFAULT (now()).
                if let sqlparser::ast::ColumnOption::Default(e) = &mut option.option {
                    if !matches!(e, Expr::Value(_) | Expr::Nested(_)) {
                        let inner = std::mem::replace(e, Expr::value(Value::Null));
                        *e = Expr::Nested(Box::new(inner));
                        changed = true;
                    }
                }
            }
        }
        if !matches!(ct.table_options, CreateTableOptions::None) {
            // Storage parameters (fillfactor, ...) mean nothing to SQLite.
            ct.table_options = CreateTableOptions::None;
            changed = true;
        }
    }
    let _ = sqlparser::ast::visit_expressions_mut(statement, |expr| {
        changed |= rewrite_expr(expr, catalogs);
        ControlFlow::<()>::Continue(())
    });
    changed
}

/// Rewrites that need the context of an expression, done before the
/// bottom-up expression pass: a cast to `regclass` (or another reg* type)
/// that is a result column prints a name, while anywhere else it is an
/// oid; set-returning catalog functions in FROM become derived tables.
struct PreRewrite {
    changed: bool,
    catalogs: Vec<&'static str>,
}

/// PostgreSQL sorts NULLs last ascending and first descending; SQLite
/// the other way round: an ORDER BY item without NULLS FIRST/LAST gets
/// PostgreSQL's explicitly.
fn nulls_as_postgresql(list: &mut [sqlparser::ast::OrderByExpr]) -> bool {
    let mut changed = false;
    for o in list {
        if o.options.nulls_first.is_none() {
            let desc = matches!(o.options.sort, Some(sqlparser::ast::OrderBySort::Desc));
            o.options.nulls_first = Some(desc);
            changed = true;
        }
    }
    changed
}

impl sqlparser::ast::VisitorMut for PreRewrite {
    type Break = ();

    fn pre_visit_query(&mut self, q: &mut sqlparser::ast::Query) -> ControlFlow<()> {
        if let Some(sqlparser::ast::OrderBy {
            kind: sqlparser::ast::OrderByKind::Expressions(list),
            ..
        }) = &mut q.order_by
        {
            self.changed |= nulls_as_postgresql(list);
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, e: &mut Expr) -> ControlFlow<()> {
        if let Expr::Function(f) = e {
            if let FunctionArguments::List(l) = &mut f.args {
                for c in &mut l.clauses {
                    if let sqlparser::ast::FunctionArgumentClause::OrderBy(list) = c {
                        self.changed |= nulls_as_postgresql(list);
                    }
                }
            }
            if let Some(sqlparser::ast::WindowType::WindowSpec(w)) = &mut f.over {
                self.changed |= nulls_as_postgresql(&mut w.order_by);
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_select(&mut self, select: &mut sqlparser::ast::Select) -> ControlFlow<()> {
        if series_in_projection(select) {
            self.changed = true;
        }
        for item in &mut select.projection {
            let e = match item {
                SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => e,
                _ => continue,
            };
            // (`x::regtype::text` prints the name too)
            let e = match e {
                Expr::Cast {
                    expr: inner,
                    data_type,
                    ..
                } if matches!(inner.as_ref(), Expr::Cast { .. })
                    && matches!(
                        data_type.to_string().to_ascii_lowercase().as_str(),
                        "text" | "name" | "varchar"
                    ) =>
                {
                    inner.as_mut()
                }
                e => e,
            };
            if let Expr::Cast {
                expr: inner,
                data_type,
                ..
            } = e
            {
                if let Some(kind) = reg_type(data_type) {
                    if let Some(named) = reg_name_expr(kind, inner, &mut self.catalogs) {
                        *e = named;
                        self.changed = true;
                    }
                }
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(
        &mut self,
        factor: &mut sqlparser::ast::TableFactor,
    ) -> ControlFlow<()> {
        use sqlparser::ast::TableFactor;
        let TableFactor::Table {
            name,
            alias,
            args: Some(args),
            ..
        } = factor
        else {
            return ControlFlow::Continue(());
        };
        let columns: Vec<String> = alias
            .as_ref()
            .map(|a| a.columns.iter().map(|c| c.name.value.clone()).collect())
            .unwrap_or_default();
        let function = function_name(name);
        let list = args
            .args
            .iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let query = match function.as_str() {
            // A table that is not partitioned is its own only ancestor.
            "pg_partition_ancestors" if args.args.len() == 1 => {
                let relid = columns.first().map_or("relid", |c| c.as_str());
                let depth = columns.get(1).map_or("depth", |c| c.as_str());
                format!("SELECT {list} AS {relid}, 1 AS {depth}")
            }
            // SQLite's generate_series names its column `value`; PostgreSQL
            // names it after the alias (`generate_series(1, 5) AS aid`).
            "generate_series" if alias.as_ref().is_none_or(|a| a.name.value != SERIES_ALIAS) => {
                let column = columns
                    .first()
                    .cloned()
                    .or_else(|| alias.as_ref().map(|a| a.name.value.clone()))
                    .unwrap_or_else(|| "generate_series".to_string());
                format!(
                    "SELECT value AS \"{column}\" FROM generate_series({list}) AS {SERIES_ALIAS}"
                )
            }
            // unnest(array) in a catalog query (psql's \d+ reads
            // reloptions so), named after the alias as PostgreSQL names a
            // one-column function's column.
            "unnest" if args.args.len() == 1 => {
                let column = columns
                    .first()
                    .cloned()
                    .or_else(|| alias.as_ref().map(|a| a.name.value.clone()))
                    .unwrap_or_else(|| "unnest".to_string());
                format!("SELECT value AS \"{column}\" FROM json_each(pm_unnest_json({list}))")
            }
            _ => return ControlFlow::Continue(()),
        };
        if alias.is_none() {
            *alias = Some(sqlparser::ast::TableAlias {
                explicit: true,
                name: Ident::new(function),
                columns: vec![],
                at: None,
            });
        }
        if let Ok(Statement::Query(q)) = Parser::new(&PostgreSqlDialect {})
            .try_with_sql(&query)
            .and_then(|mut p| p.parse_statement())
        {
            let alias = alias.take().map(|mut a| {
                a.columns.clear();
                a
            });
            *factor = TableFactor::Derived {
                lateral: false,
                subquery: q,
                alias,
                sample: None,
            };
            self.changed = true;
        }
        ControlFlow::Continue(())
    }
}

/// generate_series(...) in a select list (PostgreSQL's set-returning
/// function in the projection): the call joins the FROM list as a table
/// function (SQLite's table functions may refer to earlier tables, so each
/// row of FROM gets its series, as in PostgreSQL) and the item becomes its
/// value, named `generate_series` unless aliased. One call per select.
fn series_in_projection(select: &mut sqlparser::ast::Select) -> bool {
    let is_series =
        |e: &Expr| matches!(e, Expr::Function(f) if function_name(&f.name) == "generate_series");
    let mut found = None;
    for item in &mut select.projection {
        let (e, named) = match item {
            SelectItem::UnnamedExpr(e) => (e, false),
            SelectItem::ExprWithAlias { expr, .. } => (expr, true),
            _ => continue,
        };
        let mut args = None;
        let _ = sqlparser::ast::visit_expressions_mut(e, |inner| {
            if args.is_none() && is_series(inner) {
                if let Expr::Function(f) = inner {
                    args = Some(f.args.to_string());
                }
                if let Some(v) = expr_of(&format!("{SERIES_ALIAS}.value")) {
                    *inner = v;
                }
            }
            ControlFlow::<()>::Continue(())
        });
        if let Some(args) = args {
            if !named && matches!(e, Expr::CompoundIdentifier(_)) {
                *item = SelectItem::ExprWithAlias {
                    expr: e.clone(),
                    alias: Ident::new("generate_series"),
                };
            }
            found = Some(args);
            break;
        }
    }
    let Some(args) = found else {
        return false;
    };
    let Ok(Statement::Query(q)) = Parser::new(&PostgreSqlDialect {})
        .try_with_sql(&format!(
            "SELECT 1 FROM generate_series{args} AS {SERIES_ALIAS}"
        ))
        .and_then(|mut p| p.parse_statement())
    else {
        return false;
    };
    if let sqlparser::ast::SetExpr::Select(s) = *q.body {
        select.from.extend(s.from);
    }
    true
}

/// The alias of the generate_series call our rewrite of it makes.
const SERIES_ALIAS: &str = "pm_series";

/// The reg* type a cast names (`regclass`, `pg_catalog.regtype`, ...).
fn reg_type(data_type: &DataType) -> Option<&'static str> {
    let t = data_type.to_string().to_ascii_lowercase();
    let t = t
        .rsplit('.')
        .next()
        .unwrap_or(&t)
        .trim_matches('"')
        .to_string();
    [
        "regclass",
        "regtype",
        "regnamespace",
        "regrole",
        "regproc",
        "regprocedure",
    ]
    .into_iter()
    .find(|r| *r == t)
}

/// `x::regclass` as a result column: the relation's name (its oid when no
/// relation has it, as PostgreSQL prints an unknown oid).
fn reg_name_expr(kind: &str, inner: &Expr, catalogs: &mut Vec<&'static str>) -> Option<Expr> {
    let (view, name, key) = match kind {
        "regclass" => ("pm_relations", "relname", "oid"),
        "regnamespace" => ("pg_namespace", "nspname", "oid"),
        "regrole" => ("pg_roles", "rolname", "oid"),
        "regtype" => return expr_of(&format!("format_type(pm_regtype_oid({inner}), NULL)")),
        _ => return expr_of(&format!("CAST(({inner}) AS TEXT)")),
    };
    need(catalogs, view);
    expr_of(&format!(
        "CASE WHEN ({inner}) = 0 THEN '-' ELSE coalesce((SELECT {name} FROM {view} \
         WHERE {key} = ({inner})), CAST(({inner}) AS TEXT)) END"
    ))
}

/// `x::regclass` anywhere else: the oid of the relation named `x` (which
/// may be schema-qualified or quoted), or `x` itself when it is a number.
fn reg_oid_expr(kind: &str, inner: &Expr, catalogs: &mut Vec<&'static str>) -> Option<Expr> {
    let (view, key) = match kind {
        "regclass" => ("pm_relations", "relname"),
        "regnamespace" => ("pg_namespace", "nspname"),
        "regrole" => ("pg_roles", "rolname"),
        "regtype" => return expr_of(&format!("pm_regtype_oid({inner})")),
        _ => return expr_of(&format!("CAST(({inner}) AS INTEGER)")),
    };
    need(catalogs, view);
    expr_of(&format!(
        "coalesce((SELECT oid FROM {view} WHERE {key} = pm_unqualify({inner})), \
         CAST(({inner}) AS INTEGER))"
    ))
}

/// `pg_catalog.pg_class` -> `pg_class`, `information_schema.tables` ->
/// `information_schema_tables`; catalog views named are recorded.
fn rewrite_relation(name: &mut ObjectName, catalogs: &mut Vec<&'static str>) -> bool {
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|p| match p {
            ObjectNamePart::Identifier(i) => i.value.to_ascii_lowercase(),
            other => other.to_string().to_ascii_lowercase(),
        })
        .collect();
    let (flat, changed) = match parts.as_slice() {
        [schema, rel] if schema == "pg_catalog" || schema == "public" => (rel.clone(), true),
        [schema, rel] if schema == "information_schema" => {
            (format!("information_schema_{rel}"), true)
        }
        [rel] => (rel.clone(), false),
        _ => return false,
    };
    if let Some(view) = catalog::catalog_name(&flat) {
        if !catalogs.contains(&view) {
            catalogs.push(view);
        }
    }
    if changed {
        *name = ObjectName::from(vec![Ident::new(flat)]);
    }
    changed
}

fn need(catalogs: &mut Vec<&'static str>, view: &str) {
    if let Some(v) = catalog::catalog_name(view) {
        if !catalogs.contains(&v) {
            catalogs.push(v);
        }
    }
}

fn is_regex_operator(op: &BinaryOperator) -> bool {
    match op {
        BinaryOperator::PGRegexMatch
        | BinaryOperator::PGRegexIMatch
        | BinaryOperator::PGRegexNotMatch
        | BinaryOperator::PGRegexNotIMatch => true,
        BinaryOperator::PGCustomBinaryOperator(parts) => {
            parts.last().is_some_and(|o| o.contains('~'))
        }
        _ => false,
    }
}

/// A regular-expression match as a call of our `pg_regex(text, pattern, flags)`.
fn regex_call(left: Expr, right: Expr, insensitive: bool, negated: bool) -> Expr {
    let flags = Expr::value(Value::SingleQuotedString(
        if insensitive { "i" } else { "" }.to_string(),
    ));
    let m = call("pg_regex", vec![left, right, flags]);
    if negated {
        Expr::UnaryOp {
            op: sqlparser::ast::UnaryOperator::Not,
            expr: Box::new(m),
        }
    } else {
        m
    }
}

/// Parses an expression we write ourselves.
fn expr_of(text: &str) -> Option<Expr> {
    Parser::new(&PostgreSqlDialect {})
        .try_with_sql(text)
        .ok()?
        .parse_expr()
        .ok()
}

fn call(name: &str, args: Vec<Expr>) -> Expr {
    use sqlparser::ast::{Function, FunctionArgumentList};
    Expr::Function(Function {
        name: ObjectName::from(vec![Ident::new(name)]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None,
            args: args
                .into_iter()
                .map(|e| FunctionArg::Unnamed(FunctionArgExpr::Expr(e)))
                .collect(),
            clauses: vec![],
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: vec![],
    })
}

/// The SQLite type to CAST to for a PostgreSQL type, or a function to call
/// instead when SQLite's CAST would give the wrong value.
enum CastTarget {
    Type(&'static str),
    Function(&'static str),
}

fn cast_target(oid: u32) -> CastTarget {
    match oid {
        types::INT2 | types::INT4 | types::INT8 | types::OID => CastTarget::Type("INTEGER"),
        types::FLOAT4 | types::FLOAT8 => CastTarget::Type("REAL"),
        types::NUMERIC => CastTarget::Type("NUMERIC"),
        types::BYTEA => CastTarget::Type("BLOB"),
        types::BOOL => CastTarget::Function("pg_bool"),
        types::DATE => CastTarget::Function("pg_date"),
        types::TIMESTAMP | types::TIMESTAMPTZ => CastTarget::Function("pg_timestamp"),
        _ => CastTarget::Type("TEXT"),
    }
}

fn rewrite_expr(expr: &mut Expr, catalogs: &mut Vec<&'static str>) -> bool {
    match expr {
        Expr::BinaryOp { left, op, right } if is_regex_operator(op) => {
            let symbol = match op {
                BinaryOperator::PGCustomBinaryOperator(parts) => {
                    parts.last().cloned().unwrap_or_default()
                }
                other => other.to_string(),
            };
            let l = std::mem::replace(left.as_mut(), Expr::value(Value::Null));
            let r = std::mem::replace(right.as_mut(), Expr::value(Value::Null));
            *expr = regex_call(l, r, symbol.ends_with('*'), symbol.starts_with('!'));
            true
        }
        // LIKE / ILIKE: PostgreSQL's (backslash escapes, case-sensitive
        // LIKE, ILIKE by Unicode lower case), not SQLite's.
        Expr::Like {
            negated,
            any: false,
            expr: e,
            pattern,
            escape_char: None,
        }
        | Expr::ILike {
            negated,
            any: false,
            expr: e,
            pattern,
            escape_char: None,
        } => {
            let negated = *negated;
            let l = std::mem::replace(e.as_mut(), Expr::value(Value::Null));
            let r = std::mem::replace(pattern.as_mut(), Expr::value(Value::Null));
            let name = if matches!(expr, Expr::ILike { .. }) {
                "pg_ilike"
            } else {
                "pg_like"
            };
            let m = call(name, vec![l, r]);
            *expr = if negated {
                Expr::UnaryOp {
                    op: sqlparser::ast::UnaryOperator::Not,
                    expr: Box::new(m),
                }
            } else {
                m
            };
            true
        }
        // COLLATE pg_catalog.default / "C": SQLite compares bytes already.
        Expr::Collate { expr: inner, .. } => {
            let inner = std::mem::replace(inner.as_mut(), Expr::value(Value::Null));
            *expr = inner;
            true
        }
        // SQLite gives NULL for x / 0 and x % 0; PostgreSQL raises 22012.
        Expr::BinaryOp {
            left,
            op: op @ (BinaryOperator::Divide | BinaryOperator::Modulo),
            right,
        } => {
            let f = if *op == BinaryOperator::Divide {
                "pg_div"
            } else {
                "pg_mod"
            };
            let l = std::mem::replace(left.as_mut(), Expr::value(Value::Null));
            let r = std::mem::replace(right.as_mut(), Expr::value(Value::Null));
            *expr = call(f, vec![l, r]);
            true
        }
        Expr::Cast {
            expr: inner,
            data_type,
            ..
        } if reg_type(data_type).is_some() => {
            let kind = reg_type(data_type).unwrap_or_default();
            match reg_oid_expr(kind, inner, catalogs) {
                Some(e) => {
                    *expr = e;
                    true
                }
                None => false,
            }
        }
        // x = ANY(subquery) is x IN (subquery); x = ANY(array) a membership test.
        Expr::AnyOp {
            left,
            compare_op: BinaryOperator::Eq,
            right,
            ..
        } => {
            let replacement = match right.as_ref() {
                Expr::Subquery(q) => expr_of(&format!("({left}) IN ({q})")),
                array => Some(call(
                    "pm_array_contains",
                    vec![array.clone(), left.as_ref().clone()],
                )),
            };
            match replacement {
                Some(e) => {
                    *expr = e;
                    true
                }
                None => false,
            }
        }
        // a[i] -> pm_array_get(a, i) on arrays kept as text.
        Expr::CompoundFieldAccess { root, access_chain }
            if access_chain.len() == 1
                && matches!(
                    access_chain[0],
                    sqlparser::ast::AccessExpr::Subscript(sqlparser::ast::Subscript::Index { .. })
                ) =>
        {
            let sqlparser::ast::AccessExpr::Subscript(sqlparser::ast::Subscript::Index { index }) =
                access_chain.remove(0)
            else {
                return false;
            };
            let array = std::mem::replace(root.as_mut(), Expr::value(Value::Null));
            *expr = call("pm_array_get", vec![array, index]);
            true
        }
        Expr::Cast {
            kind,
            expr: inner,
            data_type,
            ..
        } => {
            let oid = types::oid_for_type_name(&data_type.to_string());
            match cast_target(oid) {
                CastTarget::Type(t) => {
                    let same = *kind == CastKind::Cast && data_type.to_string() == t;
                    *kind = CastKind::Cast;
                    *data_type = DataType::Custom(ObjectName::from(vec![Ident::new(t)]), vec![]);
                    !same
                }
                CastTarget::Function(f) => {
                    let inner = std::mem::replace(inner.as_mut(), Expr::value(Value::Null));
                    *expr = call(f, vec![inner]);
                    true
                }
            }
        }
        Expr::Function(f) => {
            let mut changed = false;
            // pg_catalog.now() -> now()
            if f.name.0.len() == 2 && f.name.0[0].to_string().eq_ignore_ascii_case("pg_catalog") {
                f.name.0.remove(0);
                changed = true;
            }
            let name = function_name(&f.name);
            if name == "array" {
                if let FunctionArguments::Subquery(q) = &mut f.args {
                    // ARRAY(SELECT x ...) -> '{a,b}' text, as psql reads it:
                    // the one projected expression is aggregated in place.
                    if let sqlparser::ast::SetExpr::Select(sel) = q.body.as_mut() {
                        if let [item] = sel.projection.as_mut_slice() {
                            let inner = match item {
                                SelectItem::UnnamedExpr(e) => Some(e.clone()),
                                SelectItem::ExprWithAlias { expr, .. } => Some(expr.clone()),
                                _ => None,
                            };
                            if let Some(e) = inner {
                                *item = SelectItem::UnnamedExpr(call(
                                    "group_concat",
                                    vec![e, Expr::value(Value::SingleQuotedString(",".into()))],
                                ));
                                let text = format!("('{{' || coalesce(({q}), '') || '}}')");
                                if let Some(e) = expr_of(&text) {
                                    *expr = e;
                                    return true;
                                }
                            }
                        }
                    }
                }
            }
            if matches!(
                name.as_str(),
                "pg_get_indexdef" | "pg_get_userbyid" | "pg_get_constraintdef" | "pg_get_viewdef"
            ) {
                if let FunctionArguments::List(list) = &f.args {
                    if let Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(arg))) =
                        list.args.first()
                    {
                        let (view, column, key) = match name.as_str() {
                            "pg_get_indexdef" => ("pm_relations", "definition", "oid"),
                            "pg_get_constraintdef" => ("pg_constraint", "pm_def", "oid"),
                            "pg_get_viewdef" => ("pm_relations", "viewdef", "oid"),
                            _ => ("pg_roles", "rolname", "oid"),
                        };
                        // The catalog is read through a derived table whose
                        // only columns are pm_key and the answer, so that an
                        // unqualified argument (`pg_get_constraintdef(oid)`)
                        // still names the caller's column.
                        if let Some(e) = expr_of(&format!(
                            "(SELECT {column} FROM (SELECT {key} AS pm_key, {column} FROM {view}) \
                             WHERE pm_key = ({arg}))"
                        )) {
                            need(catalogs, view);
                            *expr = e;
                            return true;
                        }
                    }
                }
            }
            if matches!(f.args, FunctionArguments::None) {
                let replacement = match name.as_str() {
                    "current_timestamp" | "localtimestamp" => Some("now"),
                    "current_user" | "session_user" | "user" | "current_role" => {
                        Some("current_user")
                    }
                    "current_catalog" => Some("current_database"),
                    "current_schema" => Some("current_schema"),
                    _ => None,
                };
                if let Some(r) = replacement {
                    *expr = call(r, vec![]);
                    return true;
                }
            }
            changed
        }
        Expr::Identifier(ident) if ident.quote_style.is_none() => {
            let replacement = match ident.value.to_ascii_lowercase().as_str() {
                "current_user" | "session_user" | "user" | "current_role" => Some("current_user"),
                "current_catalog" => Some("current_database"),
                "current_schema" => Some("current_schema"),
                "localtimestamp" => Some("now"),
                _ => None,
            };
            match replacement {
                Some(r) => {
                    *expr = call(r, vec![]);
                    true
                }
                None => false,
            }
        }
        Expr::Value(v) => match &v.value {
            Value::EscapedStringLiteral(s) => {
                v.value = Value::SingleQuotedString(s.clone());
                true
            }
            _ => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_split_at_top_level_semicolons() {
        let cases: &[(&str, &[&str])] = &[
            ("select 1; select 2", &["select 1", "select 2"]),
            ("select ';'; select 2;", &["select ';'", "select 2"]),
            ("select 'it''s;'", &["select 'it''s;'"]),
            ("select $$a;b$$; select 1", &["select $$a;b$$", "select 1"]),
            ("select $1; select 2", &["select $1", "select 2"]),
            ("-- c;\nselect 1", &["-- c;\nselect 1"]),
            ("/* ; */ select 1;;", &["/* ; */ select 1"]),
            (";; ; ", &[]),
            (
                "select E'a\\';b'; select 2",
                &["select E'a\\';b'", "select 2"],
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(split_statements(input), *expected, "{input:?}");
        }
    }

    #[test]
    fn tags_are_postgresql_command_tags() {
        let cases = [
            ("select 1", "SELECT 5"),
            ("INSERT INTO t VALUES (1)", "INSERT 0 5"),
            ("update t set a = 1", "UPDATE 5"),
            ("delete from t", "DELETE 5"),
            ("create table t (a int)", "CREATE TABLE"),
            ("create temp table t (a int)", "CREATE TABLE"),
            ("create unique index i on t (a)", "CREATE INDEX"),
            ("create table t2 as select 1", "SELECT 5"),
            ("drop table if exists t", "DROP TABLE"),
            ("alter table t add column b int", "ALTER TABLE"),
            ("with x as (select 1) select * from x", "SELECT 5"),
            ("savepoint a", "SAVEPOINT"),
            ("rollback to savepoint a", "ROLLBACK"),
        ];
        for (sql, tag) in cases {
            assert_eq!(tag_for(sql).render(5), tag, "{sql}");
        }
    }

    fn sql_of(stmt: &str) -> String {
        match translate(stmt).unwrap().command {
            Command::Sql { sql, .. } => sql,
            other => panic!("{stmt}: {other:?}"),
        }
    }

    #[test]
    fn postgresql_syntax_is_rewritten_for_sqlite() {
        let cases = [
            // Unchanged statements go through verbatim.
            ("select a from t where b = 1", "select a from t where b = 1"),
            (
                "CREATE TABLE t (id serial primary key, name text, n integer)",
                "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, n INTEGER)",
            ),
            ("select '1'::int", "SELECT CAST('1' AS INTEGER)"),
            ("select current_user", "SELECT current_user()"),
            (
                "select current_database(), current_user",
                "SELECT current_database(), current_user()",
            ),
            ("select pg_catalog.version()", "SELECT version()"),
            ("select 't'::boolean", "SELECT pg_bool('t')"),
            ("select E'a\\nb'", "SELECT 'a\nb'"),
            (
                "create table x (a int) with (fillfactor=100)",
                "CREATE TABLE x (a INT)",
            ),
            (
                "select * from generate_series(1, 3) as aid",
                "SELECT * FROM (SELECT value AS \"aid\" FROM generate_series(1, 3) AS pm_series) AS aid",
            ),
            (
                "select a from t where a = any(select b from u)",
                "SELECT a FROM t WHERE (a) IN (SELECT b FROM u)",
            ),
            (
                "select 'd' = any(k), k[2] from t",
                "SELECT pm_array_contains(k, 'd'), pm_array_get(k, 2) FROM t",
            ),
            (
                "select c.oid::regclass from t c where c.oid = 't'::pg_catalog.regclass",
                "SELECT CASE WHEN (c.oid) = 0 THEN '-' ELSE coalesce((SELECT relname FROM \
                 pm_relations WHERE oid = (c.oid)), CAST((c.oid) AS TEXT)) END FROM t c WHERE c.oid = coalesce((SELECT oid FROM \
                 pm_relations WHERE relname = pm_unqualify('t')), CAST(('t') AS INTEGER))",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(sql_of(input), expected, "{input}");
        }
    }

    #[test]
    fn result_types_come_from_the_text() {
        let cases: &[(&str, &[Option<u32>])] = &[
            (
                "select 1, 'a', 1.5, 3000000000",
                &[
                    Some(types::INT4),
                    Some(types::TEXT),
                    Some(types::NUMERIC),
                    Some(types::INT8),
                ],
            ),
            ("select count(*), a from t", &[Some(types::INT8), None]),
            (
                "select 1 = 1, now(), pg_backend_pid()",
                &[
                    Some(types::BOOL),
                    Some(types::TIMESTAMPTZ),
                    Some(types::INT4),
                ],
            ),
            ("select '1'::bigint", &[Some(types::INT8)]),
            ("select * from t", &[]),
        ];
        for (sql, expected) in cases {
            match translate(sql).unwrap().command {
                Command::Sql { column_types, .. } => assert_eq!(column_types, *expected, "{sql}"),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn result_names_follow_figure_colname() {
        let cases: &[(&str, &[Option<&str>])] = &[
            (
                "select count(*), sum(n), t.a, b, 1, 'x'::text, n::int, now(), current_user",
                &[
                    Some("count"),
                    Some("sum"),
                    Some("a"),
                    Some("b"),
                    Some("?column?"),
                    Some("text"),
                    Some("n"),
                    Some("now"),
                    Some("current_user"),
                ],
            ),
            (
                "select 1 as one, (select max(x) from t)",
                &[None, Some("max")],
            ),
        ];
        for (sql, expected) in cases {
            let expected: Vec<Option<String>> =
                expected.iter().map(|n| n.map(str::to_string)).collect();
            match translate(sql).unwrap().command {
                Command::Sql { column_names, .. } => assert_eq!(column_names, expected, "{sql}"),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn utility_commands_are_recognised() {
        let cases = [
            ("BEGIN", Command::Begin),
            (
                "start transaction isolation level serializable",
                Command::Begin,
            ),
            ("end", Command::Commit),
            ("abort", Command::Rollback),
            (
                "SET application_name = 'x'",
                Command::Set {
                    name: "application_name".into(),
                    value: "x".into(),
                },
            ),
            (
                "set search_path to public, pg_catalog",
                Command::Set {
                    name: "search_path".into(),
                    value: "public, pg_catalog".into(),
                },
            ),
            (
                "SET TIME ZONE 'UTC'",
                Command::Set {
                    name: "timezone".into(),
                    value: "UTC".into(),
                },
            ),
            (
                "show DateStyle",
                Command::Show {
                    name: "datestyle".into(),
                },
            ),
            ("reset all", Command::Reset { name: "all".into() }),
        ];
        for (sql, expected) in cases {
            assert_eq!(translate(sql).unwrap().command, expected, "{sql}");
        }
    }
}

/// The highest `$n` parameter number in a statement (0 when none).
pub fn parameter_count(sql: &str) -> usize {
    use sqlparser::tokenizer::{Token, Tokenizer};
    let Ok(tokens) = Tokenizer::new(&PostgreSqlDialect {}, sql).tokenize() else {
        return 0;
    };
    tokens
        .iter()
        .filter_map(|t| match t {
            Token::Placeholder(p) => p.strip_prefix('$').and_then(|n| n.parse::<usize>().ok()),
            _ => None,
        })
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod parameter_tests {
    #[test]
    fn parameters_are_counted_outside_strings() {
        assert_eq!(super::parameter_count("select $1, '$5', $2"), 2);
        assert_eq!(super::parameter_count("select 1"), 0);
    }
}
