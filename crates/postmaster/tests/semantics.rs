//! PostgreSQL's answers, statement by statement: every case in
//! `tests/expected/semantics.txt` (answers taken from PostgreSQL 15) runs
//! in order on one database, in every launch mode, through the simple
//! protocol, and must give the same rows (as text), command tag or
//! SQLSTATE.

mod common;

use common::{sqlstate, Server, MODES};
use tokio_postgres::SimpleQueryMessage;

/// (statement, expected answer) pairs from the expected-output file.
fn cases() -> Vec<(String, String)> {
    let text = include_str!("expected/semantics.txt");
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        if let Some(sql) = line.strip_prefix("> ") {
            out.push((sql.to_string(), String::new()));
        } else if let Some(last) = out.last_mut() {
            if !last.1.is_empty() {
                last.1.push('\n');
            }
            last.1.push_str(line);
        }
    }
    out
}

/// The answer as `psql -At -F'|' -R';'` prints it: rows, or the command
/// tag when there are none (after the rows for RETURNING). tokio-postgres
/// passes on only the row count of a tag, so tags are rebuilt from it.
async fn answer(c: &tokio_postgres::Client, sql: &str) -> String {
    let messages = match c.simple_query(sql).await {
        Err(e) => return format!("ERROR {}", sqlstate(&e)),
        Ok(m) => m,
    };
    let mut rows = Vec::new();
    let mut count = 0;
    for m in messages {
        match m {
            SimpleQueryMessage::Row(r) => rows.push(
                (0..r.len())
                    .map(|i| r.get(i).unwrap_or("").to_string())
                    .collect::<Vec<_>>()
                    .join("|"),
            ),
            SimpleQueryMessage::CommandComplete(n) => count = n,
            _ => {}
        }
    }
    let mut words = sql.split_whitespace().map(str::to_ascii_uppercase);
    // (A parenthesized set operation starts with its SELECT.)
    let mut first = words
        .next()
        .unwrap_or_default()
        .trim_start_matches('(')
        .to_string();
    let upper = sql.to_ascii_uppercase();
    // WITH ... INSERT / UPDATE / DELETE is tagged by the statement after
    // its last WITH query.
    if first == "WITH" {
        // The first keyword outside parentheses that starts a statement.
        let mut depth = 0;
        let mut top = String::new();
        for ch in upper.chars() {
            match ch {
                '(' => depth += 1,
                ')' => depth -= 1,
                c if depth == 0 => top.push(c),
                _ => top.push(' '),
            }
        }
        if let Some(w) = top
            .split_whitespace()
            .find(|w| matches!(*w, "SELECT" | "VALUES" | "INSERT" | "UPDATE" | "DELETE"))
        {
            if matches!(w, "INSERT" | "UPDATE" | "DELETE") {
                first = w.to_string();
            }
        }
    }
    let tag = match first.as_str() {
        // SELECT ... INTO and CREATE TABLE ... AS report `SELECT n`.
        "SELECT" if upper.contains(" INTO ") => format!("SELECT {count}"),
        "CREATE"
            if upper.contains(" AS SELECT ")
                && !upper.split_whitespace().take(5).any(|w| w == "VIEW") =>
        {
            format!("SELECT {count}")
        }
        // psql prints the rows only of a FETCH, SHOW or EXECUTE'd query.
        "SELECT" | "WITH" | "FETCH" | "EXECUTE" | "SHOW" => return rows.join(";"),
        "MOVE" => format!("MOVE {count}"),
        "BEGIN" | "COMMIT" | "ROLLBACK" | "PREPARE" | "DEALLOCATE" | "SET" | "RESET" => {
            first.clone()
        }
        "DECLARE" => "DECLARE CURSOR".to_string(),
        "CLOSE" => "CLOSE CURSOR".to_string(),
        "INSERT" => format!("INSERT 0 {count}"),
        "UPDATE" | "DELETE" => format!("{first} {count}"),
        // CREATE UNIQUE INDEX -> CREATE INDEX, as PostgreSQL tags it.
        _ => format!(
            "{first} {}",
            words
                .find(|w| {
                    !matches!(
                        w.as_str(),
                        "UNIQUE" | "TEMP" | "TEMPORARY" | "UNLOGGED" | "OR" | "REPLACE"
                    )
                })
                .unwrap_or_default()
        ),
    };
    if rows.is_empty() {
        tag
    } else {
        format!("{}\n{tag}", rows.join(";"))
    }
}

#[tokio::test]
async fn statements_answer_as_postgresql_15() {
    let cases = cases();
    assert!(cases.len() > 40);
    for mode in MODES {
        let server = Server::start(mode, &[]);
        let c = server.connect().await;
        let mut wrong = Vec::new();
        for (sql, expected) in &cases {
            let got = answer(&c, sql).await;
            if got != *expected {
                wrong.push(format!(
                    "{sql}\n  PostgreSQL 15: {expected:?}\n  here:          {got:?}"
                ));
            }
        }
        assert!(
            wrong.is_empty(),
            "{mode}: {} of {} differ:\n{}",
            wrong.len(),
            cases.len(),
            wrong.join("\n")
        );
    }
}
