//! Messages between the page and the analysis worker. Each crosses `postMessage` as a JS object
//! `{ json: "<Request or Reply as JSON>", bytes?: Uint8Array, blob?: Blob, labels?: Int32Array, coords?:
//! Float32Array, membership?: Float32Array }`: the file (its bytes, or the file itself, which the worker
//! reads in chunks) and a result's per-row arrays
//! ([`RowArrays`]) travel as typed arrays (transferred, not written out as text and parsed back),
//! everything else as JSON of core types. Each request is one method of the worker's
//! [`Session`](segment_core::session::Session); errors cross as the core's [`CoreError`].

use segment_core::auto::AutoChoice;
use segment_core::model::{Applied, ModelInfo};
use segment_core::pipeline::{AnalysisResult, DatasetSummary, KDistance, KSweep, RowArrays, Stage};
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
    /// Parse the attached file (its bytes, or the `File` itself) and keep the table for the runs that
    /// follow: a file of purchase lines is aggregated per customer unless `mode` says otherwise.
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
    /// The stability of the last run's result (5 more fits; asked for once the result is drawn, measured
    /// after a silhouette still pending).
    Stability,
    /// The loaded file with each row's segment and segment name added (the last run's labels).
    Export { names: Vec<String> },
    /// The rows cleaning removed, each with the rule and columns that removed it.
    ExportRemoved,
    /// The last run as a model file (settings, scaler, segments with these names); with `rules`, its
    /// rule model (the segments' rules used as the segmentation).
    SaveModel { names: Vec<String>, file_name: String, rules: bool },
    /// The last run's rules as the segmentation (its rule model applied to the loaded file): replies
    /// `Applied`.
    UseRules { names: Vec<String>, file_name: String },
    /// The last run's model (or, with `rules`, its rule model) as SQL for `dialect` ("duckdb", "spark",
    /// "ansi") over table `table`.
    ExportSql { names: Vec<String>, file_name: String, dialect: String, table: String, rules: bool },
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
        /// Added to the file's name: "segments", "removed-rows" or "movers".
        suffix: String,
        /// The CSV file, made in the worker as it was written; it crosses beside the JSON.
        #[serde(skip)]
        file: Option<web_sys::Blob>,
    },
    /// The silhouette of the result last sent with `scores.silhouette_pending` (a `Run`'s), measured in
    /// steps after it: no other request's answer waits for it.
    Scored {
        silhouette: Option<segment_core::score::SilhouetteScore>,
    },
    /// The answer to `Request::Stability`.
    Stability {
        stability: Stability,
    },
    KDistance {
        k_distance: KDistance,
    },
    /// The answer to `Request::SaveModel`: the model file's text (a rule model's when asked).
    ModelSaved {
        json: String,
        rules: bool,
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
/// Instead of a file's bytes: the file itself (a `Blob`), which the worker reads in chunks, and again
/// when asked for its rows, never holding it whole.
pub const BLOB_KEY: &str = "blob";
const LABELS_KEY: &str = "labels";
const COORDS_KEY: &str = "coords";
const MEMBERSHIP_KEY: &str = "membership";
/// An export's CSV file, a `Blob` the worker made beside the JSON (a million rows are 70 MB: it is
/// never copied into the page's memory, nor whole into the worker's).
const CSV_KEY: &str = "csv";

impl Reply {
    /// The segmentation a reply carries, if any.
    fn result_mut(&mut self) -> Option<&mut Arc<AnalysisResult>> {
        match self {
            Reply::Done { result, .. } | Reply::Chosen { result, .. } | Reply::Applied { result, .. } => {
                Some(result)
            }
            _ => None,
        }
    }

    /// The message object for `postMessage`, and the buffers to transfer with it: the reply as JSON,
    /// a result's per-row arrays as typed arrays beside it.
    pub fn encode(mut self) -> (js_sys::Object, js_sys::Array) {
        let message = js_sys::Object::new();
        let transfer = js_sys::Array::new();
        if let Some(result) = self.result_mut() {
            // The session keeps the result: the reply's copy (arrays included, a memcpy) gives its
            // arrays up to the typed arrays.
            let RowArrays { labels, coords, membership } = Arc::make_mut(result).take_row_arrays();
            let labels = js_sys::Int32Array::from(labels.as_slice());
            let coords = js_sys::Float32Array::from(coords.as_slice());
            set(&message, LABELS_KEY, &labels);
            set(&message, COORDS_KEY, &coords);
            transfer.push(&labels.buffer());
            transfer.push(&coords.buffer());
            if let Some(membership) = membership {
                let membership = js_sys::Float32Array::from(membership.as_slice());
                set(&message, MEMBERSHIP_KEY, &membership);
                transfer.push(&membership.buffer());
            }
        }
        if let Reply::Exported { file: Some(file), .. } = &self {
            set(&message, CSV_KEY, file);
        }
        let json = serde_json::to_string(&self).unwrap_or_else(|e| {
            let error = CoreError::Internal(format!("the worker could not encode its answer ({e})"));
            serde_json::to_string(&Reply::Failed { error }).unwrap_or_default()
        });
        set(&message, JSON_KEY, &json.into());
        (message, transfer)
    }

    /// The reply in a message object made by [`Reply::encode`] (None: not a message of ours).
    pub fn decode(data: &wasm_bindgen::JsValue) -> Option<Reply> {
        let json = js_sys::Reflect::get(data, &JSON_KEY.into()).ok()?.as_string()?;
        let unreadable = |e: String| Reply::Failed {
            error: CoreError::Internal(format!("the page could not read the worker's answer ({e})")),
        };
        let mut reply = match serde_json::from_str::<Reply>(&json) {
            Ok(reply) => reply,
            Err(e) => return Some(unreadable(e.to_string())),
        };
        if let Some(result) = reply.result_mut() {
            use wasm_bindgen::JsCast;
            let typed = |key: &str| js_sys::Reflect::get(data, &key.into()).ok();
            let labels = typed(LABELS_KEY).and_then(|v| v.dyn_into::<js_sys::Int32Array>().ok());
            let coords = typed(COORDS_KEY).and_then(|v| v.dyn_into::<js_sys::Float32Array>().ok());
            let membership = typed(MEMBERSHIP_KEY).and_then(|v| v.dyn_into::<js_sys::Float32Array>().ok());
            let (Some(labels), Some(coords)) = (labels, coords) else {
                return Some(unreadable("a result came without its rows".into()));
            };
            let rows = RowArrays {
                labels: labels.to_vec(),
                coords: coords.to_vec(),
                membership: membership.map(|m| m.to_vec()),
            };
            if let Err(e) = Arc::make_mut(result).set_row_arrays(rows) {
                return Some(unreadable(e));
            }
        }
        if let Reply::Exported { file, .. } = &mut reply {
            use wasm_bindgen::JsCast;
            *file = js_sys::Reflect::get(data, &CSV_KEY.into()).ok().and_then(|v| v.dyn_into().ok());
            if file.is_none() {
                return Some(unreadable("an export came without its file".into()));
            }
        }
        Some(reply)
    }
}

fn set(message: &js_sys::Object, key: &str, value: &wasm_bindgen::JsValue) {
    let _ = js_sys::Reflect::set(message, &key.into(), value);
}
