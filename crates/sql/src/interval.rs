//! interval as PostgreSQL has it (`utils/adt/timestamp.c` and the interval
//! half of `datetime.c`): input (DecodeInterval's fields read right to
//! left, SQL-standard and ISO 8601 forms), typmods (`interval day to
//! second(3)`), output in the four IntervalStyles, comparison by total
//! span, arithmetic with intervals, dates, timestamps and times, EXTRACT,
//! date_trunc, justify_*, make_interval, age, and the aggregates.
//!
//! Storage: the text IntervalStyle `postgres` prints (`1 year 2 mons
//! -3 days +04:05:06.5`), whatever the session's style; comparisons,
//! ORDER BY and min/max go through [`span`] (months as 30 days, days as 24
//! hours), never SQLite's text order.

use std::cell::Cell;
use std::cmp::Ordering;

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use rusqlite::functions::{Aggregate, Context, FunctionFlags};
use rusqlite::types::Value;
use rusqlite::Connection;

pub use crate::datetime::Interval;
use pm_elog::sqlstate as code;
use pm_elog::PgError;

const USECS_PER_SEC: i64 = 1_000_000;
const USECS_PER_MINUTE: i64 = 60 * USECS_PER_SEC;
const USECS_PER_HOUR: i64 = 60 * USECS_PER_MINUTE;
const USECS_PER_DAY: i64 = 24 * USECS_PER_HOUR;

// ------------------------------------------------------------------ typmods

/// INTERVAL_MASK bits of the field list (`YEAR TO MONTH`, `DAY TO SECOND`).
pub const MONTH: i32 = 1 << 1;
pub const YEAR: i32 = 1 << 2;
pub const DAY: i32 = 1 << 3;
pub const HOUR: i32 = 1 << 10;
pub const MINUTE: i32 = 1 << 11;
pub const SECOND: i32 = 1 << 12;
pub const FULL_RANGE: i32 = 0x7FFF;
const YEAR_TO_MONTH: i32 = YEAR | MONTH;
pub const FULL_PRECISION: i32 = 0xFFFF;

const RANGES: [(i32, &str); 13] = [
    (YEAR, " year"),
    (MONTH, " month"),
    (DAY, " day"),
    (HOUR, " hour"),
    (MINUTE, " minute"),
    (SECOND, " second"),
    (YEAR | MONTH, " year to month"),
    (DAY | HOUR, " day to hour"),
    (DAY | HOUR | MINUTE, " day to minute"),
    (DAY | HOUR | MINUTE | SECOND, " day to second"),
    (HOUR | MINUTE, " hour to minute"),
    (HOUR | MINUTE | SECOND, " hour to second"),
    (MINUTE | SECOND, " minute to second"),
];

/// intervaltypmodin: the typmod of `interval <fields> (<precision>)` as
/// the grammar gives it (the fields' mask, then the precision if any).
pub fn typmod_in(mods: &[i64]) -> Result<i32, PgError> {
    let invalid = || {
        PgError::error(
            code::INVALID_PARAMETER_VALUE,
            "invalid INTERVAL type modifier",
        )
    };
    let range = *mods.first().ok_or_else(invalid)? as i32;
    if range != FULL_RANGE && !RANGES.iter().any(|(r, _)| *r == range) {
        return Err(invalid());
    }
    let precision = match mods.get(1) {
        None => FULL_PRECISION,
        Some(&p) if p < 0 => {
            return Err(PgError::error(
                code::INVALID_PARAMETER_VALUE,
                format!("INTERVAL({p}) precision must not be negative"),
            ))
        }
        // PostgreSQL warns and reduces it to 6.
        Some(&p) => p.min(6) as i32,
    };
    if mods.len() > 2 {
        return Err(invalid());
    }
    Ok((range << 16) | precision)
}

fn typmod_range(typmod: i32) -> i32 {
    if typmod < 0 {
        FULL_RANGE
    } else {
        (typmod >> 16) & 0x7FFF
    }
}

fn typmod_precision(typmod: i32) -> i32 {
    if typmod < 0 {
        FULL_PRECISION
    } else {
        typmod & 0xFFFF
    }
}

/// format_type's `interval day to second(3)`.
pub fn typmod_out(typmod: i32) -> String {
    let range = typmod_range(typmod);
    let fields = RANGES
        .iter()
        .find(|(r, _)| *r == range)
        .map_or("", |(_, s)| s);
    match typmod_precision(typmod) {
        FULL_PRECISION => format!("interval{fields}"),
        p => format!("interval{fields}({p})"),
    }
}

/// AdjustIntervalForTypmod: fields below the range dropped, seconds
/// rounded to the precision.
pub fn apply_typmod(iv: Interval, typmod: i32) -> Result<Interval, PgError> {
    if typmod < 0 {
        return Ok(iv);
    }
    let range = typmod_range(typmod);
    let precision = typmod_precision(typmod);
    let mut iv = iv;
    let trunc = |us: i64, unit: i64| us / unit * unit;
    match range {
        FULL_RANGE => {}
        YEAR => {
            iv.months = iv.months / 12 * 12;
            iv.days = 0;
            iv.micros = 0;
        }
        MONTH | YEAR_TO_MONTH => {
            iv.days = 0;
            iv.micros = 0;
        }
        DAY => iv.micros = 0,
        HOUR => iv.micros = trunc(iv.micros, USECS_PER_HOUR),
        MINUTE => iv.micros = trunc(iv.micros, USECS_PER_MINUTE),
        r if r == DAY | HOUR => iv.micros = trunc(iv.micros, USECS_PER_HOUR),
        r if r == DAY | HOUR | MINUTE || r == HOUR | MINUTE => {
            iv.micros = trunc(iv.micros, USECS_PER_MINUTE)
        }
        _ => {}
    }
    if (range & SECOND != 0 || range == FULL_RANGE)
        && precision != FULL_PRECISION
        && (0..6).contains(&precision)
    {
        {
            let scale = 10i64.pow(6 - precision as u32);
            let half = scale / 2;
            iv.micros = if iv.micros >= 0 {
                (iv.micros + half) / scale * scale
            } else {
                -((-iv.micros + half) / scale * scale)
            };
        }
    }
    Ok(iv)
}

// ------------------------------------------------------------------ style

/// IntervalStyle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Postgres,
    PostgresVerbose,
    SqlStandard,
    Iso8601,
}

thread_local! {
    /// The session's IntervalStyle (one session per process or thread).
    static STYLE: Cell<Style> = const { Cell::new(Style::Postgres) };
}

/// SET IntervalStyle: the value shown, or 22023.
pub fn set_style(value: &str) -> Result<String, PgError> {
    let (style, shown) = match value.trim().to_ascii_lowercase().as_str() {
        "postgres" => (Style::Postgres, "postgres"),
        "postgres_verbose" => (Style::PostgresVerbose, "postgres_verbose"),
        "sql_standard" => (Style::SqlStandard, "sql_standard"),
        "iso_8601" => (Style::Iso8601, "iso_8601"),
        _ => {
            return Err(PgError::error(
                code::INVALID_PARAMETER_VALUE,
                format!("invalid value for parameter \"IntervalStyle\": \"{value}\""),
            )
            .with_hint("Available values: postgres, postgres_verbose, sql_standard, iso_8601."))
        }
    };
    STYLE.with(|s| s.set(style));
    Ok(shown.to_string())
}

fn style() -> Style {
    STYLE.with(|s| s.get())
}

// ------------------------------------------------------------------ input

#[derive(Debug)]
enum Bad {
    Format,
    FieldOverflow,
    IntervalOverflow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Number,
    Time,
    Date,
    Signed,
    Word,
}

