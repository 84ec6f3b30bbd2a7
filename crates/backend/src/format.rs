//! Result values on the wire: PostgreSQL's text format for every type, and
//! the binary format for the types binary-mode drivers ask for.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use pm_elog::{sqlstate as code, PgError};
use pm_sql::{datetime, types};
use rusqlite::types::ValueRef;

/// Format code 0 (text) or 1 (binary) for column `i`, from Bind's list
/// (empty: all text; one entry: applies to all).
pub fn format_for(formats: &[i16], i: usize) -> i16 {
    match formats.len() {
        0 => 0,
        1 => formats[0],
        _ => formats.get(i).copied().unwrap_or(0),
    }
}

/// Encodes one value; `None` is NULL.
pub fn encode(oid: u32, value: ValueRef<'_>, binary: bool) -> Result<Option<Vec<u8>>, PgError> {
    if !binary {
        return Ok(types::format_text(oid, value).map(String::into_bytes));
    }
    if oid == types::VOID {
        return Ok(Some(Vec::new()));
    }
    if matches!(value, ValueRef::Null) {
        return Ok(None);
    }
    let text = || types::format_text(oid, value).unwrap_or_default();
    let bad = |type_name: &str| {
        PgError::error(
            code::INVALID_TEXT_REPRESENTATION,
            format!("invalid input syntax for type {type_name}: \"{}\"", text()),
        )
    };
    let as_i64 = || -> Option<i64> {
        match value {
            ValueRef::Integer(i) => Some(i),
            ValueRef::Real(f) if f.fract() == 0.0 => Some(f as i64),
            ValueRef::Text(t) => std::str::from_utf8(t).ok()?.trim().parse().ok(),
            _ => None,
        }
    };
    let as_f64 = || -> Option<f64> {
        match value {
            ValueRef::Integer(i) => Some(i as f64),
            ValueRef::Real(f) => Some(f),
            ValueRef::Text(t) => std::str::from_utf8(t).ok()?.trim().parse().ok(),
            _ => None,
        }
    };
    if let Some(element) = types::element_of(oid) {
        if let (true, ValueRef::Text(stored)) = (pm_sql::array::supported_element(element), value) {
            return encode_stored_array(element, &String::from_utf8_lossy(stored)).map(Some);
        }
        return encode_array(element, &text()).map(Some);
    }
    let bytes = match oid {
        types::INT2 => {
            let v = as_i64().ok_or_else(|| bad("smallint"))?;
            i16::try_from(v)
                .map_err(|_| {
                    PgError::error(code::NUMERIC_VALUE_OUT_OF_RANGE, "smallint out of range")
                })?
                .to_be_bytes()
                .to_vec()
        }
        types::INT4 => {
            let v = as_i64().ok_or_else(|| bad("integer"))?;
            i32::try_from(v)
                .map_err(|_| {
                    PgError::error(code::NUMERIC_VALUE_OUT_OF_RANGE, "integer out of range")
                })?
                .to_be_bytes()
                .to_vec()
        }
        types::INT8 | types::OID => {
            let v = as_i64().ok_or_else(|| bad("bigint"))?;
            if oid == types::OID {
                (v as u32).to_be_bytes().to_vec()
            } else {
                v.to_be_bytes().to_vec()
            }
        }
        types::FLOAT4 => (as_f64().ok_or_else(|| bad("real"))? as f32)
            .to_be_bytes()
            .to_vec(),
        types::FLOAT8 => as_f64()
            .ok_or_else(|| bad("double precision"))?
            .to_be_bytes()
            .to_vec(),
        types::BOOL => {
            let t = text();
            vec![u8::from(
                types::parse_bool(&t).ok_or_else(|| bad("boolean"))?,
            )]
        }
        types::BYTEA => match value {
            ValueRef::Blob(b) => b.to_vec(),
            _ => {
                let t = text();
                datetime::parse_bytea(&t).unwrap_or_else(|| t.into_bytes())
            }
        },
        types::JSONB => {
            let mut v = vec![1u8];
            v.extend_from_slice(text().as_bytes());
            v
        }
        types::TIMESTAMP => {
            let t = text();
            let micros = parse_timestamp_micros(&t).ok_or_else(|| bad("timestamp"))?;
            micros.to_be_bytes().to_vec()
        }
        types::TIMESTAMPTZ => {
            let unix = datetime::parse_timestamptz(&text())
                .ok_or_else(|| bad("timestamp with time zone"))?;
            (unix - PG_EPOCH_UNIX_MICROS).to_be_bytes().to_vec()
        }
        types::DATE => {
            let t = text();
            let date = pm_sql::datefmt::load_date(&t).ok_or_else(|| bad("date"))?;
            let days = (date - pg_epoch().date()).num_days() as i32;
            days.to_be_bytes().to_vec()
        }
        types::UUID => {
            let t = text().replace('-', "");
            if t.len() != 32 {
                return Err(bad("uuid"));
            }
            (0..16)
                .map(|i| {
                    t.get(2 * i..2 * i + 2)
                        .and_then(|h| u8::from_str_radix(h, 16).ok())
                })
                .collect::<Option<Vec<u8>>>()
                .ok_or_else(|| bad("uuid"))?
        }
        types::NUMERIC => numeric_to_binary(&text()).ok_or_else(|| bad("numeric"))?,
        types::TIME => datetime::parse_time(&text())
            .ok_or_else(|| bad("time without time zone"))?
            .to_be_bytes()
            .to_vec(),
        types::INTERVAL => datetime::parse_interval(&text())
            .ok_or_else(|| bad("interval"))?
            .to_binary(),
        // text, varchar, bpchar, name, json, unknown: the UTF-8 text itself.
        _ => text().into_bytes(),
    };
    Ok(Some(bytes))
}

