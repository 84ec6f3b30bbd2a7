//! Our pg_type / pg_operator / pg_proc / pg_cast: the types the analyzer
//! knows, and every operator, function and cast it may resolve, each with
//! the SQLite text that computes it (PostgreSQL: `parse_oper.c`,
//! `parse_func.c`, `parse_coerce.c` over the system catalogs).
//!
//! A template is SQLite SQL with `$1`, `$2`, ... standing for the
//! generated arguments. A template uses SQLite's own operator only where it
//! gives PostgreSQL's result for those types (`int8 = int8`, `text < text`
//! under the C collation); otherwise it calls a function registered in
//! [`crate::adt`] with PostgreSQL's semantics (`pg_int4_add` raises 22003
//! on overflow, `pg_numeric_div` uses PostgreSQL's result scale).

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::types::*;

/// PostgreSQL's pseudo-type of a quoted literal whose type comes from context.
pub const UNKNOWN: u32 = 705;

/// pg_type.typcategory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Boolean,
    Numeric,
    String,
    DateTime,
    Timespan,
    User,
    Unknown,
}

/// Types whose values the analyzer computes with (operators, functions,
/// casts). Other known types may be selected and tested for NULL only.
pub fn category(oid: u32) -> Category {
    match oid {
        BOOL => Category::Boolean,
        INT2 | INT4 | INT8 | FLOAT4 | FLOAT8 | NUMERIC => Category::Numeric,
        TEXT | VARCHAR | BPCHAR | NAME => Category::String,
        DATE | TIMESTAMP | TIMESTAMPTZ | TIMETZ => Category::DateTime,
        INTERVAL => Category::Timespan,
        UNKNOWN => Category::Unknown,
        _ => Category::User,
    }
}

/// pg_type.typispreferred.
pub fn is_preferred(oid: u32) -> bool {
    matches!(oid, BOOL | FLOAT8 | TEXT | TIMESTAMPTZ | INTERVAL)
}

/// pg_cast.castcontext.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CastContext {
    Implicit,
    Assignment,
    Explicit,
}

pub struct Cast {
    pub from: u32,
    pub to: u32,
    pub context: CastContext,
    pub template: &'static str,
}

pub struct Operator {
    pub name: &'static str,
    /// 0 for a prefix operator.
    pub left: u32,
    pub right: u32,
    pub result: u32,
    pub template: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FuncKind {
    Scalar,
    Aggregate,
}

pub struct Function {
    pub name: &'static str,
    pub args: &'static [u32],
    pub result: u32,
    pub kind: FuncKind,
    pub template: &'static str,
}

/// The template of a catalog entry PostgreSQL has and we do not compute
/// yet: choosing it makes the statement unsupported (0A000 or the older
/// translator), never a neighbouring entry's answer.
pub const NOT_YET: &str = "";

/// regclass -> oid: 16384 + the relation's rowid in sqlite_schema (the
/// catalog views' numbering). The analyzer folds `x::oid::regclass` back
/// to `x` by this template.
pub const REGCLASS_TO_OID: &str = "(SELECT 16384 + s.rowid FROM main.sqlite_schema s WHERE pg_quote_ident(s.name) = ($1) AND s.type IN ('table', 'view', 'index'))";

pub struct Catalog {
    pub operators: HashMap<&'static str, Vec<Operator>>,
    pub functions: HashMap<&'static str, Vec<Function>>,
    pub casts: HashMap<(u32, u32), Cast>,
}

pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(build)
}

const INTS: [u32; 3] = [INT2, INT4, INT8];

fn int_name(oid: u32) -> &'static str {
    match oid {
        INT2 => "int2",
        INT4 => "int4",
        _ => "int8",
    }
}

