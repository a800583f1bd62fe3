//! The page's state (signals) and its actions: what a click asks of the worker, and what each reply
//! changes on screen. Components and views read this state from context and call these actions; they
//! hold no session state of their own.

use crate::protocol::{Reply, Request};
use crate::router::Screen;
use crate::worker_client::WorkerClient;
use leptos::prelude::*;
use segment_core::auto::AutoChoice;
use segment_core::model::{ColumnDrift, ColumnMatch, ModelInfo, Movement};
use segment_core::pipeline::{AnalysisResult, DatasetSummary, KSweep};
use segment_core::score::{SilhouetteScore, Stability};
use segment_core::spec::AnalysisSpec;
use segment_core::transactions::LoadMode;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Idle,
    Working,
    /// The segmentation is on screen; its silhouette is still being measured (the worker takes new
    /// requests meanwhile).
    Scoring,
    Done,
    Error,
}

impl Status {
    /// The `data-state` value tests read.
    pub fn key(self) -> &'static str {
        match self {
            Status::Idle => "idle",
            Status::Working => "working",
            Status::Scoring => "scoring",
            Status::Done => "done",
            Status::Error => "error",
        }
    }

    /// A result is on screen and no work of the page's is under way (its silhouette may still be
    /// measured): the page can ask about it.
    pub fn at_rest(self) -> bool {
        matches!(self, Status::Done | Status::Scoring)
    }
}

/// Everything the page shows, as signals grouped by concern, plus the link to the worker that actions
/// use. `Copy`, so every component and closure can hold it.
#[derive(Clone, Copy)]
pub struct AppState {
    // What the app is doing.
    pub status: RwSignal<Status>,
    /// Current step and its completed share, while working.
    pub progress: RwSignal<Option<(String, f64)>>,
    pub error: RwSignal<Option<String>>,
    pub notice: RwSignal<Option<String>>,
    /// Milliseconds from the click that started the work to the result on screen.
    pub elapsed_ms: RwSignal<Option<f64>>,

    // The loaded file.
    pub file_name: RwSignal<Option<String>>,
    pub summary: RwSignal<Option<Arc<DatasetSummary>>>,
    /// The page of the file the preview table shows.
    pub preview: RwSignal<Option<Arc<segment_core::export::Preview>>>,
    /// The file row under the PCA map's pointer: (used row index, file row number, cells).
    pub hover_row: RwSignal<Option<HoverRow>>,

    // The settings and the segmentation on screen.
    pub spec: RwSignal<Option<AnalysisSpec>>,
    /// Settings from a share link, applied to the next file loaded.
    pub shared_spec: RwSignal<Option<AnalysisSpec>>,
    pub result: RwSignal<Option<Arc<AnalysisResult>>>,
    /// The segments' names: the person's (kept in the spec) or the suggested ones.
    pub names: RwSignal<Vec<String>>,
    /// The silhouette of the result on screen: with it, or measured after it was drawn (`Scored`).
    pub silhouette: RwSignal<Option<Arc<SilhouetteScore>>>,
    /// The stability of the result on screen (arrives after it).
    pub stability: RwSignal<Option<Stability>>,
    /// The automatic choice on the current file: the segmentations tried and the pick, with why.
    pub auto: RwSignal<Option<Arc<AutoChoice>>>,
    /// The last k sweep on the current file.
    pub sweep: RwSignal<Option<Arc<KSweep>>>,
    /// Every run on the current file, oldest first: the comparison table.
    pub history: RwSignal<Vec<RunRecord>>,
    /// A change of settings re-runs the segmentation (after a short pause), or waits for "Run".
    pub rerun_on_change: RwSignal<bool>,

    // A saved model and its application to a new file.
    /// The saved model loaded from a file, described.
    pub model: RwSignal<Option<Arc<ModelInfo>>>,
    /// Set when the model's columns are missing from that file: the person maps them.
    pub mapping: RwSignal<Option<Arc<MappingRequest>>>,
    /// What applying the model found besides the result (columns, drift, movement).
    pub applied: RwSignal<Option<Arc<ApplyReport>>>,

    // The screen.
    /// The screen on show (kept equal to the address by the router).
    pub screen: RwSignal<Screen>,
    /// Bumped after the screen or the window's size changed and the page was laid out again: every chart
    /// reads it, so the charts of the screen now shown are drawn at their size.
    pub repaint: RwSignal<u32>,

    /// The worker and what the page keeps to talk to it (never shown).
    link: Link,
}

/// A file a model is applied to: its name, and its bytes (a converted file) or the file itself.
type ApplyFile = (String, Option<js_sys::Uint8Array>, Option<web_sys::Blob>);

