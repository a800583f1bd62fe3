//! The analysis settings: features, cleaning rules, scaler and DBSCAN's parameters. Every control edits
//! the one `AnalysisSpec`; "Run" sends it to the worker.

use super::state;
use crate::format::decimal;
use crate::state::Status;
use leptos::prelude::*;
use segment_core::clean::{CleaningRules, Impute, Outliers, Scope};
use segment_core::cluster::hdbscan::Selection;
use segment_core::cluster::kprototypes::StartKind;
use segment_core::features::{ScalerKind, Transform};
use segment_core::ingest::ColumnKind;
use segment_core::spec::{AnalysisSpec, Method};

/// A change of a setting (it re-runs after a short pause when re-running on change is on).
fn edit(f: impl FnOnce(&mut AnalysisSpec)) {
    state().edit_spec(f);
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
                    <Model />
                    <Features />
                    <Cleaning />
                </div>
                <label class="share">
                    "Link to these settings (no data: the file stays with you) "
                    <input
                        readonly
                        data-testid="share-link"
                        prop:value=move || state.spec.with(|s| s.as_ref().and_then(crate::share::link).unwrap_or_default())
                        on:focus=move |ev| {
                            let input: web_sys::HtmlInputElement = event_target(&ev);
                            input.select();
                        }
                    />
                </label>
            </section>
        </Show>
    }
}

/// Columns in the features table past which it gets a search box.
const SEARCH_FROM: usize = 20;

