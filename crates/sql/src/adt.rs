//! PostgreSQL's data types as functions SQLite calls (PostgreSQL:
//! `src/backend/utils/adt/`): input functions with PostgreSQL's errors,
//! storage encodings, and the operators [`crate::ops`] maps to
//! registered functions because SQLite's own would answer differently
//! (integer overflow, division by zero, exact numeric, Unicode case, LIKE).
//!
//! Storage encodings (what a value of each type is in SQLite):
//! - bool: INTEGER 0/1; int2/int4/int8: INTEGER; float4/float8: REAL (a
//!   float4 holds the f64 of its f32);
//! - numeric: the canonical decimal text (scale kept: `8.320`), or an
//!   INTEGER/REAL read from a column of NUMERIC affinity; every numeric
//!   function takes all three;
//! - text, varchar, char(n) (blank-padded), name: TEXT;
//! - date `YYYY-MM-DD`, timestamp `YYYY-MM-DD HH:MM:SS[.ffffff]`: TEXT, so
//!   that text order is time order (BC years and years past 9999 in the
//!   prefixed forms [`crate::datefmt`] describes);
//! - bytea: BLOB.

use std::collections::HashMap;

use pm_elog::{sqlstate as code, PgError};
use rusqlite::functions::{Aggregate, Context, FunctionFlags};
use rusqlite::types::{Value, ValueRef};
use rusqlite::Connection;

use crate::errors::function_error;
use crate::numeric::{numeric_typmod, Numeric};
use crate::types::*;
use crate::{datetime, ops};

pub(crate) fn err(sqlstate: &'static str, message: impl Into<String>) -> PgError {
    PgError::error(sqlstate, message)
}

pub(crate) fn out_of_range(bits: u32) -> PgError {
    err(
        code::NUMERIC_VALUE_OUT_OF_RANGE,
        match bits {
            16 => "smallint out of range",
            32 => "integer out of range",
            _ => "bigint out of range",
        },
    )
}

pub(crate) fn division_by_zero() -> PgError {
    err(code::DIVISION_BY_ZERO, "division by zero")
}

// ---------------------------------------------------------------- input

pub(crate) fn invalid_input(type_name: &str, text: &str) -> PgError {
    err(
        code::INVALID_TEXT_REPRESENTATION,
        format!("invalid input syntax for type {type_name}: \"{text}\""),
    )
}

/// PostgreSQL's input function for `oid`: text to the stored value, with
/// PostgreSQL's errors (typmods are applied by [`apply_typmod`]).
pub fn input(oid: u32, text: &str) -> Result<Value, PgError> {
    if let Some(elem) = element_of(oid).filter(|&e| crate::array::supported_element(e)) {
        return Ok(Value::Text(crate::array::input(elem, text, -1)?));
    }
    let t = text.trim();
    Ok(match oid {
        BOOL => Value::Integer(parse_bool(t).ok_or_else(|| invalid_input("boolean", text))? as i64),
        INT2 | INT4 | INT8 => {
            let name = ops::type_name(oid);
            let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
            if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
                return Err(invalid_input(&name, text));
            }
            let v: i128 = t.parse().unwrap_or(i128::MAX);
            let (lo, hi) = match oid {
                INT2 => (i16::MIN as i128, i16::MAX as i128),
                INT4 => (i32::MIN as i128, i32::MAX as i128),
                _ => (i64::MIN as i128, i64::MAX as i128),
            };
            if v < lo || v > hi {
                return Err(err(
                    code::NUMERIC_VALUE_OUT_OF_RANGE,
                    format!("value \"{text}\" is out of range for type {name}"),
                ));
            }
            Value::Integer(v as i64)
        }
        FLOAT4 | FLOAT8 => {
            let name = ops::type_name(oid);
            let f = match t.to_ascii_lowercase().as_str() {
                "infinity" | "inf" | "+infinity" | "+inf" => f64::INFINITY,
                "-infinity" | "-inf" => f64::NEG_INFINITY,
                "nan" => return Ok(Value::Text("NaN".into())),
                _ => {
                    if t.is_empty() || !t.chars().all(|c| c.is_ascii_digit() || "+-.eE".contains(c))
                    {
                        return Err(invalid_input(&name, text));
                    }
                    let f: f64 = t.parse().map_err(|_| invalid_input(&name, text))?;
                    let overflow = f.is_infinite() || (oid == FLOAT4 && (f as f32).is_infinite());
                    let underflow =
                        f != 0.0 && ((f == 0.0) || (oid == FLOAT4 && (f as f32) == 0.0));
                    if overflow
                        || underflow
                        || (f == 0.0
                            && t.trim_start_matches(['+', '-', '0', '.'])
                                .starts_with(|c: char| c.is_ascii_digit()))
                    {
                        return Err(err(
                            code::NUMERIC_VALUE_OUT_OF_RANGE,
                            format!("\"{text}\" is out of range for type {name}"),
                        ));
                    }
                    f
                }
            };
            // float4 is read straight to single precision (strtof): through
            // f64 first, some inputs would round twice (7038531e-32).
            Value::Real(if oid == FLOAT4 {
                t.parse::<f32>()
                    .map_or(f as f32, |g| if g.is_finite() { g } else { f as f32 })
                    as f64
            } else {
                f
            })
        }
        NUMERIC => Value::Text(
            Numeric::parse(t)
                .ok_or_else(|| invalid_input("numeric", text))?
                .to_text(),
        ),
        DATE => Value::Text(crate::datefmt::date_in(t)?),
        TIMESTAMP => Value::Text(crate::datefmt::timestamp_in(t)?),
        TIMESTAMPTZ => Value::Text(crate::datefmt::timestamptz_in(t)?),
        TIME => Value::Text(datetime::format_time(crate::datefmt::time_in(t)?)),
        TIMETZ => Value::Text(crate::timetz::timetz_in(text, -1)?),
        INTERVAL => crate::interval::input_value(text, -1)?,
        CHAR => Value::Text(char_out(char_in(text))),
        REGTYPE => Value::Text(regtype_name(t).ok_or_else(|| {
            err(
                code::UNDEFINED_OBJECT,
                format!("type \"{t}\" does not exist"),
            )
        })?),
        // The relation's existence is not checked here (the input has no
        // catalog): a cast of a constant names it as written.
        REGCLASS => Value::Text(quote_ident_text(&crate::sequence::regclass_name(t))),
        UUID => Value::Text(canonical_text(oid, t).ok_or_else(|| invalid_input("uuid", text))?),
        BYTEA => {
            Value::Blob(datetime::parse_bytea(text).ok_or_else(|| invalid_input("bytea", text))?)
        }
        _ => Value::Text(text.to_string()),
    })
}

/// charin: `\ooo` (three octal digits) is that byte, else the first byte
/// of the text (none: 0). Blanks are kept.
pub fn char_in(text: &str) -> u8 {
    let b = text.as_bytes();
    if b.len() == 4 && b[0] == b'\\' && b[1..].iter().all(|c| (b'0'..=b'7').contains(c)) {
        let v = (b[1] - b'0') as u32 * 64 + (b[2] - b'0') as u32 * 8 + (b[3] - b'0') as u32;
        return v as u8;
    }
    b.first().copied().unwrap_or(0)
}

/// charout (PostgreSQL 15): the empty text for 0, `\ooo` for a byte with
/// the high bit set, else the character. This text is also the storage.
pub fn char_out(c: u8) -> String {
    match c {
        0 => String::new(),
        128.. => format!("\\{:03o}", c),
        _ => (c as char).to_string(),
    }
}

/// The byte a stored "char" stands for.
fn char_code(stored: &str) -> u8 {
    char_in(stored)
}

/// Whether a date/time input names a time relative to now (`now`,
/// `today`, `tomorrow`, `yesterday`): its value depends on when it is read.
pub fn is_relative_time(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    ["now", "today", "tomorrow", "yesterday"]
        .iter()
        .any(|w| t.split(|c: char| !c.is_ascii_alphabetic()).any(|x| x == *w))
}

fn date_error(type_name: &str, text: &str) -> PgError {
    // Fields that look like a date but are out of range are 22008.
    let looks_like_date = {
        let t = text.trim();
        let parts: Vec<&str> = t.split(['-', ' ', 'T']).collect();
        parts.len() >= 3
            && parts[..3]
                .iter()
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
    };
    if looks_like_date {
        err(
            code::DATETIME_FIELD_OVERFLOW,
            format!("date/time field value out of range: \"{text}\""),
        )
    } else {
        err(
            code::INVALID_DATETIME_FORMAT,
            format!("invalid input syntax for type {type_name}: \"{text}\""),
        )
    }
}

pub fn parse_date(t: &str) -> Option<chrono::NaiveDate> {
    use chrono::NaiveDate;
    if let Some(d) = crate::datefmt::load_date(t) {
        return Some(d);
    }
    if t.eq_ignore_ascii_case("epoch") {
        return NaiveDate::from_ymd_opt(1970, 1, 1);
    }
    for f in [
        "%Y-%m-%d",
        "%Y%m%d",
        "%m/%d/%Y",
        "%B %d, %Y",
        "%b %d, %Y",
        "%b %d %Y",
        "%d %B %Y",
    ] {
        if let Ok(d) = NaiveDate::parse_from_str(t, f) {
            if crate::datefmt::in_stored_range(d.and_hms_opt(0, 0, 0).expect("midnight")) {
                return Some(d);
            }
        }
    }
    None
}

pub fn parse_timestamp(t: &str) -> Option<chrono::NaiveDateTime> {
    use chrono::NaiveDateTime;
    if let Some(d) = crate::datefmt::load_timestamp(t) {
        return Some(d);
    }
    if t.eq_ignore_ascii_case("epoch") {
        return parse_date("epoch").map(|d| d.and_hms_opt(0, 0, 0).unwrap());
    }
    let t = t.replacen('T', " ", 1);
    for f in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%m/%d/%Y %H:%M:%S%.f",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(&t, f) {
            return Some(d);
        }
    }
    parse_date(&t).map(|d| d.and_hms_opt(0, 0, 0).unwrap())
}

pub fn format_timestamp(ts: chrono::NaiveDateTime) -> String {
    crate::datefmt::stored_timestamp(ts)
}

