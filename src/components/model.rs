//! Saved models: save the run on screen as a model file, load one, apply it to next month's file, and
//! read what changed (columns matched, drift, who moved between segments).

use super::loader::{open_data_file, read_file, ACCEPT};
use super::results::Download;
use super::state;
use crate::format::{decimal, thousands};
use crate::state::{AppState, ApplyReport, MappingRequest};
use leptos::prelude::*;
use leptos::task::spawn_local;
use segment_core::model::apply::MatchHow;
use segment_core::model::{ModelInfo, Movement};
use std::sync::Arc;

fn first_file(ev: &leptos::ev::Event) -> Option<web_sys::File> {
    let input: web_sys::HtmlInputElement = event_target(ev);
    let file = input.files().and_then(|f| f.get(0));
    input.set_value(""); // choosing the same file again reads it again
    file
}

#[component]
pub fn ModelPanel() -> impl IntoView {
    let state = state();
    let on_model = move |ev: leptos::ev::Event| {
        let Some(file) = first_file(&ev) else { return };
        state.begin("Opening the model");
        spawn_local(async move {
            let name = file.name();
            match read_file(file).await {
                Ok(bytes) => match String::from_utf8(bytes.to_vec()) {
                    Ok(json) => state.read_model(json),
                    Err(_) => state.fail(format!(
                        "\"{name}\" is not a model file (it is not text). Choose a .json file saved with \"Save model\"."
                    )),
                },
                Err(message) => state.fail(message),
            }
        });
    };
    let on_apply = move |ev: leptos::ev::Event| {
        let Some(file) = first_file(&ev) else { return };
        state.begin("Opening the file");
        spawn_local(async move {
            let name = file.name();
            match open_data_file(state, file).await {
                Ok(data) => state.apply_model(name, data),
                Err(message) => state.fail(message),
            }
        });
    };
    let has_model = move || state.model.with(Option::is_some);
    view! {
        <section class="model-panel" data-testid="model-panel">
            <h2>"Saved model: next month's file"</h2>
            <p class="hint">
                "A model keeps a run's settings, scaling and segments. Apply it to a new file to give each customer the segment they would have had, see what drifted and who moved."
            </p>
            {move || state.result.with(Option::is_some).then(|| view! {
                <Download
                    testid="model-download"
                    label="Save model (JSON)"
                    hint=" The settings, the scaler and what assigning segments needs (for DBSCAN, the core points of your data: keep the file as private as the data)."
                    action=AppState::save_model
                />
                <Download
                    testid="rules-model-download"
                    label="Save the rules as a model (JSON)"
                    hint=" Each segment's rule (shown under its profile) becomes the segment: a customer joins the first segment whose rule holds, the most precise first, and customers no rule describes are in no segment. Apply it here to see the rules' segments in the dashboard, or export it as SQL a CRM filter can copy."
                    action=AppState::save_rules_model
                />
                <SqlExport />
            })}
            <div class="model-inputs">
                <label class="file-pick">
                    "Load a saved model"
                    <input type="file" accept=".json,application/json" data-testid="model-input" on:change=on_model />
                </label>
                <label class="file-pick" class:disabled=move || !has_model()>
                    "Apply it to a file"
                    <input
                        type="file"
                        accept=ACCEPT
                        data-testid="apply-input"
                        prop:disabled=move || !has_model()
                        on:change=on_apply
                    />
                </label>
            </div>
            {move || state.model.get().map(|info| view! { <ModelSummary info /> })}
            {move || state.mapping.get().map(|request| view! { <ColumnMapping request /> })}
            {move || state.applied.get().map(|report| view! { <Report report /> })}
        </section>
    }
}

