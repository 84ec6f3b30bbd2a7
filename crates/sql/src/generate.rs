//! SQLite SQL from the analyzer's typed tree ([`crate::analyze`]): the
//! seam between PostgreSQL's semantics and the engine. Every expression is
//! fully parenthesized and every operator, function and cast is the
//! template [`crate::ops`] chose for its PostgreSQL types, so SQLite's own
//! precedence, affinity and NULL ordering never decide a result.
//!
//! The output is one SQLite statement; parameters stay `$n` (bound by the
//! session with the types the analyzer resolved).

use rusqlite::types::Value;

use crate::analyze::{Compound, Expr, FromItem, OrderItem, Query, Select, Target};
use crate::session::quote_ident;
use crate::types::{BPCHAR, BYTEA, CHAR, INTERVAL, NUMERIC, REGCLASS, TIMETZ};

/// The table whose ON CONFLICT DO UPDATE a statement runs, if any (the
/// session starts [`crate::upsert`] for it).
pub fn upsert_table(q: &Query) -> Option<&str> {
    match q {
        Query::Insert {
            table,
            on_conflict: Some(oc),
            ..
        } if oc.update => Some(table),
        Query::With { body, .. } | Query::Steps { body, .. } => upsert_table(body),
        _ => None,
    }
}

pub fn query(q: &Query) -> String {
    let mut out = String::new();
    match q {
        Query::Select(s) => select(s, &mut out),
        Query::With { ctes, body } => {
            with_clause(ctes, &mut out);
            out.push_str(&query(body));
        }
        // The steps are statements of their own (the session runs them).
        Query::Steps { body, .. } => out.push_str(&query(body)),
        Query::Insert {
            table,
            columns,
            rows,
            source,
            coerced,
            on_conflict,
            returning,
        } => {
            out.push_str("INSERT INTO ");
            out.push_str(&quote_ident(table));
            match (rows, source) {
                (Some(rows), _) if rows.is_empty() || columns.is_empty() => {
                    out.push_str(" DEFAULT VALUES");
                }
                (Some(rows), _) => {
                    column_list(columns, &mut out);
                    out.push_str(" VALUES ");
                    for (i, row) in rows.iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        out.push('(');
                        list(row, &mut out);
                        out.push(')');
                    }
                }
                (None, Some(src)) => {
                    column_list(columns, &mut out);
                    out.push_str(" SELECT ");
                    list(coerced, &mut out);
                    out.push_str(" FROM (");
                    // The source's columns are named c0, c1, ... for `coerced`.
                    let renamed = Select {
                        targets: src
                            .targets
                            .iter()
                            .enumerate()
                            .map(|(i, t)| Target {
                                expr: t.expr.clone(),
                                name: format!("c{i}"),
                                star: None,
                            })
                            .collect(),
                        ..(**src).clone()
                    };
                    select(&renamed, &mut out);
                    // `WHERE true` keeps SQLite from reading a following
                    // ON CONFLICT as a join constraint.
                    out.push_str(") AS \"pm_source\" WHERE true");
                }
                (None, None) => out.push_str(" DEFAULT VALUES"),
            }
            if let Some(oc) = on_conflict {
                out.push_str(" ON CONFLICT");
                if !oc.target.is_empty() {
                    out.push_str(" (");
                    for (i, t) in oc.target.iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        match t {
                            Expr::Column { name, .. } => out.push_str(&quote_ident(name)),
                            e => {
                                out.push('(');
                                expr(e, &mut out);
                                out.push(')');
                            }
                        }
                    }
                    out.push(')');
                    where_clause(&oc.target_filter, &mut out);
                }
                if oc.update {
                    out.push_str(" DO UPDATE SET ");
                    for (i, (col, e)) in oc.sets.iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        out.push_str(&quote_ident(col));
                        out.push_str(" = ");
                        expr(e, &mut out);
                    }
                    // Each row once per command ([`crate::upsert`]).
                    out.push_str(" WHERE pm_upsert_row(");
                    out.push_str(&quote_ident(table));
                    out.push_str(".rowid, ");
                    match &oc.filter {
                        Some(f) => expr(f, &mut out),
                        None => out.push('1'),
                    }
                    out.push(')');
                } else {
                    out.push_str(" DO NOTHING");
                }
            }
            returning_list(returning, &mut out);
        }
        Query::Update {
            table,
            alias,
            sets,
            from,
            filter,
            returning,
        } => {
            out.push_str("UPDATE ");
            out.push_str(&quote_ident(table));
            if let Some(a) = alias {
                out.push_str(" AS ");
                out.push_str(&quote_ident(a));
            }
            out.push_str(" SET ");
            for (i, (col, e)) in sets.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&quote_ident(col));
                out.push_str(" = ");
                expr(e, &mut out);
            }
            if !from.is_empty() {
                out.push_str(" FROM ");
                from_list(from, &mut out);
            }
            where_clause(filter, &mut out);
            returning_list(returning, &mut out);
        }
        Query::Delete {
            table,
            alias,
            using,
            filter,
            returning,
        } => {
            out.push_str("DELETE FROM ");
            out.push_str(&quote_ident(table));
            if let Some(a) = alias {
                out.push_str(" AS ");
                out.push_str(&quote_ident(a));
            }
            if using.is_empty() {
                where_clause(filter, &mut out);
            } else {
                // SQLite has no USING: the rows with a match in the USING
                // tables, by a correlated EXISTS.
                out.push_str(" WHERE EXISTS (SELECT 1 FROM ");
                from_list(using, &mut out);
                where_clause(filter, &mut out);
                out.push(')');
            }
            returning_list(returning, &mut out);
        }
    }
    out
}

