//! What the app is doing: idle, working (with progress and a cancel button), done, or an error.

use super::state;
use crate::format::decimal;
use crate::state::Status;
use leptos::prelude::*;

#[component]
pub fn StatusBar() -> impl IntoView {
    let state = state();
    let status = state.status;
    let step = move || state.progress.with(|p| p.as_ref().map(|(what, _)| what.clone()).unwrap_or_default());
    let fraction = move || state.progress.with(|p| p.as_ref().map_or(0.0, |(_, f)| *f));
    view! {
        <section
            class="status"
            data-testid="app-status"
            data-state=move || status.get().key()
            aria-live="polite"
            hidden=move || status.get() == Status::Idle && state.notice.with(Option::is_none)
        >
            // One stable element while working, so the cancel button never moves under the pointer.
            <Show when=move || status.get() == Status::Working>
                <div class="progress" data-testid="progress">
                    <span data-testid="progress-step">{step}</span>
                    <progress max="1" prop:value=fraction></progress>
                    <button data-testid="cancel-button" on:click=move |_| state.cancel()>
                        "Cancel"
                    </button>
                </div>
            </Show>
            {move || state.notice.get().map(|n| view! { <p class="notice" data-testid="notice">{n}</p> })}
            <Show when=move || status.get() == Status::Error>
                <div class="error" role="alert" data-testid="error-message">
                    <strong>"Something needs your attention. "</strong>
                    {move || state.error.get()}
                </div>
            </Show>
            <Show when=move || status.get().at_rest()>
                <p class="muted">
                    "Done in "
                    <span data-testid="elapsed-ms">{move || state.elapsed_ms.get().map(|v| decimal(v, 0))}</span>
                    " ms, in this tab."
                    {move || (status.get() == Status::Scoring).then_some(" Measuring the silhouette…")}
                </p>
            </Show>
        </section>
    }
}
