//! What a file looks like at load: its columns as read, the advised settings, the original project's
//! preset when it has its layout, the k-distance curve (files up to a size), transaction columns.

use super::guidance::{k_distance_for, KDistance, K_DISTANCE_AT_LOAD_ROWS};
use super::prepare::{prepare, Fitting};
use crate::error::{CoreError, Result};
use crate::ingest::{ColumnInfo, Table};
use crate::spec::{is_original_layout, AnalysisSpec};
use serde::{Deserialize, Serialize};

/// What the page shows after loading a file, before any run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetSummary {
    pub n_rows: usize,
    /// What the file was read as (encoding, or spreadsheet sheet) and its delimiter.
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub delimiter: String,
    pub columns: Vec<ColumnInfo>,
    /// The starting settings for this file.
    pub suggested: AnalysisSpec,
    /// Set when the file has the original project's layout and its settings were applied.
    pub preset: Option<String>,
    pub k_distance: Option<KDistance>,
    /// Set when the file looks like one row per purchase: the columns to aggregate per customer.
    #[serde(default)]
    pub transactions: Option<crate::transactions::TransactionColumns>,
    /// Why those columns are a guess the person should confirm (the file was then read as it is).
    #[serde(default)]
    pub transactions_doubt: Option<String>,
    /// Set when the file was a transaction file and the table is its customers (see
    /// [`crate::transactions::read_customers`]).
    #[serde(default)]
    pub aggregated: Option<crate::transactions::Aggregated>,
    /// Why each column is or is not a default feature (and why it gets log), in column order.
    #[serde(default)]
    pub advice: Vec<crate::advice::ColumnAdvice>,
}

/// Summarises a freshly read table and suggests settings, with the k-distance curve of those settings
/// (files up to [`K_DISTANCE_AT_LOAD_ROWS`] rows). A table without a numeric column cannot be segmented:
/// that is an error here, at load, where the message can name the columns it did find.
pub fn summarize(table: &Table) -> Result<DatasetSummary> {
    let mut summary = summarize_table(table)?;
    if table.n_rows <= K_DISTANCE_AT_LOAD_ROWS {
        let prepared = prepare(table, &summary.suggested, Fitting::Learn, 1, &mut |_, _| {});
        summary.k_distance =
            prepared.ok().and_then(|p| k_distance_for(&summary.suggested, p.x_scaled.view()));
    }
    Ok(summary)
}

/// [`summarize`] without the k-distance curve (a session computes it on the rows it keeps).
pub(crate) fn summarize_table(table: &Table) -> Result<DatasetSummary> {
    if table.numeric_names().is_empty() {
        let flags: Vec<&str> = table
            .columns
            .iter()
            .filter(|c| matches!(c.kind, crate::ingest::ColumnKind::Boolean))
            .map(|c| c.name.as_str())
            .collect();
        if !flags.is_empty() {
            return Err(CoreError::OnlyFlags { columns: flags.join(", ") });
        }
        return Err(CoreError::NoNumericColumn { columns: table.names().join(", ") });
    }
    if table.n_rows < 2 {
        return Err(CoreError::TooFewCustomers { rows: table.n_rows });
    }
    let mut suggested = AnalysisSpec::default_for(table);
    // HDBSCAN's sizes follow the file's (a person switching to it starts from sensible values).
    suggested.hdbscan = crate::spec::HdbscanSettings::suggested(table.n_rows);
    let preset = is_original_layout(table).then(|| {
        "the original project's e-commerce layout: its cleaning rules, features and DBSCAN settings"
            .to_string()
    });
    let detected = crate::transactions::weigh(table);
    Ok(DatasetSummary {
        n_rows: table.n_rows,
        source: table.source.clone(),
        delimiter: delimiter_name(table.delimiter),
        columns: table.info(),
        suggested,
        preset,
        k_distance: None,
        transactions: detected.as_ref().map(|d| d.columns.clone()),
        transactions_doubt: detected.and_then(|d| d.doubt),
        aggregated: None,
        advice: crate::advice::advise(table),
    })
}

/// [`summarize`] for a file read by [`crate::transactions::read_customers`]: when it was aggregated, the
/// settings say so (a saved model aggregates next month's file the same way).
pub fn summarize_customers(customers: &crate::transactions::Customers) -> Result<DatasetSummary> {
    let mut summary = summarize(&customers.table)?;
    mark_aggregated(&mut summary, customers.aggregated.as_ref());
    Ok(summary)
}

/// When the table is customers aggregated from purchase lines, the summary and its settings say so.
pub(crate) fn mark_aggregated(
    summary: &mut DatasetSummary,
    aggregated: Option<&crate::transactions::Aggregated>,
) {
    if let Some(aggregated) = aggregated {
        summary.suggested.transactions = Some(aggregated.columns.clone());
        // The file the person gave: its encoding and delimiter, not the customers' table's.
        if !aggregated.line_source.is_empty() {
            summary.source = aggregated.line_source.clone();
            summary.delimiter = delimiter_name(aggregated.line_delimiter);
        }
        summary.aggregated = Some(aggregated.clone());
    }
}

/// The summary of a table that arrives with its settings (a saved model applied to it): its columns
/// and those settings, without the k-distance curve (which costs seconds at a million rows and only
/// guides a new fit).
pub fn summarize_with(table: &Table, spec: &AnalysisSpec) -> DatasetSummary {
    DatasetSummary {
        n_rows: table.n_rows,
        source: table.source.clone(),
        delimiter: delimiter_name(table.delimiter),
        columns: table.info(),
        suggested: spec.clone(),
        preset: None,
        k_distance: None,
        transactions: None,
        transactions_doubt: None,
        aggregated: None,
        advice: Vec::new(),
    }
}

fn delimiter_name(d: u8) -> String {
    match d {
        b',' => "comma".into(),
        b';' => "semicolon".into(),
        b'\t' => "tab".into(),
        b'|' => "pipe".into(),
        // Spaces delimit only a whitespace-aligned file (runs of spaces between its columns).
        b' ' => "space".into(),
        other => format!("{:?}", other as char),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_without_numbers_is_refused_at_load() {
        let table = crate::ingest::read_csv(b"name,city\nann,paris\nbob,rome\n", &mut |_| {});
        let table = table.unwrap_or_else(|e| panic!("{e}"));
        let err = summarize(&table).err();
        assert_eq!(err, Some(CoreError::NoNumericColumn { columns: "name, city".into() }));
    }
}
