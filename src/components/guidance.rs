//! Help choosing parameters: the k-distance curve for DBSCAN's eps, the k sweep for k-means, the
//! Gaussian mixture and Ward.

use super::canvas::{paint, PngButton};
use super::state;
use crate::charts::lines::{draw_lines, LineChart, Marker, Series};
use crate::charts::palette::segment_colour;
use crate::format::{decimal, thousands};
use crate::state::Status;
use leptos::html::Canvas;
use leptos::prelude::*;
use segment_core::pipeline::Swept;
use segment_core::spec::Method;

#[component]
pub fn Guidance() -> impl IntoView {
    let state = state();
    let method = move || state.spec.with(|s| s.as_ref().map(|s| s.method));
    // A big file gets its k-distance curve when DBSCAN is chosen, not at load.
    Effect::new(move || {
        let missing = state.summary.with(|s| s.as_ref().is_some_and(|s| s.k_distance.is_none()));
        if method() == Some(Method::Dbscan) && missing && state.status.get().at_rest() {
            state.ask_k_distance();
        }
    });
    view! {
        <Show when=move || method() == Some(Method::Dbscan) && state.summary.with(|s| s.as_ref().is_some_and(|s| s.k_distance.is_some()))>
            <KDistanceChart />
        </Show>
        <Show when=move || method().is_some_and(|m| m.uses_k() || m == Method::Hdbscan)>
            <KSweepPanel />
        </Show>
    }
}

#[component]
fn KDistanceChart() -> impl IntoView {
    let state = state();
    let canvas_ref = NodeRef::<Canvas>::new();
    let kd = move || state.summary.get().and_then(|s| s.k_distance.clone());
    let eps = move || state.spec.with(|s| s.as_ref().map_or(0.0, |s| s.dbscan.eps));
    Effect::new(move || {
        let (Some(canvas), Some(kd)) = (canvas_ref.get(), kd()) else { return };
        let current = eps();
        let last = (kd.distances.len().max(2) - 1) as f64;
        let points = kd.distances.iter().enumerate().map(|(i, &d)| (100.0 * i as f64 / last, d)).collect();
        let chart = LineChart {
            series: vec![Series {
                name: "distance to the k-th neighbour",
                points,
                colour: segment_colour(0),
            }],
            markers: vec![
                Marker::Horizontal(
                    kd.suggested_eps(),
                    format!("suggested eps {}", decimal(kd.suggested_eps(), 4)),
                    segment_colour(2),
                ),
                Marker::Horizontal(
                    current,
                    format!("current eps {}", decimal(current, 4)),
                    segment_colour(5),
                ),
            ],
            x_label: "rows, sorted by distance (%)",
            y_label: "k-distance (scaled units)",
        };
        paint(&canvas, 0.45, 360.0, |area, dpr| draw_lines(area, &chart, dpr).is_ok());
    });
    let use_suggestion = move |_| {
        if let Some(kd) = kd() {
            state.edit_spec(|s| s.dbscan.eps = (kd.suggested_eps() * 1e4).round() / 1e4);
        }
    };
    view! {
        <section class="chart guidance" data-testid="k-distance-panel">
            <h2>"Choosing eps"</h2>
            <p class="hint">
                {move || kd().map(|kd| format!(
                    "Distance from each of {} sampled customers to its {}-th nearest neighbour (itself counted first), sorted. \
                     Customers left of the bend sit in dense groups; the bend (knee) is a good eps: below it groups \
                     break up into noise, above it they merge.",
                    kd.rows_sampled, kd.k
                ))}
            </p>
            <p>
                "Suggested eps: "
                <strong data-testid="eps-suggestion">{move || kd().map(|kd| decimal(kd.suggested_eps(), 4))}</strong>
                " "
                <button data-testid="use-eps-suggestion" on:click=use_suggestion>"Use it"</button>
            </p>
            {move || kd().and_then(|kd| kd.tuned_eps.map(|tuned| view! {
                <p class="hint">{format!(
                    "The curve's knee is at {}; {} scored best among multiples of it (silhouette times the share of customers not left as noise, 2 to 10 segments).",
                    decimal(kd.knee_eps, 4),
                    decimal(tuned, 4)
                )}</p>
            }))}
            <canvas node_ref=canvas_ref data-testid="k-distance-chart" role="img" aria-label="k-distance curve with the suggested and the current eps"></canvas>
            <PngButton canvas_ref=canvas_ref name="k-distance-chart" />
            {move || kd().map(|kd| {
                // The slider moves the current eps line over the curve (up to past its 99th percentile).
                let top = kd.distances.get(kd.distances.len() * 99 / 100).copied().unwrap_or(1.0).max(kd.suggested_eps()) * 1.5;
                let step = top / 1000.0;
                view! {
                    <label class="inline eps-slider">
                        "Move eps "
                        <input
                            type="range"
                            data-testid="eps-slider"
                            min="0"
                            max=top.to_string()
                            step=step.to_string()
                            prop:value=move || eps().to_string()
                            on:input=move |ev| {
                                if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                                    let v = (v.max(step) * 1e4).round() / 1e4;
                                    state.edit_spec(|s| s.dbscan.eps = v);
                                }
                            }
                        />
                        <span data-testid="eps-slider-value">{move || decimal(eps(), 4)}</span>
                    </label>
                }
            })}
        </section>
    }
}