fn wider(a: u32, b: u32) -> u32 {
    let rank = |t| INTS.iter().position(|&x| x == t).unwrap_or(2);
    if rank(a) >= rank(b) {
        a
    } else {
        b
    }
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

fn build() -> Catalog {
    let mut ops: Vec<Operator> = Vec::new();
    let mut op =
        |name: &'static str, left: u32, right: u32, result: u32, template: &'static str| {
            ops.push(Operator {
                name,
                left,
                right,
                result,
                template,
            })
        };
    const COMPARISONS: [(&str, &str); 6] = [
        ("=", "($1 = $2)"),
        ("<>", "($1 <> $2)"),
        ("<", "($1 < $2)"),
        ("<=", "($1 <= $2)"),
        (">", "($1 > $2)"),
        (">=", "($1 >= $2)"),
    ];
    // Integers: every pair of widths, as int24/int42/int48... in pg_operator.
    for l in INTS {
        for r in INTS {
            let result = wider(l, r);
            let name = int_name(result);
            for (o, f) in [("+", "add"), ("-", "sub"), ("*", "mul"), ("/", "div")] {
                op(o, l, r, result, leak(format!("pg_{name}_{f}($1, $2)")));
            }
            for (o, t) in COMPARISONS {
                op(o, l, r, BOOL, t);
            }
        }
        let name = int_name(l);
        // Bitwise operators: results stay in the type's width.
        let bits = match l {
            INT2 => 16,
            INT4 => 32,
            _ => 64,
        };
        op("&", l, l, l, "($1 & $2)");
        op("|", l, l, l, "($1 | $2)");
        op("#", l, l, l, "(($1 | $2) - ($1 & $2))");
        op("~", 0, l, l, "(~ $1)");
        op(
            "<<",
            l,
            INT4,
            l,
            leak(format!("pg_int_shift($1, $2, {bits}, 1)")),
        );
        op(
            ">>",
            l,
            INT4,
            l,
            leak(format!("pg_int_shift($1, $2, {bits}, 0)")),
        );
        op("%", l, l, l, "pg_int_mod($1, $2)");
        op("-", 0, l, l, leak(format!("pg_{name}_sub(0, $1)")));
        op("+", 0, l, l, "$1");
        op("@", 0, l, l, leak(format!("pg_{name}_abs($1)")));
    }
    // Floating point: float4 and float8, and the mixed pairs (float48 ...).
    for (l, r, result) in [
        (FLOAT4, FLOAT4, FLOAT4),
        (FLOAT8, FLOAT8, FLOAT8),
        (FLOAT4, FLOAT8, FLOAT8),
        (FLOAT8, FLOAT4, FLOAT8),
    ] {
        let f = if result == FLOAT4 { "float4" } else { "float8" };
        for (o, name) in [("+", "add"), ("-", "sub"), ("*", "mul"), ("/", "div")] {
            op(o, l, r, result, leak(format!("pg_{f}_{name}($1, $2)")));
        }
        for (o, t) in COMPARISONS {
            op(o, l, r, BOOL, t);
        }
    }
    for f in [FLOAT4, FLOAT8] {
        op("-", 0, f, f, "pg_float_neg($1)");
        op("+", 0, f, f, "$1");
        op("@", 0, f, f, "pg_float_abs($1)");
    }
    op("^", FLOAT8, FLOAT8, FLOAT8, "pg_float8_pow($1, $2)");
    op("|/", 0, FLOAT8, FLOAT8, "pg_float8_sqrt($1)");
    op("||/", 0, FLOAT8, FLOAT8, "pg_float8_cbrt($1)");
    op("^", NUMERIC, NUMERIC, NUMERIC, "pg_numeric_power($1, $2)");
    // numeric: exact decimal arithmetic in registered functions.
    for (o, name) in [
        ("+", "add"),
        ("-", "sub"),
        ("*", "mul"),
        ("/", "div"),
        ("%", "mod"),
    ] {
        op(
            o,
            NUMERIC,
            NUMERIC,
            NUMERIC,
            leak(format!("pg_numeric_{name}($1, $2)")),
        );
    }
    op("-", 0, NUMERIC, NUMERIC, "pg_numeric_sub(0, $1)");
    op("+", 0, NUMERIC, NUMERIC, "pg_numeric_in($1)");
    op("@", 0, NUMERIC, NUMERIC, "pg_numeric_abs($1)");
    for (o, t) in [
        ("=", "(pg_numeric_cmp($1, $2) = 0)"),
        ("<>", "(pg_numeric_cmp($1, $2) <> 0)"),
        ("<", "(pg_numeric_cmp($1, $2) < 0)"),
        ("<=", "(pg_numeric_cmp($1, $2) <= 0)"),
        (">", "(pg_numeric_cmp($1, $2) > 0)"),
        (">=", "(pg_numeric_cmp($1, $2) >= 0)"),
    ] {
        op(o, NUMERIC, NUMERIC, BOOL, t);
    }
    // Strings: byte order is the C collation's order.
    for t in [TEXT, NAME] {
        for (o, tpl) in COMPARISONS {
            op(o, t, t, BOOL, tpl);
        }
    }
    for (o, t) in [
        ("=", "(rtrim($1, ' ') = rtrim($2, ' '))"),
        ("<>", "(rtrim($1, ' ') <> rtrim($2, ' '))"),
        ("<", "(rtrim($1, ' ') < rtrim($2, ' '))"),
        ("<=", "(rtrim($1, ' ') <= rtrim($2, ' '))"),
        (">", "(rtrim($1, ' ') > rtrim($2, ' '))"),
        (">=", "(rtrim($1, ' ') >= rtrim($2, ' '))"),
    ] {
        op(o, BPCHAR, BPCHAR, BOOL, t);
    }
    // "char": stored as its output text (one text per byte), ordered by
    // the byte.
    for (o, t) in [("=", "($1 = $2)"), ("<>", "($1 <> $2)")] {
        op(o, REGTYPE, REGTYPE, BOOL, t);
        op(o, REGCLASS, REGCLASS, BOOL, t);
    }
    for (o, t) in [
        ("=", "($1 = $2)"),
        ("<>", "($1 <> $2)"),
        ("<", "(pg_char_code($1) < pg_char_code($2))"),
        ("<=", "(pg_char_code($1) <= pg_char_code($2))"),
        (">", "(pg_char_code($1) > pg_char_code($2))"),
        (">=", "(pg_char_code($1) >= pg_char_code($2))"),
    ] {
        op(o, CHAR, CHAR, BOOL, t);
    }
    op("||", TEXT, TEXT, TEXT, "($1 || $2)");
    op("~~", TEXT, TEXT, BOOL, "pg_like($1, $2)");
    op("!~~", TEXT, TEXT, BOOL, "(NOT pg_like($1, $2))");
    op("~~*", TEXT, TEXT, BOOL, "pg_ilike($1, $2)");
    op("~", TEXT, TEXT, BOOL, "pg_regex_match($1, $2)");
    op("!~", TEXT, TEXT, BOOL, "(NOT pg_regex_match($1, $2))");
    op("~*", TEXT, TEXT, BOOL, "pg_regex_imatch($1, $2)");
    op("!~*", TEXT, TEXT, BOOL, "(NOT pg_regex_imatch($1, $2))");
    op("!~~*", TEXT, TEXT, BOOL, "(NOT pg_ilike($1, $2))");
    op("~~", BPCHAR, TEXT, BOOL, "pg_like(rtrim($1, ' '), $2)");
    op(
        "!~~",
        BPCHAR,
        TEXT,
        BOOL,
        "(NOT pg_like(rtrim($1, ' '), $2))",
    );
    // boolean
    for (o, t) in COMPARISONS {
        op(o, BOOL, BOOL, BOOL, t);
    }
    // Dates (stored as ISO text, so text order is date order) and timestamps
    // without time zone (ISO text too).
    // timestamptz is stored as UTC text of one shape (`...+00`), so text
    // order is time order too; `infinity` / `-infinity` sort after / before.
    for t in [DATE, TIMESTAMP, TIMESTAMPTZ] {
        for (o, tpl) in COMPARISONS {
            op(o, t, t, BOOL, tpl);
        }
    }
    op("+", DATE, INT4, DATE, "pg_date_add($1, $2)");
    op("+", INT4, DATE, DATE, "pg_date_add($2, $1)");
    op("-", DATE, INT4, DATE, "pg_date_add($1, pg_int4_sub(0, $2))");
    op("-", DATE, DATE, INT4, "pg_date_diff($1, $2)");
    // time of day: stored as `HH:MM:SS[.f]`, so text order is time order.
    for (o, tpl) in COMPARISONS {
        op(o, TIME, TIME, BOOL, tpl);
    }
    // interval (crate::interval): compared by total span, never as text.
    for (o, _) in COMPARISONS {
        op(
            o,
            INTERVAL,
            INTERVAL,
            BOOL,
            leak(format!("(pg_interval_cmp($1, $2) {o} 0)")),
        );
    }
    op("+", INTERVAL, INTERVAL, INTERVAL, "pg_interval_add($1, $2)");
    op("-", INTERVAL, INTERVAL, INTERVAL, "pg_interval_sub($1, $2)");
    op("-", 0, INTERVAL, INTERVAL, "pg_interval_neg($1)");
    op("+", 0, INTERVAL, INTERVAL, "$1");
    op("*", INTERVAL, FLOAT8, INTERVAL, "pg_interval_mul($1, $2)");
    op("*", FLOAT8, INTERVAL, INTERVAL, "pg_interval_mul($2, $1)");
    op("/", INTERVAL, FLOAT8, INTERVAL, "pg_interval_div($1, $2)");
    // date/timestamp +- interval is a timestamp (a date is read as its
    // midnight); timestamptz +- interval moves days in the session's zone.
    for t in [DATE, TIMESTAMP] {
        op("+", t, INTERVAL, TIMESTAMP, "pg_timestamp_pl($1, $2, 1)");
        op("+", INTERVAL, t, TIMESTAMP, "pg_timestamp_pl($2, $1, 1)");
        op("-", t, INTERVAL, TIMESTAMP, "pg_timestamp_pl($1, $2, -1)");
    }
    op(
        "+",
        TIMESTAMPTZ,
        INTERVAL,
        TIMESTAMPTZ,
        "pg_timestamptz_pl($1, $2, 1)",
    );
    op(
        "+",
        INTERVAL,
        TIMESTAMPTZ,
        TIMESTAMPTZ,
        "pg_timestamptz_pl($2, $1, 1)",
    );
    op(
        "-",
        TIMESTAMPTZ,
        INTERVAL,
        TIMESTAMPTZ,
        "pg_timestamptz_pl($1, $2, -1)",
    );
    op(
        "-",
        TIMESTAMP,
        TIMESTAMP,
        INTERVAL,
        "pg_timestamp_mi($1, $2)",
    );
    op(
        "-",
        TIMESTAMPTZ,
        TIMESTAMPTZ,
        INTERVAL,
        "pg_timestamptz_mi($1, $2)",
    );
    // timetz (crate::timetz): compared by UTC time, then zone.
    for (o, t) in [
        ("=", "(pg_timetz_cmp($1, $2) = 0)"),
        ("<>", "(pg_timetz_cmp($1, $2) <> 0)"),
        ("<", "(pg_timetz_cmp($1, $2) < 0)"),
        ("<=", "(pg_timetz_cmp($1, $2) <= 0)"),
        (">", "(pg_timetz_cmp($1, $2) > 0)"),
        (">=", "(pg_timetz_cmp($1, $2) >= 0)"),
    ] {
        op(o, TIMETZ, TIMETZ, BOOL, t);
    }
    op(
        "+",
        TIMETZ,
        INTERVAL,
        TIMETZ,
        "pg_timetz_pl_interval($1, $2)",
    );
    op(
        "+",
        INTERVAL,
        TIMETZ,
        TIMETZ,
        "pg_timetz_pl_interval($2, $1)",
    );
    op(
        "-",
        TIMETZ,
        INTERVAL,
        TIMETZ,
        "pg_timetz_mi_interval($1, $2)",
    );
    op("+", DATE, TIMETZ, TIMESTAMPTZ, "pg_date_pl_timetz($1, $2)");
    op("+", TIMETZ, DATE, TIMESTAMPTZ, "pg_date_pl_timetz($2, $1)");
    op("+", TIME, INTERVAL, TIME, "pg_time_pl($1, $2, 1)");
    op("+", INTERVAL, TIME, TIME, "pg_time_pl($2, $1, 1)");
    op("-", TIME, INTERVAL, TIME, "pg_time_pl($1, $2, -1)");
    op("-", TIME, TIME, INTERVAL, "pg_time_mi($1, $2)");
    op("+", DATE, TIME, TIMESTAMP, "pg_date_pl_time($1, $2)");
    op("+", TIME, DATE, TIMESTAMP, "pg_date_pl_time($2, $1)");

    let mut operators: HashMap<&'static str, Vec<Operator>> = HashMap::new();
    for o in ops {
        operators.entry(o.name).or_default().push(o);
    }

    let mut funcs: Vec<Function> = Vec::new();
    let mut func = |name: &'static str,
                    args: &'static [u32],
                    result: u32,
                    kind: FuncKind,
                    template: &'static str| {
        funcs.push(Function {
            name,
            args,
            result,
            kind,
            template,
        })
    };
    use FuncKind::{Aggregate as A, Scalar as S};
    func("lower", &[TEXT], TEXT, S, "pg_lower($1)");
    func("upper", &[TEXT], TEXT, S, "pg_upper($1)");
    func("length", &[TEXT], INT4, S, "length($1)");
    func("char_length", &[TEXT], INT4, S, "length($1)");
    func("character_length", &[TEXT], INT4, S, "length($1)");
    func("length", &[BPCHAR], INT4, S, "length(rtrim($1, ' '))");
    func("octet_length", &[TEXT], INT4, S, "pg_octet_length($1)");
    func("btrim", &[TEXT], TEXT, S, "trim($1, ' ')");
    func("btrim", &[TEXT, TEXT], TEXT, S, "trim($1, $2)");
    func("ltrim", &[TEXT], TEXT, S, "ltrim($1, ' ')");
    func("ltrim", &[TEXT, TEXT], TEXT, S, "ltrim($1, $2)");
    func("rtrim", &[TEXT], TEXT, S, "rtrim($1, ' ')");
    func("rtrim", &[TEXT, TEXT], TEXT, S, "rtrim($1, $2)");
    func(
        "replace",
        &[TEXT, TEXT, TEXT],
        TEXT,
        S,
        "pg_replace($1, $2, $3)",
    );
    func("substr", &[TEXT, INT4], TEXT, S, "pg_substr($1, $2)");
    func(
        "substr",
        &[TEXT, INT4, INT4],
        TEXT,
        S,
        "pg_substr($1, $2, $3)",
    );
    func("substring", &[TEXT, INT4], TEXT, S, "pg_substr($1, $2)");
    func(
        "substring",
        &[TEXT, INT4, INT4],
        TEXT,
        S,
        "pg_substr($1, $2, $3)",
    );
    func("left", &[TEXT, INT4], TEXT, S, "pg_left($1, $2)");
    func("right", &[TEXT, INT4], TEXT, S, "pg_right($1, $2)");
    func("strpos", &[TEXT, TEXT], INT4, S, "instr($1, $2)");
    // Sequence functions (crate::sequence); regclass arguments as text.
    func("nextval", &[TEXT], INT8, S, "pg_nextval($1)");
    func("nextval", &[REGCLASS], INT8, S, "pg_nextval($1)");
    func("currval", &[REGCLASS], INT8, S, "pg_currval($1)");
    func("setval", &[REGCLASS, INT8], INT8, S, "pg_setval($1, $2, 1)");
    func(
        "setval",
        &[REGCLASS, INT8, BOOL],
        INT8,
        S,
        "pg_setval($1, $2, $3)",
    );
    func("currval", &[TEXT], INT8, S, "pg_currval($1)");
    func("setval", &[TEXT, INT8], INT8, S, "pg_setval($1, $2, 1)");
    func(
        "setval",
        &[TEXT, INT8, BOOL],
        INT8,
        S,
        "pg_setval($1, $2, $3)",
    );
    func("lastval", &[], INT8, S, "pg_lastval()");
    func(
        "pg_get_serial_sequence",
        &[TEXT, TEXT],
        TEXT,
        S,
        "pg_get_serial_sequence($1, $2)",
    );
    func("position", &[TEXT, TEXT], INT4, S, "instr($2, $1)");
    func("repeat", &[TEXT, INT4], TEXT, S, "pg_repeat($1, $2)");
    func("reverse", &[TEXT], TEXT, S, "pg_reverse($1)");
    func("initcap", &[TEXT], TEXT, S, "pg_initcap($1)");
    func("lpad", &[TEXT, INT4], TEXT, S, "pg_pad($1, $2, ' ', 0)");
    func(
        "lpad",
        &[TEXT, INT4, TEXT],
        TEXT,
        S,
        "pg_pad($1, $2, $3, 0)",
    );
    func("rpad", &[TEXT, INT4], TEXT, S, "pg_pad($1, $2, ' ', 1)");
    func(
        "rpad",
        &[TEXT, INT4, TEXT],
        TEXT,
        S,
        "pg_pad($1, $2, $3, 1)",
    );
    func(
        "split_part",
        &[TEXT, TEXT, INT4],
        TEXT,
        S,
        "pg_split_part($1, $2, $3)",
    );
    func(
        "starts_with",
        &[TEXT, TEXT],
        BOOL,
        S,
        "pg_starts_with($1, $2)",
    );
    func(
        "translate",
        &[TEXT, TEXT, TEXT],
        TEXT,
        S,
        "pg_translate($1, $2, $3)",
    );
    func("ascii", &[TEXT], INT4, S, "pg_ascii($1)");
    func("chr", &[INT4], TEXT, S, "pg_chr($1)");
    func("to_hex", &[INT4], TEXT, S, "pg_to_hex($1, 32)");
    func("to_hex", &[INT8], TEXT, S, "pg_to_hex($1, 64)");
    func("abs", &[INT2], INT2, S, "pg_int2_abs($1)");
    func("abs", &[INT4], INT4, S, "pg_int4_abs($1)");
    func("abs", &[INT8], INT8, S, "pg_int8_abs($1)");
    func("abs", &[FLOAT4], FLOAT4, S, "pg_float_abs($1)");
    func("abs", &[FLOAT8], FLOAT8, S, "pg_float_abs($1)");
    func("abs", &[NUMERIC], NUMERIC, S, "pg_numeric_abs($1)");
    func("mod", &[INT2, INT2], INT2, S, "pg_int_mod($1, $2)");
    func("mod", &[INT4, INT4], INT4, S, "pg_int_mod($1, $2)");
    func("mod", &[INT8, INT8], INT8, S, "pg_int_mod($1, $2)");
    func(
        "mod",
        &[NUMERIC, NUMERIC],
        NUMERIC,
        S,
        "pg_numeric_mod($1, $2)",
    );
    func("round", &[FLOAT8], FLOAT8, S, "pg_float8_rint($1)");
    func("round", &[NUMERIC], NUMERIC, S, "pg_numeric_round($1, 0)");
    func(
        "round",
        &[NUMERIC, INT4],
        NUMERIC,
        S,
        "pg_numeric_round($1, $2)",
    );
    func("trunc", &[FLOAT8], FLOAT8, S, "pg_float8_trunc($1)");
    func("trunc", &[NUMERIC], NUMERIC, S, "pg_numeric_trunc($1, 0)");
    func(
        "trunc",
        &[NUMERIC, INT4],
        NUMERIC,
        S,
        "pg_numeric_trunc($1, $2)",
    );
    func("floor", &[FLOAT8], FLOAT8, S, "pg_float8_floor($1)");
    func("floor", &[NUMERIC], NUMERIC, S, "pg_numeric_floor($1)");
    func("ceil", &[FLOAT8], FLOAT8, S, "pg_float8_ceil($1)");
    func("ceil", &[NUMERIC], NUMERIC, S, "pg_numeric_ceil($1)");
    func("ceiling", &[FLOAT8], FLOAT8, S, "pg_float8_ceil($1)");
    func("ceiling", &[NUMERIC], NUMERIC, S, "pg_numeric_ceil($1)");
    func("sqrt", &[FLOAT8], FLOAT8, S, "pg_float8_sqrt($1)");
    for name in [
        "cbrt", "sin", "cos", "tan", "cot", "asin", "acos", "atan", "sinh", "cosh", "tanh",
        "asinh", "acosh", "atanh", "degrees", "radians", "sind", "cosd", "tand", "cotd", "asind",
        "acosd", "atand",
    ] {
        func(
            name,
            &[FLOAT8],
            FLOAT8,
            S,
            leak(format!("pg_float8_{name}($1)")),
        );
    }
    func(
        "atan2",
        &[FLOAT8, FLOAT8],
        FLOAT8,
        S,
        "pg_float8_atan2($1, $2)",
    );
    func(
        "atan2d",
        &[FLOAT8, FLOAT8],
        FLOAT8,
        S,
        "pg_float8_atan2d($1, $2)",
    );
    func("float4send", &[FLOAT4], BYTEA, S, "pg_float4send($1)");
    func("quote_ident", &[TEXT], TEXT, S, "pg_quote_ident($1)");
    func("quote_literal", &[TEXT], TEXT, S, "pg_quote_literal($1)");
    func("quote_nullable", &[TEXT], TEXT, S, "pg_quote_nullable($1)");
    func("to_regtype", &[TEXT], REGTYPE, S, "pg_to_regtype($1)");
    func("pg_is_in_recovery", &[], BOOL, S, "0");
    // Privilege inquiry functions (acl.rs, session/privileges.rs).
    for (name, kind) in [
        ("has_table_privilege", "t"),
        ("has_sequence_privilege", "s"),
        ("has_schema_privilege", "n"),
        ("has_database_privilege", "d"),
        ("pg_has_role", "r"),
    ] {
        let of_current = Box::leak(
            format!("pm_has_privilege('{kind}', current_user(), $1, $2)").into_boxed_str(),
        );
        let of_role = Box::leak(format!("pm_has_privilege('{kind}', $1, $2, $3)").into_boxed_str());
        func(name, &[TEXT, TEXT], BOOL, S, of_current);
        func(name, &[TEXT, TEXT, TEXT], BOOL, S, of_role);
        func(name, &[OID, TEXT, TEXT], BOOL, S, of_role);
    }
    // has_column_privilege([role,] table, column, privileges): the
    // column's name after the table's, with U+001F between them.
    func(
        "has_column_privilege",
        &[TEXT, TEXT, TEXT],
        BOOL,
        S,
        "pm_has_privilege('c', current_user(), ($1) || char(31) || ($2), $3)",
    );
    let of_role = "pm_has_privilege('c', $1, ($2) || char(31) || ($3), $4)";
    func(
        "has_column_privilege",
        &[TEXT, TEXT, TEXT, TEXT],
        BOOL,
        S,
        of_role,
    );
    func(
        "has_column_privilege",
        &[OID, TEXT, TEXT, TEXT],
        BOOL,
        S,
        of_role,
    );
    // The session's own functions (session.rs: current_setting, pg_sleep).
    func("pg_sleep", &[FLOAT8], VOID, S, "pg_sleep($1)");
    func("current_setting", &[TEXT], TEXT, S, "current_setting($1)");
    func(
        "current_setting",
        &[TEXT, BOOL],
        TEXT,
        S,
        "current_setting($1, $2)",
    );
    func(
        "set_config",
        &[TEXT, TEXT, BOOL],
        TEXT,
        S,
        "set_config($1, $2, $3)",
    );
    // COMMENT ON is not supported, so no object has a description.
    func("obj_description", &[OID, NAME], TEXT, S, "NULL");
    func("obj_description", &[OID], TEXT, S, "NULL");
    func("col_description", &[OID, INT4], TEXT, S, "NULL");
    func("shobj_description", &[OID, NAME], TEXT, S, "NULL");
    func("float8send", &[FLOAT8], BYTEA, S, "pg_float8send($1)");
    func(
        "power",
        &[FLOAT8, FLOAT8],
        FLOAT8,
        S,
        "pg_float8_pow($1, $2)",
    );
    func("pow", &[FLOAT8, FLOAT8], FLOAT8, S, "pg_float8_pow($1, $2)");
    // numeric: PostgreSQL's result scales (crate::numeric).
    for (name, f) in [
        ("sqrt", "sqrt"),
        ("ln", "ln"),
        ("log", "log10"),
        ("log10", "log10"),
        ("exp", "exp"),
        ("trim_scale", "trim_scale"),
    ] {
        func(
            name,
            &[NUMERIC],
            NUMERIC,
            S,
            leak(format!("pg_numeric_{f}($1)")),
        );
    }
    func("min_scale", &[NUMERIC], INT4, S, "pg_numeric_min_scale($1)");
    for (name, f) in [
        ("power", "power"),
        ("pow", "power"),
        ("log", "log"),
        ("div", "div_trunc"),
        ("gcd", "gcd"),
        ("lcm", "lcm"),
    ] {
        func(
            name,
            &[NUMERIC, NUMERIC],
            NUMERIC,
            S,
            leak(format!("pg_numeric_{f}($1, $2)")),
        );
    }
    for (t, bits) in [(INT4, 32), (INT8, 64)] {
        for f in ["gcd", "lcm"] {
            func(
                f,
                leak_args(&[t, t]),
                t,
                S,
                leak(format!("pg_numeric_int(pg_numeric_{f}($1, $2), {bits})")),
            );
        }
    }
    func(
        "width_bucket",
        &[NUMERIC, NUMERIC, NUMERIC, INT4],
        INT4,
        S,
        "pg_numeric_width_bucket($1, $2, $3, $4)",
    );
    func("factorial", &[INT8], NUMERIC, S, "pg_numeric_factorial($1)");
    // to_char over numbers and to_number (crate::formatting).
    for (t, f) in [
        (NUMERIC, "numeric"),
        (INT8, "int8"),
        (INT4, "int4"),
        (FLOAT8, "float8"),
        (FLOAT4, "float4"),
    ] {
        func(
            "to_char",
            leak_args(&[t, TEXT]),
            TEXT,
            S,
            leak(format!("pg_to_char_{f}($1, $2)")),
        );
    }
    func(
        "to_number",
        &[TEXT, TEXT],
        NUMERIC,
        S,
        "pg_to_number($1, $2)",
    );
    // to_char over date/time types, to_timestamp, to_date (crate::dtformat).
    for (t, f) in [
        (TIMESTAMP, "timestamp"),
        (TIMESTAMPTZ, "timestamptz"),
        (INTERVAL, "interval"),
    ] {
        func(
            "to_char",
            leak_args(&[t, TEXT]),
            TEXT,
            S,
            leak(format!("pg_to_char_{f}($1, $2)")),
        );
    }
    func(
        "to_timestamp",
        &[TEXT, TEXT],
        TIMESTAMPTZ,
        S,
        "pg_to_timestamp($1, $2)",
    );
    func(
        "to_timestamp",
        &[FLOAT8],
        TIMESTAMPTZ,
        S,
        "pg_to_timestamp_epoch($1)",
    );
    func("to_date", &[TEXT, TEXT], DATE, S, "pg_to_date($1, $2)");
    func(
        "make_date",
        &[INT4, INT4, INT4],
        DATE,
        S,
        "pg_make_date($1, $2, $3)",
    );
    func(
        "make_time",
        &[INT4, INT4, FLOAT8],
        TIME,
        S,
        "pg_make_time($1, $2, $3)",
    );
    func(
        "make_timestamp",
        &[INT4, INT4, INT4, INT4, INT4, FLOAT8],
        TIMESTAMP,
        S,
        "pg_make_timestamp($1, $2, $3, $4, $5, $6)",
    );
    func(
        "make_timestamptz",
        &[INT4, INT4, INT4, INT4, INT4, FLOAT8],
        TIMESTAMPTZ,
        S,
        "pg_make_timestamptz($1, $2, $3, $4, $5, $6)",
    );
    func(
        "make_timestamptz",
        &[INT4, INT4, INT4, INT4, INT4, FLOAT8, TEXT],
        TIMESTAMPTZ,
        S,
        "pg_make_timestamptz($1, $2, $3, $4, $5, $6, $7)",
    );
    func(
        "date_bin",
        &[INTERVAL, TIMESTAMP, TIMESTAMP],
        TIMESTAMP,
        S,
        "pg_date_bin($1, $2, $3)",
    );
    func(
        "date_bin",
        &[INTERVAL, TIMESTAMPTZ, TIMESTAMPTZ],
        TIMESTAMPTZ,
        S,
        "pg_date_bin_tz($1, $2, $3)",
    );
    func(
        "width_bucket",
        &[FLOAT8, FLOAT8, FLOAT8, INT4],
        INT4,
        S,
        "pg_float8_width_bucket($1, $2, $3, $4)",
    );
    func("ln", &[FLOAT8], FLOAT8, S, "pg_float8_ln($1)");
    func("log", &[FLOAT8], FLOAT8, S, "pg_float8_log10($1)");
    func("log10", &[FLOAT8], FLOAT8, S, "pg_float8_log10($1)");
    func("exp", &[FLOAT8], FLOAT8, S, "pg_float8_exp($1)");
    // random(): 53 random bits in [0, 1), as PostgreSQL's drandom.
    func(
        "random",
        &[],
        FLOAT8,
        S,
        "(((random() >> 11) & 9007199254740991) / 9007199254740992.0)",
    );
    func("pi", &[], FLOAT8, S, "3.141592653589793");
    // The transaction's start (now, CURRENT_TIMESTAMP), the statement's and
    // the clock's, as the storage text of a timestamptz (session.rs).
    for name in [
        "now",
        "transaction_timestamp",
        "statement_timestamp",
        "clock_timestamp",
    ] {
        func(name, &[], TIMESTAMPTZ, S, leak(format!("{name}()")));
    }
    // EXTRACT / date_part / date_trunc over date, timestamp and timestamptz
    // (in the session's TimeZone).
    func(
        "extract",
        &[TEXT, DATE],
        NUMERIC,
        S,
        "pg_extract($1, $2, 0)",
    );
    func(
        "extract",
        &[TEXT, TIMESTAMP],
        NUMERIC,
        S,
        "pg_extract($1, $2, 1)",
    );
    func(
        "extract",
        &[TEXT, TIMESTAMPTZ],
        NUMERIC,
        S,
        "pg_extract_tz($1, $2)",
    );
    func(
        "date_part",
        &[TEXT, TIMESTAMP],
        FLOAT8,
        S,
        "pg_date_part($1, $2)",
    );
    // date_part(text, date) is date_part($1, $2::timestamp): no time zone.
    func(
        "date_part",
        &[TEXT, DATE],
        FLOAT8,
        S,
        "pg_date_part($1, $2)",
    );
    func(
        "date_part",
        &[TEXT, TIMESTAMPTZ],
        FLOAT8,
        S,
        "pg_numeric_float8(pg_extract_tz($1, $2))",
    );
    func(
        "date_trunc",
        &[TEXT, TIMESTAMP],
        TIMESTAMP,
        S,
        "pg_date_trunc($1, $2)",
    );
    func(
        "date_trunc",
        &[TEXT, TIMESTAMPTZ],
        TIMESTAMPTZ,
        S,
        "pg_date_trunc_tz($1, $2)",
    );
    // date_trunc(field, value, zone): truncated in that zone's local time.
    func(
        "date_trunc",
        &[TEXT, TIMESTAMPTZ, TEXT],
        TIMESTAMPTZ,
        S,
        "pg_at_time_zone(pg_date_trunc($1, pg_at_time_zone($2, $3, 1)), $3, 0)",
    );
    // interval functions (crate::interval).
    func(
        "justify_hours",
        &[INTERVAL],
        INTERVAL,
        S,
        "pg_justify_hours($1)",
    );
    func(
        "justify_days",
        &[INTERVAL],
        INTERVAL,
        S,
        "pg_justify_days($1)",
    );
    func(
        "justify_interval",
        &[INTERVAL],
        INTERVAL,
        S,
        "pg_justify_interval($1)",
    );
    func(
        "extract",
        &[TEXT, INTERVAL],
        NUMERIC,
        S,
        "pg_interval_part($1, $2)",
    );
    func(
        "date_part",
        &[TEXT, INTERVAL],
        FLOAT8,
        S,
        "pg_numeric_float8(pg_interval_part($1, $2))",
    );
    func("extract", &[TEXT, TIME], NUMERIC, S, "pg_time_part($1, $2)");
    func(
        "extract",
        &[TEXT, TIMETZ],
        NUMERIC,
        S,
        "pg_timetz_extract($1, $2)",
    );
    func(
        "date_part",
        &[TEXT, TIMETZ],
        FLOAT8,
        S,
        "pg_timetz_part($1, $2)",
    );
    func(
        "timezone",
        &[TEXT, TIMETZ],
        TIMETZ,
        S,
        "pg_timetz_at_zone($2, $1)",
    );
    func(
        "timezone",
        &[INTERVAL, TIMETZ],
        TIMETZ,
        S,
        "pg_timetz_at_interval($2, $1)",
    );
    func("min", &[TIMETZ], TIMETZ, A, "pg_timetz_min($1)");
    func("max", &[TIMETZ], TIMETZ, A, "pg_timetz_max($1)");
    func(
        "date_part",
        &[TEXT, TIME],
        FLOAT8,
        S,
        "pg_numeric_float8(pg_time_part($1, $2))",
    );
    func(
        "date_trunc",
        &[TEXT, INTERVAL],
        INTERVAL,
        S,
        "pg_interval_trunc($1, $2)",
    );
    func(
        "make_interval",
        &[INT4, INT4, INT4, INT4, INT4, INT4, FLOAT8],
        INTERVAL,
        S,
        "pg_make_interval($1, $2, $3, $4, $5, $6, $7)",
    );
    func(
        "age",
        &[TIMESTAMP, TIMESTAMP],
        INTERVAL,
        S,
        "pg_age($1, $2, 0)",
    );
    func(
        "age",
        &[TIMESTAMPTZ, TIMESTAMPTZ],
        INTERVAL,
        S,
        "pg_age($1, $2, 1)",
    );
    func(
        "age",
        &[TIMESTAMPTZ],
        INTERVAL,
        S,
        "pg_age(pg_datetime_in('today', 1184), $1, 1)",
    );
    func(
        "isfinite",
        &[INTERVAL],
        BOOL,
        S,
        "CASE WHEN $1 IS NOT NULL THEN 1 END",
    );
    // Dates and timestamps store their infinities as that text.
    for t in [DATE, TIMESTAMP, TIMESTAMPTZ] {
        func(
            "isfinite",
            leak_args(&[t]),
            BOOL,
            S,
            "CASE WHEN $1 IS NOT NULL THEN $1 NOT IN ('infinity', '-infinity') END",
        );
    }
    // The boolean operators' functions.
    func("booleq", &[BOOL, BOOL], BOOL, S, "($1 = $2)");
    func("boolne", &[BOOL, BOOL], BOOL, S, "($1 <> $2)");
    // AT TIME ZONE (the grammar's timezone(zone, value)).
    func(
        "timezone",
        &[TEXT, TIMESTAMPTZ],
        TIMESTAMP,
        S,
        "pg_at_time_zone($2, $1, 1)",
    );
    func(
        "timezone",
        &[TEXT, TIMESTAMP],
        TIMESTAMPTZ,
        S,
        "pg_at_time_zone($2, $1, 0)",
    );
    func("sign", &[FLOAT8], FLOAT8, S, "pg_float_sign($1)");
    func("sign", &[NUMERIC], NUMERIC, S, "pg_numeric_sign($1)");
    func("scale", &[NUMERIC], INT4, S, "pg_numeric_scale($1)");
    // Aggregates (PostgreSQL's result types: sum(int4) is int8, avg of an
    // integer is numeric).
    func("count", &[], INT8, A, "count(*)");
    for t in [
        BOOL,
        INT2,
        INT4,
        INT8,
        FLOAT4,
        FLOAT8,
        NUMERIC,
        TEXT,
        VARCHAR,
        BPCHAR,
        DATE,
        TIMESTAMP,
        TIMESTAMPTZ,
        INTERVAL,
        TIME,
        TIMETZ,
        UUID,
        BYTEA,
    ] {
        func("count", leak_args(&[t]), INT8, A, "count($1)");
    }
    func("sum", &[INT2], INT8, A, "sum($1)");
    func("sum", &[INT4], INT8, A, "sum($1)");
    // Statistical aggregates (crate::stats).
    for (name, args) in crate::stats::float8_aggregates() {
        let (types, call): (&[u32], _) = if args == 1 {
            (&[FLOAT8], "($1)")
        } else {
            (&[FLOAT8, FLOAT8], "($1, $2)")
        };
        func(
            name,
            types,
            FLOAT8,
            A,
            leak(format!("pg_float8_{name}{call}")),
        );
    }
    func(
        "regr_count",
        &[FLOAT8, FLOAT8],
        INT8,
        A,
        "pg_float8_regr_count($1, $2)",
    );
    func("variance", &[FLOAT8], FLOAT8, A, "pg_float8_var_samp($1)");
    func("stddev", &[FLOAT8], FLOAT8, A, "pg_float8_stddev_samp($1)");
    for (name, _, _) in crate::stats::NUMERIC_AGGREGATES {
        for t in [INT2, INT4, INT8, NUMERIC] {
            func(
                name,
                leak_args(&[t]),
                NUMERIC,
                A,
                leak(format!("pg_numeric_{name}($1)")),
            );
        }
    }
    func("sum", &[INT8], NUMERIC, A, "pg_numeric_sum($1)");
    func("sum", &[FLOAT4], FLOAT4, A, "pg_float_sum($1)");
    func("sum", &[FLOAT8], FLOAT8, A, "pg_float_sum($1)");
    func("sum", &[NUMERIC], NUMERIC, A, "pg_numeric_sum($1)");
    for t in [INT2, INT4, INT8, NUMERIC] {
        func("avg", leak_args(&[t]), NUMERIC, A, "pg_numeric_avg($1)");
    }
    func("avg", &[FLOAT4], FLOAT8, A, "pg_float_avg($1)");
    func("avg", &[FLOAT8], FLOAT8, A, "pg_float_avg($1)");
    for t in [
        INT2,
        INT4,
        INT8,
        FLOAT4,
        FLOAT8,
        TEXT,
        DATE,
        TIMESTAMP,
        TIMESTAMPTZ,
        TIME,
    ] {
        func("min", leak_args(&[t]), t, A, "min($1)");
        func("max", leak_args(&[t]), t, A, "max($1)");
    }
    func("min", &[NUMERIC], NUMERIC, A, "pg_numeric_min($1)");
    func("min", &[INTERVAL], INTERVAL, A, "pg_interval_min($1)");
    func("max", &[INTERVAL], INTERVAL, A, "pg_interval_max($1)");
    func("sum", &[INTERVAL], INTERVAL, A, "pg_interval_sum($1)");
    func("avg", &[INTERVAL], INTERVAL, A, "pg_interval_avg($1)");
    func("max", &[NUMERIC], NUMERIC, A, "pg_numeric_max($1)");
    func("bool_and", &[BOOL], BOOL, A, "min($1)");
    func("bool_or", &[BOOL], BOOL, A, "max($1)");
    func("every", &[BOOL], BOOL, A, "min($1)");
    func("string_agg", &[TEXT, TEXT], TEXT, A, "group_concat($1, $2)");
    func(
        "string_agg",
        &[BYTEA, BYTEA],
        BYTEA,
        A,
        "pg_bytea_agg($1, $2)",
    );
    let mut functions: HashMap<&'static str, Vec<Function>> = HashMap::new();
    for f in funcs {
        functions.entry(f.name).or_default().push(f);
    }

    use CastContext::{Assignment as Asg, Explicit as E, Implicit as I};
    let mut casts = HashMap::new();
    let mut cast = |from: u32, to: u32, context: CastContext, template: &'static str| {
        casts.insert(
            (from, to),
            Cast {
                from,
                to,
                context,
                template,
            },
        );
    };
    // Integers to wider integers are implicit, to narrower by assignment
    // with a range check.
    cast(INT2, INT4, I, "$1");
    cast(INT2, INT8, I, "$1");
    cast(INT4, INT8, I, "$1");
    // oid: an unsigned 32-bit integer; int4/int8 reach it implicitly.
    cast(INT4, OID, I, "$1");
    cast(INT8, OID, I, "$1");
    cast(INT2, OID, I, "$1");
    cast(OID, INT8, Asg, "$1");
    cast(INT4, INT2, Asg, "pg_int2($1)");
    cast(INT8, INT2, Asg, "pg_int2($1)");
    cast(INT8, INT4, Asg, "pg_int4($1)");
    for i in INTS {
        cast(i, FLOAT4, I, "pg_float4(CAST($1 AS REAL))");
        cast(i, FLOAT8, I, "CAST($1 AS REAL)");
        cast(i, NUMERIC, I, "$1");
        let bits = match i {
            INT2 => 16,
            INT4 => 32,
            _ => 64,
        };
        cast(NUMERIC, i, Asg, leak(format!("pg_numeric_int($1, {bits})")));
        cast(FLOAT4, i, Asg, leak(format!("pg_float8_int($1, {bits})")));
        cast(FLOAT8, i, Asg, leak(format!("pg_float8_int($1, {bits})")));
        cast(i, TEXT, Asg, "CAST($1 AS TEXT)");
    }
    cast(INT4, BOOL, E, "($1 <> 0)");
    cast(BOOL, INT4, E, "$1");
    cast(FLOAT4, FLOAT8, I, "$1");
    cast(FLOAT8, FLOAT4, Asg, "pg_float4($1)");
    cast(NUMERIC, FLOAT4, I, "pg_float4(pg_numeric_float8($1))");
    cast(NUMERIC, FLOAT8, I, "pg_numeric_float8($1)");
    cast(FLOAT4, NUMERIC, Asg, "pg_float4_numeric($1)");
    cast(FLOAT8, NUMERIC, Asg, "pg_float8_numeric($1)");
    cast(FLOAT4, TEXT, Asg, "pg_float4_out($1)");
    cast(FLOAT8, TEXT, Asg, "pg_float8_out($1)");
    cast(NUMERIC, TEXT, Asg, "pg_numeric_out($1)");
    cast(
        BOOL,
        TEXT,
        Asg,
        "CASE WHEN $1 THEN 'true' WHEN NOT $1 THEN 'false' END",
    );
    cast(VARCHAR, TEXT, I, "$1");
    cast(BPCHAR, TEXT, I, "rtrim($1, ' ')");
    cast(NAME, TEXT, I, "$1");
    cast(REGTYPE, TEXT, Asg, "$1");
    // regclass: the relation's name; its oid is 16384 + its rowid in
    // sqlite_schema, as the catalog views number relations.
    cast(REGCLASS, TEXT, Asg, "$1");
    cast(REGCLASS, OID, I, REGCLASS_TO_OID);
    cast(
        OID,
        REGCLASS,
        I,
        "coalesce((SELECT pg_quote_ident(s.name) FROM main.sqlite_schema s WHERE s.rowid = ($1) - 16384 AND s.type IN ('table', 'view', 'index')), CAST($1 AS TEXT))",
    );
    cast(
        TEXT,
        REGCLASS,
        E,
        "coalesce((SELECT pg_quote_ident(s.name) FROM main.sqlite_schema s WHERE s.name = pg_regclass_name($1) AND s.type IN ('table', 'view', 'index')), pg_undefined_relation($1))",
    );
    cast(TEXT, REGTYPE, E, "pg_regtype_in($1)");
    cast(CHAR, TEXT, I, "$1");
    cast(TEXT, CHAR, Asg, "pg_char_in($1)");
    cast(VARCHAR, CHAR, Asg, "pg_char_in($1)");
    cast(BPCHAR, CHAR, Asg, "pg_char_in($1)");
    cast(CHAR, VARCHAR, Asg, "$1");
    cast(CHAR, BPCHAR, Asg, "$1");
    cast(INT4, CHAR, E, "pg_char_from_int($1)");
    cast(CHAR, INT4, E, "pg_char_to_int($1)");
    cast(TEXT, VARCHAR, I, "$1");
    cast(TEXT, BPCHAR, I, "$1");
    cast(TEXT, NAME, I, "$1");
    cast(VARCHAR, BPCHAR, I, "$1");
    cast(BPCHAR, VARCHAR, I, "rtrim($1, ' ')");
    // Date/time to text: the output function, in the session's DateStyle
    // and TimeZone; between date/time types, through the session's zone.
    for t in [DATE, TIMESTAMP, TIMESTAMPTZ, INTERVAL] {
        cast(t, TEXT, Asg, leak(format!("pg_output($1, {t})")));
    }
    cast(TIME, TEXT, Asg, "$1");
    cast(TIMETZ, TEXT, Asg, "$1");
    cast(TEXT, TIMETZ, E, "pg_timetz_in($1)");
    cast(TIMETZ, TIME, Asg, "pg_timetz_time($1)");
    cast(TIME, TIMETZ, I, "pg_time_timetz($1)");
    cast(TIMESTAMPTZ, TIMETZ, Asg, "pg_timestamptz_timetz($1)");
    cast(TIME, INTERVAL, I, "pg_time_interval($1)");
    cast(INTERVAL, TIME, Asg, "pg_interval_time($1)");
    for (from, to, context) in [
        (DATE, TIMESTAMP, I),
        (DATE, TIMESTAMPTZ, I),
        (TIMESTAMP, TIMESTAMPTZ, I),
        (TIMESTAMP, DATE, Asg),
        (TIMESTAMPTZ, DATE, Asg),
        (TIMESTAMPTZ, TIMESTAMP, Asg),
    ] {
        cast(
            from,
            to,
            context,
            leak(format!("pg_datetime_cast($1, {from}, {to})")),
        );
    }
    // From text: the input function of the target type, at run time.
    for to in [
        BOOL,
        INT2,
        INT4,
        INT8,
        FLOAT4,
        FLOAT8,
        NUMERIC,
        DATE,
        TIMESTAMP,
        TIMESTAMPTZ,
        TIME,
        INTERVAL,
    ] {
        // Date/time input reads the session's DateStyle and TimeZone: the
        // non-deterministic pg_datetime_in, never folded or indexed.
        let input = if matches!(to, DATE | TIMESTAMP | TIMESTAMPTZ | INTERVAL) {
            "pg_datetime_in"
        } else {
            "pg_input"
        };
        cast(TEXT, to, E, leak(format!("{input}($1, {to})")));
    }
    Catalog {
        operators,
        functions,
        casts,
    }
}

