//! The page's parts, one file each. They read [`crate::app::AppState`] from context and call its actions.

mod canvas;
mod choice;
mod comparison;
mod dashboard;
mod guidance;
mod loader;
mod model;
mod preview;
mod results;
mod scatter;
mod schema;
mod settings;
mod status;
mod transactions;

pub use choice::AutoChoicePanel;
pub use comparison::Comparison;
pub use dashboard::{AnalysisView, CompareView, ExploreView, Nav, OverviewCharts};
pub use guidance::Guidance;
pub use loader::Loader;
pub use model::ModelPanel;
pub use preview::Preview;
pub use results::{CleaningReport, Results};
pub use scatter::Scatter;
pub use schema::Schema;
pub use settings::Settings;
pub use status::StatusBar;
pub use transactions::Transactions;

use crate::app::AppState;
use leptos::prelude::*;

pub(crate) fn state() -> AppState {
    expect_context::<AppState>()
}