fn column_list(columns: &[String], out: &mut String) {
    out.push_str(" (");
    for (i, c) in columns.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&quote_ident(c));
    }
    out.push(')');
}

fn where_clause(filter: &Option<Expr>, out: &mut String) {
    if let Some(f) = filter {
        out.push_str(" WHERE ");
        expr(f, out);
    }
}

fn returning_list(returning: &[Target], out: &mut String) {
    if returning.is_empty() {
        return;
    }
    out.push_str(" RETURNING ");
    targets(returning, out);
}

fn targets(ts: &[Target], out: &mut String) {
    let mut first = true;
    let mut star_group = None;
    for t in ts {
        if let Some((_, group)) = &t.star {
            if star_group == Some(*group) {
                continue;
            }
            star_group = Some(*group);
        } else {
            star_group = None;
        }
        if !first {
            out.push_str(", ");
        }
        first = false;
        match &t.star {
            Some((Some(q), _)) => {
                out.push_str(&quote_ident(q));
                out.push_str(".*");
            }
            Some((None, _)) => out.push('*'),
            None => {
                expr(&t.expr, out);
                out.push_str(" AS ");
                out.push_str(&quote_ident(&t.name));
            }
        }
    }
}

fn list(es: &[Expr], out: &mut String) {
    for (i, e) in es.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        expr(e, out);
    }
}

fn select(s: &Select, out: &mut String) {
    with_clause(&s.with, out);
    select_after_with(s, out);
}

fn with_clause(with: &[(String, Select)], out: &mut String) {
    if !with.is_empty() {
        out.push_str("WITH ");
        if with.iter().any(|(_, q)| q.recursive) {
            out.push_str("RECURSIVE ");
        }
        for (i, (name, q)) in with.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(&quote_ident(name));
            match (&q.compound, q.recursive) {
                (Some(c), true) => {
                    // name(columns) AS (initial UNION [ALL] recursive), the
                    // recursive reference directly in its term.
                    out.push('(');
                    for (j, t) in q.targets.iter().enumerate() {
                        if j > 0 {
                            out.push_str(", ");
                        }
                        out.push_str(&quote_ident(&t.name));
                    }
                    out.push_str(") AS (");
                    select(&c.left, out);
                    out.push(' ');
                    out.push_str(c.op);
                    out.push(' ');
                    select(&c.right, out);
                    out.push(')');
                }
                _ => {
                    out.push_str(if q.materialized {
                        " AS MATERIALIZED ("
                    } else {
                        " AS ("
                    });
                    select(q, out);
                    out.push(')');
                }
            }
        }
        out.push(' ');
    }
}

