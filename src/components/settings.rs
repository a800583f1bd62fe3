//! The analysis settings: features, cleaning rules, scaler and DBSCAN's parameters. Every control edits
//! the one `AnalysisSpec`; "Run" sends it to the worker.

use super::state;
use crate::app::Status;
use crate::format::decimal;
use leptos::prelude::*;
use segment_core::clean::Scope;
use segment_core::features::ScalerKind;
use segment_core::ingest::ColumnKind;
use segment_core::spec::{Algorithm, AnalysisSpec};

fn edit(f: impl FnOnce(&mut AnalysisSpec)) {
    state().spec.update(|s| {
        if let Some(s) = s {
            f(s)
        }
    });
}

#[component]
pub fn Settings() -> impl IntoView {
    let state = state();
    let spec = state.spec;
    let has_spec = move || spec.with(Option::is_some);
    view! {
        <Show when=has_spec>
            <section class="settings" data-testid="settings">
                <h2>"Settings"</h2>
                {move || state.summary.get().and_then(|s| s.preset.clone()).map(|p| view! {
                    <p class="notice" data-testid="preset">"Recognised " {p} "."</p>
                })}
                <div class="settings-grid">
                    <Features />
                    <Cleaning />
                    <Model />
                </div>
            </section>
        </Show>
    }
}

#[component]
fn Features() -> impl IntoView {
    let state = state();
    let columns = move || {
        state.summary.get().map(|s| {
            s.columns
                .iter()
                .filter(|c| c.kind == ColumnKind::Numeric)
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <fieldset data-testid="features">
            <legend>"Features"</legend>
            <p class="hint">"Numeric columns to segment on. Id columns are left out unless you tick them."</p>
            <For each=move || columns().unwrap_or_default() key=|c| c.name.clone() let:column>
                {
                    let name = column.name.clone();
                    let checked_name = name.clone();
                    let checked = move || state.spec.with(|s| s.as_ref().is_some_and(|s| s.features.contains(&checked_name)));
                    view! {
                        <label class="check">
                            <input
                                type="checkbox"
                                data-testid="feature-checkbox"
                                data-column=name.clone()
                                prop:checked=checked
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    let name = name.clone();
                                    edit(move |s| {
                                        s.features.retain(|f| *f != name);
                                        if on {
                                            s.features.push(name);
                                        }
                                    });
                                }
                            />
                            {column.name.clone()}
                            {column.looks_like_id.then_some(view! { <span class="tag">"id"</span> })}
                        </label>
                    }
                }
            </For>
        </fieldset>
    }
}

#[component]
fn Cleaning() -> impl IntoView {
    let state = state();
    let rules = move || state.spec.with(|s| s.as_ref().map(|s| s.cleaning.clone()));
    let scope_all = |scope: Option<Scope>| scope == Some(Scope::AllColumns);
    view! {
        <fieldset data-testid="cleaning-rules">
            <legend>"Cleaning"</legend>
            <p class="hint">"Rows with a missing or non-numeric feature are always dropped. Optional rules:"</p>
            <label class="check">
                <input
                    type="checkbox"
                    data-testid="rule-missing-any"
                    prop:checked=move || rules().is_some_and(|r| r.drop_missing == Scope::AllColumns)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        edit(|s| s.cleaning.drop_missing = if on { Scope::AllColumns } else { Scope::Features });
                    }
                />
                "drop rows with a missing value in any column"
            </label>
            <label class="check">
                <input
                    type="checkbox"
                    data-testid="rule-negative"
                    prop:checked=move || rules().is_some_and(|r| scope_all(r.drop_negative))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        edit(|s| s.cleaning.drop_negative = on.then_some(Scope::AllColumns));
                    }
                />
                "drop rows with a negative number"
            </label>
            <label class="check">
                <input
                    type="checkbox"
                    data-testid="rule-zero"
                    prop:checked=move || rules().is_some_and(|r| scope_all(r.drop_zero))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        edit(|s| s.cleaning.drop_zero = on.then_some(Scope::AllColumns));
                    }
                />
                "drop rows with a zero"
            </label>
        </fieldset>
    }
}

#[component]
fn Model() -> impl IntoView {
    let state = state();
    let dbscan = move || {
        state.spec.with(|s| match s.as_ref().map(|s| s.algorithm) {
            Some(Algorithm::Dbscan { eps, min_samples }) => (eps, min_samples),
            None => (0.0, 0),
        })
    };
    let scaler = move || {
        state
            .spec
            .with(|s| s.as_ref().map(|s| s.scaler).unwrap_or_default())
    };
    let invalid = RwSignal::new(None::<String>);
    let set_eps = move |ev| {
        let text = event_target_value(&ev);
        match text.trim().parse::<f64>() {
            Ok(eps) if eps.is_finite() && eps > 0.0 => {
                invalid.set(None);
                edit(|s| {
                    let Algorithm::Dbscan { min_samples, .. } = s.algorithm;
                    s.algorithm = Algorithm::Dbscan { eps, min_samples };
                });
            }
            _ => invalid.set(Some(format!(
                "eps must be a positive number (got \"{text}\")."
            ))),
        }
    };
    let set_min = move |ev| {
        let text = event_target_value(&ev);
        match text.trim().parse::<usize>() {
            Ok(min_samples) if min_samples >= 1 => {
                invalid.set(None);
                edit(|s| {
                    let Algorithm::Dbscan { eps, .. } = s.algorithm;
                    s.algorithm = Algorithm::Dbscan { eps, min_samples };
                });
            }
            _ => invalid.set(Some(format!(
                "min_samples must be a whole number of at least 1 (got \"{text}\")."
            ))),
        }
    };
    let busy = move || state.status.get() == Status::Working;
    view! {
        <fieldset data-testid="model">
            <legend>"Scaling and DBSCAN"</legend>
            <label>
                "Scaler "
                <select
                    data-testid="scaler-select"
                    on:change=move |ev| {
                        let key = event_target_value(&ev);
                        if let Some(kind) = ScalerKind::from_key(&key) {
                            edit(|s| s.scaler = kind);
                        }
                    }
                >
                    {ScalerKind::ALL
                        .into_iter()
                        .map(|k| view! { <option value=k.key() selected=move || scaler() == k>{k.label()}</option> })
                        .collect_view()}
                </select>
            </label>
            <label>
                "eps (neighbourhood radius, scaled units) "
                <input
                    type="number"
                    step="0.005"
                    min="0"
                    data-testid="eps-input"
                    prop:value=move || decimal(dbscan().0, 4).trim_end_matches('0').trim_end_matches('.').to_string()
                    on:change=set_eps
                />
            </label>
            <label>
                "min_samples (neighbours, itself included, that make a core customer) "
                <input
                    type="number"
                    step="1"
                    min="1"
                    data-testid="min-samples-input"
                    prop:value=move || dbscan().1.to_string()
                    on:change=set_min
                />
            </label>
            {move || state.summary.get().and_then(|s| s.k_distance.clone()).map(|kd| view! {
                <p class="hint">
                    "Suggested eps for min_samples " {kd.k} ": "
                    <span data-testid="eps-suggestion">{decimal(kd.knee_eps, 4)}</span>
                    " (the knee of the k-distance curve of " {kd.rows_sampled} " sampled rows)."
                </p>
            })}
            {move || invalid.get().map(|m| view! { <p class="error" data-testid="input-error">{m}</p> })}
            <button
                class="primary"
                data-testid="run-button"
                disabled=move || busy() || invalid.get().is_some()
                on:click=move |_| state.run()
            >
                "Run segmentation"
            </button>
        </fieldset>
    }
}
