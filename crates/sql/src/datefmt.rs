//! PostgreSQL's date/time input and output for date, timestamp and
//! timestamptz (utils/adt/datetime.c: ParseDateTime / DecodeDateTime,
//! EncodeDateOnly / EncodeDateTime), with the session's DateStyle and
//! TimeZone.
//!
//! Input takes what PostgreSQL takes: ISO 8601 (`1997-02-10 17:32:01`,
//! `19970210 173201`, a `T` between date and time), month names and day
//! names (`Mon Feb 10 17:32:01 1997 PST`, `10 February 1997`), numeric
//! dates in the DateStyle's field order (`2/10/1997` is February 10 in
//! MDY), `YYMMDD`, Julian days (`J2451187`), AM/PM, zones as offsets
//! (`-08`, `+05:30`), abbreviations (`PST`, `zulu`) or IANA names
//! (`Europe/Helsinki`), and the special values `epoch`, `infinity`,
//! `-infinity`, `now`, `today`, `tomorrow`, `yesterday`.
//!
//! Storage (see [`crate::adt`]): date as `YYYY-MM-DD`, timestamp as
//! `YYYY-MM-DD HH:MM:SS[.ffffff]`, timestamptz as that in UTC followed by
//! `+00`; `infinity` and `-infinity` as those words, which sort after and
//! before every date in text order. So that text order stays time order
//! beyond years 1..9999, a BC year (astronomical year y <= 0) is written
//! `/` and y + 9999 in four digits (`/9900-01-08` is 0099-01-08 BC;
//! `/` sorts after `-infinity` and before every digit), and a year past
//! 9999 `:` and seven digits (`:0012345-01-08`; `:` sorts after `9`,
//! before `infinity`). Years 1..9999 keep the plain form, so data written
//! before these forms existed reads the same. The range is PostgreSQL's
//! from 4714-11-24 BC, up to the year 262142 (chrono's limit; PostgreSQL
//! goes further and those are refused with 22008, never stored wrongly).
//!
//! Output follows the session's DateStyle (ISO, Postgres, SQL, German with
//! MDY/DMY order) and shows timestamptz in the session's TimeZone.

use std::cell::RefCell;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Timelike};
use chrono_tz::{OffsetName, Tz};
use pm_elog::{sqlstate as code, PgError};

const USECS_PER_SEC: i64 = 1_000_000;
const USECS_PER_DAY: i64 = 86_400 * USECS_PER_SEC;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Iso,
    Postgres,
    Sql,
    German,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Mdy,
    Dmy,
    Ymd,
}

/// A session time zone: an IANA zone or a fixed offset (seconds east).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Zone {
    Named(Tz),
    Fixed(i32),
    /// A POSIX offset (`SET TIME ZONE '+02:00'`): fixed, with no
    /// abbreviation to show.
    Posix(i32),
}

struct Clock {
    style: Style,
    order: Order,
    zone: Zone,
    /// The transaction's start (µs since the Unix epoch) for `now`.
    xact_start: Option<Arc<AtomicI64>>,
}

thread_local! {
    /// The session of this backend (one per process, or per thread in
    /// thread mode).
    static CLOCK: RefCell<Clock> = const { RefCell::new(Clock {
        style: Style::Iso,
        order: Order::Mdy,
        zone: Zone::Fixed(0),
        xact_start: None,
    }) };
}

/// The transaction start the special input `now` means.
pub fn set_transaction_clock(start: Arc<AtomicI64>) {
    CLOCK.with(|c| c.borrow_mut().xact_start = Some(start));
}

fn now_us() -> i64 {
    CLOCK
        .with(|c| {
            c.borrow()
                .xact_start
                .as_ref()
                .map(|s| s.load(Ordering::Relaxed))
        })
        .unwrap_or_else(|| chrono::Utc::now().timestamp_micros())
}

fn invalid_value(name: &str, value: &str) -> PgError {
    PgError::error(
        code::INVALID_PARAMETER_VALUE,
        format!("invalid value for parameter \"{name}\": \"{value}\""),
    )
}

/// SET DateStyle: `ISO, MDY`, `Postgres`, `SQL, DMY`, `German`, `European`,
/// ... Returns the setting as PostgreSQL shows it.
pub fn set_date_style(value: &str) -> Result<String, PgError> {
    let (mut style, mut order) = CLOCK.with(|c| {
        let c = c.borrow();
        (c.style, c.order)
    });
    let mut style_seen = false;
    for word in value.split([',', ' ']).filter(|w| !w.is_empty()) {
        match word.trim_matches(['"', '\'']).to_ascii_lowercase().as_str() {
            "iso" => (style, style_seen) = (Style::Iso, true),
            "postgres" => (style, style_seen) = (Style::Postgres, true),
            "sql" => (style, style_seen) = (Style::Sql, true),
            "german" => {
                (style, style_seen) = (Style::German, true);
                order = Order::Dmy;
            }
            "mdy" | "us" | "noneuropean" | "non-european" => order = Order::Mdy,
            "dmy" | "euro" | "european" => order = Order::Dmy,
            "ymd" => order = Order::Ymd,
            "default" => {
                style = Style::Iso;
                order = Order::Mdy;
            }
            _ => return Err(invalid_value("DateStyle", value)),
        }
    }
    let _ = style_seen;
    CLOCK.with(|c| {
        let mut c = c.borrow_mut();
        c.style = style;
        c.order = order;
    });
    Ok(format!(
        "{}, {}",
        match style {
            Style::Iso => "ISO",
            Style::Postgres => "Postgres",
            Style::Sql => "SQL",
            Style::German => "German",
        },
        match order {
            Order::Mdy => "MDY",
            Order::Dmy => "DMY",
            Order::Ymd => "YMD",
        }
    ))
}

/// A zone name as TimeZone or AT TIME ZONE take it.
pub fn zone_named(name: &str) -> Option<Zone> {
    let n = name.trim().trim_matches('\'');
    if let Some(tz) = dynamic_abbreviation(&n.to_ascii_lowercase()) {
        return Some(Zone::Named(tz));
    }
    if let Ok(tz) = Tz::from_str_insensitive(n) {
        return Some(Zone::Named(tz));
    }
    if let Some(secs) = abbreviation(&n.to_ascii_lowercase()) {
        return Some(Zone::Fixed(secs));
    }
    // `+02:00`, `-04:30`, `00:30`: a POSIX TZ offset, hours west of UTC.
    if n.contains(':') {
        let body = n.strip_prefix(['+', '-']).unwrap_or(n);
        let parts: Vec<&str> = body.split(':').collect();
        if parts.len() <= 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()))
        {
            let v: Vec<i32> = parts.iter().map(|p| p.parse().unwrap_or(0)).collect();
            let secs =
                v[0] * 3600 + v.get(1).copied().unwrap_or(0) * 60 + v.get(2).copied().unwrap_or(0);
            if v[0] <= 24 && v.iter().skip(1).all(|&x| x < 60) {
                return Some(Zone::Posix(if n.starts_with('-') { secs } else { -secs }));
            }
        }
    }
    // A number of hours: the SQL standard's east-of-UTC offset.
    if let Ok(h) = n.parse::<f64>() {
        if h.abs() <= 15.0 {
            return Some(Zone::Fixed((h * 3600.0) as i32));
        }
    }
    None
}

