//! The screens, one file each for those with their own logic. Every screen is always mounted and shown
//! only when its address is the current one. A screen drawn from the result is built the first time it
//! is shown with that result and kept while hidden, so what a person chose on it (a variable, a zoom) is
//! still there when they come back; a new result builds the screen on show and the answer (Segments),
//! and the others when they are next shown. Its charts draw when it is shown (see `canvas::paint`).

mod compare;
mod explore;
mod landing;
mod one_segment;
mod overview;

pub use landing::Landing;

use crate::components::{
    CleaningReport, Comparison, Guidance, ModelPanel, Preview, Scatter, Schema, Transactions,
};
use crate::router::Screen;
use crate::state::AppState;
use compare::CompareScreen;
use explore::ExploreScreen;
use leptos::prelude::*;
use one_segment::OneSegmentScreen;
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
        Screen::Segments => with_result(screen, |r| view! { <SegmentsScreen result=r /> }.into_any()),
        Screen::Overview => with_result(screen, |r| view! { <OverviewScreen result=r /> }.into_any()),
        Screen::OneSegment => with_result(screen, |r| view! { <OneSegmentScreen result=r /> }.into_any()),
        Screen::Compare => with_result(screen, |r| view! { <CompareScreen result=r /> }.into_any()),
        Screen::Explore => with_result(screen, |r| view! { <ExploreScreen result=r /> }.into_any()),
        Screen::Pca => view! { <Scatter /> }.into_any(),
        Screen::Method => view! { <Guidance /> <Comparison /> }.into_any(),
        Screen::Data => view! { <Transactions /> <Schema /> <CleaningReport /> <Preview /> }.into_any(),
        Screen::Models => view! { <ModelPanel /> }.into_any(),
    }
}

/// What a result screen is drawn from: the result, once the screen has been shown with it.
#[derive(Clone)]
enum Drawn {
    /// No result yet: a line saying what to do first.
    NoResult,
    /// A result the screen has not been shown with: nothing built (the screen is hidden).
    NotShown,
    Result(Arc<AnalysisResult>),
}

impl PartialEq for Drawn {
    /// The same result is the same allocation: comparing two results field by field would cost more
    /// than drawing.
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Drawn::NoResult, Drawn::NoResult) | (Drawn::NotShown, Drawn::NotShown) => true,
            (Drawn::Result(a), Drawn::Result(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

/// The screen drawn from the result, built when `screen` is first shown with it and kept while
/// hidden; or a line saying what to do first.
fn with_result(
    screen: Screen,
    draw: impl Fn(Arc<AnalysisResult>) -> AnyView + Send + Sync + 'static,
) -> AnyView {
    let state = state();
    let drawn = Memo::new(move |before: Option<&Drawn>| {
        let Some(result) = state.result.get() else {
            return Drawn::NoResult;
        };
        let kept = matches!(before, Some(Drawn::Result(r)) if Arc::ptr_eq(r, &result));
        // The answer is built with every result, shown or not: its figures (segments, noise, rows
        // used) are what every other screen's reader comes back to.
        if kept || screen == Screen::Segments || state.screen.get() == screen {
            Drawn::Result(result)
        } else {
            Drawn::NotShown
        }
    });
    (move || match drawn.get() {
        Drawn::Result(r) => draw(r),
        Drawn::NotShown => ().into_any(),
        Drawn::NoResult => view! {
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