/// The features as a compact table, one row per column: use it, log it, what to do with its missing
/// values. Searchable past twenty columns.
#[component]
fn Features() -> impl IntoView {
    let state = state();
    // k-prototypes compares categories by value: every category column can be ticked; with another
    // method a category enters only when chosen in the Columns table (as how common its value is).
    let by_value = move || state.spec.with(|s| s.as_ref().is_some_and(|s| s.method == Method::KPrototypes));
    let columns = move || {
        state.summary.get().map(|s| {
            s.columns
                .iter()
                .filter(|c| {
                    matches!(c.kind, ColumnKind::Numeric | ColumnKind::Boolean | ColumnKind::Date)
                        || (c.kind == ColumnKind::Categorical
                            && (by_value()
                                || state
                                    .spec
                                    .with(|s| s.as_ref().is_some_and(|s| s.features.contains(&c.name)))))
                })
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let query = RwSignal::new(String::new());
    let searchable = move || columns().is_some_and(|c| c.len() > SEARCH_FROM);
    view! {
        <fieldset data-testid="features">
            <legend>"Features"</legend>
            <details class="about">
                <summary class="hint">"Which columns can be features"</summary>
                <p class="hint">"Numeric, yes/no and date columns to segment on (a date counts as days before the file's latest date, like a recency). Id columns are left out unless you tick them. With k-prototypes, category columns (a plan, a country, a channel) are listed here and compared by value: two customers differ when their values differ. With the other methods, a category column chosen as a feature in the Columns table (Data screen) enters as how common each value is (frequency encoding): segments then separate common from rare values, not one value from another."</p>
            </details>
            <Show when=searchable>
                <input
                    type="search"
                    class="feature-search"
                    data-testid="feature-search"
                    placeholder="Find a column"
                    aria-label="Find a column among the features"
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev))
                />
            </Show>
            <div class="features-scroll">
                <table class="features-table" data-testid="features-table">
                    <thead><tr><th scope="col">"Column"</th><th scope="col">"Use"</th><th scope="col">"Log"</th><th scope="col">"Missing"</th></tr></thead>
                    <tbody>
                        <For each=move || columns().unwrap_or_default() key=|c| c.name.clone() let:column>
                            {
                                let name = column.name.clone();
                                let checked_name = name.clone();
                                let matched_name = name.to_lowercase();
                                let row_name = name.clone();
                                let checked = move || state.spec.with(|s| s.as_ref().is_some_and(|s| s.features.contains(&checked_name)));
                                let id = format!("feature-{}", column.name.bytes().map(|b| format!("{b:02x}")).collect::<String>());
                                view! {
                                    <tr data-testid="feature-row" data-column=row_name hidden=move || {
                                        let q = query.get().trim().to_lowercase();
                                        !q.is_empty() && !matched_name.contains(&q)
                                    }>
                                        <th scope="row">
                                            <label for=id.clone()>{column.name.clone()}</label>
                                            {column.looks_like_id.then_some(view! { <span class="tag">"id"</span> })}
                                            {(column.kind == ColumnKind::Date).then_some(view! { <span class="tag" data-testid="date-feature-tag">"days before latest"</span> })}
                                            {(column.kind == ColumnKind::Categorical).then_some(view! {
                                                <Show
                                                    when=by_value
                                                    fallback=|| view! {
                                                        <span class="tag" data-testid="category-feature-tag" title="Frequency encoding: each customer gets the share of customers with the same value. Segments then differ by common versus rare values, not by which value: two values as common look the same. Choose k-prototypes to compare the values themselves.">
                                                            "category: how common"
                                                        </span>
                                                    }
                                                >
                                                    <span class="tag" data-testid="category-feature-tag" title="k-prototypes compares the values: a customer differs from a segment's prototype by gamma for each category whose value is not the segment's most common one.">
                                                        "category: by value"
                                                    </span>
                                                </Show>
                                            })}
                                        </th>
                                        <td>
                                            <input
                                                type="checkbox"
                                                id=id
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
                                        </td>
                                        <td><LogToggle name=column.name.clone() /></td>
                                        <td><ImputeColumn name=column.name.clone() /></td>
                                    </tr>
                                }
                            }
                        </For>
                    </tbody>
                </table>
            </div>
        </fieldset>
    }
}

/// Beside a feature: what to do with its missing values, when it should differ from the general rule.
#[component]
fn ImputeColumn(name: String) -> impl IntoView {
    let state = state();
    let shown_name = name.clone();
    let shown = move || state.spec.with(|s| s.as_ref().is_some_and(|s| s.features.contains(&shown_name)));
    let key = StoredValue::new(name.clone());
    let current = move || {
        key.with_value(|k| {
            state.spec.with(|s| s.as_ref().and_then(|s| s.cleaning.impute_columns.get(k).copied()))
        })
    };
    view! {
        <select
            class="impute-column"
            class:hidden=move || !shown()
            data-testid="impute-column"
            data-column=name.clone()
            aria-label=format!("Missing values of {name}")
            on:change=move |ev| {
                let value = event_target_value(&ev);
                let name = name.clone();
                let choice = Impute::ALL.iter().copied().find(|v| v.key() == value);
                edit(move |s| match choice {
                    Some(v) => {
                        s.cleaning.impute_columns.insert(name, v);
                    }
                    None => {
                        s.cleaning.impute_columns.remove(&name);
                    }
                });
            }
        >
            <option value="default" selected=move || current().is_none()>"general rule"</option>
            {Impute::ALL.iter().map(|&v| {
                view! { <option value=v.key() selected=move || current() == Some(v)>{v.label()}</option> }
            }).collect_view()}
        </select>
    }
}

/// "log" beside a feature: segment on sign(x) ln(1 + |x|) instead of x (skewed amounts).
#[component]
fn LogToggle(name: String) -> impl IntoView {
    let state = state();
    let key = name.clone();
    let on = move || state.spec.with(|s| s.as_ref().is_some_and(|s| s.transforms.contains_key(&key)));
    let shown_name = name.clone();
    let shown = move || state.spec.with(|s| s.as_ref().is_some_and(|s| s.features.contains(&shown_name)));
    // Why log is on by default for this column, when it is.
    let advised = state.summary.with_untracked(|s| {
        s.as_ref()
            .filter(|s| s.preset.is_none())
            .and_then(|s| s.advice.iter().find(|a| a.name == name)?.log.clone())
    });
    let title = advised.clone().map_or("Segment on log(1 + x): tames skewed amounts".to_string(), |why| {
        format!("On by default: {why}. Untick to segment on the values as they are.")
    });
    view! {
        <label class="check log" class:hidden=move || !shown() title=title>
            <input
                type="checkbox"
                aria-label=format!("Log of {name}")
                data-testid="log-checkbox"
                data-column=name.clone()
                prop:checked=on
                on:change=move |ev| {
                    let checked = event_target_checked(&ev);
                    let name = name.clone();
                    edit(move |s| {
                        if checked {
                            s.transforms.insert(name, Transform::Log1p);
                        } else {
                            s.transforms.remove(&name);
                        }
                    });
                }
            />
            {advised.map(|why| view! { <span class="tag" data-testid="log-reason" title=why>"skewed"</span> })}
        </label>
    }
}

#[component]
fn Cleaning() -> impl IntoView {
    view! {
        <fieldset data-testid="cleaning-rules">
            <legend>"Cleaning"</legend>
            <p class="hint">"Every rule is counted in the cleaning report, and the removed rows can be downloaded."</p>
            <ChoiceSelect
                label="Missing feature values: "
                testid="impute-select"
                get=|s| s.cleaning.impute
                set=|s, v| s.cleaning.impute = v
            />
            <RuleCheckbox
                testid="rule-missing-any"
                text="drop rows with a missing value in any column"
                get=|r| r.drop_missing == Scope::AllColumns
                set=|r, on| r.drop_missing = if on { Scope::AllColumns } else { Scope::Features }
            />
            <RuleCheckbox
                testid="rule-negative"
                text="drop rows with a negative number"
                get=|r| r.drop_negative == Some(Scope::AllColumns)
                set=|r, on| r.drop_negative = on.then_some(Scope::AllColumns)
            />
            <RuleCheckbox
                testid="rule-zero"
                text="drop rows with a zero"
                get=|r| r.drop_zero == Some(Scope::AllColumns)
                set=|r, on| r.drop_zero = on.then_some(Scope::AllColumns)
            />
            <RuleCheckbox
                testid="rule-duplicate-rows"
                text="drop rows that repeat an earlier row"
                get=|r| r.drop_duplicate_rows
                set=|r, on| r.drop_duplicate_rows = on
            />
            <RuleCheckbox
                testid="rule-duplicate-ids"
                text="drop rows whose customer id repeats"
                get=|r| r.drop_duplicate_ids
                set=|r, on| r.drop_duplicate_ids = on
            />
            <ChoiceSelect
                label="Outliers in the features: "
                testid="outliers-select"
                get=|s| OutlierChoice::from(s.cleaning.outliers)
                set=|s, v| s.cleaning.outliers = v.rule()
            />
        </fieldset>
    }
}

#[component]
fn RuleCheckbox(
    testid: &'static str,
    text: &'static str,
    get: fn(&CleaningRules) -> bool,
    set: fn(&mut CleaningRules, bool),
) -> impl IntoView {
    let state = state();
    view! {
        <label class="check">
            <input
                type="checkbox"
                data-testid=testid
                prop:checked=move || state.spec.with(|s| s.as_ref().is_some_and(|s| get(&s.cleaning)))
                on:change=move |ev| {
                    let checked = event_target_checked(&ev);
                    edit(|s| set(&mut s.cleaning, checked));
                }
            />
            {text}
        </label>
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
    let method = move || state.spec.with(|s| s.as_ref().map(|s| s.method).unwrap_or_default());
    let invalid = RwSignal::new(None::<String>);
    let busy = move || state.status.get() == Status::Working;
    view! {
        <fieldset data-testid="model">
            <legend>"Method"</legend>
            <ChoiceSelect label="Clustering method " testid="method-select" get=|s| s.method set=|s, m| s.method = m />
            <ChoiceSelect label="Scaler " testid="scaler-select" get=|s| s.scaler set=|s, k| s.scaler = k />
            <Show when=move || method() == Method::Dbscan>
                <NumberInput
                    label="eps (neighbourhood radius, scaled units) "
                    testid="eps-input"
                    step="0.005"
                    invalid=invalid
                    get=|s| plain_decimal(s.dbscan.eps)
                    set=|s, v| s.dbscan.eps = v
                />
                <NumberInput
                    label="min_samples (neighbours, itself included, that make a core customer) "
                    testid="min-samples-input"
                    step="1"
                    invalid=invalid
                    get=|s| s.dbscan.min_samples.to_string()
                    set=|s, v| s.dbscan.min_samples = v.round().max(1.0) as usize
                />
            </Show>
            <Show when=move || method() == Method::Hdbscan>
                <NumberInput
                    label="min_cluster_size (the smallest group worth calling a segment) "
                    testid="min-cluster-size-input"
                    step="1"
                    invalid=invalid
                    get=|s| s.hdbscan.min_cluster_size.to_string()
                    set=|s, v| s.hdbscan.min_cluster_size = v.round().max(2.0) as usize
                />
                <NumberInput
                    label="min_samples (neighbours, itself included, that make a neighbourhood dense) "
                    testid="hdbscan-min-samples-input"
                    step="1"
                    invalid=invalid
                    get=|s| s.hdbscan.min_samples().to_string()
                    set=|s, v| s.hdbscan.min_samples = Some(v.round().max(1.0) as usize)
                />
                <ChoiceSelect
                    label="Segments from the density tree: "
                    testid="selection-select"
                    get=|s| s.hdbscan.selection
                    set=|s, v| s.hdbscan.selection = v
                />
            </Show>
            <Show when=move || method().uses_k()>
                <NumberInput
                    label="k (number of segments) "
                    testid="k-input"
                    step="1"
                    invalid=invalid
                    get=|s| s.k().unwrap_or(3).to_string()
                    set=|s, v| s.set_k(v.round().max(1.0) as usize)
                />
            </Show>
            <Show when=move || method() == Method::KPrototypes>
                <label>
                    "gamma (weight of one differing category; empty: suggested from the data) "
                    <input
                        type="number"
                        step="0.05"
                        min="0"
                        data-testid="gamma-input"
                        placeholder="suggested"
                        prop:value=move || {
                            state.spec.with(|s| {
                                s.as_ref().and_then(|s| s.kprototypes.gamma).map(plain_decimal).unwrap_or_default()
                            })
                        }
                        on:change=move |ev| {
                            let text = event_target_value(&ev);
                            if text.trim().is_empty() {
                                invalid.set(None);
                                edit(|s| s.kprototypes.gamma = None);
                                return;
                            }
                            match text.trim().parse::<f64>() {
                                Ok(v) if v.is_finite() && v >= 0.0 => {
                                    invalid.set(None);
                                    edit(move |s| s.kprototypes.gamma = Some(v));
                                }
                                _ => invalid.set(Some(format!(
                                    "gamma must be a number from 0 (categories ignored) upwards, or empty for the suggested value (got \"{text}\")."
                                ))),
                            }
                        }
                    />
                </label>
                {move || {
                    let used = state.result.with(|r| r.as_ref().and_then(|r| r.gamma));
                    let set = state.spec.with(|s| s.as_ref().and_then(|s| s.kprototypes.gamma));
                    used.filter(|_| set.is_none()).map(|g| view! {
                        <p class="hint" data-testid="gamma-suggested">
                            {format!("Suggested from the data and used on screen: gamma {}.", plain_decimal((g * 1000.0).round() / 1000.0))}
                        </p>
                    })
                }}
                <ChoiceSelect
                    label="Starting prototypes: "
                    testid="kprototypes-start"
                    get=|s| s.kprototypes.start
                    set=|s, v| s.kprototypes.start = v
                />
                <p class="hint" data-testid="kprototypes-hint">
                    "Numbers count by squared distance (scaled), categories by whether they match. The suggested gamma is half the numbers' mean standard deviation (Huang): a differing category then weighs like a typical difference in one number. Tick category columns among the features above."
                </p>
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
            <button
                data-testid="auto-button"
                disabled=move || busy() || invalid.get().is_some()
                title="Tries every method and number of segments on the features ticked above (k-prototypes when categories are ticked) and runs the one the rule picks, with its reasons."
                on:click=move |_| state.choose()
            >
                "Choose method and k for me"
            </button>
            <label class="check">
                <input
                    type="checkbox"
                    data-testid="rerun-on-change"
                    prop:checked=move || state.rerun_on_change.get()
                    on:change=move |ev| state.set_rerun_on_change(event_target_checked(&ev))
                />
                "Re-run when a setting changes"
            </label>
        </fieldset>
    }
}

/// A positive number setting; a bad entry is reported in `invalid` (which disables Run) instead of
/// being applied.
#[component]
fn NumberInput(
    label: &'static str,
    testid: &'static str,
    step: &'static str,
    invalid: RwSignal<Option<String>>,
    get: fn(&AnalysisSpec) -> String,
    set: fn(&mut AnalysisSpec, f64),
) -> impl IntoView {
    let state = state();
    let name = label.split_whitespace().next().unwrap_or(label);
    view! {
        <label>
            {label}
            <input
                type="number"
                step=step
                min="0"
                data-testid=testid
                prop:value=move || state.spec.with(|s| s.as_ref().map(get).unwrap_or_default())
                on:change=move |ev| {
                    match parse_positive::<f64>(name, &event_target_value(&ev)) {
                        Ok(v) => {
                            invalid.set(None);
                            edit(|s| set(s, v));
                        }
                        Err(message) => invalid.set(Some(message)),
                    }
                }
            />
        </label>
    }
}

/// A setting with a fixed list of values, shown as a `<select>`.
trait Choice: Copy + PartialEq + Default + Send + Sync + 'static {
    const ALL: &'static [Self];
    fn key(self) -> &'static str;
    fn label(self) -> &'static str;
}

impl Choice for Method {
    const ALL: &'static [Self] = &Method::ALL;
    fn key(self) -> &'static str {
        Method::key(self)
    }
    fn label(self) -> &'static str {
        Method::label(self)
    }
}

