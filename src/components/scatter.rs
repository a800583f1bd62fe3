//! The PCA map on a canvas, redrawn whenever a new result arrives.

use super::canvas::paint;
use super::state;
use crate::charts::palette::css_colour;
use crate::charts::scatter::{draw_scatter_frame, point_radius, rasterize_points, PixelMap, ScatterData};
use crate::format::{percent, thousands};
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
    Effect::new(move || {
        let result = state.result.get();
        let (Some(canvas), Some(r)) = (canvas_ref.get(), result) else { return };
        let ratio = &r.pca.explained_variance_ratio;
        let axis = |i: usize| {
            format!("PC{} ({:.1}% of variance)", i + 1, 100.0 * ratio.get(i).copied().unwrap_or(0.0))
        };
        let data =
            ScatterData { coords: &r.pca.coords, labels: &r.labels, x_label: axis(0), y_label: axis(1) };
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