/// The page's side of the worker: the worker itself, the bytes it may need again, and what a reply
/// must be matched with.
#[derive(Clone, Copy)]
struct Link {
    worker: StoredValue<Option<WorkerClient>, LocalStorage>,
    /// When the work on screen started (for `elapsed_ms`).
    started_at: StoredValue<f64>,
    /// The current file's bytes, when the page read them (the sample, a converted file or a file a
    /// model was applied to), or the file itself, which the worker reads (a file the person chose):
    /// kept to load it again into a fresh worker after a cancel.
    bytes: StoredValue<Option<js_sys::Uint8Array>, LocalStorage>,
    blob: StoredValue<Option<web_sys::Blob>, LocalStorage>,
    /// The worker holds the current file's table (false after a cancel restarted it).
    worker_has_table: StoredValue<bool>,
    /// A request waiting for the file to be loaded again into a fresh worker.
    pending: StoredValue<Option<Request>>,
    /// The loaded model's text, sent with each apply.
    model_json: StoredValue<Option<String>>,
    /// The file the model is being applied to (name, and its bytes or the file itself, as for
    /// `bytes` and `blob`), until it becomes the loaded file.
    apply_file: StoredValue<Option<ApplyFile>, LocalStorage>,
    /// The apply under way uses the last run's rules as its segments (no model file).
    using_rules: StoredValue<bool>,
    /// How the current file was read (aggregated per customer, or as it is).
    load_mode: StoredValue<LoadMode>,
    /// The k-distance curve of a big file was asked for (it is not computed at load).
    curve_asked: StoredValue<bool>,
    /// The last scheduled re-run on a change of settings; a later change or a run cancels it.
    rerun_token: StoredValue<u64>,
    /// Settings changed while a run was under way: run again once it is done.
    rerun_after: StoredValue<bool>,
    /// A redraw of the charts is already asked for the next frame.
    repaint_pending: StoredValue<bool>,
    /// The result on screen came without its silhouette: a `Scored` reply will follow.
    scoring: StoredValue<bool>,
    /// What the file was read as when the page turned it into text first (a Parquet file), shown
    /// instead of the text encoding the worker saw.
    read_as: StoredValue<Option<String>>,
}

/// The pause after a change of settings before it re-runs: quick changes (ticking three features) make
/// one run.
const RERUN_PAUSE_MS: i32 = 600;

/// A row of the file behind a point of the PCA map: (used row index, file row number, (column, cell)).
pub type HoverRow = (usize, usize, Vec<(String, String)>);

/// The model's columns a file lacks, and the file's columns to pick from.
/// A data file for the analysis worker: the file itself, which the worker reads in chunks, or for a
/// Parquet file its CSV text, made first in the Parquet worker (see parquet_client.rs).
pub(crate) enum DataFile {
    Picked(web_sys::File),
    Converted(js_sys::Uint8Array),
}

#[derive(Debug, Clone, PartialEq)]
pub struct MappingRequest {
    pub missing: Vec<String>,
    pub columns: Vec<String>,
}

/// What the page shows after applying a model, beside the usual result.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplyReport {
    pub model_file: String,
    pub columns: Vec<ColumnMatch>,
    pub drift: Vec<ColumnDrift>,
    pub rule: String,
    pub movement: Option<Movement>,
    /// Whether the model's rules still describe its segments here, in one sentence.
    pub rules_words: Option<String>,
}

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// Largest file the page accepts. Measured (`bench-load.mjs`): the first result of a file takes about
/// 8 times its size in the worker's wasm memory, which wasm32 caps at 4 GB, besides the file's copies
/// in the page and the worker; 300 MB keeps a tab within that with room to spare. Beyond, the command
/// line reads files of any size.
pub const MAX_FILE_BYTES: f64 = 300.0 * 1024.0 * 1024.0;

impl AppState {
    fn new() -> Self {
        AppState {
            status: RwSignal::new(Status::Idle),
            progress: RwSignal::new(None),
            error: RwSignal::new(None),
            notice: RwSignal::new(None),
            file_name: RwSignal::new(None),
            summary: RwSignal::new(None),
            spec: RwSignal::new(None),
            result: RwSignal::new(None),
            elapsed_ms: RwSignal::new(None),
            names: RwSignal::new(Vec::new()),
            silhouette: RwSignal::new(None),
            stability: RwSignal::new(None),
            sweep: RwSignal::new(None),
            history: RwSignal::new(Vec::new()),
            shared_spec: RwSignal::new(None),
            model: RwSignal::new(None),
            mapping: RwSignal::new(None),
            applied: RwSignal::new(None),
            preview: RwSignal::new(None),
            hover_row: RwSignal::new(None),
            auto: RwSignal::new(None),
            screen: RwSignal::new(Screen::Segments),
            repaint: RwSignal::new(0),
            rerun_on_change: RwSignal::new(true),
            link: Link {
                started_at: StoredValue::new(0.0),
                worker: StoredValue::new_local(None),
                bytes: StoredValue::new_local(None),
                blob: StoredValue::new_local(None),
                worker_has_table: StoredValue::new(false),
                pending: StoredValue::new(None),
                model_json: StoredValue::new(None),
                apply_file: StoredValue::new_local(None),
                using_rules: StoredValue::new(false),
                load_mode: StoredValue::new(LoadMode::Auto),
                curve_asked: StoredValue::new(false),
                rerun_token: StoredValue::new(0),
                rerun_after: StoredValue::new(false),
                repaint_pending: StoredValue::new(false),
                scoring: StoredValue::new(false),
                read_as: StoredValue::new(None),
            },
        }
    }