/// SET TimeZone. Returns the setting as PostgreSQL shows it.
pub fn set_time_zone(value: &str) -> Result<String, PgError> {
    let v = value.trim().trim_matches('\'');
    let zone = if v.eq_ignore_ascii_case("local") || v.eq_ignore_ascii_case("default") {
        Zone::Named(Tz::UTC)
    } else {
        zone_named(v).ok_or_else(|| invalid_value("TimeZone", value))?
    };
    CLOCK.with(|c| c.borrow_mut().zone = zone);
    Ok(match zone {
        Zone::Named(tz) => tz.name().to_string(),
        Zone::Fixed(_) | Zone::Posix(_) => v.to_string(),
    })
}

/// Abbreviations whose offset PostgreSQL's Default set takes from a zone's
/// history (`MSK` was +03 and +04).
/// What a dynamic abbreviation (MSK) meant at a local time, as
/// pg_interpret_timezone_abbrev reads it: the offset of the latest period
/// at or before that instant in which the zone used that abbreviation (MSK
/// is +3 in a summer of MSD, +4 from 2011; in a gap, the new meaning).
fn abbreviation_offset(tz: Tz, word: &str, local: NaiveDateTime) -> i32 {
    let name = word.to_ascii_uppercase();
    let guess = local - chrono::Duration::seconds(local_offset(Zone::Named(tz), local) as i64);
    let at = |t: NaiveDateTime| {
        let o = tz.offset_from_utc_datetime(&rules_year(t));
        (o.abbreviation() == Some(name.as_str())).then(|| o.fix().local_minus_utc())
    };
    (0..800)
        .find_map(|d| at(guess - chrono::Duration::days(d)))
        .or_else(|| (1..800).find_map(|d| at(guess + chrono::Duration::days(d))))
        .unwrap_or_else(|| local_offset(Zone::Named(tz), local))
}

fn dynamic_abbreviation(word: &str) -> Option<Tz> {
    match word {
        "msk" | "msd" => Some(chrono_tz::Europe::Moscow),
        _ => None,
    }
}

/// Abbreviations PostgreSQL's default timezone_abbreviations set knows
/// (the common ones), in seconds east of UTC.
fn abbreviation(word: &str) -> Option<i32> {
    let h = |x: f64| Some((x * 3600.0) as i32);
    match word {
        "utc" | "gmt" | "z" | "zulu" | "ut" | "wet" => h(0.0),
        "est" => h(-5.0),
        "edt" => h(-4.0),
        "cst" => h(-6.0),
        "cdt" => h(-5.0),
        "mst" => h(-7.0),
        "mdt" => h(-6.0),
        "pst" => h(-8.0),
        "pdt" => h(-7.0),
        "akst" => h(-9.0),
        "akdt" => h(-8.0),
        "hst" => h(-10.0),
        "ast" => h(-4.0),
        "adt" => h(-3.0),
        "nst" => h(-3.5),
        "ndt" => h(-2.5),
        "bst" | "cet" | "met" | "west" => h(1.0),
        "cest" | "mest" | "eet" => h(2.0),
        "eest" => h(3.0),
        "ist" => h(2.0),
        "jst" | "kst" => h(9.0),
        "aest" => h(10.0),
        "aedt" => h(11.0),
        "acst" => h(9.5),
        "awst" => h(8.0),
        "nzst" => h(12.0),
        "nzdt" => h(13.0),
        _ => None,
    }
}

/// The POSIX-rule zones PostgreSQL's tzdata keeps as zones of their own
/// (PST8PDT, ...): standard time before their first rule, where chrono-tz
/// (which links them to a city) has the city's local mean time.
fn posix_standard(tz: Tz, year: i32) -> Option<(i32, &'static str)> {
    if year >= 1884 {
        return None;
    }
    Some(match tz {
        Tz::PST8PDT => (-8 * 3600, "PST"),
        Tz::MST7MDT => (-7 * 3600, "MST"),
        Tz::CST6CDT => (-6 * 3600, "CST"),
        Tz::EST5EDT => (-5 * 3600, "EST"),
        _ => return None,
    })
}

/// chrono-tz's transitions end in 2099; PostgreSQL applies a zone's last
/// rules forever. A later date is read in the latest year before 2100 with
/// the same calendar (leap year, weekday of January 1), where the same
/// rules fall on the same days.
fn rules_year(t: NaiveDateTime) -> NaiveDateTime {
    if t.year() < 2100 {
        return t;
    }
    let leap = |y: i32| NaiveDate::from_ymd_opt(y, 2, 29).is_some();
    let jan1 = |y: i32| NaiveDate::from_ymd_opt(y, 1, 1).map(|d| d.weekday());
    let (y, w) = (t.year(), jan1(t.year()));
    (2044..2100)
        .rev()
        .find(|&e| leap(e) == leap(y) && jan1(e) == w)
        .and_then(|e| t.with_year(e))
        .unwrap_or(t)
}

/// The offset (seconds east) and abbreviation of a named zone at a UTC
/// time, as PostgreSQL's tzdata gives them.
fn named_at_utc(tz: Tz, utc: NaiveDateTime) -> (i32, Option<String>) {
    if let Some((offset, name)) = posix_standard(tz, utc.year()) {
        return (offset, Some(name.to_string()));
    }
    let o = tz.offset_from_utc_datetime(&rules_year(utc));
    (
        o.fix().local_minus_utc(),
        o.abbreviation().map(str::to_string),
    )
}

/// The offset (seconds east) of `zone` for a local date and time there.
fn local_offset(zone: Zone, local: NaiveDateTime) -> i32 {
    let local = rules_year(local);
    if let Zone::Named(tz) = zone {
        if let Some((offset, _)) = posix_standard(tz, local.year()) {
            return offset;
        }
    }
    match zone {
        Zone::Fixed(s) | Zone::Posix(s) => s,
        Zone::Named(tz) => match tz.offset_from_local_datetime(&local) {
            chrono::LocalResult::Single(o) => o.fix().local_minus_utc(),
            // Ambiguous (clocks turned back): PostgreSQL takes standard
            // time, the later of the two.
            chrono::LocalResult::Ambiguous(a, b) => {
                a.fix().local_minus_utc().min(b.fix().local_minus_utc())
            }
            // In a gap (clocks turned forward): the offset before it, as
            // PostgreSQL reads a time that did not exist.
            chrono::LocalResult::None => tz
                .offset_from_utc_datetime(&(local - chrono::Duration::hours(24)))
                .fix()
                .local_minus_utc(),
        },
    }
}

fn session_zone() -> Zone {
    CLOCK.with(|c| c.borrow().zone)
}

fn session_order() -> Order {
    CLOCK.with(|c| c.borrow().order)
}

// ------------------------------------------------------------------ input

/// What a date/time text decodes to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decoded {
    Infinity,
    NegInfinity,
    /// A local date and time and the zone offset written (seconds east).
    At(NaiveDateTime, Option<i32>),
}

#[derive(Debug)]
enum Bad {
    Syntax,
    Range,
}

fn month_of(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    const FULL: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let w = word.trim_end_matches('.');
    MONTHS
        .iter()
        .position(|m| *m == w)
        .or_else(|| FULL.iter().position(|m| *m == w))
        .or_else(|| (w == "sept").then_some(8))
        .map(|i| i as u32 + 1)
}

