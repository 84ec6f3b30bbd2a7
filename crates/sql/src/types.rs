//! PostgreSQL types: OIDs, names as declared in CREATE TABLE, and the text
//! form a PostgreSQL server would send for a value stored in SQLite.

use rusqlite::types::ValueRef;

use crate::datetime;

pub const BOOL: u32 = 16;
pub const BYTEA: u32 = 17;
pub const CHAR: u32 = 18;
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
pub const TIMETZ: u32 = 1266;
pub const TIMESTAMP: u32 = 1114;
pub const TIMESTAMPTZ: u32 = 1184;
pub const INTERVAL: u32 = 1186;
pub const NUMERIC: u32 = 1700;
pub const UUID: u32 = 2950;
pub const VOID: u32 = 2278;
pub const REGTYPE: u32 = 2206;
/// regclass: stored as the relation's name as PostgreSQL prints it.
pub const REGCLASS: u32 = 2205;
pub const JSONB: u32 = 3802;

/// The declared SQLite type of a numeric column: a name of TEXT affinity,
/// so that SQLite keeps the decimal text numeric values are stored as
/// (NUMERIC affinity would turn `1.10` into the REAL 1.1).
pub const NUMERIC_STORAGE_NAME: &str = "pg_numeric_text";

/// Ends the declared type of a GENERATED ALWAYS AS IDENTITY column
/// (`int4 pg_always_identity`; SQLite drops a trailing `always` from a declared type): the analyzer refuses explicit values for it.
pub const IDENTITY_ALWAYS_MARK: &str = " pg_always_identity";

/// The OID for a type as written in a column declaration or a cast
/// (`integer`, `varchar(20)`, `double precision`, `timestamp with time zone`).
/// Unknown names are text: SQLite stores them as text affinity or as given.
pub fn oid_for_type_name(declared: &str) -> u32 {
    let declared = declared
        .strip_suffix(IDENTITY_ALWAYS_MARK)
        .unwrap_or(declared);
    let lower = declared.trim().to_ascii_lowercase();
    // `int4[]`, `integer[]`, `_int4`: the element's array type.
    if let Some(element) = lower.strip_suffix("[]").or_else(|| lower.strip_prefix('_')) {
        let element = oid_for_type_name(element);
        return type_info(element).map_or(TEXT, |t| if t.array == 0 { TEXT } else { t.array });
    }
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
        // The one-byte internal type the catalogs use (`"char"`).
        "\"char\"" => CHAR,
        "varchar" | "character varying" => VARCHAR,
        "date" => DATE,
        "time" | "time without time zone" => TIME,
        "timetz" | "time with time zone" => TIMETZ,
        "timestamp" | "timestamp without time zone" | "datetime" => TIMESTAMP,
        "timestamptz" | "timestamp with time zone" => TIMESTAMPTZ,
        "interval" => INTERVAL,
        "numeric" | "decimal" | NUMERIC_STORAGE_NAME => NUMERIC,
        "uuid" => UUID,
        "void" => VOID,
        _ => TEXT,
    }
}

/// A row of the emulated pg_type.
pub struct TypeInfo {
    pub oid: u32,
    pub name: &'static str,
    /// format_type's spelling.
    pub sql_name: &'static str,
    pub len: i16,
    pub category: char,
    /// For an array type: its element type.
    pub element: u32,
    /// The array type of this type (0 for arrays).
    pub array: u32,
}

const fn t(
    oid: u32,
    name: &'static str,
    sql_name: &'static str,
    len: i16,
    category: char,
    array: u32,
) -> TypeInfo {
    TypeInfo {
        oid,
        name,
        sql_name,
        len,
        category,
        element: 0,
        array,
    }
}

const fn arr(oid: u32, name: &'static str, sql_name: &'static str, element: u32) -> TypeInfo {
    TypeInfo {
        oid,
        name,
        sql_name,
        len: -1,
        category: 'A',
        element,
        array: 0,
    }
}

