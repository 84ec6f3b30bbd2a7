//! SQLite errors as PostgreSQL reports them. A client never sees SQLite's
//! wording as the primary message: each known SQLite failure is given
//! PostgreSQL's SQLSTATE and message text; anything else becomes XX000
//! with SQLite's text in the DETAIL.

use pm_elog::sqlstate as code;
use pm_elog::PgError;
use rusqlite::ffi;

thread_local! {
    /// The PgError a user function raised: SQLite only passes its text up,
    /// so the error itself waits here for `from_sqlite`.
    static FUNCTION_ERROR: std::cell::RefCell<Option<PgError>> = const { std::cell::RefCell::new(None) };
}

/// The error a SQL function implemented in Rust returns to SQLite, keeping
/// its SQLSTATE for the client.
pub fn function_error(e: PgError) -> rusqlite::Error {
    let text = e.message.clone();
    FUNCTION_ERROR.with(|slot| *slot.borrow_mut() = Some(e));
    rusqlite::Error::UserFunctionError(text.into())
}

/// Converts an error from rusqlite. User functions carry a `PgError` through
/// SQLite unchanged (e.g. pg_sleep cancelled).
pub fn from_sqlite(err: &rusqlite::Error) -> PgError {
    if let Some(e) = FUNCTION_ERROR.with(|slot| slot.borrow_mut().take()) {
        return e;
    }
    if let rusqlite::Error::UserFunctionError(inner) = err {
        if let Some(pg) = inner.downcast_ref::<PgError>() {
            return pg.clone();
        }
        return PgError::error(code::INTERNAL_ERROR, inner.to_string());
    }
    let (extended, text) = match err {
        rusqlite::Error::SqliteFailure(e, msg) => (
            e.extended_code,
            msg.clone().unwrap_or_else(|| e.to_string()),
        ),
        rusqlite::Error::SqlInputError { error, msg, .. } => (error.extended_code, msg.clone()),
        other => return PgError::error(code::INTERNAL_ERROR, other.to_string()),
    };
    from_code_and_message(extended, &text)
}

fn after<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    text.find(prefix).map(|i| text[i + prefix.len()..].trim())
}

/// `t.c` -> (`t`, `c`)
fn split_column(qualified: &str) -> (&str, &str) {
    qualified.split_once('.').unwrap_or(("", qualified))
}