/// ParseDateTime, for interval input: the fields and their kinds.
fn tokens(s: &str) -> Result<Vec<(String, Field)>, Bad> {
    let b: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let take = |i: &mut usize, buf: &mut String, ok: &dyn Fn(char) -> bool| {
        while *i < b.len() && ok(b[*i]) {
            buf.push(b[*i].to_ascii_lowercase());
            *i += 1;
        }
    };
    while i < b.len() {
        let c = b[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let mut buf = String::new();
        if c.is_ascii_digit() {
            take(&mut i, &mut buf, &|c| c.is_ascii_digit());
            let kind = match b.get(i) {
                Some(':') => {
                    take(&mut i, &mut buf, &|c| {
                        c.is_ascii_digit() || c == ':' || c == '.'
                    });
                    Field::Time
                }
                Some(&d @ ('-' | '/' | '.')) => {
                    buf.push(d);
                    i += 1;
                    if b.get(i).is_some_and(|c| c.is_ascii_digit()) {
                        take(&mut i, &mut buf, &|c| c.is_ascii_digit());
                        if b.get(i) == Some(&d) {
                            take(&mut i, &mut buf, &|c| c.is_ascii_digit() || c == d);
                            Field::Date
                        } else if d == '.' {
                            Field::Number
                        } else {
                            Field::Date
                        }
                    } else {
                        take(&mut i, &mut buf, &|c| c.is_ascii_alphanumeric() || c == d);
                        Field::Date
                    }
                }
                _ => Field::Number,
            };
            out.push((buf, kind));
        } else if c == '.' {
            buf.push('.');
            i += 1;
            take(&mut i, &mut buf, &|c| c.is_ascii_digit());
            out.push((buf, Field::Number));
        } else if c.is_alphabetic() {
            take(&mut i, &mut buf, &|c| c.is_alphabetic());
            out.push((buf, Field::Word));
        } else if c == '+' || c == '-' {
            buf.push(c);
            i += 1;
            while i < b.len() && b[i].is_whitespace() {
                i += 1;
            }
            if b.get(i).is_some_and(|c| c.is_ascii_digit()) {
                take(&mut i, &mut buf, &|c| {
                    c.is_ascii_digit() || c == ':' || c == '.' || c == '-'
                });
                out.push((buf, Field::Signed));
            } else {
                // A sign before a word (or nothing) is no interval field.
                return Err(Bad::Format);
            }
        } else if c.is_ascii_punctuation() {
            // Other punctuation separates fields (`@ 1 day`).
            i += 1;
        } else {
            return Err(Bad::Format);
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Microsecond,
    Millisecond,
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
    Decade,
    Century,
    Millennium,
}

impl Unit {
    fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

enum Word {
    Unit(Unit),
    Ago,
}

/// deltatktbl: PostgreSQL compares the first 10 characters of a word.
fn word(w: &str) -> Option<Word> {
    let key: String = w.chars().take(10).collect();
    use Unit::*;
    Some(Word::Unit(match key.as_str() {
        "ago" => return Some(Word::Ago),
        "c" | "cent" | "centuries" | "century" => Century,
        "d" | "day" | "days" => Day,
        "dec" | "decade" | "decades" | "decs" => Decade,
        "h" | "hour" | "hours" | "hr" | "hrs" => Hour,
        "m" | "min" | "mins" | "minute" | "minutes" => Minute,
        "microsecon" | "us" | "usec" | "usecs" | "useconds" => Microsecond,
        "mil" | "millennia" | "millennium" | "mils" => Millennium,
        "millisecon" | "ms" | "msec" | "msecs" | "mseconds" => Millisecond,
        "mon" | "mons" | "month" | "months" => Month,
        "s" | "sec" | "second" | "seconds" | "secs" => Second,
        "w" | "week" | "weeks" => Week,
        "y" | "year" | "years" | "yr" | "yrs" => Year,
        _ => return None,
    }))
}

/// pg_itm_in: the fields as they are read, each checked for overflow.
#[derive(Default, Debug, Clone, Copy)]
struct Acc {
    micros: i64,
    days: i32,
    months: i32,
    years: i32,
}

impl Acc {
    fn add_micros(&mut self, val: i64, frac: f64, scale: i64) -> Result<(), Bad> {
        let whole = val.checked_mul(scale).ok_or(Bad::FieldOverflow)?;
        let f = (frac * scale as f64).round();
        if !f.is_finite() || f.abs() > 9.2e18 {
            return Err(Bad::FieldOverflow);
        }
        self.micros = self
            .micros
            .checked_add(whole)
            .and_then(|m| m.checked_add(f as i64))
            .ok_or(Bad::FieldOverflow)?;
        Ok(())
    }

    fn add_days(&mut self, val: i64, scale: i64) -> Result<(), Bad> {
        let d = val
            .checked_mul(scale)
            .and_then(|d| i32::try_from(d).ok())
            .ok_or(Bad::FieldOverflow)?;
        self.days = self.days.checked_add(d).ok_or(Bad::FieldOverflow)?;
        Ok(())
    }

    /// AdjustFractDays: whole days of a fraction, the rest as time.
    fn add_frac_days(&mut self, frac: f64, scale: f64) -> Result<(), Bad> {
        if frac == 0.0 {
            return Ok(());
        }
        let f = frac * scale;
        let whole = f.trunc();
        self.days = self
            .days
            .checked_add(whole as i32)
            .ok_or(Bad::FieldOverflow)?;
        self.add_micros(0, f - whole, USECS_PER_DAY)
    }

    fn add_months(&mut self, val: i64) -> Result<(), Bad> {
        let m = i32::try_from(val).map_err(|_| Bad::FieldOverflow)?;
        self.months = self.months.checked_add(m).ok_or(Bad::FieldOverflow)?;
        Ok(())
    }

    fn add_years(&mut self, val: i64, scale: i64, frac: f64) -> Result<(), Bad> {
        let y = val
            .checked_mul(scale)
            .and_then(|y| i32::try_from(y).ok())
            .ok_or(Bad::FieldOverflow)?;
        self.years = self.years.checked_add(y).ok_or(Bad::FieldOverflow)?;
        let extra = (frac * scale as f64 * 12.0).round();
        self.months = self
            .months
            .checked_add(extra as i32)
            .ok_or(Bad::FieldOverflow)?;
        Ok(())
    }

    fn interval(self) -> Result<Interval, Bad> {
        let months = self
            .years
            .checked_mul(12)
            .and_then(|y| y.checked_add(self.months))
            .ok_or(Bad::IntervalOverflow)?;
        Ok(Interval {
            months,
            days: self.days,
            micros: self.micros,
        })
    }
}

/// `h:m[:s[.f]]` (DecodeTime for intervals): microseconds, negated when
/// `negative` (so that the most negative interval reads back).
fn clock(s: &str, range: i32, negative: bool) -> Result<i64, Bad> {
    let parts: Vec<&str> = s.split(':').collect();
    let int = |p: &str| -> Result<i64, Bad> {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Bad::Format);
        }
        p.parse().map_err(|_| Bad::FieldOverflow)
    };
    let frac = |p: &str| -> Result<(i64, i64), Bad> {
        // seconds with an optional fraction
        let (whole, f) = p.split_once('.').unwrap_or((p, ""));
        let sec = int(whole)?;
        if !f.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Bad::Format);
        }
        let us = if f.is_empty() {
            0
        } else {
            (format!("0.{f}").parse::<f64>().map_err(|_| Bad::Format)? * 1e6).round() as i64
        };
        Ok((sec, us))
    };
    let (hour, min, sec, us) = match parts.as_slice() {
        [h, m] if m.contains('.') => {
            // mm:ss.fff is always minutes to seconds
            let (s, us) = frac(m)?;
            (0, int(h)?, s, us)
        }
        [h, m] if range == MINUTE | SECOND => (0, int(h)?, int(m)?, 0),
        [h, m] => (int(h)?, int(m)?, 0, 0),
        [h, m, s] => {
            let (s, us) = frac(s)?;
            (int(h)?, int(m)?, s, us)
        }
        _ => return Err(Bad::Format),
    };
    if !(0..60).contains(&min) || !(0..=60).contains(&sec) || us > USECS_PER_SEC {
        return Err(Bad::FieldOverflow);
    }
    let total = hour as i128 * USECS_PER_HOUR as i128
        + (min * USECS_PER_MINUTE + sec * USECS_PER_SEC + us) as i128;
    i64::try_from(if negative { -total } else { total }).map_err(|_| Bad::FieldOverflow)
}

/// DecodeInterval.
fn decode_fields(text: &str, range: i32, standard: bool) -> Result<Interval, Bad> {
    let fields = tokens(text)?;
    let nf = fields.len();
    // SQL standard style: a leading '-' applies to every field when no
    // other field has a sign of its own.
    let force_negative = standard
        && fields.first().is_some_and(|(f, _)| f.starts_with('-'))
        && !fields[1..].iter().any(|(f, _)| f.starts_with(['-', '+']));
    let mut acc = Acc::default();
    let mut fmask: u32 = 0;
    let mut pending: Option<Unit> = None;
    let mut parsing_unit = false;
    let mut ago = false;
    const TIME_BITS: u32 = (1 << Unit::Hour as u32)
        | (1 << Unit::Minute as u32)
        | (1 << Unit::Second as u32)
        | (1 << Unit::Millisecond as u32)
        | (1 << Unit::Microsecond as u32);
    for i in (0..nf).rev() {
        let (f, kind) = (&fields[i].0, fields[i].1);
        let tmask: u32;
        let is_clock = kind == Field::Time || (kind == Field::Signed && f[1..].contains(':'));
        if is_clock {
            let (negative, body) = match f.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, f.strip_prefix('+').unwrap_or(f)),
            };
            let mut us = clock(body, range, negative)?;
            if force_negative && us > 0 {
                us = -us;
            }
            acc.micros = acc.micros.checked_add(us).ok_or(Bad::FieldOverflow)?;
            tmask = TIME_BITS;
            pending = Some(Unit::Day);
            parsing_unit = false;
        } else if kind == Field::Word {
            if parsing_unit {
                return Err(Bad::Format);
            }
            match word(f).ok_or(Bad::Format)? {
                Word::Ago => {
                    if i != nf - 1 {
                        return Err(Bad::Format);
                    }
                    ago = true;
                }
                Word::Unit(u) => {
                    pending = Some(u);
                    parsing_unit = true;
                }
            }
            tmask = 0;
        } else {
            let unit = pending.unwrap_or_else(|| lowest_field(range));
            let negative_text = f.starts_with('-');
            let body = f.strip_prefix(['+', '-']).unwrap_or(f);
            let digits_end = body
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(body.len());
            let (int_part, rest) = body.split_at(digits_end);
            let mut val: i64 = if int_part.is_empty() {
                0
            } else if negative_text {
                format!("-{int_part}")
                    .parse()
                    .map_err(|_| Bad::FieldOverflow)?
            } else {
                int_part.parse().map_err(|_| Bad::FieldOverflow)?
            };
            let mut frac = 0.0;
            let mut unit = unit;
            if let Some(m) = rest.strip_prefix('-') {
                // SQL's "years-months"
                if int_part.is_empty() || m.is_empty() || !m.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(Bad::Format);
                }
                let mut m2: i64 = m.parse().map_err(|_| Bad::FieldOverflow)?;
                if !(0..12).contains(&m2) {
                    return Err(Bad::FieldOverflow);
                }
                if negative_text {
                    m2 = -m2;
                }
                val = val
                    .checked_mul(12)
                    .and_then(|v| v.checked_add(m2))
                    .ok_or(Bad::FieldOverflow)?;
                unit = Unit::Month;
            } else if let Some(fr) = rest.strip_prefix('.') {
                if !fr.bytes().all(|b| b.is_ascii_digit()) || (int_part.is_empty() && fr.is_empty())
                {
                    return Err(Bad::Format);
                }
                frac = format!("0.{fr}0").parse::<f64>().map_err(|_| Bad::Format)?;
                if negative_text {
                    frac = -frac;
                }
            } else if !rest.is_empty() || int_part.is_empty() {
                return Err(Bad::Format);
            }
            if force_negative {
                if val > 0 {
                    val = -val;
                }
                frac = -frac.abs();
            }
            use Unit::*;
            match unit {
                Microsecond => acc.add_micros(val, frac, 1)?,
                Millisecond => acc.add_micros(val, frac, 1000)?,
                Second => acc.add_micros(val, frac, USECS_PER_SEC)?,
                Minute => acc.add_micros(val, frac, USECS_PER_MINUTE)?,
                Hour => acc.add_micros(val, frac, USECS_PER_HOUR)?,
                Day => {
                    acc.add_days(val, 1)?;
                    acc.add_micros(0, frac, USECS_PER_DAY)?;
                }
                Week => {
                    acc.add_days(val, 7)?;
                    acc.add_frac_days(frac, 7.0)?;
                }
                Month => {
                    acc.add_months(val)?;
                    acc.add_frac_days(frac, 30.0)?;
                }
                Year => acc.add_years(val, 1, frac)?,
                Decade => acc.add_years(val, 10, frac)?,
                Century => acc.add_years(val, 100, frac)?,
                Millennium => acc.add_years(val, 1000, frac)?,
            }
            tmask = if unit == Second && frac != 0.0 {
                Second.bit() | Millisecond.bit() | Microsecond.bit()
            } else {
                unit.bit()
            };
            // After hours, a bare number to the left is days.
            pending = if unit == Hour { Some(Day) } else { Some(unit) };
            parsing_unit = false;
        }
        if tmask & fmask != 0 {
            return Err(Bad::Format);
        }
        fmask |= tmask;
    }
    if fmask == 0 || parsing_unit {
        return Err(Bad::Format);
    }
    if ago {
        acc.micros = acc.micros.checked_neg().ok_or(Bad::FieldOverflow)?;
        acc.days = acc.days.checked_neg().ok_or(Bad::FieldOverflow)?;
        acc.months = acc.months.checked_neg().ok_or(Bad::FieldOverflow)?;
        acc.years = acc.years.checked_neg().ok_or(Bad::FieldOverflow)?;
    }
    acc.interval()
}

