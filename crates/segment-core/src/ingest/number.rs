//! Numbers as exports write them: `1,234.56`, `1.234,56`, `1 234,56`, `€1,234`, `12.5 %`, `(123.45)`,
//! `1e-3`. The decimal separator is inferred per column from the cells that settle it (`1,5` or
//! `1.234,56` can only be a decimal comma; `1,234.56` only a decimal point) and shown in the schema.

use serde::{Deserialize, Serialize};

/// How a column writes its numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct NumberFormat {
    /// `.` or `,`.
    pub decimal: char,
    /// Cells carried a currency sign or code (stripped).
    pub currency: bool,
    /// Cells ended with `%` (the number is kept as written: 12.5 % reads 12.5).
    pub percent: bool,
    /// Negative numbers written in parentheses.
    pub parentheses: bool,
    /// Digits were grouped (thousands separators).
    pub grouped: bool,
}

impl NumberFormat {
    pub const POINT: NumberFormat =
        NumberFormat { decimal: '.', currency: false, percent: false, parentheses: false, grouped: false };
    pub const COMMA: NumberFormat = NumberFormat { decimal: ',', ..NumberFormat::POINT };

    /// How the schema describes it, e.g. "decimal comma, thousands grouped, currency".
    pub fn describe(&self) -> String {
        let mut parts = vec![if self.decimal == ',' { "decimal comma" } else { "decimal point" }.to_string()];
        if self.grouped {
            parts.push("thousands grouped".into());
        }
        if self.currency {
            parts.push("currency".into());
        }
        if self.percent {
            parts.push("percent".into());
        }
        if self.parentheses {
            parts.push("negatives in parentheses".into());
        }
        parts.join(", ")
    }
}

/// The currency signs and codes stripped before or after a number, tried in this order.
pub(crate) const CURRENCY: [&str; 12] =
    ["$", "€", "£", "¥", "₹", "R$", "USD", "EUR", "GBP", "CHF", "MXN", "ARS"];

/// The characters that group thousands with `decimal` as the decimal separator.
pub(crate) fn group_separators(decimal: char) -> &'static [char] {
    if decimal == ',' {
        &['.', ' ', '\u{a0}', '\u{202f}', '\'']
    } else {
        &[',', ' ', '\u{a0}', '\u{202f}', '\'']
    }
}

/// What a cell said about the decimal separator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    Point,
    Comma,
    Neither,
}

/// Parses `cell` (trimmed) with `decimal` as the decimal separator. Returns the value and the format
/// features seen.
pub fn parse_number(cell: &str, decimal: char) -> Option<(f64, NumberFormat)> {
    parse_any_number(cell, decimal).filter(|(v, _)| v.abs() <= crate::limits::MAX_MAGNITUDE)
}

