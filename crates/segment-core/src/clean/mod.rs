//! Clean: which rows enter the model, and a report of every row dropped and why.
//!
//! Rules run in order (missing values, then negatives, then zeros), each on the rows the previous one
//! kept, so the report reads like the original project's notebook: 55,056 -> 55,021 -> 55,006 -> 55,002.

use crate::error::{CoreError, Result};
use crate::ingest::Table;
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CleaningRules {
    /// Rows with a missing value (or, in a numeric column, a cell that is not a number). Rows missing a
    /// feature are always dropped: a model cannot place them. `AllColumns` follows the original project.
    pub drop_missing: Scope,
    /// Rows with a negative number.
    pub drop_negative: Option<Scope>,
    /// Rows with a zero.
    pub drop_zero: Option<Scope>,
}

impl CleaningRules {
    /// For a new file: drop only the rows whose features are missing or not numbers.
    pub fn features_only() -> Self {
        Self { drop_missing: Scope::Features, drop_negative: None, drop_zero: None }
    }

    /// The original project's rules: any missing value, then any negative, then any zero, in any column.
    pub fn original_project() -> Self {
        Self {
            drop_missing: Scope::AllColumns,
            drop_negative: Some(Scope::AllColumns),
            drop_zero: Some(Scope::AllColumns),
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
}

impl CleaningReport {
    pub fn rows_dropped(&self) -> usize {
        self.rows_in - self.rows_out
    }
}

/// Applies the rules and returns the kept row indices (into the table) with the report.
pub fn clean(
    table: &Table,
    features: &[String],
    rules: &CleaningRules,
) -> Result<(Vec<usize>, CleaningReport)> {
    for f in features {
        let column = table.column(f).ok_or_else(|| CoreError::UnknownColumn {
            column: f.clone(),
            available: table.numeric_names().join(", "),
        })?;
        if !column.is_feature_kind() {
            return Err(CoreError::NotNumeric { column: f.clone() });
        }
    }
    let in_scope =
        |scope: Scope, name: &str| scope == Scope::AllColumns || features.iter().any(|f| f == name);

    let mut kept: Vec<usize> = (0..table.n_rows).collect();
    let mut steps = Vec::new();

    let missing_scope = rules.drop_missing;
    let missing_rule = missing_rule(missing_scope);
    let columns: Vec<_> = table.columns.iter().filter(|c| in_scope(missing_scope, &c.name)).collect();
    steps.push(apply(&mut kept, &table.line_of_row, missing_rule, &columns, |c, r| {
        c.missing[r] || (c.is_feature_kind() && c.values[r].is_nan())
    }));

    let numeric_in = |scope: Scope| -> Vec<_> {
        table.columns.iter().filter(|c| c.is_numeric() && in_scope(scope, &c.name)).collect()
    };
    if let Some(scope) = rules.drop_negative {
        let rule = scope_rule("a negative number", scope);
        steps.push(apply(&mut kept, &table.line_of_row, &rule, &numeric_in(scope), |c, r| c.values[r] < 0.0));
    }
    if let Some(scope) = rules.drop_zero {
        let rule = scope_rule("a zero", scope);
        steps
            .push(apply(&mut kept, &table.line_of_row, &rule, &numeric_in(scope), |c, r| c.values[r] == 0.0));
    }
    let report = CleaningReport {
        rows_in: table.n_rows,
        rows_out: kept.len(),
        steps,
        ragged_rows: table.ragged_rows,
        comment_lines: table.comment_lines,
        repeated_headers: table.repeated_headers,
    };
    Ok((kept, report))
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
        by_column: columns
            .iter()
            .zip(by_column)
            .filter(|(_, n)| *n > 0)
            .map(|(c, n)| (c.name.clone(), n))
            .collect(),
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
