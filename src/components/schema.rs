//! The schema table: every column of the loaded file as the reader typed it (numeric with its number
//! format, boolean, date with its format, categorical with its values, id, text, constant, empty), its
//! missing cells, and a role the person can change: segment on it, identify customers with it, or
//! leave it out.

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
        state.spec.update(|s| {
            let Some(s) = s else { return };
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
                    {move || state.summary.get().map(|s| format!("Read as {}, {} separated, {} rows. ", s.source, s.delimiter, thousands(s.n_rows)))}
                    "How each column was read. Change a column's role to segment on it, to use it as the customer id (for saved models and the movement table), or to leave it out."
                </p>
                <div class="table-scroll"><table data-testid="schema-table">
                    <thead><tr><th>"Column"</th><th>"Type"</th><th>"Missing"</th><th>"Distinct"</th><th>"Role"</th></tr></thead>
                    <tbody>
                        {move || state.summary.get().map(|summary| {
                            let detected_id = summary.columns.iter().find(|c| c.looks_like_id && c.distinct == summary.n_rows).map(|c| c.name.clone());
                            summary.columns.iter().map(|c| {
                                let name = c.name.clone();
                                let is_detected = detected_id.as_deref() == Some(name.as_str());
                                let current = {
                                    let name = name.clone();
                                    move || role_of(&name, is_detected).key()
                                };
                                let feature_ok = can_be_feature(c);
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
                                        <td>
                                            <select data-testid="role-select" data-column=name.clone() prop:value=current on:change=on_change>
                                                <option value="feature" disabled=!feature_ok>"segment on it"</option>
                                                <option value="id">"customer id"</option>
                                                <option value="ignored">"leave out"</option>
                                            </select>
                                        </td>
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