fn leak_args(args: &[u32]) -> &'static [u32] {
    Box::leak(args.to_vec().into_boxed_slice())
}

/// can_coerce_type() for one argument in the implicit context.
pub fn can_coerce_implicitly(from: u32, to: u32) -> bool {
    // An array to an array: when its elements coerce (array coercion).
    if let (Some(f), Some(t)) = (element_of(from), element_of(to)) {
        return from == to || can_coerce_implicitly(f, t);
    }
    from == to
        || from == UNKNOWN
        || catalog()
            .casts
            .get(&(from, to))
            .is_some_and(|c| c.context == CastContext::Implicit)
}

/// The cast from `from` to `to` allowed in `context`, if any (the
/// identity is no cast at all).
pub fn find_cast(from: u32, to: u32, context: CastContext) -> Option<&'static Cast> {
    catalog()
        .casts
        .get(&(from, to))
        .filter(|c| c.context <= context)
}

/// More than one candidate fits equally well.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ambiguous;

/// func_select_candidate() / oper_select_candidate(): among candidates
/// whose argument types the inputs can be coerced to implicitly, the best
/// match by PostgreSQL's rules (exact matches, then preferred types, then
/// categories of unknown inputs). Err(()) when ambiguous; Ok(None) when
/// nothing matches.
pub fn select_candidate<'a>(
    inputs: &[u32],
    candidates: impl Iterator<Item = (&'a [u32], usize)>,
) -> Result<Option<usize>, Ambiguous> {
    let viable: Vec<(&[u32], usize)> = candidates
        .filter(|(args, _)| {
            args.len() == inputs.len()
                && args
                    .iter()
                    .zip(inputs)
                    .all(|(&a, &i)| can_coerce_implicitly(i, a))
        })
        .collect();
    if viable.len() <= 1 {
        return Ok(viable.first().map(|(_, i)| *i));
    }
    // Exact match, with unknown inputs taking the other input's type
    // (binary_oper_exact).
    let known: Vec<u32> = inputs.iter().copied().filter(|&t| t != UNKNOWN).collect();
    if inputs.len() == 2 && known.len() == 1 {
        let t = known[0];
        if let Some((_, i)) = viable.iter().find(|(args, _)| args[0] == t && args[1] == t) {
            return Ok(Some(*i));
        }
    }
    let score = |args: &[u32], f: &dyn Fn(u32, u32) -> bool| -> usize {
        args.iter().zip(inputs).filter(|(&a, &i)| f(a, i)).count()
    };
    let keep_best = |set: Vec<(&'a [u32], usize)>, f: &dyn Fn(u32, u32) -> bool| {
        let best = set.iter().map(|(a, _)| score(a, f)).max().unwrap_or(0);
        set.into_iter()
            .filter(|(a, _)| score(a, f) == best)
            .collect::<Vec<_>>()
    };
    let mut set = keep_best(viable, &|a, i| a == i);
    if set.len() == 1 {
        return Ok(Some(set[0].1));
    }
    set = keep_best(set, &|a, i| a == i || (i != UNKNOWN && is_preferred(a)));
    if set.len() == 1 {
        return Ok(Some(set[0].1));
    }
    // Unknown inputs: prefer the string category where a candidate takes
    // one, else the category all candidates agree on, then preferred types.
    for (pos, &input) in inputs.iter().enumerate() {
        if input != UNKNOWN {
            continue;
        }
        let cats: Vec<Category> = set.iter().map(|(a, _)| category(a[pos])).collect();
        let chosen = if cats.contains(&Category::String) {
            Category::String
        } else if cats.iter().all(|c| *c == cats[0]) {
            cats[0]
        } else {
            return Err(Ambiguous);
        };
        set.retain(|(a, _)| category(a[pos]) == chosen);
        if set.iter().any(|(a, _)| is_preferred(a[pos])) {
            set.retain(|(a, _)| is_preferred(a[pos]));
        }
    }
    // All-unknown inputs with a same-typed candidate (e.g. text || text).
    match set.len() {
        0 => Ok(None),
        1 => Ok(Some(set[0].1)),
        _ => Err(Ambiguous),
    }
}

