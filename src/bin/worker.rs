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
    use segment_core::export::{labeled_csv, removed_rows_csv};
    use segment_core::ingest::{read_csv, Table};
    use segment_core::pipeline::{k_sweep, run, stability_of, summarize, AnalysisResult, Stage, SWEEP_KS};
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
        match request {
            Request::Load { .. } => {
                let bytes = js_sys::Reflect::get(&data, &BYTES_KEY.into())
                    .ok()
                    .and_then(|b| b.dyn_into::<js_sys::Uint8Array>().ok())
                    .map(|b| b.to_vec())
                    .unwrap_or_default();
                progress(Stage::Reading, 0.0);
                let loaded = read_csv(&bytes, &mut |f| progress(Stage::Reading, f))
                    .and_then(|table| summarize(&table).map(|summary| (table, summary)));
                LAST.with(|l| *l.borrow_mut() = None);
                match loaded {
                    Ok((table, summary)) => {
                        TABLE.with(|t| *t.borrow_mut() = Some(table));
                        BYTES.with(|b| *b.borrow_mut() = bytes);
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
            Request::Stability => {
                // Silent on failure: stability is a bonus on a result already shown.
                let stability = LAST.with(|l| {
                    let last = l.borrow();
                    let result = last.as_ref()?;
                    with_table(|table| stability_of(table, result, &mut |_, _| {})).ok()
                });
                if let Some(stability) = stability {
                    post(&Reply::Stability { stability });
                }
            }
            Request::Export { names } => {
                post(&export("segments", |bytes, result| labeled_csv(bytes, result, &names)));
            }
            Request::ExportRemoved => post(&export("removed-rows", removed_rows_csv)),
            Request::Sweep { spec } => {
                let reply = with_table(|table| k_sweep(table, &spec, SWEEP_KS, &mut progress))
                    .map(|sweep| Reply::Swept { sweep, elapsed_ms: now_ms() - started });
                post(&reply.unwrap_or_else(|message| Reply::Failed { message }));
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