/// The types this server knows, for pg_type.
pub const CATALOG: &[TypeInfo] = &[
    t(BOOL, "bool", "boolean", 1, 'B', 1000),
    t(BYTEA, "bytea", "bytea", -1, 'U', 1001),
    t(CHAR, "char", "\"char\"", 1, 'Z', 1002),
    t(NAME, "name", "name", 64, 'S', 1003),
    t(INT8, "int8", "bigint", 8, 'N', 1016),
    t(INT2, "int2", "smallint", 2, 'N', 1005),
    t(INT4, "int4", "integer", 4, 'N', 1007),
    t(TEXT, "text", "text", -1, 'S', 1009),
    t(OID, "oid", "oid", 4, 'N', 1028),
    t(JSON, "json", "json", -1, 'U', 199),
    t(FLOAT4, "float4", "real", 4, 'N', 1021),
    t(FLOAT8, "float8", "double precision", 8, 'N', 1022),
    t(BPCHAR, "bpchar", "character", -1, 'S', 1014),
    t(VARCHAR, "varchar", "character varying", -1, 'S', 1015),
    t(DATE, "date", "date", 4, 'D', 1182),
    t(TIME, "time", "time without time zone", 8, 'D', 1183),
    t(TIMETZ, "timetz", "time with time zone", 12, 'D', 1270),
    t(
        TIMESTAMP,
        "timestamp",
        "timestamp without time zone",
        8,
        'D',
        1115,
    ),
    t(
        TIMESTAMPTZ,
        "timestamptz",
        "timestamp with time zone",
        8,
        'D',
        1185,
    ),
    t(INTERVAL, "interval", "interval", 16, 'T', 1187),
    t(NUMERIC, "numeric", "numeric", -1, 'N', 1231),
    t(UUID, "uuid", "uuid", 16, 'U', 2951),
    t(VOID, "void", "void", 4, 'P', 0),
    t(REGTYPE, "regtype", "regtype", 4, 'N', 2211),
    t(REGCLASS, "regclass", "regclass", 4, 'N', 2210),
    t(JSONB, "jsonb", "jsonb", -1, 'U', 3807),
    arr(1000, "_bool", "boolean[]", BOOL),
    arr(1001, "_bytea", "bytea[]", BYTEA),
    arr(1002, "_char", "\"char\"[]", CHAR),
    arr(1003, "_name", "name[]", NAME),
    arr(1016, "_int8", "bigint[]", INT8),
    arr(1005, "_int2", "smallint[]", INT2),
    arr(1007, "_int4", "integer[]", INT4),
    arr(1009, "_text", "text[]", TEXT),
    arr(1028, "_oid", "oid[]", OID),
    arr(199, "_json", "json[]", JSON),
    arr(1021, "_float4", "real[]", FLOAT4),
    arr(1022, "_float8", "double precision[]", FLOAT8),
    arr(1014, "_bpchar", "character[]", BPCHAR),
    arr(1015, "_varchar", "character varying[]", VARCHAR),
    arr(1182, "_date", "date[]", DATE),
    arr(1183, "_time", "time without time zone[]", TIME),
    arr(
        1115,
        "_timestamp",
        "timestamp without time zone[]",
        TIMESTAMP,
    ),
    arr(
        1185,
        "_timestamptz",
        "timestamp with time zone[]",
        TIMESTAMPTZ,
    ),
    arr(1187, "_interval", "interval[]", INTERVAL),
    arr(1231, "_numeric", "numeric[]", NUMERIC),
    arr(2951, "_uuid", "uuid[]", UUID),
    arr(3807, "_jsonb", "jsonb[]", JSONB),
];

/// pg_type's row for `oid`.
pub fn type_info(oid: u32) -> Option<&'static TypeInfo> {
    CATALOG.iter().find(|t| t.oid == oid)
}

/// The element type of an array type (None for other types).
pub fn element_of(oid: u32) -> Option<u32> {
    type_info(oid).map(|t| t.element).filter(|&e| e != 0)
}

/// An array's text form from its elements (`None` is NULL), quoting
/// elements as array_out does.
pub fn array_text<S: AsRef<str>>(elements: &[Option<S>]) -> String {
    let mut out = String::from("{");
    for (i, e) in elements.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let Some(e) = e else {
            out.push_str("NULL");
            continue;
        };
        let e = e.as_ref();
        let plain = !e.is_empty()
            && !e.eq_ignore_ascii_case("null")
            && !e
                .chars()
                .any(|c| matches!(c, '{' | '}' | ',' | '"' | '\\') || c.is_whitespace());
        if plain {
            out.push_str(e);
        } else {
            out.push('"');
            for c in e.chars() {
                if c == '"' || c == '\\' {
                    out.push('\\');
                }
                out.push(c);
            }
            out.push('"');
        }
    }
    out.push('}');
    out
}

/// atttypmod for a declared type: `varchar(n)`/`char(n)` -> n + 4,
/// `numeric(p, s)` -> ((p << 16) | (s & 0x7ff)) + 4, else -1.
pub fn type_modifier(declared: &str) -> i32 {
    // An array's typmod is its element's.
    let declared = declared.trim();
    let declared = match declared
        .strip_suffix("[]")
        .or_else(|| declared.strip_prefix('_'))
    {
        Some(element) if element_of(oid_for_type_name(declared)).is_some() => element,
        _ => declared,
    };
    let Some((_, args)) = declared.split_once('(') else {
        return -1;
    };
    let nums: Vec<i32> = args
        .trim_end_matches(')')
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    match (oid_for_type_name(declared), nums.as_slice()) {
        (VARCHAR | BPCHAR, [n]) => n + 4,
        (NUMERIC, [p]) => (p << 16) + 4,
        (NUMERIC, [p, s]) => ((p << 16) | (s & 0x7ff)) + 4,
        (TIME | TIMETZ | TIMESTAMP | TIMESTAMPTZ, [p]) => *p,
        _ => -1,
    }
}

