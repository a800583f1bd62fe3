//! Clean: which rows enter the model, and a report of every row dropped and why.
//!
//! Rules run in order (missing values, then negatives, then zeros), each on the rows the previous one
//! kept, so the report reads like the original project's notebook: 55,056 -> 55,021 -> 55,006 -> 55,002.

mod rules;

use crate::error::{CoreError, Result};
use crate::ingest::Table;
pub use rules::Rule;
pub(crate) use rules::{filled, is_missing, is_outlier};
use serde::{Deserialize, Serialize};

/// Which columns a rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Only the chosen features.
    Features,
    /// Every column (missing values) or every numeric column (negatives, zeros).
    AllColumns,
}

/// What to do with a missing (or non-numeric) value in a feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Impute {
    /// Drop the row (and say so).
    #[default]
    Drop,
    /// Fill it with the feature's median over the rows kept.
    Median,
    /// Fill it with the feature's most frequent value.
    MostFrequent,
}

/// How outliers are found in the features (rows outside are dropped and counted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outliers {
    /// Outside [Q1 - 1.5 IQR, Q3 + 1.5 IQR].
    Iqr,
    /// More than 3 standard deviations from the mean.
    ZScore,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CleaningRules {
    /// Rows with a missing value (or, in a numeric column, a cell that is not a number). Rows missing a
    /// feature are always dropped: a model cannot place them. `AllColumns` follows the original project.
    pub drop_missing: Scope,
    /// Rows with a negative number.
    pub drop_negative: Option<Scope>,
    /// Rows with a zero.
    pub drop_zero: Option<Scope>,
    /// Missing feature values: drop the row (default) or fill them.
    #[serde(default)]
    pub impute: Impute,
    /// Per feature, a choice that overrides `impute` for that column.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub impute_columns: std::collections::BTreeMap<String, Impute>,
    /// Rows equal to an earlier row in every cell.
    #[serde(default)]
    pub drop_duplicate_rows: bool,
    /// Rows whose id (the spec's id column, else the detected one) an earlier row already has.
    #[serde(default)]
    pub drop_duplicate_ids: bool,
    /// Outliers in the features (off by default).
    #[serde(default)]
    pub outliers: Option<Outliers>,
}

/// What cleaning fitted on the rows it kept: the fill value and the outlier bounds of each feature.
/// A saved model keeps them, so next month's file is filled and bounded the same way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct FittedCleaning {
    pub fill: Vec<Option<f64>>,
    pub bounds: Vec<Option<(f64, f64)>>,
}

impl CleaningRules {
    /// What to do with a missing value of `feature`: its own choice, else the general one.
    pub fn impute_for(&self, feature: &str) -> Impute {
        self.impute_columns.get(feature).copied().unwrap_or(self.impute)
    }

    /// For a new file: drop only the rows whose features are missing or not numbers.
    pub fn features_only() -> Self {
        Self {
            drop_missing: Scope::Features,
            drop_negative: None,
            drop_zero: None,
            impute: Impute::Drop,
            impute_columns: Default::default(),
            drop_duplicate_rows: false,
            drop_duplicate_ids: false,
            outliers: None,
        }
    }

