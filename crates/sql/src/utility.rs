//! Utility commands that sqlparser does not accept in PostgreSQL's forms
//! (`VACUUM ANALYZE t`, `COPY ... WITH (FREEZE ON)`, `DROP TABLE a, b`,
//! `TRUNCATE a, b`, `ALTER TABLE t ADD PRIMARY KEY (c)`), read by a small
//! keyword parser over our own tokens.
//!
//! [`parse`] returns None for statements it does not own, which then go
//! the sqlparser way.

use pm_elog::{sqlstate as code, PgError};

use crate::copy::{CopyFormat, CopySpec};

/// The kind of object a DROP names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    Table,
    View,
    Index,
}

impl ObjectKind {
    /// The word PostgreSQL uses in messages (`table "t" does not exist`).
    pub fn word(self) -> &'static str {
        match self {
            ObjectKind::Table => "table",
            ObjectKind::View => "view",
            ObjectKind::Index => "index",
        }
    }

    /// The `type` column of sqlite_schema.
    pub fn sqlite_type(self) -> &'static str {
        self.word()
    }
}

/// A constraint added to an existing table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewConstraint {
    /// PRIMARY KEY or UNIQUE over columns.
    Unique { primary: bool, columns: Vec<String> },
    /// FOREIGN KEY or CHECK: SQLite table-constraint text, appended to the
    /// table's definition.
    Clause { kind: ClauseKind, text: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClauseKind {
    ForeignKey,
    Check,
}

/// A utility statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Utility {
    Drop {
        kind: ObjectKind,
        names: Vec<String>,
        missing_ok: bool,
    },
    Truncate {
        tables: Vec<String>,
    },
    /// VACUUM and/or ANALYZE.
    Maintain {
        vacuum: bool,
        full: bool,
        analyze: bool,
        tables: Vec<String>,
    },
    Copy(CopySpec),
    CreateDatabase {
        name: String,
    },
    DropDatabase {
        name: String,
        missing_ok: bool,
        force: bool,
    },
    AddConstraint {
        table: String,
        missing_ok: bool,
        name: Option<String>,
        constraint: NewConstraint,
    },
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// An unquoted word, lowercased.
    Word(String),
    /// A double-quoted identifier.
    Quoted(String),
    /// A string literal's value.
    Str(String),
    Num(String),
    Sym(char),
}

struct Token {
    tok: Tok,
    /// Byte offset in the statement text.
    start: usize,
}

fn tokenize(sql: &str) -> Result<Vec<Token>, PgError> {
    let b = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if b[i..].starts_with(b"--") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            i = sql[i + 2..]
                .find("*/")
                .map(|p| i + 2 + p + 2)
                .unwrap_or(b.len());
        } else if c == b'\'' || ((c == b'e' || c == b'E') && b.get(i + 1) == Some(&b'\'')) {
            let escapes = c != b'\'';
            let start = i;
            i += if escapes { 2 } else { 1 };
            let mut value = Vec::new();
            loop {
                match b.get(i) {
                    None => return Err(unterminated(start, sql)),
                    Some(b'\'') if b.get(i + 1) == Some(&b'\'') => {
                        value.push(b'\'');
                        i += 2;
                    }
                    Some(b'\'') => {
                        i += 1;
                        break;
                    }
                    Some(b'\\') if escapes => {
                        let e = b.get(i + 1).copied().unwrap_or(b'\\');
                        value.push(match e {
                            b'n' => b'\n',
                            b't' => b'\t',
                            b'r' => b'\r',
                            b'b' => 8,
                            b'f' => 12,
                            other => other,
                        });
                        i += 2;
                    }
                    Some(&other) => {
                        value.push(other);
                        i += 1;
                    }
                }
            }
            out.push(Token {
                tok: Tok::Str(String::from_utf8_lossy(&value).into_owned()),
                start,
            });
        } else if c == b'"' {
            let start = i;
            i += 1;
            let mut value = String::new();
            loop {
                match sql[i..].find('"') {
                    None => return Err(unterminated(start, sql)),
                    Some(p) => {
                        value.push_str(&sql[i..i + p]);
                        i += p + 1;
                        if b.get(i) == Some(&b'"') {
                            value.push('"');
                            i += 1;
                        } else {
                            break;
                        }
                    }
                }
            }
            out.push(Token {
                tok: Tok::Quoted(value),
                start,
            });
        } else if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] >= 0x80) {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Word(sql[start..i].to_lowercase()),
                start,
            });
        } else if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Num(sql[start..i].to_string()),
                start,
            });
        } else {
            let ch = sql[i..].chars().next().unwrap_or(' ');
            out.push(Token {
                tok: Tok::Sym(ch),
                start: i,
            });
            i += ch.len_utf8();
        }
    }
    Ok(out)
}