/// A typmod applied on assignment or explicit cast (`varchar(n)`,
/// `char(n)`, `numeric(p,s)`). `explicit` casts truncate strings instead of
/// failing, as PostgreSQL does.
pub fn apply_typmod(oid: u32, typmod: i32, value: Value, explicit: bool) -> Result<Value, PgError> {
    if typmod < 0 {
        return Ok(value);
    }
    if let (Some(elem), Value::Text(a)) = (
        element_of(oid).filter(|&e| crate::array::supported_element(e)),
        &value,
    ) {
        return Ok(Value::Text(crate::array::apply_typmod(
            elem,
            typmod,
            a.clone(),
            explicit,
        )?));
    }
    match (oid, value) {
        (VARCHAR | BPCHAR, Value::Text(s)) => {
            let n = (typmod - 4).max(0) as usize;
            let len = s.chars().count();
            if len > n {
                let cut: String = s.chars().take(n).collect();
                let rest: String = s.chars().skip(n).collect();
                if !explicit && rest.chars().any(|c| c != ' ') {
                    return Err(err(
                        code::STRING_DATA_RIGHT_TRUNCATION,
                        format!("value too long for type {}", format_type(oid, typmod)),
                    ));
                }
                return Ok(Value::Text(cut));
            }
            if oid == BPCHAR && len < n {
                return Ok(Value::Text(format!("{s:<n$}")));
            }
            Ok(Value::Text(s))
        }
        (NUMERIC, v) => {
            let n = match Numeric::from_value(value_ref(&v))? {
                Some(n) => n,
                None => return Ok(Value::Null),
            };
            Ok(Value::Text(numeric_typmod(n, typmod)?.to_text()))
        }
        (TIMESTAMP, Value::Text(s)) => match parse_timestamp(&s) {
            Some(ts) => {
                let us = ts.and_utc().timestamp_micros();
                let rounded = round_fraction(us, typmod);
                Ok(Value::Text(format_timestamp(
                    chrono::DateTime::from_timestamp_micros(rounded).map_or(ts, |t| t.naive_utc()),
                )))
            }
            None => Ok(Value::Text(s)),
        },
        (TIMESTAMPTZ, Value::Text(s)) => match crate::datetime::parse_timestamptz(&s) {
            Some(us) => Ok(Value::Text(crate::datetime::format_timestamptz(
                round_fraction(us, typmod),
            ))),
            None => Ok(Value::Text(s)),
        },
        (INTERVAL, Value::Text(s)) => match crate::interval::stored(&s) {
            Some(iv) => Ok(Value::Text(crate::interval::format_postgres(
                crate::interval::apply_typmod(iv, typmod)?,
            ))),
            None => Ok(Value::Text(s)),
        },
        (TIMETZ, Value::Text(s)) => {
            Ok(Value::Text(crate::timetz::timetz_apply_typmod(&s, typmod)?))
        }
        (TIME, Value::Text(s)) => match crate::datetime::parse_time(&s) {
            Some(us) => Ok(Value::Text(crate::datetime::format_time(round_fraction(
                us, typmod,
            )))),
            None => Ok(Value::Text(s)),
        },
        (_, v) => Ok(v),
    }
}

/// Microseconds rounded to `precision` fractional digits of a second,
/// halves away from zero (AdjustTimestampForTypmod).
fn round_fraction(us: i64, precision: i32) -> i64 {
    if !(0..6).contains(&precision) {
        return us;
    }
    let scale = 10i64.pow(6 - precision as u32);
    let half = scale / 2;
    if us >= 0 {
        (us + half) / scale * scale
    } else {
        -((-us + half) / scale * scale)
    }
}

pub(crate) fn owned(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

fn value_ref(v: &Value) -> ValueRef<'_> {
    match v {
        Value::Null => ValueRef::Null,
        Value::Integer(i) => ValueRef::Integer(*i),
        Value::Real(f) => ValueRef::Real(*f),
        Value::Text(s) => ValueRef::Text(s.as_bytes()),
        Value::Blob(b) => ValueRef::Blob(b),
    }
}

// ---------------------------------------------------------------- text

/// LIKE with PostgreSQL's rules: `%`, `_`, backslash escapes the next
/// character; case-sensitive (ILIKE lowers both sides first).
pub fn like(s: &[char], p: &[char]) -> bool {
    let (mut si, mut pi) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    loop {
        if pi < p.len() {
            match p[pi] {
                '%' => {
                    star = Some((pi, si));
                    pi += 1;
                    continue;
                }
                '_' if si < s.len() => {
                    si += 1;
                    pi += 1;
                    continue;
                }
                '\\' if pi + 1 < p.len() && si < s.len() && s[si] == p[pi + 1] => {
                    si += 1;
                    pi += 2;
                    continue;
                }
                '\\' if pi + 1 < p.len() => {}
                c if c != '_' && c != '\\' && si < s.len() && s[si] == c => {
                    si += 1;
                    pi += 1;
                    continue;
                }
                '\\' if pi + 1 == p.len() && si < s.len() && s[si] == '\\' => {
                    si += 1;
                    pi += 1;
                    continue;
                }
                _ => {}
            }
        } else if si == s.len() {
            return true;
        }
        match star {
            Some((sp, ss)) if ss < s.len() => {
                star = Some((sp, ss + 1));
                pi = sp + 1;
                si = ss + 1;
            }
            _ => return false,
        }
    }
}

fn text_arg(ctx: &Context<'_>, i: usize) -> rusqlite::Result<Option<String>> {
    Ok(match ctx.get_raw(i) {
        ValueRef::Null => None,
        ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Integer(n) => Some(n.to_string()),
        ValueRef::Real(f) => Some(format_float(f)),
        ValueRef::Blob(b) => Some(String::from_utf8_lossy(b).into_owned()),
    })
}

pub(crate) fn int_arg(ctx: &Context<'_>, i: usize) -> rusqlite::Result<Option<i64>> {
    Ok(match ctx.get_raw(i) {
        ValueRef::Null => None,
        ValueRef::Integer(n) => Some(n),
        ValueRef::Real(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Some(f as i64),
        ValueRef::Text(t) => {
            let s = String::from_utf8_lossy(t);
            Some(
                s.trim()
                    .parse()
                    .map_err(|_| function_error(invalid_input("integer", &s)))?,
            )
        }
        _ => return Err(function_error(invalid_input("integer", "?"))),
    })
}

/// A float result as SQLite must hold it: NaN as the text `NaN` (SQLite
/// turns a NaN double into NULL). In a REAL column the text stays text,
/// which SQLite orders after every number and compares equal to itself:
/// PostgreSQL's NaN, above Infinity and equal to NaN.
#[derive(Debug, Clone, Copy)]
pub struct Float(pub f64);

impl rusqlite::ToSql for Float {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::Owned(float_value(self.0)))
    }
}

/// The stored form of a float: NaN as text.
pub fn float_value(f: f64) -> Value {
    if f.is_nan() {
        Value::Text("NaN".into())
    } else {
        Value::Real(f)
    }
}

pub(crate) fn float_arg(ctx: &Context<'_>, i: usize) -> rusqlite::Result<Option<f64>> {
    Ok(match ctx.get_raw(i) {
        ValueRef::Null => None,
        ValueRef::Integer(n) => Some(n as f64),
        ValueRef::Real(f) => Some(f),
        ValueRef::Text(t) => {
            let s = String::from_utf8_lossy(t);
            Some(
                s.trim()
                    .parse()
                    .map_err(|_| function_error(invalid_input("double precision", &s)))?,
            )
        }
        _ => return Err(function_error(invalid_input("double precision", "?"))),
    })
}

pub(crate) fn int_in_range(v: i64, bits: u32) -> Result<i64, PgError> {
    let ok = match bits {
        16 => i16::try_from(v).is_ok(),
        32 => i32::try_from(v).is_ok(),
        _ => true,
    };
    if ok {
        Ok(v)
    } else {
        Err(out_of_range(bits))
    }
}

fn check_float(f: f64, inputs_finite: bool, float4: bool) -> Result<f64, PgError> {
    let f = if float4 { f as f32 as f64 } else { f };
    if f.is_infinite() && inputs_finite {
        return Err(err(
            code::NUMERIC_VALUE_OUT_OF_RANGE,
            "value out of range: overflow",
        ));
    }
    Ok(f)
}

fn check_log(f: f64) -> Result<(), PgError> {
    if f == 0.0 {
        Err(err(
            code::INVALID_ARGUMENT_FOR_LOG,
            "cannot take logarithm of zero",
        ))
    } else if f < 0.0 {
        Err(err(
            code::INVALID_ARGUMENT_FOR_LOG,
            "cannot take logarithm of a negative number",
        ))
    } else {
        Ok(())
    }
}

pub(crate) fn pg<T>(r: Result<T, PgError>) -> rusqlite::Result<T> {
    r.map_err(function_error)
}

/// width_bucket(float8, float8, float8, int) as width_bucket_float8.
fn float8_width_bucket(x: f64, lo: f64, hi: f64, count: i64) -> Result<i64, PgError> {
    let fail = |m: &str| {
        Err(err(
            code::INVALID_ARGUMENT_FOR_WIDTH_BUCKET_FUNCTION,
            m.to_string(),
        ))
    };
    if count <= 0 {
        return fail("count must be greater than zero");
    }
    if x.is_nan() || lo.is_nan() || hi.is_nan() {
        return fail("operand, lower bound, and upper bound cannot be NaN");
    }
    if lo.is_infinite() || hi.is_infinite() {
        return fail("lower and upper bounds must be finite");
    }
    let above = || int_in_range(count + 1, 32);
    if lo < hi {
        if x < lo {
            Ok(0)
        } else if x >= hi {
            above()
        } else {
            Ok((count as f64 * (x - lo) / (hi - lo)) as i64 + 1)
        }
    } else if lo > hi {
        if x > lo {
            Ok(0)
        } else if x <= hi {
            above()
        } else {
            Ok((count as f64 * (lo - x) / (lo - hi)) as i64 + 1)
        }
    } else {
        fail("lower bound cannot equal upper bound")
    }
}

fn input_out_of_range() -> PgError {
    err(code::NUMERIC_VALUE_OUT_OF_RANGE, "input is out of range")
}

