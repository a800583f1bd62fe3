//! The answer screen (the segments: names, sizes, profiles in words, scores in plain language, beside a
//! small PCA map) and the overview charts (each segment's count, its share of a variable's total, a
//! variable by segment and a ratio). Past seven segments the smaller ones fold into "Others".

use crate::charts::palette::css_rgb;
use crate::charts::stats::{draw_bars, draw_boxes, draw_histograms, draw_pie};
use crate::components::canvas::paint;
use crate::components::figure::{variable, Figure, Folding, Legend, VariableSelect};
use crate::components::{MiniMap, Results};
use crate::format::{decimal, percent, thousands};
use leptos::html::Canvas;
use leptos::prelude::*;
use segment_core::pipeline::AnalysisResult;
use std::sync::Arc;

/// The answer: the segments beside the small map.
#[component]
pub fn SegmentsScreen(result: Arc<AnalysisResult>) -> impl IntoView {
    view! {
        <div class="answer">
            <Results result=result.clone() />
            {(result.pca.dims >= 2).then(|| view! { <MiniMap result=result.clone() /> })}
        </div>
    }
}

/// Each segment's count, its share of a variable's total, a variable by segment and a ratio.
#[component]
pub fn OverviewScreen(result: Arc<AnalysisResult>) -> impl IntoView {
    if result.explore.variables.is_empty() || result.segment_sizes.is_empty() {
        return view! { <p class="hint">"No segment to chart: try other settings."</p> }.into_any();
    }
    view! { <OverviewBody result /> }.into_any()
}

