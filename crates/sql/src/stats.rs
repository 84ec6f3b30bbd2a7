//! The statistical aggregates (PostgreSQL: `float8_accum`,
//! `float8_regr_accum` and their final functions in utils/adt/float.c;
//! `numeric_stddev_internal` in numeric.c): variance and standard
//! deviation over float8 and over numeric (integers accumulate as numeric,
//! as PostgreSQL's int*_accum do), covariance, correlation and the regr_*
//! family over float8.
//!
//! The float8 ones use PostgreSQL's Youngs-Cramer updates step by step, so
//! that the rounding, and therefore the digits shown, are PostgreSQL's.
//! The numeric ones are exact sums with PostgreSQL's result scales. A NaN
//! float8 result is refused (the float8 storage holds no NaN) rather than
//! answered as NULL.

use bigdecimal::{BigDecimal, Zero};
use pm_elog::{sqlstate as code, PgError};
use rusqlite::functions::{Aggregate, Context, FunctionFlags};
use rusqlite::types::Value;
use rusqlite::Connection;

use crate::adt::{err, float_arg, pg};
use crate::numeric::{exact_add, numeric_div, plain, sqrt_to_scale, Numeric};
use crate::types::FLOAT8;

/// N, Sx, Sxx, Sy, Syy, Sxy as float8_regr_accum keeps them (the first
/// three are float8_accum's).
#[derive(Default, Clone, Copy)]
struct Moments {
    n: f64,
    sx: f64,
    sxx: f64,
    sy: f64,
    syy: f64,
    sxy: f64,
}

fn overflow() -> PgError {
    err(
        code::NUMERIC_VALUE_OUT_OF_RANGE,
        "value out of range: overflow",
    )
}

impl Moments {
    /// float8_accum.
    fn add(&mut self, x: f64) -> Result<(), PgError> {
        let old_n = self.n;
        let old_sx = self.sx;
        self.n += 1.0;
        self.sx += x;
        if old_n > 0.0 {
            let tmp = x * self.n - self.sx;
            self.sxx += tmp * tmp / (self.n * old_n);
            if self.sx.is_infinite() || self.sxx.is_infinite() {
                if !old_sx.is_infinite() && !x.is_infinite() {
                    return Err(overflow());
                }
                self.sxx = f64::NAN;
            }
        } else if x.is_nan() || x.is_infinite() {
            self.sxx = f64::NAN;
        }
        Ok(())
    }

    /// float8_regr_accum (y first, as the SQL functions take them).
    fn add_pair(&mut self, y: f64, x: f64) -> Result<(), PgError> {
        let old = *self;
        self.n += 1.0;
        self.sx += x;
        self.sy += y;
        if old.n > 0.0 {
            let tx = x * self.n - self.sx;
            let ty = y * self.n - self.sy;
            let scale = 1.0 / (self.n * old.n);
            self.sxx += tx * tx * scale;
            self.syy += ty * ty * scale;
            self.sxy += tx * ty * scale;
            let inf = f64::is_infinite;
            if inf(self.sx) || inf(self.sxx) || inf(self.sy) || inf(self.syy) || inf(self.sxy) {
                if ((inf(self.sx) || inf(self.sxx)) && !inf(old.sx) && !inf(x))
                    || ((inf(self.sy) || inf(self.syy)) && !inf(old.sy) && !inf(y))
                    || (inf(self.sxy) && !inf(old.sx) && !inf(x) && !inf(old.sy) && !inf(y))
                {
                    return Err(overflow());
                }
                for v in [&mut self.sxx, &mut self.syy, &mut self.sxy] {
                    if v.is_infinite() {
                        *v = f64::NAN;
                    }
                }
            }
        } else {
            if x.is_nan() || x.is_infinite() {
                self.sxx = f64::NAN;
                self.sxy = f64::NAN;
            }
            if y.is_nan() || y.is_infinite() {
                self.syy = f64::NAN;
                self.sxy = f64::NAN;
            }
        }
        Ok(())
    }
}

