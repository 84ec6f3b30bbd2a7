//! `to_char` for numbers and `to_number`, as PostgreSQL 15 has them
//! (PostgreSQL: `utils/adt/formatting.c`, the number part).
//!
//! A format picture is parsed into nodes (patterns `9 0 . , D G L MI PL SG
//! S PR FM TH th V EEEE RN rn B C SP`, literal characters, `"quoted text"`
//! and backslash escapes) and a summary of the digit positions; the value
//! is turned into a digit string the way each type does it (numeric
//! rounds half away from zero, float4/float8 print with C's `%f`/`%e` and
//! are cut to 6/15 significant digits, int4 and int8 differ in `V`
//! overflow, `EEEE` and `RN` range), then the picture is filled in.
//!
//! Limits: only the C locale (`D` is `.`, `G` is `,`, `L` is a space,
//! signs `-`/`+`), which is what the server runs with. An empty format
//! gives `''` from `to_char` and NULL from `to_number` ([`to_number_opt`];
//! [`to_number`] gives `""`). [`int_to_char`] has int8's behaviour;
//! [`int4_to_char`] has int4's (it differs for `V` overflow, `EEEE`
//! rounding and `RN` out of range). PostgreSQL's quirks are kept on
//! purpose: a format asking for more digits than the value has (after the
//! float precision cut) ends the output there, as does `SG` with `RN`,
//! and with `EEEE` only the number is printed.

use std::str::FromStr;

use bigdecimal::num_bigint::Sign;
use bigdecimal::{BigDecimal, RoundingMode, ToPrimitive, Zero};
use pm_elog::{sqlstate, PgError};

/// Decimal digits a float4 keeps (C's `FLT_DIG`).
const FLOAT4_DIGITS: usize = 6;
/// Decimal digits a float8 keeps (C's `DBL_DIG`).
const FLOAT8_DIGITS: usize = 15;
/// Scale of `power(10::numeric, -n)`, which `to_number` multiplies by for `V`.
const POWER_SCALE: usize = 16;

/// A format pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pat {
    /// `,`: group separator.
    Comma,
    /// `.`: decimal point.
    Point,
    /// `0`: digit, zero-padded.
    Zero,
    /// `9`: digit, blank-padded.
    Nine,
    /// `B`: accepted, prints nothing.
    Blank,
    /// `C`: accepted, prints nothing.
    Check,
    /// `D`: locale decimal point.
    LocalePoint,
    /// `EEEE`: scientific notation.
    Exp,
    /// `FM`: fill mode, no padding.
    Fill,
    /// `G`: locale group separator.
    Group,
    /// `L`: currency symbol.
    Currency,
    /// `MI`: minus sign if negative.
    Minus,
    /// `PL`: plus sign if positive.
    Plus,
    /// `PR`: negative in angle brackets.
    Angle,
    /// `RN`: roman numeral.
    RomanUpper,
    /// `rn`: roman numeral, lower case.
    RomanLower,
    /// `SG`: plus or minus sign.
    SignBoth,
    /// `SP`: accepted, prints nothing.
    Spell,
    /// `S`: sign anchored to the number.
    LocaleSign,
    /// `TH`: ordinal suffix.
    OrdUpper,
    /// `th`: ordinal suffix, lower case.
    OrdLower,
    /// `V`: shift by the digits that follow.
    Shift,
}

/// The patterns, searched in this order among those of the same first
/// character (so `SG` and `SP` win over `S`).
const PATTERNS: &[(&str, Pat)] = &[
    (",", Pat::Comma),
    (".", Pat::Point),
    ("0", Pat::Zero),
    ("9", Pat::Nine),
    ("B", Pat::Blank),
    ("C", Pat::Check),
    ("D", Pat::LocalePoint),
    ("EEEE", Pat::Exp),
    ("FM", Pat::Fill),
    ("G", Pat::Group),
    ("L", Pat::Currency),
    ("MI", Pat::Minus),
    ("PL", Pat::Plus),
    ("PR", Pat::Angle),
    ("RN", Pat::RomanUpper),
    ("SG", Pat::SignBoth),
    ("SP", Pat::Spell),
    ("S", Pat::LocaleSign),
    ("TH", Pat::OrdUpper),
    ("V", Pat::Shift),
    ("b", Pat::Blank),
    ("c", Pat::Check),
    ("d", Pat::LocalePoint),
    ("eeee", Pat::Exp),
    ("fm", Pat::Fill),
    ("g", Pat::Group),
    ("l", Pat::Currency),
    ("mi", Pat::Minus),
    ("pl", Pat::Plus),
    ("pr", Pat::Angle),
    ("rn", Pat::RomanLower),
    ("sg", Pat::SignBoth),
    ("sp", Pat::Spell),
    ("s", Pat::LocaleSign),
    ("th", Pat::OrdLower),
    ("v", Pat::Shift),
];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Pat(Pat),
    /// One literal character of the picture.
    Text(char),
}

/// Where an `S` puts the sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum LocaleSign {
    #[default]
    None,
    Before,
    After,
}

/// What the picture asks for, gathered while parsing it.
#[derive(Debug, Clone, Default)]
struct Picture {
    /// Digit positions before the decimal point.
    pre: i64,
    /// Digit positions after it.
    post: i64,
    /// Digit positions after `V`.
    multi: i64,
    /// 1-based digit position of the first `0` before the point (0: none).
    zero_start: i64,
    /// Digit position of the last `0`.
    zero_end: i64,
    /// `pre` when `S` was seen.
    pre_at_sign: i64,
    lsign: LocaleSign,
    decimal: bool,
    zero: bool,
    blank: bool,
    fill: bool,
    has_lsign: bool,
    angle: bool,
    minus: bool,
    plus: bool,
    roman: bool,
    shift: bool,
    exp: bool,
}

fn syntax(msg: &str) -> PgError {
    PgError::error(sqlstate::SYNTAX_ERROR, msg)
}

impl Picture {
    /// Takes one pattern into account, rejecting the combinations
    /// PostgreSQL rejects.
    fn add(&mut self, pat: Pat) -> Result<(), PgError> {
        if self.exp && pat != Pat::Exp {
            return Err(syntax("\"EEEE\" must be the last pattern used"));
        }
        match pat {
            Pat::Nine => {
                if self.angle {
                    return Err(syntax("\"9\" must be ahead of \"PR\""));
                }
                if self.shift {
                    self.multi += 1;
                } else if self.decimal {
                    self.post += 1;
                } else {
                    self.pre += 1;
                }
            }
            Pat::Zero => {
                if self.angle {
                    return Err(syntax("\"0\" must be ahead of \"PR\""));
                }
                if !self.zero && !self.decimal {
                    self.zero = true;
                    self.zero_start = self.pre + 1;
                }
                if self.decimal {
                    self.post += 1;
                } else {
                    self.pre += 1;
                }
                self.zero_end = self.pre + self.post;
            }
            Pat::Blank => {
                if self.pre == 0 && self.post == 0 && !self.zero {
                    self.blank = true;
                }
            }
            Pat::Point | Pat::LocalePoint => {
                if self.decimal {
                    return Err(syntax("multiple decimal points"));
                }
                if self.shift {
                    return Err(syntax("cannot use \"V\" and decimal point together"));
                }
                self.decimal = true;
            }
            Pat::Fill => self.fill = true,
            Pat::LocaleSign => {
                if self.has_lsign {
                    return Err(syntax("cannot use \"S\" twice"));
                }
                if self.plus || self.minus || self.angle {
                    return Err(syntax(
                        "cannot use \"S\" and \"PL\"/\"MI\"/\"SG\"/\"PR\" together",
                    ));
                }
                if !self.decimal {
                    self.lsign = LocaleSign::Before;
                    self.pre_at_sign = self.pre;
                    self.has_lsign = true;
                } else if self.lsign == LocaleSign::None {
                    self.lsign = LocaleSign::After;
                    self.has_lsign = true;
                }
            }
            Pat::Minus => {
                if self.has_lsign {
                    return Err(syntax("cannot use \"S\" and \"MI\" together"));
                }
                self.minus = true;
            }
            Pat::Plus => {
                if self.has_lsign {
                    return Err(syntax("cannot use \"S\" and \"PL\" together"));
                }
                self.plus = true;
            }
            Pat::SignBoth => {
                if self.has_lsign {
                    return Err(syntax("cannot use \"S\" and \"SG\" together"));
                }
                self.minus = true;
                self.plus = true;
            }
            Pat::Angle => {
                if self.has_lsign || self.plus || self.minus {
                    return Err(syntax(
                        "cannot use \"PR\" and \"S\"/\"PL\"/\"MI\"/\"SG\" together",
                    ));
                }
                self.angle = true;
            }
            Pat::RomanUpper | Pat::RomanLower => self.roman = true,
            Pat::Shift => {
                if self.decimal {
                    return Err(syntax("cannot use \"V\" and decimal point together"));
                }
                self.shift = true;
            }
            Pat::Exp => {
                if self.exp {
                    return Err(syntax("cannot use \"EEEE\" twice"));
                }
                if self.blank
                    || self.fill
                    || self.has_lsign
                    || self.angle
                    || self.minus
                    || self.plus
                    || self.roman
                    || self.shift
                {
                    return Err(syntax("\"EEEE\" is incompatible with other formats")
                        .with_detail(
                            "\"EEEE\" may only be used together with digit and decimal point patterns.",
                        ));
                }
                self.exp = true;
            }
            Pat::Group | Pat::Currency | Pat::Comma => {}
            Pat::Check | Pat::Spell | Pat::OrdUpper | Pat::OrdLower => {}
        }
        Ok(())
    }
}

/// The pattern starting `s`, if any.
fn pattern_at(s: &str) -> Option<(&'static str, Pat)> {
    let first = *s.as_bytes().first()?;
    if first <= b' ' || first >= b'~' {
        return None;
    }
    PATTERNS
        .iter()
        .filter(|(name, _)| name.as_bytes()[0] == first)
        .find(|(name, _)| s.starts_with(name))
        .copied()
}

/// Parses a number format picture.
fn parse_picture(fmt: &str) -> Result<(Vec<Node>, Picture), PgError> {
    let mut nodes = Vec::new();
    let mut pic = Picture::default();
    let mut rest = fmt;
    while !rest.is_empty() {
        if let Some((name, pat)) = pattern_at(rest) {
            pic.add(pat)?;
            nodes.push(Node::Pat(pat));
            rest = &rest[name.len()..];
            continue;
        }
        if let Some(quoted) = rest.strip_prefix('"') {
            // Quoted text up to the closing quote; a backslash takes the
            // character after it literally.
            let mut chars = quoted.char_indices().peekable();
            rest = "";
            while let Some((i, c)) = chars.next() {
                match c {
                    '"' => {
                        rest = &quoted[i + 1..];
                        break;
                    }
                    '\\' if chars.peek().is_some() => {
                        let (_, next) = chars.next().unwrap_or((i, c));
                        nodes.push(Node::Text(next));
                    }
                    _ => nodes.push(Node::Text(c)),
                }
            }
            continue;
        }
        // Outside quotes a backslash only escapes a double quote.
        if let Some(after) = rest.strip_prefix("\\\"") {
            nodes.push(Node::Text('"'));
            rest = after;
            continue;
        }
        let c = rest.chars().next().unwrap_or(' ');
        nodes.push(Node::Text(c));
        rest = &rest[c.len_utf8()..];
    }
    Ok((nodes, pic))
}

/// A value turned into the digits the picture is filled with.
struct Digits {
    /// Digits, maybe with a `.`, no sign; `#`s when it does not fit; for
    /// `RN` the roman numeral; for `EEEE` the finished text.
    text: Vec<u8>,
    /// Digit positions left blank (or zero-filled) before the first digit.
    pad: i64,
    /// `b'+'`, `b'-'`, or 0 (roman numerals).
    sign: u8,
}

/// Digits of a value written in plain notation (`-12.30`): counts the
/// padding, or replaces the digits by `#`s when there are too many.
fn plain_digits(pic: &Picture, text: &str) -> Digits {
    let (sign, body) = match text.strip_prefix('-') {
        Some(b) => (b'-', b),
        None => (b'+', text),
    };
    let int_len = body.find('.').unwrap_or(body.len()) as i64;
    let mut pad = 0;
    let mut text = body.as_bytes().to_vec();
    if int_len < pic.pre {
        pad = pic.pre - int_len;
    } else if int_len > pic.pre {
        text = hashes(pic.pre, pic.post + 1);
        text[pic.pre as usize] = b'.';
    }
    Digits { text, pad, sign }
}

