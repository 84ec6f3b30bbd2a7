//! PostgreSQL types: OIDs, names as declared in CREATE TABLE, and the text
//! form a PostgreSQL server would send for a value stored in SQLite.

use rusqlite::types::ValueRef;

pub const BOOL: u32 = 16;
pub const BYTEA: u32 = 17;
pub const NAME: u32 = 19;
pub const INT8: u32 = 20;
pub const INT2: u32 = 21;
pub const INT4: u32 = 23;
pub const TEXT: u32 = 25;
pub const OID: u32 = 26;
pub const JSON: u32 = 114;
pub const FLOAT4: u32 = 700;
pub const FLOAT8: u32 = 701;
pub const BPCHAR: u32 = 1042;
pub const VARCHAR: u32 = 1043;
pub const DATE: u32 = 1082;
pub const TIME: u32 = 1083;
pub const TIMESTAMP: u32 = 1114;
pub const TIMESTAMPTZ: u32 = 1184;
pub const INTERVAL: u32 = 1186;
pub const NUMERIC: u32 = 1700;
pub const UUID: u32 = 2950;
pub const VOID: u32 = 2278;
pub const JSONB: u32 = 3802;

/// The OID for a type as written in a column declaration or a cast
/// (`integer`, `varchar(20)`, `double precision`, `timestamp with time zone`).
/// Unknown names are text: SQLite stores them as text affinity or as given.
pub fn oid_for_type_name(declared: &str) -> u32 {
    let lower = declared.trim().to_ascii_lowercase();
    let base = lower
        .split('(')
        .next()
        .unwrap_or("")
        .trim()
        .trim_start_matches("pg_catalog.");
    match base {
        "bool" | "boolean" => BOOL,
        "bytea" | "blob" => BYTEA,
        "name" => NAME,
        "int8" | "bigint" | "bigserial" | "serial8" => INT8,
        "int2" | "smallint" | "smallserial" | "serial2" => INT2,
        "int" | "int4" | "integer" | "serial" | "serial4" => INT4,
        "oid" | "regclass" | "regtype" | "regproc" => OID,
        "text" | "" => TEXT,
        "json" => JSON,
        "jsonb" => JSONB,
        "real" | "float4" => FLOAT4,
        "double precision" | "float8" | "float" | "double" => FLOAT8,
        "char" | "character" | "bpchar" => BPCHAR,
        "varchar" | "character varying" => VARCHAR,
        "date" => DATE,
        "time" | "time without time zone" => TIME,
        "timestamp" | "timestamp without time zone" | "datetime" => TIMESTAMP,
        "timestamptz" | "timestamp with time zone" => TIMESTAMPTZ,
        "interval" => INTERVAL,
        "numeric" | "decimal" => NUMERIC,
        "uuid" => UUID,
        "void" => VOID,
        _ => TEXT,
    }
}

/// typlen as RowDescription reports it (-1 for variable length).
pub fn type_size(oid: u32) -> i16 {
    match oid {
        BOOL => 1,
        INT2 => 2,
        INT4 | OID | FLOAT4 | DATE => 4,
        INT8 | FLOAT8 | TIME | TIMESTAMP | TIMESTAMPTZ => 8,
        INTERVAL | UUID => 16,
        NAME => 64,
        VOID => 4,
        _ => -1,
    }
}

/// The OID a value's SQLite storage class suggests, when nothing better is known.
pub fn oid_for_value(value: ValueRef<'_>) -> u32 {
    match value {
        ValueRef::Integer(_) => INT8,
        ValueRef::Real(_) => FLOAT8,
        ValueRef::Blob(_) => BYTEA,
        ValueRef::Null | ValueRef::Text(_) => TEXT,
    }
}

/// PostgreSQL's text output for a value of type `oid` stored as `value`.
/// `None` is SQL NULL.
pub fn format_text(oid: u32, value: ValueRef<'_>) -> Option<String> {
    Some(match value {
        ValueRef::Null => return None,
        ValueRef::Integer(i) => match oid {
            BOOL => if i != 0 { "t" } else { "f" }.to_string(),
            FLOAT4 | FLOAT8 => format_float(i as f64),
            _ => i.to_string(),
        },
        ValueRef::Real(f) => match oid {
            INT2 | INT4 | INT8 if f.fract() == 0.0 && f.abs() < 9.2e18 => (f as i64).to_string(),
            _ => format_float(f),
        },
        ValueRef::Text(bytes) => {
            let text = String::from_utf8_lossy(bytes);
            match oid {
                BOOL => match parse_bool(&text) {
                    Some(b) => if b { "t" } else { "f" }.to_string(),
                    None => text.into_owned(),
                },
                _ => text.into_owned(),
            }
        }
        ValueRef::Blob(bytes) => {
            let mut out = String::with_capacity(2 + bytes.len() * 2);
            out.push_str("\\x");
            for b in bytes {
                out.push_str(&format!("{b:02x}"));
            }
            out
        }
    })
}

/// PostgreSQL's boolean input spellings.
pub fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "t" | "true" | "y" | "yes" | "on" | "1" => Some(true),
        "f" | "false" | "n" | "no" | "off" | "0" => Some(false),
        _ => None,
    }
}

/// float8out with extra_float_digits = 1 (PostgreSQL 12+): the shortest text
/// that reads back exactly, exponent form for very large or small values.
pub fn format_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-4..1e15).contains(&abs) {
        // Rust prints "1e20" / "1.5e-7"; PostgreSQL prints "1e+20" / "1.5e-07".
        let s = format!("{f:e}");
        let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
        let exp: i32 = exponent.parse().unwrap_or(0);
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.abs());
    }
    format!("{f}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_names_map_to_oids() {
        for (name, oid) in [
            ("integer", INT4),
            ("INT", INT4),
            ("serial", INT4),
            ("bigint", INT8),
            ("varchar(20)", VARCHAR),
            ("CHARACTER VARYING(20)", VARCHAR),
            ("char(84)", BPCHAR),
            ("double precision", FLOAT8),
            ("timestamp with time zone", TIMESTAMPTZ),
            ("timestamp", TIMESTAMP),
            ("numeric(10,2)", NUMERIC),
            ("boolean", BOOL),
            ("whatever", TEXT),
        ] {
            assert_eq!(oid_for_type_name(name), oid, "{name}");
        }
    }

    #[test]
    fn values_render_as_postgresql_text() {
        let cases: &[(u32, ValueRef<'_>, Option<&str>)] = &[
            (INT4, ValueRef::Integer(42), Some("42")),
            (BOOL, ValueRef::Integer(1), Some("t")),
            (BOOL, ValueRef::Text(b"false"), Some("f")),
            (FLOAT8, ValueRef::Real(1.5), Some("1.5")),
            (FLOAT8, ValueRef::Real(1.0), Some("1")),
            (FLOAT8, ValueRef::Real(1e20), Some("1e+20")),
            (FLOAT8, ValueRef::Real(1.5e-7), Some("1.5e-07")),
            (FLOAT8, ValueRef::Real(f64::INFINITY), Some("Infinity")),
            (BYTEA, ValueRef::Blob(&[0xde, 0xad]), Some("\\xdead")),
            (TEXT, ValueRef::Text(b"hi"), Some("hi")),
            (TEXT, ValueRef::Null, None),
        ];
        for (oid, value, expected) in cases {
            assert_eq!(
                format_text(*oid, *value).as_deref(),
                *expected,
                "{oid} {value:?}"
            );
        }
    }
}