/// PostgreSQL's RADIANS_PER_DEGREE.
const RADIANS_PER_DEGREE: f64 = 0.017_453_292_519_943_295;

/// Trigonometric and hyperbolic float8 functions with PostgreSQL's domain
/// errors (float.c: dsin, dacos, dacosh, ...); the values are the C
/// library's, as PostgreSQL's.
type FloatFn = fn(f64) -> Result<f64, PgError>;

/// The degree-based functions (sind, cosd, ...) as PostgreSQL computes
/// them: the argument is reduced to the first quadrant and the result
/// scaled by the function's value at 30 / 45 / 60 degrees, so that the
/// standard angles give exact results (sind(30) is 0.5).
mod degrees {
    use super::RADIANS_PER_DEGREE;

    fn sin_0_to_30(x: f64) -> f64 {
        ((x * RADIANS_PER_DEGREE).sin() / (30.0 * RADIANS_PER_DEGREE).sin()) / 2.0
    }

    fn cos_0_to_60(x: f64) -> f64 {
        let one_minus_cos_60 = 1.0 - (60.0 * RADIANS_PER_DEGREE).cos();
        1.0 - ((1.0 - (x * RADIANS_PER_DEGREE).cos()) / one_minus_cos_60) / 2.0
    }

    /// sin of an angle in [0, 90].
    pub fn sin_q1(x: f64) -> f64 {
        if x <= 30.0 {
            sin_0_to_30(x)
        } else {
            cos_0_to_60(90.0 - x)
        }
    }

    /// cos of an angle in [0, 90].
    pub fn cos_q1(x: f64) -> f64 {
        if x <= 60.0 {
            cos_0_to_60(x)
        } else {
            sin_0_to_30(90.0 - x)
        }
    }

    /// asin in degrees of a value in [0, 1].
    pub fn asin_q1(x: f64) -> f64 {
        if x <= 0.5 {
            (x.asin() / 0.5f64.asin()) * 30.0
        } else {
            90.0 - (x.acos() / 0.5f64.acos()) * 60.0
        }
    }

    /// acos in degrees of a value in [0, 1].
    pub fn acos_q1(x: f64) -> f64 {
        if x <= 0.5 {
            90.0 - (x.asin() / 0.5f64.asin()) * 30.0
        } else {
            (x.acos() / 0.5f64.acos()) * 60.0
        }
    }

    /// tand (or cotd) of an angle in degrees, scaled by its value at 45
    /// degrees (exactly 1 there); never minus zero.
    pub fn tan_or_cot(x: f64, cot: bool) -> f64 {
        let (x, sign) = tan_reduce(x);
        let ratio = |x: f64| {
            if cot {
                cos_q1(x) / sin_q1(x)
            } else {
                sin_q1(x) / cos_q1(x)
            }
        };
        let r = sign * (ratio(x) / ratio(45.0));
        if r == 0.0 {
            0.0
        } else {
            r
        }
    }

    /// The angle reduced to [0, 90] and the sign of tan / cot there.
    fn tan_reduce(x: f64) -> (f64, f64) {
        let mut x = x % 360.0;
        let mut sign = 1.0;
        if x < 0.0 {
            x = -x;
            sign = -sign;
        }
        if x > 180.0 {
            x = 360.0 - x;
            sign = -sign;
        }
        if x > 90.0 {
            x = 180.0 - x;
            sign = -sign;
        }
        (x, sign)
    }
}

