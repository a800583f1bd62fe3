//! Explore: every numeric column's distribution and summary, the correlations between them, and any
//! two against each other by segment. The figures come computed from the worker (`result.explore`).

use crate::charts::palette::segment_colour;
use crate::charts::stats::{draw_boxes, draw_heatmap, draw_histograms, draw_points, Group};
use crate::components::canvas::paint;
use crate::components::figure::{
    box_of, feature_pair, sample_points, variable, Figure, Folding, Legend, VariableSelect,
};
use crate::format::{decimal, thousands};
use leptos::html::Canvas;
use leptos::prelude::*;
use segment_core::pipeline::AnalysisResult;
use std::sync::Arc;

#[component]
pub fn ExploreScreen(result: Arc<AnalysisResult>) -> impl IntoView {
    if result.explore.variables.is_empty() {
        return view! { <p class="hint">"No numeric column to describe."</p> }.into_any();
    }
    view! { <ExploreBody result /> }.into_any()
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
    let folding = Folding::new(result.segment_sizes.len());
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
            let Some(points) = sample_points(&e, x, y, folding) else { return };
            let g = folding.groups(true);
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
    let summary_alt = {
        let e = e.clone();
        Signal::derive(move || {
            variable(&e, chosen.get()).map_or(String::new(), |v| {
                let s = &v.overall;
                format!(
                    "{}: {} values, mean {}, quartiles {}, {}, {}, from {} to {}",
                    v.name,
                    thousands(s.count),
                    decimal(s.mean, 2),
                    decimal(s.q1, 2),
                    decimal(s.median, 2),
                    decimal(s.q3, 2),
                    decimal(s.min, 2),
                    decimal(s.max, 2)
                )
            })
        })
    };
    // The heatmap's figures: the strongest correlations, in words.
    let strongest = {
        let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
        for (i, row) in e.correlation.iter().enumerate() {
            for (j, &r) in row.iter().enumerate().skip(i + 1) {
                if r.is_finite() {
                    pairs.push((r, i, j));
                }
            }
        }
        pairs.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()));
        let words: Vec<String> = pairs
            .iter()
            .take(5)
            .map(|&(r, i, j)| {
                format!("{} and {} {}", e.variables[i].name, e.variables[j].name, decimal(r, 2))
            })
            .collect();
        Signal::derive(move || format!("Strongest: {}", words.join(", ")))
    };
    view! {
        <p class="hint">"Every numeric column of the rows used, whether it is a feature or not."</p>
        <VariableSelect explore=e.clone() chosen=chosen testid="explore-variable" label="Variable " />
        <div class="table-scroll" tabindex="0"><table>
            <thead><tr><th>"Variable"</th><th>"Count"</th><th>"Mean"</th><th>"Std"</th><th>"Min"</th><th>"25%"</th><th>"Median"</th><th>"75%"</th><th>"Max"</th></tr></thead>
            <tbody>{summary_row}</tbody>
        </table></div>
        <div class="chart-row">
            <Figure canvas_ref=hist_ref testid="explore-histogram" label="Histogram of the chosen variable".into() alt=summary_alt />
            <Figure canvas_ref=box_ref testid="explore-box" label="Box plot of the chosen variable".into() alt=summary_alt />
        </div>
        <h3>"Correlations"</h3>
        <p class="hint">"Pearson's r between every two numeric columns: orange moves together, blue moves opposite."</p>
        <Figure canvas_ref=heat_ref testid="correlation-heatmap" label="Correlation heatmap".into() alt=strongest />
        <h3>"Any two variables"</h3>
        <p class="hint">{format!("A random sample of {} customers, coloured by segment.", thousands(e.sample_labels.len()))}</p>
        <VariableSelect explore=e.clone() chosen=sx testid="scatter-x" label="Across " />
        <VariableSelect explore=e.clone() chosen=sy testid="scatter-y" label=" up " />
        <Figure canvas_ref=scatter_ref testid="explore-scatter" label="Scatter of two variables by segment".into() />
        <Legend groups=Signal::derive(move || folding.groups(true)) />
    }
}