/// Sign words of the binary numeric format.
const NUMERIC_POS: u16 = 0x0000;
const NUMERIC_NEG: u16 = 0x4000;
const NUMERIC_NAN: u16 = 0xC000;

/// A decimal text as PostgreSQL's binary numeric: ndigits, weight, sign,
/// dscale, then base-10000 digits (most significant first).
fn numeric_to_binary(text: &str) -> Option<Vec<u8>> {
    let t = text.trim();
    let header = |n: i16, w: i16, sign: u16, dscale: u16| {
        let mut v = Vec::with_capacity(8);
        v.extend_from_slice(&n.to_be_bytes());
        v.extend_from_slice(&w.to_be_bytes());
        v.extend_from_slice(&sign.to_be_bytes());
        v.extend_from_slice(&dscale.to_be_bytes());
        v
    };
    if t.eq_ignore_ascii_case("nan") {
        return Some(header(0, 0, NUMERIC_NAN, 0));
    }
    // Exponent forms go through f64, whose Display never uses one.
    let plain;
    let t = if t.contains(['e', 'E']) {
        plain = t.parse::<f64>().ok().filter(|f| f.is_finite())?.to_string();
        plain.as_str()
    } else {
        t
    };
    let (negative, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
    if !(int_part.bytes().all(|b| b.is_ascii_digit())
        && frac_part.bytes().all(|b| b.is_ascii_digit()))
        || (int_part.is_empty() && frac_part.is_empty())
    {
        return None;
    }
    let int_part = int_part.trim_start_matches('0');
    let dscale = frac_part.len() as u16;
    // Pad to whole groups of four digits on both sides of the point.
    let int_groups = int_part.len().div_ceil(4);
    let mut all = "0".repeat(int_groups * 4 - int_part.len());
    all.push_str(int_part);
    all.push_str(frac_part);
    all.push_str(&"0".repeat((4 - frac_part.len() % 4) % 4));
    let mut groups: Vec<i16> = all
        .as_bytes()
        .chunks(4)
        // (ASCII digits only, checked above)
        .map(|c| c.iter().fold(0i16, |n, d| n * 10 + (d - b'0') as i16))
        .collect();
    let mut weight = int_groups as i16 - 1;
    while groups.first() == Some(&0) {
        groups.remove(0);
        weight -= 1;
    }
    while groups.last() == Some(&0) {
        groups.pop();
    }
    if groups.is_empty() {
        return Some(header(0, 0, NUMERIC_POS, dscale));
    }
    let sign = if negative { NUMERIC_NEG } else { NUMERIC_POS };
    let mut v = header(groups.len() as i16, weight, sign, dscale);
    for g in groups {
        v.extend_from_slice(&g.to_be_bytes());
    }
    Some(v)
}

/// PostgreSQL's binary numeric as decimal text (with its dscale digits).
fn numeric_from_binary(bytes: &[u8]) -> Option<String> {
    let word = |i: usize| -> Option<u16> {
        Some(u16::from_be_bytes(
            bytes.get(2 * i..2 * i + 2)?.try_into().ok()?,
        ))
    };
    let (ndigits, weight, sign, dscale) = (word(0)? as usize, word(1)? as i16, word(2)?, word(3)?);
    if sign == NUMERIC_NAN {
        return Some("NaN".to_string());
    }
    let groups: Vec<u16> = (0..ndigits).map(|i| word(4 + i)).collect::<Option<_>>()?;
    // Integer part: groups at weight >= 0.
    let mut int_part = String::new();
    for w in (0..=weight.max(-1)).rev() {
        let idx = (weight - w) as usize;
        let g = groups.get(idx).copied().unwrap_or(0);
        if int_part.is_empty() {
            int_part = g.to_string();
        } else {
            int_part.push_str(&format!("{g:04}"));
        }
    }
    if int_part.is_empty() {
        int_part.push('0');
    }
    let mut frac = String::new();
    let mut w = -1i16;
    while frac.len() < dscale as usize {
        let idx = (weight as i32 - w as i32) as usize;
        let g = if weight >= w {
            groups.get(idx).copied().unwrap_or(0)
        } else {
            0
        };
        frac.push_str(&format!("{g:04}"));
        w -= 1;
    }
    frac.truncate(dscale as usize);
    let mut s = String::new();
    if sign == NUMERIC_NEG {
        s.push('-');
    }
    s.push_str(&int_part);
    if dscale > 0 {
        s.push('.');
        s.push_str(&frac);
    }
    Some(s)
}

/// 2000-01-01 00:00:00 UTC, PostgreSQL's epoch, in Unix microseconds.
const PG_EPOCH_UNIX_MICROS: i64 = 946_684_800_000_000;

fn pg_epoch() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2000, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default()
}

