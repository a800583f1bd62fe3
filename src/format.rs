//! Numbers as the page writes them.

/// `55002` -> `55,002`.
pub fn thousands(n: usize) -> String {
    segment_core::numbers::grouped(&n.to_string())
}

/// A plain decimal with `places` decimals (no thousands separator: tests and people read it as is).
pub fn decimal(v: f64, places: usize) -> String {
    if v.is_finite() {
        format!("{v:.places$}")
    } else {
        "n/a".to_string()
    }
}

pub fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        return "0%".into();
    }
    format!("{:.1}%", 100.0 * part as f64 / whole as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(thousands(55002), "55,002");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(decimal(0.4674991, 4), "0.4675");
        assert_eq!(percent(1, 3), "33.3%");
    }
}
