//! Ordered-set and hypothetical-set aggregates (PostgreSQL's
//! orderedsetaggs.c): `percentile_cont`, `percentile_disc` and `mode`
//! `WITHIN GROUP (ORDER BY x)`, and `rank` / `dense_rank` /
//! `percent_rank` / `cume_dist` of a hypothetical row. Each collects its
//! group's values with their sort keys (the analyzer passes the key
//! PostgreSQL's ordering of the type compares: numeric's, interval's, ...)
//! and sorts them in the final step. NULL inputs are skipped by the
//! ordered-set ones and sorted as NULLS LAST / FIRST by the hypothetical
//! ones, as in PostgreSQL.

use std::cmp::Ordering;

use pm_elog::{sqlstate as code, PgError};
use rusqlite::functions::{Aggregate, Context, FunctionFlags};
use rusqlite::types::Value;
use rusqlite::Connection;

use crate::adt::{float_arg, float_value, owned, pg};

/// SQLite's ordering of stored values (the keys are made so that it is
/// PostgreSQL's): numbers by value, then text and blobs bytewise.
fn compare(a: &Value, b: &Value) -> Ordering {
    fn class(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Integer(_) | Value::Real(_) => 1,
            Value::Text(_) => 2,
            Value::Blob(_) => 3,
        }
    }
    match (a, b) {
        (Value::Integer(x), Value::Integer(y)) => x.cmp(y),
        (Value::Integer(x), Value::Real(y)) => (*x as f64).total_cmp(y),
        (Value::Real(x), Value::Integer(y)) => x.total_cmp(&(*y as f64)),
        (Value::Real(x), Value::Real(y)) => x.total_cmp(y),
        (Value::Text(x), Value::Text(y)) => x.as_bytes().cmp(y.as_bytes()),
        (Value::Blob(x), Value::Blob(y)) => x.cmp(y),
        _ => class(a).cmp(&class(b)),
    }
}

#[derive(Default)]
struct Group {
    /// The direct argument (fraction, or the hypothetical row's key).
    direct: Option<Value>,
    /// (key, value) per row.
    rows: Vec<(Value, Value)>,
    desc: bool,
    nulls_first: bool,
}

#[derive(Clone, Copy)]
enum Kind {
    PercentileCont,
    PercentileDisc,
    Mode,
    Rank,
    DenseRank,
    PercentRank,
    CumeDist,
}

struct OrderedSet(Kind);

fn fraction(g: &Group) -> Result<Option<f64>, PgError> {
    let p = match &g.direct {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Integer(i)) => *i as f64,
        Some(Value::Real(f)) => *f,
        Some(Value::Text(t)) => t.parse().unwrap_or(f64::NAN),
        Some(Value::Blob(_)) => f64::NAN,
    };
    if !(0.0..=1.0).contains(&p) {
        return Err(PgError::error(
            code::NUMERIC_VALUE_OUT_OF_RANGE,
            format!(
                "percentile value {} is not between 0 and 1",
                crate::types::format_float(p)
            ),
        ));
    }
    Ok(Some(p))
}

impl OrderedSet {
    fn sorted(g: &mut Group) {
        let desc = g.desc;
        g.rows.sort_by(|a, b| {
            let o = compare(&a.0, &b.0);
            if desc {
                o.reverse()
            } else {
                o
            }
        });
    }