fn select_after_with(s: &Select, out: &mut String) {
    if let Some(c) = &s.compound {
        if matches!(c.op, "INTERSECT ALL" | "EXCEPT ALL") {
            multiset_operation(c, out);
            order_and_limit(s, out);
            return;
        }
        if c.op != "UNION ALL" && s.targets.iter().any(|t| keyed(t.expr.ty())) {
            out.push_str("SELECT * FROM (");
            keyed_set_operation(s, c, out);
            out.push_str(") AS \"pm_setop\"");
            order_and_limit(s, out);
            return;
        }
        // Each side as a subquery (its own ORDER BY / LIMIT stay inside),
        // the whole as one more, so ORDER BY can use sort keys.
        out.push_str("SELECT * FROM (SELECT * FROM (");
        select(&c.left, out);
        out.push_str(") ");
        out.push_str(c.op);
        out.push_str(" SELECT * FROM (");
        select(&c.right, out);
        out.push_str(")) AS \"pm_setop\"");
        order_and_limit(s, out);
        return;
    }
    // SQLite names a one-row VALUES' columns after its expressions, and a
    // VALUES that refers to columns may become a compound SELECT named
    // after its first row: those are generated as SELECTs under the
    // columns' names (UNION ALL keeps every row, in order).
    let refers = |rows: &[Vec<Expr>]| {
        let mut found = false;
        for e in rows.iter().flatten() {
            e.walk(&mut |e| found |= matches!(e, Expr::Column { .. }));
        }
        found
    };
    if let Some(rows) = s.values.as_deref().filter(|rows| {
        !s.targets.is_empty() && (rows.len() == 1 || (rows.len() <= 400 && refers(rows)))
    }) {
        for (r, row) in rows.iter().enumerate() {
            out.push_str(if r == 0 {
                "SELECT "
            } else {
                " UNION ALL SELECT "
            });
            for (i, (e, t)) in row.iter().zip(&s.targets).enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                expr(e, out);
                if r == 0 {
                    out.push_str(" AS ");
                    out.push_str(&quote_ident(&t.name));
                }
            }
        }
        return;
    }
    if let Some(rows) = &s.values {
        // SQLite names VALUES columns column1, column2, ...: renamed ones
        // are selected under their names.
        let renamed = s
            .targets
            .iter()
            .enumerate()
            .any(|(i, t)| t.name != format!("column{}", i + 1));
        if renamed {
            out.push_str("SELECT ");
            for (i, t) in s.targets.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&format!("\"column{}\" AS ", i + 1));
                out.push_str(&quote_ident(&t.name));
            }
            out.push_str(" FROM (");
            let plain = Select {
                targets: Vec::new(),
                values: s.values.clone(),
                ..Default::default()
            };
            select(&plain, out);
            out.push(')');
            return;
        }
        out.push_str("VALUES ");
        for (i, row) in rows.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push('(');
            list(row, out);
            out.push(')');
        }
        return;
    }
    if s.with_ties {
        with_ties(s, out);
        return;
    }
    if !s.distinct_on.is_empty() {
        distinct_on(s, out);
        return;
    }
    out.push_str("SELECT ");
    // DISTINCT over values whose stored forms differ when equal: grouped
    // by their keys (the analyzer allows it only without aggregates).
    let keyed_distinct = s.distinct && s.targets.iter().any(|t| keyed(t.expr.ty()));
    if s.distinct && !keyed_distinct {
        out.push_str("DISTINCT ");
    }
    if s.targets.is_empty() {
        // SELECT with no columns (PostgreSQL allows it): SQLite needs
        // one; the session does not show it (`visible_columns`).
        out.push_str("NULL");
    }
    // HAVING without GROUP BY or aggregates: one group whatever the rows,
    // and nothing to compute over them, so PostgreSQL reads none (not even
    // the WHERE clause's errors): the HAVING alone decides the one row.
    if s.having.is_some()
        && s.group_by.is_empty()
        && !s.targets.iter().any(|t| t.expr.contains_agg())
        && !s.having.as_ref().is_some_and(|h| h.contains_agg())
    {
        targets(&s.targets, out);
        where_clause(&s.having, out);
        order_and_limit(s, out);
        return;
    }
    targets(&s.targets, out);
    if !s.from.is_empty() {
        out.push_str(" FROM ");
        from_list(&s.from, out);
    }
    where_clause(&s.filter, out);
    let group: Vec<&Expr> = if keyed_distinct {
        s.targets.iter().map(|t| &t.expr).collect()
    } else {
        s.group_by.iter().collect()
    };
    for (i, g) in group.iter().enumerate() {
        out.push_str(if i == 0 { " GROUP BY " } else { ", " });
        let mut e = String::new();
        expr(g, &mut e);
        out.push_str(&equality_key(g.ty(), &e));
    }
    if let Some(h) = &s.having {
        out.push_str(" HAVING (");
        expr(h, out);
        out.push(')');
    } else if !s.group_by.is_empty() || s.targets.iter().any(|t| has_agg(&t.expr)) {
        // nothing: SQLite aggregates like PostgreSQL here
    }
    order_and_limit(s, out);
}

fn order_and_limit(s: &Select, out: &mut String) {
    if !s.order_by.is_empty() {
        out.push_str(" ORDER BY ");
        out.push_str(&order_list(&s.order_by));
    }
    if s.limit.is_some() || s.offset.is_some() {
        out.push_str(" LIMIT ");
        match &s.limit {
            Some(l) => {
                out.push_str("pg_limit(");
                expr(l, out);
                out.push(')');
            }
            None => out.push_str("-1"),
        }
        if let Some(o) = &s.offset {
            out.push_str(" OFFSET pg_offset(");
            expr(o, out);
            out.push(')');
        }
    }
}

