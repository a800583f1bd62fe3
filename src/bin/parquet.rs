//! The Parquet worker: turns a dropped Parquet file into the CSV text the analysis worker reads, off the
//! page's thread. A worker of its own, started only when a Parquet file is opened, so the Parquet
//! decoder (arrow-rs `parquet`, about 2.7 MB of wasm) is not in the analysis worker's download.
//!
//! Messages: it posts `{ready: true}` once started; it takes `{bytes: Uint8Array}` and answers
//! `{csv: Uint8Array}` (the text, its buffer transferred) or `{error: "<CoreError as JSON>"}`.

#[cfg(target_arch = "wasm32")]
fn main() {
    parquet_worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("The Parquet worker runs in the browser only: build it with trunk (see README.md).");
}

#[cfg(target_arch = "wasm32")]
mod parquet_worker {
    use segment_core::ingest::parquet::to_csv;
    use segment_core::CoreError;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

    fn scope() -> Option<DedicatedWorkerGlobalScope> {
        js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>().ok()
    }

    fn answer(key: &str, value: &JsValue, transfer: Option<&JsValue>) {
        let message = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&message, &key.into(), value);
        let Some(s) = scope() else { return };
        let _ = match transfer {
            Some(buffer) => s.post_message_with_transfer(&message, &js_sys::Array::of1(buffer)),
            None => s.post_message(&message),
        };
    }

    fn handle(event: MessageEvent) {
        let bytes = js_sys::Reflect::get(&event.data(), &"bytes".into())
            .ok()
            .and_then(|b| b.dyn_into::<js_sys::Uint8Array>().ok())
            .map(|b| b.to_vec());
        let result = match bytes {
            Some(bytes) => to_csv(&bytes),
            None => Err(CoreError::Internal("the Parquet worker got no file".into())),
        };
        match result {
            Ok(text) => {
                let csv = js_sys::Uint8Array::from(text.as_bytes());
                answer("csv", &csv, Some(&csv.buffer()));
            }
            Err(error) => {
                let json = serde_json::to_string(&error).unwrap_or_default();
                answer("error", &json.into(), None);
            }
        }
    }

    pub fn start() {
        let Some(s) = scope() else { return };
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(handle);
        s.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget(); // lives as long as the worker
        answer("ready", &JsValue::TRUE, None);
    }
}
