//! `time with time zone` (timetz) as PostgreSQL has it (`utils/adt/date.c`
//! and DecodeTimeOnly of `datetime.c`): input, typmods, comparison (by the
//! UTC-adjusted time, then by zone), `+`/`-` interval, AT TIME ZONE (a
//! name, an abbreviation, a POSIX offset or an interval), EXTRACT /
//! date_part, and the casts from and to time and timestamptz.
//!
//! Storage: the text PostgreSQL prints with DateStyle ISO,
//! `HH:MM:SS[.ffffff]±HH[:MM[:SS]]` (`00:01:00-07`, `23:59:59.99+05:30`,
//! `24:00:00+00`), so output is the stored text. Text order is not
//! timetz order: comparisons go through [`timetz_cmp`] and ORDER BY through
//! [`timetz_sortkey`].
//!
//! Date/time fields are decoded by [`crate::datefmt`]; this module adds
//! what DecodeTimeOnly does differently: a date is taken only as the first
//! field before the time, a zone name needs a date (an offset is not known
//! without one) while a dynamic abbreviation (`MSK`) is read at today's
//! date, and no zone means the session TimeZone's offset at today's date.

use std::cmp::Ordering;
use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime, Offset, TimeZone, Timelike};
use chrono_tz::Tz;
use pm_elog::{sqlstate as code, PgError};
use rusqlite::functions::{Aggregate, Context, FunctionFlags};
use rusqlite::Connection;

use crate::datefmt::{self, Decoded};
use crate::errors::function_error;
use crate::interval::Interval;

const USECS_PER_SEC: i64 = 1_000_000;
const USECS_PER_MINUTE: i64 = 60 * USECS_PER_SEC;
const USECS_PER_HOUR: i64 = 60 * USECS_PER_MINUTE;
const USECS_PER_DAY: i64 = 24 * USECS_PER_HOUR;
const TYPE_NAME: &str = "time with time zone";
/// SQLSTATE 22009 (invalid_time_zone_displacement_value).
const INVALID_TIME_ZONE_DISPLACEMENT_VALUE: &str = "22009";

/// A timetz value: microseconds since midnight (0 ..= 24:00:00) and the
/// zone's offset in seconds east of UTC (PostgreSQL keeps seconds west).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeTz {
    pub micros: i64,
    pub offset: i32,
}

// ------------------------------------------------------------------ storage

/// EncodeTimezone: `+05`, `-04:30`, `+05:30:15`; zero is `+00`.
fn offset_text(east: i32) -> String {
    let sign = if east < 0 { '-' } else { '+' };
    let a = east.unsigned_abs();
    let mut s = format!("{sign}{:02}", a / 3600);
    if !a.is_multiple_of(3600) {
        s.push_str(&format!(":{:02}", (a % 3600) / 60));
        if !a.is_multiple_of(60) {
            s.push_str(&format!(":{:02}", a % 60));
        }
    }
    s
}

/// The stored (and output) text of a value.
pub fn format(t: TimeTz) -> String {
    format!(
        "{}{}",
        crate::datetime::format_time(t.micros),
        offset_text(t.offset)
    )
}

/// A stored timetz text read back (None: not in the stored form).
pub fn load(stored: &str) -> Option<TimeTz> {
    let s = stored.trim();
    let p = s.rfind(['+', '-']).filter(|&p| p > 0)?;
    let micros = crate::datetime::parse_time(&s[..p])?;
    let sign = if s.as_bytes()[p] == b'-' { -1 } else { 1 };
    let mut secs = 0i64;
    let mut n = 0;
    for (i, part) in s[p + 1..].split(':').enumerate() {
        if i > 2 || part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let v: i64 = part.parse().ok()?;
        secs += v * [3600, 60, 1][i];
        n += 1;
    }
    if n == 0 {
        return None;
    }
    Some(TimeTz {
        micros,
        offset: i32::try_from(sign * secs).ok()?,
    })
}

/// timetz_out: the stored text is the output.
pub fn timetz_out(stored: &str) -> String {
    stored.to_string()
}

/// timetz to text (the output text).
pub fn timetz_text(stored: &str) -> String {
    timetz_out(stored)
}

fn bad_stored(text: &str) -> PgError {
    PgError::error(
        code::INVALID_DATETIME_FORMAT,
        format!("invalid input syntax for type {TYPE_NAME}: \"{text}\""),
    )
}

/// A stored value, or (for a literal the caller passed as it was written)
/// the text read as timetz input.
fn value(text: &str) -> Result<TimeTz, PgError> {
    match load(text) {
        Some(t) => Ok(t),
        None => parse_input(text),
    }
}

// ------------------------------------------------------------------ session

/// The transaction's start (what `now` means) in UTC.
fn now_utc() -> NaiveDateTime {
    match datefmt::decode("now") {
        Ok(Decoded::At(t, _)) => t,
        _ => chrono::Utc::now().naive_utc(),
    }
}

fn stored_tz(utc: NaiveDateTime) -> String {
    format!("{}+00", datefmt::stored_timestamp(utc))
}

/// The session TimeZone's offset (seconds east) at a UTC time.
fn session_offset_at_utc(utc: NaiveDateTime) -> i32 {
    datefmt::session_offset_at(&stored_tz(utc)).unwrap_or(0)
}

/// The session TimeZone's offset at a local time there
/// (DetermineTimeZoneOffset).
fn session_offset_local(local: NaiveDateTime) -> i32 {
    (local - datefmt::local_to_utc(local)).num_seconds() as i32
}

/// Today in the session's zone (GetCurrentDateTime).
fn today() -> NaiveDate {
    datefmt::utc_to_local(now_utc()).date()
}

fn micros_of_day(t: NaiveDateTime) -> i64 {
    t.num_seconds_from_midnight() as i64 * USECS_PER_SEC + (t.nanosecond() / 1000) as i64
}

// ------------------------------------------------------------------ input

fn syntax_error(text: &str) -> PgError {
    bad_stored(text)
}

/// Errors of the shared decoders, named for this type and quoting the
/// text as written (`read` is what they were given).
fn retype(mut e: PgError, read: &str, text: &str) -> PgError {
    for other in [
        "type time without time zone",
        "type timestamp with time zone",
    ] {
        if e.message.contains(other) {
            e.message = e.message.replace(other, &format!("type {TYPE_NAME}"));
        }
    }
    if read != text {
        e.message = e
            .message
            .replace(&format!("\"{read}\""), &format!("\"{text}\""));
    }
    e
}

/// Hour 0 before AM or PM is what hour 12 is there (PostgreSQL takes
/// `00:30 AM` as 00:30 and `00:30 PM` as 12:30; the shared decoders want 1
/// to 12 before AM/PM): the text with such an hour written as 12.
fn noon_hour(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let has_marker = words.iter().any(|w| {
        let l = w.to_ascii_lowercase();
        matches!(l.as_str(), "am" | "pm" | "a.m." | "p.m.")
            || (l.starts_with(|c: char| c.is_ascii_digit())
                && (l.ends_with("am") || l.ends_with("pm")))
    });
    if !has_marker {
        return text.to_string();
    }
    let Some(i) = words
        .iter()
        .position(|w| w.starts_with(|c: char| c.is_ascii_digit()) && w.contains(':'))
    else {
        return text.to_string();
    };
    let Some(rest) = words[i]
        .strip_prefix("00:")
        .or_else(|| words[i].strip_prefix("0:"))
    else {
        return text.to_string();
    };
    let mut out: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    out[i] = format!("12:{rest}");
    out.join(" ")
}

/// DecodeTimezone's range check: an offset of more than 15 hours, or
/// minutes or seconds past 59, is `time zone displacement out of range`.
fn check_displacement(tokens: &[String], text: &str) -> Result<(), PgError> {
    for t in tokens {
        let zone = if t.starts_with(['+', '-']) {
            t.as_str()
        } else if t.starts_with(|c: char| c.is_ascii_digit()) && t.contains(':') {
            match t.rfind(['+', '-']) {
                Some(p) if p > 0 => &t[p..],
                _ => continue,
            }
        } else {
            continue;
        };
        let body = &zone[1..];
        if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit() || b == b':') {
            continue;
        }
        let parts: Vec<&str> = body.split(':').collect();
        if parts.iter().any(|p| p.is_empty()) || parts.len() > 3 {
            continue;
        }
        let n = |p: &str| p.parse::<i64>().unwrap_or(i64::MAX);
        let (h, m, s) = match parts.as_slice() {
            [hm] if hm.len() <= 2 => (n(hm), 0, 0),
            [hm] if hm.len() == 4 => (n(&hm[..2]), n(&hm[2..]), 0),
            [hm] if hm.len() == 6 => (n(&hm[..2]), n(&hm[2..4]), n(&hm[4..])),
            [_] => continue,
            [h, m] => (n(h), n(m), 0),
            [h, m, s] => (n(h), n(m), n(s)),
            _ => continue,
        };
        if h > 15 || m > 59 || s > 59 {
            return Err(PgError::error(
                INVALID_TIME_ZONE_DISPLACEMENT_VALUE,
                format!("time zone displacement out of range: \"{text}\""),
            ));
        }
    }
    Ok(())
}

fn is_zone_name(word: &str) -> bool {
    word.starts_with(|c: char| c.is_ascii_alphabetic()) && Tz::from_str_insensitive(word).is_ok()
}

/// Whether the first field is a date DecodeTimeOnly takes: one with
/// separators (`2003-07-07`, `7/7/2003`, `Jul-07-2003`) or a Julian day.
fn leading_date(tokens: &[String]) -> bool {
    let Some(first) = tokens.first() else {
        return false;
    };
    if first.contains(':') {
        return false;
    }
    if first.len() > 1 && first.starts_with('j') && first[1..].bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    if first.starts_with(|c: char| c.is_ascii_digit()) {
        return first.contains(['-', '/', '.']);
    }
    first.starts_with(|c: char| c.is_ascii_alphabetic())
        && first.contains(['-', '/'])
        && !is_zone_name(first)
}

