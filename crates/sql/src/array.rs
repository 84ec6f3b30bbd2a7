//! Arrays (PostgreSQL: `utils/adt/arrayfuncs.c`, `array_userfuncs.c`):
//! input, output, storage, ordering and the functions over them.
//!
//! Storage: the array's text as array_out prints it, with each element in
//! its type's *stored* form (`types`/`adt` module docs: a timestamptz in
//! UTC, a float as its shortest exact decimal, a bool as `t`/`f`), so the
//! stored text never depends on the session's DateStyle, TimeZone or
//! extra_float_digits. Output reads each element back and prints it with
//! its type's output function under the session's settings. Data an older
//! version stored in an array column (the client's text as given) is read
//! by the same parser.
//!
//! Ordering and equality are PostgreSQL's (array_cmp): element by element
//! with the element type's order (NULL after every value, NULLs equal),
//! then the shorter array first, then dimensions. Every comparison goes
//! through [`sort_key`], a byte string whose memcmp order is that order:
//! `=`, `<`, ORDER BY, DISTINCT, GROUP BY.
//!
//! SQLite sees an array's elements through `pm_unnest_json(ordinality,
//! a1, e1, ...)`: a JSON array of rows whose values have their SQLite
//! storage class (numbers for integers, bools and floats, strings for the
//! rest, bytea as hex); json_each() over it gives `unnest` and
//! `= ANY (array)` a row per element.

use pm_elog::{sqlstate as code, PgError};
use rusqlite::functions::{Aggregate, Context, FunctionFlags};
use rusqlite::types::{Value, ValueRef};
use rusqlite::Connection;

use crate::adt::{self, pg};
use crate::errors::function_error;
use crate::types::*;

/// PostgreSQL's MAXDIM.
const MAX_DIMS: usize = 6;

/// An array value: its dimensions (length and lower bound of each) and its
/// elements in row-major order, each in its stored text form (None: NULL).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Array {
    pub dims: Vec<(usize, i32)>,
    pub items: Vec<Option<String>>,
}

impl Array {
    /// A one-dimensional array with lower bound 1.
    pub fn vector(items: Vec<Option<String>>) -> Array {
        let dims = if items.is_empty() {
            Vec::new()
        } else {
            vec![(items.len(), 1)]
        };
        Array { dims, items }
    }
}

/// The element types arrays are computed with here.
pub fn supported_element(oid: u32) -> bool {
    matches!(
        oid,
        BOOL | INT2
            | INT4
            | INT8
            | OID
            | FLOAT4
            | FLOAT8
            | NUMERIC
            | TEXT
            | VARCHAR
            | BPCHAR
            | NAME
            | CHAR
            | DATE
            | TIME
            | TIMETZ
            | TIMESTAMP
            | TIMESTAMPTZ
            | INTERVAL
            | UUID
            | BYTEA
    )
}

/// The array type of `elem` (0: none).
pub fn array_of(elem: u32) -> u32 {
    type_info(elem).map_or(0, |t| t.array)
}

fn malformed(text: &str, detail: &str) -> PgError {
    PgError::error(
        code::INVALID_TEXT_REPRESENTATION,
        format!("malformed array literal: \"{text}\""),
    )
    .with_detail(detail)
}

fn too_many_dims(n: usize) -> PgError {
    PgError::error(
        code::PROGRAM_LIMIT_EXCEEDED,
        format!("number of array dimensions ({n}) exceeds the maximum allowed ({MAX_DIMS})"),
    )
}

/// One token of array text: an element (None: an unquoted NULL).
enum Token {
    Open,
    Close,
    Delim,
    Item(Option<String>),
}

fn tokens(text: &str, body: &str) -> Result<Vec<Token>, PgError> {
    let mut out = Vec::new();
    let mut chars = body.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            '{' => {
                chars.next();
                out.push(Token::Open);
            }
            '}' => {
                chars.next();
                out.push(Token::Close);
            }
            ',' => {
                chars.next();
                out.push(Token::Delim);
            }
            c if c.is_ascii_whitespace() => {
                chars.next();
            }
            _ => {
                // An element: quoted parts and unquoted characters, with
                // backslash escapes; unquoted whitespace at the ends is
                // dropped; an unquoted NULL is NULL.
                let mut s = String::new();
                let mut quoted_any = false;
                // Length of `s` up to the last character that must stay
                // (quoted or escaped).
                let mut keep = 0;
                loop {
                    match chars.peek().copied() {
                        None => return Err(malformed(text, "Unexpected end of input.")),
                        Some('"') => {
                            chars.next();
                            quoted_any = true;
                            loop {
                                match chars.next() {
                                    None => {
                                        return Err(malformed(text, "Unexpected end of input."))
                                    }
                                    Some('"') => break,
                                    Some('\\') => match chars.next() {
                                        None => {
                                            return Err(malformed(text, "Unexpected end of input."))
                                        }
                                        Some(e) => s.push(e),
                                    },
                                    Some(ch) => s.push(ch),
                                }
                            }
                            keep = s.len();
                        }
                        Some('\\') => {
                            chars.next();
                            match chars.next() {
                                None => return Err(malformed(text, "Unexpected end of input.")),
                                Some(e) => s.push(e),
                            }
                            keep = s.len();
                        }
                        Some('{') => {
                            return Err(malformed(text, "Unexpected \"{\" character."));
                        }
                        Some(',' | '}') => break,
                        Some(ch) => {
                            chars.next();
                            s.push(ch);
                            if !ch.is_ascii_whitespace() {
                                keep = s.len();
                            }
                        }
                    }
                }
                s.truncate(keep);
                if !quoted_any && s.eq_ignore_ascii_case("null") {
                    out.push(Token::Item(None));
                } else {
                    out.push(Token::Item(Some(s)));
                }
            }
        }
    }
    Ok(out)
}

/// The explicit dimensions `[lb:ub][lb:ub]=` in front of an array's text.
fn explicit_dims(text: &str, s: &str) -> Result<(Vec<(usize, i32)>, usize), PgError> {
    let mut dims = Vec::new();
    let mut rest = s;
    let mut used = 0;
    while let Some(r) = rest.trim_start().strip_prefix('[') {
        used += rest.len() - rest.trim_start().len() + 1;
        let Some(end) = r.find(']') else {
            return Err(malformed(text, "Missing \"]\" after array dimensions."));
        };
        let inner = &r[..end];
        let parse = |t: &str| -> Result<i32, PgError> {
            let t = t.trim();
            if t.is_empty() {
                return Err(malformed(text, "Missing array dimension value."));
            }
            t.parse::<i32>()
                .map_err(|_| malformed(text, "Missing array dimension value."))
        };
        let (lb, ub) = match inner.split_once(':') {
            Some((lo, hi)) => (parse(lo)?, parse(hi)?),
            None => (1, parse(inner)?),
        };
        if ub < lb {
            return Err(PgError::error(
                code::ARRAY_SUBSCRIPT_ERROR,
                "upper bound cannot be less than lower bound",
            ));
        }
        dims.push(((ub as i64 - lb as i64 + 1) as usize, lb));
        if dims.len() > MAX_DIMS {
            return Err(too_many_dims(dims.len()));
        }
        used += end + 1;
        rest = &r[end + 1..];
    }
    if dims.is_empty() {
        return Ok((dims, 0));
    }
    let after = rest.trim_start();
    let Some(after) = after.strip_prefix('=') else {
        return Err(malformed(text, "Missing \"=\" after array dimensions."));
    };
    used += rest.len() - after.len();
    Ok((dims, used))
}