#[component]
fn KSweepPanel() -> impl IntoView {
    let state = state();
    // HDBSCAN sweeps its smallest segment size; the others sweep k.
    let density = move || state.spec.with(|s| s.as_ref().is_some_and(|s| s.method == Method::Hdbscan));
    let canvas_ref = NodeRef::<Canvas>::new();
    Effect::new(move || {
        let (Some(canvas), Some(sweep)) = (canvas_ref.get(), state.sweep.get()) else { return };
        let series = |name, colour, f: fn(&segment_core::pipeline::SweepRow) -> Option<f64>| Series {
            name,
            colour,
            points: sweep.rows.iter().filter_map(|r| f(r).map(|v| (r.k as f64, v))).collect(),
        };
        let chart = LineChart {
            series: vec![
                series("silhouette (higher is better)", segment_colour(0), |r| {
                    r.scores.silhouette.as_ref().map(|s| s.mean)
                }),
                series("Davies-Bouldin (lower is better)", segment_colour(1), |r| r.scores.davies_bouldin),
            ],
            markers: sweep
                .best_k
                .map(|k| {
                    Marker::Vertical(
                        k as f64,
                        format!("best {} = {k}", sweep.parameter.name()),
                        segment_colour(2),
                    )
                })
                .into_iter()
                .collect(),
            x_label: sweep.parameter.axis_label(),
            y_label: "score",
        };
        paint(&canvas, 0.45, 360.0, |area, dpr| draw_lines(area, &chart, dpr).is_ok());
    });
    let busy = move || state.status.get() == Status::Working;
    let use_best = move |_| {
        let Some(sweep) = state.sweep.get_untracked() else { return };
        if let Some(k) = sweep.best_k {
            state.edit_spec(|s| sweep.parameter.set(s, k));
            state.run();
        }
    };
    view! {
        <section class="chart guidance" data-testid="k-sweep-panel">
            <h2>{move || if density() { "Choosing the smallest segment" } else { "Choosing k" }}</h2>
            <p class="hint">{move || if density() {
                "Runs HDBSCAN with min_cluster_size from 0.25% to 10% of the customers (the density tree is built once) and scores each: fewer, larger segments to the right. The best keeps 2 to 12 segments and at most half the customers as noise.".to_string()
            } else {
                format!(
                    "Runs {} for k = 2 to 10 on the current features and scores each.",
                    state
                        .spec
                        .with(|s| s.as_ref().map(|s| s.method))
                        .filter(|m| m.uses_k())
                        .unwrap_or(Method::KMeans)
                        .info()
                        .name
                )
            }}</p>
            <button data-testid="k-sweep-button" disabled=busy on:click=move |_| state.sweep_k()>
                {move || if density() { "Sweep min_cluster_size" } else { "Sweep k = 2…10" }}
            </button>
            <div class:hidden=move || state.sweep.with(Option::is_none)>
                <canvas node_ref=canvas_ref data-testid="k-sweep-chart" role="img" aria-label="Silhouette and Davies-Bouldin by k"></canvas>
            <PngButton canvas_ref=canvas_ref name="k-sweep-chart" />
                <p>
                    {move || if state.sweep.with(|s| s.as_ref().is_some_and(|s| s.parameter == Swept::MinClusterSize)) {
                        "Best min_cluster_size by silhouette: "
                    } else {
                        "Best k by silhouette: "
                    }}
                    <strong data-testid="k-sweep-best">{move || match state.sweep.get().map(|s| s.best_k) {
                        Some(Some(k)) => k.to_string(),
                        Some(None) => "none: every value leaves over half the customers as noise, or gives one segment or more than 12. Density segments suit this file poorly; try k-means or the automatic choice.".to_string(),
                        None => String::new(),
                    }}</strong>
                    " "
                    <button
                        data-testid="use-best-k"
                        disabled=move || busy() || state.sweep.with(|s| s.as_ref().is_none_or(|s| s.best_k.is_none()))
                        on:click=use_best
                    >
                        "Use it and run"
                    </button>
                </p>
                <div class="table-scroll" tabindex="0">
                    <table data-testid="k-sweep-table">
                        <thead>
                            <tr>
                                <th>{move || state.sweep.with(|s| s.as_ref().map_or(Swept::K, |s| s.parameter).name())}</th>
                                <th>"Segments"</th><th>"Noise"</th>
                                <th>"Inertia"</th><th>"Silhouette"</th><th>"Davies-Bouldin"</th><th>"Calinski-Harabasz"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {move || state.sweep.get().map(|s| s.rows.iter().map(|r| view! {
                                <tr data-k=r.k>
                                    <td>{r.k}</td>
                                    <td data-testid="sweep-segments">{r.segments}</td>
                                    <td>{thousands(r.noise)}</td>
                                    <td>{decimal(r.inertia, 2)}</td>
                                    <td>{r.scores.silhouette.as_ref().map_or("n/a".into(), |s| decimal(s.mean, 4))}</td>
                                    <td>{r.scores.davies_bouldin.map_or("n/a".into(), |v| decimal(v, 4))}</td>
                                    <td>{r.scores.calinski_harabasz.map_or("n/a".into(), |v| decimal(v, 1))}</td>
                                </tr>
                            }).collect_view())}
                        </tbody>
                    </table>
                </div>
            </div>
        </section>
    }
}
