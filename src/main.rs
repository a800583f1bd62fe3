//! The page's entry point: mount the app. Everything else lives in the library.

#[cfg(target_arch = "wasm32")]
fn main() {
    // A panic in the page is a bug: log its message rather than an opaque "unreachable".
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&format!("segment-app: {info}").into());
    }));
    leptos::mount::mount_to_body(segment_app::app::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("The app runs in the browser: `scripts/serve.sh` builds and serves it (see README.md).");
}
