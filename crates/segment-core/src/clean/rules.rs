//! The cleaning rules, in one ordered list ([`CleaningRules::in_order`]), each with its test on one
//! value and its name in the report. Three engines read the list: the batch cleaning
//! ([`super::clean_with`]) column by column on a table, the streaming apply
//! ([`crate::model::apply_stream`]) row by row on a file, and the SQL export
//! ([`crate::model::export_sql`]) a stage per rule. So they run the same rules in the same order, read a
//! row the same way, and report it in the same words; a row counts under the first rule that drops it.

use super::{CleaningRules, Impute, Outliers, Scope};

/// One cleaning rule, as every engine runs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// A missing value (or, in a numeric column, a cell that is not a number) in scope; a feature not
    /// filled is always in scope (a model cannot place its row).
    Missing(Scope),
    /// The same cells as an earlier row.
    DuplicateRows,
    /// An id an earlier row has (when the file has an id column; none: the rule has nothing to do).
    DuplicateIds,
    Negative(Scope),
    Zero(Scope),
    /// Missing feature values filled: a step of the report that drops nothing.
    Fill,
    /// A filled feature with no value to fill with (all its values missing when fitted) drops its
    /// missing rows (a feature that has a fill value: the rule has nothing to do).
    Unfillable,
    Outliers(Outliers),
}

/// A rule's test on one number.
pub type ValueTest = fn(f64) -> bool;

impl CleaningRules {
    /// The rules that are on, in the order every engine runs them (the original project's: missing,
    /// negative, zero; duplicates before the values' rules, filling and outliers after, on the values
    /// the model sees).
    pub fn in_order(&self, features: &[String]) -> Vec<Rule> {
        let fills = features.iter().any(|f| self.impute_for(f) != Impute::Drop);
        [
            Some(Rule::Missing(self.drop_missing)),
            self.drop_duplicate_rows.then_some(Rule::DuplicateRows),
            self.drop_duplicate_ids.then_some(Rule::DuplicateIds),
            self.drop_negative.map(Rule::Negative),
            self.drop_zero.map(Rule::Zero),
            fills.then_some(Rule::Fill),
            fills.then_some(Rule::Unfillable),
            self.outliers.map(Rule::Outliers),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

impl Rule {
    /// The rule's name in the report: `id` is the id column's name, `features` the features (whose
    /// fill choices name the filling).
    pub fn words(self, rules: &CleaningRules, features: &[String], id: &str) -> String {
        match self {
            Rule::Missing(scope) => missing_rule(scope).into(),
            Rule::DuplicateRows => DUPLICATE_ROW.into(),
            Rule::DuplicateIds => duplicate_id_rule(id),
            Rule::Negative(scope) => scope_rule(NEGATIVE, scope),
            Rule::Zero(scope) => scope_rule(ZERO, scope),
            Rule::Fill => fill_rule(features.iter().map(|f| rules.impute_for(f))).unwrap_or_default(),
            Rule::Unfillable => UNFILLABLE.into(),
            Rule::Outliers(method) => outlier_rule(method).into(),
        }
    }

    /// The value test of the negative and zero rules, with the rule's scope.
    pub fn numeric_test(self) -> Option<(Scope, ValueTest)> {
        match self {
            Rule::Negative(scope) => Some((scope, is_negative)),
            Rule::Zero(scope) => Some((scope, is_zero)),
            _ => None,
        }
    }
}

/// A cell the missing-value rule drops: empty, or not a number in a column of numbers (numbers,
/// dates, yes/no words: the kinds a feature can be).
pub fn is_missing(empty: bool, numeric_kind: bool, value: f64) -> bool {
    empty || (numeric_kind && value.is_nan())
}

fn is_negative(value: f64) -> bool {
    value < 0.0
}

fn is_zero(value: f64) -> bool {
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
fn missing_rule(scope: Scope) -> &'static str {
    match scope {
        Scope::AllColumns => "a missing value in any column",
        Scope::Features => "a missing or non-numeric value in a chosen feature",
    }
}

/// How the negative and zero rules read in the report.
fn scope_rule(what: &str, scope: Scope) -> String {
    match scope {
        Scope::AllColumns => format!("{what} in any numeric column"),
        Scope::Features => format!("{what} in a chosen feature"),
    }
}

const NEGATIVE: &str = "a negative number";
const ZERO: &str = "a zero";
const DUPLICATE_ROW: &str = "the same cells as an earlier row (duplicate row)";
const UNFILLABLE: &str = "a missing feature with no value to fill";

fn duplicate_id_rule(id_column: &str) -> String {
    format!("an id (\"{id_column}\") an earlier row already has")
}

/// How filling reads in the report, from each filled feature's choice (None: nothing is filled).
fn fill_rule(choices: impl IntoIterator<Item = Impute>) -> Option<String> {
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

fn outlier_rule(method: Outliers) -> &'static str {
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
    fn the_rules_run_in_one_order_and_only_those_that_are_on() {
        let features = ["a".to_string(), "b".to_string()];
        let mut rules = CleaningRules::features_only();
        assert_eq!(rules.in_order(&features), [Rule::Missing(Scope::Features)]);
        rules.drop_zero = Some(Scope::AllColumns);
        rules.drop_duplicate_ids = true;
        rules.outliers = Some(Outliers::Iqr);
        rules.impute_columns.insert("b".into(), Impute::Median);
        assert_eq!(
            rules.in_order(&features),
            [
                Rule::Missing(Scope::Features),
                Rule::DuplicateIds,
                Rule::Zero(Scope::AllColumns),
                Rule::Fill,
                Rule::Unfillable,
                Rule::Outliers(Outliers::Iqr)
            ]
        );
        assert_eq!(Rule::Fill.words(&rules, &features, ""), fill_rule([Impute::Median]).unwrap_or_default());
        assert_eq!(Rule::DuplicateIds.words(&rules, &features, "id"), duplicate_id_rule("id"));
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
