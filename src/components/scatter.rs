//! The PCA map on a canvas, redrawn whenever a new result arrives.

use super::canvas::paint;
use super::state;
use crate::charts::palette::css_colour;
use crate::charts::scatter::{draw_scatter_frame, point_radius, rasterize_points, PixelMap, ScatterData};
use crate::format::{decimal, percent, thousands};
use leptos::html::Canvas;
use leptos::prelude::*;

/// Draws the points into the canvas's pixels in one `getImageData` / `putImageData` round trip.
fn raster(canvas: &web_sys::HtmlCanvasElement, map: &PixelMap, data: &ScatterData, radius: i32) {
    use wasm_bindgen::JsCast;
    let Some(ctx) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    let (w, h) = (canvas.width(), canvas.height());
    let Ok(image) = ctx.get_image_data(0.0, 0.0, f64::from(w), f64::from(h)) else { return };
    let mut rgba = image.data().0;
    rasterize_points(&mut rgba, w as usize, map, data, radius);
    if let Ok(image) =
        web_sys::ImageData::new_with_u8_clamped_array_and_sh(wasm_bindgen::Clamped(&rgba), w, h)
    {
        let _ = ctx.put_image_data(&image, 0.0, 0.0);
    }
}

#[component]
pub fn Scatter() -> impl IntoView {
    let state = state();
    let canvas_ref = NodeRef::<Canvas>::new();
    // Which two components the map shows (PC1 x PC2 by default; PC3 when there are 3 features or more).
    let axes = RwSignal::new((0usize, 1usize));
    Effect::new(move || {
        let result = state.result.get();
        let (Some(canvas), Some(r)) = (canvas_ref.get(), result) else { return };
        let last = r.pca.dims.max(1) - 1;
        let (a, b) = axes.get();
        let (a, b) = (a.min(last), b.min(last));
        let ratio = &r.pca.explained_variance_ratio;
        let axis = |i: usize| {
            format!("PC{} ({:.1}% of variance)", i + 1, 100.0 * ratio.get(i).copied().unwrap_or(0.0))
        };
        let coords = r.pca.pair(a, b);
        let data = ScatterData { coords: &coords, labels: &r.labels, x_label: axis(a), y_label: axis(b) };
        let started = web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now());
        let mut frame = None;
        paint(&canvas, 0.6, 560.0, |area, dpr| {
            frame = draw_scatter_frame(area, &data, dpr).ok().flatten().map(|map| (map, point_radius(dpr)));
            true
        });
        if let Some((map, radius)) = frame {
            raster(&canvas, &map, &data, radius);
        }
        let took = web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now()) - started;
        let _ = canvas.set_attribute("data-draw-ms", &format!("{took:.0}"));
        let _ = canvas.set_attribute("data-points", &r.labels.len().to_string());
    });
    view! {
        <section class="chart" class:hidden=move || state.result.with(Option::is_none)>
            <h2>"Segment map (PCA)"</h2>
            <p class="hint">
                "Each dot is a customer, placed by the two directions along which the scaled features vary most."
            </p>
            {move || state.result.get().filter(|r| r.pca.dims >= 3).map(|_| view! {
                <label>
                    "Components shown "
                    <select
                        data-testid="pca-axes"
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            axes.set(match v.as_str() {
                                "13" => (0, 2),
                                "23" => (1, 2),
                                _ => (0, 1),
                            });
                        }
                    >
                        <option value="12">"PC1 × PC2"</option>
                        <option value="13">"PC1 × PC3"</option>
                        <option value="23">"PC2 × PC3"</option>
                    </select>
                </label>
            })}
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
            {move || state.result.get().map(|r| view! { <Loadings result=r /> })}
        </section>
    }
}

/// What each component is made of: every feature's loading, with the share of variance explained.
#[component]
fn Loadings(result: std::sync::Arc<segment_core::pipeline::AnalysisResult>) -> impl IntoView {
    let pca = &result.pca;
    let shown = pca.components.len().min(3);
    let features = result.spec.features.clone();
    view! {
        <h3>"What the components are made of"</h3>
        <p class="hint">
            "Loadings: each feature's weight in a component (scaled features; sign fixed so the largest weight is positive). The percentages are the share of the total variance each component explains."
        </p>
        <div class="table-scroll"><table data-testid="pca-loadings">
            <thead>
                <tr>
                    <th>"Feature"</th>
                    {(0..shown).map(|c| view! {
                        <th>{format!(
                            "PC{} ({:.1}%)",
                            c + 1,
                            100.0 * pca.explained_variance_ratio.get(c).copied().unwrap_or(0.0)
                        )}</th>
                    }).collect_view()}
                </tr>
            </thead>
            <tbody>
                {features.iter().enumerate().map(|(j, f)| view! {
                    <tr>
                        <td>{f.clone()}</td>
                        {(0..shown).map(|c| view! {
                            <td>{decimal(pca.components[c].get(j).copied().unwrap_or(0.0), 3)}</td>
                        }).collect_view()}
                    </tr>
                }).collect_view()}
            </tbody>
        </table></div>
    }
}
