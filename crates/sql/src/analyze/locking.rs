//! FOR UPDATE / FOR NO KEY UPDATE / FOR SHARE / FOR KEY SHARE
//! (PostgreSQL: `analyze.c` transformLockingClause and CheckSelectLocking,
//! the planner's nullable-side check) and `WHERE CURRENT OF cursor`
//! (`execCurrent.c`).
//!
//! SQLite locks the whole database, not rows: a SELECT that locks rows
//! takes the database's write lock for the rest of its transaction (see
//! [`Query::locked_tables`] and the session), so no other transaction
//! changes the rows until this one ends, as PostgreSQL's row locks would
//! guarantee (and more). A cursor over a locking or simply updatable query
//! carries each row's rowid, which `WHERE CURRENT OF` reads through
//! `pm_current_of` ([`crate::portal`]).

use super::*;

/// The rows a SELECT locks.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Locking {
    /// Each locked table, with its alias when it is an item of this
    /// SELECT's own FROM (not of a subquery the lock was pushed into).
    pub tables: Vec<(String, Option<String>)>,
    /// NOWAIT: 55P03 rather than waiting for the lock.
    pub nowait: bool,
}

/// PostgreSQL's words for a locking clause's strength.
fn strength(s: i32) -> &'static str {
    use pb::LockClauseStrength as S;
    match s {
        x if x == S::LcsForkeyshare as i32 => "FOR KEY SHARE",
        x if x == S::LcsForshare as i32 => "FOR SHARE",
        x if x == S::LcsFornokeyupdate as i32 => "FOR NO KEY UPDATE",
        _ => "FOR UPDATE",
    }
}

/// The SELECT of a FROM subquery or LATERAL item.
fn sub_select(f: &FromItem) -> Option<&Select> {
    match f {
        FromItem::Sub { query, .. } => match &**query {
            Query::Select(s) => Some(s),
            _ => None,
        },
        FromItem::Lateral { query, .. } => Some(query),
        _ => None,
    }
}

/// A FROM leaf, and whether it is on the nullable side of an outer join.
fn leaves(items: &[FromItem], nullable: bool, out: &mut Vec<(FromItem, bool)>) {
    for f in items {
        match f {
            FromItem::Join {
                left, right, kind, ..
            } => {
                let (l, r) = match &**kind {
                    "LEFT JOIN" => (false, true),
                    "RIGHT JOIN" => (true, false),
                    "FULL JOIN" => (true, true),
                    _ => (false, false),
                };
                leaves(std::slice::from_ref(&**left), nullable || l, out);
                leaves(std::slice::from_ref(&**right), nullable || r, out);
            }
            other => out.push((other.clone(), nullable)),
        }
    }
}

