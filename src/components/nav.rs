//! The bar above every screen: the tool's name, the loaded file (with a way to open another), the theme
//! switch and the printable report; and the navigation between screens, one link per screen's address
//! (so the keyboard, the back button and a bookmark all reach it). The address is the one source of the
//! screen shown: a link changes it, and the router sets the screen from it.

use super::{state, Loader};
use crate::router::Screen;
use leptos::prelude::*;

#[component]
pub fn TopBar() -> impl IntoView {
    let state = state();
    let prefers_dark = web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches());
    let dark = RwSignal::new(prefers_dark);
    Effect::new(move || {
        let theme = if dark.get() { "dark" } else { "light" };
        if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
            let _ = root.set_attribute("data-theme", theme);
        }
    });
    let loaded = move || state.file_name.with(Option::is_some);
    view! {
        <header class="top">
            <div class="brand">
                <h1>"Client Segmentation Dashboard"</h1>
                <p class="tagline">"Customer segments from a CSV file, computed in this tab: the file never leaves your computer."</p>
            </div>
            <Show when=loaded>
                <Loader compact=true />
            </Show>
            <div class="top-actions">
                <button
                    data-testid="theme-toggle"
                    aria-pressed=move || dark.get().to_string()
                    on:click=move |_| dark.update(|d| *d = !*d)
                >{move || if dark.get() { "Light theme" } else { "Dark theme" }}</button>
                <Show when=move || state.result.with(Option::is_some)>
                    <button
                        data-testid="export-report"
                        title="A summary with aggregates only (no customer rows): choose “Save as PDF” in the print dialog."
                        on:click=move |_| {
                            if let Some(w) = web_sys::window() {
                                let _ = w.print();
                            }
                        }
                    >"Report (print / PDF)"</button>
                </Show>
            </div>
        </header>
    }
}

/// One link per screen; the current one marked for assistive technology.
#[component]
pub fn Nav() -> impl IntoView {
    let state = state();
    view! {
        <nav class="views" aria-label="Screens">
            {Screen::ALL.iter().map(|&s| view! {
                <a
                    href=s.hash()
                    data-testid=format!("view-{}", s.id())
                    class:current=move || state.screen.get() == s
                    aria-current=move || (state.screen.get() == s).then_some("page")
                >{s.label()}</a>
            }).collect_view()}
        </nav>
    }
}