/// The field a bare number means under a typmod (`interval '2' hour`).
fn lowest_field(range: i32) -> Unit {
    match range {
        YEAR => Unit::Year,
        MONTH | YEAR_TO_MONTH => Unit::Month,
        DAY => Unit::Day,
        HOUR => Unit::Hour,
        r if r == DAY | HOUR => Unit::Hour,
        r if r == MINUTE || r == HOUR | MINUTE || r == DAY | HOUR | MINUTE => Unit::Minute,
        _ => Unit::Second,
    }
}

/// DecodeISO8601Interval: `P1Y2M3DT4H5M6.5S`, `P1W`, and the
/// alternative forms `P0001-02-03T04:05:06` and `P00010203T040506`.
fn decode_iso(s: &str) -> Result<Interval, Bad> {
    let body = s.strip_prefix(['P', 'p']).ok_or(Bad::Format)?;
    if body.is_empty() {
        return Err(Bad::Format);
    }
    let b: Vec<char> = body.chars().collect();
    let mut acc = Acc::default();
    let mut i = 0;
    let mut date_part = true;
    let mut have_field = false;
    // ParseISO8601Number: a signed decimal (with an exponent); its integer
    // part, fraction and the count of integer digits.
    let number = |i: &mut usize| -> Result<(i64, f64, usize), Bad> {
        let start = *i;
        if matches!(b.get(*i), Some('-' | '+')) {
            *i += 1;
        }
        let digits_start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        let width = *i - digits_start;
        if b.get(*i) == Some(&'.') {
            *i += 1;
            while *i < b.len() && b[*i].is_ascii_digit() {
                *i += 1;
            }
        }
        if matches!(b.get(*i), Some('e' | 'E'))
            && (b.get(*i + 1).is_some_and(|c| c.is_ascii_digit())
                || (matches!(b.get(*i + 1), Some('-' | '+'))
                    && b.get(*i + 2).is_some_and(|c| c.is_ascii_digit())))
        {
            *i += 2;
            while *i < b.len() && b[*i].is_ascii_digit() {
                *i += 1;
            }
        }
        let t: String = b[start..*i].iter().collect();
        let v: f64 = t.parse().map_err(|_| Bad::Format)?;
        let whole = v.trunc();
        if whole.abs() > 9.2e18 {
            return Err(Bad::FieldOverflow);
        }
        Ok((whole as i64, v - whole, width))
    };
    let years = |acc: &mut Acc, v: i64, f: f64| acc.add_years(v, 1, f);
    let months = |acc: &mut Acc, v: i64, f: f64| -> Result<(), Bad> {
        acc.add_months(v)?;
        acc.add_frac_days(f, 30.0)
    };
    let days = |acc: &mut Acc, v: i64, f: f64| -> Result<(), Bad> {
        acc.add_days(v, 1)?;
        acc.add_micros(0, f, USECS_PER_DAY)
    };
    while i < b.len() {
        if !date_part && !have_field && i == 0 {
            return Err(Bad::Format);
        }
        if b[i] == 'T' || b[i] == 't' {
            if !date_part {
                return Err(Bad::Format);
            }
            date_part = false;
            have_field = false;
            i += 1;
            continue;
        }
        let (val, frac, width) = number(&mut i)?;
        let unit = b.get(i).copied().map(|c| c.to_ascii_uppercase());
        if unit.is_some() {
            i += 1;
        }
        if date_part {
            match unit {
                Some('Y') => years(&mut acc, val, frac)?,
                Some('M') => months(&mut acc, val, frac)?,
                Some('W') => {
                    acc.add_days(val, 7)?;
                    acc.add_frac_days(frac, 7.0)?;
                }
                Some('D') => days(&mut acc, val, frac)?,
                None | Some('T') | Some('-') => {
                    if have_field {
                        return Err(Bad::Format);
                    }
                    if unit != Some('-') && width == 8 && frac == 0.0 {
                        // basic: YYYYMMDD
                        years(&mut acc, val / 10000, 0.0)?;
                        months(&mut acc, val / 100 % 100, 0.0)?;
                        days(&mut acc, val % 100, 0.0)?;
                    } else {
                        years(&mut acc, val, frac)?;
                        if unit == Some('-') {
                            let (m, mf, _) = number(&mut i)?;
                            months(&mut acc, m, mf)?;
                            if b.get(i) == Some(&'-') {
                                i += 1;
                                let (d, df, _) = number(&mut i)?;
                                days(&mut acc, d, df)?;
                            }
                            match b.get(i) {
                                None => {}
                                Some('T' | 't') => i += 1,
                                Some(_) => return Err(Bad::Format),
                            }
                        }
                    }
                    if unit == Some('-') || unit == Some('T') || i < b.len() {
                        date_part = false;
                        have_field = false;
                        continue;
                    }
                }
                _ => return Err(Bad::Format),
            }
        } else {
            match unit {
                Some('H') => acc.add_micros(val, frac, USECS_PER_HOUR)?,
                Some('M') => acc.add_micros(val, frac, USECS_PER_MINUTE)?,
                Some('S') => acc.add_micros(val, frac, USECS_PER_SEC)?,
                None | Some(':') => {
                    if have_field {
                        return Err(Bad::Format);
                    }
                    if unit.is_none() && width == 6 && frac == 0.0 {
                        // basic: hhmmss
                        acc.add_micros(val / 10000, 0.0, USECS_PER_HOUR)?;
                        acc.add_micros(val / 100 % 100, 0.0, USECS_PER_MINUTE)?;
                        acc.add_micros(val % 100, 0.0, USECS_PER_SEC)?;
                    } else {
                        acc.add_micros(val, frac, USECS_PER_HOUR)?;
                        if unit == Some(':') {
                            let (m, mf, _) = number(&mut i)?;
                            acc.add_micros(m, mf, USECS_PER_MINUTE)?;
                            if b.get(i) == Some(&':') {
                                i += 1;
                                let (s, sf, _) = number(&mut i)?;
                                acc.add_micros(s, sf, USECS_PER_SEC)?;
                            }
                            if i < b.len() {
                                return Err(Bad::Format);
                            }
                        }
                    }
                }
                _ => return Err(Bad::Format),
            }
        }
        have_field = true;
    }
    acc.interval()
}

fn input_error(bad: Bad, text: &str) -> PgError {
    match bad {
        Bad::Format => PgError::error(
            code::INVALID_DATETIME_FORMAT,
            format!("invalid input syntax for type interval: \"{text}\""),
        ),
        Bad::FieldOverflow => PgError::error(
            code::INTERVAL_FIELD_OVERFLOW,
            format!("interval field value out of range: \"{text}\""),
        ),
        Bad::IntervalOverflow => out_of_range(),
    }
}

pub fn out_of_range() -> PgError {
    PgError::error(code::DATETIME_FIELD_OVERFLOW, "interval out of range")
}

fn decode_with(text: &str, range: i32, standard: bool) -> Result<Interval, Bad> {
    match decode_fields(text, range, standard) {
        Err(Bad::Format) if text.trim_start().starts_with(['P', 'p']) => decode_iso(text.trim()),
        other => other,
    }
}

/// interval_in with a typmod, in the session's IntervalStyle.
pub fn input(text: &str, typmod: i32) -> Result<Interval, PgError> {
    let iv = decode_with(text, typmod_range(typmod), style() == Style::SqlStandard)
        .map_err(|b| input_error(b, text))?;
    apply_typmod(iv, typmod)
}