/// `YYYY-MM-DD` of the year's number (BC years counted from 1; the caller
/// adds ` BC`).
fn input_day(d: NaiveDate) -> String {
    let y = d.year();
    let y = if y <= 0 { 1 - y } else { y };
    format!("{y:04}-{:02}-{:02}", d.month(), d.day())
}

/// A stored timestamp (`YYYY-MM-DD HH:MM:SS[.ffffff][+00]`, in the forms
/// of pm_sql::datefmt) as microseconds since 2000-01-01 UTC.
fn parse_timestamp_micros(text: &str) -> Option<i64> {
    let t = text.trim();
    let t = t.strip_suffix("+00").unwrap_or(t);
    let parsed = pm_sql::datefmt::load_timestamp(t).or_else(|| {
        pm_sql::datefmt::load_date(t).map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default())
    })?;
    (parsed - pg_epoch()).num_microseconds()
}

/// array_send for an array in the analyzer's storage (pm_sql::array):
/// ndim, has-nulls flag, element oid, each dimension's length and lower
/// bound, then each element as length + binary value (-1 for NULL).
fn encode_stored_array(element: u32, stored: &str) -> Result<Vec<u8>, PgError> {
    let a = pm_sql::array::stored(stored)?;
    let mut out = Vec::new();
    out.extend_from_slice(&(a.dims.len() as i32).to_be_bytes());
    out.extend_from_slice(&i32::from(a.items.iter().any(Option::is_none)).to_be_bytes());
    out.extend_from_slice(&element.to_be_bytes());
    for &(len, lb) in &a.dims {
        out.extend_from_slice(&(len as i32).to_be_bytes());
        out.extend_from_slice(&lb.to_be_bytes());
    }
    for item in &a.items {
        let v = item
            .as_deref()
            .map(|t| pm_sql::array::element_value(element, t));
        match v
            .as_ref()
            .map(|v| encode(element, ValueRef::from(v), true))
            .transpose()?
            .flatten()
        {
            None => out.extend_from_slice(&(-1i32).to_be_bytes()),
            Some(b) => {
                out.extend_from_slice(&(b.len() as i32).to_be_bytes());
                out.extend_from_slice(&b);
            }
        }
    }
    Ok(out)
}

/// array_send for a one-dimensional array (element type `element`) given
/// in text form: ndim, has-nulls flag, element oid, length and lower
/// bound, then each element as length + binary value (-1 for NULL).
fn encode_array(element: u32, text: &str) -> Result<Vec<u8>, PgError> {
    let elements = pm_sql::catalog::array_elements(text);
    let mut values = Vec::with_capacity(elements.len());
    for e in &elements {
        // (array_elements gives NULL unquoted as "NULL")
        values.push(if e == "NULL" {
            None
        } else {
            encode(element, ValueRef::Text(e.as_bytes()), true)?
        });
    }
    let mut out = Vec::new();
    out.extend_from_slice(&i32::from(!values.is_empty()).to_be_bytes());
    out.extend_from_slice(&i32::from(values.iter().any(Option::is_none)).to_be_bytes());
    out.extend_from_slice(&element.to_be_bytes());
    if !values.is_empty() {
        out.extend_from_slice(&(values.len() as i32).to_be_bytes());
        out.extend_from_slice(&1i32.to_be_bytes());
    }
    for v in values {
        match v {
            None => out.extend_from_slice(&(-1i32).to_be_bytes()),
            Some(b) => {
                out.extend_from_slice(&(b.len() as i32).to_be_bytes());
                out.extend_from_slice(&b);
            }
        }
    }
    Ok(out)
}