/// timetz_in without the typmod.
fn parse_input(text: &str) -> Result<TimeTz, PgError> {
    let syntax = || syntax_error(text);
    let lower = text.trim().to_ascii_lowercase();
    if lower == "now" {
        let utc = now_utc();
        let offset = session_offset_at_utc(utc);
        let local = utc + chrono::Duration::seconds(offset as i64);
        return Ok(TimeTz {
            micros: micros_of_day(local),
            offset,
        });
    }
    let tokens: Vec<String> = lower
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    // Special values other than `now` and `allballs` are not times.
    if tokens.iter().any(|w| {
        matches!(
            w.as_str(),
            "now"
                | "epoch"
                | "infinity"
                | "+infinity"
                | "-infinity"
                | "today"
                | "tomorrow"
                | "yesterday"
        )
    }) {
        return Err(syntax());
    }
    check_displacement(&tokens, text)?;
    let read = noon_hour(text);
    let (micros, decoded) = if leading_date(&tokens) {
        // A date is taken only when a time follows it (or the last field
        // is a zone name).
        let time_next = tokens
            .get(1)
            .is_some_and(|w| w.starts_with(|c: char| c.is_ascii_digit()) && w.contains(':'));
        let name_last = tokens.len() >= 2 && tokens.last().is_some_and(|w| w.contains('/'));
        if !time_next && !name_last {
            return Err(syntax());
        }
        let micros = datefmt::time_in(&read).map_err(|e| retype(e, &read, text))?;
        (
            micros,
            datefmt::decode(&read).map_err(|e| retype(e, &read, text))?,
        )
    } else {
        // No date: read the zone at today's date.
        let dated = format!("{} {read}", datefmt::stored_day(today()));
        let micros = match datefmt::time_in(&read) {
            Ok(us) => us,
            Err(e) => {
                // A dynamic abbreviation (MSK) takes today's date; a zone
                // name does not (its offset is not known without a date).
                let named = tokens.iter().any(|w| is_zone_name(w));
                if e.code != code::INVALID_DATETIME_FORMAT || named {
                    return Err(retype(e, &read, text));
                }
                datefmt::time_in(&dated).map_err(|_| retype(e, &read, text))?
            }
        };
        (micros, datefmt::decode(&dated).map_err(|_| syntax())?)
    };
    let Decoded::At(local, offset) = decoded else {
        return Err(syntax());
    };
    // `allballs` is 00:00:00 UTC: no other zone with it.
    let allballs = tokens.iter().any(|w| w == "allballs");
    let offset = match (offset, allballs) {
        (Some(_), true) => return Err(syntax()),
        (Some(o), false) => o,
        (None, true) => 0,
        (None, false) => session_offset_local(local),
    };
    Ok(TimeTz { micros, offset })
}

/// AdjustTimeForTypmod: rounded to `typmod` fractional digits (halves up).
fn round_micros(us: i64, typmod: i32) -> i64 {
    if !(0..6).contains(&typmod) {
        return us;
    }
    let scale = 10i64.pow(6 - typmod as u32);
    (us + scale / 2) / scale * scale
}

/// timetz_in: the stored text. `typmod` is the fractional-second
/// precision (-1: none).
pub fn timetz_in(text: &str, typmod: i32) -> Result<String, PgError> {
    let t = parse_input(text)?;
    Ok(format(TimeTz {
        micros: round_micros(t.micros, typmod),
        offset: t.offset,
    }))
}

/// A stored value rounded to a typmod (assignment to `time(p) with time
/// zone`, or an explicit cast).
pub fn timetz_apply_typmod(stored: &str, typmod: i32) -> Result<String, PgError> {
    let t = value(stored)?;
    Ok(format(TimeTz {
        micros: round_micros(t.micros, typmod),
        offset: t.offset,
    }))
}

// ------------------------------------------------------------------ comparison

/// The UTC-adjusted time (PostgreSQL's `time + zone`), then the zone as
/// seconds west.
fn cmp_values(a: TimeTz, b: TimeTz) -> Ordering {
    let ua = a.micros - a.offset as i64 * USECS_PER_SEC;
    let ub = b.micros - b.offset as i64 * USECS_PER_SEC;
    ua.cmp(&ub).then_with(|| (-a.offset).cmp(&(-b.offset)))
}

/// timetz_cmp_internal: by the UTC-adjusted time, then by zone (two
/// values are equal only with the same time and zone). Texts that are no
/// timetz compare as text, after every value.
pub fn timetz_cmp(a: &str, b: &str) -> Ordering {
    match (value(a), value(b)) {
        (Ok(x), Ok(y)) => cmp_values(x, y),
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Err(_), Err(_)) => a.cmp(b),
    }
}

/// Text whose byte order is [`timetz_cmp`] order (32 hex digits: the
/// UTC-adjusted time, then the zone west, both biased to unsigned).
pub fn timetz_sortkey(a: &str) -> String {
    match value(a) {
        Ok(t) => {
            let utc = t.micros - t.offset as i64 * USECS_PER_SEC;
            let west = -(t.offset as i64);
            format!(
                "{:016x}{:016x}",
                (utc as u64) ^ (1 << 63),
                (west as u64) ^ (1 << 63)
            )
        }
        Err(_) => format!("~{a}"),
    }
}

// ------------------------------------------------------------------ arithmetic

fn interval_arg(stored: &str) -> Result<Interval, PgError> {
    crate::interval::stored(stored).ok_or_else(|| {
        PgError::error(
            code::INVALID_DATETIME_FORMAT,
            format!("invalid input syntax for type interval: \"{stored}\""),
        )
    })
}

/// timetz +/- interval: the time part of the interval only, wrapping
/// around midnight; the zone is kept.
pub fn timetz_pl_interval(a: &str, interval_stored: &str, minus: bool) -> Result<String, PgError> {
    let t = value(a)?;
    let iv = interval_arg(interval_stored)?;
    let span = if minus {
        -(iv.micros as i128)
    } else {
        iv.micros as i128
    };
    let micros = (t.micros as i128 + span).rem_euclid(USECS_PER_DAY as i128) as i64;
    Ok(format(TimeTz {
        micros,
        offset: t.offset,
    }))
}

/// The value moved to another zone offset (seconds east).
fn shift(t: TimeTz, east: i32) -> TimeTz {
    let micros =
        (t.micros + (east as i64 - t.offset as i64) * USECS_PER_SEC).rem_euclid(USECS_PER_DAY);
    TimeTz {
        micros,
        offset: east,
    }
}

/// A POSIX zone with no daylight rules: `5`, `+05:30`, `UTC+10`,
/// `<+03>-3`; the offset counts hours west. Seconds east.
fn posix_offset(zone: &str) -> Option<i32> {
    let rest = if let Some(r) = zone.strip_prefix('<') {
        &r[r.find('>')? + 1..]
    } else {
        let name = zone.bytes().take_while(|b| b.is_ascii_alphabetic()).count();
        if name != 0 && name < 3 {
            return None;
        }
        &zone[name..]
    };
    let (sign, body) = match rest.as_bytes().first()? {
        b'+' => (1, &rest[1..]),
        b'-' => (-1, &rest[1..]),
        _ => (1, rest),
    };
    let parts: Vec<&str> = body.split(':').collect();
    if parts.len() > 3
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let v: Vec<i32> = parts.iter().map(|p| p.parse().unwrap_or(0)).collect();
    let (h, m, s) = (
        v[0],
        v.get(1).copied().unwrap_or(0),
        v.get(2).copied().unwrap_or(0),
    );
    if h > 167 || m > 59 || s > 59 {
        return None;
    }
    Some(-sign * (h * 3600 + m * 60 + s))
}

fn zone_not_recognized(zone: &str) -> PgError {
    PgError::error(
        code::INVALID_PARAMETER_VALUE,
        format!("time zone \"{zone}\" not recognized"),
    )
}

/// What timetz_zone takes for a zone: an abbreviation first (fixed, or a
/// dynamic one at the transaction's start), else a zone name's offset at
/// the transaction's start, else a POSIX offset. Seconds east.
fn zone_offset_now(zone: &str) -> Result<i32, PgError> {
    if zone.is_empty() || zone.contains(char::is_whitespace) {
        return Err(zone_not_recognized(zone));
    }
    // The offset datefmt's input gives the zone written after a date and
    // time (abbreviations first, as PostgreSQL reads them).
    let probe = |at: &str| match datefmt::decode(&format!("{at} {zone}")) {
        Ok(Decoded::At(_, Some(o))) => Some(o),
        _ => None,
    };
    let now = now_utc();
    match Tz::from_str_insensitive(zone) {
        Ok(tz) => {
            // A name that is also an abbreviation (CET) means the
            // abbreviation's fixed offset.
            for at in ["2000-01-15 12:00:00", "2000-07-15 12:00:00"] {
                let t = NaiveDateTime::from_str(&at.replace(' ', "T")).ok();
                let named = t.map(|t| tz.offset_from_utc_datetime(&t).fix().local_minus_utc());
                let read = probe(at);
                if read.is_some() && read != named {
                    return Ok(read.unwrap_or(0));
                }
            }
            Ok(tz.offset_from_utc_datetime(&now).fix().local_minus_utc())
        }
        Err(_) => {
            if let Some(east) = posix_offset(zone) {
                return Ok(east);
            }
            if !zone.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(zone_not_recognized(zone));
            }
            probe(&datefmt::stored_timestamp(now)).ok_or_else(|| zone_not_recognized(zone))
        }
    }
}

/// `timetz AT TIME ZONE 'zone'` (timetz_zone).
pub fn timetz_at_zone(a: &str, zone: &str) -> Result<String, PgError> {
    let t = value(a)?;
    let east = zone_offset_now(zone)?;
    Ok(format(shift(t, east)))
}

/// `timetz AT TIME ZONE interval` (timetz_izone): the interval's time part
/// in whole seconds is the offset east.
pub fn timetz_at_interval(a: &str, interval_stored: &str) -> Result<String, PgError> {
    let t = value(a)?;
    let iv = interval_arg(interval_stored)?;
    if iv.months != 0 || iv.days != 0 {
        return Err(PgError::error(
            code::INVALID_PARAMETER_VALUE,
            format!(
                "interval time zone \"{}\" must not include months or days",
                crate::interval::output(iv)
            ),
        ));
    }
    let east =
        i32::try_from(iv.micros / USECS_PER_SEC).map_err(|_| crate::interval::out_of_range())?;
    Ok(format(shift(t, east)))
}

/// `timetz AT LOCAL`: AT TIME ZONE the session's TimeZone (its offset at
/// the transaction's start).
pub fn timetz_at_local(a: &str) -> Result<String, PgError> {
    let t = value(a)?;
    Ok(format(shift(t, session_offset_at_utc(now_utc()))))
}

// ------------------------------------------------------------------ EXTRACT

enum Unit {
    Micro,
    Milli,
    Second,
    Minute,
    Hour,
    Zone,
    ZoneHour,
    ZoneMinute,
    Epoch,
}

/// DecodeUnits / DecodeSpecial for timetz_part: the name lowercased and
/// compared on its first 10 characters (TOKMAXLEN).
fn unit(field: &str) -> Result<Unit, PgError> {
    let lower = field.to_lowercase();
    let key: String = lower.chars().take(10).collect();
    Ok(match key.as_str() {
        "microsecon" | "us" | "usec" | "usecond" | "useconds" | "usecs" => Unit::Micro,
        "millisecon" | "ms" | "msec" | "msecond" | "mseconds" | "msecs" => Unit::Milli,
        "s" | "sec" | "second" | "seconds" | "secs" => Unit::Second,
        "m" | "min" | "mins" | "minute" | "minutes" => Unit::Minute,
        "h" | "hour" | "hours" | "hr" | "hrs" => Unit::Hour,
        "timezone" => Unit::Zone,
        "timezone_h" => Unit::ZoneHour,
        "timezone_m" => Unit::ZoneMinute,
        "epoch" => Unit::Epoch,
        "c" | "cent" | "centuries" | "century" | "d" | "day" | "days" | "dec" | "decade"
        | "decades" | "decs" | "j" | "jd" | "julian" | "mil" | "millennia" | "millennium"
        | "mils" | "mon" | "mons" | "month" | "months" | "qtr" | "quarter" | "w" | "week"
        | "weeks" | "y" | "year" | "years" | "yr" | "yrs" | "dow" | "doy" | "isodow"
        | "isoyear" => {
            return Err(PgError::error(
                code::FEATURE_NOT_SUPPORTED,
                format!("unit \"{lower}\" not supported for type {TYPE_NAME}"),
            ))
        }
        _ => {
            return Err(PgError::error(
                code::INVALID_PARAMETER_VALUE,
                format!("unit \"{lower}\" not recognized for type {TYPE_NAME}"),
            ))
        }
    })
}

