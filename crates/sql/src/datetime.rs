//! PostgreSQL's text forms for the types SQLite has no notion of: interval,
//! time, timestamptz and bytea. SQLite stores them as text (bytea as a
//! blob); these functions parse what clients send and print what
//! PostgreSQL prints (IntervalStyle `postgres`, TimeZone `UTC`,
//! bytea_output `hex`), so values read back the same in text and binary.

const USECS_PER_SEC: i64 = 1_000_000;
const USECS_PER_MINUTE: i64 = 60 * USECS_PER_SEC;
const USECS_PER_HOUR: i64 = 60 * USECS_PER_MINUTE;
const USECS_PER_DAY: i64 = 24 * USECS_PER_HOUR;

/// An interval as PostgreSQL keeps it: months, days and microseconds are
/// separate because their lengths vary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Interval {
    pub months: i32,
    pub days: i32,
    pub micros: i64,
}

impl Interval {
    /// The 16-byte binary format: microseconds, days, months (big-endian).
    pub fn to_binary(self) -> Vec<u8> {
        let mut v = Vec::with_capacity(16);
        v.extend_from_slice(&self.micros.to_be_bytes());
        v.extend_from_slice(&self.days.to_be_bytes());
        v.extend_from_slice(&self.months.to_be_bytes());
        v
    }

    pub fn from_binary(b: &[u8]) -> Option<Interval> {
        Some(Interval {
            micros: i64::from_be_bytes(b.get(0..8)?.try_into().ok()?),
            days: i32::from_be_bytes(b.get(8..12)?.try_into().ok()?),
            months: i32::from_be_bytes(b.get(12..16)?.try_into().ok()?),
        })
    }
}