/// The ORDER BY items, comma-separated.
fn order_list(items: &[OrderItem]) -> String {
    let mut out = String::new();
    for (i, o) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        order_item(o, &mut out);
    }
    out
}

/// `SELECT "pm_c0" AS <name0>, ... FROM (<inner>` with `window` (window
/// function columns) spliced in after inner's columns; the caller closes
/// the parenthesis and filters on the window columns. Inner's columns
/// are s's as pm_c0, pm_c1, ..., then `extra`.
fn windowed(s: &Select, inner: Select, extra: Vec<Target>, window: &str, out: &mut String) {
    let inner = Select {
        order_by: Vec::new(),
        limit: None,
        offset: None,
        with: Vec::new(),
        targets: s
            .targets
            .iter()
            .enumerate()
            .map(|(i, t)| Target {
                expr: t.expr.clone(),
                name: format!("pm_c{i}"),
                star: None,
            })
            .chain(extra)
            .collect(),
        ..inner
    };
    out.push_str("SELECT ");
    for (i, t) in s.targets.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&format!("\"pm_c{i}\" AS "));
        out.push_str(&quote_ident(&t.name));
    }
    out.push_str(" FROM (");
    let mut body = String::new();
    select(&inner, &mut body);
    let targets_end = {
        let mut t = String::from("SELECT ");
        targets(&inner.targets, &mut t);
        t.len()
    };
    body.insert_str(targets_end, window);
    out.push_str(&body);
}

/// FETCH FIRST n ROWS WITH TIES: after the OFFSET rows, the rows whose
/// rank in ORDER BY order is at most OFFSET + n (the n-th row's peers
/// share its rank), in that order.
fn with_ties(s: &Select, out: &mut String) {
    let order = order_list(&s.order_by);
    let window = format!(
        ", rank() OVER (ORDER BY {order}) AS \"pm_rank\", row_number() OVER (ORDER BY {order}) AS \"pm_rn\""
    );
    let inner = Select {
        with_ties: false,
        ..s.clone()
    };
    windowed(s, inner, Vec::new(), &window, out);
    let offset = match &s.offset {
        Some(o) => {
            let mut t = String::from("pg_offset(");
            expr(o, &mut t);
            t.push(')');
            t
        }
        None => "0".into(),
    };
    out.push_str(&format!(") WHERE \"pm_rn\" > {offset}"));
    if let Some(l) = &s.limit {
        let mut lim = String::from("pg_limit(");
        expr(l, &mut lim);
        lim.push(')');
        out.push_str(&format!(
            " AND ({lim} < 0 OR \"pm_rank\" <= {offset} + {lim})"
        ));
    }
    out.push_str(" ORDER BY \"pm_rn\"");
}

/// DISTINCT ON: number the rows of each group in ORDER BY order with a
/// window function and keep the first; ORDER BY keys ride along as hidden
/// columns for the outer ORDER BY.
fn distinct_on(s: &Select, out: &mut String) {
    let mut window = String::from(", row_number() OVER (PARTITION BY ");
    list(&s.distinct_on, &mut window);
    if !s.order_by.is_empty() {
        window.push_str(" ORDER BY ");
        window.push_str(&order_list(&s.order_by));
    }
    window.push_str(") AS \"pm_rn\"");
    let keys = s
        .order_by
        .iter()
        .enumerate()
        .map(|(i, o)| Target {
            expr: o.expr.clone(),
            name: format!("pm_o{i}"),
            star: None,
        })
        .collect();
    let inner = Select {
        distinct_on: Vec::new(),
        ..s.clone()
    };
    windowed(s, inner, keys, &window, out);
    out.push_str(") WHERE \"pm_rn\" = 1");
    let outer = Select {
        order_by: s
            .order_by
            .iter()
            .enumerate()
            .map(|(i, o)| OrderItem {
                expr: Expr::Column {
                    rel: None,
                    name: format!("pm_o{i}"),
                    ty: o.expr.ty(),
                    typmod: -1,
                },
                desc: o.desc,
                nulls_first: o.nulls_first,
            })
            .collect(),
        limit: s.limit.clone(),
        offset: s.offset.clone(),
        ..Default::default()
    };
    order_and_limit(&outer, out);
}

/// Types whose stored forms differ for equal values (numeric 1.1 and
/// 1.10, interval '1 day' and '24 hours'): SQLite's own equality would
/// tell them apart.
fn keyed(ty: u32) -> bool {
    matches!(ty, NUMERIC | INTERVAL) || crate::types::element_of(ty).is_some()
}

