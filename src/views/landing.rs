//! The first screen before any file: what the tool does, the sample, the file picker and drop zone,
//! and the promise that the data stays in the tab. Nothing empty below.

use crate::components::Loader;
use crate::router::Screen;
use leptos::prelude::*;

#[component]
pub fn Landing() -> impl IntoView {
    view! {
        <section class="landing" data-testid="landing" aria-labelledby="landing-title">
            <h2 id="landing-title">"Customer segments your team can act on, from one file"</h2>
            <ul class="promises">
                <li><strong>"Drop a customer export"</strong>" (CSV, Excel or Parquet; purchase lines are grouped per customer). It is cleaned, and every dropped row is accounted for."</li>
                <li><strong>"Get segments by default"</strong>": methods compared by silhouette, Davies-Bouldin and Calinski-Harabasz, the best kept, each segment named and described in words."</li>
                <li><strong>"Keep them"</strong>": download the file with segments, save the model for next month's file, share the settings as a link."</li>
            </ul>
            <Loader />
            <p class="privacy" data-testid="privacy">
                "Private by construction: your file is read in this browser tab and never uploaded. The page asks nothing of any server but its own files, and works offline once opened."
            </p>
            <p class="hint">
                "Have a model from last month? "
                <a href=Screen::Models.hash() data-testid="landing-models">"Apply a saved model"</a>
            </p>
        </section>
    }
}