fn hashes(pre: i64, extra: i64) -> Vec<u8> {
    vec![b'#'; (pre + extra).max(0) as usize]
}

/// What `EEEE` prints for NaN and the infinities.
fn exp_hashes(pic: &Picture) -> Digits {
    let mut text = hashes(pic.pre + pic.post, 6);
    text[0] = b' ';
    text[pic.pre as usize + 1] = b'.';
    Digits {
        text,
        pad: 0,
        sign: 0,
    }
}

/// Text already finished (`EEEE`, roman numerals).
fn finished(text: String, sign: u8) -> Digits {
    Digits {
        text: text.into_bytes(),
        pad: 0,
        sign,
    }
}

/// Roman numeral of 1..3999, else 15 `#`s.
fn roman(n: i64) -> String {
    if !(1..=3999).contains(&n) {
        return "#".repeat(15);
    }
    const UNITS: [&str; 10] = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"];
    const TENS: [&str; 10] = ["", "X", "XX", "XXX", "XL", "L", "LX", "LXX", "LXXX", "XC"];
    const HUNDREDS: [&str; 10] = ["", "C", "CC", "CCC", "CD", "D", "DC", "DCC", "DCCC", "CM"];
    let n = n as usize;
    let mut s = "M".repeat(n / 1000);
    s.push_str(HUNDREDS[n / 100 % 10]);
    s.push_str(TENS[n / 10 % 10]);
    s.push_str(UNITS[n % 10]);
    s
}

/// English ordinal suffix of the digits' last number.
fn ordinal(digits: &[u8], upper: bool) -> Result<&'static str, PgError> {
    let last = digits.last().copied().unwrap_or(0);
    if !last.is_ascii_digit() {
        return Err(PgError::error(
            sqlstate::INVALID_TEXT_REPRESENTATION,
            format!("\"{}\" is not a number", String::from_utf8_lossy(digits)),
        ));
    }
    let teen = digits.len() > 1 && digits[digits.len() - 2] == b'1';
    let suffix = match (teen, last) {
        (false, b'1') => ["ST", "st"],
        (false, b'2') => ["ND", "nd"],
        (false, b'3') => ["RD", "rd"],
        _ => ["TH", "th"],
    };
    Ok(suffix[usize::from(!upper)])
}

/// Fills the picture in with the digits (the output half of
/// PostgreSQL's number processor).
struct Writer<'a> {
    pic: Picture,
    digits: &'a [u8],
    sign: u8,
    pad: i64,
    out: Vec<u8>,
    /// Index of the next digit to write.
    at: usize,
    /// Index of the last digit after the point worth writing (FM).
    last_relevant: Option<usize>,
    sign_written: bool,
    /// Digits the picture takes, less one (see `end`).
    count: i64,
    /// Digit positions done so far.
    position: i64,
    /// The last thing written was part of the number.
    in_number: bool,
}

impl Writer<'_> {
    fn current(&self) -> u8 {
        self.digits.get(self.at).copied().unwrap_or(0)
    }

    fn relevant_is_point(&self) -> bool {
        self.last_relevant
            .is_some_and(|i| self.digits.get(i) == Some(&b'.'))
    }

    /// A leading `0` the picture shows as blank (`0.1` in `9.9`).
    fn blank_leading_zero(&self) -> bool {
        !self.pic.zero && self.at == 0 && self.digits.first() == Some(&b'0') && self.pic.post != 0
    }

    fn sign_char(&self) -> u8 {
        if self.sign == b'-' {
            b'-'
        } else {
            b'+'
        }
    }

    /// One digit position (`9`, `0`, `.` or `D`).
    fn digit(&mut self, zero_pattern: bool) {
        if self.pic.roman {
            return;
        }
        self.in_number = false;
        let reached =
            self.position >= self.pad || (self.pic.zero && self.pic.zero_start == self.position);
        if !self.sign_written && reached && (!self.blank_leading_zero() || self.relevant_is_point())
        {
            if self.pic.has_lsign {
                if self.pic.lsign == LocaleSign::Before {
                    self.out.push(self.sign_char());
                    self.sign_written = true;
                }
            } else if self.pic.angle {
                self.out.push(if self.sign == b'+' { b' ' } else { b'<' });
                self.sign_written = true;
            } else if self.sign == b'+' {
                if !self.pic.fill {
                    self.out.push(b' ');
                }
                self.sign_written = true;
            } else if self.sign == b'-' {
                self.out.push(b'-');
                self.sign_written = true;
            }
        }

        if self.position < self.pad && (self.pic.zero_start > self.position || !self.pic.zero) {
            if !self.pic.fill {
                self.out.push(b' ');
            }
        } else if self.pic.zero && self.position < self.pad {
            self.out.push(b'0');
            self.in_number = true;
        } else {
            let c = self.current();
            if c == b'.' {
                // The point is written even when nothing relevant follows
                // it (`FM999.9` gives `100.`).
                self.out.push(b'.');
            } else if self.last_relevant.is_some_and(|r| self.at > r) && !zero_pattern {
                // FM: trailing zeros are dropped.
            } else if self.blank_leading_zero() {
                if !self.pic.fill {
                    self.out.push(b' ');
                } else if self.relevant_is_point() {
                    self.out.push(b'0');
                }
            } else {
                // Past the end of the digits this writes a NUL, which ends
                // the text, as in PostgreSQL.
                self.out.push(c);
                self.in_number = true;
            }
            if self.at < self.digits.len() {
                self.at += 1;
            }
        }

        let mut end = self.count + i64::from(self.pad > 0) + i64::from(self.pic.decimal);
        if self.last_relevant == Some(self.at) {
            end = self.position;
        }
        if self.position + 1 == end {
            if self.sign_written && self.pic.angle {
                self.out.push(if self.sign == b'+' { b' ' } else { b'>' });
            } else if self.pic.has_lsign && self.pic.lsign == LocaleSign::After {
                self.out.push(self.sign_char());
            }
        }
        self.position += 1;
    }

    fn run(mut self, nodes: &[Node]) -> Result<String, PgError> {
        for node in nodes {
            let pat = match node {
                Node::Text(c) => {
                    let mut buf = [0u8; 4];
                    self.out
                        .extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                    continue;
                }
                Node::Pat(p) => *p,
            };
            match pat {
                Pat::Nine | Pat::Point | Pat::LocalePoint => self.digit(false),
                Pat::Zero => self.digit(true),
                Pat::Comma | Pat::Group => {
                    if self.in_number {
                        self.out.push(b',');
                    } else if !self.pic.fill {
                        self.out.push(b' ');
                    }
                }
                Pat::Currency => self.out.push(b' '),
                Pat::RomanUpper | Pat::RomanLower => {
                    let text = String::from_utf8_lossy(&self.digits[self.at..]);
                    let text = if pat == Pat::RomanLower {
                        text.to_ascii_lowercase()
                    } else {
                        text.into_owned()
                    };
                    if self.pic.fill {
                        self.out.extend_from_slice(text.as_bytes());
                    } else {
                        self.out.extend_from_slice(format!("{text:>15}").as_bytes());
                    }
                }
                Pat::OrdUpper | Pat::OrdLower => {
                    if self.pic.roman
                        || self.digits.first() == Some(&b'#')
                        || self.sign == b'-'
                        || self.pic.decimal
                    {
                        continue;
                    }
                    let suffix = ordinal(self.digits, pat == Pat::OrdUpper)?;
                    self.out.extend_from_slice(suffix.as_bytes());
                }
                Pat::Minus => {
                    if self.sign == b'-' {
                        self.out.push(b'-');
                    } else if !self.pic.fill {
                        self.out.push(b' ');
                    }
                }
                Pat::Plus => {
                    if self.sign == b'+' {
                        self.out.push(b'+');
                    } else if !self.pic.fill {
                        self.out.push(b' ');
                    }
                }
                // With roman numerals there is no sign: a NUL, which ends
                // the text.
                Pat::SignBoth => self.out.push(self.sign),
                _ => {}
            }
        }
        let end = self
            .out
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(self.out.len());
        self.out.truncate(end);
        Ok(String::from_utf8_lossy(&self.out).into_owned())
    }
}

/// Position of the last digit after the point that is not a trailing
/// zero (or of the point itself); None without a point.
fn last_relevant_digit(digits: &[u8]) -> Option<usize> {
    let point = digits.iter().position(|&b| b == b'.')?;
    Some(
        digits[point + 1..]
            .iter()
            .rposition(|&b| b != b'0')
            .map_or(point, |i| point + 1 + i),
    )
}

/// Writes the digits into the picture.
fn render(nodes: &[Node], mut pic: Picture, digits: Digits) -> Result<String, PgError> {
    if pic.zero_start > 0 {
        pic.zero_start -= 1;
    }
    if pic.exp {
        return Ok(String::from_utf8_lossy(&digits.text).into_owned());
    }
    let mut sign = digits.sign;
    let mut pad = digits.pad;
    if pic.roman {
        pic = Picture {
            fill: pic.fill,
            roman: true,
            ..Picture::default()
        };
        pad = 0;
        sign = 0;
    }

    let sign_written;
    if pic.plus || pic.minus {
        // MI/PL/SG write the sign themselves; PL alone also leaves it
        // to the number.
        sign_written = pic.minus || !pic.plus;
    } else {
        if sign != b'-' && pic.angle && pic.fill {
            pic.angle = false;
        }
        sign_written = sign == b'+' && pic.fill && !pic.has_lsign;
        if pic.lsign == LocaleSign::Before && pic.pre == pic.pre_at_sign {
            pic.lsign = LocaleSign::After;
        }
    }

    let mut count = pic.post + pic.pre - 1;
    let mut last_relevant = None;
    if pic.fill && pic.decimal {
        last_relevant = last_relevant_digit(&digits.text);
        if let Some(lr) = last_relevant {
            if pic.zero_end > pad {
                // Keep the digits `0` patterns ask for.
                let last_zero = (digits.text.len() as i64 - 1).min(pic.zero_end - pad);
                if (lr as i64) < last_zero {
                    last_relevant = Some(last_zero as usize);
                }
            }
        }
    }
    if !sign_written && pad == 0 {
        count += 1;
    }

    Writer {
        pic,
        digits: &digits.text,
        sign,
        pad,
        out: Vec::new(),
        at: 0,
        last_relevant,
        sign_written,
        count,
        position: 0,
        in_number: false,
    }
    .run(nodes)
}

/// Parses the picture, converts the value with `convert`, fills it in.
fn to_char_with(
    fmt: &str,
    convert: impl FnOnce(&mut Picture) -> Result<Digits, PgError>,
) -> Result<String, PgError> {
    if fmt.is_empty() {
        return Ok(String::new());
    }
    let (nodes, mut pic) = parse_picture(fmt)?;
    let digits = convert(&mut pic)?;
    render(&nodes, pic, digits)
}

fn int_out_of_range() -> PgError {
    PgError::error(sqlstate::NUMERIC_VALUE_OUT_OF_RANGE, "integer out of range")
}

fn bigint_out_of_range() -> PgError {
    PgError::error(sqlstate::NUMERIC_VALUE_OUT_OF_RANGE, "bigint out of range")
}

/// Plain text of a decimal rounded to `scale` places (half away from zero).
fn decimal_text(d: &BigDecimal, scale: i64) -> String {
    let rounded = d.with_scale_round(scale, RoundingMode::HalfUp);
    let (int, _) = rounded.as_bigint_and_exponent();
    let mut digits = int.magnitude().to_string();
    let scale = scale.max(0) as usize;
    if digits.len() <= scale {
        digits.insert_str(0, &"0".repeat(scale + 1 - digits.len()));
    }
    if scale > 0 {
        digits.insert(digits.len() - scale, '.');
    }
    if int.sign() == Sign::Minus {
        digits.insert(0, '-');
    }
    digits
}

/// Scientific notation as `numeric_out_sci` writes it: `-1.235e+03`.
fn decimal_sci(d: &BigDecimal, scale: i64) -> String {
    let (int, sc) = d.as_bigint_and_exponent();
    let (significand, exponent) = if int.is_zero() {
        (BigDecimal::zero(), 0)
    } else {
        let n = int.magnitude().to_string().len() as i64;
        (BigDecimal::new(int, n - 1), n - 1 - sc)
    };
    format!("{}e{:+03}", decimal_text(&significand, scale), exponent)
}

/// `EEEE` text of a finite decimal: a space stands for the plus sign.
fn sci_digits(d: &BigDecimal, post: i64) -> Digits {
    let text = decimal_sci(d, post);
    if text.starts_with('-') {
        finished(text, 0)
    } else {
        finished(format!(" {text}"), 0)
    }
}