/// What to compare for PostgreSQL's equality of a value of type `ty`.
fn equality_key(ty: u32, e: &str) -> String {
    if keyed(ty) {
        order_key(ty, e)
    } else {
        e.to_string()
    }
}

/// UNION / INTERSECT / EXCEPT over a column of a [`keyed`] type: rows
/// compared by their keys (NULLs equal, as set operations compare them),
/// one row kept per key.
fn keyed_set_operation(s: &Select, c: &Compound, out: &mut String) {
    let names: Vec<String> = c
        .left
        .targets
        .iter()
        .map(|t| quote_ident(&t.name))
        .collect();
    let keys = |prefix: &str| -> Vec<String> {
        s.targets
            .iter()
            .zip(&names)
            .map(|(t, n)| equality_key(t.expr.ty(), &format!("{prefix}{n}")))
            .collect()
    };
    out.push_str("SELECT * FROM (");
    if c.op == "UNION" {
        out.push_str("SELECT * FROM (");
        select(&c.left, out);
        out.push_str(") UNION ALL SELECT * FROM (");
        select(&c.right, out);
        out.push_str("))");
    } else {
        select(&c.left, out);
        // The right side's columns under the left side's names.
        out.push_str(") AS \"pm_l\" WHERE ");
        if c.op == "EXCEPT" {
            out.push_str("NOT ");
        }
        out.push_str("EXISTS (SELECT 1 FROM (SELECT ");
        for (i, (t, n)) in c.right.targets.iter().zip(&names).enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(&format!("{} AS {n}", quote_ident(&t.name)));
        }
        out.push_str(" FROM (");
        select(&c.right, out);
        out.push_str(")) AS \"pm_r\" WHERE ");
        let (l, r) = (keys("\"pm_l\"."), keys("\"pm_r\"."));
        let conditions: Vec<String> = l
            .iter()
            .zip(&r)
            .map(|(l, r)| format!("{r} IS {l}"))
            .collect();
        out.push_str(&conditions.join(" AND "));
        out.push(')');
    }
    out.push_str(" GROUP BY ");
    out.push_str(&keys("").join(", "));
}

/// INTERSECT ALL / EXCEPT ALL: the n-th copy of a left row is kept when the
/// right side has (INTERSECT) or has not (EXCEPT) an n-th copy of it; the
/// copies are numbered per distinct row (NULLs equal, as set operations
/// compare them).
fn multiset_operation(c: &Compound, out: &mut String) {
    let side = |q: &Select, out: &mut String| {
        let names: Vec<String> = q.targets.iter().map(|t| quote_ident(&t.name)).collect();
        out.push_str("SELECT ");
        for (i, n) in names.iter().enumerate() {
            out.push_str(&format!("{n} AS \"pm_c{i}\", "));
        }
        out.push_str("row_number() OVER (PARTITION BY ");
        // (A side without columns: every row is the same row.)
        out.push_str(if names.is_empty() { "NULL" } else { "" });
        out.push_str(&names.join(", "));
        out.push_str(") AS \"pm_n\" FROM (");
        select(q, out);
        out.push(')');
    };
    let n = c.left.targets.len();
    out.push_str("SELECT * FROM (SELECT ");
    if n == 0 {
        out.push_str("NULL");
    }
    for (i, t) in c.left.targets.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&format!("\"pm_l\".\"pm_c{i}\" AS {}", quote_ident(&t.name)));
    }
    out.push_str(" FROM (");
    side(&c.left, out);
    out.push_str(") AS \"pm_l\" WHERE ");
    if c.op == "EXCEPT ALL" {
        out.push_str("NOT ");
    }
    out.push_str("EXISTS (SELECT 1 FROM (");
    side(&c.right, out);
    out.push_str(") AS \"pm_r\" WHERE ");
    for i in 0..n {
        out.push_str(&format!(
            "\"pm_r\".\"pm_c{i}\" IS \"pm_l\".\"pm_c{i}\" AND "
        ));
    }
    out.push_str("\"pm_r\".\"pm_n\" = \"pm_l\".\"pm_n\")) AS \"pm_setop\"");
}

fn has_agg(e: &Expr) -> bool {
    matches!(e, Expr::Agg { .. })
}