fn is_day_name(word: &str) -> bool {
    let w = word.trim_end_matches('.');
    [
        "sun",
        "mon",
        "tue",
        "tues",
        "wed",
        "wednes",
        "thu",
        "thur",
        "thurs",
        "fri",
        "sat",
        "sunday",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
    ]
    .contains(&w)
}

/// `+05`, `-0800`, `+05:30`, `-08:00:00` as seconds east.
fn offset_of(field: &str) -> Option<i32> {
    let sign = match field.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let body = &field[1..];
    let parts: Vec<&str> = body.split(':').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let (h, m, s) = match parts.as_slice() {
        [hm] if hm.len() <= 2 => (hm.parse::<i32>().ok()?, 0, 0),
        [hm] if hm.len() == 4 => (hm[..2].parse().ok()?, hm[2..].parse().ok()?, 0),
        [hm] if hm.len() == 6 => (
            hm[..2].parse().ok()?,
            hm[2..4].parse().ok()?,
            hm[4..].parse().ok()?,
        ),
        [h, m] => (h.parse().ok()?, m.parse().ok()?, 0),
        [h, m, s] => (h.parse().ok()?, m.parse().ok()?, s.parse().ok()?),
        _ => return None,
    };
    if h > 15 || m > 59 || s > 59 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60 + s))
}

/// `HH:MM[:SS[.ffffff]]` as microseconds (24:00:00 allowed).
fn time_of(field: &str) -> Result<i64, Bad> {
    let parts: Vec<&str> = field.split(':').collect();
    if parts.len() < 2 || parts.len() > 3 {
        return Err(Bad::Syntax);
    }
    let num = |p: &str| -> Result<i64, Bad> {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Bad::Syntax);
        }
        p.parse().map_err(|_| Bad::Range)
    };
    let h = num(parts[0])?;
    let m = num(parts[1].split('.').next().unwrap_or(""))?;
    let mut us = 0i64;
    let sec_text = parts.get(2).copied().unwrap_or("0");
    let (whole, frac) = sec_text.split_once('.').unwrap_or((sec_text, ""));
    let s = num(whole)?;
    if !frac.is_empty() {
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Bad::Syntax);
        }
        // Rounded to microseconds.
        let digits: String = frac.chars().chain("0000000".chars()).take(7).collect();
        let seven: i64 = digits.parse().map_err(|_| Bad::Syntax)?;
        us = (seven + 5) / 10;
    }
    if m > 59 || s > 60 || h > 24 || (h == 24 && (m > 0 || s > 0 || us > 0)) {
        return Err(Bad::Range);
    }
    Ok(((h * 60 + m) * 60 + s) * USECS_PER_SEC + us)
}

/// Two-digit years as PostgreSQL reads them: 70-99 -> 19xx, 00-69 -> 20xx.
fn full_year(text: &str, value: i64) -> i64 {
    if text.len() <= 2 {
        if value < 70 {
            value + 2000
        } else {
            value + 1900
        }
    } else {
        value
    }
}

#[derive(Default)]
struct Fields {
    year: Option<(i64, usize)>,
    month: Option<i64>,
    day: Option<i64>,
    time: Option<i64>,
    offset: Option<i32>,
    named_zone: Option<Tz>,
    /// The named zone came from this dynamic abbreviation (MSK).
    abbreviation: Option<String>,
    pm: Option<bool>,
    bc: bool,
    /// Numbers not yet given a meaning, with their digit counts.
    loose: Vec<(i64, usize)>,
    /// A month name, and how many loose numbers came before it.
    text_month: Option<(usize, i64)>,
    /// today + n days (today, tomorrow, yesterday).
    relative_days: Option<i64>,
    now: bool,
    epoch: bool,
    julian: Option<i64>,
}

/// Splits the text into PostgreSQL's fields (ParseDateTime), lowercased.
fn fields(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for raw in text.split(|c: char| c.is_whitespace() || c == ',') {
        if raw.is_empty() {
            continue;
        }
        let f = raw.to_ascii_lowercase();
        // ISO 8601 `1997-02-10T17:32:01` / `19970210T173201`.
        if let Some(t) = f.find('t') {
            let (d, rest) = f.split_at(t);
            if t > 0
                && d.bytes().all(|b| b.is_ascii_digit() || b == b'-')
                && rest[1..].starts_with(|c: char| c.is_ascii_digit())
            {
                out.push(d.to_string());
                split_time_zone(&rest[1..], &mut out);
                continue;
            }
        }
        if f.contains(':') && f.starts_with(|c: char| c.is_ascii_digit()) {
            split_time_zone(&f, &mut out);
            continue;
        }
        // `2001-01-01+00`: an ISO date with a zone offset after it.
        if f.len() > 10
            && f.as_bytes()[..10].iter().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    *b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            })
            && matches!(f.as_bytes()[10], b'+' | b'-')
            && f[11..].bytes().all(|b| b.is_ascii_digit() || b == b':')
        {
            out.push(f[..10].to_string());
            out.push(f[10..].to_string());
            continue;
        }
        // `97FEB10`: number, month name, number (read in DateStyle order).
        {
            let b = f.as_bytes();
            let lead = b.iter().take_while(|c| c.is_ascii_digit()).count();
            let alpha = b[lead..]
                .iter()
                .take_while(|c| c.is_ascii_alphabetic())
                .count();
            let tail = &f[lead + alpha..];
            if lead > 0
                && alpha >= 3
                && !tail.is_empty()
                && tail.bytes().all(|c| c.is_ascii_digit())
                && month_of(&f[lead..lead + alpha]).is_some()
            {
                out.push(f[..lead].to_string());
                out.push(f[lead..lead + alpha].to_string());
                out.push(tail.to_string());
                continue;
            }
        }
        // POSIX zone `GMT+8`, `MST+7:00`: the offset west of Greenwich
        // (the name is not used), so `+8` is 8 hours behind.
        if let Some(p) = f.find(['+', '-']) {
            let (name, offset) = f.split_at(p);
            if !name.is_empty()
                && name.bytes().all(|b| b.is_ascii_alphabetic())
                && offset.len() > 1
                && offset[1..].bytes().all(|b| b.is_ascii_digit() || b == b':')
            {
                let flipped = if offset.starts_with('+') { '-' } else { '+' };
                out.push(format!("{flipped}{}", &offset[1..]));
                continue;
            }
        }
        out.push(f);
    }
    out
}

/// `17:32:01-08` -> `17:32:01`, `-08`; `173201z` -> `173201`, `z`;
/// `5:32pm` -> `5:32`, `pm`.
fn split_time_zone(f: &str, out: &mut Vec<String>) {
    for suffix in ["am", "pm"] {
        if let Some(body) = f.strip_suffix(suffix) {
            out.push(body.to_string());
            out.push(suffix.to_string());
            return;
        }
    }
    if let Some(p) = f.rfind(['+', '-']).filter(|&p| p > 0) {
        out.push(f[..p].to_string());
        out.push(f[p..].to_string());
        return;
    }
    if let Some(body) = f.strip_suffix('z') {
        out.push(body.to_string());
        out.push("z".to_string());
        return;
    }
    out.push(f.to_string());
}