/// [`parse_number`] without the magnitude limit.
fn parse_any_number(cell: &str, decimal: char) -> Option<(f64, NumberFormat)> {
    // Fastest path: digits with at most one separator (most cells of most files), exactly.
    match plain_decimal(cell.as_bytes(), decimal) {
        Plain::Value(v, grouped) => {
            return Some((v, NumberFormat { decimal, grouped, ..NumberFormat::POINT }))
        }
        Plain::NotANumber => return None,
        Plain::Other => {}
    }
    // Fast path: a plain number (most cells of most files). "inf" / "NaN" parse but are not finite, and
    // fall through to the full parser, which refuses them.
    if decimal == '.' && cell.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'e' | b'E')) {
        if let Ok(v) = cell.parse::<f64>() {
            if v.is_finite() {
                return Some((v, NumberFormat::POINT));
            }
        }
    }
    let mut format = NumberFormat { decimal, ..NumberFormat::POINT };
    let mut s = super::trim(cell);
    let mut negative = false;
    if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        s = super::trim(inner);
        negative = true;
        format.parentheses = true;
    }
    if let Some(rest) = s.strip_suffix('%') {
        s = rest.trim_end();
        format.percent = true;
    }
    if let Some(rest) = s.strip_prefix('-').or_else(|| s.strip_prefix('\u{2212}')) {
        s = rest.trim_start();
        negative = !negative;
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest.trim_start();
    }
    for c in CURRENCY {
        if let Some(rest) = s.strip_prefix(c) {
            s = rest.trim_start();
            format.currency = true;
            break;
        }
        if let Some(rest) = s.strip_suffix(c) {
            s = rest.trim_end();
            format.currency = true;
            break;
        }
    }
    if format.currency {
        if let Some(rest) = s.strip_prefix('-') {
            s = rest; // "$-12"
            negative = !negative;
        }
    }
    if s.is_empty() || !s.as_bytes()[0].is_ascii_digit() && !s.starts_with('.') && !s.starts_with(',') {
        return None;
    }
    let thousands = group_separators(decimal);
    let mut plain = String::with_capacity(s.len());
    let mut seen_decimal = false;
    let mut digits_since_group: Option<usize> = None;
    let mut exponent = false;
    for c in s.chars() {
        if c.is_ascii_digit() {
            plain.push(c);
            if let Some(n) = digits_since_group.as_mut() {
                *n += 1;
            }
        } else if thousands.contains(&c) && !seen_decimal && !exponent {
            // A group separator must follow a digit and be followed by exactly three digits.
            if digits_since_group.is_some_and(|n| n != 3) || plain.is_empty() {
                return None;
            }
            digits_since_group = Some(0);
            format.grouped = true;
        } else if c == decimal && !seen_decimal && !exponent {
            if digits_since_group.is_some_and(|n| n != 3) {
                return None;
            }
            digits_since_group = None;
            seen_decimal = true;
            plain.push('.');
        } else if (c == 'e' || c == 'E') && !exponent && !plain.is_empty() {
            exponent = true;
            plain.push('e');
        } else if (c == '-' || c == '+') && plain.ends_with('e') {
            plain.push(c);
        } else {
            return None;
        }
    }
    if digits_since_group.is_some_and(|n| n != 3) {
        return None;
    }
    let v: f64 = plain.parse().ok()?;
    v.is_finite().then_some((if negative { -v } else { v }, format))
}

/// What [`plain_decimal`] made of a cell.
#[derive(Debug, PartialEq)]
enum Plain {
    /// Its value, the one the full parser gives, and whether its digits were grouped.
    Value(f64, bool),
    /// The full parser would refuse it.
    NotANumber,
    /// Not a plain cell: the full parser decides.
    Other,
}

/// Exact powers of ten as f64 (10^22 is the last one a double holds exactly).
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
    1e19, 1e20, 1e21, 1e22,
];

/// A cell of the plainest shape, `-?digits` or `-?digits SEP digits` with SEP a point or a comma, read
/// without the full parser: with `decimal` as SEP, the integer of all its digits divided by 10^(digits
/// after SEP), which is exact when both fit a double's 53 bits (Clinger's fast path: one correctly
/// rounded division, so the same value `str::parse` gives); SEP as the other separator groups
/// thousands, and a group of other than three digits is no number. Anything else (more digits, an
/// exponent, a plus sign or a space, a second separator) is `Other`.
fn plain_decimal(bytes: &[u8], decimal: char) -> Plain {
    let (negative, digits) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, bytes),
    };
    let mut mantissa: u64 = 0;
    let (mut count, mut separator, mut after) = (0usize, None, 0usize);
    for &b in digits {
        match b {
            b'0'..=b'9' if count < 19 => {
                mantissa = mantissa * 10 + u64::from(b - b'0');
                count += 1;
                after += usize::from(separator.is_some());
            }
            b'.' | b',' if separator.is_none() && count > 0 => separator = Some(b),
            _ => return Plain::Other,
        }
    }
    if count == 0 || (separator.is_some() && after == 0) {
        return Plain::Other;
    }
    let (scale, grouped) = match separator {
        None => (0, false),
        Some(s) if char::from(s) == decimal => (after, false),
        // A group separator: three digits after it, and the number is all its digits.
        Some(_) if after == 3 => (0, true),
        Some(_) => return Plain::NotANumber,
    };
    if mantissa > 1 << 53 || scale >= POW10.len() {
        return Plain::Other;
    }
    let v = mantissa as f64 / POW10[scale];
    Plain::Value(if negative { -v } else { v }, grouped)
}