/// What SQLite compares to order values of type `ty` as PostgreSQL does
/// (`e` is the generated value).
fn order_key(ty: u32, e: &str) -> String {
    match ty {
        // Numeric values are stored as text or numbers: a key whose byte
        // order is numeric order.
        NUMERIC => format!("pg_numeric_sortkey({e})"),
        // char(n) compares without its trailing blanks.
        BPCHAR => format!("rtrim({e}, ' ')"),
        // "char" orders by its byte (stored as its output text).
        CHAR => format!("pg_char_code({e})"),
        // timetz orders by UTC time, then zone.
        TIMETZ => format!("pg_timetz_sortkey({e})"),
        // regclass orders by oid.
        REGCLASS => crate::ops::REGCLASS_TO_OID.replace("$1", e),
        // Intervals are ordered by their span, not their text.
        INTERVAL => format!("pg_interval_sortkey({e})"),
        // Arrays by elements, then dimensions (array_cmp).
        t => match crate::types::element_of(t) {
            Some(elem) => format!("pm_array_key({e}, {elem})"),
            None => e.to_string(),
        },
    }
}

fn order_item(o: &OrderItem, out: &mut String) {
    let mut e = String::new();
    expr(&o.expr, &mut e);
    out.push_str(&order_key(o.expr.ty(), &e));
    out.push_str(if o.desc { " DESC" } else { " ASC" });
    out.push_str(if o.nulls_first {
        " NULLS FIRST"
    } else {
        " NULLS LAST"
    });
}

fn from_list(items: &[FromItem], out: &mut String) {
    for (i, f) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(" CROSS JOIN ");
        }
        from_item(f, out);
    }
}

fn from_item(f: &FromItem, out: &mut String) {
    match f {
        FromItem::Table { name, alias } => {
            out.push_str(&quote_ident(name));
            out.push_str(" AS ");
            out.push_str(&quote_ident(alias));
        }
        FromItem::Series {
            start,
            stop,
            step,
            alias,
            column,
        } => {
            // A recursive CTE counting from start by step while within
            // stop (step 0 is 22023, from pg_series_step).
            let e = |x: &Expr| {
                let mut s = String::new();
                expr(x, &mut s);
                s
            };
            let (a, b, st) = (e(start), e(stop), e(step));
            out.push_str(&format!(
                "(WITH RECURSIVE \"pm_series\"(\"v\") AS (SELECT {a} WHERE (pg_series_step({st}) > 0 AND {a} <= {b}) OR ({st} < 0 AND {a} >= {b}) \
                 UNION ALL SELECT \"v\" + {st} FROM \"pm_series\" WHERE ({st} > 0 AND \"v\" <= {b} - {st}) OR ({st} < 0 AND \"v\" >= {b} - {st})) \
                 SELECT \"v\" AS {} FROM \"pm_series\") AS {}",
                quote_ident(column),
                quote_ident(alias)
            ));
        }
        FromItem::Recurse {
            first,
            first_ok,
            next,
            next_ok,
            alias,
            column,
        } => {
            let e = |x: &Expr| {
                let mut s = String::new();
                expr(x, &mut s);
                s
            };
            out.push_str(&format!(
                "(WITH RECURSIVE \"pm_series\"(\"v\") AS (SELECT {} WHERE {} \
                 UNION ALL SELECT {} FROM \"pm_series\" WHERE {}) \
                 SELECT \"v\" AS {} FROM \"pm_series\") AS {}",
                e(first),
                e(first_ok),
                e(next),
                e(next_ok),
                quote_ident(column),
                quote_ident(alias)
            ));
        }
        FromItem::Sub { query: q, alias } => {
            out.push('(');
            out.push_str(&query(q));
            out.push_str(") AS ");
            out.push_str(&quote_ident(alias));
        }
        FromItem::Lateral { query: q, alias } => {
            // One JSON array of the rows, per row of the items to the left
            // (a table-valued function's arguments may refer to them).
            out.push_str("json_each((SELECT json_group_array(json_array(");
            for (i, t) in q.targets.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let c = format!("\"pm_lateral\".\"c{i}\"");
                if t.expr.ty() == BYTEA {
                    // (NULL stays null; hex(NULL) would be '', an empty bytea.)
                    out.push_str(&format!("iif({c} IS NULL, NULL, hex({c}))"));
                } else {
                    out.push_str(&c);
                }
            }
            out.push_str(")) FROM (");
            select(q, out);
            out.push_str(") AS \"pm_lateral\")) AS ");
            out.push_str(&quote_ident(alias));
        }
        FromItem::Rows { json, alias } => {
            out.push_str("json_each(");
            expr(json, out);
            out.push_str(") AS ");
            out.push_str(&quote_ident(alias));
        }
        FromItem::Join {
            left,
            right,
            kind,
            on,
        } => {
            out.push('(');
            from_item(left, out);
            out.push(' ');
            out.push_str(kind);
            out.push(' ');
            from_item(right, out);
            if let Some(on) = on {
                out.push_str(" ON ");
                expr(on, out);
            }
            out.push(')');
        }
    }
}