fn float8_degrees() -> [(&'static str, FloatFn); 7] {
    use degrees::*;
    fn finite(x: f64) -> Result<(), PgError> {
        if x.is_infinite() {
            Err(input_out_of_range())
        } else {
            Ok(())
        }
    }
    fn unit(x: f64) -> Result<(), PgError> {
        if x.abs() > 1.0 {
            Err(input_out_of_range())
        } else {
            Ok(())
        }
    }
    [
        ("pg_float8_sind", |x| {
            finite(x)?;
            let mut x = x % 360.0;
            let mut sign = 1.0;
            if x < 0.0 {
                x = -x;
                sign = -sign;
            }
            if x > 180.0 {
                x -= 180.0;
                sign = -sign;
            }
            if x > 90.0 {
                x = 180.0 - x;
            }
            Ok(sign * sin_q1(x))
        }),
        ("pg_float8_cosd", |x| {
            finite(x)?;
            let mut x = (x % 360.0).abs();
            let mut sign = 1.0;
            if x > 180.0 {
                x = 360.0 - x;
            }
            if x > 90.0 {
                x = 180.0 - x;
                sign = -sign;
            }
            Ok(sign * cos_q1(x))
        }),
        ("pg_float8_tand", |x| {
            finite(x)?;
            Ok(tan_or_cot(x, false))
        }),
        ("pg_float8_cotd", |x| {
            finite(x)?;
            Ok(tan_or_cot(x, true))
        }),
        ("pg_float8_asind", |x| {
            unit(x)?;
            Ok(if x >= 0.0 { asin_q1(x) } else { -asin_q1(-x) })
        }),
        ("pg_float8_acosd", |x| {
            unit(x)?;
            Ok(if x >= 0.0 {
                acos_q1(x)
            } else {
                90.0 + asin_q1(-x)
            })
        }),
        ("pg_float8_atand", |x| Ok((x.atan() / 1.0f64.atan()) * 45.0)),
    ]
}

fn float8_math() -> [(&'static str, FloatFn); 16] {
    fn bounded(x: f64) -> bool {
        x.is_nan() || (-1.0..=1.0).contains(&x)
    }
    [
        ("pg_float8_cbrt", |x| Ok(x.cbrt())),
        ("pg_float8_sin", |x| {
            if x.is_infinite() {
                return Err(input_out_of_range());
            }
            Ok(x.sin())
        }),
        ("pg_float8_cos", |x| {
            if x.is_infinite() {
                return Err(input_out_of_range());
            }
            Ok(x.cos())
        }),
        ("pg_float8_tan", |x| {
            if x.is_infinite() {
                return Err(input_out_of_range());
            }
            Ok(x.tan())
        }),
        ("pg_float8_cot", |x| {
            if x.is_infinite() {
                return Err(input_out_of_range());
            }
            Ok(1.0 / x.tan())
        }),
        ("pg_float8_asin", |x| {
            if !bounded(x) {
                return Err(input_out_of_range());
            }
            Ok(x.asin())
        }),
        ("pg_float8_acos", |x| {
            if !bounded(x) {
                return Err(input_out_of_range());
            }
            Ok(x.acos())
        }),
        ("pg_float8_atan", |x| Ok(x.atan())),
        ("pg_float8_sinh", |x| Ok(x.sinh())),
        ("pg_float8_cosh", |x| Ok(x.cosh())),
        ("pg_float8_tanh", |x| Ok(x.tanh())),
        ("pg_float8_asinh", |x| Ok(x.asinh())),
        ("pg_float8_acosh", |x| {
            if x < 1.0 {
                return Err(input_out_of_range());
            }
            Ok(x.acosh())
        }),
        ("pg_float8_atanh", |x| {
            if !bounded(x) {
                return Err(input_out_of_range());
            }
            Ok(if x == 1.0 {
                f64::INFINITY
            } else if x == -1.0 {
                f64::NEG_INFINITY
            } else {
                x.atanh()
            })
        }),
        ("pg_float8_degrees", |x| Ok(x / RADIANS_PER_DEGREE)),
        ("pg_float8_radians", |x| Ok(x * RADIANS_PER_DEGREE)),
    ]
}

/// Registers every function [`crate::ops`] templates call.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    let det = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    // A scalar subquery with a second row (see generate's ScalarSub).
    conn.create_scalar_function("pg_subquery_rows", 0, FunctionFlags::SQLITE_UTF8, |_| {
        Err::<i64, _>(crate::errors::function_error(PgError::error(
            code::CARDINALITY_VIOLATION,
            "more than one row returned by a subquery used as an expression",
        )))
    })?;
    // Integers, per width: overflow is 22003, division by zero 22012.
    for (bits, name) in [(16u32, "int2"), (32, "int4"), (64, "int8")] {
        type Op = fn(i64, i64) -> Option<i64>;
        let arith: [(&str, Op); 4] = [
            ("add", i64::checked_add),
            ("sub", i64::checked_sub),
            ("mul", i64::checked_mul),
            ("div", |a, b| a.checked_div(b)),
        ];
        for (op, f) in arith {
            conn.create_scalar_function(&*format!("pg_{name}_{op}"), 2, det, move |ctx| {
                let (Some(a), Some(b)) = (int_arg(ctx, 0)?, int_arg(ctx, 1)?) else {
                    return Ok(None);
                };
                if op == "div" && b == 0 {
                    return Err(function_error(division_by_zero()));
                }
                let r = f(a, b).ok_or_else(|| function_error(out_of_range(bits)))?;
                Ok(Some(pg(int_in_range(r, bits))?))
            })?;
        }
        conn.create_scalar_function(&*format!("pg_{name}_abs"), 1, det, move |ctx| {
            let Some(a) = int_arg(ctx, 0)? else {
                return Ok(None);
            };
            let r = a
                .checked_abs()
                .ok_or_else(|| function_error(out_of_range(bits)))?;
            Ok(Some(pg(int_in_range(r, bits))?))
        })?;
        if bits < 64 {
            conn.create_scalar_function(&*format!("pg_{name}"), 1, det, move |ctx| match int_arg(
                ctx, 0,
            )? {
                None => Ok(None),
                Some(a) => Ok(Some(pg(int_in_range(a, bits))?)),
            })?;
        }
    }
    // int2/int4/int8 << and >>: the shift count taken modulo the width as
    // the hardware does, the result wrapped to the type.
    conn.create_scalar_function("pg_int_shift", 4, det, |ctx| {
        let (Some(v), Some(n), Some(bits)) = (int_arg(ctx, 0)?, int_arg(ctx, 1)?, int_arg(ctx, 2)?)
        else {
            return Ok(None);
        };
        let left = int_arg(ctx, 3)? == Some(1);
        let n = n as u32;
        // int2 and int4 shift as 32-bit values (C's int), int2 then wraps.
        let shifted = if bits == 64 {
            if left {
                v.wrapping_shl(n)
            } else {
                v.wrapping_shr(n)
            }
        } else {
            let v = v as i32;
            (if left {
                v.wrapping_shl(n)
            } else {
                v.wrapping_shr(n)
            }) as i64
        };
        Ok(Some(if bits == 16 {
            shifted as i16 as i64
        } else {
            shifted
        }))
    })?;
    conn.create_scalar_function("pg_int_mod", 2, det, |ctx| {
        let (Some(a), Some(b)) = (int_arg(ctx, 0)?, int_arg(ctx, 1)?) else {
            return Ok(None);
        };
        if b == 0 {
            return Err(function_error(division_by_zero()));
        }
        Ok(Some(a.checked_rem(b).unwrap_or(0)))
    })?;
    // Floating point: overflow to infinity is 22003, x / 0 is 22012.
    for (name, float4) in [("float4", true), ("float8", false)] {
        type Op = fn(f64, f64) -> f64;
        let arith: [(&str, Op); 4] = [
            ("add", |a, b| a + b),
            ("sub", |a, b| a - b),
            ("mul", |a, b| a * b),
            ("div", |a, b| a / b),
        ];
        for (op, f) in arith {
            conn.create_scalar_function(&*format!("pg_{name}_{op}"), 2, det, move |ctx| {
                let (Some(a), Some(b)) = (float_arg(ctx, 0)?, float_arg(ctx, 1)?) else {
                    return Ok(None);
                };
                if op == "div" && b == 0.0 && !a.is_nan() {
                    return Err(function_error(division_by_zero()));
                }
                Ok(Some(Float(pg(check_float(
                    f(a, b),
                    a.is_finite() && b.is_finite(),
                    float4,
                ))?)))
            })?;
        }
    }
    // float8 -> float4 (dtof): overflow and underflow are errors.
    conn.create_scalar_function("pg_float4", 1, det, |ctx| match float_arg(ctx, 0)? {
        None => Ok(None),
        Some(f) if f != 0.0 && f.is_finite() && (f as f32) == 0.0 => Err(function_error(err(
            code::NUMERIC_VALUE_OUT_OF_RANGE,
            "value out of range: underflow",
        ))),
        Some(f) => Ok(Some(Float(pg(check_float(f, f.is_finite(), true))?))),
    })?;
    type F1 = fn(f64) -> Result<f64, PgError>;
    let unary: [(&str, F1); 8] = [
        ("pg_float8_ln", |f| {
            check_log(f)?;
            Ok(f.ln())
        }),
        ("pg_float8_log10", |f| {
            check_log(f)?;
            Ok(f.log10())
        }),
        ("pg_float8_exp", |f| {
            let e = f.exp();
            if e == 0.0 && f.is_finite() {
                return Err(err(
                    code::NUMERIC_VALUE_OUT_OF_RANGE,
                    "value out of range: underflow",
                ));
            }
            check_float(e, f.is_finite(), false)
        }),
        ("pg_float8_rint", |f| Ok(f.round_ties_even())),
        ("pg_float8_trunc", |f| Ok(f.trunc())),
        ("pg_float8_floor", |f| Ok(f.floor())),
        ("pg_float8_ceil", |f| Ok(f.ceil())),
        ("pg_float8_sqrt", |f| {
            if f < 0.0 {
                Err(err(
                    code::INVALID_ARGUMENT_FOR_POWER_FUNCTION,
                    "cannot take square root of a negative number",
                ))
            } else {
                Ok(f.sqrt())
            }
        }),
    ];
    for (name, f) in unary
        .into_iter()
        .chain(float8_math())
        .chain(float8_degrees())
    {
        conn.create_scalar_function(name, 1, det, move |ctx| match float_arg(ctx, 0)? {
            None => Ok(None),
            Some(x) => Ok(Some(Float(pg(f(x))?))),
        })?;
    }
    // Negation, abs and sign of floats (SQLite's would read NaN's text as 0).
    type FU = fn(f64) -> f64;
    let simple: [(&str, FU); 3] = [
        ("pg_float_neg", |f| -f),
        ("pg_float_abs", f64::abs),
        // NaN is neither above nor below 0: sign 0, as float8_sign.
        ("pg_float_sign", |f| {
            if f > 0.0 {
                1.0
            } else if f < 0.0 {
                -1.0
            } else {
                0.0
            }
        }),
    ];
    for (name, f) in simple {
        conn.create_scalar_function(name, 1, det, move |ctx| {
            Ok(float_arg(ctx, 0)?.map(|x| Float(f(x))))
        })?;
    }
    // sum / avg over floats: NaN and opposite infinities give NaN.
    for (name, avg) in [("pg_float_sum", false), ("pg_float_avg", true)] {
        conn.create_aggregate_function(
            name,
            1,
            FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
            FloatSum { avg },
        )?;
    }
    conn.create_scalar_function("pg_quote_ident", 1, det, |ctx| {
        Ok(text_arg(ctx, 0)?.map(|s| quote_ident_text(&s)))
    })?;
    conn.create_scalar_function("pg_quote_literal", 1, det, |ctx| {
        Ok(text_arg(ctx, 0)?.map(|s| quote_literal_text(&s)))
    })?;
    conn.create_scalar_function("pg_quote_nullable", 1, det, |ctx| {
        Ok(Some(match text_arg(ctx, 0)? {
            Some(s) => quote_literal_text(&s),
            None => "NULL".to_string(),
        }))
    })?;
    // to_regtype / regtype input: the type's name as format_type shows it.
    conn.create_scalar_function("pg_to_regtype", 1, det, |ctx| {
        Ok(text_arg(ctx, 0)?.and_then(|s| regtype_name(&s)))
    })?;
    conn.create_scalar_function("pg_regtype_in", 1, det, |ctx| {
        let Some(s) = text_arg(ctx, 0)? else {
            return Ok(None);
        };
        regtype_name(&s).map(Some).ok_or_else(|| {
            function_error(err(
                code::UNDEFINED_OBJECT,
                format!("type \"{}\" does not exist", s.trim()),
            ))
        })
    })?;
    // float4send / float8send: the binary send form, as bytea.
    conn.create_scalar_function("pg_float4send", 1, det, |ctx| {
        Ok(float_arg(ctx, 0)?.map(|f| (f as f32).to_be_bytes().to_vec()))
    })?;
    conn.create_scalar_function("pg_float8send", 1, det, |ctx| {
        Ok(float_arg(ctx, 0)?.map(|f| f.to_be_bytes().to_vec()))
    })?;
    conn.create_scalar_function("pg_float8_atan2", 2, det, |ctx| {
        let (Some(y), Some(x)) = (float_arg(ctx, 0)?, float_arg(ctx, 1)?) else {
            return Ok(None);
        };
        Ok(Some(Float(y.atan2(x))))
    })?;
    conn.create_scalar_function("pg_float8_atan2d", 2, det, |ctx| {
        let (Some(y), Some(x)) = (float_arg(ctx, 0)?, float_arg(ctx, 1)?) else {
            return Ok(None);
        };
        Ok(Some(Float((y.atan2(x) / 1.0f64.atan()) * 45.0)))
    })?;
    conn.create_scalar_function("pg_float8_pow", 2, det, |ctx| {
        let (Some(a), Some(b)) = (float_arg(ctx, 0)?, float_arg(ctx, 1)?) else {
            return Ok(None);
        };
        // NaN: 1 ^ NaN and NaN ^ 0 are 1, anything else NaN.
        if a.is_nan() || b.is_nan() {
            return Ok(Some(Float(a.powf(b))));
        }
        if a == 0.0 && b < 0.0 {
            return Err(function_error(err(
                code::INVALID_ARGUMENT_FOR_POWER_FUNCTION,
                "zero raised to a negative power is undefined",
            )));
        }
        // (An infinite exponent is not a fraction: IEEE's pow, as PostgreSQL.)
        if a < 0.0 && b.is_finite() && b.fract() != 0.0 {
            return Err(function_error(err(
                code::INVALID_ARGUMENT_FOR_POWER_FUNCTION,
                "a negative number raised to a non-integer power yields a complex result",
            )));
        }
        let r = a.powf(b);
        if r == 0.0 && a != 0.0 && a.is_finite() && b.is_finite() {
            return Err(function_error(err(
                code::NUMERIC_VALUE_OUT_OF_RANGE,
                "value out of range: underflow",
            )));
        }
        Ok(Some(Float(pg(check_float(
            r,
            a.is_finite() && b.is_finite(),
            false,
        ))?)))
    })?;
    conn.create_scalar_function("pg_float8_int", 2, det, |ctx| {
        let (Some(f), Some(bits)) = (float_arg(ctx, 0)?, int_arg(ctx, 1)?) else {
            return Ok(None);
        };
        let r = f.round_ties_even();
        if !r.is_finite() || !(-9.223372036854776e18..9.223372036854776e18).contains(&r) {
            return Err(function_error(out_of_range(bits as u32)));
        }
        Ok(Some(pg(int_in_range(r as i64, bits as u32))?))
    })?;
    conn.create_scalar_function("pg_float8_width_bucket", 4, det, |ctx| {
        let (Some(x), Some(lo), Some(hi), Some(count)) = (
            float_arg(ctx, 0)?,
            float_arg(ctx, 1)?,
            float_arg(ctx, 2)?,
            int_arg(ctx, 3)?,
        ) else {
            return Ok(None);
        };
        Ok(Some(pg(float8_width_bucket(x, lo, hi, count))?))
    })?;
    conn.create_scalar_function("pg_char_code", 1, det, |ctx| {
        Ok(match ctx.get_raw(0) {
            ValueRef::Text(t) => Some(char_code(&String::from_utf8_lossy(t)) as i64),
            _ => None,
        })
    })?;
    conn.create_scalar_function("pg_char_in", 1, det, |ctx| {
        Ok(match ctx.get_raw(0) {
            ValueRef::Text(t) => Some(char_out(char_in(&String::from_utf8_lossy(t)))),
            _ => None,
        })
    })?;
    // int4 -> "char": the low byte; "char" -> int4: the byte as signed.
    conn.create_scalar_function("pg_char_from_int", 1, det, |ctx| {
        Ok(match int_arg(ctx, 0)? {
            Some(v) if (-128..=127).contains(&v) => Some(char_out(v as i8 as u8)),
            Some(_) => {
                return Err(function_error(err(
                    code::NUMERIC_VALUE_OUT_OF_RANGE,
                    "\"char\" out of range",
                )))
            }
            None => None,
        })
    })?;
    conn.create_scalar_function("pg_char_to_int", 1, det, |ctx| {
        Ok(match ctx.get_raw(0) {
            ValueRef::Text(t) => Some(char_code(&String::from_utf8_lossy(t)) as i8 as i64),
            _ => None,
        })
    })?;
    conn.create_scalar_function("pg_float8_out", 1, det, |ctx| {
        Ok(float_arg(ctx, 0)?.map(format_float))
    })?;
    conn.create_scalar_function("pg_float4_out", 1, det, |ctx| {
        Ok(float_arg(ctx, 0)?.map(format_float4))
    })?;
    crate::numeric::register(conn)?;
    conn.create_aggregate_function("pg_bytea_agg", 2, FunctionFlags::SQLITE_UTF8, ByteaAgg)?;
    // Typmods and input functions at run time (parameters, casts from text).
    // The output function of a type (date/time in the session's DateStyle
    // and TimeZone), as a text value.
    conn.create_scalar_function("pg_output", 2, FunctionFlags::SQLITE_UTF8, |ctx| {
        let oid = ctx.get::<i64>(1)? as u32;
        Ok(crate::types::format_text(oid, ctx.get_raw(0)))
    })?;
    conn.create_scalar_function("pg_datetime_cast", 3, FunctionFlags::SQLITE_UTF8, |ctx| {
        let Some(v) = ctx.get::<Option<String>>(0)? else {
            return Ok(None);
        };
        let (from, to) = (ctx.get::<i64>(1)? as u32, ctx.get::<i64>(2)? as u32);
        crate::datefmt::convert(&v, from, to)
            .map(Some)
            .map_err(function_error)
    })?;
    // generate_series over numeric / timestamps: the step is zero.
    conn.create_scalar_function("pg_series_nonzero", 1, det, |ctx| match int_arg(ctx, 0)? {
        Some(1) => Err(function_error(err(
            code::INVALID_PARAMETER_VALUE,
            "step size cannot equal zero",
        ))),
        _ => Ok(1i64),
    })?;
    conn.create_scalar_function("pg_series_step", 1, det, |ctx| match int_arg(ctx, 0)? {
        Some(0) => Err(function_error(err(
            code::INVALID_PARAMETER_VALUE,
            "step size cannot equal zero",
        ))),
        other => Ok(other),
    })?;
    conn.create_scalar_function("pg_at_time_zone", 3, det, |ctx| {
        let (Some(v), Some(zone)) = (text_arg(ctx, 0)?, text_arg(ctx, 1)?) else {
            return Ok(None);
        };
        let from_tz = int_arg(ctx, 2)? == Some(1);
        Ok(Some(pg(crate::datefmt::at_time_zone(&v, &zone, from_tz))?))
    })?;
    conn.create_scalar_function("pg_datetime_in", 2, FunctionFlags::SQLITE_UTF8, |ctx| {
        let Some(text) = ctx.get::<Option<String>>(0)? else {
            return Ok(Value::Null);
        };
        let oid = ctx.get::<i64>(1)? as u32;
        input(oid, &text).map_err(function_error)
    })?;
    conn.create_scalar_function("pg_typmod", 3, det, |ctx| {
        let oid = int_arg(ctx, 1)?.unwrap_or(0) as u32;
        let typmod = int_arg(ctx, 2)?.unwrap_or(-1) as i32;
        let v = owned(ctx.get_raw(0));
        pg(apply_typmod(oid, typmod, v, false))
    })?;
    conn.create_scalar_function("pg_typmod_explicit", 3, det, |ctx| {
        let oid = int_arg(ctx, 1)?.unwrap_or(0) as u32;
        let typmod = int_arg(ctx, 2)?.unwrap_or(-1) as i32;
        let v = owned(ctx.get_raw(0));
        pg(apply_typmod(oid, typmod, v, true))
    })?;
    conn.create_scalar_function("pg_input", 2, det, |ctx| {
        let oid = int_arg(ctx, 1)?.unwrap_or(0) as u32;
        match text_arg(ctx, 0)? {
            None => Ok(Value::Null),
            Some(t) => pg(input(oid, &t)),
        }
    })?;
    // Text
    conn.create_scalar_function("pg_lower", 1, det, |ctx| {
        Ok(text_arg(ctx, 0)?.map(|s| lower(&s)))
    })?;
    conn.create_scalar_function("pg_upper", 1, det, |ctx| {
        Ok(text_arg(ctx, 0)?.map(|s| upper(&s)))
    })?;
    conn.create_scalar_function("pg_octet_length", 1, det, |ctx| {
        Ok(match ctx.get_raw(0) {
            ValueRef::Null => None,
            ValueRef::Text(t) | ValueRef::Blob(t) => Some(t.len() as i64),
            other => Some(format!("{:?}", other).len() as i64),
        })
    })?;
    for (name, insensitive) in [("pg_like", false), ("pg_ilike", true)] {
        conn.create_scalar_function(name, 2, det, move |ctx| {
            let (Some(s), Some(p)) = (text_arg(ctx, 0)?, text_arg(ctx, 1)?) else {
                return Ok(None);
            };
            let (s, p) = if insensitive {
                (lower(&s), lower(&p))
            } else {
                (s, p)
            };
            let s: Vec<char> = s.chars().collect();
            let p: Vec<char> = p.chars().collect();
            Ok(Some(like(&s, &p)))
        })?;
    }
    for (name, insensitive) in [("pg_regex_match", false), ("pg_regex_imatch", true)] {
        conn.create_scalar_function(name, 2, det, move |ctx| {
            let (Some(s), Some(p)) = (text_arg(ctx, 0)?, text_arg(ctx, 1)?) else {
                return Ok(None);
            };
            Ok(Some(pg(regex_matches(&s, &p, insensitive))?))
        })?;
    }
    conn.create_scalar_function("pg_replace", 3, det, |ctx| {
        let (Some(s), Some(from), Some(to)) =
            (text_arg(ctx, 0)?, text_arg(ctx, 1)?, text_arg(ctx, 2)?)
        else {
            return Ok(None);
        };
        Ok(Some(if from.is_empty() {
            s
        } else {
            s.replace(&from, &to)
        }))
    })?;
    conn.create_scalar_function("pg_substr", -1, det, |ctx| {
        let Some(s) = text_arg(ctx, 0)? else {
            return Ok(None);
        };
        let Some(start) = int_arg(ctx, 1)? else {
            return Ok(None);
        };
        let chars: Vec<char> = s.chars().collect();
        let end = if ctx.len() > 2 {
            let Some(len) = int_arg(ctx, 2)? else {
                return Ok(None);
            };
            if len < 0 {
                return Err(function_error(err(
                    code::SUBSTRING_ERROR,
                    "negative substring length not allowed",
                )));
            }
            start.saturating_add(len)
        } else {
            i64::MAX
        };
        let from = (start.max(1) - 1) as usize;
        let to = (end.max(1) - 1).min(chars.len() as i64) as usize;
        Ok(Some(if from >= to {
            String::new()
        } else {
            chars[from..to].iter().collect()
        }))
    })?;
    for (name, left) in [("pg_left", true), ("pg_right", false)] {
        conn.create_scalar_function(name, 2, det, move |ctx| {
            let (Some(s), Some(n)) = (text_arg(ctx, 0)?, int_arg(ctx, 1)?) else {
                return Ok(None);
            };
            let chars: Vec<char> = s.chars().collect();
            let len = chars.len() as i64;
            let take = if n >= 0 { n.min(len) } else { (len + n).max(0) } as usize;
            Ok(Some(if left {
                chars[..take].iter().collect::<String>()
            } else {
                chars[chars.len() - take..].iter().collect()
            }))
        })?;
    }
    conn.create_scalar_function("pg_repeat", 2, det, |ctx| {
        let (Some(s), Some(n)) = (text_arg(ctx, 0)?, int_arg(ctx, 1)?) else {
            return Ok(None);
        };
        if (s.len() as i64).saturating_mul(n.max(0)) > 1 << 30 {
            return Err(function_error(err(
                code::PROGRAM_LIMIT_EXCEEDED,
                "requested length too large",
            )));
        }
        Ok(Some(s.repeat(n.max(0) as usize)))
    })?;
    conn.create_scalar_function("pg_concat", -1, det, |ctx| {
        let mut out = String::new();
        for i in 0..ctx.len() {
            if let Some(s) = text_arg(ctx, i)? {
                out.push_str(&s);
            }
        }
        Ok(out)
    })?;
    conn.create_scalar_function("pg_concat_ws", -1, det, |ctx| {
        let Some(sep) = text_arg(ctx, 0)? else {
            return Ok(None);
        };
        let mut parts = Vec::new();
        for i in 1..ctx.len() {
            if let Some(s) = text_arg(ctx, i)? {
                parts.push(s);
            }
        }
        Ok(Some(parts.join(&sep)))
    })?;
    conn.create_scalar_function("pg_format", -1, det, |ctx| {
        let Some(fmt) = text_arg(ctx, 0)? else {
            return Ok(None);
        };
        let mut args = Vec::new();
        for i in 1..ctx.len() {
            args.push(text_arg(ctx, i)?);
        }
        Ok(Some(pg(format(&fmt, &args))?))
    })?;
    conn.create_scalar_function("pg_initcap", 1, det, |ctx| {
        Ok(text_arg(ctx, 0)?.map(|s| {
            let mut out = String::with_capacity(s.len());
            let mut in_word = false;
            for c in s.chars() {
                if c.is_alphanumeric() {
                    out.push_str(&if in_word {
                        lower(&c.to_string())
                    } else {
                        upper(&c.to_string())
                    });
                    in_word = true;
                } else {
                    out.push(c);
                    in_word = false;
                }
            }
            out
        }))
    })?;
    conn.create_scalar_function("pg_pad", 4, det, |ctx| {
        let (Some(s), Some(len), Some(fill), Some(right)) = (
            text_arg(ctx, 0)?,
            int_arg(ctx, 1)?,
            text_arg(ctx, 2)?,
            int_arg(ctx, 3)?,
        ) else {
            return Ok(None);
        };
        let len = len.clamp(0, 10_485_760) as usize;
        let chars: Vec<char> = s.chars().collect();
        if chars.len() >= len {
            return Ok(Some(chars[..len].iter().collect()));
        }
        let fill: Vec<char> = fill.chars().collect();
        if fill.is_empty() {
            return Ok(Some(s));
        }
        let pad: String = fill.iter().cycle().take(len - chars.len()).collect();
        Ok(Some(if right == 1 {
            format!("{s}{pad}")
        } else {
            format!("{pad}{s}")
        }))
    })?;
    conn.create_scalar_function("pg_split_part", 3, det, |ctx| {
        let (Some(s), Some(sep), Some(n)) =
            (text_arg(ctx, 0)?, text_arg(ctx, 1)?, int_arg(ctx, 2)?)
        else {
            return Ok(None);
        };
        if n == 0 {
            return Err(function_error(err(
                code::INVALID_PARAMETER_VALUE,
                "field position must not be zero",
            )));
        }
        let parts: Vec<&str> = if sep.is_empty() {
            vec![s.as_str()]
        } else {
            s.split(sep.as_str()).collect()
        };
        let index = if n > 0 { n - 1 } else { parts.len() as i64 + n };
        Ok(Some(
            usize::try_from(index)
                .ok()
                .and_then(|i| parts.get(i))
                .map_or(String::new(), |p| p.to_string()),
        ))
    })?;
    conn.create_scalar_function("pg_starts_with", 2, det, |ctx| {
        let (Some(s), Some(p)) = (text_arg(ctx, 0)?, text_arg(ctx, 1)?) else {
            return Ok(None);
        };
        Ok(Some(s.starts_with(&p)))
    })?;
    conn.create_scalar_function("pg_translate", 3, det, |ctx| {
        let (Some(s), Some(from), Some(to)) =
            (text_arg(ctx, 0)?, text_arg(ctx, 1)?, text_arg(ctx, 2)?)
        else {
            return Ok(None);
        };
        let from: Vec<char> = from.chars().collect();
        let to: Vec<char> = to.chars().collect();
        Ok(Some(
            s.chars()
                .filter_map(|c| match from.iter().position(|&f| f == c) {
                    Some(i) => to.get(i).copied(),
                    None => Some(c),
                })
                .collect::<String>(),
        ))
    })?;
    conn.create_scalar_function("pg_ascii", 1, det, |ctx| {
        Ok(text_arg(ctx, 0)?.map(|s| s.chars().next().map_or(0, |c| c as i64)))
    })?;
    conn.create_scalar_function("pg_chr", 1, det, |ctx| {
        let Some(n) = int_arg(ctx, 0)? else {
            return Ok(None);
        };
        match u32::try_from(n).ok().and_then(char::from_u32) {
            Some('\0') => Err(function_error(err(
                code::PROGRAM_LIMIT_EXCEEDED,
                "null character not permitted",
            ))),
            Some(c) => Ok(Some(c.to_string())),
            None => Err(function_error(err(
                code::PROGRAM_LIMIT_EXCEEDED,
                "requested character too large for encoding",
            ))),
        }
    })?;
    conn.create_scalar_function("pg_to_hex", 2, det, |ctx| {
        let (Some(n), Some(bits)) = (int_arg(ctx, 0)?, int_arg(ctx, 1)?) else {
            return Ok(None);
        };
        Ok(Some(if bits == 32 {
            format!("{:x}", n as i32 as u32)
        } else {
            format!("{:x}", n as u64)
        }))
    })?;
    conn.create_scalar_function("pg_reverse", 1, det, |ctx| {
        Ok(text_arg(ctx, 0)?.map(|s| s.chars().rev().collect::<String>()))
    })?;
    // Dates
    conn.create_scalar_function("pg_date_add", 2, det, |ctx| {
        let (Some(d), Some(n)) = (text_arg(ctx, 0)?, int_arg(ctx, 1)?) else {
            return Ok(None);
        };
        let date = parse_date(&d).ok_or_else(|| function_error(date_error("date", &d)))?;
        let r = date
            .checked_add_signed(chrono::Duration::days(n))
            .filter(|r| crate::datefmt::in_stored_range(r.and_hms_opt(0, 0, 0).expect("midnight")))
            .ok_or_else(|| {
                function_error(err(code::DATETIME_FIELD_OVERFLOW, "date out of range"))
            })?;
        Ok(Some(crate::datefmt::stored_day(r)))
    })?;
    conn.create_scalar_function("pg_date_diff", 2, det, |ctx| {
        let (Some(a), Some(b)) = (text_arg(ctx, 0)?, text_arg(ctx, 1)?) else {
            return Ok(None);
        };
        if [&a, &b].iter().any(|s| s.ends_with("infinity")) {
            return Err(function_error(err(
                code::DATETIME_FIELD_OVERFLOW,
                "cannot subtract infinite dates",
            )));
        }
        let a = parse_date(&a).ok_or_else(|| function_error(date_error("date", &a)))?;
        let b = parse_date(&b).ok_or_else(|| function_error(date_error("date", &b)))?;
        Ok(Some((a - b).num_days()))
    })?;
    conn.create_scalar_function("pg_extract", 3, det, |ctx| {
        let (Some(field), Some(v), Some(kind)) =
            (text_arg(ctx, 0)?, text_arg(ctx, 1)?, int_arg(ctx, 2)?)
        else {
            return Ok(None);
        };
        if let Some(r) = nonfinite_part(&field, &v, kind == 1) {
            return pg(r);
        }
        Ok(Some(pg(extract(&field, &v, kind == 1))?))
    })?;
    // EXTRACT on timestamptz reads the session's TimeZone: not deterministic.
    conn.create_scalar_function("pg_extract_tz", 2, FunctionFlags::SQLITE_UTF8, |ctx| {
        let (Some(field), Some(v)) = (text_arg(ctx, 0)?, text_arg(ctx, 1)?) else {
            return Ok(None);
        };
        if let Some(r) = nonfinite_part(&field, &v, true) {
            return pg(r);
        }
        Ok(Some(pg(extract_tz(&field, &v))?))
    })?;
    // date_trunc(text, timestamptz): truncated in the session's TimeZone.
    conn.create_scalar_function("pg_date_trunc_tz", 2, FunctionFlags::SQLITE_UTF8, |ctx| {
        let (Some(field), Some(v)) = (text_arg(ctx, 0)?, text_arg(ctx, 1)?) else {
            return Ok(None);
        };
        let local = pg(crate::datefmt::convert(&v, TIMESTAMPTZ, TIMESTAMP))?;
        let truncated = pg(date_trunc(&field, &local))?;
        Ok(Some(pg(crate::datefmt::convert(
            &truncated,
            TIMESTAMP,
            TIMESTAMPTZ,
        ))?))
    })?;
    conn.create_scalar_function("pg_date_part", 2, det, |ctx| {
        let (Some(field), Some(v)) = (text_arg(ctx, 0)?, text_arg(ctx, 1)?) else {
            return Ok(None);
        };
        let n = match nonfinite_part(&field, &v, true) {
            Some(r) => pg(r)?,
            None => Some(pg(extract(&field, &v, true))?),
        };
        Ok(n.and_then(|n| n.parse::<f64>().ok()))
    })?;
    conn.create_scalar_function("pg_date_trunc", 2, det, |ctx| {
        let (Some(field), Some(v)) = (text_arg(ctx, 0)?, text_arg(ctx, 1)?) else {
            return Ok(None);
        };
        Ok(Some(pg(date_trunc(&field, &v))?))
    })?;
    conn.create_scalar_function("pg_limit", 1, det, |ctx| match int_arg(ctx, 0)? {
        None => Ok(-1),
        Some(n) if n < 0 => Err(function_error(err(
            code::INVALID_ROW_COUNT_IN_LIMIT_CLAUSE,
            "LIMIT must not be negative",
        ))),
        Some(n) => Ok(n),
    })?;
    conn.create_scalar_function("pg_offset", 1, det, |ctx| match int_arg(ctx, 0)? {
        None => Ok(0),
        Some(n) if n < 0 => Err(function_error(err(
            code::INVALID_ROW_COUNT_IN_RESULT_OFFSET_CLAUSE,
            "OFFSET must not be negative",
        ))),
        Some(n) => Ok(n),
    })?;
    Ok(())
}

/// EXTRACT of an infinite date or timestamp (NonFiniteTimestampTzPart):
/// +-Infinity for the fields that grow with time, NULL for the others,
/// the finite value's errors for units the type does not have. None: the
/// value is finite.
fn nonfinite_part(
    field: &str,
    value: &str,
    timestamp: bool,
) -> Option<Result<Option<String>, PgError>> {
    let sign = match value {
        "infinity" => "",
        "-infinity" => "-",
        _ => return None,
    };
    let f = lower(field.trim());
    const GROWING: &[&str] = &[
        "epoch",
        "year",
        "years",
        "y",
        "yr",
        "yrs",
        "decade",
        "decades",
        "dec",
        "decs",
        "century",
        "centuries",
        "c",
        "cent",
        "cents",
        "millennium",
        "millennia",
        "mil",
        "mils",
        "millenniums",
        "julian",
        "j",
        "isoyear",
    ];
    if GROWING.contains(&f.as_str()) {
        return Some(Ok(Some(format!("{sign}Infinity"))));
    }
    let sample = if timestamp {
        "2000-01-01 00:00:00"
    } else {
        "2000-01-01"
    };
    Some(match f.as_str() {
        "timezone" | "timezone_h" | "timezone_m" | "timezone_hour" | "timezone_minute"
            if timestamp =>
        {
            Ok(None)
        }
        _ => extract(&f, sample, timestamp).map(|_| None),
    })
}

/// EXTRACT(field FROM date or timestamp) as PostgreSQL 15 computes it
/// (numeric; seconds with six decimals for timestamps).
fn extract(field: &str, value: &str, timestamp: bool) -> Result<String, PgError> {
    use chrono::{Datelike, Timelike};
    let type_name = if timestamp {
        "timestamp without time zone"
    } else {
        "date"
    };
    let ts = if timestamp {
        parse_timestamp(value).ok_or_else(|| date_error(type_name, value))?
    } else {
        parse_date(value)
            .ok_or_else(|| date_error(type_name, value))?
            .and_hms_opt(0, 0, 0)
            .expect("midnight")
    };
    let field = lower(field.trim());
    let micros = (ts.nanosecond() / 1000) as i64;
    let sec = ts.second() as i64;
    let year = ts.year() as i64;
    let frac6 = |whole: i64, micros: i64| format!("{whole}.{micros:06}");
    let not_supported = || {
        err(
            code::FEATURE_NOT_SUPPORTED,
            format!("unit \"{field}\" not supported for type {type_name}"),
        )
    };
    Ok(match field.as_str() {
        "microseconds" | "microsecond" | "us" | "usec" | "usecs" if timestamp => {
            (sec * 1_000_000 + micros).to_string()
        }
        "milliseconds" | "millisecond" | "ms" | "msec" | "msecs" if timestamp => {
            let total = sec * 1_000_000 + micros;
            format!("{}.{:03}", total / 1000, total % 1000)
        }
        "second" | "seconds" | "sec" | "secs" | "s" if timestamp => frac6(sec, micros),
        "minute" | "minutes" | "min" | "mins" | "m" if timestamp => ts.minute().to_string(),
        "hour" | "hours" | "hr" | "hrs" | "h" if timestamp => ts.hour().to_string(),
        "microseconds" | "microsecond" | "milliseconds" | "millisecond" | "second" | "seconds"
        | "minute" | "minutes" | "hour" | "hours" | "timezone" | "timezone_h" | "timezone_m" => {
            return Err(not_supported())
        }
        "day" | "days" | "d" => ts.day().to_string(),
        "month" | "months" | "mon" | "mons" => ts.month().to_string(),
        // PostgreSQL counts BC years down from -1 (no year 0).
        "year" | "years" | "y" | "yr" | "yrs" => {
            (if year > 0 { year } else { year - 1 }).to_string()
        }
        "quarter" | "qtr" => ((ts.month() - 1) / 3 + 1).to_string(),
        "week" | "weeks" | "w" => ts.iso_week().week().to_string(),
        "isoyear" => {
            let y = ts.iso_week().year() as i64;
            (if y > 0 { y } else { y - 1 }).to_string()
        }
        "dow" => ts.weekday().num_days_from_sunday().to_string(),
        "isodow" => ts.weekday().number_from_monday().to_string(),
        "doy" => ts.ordinal().to_string(),
        "decade" | "decades" => (if year >= 0 {
            year / 10
        } else {
            -((8 - (year - 1)) / 10)
        })
        .to_string(),
        "century" | "centuries" | "c" | "cent" => (if year > 0 {
            (year + 99) / 100
        } else {
            -((99 - (year - 1)) / 100)
        })
        .to_string(),
        "millennium" | "millennia" | "mil" | "mils" => (if year > 0 {
            (year + 999) / 1000
        } else {
            -((999 - (year - 1)) / 1000)
        })
        .to_string(),
        "julian" if !timestamp => (ts.date().num_days_from_ce() as i64 + 1_721_425).to_string(),
        "epoch" => {
            let secs = ts.and_utc().timestamp();
            if timestamp {
                frac6(secs, micros)
            } else {
                secs.to_string()
            }
        }
        // The Julian day and the fraction of it (numeric division).
        "julian" => {
            let day = ts.date().num_days_from_ce() as i64 + 1_721_425;
            let us = ((ts.hour() as i64 * 60 + ts.minute() as i64) * 60 + sec) * 1_000_000 + micros;
            let fraction = crate::numeric::numeric_div(
                &bigdecimal::BigDecimal::from(us),
                &bigdecimal::BigDecimal::from(86_400_000_000i64),
            )?;
            let sum =
                crate::numeric::exact_add(&bigdecimal::BigDecimal::from(day), &fraction, false);
            Numeric::Num(sum).to_text()
        }
        _ => {
            return Err(err(
                code::INVALID_PARAMETER_VALUE,
                format!("unit \"{field}\" not recognized for type {type_name}"),
            ))
        }
    })
}

/// A type name as regtype reads it (`int4`, `integer`, `character
/// varying`), shown as format_type shows it; None for a type we do not have.
fn regtype_name(s: &str) -> Option<String> {
    let t = s.trim().to_ascii_lowercase();
    let t = t.strip_prefix("pg_catalog.").unwrap_or(&t);
    // oid_for_type_name answers text for a name it does not know.
    let oid = crate::types::oid_for_type_name(t);
    let known = crate::types::CATALOG.iter().any(|ti| ti.oid == oid);
    (known && (oid != TEXT || t == "text")).then(|| format_type(oid, -1))
}

/// quote_ident(): double quotes unless a plain lowercase name.
pub fn quote_ident_text(s: &str) -> String {
    let plain = s.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$')
        && !crate::types::is_reserved_keyword(s);
    if plain {
        s.to_string()
    } else {
        format!("\"{}\"", s.replace('"', "\"\""))
    }
}

/// quote_literal(): single quotes, E'' when there are backslashes.
pub fn quote_literal_text(s: &str) -> String {
    let body = s.replace('\'', "''");
    if s.contains('\\') {
        format!("E'{}'", body.replace('\\', "\\\\"))
    } else {
        format!("'{body}'")
    }
}

/// format(formatstr, args...) as PostgreSQL's text_format: `%[n$][-][width]s|I|L`,
/// widths from arguments with `*` / `*n$`, `%%`.
pub(crate) fn format(fmt: &str, args: &[Option<String>]) -> Result<String, PgError> {
    let bad = |m: &str| err(code::INVALID_PARAMETER_VALUE, m);
    let chars: Vec<char> = fmt.chars().collect();
    let mut out = String::new();
    let mut next = 0usize;
    let mut i = 0;
    // Reads digits at `i` followed by `$`: a 1-based argument position.
    let position = |i: &mut usize| -> Result<Option<usize>, PgError> {
        let start = *i;
        let mut j = *i;
        while j < chars.len() && chars[j].is_ascii_digit() {
            j += 1;
        }
        if j > start && j < chars.len() && chars[j] == '$' {
            let n: usize = chars[start..j]
                .iter()
                .collect::<String>()
                .parse()
                .map_err(|_| bad("argument number is out of range"))?;
            if n == 0 {
                return Err(bad(
                    "format specifies argument 0, but arguments are numbered from 1",
                ));
            }
            *i = j + 1;
            return Ok(Some(n));
        }
        Ok(None)
    };
    let arg = |n: usize| -> Result<&Option<String>, PgError> {
        args.get(n)
            .ok_or_else(|| bad("too few arguments for format()"))
    };
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        if c != '%' {
            out.push(c);
            continue;
        }
        let unterminated = || {
            bad("unterminated format() type specifier").with_hint("For a single \"%\" use \"%%\".")
        };
        if i >= chars.len() {
            return Err(unterminated());
        }
        if chars[i] == '%' {
            out.push('%');
            i += 1;
            continue;
        }
        let explicit = position(&mut i)?;
        let mut left = false;
        while i < chars.len() && chars[i] == '-' {
            left = true;
            i += 1;
        }
        let mut width: Option<i64> = None;
        if i < chars.len() && chars[i] == '*' {
            i += 1;
            let n = match position(&mut i)? {
                Some(n) => {
                    next = n;
                    n - 1
                }
                None => {
                    let n = next;
                    next += 1;
                    n
                }
            };
            let w = arg(n)?
                .as_deref()
                .map(|w| w.trim().parse::<i64>().map_err(|_| bad("invalid width")))
                .transpose()?
                .unwrap_or(0);
            width = Some(w);
        } else {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            if i > start {
                width = Some(
                    chars[start..i]
                        .iter()
                        .collect::<String>()
                        .parse()
                        .map_err(|_| bad("number is out of range"))?,
                );
            }
        }
        let Some(&kind) = chars.get(i) else {
            return Err(unterminated());
        };
        i += 1;
        let n = match explicit {
            Some(n) => {
                next = n;
                n - 1
            }
            None => {
                let n = next;
                next += 1;
                n
            }
        };
        let text = match kind {
            's' => arg(n)?.clone().unwrap_or_default(),
            'I' => match arg(n)? {
                Some(v) => quote_ident_text(v),
                None => {
                    return Err(err(
                        code::NULL_VALUE_NOT_ALLOWED,
                        "null values cannot be formatted as an SQL identifier",
                    ))
                }
            },
            'L' => match arg(n)? {
                Some(v) => quote_literal_text(v),
                None => "NULL".to_string(),
            },
            other => {
                return Err(
                    bad(&format!("unrecognized format() type specifier \"{other}\""))
                        .with_hint("For a single \"%\" use \"%%\"."),
                )
            }
        };
        let (mut left, mut w) = (left, width.unwrap_or(0));
        if w < 0 {
            left = true;
            w = -w;
        }
        let pad = (w as usize).saturating_sub(text.chars().count());
        if left {
            out.push_str(&text);
            out.extend(std::iter::repeat_n(' ', pad));
        } else {
            out.extend(std::iter::repeat_n(' ', pad));
            out.push_str(&text);
        }
    }
    Ok(out)
}

