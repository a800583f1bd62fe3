//! The page's side of the Parquet worker (src/bin/parquet.rs): a Parquet file's bytes in, its CSV text
//! out, in a worker started for the file and ended after it. A worker that fails (a decoder trap, out of
//! memory) ends in a message, and the analysis worker is untouched.

use crate::worker_client::start_worker;
use segment_core::CoreError;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::Worker;

/// Whether the bytes are a Parquet file (they start with `PAR1`).
pub fn is_parquet(bytes: &js_sys::Uint8Array) -> bool {
    bytes.length() >= 4 && segment_core::ingest::is_parquet(&bytes.subarray(0, 4).to_vec())
}

/// The next message from `worker` (its `data`), or why none will come.
async fn next_message(worker: &Worker) -> Result<JsValue, String> {
    let mut handlers: Vec<Closure<dyn FnMut(web_sys::Event)>> = Vec::new();
    let promise = js_sys::Promise::new(&mut |resolve: js_sys::Function, reject: js_sys::Function| {
        let on_message = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            let data = event.dyn_ref::<web_sys::MessageEvent>().map_or(JsValue::NULL, |e| e.data());
            let _ = resolve.call1(&JsValue::NULL, &data);
        });
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            event.prevent_default();
            let detail = js_sys::Reflect::get(&event, &"message".into()).ok().and_then(|m| m.as_string());
            let _ = reject.call1(&JsValue::NULL, &JsValue::from_str(&detail.unwrap_or_default()));
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        worker.set_onmessageerror(Some(on_error.as_ref().unchecked_ref()));
        handlers.push(on_message);
        handlers.push(on_error);
    });
    let result = JsFuture::from(promise).await;
    drop(handlers);
    result.map_err(|detail| {
        let detail = detail.as_string().filter(|d| !d.is_empty());
        format!(
            "The Parquet file could not be read: the reader stopped{}. The file may be damaged or too large for this browser; the command line (`segment`) reads it too.",
            detail.map(|d| format!(" ({d})")).unwrap_or_default()
        )
    })
}

/// A Parquet file's CSV text (as bytes), or the message to show.
pub async fn to_csv(bytes: js_sys::Uint8Array) -> Result<js_sys::Uint8Array, String> {
    let worker = start_worker("parquet")?;
    let result = convert(&worker, bytes).await;
    worker.terminate();
    result
}

async fn convert(worker: &Worker, bytes: js_sys::Uint8Array) -> Result<js_sys::Uint8Array, String> {
    next_message(worker).await?; // {ready: true}
    let message = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&message, &"bytes".into(), &bytes);
    worker
        .post_message_with_transfer(&message, &js_sys::Array::of1(&bytes.buffer()))
        .map_err(|e| format!("Could not hand the file to the Parquet reader ({e:?})."))?;
    // The answer's handlers are set as this await starts, before the page's thread can take a message.
    let reply = next_message(worker).await?;
    if let Ok(csv) =
        js_sys::Reflect::get(&reply, &"csv".into()).and_then(|c| c.dyn_into::<js_sys::Uint8Array>())
    {
        return Ok(csv);
    }
    let json =
        js_sys::Reflect::get(&reply, &"error".into()).ok().and_then(|e| e.as_string()).unwrap_or_default();
    Err(match serde_json::from_str::<CoreError>(&json) {
        Ok(error) => error.to_string(),
        Err(_) => "The Parquet reader gave no answer. Reload the page and try again.".into(),
    })
}
