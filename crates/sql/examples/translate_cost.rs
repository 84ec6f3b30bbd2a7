//! Cost of each step of the SQL layer per statement: parse (pg_query),
//! analyze, generate, and a hit in the literal-normalized cache's scanner.
//!
//!     cargo run --release -p pm-sql --example translate_cost [ITERATIONS]

use std::time::Instant;

use pm_sql::analyze::{self, ColumnDef, Schema};
use pm_sql::{generate, normalize, pgparse, types};

struct Pgbench;

impl Schema for Pgbench {
    fn relation(&self, name: &str) -> Option<Vec<ColumnDef>> {
        let col = |n: &str, t: u32, m: i32| ColumnDef {
            name: n.to_string(),
            type_oid: t,
            typmod: m,
        };
        (name == "pgbench_accounts").then(|| {
            vec![
                col("aid", types::INT4, -1),
                col("bid", types::INT4, -1),
                col("abalance", types::INT4, -1),
                col("filler", types::BPCHAR, 88),
            ]
        })
    }
    fn is_catalog(&self, _: &str) -> bool {
        false
    }
    fn primary_key(&self, _: &str) -> Vec<String> {
        vec!["aid".into()]
    }
}

fn main() {
    let n: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    for sql in [
        "SELECT abalance FROM pgbench_accounts WHERE aid = 48213",
        "UPDATE pgbench_accounts SET abalance = abalance + -4711 WHERE aid = 48213",
        "SELECT 1",
    ] {
        let time = |f: &dyn Fn()| {
            let start = Instant::now();
            for _ in 0..n {
                f();
            }
            start.elapsed().as_secs_f64() * 1e6 / n as f64
        };
        let parse = time(&|| {
            pgparse::parse(sql).unwrap();
        });
        let stmts = pgparse::parse(sql).unwrap();
        let lits = normalize::integer_literals(sql)
            .map(|(_, l)| l)
            .unwrap_or_default();
        let analyze = time(&|| {
            analyze::analyze_with_literals(&stmts[0], sql, &Pgbench, &lits).unwrap();
        });
        let (analysis, _, _) =
            analyze::analyze_with_literals(&stmts[0], sql, &Pgbench, &lits).unwrap();
        let analyze::Analysis::Query(q) = analysis else {
            panic!("not analyzed: {sql}");
        };
        let generate = time(&|| {
            generate::query(&q);
        });
        let scan = time(&|| {
            normalize::integer_literals(sql);
        });
        println!(
            "{sql}\n  parse {parse:.1} us, analyze {analyze:.1} us, generate {generate:.1} us; cache hit (scan) {scan:.2} us"
        );
    }
}