impl Choice for StartKind {
    const ALL: &'static [Self] = &StartKind::ALL;
    fn key(self) -> &'static str {
        StartKind::key(self)
    }
    fn label(self) -> &'static str {
        match self {
            StartKind::Cao => "Cao (dense, mutually distant customers; the default)",
            StartKind::Huang => "Huang (values drawn by how common they are)",
        }
    }
}

impl Choice for Selection {
    const ALL: &'static [Self] = &[Selection::Eom, Selection::Leaf];
    fn key(self) -> &'static str {
        self.as_str()
    }
    fn label(self) -> &'static str {
        match self {
            Selection::Eom => "the most stable groups (fewer, larger)",
            Selection::Leaf => "the densest leaves (more, smaller)",
        }
    }
}

impl Choice for ScalerKind {
    const ALL: &'static [Self] = &ScalerKind::ALL;
    fn key(self) -> &'static str {
        ScalerKind::key(self)
    }
    fn label(self) -> &'static str {
        ScalerKind::label(self)
    }
}

impl Choice for Impute {
    const ALL: &'static [Self] = &[Impute::Drop, Impute::Median, Impute::MostFrequent];
    fn key(self) -> &'static str {
        match self {
            Impute::Drop => "drop",
            Impute::Median => "median",
            Impute::MostFrequent => "most_frequent",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Impute::Drop => "drop the row",
            Impute::Median => "fill with the median",
            Impute::MostFrequent => "fill with the most frequent value",
        }
    }
}