#[component]
fn ModelSummary(info: Arc<ModelInfo>) -> impl IntoView {
    let segments = info
        .segments
        .iter()
        .map(|(name, size)| format!("{name} ({})", thousands(*size)))
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <div class="model-info" data-testid="model-info">
            <p>
                <strong>{format!("Model fitted on {}", info.file_name)}</strong>
                {format!(
                    ": {}, features {}; {} customers in segments {segments}, {} noise.",
                    info.method,
                    info.features.join(", "),
                    thousands(info.rows_used),
                    thousands(info.noise)
                )}
            </p>
            <p class="hint">{format!("Assignment: {}", info.rule)}</p>
            <p class="hint">{match &info.id_column {
                Some(id) => format!("Id column \"{id}\": a file with it gets a table of who moved between segments."),
                None => "No movement table: the model keeps no training customer's segment by id (the training file had no id column, or this is a rule model, whose segments were not the training run's).".to_string(),
            }}</p>
        </div>
    }
}

/// One select per missing model column, among the file's columns.
#[component]
fn ColumnMapping(request: Arc<MappingRequest>) -> impl IntoView {
    let state = state();
    let choices: Vec<RwSignal<String>> = request
        .missing
        .iter()
        .map(|_| RwSignal::new(request.columns.first().cloned().unwrap_or_default()))
        .collect();
    let missing = request.missing.clone();
    let chosen = choices.clone();
    let on_apply = move |_| {
        let mapping = missing.iter().cloned().zip(chosen.iter().map(|c| c.get_untracked())).collect();
        state.apply_with(mapping);
    };
    view! {
        <div class="mapping" data-testid="column-mapping">
            <h3>"Match the model's columns"</h3>
            {request.missing.iter().zip(choices).map(|(name, choice)| {
                let columns = request.columns.clone();
                view! {
                    <label>
                        {format!("{name} is in this file as ")}
                        <select
                            data-testid="column-map"
                            data-column=name.clone()
                            on:change=move |ev| choice.set(event_target_value(&ev))
                        >
                            {columns.into_iter().map(|c| view! { <option value=c.clone()>{c.clone()}</option> }).collect_view()}
                        </select>
                    </label>
                }
            }).collect_view()}
            <button class="primary" data-testid="apply-mapped" on:click=on_apply>"Apply with these columns"</button>
        </div>
    }
}