fn decode_fields(text: &str) -> Result<Fields, Bad> {
    let mut f = Fields::default();
    let list = fields(text);
    if list.is_empty() {
        return Err(Bad::Syntax);
    }
    let mut i = 0;
    while i < list.len() {
        let field = list[i].as_str();
        i += 1;
        let first = field.chars().next().unwrap_or(' ');
        if first.is_ascii_digit() || (first == '.' && field.len() > 1) {
            if field.contains(':') {
                if f.time.is_some() {
                    return Err(Bad::Syntax);
                }
                f.time = Some(time_of(field)?);
            } else if field.contains(['-', '/'])
                || field.matches('.').count() >= 2
                || (f.year.is_none() && is_year_day(field))
            {
                date_parts(field, &mut f)?;
            } else if field.bytes().all(|b| b.is_ascii_digit()) {
                number(field, &mut f)?;
            } else if let Some((whole, _)) = field.split_once('.') {
                // `173201.5`: a concatenated time with a fraction.
                if whole.len() == 6 && f.time.is_none() && f.year.is_some() {
                    let t = format!("{}:{}:{}", &whole[..2], &whole[2..4], &field[4..]);
                    f.time = Some(time_of(&t)?);
                } else {
                    return Err(Bad::Syntax);
                }
            } else {
                return Err(Bad::Syntax);
            }
        } else if first == '+' || first == '-' {
            match field {
                "-infinity" | "+infinity" => return Err(Bad::Syntax),
                _ => {
                    let o = offset_of(field).ok_or(Bad::Syntax)?;
                    if f.offset.is_some() || f.named_zone.is_some() {
                        return Err(Bad::Syntax);
                    }
                    f.offset = Some(o);
                }
            }
        } else if first.is_ascii_alphabetic() {
            if field.contains(['-', '/'])
                && field.split(['-', '/']).next().and_then(month_of).is_some()
            {
                date_parts(field, &mut f)?;
                continue;
            }
            if let Some(m) = month_of(field) {
                if f.month.is_some() || f.text_month.is_some() {
                    return Err(Bad::Syntax);
                }
                // Where it came among the numbers matters (DecodeNumber).
                f.text_month = Some((f.loose.len(), m as i64));
                continue;
            }
            if is_day_name(field) {
                continue;
            }
            match field {
                "am" | "a.m." => f.pm = Some(false),
                "pm" | "p.m." => f.pm = Some(true),
                "bc" | "b.c." => f.bc = true,
                "ad" | "a.d." => {}
                "now" => f.now = true,
                "today" => f.relative_days = Some(0),
                "tomorrow" => f.relative_days = Some(1),
                "yesterday" => f.relative_days = Some(-1),
                "epoch" => f.epoch = true,
                "allballs" => f.time = Some(0),
                "at" | "on" => {}
                _ if field.starts_with('j')
                    && field.len() > 1
                    && field[1..].bytes().all(|b| b.is_ascii_digit()) =>
                {
                    f.julian = Some(field[1..].parse().map_err(|_| Bad::Range)?)
                }
                _ => {
                    if f.offset.is_some() || f.named_zone.is_some() {
                        return Err(Bad::Syntax);
                    }
                    if let Some(tz) = dynamic_abbreviation(field) {
                        f.named_zone = Some(tz);
                        f.abbreviation = Some(field.to_string());
                    } else if let Some(o) = abbreviation(field) {
                        f.offset = Some(o);
                    } else if let Ok(tz) = Tz::from_str_insensitive(field) {
                        f.named_zone = Some(tz);
                    } else {
                        return Err(Bad::Syntax);
                    }
                }
            }
        } else {
            return Err(Bad::Syntax);
        }
    }
    Ok(f)
}

/// A field with separators: `1997-02-10`, `2/10/1997`, `10.02.1997`,
/// `10-Feb-1997`, `Feb-10-1997`.
fn date_parts(field: &str, f: &mut Fields) -> Result<(), Bad> {
    if f.year.is_some() || f.day.is_some() {
        return Err(Bad::Syntax);
    }
    let parts: Vec<&str> = field.split(['-', '/', '.']).collect();
    // `1997.041`: a year and a day of the year.
    if let [y, doy] = parts.as_slice() {
        if y.len() == 4 && doy.len() == 3 && field.contains('.') {
            let (Ok(year), Ok(n)) = (y.parse::<i32>(), doy.parse::<u32>()) else {
                return Err(Bad::Syntax);
            };
            let date = NaiveDate::from_yo_opt(year, n).ok_or(Bad::Range)?;
            f.year = Some((year as i64, 4));
            f.month = Some(date.month() as i64);
            f.day = Some(date.day() as i64);
            return Ok(());
        }
    }
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty()) {
        return Err(Bad::Syntax);
    }
    let num = |p: &str| -> Result<(i64, usize), Bad> {
        if !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Bad::Syntax);
        }
        Ok((p.parse().map_err(|_| Bad::Range)?, p.len()))
    };
    let alpha = |p: &str| p.starts_with(|c: char| c.is_ascii_alphabetic());
    // With a month name, DecodeNumber's rule: the first number is the year
    // if it has 3+ digits or the DateStyle is YMD, else the day; then a
    // 3+ digit second number after a 2-digit "year" makes that the day.
    let text_month = |first: (i64, usize), second: (i64, usize)| {
        if first.1 >= 3 || session_order() == Order::Ymd {
            if second.1 >= 3 && first.1 <= 2 {
                (second, first)
            } else {
                (first, second)
            }
        } else {
            (second, first)
        }
    };
    let (y, m, d);
    if alpha(parts[0]) {
        m = (month_of(parts[0]).ok_or(Bad::Syntax)? as i64, 2);
        (y, d) = text_month(num(parts[1])?, num(parts[2])?);
    } else if alpha(parts[1]) {
        m = (month_of(parts[1]).ok_or(Bad::Syntax)? as i64, 2);
        (y, d) = text_month(num(parts[0])?, num(parts[2])?);
    } else {
        let a = num(parts[0])?;
        let b = num(parts[1])?;
        let c = num(parts[2])?;
        if a.1 >= 3 {
            (y, m, d) = (a, b, c);
        } else {
            match session_order() {
                Order::Mdy => (m, d, y) = (a, b, c),
                Order::Dmy => (d, m, y) = (a, b, c),
                Order::Ymd => (y, m, d) = (a, b, c),
            }
        }
    }
    f.year = Some(y);
    f.month = Some(m.0);
    f.day = Some(d.0);
    Ok(())
}

/// `1997.041`: four digits, a point, three digits.
fn is_year_day(field: &str) -> bool {
    let b = field.as_bytes();
    b.len() == 8
        && b[4] == b'.'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || c.is_ascii_digit())
}

