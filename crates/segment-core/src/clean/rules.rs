//! Each cleaning rule's test on one value, and its name in the report: what [`super::clean_with`] runs
//! column by column on a table and the streaming apply ([`crate::model::apply_stream`]) runs row by
//! row on a file, so the two read a row the same way and report it in the same words.

use super::{Impute, Outliers, Scope};

/// A cell the missing-value rule drops: empty, or not a number in a column of numbers (numbers,
/// dates, yes/no words: the kinds a feature can be).
pub fn is_missing(empty: bool, numeric_kind: bool, value: f64) -> bool {
    empty || (numeric_kind && value.is_nan())
}

pub fn is_negative(value: f64) -> bool {
    value < 0.0
}

pub fn is_zero(value: f64) -> bool {
    value == 0.0
}

/// A feature's value as the model sees it: the cell's, or the fill value when it is missing (NaN when
/// there is nothing to fill with: the row is then dropped by [`UNFILLABLE`]).
pub fn filled(value: f64, fill: Option<f64>) -> f64 {
    if value.is_nan() {
        fill.unwrap_or(f64::NAN)
    } else {
        value
    }
}

/// Outside a feature's outlier bounds (None: no bounds, nothing is an outlier).
pub fn is_outlier(value: f64, bounds: Option<(f64, f64)>) -> bool {
    bounds.is_some_and(|(lo, hi)| !(lo..=hi).contains(&value))
}

/// How the missing-value rule reads in the report.
pub fn missing_rule(scope: Scope) -> &'static str {
    match scope {
        Scope::AllColumns => "a missing value in any column",
        Scope::Features => "a missing or non-numeric value in a chosen feature",
    }
}

/// How the negative and zero rules read in the report.
pub fn scope_rule(what: &str, scope: Scope) -> String {
    match scope {
        Scope::AllColumns => format!("{what} in any numeric column"),
        Scope::Features => format!("{what} in a chosen feature"),
    }
}

pub const NEGATIVE: &str = "a negative number";
pub const ZERO: &str = "a zero";
pub const DUPLICATE_ROW: &str = "the same cells as an earlier row (duplicate row)";
pub const UNFILLABLE: &str = "a missing feature with no value to fill";

pub fn duplicate_id_rule(id_column: &str) -> String {
    format!("an id (\"{id_column}\") an earlier row already has")
}

/// How filling reads in the report, from each filled feature's choice (None: nothing is filled).
pub fn fill_rule(choices: impl IntoIterator<Item = Impute>) -> Option<String> {
    let methods: std::collections::BTreeSet<&str> = choices
        .into_iter()
        .filter(|&i| i != Impute::Drop)
        .map(|i| if i == Impute::Median { "median" } else { "most frequent value" })
        .collect();
    let what = match methods.len() {
        0 => return None,
        1 => methods.iter().next().copied().unwrap_or("median").to_string(),
        _ => "median or most frequent value (as chosen per feature)".to_string(),
    };
    Some(format!("missing feature values filled with the feature's {what} (rows kept)"))
}

pub fn outlier_rule(method: Outliers) -> &'static str {
    match method {
        Outliers::Iqr => "an outlier in a feature (outside Q1 - 1.5 IQR .. Q3 + 1.5 IQR)",
        Outliers::ZScore => "an outlier in a feature (more than 3 standard deviations from the mean)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rule_tests_one_value() {
        assert!(is_missing(true, false, 1.0) && is_missing(false, true, f64::NAN));
        assert!(!is_missing(false, false, f64::NAN), "a text column's text is a value");
        assert!(is_negative(-0.5) && !is_negative(0.0) && !is_negative(-0.0));
        assert!(is_zero(0.0) && is_zero(-0.0) && !is_zero(1e-300));
        assert_eq!(filled(f64::NAN, Some(3.0)), 3.0);
        assert_eq!(filled(2.0, Some(3.0)), 2.0);
        assert!(filled(f64::NAN, None).is_nan());
        assert!(is_outlier(11.0, Some((0.0, 10.0))) && !is_outlier(10.0, Some((0.0, 10.0))));
        assert!(!is_outlier(1e300, None));
    }

    #[test]
    fn filling_reads_as_the_choices_made() {
        assert_eq!(fill_rule([Impute::Drop, Impute::Drop]), None);
        let median = fill_rule([Impute::Drop, Impute::Median]).unwrap_or_default();
        assert!(median.contains("feature's median (rows kept)"), "{median}");
        let both = fill_rule([Impute::MostFrequent, Impute::Median]).unwrap_or_default();
        assert!(both.contains("median or most frequent value (as chosen per feature)"), "{both}");
    }
}