/// EXTRACT(field FROM timestamptz): the fields of the time in the session's
/// TimeZone; epoch from UTC; timezone* the session's offset then.
fn extract_tz(field: &str, value: &str) -> Result<String, PgError> {
    let f = lower(field.trim());
    let offset = || {
        crate::datefmt::session_offset_at(value)
            .ok_or_else(|| date_error("timestamp with time zone", value))
    };
    match f.as_str() {
        "epoch" => extract(&f, value.strip_suffix("+00").unwrap_or(value), true),
        "timezone" => Ok(offset()?.to_string()),
        "timezone_h" | "timezone_hour" => Ok((offset()? / 3600).to_string()),
        "timezone_m" | "timezone_minute" => Ok(((offset()? % 3600) / 60).to_string()),
        _ => {
            let local = crate::datefmt::convert(value, TIMESTAMPTZ, TIMESTAMP)?;
            extract(&f, &local, true)
        }
    }
}

/// date_trunc's unit under its canonical name (DecodeUnits' aliases).
fn trunc_unit(u: &str) -> String {
    const UNITS: &[(&str, &[&str])] = &[
        (
            "microseconds",
            &["microsecond", "us", "usec", "usecs", "useconds"],
        ),
        (
            "milliseconds",
            &["millisecond", "ms", "msec", "msecs", "mseconds"],
        ),
        ("second", &["seconds", "s", "sec", "secs"]),
        ("minute", &["minutes", "m", "min", "mins"]),
        ("hour", &["hours", "h", "hr", "hrs"]),
        ("day", &["days", "d"]),
        ("week", &["weeks", "w"]),
        ("month", &["months", "mon", "mons"]),
        ("quarter", &["qtr"]),
        ("year", &["years", "y", "yr", "yrs"]),
        ("decade", &["decades", "dec", "decs"]),
        ("century", &["centuries", "c", "cent", "cents"]),
        ("millennium", &["millennia", "mil", "mils", "millenniums"]),
    ];
    UNITS
        .iter()
        .find(|(_, aliases)| aliases.contains(&u))
        .map_or_else(|| u.to_string(), |(name, _)| name.to_string())
}