/// A SQLite literal for a stored value.
pub fn literal(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("NULL"),
        Value::Integer(i) if *i == i64::MIN => out.push_str("(-9223372036854775807 - 1)"),
        Value::Integer(i) if *i < 0 => out.push_str(&format!("({i})")),
        Value::Integer(i) => out.push_str(&i.to_string()),
        Value::Real(f) if f.is_infinite() => {
            out.push_str(if *f > 0.0 { "9e999" } else { "(-9e999)" })
        }
        Value::Real(f) if *f < 0.0 || (*f == 0.0 && f.is_sign_negative()) => {
            out.push_str(&format!("(-{:e})", -f))
        }
        Value::Real(f) => out.push_str(&format!("{f:e}")),
        Value::Text(s) => {
            out.push('\'');
            out.push_str(&s.replace('\'', "''"));
            out.push('\'');
        }
        Value::Blob(b) => {
            out.push_str("X'");
            for byte in b {
                out.push_str(&format!("{byte:02x}"));
            }
            out.push('\'');
        }
    }
}

fn template(t: &str, args: &[Expr], out: &mut String) {
    let bytes = t.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' && i + 1 < bytes.len() && bytes[i + 1].is_ascii_digit() {
            let n = (bytes[i + 1] - b'0') as usize;
            expr(&args[n - 1], out);
            i += 2;
        } else if bytes[i] == b'$' && bytes.get(i + 1) == Some(&b'*') {
            // Every argument (variadic functions).
            list(args, out);
            i += 2;
        } else {
            let start = i;
            while i < bytes.len()
                && !(bytes[i] == b'$'
                    && i + 1 < bytes.len()
                    && (bytes[i + 1].is_ascii_digit() || bytes[i + 1] == b'*'))
            {
                i += 1;
            }
            out.push_str(&t[start..i]);
        }
    }
}