/// array_recv: the array's text form (dimensions and lower bounds kept).
fn decode_binary_array(oid: u32, bytes: &[u8]) -> Result<String, PgError> {
    let wrong = || {
        PgError::error(
            code::PROTOCOL_VIOLATION,
            format!("incorrect binary data format in bind parameter of type {oid}"),
        )
    };
    let mut rest = bytes;
    fn take_i32(rest: &mut &[u8]) -> Option<i32> {
        let (head, tail) = rest.split_first_chunk::<4>()?;
        *rest = tail;
        Some(i32::from_be_bytes(*head))
    }
    let int = |rest: &mut &[u8]| take_i32(rest).ok_or_else(wrong);
    let ndim = int(&mut rest)?;
    let _has_nulls = int(&mut rest)?;
    let element = int(&mut rest)? as u32;
    if !(0..=6).contains(&ndim) {
        return Err(wrong());
    }
    let mut dims = Vec::new();
    let mut count = 1usize;
    for _ in 0..ndim {
        let n = usize::try_from(int(&mut rest)?).map_err(|_| wrong())?;
        let lower_bound = int(&mut rest)?;
        count = count.checked_mul(n).ok_or_else(wrong)?;
        dims.push((n, lower_bound));
    }
    if ndim == 0 || count == 0 {
        count = 0;
        dims.clear();
    }
    let mut elements: Vec<Option<String>> = Vec::with_capacity(count.min(1 << 16));
    for _ in 0..count {
        let len = int(&mut rest)?;
        if len < 0 {
            elements.push(None);
            continue;
        }
        let len = usize::try_from(len).map_err(|_| wrong())?;
        if rest.len() < len {
            return Err(wrong());
        }
        let (value, tail) = rest.split_at(len);
        rest = tail;
        let mut text = decode_binary_param(element, value)?;
        if element == types::BOOL {
            text = if text == "1" { "t" } else { "f" }.to_string();
        }
        elements.push(Some(text));
    }
    if !rest.is_empty() {
        return Err(wrong());
    }
    Ok(pm_sql::array::format_array(&pm_sql::array::Array {
        dims,
        items: elements,
    }))
}