/// A field of digits only.
fn number(field: &str, f: &mut Fields) -> Result<(), Bad> {
    let n = field.len();
    let value: i64 = field.parse().map_err(|_| Bad::Range)?;
    let no_date = f.year.is_none() && f.month.is_none() && f.day.is_none();
    if no_date && (n == 8 || n == 6 || n > 8) && f.loose.is_empty() {
        // YYYYMMDD, YYMMDD, and YYYYYMMDD... for years past 9999
        let (y, rest) = field.split_at(n - 4);
        f.year = Some((y.parse().map_err(|_| Bad::Syntax)?, y.len()));
        f.month = Some(rest[..2].parse().map_err(|_| Bad::Syntax)?);
        f.day = Some(rest[2..].parse().map_err(|_| Bad::Syntax)?);
        return Ok(());
    }
    if !no_date && f.time.is_none() && (n == 6 || n == 4) && f.year.is_some() && f.day.is_some() {
        // HHMMSS / HHMM after a complete date.
        let t = if n == 6 {
            format!("{}:{}:{}", &field[..2], &field[2..4], &field[4..])
        } else {
            format!("{}:{}", &field[..2], &field[2..])
        };
        f.time = Some(time_of(&t)?);
        return Ok(());
    }
    f.loose.push((value, n));
    Ok(())
}

/// Gives the loose numbers their meaning in order, as DecodeNumber does:
/// by what is already known (year, month, day), the DateStyle's field
/// order for the first, and whether a month name came before; a month
/// name after a numeric month makes that number the day.
fn settle(f: &mut Fields) -> Result<(), Bad> {
    let loose = std::mem::take(&mut f.loose);
    let text = f.text_month.take();
    let order = session_order();
    let mut have_text = false;
    let arrive = |f: &mut Fields, m: i64, have_text: &mut bool| {
        if let Some(n) = f.month {
            if !*have_text && f.day.is_none() && (1..=31).contains(&n) {
                f.day = Some(n);
            }
        }
        f.month = Some(m);
        *have_text = true;
    };
    let count = loose.len();
    for (i, (value, digits)) in loose.into_iter().enumerate() {
        if let Some((at, m)) = text {
            if at == i {
                arrive(f, m, &mut have_text);
            }
        }
        let year_two_digits = f.year.is_some_and(|(_, d)| d <= 2);
        match (f.year.is_some(), f.month.is_some(), f.day.is_some()) {
            (false, false, false) => {
                if digits >= 3 || order == Order::Ymd {
                    f.year = Some((value, digits));
                } else if order == Order::Dmy {
                    f.day = Some(value);
                } else {
                    f.month = Some(value);
                }
            }
            (true, false, false) => f.month = Some(value),
            (false, true, false) => {
                if have_text && (digits >= 3 || order == Order::Ymd) {
                    f.year = Some((value, digits));
                } else {
                    f.day = Some(value);
                }
            }
            (true, true, false) => {
                if have_text && digits >= 3 && year_two_digits {
                    // DD-MON-YYYY even in YMD: the first number was the day.
                    f.day = f.year.map(|(v, _)| v);
                    f.year = Some((value, digits));
                } else {
                    f.day = Some(value);
                }
            }
            (false, false, true) => f.month = Some(value),
            (false, true, true) => f.year = Some((value, digits)),
            _ => return Err(Bad::Syntax),
        }
    }
    if let Some((at, m)) = text {
        if at >= count {
            arrive(f, m, &mut have_text);
        }
    }
    Ok(())
}

/// Decodes a date/time text (what date_in, timestamp_in and
/// timestamptz_in share). `want_date`: a date is required (else a lone
/// time is today's).
pub fn decode(text: &str) -> Result<Decoded, PgError> {
    decode_as(text, "timestamp with time zone")
}

fn decode_as(text: &str, type_name: &str) -> Result<Decoded, PgError> {
    let syntax = || {
        PgError::error(
            code::INVALID_DATETIME_FORMAT,
            format!("invalid input syntax for type {type_name}: \"{text}\""),
        )
    };
    let range = || {
        PgError::error(
            code::DATETIME_FIELD_OVERFLOW,
            format!("date/time field value out of range: \"{text}\""),
        )
    };
    let t = text.trim().to_ascii_lowercase();
    match t.as_str() {
        "infinity" | "+infinity" => return Ok(Decoded::Infinity),
        "-infinity" => return Ok(Decoded::NegInfinity),
        _ => {}
    }
    let mut f = decode_fields(text).map_err(|b| match b {
        Bad::Syntax => syntax(),
        Bad::Range => range(),
    })?;
    settle(&mut f).map_err(|_| syntax())?;
    let zone_offset = |f: &Fields, local: NaiveDateTime| -> Option<i32> {
        f.offset.or_else(|| {
            f.named_zone.map(|tz| {
                if let Some(word) = &f.abbreviation {
                    abbreviation_offset(tz, word, local)
                } else {
                    local_offset(Zone::Named(tz), local)
                }
            })
        })
    };
    if f.now {
        if f.year.is_some() || f.month.is_some() || f.time.is_some() || f.relative_days.is_some() {
            return Err(syntax());
        }
        let now = chrono::DateTime::from_timestamp_micros(now_us())
            .ok_or_else(range)?
            .naive_utc();
        return Ok(Decoded::At(now, Some(0)));
    }
    if f.epoch {
        let e = NaiveDate::from_ymd_opt(1970, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .ok_or_else(range)?;
        return Ok(Decoded::At(e, Some(0)));
    }
    let date = if let Some(days) = f.relative_days {
        if f.year.is_some() || f.month.is_some() || f.day.is_some() {
            return Err(syntax());
        }
        // Today in the session's zone (GetCurrentDateTime), whatever zone
        // the text names for the time.
        let now = chrono::DateTime::from_timestamp_micros(now_us()).ok_or_else(range)?;
        let offset = zone_offset_at_utc(session_zone(), now.naive_utc());
        let local = now.naive_utc() + chrono::Duration::seconds(offset as i64);
        local.date() + chrono::Duration::days(days)
    } else if let Some(j) = f.julian {
        // Julian day 0 is 4714-11-24 BC; 2440588 is 1970-01-01.
        NaiveDate::from_ymd_opt(1970, 1, 1)
            .and_then(|d| d.checked_add_signed(chrono::Duration::days(j - 2_440_588)))
            .ok_or_else(range)?
    } else {
        let (Some((y, digits)), Some(m), Some(d)) = (f.year, f.month, f.day) else {
            return Err(syntax());
        };
        // Two-digit years mean 19xx/20xx, but not with BC.
        let mut year = if f.bc {
            y
        } else {
            full_year(&digits_text(y, digits), y)
        };
        if f.bc {
            if year <= 0 {
                return Err(range());
            }
            year = 1 - year;
        }
        if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
            return Err(range());
        }
        if !(-300_000..=300_000).contains(&year) {
            return Err(out_of_range(type_name, text));
        }
        NaiveDate::from_ymd_opt(year as i32, m as u32, d as u32).ok_or_else(|| {
            if year.abs() > 262_000 {
                out_of_range(type_name, text)
            } else {
                range()
            }
        })?
    };
    let mut us = f.time.unwrap_or(0);
    if let Some(pm) = f.pm {
        let hour = us / (3600 * USECS_PER_SEC);
        if !(1..=12).contains(&hour) && f.time.is_some() {
            return Err(range());
        }
        if pm && hour < 12 {
            us += 12 * 3600 * USECS_PER_SEC;
        } else if !pm && hour == 12 {
            us -= 12 * 3600 * USECS_PER_SEC;
        }
    }
    let local = date.and_hms_opt(0, 0, 0).ok_or_else(range)? + chrono::Duration::microseconds(us);
    if !in_stored_range(local) {
        return Err(out_of_range(type_name, text));
    }
    Ok(Decoded::At(local, zone_offset(&f, local)))
}