/// `[-]H:M[:S[.f]]` as microseconds.
fn parse_clock(s: &str) -> Option<i64> {
    let (negative, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let mut parts = body.split(':');
    let hours: i64 = parts.next()?.parse().ok()?;
    let minutes: i64 = parts.next()?.parse().ok()?;
    let seconds: f64 = match parts.next() {
        Some(sec) if !sec.is_empty() => sec.parse().ok()?,
        Some(_) => return None,
        None => 0.0,
    };
    if parts.next().is_some() || !(0..60).contains(&minutes) || !(0.0..60.0).contains(&seconds) {
        return None;
    }
    let micros = hours
        .checked_mul(USECS_PER_HOUR)?
        .checked_add(minutes * USECS_PER_MINUTE + (seconds * 1e6).round() as i64)?;
    Some(if negative { -micros } else { micros })
}

/// A stored interval (or any interval input) read back; see
/// [`crate::interval`] for input with errors, typmods and styles.
pub fn parse_interval(text: &str) -> Option<Interval> {
    crate::interval::stored(text)
}

/// Seconds with the fraction's trailing zeros dropped: `05`, `05.25`.
fn push_seconds(out: &mut String, micros: i64) {
    let micros = micros.abs();
    out.push_str(&format!("{:02}", micros / USECS_PER_SEC));
    let frac = micros % USECS_PER_SEC;
    if frac != 0 {
        let digits = format!("{frac:06}");
        out.push('.');
        out.push_str(digits.trim_end_matches('0'));
    }
}

/// An interval as PostgreSQL prints it with IntervalStyle `postgres`:
/// `1 year 2 mons 3 days 04:05:06`, `-1 days +02:00:00`, `00:00:00`.
pub fn format_interval(iv: Interval) -> String {
    let mut out = String::new();
    let mut before_negative = false;
    let mut parts = |value: i64, name: &str, out: &mut String| {
        if value == 0 {
            return;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        if before_negative && value > 0 {
            out.push('+');
        }
        out.push_str(&format!(
            "{value} {name}{}",
            if value != 1 { "s" } else { "" }
        ));
        before_negative = value < 0;
    };
    parts((iv.months / 12) as i64, "year", &mut out);
    parts((iv.months % 12) as i64, "mon", &mut out);
    parts(iv.days as i64, "day", &mut out);
    if out.is_empty() || iv.micros != 0 {
        let sign = if iv.micros < 0 {
            "-"
        } else if before_negative {
            "+"
        } else {
            ""
        };
        if !out.is_empty() {
            out.push(' ');
        }
        let abs = iv.micros.unsigned_abs();
        out.push_str(&format!(
            "{sign}{:02}:{:02}:",
            abs / USECS_PER_HOUR as u64,
            (abs % USECS_PER_HOUR as u64) / USECS_PER_MINUTE as u64
        ));
        push_seconds(&mut out, (abs % USECS_PER_MINUTE as u64) as i64);
    }
    out
}

/// A time of day `HH:MM[:SS[.f]]` as microseconds since midnight
/// (24:00:00 is allowed, as in PostgreSQL).
pub fn parse_time(text: &str) -> Option<i64> {
    let t = text.trim();
    let micros = parse_clock(t)?;
    (!t.starts_with(['-', '+']) && (0..=USECS_PER_DAY).contains(&micros)).then_some(micros)
}

/// A time of day as PostgreSQL prints it: `13:45:07.25`.
pub fn format_time(micros: i64) -> String {
    let mut out = format!(
        "{:02}:{:02}:",
        micros / USECS_PER_HOUR,
        (micros % USECS_PER_HOUR) / USECS_PER_MINUTE
    );
    push_seconds(&mut out, micros % USECS_PER_MINUTE);
    out
}

/// A timestamp with an optional zone (`+00`, `+05:30`, `-0800`, `Z`; none
/// means UTC, the session time zone) as microseconds since the Unix epoch.
pub fn parse_timestamptz(text: &str) -> Option<i64> {
    let t = text.trim();
    let (body, offset_secs) = split_zone(t)?;
    let naive = crate::datefmt::load_timestamp(body).or_else(|| {
        crate::datefmt::load_date(body).map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default())
    })?;
    Some(naive.and_utc().timestamp_micros() - offset_secs * USECS_PER_SEC)
}

/// Splits a trailing zone offset from a timestamp's text.
fn split_zone(t: &str) -> Option<(&str, i64)> {
    if let Some(body) = t.strip_suffix(['Z', 'z']) {
        return Some((body, 0));
    }
    // The zone starts at the last '+' or '-' after the time part.
    let time_start = t.find([' ', 'T']).map(|i| i + 1).unwrap_or(t.len());
    let Some(pos) = t[time_start..].rfind(['+', '-']).map(|p| p + time_start) else {
        return Some((t, 0));
    };
    let (body, zone) = t.split_at(pos);
    let sign = if zone.starts_with('-') { -1 } else { 1 };
    let digits: String = zone[1..].chars().filter(|c| *c != ':').collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, rest) = digits.split_at(digits.len().min(2));
    let (m, s) = rest.split_at(rest.len().min(2));
    let num = |x: &str| -> i64 { x.parse().unwrap_or(0) };
    Some((
        body.trim_end(),
        sign * (num(h) * 3600 + num(m) * 60 + num(s)),
    ))
}

/// timestamptz text as PostgreSQL prints it in UTC: trailing zeros of the
/// fraction dropped, `+00` zone.
pub fn format_timestamptz(us: i64) -> String {
    let t = chrono::DateTime::from_timestamp_micros(us).unwrap_or_default();
    format!("{}+00", crate::datefmt::stored_timestamp(t.naive_utc()))
}

/// bytea input: hex (`\x0102`) or escape format (`a\\b\001`).
pub fn parse_bytea(text: &str) -> Option<Vec<u8>> {
    if let Some(hex) = text
        .strip_prefix("\\x")
        .or_else(|| text.strip_prefix("\\X"))
    {
        let digits: Vec<u8> = hex.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        if !digits.len().is_multiple_of(2) {
            return None;
        }
        return digits
            .chunks(2)
            .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok())
            .collect();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            out.push(bytes[i]);
            i += 1;
        } else if bytes.get(i + 1) == Some(&b'\\') {
            out.push(b'\\');
            i += 2;
        } else {
            let octal = std::str::from_utf8(bytes.get(i + 1..i + 4)?).ok()?;
            out.push(u8::from_str_radix(octal, 8).ok()?);
            i += 4;
        }
    }
    Some(out)
}