/// `printf("%.*f")` as PostgreSQL's own printf has it: `NaN`,
/// `Infinity` and `-Infinity` for the special values.
fn c_fixed(v: f64, prec: usize) -> String {
    if v.is_nan() {
        return "NaN".to_string();
    }
    if v.is_infinite() {
        return if v < 0.0 { "-Infinity" } else { "Infinity" }.to_string();
    }
    format!("{v:.prec$}")
}

/// C's `printf("%+.*e")`, with a space instead of the plus sign.
fn c_sci(v: f64, prec: usize) -> String {
    let s = format!("{v:+.prec$e}");
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mantissa = mantissa
        .strip_prefix('+')
        .map_or_else(|| mantissa.to_string(), |m| format!(" {m}"));
    format!("{mantissa}e{exp:+03}")
}

/// `(int) rint(v)` on x86-64: ties to even, out of range gives INT_MIN.
fn c_rint_int(v: f64) -> i64 {
    let r = v.round_ties_even();
    if r.is_nan() || r < f64::from(i32::MIN) || r > f64::from(i32::MAX) {
        i64::from(i32::MIN)
    } else {
        r as i64
    }
}

/// Shared part of float4 and float8: `val` is already multiplied for `V`.
fn float_digits(pic: &mut Picture, val: f64, max_digits: usize) -> Digits {
    let int_len = c_fixed(val.abs(), 0).len();
    if int_len >= max_digits {
        pic.post = 0;
    } else if int_len + pic.post as usize > max_digits {
        pic.post = (max_digits - int_len) as i64;
    }
    plain_digits(pic, &c_fixed(val, pic.post as usize))
}

fn float_exp(pic: &Picture, v: f64) -> Digits {
    if v.is_nan() || v.is_infinite() {
        exp_hashes(pic)
    } else {
        finished(c_sci(v, pic.post as usize), 0)
    }
}

/// Digits of an integer already multiplied for `V`.
fn int_digits(pic: &Picture, value: i64) -> Digits {
    let mut text = value.to_string();
    if pic.post > 0 {
        text.push('.');
        text.push_str(&"0".repeat(pic.post as usize));
    }
    plain_digits(pic, &text)
}

enum NumericValue {
    NaN,
    Inf(bool),
    Finite(BigDecimal),
}

fn parse_numeric(value: &str) -> Result<NumericValue, PgError> {
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    match lower.as_str() {
        "nan" => return Ok(NumericValue::NaN),
        "infinity" | "+infinity" | "inf" | "+inf" => return Ok(NumericValue::Inf(false)),
        "-infinity" | "-inf" => return Ok(NumericValue::Inf(true)),
        _ => {}
    }
    BigDecimal::from_str(v)
        .map(NumericValue::Finite)
        .map_err(|_| {
            PgError::error(
                sqlstate::INVALID_TEXT_REPRESENTATION,
                format!("invalid input syntax for type numeric: \"{value}\""),
            )
        })
}

/// to_char(numeric, text): `value` is the canonical decimal text of a
/// numeric (`-12.340`, `NaN`, `Infinity`, `-Infinity`).
pub fn numeric_to_char(value: &str, fmt: &str) -> Result<String, PgError> {
    let value = parse_numeric(value)?;
    to_char_with(fmt, |pic| {
        if pic.roman {
            let n = match &value {
                NumericValue::NaN => {
                    return Err(PgError::error(
                        sqlstate::FEATURE_NOT_SUPPORTED,
                        "cannot convert NaN to integer",
                    ))
                }
                NumericValue::Inf(_) => {
                    return Err(PgError::error(
                        sqlstate::FEATURE_NOT_SUPPORTED,
                        "cannot convert infinity to integer",
                    ))
                }
                NumericValue::Finite(d) => d
                    .with_scale_round(0, RoundingMode::HalfUp)
                    .to_i32()
                    .ok_or_else(int_out_of_range)?,
            };
            return Ok(finished(roman(i64::from(n)), 0));
        }
        if pic.exp {
            return Ok(match &value {
                NumericValue::Finite(d) => sci_digits(d, pic.post),
                _ => exp_hashes(pic),
            });
        }
        if pic.shift {
            pic.pre += pic.multi;
        }
        let text = match &value {
            NumericValue::NaN => "NaN".to_string(),
            NumericValue::Inf(false) => "Infinity".to_string(),
            NumericValue::Inf(true) => "-Infinity".to_string(),
            NumericValue::Finite(d) => {
                let shifted;
                let d = if pic.shift {
                    shifted = d * BigDecimal::new(1.into(), -pic.multi);
                    &shifted
                } else {
                    d
                };
                decimal_text(d, pic.post)
            }
        };
        Ok(plain_digits(pic, &text))
    })
}

/// to_char(int8, text), and int2/int4 given as i64 where they agree (see
/// [`int4_to_char`] for the few cases where int4 differs: `V` overflow,
/// `EEEE` rounding, `RN` beyond the int4 range).
pub fn int_to_char(value: i64, fmt: &str) -> Result<String, PgError> {
    to_char_with(fmt, |pic| {
        if pic.roman {
            let n = i32::try_from(value).map_err(|_| int_out_of_range())?;
            return Ok(finished(roman(i64::from(n)), 0));
        }
        if pic.exp {
            return Ok(sci_digits(&BigDecimal::from(value), pic.post));
        }
        let mut value = value;
        if pic.shift {
            let factor = power_of_ten(pic.multi);
            if factor.is_nan() || factor >= 9_223_372_036_854_775_808.0 {
                return Err(bigint_out_of_range());
            }
            value = value
                .checked_mul(factor as i64)
                .ok_or_else(bigint_out_of_range)?;
            pic.pre += pic.multi;
        }
        Ok(int_digits(pic, value))
    })
}

/// to_char(int4, text) (and int2, which PostgreSQL casts to int4).
pub fn int4_to_char(value: i32, fmt: &str) -> Result<String, PgError> {
    to_char_with(fmt, |pic| {
        if pic.roman {
            return Ok(finished(roman(i64::from(value)), 0));
        }
        if pic.exp {
            return Ok(finished(c_sci(f64::from(value), pic.post as usize), 0));
        }
        let mut value = value;
        if pic.shift {
            // C converts an out of range power of ten to INT_MIN, and the
            // product wraps.
            let factor = 10i32.checked_pow(pic.multi as u32).unwrap_or(i32::MIN);
            value = value.wrapping_mul(factor);
            pic.pre += pic.multi;
        }
        Ok(int_digits(pic, i64::from(value)))
    })
}

/// Power of ten as C's `pow(10, n)` gives it (the C library's `pow`,
/// which for some exponents differs from the nearest double to 10^n).
fn power_of_ten(n: i64) -> f64 {
    10f64.powf(n as f64)
}

/// to_char(float8, text).
pub fn float8_to_char(value: f64, fmt: &str) -> Result<String, PgError> {
    to_char_with(fmt, |pic| {
        if pic.roman {
            return Ok(finished(roman(c_rint_int(value)), 0));
        }
        if pic.exp {
            return Ok(float_exp(pic, value));
        }
        let mut val = value;
        if pic.shift {
            val = value * power_of_ten(pic.multi);
            pic.pre += pic.multi;
        }
        Ok(float_digits(pic, val, FLOAT8_DIGITS))
    })
}

/// to_char(float4, text).
pub fn float4_to_char(value: f32, fmt: &str) -> Result<String, PgError> {
    to_char_with(fmt, |pic| {
        if pic.roman {
            return Ok(finished(roman(c_rint_int(f64::from(value))), 0));
        }
        if pic.exp {
            return Ok(float_exp(pic, f64::from(value)));
        }
        let mut val = value;
        if pic.shift {
            val = value * power_of_ten(pic.multi) as f32;
            pic.pre += pic.multi;
        }
        Ok(float_digits(pic, f64::from(val), FLOAT4_DIGITS))
    })
}

/// Length of the UTF-8 character starting at `b[i]`, within `b`.
fn char_len(b: &[u8], i: usize) -> usize {
    let n = match b[i] {
        0xf0..=0xff => 4,
        0xe0..=0xef => 3,
        0xc0..=0xdf => 2,
        _ => 1,
    };
    n.min(b.len() - i)
}

/// Reads a number out of text by a picture (the input half of
/// PostgreSQL's number processor).
struct Reader<'a> {
    pic: &'a Picture,
    input: &'a [u8],
    at: usize,
    /// `b' '`, `b'-'` or `b'+'`.
    sign: u8,
    /// Digits and the point read so far.
    number: Vec<u8>,
    read_point: bool,
    read_pre: i64,
    read_post: i64,
}

impl Reader<'_> {
    fn done(&self) -> bool {
        self.at >= self.input.len()
    }

    fn peek(&self) -> u8 {
        self.input.get(self.at).copied().unwrap_or(0)
    }

    /// Skips up to `n` characters that cannot be part of the number.
    fn skip_non_data(&mut self, n: usize) {
        for _ in 0..n {
            if self.done() || b"0123456789.,+-".contains(&self.peek()) {
                break;
            }
            self.at += char_len(self.input, self.at);
        }
    }

    /// One digit position: a sign in front of the number, a digit or the
    /// point, and a sign just after the number. Leaves `at` on the last
    /// character taken (the caller steps over it).
    fn digit(&mut self, digit_pattern: bool) {
        if self.done() {
            return;
        }
        if self.peek() == b' ' {
            self.at += 1;
        }
        if self.done() {
            return;
        }
        if self.sign == b' ' && digit_pattern && self.read_pre + self.read_post == 0 {
            let c = self.peek();
            if self.pic.has_lsign && self.pic.lsign == LocaleSign::Before {
                if c == b'-' || c == b'+' {
                    self.at += 1;
                    self.sign = c;
                }
            } else if c == b'-' || (self.pic.angle && c == b'<') {
                self.sign = b'-';
                self.at += 1;
            } else if c == b'+' {
                self.sign = b'+';
                self.at += 1;
            }
        }
        if self.done() {
            return;
        }
        let mut read = false;
        let c = self.peek();
        if c.is_ascii_digit() {
            if self.read_point && self.read_post == self.pic.post {
                return;
            }
            self.number.push(c);
            if self.read_point {
                self.read_post += 1;
            } else {
                self.read_pre += 1;
            }
            read = true;
        } else if self.pic.decimal && !self.read_point && c == b'.' {
            self.number.push(b'.');
            self.read_point = true;
            read = true;
        }
        if self.done() {
            return;
        }
        if self.sign == b' ' && self.read_pre + self.read_post > 0 {
            if self.pic.has_lsign
                && read
                && self.at + 1 < self.input.len()
                && !self.input[self.at + 1].is_ascii_digit()
            {
                let next = self.input[self.at + 1];
                if next == b'-' || next == b'+' {
                    self.at += 1;
                    self.sign = next;
                }
            } else if !read && !self.pic.has_lsign && (self.pic.plus || self.pic.minus) {
                let c = self.peek();
                if c == b'-' || c == b'+' {
                    self.sign = c;
                }
            }
        }
    }

    fn run(mut self, nodes: &[Node]) -> (u8, Vec<u8>, i64) {
        for node in nodes {
            if self.done() {
                break;
            }
            let pat = match node {
                Node::Text(_) => {
                    // Each literal character of the picture skips one
                    // character of input, whatever it is.
                    self.at += char_len(self.input, self.at);
                    continue;
                }
                Node::Pat(p) => *p,
            };
            match pat {
                Pat::Nine | Pat::Zero => self.digit(true),
                Pat::Point | Pat::LocalePoint => self.digit(false),
                Pat::Comma | Pat::Group => {
                    if self.pic.fill || self.peek() != b',' {
                        continue;
                    }
                }
                Pat::Currency => {
                    self.skip_non_data(1);
                    continue;
                }
                Pat::OrdUpper | Pat::OrdLower => {
                    if !self.pic.decimal {
                        self.skip_non_data(2);
                    }
                    continue;
                }
                Pat::Minus | Pat::Plus | Pat::SignBoth => {
                    let c = self.peek();
                    let takes = match pat {
                        Pat::Minus => c == b'-',
                        Pat::Plus => c == b'+',
                        _ => c == b'-' || c == b'+',
                    };
                    if takes {
                        self.sign = c;
                    } else {
                        self.skip_non_data(1);
                        continue;
                    }
                }
                _ => continue,
            }
            self.at += 1;
        }
        if self.number.last() == Some(&b'.') {
            self.number.pop();
        }
        (self.sign, self.number, self.read_post)
    }
}