/// A stored interval (IntervalStyle postgres text) read back.
pub fn stored(text: &str) -> Option<Interval> {
    decode_with(text, FULL_RANGE, false).ok()
}

// ------------------------------------------------------------------ output

/// The fields PostgreSQL prints: years, months, days, hours, minutes,
/// seconds and microseconds, each carrying the sign of its own field.
struct Parts {
    year: i64,
    mon: i64,
    day: i64,
    hour: i64,
    min: i64,
    sec: i64,
    usec: i64,
}

fn parts(iv: Interval) -> Parts {
    let t = iv.micros;
    Parts {
        year: (iv.months / 12) as i64,
        mon: (iv.months % 12) as i64,
        day: iv.days as i64,
        hour: t / USECS_PER_HOUR,
        min: (t % USECS_PER_HOUR) / USECS_PER_MINUTE,
        sec: (t % USECS_PER_MINUTE) / USECS_PER_SEC,
        usec: t % USECS_PER_SEC,
    }
}

/// Seconds and a fraction without trailing zeros (AppendSeconds).
fn seconds(sec: i64, usec: i64, pad: bool) -> String {
    let mut s = if pad {
        format!("{:02}", sec.abs())
    } else {
        sec.abs().to_string()
    };
    if usec != 0 {
        let f = format!("{:06}", usec.abs());
        s.push('.');
        s.push_str(f.trim_end_matches('0'));
    }
    s
}

/// interval_out in IntervalStyle `postgres` (the storage form).
pub fn format_postgres(iv: Interval) -> String {
    crate::datetime::format_interval(iv)
}

/// interval_out in the session's IntervalStyle.
pub fn output(iv: Interval) -> String {
    let p = parts(iv);
    match style() {
        Style::Postgres => format_postgres(iv),
        Style::PostgresVerbose => {
            // The first nonzero field decides "ago"; later fields are shown
            // relative to it (AddVerboseIntPart).
            let mut out = String::from("@");
            let mut is_zero = true;
            let mut is_before = false;
            for (v, unit) in [
                (p.year, "year"),
                (p.mon, "mon"),
                (p.day, "day"),
                (p.hour, "hour"),
                (p.min, "min"),
            ] {
                if v == 0 {
                    continue;
                }
                let v = if is_zero {
                    is_before = v < 0;
                    v.abs()
                } else if is_before {
                    -v
                } else {
                    v
                };
                out.push_str(&format!(" {v} {unit}{}", if v == 1 { "" } else { "s" }));
                is_zero = false;
            }
            if p.sec != 0 || p.usec != 0 {
                out.push(' ');
                if p.sec < 0 || (p.sec == 0 && p.usec < 0) {
                    if is_zero {
                        is_before = true;
                    } else if !is_before {
                        out.push('-');
                    }
                } else if is_before {
                    out.push('-');
                }
                out.push_str(&seconds(p.sec, p.usec, false));
                out.push_str(if p.sec.abs() != 1 || p.usec != 0 {
                    " secs"
                } else {
                    " sec"
                });
                is_zero = false;
            }
            if is_zero {
                out.push_str(" 0");
            }
            if is_before {
                out.push_str(" ago");
            }
            out
        }
        Style::SqlStandard => {
            let Parts {
                mut year,
                mut mon,
                mut day,
                mut hour,
                mut min,
                mut sec,
                mut usec,
            } = p;
            let all = [year, mon, day, hour, min, sec, usec];
            let has_negative = all.iter().any(|v| *v < 0);
            let has_positive = all.iter().any(|v| *v > 0);
            let has_year_month = year != 0 || mon != 0;
            let has_day_time = day != 0 || hour != 0 || min != 0 || sec != 0 || usec != 0;
            let standard = !(has_negative && has_positive || has_year_month && has_day_time);
            let mut out = String::new();
            if has_negative && standard {
                out.push('-');
                for v in [
                    &mut year, &mut mon, &mut day, &mut hour, &mut min, &mut sec, &mut usec,
                ] {
                    *v = -*v;
                }
            }
            if !has_negative && !has_positive {
                out.push('0');
            } else if !standard {
                let year_sign = if year < 0 || mon < 0 { '-' } else { '+' };
                let day_sign = if day < 0 { '-' } else { '+' };
                let sec_sign = if hour < 0 || min < 0 || sec < 0 || usec < 0 {
                    '-'
                } else {
                    '+'
                };
                out.push_str(&format!(
                    "{year_sign}{}-{} {day_sign}{} {sec_sign}{}:{:02}:{}",
                    year.abs(),
                    mon.abs(),
                    day.abs(),
                    hour.abs(),
                    min.abs(),
                    seconds(sec, usec, true)
                ));
            } else if has_year_month {
                out.push_str(&format!("{year}-{mon}"));
            } else if day != 0 {
                out.push_str(&format!(
                    "{day} {hour}:{min:02}:{}",
                    seconds(sec, usec, true)
                ));
            } else {
                out.push_str(&format!("{hour}:{min:02}:{}", seconds(sec, usec, true)));
            }
            out
        }
        Style::Iso8601 => {
            if iv.months == 0 && iv.days == 0 && iv.micros == 0 {
                return "PT0S".to_string();
            }
            let mut out = String::from("P");
            for (v, u) in [(p.year, 'Y'), (p.mon, 'M'), (p.day, 'D')] {
                if v != 0 {
                    out.push_str(&format!("{v}{u}"));
                }
            }
            if p.hour != 0 || p.min != 0 || p.sec != 0 || p.usec != 0 {
                out.push('T');
                for (v, u) in [(p.hour, 'H'), (p.min, 'M')] {
                    if v != 0 {
                        out.push_str(&format!("{v}{u}"));
                    }
                }
                if p.sec != 0 || p.usec != 0 {
                    if p.sec < 0 || p.usec < 0 {
                        out.push('-');
                    }
                    out.push_str(&seconds(p.sec, p.usec, false));
                    out.push('S');
                }
            }
            out
        }
    }
}

/// A stored interval shown in the session's IntervalStyle.
pub fn output_stored(text: &str) -> String {
    stored(text).map_or_else(|| text.to_string(), output)
}

// ------------------------------------------------------------------ arithmetic

/// interval_cmp_value: months as 30 days, days as 24 hours.
pub fn span(iv: Interval) -> i128 {
    (iv.months as i128 * 30 + iv.days as i128) * USECS_PER_DAY as i128 + iv.micros as i128
}

/// The sort key of a stored interval.
pub(crate) fn stored_sort_key(text: &str) -> Option<Vec<u8>> {
    stored(text).map(sort_key)
}

/// Bytes whose order is span order (for ORDER BY and indexes).
fn sort_key(iv: Interval) -> Vec<u8> {
    ((span(iv) as u128) ^ (1u128 << 127)).to_be_bytes().to_vec()
}

fn checked(
    months: Option<i32>,
    days: Option<i32>,
    micros: Option<i64>,
) -> Result<Interval, PgError> {
    match (months, days, micros) {
        (Some(months), Some(days), Some(micros)) => Ok(Interval {
            months,
            days,
            micros,
        }),
        _ => Err(out_of_range()),
    }
}

pub fn add(a: Interval, b: Interval) -> Result<Interval, PgError> {
    checked(
        a.months.checked_add(b.months),
        a.days.checked_add(b.days),
        a.micros.checked_add(b.micros),
    )
}

pub fn sub(a: Interval, b: Interval) -> Result<Interval, PgError> {
    checked(
        a.months.checked_sub(b.months),
        a.days.checked_sub(b.days),
        a.micros.checked_sub(b.micros),
    )
}

pub fn neg(a: Interval) -> Result<Interval, PgError> {
    checked(
        a.months.checked_neg(),
        a.days.checked_neg(),
        a.micros.checked_neg(),
    )
}

fn fits_i32(f: f64) -> Option<i32> {
    (!f.is_nan() && f >= i32::MIN as f64 && f < -(i32::MIN as f64)).then_some(f as i32)
}

/// TSROUND: to microsecond precision.
fn tsround(f: f64) -> f64 {
    (f * 1e6).round() / 1e6
}

/// interval_mul / interval_div: the fractions of months and days cascade
/// into days and time.
pub fn mul(a: Interval, factor: f64) -> Result<Interval, PgError> {
    scale(a, factor, |x, f| x * f)
}

pub fn div(a: Interval, factor: f64) -> Result<Interval, PgError> {
    if factor == 0.0 {
        return Err(PgError::error(code::DIVISION_BY_ZERO, "division by zero"));
    }
    scale(a, factor, |x, f| x / f)
}

fn scale(a: Interval, factor: f64, op: fn(f64, f64) -> f64) -> Result<Interval, PgError> {
    if factor.is_nan() {
        return Err(out_of_range());
    }
    let months_f = op(a.months as f64, factor);
    let days_f = op(a.days as f64, factor);
    let mut months = fits_i32(months_f).ok_or_else(out_of_range)?;
    let mut days = fits_i32(days_f).ok_or_else(out_of_range)?;
    let month_remainder_days = tsround((months_f - months as f64) * 30.0);
    let mut sec_remainder = tsround(
        (days_f - days as f64 + month_remainder_days - month_remainder_days.trunc()) * 86_400.0,
    );
    if sec_remainder.abs() >= 86_400.0 {
        let extra = (sec_remainder / 86_400.0).trunc();
        days = days.checked_add(extra as i32).ok_or_else(out_of_range)?;
        sec_remainder -= extra * 86_400.0;
    }
    days = days
        .checked_add(month_remainder_days.trunc() as i32)
        .ok_or_else(out_of_range)?;
    let micros = (op(a.micros as f64, factor) + sec_remainder * 1e6).round();
    if micros.is_nan() || micros.abs() >= 9.223_372_036_854_776e18 {
        return Err(out_of_range());
    }
    if months == i32::MIN && months_f > 0.0 {
        months = i32::MAX;
    }
    Ok(Interval {
        months,
        days,
        micros: micros as i64,
    })
}

