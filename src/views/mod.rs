//! The screens, one file each for those with their own logic. Every screen is always mounted and shown
//! only when its address is the current one, so what a person chose on a screen (a variable, a zoom)
//! is still there when they come back; its charts draw when it is shown (see `canvas::paint`).

mod analysis;
mod compare;
mod explore;
mod landing;
mod overview;

pub use landing::Landing;

use crate::components::{
    CleaningReport, Comparison, Guidance, ModelPanel, Preview, Scatter, Schema, Transactions,
};
use crate::router::Screen;
use crate::state::AppState;
use analysis::AnalysisScreen;
use compare::CompareScreen;
use explore::ExploreScreen;
use leptos::prelude::*;
use overview::{OverviewScreen, SegmentsScreen};
use segment_core::pipeline::AnalysisResult;
use std::sync::Arc;

pub(crate) fn state() -> AppState {
    expect_context::<AppState>()
}

/// Every screen, the current one shown.
#[component]
pub fn Screens() -> impl IntoView {
    let state = state();
    Screen::ALL
        .iter()
        .map(|&s| {
            view! {
                <section
                    class="view"
                    id=s.id()
                    data-testid=format!("{}-view", s.id())
                    hidden=move || state.screen.get() != s
                    aria-labelledby=format!("{}-title", s.id())
                >
                    <h2 id=format!("{}-title", s.id())>{s.title()}</h2>
                    {body(s)}
                </section>
            }
        })
        .collect_view()
}

fn body(screen: Screen) -> AnyView {
    match screen {
        Screen::Segments => with_result(|r| view! { <SegmentsScreen result=r /> }.into_any()),
        Screen::Overview => with_result(|r| view! { <OverviewScreen result=r /> }.into_any()),
        Screen::Analysis => with_result(|r| view! { <AnalysisScreen result=r /> }.into_any()),
        Screen::Compare => with_result(|r| view! { <CompareScreen result=r /> }.into_any()),
        Screen::Explore => with_result(|r| view! { <ExploreScreen result=r /> }.into_any()),
        Screen::Pca => view! { <Scatter /> }.into_any(),
        Screen::Segment => view! { <Guidance /> <Comparison /> }.into_any(),
        Screen::Data => view! { <Transactions /> <Schema /> <CleaningReport /> <Preview /> }.into_any(),
        Screen::Models => view! { <ModelPanel /> }.into_any(),
    }
}

/// The screen drawn from the result on show, or a line saying what to do first.
fn with_result(draw: impl Fn(Arc<AnalysisResult>) -> AnyView + Send + Sync + 'static) -> AnyView {
    let state = state();
    (move || match state.result.get() {
        Some(r) => draw(r),
        None => view! {
            <p class="hint" data-testid="no-result">
                {move || if state.file_name.with(Option::is_some) {
                    "The segments appear here when the run finishes."
                } else {
                    "Load a file first: the sample or your own."
                }}
            </p>
        }
        .into_any(),
    })
    .into_any()
}