/// date_trunc(field, timestamp).
fn date_trunc(field: &str, value: &str) -> Result<String, PgError> {
    use chrono::{Datelike, NaiveDate, Timelike};
    let type_name = "timestamp without time zone";
    let ts = parse_timestamp(value).ok_or_else(|| date_error(type_name, value))?;
    let field = trunc_unit(&lower(field.trim()));
    let day = |y: i32, m: u32, d: u32| {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .ok_or_else(|| err(code::DATETIME_FIELD_OVERFLOW, "timestamp out of range"))
    };
    let y = ts.year();
    let truncated = match field.as_str() {
        "microseconds" => ts,
        "milliseconds" => ts
            .with_nanosecond(ts.nanosecond() / 1_000_000 * 1_000_000)
            .unwrap_or(ts),
        "second" => ts.with_nanosecond(0).unwrap_or(ts),
        "minute" => ts
            .with_nanosecond(0)
            .and_then(|t| t.with_second(0))
            .unwrap_or(ts),
        "hour" => ts
            .with_nanosecond(0)
            .and_then(|t| t.with_second(0))
            .and_then(|t| t.with_minute(0))
            .unwrap_or(ts),
        "day" => day(y, ts.month(), ts.day())?,
        "week" => {
            let monday =
                ts.date() - chrono::Duration::days(ts.weekday().num_days_from_monday() as i64);
            day(monday.year(), monday.month(), monday.day())?
        }
        "month" => day(y, ts.month(), 1)?,
        "quarter" => day(y, (ts.month() - 1) / 3 * 3 + 1, 1)?,
        "year" => day(y, 1, 1)?,
        // PostgreSQL's rules on the astronomical year (0 is 1 BC).
        "decade" => day(
            if y > 0 {
                y / 10 * 10
            } else {
                -((8 - (y - 1)) / 10) * 10
            },
            1,
            1,
        )?,
        "century" => day(
            if y > 0 {
                (y + 99) / 100 * 100 - 99
            } else {
                -((99 - (y - 1)) / 100) * 100 + 1
            },
            1,
            1,
        )?,
        "millennium" => day(
            if y > 0 {
                (y + 999) / 1000 * 1000 - 999
            } else {
                -((999 - (y - 1)) / 1000) * 1000 + 1
            },
            1,
            1,
        )?,
        _ => {
            return Err(err(
                code::INVALID_PARAMETER_VALUE,
                format!("unit \"{field}\" not recognized for type {type_name}"),
            ))
        }
    };
    Ok(format_timestamp(truncated))
}