/// A uuid in its canonical lower-case, hyphenated form (input may be upper
/// case, unhyphenated or braced).
pub fn canonical_uuid(text: &str) -> Option<String> {
    let hex: String = text
        .trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .chars()
        .filter(|c| *c != '-')
        .collect();
    if hex.len() != 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let h = hex.to_ascii_lowercase();
    Some(format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iv(months: i32, days: i32, micros: i64) -> Interval {
        Interval {
            months,
            days,
            micros,
        }
    }

    #[test]
    fn intervals_print_as_postgresql() {
        // Outputs checked against PostgreSQL 15 (SELECT 'input'::interval).
        for (input, out) in [
            (
                "1 year 2 months 3 days 04:05:06.5",
                "1 year 2 mons 3 days 04:05:06.5",
            ),
            ("14 mons", "1 year 2 mons"),
            ("0", "00:00:00"),
            ("-1 day 2 hours", "-1 days +02:00:00"),
            ("1 day -2 hours", "1 day -02:00:00"),
            ("90 minutes", "01:30:00"),
            ("@ 1 hour ago", "-01:00:00"),
            ("1.5 days", "1 day 12:00:00"),
            ("1.5 months", "1 mon 15 days"),
            ("P1Y2M3DT4H5M6S", "1 year 2 mons 3 days 04:05:06"),
            ("2 weeks", "14 days"),
            ("-2 years -1 mons", "-2 years -1 mons"),
            ("10", "00:00:10"),
            ("3days 10s", "3 days 00:00:10"),
            ("100:00:00", "100:00:00"),
        ] {
            let parsed = parse_interval(input).unwrap_or_else(|| panic!("{input}"));
            assert_eq!(format_interval(parsed), out, "{input}");
            assert_eq!(parse_interval(out), Some(parsed), "{out}");
        }
        for bad in ["", "abc", "1 fortnight", "1:2:3:4", "ago"] {
            assert_eq!(parse_interval(bad), None, "{bad}");
        }
        let v = iv(14, 3, 14_405_000_000);
        assert_eq!(Interval::from_binary(&v.to_binary()), Some(v));
    }

    #[test]
    fn times_timestamps_bytea_uuid() {
        assert_eq!(parse_time("13:45:07.25"), Some(49_507_250_000));
        assert_eq!(format_time(49_507_250_000), "13:45:07.25");
        assert_eq!(format_time(0), "00:00:00");
        assert_eq!(parse_time("25:00"), None);
        let utc = parse_timestamptz("2023-11-14 22:13:20.5+00").unwrap();
        assert_eq!(utc, 1_700_000_000_500_000);
        assert_eq!(parse_timestamptz("2023-11-14T23:13:20.5+01:00"), Some(utc));
        assert_eq!(parse_timestamptz("2023-11-14 14:13:20.5-0800"), Some(utc));
        assert_eq!(parse_timestamptz("2023-11-14 22:13:20.5Z"), Some(utc));
        assert_eq!(parse_timestamptz("2023-11-14 22:13:20.5"), Some(utc));
        assert_eq!(parse_bytea("\\x00fFab"), Some(vec![0, 0xff, 0xab]));
        assert_eq!(parse_bytea("a\\\\b\\001"), Some(b"a\\b\x01".to_vec()));
        assert_eq!(parse_bytea("\\x0"), None);
        assert_eq!(
            canonical_uuid("{A0EEBC999C0B4EF8BB6D6BB9BD380A11}").as_deref(),
            Some("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")
        );
        assert_eq!(canonical_uuid("xyz"), None);
    }
}