pub fn decode_binary_param(oid: u32, bytes: &[u8]) -> Result<String, PgError> {
    let wrong = || {
        PgError::error(
            code::PROTOCOL_VIOLATION,
            format!("incorrect binary data format in bind parameter of type {oid}"),
        )
    };
    if types::element_of(oid).is_some() {
        return decode_binary_array(oid, bytes);
    }
    Ok(match oid {
        types::INT2 => i16::from_be_bytes(bytes.try_into().map_err(|_| wrong())?).to_string(),
        types::INT4 => i32::from_be_bytes(bytes.try_into().map_err(|_| wrong())?).to_string(),
        types::INT8 => i64::from_be_bytes(bytes.try_into().map_err(|_| wrong())?).to_string(),
        types::OID => u32::from_be_bytes(bytes.try_into().map_err(|_| wrong())?).to_string(),
        types::FLOAT4 => {
            types::format_float(f32::from_be_bytes(bytes.try_into().map_err(|_| wrong())?) as f64)
        }
        types::FLOAT8 => {
            types::format_float(f64::from_be_bytes(bytes.try_into().map_err(|_| wrong())?))
        }
        types::BOOL => match bytes {
            [0] => "0".to_string(),
            [_] => "1".to_string(),
            _ => return Err(wrong()),
        },
        types::JSONB => String::from_utf8_lossy(bytes.get(1..).unwrap_or_default()).into_owned(),
        types::NUMERIC => numeric_from_binary(bytes).ok_or_else(wrong)?,
        types::BYTEA => types::hex_bytea(bytes),
        types::UUID if bytes.len() == 16 => {
            let hex = types::hex_bytea(bytes);
            datetime::canonical_uuid(&hex[2..]).ok_or_else(wrong)?
        }
        types::UUID => return Err(wrong()),
        types::TIME => {
            datetime::format_time(i64::from_be_bytes(bytes.try_into().map_err(|_| wrong())?))
        }
        types::INTERVAL => {
            datetime::format_interval(datetime::Interval::from_binary(bytes).ok_or_else(wrong)?)
        }
        types::TIMESTAMP | types::TIMESTAMPTZ => {
            let micros = i64::from_be_bytes(bytes.try_into().map_err(|_| wrong())?);
            let t = pg_epoch()
                .checked_add_signed(chrono::Duration::microseconds(micros))
                .ok_or_else(|| {
                    PgError::error(code::DATETIME_FIELD_OVERFLOW, "timestamp out of range")
                })?;
            // Input syntax (ISO, ` BC` for years before 1), read by the
            // type's input function.
            let mut s = input_day(t.date());
            s.push_str(&t.format(" %H:%M:%S%.6f").to_string());
            while s.ends_with('0') {
                s.pop();
            }
            if s.ends_with('.') {
                s.pop();
            }
            if oid == types::TIMESTAMPTZ {
                s.push_str("+00");
            }
            if t.date().year() <= 0 {
                s.push_str(" BC");
            }
            s
        }
        types::DATE => {
            let days = i32::from_be_bytes(bytes.try_into().map_err(|_| wrong())?);
            pg_epoch()
                .date()
                .checked_add_signed(chrono::Duration::days(days as i64))
                .ok_or_else(|| PgError::error(code::DATETIME_FIELD_OVERFLOW, "date out of range"))
                .map(|d| {
                    let bc = if d.year() <= 0 { " BC" } else { "" };
                    format!("{}{bc}", input_day(d))
                })?
        }
        _ => String::from_utf8(bytes.to_vec()).map_err(|_| {
            PgError::error(
                code::CHARACTER_NOT_IN_REPERTOIRE,
                "invalid byte sequence for encoding \"UTF8\"",
            )
        })?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_round_trips() {
        for (oid, value, text) in [
            (types::INT4, ValueRef::Integer(-7), "-7"),
            (types::INT8, ValueRef::Integer(1 << 40), "1099511627776"),
            (types::FLOAT8, ValueRef::Real(2.5), "2.5"),
            (
                types::TIMESTAMP,
                ValueRef::Text(b"2024-02-29 12:34:56.5"),
                "2024-02-29 12:34:56.5",
            ),
            (types::DATE, ValueRef::Text(b"1999-12-31"), "1999-12-31"),
            (types::NUMERIC, ValueRef::Text(b"3.5"), "3.5"),
            (
                types::NUMERIC,
                ValueRef::Text(b"-12345678.00120"),
                "-12345678.00120",
            ),
            (types::NUMERIC, ValueRef::Text(b"0.0001"), "0.0001"),
            (types::NUMERIC, ValueRef::Integer(10000), "10000"),
            (types::NUMERIC, ValueRef::Integer(0), "0"),
        ] {
            let bytes = encode(oid, value, true).unwrap().unwrap();
            assert_eq!(decode_binary_param(oid, &bytes).unwrap(), text, "{oid}");
        }
        assert_eq!(
            encode(types::BOOL, ValueRef::Integer(1), true)
                .unwrap()
                .unwrap(),
            vec![1]
        );
        assert_eq!(encode(types::TEXT, ValueRef::Null, true).unwrap(), None);
        // PostgreSQL's own encoding of 3.5 and -0.0012 (numeric_send).
        let words = |v: &[i16]| v.iter().flat_map(|w| w.to_be_bytes()).collect::<Vec<u8>>();
        assert_eq!(
            numeric_to_binary("3.5").unwrap(),
            words(&[2, 0, 0, 1, 3, 5000])
        );
        assert_eq!(
            numeric_to_binary("-0.0012").unwrap(),
            words(&[1, -1, 0x4000, 4, 12])
        );
        assert_eq!(numeric_to_binary("1e4").unwrap(), words(&[1, 1, 0, 0, 1]));
        assert!(encode(types::INT4, ValueRef::Text(b"abc"), true).is_err());
        // Arrays: text form -> array_send -> array_recv -> text form.
        for (oid, text) in [
            (1007, "{1,-2,NULL}"),
            (1009, r#"{a,"b c","q\"x",""}"#),
            (1016, "{}"),
        ] {
            let bytes = encode(oid, ValueRef::Text(text.as_bytes()), true)
                .unwrap()
                .unwrap();
            assert_eq!(decode_binary_param(oid, &bytes).unwrap(), text, "{oid}");
        }
    }
}