#[component]
fn Report(report: Arc<ApplyReport>) -> impl IntoView {
    let state = state();
    let renamed: Vec<String> = report
        .columns
        .iter()
        .filter(|c| c.how != MatchHow::Same)
        .map(|c| {
            let how = if c.how == MatchHow::Mapped { "as you mapped it" } else { "a similar name" };
            format!("{} read from \"{}\" ({how})", c.model, c.file)
        })
        .collect();
    let warnings: Vec<String> = report.drift.iter().filter_map(|d| d.warning.clone()).collect();
    let no_drift = warnings.is_empty();
    let model_file = report.model_file.clone();
    view! {
        <div class="apply-report" data-testid="apply-report">
            <h3>{move || format!(
                "Applied {} to {}",
                model_file,
                state.file_name.get().unwrap_or_default()
            )}</h3>
            {(!renamed.is_empty()).then(|| view! { <p class="notice" data-testid="column-matches">{format!("Columns: {}.", renamed.join("; "))}</p> })}
            <h3>"Drift against the training file"</h3>
            {warnings.into_iter().map(|w| view! { <p class="notice warning" data-testid="drift-warning">{w}</p> }).collect_view()}
            {no_drift.then(|| view! {
                <p data-testid="drift-ok">"No drift: every feature stays within its training range and near its training mean."</p>
            })}
            <div class="table-scroll" tabindex="0"><table data-testid="drift-table">
                <thead><tr>
                    <th>"Feature"</th><th>"Training range"</th><th>"Outside it"</th>
                    <th>"Mean now"</th><th>"Training mean"</th><th>"Shift (training sd)"</th>
                </tr></thead>
                <tbody>
                    {report.drift.iter().map(|d| view! {
                        <tr data-feature=d.feature.clone()>
                            <td>{d.feature.clone()}</td>
                            <td>{format!("{} to {}", decimal(d.training_min, 1), decimal(d.training_max, 1))}</td>
                            <td>{format!("{:.1}% ({} below, {} above)", 100.0 * d.share_outside, thousands(d.below), thousands(d.above))}</td>
                            <td>{decimal(d.mean, 1)}</td>
                            <td>{decimal(d.training_mean, 1)}</td>
                            <td>{format!("{:+.2}", d.shift_sd)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table></div>
            {report.rules_words.clone().map(|w| view! { <p data-testid="apply-rule-fidelity">{w}</p> })}
            {match report.movement.clone() {
                Some(m) => view! { <MovementView movement=m /> }.into_any(),
                None => view! {
                    <p class="hint" data-testid="movement-none">
                        "No movement table: it needs an id column in the training file and in this one."
                    </p>
                }.into_any(),
            }}
        </div>
    }
}

#[component]
fn MovementView(movement: Movement) -> impl IntoView {
    let moved = movement.moved;
    view! {
        <h3>"Who moved between segments"</h3>
        <p
            data-testid="movement-summary"
            data-matched=movement.matched
            data-moved=movement.moved
            data-new=movement.new_customers
            data-gone=movement.not_seen_again
        >{format!(
            "{} customers found in both files (by \"{}\"): {} stayed, {} moved. {} are new; {} from the training file are not in this one.",
            thousands(movement.matched),
            movement.id_column,
            thousands(movement.matched - movement.moved),
            thousands(movement.moved),
            thousands(movement.new_customers),
            thousands(movement.not_seen_again),
        )}</p>
        <div class="table-scroll" tabindex="0"><table class="movement" data-testid="movement-table">
            <thead>
                <tr>
                    <th>"In the model ↓ / now →"</th>
                    {movement.labels.iter().map(|l| view! { <th>{l.clone()}</th> }).collect_view()}
                </tr>
            </thead>
            <tbody>
                {movement.labels.iter().zip(&movement.counts).map(|(from, row)| view! {
                    <tr data-from=from.clone()>
                        <th>{from.clone()}</th>
                        {row.iter().enumerate().map(|(j, n)| view! {
                            <td data-to=movement.labels[j].clone() class:diagonal=movement.labels[j] == *from>{thousands(*n)}</td>
                        }).collect_view()}
                    </tr>
                }).collect_view()}
            </tbody>
        </table></div>
        {(moved > 0).then(|| view! {
            <Download
                testid="export-movers"
                label="Download the movers (CSV)"
                hint=" Each customer who changed segment: id, segment in the model, segment now."
                action=AppState::export_movers
            />
        })}
    }
}

/// The model as one SQL query, for the engine where the customer table lives.
#[component]
fn SqlExport() -> impl IntoView {
    let state = state();
    let dialect = RwSignal::new("duckdb".to_string());
    let table = RwSignal::new("customers".to_string());
    let rules = RwSignal::new(false);
    view! {
        <div class="sql-export" data-testid="sql-export">
            <label class="inline">
                "SQL for "
                <select data-testid="sql-dialect" on:change=move |ev| dialect.set(event_target_value(&ev))>
                    <option value="duckdb">"DuckDB"</option>
                    <option value="spark">"Spark SQL"</option>
                    <option value="ansi">"standard SQL"</option>
                </select>
            </label>
            <label class="inline">
                " over table "
                <input
                    type="text"
                    class="table-name"
                    data-testid="sql-table"
                    prop:value=move || table.get()
                    on:change=move |ev| table.set(event_target_value(&ev))
                />
            </label>
            <label class="inline">
                <input type="checkbox" data-testid="sql-rules" on:change=move |ev| rules.set(event_target_checked(&ev)) />
                " the rules as CASE WHEN "
            </label>
            <button data-testid="sql-download" on:click=move |_| state.export_sql(&dialect.get_untracked(), &table.get_untracked(), rules.get_untracked())>
                "Download as SQL"
            </button>
            <p class="hint">"One query that gives every row of the table its segment and name, as applying the model here does, run where the data lives (DuckDB, Spark). A DBSCAN model's core points come as a second file, read by the query from beside it."</p>
        </div>
    }
}
