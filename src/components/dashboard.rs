//! The dashboard's views beyond the segment table: the navigation between views, Explore (every
//! variable's distribution, correlations, any scatter), Overview (count cards, pies of a variable's
//! total, a chart per variable by segment, a ratio card), Segment analysis (one segment against the
//! rest) and Compare (segments side by side in words, effect sizes and parallel coordinates). The
//! figures come computed from the worker (`result.explore`); these components only choose and draw.

use super::canvas::{paint, PngButton};
use super::state;
use crate::charts::palette::{css_colour, segment_colour, NOISE_COLOUR};
use crate::charts::stats::{
    draw_bars, draw_boxes, draw_heatmap, draw_histograms, draw_parallel, draw_pie, draw_points, BoxStats,
    Group,
};
use crate::format::{decimal, percent, thousands};
use leptos::html::Canvas;
use leptos::prelude::*;
use segment_core::explore::{describe_difference, effect_size, effect_words, Explore, Summary, Variable};
use segment_core::pipeline::AnalysisResult;
use std::sync::Arc;

/// The views, in page order: (section id, navigation label).
pub const VIEWS: [(&str, &str); 7] = [
    ("data", "Data"),
    ("explore", "Explore"),
    ("segment", "Segment"),
    ("overview", "Overview"),
    ("analysis", "Segment analysis"),
    ("compare", "Compare"),
    ("pca", "PCA map"),
];

fn scroll_to(id: &str) {
    if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id)) {
        el.scroll_into_view();
    }
}

/// The navigation bar: one control per view, the theme switch and the printable report.
#[component]
pub fn Nav() -> impl IntoView {
    let current = RwSignal::new("data");
    let prefers_dark = web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|m| m.matches());
    let dark = RwSignal::new(prefers_dark);
    Effect::new(move || {
        let theme = if dark.get() { "dark" } else { "light" };
        if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
            let _ = root.set_attribute("data-theme", theme);
        }
    });
    view! {
        <nav class="views" aria-label="Views">
            {VIEWS.iter().map(|&(id, label)| view! {
                <button
                    data-testid=format!("view-{id}")
                    class:current=move || current.get() == id
                    aria-current=move || (current.get() == id).then_some("true")
                    on:click=move |_| {
                        current.set(id);
                        scroll_to(id);
                    }
                >{label}</button>
            }).collect_view()}
            <span class="spacer"></span>
            <button
                data-testid="theme-toggle"
                aria-pressed=move || dark.get().to_string()
                on:click=move |_| dark.update(|d| *d = !*d)
            >{move || if dark.get() { "Light theme" } else { "Dark theme" }}</button>
            <button
                data-testid="export-report"
                title="A one-page summary with aggregates only (no customer rows): choose “Save as PDF” in the print dialog."
                on:click=move |_| {
                    if let Some(w) = web_sys::window() {
                        let _ = w.print();
                    }
                }
            >"Report (print / PDF)"</button>
        </nav>
    }
}

/// A chart canvas with a button that saves it as a PNG.
#[component]
fn Figure(canvas_ref: NodeRef<Canvas>, testid: &'static str, label: String) -> impl IntoView {
    view! {
        <figure class="chart">
            <canvas node_ref=canvas_ref data-testid=testid role="img" aria-label=label></canvas>
            <figcaption><PngButton canvas_ref=canvas_ref name=testid /></figcaption>
        </figure>
    }
}

/// Segments as chart groups, with the names on screen (noise last when asked).
fn groups(n_segments: usize, with_noise: bool) -> Vec<Group> {
    let state = state();
    let mut g: Vec<Group> = (0..n_segments)
        .map(|i| Group { name: state.segment_name(i as i32), colour: segment_colour(i) })
        .collect();
    if with_noise {
        g.push(Group { name: "Noise".into(), colour: NOISE_COLOUR });
    }
    g
}

fn box_of(s: &Summary) -> Option<BoxStats> {
    (s.count > 0).then_some(BoxStats {
        whisker_low: s.whisker_low,
        q1: s.q1,
        median: s.median,
        q3: s.q3,
        whisker_high: s.whisker_high,
    })
}

