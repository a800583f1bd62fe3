//! The page's parts, one file each. They read [`crate::state::AppState`] from context and call its actions.

pub(crate) mod canvas;
mod choice;
mod comparison;
pub(crate) mod figure;
mod guidance;
mod loader;
mod model;
mod nav;
mod preview;
mod results;
mod scatter;
mod schema;
mod settings;
mod status;
mod transactions;

pub use choice::AutoChoicePanel;
pub use comparison::Comparison;
pub use guidance::Guidance;
pub(crate) use loader::open_file;
pub use loader::Loader;
pub use model::ModelPanel;
pub use nav::{Nav, TopBar};
pub use preview::Preview;
pub use results::{CleaningReport, Results};
pub use scatter::{MiniMap, Scatter};
pub use schema::Schema;
pub use settings::Settings;
pub use status::StatusBar;
pub use transactions::Transactions;

use crate::state::AppState;
use leptos::prelude::*;

pub(crate) fn state() -> AppState {
    expect_context::<AppState>()
}
