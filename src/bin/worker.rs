//! The analysis worker: a Web Worker running the core off the page's thread, so the page never freezes.
//! It keeps the last loaded table between runs; the page cancels a run by terminating the worker.

#[cfg(target_arch = "wasm32")]
fn main() {
    worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("The worker runs in the browser only: build it with trunk (see README.md).");
}

#[cfg(target_arch = "wasm32")]
mod worker {
    use segment_app::protocol::{Reply, Request, BYTES_KEY, JSON_KEY};
    use segment_core::auto::{choose, search, SearchOptions};
    use segment_core::export::{labeled_csv, removed_rows_csv};
    use segment_core::ingest::Table;
    use segment_core::model::{apply, match_columns, movers_csv, Movement, SegmentModel};
    use segment_core::pipeline::{
        k_distance_for, k_sweep, run, summarize_customers, summarize_with, AnalysisResult, StabilityJob,
        Stage, SWEEP_KS,
    };
    use segment_core::transactions::{read_customers, LoadMode};
    use segment_core::CoreError;
    use std::cell::RefCell;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    thread_local! {
        static TABLE: RefCell<Option<Table>> = const { RefCell::new(None) };
        /// The loaded file's bytes, for the export (which writes every original row back).
        static BYTES: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
        /// The last run's result, for the export.
        static LAST: RefCell<Option<AnalysisResult>> = const { RefCell::new(None) };
        /// The last model applied and the movement it found, for the movers download.
        static MOVED: RefCell<Option<(SegmentModel, Movement)>> = const { RefCell::new(None) };
        /// The stability measurement under way, with the generation of requests it belongs to.
        static STABILITY: RefCell<Option<(u64, StabilityJob)>> = const { RefCell::new(None) };
        /// Bumped by every request but `Stability`: a measurement of an older generation stops.
        static GENERATION: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
        /// The file of the last `Apply`, kept until it succeeds (a column mapping may follow).
        static APPLY_FILE: RefCell<Option<(Vec<u8>, Table)>> = const { RefCell::new(None) };
    }

    fn scope() -> Option<DedicatedWorkerGlobalScope> {
        js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>().ok()
    }

    fn now_ms() -> f64 {
        scope().and_then(|s| s.performance()).map_or(0.0, |p| p.now())
    }

    fn post(reply: &Reply) {
        let json = serde_json::to_string(reply).unwrap_or_else(|e| {
            format!(r#"{{"type":"failed","message":"internal error: could not encode the reply ({e})"}}"#)
        });
        let message = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&message, &JSON_KEY.into(), &json.into());
        if let Some(s) = scope() {
            let _ = s.post_message(&message);
        }
    }

    /// Posts progress at most every ~50 ms, so reports never cost more than the work they describe.
    fn progress_reporter() -> impl FnMut(Stage, f64) {
        let mut last = (None, f64::NEG_INFINITY);
        move |stage, fraction| {
            let t = now_ms();
            if last.0 != Some(stage) || t - last.1 > 50.0 {
                last = (Some(stage), t);
                post(&Reply::Progress { stage, fraction });
            }
        }
    }