/// Which decimal separator a cell proves, if any.
pub fn evidence(cell: &str) -> Evidence {
    let s = super::trim(cell);
    // Bytes, not chars: '.' and ',' are ASCII, so they never occur inside another character's UTF-8
    // bytes, and a plain scan of a short cell is several times faster than the char searcher.
    let bytes = s.as_bytes();
    let last = |b: u8| bytes.iter().rposition(|&x| x == b);
    let count = |b: u8| bytes.iter().filter(|&&x| x == b).count();
    let (point, comma) = (last(b'.'), last(b','));
    match (point, comma) {
        (Some(p), Some(c)) => {
            if p > c {
                Evidence::Point
            } else {
                Evidence::Comma
            }
        }
        (None, Some(c)) => {
            // "1,5" or "12,34" (not 3 digits after) or two commas "1,234,567" (grouping: point).
            let after = s[c + 1..].chars().take_while(char::is_ascii_digit).count();
            if count(b',') > 1 {
                Evidence::Point
            } else if after != 3 {
                Evidence::Comma
            } else {
                Evidence::Neither
            }
        }
        (Some(p), None) => {
            let after = s[p + 1..].chars().take_while(char::is_ascii_digit).count();
            if count(b'.') > 1 {
                Evidence::Comma
            } else if after != 3 {
                Evidence::Point
            } else {
                Evidence::Neither
            }
        }
        (None, None) => Evidence::Neither,
    }
}

/// The decimal separator of a column from its cells: a decimal comma when the cells that settle it say
/// so (and none says point), else a decimal point.
pub fn infer_decimal<'a>(cells: impl IntoIterator<Item = &'a str>) -> char {
    let mut evidence = DecimalEvidence::default();
    for cell in cells {
        evidence.see(cell);
    }
    evidence.decimal()
}

/// Cells whose last separator reads as a decimal point or a decimal comma, counted one at a time.
#[derive(Debug, Default, Clone, Copy)]
pub struct DecimalEvidence {
    point: usize,
    comma: usize,
}

impl DecimalEvidence {
    pub fn see(&mut self, cell: &str) {
        match evidence(cell) {
            Evidence::Point => self.point += 1,
            Evidence::Comma => self.comma += 1,
            Evidence::Neither => {}
        }
    }