/// `value / 10^scale` as numeric text with exactly `scale` digits.
fn scaled(value: i128, scale: u32) -> String {
    let div = 10u128.pow(scale);
    let abs = value.unsigned_abs();
    let mut s = String::new();
    if value < 0 {
        s.push('-');
    }
    s.push_str(&(abs / div).to_string());
    if scale > 0 {
        s.push_str(&format!(".{:0width$}", abs % div, width = scale as usize));
    }
    s
}

/// EXTRACT (`numeric`: numeric text, as [`crate::interval::extract_time`]
/// gives it) or date_part (float8, as text that reads back exactly) of a
/// timetz.
pub fn timetz_part(field: &str, a: &str, numeric: bool) -> Result<String, PgError> {
    let unit = unit(field)?;
    let t = value(a)?;
    let us = t.micros;
    let sec_us = us % USECS_PER_MINUTE;
    let (sec, frac) = (sec_us / USECS_PER_SEC, sec_us % USECS_PER_SEC);
    let east = t.offset as i64;
    let int = |v: i64| v.to_string();
    let float = |v: f64| format!("{v}");
    Ok(match unit {
        Unit::Micro => int(sec_us),
        Unit::Milli if numeric => scaled(sec_us as i128, 3),
        Unit::Milli => float(sec as f64 * 1000.0 + frac as f64 / 1000.0),
        Unit::Second if numeric => scaled(sec_us as i128, 6),
        Unit::Second => float(sec as f64 + frac as f64 / 1_000_000.0),
        Unit::Minute => int((us / USECS_PER_MINUTE) % 60),
        Unit::Hour => int(us / USECS_PER_HOUR),
        Unit::Zone => int(east),
        Unit::ZoneHour => int(east / 3600),
        Unit::ZoneMinute => int((east / 60) % 60),
        Unit::Epoch if numeric => scaled(us as i128 - east as i128 * USECS_PER_SEC as i128, 6),
        Unit::Epoch => float(us as f64 / 1_000_000.0 - east as f64),
    })
}

// ------------------------------------------------------------------ casts

/// timetz to time: the time of day, the zone dropped (microseconds).
pub fn timetz_to_time(a: &str) -> Result<i64, PgError> {
    value(a).map(|t| t.micros)
}

/// time to timetz: with the session TimeZone's offset at that time of
/// today (time_timetz).
pub fn time_to_timetz(micros: i64) -> String {
    let local =
        today().and_hms_opt(0, 0, 0).expect("midnight") + chrono::Duration::microseconds(micros);
    format(TimeTz {
        micros,
        offset: session_offset_local(local),
    })
}

/// timestamptz to timetz: the local time and offset in the session's
/// TimeZone; None (SQL NULL) for an infinite timestamp.
pub fn timestamptz_to_timetz(stored_timestamptz: &str) -> Result<Option<String>, PgError> {
    if stored_timestamptz.ends_with("infinity") {
        return Ok(None);
    }
    let (local, offset, _) = datefmt::session_local(stored_timestamptz).ok_or_else(|| {
        PgError::error(
            code::INVALID_DATETIME_FORMAT,
            format!("invalid stored date/time value: \"{stored_timestamptz}\""),
        )
    })?;
    Ok(Some(format(TimeTz {
        micros: micros_of_day(local),
        offset,
    })))
}

/// date + timetz (and timestamptz(date, timetz)): a stored timestamptz.
pub fn date_pl_timetz(stored_date: &str, a: &str) -> Result<String, PgError> {
    if stored_date == "infinity" || stored_date == "-infinity" {
        return Ok(stored_date.to_string());
    }
    let t = value(a)?;
    let day = datefmt::load_date(stored_date).ok_or_else(|| {
        PgError::error(
            code::INVALID_DATETIME_FORMAT,
            format!("invalid stored date/time value: \"{stored_date}\""),
        )
    })?;
    let utc = day.and_hms_opt(0, 0, 0).expect("midnight")
        + chrono::Duration::microseconds(t.micros - t.offset as i64 * USECS_PER_SEC);
    if !datefmt::in_stored_range(utc) {
        return Err(PgError::error(
            code::DATETIME_FIELD_OVERFLOW,
            "timestamp out of range",
        ));
    }
    Ok(stored_tz(utc))
}

// ------------------------------------------------------------------ SQL functions

fn text_arg(ctx: &Context<'_>, i: usize) -> rusqlite::Result<Option<String>> {
    ctx.get::<Option<String>>(i)
}

fn pg<T>(r: Result<T, PgError>) -> rusqlite::Result<T> {
    r.map_err(function_error)
}

struct Extreme(Ordering);
impl Aggregate<Option<(TimeTz, String)>, Option<String>> for Extreme {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<Option<(TimeTz, String)>> {
        Ok(None)
    }
    fn step(
        &self,
        ctx: &mut Context<'_>,
        acc: &mut Option<(TimeTz, String)>,
    ) -> rusqlite::Result<()> {
        if let Some(s) = text_arg(ctx, 0)? {
            let t = pg(value(&s))?;
            if acc
                .as_ref()
                .is_none_or(|(a, _)| cmp_values(t, *a) == self.0)
            {
                *acc = Some((t, format(t)));
            }
        }
        Ok(())
    }
    fn finalize(
        &self,
        _: &mut Context<'_>,
        acc: Option<Option<(TimeTz, String)>>,
    ) -> rusqlite::Result<Option<String>> {
        Ok(acc.flatten().map(|(_, s)| s))
    }
}