impl Moments {
    /// float8_combine / float8_regr_combine: two states as one.
    fn combine(&self, o: &Moments) -> Result<Moments, PgError> {
        if self.n == 0.0 {
            return Ok(*o);
        }
        if o.n == 0.0 {
            return Ok(*self);
        }
        let sum = |a: f64, b: f64| {
            let r = a + b;
            if r.is_infinite() && !a.is_infinite() && !b.is_infinite() {
                Err(overflow())
            } else {
                Ok(r)
            }
        };
        let n = self.n + o.n;
        let dx = self.sx / self.n - o.sx / o.n;
        let dy = self.sy / self.n - o.sy / o.n;
        // (In PostgreSQL's order of operations, for the same last bits.)
        let term = |a: f64, b: f64| self.n * o.n * a * b / n;
        Ok(Moments {
            n,
            sx: sum(self.sx, o.sx)?,
            sxx: sum(self.sxx + o.sxx, term(dx, dx))?,
            sy: sum(self.sy, o.sy)?,
            syy: sum(self.syy + o.syy, term(dy, dy))?,
            sxy: sum(self.sxy + o.sxy, term(dx, dy))?,
        })
    }

    /// The state from a float8[] of 3 (N, Sx, Sxx) or 6 values.
    fn from_array(function: &str, stored: &str, width: usize) -> Result<Moments, PgError> {
        let bad = || {
            PgError::error(
                code::INTERNAL_ERROR,
                format!("{function}: expected {width}-element float8 array"),
            )
        };
        let a = crate::array::stored(stored)?;
        if a.dims.len() != 1 || a.items.len() != width {
            return Err(bad());
        }
        let mut v = Vec::with_capacity(width);
        for item in &a.items {
            let t = item.as_deref().ok_or_else(bad)?;
            v.push(match crate::array::element_value(FLOAT8, t) {
                Value::Real(f) => f,
                Value::Integer(i) => i as f64,
                _ => return Err(bad()),
            });
        }
        let mut m = Moments {
            n: v[0],
            sx: v[1],
            sxx: v[2],
            ..Moments::default()
        };
        if width == 6 {
            (m.sy, m.syy, m.sxy) = (v[3], v[4], v[5]);
        }
        Ok(m)
    }

    fn to_array(self, width: usize) -> String {
        let all = [self.n, self.sx, self.sxx, self.sy, self.syy, self.sxy];
        let items = all[..width]
            .iter()
            .map(|f| Some(crate::array::stored_text(FLOAT8, &Value::Real(*f))))
            .collect();
        crate::array::format_array(&crate::array::Array::vector(items))
    }
}

type Final = fn(&Moments) -> Option<f64>;

/// The final functions, by SQL name (float8_var_pop, ...).
const FLOAT8_FINALS: &[(&str, usize, Final)] = &[
    ("var_pop", 1, |m| (m.n > 0.0).then(|| m.sxx / m.n)),
    ("var_samp", 1, |m| (m.n > 1.0).then(|| m.sxx / (m.n - 1.0))),
    ("stddev_pop", 1, |m| {
        (m.n > 0.0).then(|| (m.sxx / m.n).sqrt())
    }),
    ("stddev_samp", 1, |m| {
        (m.n > 1.0).then(|| (m.sxx / (m.n - 1.0)).sqrt())
    }),
    ("regr_sxx", 2, |m| (m.n >= 1.0).then_some(m.sxx)),
    ("regr_syy", 2, |m| (m.n >= 1.0).then_some(m.syy)),
    ("regr_sxy", 2, |m| (m.n >= 1.0).then_some(m.sxy)),
    ("regr_avgx", 2, |m| (m.n >= 1.0).then(|| m.sx / m.n)),
    ("regr_avgy", 2, |m| (m.n >= 1.0).then(|| m.sy / m.n)),
    ("covar_pop", 2, |m| (m.n >= 1.0).then(|| m.sxy / m.n)),
    ("covar_samp", 2, |m| {
        (m.n >= 2.0).then(|| m.sxy / (m.n - 1.0))
    }),
    ("corr", 2, |m| {
        (m.n >= 1.0 && m.sxx != 0.0 && m.syy != 0.0).then(|| m.sxy / (m.sxx * m.syy).sqrt())
    }),
    ("regr_r2", 2, |m| {
        if m.n < 1.0 || m.sxx == 0.0 {
            None
        } else if m.syy == 0.0 {
            Some(1.0)
        } else {
            Some((m.sxy * m.sxy) / (m.sxx * m.syy))
        }
    }),
    ("regr_slope", 2, |m| {
        (m.n >= 1.0 && m.sxx != 0.0).then(|| m.sxy / m.sxx)
    }),
    ("regr_intercept", 2, |m| {
        (m.n >= 1.0 && m.sxx != 0.0).then(|| (m.sy - m.sx * m.sxy / m.sxx) / m.n)
    }),
];