/// `date out of range: "..."` / `timestamp out of range: "..."` (22008).
fn out_of_range(type_name: &str, text: &str) -> PgError {
    let what = if type_name == "date" {
        "date"
    } else {
        "timestamp"
    };
    PgError::error(
        code::DATETIME_FIELD_OVERFLOW,
        format!("{what} out of range: \"{text}\""),
    )
}

fn digits_text(value: i64, digits: usize) -> String {
    format!("{value:0digits$}")
}

fn zone_offset_at_utc(zone: Zone, utc: NaiveDateTime) -> i32 {
    match zone {
        Zone::Fixed(s) | Zone::Posix(s) => s,
        Zone::Named(tz) => named_at_utc(tz, utc).0,
    }
}

/// time_in: microseconds since midnight; a date or zone in the text is
/// read and ignored, as PostgreSQL ignores them.
pub fn time_in(text: &str) -> Result<i64, PgError> {
    let syntax = || {
        PgError::error(
            code::INVALID_DATETIME_FORMAT,
            format!("invalid input syntax for type time without time zone: \"{text}\""),
        )
    };
    let range = || {
        PgError::error(
            code::DATETIME_FIELD_OVERFLOW,
            format!("date/time field value out of range: \"{text}\""),
        )
    };
    let mut f = decode_fields(text).map_err(|b| match b {
        Bad::Syntax => syntax(),
        Bad::Range => range(),
    })?;
    if f.now {
        let now = chrono::DateTime::from_timestamp_micros(now_us()).ok_or_else(range)?;
        let off = zone_offset_at_utc(session_zone(), now.naive_utc());
        let local = now.naive_utc() + chrono::Duration::seconds(off as i64);
        let t = local.time();
        return Ok(
            t.num_seconds_from_midnight() as i64 * USECS_PER_SEC + (t.nanosecond() / 1000) as i64
        );
    }
    // A zone name needs a date to give an offset (DecodeTimeOnly).
    if f.named_zone.is_some() && f.year.is_none() && f.month.is_none() && f.day.is_none() {
        return Err(syntax());
    }
    settle(&mut f).map_err(|_| syntax())?;
    let mut us = f.time.ok_or_else(syntax)?;
    if let Some(pm) = f.pm {
        let hour = us / (3600 * USECS_PER_SEC);
        if !(1..=12).contains(&hour) {
            return Err(range());
        }
        if pm && hour < 12 {
            us += 12 * 3600 * USECS_PER_SEC;
        } else if !pm && hour == 12 {
            us -= 12 * 3600 * USECS_PER_SEC;
        }
    }
    if us > USECS_PER_DAY {
        return Err(range());
    }
    Ok(us)
}

/// date_in: the stored text (`YYYY-MM-DD`, `infinity`, `-infinity`).
pub fn date_in(text: &str) -> Result<String, PgError> {
    Ok(match decode_as(text, "date")? {
        Decoded::Infinity => "infinity".into(),
        Decoded::NegInfinity => "-infinity".into(),
        Decoded::At(local, _) => stored_day(local.date()),
    })
}

/// timestamp_in: the stored text; a zone in the text is ignored, as
/// PostgreSQL ignores it.
pub fn timestamp_in(text: &str) -> Result<String, PgError> {
    Ok(match decode_as(text, "timestamp without time zone")? {
        Decoded::Infinity => "infinity".into(),
        Decoded::NegInfinity => "-infinity".into(),
        Decoded::At(local, Some(0)) if is_now(text) => {
            // `now` is the current time in the session's zone.
            let off = zone_offset_at_utc(session_zone(), local);
            stored_timestamp(local + chrono::Duration::seconds(off as i64))
        }
        Decoded::At(local, _) => stored_timestamp(local),
    })
}

fn is_now(text: &str) -> bool {
    text.trim().eq_ignore_ascii_case("now")
}

/// timestamptz_in: the stored text (UTC); no zone in the text means the
/// session's TimeZone.
pub fn timestamptz_in(text: &str) -> Result<String, PgError> {
    Ok(match decode_as(text, "timestamp with time zone")? {
        Decoded::Infinity => "infinity".into(),
        Decoded::NegInfinity => "-infinity".into(),
        Decoded::At(local, offset) => {
            let offset = offset.unwrap_or_else(|| local_offset(session_zone(), local));
            let utc = local - chrono::Duration::seconds(offset as i64);
            if !in_stored_range(utc) {
                return Err(out_of_range("timestamp with time zone", text));
            }
            format!("{}+00", stored_timestamp(utc))
        }
    })
}

/// `YYYY-MM-DD HH:MM:SS[.ffffff]` without trailing zeros of the fraction
/// (the day as [`stored_day`] writes it).
pub fn stored_timestamp(t: NaiveDateTime) -> String {
    let mut s = stored_day(t.date());
    s.push_str(&format!(
        " {:02}:{:02}:{:02}",
        t.hour(),
        t.minute(),
        t.second()
    ));
    push_fraction(&mut s, t.nanosecond() / 1000);
    s
}

/// The storage text of a day: `YYYY-MM-DD`, `/`-prefixed for BC years,
/// `:`-prefixed past 9999 (see the module header).
pub fn stored_day(d: NaiveDate) -> String {
    let (y, m, day) = (d.year(), d.month(), d.day());
    if (1..=9999).contains(&y) {
        format!("{y:04}-{m:02}-{day:02}")
    } else if y <= 0 {
        format!("/{:04}-{m:02}-{day:02}", y + 9999)
    } else {
        format!(":{y:07}-{m:02}-{day:02}")
    }
}

/// The year of a stored day and the rest of the text (from `-MM-DD`).
fn stored_year(s: &str) -> Option<(i32, &str)> {
    let (digits, offset) = match s.as_bytes().first()? {
        b'/' => (4, 1),
        b':' => (7, 1),
        b'0'..=b'9' => (4, 0),
        _ => return None,
    };
    let text = s.get(offset..offset + digits)?;
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i32 = text.parse().ok()?;
    let year = if offset == 1 && digits == 4 {
        n - 9999
    } else {
        n
    };
    Some((year, &s[offset + digits..]))
}

/// A stored date (None: infinity or not a stored date).
pub fn load_date(s: &str) -> Option<NaiveDate> {
    let (year, rest) = stored_year(s)?;
    // Read month and day in a leap year, then move to the stored year.
    NaiveDate::parse_from_str(&format!("2000{rest}"), "%Y-%m-%d")
        .ok()?
        .with_year(year)
}