/// Reads array text into its shape and raw element strings (array_in's
/// parsing; elements are not yet read by their type's input function).
pub fn parse_text(text: &str) -> Result<Array, PgError> {
    let s = text.trim_start();
    let (explicit, used) = if s.starts_with('[') {
        explicit_dims(text, s)?
    } else {
        (Vec::new(), 0)
    };
    let body = s[used..].trim_start();
    if !body.starts_with('{') {
        return Err(malformed(
            text,
            if explicit.is_empty() {
                "Array value must start with \"{\" or dimension information."
            } else {
                "Array contents must start with \"{\"."
            },
        ));
    }
    let toks = tokens(text, body)?;
    let mut walk = Walk {
        text,
        toks: &toks,
        pos: 1,
        lens: Vec::new(),
        ndims: None,
        items: Vec::new(),
    };
    walk.level(1)?;
    if walk.pos < toks.len() {
        return Err(malformed(text, "Junk after closing right brace."));
    }
    let Walk {
        lens, ndims, items, ..
    } = walk;
    let mut dims: Vec<(usize, i32)> = match ndims {
        None => Vec::new(),
        Some(n) => lens[..n].iter().map(|l| (l.unwrap_or(0), 1)).collect(),
    };
    if items.is_empty() {
        dims.clear();
    }
    if !explicit.is_empty() {
        if explicit.len() != dims.len() || explicit.iter().zip(&dims).any(|(e, d)| e.0 != d.0) {
            return Err(malformed(
                text,
                "Specified array dimensions do not match array contents.",
            ));
        }
        dims = explicit;
    }
    Ok(Array { dims, items })
}

/// The nesting of an array literal's tokens: every sub-array of a level
/// as long as the first, elements only at the innermost level.
struct Walk<'a> {
    text: &'a str,
    toks: &'a [Token],
    pos: usize,
    lens: Vec<Option<usize>>,
    ndims: Option<usize>,
    items: Vec<Option<String>>,
}

impl Walk<'_> {
    /// The sub-array at `depth` whose `{` was just read, through its `}`.
    fn level(&mut self, depth: usize) -> Result<(), PgError> {
        if depth > MAX_DIMS {
            return Err(too_many_dims(depth));
        }
        if self.lens.len() < depth {
            self.lens.push(None);
        }
        let text = self.text;
        let unexpected = |what: &str| malformed(text, &format!("Unexpected {what}."));
        let (mut count, mut subarrays, mut want_element) = (0usize, false, true);
        loop {
            let Some(t) = self.toks.get(self.pos) else {
                return Err(malformed(text, "Unexpected end of input."));
            };
            self.pos += 1;
            match t {
                Token::Open => {
                    if !want_element
                        || (count > 0 && !subarrays)
                        || self.ndims.is_some_and(|n| depth >= n)
                    {
                        return Err(unexpected("\"{\" character"));
                    }
                    subarrays = true;
                    self.level(depth + 1)?;
                    count += 1;
                    want_element = false;
                }
                Token::Item(v) => {
                    if !want_element || subarrays || self.ndims.is_some_and(|n| n != depth) {
                        return Err(unexpected("array element"));
                    }
                    self.ndims = Some(depth);
                    self.items.push(v.clone());
                    count += 1;
                    want_element = false;
                }
                Token::Delim => {
                    if want_element {
                        return Err(unexpected("\",\" character"));
                    }
                    want_element = true;
                }
                Token::Close => {
                    if want_element && (count > 0 || depth > 1) {
                        return Err(unexpected("\"}\" character"));
                    }
                    match self.lens[depth - 1] {
                        None => self.lens[depth - 1] = Some(count),
                        Some(l) if l != count => {
                            return Err(malformed(
                                text,
                                "Multidimensional arrays must have sub-arrays with matching dimensions.",
                            ))
                        }
                        _ => {}
                    }
                    return Ok(());
                }
            }
        }
    }
}

/// array_in: text to the stored form, each element through its type's
/// input function (and typmod).
pub fn input(elem: u32, text: &str, typmod: i32) -> Result<String, PgError> {
    let mut a = parse_text(text)?;
    for item in a.items.iter_mut().flatten() {
        let v = adt::input(elem, item)?;
        let v = adt::apply_typmod(elem, typmod, v, false)?;
        *item = stored_text(elem, &v);
    }
    Ok(format_array(&a))
}

/// The stored array as its value: no validation of the elements.
/// A typmod applied to each element of a stored array (`numeric(5,2)[]`).
pub fn apply_typmod(
    elem: u32,
    typmod: i32,
    stored_array: String,
    explicit: bool,
) -> Result<String, PgError> {
    if typmod < 0 {
        return Ok(stored_array);
    }
    let mut a = stored(&stored_array)?;
    for item in a.items.iter_mut().flatten() {
        let v = adt::apply_typmod(elem, typmod, element_value(elem, item), explicit)?;
        *item = stored_text(elem, &v);
    }
    Ok(text(&a))
}

pub fn stored(text: &str) -> Result<Array, PgError> {
    parse_text(text)
}

/// An element's stored text from its SQLite value.
pub fn stored_text(elem: u32, v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Integer(i) => match elem {
            BOOL => if *i != 0 { "t" } else { "f" }.to_string(),
            FLOAT4 | FLOAT8 => float_text(*i as f64),
            _ => i.to_string(),
        },
        Value::Real(f) => match elem {
            INT2 | INT4 | INT8 | OID => format!("{}", *f as i64),
            _ => float_text(*f),
        },
        Value::Text(s) => match elem {
            BOOL => match parse_bool(s) {
                Some(b) => if b { "t" } else { "f" }.to_string(),
                None => s.clone(),
            },
            _ => s.clone(),
        },
        Value::Blob(b) => hex_bytea(b),
    }
}

fn float_text(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else {
        format!("{f:?}")
    }
}