fn unterminated(start: usize, sql: &str) -> PgError {
    let what = if sql.as_bytes()[start] == b'"' {
        "unterminated quoted identifier"
    } else {
        "unterminated quoted string"
    };
    PgError::error(
        code::SYNTAX_ERROR,
        format!("{what} at or near \"{}\"", &sql[start..]),
    )
}

struct Parser<'a> {
    sql: &'a str,
    toks: Vec<Token>,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.tok)
    }

    fn peek_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(x)) if x == w)
    }

    fn eat_word(&mut self, w: &str) -> bool {
        if self.peek_word(w) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn eat_words(&mut self, ws: &[&str]) -> bool {
        let save = self.pos;
        for w in ws {
            if !self.eat_word(w) {
                self.pos = save;
                return false;
            }
        }
        true
    }

    fn eat_sym(&mut self, c: char) -> bool {
        if self.peek() == Some(&Tok::Sym(c)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn at_end(&self) -> bool {
        self.pos >= self.toks.len() || (self.peek() == Some(&Tok::Sym(';')))
    }

    /// PostgreSQL's syntax error at the current token.
    fn error(&self) -> PgError {
        match self.toks.get(self.pos) {
            None => PgError::error(code::SYNTAX_ERROR, "syntax error at end of input"),
            Some(t) => {
                let rest = &self.sql[t.start..];
                let len = match &t.tok {
                    Tok::Word(w) => w.len(),
                    Tok::Num(n) => n.len(),
                    Tok::Sym(c) => c.len_utf8(),
                    Tok::Str(_) | Tok::Quoted(_) => {
                        let next = self.toks.get(self.pos + 1).map(|n| n.start);
                        next.map(|n| n - t.start).unwrap_or(rest.len())
                    }
                };
                // (a char boundary at or below the token's length: a
                // lower-cased word may be longer than the text it came from)
                let mut end = len.min(rest.len());
                while !rest.is_char_boundary(end) {
                    end -= 1;
                }
                let near = rest[..end].trim_end();
                PgError::error(
                    code::SYNTAX_ERROR,
                    format!("syntax error at or near \"{near}\""),
                )
            }
        }
    }

    fn expect_word(&mut self, w: &str) -> Result<(), PgError> {
        if self.eat_word(w) {
            Ok(())
        } else {
            Err(self.error())
        }
    }

    fn expect_sym(&mut self, c: char) -> Result<(), PgError> {
        if self.eat_sym(c) {
            Ok(())
        } else {
            Err(self.error())
        }
    }

    fn expect_end(&mut self) -> Result<(), PgError> {
        self.eat_sym(';');
        if self.pos < self.toks.len() {
            return Err(self.error());
        }
        Ok(())
    }

    /// One identifier (unquoted: lowercased).
    fn ident(&mut self) -> Result<String, PgError> {
        match self.peek().cloned() {
            Some(Tok::Word(w)) | Some(Tok::Quoted(w)) => {
                self.pos += 1;
                Ok(w)
            }
            _ => Err(self.error()),
        }
    }

    /// A possibly schema-qualified name; the schema is dropped (every
    /// table lives in `public` here).
    fn name(&mut self) -> Result<String, PgError> {
        let mut name = self.ident()?;
        while self.eat_sym('.') {
            name = self.ident()?;
        }
        Ok(name)
    }

    fn name_list(&mut self) -> Result<Vec<String>, PgError> {
        let mut names = vec![self.name()?];
        self.eat_sym('*');
        while self.eat_sym(',') {
            self.eat_word("only");
            names.push(self.name()?);
            self.eat_sym('*');
        }
        Ok(names)
    }

    /// `(a, b, c)`
    fn column_list(&mut self) -> Result<Vec<String>, PgError> {
        self.expect_sym('(')?;
        let mut cols = vec![self.ident()?];
        while self.eat_sym(',') {
            cols.push(self.ident()?);
        }
        self.expect_sym(')')?;
        Ok(cols)
    }

    /// Skips a balanced parenthesised group starting at `(`.
    fn skip_group(&mut self) -> Result<(), PgError> {
        self.expect_sym('(')?;
        let mut depth = 1;
        while depth > 0 {
            match self.peek() {
                None => return Err(self.error()),
                Some(Tok::Sym('(')) => depth += 1,
                Some(Tok::Sym(')')) => depth -= 1,
                _ => {}
            }
            self.pos += 1;
        }
        Ok(())
    }

    fn offset(&self) -> usize {
        self.toks
            .get(self.pos)
            .map(|t| t.start)
            .unwrap_or(self.sql.len())
    }

    fn drop_cascade(&mut self) {
        let _ = self.eat_word("cascade") || self.eat_word("restrict");
    }

    /// A string option value ('x' or a bare word).
    fn option_string(&mut self) -> Result<String, PgError> {
        match self.peek().cloned() {
            Some(Tok::Str(s)) | Some(Tok::Word(s)) | Some(Tok::Num(s)) => {
                self.pos += 1;
                Ok(s)
            }
            _ => Err(self.error()),
        }
    }

    /// A boolean option value: absent (true), on/off, true/false, 1/0.
    fn option_bool(&mut self, name: &str) -> Result<bool, PgError> {
        let value = match self.peek().cloned() {
            Some(Tok::Sym(',')) | Some(Tok::Sym(')')) | None => return Ok(true),
            Some(Tok::Str(s)) | Some(Tok::Word(s)) | Some(Tok::Num(s)) => {
                self.pos += 1;
                s.to_ascii_lowercase()
            }
            _ => return Err(self.error()),
        };
        match value.as_str() {
            "on" | "true" | "1" | "yes" => Ok(true),
            "off" | "false" | "0" | "no" => Ok(false),
            _ => Err(PgError::error(
                code::INVALID_PARAMETER_VALUE,
                format!("{name} requires a Boolean value"),
            )),
        }
    }
}

/// Parses `stmt` when it is a utility statement owned by this module.
pub fn parse(stmt: &str) -> Option<Result<Utility, PgError>> {
    let toks = match tokenize(stmt) {
        Ok(t) => t,
        Err(e) => return Some(Err(e)),
    };
    let mut p = Parser {
        sql: stmt,
        toks,
        pos: 0,
    };
    let first = match p.peek() {
        Some(Tok::Word(w)) => w.clone(),
        _ => return None,
    };
    let second = match p.toks.get(1).map(|t| &t.tok) {
        Some(Tok::Word(w)) => w.clone(),
        _ => String::new(),
    };
    let result = match first.as_str() {
        "drop" if matches!(second.as_str(), "table" | "view" | "index") => parse_drop(&mut p),
        "truncate" => parse_truncate(&mut p),
        "create" | "drop" if second == "database" => parse_database(&mut p, first == "create"),
        "vacuum" | "analyze" | "analyse" => parse_maintain(&mut p),
        "copy" => parse_copy(&mut p),
        "alter" if second == "table" => return parse_alter(&mut p),
        _ => return None,
    };
    Some(result)
}

fn parse_drop(p: &mut Parser<'_>) -> Result<Utility, PgError> {
    p.expect_word("drop")?;
    let kind = if p.eat_word("table") {
        ObjectKind::Table
    } else if p.eat_word("view") {
        ObjectKind::View
    } else {
        p.expect_word("index")?;
        p.eat_word("concurrently");
        ObjectKind::Index
    };
    let missing_ok = p.eat_words(&["if", "exists"]);
    let mut names = vec![p.name()?];
    while p.eat_sym(',') {
        names.push(p.name()?);
    }
    p.drop_cascade();
    p.expect_end()?;
    Ok(Utility::Drop {
        kind,
        names,
        missing_ok,
    })
}

/// `CREATE DATABASE name [WITH] [option [=] value] ...` (options are
/// accepted and have no effect: every database is UTF8 with C collation)
/// and `DROP DATABASE [IF EXISTS] name [[WITH] (FORCE)]`.
fn parse_database(p: &mut Parser<'_>, create: bool) -> Result<Utility, PgError> {
    p.pos = 2;
    if create {
        let name = p.ident()?;
        p.eat_word("with");
        while !p.at_end() {
            p.ident()?;
            p.eat_sym('=');
            p.option_string()?;
        }
        p.expect_end()?;
        return Ok(Utility::CreateDatabase { name });
    }
    let missing_ok = p.eat_words(&["if", "exists"]);
    let name = p.ident()?;
    let mut force = false;
    p.eat_word("with");
    if p.eat_sym('(') {
        loop {
            let option = p.ident()?;
            if option != "force" {
                return Err(PgError::error(
                    code::SYNTAX_ERROR,
                    format!("unrecognized DROP DATABASE option \"{option}\""),
                ));
            }
            force = true;
            if !p.eat_sym(',') {
                break;
            }
        }
        p.expect_sym(')')?;
    }
    p.expect_end()?;
    Ok(Utility::DropDatabase {
        name,
        missing_ok,
        force,
    })
}

fn parse_truncate(p: &mut Parser<'_>) -> Result<Utility, PgError> {
    p.expect_word("truncate")?;
    p.eat_word("table");
    p.eat_word("only");
    let tables = p.name_list()?;
    let _ = p.eat_words(&["restart", "identity"]) || p.eat_words(&["continue", "identity"]);
    p.drop_cascade();
    p.expect_end()?;
    Ok(Utility::Truncate { tables })
}

fn parse_maintain(p: &mut Parser<'_>) -> Result<Utility, PgError> {
    let vacuum = p.eat_word("vacuum");
    let (mut full, mut analyze) = (false, !vacuum);
    if !vacuum {
        let _ = p.eat_word("analyze") || p.eat_word("analyse");
    }
    if p.peek() == Some(&Tok::Sym('(')) {
        p.pos += 1;
        loop {
            let option = p.ident()?;
            let on = p.option_bool(&option)?;
            match option.as_str() {
                "full" => full = on,
                "analyze" | "analyse" => analyze |= on,
                "freeze"
                | "verbose"
                | "skip_locked"
                | "disable_page_skipping"
                | "index_cleanup"
                | "process_toast"
                | "process_main"
                | "truncate"
                | "parallel"
                | "skip_database_stats"
                | "only_database_stats"
                | "buffer_usage_limit" => {}
                other => {
                    return Err(PgError::error(
                        code::SYNTAX_ERROR,
                        format!(
                            "unrecognized {} option \"{other}\"",
                            if vacuum { "VACUUM" } else { "ANALYZE" }
                        ),
                    ))
                }
            }
            if !p.eat_sym(',') {
                break;
            }
        }
        p.expect_sym(')')?;
    } else {
        loop {
            if p.eat_word("full") {
                full = true;
            } else if p.eat_word("analyze") || p.eat_word("analyse") {
                analyze = true;
            } else if !(p.eat_word("freeze") || p.eat_word("verbose")) {
                break;
            }
        }
    }
    let mut tables = Vec::new();
    if !p.at_end() {
        loop {
            tables.push(p.name()?);
            if p.peek() == Some(&Tok::Sym('(')) {
                p.skip_group()?;
            }
            if !p.eat_sym(',') {
                break;
            }
        }
    }
    p.expect_end()?;
    Ok(Utility::Maintain {
        vacuum,
        full,
        analyze,
        tables,
    })
}

fn parse_copy(p: &mut Parser<'_>) -> Result<Utility, PgError> {
    p.expect_word("copy")?;
    let mut spec = CopySpec::default();
    if p.peek() == Some(&Tok::Sym('(')) {
        let start = p.offset() + 1;
        p.skip_group()?;
        let end = p.toks[p.pos - 1].start;
        spec.query = Some(p.sql[start..end].trim().to_string());
    } else {
        spec.table = p.name()?;
        if p.peek() == Some(&Tok::Sym('(')) {
            spec.columns = p.column_list()?;
        }
    }
    spec.from = if p.eat_word("from") {
        true
    } else {
        p.expect_word("to")?;
        false
    };
    if spec.from && spec.query.is_some() {
        return Err(PgError::error(
            code::SYNTAX_ERROR,
            "syntax error at or near \"from\"",
        ));
    }
    let endpoint_ok = if spec.from {
        p.eat_word("stdin")
    } else {
        p.eat_word("stdout")
    };
    if !endpoint_ok {
        if matches!(p.peek(), Some(Tok::Str(_))) || p.peek_word("program") {
            return Err(PgError::error(
                code::FEATURE_NOT_SUPPORTED,
                format!(
                    "COPY {} a file or program is not supported",
                    if spec.from { "from" } else { "to" }
                ),
            )
            .with_hint(format!(
                "Use COPY ... {} and the client's copy support (psql's \\copy).",
                if spec.from { "FROM STDIN" } else { "TO STDOUT" }
            )));
        }
        return Err(p.error());
    }
    p.eat_word("with");
    if p.eat_sym('(') {
        loop {
            let option = p.ident()?;
            copy_option(p, &mut spec, &option)?;
            if !p.eat_sym(',') {
                break;
            }
        }
        p.expect_sym(')')?;
    } else {
        // The pre-9.0 option syntax psql and pgbench still send.
        while !p.at_end() {
            let option = p.ident()?;
            match option.as_str() {
                "binary" | "csv" => spec.format = format_named(&option)?,
                "header" => spec.header = true,
                "freeze" => {}
                "delimiter" | "null" | "quote" | "escape" => {
                    p.eat_word("as");
                    copy_option(p, &mut spec, &option)?;
                }
                "force" => {
                    // FORCE QUOTE / FORCE NOT NULL col, ...: output shaping only.
                    let _ = p.eat_word("quote") || p.eat_words(&["not", "null"]);
                    if !p.eat_sym('*') {
                        p.ident()?;
                        while p.eat_sym(',') {
                            p.ident()?;
                        }
                    }
                }
                _ => {
                    p.pos -= 1;
                    return Err(p.error());
                }
            }
        }
    }
    p.expect_end()?;
    spec.check()?;
    Ok(Utility::Copy(spec))
}

fn format_named(name: &str) -> Result<CopyFormat, PgError> {
    match name.to_ascii_lowercase().as_str() {
        "text" => Ok(CopyFormat::Text),
        "csv" => Ok(CopyFormat::Csv),
        "binary" => Err(PgError::error(
            code::FEATURE_NOT_SUPPORTED,
            "COPY BINARY is not supported",
        )),
        other => Err(PgError::error(
            code::INVALID_PARAMETER_VALUE,
            format!("COPY format \"{other}\" not recognized"),
        )),
    }
}

fn copy_option(p: &mut Parser<'_>, spec: &mut CopySpec, option: &str) -> Result<(), PgError> {
    let single_byte = |s: String, what: &str| -> Result<u8, PgError> {
        match s.as_bytes() {
            [b] => Ok(*b),
            _ => Err(PgError::error(
                code::FEATURE_NOT_SUPPORTED,
                format!("COPY {what} must be a single one-byte character"),
            )),
        }
    };
    match option {
        "format" => spec.format = format_named(&p.option_string()?)?,
        "freeze" => {
            p.option_bool(option)?;
        }
        "header" => {
            spec.header = if p.peek_word("match") {
                p.pos += 1;
                true
            } else {
                p.option_bool(option)?
            }
        }
        "delimiter" => spec.delimiter = Some(single_byte(p.option_string()?, "delimiter")?),
        "quote" => spec.quote = Some(single_byte(p.option_string()?, "quote")?),
        "escape" => spec.escape = Some(single_byte(p.option_string()?, "escape")?),
        "null" => spec.null = Some(p.option_string()?),
        "encoding" => {
            let e = p.option_string()?;
            if !matches!(
                e.to_ascii_uppercase().as_str(),
                "UTF8" | "UTF-8" | "SQL_ASCII"
            ) {
                return Err(PgError::error(
                    code::FEATURE_NOT_SUPPORTED,
                    format!("COPY encoding \"{e}\" is not supported"),
                ));
            }
        }
        "force_quote" | "force_not_null" | "force_null" => {
            if !p.eat_sym('*') {
                p.column_list()?;
            }
        }
        other => {
            return Err(PgError::error(
                code::SYNTAX_ERROR,
                format!("option \"{other}\" not recognized"),
            ))
        }
    }
    Ok(())
}

/// `ALTER TABLE t ADD [CONSTRAINT n] PRIMARY KEY|UNIQUE|FOREIGN KEY|CHECK ...`;
/// other ALTER TABLE forms are left to sqlparser and SQLite.
fn parse_alter(p: &mut Parser<'_>) -> Option<Result<Utility, PgError>> {
    p.pos = 2;
    let missing_ok = p.eat_words(&["if", "exists"]);
    p.eat_word("only");
    let table = p.name().ok()?;
    if !p.eat_word("add") {
        return None;
    }
    let name = if p.eat_word("constraint") {
        match p.ident() {
            Ok(n) => Some(n),
            Err(e) => return Some(Err(e)),
        }
    } else {
        None
    };
    let start = p.offset();
    let constraint = if p.eat_words(&["primary", "key"]) || p.peek_word("unique") {
        let primary = !p.eat_word("unique");
        match p.column_list() {
            Ok(columns) => NewConstraint::Unique { primary, columns },
            Err(e) => return Some(Err(e)),
        }
    } else if p.peek_word("foreign") || p.peek_word("check") {
        let kind = if p.peek_word("check") {
            ClauseKind::Check
        } else {
            ClauseKind::ForeignKey
        };
        let text = p.sql[start..]
            .trim()
            .trim_end_matches(';')
            .trim_end()
            .to_string();
        let text = text
            .strip_suffix("NOT VALID")
            .or_else(|| text.strip_suffix("not valid"))
            .unwrap_or(&text)
            .trim_end()
            .to_string();
        p.pos = p.toks.len();
        NewConstraint::Clause { kind, text }
    } else if name.is_some() {
        return Some(Err(p.error()));
    } else {
        // ADD [COLUMN] ...: SQLite does that itself.
        return None;
    };
    Some(p.expect_end().map(|_| Utility::AddConstraint {
        table,
        missing_ok,
        name,
        constraint,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(sql: &str) -> Utility {
        parse(sql)
            .unwrap_or_else(|| panic!("not a utility: {sql}"))
            .unwrap_or_else(|e| panic!("{sql}: {}", e.message))
    }

    fn err(sql: &str) -> PgError {
        parse(sql).expect("utility").expect_err(sql)
    }

    #[test]
    fn what_pgbench_sends_is_parsed() {
        assert_eq!(
            ok("drop table if exists pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers"),
            Utility::Drop {
                kind: ObjectKind::Table,
                names: vec![
                    "pgbench_accounts".into(),
                    "pgbench_branches".into(),
                    "pgbench_history".into(),
                    "pgbench_tellers".into()
                ],
                missing_ok: true
            }
        );
        assert_eq!(
            ok("truncate table pgbench_accounts, pgbench_branches"),
            Utility::Truncate {
                tables: vec!["pgbench_accounts".into(), "pgbench_branches".into()]
            }
        );
        assert_eq!(
            ok("vacuum analyze pgbench_branches"),
            Utility::Maintain {
                vacuum: true,
                full: false,
                analyze: true,
                tables: vec!["pgbench_branches".into()]
            }
        );
        match ok("copy pgbench_accounts from stdin with (freeze on)") {
            Utility::Copy(spec) => {
                assert_eq!(spec.table, "pgbench_accounts");
                assert!(spec.from);
                assert_eq!(spec.format, CopyFormat::Text);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            ok("alter table pgbench_branches add primary key (bid)"),
            Utility::AddConstraint {
                table: "pgbench_branches".into(),
                missing_ok: false,
                name: None,
                constraint: NewConstraint::Unique {
                    primary: true,
                    columns: vec!["bid".into()]
                }
            }
        );
        assert_eq!(
            ok("alter table pgbench_tellers add constraint pgbench_tellers_bid_fkey foreign key (bid) references pgbench_branches"),
            Utility::AddConstraint {
                table: "pgbench_tellers".into(),
                missing_ok: false,
                name: Some("pgbench_tellers_bid_fkey".into()),
                constraint: NewConstraint::Clause {
                    kind: ClauseKind::ForeignKey,
                    text: "foreign key (bid) references pgbench_branches".into()
                }
            }
        );
    }

    #[test]
    fn copy_options_in_both_syntaxes() {
        let spec = |sql: &str| match ok(sql) {
            Utility::Copy(s) => s,
            other => panic!("{other:?}"),
        };
        let s = spec(
            "COPY t (a, \"B\") TO STDOUT WITH (FORMAT csv, HEADER, DELIMITER ';', NULL 'nil')",
        );
        assert_eq!(s.columns, vec!["a".to_string(), "B".to_string()]);
        assert!(!s.from && s.header);
        assert_eq!(s.format, CopyFormat::Csv);
        assert_eq!(s.delimiter, Some(b';'));
        assert_eq!(s.null.as_deref(), Some("nil"));
        let s = spec("copy public.t from stdin csv header delimiter as '|'");
        assert_eq!(s.table, "t");
        assert_eq!(s.format, CopyFormat::Csv);
        assert_eq!(s.delimiter, Some(b'|'));
        let s = spec("copy (select 1, 'a;b') to stdout");
        assert_eq!(s.query.as_deref(), Some("select 1, 'a;b'"));
        assert_eq!(
            err("copy t from '/etc/passwd'").code,
            code::FEATURE_NOT_SUPPORTED
        );
        assert_eq!(
            err("copy t to stdout (format binary)").code,
            code::FEATURE_NOT_SUPPORTED
        );
        assert_eq!(err("copy t from stdin (bogus 1)").code, code::SYNTAX_ERROR);
        assert_eq!(
            err("copy t from stdin (delimiter ',,')").code,
            code::FEATURE_NOT_SUPPORTED
        );
    }

    #[test]
    fn syntax_errors_name_the_token() {
        assert_eq!(
            err("drop table a b").message,
            "syntax error at or near \"b\""
        );
        assert_eq!(err("truncate").message, "syntax error at end of input");
        assert_eq!(err("vacuum 'x'").message, "syntax error at or near \"'x'\"");
    }

    #[test]
    fn other_statements_are_not_taken() {
        for sql in [
            "select 1",
            "drop role x",
            "alter table t add column c int",
            "alter table t rename to u",
            "create table copy (a int)",
        ] {
            assert!(parse(sql).is_none(), "{sql}");
        }
    }
}
