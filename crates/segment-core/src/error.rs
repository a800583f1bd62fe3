//! One error type for the whole core. Every message says what went wrong and what the person can do.

use serde::{Deserialize, Serialize};
use thiserror::Error;

pub type Result<T> = std::result::Result<T, CoreError>;

/// The core's own error carried through a reader's `std::io::Error` (a Parquet file read as CSV text
/// stops at a limit): taken out again, so the person sees it rather than "could not read the CSV".
pub fn carried(e: &csv::Error) -> Option<CoreError> {
    match e.kind() {
        csv::ErrorKind::Io(io) => io.get_ref().and_then(|inner| inner.downcast_ref::<CoreError>()).cloned(),
        _ => None,
    }
}

/// Crosses from the worker to the page as it is (`{"kind": "too_few_rows", "detail": {...}}`), so the
/// page can match on what went wrong and show the message.
#[derive(Debug, Error, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum CoreError {
    #[error("The file is empty. Choose a CSV file with a header row and at least one row of data.")]
    EmptyFile,
    #[error(
        "The file has a header row but no data rows. Add customer rows below the header and load it again."
    )]
    HeaderOnly,
    #[error("This looks like a {kind} file, not a CSV. Export the data as CSV (comma or semicolon separated text) and load that.")]
    NotText { kind: String },
    /// A Parquet file this build cannot read: damaged, nested columns, a compression it lacks.
    #[error("The Parquet file could not be read: {reason}. {hint}")]
    Parquet { reason: String, hint: String },
    #[error("Could not read the CSV at line {line}: {reason}. Check that the file is plain CSV text.")]
    Malformed { line: u64, reason: String },
    #[error("No numeric column was found (columns: {columns}). Segmentation needs at least one column of numbers, such as visits or amounts.")]
    NoNumericColumn { columns: String },
    #[error("Column \"{column}\" is not in the file. Pick features among: {available}.")]
    UnknownColumn { column: String, available: String },
    #[error("Column \"{column}\" holds text, not numbers. Choose numeric columns as features.")]
    NotNumeric { column: String },
    #[error("No feature is selected. Tick at least one numeric column to segment on.")]
    NoFeatures,
    #[error("Cleaning left {rows} rows, too few to find segments (at least {needed} are needed). Loosen the cleaning rules or check the file.")]
    TooFewRows { rows: usize, needed: usize },
    #[error("Invalid parameter {name} = {value}: {reason}")]
    InvalidParameter { name: String, value: String, reason: String },
    #[error("The analysis settings could not be read: {0}")]
    BadSpec(String),
    #[error("{method} runs on up to {max} rows and this selection has {rows}: {why}.")]
    TooManyRows { method: String, rows: usize, max: usize, why: String },
    #[error("{what}: {found}, beyond the limit of {limit}. {hint}")]
    TooLarge { what: String, found: String, limit: String, hint: String },
    /// Writing the output failed (a full disk, a closed pipe): `closed` when the reader went away.
    #[error("Could not write the output: {reason}.")]
    Output { reason: String, closed: bool },
    #[error("The model file could not be used: {0}.")]
    BadModel(String),
    #[error("No file is loaded. Load a CSV file or the sample first.")]
    NoFile,
    /// The loaded file, read again where it lies (the page's file, the file on disk), could not be
    /// read or has changed since it was loaded.
    #[error("\"{name}\" could not be read again ({reason}). It may have been moved or changed since it was loaded: load it again.")]
    FileChanged { name: String, reason: String },
    /// A file could not be read where it lies when it was loaded (the page's file, the file on disk).
    #[error("\"{name}\" could not be read ({reason}). Check that the file is still there and readable, then choose it again.")]
    Unreadable { name: String, reason: String },
    /// A request that needs a segmentation came before any (an export, a model save, the movers).
    #[error("Run a segmentation first: {needed_for}.")]
    NoSegmentation { needed_for: String },
    /// The page and the worker disagree (a message lost or garbled): never the person's doing.
    #[error("Internal error: {0}. Reload the page; your file never left this browser.")]
    Internal(String),
    #[error("The model needs column(s) {missing}, which this file lacks. Map each to a column of this file (columns: {available}), or check that it is the right file.")]
    MissingColumns { missing: String, available: String },
    #[error("The file holds {rows} customer row(s): segments need at least two customers, and usually dozens. Load the whole customer file (or the purchase lines of many customers).")]
    TooFewCustomers { rows: usize },
    #[error("The only columns of numbers are yes/no columns ({columns}): segments on them would only repeat each column's yes and no. Add columns of what customers do, such as visits, orders or amounts.")]
    OnlyFlags { columns: String },
    /// The SQL export refuses a table or name it could not query faithfully.
    #[error("The SQL query cannot be written: {0}.")]
    Sql(String),
}