/// A stored timestamp (None: infinity or not a stored timestamp).
pub fn load_timestamp(s: &str) -> Option<NaiveDateTime> {
    let (year, rest) = stored_year(s)?;
    let t = NaiveDateTime::parse_from_str(&format!("2000{rest}"), "%Y-%m-%d %H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(&format!("2000{rest}"), "%Y-%m-%dT%H:%M:%S%.f"))
        .ok()?;
    t.with_year(year)
}

/// Whether a date/time is in the range this server stores: PostgreSQL's
/// lower bound (4714-11-24 BC, Julian day 0), chrono's upper one.
pub fn in_stored_range(t: NaiveDateTime) -> bool {
    let low = NaiveDate::from_ymd_opt(-4713, 11, 24).expect("julian day 0");
    t.date() >= low && t.year() <= 262_142
}

fn push_fraction(s: &mut String, micros: u32) {
    if micros != 0 {
        let frac = format!("{micros:06}");
        s.push('.');
        s.push_str(frac.trim_end_matches('0'));
    }
}

/// A stored timestamptz text as UTC micros-precision time (None: infinity
/// or not ours).
fn stored_utc(text: &str) -> Option<NaiveDateTime> {
    load_timestamp(text.strip_suffix("+00").unwrap_or(text))
}

// ------------------------------------------------------------------ output

const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn style() -> (Style, Order) {
    CLOCK.with(|c| {
        let c = c.borrow();
        (c.style, c.order)
    })
}

/// The date part; a BC year prints as its number (`0099`), the caller
/// adds ` BC` where EncodeDateTime puts it.
fn date_text(d: NaiveDate, style: Style, order: Order) -> String {
    let (y, m, day) = (d.year(), d.month(), d.day());
    let y = if y <= 0 { 1 - y } else { y };
    match style {
        Style::Iso => format!("{y:04}-{m:02}-{day:02}"),
        Style::Sql => match order {
            Order::Dmy => format!("{day:02}/{m:02}/{y:04}"),
            _ => format!("{m:02}/{day:02}/{y:04}"),
        },
        Style::German => format!("{day:02}.{m:02}.{y:04}"),
        Style::Postgres => match order {
            Order::Dmy => format!("{day:02}-{m:02}-{y:04}"),
            _ => format!("{m:02}-{day:02}-{y:04}"),
        },
    }
}

/// date_out for a stored date text.
pub fn date_out(stored: &str) -> String {
    match load_date(stored) {
        Some(d) => {
            let (s, o) = style();
            let mut text = date_text(d, s, o);
            if d.year() <= 0 {
                text.push_str(" BC");
            }
            text
        }
        None => stored.to_string(),
    }
}

fn offset_text(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    let mut s = format!("{sign}{:02}", a / 3600);
    if !a.is_multiple_of(3600) {
        s.push_str(&format!(":{:02}", (a % 3600) / 60));
        if !a.is_multiple_of(60) {
            s.push_str(&format!(":{:02}", a % 60));
        }
    }
    s
}

fn clock_text(t: NaiveDateTime) -> String {
    let mut s = format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second());
    push_fraction(&mut s, t.nanosecond() / 1000);
    s
}

/// EncodeDateTime: `t` in the style, with `zone` (offset, abbreviation)
/// for timestamptz.
fn datetime_text(t: NaiveDateTime, zone: Option<(i32, Option<String>)>) -> String {
    let (style, order) = style();
    let zone_name = |z: &(i32, Option<String>)| z.1.clone().unwrap_or_else(|| offset_text(z.0));
    let mut text = match style {
        Style::Iso => {
            let mut s = format!("{} {}", date_text(t.date(), style, order), clock_text(t));
            if let Some(z) = &zone {
                s.push_str(&offset_text(z.0));
            }
            s
        }
        Style::Sql | Style::German => {
            let mut s = format!("{} {}", date_text(t.date(), style, order), clock_text(t));
            if let Some(z) = &zone {
                s.push(' ');
                s.push_str(&zone_name(z));
            }
            s
        }
        Style::Postgres => {
            let day = DAYS[t.weekday().num_days_from_sunday() as usize];
            let month = MONTHS[t.month0() as usize];
            let mut s = match order {
                Order::Dmy => format!("{day} {:02} {month} {}", t.day(), clock_text(t)),
                _ => format!("{day} {month} {:02} {}", t.day(), clock_text(t)),
            };
            let y = t.year();
            s.push_str(&format!(" {:04}", if y <= 0 { 1 - y } else { y }));
            if let Some(z) = &zone {
                s.push(' ');
                s.push_str(&zone_name(z));
            }
            s
        }
    };
    if t.year() <= 0 {
        text.push_str(" BC");
    }
    text
}

/// timestamp_out for a stored timestamp text.
pub fn timestamp_out(stored: &str) -> String {
    match load_timestamp(stored) {
        Some(t) => datetime_text(t, None),
        None => stored.to_string(),
    }
}

/// A stored timestamptz in the session's zone: the local time, the offset
/// (seconds east) and the zone's abbreviation there (an offset text such
/// as `+05` for a fixed zone or a numeric abbreviation), for to_char.
pub fn session_local(stored: &str) -> Option<(NaiveDateTime, i32, String)> {
    let utc = stored_utc(stored)?;
    let (offset, abbrev) = match session_zone() {
        Zone::Fixed(s) => (s, None),
        Zone::Posix(s) => (s, Some(String::new())),
        Zone::Named(tz) => named_at_utc(tz, utc),
    };
    let local = utc + chrono::Duration::seconds(offset as i64);
    let abbrev = abbrev
        .filter(|a| a.is_empty() || a.starts_with(|c: char| c.is_ascii_alphabetic()))
        .unwrap_or_else(|| offset_text(offset));
    Some((local, offset, abbrev))
}

/// timestamptz_out for a stored timestamptz text: in the session's zone.
pub fn timestamptz_out(stored: &str) -> String {
    let Some(utc) = stored_utc(stored) else {
        return stored.to_string();
    };
    let (offset, abbrev) = match session_zone() {
        Zone::Fixed(s) => (s, None),
        // A POSIX offset has an empty abbreviation (shown as a blank).
        Zone::Posix(s) => (s, Some(String::new())),
        Zone::Named(tz) => named_at_utc(tz, utc),
    };
    let local = utc + chrono::Duration::seconds(offset as i64);
    // Abbreviations that are only numbers (`+05`) print as offsets.
    let abbrev =
        abbrev.filter(|a| a.is_empty() || a.starts_with(|c: char| c.is_ascii_alphabetic()));
    datetime_text(local, Some((offset, abbrev)))
}

/// A cast between date, timestamp and timestamptz of a stored value,
/// through the session's TimeZone where one side has a zone.
pub fn convert(stored: &str, from: u32, to: u32) -> Result<String, PgError> {
    use crate::types::{DATE, TIMESTAMP, TIMESTAMPTZ};
    if stored == "infinity" || stored == "-infinity" {
        return Ok(stored.to_string());
    }
    let bad = || {
        PgError::error(
            code::INVALID_DATETIME_FORMAT,
            format!("invalid stored date/time value: \"{stored}\""),
        )
    };
    let local = match from {
        DATE => load_date(stored)
            .ok_or_else(bad)?
            .and_hms_opt(0, 0, 0)
            .ok_or_else(bad)?,
        TIMESTAMP => load_timestamp(stored).ok_or_else(bad)?,
        TIMESTAMPTZ => {
            let utc = stored_utc(stored).ok_or_else(bad)?;
            utc + chrono::Duration::seconds(zone_offset_at_utc(session_zone(), utc) as i64)
        }
        _ => return Err(bad()),
    };
    Ok(match to {
        DATE => stored_day(local.date()),
        TIMESTAMP => stored_timestamp(local),
        TIMESTAMPTZ => {
            let utc = local - chrono::Duration::seconds(local_offset(session_zone(), local) as i64);
            if !in_stored_range(utc) {
                return Err(PgError::error(
                    code::DATETIME_FIELD_OVERFLOW,
                    "timestamp out of range",
                ));
            }
            format!("{}+00", stored_timestamp(utc))
        }
        _ => return Err(bad()),
    })
}