/// format_type(oid, typmod): `character varying(40)`, `numeric(10,2)`, `integer`.
pub fn format_type(oid: u32, typmod: i32) -> String {
    if oid == 0 {
        return "-".to_string();
    }
    let Some(t) = type_info(oid) else {
        return "???".to_string();
    };
    if let Some(elem) = element_of(oid).filter(|_| typmod >= 0) {
        return format!("{}[]", format_type(elem, typmod));
    }
    match (oid, typmod) {
        (VARCHAR | BPCHAR, m) if m >= 4 => format!("{}({})", t.sql_name, m - 4),
        (NUMERIC, m) if m >= 4 => {
            let m = m - 4;
            // The scale is 11 bits, signed (numeric(3,-6)).
            format!("numeric({},{})", m >> 16, ((m & 0x7ff) ^ 1024) - 1024)
        }
        (INTERVAL, m) if m >= 0 => crate::interval::typmod_out(m),
        (TIME | TIMETZ | TIMESTAMP | TIMESTAMPTZ, m) if m >= 0 => {
            let (base, zone) = t.sql_name.split_once(' ').unwrap_or((t.sql_name, ""));
            format!("{base}({m}) {zone}")
        }
        _ => t.sql_name.to_string(),
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
        TIMETZ => 12,
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
        // void is sent as an empty value, not NULL (as PostgreSQL does).
        ValueRef::Null if oid == VOID => String::new(),
        ValueRef::Null => return None,
        ValueRef::Integer(i) => match oid {
            BOOL => if i != 0 { "t" } else { "f" }.to_string(),
            FLOAT4 | FLOAT8 => format_float(i as f64),
            _ => i.to_string(),
        },
        ValueRef::Real(f) => match oid {
            INT2 | INT4 | INT8 if f.fract() == 0.0 && f.abs() < 9.2e18 => (f as i64).to_string(),
            FLOAT4 => crate::adt::format_float4(f),
            // A numeric column of NUMERIC affinity may hold a REAL: its
            // shortest decimal text, never an exponent.
            NUMERIC if f.is_finite() => crate::numeric::Numeric::parse(&format!("{f}"))
                .map_or_else(|| format_float(f), |n| n.to_text()),
            _ => format_float(f),
        },
        ValueRef::Text(bytes) if element_of(oid).is_some_and(crate::array::supported_element) => {
            let elem = element_of(oid).unwrap_or(TEXT);
            crate::array::output(elem, &String::from_utf8_lossy(bytes))
        }
        ValueRef::Text(bytes) => {
            let text = String::from_utf8_lossy(bytes);
            match oid {
                BOOL => match parse_bool(&text) {
                    Some(b) => if b { "t" } else { "f" }.to_string(),
                    None => text.into_owned(),
                },
                DATE => crate::datefmt::date_out(&text),
                TIMESTAMP => crate::datefmt::timestamp_out(&text),
                // Stored in UTC (`...+00`); other text (written before the
                // new SQL layer) is read as input first.
                TIMESTAMPTZ => match crate::datefmt::timestamptz_micros(&text) {
                    Some(_) => crate::datefmt::timestamptz_out(&text),
                    None => match crate::datefmt::timestamptz_in(&text) {
                        Ok(stored) => crate::datefmt::timestamptz_out(&stored),
                        Err(_) => text.into_owned(),
                    },
                },
                INTERVAL => crate::interval::output_stored(&text),
                TIME | UUID => canonical_text(oid, &text).unwrap_or_else(|| text.into_owned()),
                BYTEA => match datetime::parse_bytea(&text) {
                    Some(bytes) => hex_bytea(&bytes),
                    None => text.into_owned(),
                },
                _ => text.into_owned(),
            }
        }
        ValueRef::Blob(bytes) => hex_bytea(bytes),
    })
}

/// bytea in PostgreSQL's hex output format: `\x0102ff`.
pub fn hex_bytea(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(2 + bytes.len() * 2);
    out.push_str("\\x");
    for b in bytes {
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 15) as usize] as char);
    }
    out
}

/// The text PostgreSQL prints for a value of the date/time or uuid type
/// `oid` given as `text`, or None when `text` is not valid input.
pub fn canonical_text(oid: u32, text: &str) -> Option<String> {
    match oid {
        INTERVAL => crate::interval::input(text, -1)
            .ok()
            .map(crate::interval::format_postgres),
        TIME => crate::datefmt::time_in(text)
            .ok()
            .map(datetime::format_time),
        TIMESTAMPTZ => crate::datefmt::timestamptz_in(text).ok(),
        UUID => datetime::canonical_uuid(text),
        _ => Some(text.to_string()),
    }
}