    /// The separator most cells say (a point on a tie).
    pub fn decimal(&self) -> char {
        if self.comma > self.point {
            ','
        } else {
            '.'
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain cells' shortcut gives what the full parser gives, value (to the bit) and format, on
    /// random cells of that shape and near it (signs, separators, long mantissas, no digits).
    #[test]
    fn the_plain_shortcut_agrees_with_the_full_parser() {
        let mut rng = crate::rng::SplitMix64::new(5);
        let pick =
            |rng: &mut crate::rng::SplitMix64, s: &[u8]| s[(rng.unit() * s.len() as f64) as usize % s.len()];
        for _ in 0..200_000 {
            let len = 1 + (rng.unit() * 24.0) as usize;
            let cell: String = (0..len)
                .map(|i| {
                    let r = rng.unit();
                    char::from(if i == 0 && r < 0.1 {
                        b'-'
                    } else if r < 0.12 {
                        pick(&mut rng, b".,")
                    } else if r < 0.13 {
                        pick(&mut rng, b"e+ -")
                    } else {
                        pick(&mut rng, b"0123456789")
                    })
                })
                .collect();
            for decimal in ['.', ','] {
                let shortcut = plain_decimal(cell.as_bytes(), decimal);
                let full = parse_slow(&cell, decimal);
                match shortcut {
                    Plain::Value(v, grouped) => {
                        let (w, format) = full.unwrap_or_else(|| panic!("{cell:?} ({decimal}): {v} vs none"));
                        assert_eq!(v.to_bits(), w.to_bits(), "{cell:?} ({decimal})");
                        assert_eq!(
                            format,
                            NumberFormat { decimal, grouped, ..NumberFormat::POINT },
                            "{cell:?}"
                        );
                    }
                    Plain::NotANumber => assert!(full.is_none(), "{cell:?} ({decimal}): {full:?}"),
                    Plain::Other => {}
                }
            }
        }
        assert_eq!(plain_decimal(b"3521.28", '.'), Plain::Value(3521.28, false));
        assert_eq!(plain_decimal(b"3521,28", ','), Plain::Value(3521.28, false));
        assert_eq!(plain_decimal(b"-1.234", ','), Plain::Value(-1234.0, true));
        assert_eq!(plain_decimal(b"3521.28", ','), Plain::NotANumber);
        assert_eq!(plain_decimal(b"12345678901234567890", '.'), Plain::Other);
    }

    /// The full parser alone (no shortcut).
    fn parse_slow(cell: &str, decimal: char) -> Option<(f64, NumberFormat)> {
        let mut cell = cell.to_string();
        // A trailing space makes the shortcut step aside; the full parser trims it.
        cell.push(' ');
        parse_any_number(&cell, decimal)
    }

    fn p(cell: &str, decimal: char) -> Option<f64> {
        parse_number(cell, decimal).map(|(v, _)| v)
    }

    #[test]
    fn the_formats_exports_use() {
        assert_eq!(p("1234.56", '.'), Some(1234.56));
        assert_eq!(p("1,234.56", '.'), Some(1234.56));
        assert_eq!(p("1.234,56", ','), Some(1234.56));
        assert_eq!(p("1 234,56", ','), Some(1234.56));
        assert_eq!(p("1\u{a0}234,56", ','), Some(1234.56));
        assert_eq!(p("€1,234.50", '.'), Some(1234.5));
        assert_eq!(p("1.234,50 €", ','), Some(1234.5));
        assert_eq!(p("$ -12.5", '.'), Some(-12.5));
        assert_eq!(p("-$12.5", '.'), Some(-12.5));
        assert_eq!(p("(123.45)", '.'), Some(-123.45));
        assert_eq!(p("12.5%", '.'), Some(12.5));
        assert_eq!(p("12,5 %", ','), Some(12.5));
        assert_eq!(p("1e-3", '.'), Some(0.001));
        assert_eq!(p("2.5E+4", '.'), Some(25000.0));
        assert_eq!(p(".5", '.'), Some(0.5));
        assert_eq!(p("1,5", ','), Some(1.5));
        // Grouping must be by threes; a stray separator is not a number.
        assert_eq!(p("1,23.4", '.'), None);
        assert_eq!(p("12,34", '.'), None);
        assert_eq!(p("abc", '.'), None);
        assert_eq!(p("1.2.3", '.'), None);
        assert_eq!(p("--1", '.'), None);
        assert_eq!(p("inf", '.'), None);
    }

    #[test]
    fn decimal_separator_is_inferred_per_column() {
        assert_eq!(infer_decimal(["1,5", "2", "3,25"]), ',');
        assert_eq!(infer_decimal(["1.234,56", "7,5"]), ',');
        assert_eq!(infer_decimal(["1,234.56", "7.5"]), '.');
        assert_eq!(infer_decimal(["1,234", "2,000"]), '.'); // ambiguous: point, grouped
        assert_eq!(infer_decimal(["3", "4"]), '.');
        let (_, f) = parse_number("(€1.234,50)", ',').unwrap_or_default();
        assert_eq!(f.describe(), "decimal comma, thousands grouped, currency, negatives in parentheses");
    }
}