/// An element's SQLite value from its stored text.
pub fn element_value(elem: u32, text: &str) -> Value {
    match elem {
        BOOL => Value::Integer(parse_bool(text).unwrap_or(false) as i64),
        INT2 | INT4 | INT8 | OID => text
            .trim()
            .parse::<i64>()
            .map_or_else(|_| Value::Text(text.to_string()), Value::Integer),
        FLOAT4 | FLOAT8 => match text {
            "NaN" => Value::Text("NaN".into()),
            "Infinity" => Value::Real(f64::INFINITY),
            "-Infinity" => Value::Real(f64::NEG_INFINITY),
            _ => text
                .trim()
                .parse::<f64>()
                .map_or_else(|_| Value::Text(text.to_string()), Value::Real),
        },
        BYTEA => match crate::datetime::parse_bytea(text) {
            Some(b) => Value::Blob(b),
            None => Value::Text(text.to_string()),
        },
        _ => Value::Text(text.to_string()),
    }
}

/// The dimension decoration array_out prints when a lower bound is not 1.
fn decoration(a: &Array) -> String {
    if a.dims.iter().all(|d| d.1 == 1) {
        return String::new();
    }
    let mut s = String::new();
    for &(len, lb) in &a.dims {
        s.push_str(&format!("[{}:{}]", lb, lb as i64 + len as i64 - 1));
    }
    s.push('=');
    s
}

/// The text of an array whose elements are given as `texts`.
fn write_nested(dims: &[(usize, i32)], texts: &[Option<String>], out: &mut String) {
    if dims.is_empty() {
        out.push_str("{}");
        return;
    }
    let inner: usize = dims[1..].iter().map(|d| d.0).product();
    out.push('{');
    for i in 0..dims[0].0 {
        if i > 0 {
            out.push(',');
        }
        if dims.len() == 1 {
            let one = crate::types::array_text(&texts[i..i + 1]);
            out.push_str(&one[1..one.len() - 1]);
        } else {
            write_nested(&dims[1..], &texts[i * inner..(i + 1) * inner], out);
        }
    }
    out.push('}');
}

/// The stored form of an array.
pub fn format_array(a: &Array) -> String {
    let mut out = decoration(a);
    write_nested(&a.dims, &a.items, &mut out);
    out
}

/// array_out: the text PostgreSQL prints, under the session's settings.
pub fn output(elem: u32, stored_text: &str) -> String {
    let Ok(a) = stored(stored_text) else {
        return stored_text.to_string();
    };
    let texts: Vec<Option<String>> = a
        .items
        .iter()
        .map(|i| {
            i.as_ref().and_then(|t| {
                let v = element_value(elem, t);
                format_text(elem, ValueRef::from(&v))
            })
        })
        .collect();
    let mut out = decoration(&a);
    write_nested(&a.dims, &texts, &mut out);
    out
}

// ------------------------------------------------------------ ordering

/// An element's order-preserving key (memcmp order is the type's order).
fn element_key(elem: u32, text: &str) -> Vec<u8> {
    match element_value(elem, text) {
        Value::Integer(i) => {
            if matches!(elem, FLOAT4 | FLOAT8) {
                return float_key(i as f64);
            }
            ((i as u64) ^ (1 << 63)).to_be_bytes().to_vec()
        }
        Value::Real(f) => float_key(f),
        Value::Text(t) if matches!(elem, FLOAT4 | FLOAT8) && t == "NaN" => vec![0xff; 9],
        Value::Text(t) => match elem {
            NUMERIC => crate::numeric::Numeric::parse(&t)
                .map(|n| crate::numeric::sort_key(&n))
                .unwrap_or_else(|| t.into_bytes()),
            INTERVAL => crate::interval::stored_sort_key(&t).unwrap_or_else(|| t.into_bytes()),
            TIMETZ => crate::timetz::timetz_sortkey(&t).into_bytes(),
            BPCHAR => t.trim_end_matches(' ').as_bytes().to_vec(),
            _ => t.into_bytes(),
        },
        Value::Blob(b) => b,
        Value::Null => Vec::new(),
    }
}

fn float_key(f: f64) -> Vec<u8> {
    if f.is_nan() {
        return vec![0xff; 9];
    }
    let f = if f == 0.0 { 0.0 } else { f };
    let bits = f.to_bits();
    let k = if bits >> 63 == 1 {
        !bits
    } else {
        bits ^ (1 << 63)
    };
    let mut v = vec![0x01];
    v.extend_from_slice(&k.to_be_bytes());
    v
}

/// array_cmp's order as bytes: per element a marker (2 a value, 3 NULL)
/// and the element's key with its zero bytes escaped; 1 ends the
/// elements (a shorter array first); then the dimensions.
pub fn sort_key(elem: u32, a: &Array) -> Vec<u8> {
    let mut out = Vec::new();
    for item in &a.items {
        match item {
            None => out.push(3),
            Some(t) => {
                out.push(2);
                for b in element_key(elem, t) {
                    if b == 0 {
                        out.extend_from_slice(&[0, 1]);
                    } else {
                        out.push(b);
                    }
                }
                out.extend_from_slice(&[0, 0]);
            }
        }
    }
    out.push(1);
    out.push(a.dims.len() as u8);
    for &(len, _) in &a.dims {
        out.extend_from_slice(&(len as u32).to_be_bytes());
    }
    for &(_, lb) in &a.dims {
        out.extend_from_slice(&((lb as u32) ^ (1 << 31)).to_be_bytes());
    }
    out
}

fn elements_equal(elem: u32, a: &Option<String>, b: &Option<String>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b || element_key(elem, a) == element_key(elem, b),
        _ => false,
    }
}

// ------------------------------------------------------------ SQLite side

/// An element as a JSON value of its SQLite type (unnest's rows).
fn json_value(elem: u32, item: Option<&str>) -> String {
    let Some(t) = item else {
        return "null".into();
    };
    match element_value(elem, t) {
        Value::Integer(i) => i.to_string(),
        Value::Real(f) if f.is_infinite() => if f > 0.0 { "9e999" } else { "-9e999" }.into(),
        Value::Real(f) => format!("{f:?}"),
        Value::Blob(b) => {
            let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
            serde_json::Value::String(hex).to_string()
        }
        Value::Text(s) => serde_json::Value::String(s).to_string(),
        Value::Null => "null".into(),
    }
}

fn array_arg(ctx: &Context<'_>, i: usize) -> rusqlite::Result<Option<Array>> {
    Ok(match ctx.get_raw(i) {
        ValueRef::Null => None,
        ValueRef::Text(t) => Some(pg(stored(&String::from_utf8_lossy(t)))?),
        other => {
            let t = match other {
                ValueRef::Integer(n) => n.to_string(),
                ValueRef::Real(f) => f.to_string(),
                ValueRef::Blob(b) => String::from_utf8_lossy(b).into_owned(),
                _ => String::new(),
            };
            Some(pg(stored(&t))?)
        }
    })
}

/// Argument `i` as an element of type `elem` in its stored form (None: NULL).
fn element_arg(ctx: &Context<'_>, i: usize, elem: u32) -> Option<String> {
    match adt::owned(ctx.get_raw(i)) {
        Value::Null => None,
        v => Some(stored_text(elem, &v)),
    }
}

