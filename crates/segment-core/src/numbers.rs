//! Numbers as this project writes them for people and files: digits grouped by thousands, and a
//! fixed number of decimals without the trailing zeros. The page's counts, the rules' thresholds and
//! the customers' file of a purchase log all write through these.

/// An integer's digits grouped by thousands: `55002` -> `55,002` (a leading `-` is kept apart).
pub fn grouped(digits: &str) -> String {
    let (sign, digits) = digits.strip_prefix('-').map_or(("", digits), |d| ("-", d));
    let mut out = String::with_capacity(sign.len() + digits.len() + digits.len() / 3);
    out.push_str(sign);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// `v` with at most `decimals` decimals and no trailing zeros: `1817.3100000000002` at 10 decimals
/// is `1817.31`, `12.0` is `12`; a value that rounds to zero is `0`, never `-0`.
pub fn fixed(v: f64, decimals: usize) -> String {
    let text = format!("{v:.decimals$}");
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { &text };
    if text == "-0" {
        "0".into()
    } else {
        text.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_group_and_decimals_trim() {
        assert_eq!(grouped("55002"), "55,002");
        assert_eq!(grouped("999"), "999");
        assert_eq!(grouped("-1234567"), "-1,234,567");
        assert_eq!(fixed(1817.3100000000002, 10), "1817.31");
        assert_eq!(fixed(12.0, 10), "12");
        assert_eq!(fixed(-0.00000000001, 10), "0");
        assert_eq!(fixed(1250.0, 0), "1250");
    }
}