/// The outlier rule as a choice (off by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum OutlierChoice {
    #[default]
    Off,
    Iqr,
    ZScore,
}

impl OutlierChoice {
    fn rule(self) -> Option<Outliers> {
        match self {
            OutlierChoice::Off => None,
            OutlierChoice::Iqr => Some(Outliers::Iqr),
            OutlierChoice::ZScore => Some(Outliers::ZScore),
        }
    }
}

impl From<Option<Outliers>> for OutlierChoice {
    fn from(rule: Option<Outliers>) -> Self {
        match rule {
            None => OutlierChoice::Off,
            Some(Outliers::Iqr) => OutlierChoice::Iqr,
            Some(Outliers::ZScore) => OutlierChoice::ZScore,
        }
    }
}

impl Choice for OutlierChoice {
    const ALL: &'static [Self] = &[OutlierChoice::Off, OutlierChoice::Iqr, OutlierChoice::ZScore];
    fn key(self) -> &'static str {
        match self {
            OutlierChoice::Off => "off",
            OutlierChoice::Iqr => "iqr",
            OutlierChoice::ZScore => "zscore",
        }
    }
    fn label(self) -> &'static str {
        match self {
            OutlierChoice::Off => "keep them",
            OutlierChoice::Iqr => "drop beyond 1.5 IQR",
            OutlierChoice::ZScore => "drop beyond 3 standard deviations",
        }
    }
}

#[component]
fn ChoiceSelect<T: Choice>(
    label: &'static str,
    testid: &'static str,
    get: fn(&AnalysisSpec) -> T,
    set: fn(&mut AnalysisSpec, T),
) -> impl IntoView {
    let state = state();
    let current = move || state.spec.with(|s| s.as_ref().map(get).unwrap_or_default());
    view! {
        <label>
            {label}
            <select
                data-testid=testid
                on:change=move |ev| {
                    let key = event_target_value(&ev);
                    if let Some(&v) = T::ALL.iter().find(|v| v.key() == key) {
                        edit(|s| set(s, v));
                    }
                }
            >
                {T::ALL
                    .iter()
                    .map(|&v| view! { <option value=v.key() selected=move || current() == v>{v.label()}</option> })
                    .collect_view()}
            </select>
        </label>
    }
}

/// `0.0400` -> `0.04`: the eps field shows what the person would type.
fn plain_decimal(v: f64) -> String {
    let text = decimal(v, 6);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}