/// `timestamptz AT TIME ZONE zone`: the local time there (a stored
/// timestamp); `timestamp AT TIME ZONE zone`: that local time there as a
/// stored timestamptz (PostgreSQL's timezone(text, ...)).
pub fn at_time_zone(stored: &str, zone: &str, from_tz: bool) -> Result<String, PgError> {
    if stored == "infinity" || stored == "-infinity" {
        return Ok(stored.to_string());
    }
    let z = zone_named(zone).ok_or_else(|| {
        PgError::error(
            code::INVALID_PARAMETER_VALUE,
            format!("time zone \"{zone}\" not recognized"),
        )
    })?;
    let bad = || {
        PgError::error(
            code::INVALID_DATETIME_FORMAT,
            format!("invalid stored date/time value: \"{stored}\""),
        )
    };
    if from_tz {
        let utc = stored_utc(stored).ok_or_else(bad)?;
        Ok(stored_timestamp(
            utc + chrono::Duration::seconds(zone_offset_at_utc(z, utc) as i64),
        ))
    } else {
        let local = load_timestamp(stored).ok_or_else(bad)?;
        let word = zone.trim().to_ascii_lowercase();
        let offset = match (z, dynamic_abbreviation(&word)) {
            (Zone::Named(tz), Some(_)) => abbreviation_offset(tz, &word, local),
            _ => local_offset(z, local),
        };
        let utc = local - chrono::Duration::seconds(offset as i64);
        Ok(format!("{}+00", stored_timestamp(utc)))
    }
}

/// The session's offset from UTC at a stored timestamptz (for EXTRACT
/// timezone and conversions).
pub fn session_offset_at(stored: &str) -> Option<i32> {
    stored_utc(stored).map(|utc| zone_offset_at_utc(session_zone(), utc))
}

/// A UTC time as the local time of the session's TimeZone.
pub fn utc_to_local(utc: NaiveDateTime) -> NaiveDateTime {
    utc + chrono::Duration::seconds(zone_offset_at_utc(session_zone(), utc) as i64)
}

/// A local time in a zone given as text, as make_timestamptz reads it:
/// `+2` / `-05:30` are offsets east of UTC (ISO 8601), anything else a
/// zone name or abbreviation.
pub fn local_to_utc_in(zone: &str, local: NaiveDateTime) -> Result<NaiveDateTime, PgError> {
    let z = zone.trim();
    if z.starts_with(['+', '-']) {
        let offset = offset_of(z).ok_or_else(|| {
            let digits = &z[1..];
            let hours: i64 = digits.split(':').next().unwrap_or("").parse().unwrap_or(-1);
            if hours > 15 {
                PgError::error(
                    code::INVALID_PARAMETER_VALUE,
                    format!("numeric time zone \"{z}\" out of range"),
                )
            } else {
                PgError::error(
                    code::INVALID_PARAMETER_VALUE,
                    format!("invalid input syntax for type numeric time zone: \"{z}\""),
                )
            }
        })?;
        return Ok(local - chrono::Duration::seconds(offset as i64));
    }
    if z.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(PgError::error(
            code::INVALID_PARAMETER_VALUE,
            format!("invalid input syntax for type numeric time zone: \"{z}\""),
        )
        .with_hint("Numeric time zones must have \"-\" or \"+\" as first character."));
    }
    let zone = zone_named(z).ok_or_else(|| {
        PgError::error(
            code::INVALID_PARAMETER_VALUE,
            format!("time zone \"{z}\" not recognized"),
        )
    })?;
    Ok(local - chrono::Duration::seconds(local_offset(zone, local) as i64))
}

/// A local time of the session's TimeZone as UTC (DetermineTimeZoneOffset).
pub fn local_to_utc(local: NaiveDateTime) -> NaiveDateTime {
    local - chrono::Duration::seconds(local_offset(session_zone(), local) as i64)
}

/// A stored timestamptz text as microseconds since the Unix epoch.
pub fn timestamptz_micros(stored: &str) -> Option<i64> {
    stored_utc(stored).map(|t| t.and_utc().timestamp_micros())
}

/// A time of day's microseconds: `NaiveTime` for callers that want one.
pub fn time_of_micros(us: i64) -> Option<NaiveTime> {
    let secs = u32::try_from(us.rem_euclid(USECS_PER_DAY) / USECS_PER_SEC).ok()?;
    NaiveTime::from_num_seconds_from_midnight_opt(secs, (us % USECS_PER_SEC) as u32 * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_style(style: &str, zone: &str, f: impl FnOnce()) {
        set_date_style(style).unwrap();
        set_time_zone(zone).unwrap();
        f();
        set_date_style("ISO, MDY").unwrap();
        set_time_zone("UTC").unwrap();
    }

    #[test]
    fn inputs_postgresql_takes() {
        with_style("ISO, MDY", "PST8PDT", || {
            for (input, date) in [
                ("1997-02-10", "1997-02-10"),
                ("February 10, 1997", "1997-02-10"),
                ("2/10/1997", "1997-02-10"),
                ("19970210", "1997-02-10"),
                ("990108", "1999-01-08"),
                ("Feb-10-1997", "1997-02-10"),
                ("10-Feb-1997", "1997-02-10"),
                ("1997.041", "1997-02-10"),
                ("J2451187", "1999-01-08"),
                ("infinity", "infinity"),
                ("2024-02-30", "err"),
            ] {
                let got = date_in(input).unwrap_or_else(|_| "err".into());
                assert_eq!(got, date, "{input}");
            }
            for (input, ts) in [
                ("Mon Feb 10 17:32:01 1997 PST", "1997-02-11 01:32:01+00"),
                ("1997-02-10 17:32:01-08", "1997-02-11 01:32:01+00"),
                ("19970210 173201 America/New_York", "1997-02-10 22:32:01+00"),
                ("1997-06-10 17:32:01", "1997-06-11 00:32:01+00"),
                ("Feb 10 5:32PM 1997", "1997-02-11 01:32:00+00"),
                ("1997-02-10T17:32:01Z", "1997-02-10 17:32:01+00"),
                ("epoch", "1970-01-01 00:00:00+00"),
            ] {
                assert_eq!(timestamptz_in(input).unwrap(), ts, "{input}");
            }
        });
    }

    #[test]
    fn outputs_follow_datestyle_and_timezone() {
        with_style("Postgres, MDY", "PST8PDT", || {
            assert_eq!(date_out("1997-02-10"), "02-10-1997");
            assert_eq!(
                timestamp_out("1997-02-10 17:32:01.5"),
                "Mon Feb 10 17:32:01.5 1997"
            );
            assert_eq!(
                timestamptz_out("1997-06-11 00:32:01+00"),
                "Tue Jun 10 17:32:01 1997 PDT"
            );
        });
        with_style("ISO", "America/St_Johns", || {
            assert_eq!(
                timestamptz_out("1997-02-11 01:32:01+00"),
                "1997-02-10 22:02:01-03:30"
            );
        });
        with_style("SQL, DMY", "UTC", || {
            assert_eq!(date_out("1997-02-10"), "10/02/1997");
            assert_eq!(
                timestamptz_out("1997-02-10 01:32:01+00"),
                "10/02/1997 01:32:01 UTC"
            );
        });
    }
}