/// lower() as PostgreSQL's (libc towlower per character: one character
/// maps to one character).
pub fn lower(s: &str) -> String {
    s.chars()
        .map(|c| {
            let mut l = c.to_lowercase();
            match (l.next(), l.next()) {
                (Some(x), None) => x,
                _ => c,
            }
        })
        .collect()
}

/// upper() as PostgreSQL's: `ß` stays `ß` (no one-to-many mappings).
pub fn upper(s: &str) -> String {
    s.chars()
        .map(|c| {
            let mut u = c.to_uppercase();
            match (u.next(), u.next()) {
                (Some(x), None) => x,
                _ => c,
            }
        })
        .collect()
}

/// float4out: the shortest text that reads back as the same float4.
pub fn format_float4(f: f64) -> String {
    let g = f as f32;
    if !g.is_finite() {
        return format_float(f);
    }
    let extra = crate::types::extra_float_digits();
    if extra <= 0 {
        return crate::types::format_g(g as f64, (6 + extra).max(1) as usize);
    }
    let abs = g.abs();
    if abs != 0.0 && !(1e-4..1e6).contains(&abs) {
        return crate::types::postgresql_exponent(&format!("{g:e}"));
    }
    format!("{g}")
}

/// The Rust regex for a PostgreSQL advanced regular expression, where the
/// two agree: `.` matches a newline (PostgreSQL is not newline-sensitive by
/// default); back references, lookaround, embedded options and escapes
/// with another meaning in PostgreSQL (`\\b` is a backspace, `\\m` a word
/// start) are refused, never read with Rust's meaning.
pub fn translate_regex(pattern: &str, insensitive: bool) -> Result<regex::Regex, PgError> {
    let unsupported = |what: &str| {
        err(
            code::FEATURE_NOT_SUPPORTED,
            format!("regular expression {what} is not supported"),
        )
    };
    if pattern.starts_with("***") {
        return Err(unsupported("director prefixes"));
    }
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e) if e.is_ascii_digit() && e != '0' => {
                    return Err(unsupported("back references"))
                }
                Some('d' | 'D' | 's' | 'S' | 'w' | 'W' | 'n' | 't' | 'r' | 'f' | 'v') => {}
                Some(e) if e.is_ascii_alphanumeric() => {
                    return Err(unsupported(&format!("escape \\{e}")))
                }
                Some(_) => {}
                None => {
                    return Err(err(
                        code::INVALID_REGULAR_EXPRESSION,
                        "invalid regular expression: invalid escape \\ sequence",
                    ))
                }
            },
            '(' if chars.peek() == Some(&'?') => {
                chars.next();
                if chars.peek() != Some(&':') {
                    return Err(unsupported("options and lookaround"));
                }
            }
            _ => {}
        }
    }
    regex::RegexBuilder::new(pattern)
        .case_insensitive(insensitive)
        .dot_matches_new_line(true)
        .size_limit(1 << 22)
        .build()
        .map_err(|e| {
            let msg = e.to_string();
            let last = msg.lines().last().unwrap_or("").trim().to_string();
            err(
                code::INVALID_REGULAR_EXPRESSION,
                format!("invalid regular expression: {last}"),
            )
        })
}