/// PostgreSQL's reserved keywords (quote_ident quotes them).
pub fn is_reserved_keyword(word: &str) -> bool {
    const RESERVED: &[&str] = &[
        "all",
        "analyse",
        "analyze",
        "and",
        "any",
        "array",
        "as",
        "asc",
        "asymmetric",
        "both",
        "case",
        "cast",
        "check",
        "collate",
        "column",
        "constraint",
        "create",
        "current_catalog",
        "current_date",
        "current_role",
        "current_time",
        "current_timestamp",
        "current_user",
        "default",
        "deferrable",
        "desc",
        "distinct",
        "do",
        "else",
        "end",
        "except",
        "false",
        "fetch",
        "for",
        "foreign",
        "from",
        "grant",
        "group",
        "having",
        "in",
        "initially",
        "intersect",
        "into",
        "lateral",
        "leading",
        "limit",
        "localtime",
        "localtimestamp",
        "not",
        "null",
        "offset",
        "on",
        "only",
        "or",
        "order",
        "placing",
        "primary",
        "references",
        "returning",
        "select",
        "session_user",
        "some",
        "symmetric",
        "system_user",
        "table",
        "then",
        "to",
        "trailing",
        "true",
        "union",
        "unique",
        "user",
        "using",
        "variadic",
        "when",
        "where",
        "window",
        "with",
    ];
    RESERVED.contains(&word)
}

/// PostgreSQL's boolean input spellings.
pub fn parse_bool(text: &str) -> Option<bool> {
    // Any prefix of true, false, yes, no; on, of / off (parse_bool_with_len).
    let t = text.trim().to_ascii_lowercase();
    let prefix = |word: &str| !t.is_empty() && word.starts_with(t.as_str());
    match t.as_str() {
        "1" | "on" => Some(true),
        "0" | "of" | "off" => Some(false),
        _ if prefix("true") || prefix("yes") => Some(true),
        _ if prefix("false") || prefix("no") => Some(false),
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
    let extra = extra_float_digits();
    if extra <= 0 {
        // DBL_DIG + extra_float_digits significant digits, as %g.
        return format_g(f, (15 + extra).max(1) as usize);
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-4..1e15).contains(&abs) {
        return postgresql_exponent(&format!("{f:e}"));
    }
    format!("{f}")
}

thread_local! {
    /// The session's extra_float_digits (PostgreSQL's default 1: shortest
    /// exact output; 0 and below: %g with DBL_DIG/FLT_DIG plus it).
    static EXTRA_FLOAT_DIGITS: std::cell::Cell<i32> = const { std::cell::Cell::new(1) };
}

pub fn extra_float_digits() -> i32 {
    EXTRA_FLOAT_DIGITS.with(|c| c.get())
}

/// SET extra_float_digits: an integer in -15..3, as PostgreSQL checks it.
pub fn set_extra_float_digits(value: &str) -> Result<String, pm_elog::PgError> {
    let v = value.trim();
    let n: i32 = v.parse().map_err(|_| {
        pm_elog::PgError::error(
            pm_elog::sqlstate::INVALID_PARAMETER_VALUE,
            format!("invalid value for parameter \"extra_float_digits\": \"{value}\""),
        )
    })?;
    if !(-15..=3).contains(&n) {
        return Err(pm_elog::PgError::error(
            pm_elog::sqlstate::INVALID_PARAMETER_VALUE,
            format!(
                "{n} is outside the valid range for parameter \"extra_float_digits\" (-15 .. 3)"
            ),
        ));
    }
    EXTRA_FLOAT_DIGITS.with(|c| c.set(n));
    Ok(n.to_string())
}

/// C's `%.{digits}g`: that many significant digits, trailing zeros
/// removed, exponent form below 1e-4 or from 10^digits.
pub fn format_g(f: f64, digits: usize) -> String {
    let e = format!("{:.*e}", digits - 1, f);
    let (mantissa, exponent) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exponent.parse().unwrap_or(0);
    let trim = |s: &str| -> String {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s.to_string()
        }
    };
    if exp < -4 || exp >= digits as i32 {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}e{sign}{:02}", trim(mantissa), exp.abs())
    } else {
        let decimals = (digits as i32 - 1 - exp).max(0) as usize;
        trim(&format!("{f:.decimals$}"))
    }
}

/// Rust's exponent form ("1e20", "1.5e-7") as PostgreSQL's float output
/// writes it ("1e+20", "1.5e-07").
pub fn postgresql_exponent(rust: &str) -> String {
    let (mantissa, exponent) = rust.split_once('e').unwrap_or((rust, "0"));
    let exp: i32 = exponent.parse().unwrap_or(0);
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exp.abs())
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
