//! One segment against the rest: its size and means in cards, its profile in words, where it sits
//! among the other customers, and one variable's distribution in it against the rest.

use super::state;
use crate::charts::palette::{segment_colour, NOISE_COLOUR, OTHERS_COLOUR};
use crate::charts::stats::{draw_histograms, draw_points, Group};
use crate::components::canvas::paint;
use crate::components::figure::{
    feature_pair, sample_points, variable, Figure, Folding, Legend, VariableSelect,
};
use crate::format::{decimal, percent, thousands};
use leptos::html::Canvas;
use leptos::prelude::*;
use segment_core::pipeline::AnalysisResult;
use std::sync::Arc;

#[component]
pub fn OneSegmentScreen(result: Arc<AnalysisResult>) -> impl IntoView {
    if result.segment_sizes.is_empty() || result.explore.variables.is_empty() {
        return view! { <p class="hint">"No segment to describe: try other settings."</p> }.into_any();
    }
    view! { <AnalysisBody result /> }.into_any()
}

/// The highlighted segment, the other segments and noise.
fn highlight_groups(seg: usize) -> Vec<Group> {
    vec![
        Group { name: state().segment_name(seg as i32), colour: segment_colour(seg) },
        Group { name: "Other segments".into(), colour: OTHERS_COLOUR },
        Group { name: "Noise".into(), colour: NOISE_COLOUR },
    ]
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
            let all = Folding { segments: n, shown: n };
            let Some(points) = sample_points(&e, x, y, all) else { return };
            // The segment, the other segments, noise: the segment drawn on top.
            let points: Vec<(f64, f64, usize)> = points
                .into_iter()
                .map(|(a, b, g)| {
                    (
                        a,
                        b,
                        if g == seg {
                            0
                        } else if g >= n {
                            2
                        } else {
                            1
                        },
                    )
                })
                .collect();
            let g = highlight_groups(seg);
            let names = (e.variables[x].name.as_str(), e.variables[y].name.as_str());
            if let Some(c) = scatter_ref.get() {
                paint(&c, 0.6, 460.0, |a, s| draw_points(a, &points, &g, Some(0), names, s).is_ok());
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
    let hist_alt = {
        let e = e.clone();
        Signal::derive(move || {
            let (seg, i) = (segment.get(), dist_var.get());
            variable(&e, i).map_or(String::new(), |v| {
                let own = v.segments.get(seg).cloned().unwrap_or_default();
                format!(
                    "{}: median {} in {} against {} over all customers used",
                    v.name,
                    decimal(own.median, 2),
                    state.segment_name(seg as i32),
                    decimal(v.overall.median, 2)
                )
            })
        })
    };
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
        <Legend groups=Signal::derive(move || highlight_groups(segment.get())) />
        <h3>"One variable: the segment against the rest"</h3>
        <VariableSelect explore=e.clone() chosen=dist_var testid="analysis-variable" label="Variable " />
        <Figure canvas_ref=hist_ref testid="analysis-histogram" label="The segment's distribution against the rest".into() alt=hist_alt />
    }
}