/// `text ~ pattern` (`~*` when `insensitive`), compiled patterns kept per
/// backend.
pub fn regex_matches(text: &str, pattern: &str, insensitive: bool) -> Result<bool, PgError> {
    thread_local! {
        static CACHE: std::cell::RefCell<HashMap<(String, bool), regex::Regex>> =
            std::cell::RefCell::new(HashMap::new());
    }
    let key = (pattern.to_string(), insensitive);
    if let Some(hit) = CACHE.with(|c| c.borrow().get(&key).map(|r| r.is_match(text))) {
        return Ok(hit);
    }
    let re = translate_regex(pattern, insensitive)?;
    let hit = re.is_match(text);
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= 64 {
            c.clear();
        }
        c.insert(key, re);
    });
    Ok(hit)
}

/// sum(float) / avg(float) with PostgreSQL's NaN and infinity results.
struct FloatSum {
    avg: bool,
}

impl rusqlite::functions::Aggregate<(f64, i64), Option<Float>> for FloatSum {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<(f64, i64)> {
        Ok((0.0, 0))
    }
    fn step(&self, ctx: &mut Context<'_>, acc: &mut (f64, i64)) -> rusqlite::Result<()> {
        if let Some(f) = float_arg(ctx, 0)? {
            acc.0 += f;
            acc.1 += 1;
        }
        Ok(())
    }
    fn finalize(
        &self,
        _: &mut Context<'_>,
        acc: Option<(f64, i64)>,
    ) -> rusqlite::Result<Option<Float>> {
        Ok(match acc {
            Some((_, 0)) | None => None,
            Some((sum, n)) if self.avg => Some(Float(sum / n as f64)),
            Some((sum, _)) => Some(Float(sum)),
        })
    }
}

/// string_agg(bytea, bytea): the values, NULLs skipped, each after the
/// delimiter given with it (none before the first).
struct ByteaAgg;

impl Aggregate<Option<Vec<u8>>, Option<Vec<u8>>> for ByteaAgg {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<Option<Vec<u8>>> {
        Ok(None)
    }
    fn step(&self, ctx: &mut Context<'_>, acc: &mut Option<Vec<u8>>) -> rusqlite::Result<()> {
        let bytes = |v: ValueRef<'_>| match v {
            ValueRef::Blob(b) | ValueRef::Text(b) => Some(b.to_vec()),
            ValueRef::Null => None,
            ValueRef::Integer(i) => Some(i.to_string().into_bytes()),
            ValueRef::Real(f) => Some(f.to_string().into_bytes()),
        };
        let Some(v) = bytes(ctx.get_raw(0)) else {
            return Ok(());
        };
        match acc {
            None => *acc = Some(v),
            Some(out) => {
                if let Some(sep) = bytes(ctx.get_raw(1)) {
                    out.extend_from_slice(&sep);
                }
                out.extend_from_slice(&v);
            }
        }
        Ok(())
    }
    fn finalize(
        &self,
        _: &mut Context<'_>,
        acc: Option<Option<Vec<u8>>>,
    ) -> rusqlite::Result<Option<Vec<u8>>> {
        Ok(acc.flatten())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_follows_postgresql() {
        let m = |s: &str, p: &str| {
            like(
                &s.chars().collect::<Vec<_>>(),
                &p.chars().collect::<Vec<_>>(),
            )
        };
        assert!(m("a_c", "a\\_c"));
        assert!(!m("abc", "a\\_c"));
        assert!(m("abc", "a_c"));
        assert!(m("abc", "%c"));
        assert!(!m("ABC", "abc"));
        assert!(m("a%", "a\\%"));
        assert!(m("", "%"));
        assert!(!m("ab", "a"));
    }
}
