//! Installable and offline. The service worker (`sw.js`, written at build time with the list of the
//! app's files, see `scripts/trunk_post_build.py`) keeps the page's own files, so after a first visit
//! the page opens and runs with the network off. Installed as an app where the browser supports it, a
//! CSV opened with it arrives through the launch queue (the manifest's `file_handlers`).

use crate::state::AppState;
use js_sys::{Function, Reflect};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Registers the service worker (where the browser has them: https or localhost) and takes files the
/// installed app is opened with.
pub fn register() {
    let Some(window) = web_sys::window() else { return };
    let navigator = window.navigator();
    if Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false) {
        let registering = navigator.service_worker().register("sw.js");
        leptos::task::spawn_local(async move {
            // A page served without it (a development server) simply stays online-only.
            let _ = JsFuture::from(registering).await;
        });
    }
    if let Some(state) = use_context::<AppState>() {
        take_launched_files(&window, state);
    }
}

/// `launchQueue.setConsumer(params => open params.files[0])`, when the browser has a launch queue.
fn take_launched_files(window: &web_sys::Window, state: AppState) {
    let Ok(queue) = Reflect::get(window, &"launchQueue".into()) else { return };
    if !queue.is_object() {
        return;
    }
    let consumer = Closure::<dyn Fn(JsValue)>::new(move |params: JsValue| {
        let handle = Reflect::get(&params, &"files".into())
            .ok()
            .and_then(|files| files.dyn_into::<js_sys::Array>().ok())
            .map(|files| files.get(0))
            .filter(|h| h.is_object());
        let Some(handle) = handle else { return };
        let Some(get_file) =
            Reflect::get(&handle, &"getFile".into()).ok().and_then(|f| f.dyn_into::<Function>().ok())
        else {
            return;
        };
        let Ok(promise) = get_file.call0(&handle).and_then(|p| p.dyn_into::<js_sys::Promise>()) else {
            return;
        };
        leptos::task::spawn_local(async move {
            match JsFuture::from(promise).await.map(|f| f.dyn_into::<web_sys::File>()) {
                Ok(Ok(file)) => crate::components::open_file(state, file),
                _ => state.fail(
                    "The file the app was opened with could not be read. Choose it again below.".into(),
                ),
            }
        });
    });
    if let Ok(set) = Reflect::get(&queue, &"setConsumer".into()).and_then(|f| f.dyn_into::<Function>()) {
        let _ = set.call1(&queue, consumer.as_ref().unchecked_ref());
    }
    consumer.forget(); // the queue may call it at any time
}