    /// The page's state with its worker started, a share link's settings read (and the address then
    /// turned into a screen's, so the back button never reloads the link) and the router listening.
    pub fn start() -> Self {
        let state = AppState::new();
        state.link.worker.set_value(Some(WorkerClient::new(move |reply| state.on_reply(reply))));
        match crate::share::from_location() {
            Ok(Some(spec)) => {
                state.shared_spec.set(Some(spec));
                state.notice.set(Some(
                    "This link carries analysis settings, not data. Load your CSV file to apply them.".into(),
                ));
                crate::router::replace(Screen::Segments);
            }
            Ok(None) => {}
            Err(message) => {
                state.notice.set(Some(message));
                crate::router::replace(Screen::Segments);
            }
        }
        crate::router::listen(state.screen);
        state.watch_layout();
        state
    }

    /// Redraws the charts once the page has been laid out after a change of screen or window size.
    fn watch_layout(&self) {
        use wasm_bindgen::JsCast;
        let state = *self;
        Effect::new(move |_| {
            state.screen.track();
            state.request_repaint();
        });
        let Some(window) = web_sys::window() else { return };
        let on_resize = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || state.request_repaint());
        let _ = window.add_event_listener_with_callback("resize", on_resize.as_ref().unchecked_ref());
        on_resize.forget(); // for the page's lifetime
    }

    /// Bumps `repaint` after the next paint, once however many times it is asked for before then (a
    /// window being resized sends a stream of events; the charts redraw once a frame at most).
    fn request_repaint(&self) {
        if self.link.repaint_pending.get_value() {
            return;
        }
        self.link.repaint_pending.set_value(true);
        self.after_paint(|s| {
            s.link.repaint_pending.set_value(false);
            s.repaint.update(|n| *n += 1);
        });
    }

    /// Reads the current file again: aggregated per customer with `columns`, or (None) its rows as they
    /// are.
    pub fn reload(&self, columns: Option<segment_core::transactions::TransactionColumns>) {
        let (bytes, blob) = (self.link.bytes.get_value(), self.link.blob.get_value());
        if bytes.is_none() && blob.is_none() {
            return;
        }
        let name = self.file_name.get_untracked().unwrap_or_default();
        self.begin(if columns.is_some() {
            "Aggregating per customer"
        } else {
            "Reading the rows as they are"
        });
        let mode = columns.map_or(LoadMode::AsIs, LoadMode::Aggregate);
        if self.link.worker_has_table.get_value() {
            // The worker kept the file's text: it reads it again without the page sending it.
            self.reset_for_file(name, mode.clone());
            self.send(Request::Reload { mode }, false);
        } else {
            self.load_with(name, bytes, blob, mode);
        }
    }

    fn send(&self, request: Request, with_bytes: bool) {
        self.link.worker.with_value(|w| {
            if let Some(w) = w {
                self.link.bytes.with_value(|b| {
                    self.link.blob.with_value(|blob| {
                        let (b, blob) = if with_bytes { (b.as_ref(), blob.as_ref()) } else { (None, None) };
                        w.send(&request, b, blob)
                    })
                });
            }
        });
    }

    /// Saves the last run as a model file.
    pub fn save_model(&self) {
        let file_name = self.file_name.get_untracked().unwrap_or_default();
        self.begin("Saving the model");
        self.request(Request::SaveModel { names: self.names.get_untracked(), file_name, rules: false });
    }

    /// Saves the last run's rules as a model file: the rules are the segments.
    pub fn save_rules_model(&self) {
        let file_name = self.file_name.get_untracked().unwrap_or_default();
        self.begin("Saving the rules as a model");
        self.request(Request::SaveModel { names: self.names.get_untracked(), file_name, rules: true });
    }

    /// Makes the last run's rules the segments shown: the dashboard, scores, exports and saved model
    /// then follow the rules.
    pub fn use_rules(&self) {
        let file_name = self.file_name.get_untracked().unwrap_or_default();
        self.begin("Using the rules as the segments");
        self.link.using_rules.set_value(true);
        self.request(Request::UseRules { names: self.names.get_untracked(), file_name });
    }

    /// Downloads the last run's model (or, with `rules`, its rule model) as SQL for `dialect`, over a
    /// table named `table`.
    pub fn export_sql(&self, dialect: &str, table: &str, rules: bool) {
        let file_name = self.file_stem();
        self.begin("Writing the model as SQL");
        self.request(Request::ExportSql {
            names: self.names.get_untracked(),
            file_name,
            dialect: dialect.to_string(),
            table: table.to_string(),
            rules,
        });
    }

    /// A model file's text, chosen by the person: checked and described by the worker.
    pub fn read_model(&self, json: String) {
        self.begin("Reading the model");
        self.model.set(None);
        self.link.model_json.set_value(Some(json.clone()));
        self.send(Request::ReadModel { json }, false);
    }

    /// Applies the loaded model to a new file, which then becomes the loaded file (read by the worker
    /// from the file itself, in chunks, as a loaded file is).
    pub(crate) fn apply_model(&self, name: String, data: DataFile) {
        let file = match data {
            DataFile::Picked(file) => (name, None, Some((*file).clone())),
            DataFile::Converted(bytes) => (name, Some(bytes), None),
        };
        self.link.apply_file.set_value(Some(file));
        self.mapping.set(None);
        self.apply_with(Vec::new());
    }

    /// Applies the model to the chosen file with the person's column mapping (model -> file).
    pub fn apply_with(&self, mapping: Vec<(String, String)>) {
        let Some(model_json) = self.link.model_json.get_value() else {
            self.fail("Load a saved model first, then choose the file to apply it to.".into());
            return;
        };
        self.begin("Applying the model");
        self.link.using_rules.set_value(false);
        let request = Request::Apply { model_json, mapping };
        self.link.worker.with_value(|w| {
            if let Some(w) = w {
                self.link.apply_file.with_value(|f| {
                    let (bytes, blob) = f.as_ref().map_or((None, None), |(_, b, f)| (b.as_ref(), f.as_ref()));
                    w.send(&request, bytes, blob)
                });
            }
        });
    }

    /// Downloads the customers who changed segment since the model.
    pub fn export_movers(&self) {
        self.export(Request::ExportMovers);
    }

    /// Shows that work has started (before any await, so the status never lags the click).
    pub fn begin(&self, what: &str) {
        self.status.set(Status::Working);
        self.error.set(None);
        self.notice.set(None);
        self.progress.set(Some((what.to_string(), 0.0)));
        self.link.started_at.set_value(now_ms());
    }

    pub fn fail(&self, message: String) {
        self.error.set(Some(message));
        self.progress.set(None);
        self.status.set(Status::Error);
    }

    /// A new file: parse it in the worker (a file of purchase lines becomes its customers), then segment
    /// it by the automatic choice, or with a share link's settings or the original project's preset.
    /// `bytes`: the file's (the sample's).
    pub fn load(&self, name: String, bytes: js_sys::Uint8Array) {
        self.load_with(name, Some(bytes), None, LoadMode::Auto);
    }

    /// [`AppState::load`] of a file the person chose, which the worker reads from the file itself, in
    /// chunks (and again for exports and previews): the page never holds its bytes.
    pub fn load_file(&self, name: String, file: web_sys::Blob) {
        self.load_with(name, None, Some(file), LoadMode::Auto);
    }

    /// [`AppState::load`] for a file the page turned into text first: `read_as` says what it was.
    pub fn load_converted(&self, name: String, bytes: js_sys::Uint8Array, read_as: &str) {
        self.load_with(name, Some(bytes), None, LoadMode::Auto);
        self.link.read_as.set_value(Some(read_as.to_string()));
    }

    fn load_with(
        &self,
        name: String,
        bytes: Option<js_sys::Uint8Array>,
        file: Option<web_sys::Blob>,
        mode: LoadMode,
    ) {
        self.reset_for_file(name.clone(), mode.clone());
        self.link.bytes.set_value(bytes);
        self.link.blob.set_value(file);
        self.send(Request::Load { name, mode }, true);
    }

    /// Forgets everything shown about the previous file (or reading of it).
    fn reset_for_file(&self, name: String, mode: LoadMode) {
        self.progress.set(Some(("Reading the file".into(), 0.0)));
        self.file_name.set(Some(name.clone()));
        self.summary.set(None);
        self.spec.set(None);
        self.result.set(None);
        self.elapsed_ms.set(None);
        self.sweep.set(None);
        self.history.set(Vec::new());
        self.applied.set(None);
        self.mapping.set(None);
        self.auto.set(None);
        self.stability.set(None);
        self.link.pending.set_value(None);
        self.link.worker_has_table.set_value(false);
        self.link.load_mode.set_value(mode);
        self.link.curve_asked.set_value(false);
        self.link.read_as.set_value(None);
    }

    /// Runs the current settings on the loaded file.
    pub fn run(&self) {
        self.on_settings("Starting", |spec| Request::Run { spec });
    }

    /// The automatic choice on the settings as they are (the features ticked, categories included): the
    /// candidates and the pick, with its reasons, as on a file's first load.
    pub fn choose(&self) {
        self.on_settings("Choosing", |spec| Request::Choose { spec, fit: true });
    }

    /// Sends the request `make` builds from the current settings, saying `what` it is doing.
    fn on_settings(&self, what: &str, make: impl FnOnce(AnalysisSpec) -> Request) {
        let Some(spec) = self.spec.get_untracked() else { return };
        // This takes the settings as they are: a re-run scheduled for an earlier change is moot.
        self.link.rerun_token.update_value(|t| *t = t.wrapping_add(1));
        self.link.rerun_after.set_value(false);
        self.begin(what);
        self.request(make(spec));
    }

    /// A person's change of the settings; it re-runs the segmentation after a short pause when re-running
    /// on change is on and a result is on screen (a change during a run re-runs once that run is done).
    pub fn edit_spec(&self, f: impl FnOnce(&mut AnalysisSpec)) {
        let before = self.spec.get_untracked();
        self.spec.update(|s| {
            if let Some(s) = s {
                f(s)
            }
        });
        // A field left with the value it had (a browser's change event on leaving it) changes nothing.
        let changed = self.spec.with_untracked(|s| *s != before);
        if !changed || !self.rerun_on_change.get_untracked() || self.result.with_untracked(Option::is_none) {
            return;
        }
        use wasm_bindgen::JsCast;
        self.link.rerun_token.update_value(|t| *t = t.wrapping_add(1));
        let token = self.link.rerun_token.get_value();
        let state = *self;
        let fire = wasm_bindgen::closure::Closure::once_into_js(move || {
            if state.link.rerun_token.get_value() != token {
                return; // a later change, or a run, took over
            }
            if state.status.get_untracked() == Status::Working {
                state.link.rerun_after.set_value(true);
            } else {
                state.run();
            }
        });
        if let Some(w) = web_sys::window() {
            let _ =
                w.set_timeout_with_callback_and_timeout_and_arguments_0(fire.unchecked_ref(), RERUN_PAUSE_MS);
        }
    }

    /// Switches re-running on a change of settings; switched off, a re-run already scheduled is dropped.
    pub fn set_rerun_on_change(&self, on: bool) {
        self.rerun_on_change.set(on);
        if !on {
            self.link.rerun_token.update_value(|t| *t = t.wrapping_add(1));
            self.link.rerun_after.set_value(false);
        }
    }

    /// Renames segment `segment`; the name travels in the spec (exports, links) without a re-run.
    pub fn rename(&self, segment: usize, name: String) {
        self.names.update(|names| {
            if let Some(n) = names.get_mut(segment) {
                *n = name;
            }
        });
        let names = self.names.get_untracked();
        self.spec.update(|s| {
            if let Some(s) = s {
                s.segment_names = names;
            }
        });
    }

    /// The display name of a segment (-1 = noise).
    pub fn segment_name(&self, label: i32) -> String {
        match usize::try_from(label) {
            Ok(i) => self.names.with(|n| n.get(i).cloned()).unwrap_or_else(|| format!("Segment {}", i + 1)),
            Err(_) => "Noise".to_string(),
        }
    }

    /// Downloads the loaded file with each row's segment and name (built in the worker).
    pub fn export_csv(&self) {
        self.export(Request::Export { names: self.names.get_untracked() });
    }

    /// The loaded file's name without its extension, with "-customers" when its purchase lines were
    /// aggregated per customer: what the downloads are named after.
    fn file_stem(&self) -> String {
        let name = self.file_name.get_untracked().unwrap_or_default();
        let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s).to_string();
        let aggregated = self.summary.with_untracked(|s| s.as_ref().is_some_and(|s| s.aggregated.is_some()));
        if aggregated {
            format!("{stem}-customers")
        } else {
            stem
        }
    }

    /// Downloads the segment profiles (aggregates only), built here from the result on screen.
    pub fn export_profiles(&self) {
        let Some(result) = self.result.get_untracked() else { return };
        let csv = segment_core::export::profiles_csv(&result, &self.names.get_untracked());
        let stem = self.file_stem();
        if let Err(message) = download(&format!("{stem}-profiles.csv"), &csv, "text/csv") {
            self.fail(message);
        }
    }

    /// Downloads the rows cleaning removed, with why.
    pub fn export_removed(&self) {
        self.export(Request::ExportRemoved);
    }

    /// Asks the worker for the k-distance curve of the current settings, once per loaded file when the
    /// file was too big to get it at load.
    pub fn ask_k_distance(&self) {
        if self.link.curve_asked.get_value() || !self.link.worker_has_table.get_value() {
            return;
        }
        if let Some(spec) = self.spec.get_untracked() {
            self.link.curve_asked.set_value(true);
            self.send(Request::KDistance { spec }, false);
        }
    }

    /// Asks the worker for the file row behind the `used`-th row of the result (not while it works).
    pub fn used_row(&self, used: usize) {
        if self.status.get_untracked().at_rest() && self.link.worker_has_table.get_value() {
            self.send(Request::UsedRow { used }, false);
        }
    }

    /// Asks the worker for `count` rows of the loaded file from `start` (the preview table).
    pub fn preview_rows(&self, start: usize, count: usize) {
        if self.file_name.get_untracked().is_some() {
            self.request(Request::Preview { start, count });
        }
    }

    fn export(&self, request: Request) {
        self.begin("Preparing the export");
        self.request(request);
    }

    /// Back from a side task (cancel, sweep, export): done when a result is on screen, idle otherwise.
    fn settle(&self) {
        self.progress.set(None);
        self.status.set(self.resting_status());
    }

    /// The status when no work of the page's is under way: done (or still scoring) with a result.
    fn resting_status(&self) -> Status {
        match (self.result.with_untracked(Option::is_some), self.link.scoring.get_value()) {
            (false, _) => Status::Idle,
            (true, true) => Status::Scoring,
            (true, false) => Status::Done,
        }
    }

    /// Runs `spec` (a row of the comparison table) again and makes it the current settings.
    pub fn rerun(&self, spec: AnalysisSpec) {
        self.spec.set(Some(spec));
        self.run();
    }

    /// k-means for k = 2..10 with the current features, cleaning and scaling.
    pub fn sweep_k(&self) {
        let Some(spec) = self.spec.get_untracked() else { return };
        self.begin(if spec.method == segment_core::spec::Method::Hdbscan {
            "Sweeping min_cluster_size"
        } else {
            "Sweeping k"
        });
        self.request(Request::Sweep { spec });
    }

    /// Sends a request that needs the table, loading the file again first if the worker was restarted.
    fn request(&self, request: Request) {
        if self.link.worker_has_table.get_value() {
            self.send(request, false);
        } else {
            let name = self.file_name.get_untracked().unwrap_or_default();
            self.link.pending.set_value(Some(request));
            self.send(Request::Load { name, mode: self.link.load_mode.get_value() }, true);
        }
    }

    /// Stops the running step at once (the worker is terminated and replaced).
    pub fn cancel(&self) {
        self.link.worker.with_value(|w| {
            if let Some(w) = w {
                w.restart();
            }
        });
        self.link.worker_has_table.set_value(false);
        // A silhouette being measured ends with the worker.
        self.link.scoring.set_value(false);
        self.settle();
        self.notice.set(Some("Cancelled. Change the settings and run again when ready.".into()));
    }

    /// Runs `f` after the next frame has been painted.
    fn after_paint(&self, f: impl FnOnce(AppState) + 'static) {
        use wasm_bindgen::JsCast;
        let state = *self;
        let Some(window) = web_sys::window() else { return };
        let callback = wasm_bindgen::closure::Closure::once_into_js(move || {
            // A frame callback runs before painting; a zero timeout from it runs after.
            let after = wasm_bindgen::closure::Closure::once_into_js(move || f(state));
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(after.unchecked_ref(), 0);
            }
        });
        let _ = window.request_animation_frame(callback.unchecked_ref());
    }

    /// The first request for a newly loaded file: a share link's settings when its features are all in
    /// the file (said in a notice either way), the original project's preset for its layout, otherwise
    /// the automatic choice from the settings suggested for the file.
    fn first_request(&self, summary: &DatasetSummary) -> Request {
        let suggested = || {
            let spec = summary.suggested.clone();
            self.spec.set(Some(spec.clone()));
            if summary.preset.is_some() {
                Request::Run { spec }
            } else {
                Request::Choose { spec, fit: true }
            }
        };
        let Some(shared) = self.shared_spec.get_untracked() else { return suggested() };
        let missing: Vec<&String> =
            shared.features.iter().filter(|f| !summary.columns.iter().any(|c| &c.name == *f)).collect();
        if missing.is_empty() {
            self.shared_spec.set(None);
            self.notice.set(Some("Applied the settings from the shared link.".into()));
            self.spec.set(Some(shared.clone()));
            Request::Run { spec: shared }
        } else {
            let missing = missing.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", ");
            self.notice.set(Some(format!(
                "The shared link's settings need the column(s) {missing}, which this file lacks: using the settings suggested for this file instead."
            )));
            suggested()
        }
    }

    fn on_reply(&self, reply: Reply) {
        match reply {
            Reply::Ready => {}
            Reply::Preview { preview } => self.preview.set(Some(Arc::new(preview))),
            Reply::UsedRow { used, row, cells } => self.hover_row.set(Some((used, row, cells))),
            Reply::Progress { stage, fraction } => {
                if self.status.get_untracked() == Status::Working {
                    self.progress.set(Some((stage.label().to_string(), fraction)));
                }
            }
            Reply::Loaded { summary, .. } => {
                self.link.worker_has_table.set_value(true);
                // A reload after a cancel carries on with the request that needed it; a new file
                // runs with the settings suggested for it.
                let pending = self.link.pending.try_update_value(Option::take).flatten();
                let request = pending.unwrap_or_else(|| self.first_request(&summary));
                let mut summary = *summary;
                if let Some(read_as) = self.link.read_as.get_value() {
                    summary.source = read_as;
                }
                self.summary.set(Some(Arc::new(summary)));
                self.progress.set(Some(("Starting".into(), 0.0)));
                self.send(request, false);
            }
            Reply::Chosen { choice, result, .. } => {
                self.spec.set(Some(result.spec.clone()));
                self.auto.set(Some(Arc::from(choice)));
                self.on_result(result);
            }
            Reply::Candidates { choice } => self.auto.set(Some(Arc::from(choice))),
            Reply::Done { result, .. } => self.on_result(result),
            Reply::Swept { sweep, .. } => {
                self.sweep.set(Some(Arc::new(sweep)));
                self.settle();
            }
            Reply::Exported { file, suffix } => {
                let stem = self.file_stem();
                self.settle();
                let saved = file
                    .ok_or_else(|| "The export came without its file.".to_string())
                    .and_then(|file| download_blob(&format!("{stem}-{suffix}.csv"), &file));
                if let Err(message) = saved {
                    self.fail(message);
                }
            }
            Reply::Scored { silhouette } => self.on_scored(silhouette),
            Reply::Stability { stability } => {
                self.history.update(|h| {
                    if let Some(last) = h.last_mut() {
                        last.stability = (stability.runs > 0).then_some(stability.mean_ari);
                    }
                });
                self.stability.set(Some(stability));
            }
            Reply::KDistance { k_distance } => {
                if let Some(summary) = self.summary.get_untracked() {
                    let mut summary = (*summary).clone();
                    summary.k_distance = Some(k_distance);
                    self.summary.set(Some(Arc::new(summary)));
                }
            }
            Reply::ModelSaved { json, rules } => {
                let stem = self.file_stem();
                self.settle();
                let name =
                    if rules { format!("{stem}-rules-model.json") } else { format!("{stem}-model.json") };
                if let Err(message) = download(&name, &json, "application/json") {
                    self.fail(message);
                }
            }
            Reply::SqlExported { query, side_table } => {
                let stem = self.file_stem();
                self.settle();
                let mut result = download(&format!("{stem}-segments.sql"), &query, "application/sql");
                if let (Ok(()), Some((name, csv))) = (&result, side_table) {
                    result = download(&name, &csv, "text/csv");
                }
                if let Err(message) = result {
                    self.fail(message);
                }
            }
            Reply::ModelRead { info } => {
                self.notice.set(Some(format!(
                    "Model loaded ({} segments, fitted on {}). Choose the CSV file to apply it to.",
                    info.segments.len(),
                    info.file_name
                )));
                self.model.set(Some(Arc::new(info)));
                self.settle();
            }
            Reply::Applied { summary, applied, result, .. } => self.on_applied(*summary, *applied, result),
            Reply::NeedsMapping { message, missing, columns } => {
                self.mapping.set(Some(Arc::new(MappingRequest { missing, columns })));
                self.fail(message);
            }
            Reply::Failed { error } => self.fail(error.to_string()),
            Reply::Lost { error } => {
                self.link.worker_has_table.set_value(false);
                self.fail(error.to_string());
            }
        }
    }

    /// A result on screen (a run, or the automatic choice fitted): the comparison table, names, status;
    /// then, once drawn, its stability, and for a file with a preset the automatic choice beside it.
    fn on_result(&self, result: Arc<AnalysisResult>) {
        self.stability.set(None);
        let elapsed = now_ms() - self.link.started_at.get_value();
        self.history.update(|h| h.push(RunRecord::new(&result, elapsed)));
        // The person's names apply while the run has as many segments as they named.
        let given = &result.spec.segment_names;
        let names = if given.len() == result.profiles.len() {
            given.clone()
        } else {
            result.profiles.iter().map(|p| p.suggested_name.clone()).collect()
        };
        self.names.set(names);
        self.show_result(result);
        self.elapsed_ms.set(Some(elapsed));
        if self.link.rerun_after.try_update_value(std::mem::take).unwrap_or(false) {
            // The settings changed during this run: run them now (the result on screen is stale).
            self.after_paint(|state| state.run());
            return;
        }
        // Stability takes a few more fits: ask for it once the page has drawn the result, so the worker
        // does not compete with the first paint. The k-distance curve follows min_samples: ask for it
        // again when that changed. A file shown with a preset gets the automatic choice for comparison
        // first (the worker answers in order; a later request would stop the stability measurement).
        let stale_curve = self.spec.with_untracked(|s| {
            s.as_ref().filter(|s| s.method == segment_core::spec::Method::Dbscan).is_some_and(|s| {
                self.summary.with_untracked(|m| {
                    m.as_ref()
                        .and_then(|m| m.k_distance.as_ref())
                        .is_some_and(|kd| kd.k != s.dbscan.min_samples)
                })
            })
        });
        let compare = self.auto.with_untracked(Option::is_none)
            && self.summary.with_untracked(|m| m.as_ref().is_some_and(|m| m.preset.is_some()));
        self.after_paint(move |state| {
            if compare {
                if let Some(summary) = state.summary.get_untracked() {
                    state.send(Request::Choose { spec: summary.suggested.clone(), fit: false }, false);
                }
            }
            if stale_curve {
                if let Some(spec) = state.spec.get_untracked() {
                    state.send(Request::KDistance { spec }, false);
                }
            }
            state.send(Request::Stability, false);
        });
    }

    /// Puts a result on screen: done, or scoring while its silhouette is measured.
    fn show_result(&self, result: Arc<AnalysisResult>) {
        self.silhouette.set(result.scores.silhouette.clone().map(Arc::new));
        self.link.scoring.set_value(result.scores.silhouette_pending);
        self.result.set(Some(result));
        self.settle();
    }

    /// The silhouette of the result on screen, measured after it was drawn.
    fn on_scored(&self, silhouette: Option<SilhouetteScore>) {
        // The worker answers in order: a silhouette belongs to the result shown last.
        self.history.update(|h| {
            if let Some(last) = h.last_mut() {
                last.silhouette = silhouette.as_ref().map(|s| s.mean);
            }
        });
        self.silhouette.set(silhouette.map(Arc::new));
        self.link.scoring.set_value(false);
        if self.status.get_untracked() == Status::Scoring {
            self.status.set(Status::Done);
        }
    }

    /// The model applied: the new file becomes the loaded one, shown like a run, with the report.
    fn on_applied(
        &self,
        summary: DatasetSummary,
        applied: segment_core::model::Applied,
        result: Arc<AnalysisResult>,
    ) {
        let rules_words = applied.rules_words();
        let segment_core::model::Applied { columns, drift, rule, movement, .. } = applied;
        let elapsed = now_ms() - self.link.started_at.get_value();
        if let Some((name, bytes, blob)) = self.link.apply_file.try_update_value(Option::take).flatten() {
            self.file_name.set(Some(name));
            self.link.bytes.set_value(bytes);
            self.link.blob.set_value(blob);
        }
        self.link.worker_has_table.set_value(true);
        let model_file = if self.link.using_rules.try_update_value(std::mem::take).unwrap_or(false) {
            "this run's rules".to_string()
        } else {
            self.model.get_untracked().map(|m| format!("the model from {}", m.file_name)).unwrap_or_default()
        };
        self.applied.set(Some(Arc::new(ApplyReport {
            model_file,
            columns,
            drift,
            rule,
            movement,
            rules_words,
        })));
        self.mapping.set(None);
        self.summary.set(Some(Arc::new(summary)));
        self.spec.set(Some(result.spec.clone()));
        self.sweep.set(None);
        self.stability.set(None);
        self.history.set(vec![RunRecord::new(&result, elapsed)]);
        self.names.set(result.spec.segment_names.clone());
        self.show_result(result);
        self.elapsed_ms.set(Some(elapsed));
        self.after_paint(move |state| state.send(Request::Stability, false));
    }
}

