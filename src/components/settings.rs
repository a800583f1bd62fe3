//! The analysis settings: features, cleaning rules, scaler and DBSCAN's parameters. Every control edits
//! the one `AnalysisSpec`; "Run" sends it to the worker.

use super::state;
use crate::app::Status;
use crate::format::decimal;
use leptos::prelude::*;
use segment_core::clean::Scope;
use segment_core::features::ScalerKind;
use segment_core::ingest::ColumnKind;
use segment_core::spec::{AnalysisSpec, Method};

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
        state
            .summary
            .get()
            .map(|s| s.columns.iter().filter(|c| c.kind == ColumnKind::Numeric).cloned().collect::<Vec<_>>())
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

/// Parses a positive number typed by the person, or says what is wrong.
fn parse_positive<T: std::str::FromStr + PartialOrd + Default>(name: &str, text: &str) -> Result<T, String> {
    match text.trim().parse::<T>() {
        Ok(v) if v > T::default() => Ok(v),
        _ => Err(format!("{name} must be a positive number (got \"{text}\").")),
    }
}

#[component]
fn Model() -> impl IntoView {
    let state = state();
    let read =
        move |f: fn(&AnalysisSpec) -> String| state.spec.with(|s| s.as_ref().map(f).unwrap_or_default());
    let method = move || state.spec.with(|s| s.as_ref().map(|s| s.method).unwrap_or_default());
    let scaler = move || state.spec.with(|s| s.as_ref().map(|s| s.scaler).unwrap_or_default());
    let invalid = RwSignal::new(None::<String>);
    let on_number = move |apply: fn(&mut AnalysisSpec, f64), name: &'static str| {
        move |ev| {
            let text = event_target_value(&ev);
            match parse_positive::<f64>(name, &text) {
                Ok(v) => {
                    invalid.set(None);
                    edit(|s| apply(s, v));
                }
                Err(message) => invalid.set(Some(message)),
            }
        }
    };
    let busy = move || state.status.get() == Status::Working;
    view! {
        <fieldset data-testid="model">
            <legend>"Method"</legend>
            <label>
                "Clustering method "
                <select
                    data-testid="method-select"
                    on:change=move |ev| {
                        if let Some(m) = Method::from_key(&event_target_value(&ev)) {
                            edit(|s| s.method = m);
                        }
                    }
                >
                    {Method::ALL
                        .into_iter()
                        .map(|m| view! { <option value=m.key() selected=move || method() == m>{m.label()}</option> })
                        .collect_view()}
                </select>
            </label>
            <label>
                "Scaler "
                <select
                    data-testid="scaler-select"
                    on:change=move |ev| {
                        if let Some(kind) = ScalerKind::from_key(&event_target_value(&ev)) {
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
            <Show when=move || method() == Method::Dbscan>
                <label>
                    "eps (neighbourhood radius, scaled units) "
                    <input
                        type="number"
                        step="0.005"
                        min="0"
                        data-testid="eps-input"
                        prop:value=move || read(|s| plain_decimal(s.dbscan.eps))
                        on:change=on_number(|s, v| s.dbscan.eps = v, "eps")
                    />
                </label>
                <label>
                    "min_samples (neighbours, itself included, that make a core customer) "
                    <input
                        type="number"
                        step="1"
                        min="1"
                        data-testid="min-samples-input"
                        prop:value=move || read(|s| s.dbscan.min_samples.to_string())
                        on:change=on_number(|s, v| s.dbscan.min_samples = v.round().max(1.0) as usize, "min_samples")
                    />
                </label>
            </Show>
            <Show when=move || method() == Method::KMeans>
                <label>
                    "k (number of segments) "
                    <input
                        type="number"
                        step="1"
                        min="2"
                        data-testid="k-input"
                        prop:value=move || read(|s| s.kmeans.k.to_string())
                        on:change=on_number(|s, v| s.kmeans.k = v.round().max(1.0) as usize, "k")
                    />
                </label>
            </Show>
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

/// `0.0400` -> `0.04`: the eps field shows what the person would type.
fn plain_decimal(v: f64) -> String {
    let text = decimal(v, 6);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}