/// A `<select>` of the variables, bound to an index.
#[component]
fn VariableSelect(
    explore: Arc<Explore>,
    chosen: RwSignal<usize>,
    testid: &'static str,
    label: &'static str,
) -> impl IntoView {
    view! {
        <label class="inline">
            {label}
            <select
                data-testid=testid
                prop:value=move || chosen.get().to_string()
                on:change=move |ev| chosen.set(event_target_value(&ev).parse().unwrap_or(0))
            >
                {explore.variables.iter().enumerate().map(|(i, v)| view! {
                    <option value=i.to_string()>{v.name.clone()}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

/// The first two features (else the first two variables): the default axes of a scatter.
fn feature_pair(e: &Explore) -> (usize, usize) {
    let mut f = e.variables.iter().enumerate().filter(|(_, v)| v.feature).map(|(i, _)| i);
    let last = e.variables.len().saturating_sub(1);
    let a = f.next().unwrap_or(0);
    (a, f.next().unwrap_or(1.min(last)))
}

/// The sampled rows at variables `x` and `y` with their group (segment, noise = `n_segments`), both
/// values filled; None when a variable is out of range.
fn sample_points(e: &Explore, x: usize, y: usize, n_segments: usize) -> Option<Vec<(f64, f64, usize)>> {
    let (vx, vy) = (e.sample_values.get(x)?, e.sample_values.get(y)?);
    Some(
        vx.iter()
            .zip(vy)
            .zip(&e.sample_labels)
            .filter(|((a, b), _)| a.is_finite() && b.is_finite())
            .map(|((a, b), &l)| (f64::from(*a), f64::from(*b), usize::try_from(l).unwrap_or(n_segments)))
            .collect(),
    )
}

fn variable(e: &Explore, i: usize) -> Option<&Variable> {
    e.variables.get(i).or_else(|| e.variables.first())
}

/// The index of the first variable whose name contains one of `words`, else `fallback`.
fn find_variable(e: &Explore, words: &[&str], fallback: usize) -> usize {
    e.variables
        .iter()
        .position(|v| words.iter().any(|w| v.name.to_lowercase().contains(w)))
        .unwrap_or(fallback.min(e.variables.len().saturating_sub(1)))
}

// ---------------------------------------------------------------------------------------------
// Explore

#[component]
pub fn ExploreView() -> impl IntoView {
    let state = state();
    view! {
        <section class="explore" id="explore" data-testid="explore-view">
            <h2>"Explore"</h2>
            {move || match state.result.get() {
                Some(r) if !r.explore.variables.is_empty() => view! { <ExploreBody result=r /> }.into_any(),
                _ => view! { <p class="hint">"Load a file to see each variable's distribution."</p> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn ExploreBody(result: Arc<AnalysisResult>) -> impl IntoView {
    let e = Arc::new(result.explore.clone());
    let chosen = RwSignal::new(0usize);
    let (hist_ref, box_ref, heat_ref, scatter_ref) = (
        NodeRef::<Canvas>::new(),
        NodeRef::<Canvas>::new(),
        NodeRef::<Canvas>::new(),
        NodeRef::<Canvas>::new(),
    );
    let (x0, y0) = feature_pair(&e);
    let (sx, sy) = (RwSignal::new(x0), RwSignal::new(y0));
    let n_segments = result.segment_sizes.len();
    {
        let e = e.clone();
        Effect::new(move || {
            let i = chosen.get();
            let Some(v) = variable(&e, i) else { return };
            let all: Vec<u64> = (0..v.edges.len().saturating_sub(1))
                .map(|b| v.counts.iter().map(|c| c.get(b).copied().unwrap_or(0)).sum())
                .collect();
            let g = [Group { name: "All customers".into(), colour: segment_colour(0) }];
            if let Some(c) = hist_ref.get() {
                paint(&c, 0.5, 340.0, |a, s| draw_histograms(a, &g, &v.edges, &[all], &v.name, s).is_ok());
            }
            if let Some(c) = box_ref.get() {
                paint(&c, 0.5, 340.0, |a, s| draw_boxes(a, &g, &[box_of(&v.overall)], &v.name, s).is_ok());
            }
        });
    }
    {
        let e = e.clone();
        Effect::new(move || {
            let names: Vec<String> = e.variables.iter().map(|v| v.name.clone()).collect();
            if let Some(c) = heat_ref.get() {
                let aspect = 0.55 + 0.02 * names.len() as f64;
                paint(&c, aspect.min(0.9), 620.0, |a, s| draw_heatmap(a, &names, &e.correlation, s).is_ok());
            }
        });
    }
    {
        let e = e.clone();
        Effect::new(move || {
            let (x, y) = (sx.get(), sy.get());
            let Some(points) = sample_points(&e, x, y, n_segments) else { return };
            let g = groups(n_segments, true);
            let names = (e.variables[x].name.as_str(), e.variables[y].name.as_str());
            if let Some(c) = scatter_ref.get() {
                paint(&c, 0.6, 480.0, |a, s| draw_points(a, &points, &g, None, names, s).is_ok());
            }
        });
    }
    let summary_row = {
        let e = e.clone();
        move || {
            variable(&e, chosen.get()).map(|v| {
                let s = &v.overall;
                view! {
                    <tr data-testid="explore-summary">
                        <td>{v.name.clone()}</td>
                        <td>{thousands(s.count)}</td>
                        <td data-testid="explore-mean">{decimal(s.mean, 2)}</td>
                        <td>{decimal(s.sd, 2)}</td>
                        <td>{decimal(s.min, 2)}</td>
                        <td>{decimal(s.q1, 2)}</td>
                        <td data-testid="explore-median">{decimal(s.median, 2)}</td>
                        <td>{decimal(s.q3, 2)}</td>
                        <td>{decimal(s.max, 2)}</td>
                    </tr>
                }
            })
        }
    };
    view! {
        <p class="hint">"Every numeric column of the rows used, whether it is a feature or not."</p>
        <VariableSelect explore=e.clone() chosen=chosen testid="explore-variable" label="Variable " />
        <div class="table-scroll"><table>
            <thead><tr><th>"Variable"</th><th>"Count"</th><th>"Mean"</th><th>"Std"</th><th>"Min"</th><th>"25%"</th><th>"Median"</th><th>"75%"</th><th>"Max"</th></tr></thead>
            <tbody>{summary_row}</tbody>
        </table></div>
        <div class="chart-row">
            <Figure canvas_ref=hist_ref testid="explore-histogram" label="Histogram of the chosen variable".into() />
            <Figure canvas_ref=box_ref testid="explore-box" label="Box plot of the chosen variable".into() />
        </div>
        <h3>"Correlations"</h3>
        <p class="hint">"Pearson's r between every two numeric columns: orange moves together, blue moves opposite."</p>
        <Figure canvas_ref=heat_ref testid="correlation-heatmap" label="Correlation heatmap".into() />
        <h3>"Any two variables"</h3>
        <p class="hint">{format!("A random sample of {} customers, coloured by segment.", thousands(e.sample_labels.len()))}</p>
        <VariableSelect explore=e.clone() chosen=sx testid="scatter-x" label="Across " />
        <VariableSelect explore=e.clone() chosen=sy testid="scatter-y" label=" up " />
        <Figure canvas_ref=scatter_ref testid="explore-scatter" label="Scatter of two variables by segment".into() />
    }
}

// ---------------------------------------------------------------------------------------------
// Overview

#[component]
pub fn OverviewCharts() -> impl IntoView {
    let state = state();
    move || {
        state
            .result
            .get()
            .filter(|r| !r.explore.variables.is_empty() && !r.segment_sizes.is_empty())
            .map(|r| view! { <OverviewBody result=r /> })
    }
}

#[derive(Clone, Copy, PartialEq)]
enum ChartKind {
    Means,
    Histogram,
    Boxes,
}

#[component]
fn OverviewBody(result: Arc<AnalysisResult>) -> impl IntoView {
    let state = state();
    let e = Arc::new(result.explore.clone());
    let n = result.segment_sizes.len();
    let pie_var = RwSignal::new(find_variable(&e, &["purchase", "compra", "monetary", "amount", "spend"], 0));
    let chart_var = RwSignal::new(find_variable(&e, &["visit"], 0));
    let kind = RwSignal::new(ChartKind::Means);
    let numerator = RwSignal::new(find_variable(&e, &["purchase", "compra", "monetary"], 0));
    let denominator = RwSignal::new(find_variable(&e, &["visit", "frequency"], 1));
    let (pie_ref, chart_ref) = (NodeRef::<Canvas>::new(), NodeRef::<Canvas>::new());
    {
        let e = e.clone();
        Effect::new(move || {
            let Some(v) = variable(&e, pie_var.get()) else { return };
            let g = groups(n, false);
            let Some(c) = pie_ref.get() else { return };
            match v.shares() {
                Some(shares) => paint(&c, 0.7, 420.0, |a, s| draw_pie(a, &g, &shares, s).is_ok()),
                None => paint(&c, 0.2, 80.0, |a, _| a.fill(&plotters::style::WHITE).is_ok()),
            };
        });
    }
    {
        let e = e.clone();
        Effect::new(move || {
            let Some(v) = variable(&e, chart_var.get()) else { return };
            let k = kind.get();
            let Some(c) = chart_ref.get() else { return };
            match k {
                ChartKind::Means => {
                    let g = groups(n, false);
                    let means: Vec<f64> = v.segments.iter().map(|s| s.mean).collect();
                    paint(&c, 0.5, 380.0, |a, s| {
                        draw_bars(a, &g, &means, &format!("mean {}", v.name), s).is_ok()
                    })
                }
                ChartKind::Histogram => {
                    let g = groups(n, true);
                    paint(&c, 0.5, 380.0, |a, s| {
                        draw_histograms(a, &g, &v.edges, &v.counts, &v.name, s).is_ok()
                    })
                }
                ChartKind::Boxes => {
                    let g = groups(n, true);
                    let boxes: Vec<Option<BoxStats>> =
                        v.segments.iter().chain(std::iter::once(&v.noise)).map(box_of).collect();
                    paint(&c, 0.5, 380.0, |a, s| draw_boxes(a, &g, &boxes, &v.name, s).is_ok())
                }
            };
        });
    }
    let shares_list = {
        let e = e.clone();
        move || {
            let v = variable(&e, pie_var.get())?;
            let Some(shares) = v.shares() else {
                return Some(view! { <p class="notice" data-testid="pie-unavailable">{format!("{} has negative values or sums to zero: a pie would mislead.", v.name)}</p> }.into_any());
            };
            Some(view! {
                <ul class="legend">
                    {shares.iter().enumerate().map(|(i, s)| view! {
                        <li data-testid="pie-share" data-segment=i.to_string() data-share=s.to_string()>
                            <span class="swatch" style=format!("background:{}", css_colour(i as i32))></span>
                            {format!("{}: {:.1}%", state.segment_name(i as i32), 100.0 * s)}
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any())
        }
    };
    let ratio_rows = {
        let e = e.clone();
        move || {
            let (Some(a), Some(b)) = (variable(&e, numerator.get()), variable(&e, denominator.get())) else {
                return Vec::new();
            };
            let ratio = |x: &Summary, y: &Summary| if y.sum != 0.0 { x.sum / y.sum } else { f64::NAN };
            let mut rows: Vec<_> = (0..n)
                .map(|i| {
                    let r = ratio(&a.segments[i], &b.segments[i]);
                    view! {
                        <tr data-testid="ratio-value" data-segment=i.to_string() data-ratio=r.to_string()>
                            <td><span class="swatch" style=format!("background:{}", css_colour(i as i32))></span>{state.segment_name(i as i32)}</td>
                            <td>{decimal(r, 2)}</td>
                        </tr>
                    }
                    .into_any()
                })
                .collect();
            let all = ratio(&a.overall, &b.overall);
            rows.push(
                view! {
                    <tr data-testid="ratio-value" data-segment="all" data-ratio=all.to_string()>
                        <td>"All customers used"</td>
                        <td>{decimal(all, 2)}</td>
                    </tr>
                }
                .into_any(),
            );
            rows
        }
    };
    let ratio_title = {
        let e = e.clone();
        move || {
            let (a, b) = (variable(&e, numerator.get()), variable(&e, denominator.get()));
            format!("{} per {}", a.map_or("", |v| v.name.as_str()), b.map_or("", |v| v.name.as_str()))
        }
    };
    view! {
        <div class="overview-charts" data-testid="overview-charts">
            <div class="cards">
                <div class="card" data-testid="overview-card" data-segment="all">
                    <span class="label">"Total customers"</span>
                    <span class="value">{thousands(result.rows_used)}</span>
                </div>
                {result.segment_sizes.iter().enumerate().map(|(i, &size)| view! {
                    <div class="card" data-testid="overview-card" data-segment=i.to_string()>
                        <span class="label"><span class="swatch" style=format!("background:{}", css_colour(i as i32))></span>{move || state.segment_name(i as i32)}</span>
                        <span class="value">{thousands(size)}</span>
                        <span class="sub">{percent(size, result.rows_used)}</span>
                    </div>
                }).collect_view()}
            </div>
            <h3>"Share of the total by segment"</h3>
            <VariableSelect explore=e.clone() chosen=pie_var testid="pie-variable" label="Variable " />
            <div class="chart-row">
                <Figure canvas_ref=pie_ref testid="pie-chart" label="Each segment's share of the chosen variable's total".into() />
                <div>{shares_list}</div>
            </div>
            <h3>"A variable by segment"</h3>
            <VariableSelect explore=e.clone() chosen=chart_var testid="chart-variable" label="Variable " />
            <label class="inline">
                " Chart "
                <select data-testid="chart-type" on:change=move |ev| kind.set(match event_target_value(&ev).as_str() {
                    "histogram" => ChartKind::Histogram,
                    "box" => ChartKind::Boxes,
                    _ => ChartKind::Means,
                })>
                    <option value="means">"Mean by segment (bars)"</option>
                    <option value="histogram">"Histogram by segment"</option>
                    <option value="box">"Box plot by segment"</option>
                </select>
            </label>
            <Figure canvas_ref=chart_ref testid="variable-chart" label="The chosen variable by segment".into() />
            <h3>"Ratio: " {ratio_title}</h3>
            <p class="hint">"The segment's total of the first variable divided by its total of the second (e.g. purchases per visit)."</p>
            <VariableSelect explore=e.clone() chosen=numerator testid="ratio-numerator" label="Numerator " />
            <VariableSelect explore=e.clone() chosen=denominator testid="ratio-denominator" label=" Denominator " />
            <div class="table-scroll"><table data-testid="ratio-card">
                <thead><tr><th>"Segment"</th><th>"Ratio"</th></tr></thead>
                <tbody>{ratio_rows}</tbody>
            </table></div>
        </div>
    }
}

// ---------------------------------------------------------------------------------------------
// Segment analysis

#[component]
pub fn AnalysisView() -> impl IntoView {
    let state = state();
    view! {
        <section class="analysis" id="analysis" data-testid="analysis-view">
            <h2>"Segment analysis"</h2>
            {move || match state.result.get() {
                Some(r) if !r.segment_sizes.is_empty() && !r.explore.variables.is_empty() => {
                    view! { <AnalysisBody result=r /> }.into_any()
                }
                _ => view! { <p class="hint">"Segments appear here after a run."</p> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn AnalysisBody(result: Arc<AnalysisResult>) -> impl IntoView {
    let state = state();
    let e = Arc::new(result.explore.clone());
    let n = result.segment_sizes.len();
    let segment = RwSignal::new(0usize);
    let (x0, y0) = feature_pair(&e);
    let (sx, sy) = (RwSignal::new(x0), RwSignal::new(y0));
    let dist_var = RwSignal::new(x0);
    let (scatter_ref, hist_ref) = (NodeRef::<Canvas>::new(), NodeRef::<Canvas>::new());
    {
        let e = e.clone();
        Effect::new(move || {
            let (x, y, seg) = (sx.get(), sy.get(), segment.get());
            let Some(points) = sample_points(&e, x, y, n) else { return };
            let g = groups(n, true);
            let names = (e.variables[x].name.as_str(), e.variables[y].name.as_str());
            if let Some(c) = scatter_ref.get() {
                paint(&c, 0.6, 460.0, |a, s| draw_points(a, &points, &g, Some(seg), names, s).is_ok());
            }
        });
    }
    {
        let e = e.clone();
        Effect::new(move || {
            let (seg, i) = (segment.get(), dist_var.get());
            let Some(v) = variable(&e, i) else { return };
            let own = v.counts.get(seg).cloned().unwrap_or_default();
            let rest: Vec<u64> = (0..own.len())
                .map(|b| v.counts.iter().enumerate().filter(|(g, _)| *g != seg).map(|(_, c)| c[b]).sum())
                .collect();
            let g = [
                Group { name: state.segment_name(seg as i32), colour: segment_colour(seg) },
                Group { name: "The rest".into(), colour: NOISE_COLOUR },
            ];
            if let Some(c) = hist_ref.get() {
                paint(&c, 0.5, 360.0, |a, s| {
                    draw_histograms(a, &g, &v.edges, &[own, rest], &v.name, s).is_ok()
                });
            }
        });
    }
    let cards = {
        let e = e.clone();
        let result = result.clone();
        move || {
            let seg = segment.get();
            let size = result.segment_sizes.get(seg).copied().unwrap_or(0);
            let features: Vec<_> = e.variables.iter().filter(|v| v.feature).collect();
            view! {
                <div class="card" data-testid="analysis-card" data-card="size">
                    <span class="label">"Customers"</span>
                    <span class="value">{thousands(size)}</span>
                    <span class="sub">{percent(size, result.rows_used)}</span>
                </div>
                {features.into_iter().map(|v| {
                    let s = v.segments.get(seg).cloned().unwrap_or_default();
                    let ratio = if v.overall.mean != 0.0 { s.mean / v.overall.mean } else { f64::NAN };
                    view! {
                        <div class="card" data-testid="analysis-card" data-card=v.name.clone() data-mean=s.mean.to_string()>
                            <span class="label">{format!("mean {}", v.name)}</span>
                            <span class="value">{decimal(s.mean, 1)}</span>
                            <span class="sub">{if ratio.is_finite() { format!("{ratio:.2}x the average") } else { String::new() }}</span>
                        </div>
                    }
                }).collect_view()}
            }
        }
    };
    view! {
        <label class="inline">
            "Segment "
            <select data-testid="analysis-segment" on:change=move |ev| segment.set(event_target_value(&ev).parse().unwrap_or(0))>
                {(0..n).map(|i| view! { <option value=i.to_string()>{move || state.segment_name(i as i32)}</option> }).collect_view()}
            </select>
        </label>
        <p class="profile" data-testid="analysis-profile">
            {let result = result.clone(); move || result.profiles.get(segment.get()).map(|p| p.description.clone())}
        </p>
        <div class="cards">{cards}</div>
        <h3>"Where the segment sits"</h3>
        <VariableSelect explore=e.clone() chosen=sx testid="analysis-x" label="Across " />
        <VariableSelect explore=e.clone() chosen=sy testid="analysis-y" label=" up " />
        <Figure canvas_ref=scatter_ref testid="analysis-scatter" label="The chosen segment highlighted among a sample of customers".into() />
        <h3>"One variable: the segment against the rest"</h3>
        <VariableSelect explore=e.clone() chosen=dist_var testid="analysis-variable" label="Variable " />
        <Figure canvas_ref=hist_ref testid="analysis-histogram" label="The segment's distribution against the rest".into() />
    }
}

// ---------------------------------------------------------------------------------------------
// Compare

#[component]
pub fn CompareView() -> impl IntoView {
    let state = state();
    view! {
        <section class="compare" id="compare" data-testid="compare-view">
            <h2>"Compare segments"</h2>
            {move || match state.result.get() {
                Some(r) if r.segment_sizes.len() >= 2 && !r.explore.variables.is_empty() => {
                    view! { <CompareBody result=r /> }.into_any()
                }
                _ => view! { <p class="hint">"Two or more segments are needed to compare."</p> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn CompareBody(result: Arc<AnalysisResult>) -> impl IntoView {
    let state = state();
    let e = Arc::new(result.explore.clone());
    let n = result.segment_sizes.len();
    let chosen = RwSignal::new(vec![0usize, 1]);
    let chart_ref = NodeRef::<Canvas>::new();
    let features: Vec<usize> = {
        let f: Vec<usize> =
            e.variables.iter().enumerate().filter(|(_, v)| v.feature).map(|(i, _)| i).collect();
        if f.is_empty() {
            (0..e.variables.len()).collect()
        } else {
            f
        }
    };
    {
        let (e, features) = (e.clone(), features.clone());
        Effect::new(move || {
            let picked = chosen.get();
            let axes: Vec<String> = features.iter().map(|&i| e.variables[i].name.clone()).collect();
            // Each axis from the lowest to the highest segment mean.
            let scaled = |seg: usize| -> Vec<f64> {
                features
                    .iter()
                    .map(|&i| {
                        let means: Vec<f64> = e.variables[i].segments.iter().map(|s| s.mean).collect();
                        let (lo, hi) = means
                            .iter()
                            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &m| (a.min(m), b.max(m)));
                        if hi > lo {
                            (means[seg] - lo) / (hi - lo)
                        } else {
                            0.5
                        }
                    })
                    .collect()
            };
            let g: Vec<Group> = picked
                .iter()
                .map(|&s| Group { name: state.segment_name(s as i32), colour: segment_colour(s) })
                .collect();
            let values: Vec<Vec<f64>> = picked.iter().map(|&s| scaled(s)).collect();
            if let Some(c) = chart_ref.get() {
                paint(&c, 0.45, 380.0, |a, s| draw_parallel(a, &axes, &g, &values, s).is_ok());
            }
        });
    }
    let rows = {
        let e = e.clone();
        move || {
            let picked = chosen.get();
            let Some((&base, others)) = picked.split_first() else { return Vec::new() };
            let mut out = Vec::new();
            for &other in others {
                for &i in &features {
                    let v = &e.variables[i];
                    let (a, b) = (&v.segments[other], &v.segments[base]);
                    let d = effect_size(a, b);
                    let (na, nb) = (state.segment_name(other as i32), state.segment_name(base as i32));
                    out.push(view! {
                        <tr data-testid="compare-difference" data-variable=v.name.clone() data-a=other.to_string() data-b=base.to_string() data-effect=d.to_string()>
                            <td>{describe_difference(&v.name, &na, a, &nb, b)}</td>
                            <td>{decimal(d, 2)}</td>
                            <td>{effect_words(d)}</td>
                        </tr>
                    });
                }
            }
            out
        }
    };
    view! {
        <p class="hint">"Pick two or more segments: each is compared with the first one picked. Effect size is Cohen's d (difference of means over the pooled standard deviation): 0.2 small, 0.5 medium, 0.8 large."</p>
        <div class="segment-picks">
            {(0..n).map(|i| view! {
                <label class="inline">
                    <input
                        type="checkbox"
                        data-testid="compare-segment"
                        data-segment=i.to_string()
                        prop:checked=move || chosen.with(|c| c.contains(&i))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            chosen.update(|c| {
                                c.retain(|&s| s != i);
                                if on {
                                    c.push(i);
                                }
                            });
                        }
                    />
                    <span class="swatch" style=format!("background:{}", css_colour(i as i32))></span>
                    {move || state.segment_name(i as i32)}
                </label>
            }).collect_view()}
        </div>
        <Figure canvas_ref=chart_ref testid="compare-chart" label="Parallel coordinates of the picked segments' means".into() />
        <div class="table-scroll"><table data-testid="compare-table">
            <thead><tr><th>"Difference"</th><th>"Effect size (d)"</th><th>"Size"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table></div>
    }
}