/// Registers the timetz functions (NULL in, NULL out):
/// `pg_timetz_in(text [, typmod])`, `pg_timetz_typmod(a, typmod)`,
/// `pg_timetz_cmp(a, b)` (-1/0/1), `pg_timetz_sortkey(a)`,
/// `pg_timetz_pl_interval(a, iv)`, `pg_timetz_mi_interval(a, iv)`,
/// `pg_timetz_at_zone(a, zone)`, `pg_timetz_at_interval(a, iv)`,
/// `pg_timetz_at_local(a)`, `pg_timetz_part(field, a)` (float8),
/// `pg_timetz_extract(field, a)` (numeric text), `pg_timetz_time(a)`,
/// `pg_time_timetz(t)`, `pg_timestamptz_timetz(ts)`,
/// `pg_date_pl_timetz(date, a)`, `pg_timetz_larger(a, b)`,
/// `pg_timetz_smaller(a, b)` and the aggregates `pg_timetz_min(a)`,
/// `pg_timetz_max(a)`.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    let det = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    // Reads the session's TimeZone or the transaction's start.
    let session = FunctionFlags::SQLITE_UTF8;
    for n in [1, 2] {
        conn.create_scalar_function("pg_timetz_in", n, session, move |ctx| {
            let Some(t) = text_arg(ctx, 0)? else {
                return Ok(None);
            };
            let typmod = if n == 2 {
                ctx.get::<Option<i64>>(1)?.unwrap_or(-1) as i32
            } else {
                -1
            };
            pg(timetz_in(&t, typmod)).map(Some)
        })?;
    }
    conn.create_scalar_function("pg_timetz_typmod", 2, det, |ctx| {
        let Some(t) = text_arg(ctx, 0)? else {
            return Ok(None);
        };
        let typmod = ctx.get::<Option<i64>>(1)?.unwrap_or(-1) as i32;
        pg(timetz_apply_typmod(&t, typmod)).map(Some)
    })?;
    conn.create_scalar_function("pg_timetz_cmp", 2, det, |ctx| {
        let (Some(a), Some(b)) = (text_arg(ctx, 0)?, text_arg(ctx, 1)?) else {
            return Ok(None);
        };
        let (a, b) = (pg(value(&a))?, pg(value(&b))?);
        Ok(Some(cmp_values(a, b) as i64))
    })?;
    for (name, larger) in [("pg_timetz_larger", true), ("pg_timetz_smaller", false)] {
        conn.create_scalar_function(name, 2, det, move |ctx| {
            let (Some(a), Some(b)) = (text_arg(ctx, 0)?, text_arg(ctx, 1)?) else {
                return Ok(None);
            };
            let (x, y) = (pg(value(&a))?, pg(value(&b))?);
            let first = match cmp_values(x, y) {
                Ordering::Greater => larger,
                Ordering::Less => !larger,
                Ordering::Equal => true,
            };
            Ok(Some(format(if first { x } else { y })))
        })?;
    }
    conn.create_scalar_function("pg_timetz_sortkey", 1, det, |ctx| {
        Ok(text_arg(ctx, 0)?.map(|a| timetz_sortkey(&a)))
    })?;
    for (name, minus) in [
        ("pg_timetz_pl_interval", false),
        ("pg_timetz_mi_interval", true),
    ] {
        conn.create_scalar_function(name, 2, det, move |ctx| {
            let (Some(a), Some(iv)) = (text_arg(ctx, 0)?, text_arg(ctx, 1)?) else {
                return Ok(None);
            };
            pg(timetz_pl_interval(&a, &iv, minus)).map(Some)
        })?;
    }
    conn.create_scalar_function("pg_timetz_at_zone", 2, session, |ctx| {
        let (Some(a), Some(z)) = (text_arg(ctx, 0)?, text_arg(ctx, 1)?) else {
            return Ok(None);
        };
        pg(timetz_at_zone(&a, &z)).map(Some)
    })?;
    conn.create_scalar_function("pg_timetz_at_interval", 2, session, |ctx| {
        let (Some(a), Some(iv)) = (text_arg(ctx, 0)?, text_arg(ctx, 1)?) else {
            return Ok(None);
        };
        pg(timetz_at_interval(&a, &iv)).map(Some)
    })?;
    conn.create_scalar_function("pg_timetz_at_local", 1, session, |ctx| {
        match text_arg(ctx, 0)? {
            Some(a) => pg(timetz_at_local(&a)).map(Some),
            None => Ok(None),
        }
    })?;
    conn.create_scalar_function("pg_timetz_part", 2, det, |ctx| {
        let (Some(f), Some(a)) = (text_arg(ctx, 0)?, text_arg(ctx, 1)?) else {
            return Ok(None);
        };
        let text = pg(timetz_part(&f, &a, false))?;
        Ok(Some(text.parse::<f64>().unwrap_or(f64::NAN)))
    })?;
    conn.create_scalar_function("pg_timetz_extract", 2, det, |ctx| {
        let (Some(f), Some(a)) = (text_arg(ctx, 0)?, text_arg(ctx, 1)?) else {
            return Ok(None);
        };
        pg(timetz_part(&f, &a, true)).map(Some)
    })?;
    conn.create_scalar_function("pg_timetz_time", 1, det, |ctx| match text_arg(ctx, 0)? {
        Some(a) => pg(timetz_to_time(&a)).map(|us| Some(crate::datetime::format_time(us))),
        None => Ok(None),
    })?;
    conn.create_scalar_function("pg_time_timetz", 1, session, |ctx| {
        match text_arg(ctx, 0)? {
            Some(t) => {
                let us = crate::datetime::parse_time(&t)
                    .ok_or_else(|| {
                        PgError::error(
                            code::INVALID_DATETIME_FORMAT,
                            format!(
                                "invalid input syntax for type time without time zone: \"{t}\""
                            ),
                        )
                    })
                    .map_err(function_error)?;
                Ok(Some(time_to_timetz(us)))
            }
            None => Ok(None),
        }
    })?;
    conn.create_scalar_function("pg_timestamptz_timetz", 1, session, |ctx| {
        match text_arg(ctx, 0)? {
            Some(ts) => pg(timestamptz_to_timetz(&ts)),
            None => Ok(None),
        }
    })?;
    conn.create_scalar_function("pg_date_pl_timetz", 2, det, |ctx| {
        let (Some(d), Some(a)) = (text_arg(ctx, 0)?, text_arg(ctx, 1)?) else {
            return Ok(None);
        };
        pg(date_pl_timetz(&d, &a)).map(Some)
    })?;
    conn.create_aggregate_function("pg_timetz_min", 1, det, Extreme(Ordering::Less))?;
    conn.create_aggregate_function("pg_timetz_max", 1, det, Extreme(Ordering::Greater))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    // Every expected value below is PostgreSQL 15's answer to the same
    // statement (with the same TimeZone). Named zones' AT TIME ZONE and
    // inputs without a date or zone use today's offset, so those cases use
    // zones without daylight-saving time.

    /// (TimeZone, input, typmod, PostgreSQL 15's output or `ERR code message`).
    const INPUTS: &[(&str, &str, i32, &str)] = &[
        ("PST8PDT", "00:01 PDT", -1, "00:01:00-07"),
        ("PST8PDT", "01:00 PDT", -1, "01:00:00-07"),
        ("PST8PDT", "02:03 PST", -1, "02:03:00-08"),
        ("PST8PDT", "07:07 PST", -1, "07:07:00-08"),
        ("PST8PDT", "08:08 EDT", -1, "08:08:00-04"),
        ("PST8PDT", "11:59 EDT", -1, "11:59:00-04"),
        ("PST8PDT", "23:59 EDT", -1, "23:59:00-04"),
        ("PST8PDT", "11:59:59.99 PM PDT", -1, "23:59:59.99-07"),
        ("PST8PDT", "11:59:59.99 PM PDT", 2, "23:59:59.99-07"),
        ("PST8PDT", "2003-03-07 15:36:39 America/New_York", -1, "15:36:39-05"),
        ("PST8PDT", "2003-07-07 15:36:39 America/New_York", -1, "15:36:39-04"),
        ("PST8PDT", "15:36:39 America/New_York", -1, "ERR 22007 invalid input syntax for type time with time zone: \"15:36:39 America/New_York\""),
        ("PST8PDT", "15:36:39 m2", -1, "ERR 22007 invalid input syntax for type time with time zone: \"15:36:39 m2\""),
        ("PST8PDT", "15:36:39 MSK m2", -1, "ERR 22007 invalid input syntax for type time with time zone: \"15:36:39 MSK m2\""),
        ("PST8PDT", "15:36:39 MSK", -1, "15:36:39+03"),
        ("PST8PDT", "2003-01-01 15:36:39 MSK", -1, "15:36:39+03"),
        ("PST8PDT", "2011-06-01 12:00 Europe/Moscow", -1, "12:00:00+04"),
        ("PST8PDT", "1970-01-01 00:00:00+05", -1, "00:00:00+05"),
        ("PST8PDT", "24:00:00+05", -1, "24:00:00+05"),
        ("PST8PDT", "24:00:00.01+05", -1, "ERR 22008 date/time field value out of range: \"24:00:00.01+05\""),
        ("PST8PDT", "23:59:59.999999 PDT", -1, "23:59:59.999999-07"),
        ("PST8PDT", "23:59:59.9999999 PDT", -1, "24:00:00-07"),
        ("PST8PDT", "23:59:60 PDT", -1, "24:00:00-07"),
        ("PST8PDT", "24:00:00 PDT", -1, "24:00:00-07"),
        ("PST8PDT", "24:00:00.01 PDT", -1, "ERR 22008 date/time field value out of range: \"24:00:00.01 PDT\""),
        ("PST8PDT", "23:59:60.01 PDT", -1, "ERR 22008 date/time field value out of range: \"23:59:60.01 PDT\""),
        ("PST8PDT", "24:01:00 PDT", -1, "ERR 22008 date/time field value out of range: \"24:01:00 PDT\""),
        ("PST8PDT", "25:00:00 PDT", -1, "ERR 22008 date/time field value out of range: \"25:00:00 PDT\""),
        ("PST8PDT", "12:00+02", -1, "12:00:00+02"),
        ("PST8PDT", "12:00-0800", -1, "12:00:00-08"),
        ("PST8PDT", "12:00+05:30", -1, "12:00:00+05:30"),
        ("PST8PDT", "12:00 +05:30:15", -1, "12:00:00+05:30:15"),
        ("PST8PDT", "12:00-08:00:00", -1, "12:00:00-08"),
        ("PST8PDT", "12:00+16", -1, "ERR 22009 time zone displacement out of range: \"12:00+16\""),
        ("PST8PDT", "12:00 +1600", -1, "ERR 22009 time zone displacement out of range: \"12:00 +1600\""),
        ("PST8PDT", "12:00 +05:60", -1, "ERR 22009 time zone displacement out of range: \"12:00 +05:60\""),
        ("PST8PDT", "12:00+15:59:59", -1, "12:00:00+15:59:59"),
        ("PST8PDT", "12:00 -15", -1, "12:00:00-15"),
        ("PST8PDT", "allballs", -1, "00:00:00+00"),
        ("PST8PDT", "allballs z", -1, "ERR 22007 invalid input syntax for type time with time zone: \"allballs z\""),
        ("PST8PDT", "12:00 zulu", -1, "12:00:00+00"),
        ("PST8PDT", "12:00z", -1, "12:00:00+00"),
        ("PST8PDT", "12:00 UTC", -1, "12:00:00+00"),
        ("PST8PDT", "epoch", -1, "ERR 22007 invalid input syntax for type time with time zone: \"epoch\""),
        ("PST8PDT", "today", -1, "ERR 22007 invalid input syntax for type time with time zone: \"today\""),
        ("PST8PDT", "today 12:00", -1, "ERR 22007 invalid input syntax for type time with time zone: \"today 12:00\""),
        ("PST8PDT", "infinity", -1, "ERR 22007 invalid input syntax for type time with time zone: \"infinity\""),
        ("PST8PDT", "foo", -1, "ERR 22007 invalid input syntax for type time with time zone: \"foo\""),
        ("PST8PDT", "", -1, "ERR 22007 invalid input syntax for type time with time zone: \"\""),
        ("PST8PDT", "12:00 PDT PST", -1, "ERR 22007 invalid input syntax for type time with time zone: \"12:00 PDT PST\""),
        ("PST8PDT", "13:00 PM", -1, "ERR 22008 date/time field value out of range: \"13:00 PM\""),
        ("PST8PDT", "12:00 AM PDT", -1, "00:00:00-07"),
        ("PST8PDT", "12:00 PM PDT", -1, "12:00:00-07"),
        ("PST8PDT", "12:00 AM +03", -1, "00:00:00+03"),
        ("PST8PDT", "2003-07-07 12:00", -1, "12:00:00-07"),
        ("PST8PDT", "2003-01-07 12:00", -1, "12:00:00-08"),
        ("PST8PDT", "2003-07-07 12:00 PDT", -1, "12:00:00-07"),
        ("PST8PDT", "2003-07-07 24:00 America/New_York", -1, "24:00:00-04"),
        ("PST8PDT", "12:00 2003-07-07", -1, "ERR 22007 invalid input syntax for type time with time zone: \"12:00 2003-07-07\""),
        ("PST8PDT", "July 7 2003 12:00 America/New_York", -1, "ERR 22007 invalid input syntax for type time with time zone: \"July 7 2003 12:00 America/New_York\""),
        ("PST8PDT", "2003-07-07", -1, "ERR 22007 invalid input syntax for type time with time zone: \"2003-07-07\""),
        ("PST8PDT", "12:00:00.5 PST8PDT", -1, "ERR 22007 invalid input syntax for type time with time zone: \"12:00:00.5 PST8PDT\""),
        ("PST8PDT", "12:00 GMT+8", -1, "12:00:00-08"),
        ("PST8PDT", "12:00 UTC+3", -1, "12:00:00-03"),
        ("PST8PDT", "12.30", -1, "ERR 22007 invalid input syntax for type time with time zone: \"12.30\""),
        ("PST8PDT", "7/7/2003 12:00", -1, "12:00:00-07"),
        ("PST8PDT", "12:00:00.125 PDT", 2, "12:00:00.13-07"),
        ("PST8PDT", "12:00:00.135-07", 2, "12:00:00.14-07"),
        ("PST8PDT", "23:59:59.999-07", 2, "24:00:00-07"),
        ("PST8PDT", "12:00:00.5-07", 0, "12:00:01-07"),
        ("PST8PDT", "12:00:00.123456789-07", -1, "12:00:00.123457-07"),
        ("PST8PDT", "2020-05-26 13:30:25.575401-04", -1, "13:30:25.575401-04"),
        ("PST8PDT", "2020-05-26 13:30:25.575401-04:30", -1, "13:30:25.575401-04:30"),
        ("Asia/Kolkata", "12:00", -1, "12:00:00+05:30"),
        ("Asia/Kolkata", "12:01", -1, "12:01:00+05:30"),
        ("Asia/Kolkata", "1:2:3", -1, "01:02:03+05:30"),
        ("Asia/Kolkata", "1230", -1, "12:30:00+05:30"),
        ("Asia/Kolkata", "040506", -1, "04:05:06+05:30"),
        ("Asia/Kolkata", "00:30 AM", -1, "00:30:00+05:30"),
        ("Asia/Kolkata", "00:30 PM", -1, "12:30:00+05:30"),
        ("Asia/Kolkata", "0:30am", -1, "00:30:00+05:30"),
        ("Asia/Kolkata", "2003-07-07 00:15 AM", -1, "00:15:00+05:30"),
        ("Asia/Kolkata", "0:30 AM PDT", -1, "00:30:00-07"),
        ("Asia/Kolkata", "11:59:59.99 PM", -1, "23:59:59.99+05:30"),
        ("Asia/Kolkata", "23:59:60", -1, "24:00:00+05:30"),
        ("UTC", "12:00", -1, "12:00:00+00"),
        ("Asia/Tokyo", "05:06:07", -1, "05:06:07+09"),
        ("Asia/Kolkata", "2003-07-07 12:00", -1, "12:00:00+05:30"),
        ("America/Phoenix", "2003-07-07 12:00", -1, "12:00:00-07"),
    ];
    /// Values whose pairwise timetz_cmp PostgreSQL gives in CMP.
    const CMP_VALUES: &[&str] = &[
        "00:01:00-07",
        "07:07:00-08",
        "08:08:00-04",
        "23:59:59.99-07",
        "15:36:39-05",
        "15:36:39-04",
        "05:06:07-07",
        "00:00:00-07",
        "12:00:00+01",
        "11:00:00+00",
        "24:00:00+00",
        "00:00:00+00",
        "24:00:00-15:59:59",
        "00:00:00+15:59:59",
        "12:00:00+05:30:15",
    ];
    /// timetz_cmp(CMP_VALUES[i], CMP_VALUES[j]) row by row.
    const CMP: &[i8] = &[
        0, -1, -1, -1, -1, -1, -1, 1, -1, -1, -1, 1, -1, 1, 1, 1, 0, 1, -1, -1, -1, 1, 1, 1, 1, -1,
        1, -1, 1, 1, 1, -1, 0, -1, -1, -1, 1, 1, 1, 1, -1, 1, -1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1,
        1, 1, 1, -1, 1, 1, 1, 1, 1, -1, 0, 1, 1, 1, 1, 1, -1, 1, -1, 1, 1, 1, 1, 1, -1, -1, 0, 1,
        1, 1, 1, -1, 1, -1, 1, 1, 1, -1, -1, -1, -1, -1, 0, 1, 1, 1, -1, 1, -1, 1, 1, -1, -1, -1,
        -1, -1, -1, -1, 0, -1, -1, -1, 1, -1, 1, 1, 1, -1, -1, -1, -1, -1, -1, 1, 0, -1, -1, 1, -1,
        1, 1, 1, -1, -1, -1, -1, -1, -1, 1, 1, 0, -1, 1, -1, 1, 1, 1, 1, 1, -1, 1, 1, 1, 1, 1, 1,
        0, 1, -1, 1, 1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, -1, 1, -1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 0, 1, 1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 1, -1, 1, 0,
    ];
    /// (timetz, interval input, minus, result).
    const ARITH: &[(&str, &str, bool, &str)] = &[
        ("12:00:00-07", "1 day 3 hours", false, "15:00:00-07"),
        ("12:00:00-07", "13 hours", true, "23:00:00-07"),
        ("12:00:00-07", "1 mon -25 hours", false, "11:00:00-07"),
        (
            "12:00:00.5+05:30",
            "-12:00:00.75",
            true,
            "00:00:01.25+05:30",
        ),
        ("12:00:00-07", "1000 hours", false, "04:00:00-07"),
        ("24:00:00-07", "0", false, "00:00:00-07"),
        ("00:00:00+00", "1 microsecond", true, "23:59:59.999999+00"),
        (
            "23:59:59.999999-07",
            "00:00:00.000001",
            false,
            "00:00:00-07",
        ),
    ];
    /// (timetz, zone, result) of AT TIME ZONE text (fixed offsets only:
    /// a named zone's offset is today's).
    const AT_ZONE: &[(&str, &str, &str)] = &[
        ("00:01:00-07", "UTC", "07:01:00+00"),
        ("00:01:00-07", "UTC+10", "21:01:00-10"),
        ("12:00:00-07", "PST", "11:00:00-08"),
        ("12:00:00-07", "pst", "11:00:00-08"),
        ("12:00:00-07", "Asia/Kolkata", "00:30:00+05:30"),
        ("12:00:00-07", "MSK", "22:00:00+03"),
        ("12:00:00-07", "+05", "14:00:00-05"),
        ("12:00:00-07", "-05:30", "00:30:00+05:30"),
        ("12:00:00-07", "5", "14:00:00-05"),
        (
            "12:00:00-07",
            "foo",
            "ERR 22023 time zone \"foo\" not recognized",
        ),
        ("12:00:00-07", "UTC-05:30", "00:30:00+05:30"),
        ("12:00:00-07", "<+03>-3", "22:00:00+03"),
        ("12:00:00-07", "GMT+8", "11:00:00-08"),
        ("12:00:00-07", "Z", "19:00:00+00"),
        ("12:00:00-07", "zulu", "19:00:00+00"),
        ("12:00:00-07", "GMT", "19:00:00+00"),
        ("12:00:00-07", "CET", "20:00:00+01"),
        ("12:00:00-07", "cet", "20:00:00+01"),
        ("12:00:00-07", "EET", "21:00:00+02"),
        ("12:00:00-07", "Japan", "04:00:00+09"),
        (
            "12:00:00-07",
            " UTC",
            "ERR 22023 time zone \" UTC\" not recognized",
        ),
        ("12:00:00-07", "", "ERR 22023 time zone \"\" not recognized"),
        ("24:00:00-07", "PDT", "00:00:00-07"),
        ("12:00:00-07", "+25", "18:00:00-25"),
        ("23:59:59.99-07", "Etc/GMT+10", "20:59:59.99-10"),
        ("15:36:39-04", "EST", "14:36:39-05"),
    ];
    /// (timetz, interval input, result) of AT TIME ZONE interval.
    const AT_INTERVAL: &[(&str, &str, &str)] = &[
        ("23:59:59.99-07", "-10:00", "20:59:59.99-10"),
        ("00:01:00-07", "00:00", "07:01:00+00"),
        (
            "12:00:00-07",
            "1 day",
            "ERR 22023 interval time zone \"1 day\" must not include months or days",
        ),
        (
            "12:00:00-07",
            "1 mon 2 hours",
            "ERR 22023 interval time zone \"1 mon 02:00:00\" must not include months or days",
        ),
        ("12:00:00-07", "20 hours", "15:00:00+20"),
        ("12:00:00-07", "05:30:15.5", "00:30:15+05:30:15"),
        ("12:00:00-07", "-00:00:01", "18:59:59-00:00:01"),
        ("24:00:00-07", "-07:00", "00:00:00-07"),
    ];
    /// (field, timetz, EXTRACT (numeric) or date_part (float8), result).
    const PARTS: &[(&str, &str, bool, &str)] = &[
        ("microsecond", "13:30:25.575401-04", true, "25575401"),
        ("microsecond", "13:30:25.575401-04", false, "25575401"),
        ("microsecond", "13:30:25.575401-04:30", true, "25575401"),
        ("microsecond", "13:30:25.575401-04:30", false, "25575401"),
        ("microsecond", "24:00:00-15:59:59", true, "0"),
        ("microsecond", "24:00:00-15:59:59", false, "0"),
        ("microsecond", "00:00:00+05:30:15", true, "0"),
        ("microsecond", "00:00:00+05:30:15", false, "0"),
        ("microsecond", "13:30:00-00:30", true, "0"),
        ("microsecond", "13:30:00-00:30", false, "0"),
        ("millisecond", "13:30:25.575401-04", true, "25575.401"),
        ("millisecond", "13:30:25.575401-04", false, "25575.401"),
        ("millisecond", "13:30:25.575401-04:30", true, "25575.401"),
        ("millisecond", "13:30:25.575401-04:30", false, "25575.401"),
        ("millisecond", "24:00:00-15:59:59", true, "0.000"),
        ("millisecond", "24:00:00-15:59:59", false, "0"),
        ("millisecond", "00:00:00+05:30:15", true, "0.000"),
        ("millisecond", "00:00:00+05:30:15", false, "0"),
        ("millisecond", "13:30:00-00:30", true, "0.000"),
        ("millisecond", "13:30:00-00:30", false, "0"),
        ("second", "13:30:25.575401-04", true, "25.575401"),
        ("second", "13:30:25.575401-04", false, "25.575401"),
        ("second", "13:30:25.575401-04:30", true, "25.575401"),
        ("second", "13:30:25.575401-04:30", false, "25.575401"),
        ("second", "24:00:00-15:59:59", true, "0.000000"),
        ("second", "24:00:00-15:59:59", false, "0"),
        ("second", "00:00:00+05:30:15", true, "0.000000"),
        ("second", "00:00:00+05:30:15", false, "0"),
        ("second", "13:30:00-00:30", true, "0.000000"),
        ("second", "13:30:00-00:30", false, "0"),
        ("minute", "13:30:25.575401-04", true, "30"),
        ("minute", "13:30:25.575401-04", false, "30"),
        ("minute", "13:30:25.575401-04:30", true, "30"),
        ("minute", "13:30:25.575401-04:30", false, "30"),
        ("minute", "24:00:00-15:59:59", true, "0"),
        ("minute", "24:00:00-15:59:59", false, "0"),
        ("minute", "00:00:00+05:30:15", true, "0"),
        ("minute", "00:00:00+05:30:15", false, "0"),
        ("minute", "13:30:00-00:30", true, "30"),
        ("minute", "13:30:00-00:30", false, "30"),
        ("hour", "13:30:25.575401-04", true, "13"),
        ("hour", "13:30:25.575401-04", false, "13"),
        ("hour", "13:30:25.575401-04:30", true, "13"),
        ("hour", "13:30:25.575401-04:30", false, "13"),
        ("hour", "24:00:00-15:59:59", true, "24"),
        ("hour", "24:00:00-15:59:59", false, "24"),
        ("hour", "00:00:00+05:30:15", true, "0"),
        ("hour", "00:00:00+05:30:15", false, "0"),
        ("hour", "13:30:00-00:30", true, "13"),
        ("hour", "13:30:00-00:30", false, "13"),
        (
            "day",
            "13:30:25.575401-04",
            true,
            "ERR 0A000 unit \"day\" not supported for type time with time zone",
        ),
        (
            "day",
            "13:30:25.575401-04",
            false,
            "ERR 0A000 unit \"day\" not supported for type time with time zone",
        ),
        (
            "day",
            "13:30:25.575401-04:30",
            true,
            "ERR 0A000 unit \"day\" not supported for type time with time zone",
        ),
        (
            "day",
            "13:30:25.575401-04:30",
            false,
            "ERR 0A000 unit \"day\" not supported for type time with time zone",
        ),
        (
            "day",
            "24:00:00-15:59:59",
            true,
            "ERR 0A000 unit \"day\" not supported for type time with time zone",
        ),
        (
            "day",
            "24:00:00-15:59:59",
            false,
            "ERR 0A000 unit \"day\" not supported for type time with time zone",
        ),
        (
            "day",
            "00:00:00+05:30:15",
            true,
            "ERR 0A000 unit \"day\" not supported for type time with time zone",
        ),
        (
            "day",
            "00:00:00+05:30:15",
            false,
            "ERR 0A000 unit \"day\" not supported for type time with time zone",
        ),
        (
            "day",
            "13:30:00-00:30",
            true,
            "ERR 0A000 unit \"day\" not supported for type time with time zone",
        ),
        (
            "day",
            "13:30:00-00:30",
            false,
            "ERR 0A000 unit \"day\" not supported for type time with time zone",
        ),
        (
            "fortnight",
            "13:30:25.575401-04",
            true,
            "ERR 22023 unit \"fortnight\" not recognized for type time with time zone",
        ),
        (
            "fortnight",
            "13:30:25.575401-04",
            false,
            "ERR 22023 unit \"fortnight\" not recognized for type time with time zone",
        ),
        (
            "fortnight",
            "13:30:25.575401-04:30",
            true,
            "ERR 22023 unit \"fortnight\" not recognized for type time with time zone",
        ),
        (
            "fortnight",
            "13:30:25.575401-04:30",
            false,
            "ERR 22023 unit \"fortnight\" not recognized for type time with time zone",
        ),
        (
            "fortnight",
            "24:00:00-15:59:59",
            true,
            "ERR 22023 unit \"fortnight\" not recognized for type time with time zone",
        ),
        (
            "fortnight",
            "24:00:00-15:59:59",
            false,
            "ERR 22023 unit \"fortnight\" not recognized for type time with time zone",
        ),
        (
            "fortnight",
            "00:00:00+05:30:15",
            true,
            "ERR 22023 unit \"fortnight\" not recognized for type time with time zone",
        ),
        (
            "fortnight",
            "00:00:00+05:30:15",
            false,
            "ERR 22023 unit \"fortnight\" not recognized for type time with time zone",
        ),
        (
            "fortnight",
            "13:30:00-00:30",
            true,
            "ERR 22023 unit \"fortnight\" not recognized for type time with time zone",
        ),
        (
            "fortnight",
            "13:30:00-00:30",
            false,
            "ERR 22023 unit \"fortnight\" not recognized for type time with time zone",
        ),
        ("timezone", "13:30:25.575401-04", true, "-14400"),
        ("timezone", "13:30:25.575401-04", false, "-14400"),
        ("timezone", "13:30:25.575401-04:30", true, "-16200"),
        ("timezone", "13:30:25.575401-04:30", false, "-16200"),
        ("timezone", "24:00:00-15:59:59", true, "-57599"),
        ("timezone", "24:00:00-15:59:59", false, "-57599"),
        ("timezone", "00:00:00+05:30:15", true, "19815"),
        ("timezone", "00:00:00+05:30:15", false, "19815"),
        ("timezone", "13:30:00-00:30", true, "-1800"),
        ("timezone", "13:30:00-00:30", false, "-1800"),
        ("timezone_hour", "13:30:25.575401-04", true, "-4"),
        ("timezone_hour", "13:30:25.575401-04", false, "-4"),
        ("timezone_hour", "13:30:25.575401-04:30", true, "-4"),
        ("timezone_hour", "13:30:25.575401-04:30", false, "-4"),
        ("timezone_hour", "24:00:00-15:59:59", true, "-15"),
        ("timezone_hour", "24:00:00-15:59:59", false, "-15"),
        ("timezone_hour", "00:00:00+05:30:15", true, "5"),
        ("timezone_hour", "00:00:00+05:30:15", false, "5"),
        ("timezone_hour", "13:30:00-00:30", true, "0"),
        ("timezone_hour", "13:30:00-00:30", false, "0"),
        ("timezone_minute", "13:30:25.575401-04", true, "0"),
        ("timezone_minute", "13:30:25.575401-04", false, "0"),
        ("timezone_minute", "13:30:25.575401-04:30", true, "-30"),
        ("timezone_minute", "13:30:25.575401-04:30", false, "-30"),
        ("timezone_minute", "24:00:00-15:59:59", true, "-59"),
        ("timezone_minute", "24:00:00-15:59:59", false, "-59"),
        ("timezone_minute", "00:00:00+05:30:15", true, "30"),
        ("timezone_minute", "00:00:00+05:30:15", false, "30"),
        ("timezone_minute", "13:30:00-00:30", true, "-30"),
        ("timezone_minute", "13:30:00-00:30", false, "-30"),
        ("epoch", "13:30:25.575401-04", true, "63025.575401"),
        ("epoch", "13:30:25.575401-04", false, "63025.575401"),
        ("epoch", "13:30:25.575401-04:30", true, "64825.575401"),
        ("epoch", "13:30:25.575401-04:30", false, "64825.575401"),
        ("epoch", "24:00:00-15:59:59", true, "143999.000000"),
        ("epoch", "24:00:00-15:59:59", false, "143999"),
        ("epoch", "00:00:00+05:30:15", true, "-19815.000000"),
        ("epoch", "00:00:00+05:30:15", false, "-19815"),
        ("epoch", "13:30:00-00:30", true, "50400.000000"),
        ("epoch", "13:30:00-00:30", false, "50400"),
        ("microseconds", "13:30:25.575401-04", true, "25575401"),
        ("microseconds", "13:30:25.575401-04", false, "25575401"),
        ("microseconds", "13:30:25.575401-04:30", true, "25575401"),
        ("microseconds", "13:30:25.575401-04:30", false, "25575401"),
        ("microseconds", "24:00:00-15:59:59", true, "0"),
        ("microseconds", "24:00:00-15:59:59", false, "0"),
        ("microseconds", "00:00:00+05:30:15", true, "0"),
        ("microseconds", "00:00:00+05:30:15", false, "0"),
        ("microseconds", "13:30:00-00:30", true, "0"),
        ("microseconds", "13:30:00-00:30", false, "0"),
        ("msec", "13:30:25.575401-04", true, "25575.401"),
        ("msec", "13:30:25.575401-04", false, "25575.401"),
        ("msec", "13:30:25.575401-04:30", true, "25575.401"),
        ("msec", "13:30:25.575401-04:30", false, "25575.401"),
        ("msec", "24:00:00-15:59:59", true, "0.000"),
        ("msec", "24:00:00-15:59:59", false, "0"),
        ("msec", "00:00:00+05:30:15", true, "0.000"),
        ("msec", "00:00:00+05:30:15", false, "0"),
        ("msec", "13:30:00-00:30", true, "0.000"),
        ("msec", "13:30:00-00:30", false, "0"),
        ("usec", "13:30:25.575401-04", true, "25575401"),
        ("usec", "13:30:25.575401-04", false, "25575401"),
        ("usec", "13:30:25.575401-04:30", true, "25575401"),
        ("usec", "13:30:25.575401-04:30", false, "25575401"),
        ("usec", "24:00:00-15:59:59", true, "0"),
        ("usec", "24:00:00-15:59:59", false, "0"),
        ("usec", "00:00:00+05:30:15", true, "0"),
        ("usec", "00:00:00+05:30:15", false, "0"),
        ("usec", "13:30:00-00:30", true, "0"),
        ("usec", "13:30:00-00:30", false, "0"),
        ("s", "13:30:25.575401-04", true, "25.575401"),
        ("s", "13:30:25.575401-04", false, "25.575401"),
        ("s", "13:30:25.575401-04:30", true, "25.575401"),
        ("s", "13:30:25.575401-04:30", false, "25.575401"),
        ("s", "24:00:00-15:59:59", true, "0.000000"),
        ("s", "24:00:00-15:59:59", false, "0"),
        ("s", "00:00:00+05:30:15", true, "0.000000"),
        ("s", "00:00:00+05:30:15", false, "0"),
        ("s", "13:30:00-00:30", true, "0.000000"),
        ("s", "13:30:00-00:30", false, "0"),
        ("m", "13:30:25.575401-04", true, "30"),
        ("m", "13:30:25.575401-04", false, "30"),
        ("m", "13:30:25.575401-04:30", true, "30"),
        ("m", "13:30:25.575401-04:30", false, "30"),
        ("m", "24:00:00-15:59:59", true, "0"),
        ("m", "24:00:00-15:59:59", false, "0"),
        ("m", "00:00:00+05:30:15", true, "0"),
        ("m", "00:00:00+05:30:15", false, "0"),
        ("m", "13:30:00-00:30", true, "30"),
        ("m", "13:30:00-00:30", false, "30"),
        ("h", "13:30:25.575401-04", true, "13"),
        ("h", "13:30:25.575401-04", false, "13"),
        ("h", "13:30:25.575401-04:30", true, "13"),
        ("h", "13:30:25.575401-04:30", false, "13"),
        ("h", "24:00:00-15:59:59", true, "24"),
        ("h", "24:00:00-15:59:59", false, "24"),
        ("h", "00:00:00+05:30:15", true, "0"),
        ("h", "00:00:00+05:30:15", false, "0"),
        ("h", "13:30:00-00:30", true, "13"),
        ("h", "13:30:00-00:30", false, "13"),
        ("timezone_h", "13:30:25.575401-04", true, "-4"),
        ("timezone_h", "13:30:25.575401-04", false, "-4"),
        ("timezone_h", "13:30:25.575401-04:30", true, "-4"),
        ("timezone_h", "13:30:25.575401-04:30", false, "-4"),
        ("timezone_h", "24:00:00-15:59:59", true, "-15"),
        ("timezone_h", "24:00:00-15:59:59", false, "-15"),
        ("timezone_h", "00:00:00+05:30:15", true, "5"),
        ("timezone_h", "00:00:00+05:30:15", false, "5"),
        ("timezone_h", "13:30:00-00:30", true, "0"),
        ("timezone_h", "13:30:00-00:30", false, "0"),
        ("timezone_m", "13:30:25.575401-04", true, "0"),
        ("timezone_m", "13:30:25.575401-04", false, "0"),
        ("timezone_m", "13:30:25.575401-04:30", true, "-30"),
        ("timezone_m", "13:30:25.575401-04:30", false, "-30"),
        ("timezone_m", "24:00:00-15:59:59", true, "-59"),
        ("timezone_m", "24:00:00-15:59:59", false, "-59"),
        ("timezone_m", "00:00:00+05:30:15", true, "30"),
        ("timezone_m", "00:00:00+05:30:15", false, "30"),
        ("timezone_m", "13:30:00-00:30", true, "-30"),
        ("timezone_m", "13:30:00-00:30", false, "-30"),
        ("HOUR", "13:30:25.575401-04", true, "13"),
        ("HOUR", "13:30:25.575401-04", false, "13"),
        ("HOUR", "13:30:25.575401-04:30", true, "13"),
        ("HOUR", "13:30:25.575401-04:30", false, "13"),
        ("HOUR", "24:00:00-15:59:59", true, "24"),
        ("HOUR", "24:00:00-15:59:59", false, "24"),
        ("HOUR", "00:00:00+05:30:15", true, "0"),
        ("HOUR", "00:00:00+05:30:15", false, "0"),
        ("HOUR", "13:30:00-00:30", true, "13"),
        ("HOUR", "13:30:00-00:30", false, "13"),
        (
            "dow",
            "13:30:25.575401-04",
            true,
            "ERR 0A000 unit \"dow\" not supported for type time with time zone",
        ),
        (
            "dow",
            "13:30:25.575401-04",
            false,
            "ERR 0A000 unit \"dow\" not supported for type time with time zone",
        ),
        (
            "dow",
            "13:30:25.575401-04:30",
            true,
            "ERR 0A000 unit \"dow\" not supported for type time with time zone",
        ),
        (
            "dow",
            "13:30:25.575401-04:30",
            false,
            "ERR 0A000 unit \"dow\" not supported for type time with time zone",
        ),
        (
            "dow",
            "24:00:00-15:59:59",
            true,
            "ERR 0A000 unit \"dow\" not supported for type time with time zone",
        ),
        (
            "dow",
            "24:00:00-15:59:59",
            false,
            "ERR 0A000 unit \"dow\" not supported for type time with time zone",
        ),
        (
            "dow",
            "00:00:00+05:30:15",
            true,
            "ERR 0A000 unit \"dow\" not supported for type time with time zone",
        ),
        (
            "dow",
            "00:00:00+05:30:15",
            false,
            "ERR 0A000 unit \"dow\" not supported for type time with time zone",
        ),
        (
            "dow",
            "13:30:00-00:30",
            true,
            "ERR 0A000 unit \"dow\" not supported for type time with time zone",
        ),
        (
            "dow",
            "13:30:00-00:30",
            false,
            "ERR 0A000 unit \"dow\" not supported for type time with time zone",
        ),
        (
            "julian",
            "13:30:25.575401-04",
            true,
            "ERR 0A000 unit \"julian\" not supported for type time with time zone",
        ),
        (
            "julian",
            "13:30:25.575401-04",
            false,
            "ERR 0A000 unit \"julian\" not supported for type time with time zone",
        ),
        (
            "julian",
            "13:30:25.575401-04:30",
            true,
            "ERR 0A000 unit \"julian\" not supported for type time with time zone",
        ),
        (
            "julian",
            "13:30:25.575401-04:30",
            false,
            "ERR 0A000 unit \"julian\" not supported for type time with time zone",
        ),
        (
            "julian",
            "24:00:00-15:59:59",
            true,
            "ERR 0A000 unit \"julian\" not supported for type time with time zone",
        ),
        (
            "julian",
            "24:00:00-15:59:59",
            false,
            "ERR 0A000 unit \"julian\" not supported for type time with time zone",
        ),
        (
            "julian",
            "00:00:00+05:30:15",
            true,
            "ERR 0A000 unit \"julian\" not supported for type time with time zone",
        ),
        (
            "julian",
            "00:00:00+05:30:15",
            false,
            "ERR 0A000 unit \"julian\" not supported for type time with time zone",
        ),
        (
            "julian",
            "13:30:00-00:30",
            true,
            "ERR 0A000 unit \"julian\" not supported for type time with time zone",
        ),
        (
            "julian",
            "13:30:00-00:30",
            false,
            "ERR 0A000 unit \"julian\" not supported for type time with time zone",
        ),
        (
            " hour",
            "13:30:25.575401-04",
            true,
            "ERR 22023 unit \" hour\" not recognized for type time with time zone",
        ),
        (
            " hour",
            "13:30:25.575401-04",
            false,
            "ERR 22023 unit \" hour\" not recognized for type time with time zone",
        ),
        (
            " hour",
            "13:30:25.575401-04:30",
            true,
            "ERR 22023 unit \" hour\" not recognized for type time with time zone",
        ),
        (
            " hour",
            "13:30:25.575401-04:30",
            false,
            "ERR 22023 unit \" hour\" not recognized for type time with time zone",
        ),
        (
            " hour",
            "24:00:00-15:59:59",
            true,
            "ERR 22023 unit \" hour\" not recognized for type time with time zone",
        ),
        (
            " hour",
            "24:00:00-15:59:59",
            false,
            "ERR 22023 unit \" hour\" not recognized for type time with time zone",
        ),
        (
            " hour",
            "00:00:00+05:30:15",
            true,
            "ERR 22023 unit \" hour\" not recognized for type time with time zone",
        ),
        (
            " hour",
            "00:00:00+05:30:15",
            false,
            "ERR 22023 unit \" hour\" not recognized for type time with time zone",
        ),
        (
            " hour",
            "13:30:00-00:30",
            true,
            "ERR 22023 unit \" hour\" not recognized for type time with time zone",
        ),
        (
            " hour",
            "13:30:00-00:30",
            false,
            "ERR 22023 unit \" hour\" not recognized for type time with time zone",
        ),
        (
            "infinity",
            "13:30:25.575401-04",
            true,
            "ERR 22023 unit \"infinity\" not recognized for type time with time zone",
        ),
        (
            "infinity",
            "13:30:25.575401-04",
            false,
            "ERR 22023 unit \"infinity\" not recognized for type time with time zone",
        ),
        (
            "infinity",
            "13:30:25.575401-04:30",
            true,
            "ERR 22023 unit \"infinity\" not recognized for type time with time zone",
        ),
        (
            "infinity",
            "13:30:25.575401-04:30",
            false,
            "ERR 22023 unit \"infinity\" not recognized for type time with time zone",
        ),
        (
            "infinity",
            "24:00:00-15:59:59",
            true,
            "ERR 22023 unit \"infinity\" not recognized for type time with time zone",
        ),
        (
            "infinity",
            "24:00:00-15:59:59",
            false,
            "ERR 22023 unit \"infinity\" not recognized for type time with time zone",
        ),
        (
            "infinity",
            "00:00:00+05:30:15",
            true,
            "ERR 22023 unit \"infinity\" not recognized for type time with time zone",
        ),
        (
            "infinity",
            "00:00:00+05:30:15",
            false,
            "ERR 22023 unit \"infinity\" not recognized for type time with time zone",
        ),
        (
            "infinity",
            "13:30:00-00:30",
            true,
            "ERR 22023 unit \"infinity\" not recognized for type time with time zone",
        ),
        (
            "infinity",
            "13:30:00-00:30",
            false,
            "ERR 22023 unit \"infinity\" not recognized for type time with time zone",
        ),
        (
            "@",
            "13:30:25.575401-04",
            true,
            "ERR 22023 unit \"@\" not recognized for type time with time zone",
        ),
        (
            "@",
            "13:30:25.575401-04",
            false,
            "ERR 22023 unit \"@\" not recognized for type time with time zone",
        ),
        (
            "@",
            "13:30:25.575401-04:30",
            true,
            "ERR 22023 unit \"@\" not recognized for type time with time zone",
        ),
        (
            "@",
            "13:30:25.575401-04:30",
            false,
            "ERR 22023 unit \"@\" not recognized for type time with time zone",
        ),
        (
            "@",
            "24:00:00-15:59:59",
            true,
            "ERR 22023 unit \"@\" not recognized for type time with time zone",
        ),
        (
            "@",
            "24:00:00-15:59:59",
            false,
            "ERR 22023 unit \"@\" not recognized for type time with time zone",
        ),
        (
            "@",
            "00:00:00+05:30:15",
            true,
            "ERR 22023 unit \"@\" not recognized for type time with time zone",
        ),
        (
            "@",
            "00:00:00+05:30:15",
            false,
            "ERR 22023 unit \"@\" not recognized for type time with time zone",
        ),
        (
            "@",
            "13:30:00-00:30",
            true,
            "ERR 22023 unit \"@\" not recognized for type time with time zone",
        ),
        (
            "@",
            "13:30:00-00:30",
            false,
            "ERR 22023 unit \"@\" not recognized for type time with time zone",
        ),
        ("Microsecondsxx", "13:30:25.575401-04", true, "25575401"),
        ("Microsecondsxx", "13:30:25.575401-04", false, "25575401"),
        ("Microsecondsxx", "13:30:25.575401-04:30", true, "25575401"),
        ("Microsecondsxx", "13:30:25.575401-04:30", false, "25575401"),
        ("Microsecondsxx", "24:00:00-15:59:59", true, "0"),
        ("Microsecondsxx", "24:00:00-15:59:59", false, "0"),
        ("Microsecondsxx", "00:00:00+05:30:15", true, "0"),
        ("Microsecondsxx", "00:00:00+05:30:15", false, "0"),
        ("Microsecondsxx", "13:30:00-00:30", true, "0"),
        ("Microsecondsxx", "13:30:00-00:30", false, "0"),
    ];
    /// (cast, TimeZone or date, source, result; `` is NULL).
    const CASTS: &[(&str, &str, &str, &str)] = &[
        ("tstz", "PST8PDT", "2003-07-07 19:36:39+00", "12:36:39-07"),
        (
            "tstz",
            "PST8PDT",
            "2003-01-07 19:36:39.5+00",
            "11:36:39.5-08",
        ),
        (
            "tstz",
            "Asia/Kolkata",
            "2003-01-07 19:36:39+00",
            "01:06:39+05:30",
        ),
        ("tstz", "PST8PDT", "infinity", ""),
        ("tstz", "UTC", "2000-01-01 00:00:00+00", "00:00:00+00"),
        ("time", "Asia/Kolkata", "12:00:00", "12:00:00+05:30"),
        ("time", "Asia/Kolkata", "24:00:00", "24:00:00+05:30"),
        ("time", "UTC", "01:02:03.5", "01:02:03.5+00"),
        ("time", "Asia/Tokyo", "00:00:00", "00:00:00+09"),
        ("totime", "UTC", "12:00:00-07", "12:00:00"),
        ("totime", "UTC", "24:00:00+05:30", "24:00:00"),
        ("totime", "UTC", "23:59:59.99-07", "23:59:59.99"),
        (
            "date",
            "2003-07-07",
            "12:00:00-04",
            "2003-07-07 16:00:00+00",
        ),
        (
            "date",
            "2003-07-07",
            "24:00:00+05:30",
            "2003-07-07 18:30:00+00",
        ),
        (
            "date",
            "2003-07-07",
            "00:00:00+15:59:59",
            "2003-07-06 08:00:01+00",
        ),
        ("date", "infinity", "12:00:00-04", "infinity"),
        ("date", "-infinity", "12:00:00-04", "-infinity"),
    ];

    fn shown<T: std::fmt::Display>(r: Result<T, PgError>) -> String {
        match r {
            Ok(v) => v.to_string(),
            Err(e) => format!("ERR {} {}", e.code, e.message),
        }
    }

    fn zone(z: &str) {
        datefmt::set_time_zone(z).unwrap();
    }

    fn stored_interval(text: &str) -> String {
        crate::interval::format_postgres(crate::interval::input(text, -1).unwrap())
    }

    #[test]
    fn input_as_postgresql() {
        for (z, text, typmod, want) in INPUTS {
            zone(z);
            assert_eq!(shown(timetz_in(text, *typmod)), *want, "{text} in {z}");
        }
        zone("UTC");
    }

    #[test]
    fn stored_text_reads_back() {
        for (_, _, _, want) in INPUTS {
            if want.starts_with("ERR") {
                continue;
            }
            let t = load(want).unwrap_or_else(|| panic!("{want}"));
            assert_eq!(format(t), *want);
        }
        assert_eq!(
            load("12:00:00+05:30:15"),
            Some(TimeTz {
                micros: 12 * USECS_PER_HOUR,
                offset: 19815
            })
        );
        assert_eq!(load("12:00:00"), None);
        assert_eq!(timetz_text("24:00:00+00"), "24:00:00+00");
    }

    #[test]
    fn comparison_and_sort_key_as_postgresql() {
        let n = CMP_VALUES.len();
        for (i, a) in CMP_VALUES.iter().enumerate() {
            for (j, b) in CMP_VALUES.iter().enumerate() {
                let want = CMP[i * n + j].cmp(&0);
                assert_eq!(timetz_cmp(a, b), want, "{a} vs {b}");
                assert_eq!(
                    timetz_sortkey(a).cmp(&timetz_sortkey(b)),
                    want,
                    "keys of {a} vs {b}"
                );
            }
        }
    }

    #[test]
    fn interval_arithmetic_as_postgresql() {
        for (a, iv, minus, want) in ARITH {
            assert_eq!(
                shown(timetz_pl_interval(a, &stored_interval(iv), *minus)),
                *want,
                "{a} {} {iv}",
                if *minus { '-' } else { '+' }
            );
        }
    }

    #[test]
    fn at_time_zone_as_postgresql() {
        zone("UTC");
        for (a, z, want) in AT_ZONE {
            assert_eq!(shown(timetz_at_zone(a, z)), *want, "{a} AT TIME ZONE '{z}'");
        }
        for (a, iv, want) in AT_INTERVAL {
            assert_eq!(
                shown(timetz_at_interval(a, &stored_interval(iv))),
                *want,
                "{a} AT TIME ZONE INTERVAL '{iv}'"
            );
        }
        zone("Asia/Kolkata");
        assert_eq!(timetz_at_local("12:00:00-07").unwrap(), "00:30:00+05:30");
        zone("UTC");
    }

    #[test]
    fn extract_and_date_part_as_postgresql() {
        for (field, a, numeric, want) in PARTS {
            let got = shown(timetz_part(field, a, *numeric));
            if *numeric || want.starts_with("ERR") {
                assert_eq!(got, *want, "EXTRACT({field} FROM {a})");
            } else {
                let (g, w) = (got.parse::<f64>(), want.parse::<f64>());
                assert_eq!(g, w, "date_part('{field}', {a}): {got}");
            }
        }
    }

    #[test]
    fn casts_as_postgresql() {
        for (kind, z, source, want) in CASTS {
            let got = match *kind {
                "tstz" => {
                    zone(z);
                    let stored = datefmt::timestamptz_in(source).unwrap();
                    timestamptz_to_timetz(&stored).unwrap().unwrap_or_default()
                }
                "time" => {
                    zone(z);
                    time_to_timetz(crate::datetime::parse_time(source).unwrap())
                }
                "totime" => crate::datetime::format_time(timetz_to_time(source).unwrap()),
                "date" => {
                    zone("UTC");
                    let d = datefmt::date_in(z).unwrap();
                    date_pl_timetz(&d, source).unwrap()
                }
                _ => unreachable!(),
            };
            assert_eq!(got, *want, "{kind} {z} {source}");
        }
        zone("UTC");
    }

    /// The statements of PostgreSQL's timetz.sql over TIMETZ_TBL.
    #[test]
    fn regression_table() {
        zone("PST8PDT");
        let rows: Vec<String> = [
            "00:01 PDT",
            "01:00 PDT",
            "02:03 PDT",
            "07:07 PST",
            "08:08 EDT",
            "11:59 PDT",
            "12:00 PDT",
            "12:01 PDT",
            "23:59 PDT",
            "11:59:59.99 PM PDT",
            "2003-03-07 15:36:39 America/New_York",
            "2003-07-07 15:36:39 America/New_York",
        ]
        .iter()
        .map(|t| timetz_in(t, 2).unwrap())
        .collect();
        assert_eq!(
            rows.join(" "),
            "00:01:00-07 01:00:00-07 02:03:00-07 07:07:00-08 08:08:00-04 11:59:00-07 \
             12:00:00-07 12:01:00-07 23:59:00-07 23:59:59.99-07 15:36:39-05 15:36:39-04"
        );
        let count = |bound: &str, keep: fn(Ordering) -> bool| {
            let b = timetz_in(bound, -1).unwrap();
            rows.iter().filter(|r| keep(timetz_cmp(r, &b))).count()
        };
        assert_eq!(count("05:06:07-07", |o| o.is_lt()), 3);
        assert_eq!(count("05:06:07-07", |o| o.is_gt()), 9);
        assert_eq!(count("00:00-07", |o| o.is_lt()), 0);
        assert_eq!(count("00:00-07", |o| o.is_ge()), 12);

        zone("UTC");
        let mut sorted = rows.clone();
        sorted.sort_by_key(|r| timetz_sortkey(r));
        let table = |z: &str, iv: &str| {
            let iv = stored_interval(iv);
            sorted
                .iter()
                .map(|r| {
                    format!(
                        "{r}|{}|{}",
                        timetz_at_zone(r, z).unwrap(),
                        timetz_at_interval(r, &iv).unwrap()
                    )
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(
            table("UTC", "00:00"),
            "00:01:00-07|07:01:00+00|07:01:00+00 01:00:00-07|08:00:00+00|08:00:00+00 \
             02:03:00-07|09:03:00+00|09:03:00+00 08:08:00-04|12:08:00+00|12:08:00+00 \
             07:07:00-08|15:07:00+00|15:07:00+00 11:59:00-07|18:59:00+00|18:59:00+00 \
             12:00:00-07|19:00:00+00|19:00:00+00 12:01:00-07|19:01:00+00|19:01:00+00 \
             15:36:39-04|19:36:39+00|19:36:39+00 15:36:39-05|20:36:39+00|20:36:39+00 \
             23:59:00-07|06:59:00+00|06:59:00+00 23:59:59.99-07|06:59:59.99+00|06:59:59.99+00"
        );
        assert_eq!(
            table("UTC+10", "-10:00"),
            "00:01:00-07|21:01:00-10|21:01:00-10 01:00:00-07|22:00:00-10|22:00:00-10 \
             02:03:00-07|23:03:00-10|23:03:00-10 08:08:00-04|02:08:00-10|02:08:00-10 \
             07:07:00-08|05:07:00-10|05:07:00-10 11:59:00-07|08:59:00-10|08:59:00-10 \
             12:00:00-07|09:00:00-10|09:00:00-10 12:01:00-07|09:01:00-10|09:01:00-10 \
             15:36:39-04|09:36:39-10|09:36:39-10 15:36:39-05|10:36:39-10|10:36:39-10 \
             23:59:00-07|20:59:00-10|20:59:00-10 23:59:59.99-07|20:59:59.99-10|20:59:59.99-10"
        );
    }

    #[test]
    fn sql_functions() {
        let conn = Connection::open_in_memory().unwrap();
        crate::interval::register(&conn).unwrap();
        register(&conn).unwrap();
        zone("PST8PDT");
        let one = |sql: &str| -> rusqlite::types::Value {
            conn.query_row(sql, [], |r| r.get(0)).unwrap()
        };
        use rusqlite::types::Value::{Integer, Null, Real, Text};
        let text = |s: &str| Text(s.to_string());
        assert_eq!(
            one("SELECT pg_timetz_in('11:59:59.999 PM PDT', 2)"),
            text("24:00:00-07")
        );
        assert_eq!(one("SELECT pg_timetz_in('02:03 PST')"), text("02:03:00-08"));
        assert_eq!(one("SELECT pg_timetz_in(NULL)"), Null);
        assert_eq!(
            one("SELECT pg_timetz_cmp('15:36:39-04', '12:36:39-07')"),
            Integer(-1)
        );
        assert_eq!(
            one("SELECT pg_timetz_cmp('12:00:00+01', '11:00:00+00')"),
            Integer(-1)
        );
        assert_eq!(one("SELECT pg_timetz_cmp('12:00:00+01', NULL)"), Null);
        assert_eq!(
            one("SELECT pg_timetz_pl_interval('12:00:00-07', '1 day 03:00:00')"),
            text("15:00:00-07")
        );
        assert_eq!(
            one("SELECT pg_timetz_mi_interval('12:00:00-07', '13:00:00')"),
            text("23:00:00-07")
        );
        assert_eq!(
            one("SELECT pg_timetz_at_zone('00:01:00-07', 'UTC+10')"),
            text("21:01:00-10")
        );
        assert_eq!(
            one("SELECT pg_timetz_at_interval('00:01:00-07', '-10:00:00')"),
            text("21:01:00-10")
        );
        assert_eq!(
            one("SELECT pg_timetz_extract('epoch', '13:30:25.575401-04')"),
            text("63025.575401")
        );
        assert_eq!(
            one("SELECT pg_timetz_part('millisecond', '13:30:25.575401-04')"),
            Real(25575.401)
        );
        assert_eq!(
            one("SELECT pg_timetz_time('23:59:59.99-07')"),
            text("23:59:59.99")
        );
        assert_eq!(
            one("SELECT pg_timestamptz_timetz('2003-07-07 19:36:39+00')"),
            text("12:36:39-07")
        );
        assert_eq!(one("SELECT pg_timestamptz_timetz('infinity')"), Null);
        assert_eq!(
            one("SELECT pg_date_pl_timetz('2003-07-07', '12:00:00-04')"),
            text("2003-07-07 16:00:00+00")
        );
        assert_eq!(
            one("SELECT pg_timetz_typmod('12:00:00.125-07', 2)"),
            text("12:00:00.13-07")
        );
        conn.execute_batch(
            "CREATE TABLE t(v TEXT); INSERT INTO t VALUES \
             ('15:36:39-05'), ('07:07:00-08'), ('23:59:59.99-07'), ('00:01:00-07');",
        )
        .unwrap();
        assert_eq!(one("SELECT pg_timetz_min(v) FROM t"), text("00:01:00-07"));
        assert_eq!(
            one("SELECT pg_timetz_max(v) FROM t"),
            text("23:59:59.99-07")
        );
        assert_eq!(
            one("SELECT group_concat(v, ' ') FROM (SELECT v FROM t ORDER BY pg_timetz_sortkey(v))"),
            text("00:01:00-07 07:07:00-08 15:36:39-05 23:59:59.99-07")
        );
        let err = conn
            .query_row("SELECT pg_timetz_extract('day', '12:00:00-07')", [], |r| {
                r.get::<_, String>(0)
            })
            .unwrap_err();
        let e = crate::errors::from_sqlite(&err);
        assert_eq!(e.code, code::FEATURE_NOT_SUPPORTED);
        assert_eq!(
            e.message,
            "unit \"day\" not supported for type time with time zone"
        );
        zone("UTC");
    }
}