impl Analyzer<'_> {
    /// CheckSelectLocking: what a locking clause cannot go with.
    fn check_lockable(&self, out: &Select, word: &str, srf: bool) -> R<()> {
        let what = if out.compound.is_some() {
            "UNION/INTERSECT/EXCEPT"
        } else if out.distinct || !out.distinct_on.is_empty() {
            "DISTINCT clause"
        } else if !out.group_by.is_empty() {
            "GROUP BY clause"
        } else if out.having.is_some() {
            "HAVING clause"
        } else if out.targets.iter().any(|t| t.expr.contains_agg()) {
            "aggregate functions"
        } else if srf {
            "set-returning functions in the target list"
        } else {
            return Ok(());
        };
        Err(Fail::Error(PgError::error(
            code::FEATURE_NOT_SUPPORTED,
            format!("{word} is not allowed with {what}"),
        )))
    }

    /// The base tables under `items` (a lock without OF, or one pushed
    /// into a subquery); `direct`: they are this query's own items.
    fn lock_all(
        &self,
        items: &[FromItem],
        word: &str,
        direct: bool,
        into: &mut Vec<(String, Option<String>)>,
    ) -> R<()> {
        let mut found = Vec::new();
        leaves(items, false, &mut found);
        for (f, nullable) in found {
            match f {
                FromItem::Table { name, alias } => {
                    if self.ctes.iter().any(|(n, _, _)| *n == name) {
                        continue;
                    }
                    if nullable {
                        return Err(self.nullable_side(word));
                    }
                    into.push((name, direct.then_some(alias)));
                }
                f @ (FromItem::Sub { .. } | FromItem::Lateral { .. }) => {
                    let Some(query) = sub_select(&f) else {
                        return unsupported("FOR UPDATE of this subquery");
                    };
                    self.check_lockable(query, word, false)?;
                    if nullable && !query.from.is_empty() {
                        return Err(self.nullable_side(word));
                    }
                    self.lock_all(&query.from, word, false, into)?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn nullable_side(&self, word: &str) -> Fail {
        Fail::Error(PgError::error(
            code::FEATURE_NOT_SUPPORTED,
            format!("{word} cannot be applied to the nullable side of an outer join"),
        ))
    }

    /// transformLockingClause for a SELECT whose FROM is still in scope.
    pub(super) fn locking(&mut self, s: &pb::SelectStmt, out: &mut Select) -> R<()> {
        if s.locking_clause.is_empty() {
            return Ok(());
        }
        let srf = s.target_list.iter().any(|t| match t.node.as_ref() {
            Some(N::ResTarget(rt)) => matches!(
                node(&rt.val),
                Some(N::FuncCall(f)) if matches!(name_parts(&f.funcname).as_slice(), ["unnest"] | ["generate_series"])
            ),
            _ => false,
        });
        let mut locking = Locking::default();
        for lc in &s.locking_clause {
            let Some(N::LockingClause(lc)) = lc.node.as_ref() else {
                return unsupported("locking clause");
            };
            let word = strength(lc.strength);
            self.check_lockable(out, word, srf)?;
            locking.nowait |= lc.wait_policy == pb::LockWaitPolicy::LockWaitError as i32;
            if lc.locked_rels.is_empty() {
                self.lock_all(&out.from, word, true, &mut locking.tables)?;
                continue;
            }
            let mut found = Vec::new();
            leaves(&out.from, false, &mut found);
            for r in &lc.locked_rels {
                let Some(N::RangeVar(rv)) = r.node.as_ref() else {
                    return unsupported("locking clause item");
                };
                let at = |f: &FromItem| match f {
                    FromItem::Table { alias, .. }
                    | FromItem::Sub { alias, .. }
                    | FromItem::Lateral { alias, .. }
                    | FromItem::Rows { alias, .. }
                    | FromItem::Series { alias, .. }
                    | FromItem::Recurse { alias, .. } => *alias == rv.relname,
                    FromItem::Join { .. } => false,
                };
                let cannot = |s: &Self, what: &str| {
                    Err(s.error_at(
                        PgError::error(
                            code::FEATURE_NOT_SUPPORTED,
                            format!("{word} cannot be applied to {what}"),
                        ),
                        rv.location,
                    ))
                };
                match found.iter().find(|(f, _)| at(f)) {
                    Some((FromItem::Table { name, alias }, nullable)) => {
                        if self.ctes.iter().any(|(n, _, _)| n == name) {
                            return cannot(self, "a WITH query");
                        }
                        if *nullable {
                            return Err(self.nullable_side(word));
                        }
                        locking.tables.push((name.clone(), Some(alias.clone())));
                    }
                    Some((f @ (FromItem::Sub { .. } | FromItem::Lateral { .. }), nullable)) => {
                        let Some(query) = sub_select(f) else {
                            return unsupported("FOR UPDATE of this subquery");
                        };
                        self.check_lockable(query, word, false)?;
                        if *nullable {
                            return Err(self.nullable_side(word));
                        }
                        self.lock_all(&query.from, word, false, &mut locking.tables)?;
                    }
                    Some(_) => return cannot(self, "a function"),
                    None => {
                        let in_scope = self
                            .scopes
                            .last()
                            .is_some_and(|rels| rels.iter().any(|r| r.alias == rv.relname));
                        if in_scope {
                            return cannot(self, "a join");
                        }
                        return Err(self.error_at(
                            PgError::error(
                                code::UNDEFINED_TABLE,
                                format!(
                                    "relation \"{}\" in {word} clause not found in FROM clause",
                                    rv.relname
                                ),
                            ),
                            rv.location,
                        ));
                    }
                }
            }
        }
        out.locking = Some(locking);
        Ok(())
    }

    /// `WHERE CURRENT OF cursor` of an UPDATE or DELETE of `table`: the
    /// row the cursor stands on, by rowid.
    pub(super) fn current_of(&self, c: &pb::CurrentOfExpr, table: &str) -> R<Expr> {
        if self.view.is_some() {
            return Err(Fail::Error(PgError::error(
                code::FEATURE_NOT_SUPPORTED,
                "WHERE CURRENT OF on a view is not implemented",
            )));
        }
        if self.schema.partitioned(table) || self.schema.is_view(table) {
            return unsupported("WHERE CURRENT OF a partitioned table or a view");
        }
        Ok(Expr::Call {
            template: "(\"rowid\" = pm_current_of($1, $2))",
            args: vec![
                Expr::Const(Value::Text(c.cursor_name.clone()), TEXT),
                Expr::Const(Value::Text(table.to_string()), TEXT),
            ],
            ty: BOOL,
        })
    }
}

impl Select {
    /// For a cursor: a hidden trailing rowid column per table that
    /// `WHERE CURRENT OF` may update through it (the locked tables of this
    /// SELECT's own FROM, or the one table of a simply updatable scan),
    /// and those tables in order. `is_table`: a table with rowids.
    pub fn add_row_ids(&mut self, is_table: &dyn Fn(&str) -> bool) -> Vec<String> {
        let targets: Vec<(String, String)> = match &self.locking {
            Some(l) => l
                .tables
                .iter()
                .filter_map(|(t, a)| Some((t.clone(), a.clone()?)))
                .collect(),
            None => match self.from.as_slice() {
                [FromItem::Table { name, alias }]
                    if self.group_by.is_empty()
                        && self.having.is_none()
                        && !self.distinct
                        && self.distinct_on.is_empty()
                        && self.compound.is_none()
                        && self.values.is_none()
                        && self.order_by.is_empty()
                        && self.with.iter().all(|(n, _)| n != name)
                        && !self.targets.iter().any(|t| t.expr.contains_agg()) =>
                {
                    vec![(name.clone(), alias.clone())]
                }
                _ => Vec::new(),
            },
        };
        let mut tables = Vec::new();
        for (table, alias) in targets.into_iter().filter(|(t, _)| is_table(t)) {
            self.targets.push(Target {
                expr: Expr::Column {
                    rel: Some(alias),
                    name: "rowid".into(),
                    ty: INT8,
                    typmod: -1,
                },
                name: format!("pm$rowid{}", tables.len()),
                star: None,
            });
            tables.push(table);
        }
        tables
    }
}

impl Query {
    /// The tables whose rows the query locks (FOR UPDATE / SHARE at any
    /// level), for the session to take SQLite's write lock.
    pub fn locked_tables(&self) -> Vec<String> {
        fn walk(s: &Select, out: &mut Vec<String>) {
            if let Some(l) = &s.locking {
                for (t, _) in &l.tables {
                    if !out.contains(t) {
                        out.push(t.clone());
                    }
                }
            }
            for (_, w) in &s.with {
                walk(w, out);
            }
            for f in &s.from {
                let mut leafs = Vec::new();
                leaves(std::slice::from_ref(f), false, &mut leafs);
                for (f, _) in leafs {
                    if let Some(query) = sub_select(&f) {
                        walk(query, out);
                    }
                }
            }
        }
        let mut out = Vec::new();
        match self {
            Query::Select(s) => walk(s, &mut out),
            Query::With { body, .. } => out = body.locked_tables(),
            _ => {}
        }
        out
    }

    /// Whether any SELECT in it has NOWAIT.
    pub fn lock_nowait(&self) -> bool {
        match self {
            Query::Select(s) => s.locking.as_ref().is_some_and(|l| l.nowait),
            Query::With { body, .. } => body.lock_nowait(),
            _ => false,
        }
    }
}