/// The SQL names of the float8 aggregates and their argument counts.
pub fn float8_aggregates() -> impl Iterator<Item = (&'static str, usize)> {
    FLOAT8_FINALS.iter().map(|(n, a, _)| (*n, *a))
}

struct Float8Agg {
    args: usize,
    finish: Final,
}

impl Aggregate<Moments, Option<crate::adt::Float>> for Float8Agg {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<Moments> {
        Ok(Moments::default())
    }
    fn step(&self, ctx: &mut Context<'_>, m: &mut Moments) -> rusqlite::Result<()> {
        if self.args == 1 {
            if let Some(x) = float_arg(ctx, 0)? {
                pg(m.add(x))?;
            }
        } else if let (Some(y), Some(x)) = (float_arg(ctx, 0)?, float_arg(ctx, 1)?) {
            pg(m.add_pair(y, x))?;
        }
        Ok(())
    }
    fn finalize(
        &self,
        _: &mut Context<'_>,
        m: Option<Moments>,
    ) -> rusqlite::Result<Option<crate::adt::Float>> {
        let m = m.unwrap_or_default();
        Ok((self.finish)(&m).map(crate::adt::Float))
    }
}

/// N, sum(x), sum(x*x) exactly, and whether a NaN or infinity was seen.
#[derive(Default)]
struct NumericMoments {
    n: i64,
    sum: BigDecimal,
    sum_sq: BigDecimal,
    special: bool,
}

/// numeric_stddev_internal.
fn numeric_final(
    m: &NumericMoments,
    variance: bool,
    sample: bool,
) -> Result<Option<String>, PgError> {
    if m.n == 0 || (sample && m.n <= 1) {
        return Ok(None);
    }
    if m.special {
        return Ok(Some("NaN".into()));
    }
    let n = BigDecimal::from(m.n);
    let scale = m.sum.as_bigint_and_scale().1.max(0) * 2;
    let sq_of_sum = (&m.sum * &m.sum).with_scale(scale);
    let n_sum_sq = (&n * &m.sum_sq).with_scale(scale);
    let diff = exact_add(&n_sum_sq, &sq_of_sum, true);
    if diff <= BigDecimal::zero() {
        return Ok(Some("0".into()));
    }
    let den = if sample {
        &n * BigDecimal::from(m.n - 1)
    } else {
        &n * &n
    };
    let var = numeric_div(&diff, &den)?;
    let r = if variance {
        var
    } else {
        let rscale = var.as_bigint_and_scale().1.max(0);
        sqrt_to_scale(&var, rscale)
    };
    Ok(Some(plain(r).to_plain_string()))
}

struct NumericAgg {
    variance: bool,
    sample: bool,
}

impl Aggregate<NumericMoments, Option<String>> for NumericAgg {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<NumericMoments> {
        Ok(NumericMoments::default())
    }
    fn step(&self, ctx: &mut Context<'_>, m: &mut NumericMoments) -> rusqlite::Result<()> {
        match pg(Numeric::from_value(ctx.get_raw(0)))? {
            None => {}
            Some(Numeric::Num(d)) => {
                m.n += 1;
                let sq = {
                    let (i, s) = d.as_bigint_and_scale();
                    BigDecimal::new(i.as_ref() * i.as_ref(), s * 2)
                };
                m.sum_sq = exact_add(&m.sum_sq, &sq, false);
                m.sum = exact_add(&m.sum, &d, false);
            }
            Some(_) => {
                m.n += 1;
                m.special = true;
            }
        }
        Ok(())
    }
    fn finalize(
        &self,
        _: &mut Context<'_>,
        m: Option<NumericMoments>,
    ) -> rusqlite::Result<Option<String>> {
        pg(numeric_final(
            &m.unwrap_or_default(),
            self.variance,
            self.sample,
        ))
    }
}

/// The numeric versions: (SQL name, variance, sample).
pub const NUMERIC_AGGREGATES: &[(&str, bool, bool)] = &[
    ("var_pop", true, false),
    ("var_samp", true, true),
    ("variance", true, true),
    ("stddev_pop", false, false),
    ("stddev_samp", false, true),
    ("stddev", false, true),
];

/// regr_count(y, x): the rows where both are not NULL, as bigint.
struct RegrCount;

impl Aggregate<i64, i64> for RegrCount {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<i64> {
        Ok(0)
    }
    fn step(&self, ctx: &mut Context<'_>, n: &mut i64) -> rusqlite::Result<()> {
        if float_arg(ctx, 0)?.is_some() && float_arg(ctx, 1)?.is_some() {
            *n += 1;
        }
        Ok(())
    }
    fn finalize(&self, _: &mut Context<'_>, n: Option<i64>) -> rusqlite::Result<i64> {
        Ok(n.unwrap_or(0))
    }
}

pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8;
    let det = flags | FunctionFlags::SQLITE_DETERMINISTIC;
    // The transition and combine functions on their float8[] states
    // (float8_accum, float8_regr_accum, float8_combine, float8_regr_combine).
    for (name, width) in [("float8_accum", 3), ("float8_regr_accum", 6)] {
        let nargs = if width == 3 { 2 } else { 3 };
        conn.create_scalar_function(format!("pm_{name}").as_str(), nargs, det, move |ctx| {
            let Some(state) = ctx.get::<Option<String>>(0)? else {
                return Ok(None);
            };
            let mut m = pg(Moments::from_array(name, &state, width))?;
            let args: Vec<Option<f64>> = (1..ctx.len())
                .map(|i| float_arg(ctx, i))
                .collect::<rusqlite::Result<_>>()?;
            match args.as_slice() {
                [Some(x)] => pg(m.add(*x))?,
                [Some(y), Some(x)] => pg(m.add_pair(*y, *x))?,
                _ => return Ok(None),
            }
            Ok(Some(m.to_array(width)))
        })?;
    }
    for (name, width) in [("float8_combine", 3), ("float8_regr_combine", 6)] {
        conn.create_scalar_function(format!("pm_{name}").as_str(), 2, det, move |ctx| {
            let (Some(a), Some(b)) = (ctx.get::<Option<String>>(0)?, ctx.get::<Option<String>>(1)?)
            else {
                return Ok(None);
            };
            let a = pg(Moments::from_array(name, &a, width))?;
            let b = pg(Moments::from_array(name, &b, width))?;
            Ok(Some(pg(a.combine(&b))?.to_array(width)))
        })?;
    }
    conn.create_aggregate_function("pg_float8_regr_count", 2, flags, RegrCount)?;
    for &(name, args, finish) in FLOAT8_FINALS {
        conn.create_aggregate_function(
            format!("pg_float8_{name}").as_str(),
            args as i32,
            flags,
            Float8Agg { args, finish },
        )?;
    }
    for &(name, variance, sample) in NUMERIC_AGGREGATES {
        conn.create_aggregate_function(
            format!("pg_numeric_{name}").as_str(),
            1,
            flags,
            NumericAgg { variance, sample },
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float8_moments_follow_youngs_cramer() {
        // Four float4 values widened to float8; PostgreSQL 15's answers.
        let xs = [107.9f32 as f64, 100.0, 0.09561f32 as f64, 324.78f32 as f64];
        let mut m = Moments::default();
        let mut p = Moments::default();
        for x in xs {
            m.add(x).unwrap();
            p.add_pair(x * x, x).unwrap();
        }
        let show = |f: f64| crate::types::format_float(f);
        let get = |name: &str, m: &Moments| {
            let (_, _, f) = FLOAT8_FINALS.iter().find(|(n, _, _)| *n == name).unwrap();
            show(f(m).unwrap())
        };
        assert_eq!(get("var_pop", &m), "14040.50108589308");
        assert_eq!(get("var_samp", &m), "18720.668114524105");
        assert_eq!(get("stddev_pop", &m), "118.49262038579904");
        assert_eq!(get("corr", &p), "0.9656856407774904");
        assert_eq!(get("regr_slope", &p), "348.6782876093512");
        assert_eq!(get("regr_intercept", &p), "-14660.70510091653");
    }

    #[test]
    fn numeric_variance_has_postgresql_scale() {
        let mut m = NumericMoments::default();
        for x in ["1", "2", "3", "4"] {
            let d: BigDecimal = x.parse().unwrap();
            m.n += 1;
            m.sum_sq = exact_add(&m.sum_sq, &(&d * &d), false);
            m.sum = exact_add(&m.sum, &d, false);
        }
        // PostgreSQL 15: var_pop(x::numeric) over 1..4 = 1.2500000000000000,
        // var_samp = 1.6666666666666667, stddev_samp = 1.2909944487358056.
        assert_eq!(
            numeric_final(&m, true, false).unwrap().unwrap(),
            "1.2500000000000000"
        );
        assert_eq!(
            numeric_final(&m, true, true).unwrap().unwrap(),
            "1.6666666666666667"
        );
        assert_eq!(
            numeric_final(&m, false, true).unwrap().unwrap(),
            "1.2909944487358056"
        );
    }
}