pub fn from_code_and_message(extended: i32, text: &str) -> PgError {
    let primary = extended & 0xff;
    match extended {
        ffi::SQLITE_CONSTRAINT_PRIMARYKEY | ffi::SQLITE_CONSTRAINT_UNIQUE => {
            // "UNIQUE constraint failed: t.a, t.b"
            let columns = after(text, "failed:").unwrap_or("");
            let mut table = "";
            let mut names = Vec::new();
            for c in columns.split(',') {
                let (t, col) = split_column(c.trim());
                table = t;
                names.push(col.to_string());
            }
            let constraint = if extended == ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                || (names.len() == 1 && names[0] == "id")
            {
                format!("{table}_pkey")
            } else {
                format!("{table}_{}_key", names.join("_"))
            };
            return PgError::error(
                code::UNIQUE_VIOLATION,
                format!("duplicate key value violates unique constraint \"{constraint}\""),
            );
        }
        ffi::SQLITE_CONSTRAINT_NOTNULL => {
            let (table, column) = split_column(after(text, "failed:").unwrap_or(""));
            return PgError::error(
                code::NOT_NULL_VIOLATION,
                format!(
                    "null value in column \"{column}\" of relation \"{table}\" violates not-null constraint"
                ),
            );
        }
        ffi::SQLITE_CONSTRAINT_FOREIGNKEY => {
            return PgError::error(
                code::FOREIGN_KEY_VIOLATION,
                "insert or update on table violates foreign key constraint",
            );
        }
        ffi::SQLITE_CONSTRAINT_CHECK => {
            let name = after(text, "failed:").unwrap_or("");
            return PgError::error(
                code::CHECK_VIOLATION,
                format!("new row violates check constraint \"{name}\""),
            );
        }
        _ => {}
    }
    match primary {
        ffi::SQLITE_INTERRUPT => {
            return PgError::error(
                code::QUERY_CANCELED,
                "canceling statement due to user request",
            )
        }
        ffi::SQLITE_BUSY | ffi::SQLITE_LOCKED => {
            return PgError::error(
                code::SERIALIZATION_FAILURE,
                "could not serialize access due to concurrent update",
            )
        }
        ffi::SQLITE_FULL => {
            return PgError::error(
                code::DISK_FULL,
                "could not extend file: No space left on device",
            )
        }
        ffi::SQLITE_TOOBIG => {
            return PgError::error(code::PROGRAM_LIMIT_EXCEEDED, "value too large")
        }
        _ => {}
    }
    if text.contains("ON CONFLICT clause does not match any PRIMARY KEY or UNIQUE constraint") {
        return PgError::error(
            code::INVALID_COLUMN_REFERENCE,
            "there is no unique or exclusion constraint matching the ON CONFLICT specification",
        );
    }
    if let Some(name) = after(text, "no such table:") {
        let name = name.trim_start_matches("main.");
        return PgError::error(
            code::UNDEFINED_TABLE,
            format!("relation \"{name}\" does not exist"),
        );
    }
    if let Some(name) = after(text, "no such column:") {
        return PgError::error(
            code::UNDEFINED_COLUMN,
            format!("column \"{name}\" does not exist"),
        );
    }
    if let Some(rest) = after(text, "no such function:") {
        return PgError::error(
            code::UNDEFINED_FUNCTION,
            format!("function {rest}() does not exist"),
        )
        .with_hint("No function matches the given name and argument types. You might need to add explicit type casts.");
    }
    if let Some(rest) = after(text, "wrong number of arguments to function") {
        let name = rest.trim_end_matches("()").trim();
        return PgError::error(
            code::UNDEFINED_FUNCTION,
            format!("function {name} does not exist"),
        );
    }
    if text.starts_with("table ") && text.ends_with("already exists") {
        let name = text["table ".len()..text.len() - "already exists".len()].trim();
        return PgError::error(
            code::DUPLICATE_TABLE,
            format!("relation \"{name}\" already exists"),
        );
    }
    if text.starts_with("index ") && text.ends_with("already exists") {
        let name = text["index ".len()..text.len() - "already exists".len()].trim();
        return PgError::error(
            code::DUPLICATE_TABLE,
            format!("relation \"{name}\" already exists"),
        );
    }
    if let Some(rest) = after(text, "duplicate column name:") {
        return PgError::error(
            code::DUPLICATE_COLUMN,
            format!("column \"{rest}\" specified more than once"),
        );
    }
    if let Some(rest) = after(text, "ambiguous column name:") {
        return PgError::error(
            code::AMBIGUOUS_COLUMN,
            format!("column reference \"{rest}\" is ambiguous"),
        );
    }
    // WITH RECURSIVE queries SQLite cannot run: PostgreSQL's 42P19.
    for (sqlite, postgres) in [
        (
            "circular reference: ",
            "must not appear within its non-recursive term",
        ),
        (
            "multiple recursive references: ",
            "must not appear more than once",
        ),
        (
            "recursive reference in a subquery: ",
            "must not appear within a subquery",
        ),
    ] {
        if let Some(name) = text.strip_prefix(sqlite) {
            return PgError::error(
                code::INVALID_RECURSION,
                format!("recursive reference to query \"{name}\" {postgres}"),
            );
        }
    }
    if text.contains("syntax error") {
        // `near "x": syntax error`
        let token = text
            .split('"')
            .nth(1)
            .filter(|_| text.starts_with("near"))
            .map(str::to_string);
        return match token {
            Some(t) => PgError::error(
                code::SYNTAX_ERROR,
                format!("syntax error at or near \"{t}\""),
            ),
            None => PgError::error(code::SYNTAX_ERROR, "syntax error at end of input"),
        };
    }
    if text.contains("incomplete input") {
        return PgError::error(code::SYNTAX_ERROR, "syntax error at end of input");
    }
    PgError::error(code::INTERNAL_ERROR, "internal error in the SQL engine")
        .with_detail(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_messages_become_postgresql_errors() {
        let cases = [
            (
                ffi::SQLITE_ERROR,
                "no such table: nosuch",
                "42P01",
                "relation \"nosuch\" does not exist",
            ),
            (
                ffi::SQLITE_ERROR,
                "no such column: zz",
                "42703",
                "column \"zz\" does not exist",
            ),
            (
                ffi::SQLITE_ERROR,
                "near \"SELEC\": syntax error",
                "42601",
                "syntax error at or near \"SELEC\"",
            ),
            (
                ffi::SQLITE_ERROR,
                "table t already exists",
                "42P07",
                "relation \"t\" already exists",
            ),
            (
                ffi::SQLITE_CONSTRAINT_PRIMARYKEY,
                "UNIQUE constraint failed: t.id",
                "23505",
                "duplicate key value violates unique constraint \"t_pkey\"",
            ),
            (
                ffi::SQLITE_CONSTRAINT_UNIQUE,
                "UNIQUE constraint failed: t.name",
                "23505",
                "duplicate key value violates unique constraint \"t_name_key\"",
            ),
            (
                ffi::SQLITE_CONSTRAINT_NOTNULL,
                "NOT NULL constraint failed: t.name",
                "23502",
                "null value in column \"name\" of relation \"t\" violates not-null constraint",
            ),
            (
                ffi::SQLITE_BUSY,
                "database is locked",
                "40001",
                "could not serialize access due to concurrent update",
            ),
        ];
        for (sqlite_code, text, sqlstate, message) in cases {
            let e = from_code_and_message(sqlite_code, text);
            assert_eq!((e.code, e.message.as_str()), (sqlstate, message), "{text}");
        }
    }
}
