//! Statement texts with their integer literals taken out, so that the
//! analysis and the prepared SQLite statement of `... WHERE aid = 17` serve
//! `... WHERE aid = 42` too (pgbench's `-S` sends a new text each time).
//!
//! The scanner finds each integer literal that fits int4 (PostgreSQL's
//! lexer makes those `Integer` constants) outside quotes, identifiers and
//! comments; the key is the text with each one replaced by `?`. A text
//! with anything the scanner does not follow exactly (dollar quotes,
//! `E''` strings, comments, `U&`) gets no key and is translated alone.
//!
//! A cached translation is reused only if its analysis turned every one of
//! these literals into a bound SQLite parameter (`:l0x`, `:l1x`, ...): a
//! literal the analyzer consumed (`ORDER BY 2`, `numeric(10,2)`) leaves its
//! value in the SQL, and such a statement is not cached by key.

/// One integer literal: the byte offset where PostgreSQL's parse tree
/// locates it, and its value. `negated`: a unary minus right before it,
/// which PostgreSQL's grammar folds into the constant (located at the
/// minus sign); the key keeps the minus, so both forms never share a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Literal {
    pub offset: usize,
    pub minus_offset: Option<usize>,
    pub value: i64,
}

/// The key and the literals of a statement, or None when it has no
/// integer literal or holds something the scanner does not follow.
pub fn integer_literals(sql: &str) -> Option<(String, Vec<Literal>)> {
    let b = sql.as_bytes();
    let mut key = String::with_capacity(sql.len());
    let mut literals = Vec::new();
    let mut i = 0;
    let mut copied = 0;
    while i < b.len() {
        match b[i] {
            b'\'' => {
                if i > 0
                    && matches!(
                        b[i - 1],
                        b'e' | b'E' | b'&' | b'b' | b'B' | b'x' | b'X' | b'n' | b'N'
                    )
                {
                    return None;
                }
                i += 1;
                loop {
                    match b.get(i)? {
                        b'\'' if b.get(i + 1) == Some(&b'\'') => i += 2,
                        b'\'' => break,
                        _ => i += 1,
                    }
                }
                i += 1;
            }
            b'"' => {
                i += 1;
                while *b.get(i)? != b'"' {
                    i += 1;
                }
                i += 1;
            }
            b'-' if b.get(i + 1) == Some(&b'-') => return None,
            b'/' if b.get(i + 1) == Some(&b'*') => return None,
            b'$' => {
                // $n is a parameter; $tag$ a dollar quote.
                let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
                if digits == 0 {
                    return None;
                }
                i += 1 + digits;
            }
            c if c.is_ascii_digit() => {
                let start = i;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                let before = if start > 0 { b[start - 1] } else { b' ' };
                let after = b.get(i).copied().unwrap_or(b' ');
                let part_of_word =
                    before.is_ascii_alphanumeric() || before == b'_' || before == b'.';
                let continues = after.is_ascii_alphanumeric() || after == b'_' || after == b'.';
                if part_of_word || continues {
                    // A name (t1), a decimal (1.5, 1e3): left as written.
                    while i < b.len()
                        && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'.')
                    {
                        i += 1;
                    }
                    continue;
                }
                let Ok(value) = sql[start..i].parse::<i32>() else {
                    continue;
                };
                let minus_offset = sql[..start].trim_end().strip_suffix('-').map(str::len);
                key.push_str(&sql[copied..start]);
                key.push('?');
                copied = i;
                literals.push(Literal {
                    offset: start,
                    minus_offset,
                    value: value as i64,
                });
            }
            c if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 => {
                while i < b.len()
                    && (b[i].is_ascii_alphanumeric()
                        || b[i] == b'_'
                        || b[i] == b'$'
                        || b[i] >= 0x80)
                {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    if literals.is_empty() {
        return None;
    }
    key.push_str(&sql[copied..]);
    Some((key, literals))
}

/// The SQLite parameter name of literal slot `k`.
pub fn slot_name(k: usize) -> String {
    format!(":l{k}x")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_literals() {
        let (key, lits) =
            integer_literals("SELECT abalance FROM pgbench_accounts WHERE aid = 4711;").unwrap();
        assert_eq!(key, "SELECT abalance FROM pgbench_accounts WHERE aid = ?;");
        assert_eq!(lits[0].value, 4711);
        let (key, lits) =
            integer_literals("UPDATE t SET a = a + -12 WHERE id = 3 AND n = 't1' AND x1 = 1.5")
                .unwrap();
        assert_eq!(
            key,
            "UPDATE t SET a = a + -? WHERE id = ? AND n = 't1' AND x1 = 1.5"
        );
        assert_eq!(lits.len(), 2);
        assert_eq!(lits[0].minus_offset, Some(21));
        assert_eq!(integer_literals("SELECT $1, 'a''b'"), None);
        assert_eq!(integer_literals("SELECT E'\\n', 1"), None);
        assert_eq!(integer_literals("SELECT 1 -- c"), None);
        assert_eq!(integer_literals("SELECT $$x$$, 1"), None);
        let (key, _) = integer_literals("SELECT 9999999999, 2").unwrap();
        assert_eq!(key, "SELECT 9999999999, ?");
    }
}
