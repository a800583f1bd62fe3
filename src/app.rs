//! The page: the top bar, then the landing before any file, or the workspace after: the settings in a
//! side panel (collapsible on a phone) beside the screens. State and actions live in `state.rs`, the
//! screens in `views/`, their parts in `components/`.

use crate::components::{Nav, Settings, StatusBar, TopBar};
use crate::router::Screen;
use crate::state::AppState;
use crate::views::{Landing, Screens};
use leptos::prelude::*;

#[component]
pub fn App() -> impl IntoView {
    let state = AppState::start();
    provide_context(state);
    crate::offline::register();
    // The landing shows until a file is loaded (or the person goes to apply a saved model).
    let landing = move || state.file_name.with(Option::is_none) && state.screen.get() != Screen::Models;
    let narrow = narrow_screen();
    view! {
        <TopBar />
        <main>
            <StatusBar />
            <Show when=landing fallback=move || view! {
                <div class="workspace">
                    <Show when=move || state.spec.with(Option::is_some)>
                        <aside class="side" aria-label="Settings">
                            <details open=move || !narrow.get() data-testid="side-panel">
                                <summary>"Settings"</summary>
                                <Settings />
                            </details>
                        </aside>
                    </Show>
                    <div class="screens">
                        <Nav />
                        <Screens />
                    </div>
                </div>
            }>
                <Landing />
            </Show>
        </main>
        <footer>
            <p>
                "Sample data: the e-commerce customers of the original Client Segmentation Dashboard project (MIT licence)."
            </p>
        </footer>
    }
}

/// Whether the window is phone-narrow (the settings then start folded), kept up to date when it changes.
fn narrow_screen() -> RwSignal<bool> {
    use wasm_bindgen::JsCast;
    let query = web_sys::window().and_then(|w| w.match_media("(max-width: 900px)").ok().flatten());
    let narrow = RwSignal::new(query.as_ref().is_some_and(|q| q.matches()));
    if let Some(query) = query {
        let on_change = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::MediaQueryListEvent)>::new(
            move |e: web_sys::MediaQueryListEvent| narrow.set(e.matches()),
        );
        let _ = query.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
        on_change.forget(); // for the page's lifetime
    }
    narrow
}
