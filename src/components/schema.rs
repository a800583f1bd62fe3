//! The schema table: every column of the loaded file as the reader typed it (numeric with its number
//! format, boolean, date with its format, categorical with its values, id, text, constant, empty), its
//! missing cells, and a role the person can change: segment on it, identify customers with it, or
//! leave it out.

use super::loader::READ_AS_PARQUET;
use super::state;
use crate::format::thousands;
use leptos::prelude::*;
use segment_core::ingest::{ColumnInfo, ColumnKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Feature,
    Id,
    Ignored,
}

impl Role {
    fn key(self) -> &'static str {
        match self {
            Role::Feature => "feature",
            Role::Id => "id",
            Role::Ignored => "ignored",
        }
    }
}

fn can_be_feature(c: &ColumnInfo) -> bool {
    matches!(c.kind, ColumnKind::Numeric | ColumnKind::Boolean | ColumnKind::Date | ColumnKind::Categorical)
}

/// When the segmentation on screen is the automatic choice on other columns than the advised ones,
/// say so: the roles below are the chosen ones, the "Why" column the advice.
fn chosen_view_note(state: &crate::state::AppState) -> Option<String> {
    let advised = state.summary.with(|s| s.as_ref().map(|s| s.suggested.features.clone()))?;
    let on_screen = state.result.with(|r| r.as_ref().map(|r| r.spec.features.clone()))?;
    let (chosen, chosen_features) = state.auto.with(|a| {
        a.as_ref()
            .and_then(|a| a.chosen.and_then(|i| a.candidates.get(i)))
            .map(|c| (c.representation.clone(), c.spec.features.clone()))
    })?;
    (on_screen != advised && on_screen == chosen_features).then(|| {
        format!(
            "The automatic choice segments on {chosen}: its segments separated more clearly than on the advised columns. The roles below are the ones in use; \"Why\" gives each column's advised default."
        )
    })
}

#[component]
pub fn Schema() -> impl IntoView {
    let state = state();
    let role_of = move |name: &str, detected_id: bool| -> Role {
        state.spec.with(|s| match s {
            Some(s) if s.features.iter().any(|f| f == name) => Role::Feature,
            Some(s) if s.id_column.as_deref() == Some(name) => Role::Id,
            Some(s) if s.id_column.is_none() && detected_id => Role::Id,
            _ => Role::Ignored,
        })
    };
    let set_role = move |name: String, role: &str| {
        state.edit_spec(|s| {
            s.features.retain(|f| *f != name);
            if s.id_column.as_deref() == Some(name.as_str()) {
                s.id_column = None;
            }
            match role {
                "feature" => s.features.push(name),
                "id" => s.id_column = Some(name),
                _ => {}
            }
        });
    };
    view! {
        <Show when=move || state.summary.with(Option::is_some)>
            <section class="schema">
                <h2>"Columns"</h2>
                <p class="hint" data-testid="source">
                    {move || state.summary.get().map(|s| {
                        // Customers aggregated from purchase lines: how many lines became how many customers.
                        let rows = match &s.aggregated {
                            Some(a) => format!("{} purchase lines, {} customers", thousands(a.report.rows_in), thousands(s.n_rows)),
                            None => format!("{} rows", thousands(s.n_rows)),
                        };
                        match s.source.as_str() {
                            READ_AS_PARQUET => format!("Read from a Parquet file, {rows}. "),
                            source => format!("Read as {source}, {} separated, {rows}. ", s.delimiter),
                        }
                    })}
                    "How each column was read. Change a column's role to segment on it, to use it as the customer id (for saved models and the movement table), or to leave it out."
                </p>
                {move || chosen_view_note(&state).map(|note| view! { <p class="notice" data-testid="auto-view-note">{note}</p> })}
                <div class="table-scroll" tabindex="0"><table data-testid="schema-table">
                    <thead><tr><th>"Column"</th><th>"Type"</th><th>"Missing"</th><th>"Distinct"</th><th>"What it is"</th><th>"Role"</th><th>"Why (by default)"</th></tr></thead>
                    <tbody>
                        {move || state.summary.get().map(|summary| {
                            // The preset's columns are the original project's choice, not advice.
                            let advice = if summary.preset.is_some() { Vec::new() } else { summary.advice.clone() };
                            let detected_id = summary.columns.iter().find(|c| c.looks_like_id && c.distinct == summary.n_rows).map(|c| c.name.clone());
                            summary.columns.iter().map(|c| {
                                let name = c.name.clone();
                                let is_detected = detected_id.as_deref() == Some(name.as_str());
                                let current = {
                                    let name = name.clone();
                                    move || role_of(&name, is_detected).key()
                                };
                                let feature_ok = can_be_feature(c);
                                let what = advice.iter().find(|a| a.name == c.name).map(|a| a.role.label());
                                let why = advice.iter().find(|a| a.name == c.name).map(|a| match &a.log {
                                    Some(log) => format!("{}; log by default: {log}", a.reason),
                                    None => a.reason.clone(),
                                });
                                let on_change = {
                                    let name = name.clone();
                                    move |ev| set_role(name.clone(), &event_target_value(&ev))
                                };
                                view! {
                                    <tr data-column=name.clone()>
                                        <td>{name.clone()}</td>
                                        <td data-testid="column-type">{c.type_label.clone()}</td>
                                        <td>{thousands(c.missing)}{(c.not_a_number > 0).then(|| format!(" + {} not numbers", thousands(c.not_a_number)))}</td>
                                        <td>{thousands(c.distinct)}</td>
                                        <td data-testid="column-role">{what}</td>
                                        <td>
                                            <select data-testid="role-select" aria-label=format!("Role of {name}") data-column=name.clone() prop:value=current on:change=on_change>
                                                <option value="feature" disabled=!feature_ok>"segment on it"</option>
                                                <option value="id">"customer id"</option>
                                                <option value="ignored">"leave out"</option>
                                            </select>
                                        </td>
                                        <td class="hint" data-testid="column-advice">{why}</td>
                                    </tr>
                                }
                            }).collect_view()
                        })}
                    </tbody>
                </table></div>
            </section>
        </Show>
    }
}
