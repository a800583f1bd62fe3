//! The app: its state (signals), the worker wiring, and the page layout. Components stay thin: they read
//! the state and call the actions here.

use crate::components::{Loader, Results, Scatter, Settings, StatusBar};
use crate::protocol::{Reply, Request};
use crate::worker_client::WorkerClient;
use leptos::prelude::*;
use segment_core::pipeline::{AnalysisResult, DatasetSummary};
use segment_core::spec::AnalysisSpec;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Idle,
    Working,
    Done,
    Error,
}

impl Status {
    /// The `data-state` value tests read.
    pub fn key(self) -> &'static str {
        match self {
            Status::Idle => "idle",
            Status::Working => "working",
            Status::Done => "done",
            Status::Error => "error",
        }
    }
}

/// Everything the page shows, as signals, plus the handles actions need. `Copy`, so every component and
/// closure can hold it.
#[derive(Clone, Copy)]
pub struct AppState {
    pub status: RwSignal<Status>,
    /// Current step and its completed share, while working.
    pub progress: RwSignal<Option<(String, f64)>>,
    pub error: RwSignal<Option<String>>,
    pub notice: RwSignal<Option<String>>,
    pub file_name: RwSignal<Option<String>>,
    pub summary: RwSignal<Option<Arc<DatasetSummary>>>,
    pub spec: RwSignal<Option<AnalysisSpec>>,
    pub result: RwSignal<Option<Arc<AnalysisResult>>>,
    /// Milliseconds from the click that started the work to the result on screen.
    pub elapsed_ms: RwSignal<Option<f64>>,
    started_at: StoredValue<f64>,
    worker: StoredValue<Option<WorkerClient>, LocalStorage>,
    bytes: StoredValue<Option<js_sys::Uint8Array>, LocalStorage>,
    /// The worker holds the current file's table (false after a cancel restarted it).
    worker_has_table: StoredValue<bool>,
    /// A run waiting for the file to be loaded again into a fresh worker.
    pending_run: StoredValue<Option<AnalysisSpec>>,
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Largest file the page accepts: beyond it a tab risks running out of memory.
pub const MAX_FILE_BYTES: f64 = 512.0 * 1024.0 * 1024.0;

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
            started_at: StoredValue::new(0.0),
            worker: StoredValue::new_local(None),
            bytes: StoredValue::new_local(None),
            worker_has_table: StoredValue::new(false),
            pending_run: StoredValue::new(None),
        }
    }

    fn send(&self, request: Request, with_bytes: bool) {
        self.worker.with_value(|w| {
            if let Some(w) = w {
                self.bytes
                    .with_value(|b| w.send(&request, if with_bytes { b.as_ref() } else { None }));
            }
        });
    }

    /// Shows that work has started (before any await, so the status never lags the click).
    pub fn begin(&self, what: &str) {
        self.status.set(Status::Working);
        self.error.set(None);
        self.notice.set(None);
        self.progress.set(Some((what.to_string(), 0.0)));
        self.started_at.set_value(now_ms());
    }

    pub fn fail(&self, message: String) {
        self.error.set(Some(message));
        self.progress.set(None);
        self.status.set(Status::Error);
    }

    /// A new file: parse it in the worker, then run with the settings suggested for it.
    pub fn load(&self, name: String, bytes: js_sys::Uint8Array) {
        self.progress.set(Some(("Reading the file".into(), 0.0)));
        self.file_name.set(Some(name.clone()));
        self.summary.set(None);
        self.spec.set(None);
        self.result.set(None);
        self.elapsed_ms.set(None);
        self.bytes.set_value(Some(bytes));
        self.pending_run.set_value(None);
        self.worker_has_table.set_value(false);
        self.send(Request::Load { name }, true);
    }

    /// Runs the current settings on the loaded file.
    pub fn run(&self) {
        let Some(spec) = self.spec.get_untracked() else {
            return;
        };
        self.begin("Starting");
        if self.worker_has_table.get_value() {
            self.send(Request::Run { spec }, false);
        } else {
            let name = self.file_name.get_untracked().unwrap_or_default();
            self.pending_run.set_value(Some(spec));
            self.send(Request::Load { name }, true);
        }
    }

    /// Stops the running step at once (the worker is terminated and replaced).
    pub fn cancel(&self) {
        self.worker.with_value(|w| {
            if let Some(w) = w {
                w.restart();
            }
        });
        self.worker_has_table.set_value(false);
        self.progress.set(None);
        self.status.set(if self.result.get_untracked().is_some() {
            Status::Done
        } else {
            Status::Idle
        });
        self.notice.set(Some(
            "Cancelled. Change the settings and run again when ready.".into(),
        ));
    }

    fn on_reply(&self, reply: Reply) {
        match reply {
            Reply::Ready => {}
            Reply::Progress { stage, fraction } => {
                if self.status.get_untracked() == Status::Working {
                    self.progress
                        .set(Some((stage.label().to_string(), fraction)));
                }
            }
            Reply::Loaded { summary, .. } => {
                self.worker_has_table.set_value(true);
                let spec = self.pending_run.try_update_value(Option::take).flatten();
                let spec = spec.unwrap_or_else(|| summary.suggested.clone());
                self.summary.set(Some(Arc::new(summary)));
                self.spec.set(Some(spec.clone()));
                self.progress.set(Some(("Starting".into(), 0.0)));
                self.send(Request::Run { spec }, false);
            }
            Reply::Done { result, .. } => {
                self.result.set(Some(Arc::from(result)));
                self.progress.set(None);
                self.status.set(Status::Done);
                self.elapsed_ms
                    .set(Some(now_ms() - self.started_at.get_value()));
            }
            Reply::Failed { message } => self.fail(message),
        }
    }
}

#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    state
        .worker
        .set_value(Some(WorkerClient::new(move |reply| state.on_reply(reply))));
    provide_context(state);

    view! {
        <header class="top">
            <h1>"Client Segmentation Dashboard"</h1>
            <p class="tagline">
                "Turn a customer CSV into segments. Everything runs in this browser tab: your file never leaves your computer."
            </p>
        </header>
        <main>
            <Loader />
            <StatusBar />
            <Settings />
            <Results />
            <Scatter />
        </main>
        <footer>
            <p>
                "Sample data: the e-commerce customers of the original Client Segmentation Dashboard project (MIT licence)."
            </p>
        </footer>
    }
}