/// array_position(s): the subscripts of the elements of array argument 0
/// (element type from argument 1) that are argument 2 (NULL finds NULLs);
/// None for a NULL array.
fn positions(ctx: &Context<'_>) -> rusqlite::Result<Option<Vec<i64>>> {
    let elem = elem_arg(ctx, 1)?;
    let Some(a) = array_arg(ctx, 0)? else {
        return Ok(None);
    };
    if a.dims.len() > 1 {
        return Err(function_error(PgError::error(
            code::FEATURE_NOT_SUPPORTED,
            "searching for elements in multidimensional arrays is not supported",
        )));
    }
    let v = element_arg(ctx, 2, elem);
    let lb = a.dims.first().map_or(1, |d| d.1 as i64);
    Ok(Some(
        a.items
            .iter()
            .enumerate()
            .filter(|(_, item)| match (&v, item) {
                (None, None) => true,
                (x, y) => elements_equal(elem, x, y),
            })
            .map(|(i, _)| lb + i as i64)
            .collect(),
    ))
}

fn elem_arg(ctx: &Context<'_>, i: usize) -> rusqlite::Result<u32> {
    Ok(adt::int_arg(ctx, i)?.unwrap_or(TEXT as i64) as u32)
}

fn subscript_error(message: &str) -> rusqlite::Error {
    function_error(PgError::error(code::ARRAY_SUBSCRIPT_ERROR, message))
}

/// The offset of the element at `subs` (PostgreSQL subscripts, lower
/// bounds applied), None when outside the array.
fn offset(a: &Array, subs: &[i64]) -> Option<usize> {
    if subs.len() != a.dims.len() {
        return None;
    }
    let mut off = 0usize;
    for (&s, &(len, lb)) in subs.iter().zip(&a.dims) {
        let i = s - lb as i64;
        if i < 0 || i >= len as i64 {
            return None;
        }
        off = off * len + i as usize;
    }
    Some(off)
}

/// a[lo:hi][lo:hi]: a new array with lower bounds 1 (empty when any
/// range is empty).
fn slice(a: &Array, ranges: &[(Option<i64>, Option<i64>)]) -> Array {
    if a.dims.is_empty() || ranges.len() > a.dims.len() {
        return Array::default();
    }
    let mut bounds = Vec::new();
    for (k, &(len, lb)) in a.dims.iter().enumerate() {
        let (lo, hi) = ranges.get(k).copied().unwrap_or((None, None));
        let lo = lo.unwrap_or(lb as i64).max(lb as i64);
        let hi = hi
            .unwrap_or(lb as i64 + len as i64 - 1)
            .min(lb as i64 + len as i64 - 1);
        if lo > hi {
            return Array::default();
        }
        bounds.push((lo - lb as i64, hi - lb as i64));
    }
    let mut items = Vec::new();
    let mut idx = vec![0i64; a.dims.len()];
    for (k, b) in bounds.iter().enumerate() {
        idx[k] = b.0;
    }
    loop {
        let mut off = 0usize;
        for (k, &(len, _)) in a.dims.iter().enumerate() {
            off = off * len + idx[k] as usize;
        }
        items.push(a.items[off].clone());
        let mut k = a.dims.len();
        loop {
            if k == 0 {
                let dims = bounds
                    .iter()
                    .map(|b| ((b.1 - b.0 + 1) as usize, 1))
                    .collect();
                return Array { dims, items };
            }
            k -= 1;
            idx[k] += 1;
            if idx[k] <= bounds[k].1 {
                break;
            }
            idx[k] = bounds[k].0;
        }
    }
}

/// array_cat's rules for two arrays of the same element type.
fn concat(a: Array, b: Array) -> Result<Array, PgError> {
    if a.dims.is_empty() {
        return Ok(b);
    }
    if b.dims.is_empty() {
        return Ok(a);
    }
    let mismatch = || {
        PgError::error(
            code::ARRAY_SUBSCRIPT_ERROR,
            "cannot concatenate incompatible arrays",
        )
    };
    let (na, nb) = (a.dims.len(), b.dims.len());
    if na == nb {
        if a.dims[1..] != b.dims[1..] {
            return Err(mismatch().with_detail(
                "Arrays with differing element dimensions are not compatible for concatenation.",
            ));
        }
        let mut dims = a.dims.clone();
        dims[0].0 += b.dims[0].0;
        let mut items = a.items;
        items.extend(b.items);
        return Ok(Array { dims, items });
    }
    if na == nb + 1
        && a.dims[1..]
            .iter()
            .map(|d| d.0)
            .eq(b.dims.iter().map(|d| d.0))
    {
        let mut dims = a.dims.clone();
        dims[0].0 += 1;
        let mut items = a.items;
        items.extend(b.items);
        return Ok(Array { dims, items });
    }
    if nb == na + 1
        && b.dims[1..]
            .iter()
            .map(|d| d.0)
            .eq(a.dims.iter().map(|d| d.0))
    {
        // (b's bounds, one more sub-array in front.)
        let mut dims = b.dims.clone();
        dims[0].0 += 1;
        let mut items = a.items;
        items.extend(b.items);
        return Ok(Array { dims, items });
    }
    Err(mismatch().with_detail(format!(
        "Arrays of {na} and {nb} dimensions are not compatible for concatenation."
    )))
}

/// ARRAY[sub-array, ...]: one more dimension over sub-arrays of equal shape.
fn stack(subs: Vec<Option<Array>>) -> Result<Array, PgError> {
    let mismatch = || {
        PgError::error(
            code::ARRAY_SUBSCRIPT_ERROR,
            "multidimensional arrays must have array expressions with matching dimensions",
        )
    };
    let mut shape: Option<Vec<(usize, i32)>> = None;
    let mut items = Vec::new();
    let (mut n, mut empty) = (0, false);
    for s in subs {
        // NULL and empty sub-arrays only go with each other (an empty
        // result), as ExecEvalArrayExpr has it.
        let Some(s) = s.filter(|s| !s.dims.is_empty()) else {
            empty = true;
            continue;
        };
        match &shape {
            None => shape = Some(s.dims.clone()),
            Some(d) if *d != s.dims => return Err(mismatch()),
            _ => {}
        }
        n += 1;
        items.extend(s.items);
    }
    let Some(shape) = shape else {
        return Ok(Array::default());
    };
    if empty {
        return Err(mismatch());
    }
    if shape.len() + 1 > MAX_DIMS {
        return Err(too_many_dims(shape.len() + 1));
    }
    let mut dims = vec![(n, 1)];
    dims.extend(shape);
    Ok(Array { dims, items })
}

fn text(a: &Array) -> String {
    format_array(a)
}

/// array_agg's state: the elements so far.
struct ArrayAgg;

