//! The analysis worker: a Web Worker running the core off the page's thread, so the page never freezes.
//! A thin loop: each [`Request`] is one method of the core's [`Session`], which keeps the file and what
//! was computed from it; the answer goes back as a [`Reply`]. Work the session defers (a run's
//! silhouette, stability) goes on in short steps between requests. The page cancels by terminating the
//! worker.
//!
//! [`Session`]: segment_core::session::Session

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
    use segment_app::protocol::{Reply, Request, BLOB_KEY, BYTES_KEY, JSON_KEY};
    use segment_core::model::SegmentModel;
    use segment_core::pipeline::Stage;
    use segment_core::session::{ApplyOutcome, FileInput, FileSource, Finished, Session};
    use segment_core::CoreError;
    use std::cell::RefCell;
    use std::sync::Arc;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    thread_local! {
        static SESSION: RefCell<Session> = RefCell::new(Session::new());
        /// A step of the session's deferred work is scheduled.
        static STEPPING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    fn scope() -> Option<DedicatedWorkerGlobalScope> {
        js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>().ok()
    }

    fn now_ms() -> f64 {
        scope().and_then(|s| s.performance()).map_or(0.0, |p| p.now())
    }

    fn post(reply: Reply) {
        let (message, transfer) = reply.encode();
        if let Some(s) = scope() {
            let _ = s.post_message_with_transfer(&message, &transfer);
        }
    }

    /// Posts progress at most every ~50 ms, so reports never cost more than the work they describe.
    fn progress_reporter() -> impl FnMut(Stage, f64) {
        let mut last = (None, f64::NEG_INFINITY);
        move |stage, fraction| {
            let t = now_ms();
            if last.0 != Some(stage) || t - last.1 > 50.0 {
                last = (Some(stage), t);
                post(Reply::Progress { stage, fraction });
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
            Err(e) => {
                let error = CoreError::Internal(format!("the worker could not read a request ({e})"));
                return post(Reply::Failed { error });
            }
        };
        let bytes = attached_bytes(&data);
        let source = attached_file(&data, &request);
        let reply = SESSION.with(|session| answer(&mut session.borrow_mut(), request, bytes, source));
        match reply {
            Ok(Some(reply)) => post(reply),
            Ok(None) => {}
            Err(error) => post(Reply::Failed { error }),
        }
        schedule_deferred();
    }

    /// The session's answer to one request. `Ok(None)`: nothing to say (a bonus that failed quietly).
    fn answer(
        session: &mut Session,
        request: Request,
        bytes: Option<Vec<u8>>,
        source: Option<Box<dyn FileSource>>,
    ) -> Result<Option<Reply>, CoreError> {
        let started = now_ms();
        let elapsed = || now_ms() - started;
        let mut progress = progress_reporter();
        let reply = match request {
            Request::Load { mode, .. } => {
                // A file the person picked is read from it in chunks; the sample and a converted
                // Parquet file come as bytes.
                let summary = match source {
                    Some(source) => session.load_from(source, &mode, &mut progress)?,
                    None => session.load(bytes.unwrap_or_default(), &mode, &mut progress)?,
                };
                Reply::Loaded { summary: Box::new(summary), elapsed_ms: elapsed() }
            }
            Request::Reload { mode } => {
                let summary = session.reload(&mode, &mut progress)?;
                Reply::Loaded { summary: Box::new(summary), elapsed_ms: elapsed() }
            }
            // The silhouette follows as `Scored`, so the page draws the new segments first.
            Request::Run { spec } => {
                let result = Arc::clone(&session.run_deferred(&spec, &mut progress)?.result);
                Reply::Done { result, elapsed_ms: elapsed() }
            }
            // As a run: the pick's silhouette follows as `Scored`.
            Request::Choose { spec, fit: true } => {
                let (choice, segmentation) = session.choose_deferred(&spec, &mut progress)?;
                let result = Arc::clone(&segmentation.result);
                Reply::Chosen { choice: Box::new(choice), result, elapsed_ms: elapsed() }
            }
            // A bonus beside a result already shown: silent on failure.
            Request::Choose { spec, fit: false } => match session.candidates(&spec, &mut |_| {}) {
                Ok(choice) => Reply::Candidates { choice: Box::new(choice) },
                Err(_) => return Ok(None),
            },
            Request::KDistance { spec } => match session.k_distance(&spec) {
                Ok(Some(k_distance)) => Reply::KDistance { k_distance },
                _ => return Ok(None),
            },
            // Measured in steps after the request (Ok(None)), or skipped with the reason at once.
            Request::Stability => match session.start_stability() {
                Ok(Some(skipped)) => Reply::Stability { stability: skipped },
                _ => return Ok(None),
            },
            Request::Sweep { spec } => {
                let sweep = session.sweep(&spec, &mut progress)?;
                Reply::Swept { sweep, elapsed_ms: elapsed() }
            }
            // Exports are written into a Blob in pieces as they are made (the file read again as they
            // go): neither the file nor the export is ever whole in wasm memory.
            Request::Export { names } => {
                let mut file = BlobWriter::default();
                session.export_to(&names, &mut file)?;
                Reply::Exported { suffix: "segments".into(), file: Some(file.finish()?) }
            }
            Request::ExportRemoved => {
                let mut file = BlobWriter::default();
                session.export_removed_to(&mut file)?;
                Reply::Exported { suffix: "removed-rows".into(), file: Some(file.finish()?) }
            }
            Request::ExportMovers => {
                let mut file = BlobWriter::default();
                std::io::Write::write_all(&mut file, session.movers()?.as_bytes())
                    .map_err(|e| CoreError::Internal(format!("the movers could not be written ({e})")))?;
                Reply::Exported { suffix: "movers".into(), file: Some(file.finish()?) }
            }
            Request::Preview { start, count } => Reply::Preview { preview: session.preview(start, count)? },
            Request::UsedRow { used } => match session.used_row(used)? {
                Some(row) => Reply::UsedRow { used, row: row.row, cells: row.cells },
                None => return Ok(None),
            },
            Request::SaveModel { names, file_name, rules } => {
                let model = session.save_model(&names, &file_name)?;
                let model = if rules { model.rules_model()? } else { model };
                Reply::ModelSaved { json: model.to_json(), rules }
            }
            Request::UseRules { names, file_name } => {
                match session.use_rules(&names, &file_name, &mut progress)? {
                    ApplyOutcome::Applied { summary, applied } => {
                        let result =
                            session.segmentation().map(|s| Arc::clone(&s.result)).ok_or_else(|| {
                                CoreError::Internal("the rules' segmentation is missing".into())
                            })?;
                        Reply::Applied { summary, applied, result, elapsed_ms: elapsed() }
                    }
                    ApplyOutcome::NeedsMapping { message, .. } => {
                        return Err(CoreError::Internal(format!("the rules could not be applied: {message}")))
                    }
                }
            }
            Request::ExportSql { names, file_name, dialect, table, rules } => {
                let dialect = segment_core::model::sql::Dialect::parse(&dialect).ok_or_else(|| {
                    segment_core::CoreError::BadSpec(format!("unknown SQL dialect \"{dialect}\""))
                })?;
                let sql = session.export_sql(&names, &file_name, dialect, &table, rules)?;
                Reply::SqlExported { query: sql.query, side_table: sql.side_table }
            }
            Request::ReadModel { json } => Reply::ModelRead { info: SegmentModel::from_json(&json)?.info() },
            Request::Apply { model_json, mapping } => {
                let model = SegmentModel::from_json(&model_json)?;
                // The file to apply it to: the person's File (read in chunks) or a converted file's
                // bytes; neither when the worker keeps the file of an apply waiting for a mapping.
                let file = match (source, bytes) {
                    (Some(source), _) => Some(FileInput::Source(source)),
                    (None, Some(bytes)) => Some(FileInput::Bytes(bytes)),
                    (None, None) => None,
                };
                match session.apply(model, file, &mapping, &mut progress)? {
                    ApplyOutcome::Applied { summary, applied } => {
                        let result =
                            session.segmentation().map(|s| Arc::clone(&s.result)).ok_or_else(|| {
                                CoreError::Internal("the applied segmentation is missing".into())
                            })?;
                        Reply::Applied { summary, applied, result, elapsed_ms: elapsed() }
                    }
                    ApplyOutcome::NeedsMapping { message, missing, columns } => {
                        Reply::NeedsMapping { message, missing, columns }
                    }
                }
            }
        };
        Ok(Some(reply))
    }

    /// Runs the next step of the session's deferred work in a later task, so a request posted meanwhile
    /// is handled first (a request that replaces the segmentation drops the work).
    fn schedule_deferred() {
        let waiting = SESSION.with(|s| s.borrow().has_deferred());
        if !waiting || STEPPING.get() {
            return;
        }
        let Some(s) = scope() else { return };
        STEPPING.set(true);
        let step = Closure::once_into_js(deferred_step);
        let _ = s.set_timeout_with_callback_and_timeout_and_arguments_0(step.unchecked_ref(), 0);
    }

    fn deferred_step() {
        STEPPING.set(false);
        match SESSION.with(|s| s.borrow_mut().step_deferred()) {
            Some(Finished::Silhouette(silhouette)) => post(Reply::Scored { silhouette }),
            Some(Finished::Stability(stability)) => post(Reply::Stability { stability }),
            None => {}
        }
        schedule_deferred();
    }

    /// The file a `Load` names (the person's `File`), which the session reads in chunks, and again
    /// when asked for its rows (an export, a preview), instead of holding its bytes in wasm memory.
    struct BlobFile {
        name: String,
        blob: web_sys::Blob,
    }

    impl FileSource for BlobFile {
        fn name(&self) -> String {
            self.name.clone()
        }

        fn size(&self) -> u64 {
            self.blob.size() as u64
        }

        fn read(&self, start: u64, end: u64) -> Result<Vec<u8>, String> {
            let why = |e: JsValue| {
                e.as_string()
                    .or_else(|| js_sys::JSON::stringify(&e).ok().map(String::from))
                    .unwrap_or_default()
            };
            let slice = self.blob.slice_with_f64_and_f64(start as f64, end as f64).map_err(why)?;
            let reader = web_sys::FileReaderSync::new().map_err(why)?;
            let buffer = reader.read_as_array_buffer(&slice).map_err(why)?;
            Ok(js_sys::Uint8Array::new(&buffer).to_vec())
        }
    }

    /// A CSV file made in the worker: what is written becomes a `Blob` in pieces of
    /// [`BlobWriter::PIECE`] bytes, each joined to the file so far as it is made (the browser keeps
    /// the file's bytes, and the page downloads it): the worker holds at most one piece.
    #[derive(Default)]
    struct BlobWriter {
        file: Option<web_sys::Blob>,
        buffer: Vec<u8>,
        failure: Option<String>,
    }

    impl BlobWriter {
        const PIECE: usize = 4 << 20;

        fn flush_piece(&mut self) {
            if self.buffer.is_empty() && self.file.is_some() {
                return;
            }
            let piece = js_sys::Uint8Array::from(self.buffer.as_slice());
            let parts = match &self.file {
                Some(file) => js_sys::Array::of2(file, &piece),
                None => js_sys::Array::of1(&piece),
            };
            let options = web_sys::BlobPropertyBag::new();
            options.set_type("text/csv");
            match web_sys::Blob::new_with_blob_sequence_and_options(&parts, &options) {
                Ok(file) => self.file = Some(file),
                Err(e) => {
                    self.failure.get_or_insert(format!("{e:?}"));
                }
            }
            self.buffer.clear();
        }

        fn finish(mut self) -> Result<web_sys::Blob, CoreError> {
            self.flush_piece();
            match (self.failure, self.file) {
                (None, Some(file)) => Ok(file),
                (failure, _) => Err(CoreError::Internal(format!(
                    "the export could not be made into a file ({})",
                    failure.unwrap_or_default()
                ))),
            }
        }
    }

    impl std::io::Write for BlobWriter {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.buffer.extend_from_slice(bytes);
            if self.buffer.len() >= Self::PIECE {
                self.flush_piece();
            }
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn attached_file(data: &JsValue, request: &Request) -> Option<Box<dyn FileSource>> {
        let blob = js_sys::Reflect::get(data, &BLOB_KEY.into()).ok()?.dyn_into::<web_sys::Blob>().ok()?;
        let name = match request {
            Request::Load { name, .. } => name.clone(),
            _ => blob.dyn_ref::<web_sys::File>().map_or_else(|| "the file".to_string(), web_sys::File::name),
        };
        Some(Box::new(BlobFile { name, blob }))
    }

    fn attached_bytes(data: &JsValue) -> Option<Vec<u8>> {
        js_sys::Reflect::get(data, &BYTES_KEY.into())
            .ok()
            .and_then(|b| b.dyn_into::<js_sys::Uint8Array>().ok())
            .map(|b| b.to_vec())
    }

    pub fn start() {
        let Some(s) = scope() else { return };
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(handle);
        s.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget(); // lives as long as the worker
        post(Reply::Ready);
    }
}