/// Canonical numeric text of `digits` (no point) times 10^-scale.
fn unscaled_text(negative: bool, digits: &str, scale: usize) -> String {
    let digits = digits.trim_start_matches('0');
    let mut s = if digits.len() <= scale {
        format!("{}{}", "0".repeat(scale + 1 - digits.len()), digits)
    } else {
        digits.to_string()
    };
    if scale > 0 {
        s.insert(s.len() - scale, '.');
    }
    if negative && !digits.is_empty() {
        s.insert(0, '-');
    }
    s
}

/// to_number(text, text) when the format is empty gives NULL: None.
pub fn to_number_opt(text: &str, fmt: &str) -> Result<Option<String>, PgError> {
    if fmt.is_empty() {
        return Ok(None);
    }
    let (nodes, pic) = parse_picture(fmt)?;
    if pic.exp {
        return Err(PgError::error(
            sqlstate::FEATURE_NOT_SUPPORTED,
            "\"EEEE\" not supported for input",
        ));
    }
    if pic.roman {
        return Err(PgError::error(
            sqlstate::FEATURE_NOT_SUPPORTED,
            "\"RN\" not supported for input",
        ));
    }
    let (sign, number, scale) = Reader {
        pic: &pic,
        input: text.as_bytes(),
        at: 0,
        sign: b' ',
        number: Vec::new(),
        read_point: false,
        read_pre: 0,
        read_post: 0,
    }
    .run(&nodes);

    let number = String::from_utf8_lossy(&number).into_owned();
    let (int_part, frac_part) = number.split_once('.').unwrap_or((&number, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(PgError::error(
            sqlstate::INVALID_TEXT_REPRESENTATION,
            format!(
                "invalid input syntax for type numeric: \"{}{}\"",
                char::from(sign),
                number
            ),
        ));
    }
    // The result has the typmod numeric(pre + V digits + scale, scale).
    let precision = pic.pre + pic.multi + scale;
    let max_int_digits = precision - scale;
    let int_digits = int_part.trim_start_matches('0').len() as i64;
    if int_digits > max_int_digits {
        let limit = if max_int_digits > 0 {
            format!("10^{max_int_digits}")
        } else {
            "1".to_string()
        };
        return Err(PgError::error(
            sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
            "numeric field overflow",
        )
        .with_detail(format!(
            "A field with precision {precision}, scale {scale} must round to an absolute value less than {limit}."
        )));
    }
    let negative = sign == b'-';
    let mut digits = format!("{int_part}{frac_part}");
    let mut scale = scale as usize;
    if pic.shift {
        // Times power(10, -V digits), which numeric rounds to 16 places.
        let multi = pic.multi as usize;
        if multi <= POWER_SCALE {
            digits.push_str(&"0".repeat(POWER_SCALE - multi));
        } else {
            digits.clear();
        }
        scale += POWER_SCALE;
    }
    Ok(Some(unscaled_text(negative, &digits, scale)))
}

/// to_number(text, text): the canonical numeric text with PostgreSQL's
/// scale (`to_number('-34,338,492', '99G999G999')` is `-34338492`). An
/// empty format, for which PostgreSQL returns NULL, gives an empty string;
/// use [`to_number_opt`] to tell.
pub fn to_number(text: &str, fmt: &str) -> Result<String, PgError> {
    Ok(to_number_opt(text, fmt)?.unwrap_or_default())
}

// ---------------------------------------------------------------- SQLite

/// Registers to_char over the number types and to_number, the functions
/// [`crate::ops`] templates call.
pub fn register(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    use rusqlite::types::ValueRef;

    use crate::errors::function_error;
    let det = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    fn text(v: ValueRef<'_>) -> Option<String> {
        match v {
            ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Integer(i) => Some(i.to_string()),
            _ => None,
        }
    }
    conn.create_scalar_function("pg_to_char_numeric", 2, det, |ctx| {
        let (Some(n), Some(f)) = (
            crate::numeric::Numeric::from_value(ctx.get_raw(0)).map_err(function_error)?,
            text(ctx.get_raw(1)),
        ) else {
            return Ok(None);
        };
        numeric_to_char(&n.to_text(), &f)
            .map(Some)
            .map_err(function_error)
    })?;
    for (name, wide) in [("pg_to_char_int8", true), ("pg_to_char_int4", false)] {
        conn.create_scalar_function(name, 2, det, move |ctx| {
            let (Some(v), Some(f)) = (ctx.get::<Option<i64>>(0)?, text(ctx.get_raw(1))) else {
                return Ok(None);
            };
            let r = if wide {
                int_to_char(v, &f)
            } else {
                int4_to_char(v as i32, &f)
            };
            r.map(Some).map_err(function_error)
        })?;
    }
    for (name, single) in [("pg_to_char_float8", false), ("pg_to_char_float4", true)] {
        conn.create_scalar_function(name, 2, det, move |ctx| {
            let (Some(v), Some(f)) = (crate::adt::float_arg(ctx, 0)?, text(ctx.get_raw(1))) else {
                return Ok(None);
            };
            let r = if single {
                float4_to_char(v as f32, &f)
            } else {
                float8_to_char(v, &f)
            };
            r.map(Some).map_err(function_error)
        })?;
    }
    conn.create_scalar_function("pg_to_number", 2, det, |ctx| {
        let (Some(t), Some(f)) = (text(ctx.get_raw(0)), text(ctx.get_raw(1))) else {
            return Ok(None);
        };
        to_number_opt(&t, &f).map_err(function_error)
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    // Every expected value below is what PostgreSQL 15 printed (C locale),
    // including the rows of numeric.sql and int8.sql's to_char/to_number
    // statements for num_data and INT8_TBL.

    /// (value, format, PostgreSQL 15 output)
    const NUMERIC: &[(&str, &str, &str)] = &[
        (
            "0.0000000000",
            "9G999G999G999G999G999",
            "                     0",
        ),
        (
            "0.0000000000",
            "9G999G999G999G999G999D999G999G999G999G999",
            "                      .000,000,000,000,000",
        ),
        (
            "0.0000000000",
            "9999999999999999.999999999999999PR",
            "                 .000000000000000 ",
        ),
        (
            "0.0000000000",
            "9999999999999999.999999999999999S",
            "                .000000000000000+",
        ),
        (
            "0.0000000000",
            "MI9999999999999999.999999999999999",
            "                 .000000000000000",
        ),
        ("0.0000000000", "FMS9999999999999999.999999999999999", "+0."),
        (
            "0.0000000000",
            "FM9999999999999999.999999999999999THPR",
            "0.",
        ),
        (
            "0.0000000000",
            "SG9999999999999999.999999999999999th",
            "+                .000000000000000",
        ),
        (
            "0.0000000000",
            "0999999999999999.999999999999999",
            " 0000000000000000.000000000000000",
        ),
        (
            "0.0000000000",
            "S0999999999999999.999999999999999",
            "+0000000000000000.000000000000000",
        ),
        (
            "0.0000000000",
            "FM0999999999999999.999999999999999",
            "0000000000000000.",
        ),
        ("0.0000000000", "FM9999999999999999.099999999999999", ".0"),
        (
            "0.0000000000",
            "FM9999999999990999.990999999999999",
            "0000.000",
        ),
        (
            "0.0000000000",
            "FM0999999999999999.999909999999999",
            "0000000000000000.00000",
        ),
        (
            "0.0000000000",
            "FM9999999990999999.099999999999999",
            "0000000.0",
        ),
        (
            "0.0000000000",
            "L9999999999999999.099999999999999",
            "                  .000000000000000",
        ),
        ("0.0000000000", "FM9999999999999999.99999999999999", "0."),
        (
            "0.0000000000",
            "S 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 . 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9",
            "                                 +. 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0",
        ),
        (
            "0.0000000000",
            "FMS 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 . 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9",
            "                +0 .                 ",
        ),
        (
            "0.0000000000",
            "99999 \"text\" 9999 \"9999\" 999 \"\\\"text between quote marks\\\"\" 9999",
            "      text      9999     \"text between quote marks\"     0",
        ),
        ("0.0000000000", "999999SG9999999999", "      +         0"),
        ("0.0000000000", "FM9999999999999999.999999999999999", "0."),
        ("0.0000000000", "9.999EEEE", " 0.000e+00"),
        (
            "-34338492.2153970470",
            "9G999G999G999G999G999",
            "           -34,338,492",
        ),
        (
            "-34338492.2153970470",
            "9G999G999G999G999G999D999G999G999G999G999",
            "           -34,338,492.215,397,047,000,000",
        ),
        (
            "-34338492.2153970470",
            "9999999999999999.999999999999999PR",
            "        <34338492.215397047000000>",
        ),
        (
            "-34338492.2153970470",
            "9999999999999999.999999999999999S",
            "        34338492.215397047000000-",
        ),
        (
            "-34338492.2153970470",
            "MI9999999999999999.999999999999999",
            "-        34338492.215397047000000",
        ),
        (
            "-34338492.2153970470",
            "FMS9999999999999999.999999999999999",
            "-34338492.215397047",
        ),
        (
            "-34338492.2153970470",
            "FM9999999999999999.999999999999999THPR",
            "<34338492.215397047>",
        ),
        (
            "-34338492.2153970470",
            "SG9999999999999999.999999999999999th",
            "-        34338492.215397047000000",
        ),
        (
            "-34338492.2153970470",
            "0999999999999999.999999999999999",
            "-0000000034338492.215397047000000",
        ),
        (
            "-34338492.2153970470",
            "S0999999999999999.999999999999999",
            "-0000000034338492.215397047000000",
        ),
        (
            "-34338492.2153970470",
            "FM0999999999999999.999999999999999",
            "-0000000034338492.215397047",
        ),
        (
            "-34338492.2153970470",
            "FM9999999999999999.099999999999999",
            "-34338492.215397047",
        ),
        (
            "-34338492.2153970470",
            "FM9999999999990999.990999999999999",
            "-34338492.215397047",
        ),
        (
            "-34338492.2153970470",
            "FM0999999999999999.999909999999999",
            "-0000000034338492.215397047",
        ),
        (
            "-34338492.2153970470",
            "FM9999999990999999.099999999999999",
            "-34338492.215397047",
        ),
        (
            "-34338492.2153970470",
            "L9999999999999999.099999999999999",
            "         -34338492.215397047000000",
        ),
        (
            "-34338492.2153970470",
            "FM9999999999999999.99999999999999",
            "-34338492.215397047",
        ),
        (
            "-34338492.2153970470",
            "S 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 . 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9",
            "                 -3 4 3 3 8 4 9 2 . 2 1 5 3 9 7 0 4 7 0 0 0 0 0 0 0 0",
        ),
        (
            "-34338492.2153970470",
            "FMS 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 . 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9",
            "         -3 4 3 3 8 4 9 2 . 2 1 5 3 9 7 0 4 7        ",
        ),
        (
            "-34338492.2153970470",
            "99999 \"text\" 9999 \"9999\" 999 \"\\\"text between quote marks\\\"\" 9999",
            "      text    -3 9999 433 \"text between quote marks\" 8492",
        ),
        (
            "-34338492.2153970470",
            "999999SG9999999999",
            "      -  34338492",
        ),
        (
            "-34338492.2153970470",
            "FM9999999999999999.999999999999999",
            "-34338492.215397047",
        ),
        ("-34338492.2153970470", "9.999EEEE", "-3.434e+07"),
        (
            "4.3100000000",
            "9G999G999G999G999G999",
            "                     4",
        ),
        (
            "4.3100000000",
            "9G999G999G999G999G999D999G999G999G999G999",
            "                     4.310,000,000,000,000",
        ),
        (
            "4.3100000000",
            "9999999999999999.999999999999999PR",
            "                4.310000000000000 ",
        ),
        (
            "4.3100000000",
            "9999999999999999.999999999999999S",
            "               4.310000000000000+",
        ),
        (
            "4.3100000000",
            "MI9999999999999999.999999999999999",
            "                4.310000000000000",
        ),
        (
            "4.3100000000",
            "FMS9999999999999999.999999999999999",
            "+4.31",
        ),
        (
            "4.3100000000",
            "FM9999999999999999.999999999999999THPR",
            "4.31",
        ),
        (
            "4.3100000000",
            "SG9999999999999999.999999999999999th",
            "+               4.310000000000000",
        ),
        (
            "4.3100000000",
            "0999999999999999.999999999999999",
            " 0000000000000004.310000000000000",
        ),
        (
            "4.3100000000",
            "S0999999999999999.999999999999999",
            "+0000000000000004.310000000000000",
        ),
        (
            "4.3100000000",
            "FM0999999999999999.999999999999999",
            "0000000000000004.31",
        ),
        ("4.3100000000", "FM9999999999999999.099999999999999", "4.31"),
        (
            "4.3100000000",
            "FM9999999999990999.990999999999999",
            "0004.310",
        ),
        (
            "4.3100000000",
            "FM0999999999999999.999909999999999",
            "0000000000000004.31000",
        ),
        (
            "4.3100000000",
            "FM9999999990999999.099999999999999",
            "0000004.31",
        ),
        (
            "4.3100000000",
            "L9999999999999999.099999999999999",
            "                 4.310000000000000",
        ),
        ("4.3100000000", "FM9999999999999999.99999999999999", "4.31"),
        (
            "4.3100000000",
            "S 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 . 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9",
            "                               +4 . 3 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0",
        ),
        (
            "4.3100000000",
            "FMS 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 . 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9",
            "                +4 . 3 1               ",
        ),
        (
            "4.3100000000",
            "99999 \"text\" 9999 \"9999\" 999 \"\\\"text between quote marks\\\"\" 9999",
            "      text      9999     \"text between quote marks\"     4",
        ),
        ("4.3100000000", "999999SG9999999999", "      +         4"),
        ("4.3100000000", "FM9999999999999999.999999999999999", "4.31"),
        ("4.3100000000", "9.999EEEE", " 4.310e+00"),
        (
            "7799461.4119000000",
            "9G999G999G999G999G999",
            "             7,799,461",
        ),
        (
            "7799461.4119000000",
            "9G999G999G999G999G999D999G999G999G999G999",
            "             7,799,461.411,900,000,000,000",
        ),
        (
            "7799461.4119000000",
            "9999999999999999.999999999999999PR",
            "          7799461.411900000000000 ",
        ),
        (
            "7799461.4119000000",
            "9999999999999999.999999999999999S",
            "         7799461.411900000000000+",
        ),
        (
            "7799461.4119000000",
            "MI9999999999999999.999999999999999",
            "          7799461.411900000000000",
        ),
        (
            "7799461.4119000000",
            "FMS9999999999999999.999999999999999",
            "+7799461.4119",
        ),
        (
            "7799461.4119000000",
            "FM9999999999999999.999999999999999THPR",
            "7799461.4119",
        ),
        (
            "7799461.4119000000",
            "SG9999999999999999.999999999999999th",
            "+         7799461.411900000000000",
        ),
        (
            "7799461.4119000000",
            "0999999999999999.999999999999999",
            " 0000000007799461.411900000000000",
        ),
        (
            "7799461.4119000000",
            "S0999999999999999.999999999999999",
            "+0000000007799461.411900000000000",
        ),
        (
            "7799461.4119000000",
            "FM0999999999999999.999999999999999",
            "0000000007799461.4119",
        ),
        (
            "7799461.4119000000",
            "FM9999999999999999.099999999999999",
            "7799461.4119",
        ),
        (
            "7799461.4119000000",
            "FM9999999999990999.990999999999999",
            "7799461.4119",
        ),
        (
            "7799461.4119000000",
            "FM0999999999999999.999909999999999",
            "0000000007799461.41190",
        ),
        (
            "7799461.4119000000",
            "FM9999999990999999.099999999999999",
            "7799461.4119",
        ),
        (
            "7799461.4119000000",
            "L9999999999999999.099999999999999",
            "           7799461.411900000000000",
        ),
        (
            "7799461.4119000000",
            "FM9999999999999999.99999999999999",
            "7799461.4119",
        ),
        (
            "7799461.4119000000",
            "S 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 . 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9",
            "                   +7 7 9 9 4 6 1 . 4 1 1 9 0 0 0 0 0 0 0 0 0 0 0 0 0",
        ),
        (
            "7799461.4119000000",
            "FMS 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 . 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9",
            "          +7 7 9 9 4 6 1 . 4 1 1 9             ",
        ),
        (
            "7799461.4119000000",
            "99999 \"text\" 9999 \"9999\" 999 \"\\\"text between quote marks\\\"\" 9999",
            "      text      9999  779 \"text between quote marks\" 9461",
        ),
        (
            "7799461.4119000000",
            "999999SG9999999999",
            "      +   7799461",
        ),
        (
            "7799461.4119000000",
            "FM9999999999999999.999999999999999",
            "7799461.4119",
        ),
        ("7799461.4119000000", "9.999EEEE", " 7.799e+06"),
        (
            "16397.0384910000",
            "9G999G999G999G999G999",
            "                16,397",
        ),
        (
            "16397.0384910000",
            "9G999G999G999G999G999D999G999G999G999G999",
            "                16,397.038,491,000,000,000",
        ),
        (
            "16397.0384910000",
            "9999999999999999.999999999999999PR",
            "            16397.038491000000000 ",
        ),
        (
            "16397.0384910000",
            "9999999999999999.999999999999999S",
            "           16397.038491000000000+",
        ),
        (
            "16397.0384910000",
            "MI9999999999999999.999999999999999",
            "            16397.038491000000000",
        ),
        (
            "16397.0384910000",
            "FMS9999999999999999.999999999999999",
            "+16397.038491",
        ),
        (
            "16397.0384910000",
            "FM9999999999999999.999999999999999THPR",
            "16397.038491",
        ),
        (
            "16397.0384910000",
            "SG9999999999999999.999999999999999th",
            "+           16397.038491000000000",
        ),
        (
            "16397.0384910000",
            "0999999999999999.999999999999999",
            " 0000000000016397.038491000000000",
        ),
        (
            "16397.0384910000",
            "S0999999999999999.999999999999999",
            "+0000000000016397.038491000000000",
        ),
        (
            "16397.0384910000",
            "FM0999999999999999.999999999999999",
            "0000000000016397.038491",
        ),
        (
            "16397.0384910000",
            "FM9999999999999999.099999999999999",
            "16397.038491",
        ),
        (
            "16397.0384910000",
            "FM9999999999990999.990999999999999",
            "16397.038491",
        ),
        (
            "16397.0384910000",
            "FM0999999999999999.999909999999999",
            "0000000000016397.038491",
        ),
        (
            "16397.0384910000",
            "FM9999999990999999.099999999999999",
            "0016397.038491",
        ),
        (
            "16397.0384910000",
            "L9999999999999999.099999999999999",
            "             16397.038491000000000",
        ),
        (
            "16397.0384910000",
            "FM9999999999999999.99999999999999",
            "16397.038491",
        ),
        (
            "16397.0384910000",
            "S 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 . 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9",
            "                       +1 6 3 9 7 . 0 3 8 4 9 1 0 0 0 0 0 0 0 0 0 0 0",
        ),
        (
            "16397.0384910000",
            "FMS 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 . 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9",
            "            +1 6 3 9 7 . 0 3 8 4 9 1           ",
        ),
        (
            "16397.0384910000",
            "99999 \"text\" 9999 \"9999\" 999 \"\\\"text between quote marks\\\"\" 9999",
            "      text      9999    1 \"text between quote marks\" 6397",
        ),
        (
            "16397.0384910000",
            "999999SG9999999999",
            "      +     16397",
        ),
        (
            "16397.0384910000",
            "FM9999999999999999.999999999999999",
            "16397.038491",
        ),
        ("16397.0384910000", "9.999EEEE", " 1.640e+04"),
        (
            "93901.5776302600",
            "9G999G999G999G999G999",
            "                93,902",
        ),
        (
            "93901.5776302600",
            "9G999G999G999G999G999D999G999G999G999G999",
            "                93,901.577,630,260,000,000",
        ),
        (
            "93901.5776302600",
            "9999999999999999.999999999999999PR",
            "            93901.577630260000000 ",
        ),
        (
            "93901.5776302600",
            "9999999999999999.999999999999999S",
            "           93901.577630260000000+",
        ),
        (
            "93901.5776302600",
            "MI9999999999999999.999999999999999",
            "            93901.577630260000000",
        ),
        (
            "93901.5776302600",
            "FMS9999999999999999.999999999999999",
            "+93901.57763026",
        ),
        (
            "93901.5776302600",
            "FM9999999999999999.999999999999999THPR",
            "93901.57763026",
        ),
        (
            "93901.5776302600",
            "SG9999999999999999.999999999999999th",
            "+           93901.577630260000000",
        ),
        (
            "93901.5776302600",
            "0999999999999999.999999999999999",
            " 0000000000093901.577630260000000",
        ),
        (
            "93901.5776302600",
            "S0999999999999999.999999999999999",
            "+0000000000093901.577630260000000",
        ),
        (
            "93901.5776302600",
            "FM0999999999999999.999999999999999",
            "0000000000093901.57763026",
        ),
        (
            "93901.5776302600",
            "FM9999999999999999.099999999999999",
            "93901.57763026",
        ),
        (
            "93901.5776302600",
            "FM9999999999990999.990999999999999",
            "93901.57763026",
        ),
        (
            "93901.5776302600",
            "FM0999999999999999.999909999999999",
            "0000000000093901.57763026",
        ),
        (
            "93901.5776302600",
            "FM9999999990999999.099999999999999",
            "0093901.57763026",
        ),
        (
            "93901.5776302600",
            "L9999999999999999.099999999999999",
            "             93901.577630260000000",
        ),
        (
            "93901.5776302600",
            "FM9999999999999999.99999999999999",
            "93901.57763026",
        ),
        (
            "93901.5776302600",
            "S 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 . 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9",
            "                       +9 3 9 0 1 . 5 7 7 6 3 0 2 6 0 0 0 0 0 0 0 0 0",
        ),
        (
            "93901.5776302600",
            "FMS 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 . 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9",
            "            +9 3 9 0 1 . 5 7 7 6 3 0 2 6         ",
        ),
        (
            "93901.5776302600",
            "99999 \"text\" 9999 \"9999\" 999 \"\\\"text between quote marks\\\"\" 9999",
            "      text      9999    9 \"text between quote marks\" 3902",
        ),
        (
            "93901.5776302600",
            "999999SG9999999999",
            "      +     93902",
        ),
        (
            "93901.5776302600",
            "FM9999999999999999.999999999999999",
            "93901.57763026",
        ),
        ("93901.5776302600", "9.999EEEE", " 9.390e+04"),
        (
            "-83028485.0000000000",
            "9G999G999G999G999G999",
            "           -83,028,485",
        ),
        (
            "-83028485.0000000000",
            "9G999G999G999G999G999D999G999G999G999G999",
            "           -83,028,485.000,000,000,000,000",
        ),
        (
            "-83028485.0000000000",
            "9999999999999999.999999999999999PR",
            "        <83028485.000000000000000>",
        ),
        (
            "-83028485.0000000000",
            "9999999999999999.999999999999999S",
            "        83028485.000000000000000-",
        ),
        (
            "-83028485.0000000000",
            "MI9999999999999999.999999999999999",
            "-        83028485.000000000000000",
        ),
        (
            "-83028485.0000000000",
            "FMS9999999999999999.999999999999999",
            "-83028485.",
        ),
        (
            "-83028485.0000000000",
            "FM9999999999999999.999999999999999THPR",
            "<83028485.>",
        ),
        (
            "-83028485.0000000000",
            "SG9999999999999999.999999999999999th",
            "-        83028485.000000000000000",
        ),
        (
            "-83028485.0000000000",
            "0999999999999999.999999999999999",
            "-0000000083028485.000000000000000",
        ),
        (
            "-83028485.0000000000",
            "S0999999999999999.999999999999999",
            "-0000000083028485.000000000000000",
        ),
        (
            "-83028485.0000000000",
            "FM0999999999999999.999999999999999",
            "-0000000083028485.",
        ),
        (
            "-83028485.0000000000",
            "FM9999999999999999.099999999999999",
            "-83028485.0",
        ),
        (
            "-83028485.0000000000",
            "FM9999999999990999.990999999999999",
            "-83028485.000",
        ),
        (
            "-83028485.0000000000",
            "FM0999999999999999.999909999999999",
            "-0000000083028485.00000",
        ),
        (
            "-83028485.0000000000",
            "FM9999999990999999.099999999999999",
            "-83028485.0",
        ),
        (
            "-83028485.0000000000",
            "L9999999999999999.099999999999999",
            "         -83028485.000000000000000",
        ),
        (
            "-83028485.0000000000",
            "FM9999999999999999.99999999999999",
            "-83028485.",
        ),
        (
            "-83028485.0000000000",
            "S 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 . 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9",
            "                 -8 3 0 2 8 4 8 5 . 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0",
        ),
        (
            "-83028485.0000000000",
            "FMS 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 . 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9",
            "         -8 3 0 2 8 4 8 5 .                 ",
        ),
        (
            "-83028485.0000000000",
            "99999 \"text\" 9999 \"9999\" 999 \"\\\"text between quote marks\\\"\" 9999",
            "      text    -8 9999 302 \"text between quote marks\" 8485",
        ),
        (
            "-83028485.0000000000",
            "999999SG9999999999",
            "      -  83028485",
        ),
        (
            "-83028485.0000000000",
            "FM9999999999999999.999999999999999",
            "-83028485.",
        ),
        ("-83028485.0000000000", "9.999EEEE", "-8.303e+07"),
        (
            "-24926804.0450474200",
            "9G999G999G999G999G999",
            "           -24,926,804",
        ),
        (
            "-24926804.0450474200",
            "9G999G999G999G999G999D999G999G999G999G999",
            "           -24,926,804.045,047,420,000,000",
        ),
        (
            "-24926804.0450474200",
            "9999999999999999.999999999999999PR",
            "        <24926804.045047420000000>",
        ),
        (
            "-24926804.0450474200",
            "9999999999999999.999999999999999S",
            "        24926804.045047420000000-",
        ),
        (
            "-24926804.0450474200",
            "MI9999999999999999.999999999999999",
            "-        24926804.045047420000000",
        ),
        (
            "-24926804.0450474200",
            "FMS9999999999999999.999999999999999",
            "-24926804.04504742",
        ),
        (
            "-24926804.0450474200",
            "FM9999999999999999.999999999999999THPR",
            "<24926804.04504742>",
        ),
        (
            "-24926804.0450474200",
            "SG9999999999999999.999999999999999th",
            "-        24926804.045047420000000",
        ),
        (
            "-24926804.0450474200",
            "0999999999999999.999999999999999",
            "-0000000024926804.045047420000000",
        ),
        (
            "-24926804.0450474200",
            "S0999999999999999.999999999999999",
            "-0000000024926804.045047420000000",
        ),
        (
            "-24926804.0450474200",
            "FM0999999999999999.999999999999999",
            "-0000000024926804.04504742",
        ),
        (
            "-24926804.0450474200",
            "FM9999999999999999.099999999999999",
            "-24926804.04504742",
        ),
        (
            "-24926804.0450474200",
            "FM9999999999990999.990999999999999",
            "-24926804.04504742",
        ),
        (
            "-24926804.0450474200",
            "FM0999999999999999.999909999999999",
            "-0000000024926804.04504742",
        ),
        (
            "-24926804.0450474200",
            "FM9999999990999999.099999999999999",
            "-24926804.04504742",
        ),
        (
            "-24926804.0450474200",
            "L9999999999999999.099999999999999",
            "         -24926804.045047420000000",
        ),
        (
            "-24926804.0450474200",
            "FM9999999999999999.99999999999999",
            "-24926804.04504742",
        ),
        (
            "-24926804.0450474200",
            "S 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 . 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9",
            "                 -2 4 9 2 6 8 0 4 . 0 4 5 0 4 7 4 2 0 0 0 0 0 0 0 0 0",
        ),
        (
            "-24926804.0450474200",
            "FMS 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 . 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9",
            "         -2 4 9 2 6 8 0 4 . 0 4 5 0 4 7 4 2         ",
        ),
        (
            "-24926804.0450474200",
            "99999 \"text\" 9999 \"9999\" 999 \"\\\"text between quote marks\\\"\" 9999",
            "      text    -2 9999 492 \"text between quote marks\" 6804",
        ),
        (
            "-24926804.0450474200",
            "999999SG9999999999",
            "      -  24926804",
        ),
        (
            "-24926804.0450474200",
            "FM9999999999999999.999999999999999",
            "-24926804.04504742",
        ),
        ("-24926804.0450474200", "9.999EEEE", "-2.493e+07"),
        ("0", "9.999EEEE", " 0.000e+00"),
        ("0", "MI9999999999.99", "           .00"),
        ("0", "MI99.99", "   .00"),
        ("-4.2", "9.999EEEE", "-4.200e+00"),
        ("-4.2", "MI9999999999.99", "-         4.20"),
        ("-4.2", "MI99.99", "- 4.20"),
        ("4.2e9", "9.999EEEE", " 4.200e+09"),
        ("4.2e9", "MI9999999999.99", " 4200000000.00"),
        ("4.2e9", "MI99.99", " ##.##"),
        ("1.2e-5", "9.999EEEE", " 1.200e-05"),
        ("1.2e-5", "MI9999999999.99", "           .00"),
        ("1.2e-5", "MI99.99", "   .00"),
        ("Infinity", "9.999EEEE", " #.#######"),
        ("Infinity", "MI9999999999.99", "   Infinity"),
        ("Infinity", "MI99.99", " ##.##"),
        ("-Infinity", "9.999EEEE", " #.#######"),
        ("-Infinity", "MI9999999999.99", "-  Infinity"),
        ("-Infinity", "MI99.99", "-##.##"),
        ("NaN", "9.999EEEE", " #.#######"),
        ("NaN", "MI9999999999.99", "        NaN"),
        ("NaN", "MI99.99", " ##.##"),
        ("1.2345e-16379", "9.999EEEE", " 1.235e-16379"),
        ("1.2345e-16378", "9.999EEEE", " 1.235e-16378"),
        ("1.2345e-1234", "9.999EEEE", " 1.235e-1234"),
        ("1.2345e-789", "9.999EEEE", " 1.235e-789"),
        ("1.2345e-45", "9.999EEEE", " 1.235e-45"),
        ("1.2345e-5", "9.999EEEE", " 1.235e-05"),
        ("1.2345e-4", "9.999EEEE", " 1.235e-04"),
        ("1.2345e-3", "9.999EEEE", " 1.235e-03"),
        ("1.2345e-2", "9.999EEEE", " 1.235e-02"),
        ("1.2345e-1", "9.999EEEE", " 1.235e-01"),
        ("1.2345e0", "9.999EEEE", " 1.235e+00"),
        ("1.2345e1", "9.999EEEE", " 1.235e+01"),
        ("1.2345e2", "9.999EEEE", " 1.235e+02"),
        ("1.2345e3", "9.999EEEE", " 1.235e+03"),
        ("1.2345e4", "9.999EEEE", " 1.235e+04"),
        ("1.2345e5", "9.999EEEE", " 1.235e+05"),
        ("1.2345e38", "9.999EEEE", " 1.235e+38"),
        ("1.2345e275", "9.999EEEE", " 1.235e+275"),
        ("1.2345e2345", "9.999EEEE", " 1.235e+2345"),
        ("1.2345e45678", "9.999EEEE", " 1.235e+45678"),
        ("1.2345e131070", "9.999EEEE", " 1.235e+131070"),
        ("1.2345e131071", "9.999EEEE", " 1.235e+131071"),
        ("100", "FM999.9", "100."),
        ("100", "FM999.", "100"),
        ("100", "FM999", "100"),
        ("100", "foo999", "foo 100"),
        ("100", "f\\oo999", "f\\oo 100"),
        ("100", "f\\\\oo999", "f\\\\oo 100"),
        ("100", "f\\\"oo999", "f\"oo 100"),
        ("100", "f\\\\\"oo999", "f\\\"oo 100"),
        ("100", "f\"ool\"999", "fool 100"),
        ("100", "f\"\\ool\"999", "fool 100"),
        ("100", "f\"\\\\ool\"999", "f\\ool 100"),
        ("100", "f\"ool\\\"999", "fool\"999"),
        ("100", "f\"ool\\\\\"999", "fool\\ 100"),
        ("1234.5", "9999D99", " 1234.50"),
        ("1234.5", "9999.99", " 1234.50"),
        ("0.5", "9.99", "  .50"),
        ("0.5", "0.99", " 0.50"),
        ("0.5", "FM9.99", ".5"),
        ("0", "FM9.99", "0."),
        ("0", "9.99", "  .00"),
        ("12", "0009", " 0012"),
        ("-12", "0009", "-0012"),
        ("12", "9900", "   12"),
        ("12.3", "FM0000.0000", "0012.3000"),
        ("12.3", "FM9999.9900", "12.3000"),
        ("1.005", "9.99", " 1.01"),
        ("-1.005", "9.99", "-1.01"),
        ("2.5", "9", " 3"),
        ("-2.5", "9", "-3"),
        ("99.995", "99.99", " ##.##"),
        ("12345", "999", " ###"),
        ("12345", "999.99", " ###.##"),
        ("-12345", "999.99PR", "<###.##>"),
        ("NaN", "999", " NaN"),
        ("NaN", "9999.99", "  NaN"),
        ("Infinity", "999", " ###"),
        ("-Infinity", "MI99999999999", "-   Infinity"),
        ("-5.5", "S9.9", "-5.5"),
        ("-5.5", "9.9S", "5.5-"),
        ("5.5", "FMS9.9", "+5.5"),
        ("-0.5", "9.9PR", " <.5>"),
        ("1.5", "9.9th", " 1.5"),
        ("2.5", "FMRN", "III"),
        ("3.5", "FMRN", "IV"),
        ("12.345", "99V99", " 1235"),
        ("-12.345", "FM99V99", "-1235"),
        ("1234.5678", "9.99EEEE", " 1.23e+03"),
        ("-0.00012", "9.9EEEE", "-1.2e-04"),
        ("0", "9.9EEEE", " 0.0e+00"),
        ("9.9999", "9.999EEEE", " 10.000e+00"),
        ("125", "9.9EEEE", " 1.3e+02"),
        ("12.5", "9EEEE", " 1e+01"),
        ("NaN", "99.99EEEE", " ##.######"),
        ("0.125", "9.99", "  .13"),
        ("12", "B99", " 12"),
        ("12", "C99", " 12"),
        ("12", "99SP", " 12"),
        ("12", "\"text\"99", "text 12"),
        ("12", "99\" \"text", " 12 text"),
        ("12", "9\\\"9", " 1\"2"),
        ("12", "\"a\\\"b\"99", "a\"b 12"),
        ("12", "\"unterminated", "unterminated"),
        ("12", "9-9", " 1-2"),
        ("12", "ä99ü", "ä 12ü"),
        ("12", "$99.99%", "$ 12.00%"),
        ("12", "Fm99", "Fm 12"),
        ("12", "fm99", "12"),
        ("12", "99d99", " 12.00"),
        ("1234", "9g999", " 1,234"),
        ("-12", "mi99", "-12"),
        ("12", "pl99", "+ 12"),
        ("-12", "sg99", "-12"),
        ("-12", "99pr", "<12>"),
        ("-12", "s99", "-12"),
        ("12", "l99", "  12"),
        ("12", "99v9", " 120"),
        ("12", "FM", ""),
        ("12", "", ""),
        ("-12", "PR", ""),
        ("12", "S", ""),
        ("12", ".", " ."),
    ];

    /// (value, format, PostgreSQL 15 output)
    const INT4: &[(&str, &str, &str)] = &[
        ("12", "L99", "  12"),
        ("1234", "9,999", " 1,234"),
        ("1234", "9G999", " 1,234"),
        ("12", "9,999", "    12"),
        ("12", "FM9,999", "12"),
        ("12345", "999", " ###"),
        ("-5", "S9", "-5"),
        ("5", "S9", "+5"),
        ("-5", "9S", "5-"),
        ("5", "9S", "5+"),
        ("-5", "MI9", "-5"),
        ("5", "MI9", " 5"),
        ("-5", "9MI", "5-"),
        ("5", "FM9MI", "5"),
        ("5", "PL9", "+ 5"),
        ("-5", "PL9", " -5"),
        ("5", "9PL", " 5+"),
        ("5", "FMPL9", "+5"),
        ("5", "SG9", "+5"),
        ("-5", "SG9", "-5"),
        ("5", "9SG", "5+"),
        ("-5", "9SG", "5-"),
        ("-5", "9PR", "<5>"),
        ("5", "9PR", " 5 "),
        ("5", "FM9PR", "5"),
        ("-5", "FM9PR", "<5>"),
        ("1", "9th", " 1st"),
        ("2", "9th", " 2nd"),
        ("3", "9TH", " 3RD"),
        ("4", "9TH", " 4TH"),
        ("11", "99th", " 11th"),
        ("12", "99TH", " 12TH"),
        ("13", "99th", " 13th"),
        ("21", "FM99th", "21st"),
        ("22", "FM99TH", "22ND"),
        ("103", "FM999th", "103rd"),
        ("111", "FM999th", "111th"),
        ("-1", "9th", "-1"),
        ("12345", "99th", " ##"),
        ("1", "RN", "              I"),
        ("4", "RN", "             IV"),
        ("9", "FMRN", "IX"),
        ("14", "rn", "            xiv"),
        ("40", "FMrn", "xl"),
        ("1988", "RN", "    MCMLXXXVIII"),
        ("3999", "FMRN", "MMMCMXCIX"),
        ("4000", "RN", "###############"),
        ("0", "RN", "###############"),
        ("-5", "RN", "###############"),
        ("5", "RNSG", "              V"),
        ("5", "\"x\"RN\"y\"", "x              Vy"),
        ("12", "FMRNrn", "XIIxii"),
        ("12", "9V9", " ##"),
        ("12", "99V99", " 1200"),
        ("2000000000", "9V9", "-##"),
        ("125", "9.9EEEE", " 1.2e+02"),
        ("1", "\"foo\"9.9EEEE", " 1.0e+00"),
        ("12", "FM99th", "12th"),
    ];

    /// (value, format, PostgreSQL 15 output)
    const INT8: &[(&str, &str, &str)] = &[
        ("123", "9G999G999G999G999G999", "                   123"),
        (
            "123",
            "9G999G999G999G999G999D999G999",
            "                   123.000,000",
        ),
        (
            "4567890123456789",
            "9G999G999G999G999G999",
            " 4,567,890,123,456,789",
        ),
        (
            "4567890123456789",
            "9G999G999G999G999G999D999G999",
            " 4,567,890,123,456,789.000,000",
        ),
        ("-123", "9999999999999999PR", "             <123>"),
        ("-123", "9999999999999999S", "             123-"),
        (
            "-4567890123456789",
            "9999999999999999PR",
            "<4567890123456789>",
        ),
        (
            "-4567890123456789",
            "9999999999999999S",
            "4567890123456789-",
        ),
        ("456", "9,999,999,999,999,999", "                   456"),
        (
            "456",
            "9,999,999,999,999,999.999,999",
            "                   456.000,000",
        ),
        ("456", "MI9999999999999999", "              456"),
        ("456", "FMS9999999999999999", "+456"),
        ("456", "FM9999999999999999THPR", "456TH"),
        ("456", "SG9999999999999999th", "+             456th"),
        ("456", "0999999999999999", " 0000000000000456"),
        ("456", "S0999999999999999", "+0000000000000456"),
        ("456", "FM0999999999999999", "0000000000000456"),
        ("456", "FM9999999999999999.000", "456.000"),
        ("456", "L9999999999999999.000", "               456.000"),
        ("456", "FM9999999999999999.999", "456."),
        (
            "456",
            "S 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 . 9 9 9",
            "                           +4 5 6 . 0 0 0",
        ),
        (
            "456",
            "99999 \"text\" 9999 \"9999\" 999 \"\\\"text between quote marks\\\"\" 9999",
            "      text      9999     \"text between quote marks\"   456",
        ),
        ("456", "999999SG9999999999", "      +       456"),
        (
            "4567890123456789",
            "9,999,999,999,999,999",
            " 4,567,890,123,456,789",
        ),
        (
            "4567890123456789",
            "9,999,999,999,999,999.999,999",
            " 4,567,890,123,456,789.000,000",
        ),
        (
            "4567890123456789",
            "MI9999999999999999",
            " 4567890123456789",
        ),
        (
            "4567890123456789",
            "FMS9999999999999999",
            "+4567890123456789",
        ),
        (
            "4567890123456789",
            "FM9999999999999999THPR",
            "4567890123456789TH",
        ),
        (
            "4567890123456789",
            "SG9999999999999999th",
            "+4567890123456789th",
        ),
        ("4567890123456789", "0999999999999999", " 4567890123456789"),
        ("4567890123456789", "S0999999999999999", "+4567890123456789"),
        ("4567890123456789", "FM0999999999999999", "4567890123456789"),
        (
            "4567890123456789",
            "FM9999999999999999.000",
            "4567890123456789.000",
        ),
        (
            "4567890123456789",
            "L9999999999999999.000",
            "  4567890123456789.000",
        ),
        (
            "4567890123456789",
            "FM9999999999999999.999",
            "4567890123456789.",
        ),
        (
            "4567890123456789",
            "S 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 . 9 9 9",
            " +4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 . 0 0 0",
        ),
        (
            "4567890123456789",
            "99999 \"text\" 9999 \"9999\" 999 \"\\\"text between quote marks\\\"\" 9999",
            " 45678 text 9012 9999 345 \"text between quote marks\" 6789",
        ),
        (
            "4567890123456789",
            "999999SG9999999999",
            "456789+0123456789",
        ),
        (
            "-4567890123456789",
            "9,999,999,999,999,999",
            "-4,567,890,123,456,789",
        ),
        (
            "-4567890123456789",
            "9,999,999,999,999,999.999,999",
            "-4,567,890,123,456,789.000,000",
        ),
        (
            "-4567890123456789",
            "MI9999999999999999",
            "-4567890123456789",
        ),
        (
            "-4567890123456789",
            "FMS9999999999999999",
            "-4567890123456789",
        ),
        (
            "-4567890123456789",
            "FM9999999999999999THPR",
            "<4567890123456789>",
        ),
        (
            "-4567890123456789",
            "SG9999999999999999th",
            "-4567890123456789",
        ),
        ("-4567890123456789", "0999999999999999", "-4567890123456789"),
        (
            "-4567890123456789",
            "S0999999999999999",
            "-4567890123456789",
        ),
        (
            "-4567890123456789",
            "FM0999999999999999",
            "-4567890123456789",
        ),
        (
            "-4567890123456789",
            "FM9999999999999999.000",
            "-4567890123456789.000",
        ),
        (
            "-4567890123456789",
            "L9999999999999999.000",
            " -4567890123456789.000",
        ),
        (
            "-4567890123456789",
            "FM9999999999999999.999",
            "-4567890123456789.",
        ),
        (
            "-4567890123456789",
            "S 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 . 9 9 9",
            " -4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 . 0 0 0",
        ),
        (
            "-4567890123456789",
            "99999 \"text\" 9999 \"9999\" 999 \"\\\"text between quote marks\\\"\" 9999",
            "-45678 text 9012 9999 345 \"text between quote marks\" 6789",
        ),
        (
            "-4567890123456789",
            "999999SG9999999999",
            "456789-0123456789",
        ),
        ("123", "9,999,999,999,999,999", "                   123"),
        (
            "123",
            "9,999,999,999,999,999.999,999",
            "                   123.000,000",
        ),
        ("123", "MI9999999999999999", "              123"),
        ("123", "FMS9999999999999999", "+123"),
        ("123", "FM9999999999999999THPR", "123RD"),
        ("123", "SG9999999999999999th", "+             123rd"),
        ("123", "0999999999999999", " 0000000000000123"),
        ("123", "S0999999999999999", "+0000000000000123"),
        ("123", "FM0999999999999999", "0000000000000123"),
        ("123", "FM9999999999999999.000", "123.000"),
        ("123", "L9999999999999999.000", "               123.000"),
        ("123", "FM9999999999999999.999", "123."),
        (
            "123",
            "S 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 . 9 9 9",
            "                           +1 2 3 . 0 0 0",
        ),
        (
            "123",
            "99999 \"text\" 9999 \"9999\" 999 \"\\\"text between quote marks\\\"\" 9999",
            "      text      9999     \"text between quote marks\"   123",
        ),
        ("123", "999999SG9999999999", "      +       123"),
        ("-456", "9999999999999999.999PR", "             <456.000>"),
        ("-456", "S9999999999999999", "             -456"),
        (
            "4567890123456789",
            "9999999999999999.999PR",
            " 4567890123456789.000 ",
        ),
        ("4567890123456789", "S9999999999999999", "+4567890123456789"),
        ("-123", "9999999999999999.999PR", "             <123.000>"),
        ("-123", "S9999999999999999", "             -123"),
        ("2000", "FMRN", "MM"),
        ("12", "99V999", " 12000"),
        ("1", "9V999999999999999999", " 1000000000000000000"),
        ("125", "9.9EEEE", " 1.3e+02"),
    ];

    /// (value, format, PostgreSQL 15 output)
    const FLOAT8: &[(&str, &str, &str)] = &[
        ("0", "9.999EEEE", " 0.000e+00"),
        ("0", "MI9999999999.99", "           .00"),
        ("0", "MI99.99", "   .00"),
        ("-4.2", "9.999EEEE", "-4.200e+00"),
        ("-4.2", "MI9999999999.99", "-         4.20"),
        ("-4.2", "MI99.99", "- 4.20"),
        ("4.2e9", "9.999EEEE", " 4.200e+09"),
        ("4.2e9", "MI9999999999.99", " 4200000000.00"),
        ("4.2e9", "MI99.99", " ##.##"),
        ("1.2e-5", "9.999EEEE", " 1.200e-05"),
        ("1.2e-5", "MI9999999999.99", "           .00"),
        ("1.2e-5", "MI99.99", "   .00"),
        ("Infinity", "9.999EEEE", " #.#######"),
        ("Infinity", "MI9999999999.99", "   Infinity"),
        ("Infinity", "MI99.99", " ##.##"),
        ("-Infinity", "9.999EEEE", " #.#######"),
        ("-Infinity", "MI9999999999.99", "-  Infinity"),
        ("-Infinity", "MI99.99", "-##.##"),
        ("NaN", "9.999EEEE", " #.#######"),
        ("NaN", "MI9999999999.99", "        NaN"),
        ("NaN", "MI99.99", " ##.##"),
        (
            "12345678901",
            "FM9999999999D9999900000000000000000",
            "##########.####",
        ),
        ("12345", "99.9", " ##.#"),
        ("2.5", "FMRN", "II"),
        ("3.5", "FMRN", "IV"),
        ("12.345", "99V99", " 1234"),
        ("125", "9.9EEEE", " 1.2e+02"),
        ("1234.5678", "9.99eeee", " 1.23e+03"),
        ("Infinity", "9.9EEEE", " #.#####"),
        ("1234.5678", "9999.9999", " 1234.5678"),
        (
            "123456789012345678",
            "999999999999999999.99",
            " 123456789012345680",
        ),
        ("0.1", "9.99999999999999999", "  .10000000000000"),
        ("-0", "9.9", " -.0"),
        ("0.125", "9.99", "  .12"),
        ("0.375", "9.99", "  .38"),
        ("NaN", "9999", "  NaN"),
        ("-Infinity", "999999999", " -Infinity"),
        ("1e300", "999.9", " ###."),
        ("Infinity", "99th", " ##"),
    ];

    /// (value, format, PostgreSQL 15 output)
    const FLOAT4: &[(&str, &str, &str)] = &[
        ("0", "9.999EEEE", " 0.000e+00"),
        ("0", "MI9999999999.99", "           .00"),
        ("0", "MI99.99", "   .00"),
        ("-4.2", "9.999EEEE", "-4.200e+00"),
        ("-4.2", "MI9999999999.99", "-         4.20"),
        ("-4.2", "MI99.99", "- 4.20"),
        ("4.2e9", "9.999EEEE", " 4.200e+09"),
        ("4.2e9", "MI9999999999.99", " 4200000000"),
        ("4.2e9", "MI99.99", " ##."),
        ("1.2e-5", "9.999EEEE", " 1.200e-05"),
        ("1.2e-5", "MI9999999999.99", "           .00"),
        ("1.2e-5", "MI99.99", "   .00"),
        ("Infinity", "9.999EEEE", " #.#######"),
        ("Infinity", "MI9999999999.99", "   Infinity"),
        ("Infinity", "MI99.99", " ##."),
        ("-Infinity", "9.999EEEE", " #.#######"),
        ("-Infinity", "MI9999999999.99", "-  Infinity"),
        ("-Infinity", "MI99.99", "-##."),
        ("NaN", "9.999EEEE", " #.#######"),
        ("NaN", "MI9999999999.99", "        NaN"),
        ("NaN", "MI99.99", " ##.##"),
        ("1987.6", "FMRN", "MCMLXXXVIII"),
        ("12.345", "99V99", " 1234"),
        ("1234.5678", "9.99EEEE", " 1.23e+03"),
        ("1234.5678", "9999.9999", " 1234.57"),
        ("1234.5678", "FM9999.9999", "1234.57"),
        ("123456789", "999999999.99", " 123456792"),
        ("3.4e38", "9.9", " #."),
    ];

    /// (value, format, PostgreSQL 15 output)
    const TO_NUMBER: &[(&str, &str, &str)] = &[
        ("-34,338,492", "99G999G999", "-34338492"),
        (
            "-34,338,492.654,878",
            "99G999G999D999G999",
            "-34338492.654878",
        ),
        ("<564646.654564>", "999999.999999PR", "-564646.654564"),
        ("0.00001-", "9.999999S", "-0.00001"),
        ("5.01-", "FM9.999999S", "-5.01"),
        ("5.01-", "FM9.999999MI", "-5.01"),
        ("5 4 4 4 4 8 . 7 8", "9 9 9 9 9 9 . 9 9", "544448.78"),
        (".01", "FM9.99", "0.01"),
        (".0", "99999999.99999999", "0.0"),
        ("0", "99.99", "0"),
        (".-01", "S99.99", "-0.01"),
        (".01-", "99.99S", "-0.01"),
        (" . 0 1-", " 9 9 . 9 9 S", "-0.01"),
        ("34,50", "999,99", "3450"),
        ("123,000", "999G", "123"),
        ("123456", "999G999", "123456"),
        ("$1234.56", "L9,999.99", "1234.56"),
        ("$1234.56", "L99,999.99", "1234.56"),
        ("$1,234.56", "L99,999.99", "1234.56"),
        ("1234.56", "L99,999.99", "1234.56"),
        ("1,234.56", "L99,999.99", "1234.56"),
        ("42nd", "99th", "42"),
        ("12", "99", "12"),
        ("-12", "99", "-12"),
        ("+12", "99", "12"),
        ("12-", "99MI", "-12"),
        ("12+", "99PL", "12"),
        ("-12", "SG99", "-12"),
        ("<12>", "99PR", "-12"),
        ("12", "9999", "12"),
        ("1234", "99", "12"),
        ("12.345", "99.99", "12.34"),
        ("1.5", "9.9", "1.5"),
        ("  12", "9999", "12"),
        ("-0", "9", "0"),
        ("0.50", "9.99", "0.50"),
        ("12345", "99V999", "12.3450000000000000"),
        ("123", "9V99", "1.2300000000000000"),
        ("12", "9V", "1.0000000000000000"),
        (
            "1234567",
            "9999999V99999999999999999999",
            "0.0000000000000000",
        ),
        ("1,234", "9,999", "1234"),
        ("1,234", "FM9,999", "123"),
        ("1234", "9,999", "1234"),
        ("x12", "\"a\"99", "12"),
        ("12 th", "99 th", "12"),
        ("12345", "99999V9", "1234.5000000000000000"),
    ];

    /// (function, value, format, SQLSTATE, message, detail)
    const ERRORS: &[(&str, &str, &str, &str, &str, &str)] = &[
        ("numeric", "12", "TH", "22P02", "\".\" is not a number", ""),
        (
            "number",
            "abc",
            "999",
            "22P02",
            "invalid input syntax for type numeric: \" \"",
            "",
        ),
        (
            "number",
            "-",
            "999",
            "22P02",
            "invalid input syntax for type numeric: \"-\"",
            "",
        ),
        (
            "number",
            "",
            "999",
            "22P02",
            "invalid input syntax for type numeric: \" \"",
            "",
        ),
        (
            "number",
            "1.2.3",
            "9.9.9",
            "42601",
            "multiple decimal points",
            "",
        ),
        (
            "number",
            "12",
            "9.9EEEE",
            "0A000",
            "\"EEEE\" not supported for input",
            "",
        ),
        (
            "number",
            "12",
            "RN",
            "0A000",
            "\"RN\" not supported for input",
            "",
        ),
        (
            "numeric",
            "1",
            "9.9EEEE9",
            "42601",
            "\"EEEE\" must be the last pattern used",
            "",
        ),
        (
            "numeric",
            "1",
            "B9.9EEEE",
            "42601",
            "\"EEEE\" is incompatible with other formats",
            "\"EEEE\" may only be used together with digit and decimal point patterns.",
        ),
        (
            "numeric",
            "1",
            "FM9.9EEEE",
            "42601",
            "\"EEEE\" is incompatible with other formats",
            "\"EEEE\" may only be used together with digit and decimal point patterns.",
        ),
        (
            "numeric",
            "1",
            "S9.9EEEE",
            "42601",
            "\"EEEE\" is incompatible with other formats",
            "\"EEEE\" may only be used together with digit and decimal point patterns.",
        ),
        (
            "numeric",
            "1",
            "9.9EEEEEEEE",
            "42601",
            "cannot use \"EEEE\" twice",
            "",
        ),
        (
            "numeric",
            "1",
            "99PR9",
            "42601",
            "\"9\" must be ahead of \"PR\"",
            "",
        ),
        (
            "numeric",
            "1",
            "0PR0",
            "42601",
            "\"0\" must be ahead of \"PR\"",
            "",
        ),
        (
            "numeric",
            "1",
            "9.9.9",
            "42601",
            "multiple decimal points",
            "",
        ),
        (
            "numeric",
            "1",
            "9D9.9",
            "42601",
            "multiple decimal points",
            "",
        ),
        (
            "numeric",
            "1",
            "9V9.9",
            "42601",
            "cannot use \"V\" and decimal point together",
            "",
        ),
        (
            "numeric",
            "1",
            "9.9V9",
            "42601",
            "cannot use \"V\" and decimal point together",
            "",
        ),
        ("numeric", "1", "SS9", "42601", "cannot use \"S\" twice", ""),
        (
            "numeric",
            "1",
            "PLS9",
            "42601",
            "cannot use \"S\" and \"PL\"/\"MI\"/\"SG\"/\"PR\" together",
            "",
        ),
        (
            "numeric",
            "1",
            "S9MI",
            "42601",
            "cannot use \"S\" and \"MI\" together",
            "",
        ),
        (
            "numeric",
            "1",
            "S9PL",
            "42601",
            "cannot use \"S\" and \"PL\" together",
            "",
        ),
        (
            "numeric",
            "1",
            "S9SG",
            "42601",
            "cannot use \"S\" and \"SG\" together",
            "",
        ),
        (
            "numeric",
            "1",
            "S9PR",
            "42601",
            "cannot use \"PR\" and \"S\"/\"PL\"/\"MI\"/\"SG\" together",
            "",
        ),
        (
            "numeric",
            "1",
            "9PRS",
            "42601",
            "cannot use \"S\" and \"PL\"/\"MI\"/\"SG\"/\"PR\" together",
            "",
        ),
        (
            "numeric",
            "1",
            "MI9PR",
            "42601",
            "cannot use \"PR\" and \"S\"/\"PL\"/\"MI\"/\"SG\" together",
            "",
        ),
        (
            "numeric",
            "1",
            "RN9.9EEEE",
            "42601",
            "\"EEEE\" is incompatible with other formats",
            "\"EEEE\" may only be used together with digit and decimal point patterns.",
        ),
        (
            "numeric",
            "1",
            "V9.9EEEE",
            "42601",
            "cannot use \"V\" and decimal point together",
            "",
        ),
        (
            "numeric",
            "NaN",
            "999th",
            "22P02",
            "\"NaN\" is not a number",
            "",
        ),
        (
            "numeric",
            "NaN",
            "RN",
            "0A000",
            "cannot convert NaN to integer",
            "",
        ),
        (
            "numeric",
            "Infinity",
            "RN",
            "0A000",
            "cannot convert infinity to integer",
            "",
        ),
        ("numeric", "1e10", "RN", "22003", "integer out of range", ""),
        (
            "int8",
            "5000000000",
            "RN",
            "22003",
            "integer out of range",
            "",
        ),
        (
            "int8",
            "1",
            "9V9999999999999999999",
            "22003",
            "bigint out of range",
            "",
        ),
        (
            "int8",
            "4567890123456789",
            "9V9999",
            "22003",
            "bigint out of range",
            "",
        ),
        (
            "int8",
            "-9223372036854775808",
            "9V9",
            "22003",
            "bigint out of range",
            "",
        ),
        (
            "number",
            "12.34",
            "9.99",
            "22003",
            "numeric field overflow",
            "A field with precision 2, scale 1 must round to an absolute value less than 10^1.",
        ),
        (
            "number",
            "5",
            ".9",
            "22003",
            "numeric field overflow",
            "A field with precision 0, scale 0 must round to an absolute value less than 1.",
        ),
        (
            "number",
            "1",
            "9.9EEEE",
            "0A000",
            "\"EEEE\" not supported for input",
            "",
        ),
        (
            "number",
            "1",
            "RN",
            "0A000",
            "\"RN\" not supported for input",
            "",
        ),
        (
            "number",
            "1",
            "9.9.9",
            "42601",
            "multiple decimal points",
            "",
        ),
    ];

    #[test]
    fn numeric_to_char_matches_postgres() {
        for &(value, fmt, want) in NUMERIC {
            let got =
                numeric_to_char(value, fmt).unwrap_or_else(|e| panic!("{value} {fmt}: {e:?}"));
            assert_eq!(got, want, "to_char({value}::numeric, '{fmt}')");
        }
    }

    #[test]
    fn int4_to_char_matches_postgres() {
        for &(value, fmt, want) in INT4 {
            let v: i32 = value.parse().unwrap();
            let got = int4_to_char(v, fmt).unwrap_or_else(|e| panic!("{value} {fmt}: {e:?}"));
            assert_eq!(got, want, "to_char({value}::int4, '{fmt}')");
        }
    }

    #[test]
    fn int8_to_char_matches_postgres() {
        for &(value, fmt, want) in INT8 {
            let v: i64 = value.parse().unwrap();
            let got = int_to_char(v, fmt).unwrap_or_else(|e| panic!("{value} {fmt}: {e:?}"));
            assert_eq!(got, want, "to_char({value}::int8, '{fmt}')");
        }
    }

    #[test]
    fn float8_to_char_matches_postgres() {
        for &(value, fmt, want) in FLOAT8 {
            let v: f64 = value.parse().unwrap();
            let got = float8_to_char(v, fmt).unwrap_or_else(|e| panic!("{value} {fmt}: {e:?}"));
            assert_eq!(got, want, "to_char({value}::float8, '{fmt}')");
        }
    }

    #[test]
    fn float4_to_char_matches_postgres() {
        for &(value, fmt, want) in FLOAT4 {
            let v: f32 = value.parse().unwrap();
            let got = float4_to_char(v, fmt).unwrap_or_else(|e| panic!("{value} {fmt}: {e:?}"));
            assert_eq!(got, want, "to_char({value}::float4, '{fmt}')");
        }
    }

    #[test]
    fn to_number_matches_postgres() {
        for &(text, fmt, want) in TO_NUMBER {
            let got = to_number(text, fmt).unwrap_or_else(|e| panic!("{text} {fmt}: {e:?}"));
            assert_eq!(got, want, "to_number('{text}', '{fmt}')");
        }
    }

    #[test]
    fn to_number_with_empty_format_is_null() {
        assert_eq!(to_number_opt("1", "").unwrap(), None);
        assert_eq!(to_number("1", "").unwrap(), "");
        assert_eq!(to_number_opt("12", "99").unwrap().as_deref(), Some("12"));
    }

    #[test]
    fn int4_and_int8_differ_where_postgres_does() {
        // int4 goes through float8 printf for EEEE (ties to even), int8
        // through numeric (half away from zero); int4 wraps on V overflow.
        assert_eq!(int4_to_char(125, "9.9EEEE").unwrap(), " 1.2e+02");
        assert_eq!(int_to_char(125, "9.9EEEE").unwrap(), " 1.3e+02");
        assert_eq!(int4_to_char(2_000_000_000, "9V9").unwrap(), "-##");
        assert_eq!(int4_to_char(5000, "RN").unwrap(), "###############");
        assert!(int_to_char(5_000_000_000, "RN").is_err());
    }

    fn call(kind: &str, value: &str, fmt: &str) -> Result<String, PgError> {
        match kind {
            "numeric" => numeric_to_char(value, fmt),
            "int4" => int4_to_char(value.parse().unwrap(), fmt),
            "int8" => int_to_char(value.parse().unwrap(), fmt),
            "float8" => float8_to_char(value.parse().unwrap(), fmt),
            "float4" => float4_to_char(value.parse().unwrap(), fmt),
            "number" => to_number(value, fmt),
            _ => unreachable!("{kind}"),
        }
    }

    #[test]
    fn errors_match_postgres() {
        for &(kind, value, fmt, code, message, detail) in ERRORS {
            let what = format!("{kind} '{value}' '{fmt}'");
            let err = match call(kind, value, fmt) {
                Ok(s) => panic!("{what}: expected an error, got {s:?}"),
                Err(e) => e,
            };
            assert_eq!(err.code, code, "{what}");
            assert_eq!(err.message, message, "{what}");
            let want_detail = (!detail.is_empty()).then(|| detail.to_string());
            assert_eq!(err.detail, want_detail, "{what}");
        }
    }
}