impl Aggregate<(u32, Vec<Option<String>>), Option<String>> for ArrayAgg {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<(u32, Vec<Option<String>>)> {
        Ok((TEXT, Vec::new()))
    }
    fn step(
        &self,
        ctx: &mut Context<'_>,
        acc: &mut (u32, Vec<Option<String>>),
    ) -> rusqlite::Result<()> {
        acc.0 = elem_arg(ctx, 0)?;
        acc.1.push(element_arg(ctx, 1, acc.0));
        Ok(())
    }
    fn finalize(
        &self,
        _: &mut Context<'_>,
        acc: Option<(u32, Vec<Option<String>>)>,
    ) -> rusqlite::Result<Option<String>> {
        Ok(acc.map(|(_, items)| text(&Array::vector(items))))
    }
}

/// array_agg over arrays: one more dimension.
struct ArrayAggArrays;

impl Aggregate<Vec<Option<Array>>, Option<String>> for ArrayAggArrays {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<Vec<Option<Array>>> {
        Ok(Vec::new())
    }
    fn step(&self, ctx: &mut Context<'_>, acc: &mut Vec<Option<Array>>) -> rusqlite::Result<()> {
        match array_arg(ctx, 0)? {
            None => Err(function_error(PgError::error(
                code::NULL_VALUE_NOT_ALLOWED,
                "cannot accumulate null arrays",
            ))),
            Some(a) if a.dims.is_empty() => Err(function_error(PgError::error(
                code::ARRAY_SUBSCRIPT_ERROR,
                "cannot accumulate empty arrays",
            ))),
            a => {
                acc.push(a);
                Ok(())
            }
        }
    }
    fn finalize(
        &self,
        _: &mut Context<'_>,
        acc: Option<Vec<Option<Array>>>,
    ) -> rusqlite::Result<Option<String>> {
        match acc {
            None => Ok(None),
            Some(subs) => {
                let shapes: Vec<_> = subs.iter().flatten().map(|a| a.dims.clone()).collect();
                if shapes.windows(2).any(|w| w[0] != w[1]) {
                    return Err(function_error(PgError::error(
                        code::ARRAY_SUBSCRIPT_ERROR,
                        "cannot accumulate arrays of different dimensionality",
                    )));
                }
                Ok(Some(text(&pg(stack(subs))?)))
            }
        }
    }
}

/// array_agg(DISTINCT v [ORDER BY v [DESC] [NULLS FIRST | LAST]]): the
/// distinct values sorted by the element's key (one NULL at most, last
/// unless NULLS FIRST; DESC puts NULLs first by default, as ORDER BY).
struct ArrayAggDistinct;

type DistinctState = (u32, bool, bool, Vec<Option<String>>);

impl Aggregate<DistinctState, Option<String>> for ArrayAggDistinct {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<DistinctState> {
        Ok((TEXT, false, false, Vec::new()))
    }
    fn step(&self, ctx: &mut Context<'_>, acc: &mut DistinctState) -> rusqlite::Result<()> {
        acc.0 = elem_arg(ctx, 0)?;
        acc.1 = adt::int_arg(ctx, 2)? == Some(1);
        acc.2 = adt::int_arg(ctx, 3)? == Some(1);
        acc.3.push(element_arg(ctx, 1, acc.0));
        Ok(())
    }
    fn finalize(
        &self,
        _: &mut Context<'_>,
        acc: Option<DistinctState>,
    ) -> rusqlite::Result<Option<String>> {
        let Some((elem, desc, nulls_first, items)) = acc else {
            return Ok(None);
        };
        let mut keyed: Vec<(Vec<u8>, String)> = Vec::new();
        let mut null = false;
        for item in items {
            match item {
                None => null = true,
                Some(t) => keyed.push((element_key(elem, &t), t)),
            }
        }
        keyed.sort_by(|a, b| a.0.cmp(&b.0));
        keyed.dedup_by(|a, b| a.0 == b.0);
        if desc {
            keyed.reverse();
        }
        let mut out: Vec<Option<String>> = keyed.into_iter().map(|(_, t)| Some(t)).collect();
        if null {
            if nulls_first {
                out.insert(0, None);
            } else {
                out.push(None);
            }
        }
        Ok(Some(text(&Array::vector(out))))
    }
}

/// string_agg(DISTINCT v, sep [ORDER BY v [DESC]]): NULLs skipped, the
/// distinct values in byte order (the C collation's), each after the
/// separator given with it.
struct StringAggDistinct;

type StringsState = (bool, Vec<(String, Option<String>)>);

impl Aggregate<StringsState, Option<String>> for StringAggDistinct {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<StringsState> {
        Ok((false, Vec::new()))
    }
    fn step(&self, ctx: &mut Context<'_>, acc: &mut StringsState) -> rusqlite::Result<()> {
        acc.0 = adt::int_arg(ctx, 2)? == Some(1);
        if let Some(v) = ctx.get::<Option<String>>(0)? {
            acc.1.push((v, ctx.get::<Option<String>>(1)?));
        }
        Ok(())
    }
    fn finalize(
        &self,
        _: &mut Context<'_>,
        acc: Option<StringsState>,
    ) -> rusqlite::Result<Option<String>> {
        let Some((desc, mut values)) = acc.filter(|(_, v)| !v.is_empty()) else {
            return Ok(None);
        };
        values.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        values.dedup_by(|a, b| a.0 == b.0);
        if desc {
            values.reverse();
        }
        let mut out = String::new();
        for (i, (v, sep)) in values.iter().enumerate() {
            if i > 0 {
                out.push_str(sep.as_deref().unwrap_or(""));
            }
            out.push_str(v);
        }
        Ok(Some(out))
    }
}

/// min / max over arrays (array_smaller / array_larger): the least or
/// greatest by [`sort_key`], NULLs skipped.
struct ArrayMinMax {
    max: bool,
}

impl Aggregate<Option<(Vec<u8>, String)>, Option<String>> for ArrayMinMax {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<Option<(Vec<u8>, String)>> {
        Ok(None)
    }
    fn step(
        &self,
        ctx: &mut Context<'_>,
        acc: &mut Option<(Vec<u8>, String)>,
    ) -> rusqlite::Result<()> {
        let elem = elem_arg(ctx, 1)?;
        let Some(a) = array_arg(ctx, 0)? else {
            return Ok(());
        };
        let key = sort_key(elem, &a);
        let better = match acc {
            None => true,
            Some((k, _)) => (key > *k) == self.max && key != *k,
        };
        if better {
            *acc = Some((key, text(&a)));
        }
        Ok(())
    }
    fn finalize(
        &self,
        _: &mut Context<'_>,
        acc: Option<Option<(Vec<u8>, String)>>,
    ) -> rusqlite::Result<Option<String>> {
        Ok(acc.flatten().map(|(_, t)| t))
    }
}