    fn handle(event: MessageEvent) {
        let data = event.data();
        let json = js_sys::Reflect::get(&data, &JSON_KEY.into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default();
        let request: Request = match serde_json::from_str(&json) {
            Ok(r) => r,
            Err(e) => return post(&Reply::Failed { message: format!("internal error: bad request ({e})") }),
        };
        let started = now_ms();
        let mut progress = progress_reporter();
        if !matches!(request, Request::Stability) {
            // Any new work supersedes a stability measurement still running.
            GENERATION.set(GENERATION.get() + 1);
            STABILITY.with(|s| *s.borrow_mut() = None);
        }
        match request {
            Request::Load { mode, .. } => {
                let bytes = attached_bytes(&data).unwrap_or_default();
                progress(Stage::Reading, 0.0);
                let loaded = read_customers(bytes, &mode, &mut |f| progress(Stage::Reading, f)).and_then(
                    |customers| summarize_customers(&customers).map(|summary| (customers, summary)),
                );
                LAST.with(|l| *l.borrow_mut() = None);
                match loaded {
                    Ok((customers, summary)) => {
                        TABLE.with(|t| *t.borrow_mut() = Some(customers.table));
                        BYTES.with(|b| *b.borrow_mut() = customers.bytes);
                        post(&Reply::Loaded { summary, elapsed_ms: now_ms() - started });
                    }
                    Err(e) => {
                        TABLE.with(|t| *t.borrow_mut() = None);
                        BYTES.with(|b| b.borrow_mut().clear());
                        post(&Reply::Failed { message: e.to_string() });
                    }
                }
            }
            Request::Run { spec } => match with_table(|table| run(table, &spec, &mut progress)) {
                Ok(result) => {
                    let reply = Reply::Done { result: Box::new(result), elapsed_ms: now_ms() - started };
                    post(&reply);
                    // Keep the posted result (no copy) for stability and exports.
                    if let Reply::Done { result, .. } = reply {
                        LAST.with(|l| *l.borrow_mut() = Some(*result));
                    }
                }
                Err(message) => post(&Reply::Failed { message }),
            },
            Request::Choose { spec, fit: true } => {
                match with_table(|table| choose(table, &spec, &mut progress)) {
                    Ok((choice, result)) => {
                        let reply = Reply::Chosen {
                            choice: Box::new(choice),
                            result: Box::new(result),
                            elapsed_ms: now_ms() - started,
                        };
                        post(&reply);
                        if let Reply::Chosen { result, .. } = reply {
                            LAST.with(|l| *l.borrow_mut() = Some(*result));
                        }
                    }
                    Err(message) => post(&Reply::Failed { message }),
                }
            }
            Request::Choose { spec, fit: false } => {
                // Silent on failure: the comparison is a bonus beside a result already shown.
                let options = SearchOptions::default();
                if let Ok(choice) = with_table(|table| search(table, &spec, options, &mut |_| {})) {
                    post(&Reply::Candidates { choice: Box::new(choice) });
                }
            }
            Request::KDistance { spec } => {
                if let Ok(Some(k_distance)) = with_table(|table| Ok(k_distance_for(table, &spec))) {
                    post(&Reply::KDistance { k_distance });
                }
            }
            Request::Stability => {
                // Silent on failure: stability is a bonus on a result already shown.
                let job = LAST.with(|l| {
                    let last = l.borrow();
                    let result = last.as_ref()?;
                    with_table(|table| StabilityJob::new(table, result)).ok()
                });
                match job {
                    Some(Ok(job)) => {
                        let generation = GENERATION.get();
                        STABILITY.with(|s| *s.borrow_mut() = Some((generation, job)));
                        schedule_stability_step();
                    }
                    Some(Err(skipped)) => post(&Reply::Stability { stability: skipped }),
                    None => {}
                }
            }
            Request::Export { names } => {
                post(&export("segments", |bytes, result| labeled_csv(bytes, result, &names)));
            }
            Request::ExportRemoved => post(&export("removed-rows", removed_rows_csv)),
            Request::UsedRow { used } => {
                let found = LAST.with(|l| {
                    let last = l.borrow();
                    let row = last.as_ref().and_then(|r| r.kept_rows.get(used).copied())?;
                    let page =
                        BYTES.with(|b| segment_core::export::preview(&b.borrow(), row, 1, None)).ok()?;
                    let cells = page.header.into_iter().zip(page.rows.into_iter().next()?).collect();
                    Some(Reply::UsedRow { used, row: row + 1, cells })
                });
                if let Some(reply) = found {
                    post(&reply);
                }
            }
            Request::Preview { start, count } => {
                let page = LAST.with(|l| {
                    BYTES.with(|b| {
                        segment_core::export::preview(&b.borrow(), start, count, l.borrow().as_ref())
                    })
                });
                post(&match page {
                    Ok(preview) => Reply::Preview { preview },
                    Err(e) => Reply::Failed { message: e.to_string() },
                });
            }
            Request::SaveModel { names, file_name } => {
                let json = LAST.with(|l| match l.borrow().as_ref() {
                    Some(result) => BYTES.with(|b| {
                        with_table(|table| {
                            SegmentModel::from_result(&b.borrow(), table, result, &names, &file_name)
                                .map(|m| m.to_json())
                        })
                    }),
                    None => {
                        Err("Run a segmentation first: the model saves its settings and segments.".into())
                    }
                });
                post(
                    &json.map_or_else(|message| Reply::Failed { message }, |json| Reply::ModelSaved { json }),
                );
            }
            Request::ReadModel { json } => post(&match SegmentModel::from_json(&json) {
                Ok(model) => Reply::ModelRead { info: model.info() },
                Err(e) => Reply::Failed { message: e.to_string() },
            }),
            Request::Apply { model_json, mapping } => {
                let reply = apply_model(&model_json, &mapping, attached_bytes(&data), started, &mut progress);
                post(&reply);
                if let Reply::Applied { applied, .. } = reply {
                    LAST.with(|l| *l.borrow_mut() = Some(applied.result));
                }
            }
            Request::ExportMovers => {
                let csv =
                    MOVED.with(|m| m.borrow().as_ref().map(|(model, movement)| movers_csv(model, movement)));
                post(&match csv {
                    Some(csv) => Reply::Exported { csv, suffix: "movers".into() },
                    None => {
                        Reply::Failed { message: "Apply a model to a file with an id column first.".into() }
                    }
                });
            }
            Request::Sweep { spec } => {
                let reply = with_table(|table| k_sweep(table, &spec, SWEEP_KS, &mut progress))
                    .map(|sweep| Reply::Swept { sweep, elapsed_ms: now_ms() - started });
                post(&reply.unwrap_or_else(|message| Reply::Failed { message }));
            }
        }
    }

    /// Runs the next stability fit in a later task, so a request posted meanwhile is handled first.
    fn schedule_stability_step() {
        let Some(s) = scope() else { return };
        let step = Closure::once_into_js(stability_step);
        let _ = s.set_timeout_with_callback_and_timeout_and_arguments_0(step.unchecked_ref(), 0);
    }

    fn stability_step() {
        let outcome = STABILITY.with(|s| {
            let mut slot = s.borrow_mut();
            let (generation, job) = slot.as_mut()?;
            if *generation != GENERATION.get() {
                *slot = None;
                return None;
            }
            Some(job.step())
        });
        match outcome {
            Some(Some(stability)) => {
                STABILITY.with(|s| *s.borrow_mut() = None);
                post(&Reply::Stability { stability });
            }
            Some(None) => schedule_stability_step(),
            None => {}
        }
    }

    fn attached_bytes(data: &JsValue) -> Option<Vec<u8>> {
        js_sys::Reflect::get(data, &BYTES_KEY.into())
            .ok()
            .and_then(|b| b.dyn_into::<js_sys::Uint8Array>().ok())
            .map(|b| b.to_vec())
    }

    /// Applies a model to a new file (attached, or kept from the last attempt). On success the file
    /// becomes the loaded one, with the applied result as its last run.
    fn apply_model(
        model_json: &str,
        mapping: &[(String, String)],
        bytes: Option<Vec<u8>>,
        started: f64,
        progress: &mut dyn FnMut(Stage, f64),
    ) -> Reply {
        let failed = |e: CoreError| Reply::Failed { message: e.to_string() };
        let model = match SegmentModel::from_json(model_json) {
            Ok(m) => m,
            Err(e) => return failed(e),
        };
        if let Some(bytes) = bytes {
            progress(Stage::Reading, 0.0);
            // A model of customers aggregated from purchase lines aggregates this file the same way.
            let mode = model.spec.transactions.clone().map_or(LoadMode::AsIs, LoadMode::Aggregate);
            match read_customers(bytes, &mode, &mut |f| progress(Stage::Reading, f)) {
                Ok(c) => APPLY_FILE.with(|f| *f.borrow_mut() = Some((c.bytes, c.table))),
                Err(e) => return failed(e),
            }
        }
        let Some((bytes, table)) = APPLY_FILE.with(|f| f.borrow_mut().take()) else {
            return Reply::Failed { message: "Choose the CSV file to apply the model to.".into() };
        };
        let outcome = apply(&model, &bytes, &table, mapping, progress).map(|applied| {
            let summary = summarize_with(&table, &applied.result.spec);
            (applied, summary)
        });
        match outcome {
            Ok((applied, summary)) => {
                MOVED.with(|m| *m.borrow_mut() = applied.movement.clone().map(|mv| (model, mv)));
                TABLE.with(|t| *t.borrow_mut() = Some(table));
                BYTES.with(|b| *b.borrow_mut() = bytes);
                Reply::Applied { summary, applied: Box::new(applied), elapsed_ms: now_ms() - started }
            }
            Err(CoreError::MissingColumns { .. }) => {
                let columns = table.names();
                let missing: Vec<String> = model
                    .spec
                    .features
                    .iter()
                    .filter(|f| match_columns(std::slice::from_ref(*f), &columns, mapping).is_err())
                    .cloned()
                    .collect();
                let message = format!(
                    "This file lacks the model's column(s) {}. Pick the column of this file that holds each, then apply again.",
                    missing.join(", ")
                );
                APPLY_FILE.with(|f| *f.borrow_mut() = Some((bytes, table)));
                Reply::NeedsMapping { message, missing, columns }
            }
            Err(e) => {
                APPLY_FILE.with(|f| *f.borrow_mut() = Some((bytes, table)));
                failed(e)
            }
        }
    }

    /// An export of the last result: `make` gets the file's bytes and the result.
    fn export(
        suffix: &str,
        make: impl FnOnce(&[u8], &AnalysisResult) -> segment_core::Result<String>,
    ) -> Reply {
        let csv = LAST.with(|l| match l.borrow().as_ref() {
            Some(result) => BYTES.with(|b| make(&b.borrow(), result)).map_err(|e| e.to_string()),
            None => Err("Run a segmentation first: the export adds each row's segment.".to_string()),
        });
        match csv {
            Ok(csv) => Reply::Exported { csv, suffix: suffix.to_string() },
            Err(message) => Reply::Failed { message },
        }
    }

    /// Runs `f` on the loaded table; errors become the message the page shows.
    fn with_table<T>(f: impl FnOnce(&Table) -> segment_core::Result<T>) -> Result<T, String> {
        TABLE.with(|t| match t.borrow().as_ref() {
            Some(table) => f(table).map_err(|e| e.to_string()),
            None => Err("No file is loaded. Load a CSV file or the sample first.".to_string()),
        })
    }

    pub fn start() {
        let Some(s) = scope() else { return };
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(handle);
        s.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget(); // lives as long as the worker
        post(&Reply::Ready);
    }
}