    /// The original project's rules: any missing value, then any negative, then any zero, in any column.
    pub fn original_project() -> Self {
        Self {
            drop_missing: Scope::AllColumns,
            drop_negative: Some(Scope::AllColumns),
            drop_zero: Some(Scope::AllColumns),
            ..Self::features_only()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CleaningStep {
    /// Plain-language rule, e.g. "a missing value in any column".
    pub rule: String,
    pub rows_before: usize,
    pub rows_dropped: usize,
    pub rows_after: usize,
    /// The columns that caused drops, with how many rows each caught (a row can count under several).
    pub by_column: Vec<(String, usize)>,
    /// The first dropped row, as its line number in the file (header = line 1).
    pub first_line: Option<usize>,
    /// Each dropped row (index in the table) with the columns that caught it. Kept in the worker for the
    /// removed-rows download; not sent to the page.
    #[serde(skip)]
    pub dropped: Vec<(usize, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CleaningReport {
    pub rows_in: usize,
    pub steps: Vec<CleaningStep>,
    pub rows_out: usize,
    pub ragged_rows: usize,
    /// Lines skipped before any rule: `#` comments before the header, header rows repeated mid-file.
    pub comment_lines: usize,
    pub repeated_headers: usize,
    /// Rows whose every cell is empty, skipped before any rule.
    #[serde(default)]
    pub empty_rows: usize,
    /// Fill values and outlier bounds fitted on the kept rows (or given by a saved model).
    #[serde(default)]
    pub fitted: FittedCleaning,
}

impl CleaningReport {
    pub fn rows_dropped(&self) -> usize {
        self.rows_in - self.rows_out
    }
}

/// Applies the rules and returns the kept row indices (into the table) with the report. Fill values and
/// outlier bounds are fitted on these rows; duplicated ids use the detected id column.
pub fn clean(
    table: &Table,
    features: &[String],
    rules: &CleaningRules,
) -> Result<(Vec<usize>, CleaningReport)> {
    clean_with(table, features, rules, None, None)
}

/// [`clean`] with the id column to check for duplicates (None: the detected one) and, for a saved
/// model, the fill values and outlier bounds fitted on its training file. The rules run in the order of
/// [`CleaningRules::in_order`], each on the rows the ones before kept.
pub fn clean_with(
    table: &Table,
    features: &[String],
    rules: &CleaningRules,
    id_column: Option<&str>,
    fitted: Option<&FittedCleaning>,
) -> Result<(Vec<usize>, CleaningReport)> {
    let mut feature_columns = Vec::with_capacity(features.len());
    for f in features {
        let column = table.column(f).ok_or_else(|| CoreError::UnknownColumn {
            column: f.clone(),
            available: table.numeric_names().join(", "),
        })?;
        if !column.is_feature_kind() {
            return Err(CoreError::NotNumeric { column: f.clone() });
        }
        feature_columns.push(column);
    }
    // Each feature's value as the segmentation sees it (a date as days before the file's latest date):
    // fill values and outlier bounds are in these units, so a saved model's carry over to next month's
    // file, whose dates are later.
    let latest = feature_columns.iter().map(|c| c.latest_date()).collect();
    let mut batch = Batch {
        table,
        features,
        rules,
        feature_columns,
        latest,
        fitted,
        kept: (0..table.n_rows).collect(),
        steps: Vec::new(),
        fill: None,
        bounds: None,
    };
    for rule in rules.in_order(features) {
        match rule {
            Rule::Missing(scope) => batch.missing(scope),
            Rule::DuplicateRows => batch.duplicate_rows(),
            Rule::DuplicateIds => batch.duplicate_ids(id_column),
            Rule::Negative(_) | Rule::Zero(_) => batch.numeric(rule),
            Rule::Fill => batch.fill_step(),
            Rule::Unfillable => batch.unfillable(),
            Rule::Outliers(method) => batch.outliers(method),
        }
    }
    let fill = batch.fill_values().to_vec();
    // Outlier bounds: the outlier rule's, else the model's, else none.
    let bounds = batch.bounds.take().unwrap_or_else(|| match fitted {
        Some(f) => f.bounds.clone(),
        None => vec![None; batch.feature_columns.len()],
    });
    let report = CleaningReport {
        rows_in: table.n_rows,
        rows_out: batch.kept.len(),
        steps: batch.steps,
        ragged_rows: table.ragged_rows,
        comment_lines: table.comment_lines,
        repeated_headers: table.repeated_headers,
        empty_rows: table.empty_rows,
        fitted: FittedCleaning { fill, bounds },
    };
    Ok((batch.kept, report))
}

/// The batch cleaning of one table: the rows kept so far and the report's steps, a method per rule.
struct Batch<'t> {
    table: &'t Table,
    features: &'t [String],
    rules: &'t CleaningRules,
    feature_columns: Vec<&'t crate::ingest::Column>,
    latest: Vec<Option<f64>>,
    fitted: Option<&'t FittedCleaning>,
    kept: Vec<usize>,
    steps: Vec<CleaningStep>,
    /// The fill values, once known: the model's, else fitted on the rows kept when filling starts.
    fill: Option<Vec<Option<f64>>>,
    /// The outlier bounds the outlier rule used.
    bounds: Option<Vec<Option<(f64, f64)>>>,
}

impl Batch<'_> {
    fn in_scope(&self, scope: Scope, name: &str) -> bool {
        scope == Scope::AllColumns || self.features.iter().any(|f| f == name)
    }

    /// Whether `name` is a feature whose missing values are filled.
    fn imputes(&self, name: &str) -> bool {
        self.features.iter().any(|f| f == name) && self.rules.impute_for(name) != Impute::Drop
    }

    fn feature_value(&self, j: usize, r: usize) -> f64 {
        self.feature_columns[j].feature_value(r, self.latest[j])
    }

    fn line(&self, r: usize) -> usize {
        self.table.line_of_row.get(r).map_or(r + 2, |&l| l as usize)
    }

    fn missing(&mut self, scope: Scope) {
        // Filled features are not "missing" for the Features scope: their cells get a value later.
        let columns: Vec<_> = self
            .table
            .columns
            .iter()
            .filter(|c| self.in_scope(scope, &c.name) && !self.imputes(&c.name))
            .collect();
        let words = Rule::Missing(scope).words(self.rules, self.features, "");
        let step = apply(&mut self.kept, &self.table.line_of_row, &words, &columns, |c, r| {
            // Text columns keep no values: only their empty cells count.
            is_missing(c.missing.get(r), c.is_feature_kind(), c.values.at(r))
        });
        self.steps.push(step);
    }

    fn duplicate_rows(&mut self) {
        let table = self.table;
        let words = Rule::DuplicateRows.words(self.rules, self.features, "");
        let step =
            self.keep_first(words, "all columns", |r| table.row_hash.get(r).copied().unwrap_or(r as u64));
        self.steps.push(CleaningStep { by_column: Vec::new(), ..step });
    }

    /// The id column's duplicates (none without an id column: no step).
    fn duplicate_ids(&mut self, id_column: Option<&str>) {
        let id = id_column.map(str::to_string).or_else(|| self.table.id_column());
        let hashes = id.as_deref().and_then(|name| self.table.column(name)).and_then(|c| c.id_keys());
        if let (Some(name), Some(hashes)) = (id.as_deref(), hashes.as_deref()) {
            let words = Rule::DuplicateIds.words(self.rules, self.features, name);
            let step = self.keep_first(words, name, |r| hashes[r]);
            let n = step.rows_dropped;
            self.steps.push(CleaningStep {
                by_column: if n > 0 { vec![(name.to_string(), n)] } else { Vec::new() },
                ..step
            });
        }
    }

    /// Keeps the first row of each `key`, as the step named `rule` whose drops are caught by `what`.
    fn keep_first(&mut self, rule: String, what: &str, key: impl Fn(usize) -> u64) -> CleaningStep {
        let rows_before = self.kept.len();
        let (mut first_line, mut dropped) = (None, Vec::new());
        let lines = &self.table.line_of_row;
        keep_first_of_each(&mut self.kept, key, |r| {
            first_line.get_or_insert(lines.get(r).map_or(r + 2, |&l| l as usize));
            dropped.push((r, what.to_string()));
        });
        CleaningStep {
            rule,
            rows_before,
            rows_dropped: rows_before - self.kept.len(),
            rows_after: self.kept.len(),
            by_column: Vec::new(),
            first_line,
            dropped,
        }
    }

    /// The negative or the zero rule, on the numeric columns in its scope.
    fn numeric(&mut self, rule: Rule) {
        let Some((scope, hit)) = rule.numeric_test() else { return };
        let columns: Vec<_> =
            self.table.columns.iter().filter(|c| c.is_numeric() && self.in_scope(scope, &c.name)).collect();
        let words = rule.words(self.rules, self.features, "");
        let step =
            apply(&mut self.kept, &self.table.line_of_row, &words, &columns, |c, r| hit(c.values.at(r)));
        self.steps.push(step);
    }

    /// The fill values: from the model, else fitted on the rows kept the first time they are asked for.
    fn fill_values(&mut self) -> &[Option<f64>] {
        if self.fill.is_none() {
            let fill = match self.fitted {
                Some(f) => f.fill.clone(),
                None => (0..self.feature_columns.len())
                    .map(|j| {
                        let values = self.kept.iter().map(|&r| self.feature_value(j, r));
                        match self.rules.impute_for(&self.feature_columns[j].name) {
                            Impute::Drop => None,
                            Impute::Median => median(values),
                            Impute::MostFrequent => most_frequent(values),
                        }
                    })
                    .collect(),
            };
            self.fill = Some(fill);
        }
        self.fill.as_deref().unwrap_or_default()
    }

    /// The value a feature enters the model with: its own, else the fill value.
    fn value(&self, j: usize, r: usize) -> f64 {
        let fill = self.fill.as_ref().and_then(|f| f.get(j).copied().flatten());
        filled(self.feature_value(j, r), fill)
    }

    /// Filling: a step that drops nothing and counts, per filled feature, the cells it fills.
    fn fill_step(&mut self) {
        let fill = self.fill_values().to_vec();
        let mut by_column = Vec::new();
        for (c, value) in self.feature_columns.iter().zip(&fill).filter(|(c, _)| self.imputes(&c.name)) {
            let n = self.kept.iter().filter(|&&r| c.values.at(r).is_nan()).count();
            if n > 0 {
                let value = value.map_or("n/a".into(), |v| v.to_string());
                by_column.push((format!("{} (filled with {value})", c.name), n));
            }
        }
        self.steps.push(CleaningStep {
            rule: Rule::Fill.words(self.rules, self.features, ""),
            rows_before: self.kept.len(),
            rows_dropped: 0,
            rows_after: self.kept.len(),
            by_column,
            first_line: None,
            dropped: Vec::new(),
        });
    }

    /// A filled feature with nothing to fill from (all missing) still drops its rows.
    fn unfillable(&mut self) {
        let fill = self.fill_values().to_vec();
        let unfillable: Vec<_> = self
            .feature_columns
            .iter()
            .zip(&fill)
            .filter(|(c, v)| self.imputes(&c.name) && v.is_none())
            .map(|(c, _)| *c)
            .collect();
        if !unfillable.is_empty() {
            let words = Rule::Unfillable.words(self.rules, self.features, "");
            let step = apply(&mut self.kept, &self.table.line_of_row, &words, &unfillable, |c, r| {
                c.values.at(r).is_nan()
            });
            self.steps.push(step);
        }
    }

    fn outliers(&mut self, method: Outliers) {
        // The bounds: from the model, else fitted on the rows kept so far (on the filled values).
        self.fill_values();
        let bounds: Vec<Option<(f64, f64)>> = match self.fitted {
            Some(f) => f.bounds.clone(),
            // A category has no outliers: how common a value is is no measure of the customer.
            None => (0..self.feature_columns.len())
                .map(|j| {
                    let category = self.feature_columns[j].kind == crate::ingest::ColumnKind::Categorical;
                    let values = || self.kept.iter().map(|&r| self.value(j, r)).collect();
                    if category {
                        None
                    } else {
                        outlier_bounds(method, values())
                    }
                })
                .collect(),
        };
        let rows_before = self.kept.len();
        let mut by_column = vec![0usize; self.feature_columns.len()];
        let mut first_line = None;
        let mut dropped = Vec::new();
        let mut kept = std::mem::take(&mut self.kept);
        kept.retain(|&r| {
            let caught: Vec<usize> = (0..self.feature_columns.len())
                .filter(|&j| is_outlier(self.value(j, r), bounds.get(j).copied().flatten()))
                .collect();
            if caught.is_empty() {
                return true;
            }
            caught.iter().for_each(|&j| by_column[j] += 1);
            first_line.get_or_insert(self.line(r));
            let names: Vec<&str> = caught.iter().map(|&j| self.feature_columns[j].name.as_str()).collect();
            dropped.push((r, names.join(", ")));
            false
        });
        self.kept = kept;
        self.steps.push(CleaningStep {
            rule: Rule::Outliers(method).words(self.rules, self.features, ""),
            rows_before,
            rows_dropped: rows_before - self.kept.len(),
            rows_after: self.kept.len(),
            by_column: caught_by(&self.feature_columns, by_column),
            first_line,
            dropped,
        });
        self.bounds = Some(bounds);
    }
}

fn median(values: impl Iterator<Item = f64>) -> Option<f64> {
    let mut v: Vec<f64> = values.filter(|v| !v.is_nan()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_unstable_by(f64::total_cmp);
    Some(crate::features::quantile(&v, 0.5))
}

/// The most frequent value (ties: the smallest).
fn most_frequent(values: impl Iterator<Item = f64>) -> Option<f64> {
    let mut v: Vec<f64> = values.filter(|v| !v.is_nan()).collect();
    v.sort_unstable_by(f64::total_cmp);
    let mut best: Option<(f64, usize)> = None;
    let mut i = 0;
    while i < v.len() {
        let j = v[i..].iter().position(|x| *x != v[i]).map_or(v.len(), |p| i + p);
        if best.is_none_or(|b| j - i > b.1) {
            best = Some((v[i], j - i));
        }
        i = j;
    }
    best.map(|b| b.0)
}

/// Keeps, of the rows in `kept` that share a key, the first (in order); `dropped` hears of each other
/// one as it goes. The keys that repeat are found on a sorted copy of the keys (8 bytes a row, where a
/// hash set of every key takes some 19), and only those are tracked while the rows are kept.
fn keep_first_of_each(kept: &mut Vec<usize>, key: impl Fn(usize) -> u64, mut dropped: impl FnMut(usize)) {
    let mut sorted: Vec<u64> = kept.iter().map(|&r| key(r)).collect();
    sorted.sort_unstable();
    let repeated: std::collections::HashSet<u64> =
        sorted.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0]).collect();
    drop(sorted);
    if repeated.is_empty() {
        return;
    }
    let mut seen = std::collections::HashSet::with_capacity(repeated.len());
    kept.retain(|&r| {
        let k = key(r);
        let first = !repeated.contains(&k) || seen.insert(k);
        if !first {
            dropped(r);
        }
        first
    });
}

/// None when there are too few values, or the bounds overflow (values near 1e308).
fn outlier_bounds(method: Outliers, mut v: Vec<f64>) -> Option<(f64, f64)> {
    v.retain(|x| !x.is_nan());
    if v.len() < 4 {
        return None;
    }
    let bounds = match method {
        Outliers::Iqr => {
            v.sort_unstable_by(f64::total_cmp);
            let (q1, q3) = (crate::features::quantile(&v, 0.25), crate::features::quantile(&v, 0.75));
            let iqr = q3 - q1;
            Some((q1 - 1.5 * iqr, q3 + 1.5 * iqr))
        }
        Outliers::ZScore => {
            let n = v.len() as f64;
            let mean = v.iter().sum::<f64>() / n;
            let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
            Some((mean - 3.0 * sd, mean + 3.0 * sd))
        }
    };
    bounds.filter(|(lo, hi)| lo.is_finite() && hi.is_finite())
}

/// The columns that caught rows, with how many each (those that caught none left out).
fn caught_by(columns: &[&crate::ingest::Column], counts: Vec<usize>) -> Vec<(String, usize)> {
    columns.iter().zip(counts).filter(|(_, n)| *n > 0).map(|(c, n)| (c.name.clone(), n)).collect()
}

fn apply(
    kept: &mut Vec<usize>,
    line_of_row: &[u32],
    rule: &str,
    columns: &[&crate::ingest::Column],
    drops: impl Fn(&crate::ingest::Column, usize) -> bool,
) -> CleaningStep {
    let rows_before = kept.len();
    let mut by_column = vec![0usize; columns.len()];
    let mut first_line = None;
    let mut dropped_rows = Vec::new();
    kept.retain(|&r| {
        let mut caught: Vec<&str> = Vec::new();
        for (c, column) in columns.iter().enumerate() {
            if drops(column, r) {
                by_column[c] += 1;
                caught.push(&column.name);
            }
        }
        if caught.is_empty() {
            return true;
        }
        if first_line.is_none() {
            first_line = Some(line_of_row.get(r).map_or(r + 2, |&l| l as usize));
        }
        dropped_rows.push((r, caught.join(", ")));
        false
    });
    CleaningStep {
        rule: rule.to_string(),
        rows_before,
        rows_dropped: rows_before - kept.len(),
        rows_after: kept.len(),
        by_column: caught_by(columns, by_column),
        first_line,
        dropped: dropped_rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::read_csv;

    #[test]
    fn each_rule_counts_its_own_drops() {
        let csv = "id,a,b,note\n1,1,2,x\n2,,2,x\n3,-1,2,x\n4,0,2,x\n5,3,0,\n6,2,2,x\n";
        let t = read_csv(csv.as_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
        let f = vec!["a".to_string()];
        let (kept, report) =
            clean(&t, &f, &CleaningRules::original_project()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(kept, vec![0, 5]);
        let dropped: Vec<usize> = report.steps.iter().map(|s| s.rows_dropped).collect();
        assert_eq!(dropped, vec![2, 1, 1]);
        assert_eq!(report.steps[0].first_line, Some(3));

        let (kept, report) = clean(&t, &f, &CleaningRules::features_only()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(kept.len(), 5);
        assert_eq!(report.rows_dropped(), 1);
    }

    #[test]
    fn text_feature_is_a_clear_error() {
        let t = read_csv(b"a,b\nx,1\ny,2\n", &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
        let err = clean(&t, &["a".into()], &CleaningRules::features_only()).err();
        assert!(matches!(err, Some(CoreError::NotNumeric { .. })));
        let err = clean(&t, &["zz".into()], &CleaningRules::features_only()).err();
        assert!(matches!(err, Some(CoreError::UnknownColumn { .. })));
    }
}

#[cfg(test)]
mod rule_tests {
    use super::*;
    use crate::ingest::read_csv;

    #[test]
    fn the_first_row_of_each_key_is_kept_in_order() {
        let keys = [5u64, 3, 5, 7, 3, 5, 9];
        let mut kept: Vec<usize> = (0..keys.len()).collect();
        let mut dropped = Vec::new();
        keep_first_of_each(&mut kept, |r| keys[r], |r| dropped.push(r));
        assert_eq!(kept, vec![0, 1, 3, 6]);
        assert_eq!(dropped, vec![2, 4, 5]);
        let mut none_repeat: Vec<usize> = vec![0, 3, 6];
        keep_first_of_each(&mut none_repeat, |r| keys[r], |_| unreachable!());
        assert_eq!(none_repeat, vec![0, 3, 6]);
    }

    fn table(text: &str) -> Table {
        read_csv(text.as_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn each_feature_can_have_its_own_missing_value_choice() {
        // x misses on row 1 and y on row 3: y is filled (its own choice), x keeps the general "drop".
        let t = table("x,y\n1,10\n,20\n3,30\n4,\n5,50\n");
        let f = vec!["x".to_string(), "y".to_string()];
        let mut rules = CleaningRules::features_only();
        rules.impute_columns.insert("y".into(), Impute::Median);
        assert_eq!((rules.impute_for("x"), rules.impute_for("y")), (Impute::Drop, Impute::Median));
        let (kept, report) = clean_with(&t, &f, &rules, None, None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(kept, vec![0, 2, 3, 4]);
        assert_eq!(report.fitted.fill, vec![None, Some(30.0)]);
        let filled =
            report.steps.iter().find(|s| s.rule.contains("filled")).unwrap_or_else(|| panic!("a fill step"));
        assert_eq!(filled.by_column, vec![("y (filled with 30)".to_string(), 1)]);
    }

    #[test]
    fn duplicates_outliers_and_imputation_are_each_counted() {
        // id 3 repeats row 2 exactly; id 2 appears twice with different values; x = 1000 is an outlier;
        // row 7 misses x.
        let t = table("id,x,y\n1,10,1\n2,11,2\n2,11,2\n2,12,3\n4,13,4\n5,1000,5\n6,,6\n7,12,7\n8,11,8\n");
        let f = vec!["x".to_string(), "y".to_string()];
        let rules = CleaningRules {
            impute: Impute::Median,
            drop_duplicate_rows: true,
            drop_duplicate_ids: true,
            outliers: Some(Outliers::Iqr),
            ..CleaningRules::features_only()
        };
        let (kept, report) = clean_with(&t, &f, &rules, Some("id"), None).unwrap_or_else(|e| panic!("{e}"));
        let dropped: Vec<(String, usize)> =
            report.steps.iter().map(|s| (s.rule.clone(), s.rows_dropped)).collect();
        assert_eq!(dropped.iter().map(|d| d.1).collect::<Vec<_>>(), vec![0, 1, 1, 0, 1], "{dropped:?}");
        assert!(dropped[1].0.contains("duplicate row"));
        assert!(dropped[2].0.contains("\"id\""));
        assert_eq!(report.steps[2].first_line, Some(5));
        assert!(dropped[3].0.contains("filled"));
        assert!(dropped[4].0.contains("outlier"));
        assert_eq!(report.steps[4].by_column, vec![("x".to_string(), 1)]);
        assert_eq!(kept, vec![0, 1, 4, 6, 7, 8]);
        // The median of x over the rows kept before filling (10, 11, 13, 1000, 12, 11) fills row 7.
        assert_eq!(report.fitted.fill[0], Some(11.5));
        let x = crate::features::x_raw_filled(&t, &f, &kept, &report.fitted.fill);
        assert_eq!(x[[3, 0]], 11.5);
        // A model's fitted values are used as they are.
        let given = FittedCleaning { fill: vec![Some(0.0), None], bounds: vec![Some((0.0, 11.0)), None] };
        let (kept, _) =
            clean_with(&t, &f, &rules, Some("id"), Some(&given)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(kept, vec![0, 1, 6, 8]);
    }

    #[test]
    fn most_frequent_and_zscore() {
        assert_eq!(most_frequent([3.0, 1.0, 3.0, 2.0, 1.0].into_iter()), Some(1.0));
        let b = outlier_bounds(Outliers::ZScore, vec![1.0, 2.0, 3.0, 4.0, 5.0]).unwrap_or_default();
        let sd = 2f64.sqrt();
        assert!((b.0 - (3.0 - 3.0 * sd)).abs() < 1e-12 && (b.1 - (3.0 + 3.0 * sd)).abs() < 1e-12);
    }
}