/// justify_hours: whole days out of the time.
pub fn justify_hours(a: Interval) -> Result<Interval, PgError> {
    let mut days = a
        .days
        .checked_add((a.micros / USECS_PER_DAY) as i32)
        .ok_or_else(out_of_range)?;
    let mut micros = a.micros % USECS_PER_DAY;
    if days > 0 && micros < 0 {
        micros += USECS_PER_DAY;
        days -= 1;
    } else if days < 0 && micros > 0 {
        micros -= USECS_PER_DAY;
        days += 1;
    }
    Ok(Interval {
        months: a.months,
        days,
        micros,
    })
}

/// justify_days: whole months out of the days.
pub fn justify_days(a: Interval) -> Result<Interval, PgError> {
    let mut months = a.months.checked_add(a.days / 30).ok_or_else(out_of_range)?;
    let mut days = a.days % 30;
    if months > 0 && days < 0 {
        days += 30;
        months -= 1;
    } else if months < 0 && days > 0 {
        days -= 30;
        months += 1;
    }
    Ok(Interval {
        months,
        days,
        micros: a.micros,
    })
}

/// justify_interval: both, with the signs made consistent (days are
/// folded into months first when that avoids an overflow).
pub fn justify_interval(a: Interval) -> Result<Interval, PgError> {
    let mut months = a.months;
    let mut days = a.days;
    let mut micros = a.micros;
    if (days > 0 && micros > 0) || (days < 0 && micros < 0) {
        months = months.checked_add(days / 30).ok_or_else(out_of_range)?;
        days %= 30;
    }
    days += (micros / USECS_PER_DAY) as i32;
    micros %= USECS_PER_DAY;
    months = months.checked_add(days / 30).ok_or_else(out_of_range)?;
    days %= 30;
    if months > 0 && (days < 0 || (days == 0 && micros < 0)) {
        days += 30;
        months -= 1;
    } else if months < 0 && (days > 0 || (days == 0 && micros > 0)) {
        days -= 30;
        months += 1;
    }
    if days > 0 && micros < 0 {
        micros += USECS_PER_DAY;
        days -= 1;
    } else if days < 0 && micros > 0 {
        micros -= USECS_PER_DAY;
        days += 1;
    }
    Ok(Interval {
        months,
        days,
        micros,
    })
}

fn timestamp_out_of_range() -> PgError {
    PgError::error(code::DATETIME_FIELD_OVERFLOW, "timestamp out of range")
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    next.and_then(|n| n.pred_opt()).map_or(31, |d| d.day())
}

/// timestamp_pl_interval on a local date and time: months (day clamped to
/// the month's end), then days, then the time.
fn shift_calendar(t: NaiveDateTime, months: i32, days: i32) -> Result<NaiveDateTime, PgError> {
    let mut t = t;
    if months != 0 {
        let total = t.year() as i64 * 12 + t.month0() as i64 + months as i64;
        let year = i32::try_from(total.div_euclid(12)).map_err(|_| timestamp_out_of_range())?;
        let month = total.rem_euclid(12) as u32 + 1;
        if !(-4713..=262_142).contains(&year) {
            return Err(timestamp_out_of_range());
        }
        let day = t.day().min(days_in_month(year, month));
        let date = NaiveDate::from_ymd_opt(year, month, day).ok_or_else(timestamp_out_of_range)?;
        t = date.and_time(t.time());
    }
    if days != 0 {
        t = t
            .checked_add_signed(chrono::Duration::days(days as i64))
            .ok_or_else(timestamp_out_of_range)?;
    }
    Ok(t)
}

fn add_micros(t: NaiveDateTime, micros: i64) -> Result<NaiveDateTime, PgError> {
    let t = t
        .checked_add_signed(chrono::Duration::microseconds(micros))
        .ok_or_else(timestamp_out_of_range)?;
    if !crate::datefmt::in_stored_range(t) {
        return Err(timestamp_out_of_range());
    }
    Ok(t)
}

fn bad_stored(text: &str) -> PgError {
    PgError::error(
        code::INVALID_DATETIME_FORMAT,
        format!("invalid stored date/time value: \"{text}\""),
    )
}

/// timestamp (or date) + interval, for a stored timestamp text.
pub fn timestamp_pl(ts: &str, iv: Interval) -> Result<String, PgError> {
    if ts == "infinity" || ts == "-infinity" {
        return Ok(ts.to_string());
    }
    let t = crate::adt::parse_timestamp(ts).ok_or_else(|| bad_stored(ts))?;
    let t = shift_calendar(t, iv.months, iv.days)?;
    Ok(crate::adt::format_timestamp(add_micros(t, iv.micros)?))
}

/// timestamptz + interval: months and days in the session's time zone
/// (a day is 23 or 25 hours across a DST change), then the time.
pub fn timestamptz_pl(ts: &str, iv: Interval) -> Result<String, PgError> {
    if ts == "infinity" || ts == "-infinity" {
        return Ok(ts.to_string());
    }
    let mut utc = stored_utc(ts)?;
    if iv.months != 0 || iv.days != 0 {
        let local = crate::datefmt::utc_to_local(utc);
        let shifted = shift_calendar(local, iv.months, iv.days)?;
        utc = crate::datefmt::local_to_utc(shifted);
    }
    let utc = add_micros(utc, iv.micros)?;
    Ok(format!("{}+00", crate::datefmt::stored_timestamp(utc)))
}

fn stored_utc(ts: &str) -> Result<NaiveDateTime, PgError> {
    crate::datefmt::timestamptz_micros(ts)
        .and_then(chrono::DateTime::from_timestamp_micros)
        .map(|t| t.naive_utc())
        .ok_or_else(|| bad_stored(ts))
}

fn infinite_difference() -> PgError {
    PgError::error(
        code::DATETIME_FIELD_OVERFLOW,
        "cannot subtract infinite timestamps",
    )
}

fn micros_between(a: NaiveDateTime, b: NaiveDateTime) -> Result<Interval, PgError> {
    let us = (a - b).num_microseconds().ok_or_else(out_of_range)?;
    justify_hours(Interval {
        months: 0,
        days: 0,
        micros: us,
    })
}

/// timestamp - timestamp: the time between, days split out (as
/// justify_hours).
pub fn timestamp_mi(a: &str, b: &str) -> Result<Interval, PgError> {
    let parse = |s: &str| {
        if s.ends_with("infinity") {
            return Err(infinite_difference());
        }
        crate::adt::parse_timestamp(s).ok_or_else(|| bad_stored(s))
    };
    micros_between(parse(a)?, parse(b)?)
}

pub fn timestamptz_mi(a: &str, b: &str) -> Result<Interval, PgError> {
    let parse = |s: &str| {
        if s.ends_with("infinity") {
            return Err(infinite_difference());
        }
        stored_utc(s)
    };
    micros_between(parse(a)?, parse(b)?)
}

fn time_micros(t: &str) -> Result<i64, PgError> {
    crate::datetime::parse_time(t).ok_or_else(|| bad_stored(t))
}

/// time + interval: the time part only, wrapping around midnight.
pub fn time_pl(t: &str, iv: Interval) -> Result<String, PgError> {
    let us = (time_micros(t)? + iv.micros % USECS_PER_DAY).rem_euclid(USECS_PER_DAY);
    Ok(crate::datetime::format_time(us))
}

pub fn time_mi(a: &str, b: &str) -> Result<Interval, PgError> {
    Ok(Interval {
        months: 0,
        days: 0,
        micros: time_micros(a)? - time_micros(b)?,
    })
}

/// interval to time: the time part, modulo a day.
pub fn to_time(iv: Interval) -> String {
    crate::datetime::format_time(iv.micros.rem_euclid(USECS_PER_DAY))
}

/// age(a, b): field by field, borrowing from the next larger field.
pub fn age(a: NaiveDateTime, b: NaiveDateTime) -> Result<Interval, PgError> {
    let negative = a < b;
    let (hi, lo) = if negative { (b, a) } else { (a, b) };
    let mut usec = hi.nanosecond() as i64 / 1000 - lo.nanosecond() as i64 / 1000;
    let mut sec = hi.second() as i64 - lo.second() as i64;
    let mut min = hi.minute() as i64 - lo.minute() as i64;
    let mut hour = hi.hour() as i64 - lo.hour() as i64;
    let mut day = hi.day() as i64 - lo.day() as i64;
    let mut mon = hi.month() as i64 - lo.month() as i64;
    let mut year = hi.year() as i64 - lo.year() as i64;
    if usec < 0 {
        usec += USECS_PER_SEC;
        sec -= 1;
    }
    if sec < 0 {
        sec += 60;
        min -= 1;
    }
    if min < 0 {
        min += 60;
        hour -= 1;
    }
    if hour < 0 {
        hour += 24;
        day -= 1;
    }
    while day < 0 {
        // PostgreSQL borrows the length of the earlier timestamp's month
        // (the first argument's when it is the earlier one).
        let (y, m) = if negative {
            (a.year(), a.month())
        } else {
            (b.year(), b.month())
        };
        day += days_in_month(y, m) as i64;
        mon -= 1;
    }
    while mon < 0 {
        mon += 12;
        year -= 1;
    }
    let months = i32::try_from(year * 12 + mon).map_err(|_| out_of_range())?;
    let micros = ((hour * 60 + min) * 60 + sec) * USECS_PER_SEC + usec;
    let iv = Interval {
        months,
        days: day as i32,
        micros,
    };
    if negative {
        neg(iv)
    } else {
        Ok(iv)
    }
}