/// `a[subs] = v` (array_set_element): a NULL or empty array becomes one
/// holding `v` at the subscripts; a one-dimensional array grows with
/// NULLs to reach them; otherwise they must be within the array.
fn set_element(a: Option<Array>, v: Option<String>, subs: &[i64]) -> Result<Array, PgError> {
    let out_of_range =
        || PgError::error(code::ARRAY_SUBSCRIPT_ERROR, "array subscript out of range");
    let to_i32 = |s: i64| i32::try_from(s).map_err(|_| out_of_range());
    let mut a = a.unwrap_or_default();
    if a.dims.is_empty() {
        let mut dims = Vec::new();
        for &s in subs {
            dims.push((1, to_i32(s)?));
        }
        return Ok(Array {
            dims,
            items: vec![v],
        });
    }
    if subs.len() != a.dims.len() {
        return Err(PgError::error(
            code::ARRAY_SUBSCRIPT_ERROR,
            "wrong number of array subscripts",
        ));
    }
    if let [s] = subs {
        let (len, lb) = a.dims[0];
        let s = to_i32(*s)? as i64;
        let (lb, ub) = (lb as i64, lb as i64 + len as i64 - 1);
        if s < lb {
            let grow = (lb - s) as usize;
            let mut items = vec![None; grow];
            items.append(&mut a.items);
            a.items = items;
            a.dims[0] = (len + grow, s as i32);
        } else if s > ub {
            a.items.resize(len + (s - ub) as usize, None);
            a.dims[0].0 = a.items.len();
        }
        let at = (s - a.dims[0].1 as i64) as usize;
        a.items[at] = v;
        return Ok(a);
    }
    let at = offset(&a, subs).ok_or_else(out_of_range)?;
    a.items[at] = v;
    Ok(a)
}

fn dims_text(a: &Array) -> Option<String> {
    if a.dims.is_empty() {
        return None;
    }
    Some(
        a.dims
            .iter()
            .map(|&(len, lb)| format!("[{}:{}]", lb, lb as i64 + len as i64 - 1))
            .collect(),
    )
}