pub fn expr(e: &Expr, out: &mut String) {
    match e {
        Expr::Const(v, _) => literal(v, out),
        Expr::Unknown(s, _) => literal(&Value::Text(s.clone()), out),
        Expr::Param(i, _) => out.push_str(&format!("${i}")),
        Expr::Literal { slot, .. } => out.push_str(&crate::normalize::slot_name(*slot)),
        Expr::Column { rel, name, .. } if name.starts_with("pm$lat") => {
            // A LATERAL item's column: the row's JSON element.
            let (hex, i) = match name.strip_prefix(crate::analyze::LATERAL_HEX_COLUMN) {
                Some(i) => (true, i),
                None => (
                    false,
                    name.trim_start_matches(crate::analyze::LATERAL_COLUMN),
                ),
            };
            let r = rel.as_deref().map(quote_ident).unwrap_or_default();
            let e = format!("json_extract({r}.\"value\", '$[{i}]')");
            if hex {
                out.push_str(&format!("unhex({e})"));
            } else {
                out.push_str(&e);
            }
        }
        Expr::Column { rel, name, .. } => {
            if let Some(r) = rel {
                out.push_str(&quote_ident(r));
                out.push('.');
            }
            out.push_str(&quote_ident(name));
        }
        Expr::Call {
            template: t, args, ..
        } => template(t, args, out),
        Expr::Agg {
            template: t,
            args,
            distinct,
            filter,
            order,
            ..
        } => {
            if *distinct {
                // count(DISTINCT x), sum(DISTINCT x), ... (SQLite's own only).
                let open = t.find('(').unwrap_or(t.len());
                out.push_str(&t[..open]);
                out.push_str("(DISTINCT ");
                match args.as_slice() {
                    // count(DISTINCT x) counts PostgreSQL's distinct values.
                    [a] if keyed(a.ty()) => {
                        let mut e = String::new();
                        expr(a, &mut e);
                        out.push_str(&equality_key(a.ty(), &e));
                    }
                    _ => list(args, out),
                }
                out.push(')');
            } else if order.is_empty() {
                template(t, args, out);
            } else {
                // ORDER BY inside the call: `group_concat($1, $2 ORDER BY x)`.
                let mut call = String::new();
                template(t, args, &mut call);
                call.pop();
                out.push_str(&call);
                out.push_str(" ORDER BY ");
                for (i, o) in order.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    order_item(o, out);
                }
                out.push(')');
            }
            if let Some(f) = filter {
                out.push_str(" FILTER (WHERE ");
                expr(f, out);
                out.push(')');
            }
        }
        Expr::Typmod {
            arg,
            typmod,
            explicit,
        } => {
            out.push_str(if *explicit {
                "pg_typmod_explicit("
            } else {
                "pg_typmod("
            });
            expr(arg, out);
            out.push_str(&format!(", {}, {typmod})", arg.ty()));
        }
        Expr::And(args) | Expr::Or(args) => {
            let op = if matches!(e, Expr::And(_)) {
                " AND "
            } else {
                " OR "
            };
            if args.is_empty() {
                out.push_str(if matches!(e, Expr::And(_)) { "1" } else { "0" });
                return;
            }
            out.push('(');
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    out.push_str(op);
                }
                expr(a, out);
            }
            out.push(')');
        }
        Expr::Not(a) => {
            out.push_str("(NOT ");
            expr(a, out);
            out.push(')');
        }
        Expr::IsNull(a, negated) => {
            out.push('(');
            expr(a, out);
            out.push_str(if *negated {
                " IS NOT NULL)"
            } else {
                " IS NULL)"
            });
        }
        Expr::BoolTest(a, what) => {
            out.push('(');
            expr(a, out);
            out.push(' ');
            out.push_str(what);
            out.push(')');
        }
        Expr::Distinct(a, b, distinct) => {
            out.push('(');
            expr(a, out);
            out.push_str(if *distinct { " IS NOT " } else { " IS " });
            expr(b, out);
            out.push(')');
        }
        Expr::Case { whens, default, .. } => {
            out.push_str("(CASE");
            for (w, t) in whens {
                out.push_str(" WHEN ");
                expr(w, out);
                out.push_str(" THEN ");
                expr(t, out);
            }
            if let Some(d) = default {
                out.push_str(" ELSE ");
                expr(d, out);
            }
            out.push_str(" END)");
        }
        Expr::Coalesce(args, _) => {
            if args.len() == 1 {
                expr(&args[0], out);
            } else {
                out.push_str("coalesce(");
                list(args, out);
                out.push(')');
            }
        }
        Expr::MinMax { greatest, args, ty } => {
            // NULLs are ignored, as PostgreSQL's GREATEST/LEAST do.
            out.push_str("(SELECT \"v\" FROM (");
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    out.push_str(" UNION ALL ");
                }
                out.push_str("SELECT ");
                expr(a, out);
                out.push_str(" AS \"v\"");
            }
            out.push_str(") WHERE \"v\" IS NOT NULL ORDER BY ");
            out.push_str(&order_key(*ty, "\"v\""));
            out.push_str(if *greatest { " DESC" } else { " ASC" });
            out.push_str(" LIMIT 1)");
        }
        Expr::ScalarSub(q, _) => {
            // PostgreSQL refuses a second row (21000) where SQLite would
            // take the first: the row count comes along as a window count.
            let name = match &**q {
                Query::Select(s) => s.targets.first().map(|t| t.name.clone()),
                _ => None,
            };
            match name {
                Some(name) => {
                    let v = quote_ident(&name);
                    out.push_str(&format!(
                        "(SELECT CASE WHEN \"pm_n\" > 1 THEN pg_subquery_rows() ELSE {v} END \
                         FROM (SELECT {v}, count(*) OVER () AS \"pm_n\" FROM ({}) LIMIT 1))",
                        query(q)
                    ));
                }
                None => {
                    out.push('(');
                    out.push_str(&query(q));
                    out.push(')');
                }
            }
        }
        Expr::Exists(q) => {
            out.push_str("EXISTS (");
            out.push_str(&query(q));
            out.push(')');
        }
        Expr::Default(d, _) => match d {
            Some(d) => {
                out.push('(');
                out.push_str(d);
                out.push(')');
            }
            None => out.push_str("NULL"),
        },
        Expr::InSub(a, q, negated) => {
            out.push('(');
            expr(a, out);
            out.push_str(if *negated { " NOT IN (" } else { " IN (" });
            out.push_str(&query(q));
            out.push_str("))");
        }
        Expr::QuantSub {
            cmp, query: q, all, ..
        } => {
            let sub = query(q);
            let mut c = String::new();
            expr(cmp, &mut c);
            let exists =
                |cond: &str| format!("EXISTS (SELECT 1 FROM ({sub}) AS \"pm_q\" WHERE {cond})");
            // ANY: true if a row compares true, else NULL if one compares
            // NULL, else false; ALL: false if one compares false, else NULL
            // if one compares NULL, else true.
            let (first, hit, miss) = if *all {
                (exists(&format!("NOT ({c})")), "0", "1")
            } else {
                (exists(&format!("({c})")), "1", "0")
            };
            out.push_str(&format!(
                "(CASE WHEN {first} THEN {hit} WHEN {} THEN NULL ELSE {miss} END)",
                exists(&format!("({c}) IS NULL"))
            ));
        }
    }
}