/// make_interval(years, months, weeks, days, hours, mins, secs).
pub fn make(args: [i64; 6], secs: f64) -> Result<Interval, PgError> {
    let [years, months, weeks, days, hours, mins] = args;
    if secs.is_nan() || secs.is_infinite() {
        return Err(out_of_range());
    }
    let months = years
        .checked_mul(12)
        .and_then(|y| y.checked_add(months))
        .and_then(|m| i32::try_from(m).ok());
    let days = weeks
        .checked_mul(7)
        .and_then(|w| w.checked_add(days))
        .and_then(|d| i32::try_from(d).ok());
    let secs_us = (secs * 1e6).round();
    let micros = hours
        .checked_mul(USECS_PER_HOUR)
        .and_then(|h| h.checked_add(mins.checked_mul(USECS_PER_MINUTE)?))
        .and_then(|t| {
            (secs_us.abs() < 9.2e18)
                .then_some(secs_us as i64)
                .and_then(|s| t.checked_add(s))
        });
    checked(months, days, micros)
}

fn unit_name(field: &str) -> String {
    field.trim().to_ascii_lowercase()
}

/// The canonical unit of an EXTRACT / date_trunc field name.
fn field_unit(field: &str) -> Option<&'static str> {
    Some(match unit_name(field).as_str() {
        "microsecond" | "microseconds" | "us" | "usec" | "usecs" | "useconds" => "microseconds",
        "millisecond" | "milliseconds" | "ms" | "msec" | "msecs" | "mseconds" => "milliseconds",
        "second" | "seconds" | "s" | "sec" | "secs" => "second",
        "minute" | "minutes" | "m" | "min" | "mins" => "minute",
        "hour" | "hours" | "h" | "hr" | "hrs" => "hour",
        "day" | "days" | "d" => "day",
        "week" | "weeks" | "w" => "week",
        "month" | "months" | "mon" | "mons" => "month",
        "quarter" | "qtr" => "quarter",
        "year" | "years" | "y" | "yr" | "yrs" => "year",
        "decade" | "decades" | "dec" | "decs" => "decade",
        "century" | "centuries" | "c" | "cent" => "century",
        "millennium" | "millennia" | "mil" | "mils" => "millennium",
        "epoch" => "epoch",
        "timezone" => "timezone",
        "timezone_h" => "timezone_h",
        "timezone_m" => "timezone_m",
        "dow" => "dow",
        "doy" => "doy",
        "isodow" => "isodow",
        "isoyear" => "isoyear",
        "julian" | "j" | "jd" => "julian",
        _ => return None,
    })
}

fn unsupported_unit(field: &str, type_name: &str) -> PgError {
    PgError::error(
        code::FEATURE_NOT_SUPPORTED,
        format!(
            "unit \"{}\" not supported for type {type_name}",
            unit_name(field)
        ),
    )
}

fn unrecognized_unit(field: &str, type_name: &str) -> PgError {
    PgError::error(
        code::INVALID_PARAMETER_VALUE,
        format!(
            "unit \"{}\" not recognized for type {type_name}",
            unit_name(field)
        ),
    )
}

/// EXTRACT(field FROM interval) as numeric text.
pub fn extract(field: &str, iv: Interval) -> Result<String, PgError> {
    let p = parts(iv);
    let unit = field_unit(field).ok_or_else(|| unrecognized_unit(field, "interval"))?;
    let scaled = |value: i128, scale: u32| -> String {
        // value / 10^scale with exactly `scale` digits
        let negative = value < 0;
        let abs = value.unsigned_abs();
        let div = 10u128.pow(scale);
        let mut s = format!("{}", abs / div);
        if scale > 0 {
            s.push_str(&format!(".{:0width$}", abs % div, width = scale as usize));
        }
        if negative {
            format!("-{s}")
        } else {
            s
        }
    };
    Ok(match unit {
        "microseconds" => (p.sec * USECS_PER_SEC + p.usec).to_string(),
        "milliseconds" => scaled((p.sec * USECS_PER_SEC + p.usec) as i128, 3),
        "second" => scaled((p.sec * USECS_PER_SEC + p.usec) as i128, 6),
        "minute" => p.min.to_string(),
        "hour" => p.hour.to_string(),
        "day" => p.day.to_string(),
        "month" => p.mon.to_string(),
        "quarter" => (p.mon / 3 + 1).to_string(),
        "year" => p.year.to_string(),
        "decade" => (p.year / 10).to_string(),
        "century" => (p.year / 100).to_string(),
        "millennium" => (p.year / 1000).to_string(),
        "epoch" => {
            let secs = p.year as i128 * 31_557_600
                + p.mon as i128 * 30 * 86_400
                + iv.days as i128 * 86_400;
            scaled(secs * 1_000_000 + iv.micros as i128, 6)
        }
        _ => return Err(unsupported_unit(field, "interval")),
    })
}

/// EXTRACT(field FROM time): the time-of-day units only.
pub fn extract_time(field: &str, micros: i64) -> Result<String, PgError> {
    const TYPE: &str = "time without time zone";
    let unit = field_unit(field).ok_or_else(|| unrecognized_unit(field, TYPE))?;
    if !matches!(
        unit,
        "microseconds" | "milliseconds" | "second" | "minute" | "hour" | "epoch"
    ) {
        return Err(unsupported_unit(field, TYPE));
    }
    extract(
        field,
        Interval {
            months: 0,
            days: 0,
            micros,
        },
    )
}

// ------------------------------------------------ make_date, date_bin

fn field_range(what: &str, shown: String) -> PgError {
    PgError::error(
        code::DATETIME_FIELD_OVERFLOW,
        format!("{what} field value out of range: {shown}"),
    )
}

/// make_date's day: negative years are BC, year 0 does not exist.
pub fn make_day(y: i64, m: i64, d: i64) -> Result<NaiveDate, PgError> {
    let bad = || field_range("date", format!("{y}-{m:02}-{d:02}"));
    if y == 0 {
        return Err(bad());
    }
    let astronomical = if y < 0 { y + 1 } else { y };
    let (Ok(y32), Ok(m32), Ok(d32)) = (
        i32::try_from(astronomical),
        u32::try_from(m),
        u32::try_from(d),
    ) else {
        return Err(bad());
    };
    NaiveDate::from_ymd_opt(y32, m32, d32)
        .filter(|day| crate::datefmt::in_stored_range(day.and_hms_opt(0, 0, 0).expect("midnight")))
        .ok_or_else(bad)
}

/// make_time's microseconds (float_time_overflows: 24:00:00 at most).
pub fn make_clock(h: i64, m: i64, sec: f64) -> Result<i64, PgError> {
    let shown = {
        let g = crate::types::format_g(sec, 6);
        let g = if g.len() < 2 { format!("0{g}") } else { g };
        format!("{h}:{m:02}:{g}")
    };
    let bad = || field_range("time", shown.clone());
    if !(0..=24).contains(&h) || !(0..=59).contains(&m) || !(0.0..=60.0).contains(&sec) {
        return Err(bad());
    }
    let micros = (h * 60 + m) * 60 * USECS_PER_SEC + (sec * 1e6).round_ties_even() as i64;
    if micros > 24 * 3600 * USECS_PER_SEC {
        return Err(bad());
    }
    Ok(micros)
}

fn interval_out_of_range() -> PgError {
    PgError::error(code::DATETIME_FIELD_OVERFLOW, "interval out of range")
}

/// date_bin(stride, source, origin) on microseconds (timestamp_bin).
pub fn date_bin(stride: Interval, source: i64, origin: i64) -> Result<i64, PgError> {
    if stride.months != 0 {
        return Err(PgError::error(
            code::FEATURE_NOT_SUPPORTED,
            "timestamps cannot be binned into intervals containing months or years",
        ));
    }
    let stride_us = (stride.days as i64)
        .checked_mul(24 * 3600 * USECS_PER_SEC)
        .and_then(|d| d.checked_add(stride.micros))
        .ok_or_else(interval_out_of_range)?;
    if stride_us <= 0 {
        return Err(PgError::error(
            code::DATETIME_FIELD_OVERFLOW,
            "stride must be greater than zero",
        ));
    }
    let diff = source
        .checked_sub(origin)
        .ok_or_else(interval_out_of_range)?;
    let modulo = diff % stride_us;
    let mut result = origin + (diff - modulo);
    if modulo < 0 {
        result = result
            .checked_sub(stride_us)
            .ok_or_else(timestamp_out_of_range)?;
    }
    Ok(result)
}

fn naive_micros(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp_micros()
}

fn micros_naive(us: i64) -> Result<NaiveDateTime, PgError> {
    chrono::DateTime::from_timestamp_micros(us)
        .map(|t| t.naive_utc())
        .filter(|t| crate::datefmt::in_stored_range(*t))
        .ok_or_else(timestamp_out_of_range)
}