/// The test id of chart group `i`: the segment's index, "others" or "noise".
fn group_key(folding: Folding, i: usize) -> String {
    if i < folding.shown {
        i.to_string()
    } else if i == folding.shown && folding.others() > 0 {
        "others".into()
    } else {
        "noise".into()
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
    let e = Arc::new(result.explore.clone());
    let folding = Folding::new(result.segment_sizes.len());
    let defaults = e.chart_defaults();
    let pie_var = RwSignal::new(defaults.total);
    let chart_var = RwSignal::new(defaults.activity);
    let kind = RwSignal::new(ChartKind::Means);
    let numerator = RwSignal::new(defaults.total);
    let denominator = RwSignal::new(defaults.activity);
    let (pie_ref, chart_ref) = (NodeRef::<Canvas>::new(), NodeRef::<Canvas>::new());
    {
        let e = e.clone();
        Effect::new(move || {
            let Some(v) = variable(&e, pie_var.get()) else { return };
            let g = folding.groups(false);
            let Some(c) = pie_ref.get() else { return };
            match v.shares() {
                Some(shares) => {
                    let shares = folding.sum(&shares);
                    paint(&c, 0.7, 420.0, |a, s| draw_pie(a, &g, &shares, s).is_ok())
                }
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
                    let g = folding.groups(false);
                    let means = folding.means(&v.segments);
                    paint(&c, 0.5, 380.0, |a, s| {
                        draw_bars(a, &g, &means, &format!("mean {}", v.name), s).is_ok()
                    })
                }
                ChartKind::Histogram => {
                    let g = folding.groups(true);
                    let counts = folding.counts(&v.counts);
                    paint(&c, 0.5, 380.0, |a, s| {
                        draw_histograms(a, &g, &v.edges, &counts, &v.name, s).is_ok()
                    })
                }
                ChartKind::Boxes => {
                    let g = folding.groups(true);
                    let boxes = folding.boxes(v);
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
            let shares = folding.sum(&shares);
            let groups = folding.groups(false);
            Some(view! {
                <ul class="legend">
                    {shares.iter().zip(groups).enumerate().map(|(i, (s, g))| view! {
                        <li data-testid="pie-share" data-segment=group_key(folding, i) data-share=s.to_string()>
                            <span class="swatch" style=format!("background:{}", css_rgb(g.colour))></span>
                            {format!("{}: {:.1}%", g.name, 100.0 * s)}
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
            let ratio = |x: f64, y: f64| if y != 0.0 { x / y } else { f64::NAN };
            let sums = |v: &segment_core::explore::Variable| {
                folding.sum(&v.segments.iter().map(|s| s.sum).collect::<Vec<f64>>())
            };
            let (sa, sb) = (sums(a), sums(b));
            let mut rows: Vec<_> = folding
                .groups(false)
                .into_iter()
                .enumerate()
                .map(|(i, g)| {
                    let r = ratio(sa[i], sb[i]);
                    view! {
                        <tr data-testid="ratio-value" data-segment=group_key(folding, i) data-ratio=r.to_string()>
                            <td><span class="swatch" style=format!("background:{}", css_rgb(g.colour))></span>{g.name}</td>
                            <td>{decimal(r, 2)}</td>
                        </tr>
                    }
                    .into_any()
                })
                .collect();
            let all = ratio(a.overall.sum, b.overall.sum);
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
    // The charts' figures in words, for their text alternatives.
    let pie_alt = {
        let e = e.clone();
        Signal::derive(move || {
            let Some(v) = variable(&e, pie_var.get()) else { return String::new() };
            let Some(shares) = v.shares() else { return String::new() };
            let parts: Vec<String> = folding
                .sum(&shares)
                .iter()
                .zip(folding.groups(false))
                .map(|(s, g)| format!("{} {:.1}%", g.name, 100.0 * s))
                .collect();
            format!("{}: {}", v.name, parts.join(", "))
        })
    };
    let means_alt = {
        let e = e.clone();
        Signal::derive(move || {
            let Some(v) = variable(&e, chart_var.get()) else { return String::new() };
            let parts: Vec<String> = folding
                .means(&v.segments)
                .iter()
                .zip(folding.groups(false))
                .map(|(m, g)| format!("{} {}", g.name, decimal(*m, 2)))
                .collect();
            format!("Mean {} by segment: {}", v.name, parts.join(", "))
        })
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
                {move || folding.sum(&result.segment_sizes).into_iter().zip(folding.groups(false)).enumerate().map(|(i, (size, g))| view! {
                    <div class="card" data-testid="overview-card" data-segment=group_key(folding, i)>
                        <span class="label"><span class="swatch" style=format!("background:{}", css_rgb(g.colour))></span>{g.name}</span>
                        <span class="value">{thousands(size)}</span>
                        <span class="sub">{percent(size, result.rows_used)}</span>
                    </div>
                }).collect_view()}
            </div>
            <h3>"Share of the total by segment"</h3>
            <VariableSelect explore=e.clone() chosen=pie_var testid="pie-variable" label="Variable " />
            <div class="chart-row">
                <div hidden=move || pie_alt.with(String::is_empty)>
                    <Figure canvas_ref=pie_ref testid="pie-chart" label="Each segment's share of the chosen variable's total".into() alt=pie_alt />
                </div>
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
            <Figure canvas_ref=chart_ref testid="variable-chart" label="The chosen variable by segment".into() alt=means_alt />
            <Legend groups=Signal::derive(move || folding.groups(kind.get() != ChartKind::Means)) />
            {folding.note().map(|n| view! { <p class="hint" data-testid="folding-note">{n}</p> })}
            <h3>"Ratio: " {ratio_title}</h3>
            <p class="hint">"The segment's total of the first variable divided by its total of the second (e.g. purchases per visit)."</p>
            <VariableSelect explore=e.clone() chosen=numerator testid="ratio-numerator" label="Numerator " />
            <VariableSelect explore=e.clone() chosen=denominator testid="ratio-denominator" label=" Denominator " />
            <div class="table-scroll" tabindex="0"><table data-testid="ratio-card">
                <thead><tr><th>"Segment"</th><th>"Ratio"</th></tr></thead>
                <tbody>{ratio_rows}</tbody>
            </table></div>
        </div>
    }
}
