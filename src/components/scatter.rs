//! The PCA map on a canvas, redrawn whenever a new result arrives.

use super::canvas::paint;
use super::state;
use crate::charts::palette::css_colour;
use crate::charts::scatter::{draw_scatter, ScatterData};
use crate::format::{percent, thousands};
use leptos::html::Canvas;
use leptos::prelude::*;

#[component]
pub fn Scatter() -> impl IntoView {
    let state = state();
    let canvas_ref = NodeRef::<Canvas>::new();
    Effect::new(move || {
        let result = state.result.get();
        let (Some(canvas), Some(r)) = (canvas_ref.get(), result) else { return };
        let ratio = &r.pca.explained_variance_ratio;
        let axis = |i: usize| {
            format!("PC{} ({:.1}% of variance)", i + 1, 100.0 * ratio.get(i).copied().unwrap_or(0.0))
        };
        let data =
            ScatterData { coords: &r.pca.coords, labels: &r.labels, x_label: axis(0), y_label: axis(1) };
        paint(&canvas, 0.6, 560.0, |area, dpr| draw_scatter(area, &data, dpr).is_ok());
        let _ = canvas.set_attribute("data-points", &r.labels.len().to_string());
    });
    view! {
        <section class="chart" class:hidden=move || state.result.with(Option::is_none)>
            <h2>"Segment map (PCA)"</h2>
            <p class="hint">
                "Each dot is a customer, placed by the two directions along which the scaled features vary most."
            </p>
            <canvas
                node_ref=canvas_ref
                data-testid="pca-scatter"
                role="img"
                aria-label="Scatter of customers on the first two principal components, coloured by segment"
            ></canvas>
            <ul class="legend" data-testid="scatter-legend">
                {move || {
                    state
                        .result
                        .get()
                        .map(|r| {
                            let mut items: Vec<_> = r
                                .segment_sizes
                                .iter()
                                .enumerate()
                                .map(|(i, &n)| {
                                    view! {
                                        <li>
                                            <span class="swatch" style=format!("background:{}", css_colour(i as i32))></span>
                                            {format!("{} ({}, {})", state.segment_name(i as i32), thousands(n), percent(n, r.rows_used))}
                                        </li>
                                    }
                                })
                                .collect();
                            if r.noise > 0 {
                                items.push(view! {
                                    <li>
                                        <span class="swatch" style=format!("background:{}", css_colour(-1))></span>
                                        {format!("Noise ({})", thousands(r.noise))}
                                    </li>
                                });
                            }
                            items
                        })
                }}
            </ul>
        </section>
    }
}