/// date_trunc(field, interval).
pub fn trunc(field: &str, iv: Interval) -> Result<Interval, PgError> {
    let unit = field_unit(field).ok_or_else(|| unrecognized_unit(field, "interval"))?;
    let p = parts(iv);
    let time = |h: i64, m: i64, s: i64, us: i64| ((h * 60 + m) * 60 + s) * USECS_PER_SEC + us;
    let ym = |months: i64| Interval {
        months: months as i32,
        days: 0,
        micros: 0,
    };
    Ok(match unit {
        "millennium" => ym(p.year / 1000 * 1000 * 12),
        "century" => ym(p.year / 100 * 100 * 12),
        "decade" => ym(p.year / 10 * 10 * 12),
        "year" => ym(p.year * 12),
        "quarter" => ym(p.year * 12 + p.mon / 3 * 3),
        "month" => ym(p.year * 12 + p.mon),
        "day" => Interval { micros: 0, ..iv },
        "hour" => Interval {
            micros: time(p.hour, 0, 0, 0),
            ..iv
        },
        "minute" => Interval {
            micros: time(p.hour, p.min, 0, 0),
            ..iv
        },
        "second" => Interval {
            micros: time(p.hour, p.min, p.sec, 0),
            ..iv
        },
        "milliseconds" => Interval {
            micros: time(p.hour, p.min, p.sec, p.usec / 1000 * 1000),
            ..iv
        },
        "microseconds" => iv,
        "week" => {
            return Err(PgError::error(
                code::FEATURE_NOT_SUPPORTED,
                "unit \"week\" not supported for type interval",
            )
            .with_detail("Months usually have fractional weeks."))
        }
        _ => return Err(unsupported_unit(field, "interval")),
    })
}

// ------------------------------------------------------------------ SQL functions

use crate::errors::function_error;

fn arg_interval(ctx: &Context<'_>, i: usize) -> rusqlite::Result<Option<Interval>> {
    match ctx.get::<Option<String>>(i)? {
        None => Ok(None),
        Some(t) => stored(&t)
            .map(Some)
            .ok_or_else(|| function_error(bad_stored(&t))),
    }
}

fn text(iv: Interval) -> String {
    format_postgres(iv)
}

struct Sum;
impl Aggregate<Option<Interval>, Option<String>> for Sum {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<Option<Interval>> {
        Ok(None)
    }
    fn step(&self, ctx: &mut Context<'_>, acc: &mut Option<Interval>) -> rusqlite::Result<()> {
        if let Some(iv) = arg_interval(ctx, 0)? {
            *acc = Some(match acc.take() {
                Some(a) => add(a, iv).map_err(function_error)?,
                None => iv,
            });
        }
        Ok(())
    }
    fn finalize(
        &self,
        _: &mut Context<'_>,
        acc: Option<Option<Interval>>,
    ) -> rusqlite::Result<Option<String>> {
        Ok(acc.flatten().map(text))
    }
}

struct Avg;
impl Aggregate<(Interval, i64), Option<String>> for Avg {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<(Interval, i64)> {
        Ok((Interval::default(), 0))
    }
    fn step(&self, ctx: &mut Context<'_>, acc: &mut (Interval, i64)) -> rusqlite::Result<()> {
        if let Some(iv) = arg_interval(ctx, 0)? {
            acc.0 = add(acc.0, iv).map_err(function_error)?;
            acc.1 += 1;
        }
        Ok(())
    }
    fn finalize(
        &self,
        _: &mut Context<'_>,
        acc: Option<(Interval, i64)>,
    ) -> rusqlite::Result<Option<String>> {
        match acc {
            Some((sum, n)) if n > 0 => Ok(Some(text(div(sum, n as f64).map_err(function_error)?))),
            _ => Ok(None),
        }
    }
}

struct Extreme(Ordering);
impl Aggregate<Option<Interval>, Option<String>> for Extreme {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<Option<Interval>> {
        Ok(None)
    }
    fn step(&self, ctx: &mut Context<'_>, acc: &mut Option<Interval>) -> rusqlite::Result<()> {
        if let Some(iv) = arg_interval(ctx, 0)? {
            let replace = acc.is_none_or(|a| span(iv).cmp(&span(a)) == self.0);
            if replace {
                *acc = Some(iv);
            }
        }
        Ok(())
    }
    fn finalize(
        &self,
        _: &mut Context<'_>,
        acc: Option<Option<Interval>>,
    ) -> rusqlite::Result<Option<String>> {
        Ok(acc.flatten().map(text))
    }
}

fn pg(r: Result<Interval, PgError>) -> rusqlite::Result<String> {
    r.map(text).map_err(function_error)
}

/// Registers the functions the interval entries of [`crate::ops`] call.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    let det = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    // Reads the session's TimeZone: never folded or indexed.
    let session = FunctionFlags::SQLITE_UTF8;
    conn.create_scalar_function("pg_interval_cmp", 2, det, |ctx| {
        let (Some(a), Some(b)) = (arg_interval(ctx, 0)?, arg_interval(ctx, 1)?) else {
            return Ok(None);
        };
        Ok(Some(span(a).cmp(&span(b)) as i64))
    })?;
    conn.create_scalar_function("pg_interval_sortkey", 1, det, |ctx| {
        Ok(arg_interval(ctx, 0)?.map(sort_key))
    })?;
    for (name, f) in [
        (
            "pg_interval_add",
            add as fn(Interval, Interval) -> Result<Interval, PgError>,
        ),
        ("pg_interval_sub", sub),
    ] {
        conn.create_scalar_function(name, 2, det, move |ctx| {
            let (Some(a), Some(b)) = (arg_interval(ctx, 0)?, arg_interval(ctx, 1)?) else {
                return Ok(None);
            };
            pg(f(a, b)).map(Some)
        })?;
    }
    for (name, f) in [
        (
            "pg_interval_neg",
            neg as fn(Interval) -> Result<Interval, PgError>,
        ),
        ("pg_justify_hours", justify_hours),
        ("pg_justify_days", justify_days),
        ("pg_justify_interval", justify_interval),
    ] {
        conn.create_scalar_function(name, 1, det, move |ctx| match arg_interval(ctx, 0)? {
            Some(a) => pg(f(a)).map(Some),
            None => Ok(None),
        })?;
    }
    for (name, f) in [
        (
            "pg_interval_mul",
            mul as fn(Interval, f64) -> Result<Interval, PgError>,
        ),
        ("pg_interval_div", div),
    ] {
        conn.create_scalar_function(name, 2, det, move |ctx| {
            let (Some(a), Some(x)) = (arg_interval(ctx, 0)?, crate::adt::float_arg(ctx, 1)?) else {
                return Ok(None);
            };
            pg(f(a, x)).map(Some)
        })?;
    }
    // timestamp/timestamptz/time +- interval: the sign is the third argument.
    for (name, flags, f) in [
        (
            "pg_timestamp_pl",
            det,
            timestamp_pl as fn(&str, Interval) -> Result<String, PgError>,
        ),
        ("pg_timestamptz_pl", session, timestamptz_pl),
        ("pg_time_pl", det, time_pl),
    ] {
        conn.create_scalar_function(name, 3, flags, move |ctx| {
            let (Some(t), Some(iv)) = (ctx.get::<Option<String>>(0)?, arg_interval(ctx, 1)?) else {
                return Ok(None);
            };
            let iv = if ctx.get::<i64>(2)? < 0 {
                neg(iv).map_err(function_error)?
            } else {
                iv
            };
            f(&t, iv).map(Some).map_err(function_error)
        })?;
    }
    for (name, f) in [
        (
            "pg_timestamp_mi",
            timestamp_mi as fn(&str, &str) -> Result<Interval, PgError>,
        ),
        ("pg_timestamptz_mi", timestamptz_mi),
        ("pg_time_mi", time_mi),
    ] {
        conn.create_scalar_function(name, 2, det, move |ctx| {
            let (Some(a), Some(b)) = (ctx.get::<Option<String>>(0)?, ctx.get::<Option<String>>(1)?)
            else {
                return Ok(None);
            };
            pg(f(&a, &b)).map(Some)
        })?;
    }
    conn.create_scalar_function("pg_date_pl_time", 2, det, |ctx| {
        let (Some(d), Some(t)) = (ctx.get::<Option<String>>(0)?, ctx.get::<Option<String>>(1)?)
        else {
            return Ok(None);
        };
        let iv = Interval {
            months: 0,
            days: 0,
            micros: time_micros(&t).map_err(function_error)?,
        };
        timestamp_pl(&d, iv).map(Some).map_err(function_error)
    })?;
    conn.create_scalar_function("pg_age", 3, session, |ctx| {
        let (Some(a), Some(b)) = (ctx.get::<Option<String>>(0)?, ctx.get::<Option<String>>(1)?)
        else {
            return Ok(None);
        };
        let with_zone = ctx.get::<i64>(2)? == 1;
        let local = |s: &str| -> Result<NaiveDateTime, PgError> {
            if with_zone {
                Ok(crate::datefmt::utc_to_local(stored_utc(s)?))
            } else {
                crate::adt::parse_timestamp(s).ok_or_else(|| bad_stored(s))
            }
        };
        let r = (|| age(local(&a)?, local(&b)?))();
        pg(r).map(Some)
    })?;
    conn.create_scalar_function("pg_interval_part", 2, det, |ctx| {
        let (Some(f), Some(iv)) = (ctx.get::<Option<String>>(0)?, arg_interval(ctx, 1)?) else {
            return Ok(None);
        };
        extract(&f, iv).map(Some).map_err(function_error)
    })?;
    conn.create_scalar_function("pg_make_date", 3, det, |ctx| {
        let (Some(y), Some(m), Some(d)) = (
            ctx.get::<Option<i64>>(0)?,
            ctx.get::<Option<i64>>(1)?,
            ctx.get::<Option<i64>>(2)?,
        ) else {
            return Ok(None);
        };
        make_day(y, m, d)
            .map(|day| Some(crate::datefmt::stored_day(day)))
            .map_err(function_error)
    })?;
    conn.create_scalar_function("pg_make_time", 3, det, |ctx| {
        let (Some(h), Some(m), Some(s)) = (
            ctx.get::<Option<i64>>(0)?,
            ctx.get::<Option<i64>>(1)?,
            crate::adt::float_arg(ctx, 2)?,
        ) else {
            return Ok(None);
        };
        make_clock(h, m, s)
            .map(|us| Some(crate::datetime::format_time(us)))
            .map_err(function_error)
    })?;
    // make_timestamp / make_timestamptz (6 arguments, or 7 with a zone).
    for (name, n, tz) in [
        ("pg_make_timestamp", 6, false),
        ("pg_make_timestamptz", 6, true),
        ("pg_make_timestamptz", 7, true),
    ] {
        conn.create_scalar_function(name, n, det, move |ctx| {
            let mut ints = [0i64; 5];
            for (i, v) in ints.iter_mut().enumerate() {
                match ctx.get::<Option<i64>>(i)? {
                    Some(x) => *v = x,
                    None => return Ok(None),
                }
            }
            let Some(sec) = crate::adt::float_arg(ctx, 5)? else {
                return Ok(None);
            };
            let zone = if n == 7 {
                match ctx.get::<Option<String>>(6)? {
                    Some(z) => Some(z),
                    None => return Ok(None),
                }
            } else {
                None
            };
            let r = (|| {
                let day = make_day(ints[0], ints[1], ints[2])?;
                let us = make_clock(ints[3], ints[4], sec)?;
                let local = day.and_hms_opt(0, 0, 0).expect("midnight")
                    + chrono::Duration::microseconds(us);
                if !tz {
                    return Ok(crate::datefmt::stored_timestamp(local));
                }
                let utc = match &zone {
                    Some(z) => crate::datefmt::local_to_utc_in(z, local)?,
                    None => crate::datefmt::local_to_utc(local),
                };
                if !crate::datefmt::in_stored_range(utc) {
                    return Err(timestamp_out_of_range());
                }
                Ok(format!("{}+00", crate::datefmt::stored_timestamp(utc)))
            })();
            r.map(Some).map_err(function_error)
        })?;
    }
    for (name, tz) in [("pg_date_bin", false), ("pg_date_bin_tz", true)] {
        conn.create_scalar_function(name, 3, det, move |ctx| {
            let (Some(stride), Some(src), Some(origin)) = (
                arg_interval(ctx, 0)?,
                ctx.get::<Option<String>>(1)?,
                ctx.get::<Option<String>>(2)?,
            ) else {
                return Ok(None);
            };
            if src.ends_with("infinity") {
                return Ok(Some(src));
            }
            let read = |s: &str| -> Result<i64, PgError> {
                if s.ends_with("infinity") {
                    return Err(PgError::error(
                        code::DATETIME_FIELD_OVERFLOW,
                        "origin out of range",
                    ));
                }
                let t = if tz {
                    stored_utc(s)?
                } else {
                    crate::adt::parse_timestamp(s).ok_or_else(|| bad_stored(s))?
                };
                Ok(naive_micros(t))
            };
            let r = (|| {
                let source = read(&src)?;
                let origin = read(&origin)?;
                let t = micros_naive(date_bin(stride, source, origin)?)?;
                Ok(if tz {
                    format!("{}+00", crate::datefmt::stored_timestamp(t))
                } else {
                    crate::datefmt::stored_timestamp(t)
                })
            })();
            r.map(Some).map_err(function_error)
        })?;
    }
    conn.create_scalar_function("pg_time_part", 2, det, |ctx| {
        let (Some(f), Some(t)) = (ctx.get::<Option<String>>(0)?, ctx.get::<Option<String>>(1)?)
        else {
            return Ok(None);
        };
        let micros =
            crate::datetime::parse_time(&t).ok_or_else(|| function_error(bad_stored(&t)))?;
        extract_time(&f, micros).map(Some).map_err(function_error)
    })?;
    conn.create_scalar_function("pg_interval_trunc", 2, det, |ctx| {
        let (Some(f), Some(iv)) = (ctx.get::<Option<String>>(0)?, arg_interval(ctx, 1)?) else {
            return Ok(None);
        };
        pg(trunc(&f, iv)).map(Some)
    })?;
    conn.create_scalar_function("pg_interval_time", 1, det, |ctx| {
        Ok(arg_interval(ctx, 0)?.map(to_time))
    })?;
    conn.create_scalar_function("pg_time_interval", 1, det, |ctx| {
        match ctx.get::<Option<String>>(0)? {
            None => Ok(None),
            Some(t) => pg(time_micros(&t).map(|micros| Interval {
                months: 0,
                days: 0,
                micros,
            }))
            .map(Some),
        }
    })?;
    conn.create_scalar_function("pg_make_interval", 7, det, |ctx| {
        let mut ints = [0i64; 6];
        for (i, slot) in ints.iter_mut().enumerate() {
            match ctx.get::<Option<i64>>(i)? {
                Some(v) => *slot = v,
                None => return Ok(None),
            }
        }
        let Some(secs) = crate::adt::float_arg(ctx, 6)? else {
            return Ok(None);
        };
        pg(make(ints, secs)).map(Some)
    })?;
    conn.create_aggregate_function("pg_interval_sum", 1, det, Sum)?;
    conn.create_aggregate_function("pg_interval_avg", 1, det, Avg)?;
    conn.create_aggregate_function("pg_interval_min", 1, det, Extreme(Ordering::Less))?;
    conn.create_aggregate_function("pg_interval_max", 1, det, Extreme(Ordering::Greater))?;
    Ok(())
}

