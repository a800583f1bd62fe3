//! Segments side by side: pick two or more, read each difference in words with its effect size, and
//! see their profiles as parallel coordinates.

use super::state;
use crate::charts::palette::{css_colour, segment_colour};
use crate::charts::stats::{draw_parallel, Group};
use crate::components::canvas::paint;
use crate::components::figure::{Figure, Legend};
use crate::format::decimal;
use leptos::html::Canvas;
use leptos::prelude::*;
use segment_core::explore::{describe_difference, effect_size, effect_words};
use segment_core::pipeline::AnalysisResult;
use std::sync::Arc;

#[component]
pub fn CompareScreen(result: Arc<AnalysisResult>) -> impl IntoView {
    if result.segment_sizes.len() < 2 || result.explore.variables.is_empty() {
        return view! { <p class="hint">"Two or more segments are needed to compare."</p> }.into_any();
    }
    view! { <CompareBody result /> }.into_any()
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
    // The chart's figures: each picked segment's mean of each feature.
    let means_alt = {
        let (e, features) = (e.clone(), features.clone());
        Signal::derive(move || {
            chosen
                .get()
                .iter()
                .map(|&s| {
                    let means: Vec<String> = features
                        .iter()
                        .map(|&i| {
                            let v = &e.variables[i];
                            format!(
                                "{} {}",
                                v.name,
                                decimal(v.segments.get(s).map_or(f64::NAN, |x| x.mean), 2)
                            )
                        })
                        .collect();
                    format!("{}: {}", state.segment_name(s as i32), means.join(", "))
                })
                .collect::<Vec<_>>()
                .join("; ")
        })
    };
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
        <div class="segment-picks scroll-area">
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
        <Figure canvas_ref=chart_ref testid="compare-chart" label="Parallel coordinates of the picked segments' means".into() alt=means_alt />
        <Legend groups=Signal::derive(move || chosen.get().into_iter().map(|s| Group { name: state.segment_name(s as i32), colour: segment_colour(s) }).collect::<Vec<_>>()) />
        <div class="table-scroll" tabindex="0"><table data-testid="compare-table">
            <thead><tr><th>"Difference"</th><th>"Effect size (d)"</th><th>"Size"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table></div>
    }
}