/// Registers the array functions.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    let det = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    // pm_array_in(text, elem, typmod): a cast from text at run time.
    conn.create_scalar_function("pm_array_in", 3, det, |ctx| {
        let Some(t) = ctx.get::<Option<String>>(0)? else {
            return Ok(None);
        };
        let elem = elem_arg(ctx, 1)?;
        let typmod = adt::int_arg(ctx, 2)?.unwrap_or(-1) as i32;
        Ok(Some(pg(input(elem, &t, typmod))?))
    })?;
    // pm_array_out(a, elem): array -> text, as the session prints it.
    conn.create_scalar_function("pm_array_out", 2, det, |ctx| {
        let Some(t) = ctx.get::<Option<String>>(0)? else {
            return Ok(None);
        };
        Ok(Some(output(elem_arg(ctx, 1)?, &t)))
    })?;
    // pm_array_make(elem, v1, v2, ...): ARRAY[v1, v2, ...].
    conn.create_scalar_function("pm_array_make", -1, det, |ctx| {
        let elem = elem_arg(ctx, 0)?;
        let items = (1..ctx.len()).map(|i| element_arg(ctx, i, elem)).collect();
        Ok(text(&Array::vector(items)))
    })?;
    // pm_array_stack(a1, a2, ...): ARRAY[[...], [...]].
    conn.create_scalar_function("pm_array_stack", -1, det, |ctx| {
        let subs = (0..ctx.len())
            .map(|i| array_arg(ctx, i))
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(text(&pg(stack(subs))?))
    })?;
    conn.create_scalar_function("pm_array_key", 2, det, |ctx| {
        let elem = elem_arg(ctx, 1)?;
        Ok(array_arg(ctx, 0)?.map(|a| sort_key(elem, &a)))
    })?;
    // pm_unnest_json(ordinality, a1, e1, a2, e2, ...): the rows of
    // unnest(a1, a2, ...) as a JSON array of JSON arrays (shorter arrays
    // padded with NULLs), each with its ordinality last when asked.
    conn.create_scalar_function("pm_unnest_json", -1, det, |ctx| {
        let ordinality = adt::int_arg(ctx, 0)?.unwrap_or(0) != 0;
        let mut arrays = Vec::new();
        let mut i = 1;
        while i + 1 < ctx.len() {
            let elem = elem_arg(ctx, i + 1)?;
            arrays.push((elem, array_arg(ctx, i)?.unwrap_or_default()));
            i += 2;
        }
        let n = arrays.iter().map(|(_, a)| a.items.len()).max().unwrap_or(0);
        let mut out = String::from("[");
        for r in 0..n {
            if r > 0 {
                out.push(',');
            }
            out.push('[');
            for (k, (elem, a)) in arrays.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                let item = a.items.get(r).and_then(|x| x.as_deref());
                out.push_str(&json_value(*elem, item));
            }
            if ordinality {
                out.push_str(&format!(",{}", r + 1));
            }
            out.push(']');
        }
        out.push(']');
        Ok(out)
    })?;
    // pm_array_get(a, elem, s1, ...): a[s1][s2]...
    conn.create_scalar_function("pm_array_get", -1, det, |ctx| {
        let elem = elem_arg(ctx, 1)?;
        let Some(a) = array_arg(ctx, 0)? else {
            return Ok(Value::Null);
        };
        let mut subs = Vec::new();
        for i in 2..ctx.len() {
            match adt::int_arg(ctx, i)? {
                None => return Ok(Value::Null),
                Some(s) => subs.push(s),
            }
        }
        Ok(match offset(&a, &subs).and_then(|o| a.items[o].clone()) {
            None => Value::Null,
            Some(t) => element_value(elem, &t),
        })
    })?;
    // pm_array_slice(a, lo1, hi1, ...): a[lo1:hi1]...; an omitted bound is
    // given as the text '*'.
    conn.create_scalar_function("pm_array_slice", -1, det, |ctx| {
        let Some(a) = array_arg(ctx, 0)? else {
            return Ok(None);
        };
        let mut ranges = Vec::new();
        let mut i = 1;
        while i + 1 < ctx.len() {
            let bound = |k: usize| -> rusqlite::Result<Result<Option<i64>, ()>> {
                Ok(match ctx.get_raw(k) {
                    ValueRef::Text(b"*") => Ok(None),
                    ValueRef::Null => Err(()),
                    _ => Ok(adt::int_arg(ctx, k)?),
                })
            };
            let (Ok(lo), Ok(hi)) = (bound(i)?, bound(i + 1)?) else {
                return Ok(None);
            };
            ranges.push((lo, hi));
            i += 2;
        }
        if ranges.len() > MAX_DIMS {
            return Err(subscript_error(
                "number of array dimensions exceeds the maximum allowed",
            ));
        }
        Ok(Some(text(&slice(&a, &ranges))))
    })?;
    type Dim = fn(&Array, usize) -> Option<i64>;
    let per_dim: [(&str, Dim); 3] = [
        ("pm_array_length", |a, d| a.dims.get(d).map(|x| x.0 as i64)),
        ("pm_array_lower", |a, d| a.dims.get(d).map(|x| x.1 as i64)),
        ("pm_array_upper", |a, d| {
            a.dims.get(d).map(|x| x.1 as i64 + x.0 as i64 - 1)
        }),
    ];
    for (name, f) in per_dim {
        conn.create_scalar_function(name, 2, det, move |ctx| {
            let (Some(a), Some(d)) = (array_arg(ctx, 0)?, adt::int_arg(ctx, 1)?) else {
                return Ok(None);
            };
            if d < 1 {
                return Ok(None);
            }
            Ok(f(&a, (d - 1) as usize))
        })?;
    }
    conn.create_scalar_function("pm_array_ndims", 1, det, |ctx| {
        Ok(array_arg(ctx, 0)?.and_then(|a| (!a.dims.is_empty()).then_some(a.dims.len() as i64)))
    })?;
    conn.create_scalar_function("pm_array_dims", 1, det, |ctx| {
        Ok(array_arg(ctx, 0)?.and_then(|a| dims_text(&a)))
    })?;
    conn.create_scalar_function("pm_cardinality", 1, det, |ctx| {
        Ok(array_arg(ctx, 0)?.map(|a| a.items.len() as i64))
    })?;
    // pm_array_append(a, elem, v) / pm_array_prepend(v, a, elem).
    conn.create_scalar_function("pm_array_append", 3, det, |ctx| {
        let elem = elem_arg(ctx, 1)?;
        let v = element_arg(ctx, 2, elem);
        let a = array_arg(ctx, 0)?.unwrap_or_default();
        Ok(text(&pg(concat(a, Array::vector(vec![v])))?))
    })?;
    conn.create_scalar_function("pm_array_prepend", 3, det, |ctx| {
        let elem = elem_arg(ctx, 2)?;
        let v = element_arg(ctx, 0, elem);
        let a = array_arg(ctx, 1)?.unwrap_or_default();
        Ok(text(&pg(concat(Array::vector(vec![v]), a))?))
    })?;
    conn.create_scalar_function("pm_array_cat", 2, det, |ctx| {
        match (array_arg(ctx, 0)?, array_arg(ctx, 1)?) {
            (None, None) => Ok(None),
            (a, b) => Ok(Some(text(&pg(concat(
                a.unwrap_or_default(),
                b.unwrap_or_default(),
            ))?))),
        }
    })?;
    // pm_array_to_string(a, elem, sep, null_text).
    conn.create_scalar_function("pm_array_to_string", 4, det, |ctx| {
        let elem = elem_arg(ctx, 1)?;
        let (Some(a), Some(sep)) = (array_arg(ctx, 0)?, ctx.get::<Option<String>>(2)?) else {
            return Ok(None);
        };
        let null: Option<String> = ctx.get(3)?;
        let mut parts = Vec::new();
        for item in &a.items {
            match item {
                Some(t) => {
                    let v = element_value(elem, t);
                    parts.push(format_text(elem, ValueRef::from(&v)).unwrap_or_default());
                }
                None => {
                    if let Some(n) = &null {
                        parts.push(n.clone());
                    }
                }
            }
        }
        Ok(Some(parts.join(&sep)))
    })?;
    // pm_format_variadic(fmt, a, elem): format(fmt, VARIADIC a) (a NULL
    // array: no arguments).
    conn.create_scalar_function("pm_format_variadic", 3, det, |ctx| {
        let Some(fmt) = ctx.get::<Option<String>>(0)? else {
            return Ok(None);
        };
        let elem = elem_arg(ctx, 2)?;
        let args: Vec<Option<String>> = array_arg(ctx, 1)?
            .map(|a| {
                a.items
                    .iter()
                    .map(|i| {
                        i.as_ref().map(|t| {
                            let v = element_value(elem, t);
                            format_text(elem, ValueRef::from(&v)).unwrap_or_default()
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(Some(pg(adt::format(&fmt, &args))?))
    })?;
    // pm_string_to_array(text, sep, null_text): a text[].
    conn.create_scalar_function("pm_string_to_array", 3, det, |ctx| {
        let Some(s) = ctx.get::<Option<String>>(0)? else {
            return Ok(None);
        };
        let sep: Option<String> = ctx.get(1)?;
        let null: Option<String> = ctx.get(2)?;
        let pieces: Vec<String> = match sep.as_deref() {
            _ if s.is_empty() => Vec::new(),
            None => s.chars().map(String::from).collect(),
            Some("") => vec![s.clone()],
            Some(sep) => s.split(sep).map(String::from).collect(),
        };
        let items = pieces
            .into_iter()
            .map(|p| {
                if null.as_ref() == Some(&p) {
                    None
                } else {
                    Some(p)
                }
            })
            .collect();
        Ok(Some(text(&Array::vector(items))))
    })?;
    // pm_array_position(a, elem, v, start) / pm_array_positions(a, elem, v).
    conn.create_scalar_function("pm_array_position", 4, det, |ctx| {
        let Some(hits) = positions(ctx)? else {
            return Ok(None);
        };
        let first = match adt::int_arg(ctx, 3)? {
            Some(start) => hits.into_iter().find(|&s| s >= start),
            None => hits.first().copied(),
        };
        Ok(first)
    })?;
    conn.create_scalar_function("pm_array_positions", 3, det, |ctx| {
        Ok(positions(ctx)?.map(|hits| {
            text(&Array::vector(
                hits.into_iter().map(|s| Some(s.to_string())).collect(),
            ))
        }))
    })?;
    // pm_array_replace(a, elem, from, to) (array_remove: to is absent).
    for (name, n) in [("pm_array_remove", 3), ("pm_array_replace", 4)] {
        conn.create_scalar_function(name, n, det, move |ctx| {
            let elem = elem_arg(ctx, 1)?;
            let Some(a) = array_arg(ctx, 0)? else {
                return Ok(None);
            };
            let from = element_arg(ctx, 2, elem);
            let to = if n == 4 {
                element_arg(ctx, 3, elem)
            } else {
                None
            };
            if n == 3 && a.dims.len() > 1 {
                return Err(function_error(PgError::error(
                    code::FEATURE_NOT_SUPPORTED,
                    "removing elements from multidimensional arrays is not supported",
                )));
            }
            let hit = |item: &Option<String>| match (&from, item) {
                (None, None) => true,
                (a, b) => elements_equal(elem, a, b),
            };
            if n == 3 {
                let items: Vec<_> = a.items.iter().filter(|i| !hit(i)).cloned().collect();
                let mut out = Array::vector(items);
                if let (Some(d), Some(o)) = (out.dims.first_mut(), a.dims.first()) {
                    d.1 = o.1;
                }
                return Ok(Some(text(&out)));
            }
            let items = a
                .items
                .iter()
                .map(|i| if hit(i) { to.clone() } else { i.clone() })
                .collect();
            Ok(Some(text(&Array {
                dims: a.dims.clone(),
                items,
            })))
        })?;
    }
    // @> and &&: elements compared by the element type's equality, NULLs
    // never equal.
    conn.create_scalar_function("pm_array_contains", 3, det, |ctx| {
        let elem = elem_arg(ctx, 2)?;
        let (Some(a), Some(b)) = (array_arg(ctx, 0)?, array_arg(ctx, 1)?) else {
            return Ok(None);
        };
        Ok(Some(b.items.iter().all(|x| {
            a.items.iter().any(|y| elements_equal(elem, x, y))
        })))
    })?;
    conn.create_scalar_function("pm_array_overlap", 3, det, |ctx| {
        let elem = elem_arg(ctx, 2)?;
        let (Some(a), Some(b)) = (array_arg(ctx, 0)?, array_arg(ctx, 1)?) else {
            return Ok(None);
        };
        Ok(Some(b.items.iter().any(|x| {
            a.items.iter().any(|y| elements_equal(elem, x, y))
        })))
    })?;
    // pm_array_coerce(a, from_elem, to_elem, typmod, explicit): each
    // element through the target's input function (only for casts where
    // that is the cast), then the typmod as an explicit or implicit cast.
    conn.create_scalar_function("pm_array_coerce", 5, det, |ctx| {
        let Some(mut a) = array_arg(ctx, 0)? else {
            return Ok(None);
        };
        let from = elem_arg(ctx, 1)?;
        let to = elem_arg(ctx, 2)?;
        let typmod = adt::int_arg(ctx, 3)?.unwrap_or(-1) as i32;
        let explicit = adt::int_arg(ctx, 4)? == Some(1);
        for item in a.items.iter_mut().flatten() {
            let v = element_value(from, item);
            let shown = format_text(from, ValueRef::from(&v)).unwrap_or_default();
            let v = pg(adt::input(to, &shown))?;
            let v = pg(adt::apply_typmod(to, typmod, v, explicit))?;
            *item = stored_text(to, &v);
        }
        Ok(Some(text(&a)))
    })?;
    let agg = FunctionFlags::SQLITE_UTF8;
    conn.create_aggregate_function("pm_array_agg", 2, agg, ArrayAgg)?;
    conn.create_aggregate_function("pm_array_agg_arrays", 1, agg, ArrayAggArrays)?;
    conn.create_aggregate_function("pm_array_agg_distinct", 4, agg, ArrayAggDistinct)?;
    conn.create_aggregate_function("pm_string_agg_distinct", 4, agg, StringAggDistinct)?;
    conn.create_aggregate_function("pm_array_max", 2, agg, ArrayMinMax { max: true })?;
    conn.create_aggregate_function("pm_array_min", 2, agg, ArrayMinMax { max: false })?;
    // pm_array_set(a, elem, v, subs...): `SET a[subs] = v`.
    conn.create_scalar_function("pm_array_set", -1, det, |ctx| {
        let elem = elem_arg(ctx, 1)?;
        let a = array_arg(ctx, 0)?;
        let v = element_arg(ctx, 2, elem);
        let mut subs = Vec::new();
        for i in 3..ctx.len() {
            subs.push(adt::int_arg(ctx, i)?.ok_or_else(|| {
                function_error(PgError::error(
                    code::NULL_VALUE_NOT_ALLOWED,
                    "array subscript in assignment must not be null",
                ))
            })?);
        }
        Ok(text(&pg(set_element(a, v, &subs))?))
    })?;
    Ok(())
}

/// Compares two stored arrays (for tests and callers outside SQLite).
#[cfg(test)]
fn compare(elem: u32, a: &str, b: &str) -> Result<std::cmp::Ordering, PgError> {
    Ok(sort_key(elem, &stored(a)?).cmp(&sort_key(elem, &stored(b)?)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering;

    #[test]
    fn input_and_output_follow_array_in_and_array_out() {
        assert_eq!(input(INT4, "{1, 2 ,3}", -1).unwrap(), "{1,2,3}");
        assert_eq!(input(INT4, "{{1,2},{3,4}}", -1).unwrap(), "{{1,2},{3,4}}");
        assert_eq!(
            input(TEXT, "{a,\"b c\",NULL,\"NULL\"}", -1).unwrap(),
            "{a,\"b c\",NULL,\"NULL\"}"
        );
        assert_eq!(input(INT4, "[0:1]={1,2}", -1).unwrap(), "[0:1]={1,2}");
        assert_eq!(input(INT4, "{}", -1).unwrap(), "{}");
        assert_eq!(input(TEXT, "{  a b  }", -1).unwrap(), "{\"a b\"}");
        for bad in ["1,2", "{1,2", "{{1},2}", "{{1,2},{3}}", "{1}}", "{1,,2}"] {
            assert_eq!(
                input(INT4, bad, -1).unwrap_err().code,
                code::INVALID_TEXT_REPRESENTATION,
                "{bad}"
            );
        }
        assert_eq!(
            input(INT4, "{1,a}", -1).unwrap_err().message,
            "invalid input syntax for type integer: \"a\""
        );
    }

    #[test]
    fn order_is_array_cmp() {
        let lt = |e, a, b| compare(e, a, b).unwrap() == Ordering::Less;
        assert!(lt(INT4, "{1,2}", "{1,2,3}"));
        assert!(lt(INT4, "{1,2,3}", "{1,3}"));
        assert!(lt(INT4, "{-5}", "{2}"));
        assert!(lt(INT4, "{1,2}", "{1,NULL}"));
        assert!(lt(INT4, "{}", "{0}"));
        assert!(lt(TEXT, "{a}", "{ab}"));
        assert!(lt(INT4, "{1,2,3,4}", "{{1,2},{3,4}}"));
        assert_eq!(
            compare(NUMERIC, "{1.1}", "{1.10}").unwrap(),
            Ordering::Equal
        );
        assert!(lt(FLOAT8, "{-Infinity}", "{-1.5}"));
        assert!(lt(FLOAT8, "{Infinity}", "{NaN}"));
    }

    #[test]
    fn slices_and_concatenation() {
        let a = stored("{{1,2,3},{4,5,6}}").unwrap();
        assert_eq!(
            text(&slice(&a, &[(Some(1), Some(2)), (Some(2), Some(3))])),
            "{{2,3},{5,6}}"
        );
        assert_eq!(text(&slice(&a, &[(Some(2), None)])), "{{4,5,6}}");
        let c = concat(stored("{1,2}").unwrap(), stored("{{3,4}}").unwrap()).unwrap();
        assert_eq!(text(&c), "{{1,2},{3,4}}");
    }
}