/// Saves `content` as a file through a temporary blob URL (nothing leaves the browser).
fn download(file_name: &str, content: &str, mime: &str) -> Result<(), String> {
    let fail = |e: wasm_bindgen::JsValue| format!("The download could not be started ({e:?}).");
    let parts = js_sys::Array::of1(&content.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(fail)?;
    download_blob(file_name, &blob)
}

/// Saves `blob` as a file through a temporary blob URL.
fn download_blob(file_name: &str, blob: &web_sys::Blob) -> Result<(), String> {
    use wasm_bindgen::JsCast;
    let fail = |e: wasm_bindgen::JsValue| format!("The download could not be started ({e:?}).");
    let url = web_sys::Url::create_object_url_with_blob(blob).map_err(fail)?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or("No document.")?;
    let anchor: web_sys::HtmlAnchorElement =
        document.create_element("a").map_err(fail)?.dyn_into().map_err(|_| "Not an anchor.".to_string())?;
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.click();
    // Free the blob once the browser has taken the download (revoking at once can cancel it).
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    web_sys::window()
        .ok_or("No window.")?
        .set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 60_000)
        .map(|_| ())
        .map_err(fail)
}

/// One row of the comparison table: a finished run's settings and figures (no data values).
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    pub spec: AnalysisSpec,
    pub segments: usize,
    pub noise_share: f64,
    pub silhouette: Option<f64>,
    pub davies_bouldin: Option<f64>,
    pub calinski_harabasz: Option<f64>,
    /// Mean adjusted Rand index over subsamples, once known.
    pub stability: Option<f64>,
    pub elapsed_ms: f64,
}

impl RunRecord {
    fn new(r: &AnalysisResult, elapsed_ms: f64) -> Self {
        RunRecord {
            spec: r.spec.clone(),
            segments: r.segment_sizes.len(),
            noise_share: r.noise as f64 / r.rows_used.max(1) as f64,
            silhouette: r.scores.silhouette.as_ref().map(|s| s.mean),
            davies_bouldin: r.scores.davies_bouldin,
            calinski_harabasz: r.scores.calinski_harabasz,
            stability: None,
            elapsed_ms,
        }
    }
}