    fn finish(&self, g: &mut Group) -> Result<Value, PgError> {
        match self.0 {
            Kind::PercentileCont | Kind::PercentileDisc | Kind::Mode => {
                g.rows.retain(|(k, _)| *k != Value::Null);
                Self::sorted(g);
            }
            _ => {}
        }
        let n = g.rows.len();
        Ok(match self.0 {
            Kind::PercentileCont => {
                let Some(p) = fraction(g)? else {
                    return Ok(Value::Null);
                };
                if n == 0 {
                    return Ok(Value::Null);
                }
                let at = |i: usize| match &g.rows[i].1 {
                    Value::Integer(v) => *v as f64,
                    Value::Real(v) => *v,
                    Value::Text(t) => t.parse().unwrap_or(f64::NAN),
                    _ => f64::NAN,
                };
                let pos = p * (n - 1) as f64;
                let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
                let first = at(lo);
                float_value(if lo == hi {
                    first
                } else {
                    first + (pos - lo as f64) * (at(hi) - first)
                })
            }
            Kind::PercentileDisc => {
                let Some(p) = fraction(g)? else {
                    return Ok(Value::Null);
                };
                if n == 0 {
                    return Ok(Value::Null);
                }
                let row = ((p * n as f64).ceil() as usize).clamp(1, n);
                g.rows[row - 1].1.clone()
            }
            Kind::Mode => {
                let (mut best, mut best_count) = (None, 0usize);
                let mut i = 0;
                while i < n {
                    let mut j = i + 1;
                    while j < n && compare(&g.rows[j].0, &g.rows[i].0) == Ordering::Equal {
                        j += 1;
                    }
                    if j - i > best_count {
                        best_count = j - i;
                        best = Some(g.rows[i].1.clone());
                    }
                    i = j;
                }
                best.unwrap_or(Value::Null)
            }
            Kind::Rank | Kind::DenseRank | Kind::PercentRank | Kind::CumeDist => {
                let h = g.direct.clone().unwrap_or(Value::Null);
                // The order of a row's key against the hypothetical row's.
                let (desc, nulls_first) = (g.desc, g.nulls_first);
                let order = |k: &Value| -> Ordering {
                    match (k == &Value::Null, h == Value::Null) {
                        (true, true) => Ordering::Equal,
                        (true, false) => {
                            if nulls_first {
                                Ordering::Less
                            } else {
                                Ordering::Greater
                            }
                        }
                        (false, true) => {
                            if nulls_first {
                                Ordering::Greater
                            } else {
                                Ordering::Less
                            }
                        }
                        (false, false) => {
                            let o = compare(k, &h);
                            if desc {
                                o.reverse()
                            } else {
                                o
                            }
                        }
                    }
                };
                let before = g
                    .rows
                    .iter()
                    .filter(|(k, _)| order(k) == Ordering::Less)
                    .count();
                match self.0 {
                    Kind::Rank => Value::Integer(before as i64 + 1),
                    Kind::PercentRank => Value::Real(if n == 0 {
                        0.0
                    } else {
                        before as f64 / n as f64
                    }),
                    Kind::CumeDist => {
                        let upto = g
                            .rows
                            .iter()
                            .filter(|(k, _)| order(k) != Ordering::Greater)
                            .count();
                        Value::Real((upto + 1) as f64 / (n + 1) as f64)
                    }
                    _ => {
                        let mut keys: Vec<&Value> = g
                            .rows
                            .iter()
                            .filter(|(k, _)| order(k) == Ordering::Less)
                            .map(|(k, _)| k)
                            .collect();
                        keys.sort_by(|a, b| compare(a, b));
                        keys.dedup_by(|a, b| compare(a, b) == Ordering::Equal);
                        Value::Integer(keys.len() as i64 + 1)
                    }
                }
            }
        })
    }
}

impl Aggregate<Group, Value> for OrderedSet {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<Group> {
        Ok(Group::default())
    }

    /// percentile_*(fraction, value, key, desc), mode(value, key, desc),
    /// the hypothetical ones (row's key, key, desc, nulls first).
    fn step(&self, ctx: &mut Context<'_>, g: &mut Group) -> rusqlite::Result<()> {
        let flag = |i: usize| ctx.get::<i64>(i).map(|v| v != 0);
        match self.0 {
            Kind::PercentileCont | Kind::PercentileDisc => {
                if g.direct.is_none() {
                    g.direct = Some(match float_arg(ctx, 0)? {
                        Some(p) => Value::Real(p),
                        None => Value::Null,
                    });
                }
                g.desc = flag(3)?;
                g.rows.push((owned(ctx.get_raw(2)), owned(ctx.get_raw(1))));
            }
            Kind::Mode => {
                g.desc = flag(2)?;
                g.rows.push((owned(ctx.get_raw(1)), owned(ctx.get_raw(0))));
            }
            _ => {
                if g.direct.is_none() {
                    g.direct = Some(owned(ctx.get_raw(0)));
                }
                g.desc = flag(2)?;
                g.nulls_first = flag(3)?;
                g.rows.push((owned(ctx.get_raw(1)), Value::Null));
            }
        }
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, g: Option<Group>) -> rusqlite::Result<Value> {
        let mut g = g.unwrap_or_default();
        pg(self.finish(&mut g))
    }
}

pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8;
    for (name, args, kind) in [
        ("pm_percentile_cont", 4, Kind::PercentileCont),
        ("pm_percentile_disc", 4, Kind::PercentileDisc),
        ("pm_mode", 3, Kind::Mode),
        ("pm_rank", 4, Kind::Rank),
        ("pm_dense_rank", 4, Kind::DenseRank),
        ("pm_percent_rank", 4, Kind::PercentRank),
        ("pm_cume_dist", 4, Kind::CumeDist),
    ] {
        conn.create_aggregate_function(name, args, flags, OrderedSet(kind))?;
    }
    Ok(())
}