/// The value an interval input gives (a stored text) for the analyzer.
pub fn input_value(text: &str, typmod: i32) -> Result<Value, PgError> {
    input(text, typmod).map(|iv| Value::Text(format_postgres(iv)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iv(s: &str) -> String {
        input(s, -1)
            .map(format_postgres)
            .unwrap_or_else(|e| format!("{} {}", e.code, e.message))
    }

    #[test]
    fn input_as_postgresql() {
        // Outputs from PostgreSQL 15 (SELECT 'text'::interval).
        for (input, out) in [
            ("-1 +02:03", "-1 days +02:03:00"),
            ("@ 1 minute", "00:01:00"),
            ("@ 5 hour", "05:00:00"),
            ("@ 10 day", "10 days"),
            ("@ 34 year", "34 years"),
            ("@ 3 months", "3 mons"),
            ("@ 14 seconds ago", "-00:00:14"),
            ("1 day 2 hours 3 minutes 4 seconds", "1 day 02:03:04"),
            ("6 years", "6 years"),
            ("5 months 12 hours", "5 mons 12:00:00"),
            ("1.5 years", "1 year 6 mons"),
            ("-1.5 mon", "-1 mons -15 days"),
            ("1 week 2.5 days", "9 days 12:00:00"),
            ("1-2", "1 year 2 mons"),
            ("1 2:03:04", "1 day 02:03:04"),
            ("P1Y2M3DT4H5M6.5S", "1 year 2 mons 3 days 04:05:06.5"),
            ("P0001-02-03T04:05:06", "1 year 2 mons 3 days 04:05:06"),
            ("10", "00:00:10"),
            ("1:02", "01:02:00"),
            ("2:03.5", "00:02:03.5"),
            ("3days", "3 days"),
            (
                "2147483648 days",
                "22015 interval field value out of range: \"2147483648 days\"",
            ),
            ("2147483647 years", "22008 interval out of range"),
            (
                "abc",
                "22007 invalid input syntax for type interval: \"abc\"",
            ),
            (
                "1 day 2 days",
                "22007 invalid input syntax for type interval: \"1 day 2 days\"",
            ),
            ("", "22007 invalid input syntax for type interval: \"\""),
        ] {
            assert_eq!(iv(input), out, "{input}");
        }
    }

    #[test]
    fn typmods_as_postgresql() {
        let with =
            |s: &str, mods: &[i64]| format_postgres(input(s, typmod_in(mods).unwrap()).unwrap());
        assert_eq!(with("999", &[DAY as i64]), "999 days");
        assert_eq!(
            with("1 2:03", &[(DAY | HOUR | MINUTE) as i64]),
            "1 day 02:03:00"
        );
        assert_eq!(
            with("1 day 02:03:04", &[(HOUR | MINUTE) as i64]),
            "1 day 02:03:00"
        );
        assert_eq!(with("1.234567 sec", &[FULL_RANGE as i64, 2]), "00:00:01.23");
        assert_eq!(
            typmod_out(typmod_in(&[(DAY | HOUR | MINUTE | SECOND) as i64, 3]).unwrap()),
            "interval day to second(3)"
        );
    }

    #[test]
    fn arithmetic_as_postgresql() {
        let p = |s: &str| input(s, -1).unwrap();
        assert_eq!(
            format_postgres(mul(p("1 day"), 1.5).unwrap()),
            "1 day 12:00:00"
        );
        assert_eq!(
            format_postgres(div(p("1 mon"), 7.0).unwrap()),
            "4 days 06:51:25.6896"
        );
        assert_eq!(
            format_postgres(justify_interval(p("1 mon -1 hour")).unwrap()),
            "29 days 23:00:00"
        );
        assert_eq!(
            format_postgres(justify_days(p("35 days")).unwrap()),
            "1 mon 5 days"
        );
        assert_eq!(
            format_postgres(justify_hours(p("-27 hours")).unwrap()),
            "-1 days -03:00:00"
        );
        assert_eq!(
            timestamp_pl("2024-01-31 00:00:00", p("1 mon")).unwrap(),
            "2024-02-29 00:00:00"
        );
        assert_eq!(
            format_postgres(timestamp_mi("2024-03-01 00:00:00", "2023-01-01 12:00:00").unwrap()),
            "424 days 12:00:00"
        );
        assert_eq!(
            extract("epoch", p("1 year 1 mon 1 day 1.5 sec")).unwrap(),
            "34236001.500000"
        );
        assert!(span(p("1 mon")) == span(p("30 days")));
    }
}
