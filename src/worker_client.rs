//! The page's handle on the analysis worker: starts it (from a Blob script, so it works under any
//! sub-path), queues requests until it reports ready, forwards its replies, and restarts it to cancel.
//! A worker that dies (out of memory, a crash) or a message that cannot be read ends in
//! [`Reply::Lost`] and a fresh worker: the page never waits on an answer that will not come.

use crate::protocol::{Reply, Request, BLOB_KEY, BYTES_KEY, JSON_KEY};
use segment_core::CoreError;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, MessageEvent, Url, Worker};

type OnReply = Rc<dyn Fn(Reply)>;

struct Inner {
    worker: Option<Worker>,
    ready: bool,
    queue: Vec<js_sys::Object>,
    on_reply: OnReply,
    // Kept alive as long as the worker they are attached to.
    _handlers: Vec<Closure<dyn FnMut(web_sys::Event)>>,
}

#[derive(Clone)]
pub struct WorkerClient(Rc<RefCell<Inner>>);

impl WorkerClient {
    pub fn new(on_reply: impl Fn(Reply) + 'static) -> Self {
        let client = WorkerClient(Rc::new(RefCell::new(Inner {
            worker: None,
            ready: false,
            queue: Vec::new(),
            on_reply: Rc::new(on_reply),
            _handlers: Vec::new(),
        })));
        client.spawn();
        client
    }

    fn spawn(&self) {
        let on_reply = self.0.borrow().on_reply.clone();
        let worker = match start_worker("worker") {
            Ok(w) => w,
            Err(message) => {
                on_reply(Reply::Lost { error: CoreError::Internal(message) });
                return;
            }
        };
        let weak = Rc::downgrade(&self.0);
        let on_message = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            let Some(inner) = weak.upgrade() else { return };
            let Some(event) = event.dyn_ref::<MessageEvent>() else {
                return;
            };
            let Some(reply) = Reply::decode(&event.data()) else { return };
            if matches!(reply, Reply::Ready) {
                let (worker, queue) = {
                    let mut inner = inner.borrow_mut();
                    inner.ready = true;
                    (inner.worker.clone(), std::mem::take(&mut inner.queue))
                };
                let failed = worker
                    .and_then(|worker| queue.iter().find_map(|message| worker.post_message(message).err()));
                if let Some(e) = failed {
                    let on_reply = inner.borrow().on_reply.clone();
                    on_reply(Reply::Lost { error: not_sent(&e) });
                }
            }
            let on_reply = inner.borrow().on_reply.clone();
            on_reply(reply);
        });
        let lost = |what: &'static str| {
            let weak = Rc::downgrade(&self.0);
            let on_reply = on_reply.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                event.prevent_default();
                let detail = js_sys::Reflect::get(&event, &"message".into()).ok().and_then(|m| m.as_string());
                let error = CoreError::Internal(format!(
                    "{what}{}; the analysis was restarted without the file. If it happens again, the file may be too large for this browser",
                    detail.map(|d| format!(" ({d})")).unwrap_or_default()
                ));
                // A fresh worker, started after this handler returns (it is dropped with the old one).
                if let Some(inner) = weak.upgrade() {
                    if let Some(worker) = inner.borrow_mut().worker.take() {
                        worker.terminate();
                    }
                    let client = WorkerClient(inner);
                    let restart = Closure::once_into_js(move || client.spawn());
                    if let Some(w) = web_sys::window() {
                        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                            restart.unchecked_ref(),
                            0,
                        );
                    }
                }
                on_reply(Reply::Lost { error });
            })
        };
        let on_error = lost("the analysis stopped unexpectedly");
        let on_message_error = lost("a message from the analysis could not be read");
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        worker.set_onmessageerror(Some(on_message_error.as_ref().unchecked_ref()));
        let mut inner = self.0.borrow_mut();
        inner.worker = Some(worker);
        inner.ready = false;
        inner._handlers = vec![on_message, on_error, on_message_error];
    }

    /// Sends a request, with the file for `Load`: its bytes, or the file itself, which the worker reads.
    pub fn send(&self, request: &Request, bytes: Option<&js_sys::Uint8Array>, blob: Option<&web_sys::Blob>) {
        let message = js_sys::Object::new();
        let json = serde_json::to_string(request).unwrap_or_default();
        let _ = js_sys::Reflect::set(&message, &JSON_KEY.into(), &json.into());
        if let Some(bytes) = bytes {
            let _ = js_sys::Reflect::set(&message, &BYTES_KEY.into(), bytes);
        }
        if let Some(blob) = blob {
            let _ = js_sys::Reflect::set(&message, &BLOB_KEY.into(), blob);
        }
        let failed = {
            let mut inner = self.0.borrow_mut();
            match (&inner.worker, inner.ready) {
                (Some(worker), true) => worker.post_message(&message).err(),
                _ => {
                    inner.queue.push(message);
                    None
                }
            }
        };
        // A request the browser would not send is answered here, so the page never waits for it.
        if let Some(e) = failed {
            let on_reply = self.0.borrow().on_reply.clone();
            on_reply(Reply::Lost { error: not_sent(&e) });
        }
    }

    /// Stops whatever the worker is doing by terminating it, and starts a fresh one. The fresh worker
    /// has no table: the caller loads the file again before the next run.
    pub fn restart(&self) {
        {
            let mut inner = self.0.borrow_mut();
            if let Some(worker) = inner.worker.take() {
                worker.terminate();
            }
            inner.queue.clear();
        }
        self.spawn();
    }
}

/// Starts `<name>.js` (built by Trunk from src/bin/<name>.rs) through a Blob script that resolves the
/// file names against `document.baseURI`, so the app works from any sub-path such as /repo-name/.
pub(crate) fn start_worker(name: &str) -> Result<Worker, String> {
    let base = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.base_uri().ok().flatten())
        .unwrap_or_else(|| "./".to_string());
    let base =
        if base.ends_with('/') { base } else { base[..base.rfind('/').map_or(0, |i| i + 1)].to_string() };
    let script = format!(
        "importScripts('{base}{name}.js'); wasm_bindgen({{ module_or_path: '{base}{name}_bg.wasm' }});"
    );
    let parts = js_sys::Array::of1(&JsValue::from_str(&script));
    let options = BlobPropertyBag::new();
    options.set_type("text/javascript");
    let fail = |what: &str, e: JsValue| format!("Could not start the {name} worker ({what}: {e:?}).");
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options).map_err(|e| fail("blob", e))?;
    let url = Url::create_object_url_with_blob(&blob).map_err(|e| fail("url", e))?;
    Worker::new(&url).map_err(|e| fail("worker", e))
}

/// The error a request the browser refused to send (`postMessage` threw) is answered with.
fn not_sent(e: &JsValue) -> CoreError {
    let detail = js_sys::Reflect::get(e, &"message".into()).ok().and_then(|m| m.as_string());
    CoreError::Internal(format!(
        "the request could not be sent to the analysis{}",
        detail.map(|d| format!(" ({d})")).unwrap_or_default()
    ))
}
