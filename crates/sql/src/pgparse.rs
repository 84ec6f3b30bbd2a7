//! PostgreSQL's own grammar (libpg_query through the `pg_query` crate):
//! the raw parse tree of a statement, or PostgreSQL's syntax error with its
//! position (PostgreSQL: `raw_parser()`, `scanner_yyerror()`).
//!
//! libpg_query reports the cursor position of an error, but the crate only
//! passes the message on. The position is found again here: a prefix of
//! the statement that ends at a token boundary either fails "at end of
//! input" (the grammar could still accept it) or fails at the same place
//! as the whole statement. The first token whose prefix fails elsewhere is
//! where PostgreSQL's parser stopped; a binary search over token ends finds
//! it in O(log n) parses. This runs only for statements that do not parse.

use pg_query::protobuf::RawStmt;
use pm_elog::{sqlstate as code, PgError};

/// Parses one statement text (it may hold several statements; all are
/// returned). A syntax error is 42601 with the 1-based character position.
pub fn parse(sql: &str) -> Result<Vec<RawStmt>, PgError> {
    match pg_query::parse(sql, 0) {
        Ok(result) => Ok(result.protobuf.stmts),
        Err(e) => Err(syntax_error(sql, &message_of(&e))),
    }
}

fn message_of(e: &pg_query::Error) -> String {
    match e {
        pg_query::Error::Parse(m) => m.clone(),
        other => other.to_string(),
    }
}

fn syntax_error(sql: &str, message: &str) -> PgError {
    let sqlstate = if message.starts_with("syntax error")
        || message.starts_with("unterminated")
        || message.starts_with("zero-length delimited identifier")
        || message.starts_with("trailing junk")
        || message.contains("is out of range")
        || message.starts_with("invalid")
        || message.starts_with("cannot use multiple ORDER BY clauses")
    {
        code::SYNTAX_ERROR
    } else {
        code::FEATURE_NOT_SUPPORTED
    };
    let mut err = PgError::error(sqlstate, message.to_string());
    if let Some(byte) = error_byte_offset(sql, message) {
        let chars = sql[..byte.min(sql.len())].chars().count();
        err = err.at(chars as u32 + 1);
    }
    err
}

/// Byte offset where the parser stopped, or None when it cannot be told.
fn error_byte_offset(sql: &str, message: &str) -> Option<usize> {
    if message.ends_with("at end of input") {
        return Some(sql.trim_end().len());
    }
    // An unterminated literal runs to the end of the input: the message
    // quotes it, so it starts where that much of the input is left.
    if message.starts_with("unterminated") {
        let near = message.split_once("at or near \"")?.1.strip_suffix('"')?;
        return sql.trim_end().strip_suffix(near).map(str::len);
    }
    let tokens = pg_query::scan(sql).ok()?.tokens;
    if tokens.is_empty() {
        return None;
    }
    let fails_inside = |k: usize| -> bool {
        let end = tokens[k].end as usize;
        match pg_query::parse(&sql[..end], 0) {
            Ok(_) => false,
            Err(e) => !message_of(&e).ends_with("at end of input"),
        }
    };
    // Smallest k whose prefix fails other than at its end.
    let (mut lo, mut hi) = (0usize, tokens.len() - 1);
    if !fails_inside(hi) {
        return Some(tokens[hi].start as usize);
    }
    while lo < hi {
        let mid = (lo + hi) / 2;
        if fails_inside(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    Some(tokens[lo].start as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_carry_postgresql_position() {
        // (statement, message, position) as PostgreSQL 15 reports them.
        for (sql, message, position) in [
            ("SELEC 1", "syntax error at or near \"SELEC\"", 1),
            ("SELECT 1 +", "syntax error at end of input", 11),
            ("SELECT * FROM t WHERE", "syntax error at end of input", 22),
            (
                "SELECT 1 FROM FROM t",
                "syntax error at or near \"FROM\"",
                15,
            ),
            ("select 'a' 'b'", "syntax error at or near \"'b'\"", 12),
            ("SELECT (1", "syntax error at end of input", 10),
            (
                "SELECT 'abc",
                "unterminated quoted string at or near \"'abc\"",
                8,
            ),
        ] {
            let err = parse(sql).unwrap_err();
            assert_eq!(err.code, code::SYNTAX_ERROR, "{sql}");
            assert_eq!(err.message, message, "{sql}");
            assert_eq!(err.position, position, "{sql}");
        }
    }

    #[test]
    fn statements_parse() {
        let stmts = parse("SELECT 1; SELECT $$a$$").unwrap();
        assert_eq!(stmts.len(), 2);
    }
}