/// select_common_type(): the type a CASE, COALESCE, UNION or VALUES column
/// resolves to. Err when the types cannot be matched.
pub fn common_type(types: &[u32]) -> Result<u32, (u32, u32)> {
    let mut known = types.iter().copied().filter(|&t| t != UNKNOWN);
    let Some(mut chosen) = known.next() else {
        return Ok(TEXT);
    };
    for t in known {
        if t == chosen {
            continue;
        }
        if category(t) != category(chosen) {
            return Err((chosen, t));
        }
        if !is_preferred(chosen) && can_coerce_implicitly(chosen, t) {
            chosen = t;
        } else if !can_coerce_implicitly(t, chosen) {
            return Err((chosen, t));
        }
    }
    Ok(chosen)
}

/// format_type for messages: `integer`, `text`, `numeric`, `unknown`.
pub fn type_name(oid: u32) -> String {
    if oid == UNKNOWN {
        return "unknown".to_string();
    }
    format_type(oid, -1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(name: &str, l: u32, r: u32) -> Option<(u32, u32, u32)> {
        let cands = &catalog().operators[name];
        let i = select_candidate(
            &[l, r],
            cands
                .iter()
                .enumerate()
                .filter(|(_, o)| o.left != 0)
                .map(|(i, o)| (leak_args(&[o.left, o.right]), i)),
        )
        .ok()??;
        Some((cands[i].left, cands[i].right, cands[i].result))
    }

    #[test]
    fn operators_resolve_as_postgresql() {
        assert_eq!(op("+", INT4, INT4), Some((INT4, INT4, INT4)));
        assert_eq!(op("+", INT2, INT2), Some((INT2, INT2, INT2)));
        assert_eq!(op("+", INT4, INT8), Some((INT4, INT8, INT8)));
        assert_eq!(op("+", INT4, NUMERIC), Some((NUMERIC, NUMERIC, NUMERIC)));
        assert_eq!(op("+", INT4, FLOAT8), Some((FLOAT8, FLOAT8, FLOAT8)));
        assert_eq!(op("+", NUMERIC, FLOAT8), Some((FLOAT8, FLOAT8, FLOAT8)));
        assert_eq!(op("+", INT4, UNKNOWN), Some((INT4, INT4, INT4)));
        assert_eq!(op("+", DATE, INT4), Some((DATE, INT4, DATE)));
        assert_eq!(op("||", UNKNOWN, UNKNOWN), Some((TEXT, TEXT, TEXT)));
        assert_eq!(op("=", TEXT, UNKNOWN), Some((TEXT, TEXT, BOOL)));
        assert_eq!(op("=", VARCHAR, UNKNOWN), Some((TEXT, TEXT, BOOL)));
        assert_eq!(op("+", INT4, TEXT), None);
    }

    #[test]
    fn common_types() {
        assert_eq!(common_type(&[INT4, INT8]), Ok(INT8));
        assert_eq!(common_type(&[INT4, NUMERIC]), Ok(NUMERIC));
        assert_eq!(common_type(&[UNKNOWN, INT4]), Ok(INT4));
        assert_eq!(common_type(&[UNKNOWN, UNKNOWN]), Ok(TEXT));
        assert!(common_type(&[INT4, TEXT]).is_err());
    }
}
