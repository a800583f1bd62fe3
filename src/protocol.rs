//! Messages between the page and the analysis worker. Each crosses `postMessage` as a JS object
//! `{ json: "<Request or Reply as JSON>", bytes?: Uint8Array }`: the file's bytes travel as a typed array,
//! everything else as JSON of core types. Each request is one method of the worker's
//! [`Session`](segment_core::session::Session); errors cross as the core's [`CoreError`].

use segment_core::auto::AutoChoice;
use segment_core::model::{Applied, ModelInfo};
use segment_core::pipeline::{AnalysisResult, DatasetSummary, KDistance, KSweep, Stage};
use segment_core::score::Stability;
use segment_core::spec::AnalysisSpec;
use segment_core::transactions::LoadMode;
use segment_core::CoreError;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Page -> worker.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request {
    /// Parse the attached bytes and keep the table for the runs that follow: a file of purchase lines is
    /// aggregated per customer unless `mode` says otherwise.
    Load {
        name: String,
        #[serde(default)]
        mode: LoadMode,
    },
    /// Read the loaded file again as `mode` says (purchase lines as they are, or aggregated with other
    /// columns), from the text the worker kept: the file is not sent again.
    Reload { mode: LoadMode },
    /// The automatic choice on the loaded table from the spec's features and cleaning: the candidates
    /// and, when `fit` is set, the pick fitted on every row (else only the candidates, for comparison).
    Choose { spec: AnalysisSpec, fit: bool },
    /// Run the analysis the spec describes on the loaded table.
    Run { spec: AnalysisSpec },
    /// k-means for k = 2..=10 with the spec's features, cleaning and scaling.
    Sweep { spec: AnalysisSpec },
    /// The k-distance curve for the spec's min_samples (asked for when it changed).
    KDistance { spec: AnalysisSpec },
    /// The stability of the last run's result (5 more fits; asked for once the result is drawn).
    Stability,
    /// The loaded file with each row's segment and segment name added (the last run's labels).
    Export { names: Vec<String> },
    /// The rows cleaning removed, each with the rule and columns that removed it.
    ExportRemoved,
    /// The last run as a model file (settings, scaler, segments with these names).
    SaveModel { names: Vec<String>, file_name: String },
    /// The last run's model as SQL for `dialect` ("duckdb", "spark", "ansi") over table `table`.
    ExportSql { names: Vec<String>, file_name: String, dialect: String, table: String },
    /// Check a model file and describe it.
    ReadModel { json: String },
    /// Apply the model to the attached CSV (or, without bytes, to the CSV of the last `Apply`), with
    /// model column -> file column `mapping`. The file becomes the loaded one.
    Apply { model_json: String, mapping: Vec<(String, String)> },
    /// The customers who changed segment since the model, as CSV.
    ExportMovers,
    /// Rows `start..start + count` of the loaded file as they were, for the preview table.
    Preview { start: usize, count: usize },
    /// The file row behind the `used`-th row of the last result (the PCA map's hover).
    UsedRow { used: usize },
}

/// Worker -> page.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Reply {
    /// The worker's wasm is loaded; messages sent before this would have been lost.
    Ready,
    /// The answer to `Request::Preview`.
    Preview {
        preview: segment_core::export::Preview,
    },
    /// The answer to `Request::UsedRow`: the row as it was in the file (row number from 1).
    UsedRow {
        used: usize,
        row: usize,
        cells: Vec<(String, String)>,
    },
    Progress {
        stage: Stage,
        fraction: f64,
    },
    Loaded {
        summary: Box<DatasetSummary>,
        elapsed_ms: f64,
    },
    Done {
        result: Arc<AnalysisResult>,
        elapsed_ms: f64,
    },
    /// The answer to `Request::Choose` with `fit`: the candidates and the pick, fitted on every row.
    Chosen {
        choice: Box<AutoChoice>,
        result: Arc<AnalysisResult>,
        elapsed_ms: f64,
    },
    /// The answer to `Request::Choose` without `fit`: the candidates only.
    Candidates {
        choice: Box<AutoChoice>,
    },
    Swept {
        sweep: KSweep,
        elapsed_ms: f64,
    },
    Exported {
        csv: String,
        /// Added to the file's name: "segments" or "removed-rows".
        suffix: String,
    },
    /// The answer to `Request::Stability`.
    Stability {
        stability: Stability,
    },
    KDistance {
        k_distance: KDistance,
    },
    /// The answer to `Request::SaveModel`: the model file's text.
    ModelSaved {
        json: String,
    },
    /// The answer to `Request::ExportSql`: the query, and the side table (file name, CSV) it reads.
    SqlExported {
        query: String,
        side_table: Option<(String, String)>,
    },
    ModelRead {
        info: ModelInfo,
    },
    Applied {
        summary: Box<DatasetSummary>,
        applied: Box<Applied>,
        result: Arc<AnalysisResult>,
        elapsed_ms: f64,
    },
    /// The model's columns `missing` are not in the file: the person maps them among `columns`.
    NeedsMapping {
        message: String,
        missing: Vec<String>,
        columns: Vec<String>,
    },
    Failed {
        error: CoreError,
    },
    /// Made by the page's worker client, never sent by the worker: the worker died (out of memory, a
    /// crash) or a message could not be read. The worker is restarted without the file.
    Lost {
        error: CoreError,
    },
}

pub const JSON_KEY: &str = "json";
pub const BYTES_KEY: &str = "bytes";
