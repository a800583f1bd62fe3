//! The PCA map on a canvas, redrawn whenever a new result arrives.

use super::canvas::{context_2d, paint, PngButton};
use super::state;
use crate::charts::palette::{css_colour, segment_colour};
use crate::charts::scatter::{draw_scatter_frame, point_radius, rasterize_points, PixelMap, ScatterData};
use crate::charts::stats::{draw_bars, Group};
use crate::format::{decimal, percent, thousands};
use crate::router::Screen;
use leptos::html::Canvas;
use leptos::prelude::*;

/// Draws the points into the canvas's pixels in one `getImageData` / `putImageData` round trip.
fn raster(canvas: &web_sys::HtmlCanvasElement, map: &PixelMap, data: &ScatterData, radius: i32) {
    let Some(ctx) = context_2d(canvas) else { return };
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

/// Draws the loading arrows (biplot) of the two shown components over the points: each feature's
/// direction, scaled to a third of the smaller axis span.
fn arrows(canvas: &web_sys::HtmlCanvasElement, map: &PixelMap, arrows: &[(String, f64, f64)], dpr: f64) {
    let Some(ctx) = context_2d(canvas) else { return };
    let (xr, yr) = map.window();
    let reach = 0.35 * (xr.end - xr.start).min(yr.end - yr.start);
    ctx.set_stroke_style_str("#222");
    ctx.set_fill_style_str("#222");
    ctx.set_line_width(1.5 * dpr);
    ctx.set_font(&format!("{}px sans-serif", (12.0 * dpr).round()));
    let (ox, oy) = map.to_pixel(0.0, 0.0);
    for (name, lx, ly) in arrows {
        let (tx, ty) = map.to_pixel(lx * reach, ly * reach);
        ctx.begin_path();
        ctx.move_to(ox, oy);
        ctx.line_to(tx, ty);
        ctx.stroke();
        // The arrow head.
        let angle = (ty - oy).atan2(tx - ox);
        let head = 7.0 * dpr;
        ctx.begin_path();
        ctx.move_to(tx, ty);
        ctx.line_to(tx - head * (angle - 0.4).cos(), ty - head * (angle - 0.4).sin());
        ctx.line_to(tx - head * (angle + 0.4).cos(), ty - head * (angle + 0.4).sin());
        ctx.fill();
        let _ = ctx.fill_text(name, tx + 4.0 * dpr, ty - 4.0 * dpr);
    }
}

type Window = (std::ops::Range<f64>, std::ops::Range<f64>);

/// The window zoomed by `factor` (below 1 zooms in) around data point (cx, cy).
fn zoom(w: &Window, cx: f64, cy: f64, factor: f64) -> Window {
    let z = |r: &std::ops::Range<f64>, c: f64| (c + (r.start - c) * factor)..(c + (r.end - c) * factor);
    (z(&w.0, cx), z(&w.1, cy))
}

#[component]
pub fn Scatter() -> impl IntoView {
    let state = state();
    let canvas_ref = NodeRef::<Canvas>::new();
    let scree_ref = NodeRef::<Canvas>::new();
    // Which two components the map shows (PC1 x PC2 by default; PC3 when there are 3 features or more).
    let axes = RwSignal::new((0usize, 1usize));
    // Legend toggles (per segment, noise last), the zoomed window, the biplot switch.
    let hidden = RwSignal::new(Vec::<bool>::new());
    let window = RwSignal::new(None::<Window>);
    let biplot = RwSignal::new(true);
    let map = StoredValue::new(None::<(PixelMap, f64)>);
    let hover = RwSignal::new(None::<(f64, f64, String)>);
    // The used row last asked about (its file row arrives in `state.hover_row`).
    let hovered = StoredValue::new(None::<usize>);
    let drag = StoredValue::new(None::<(f64, f64, Window)>);
    // The components drawn and their (x, y) per point, kept by the drawing for the hover to search.
    let drawn = StoredValue::new(None::<((usize, usize), Vec<f32>)>);
    // A new result or other axes: everything shown again, whole view.
    Effect::new(move || {
        let _ = state.result.get();
        let _ = axes.get();
        hidden.set(Vec::new());
        window.set(None);
        hover.set(None);
        // Not drawn for this result until its screen is shown: a test (or a person's tool) waiting for
        // `data-drawn` waits for this result's map.
        for canvas in [canvas_ref.get_untracked(), scree_ref.get_untracked()].into_iter().flatten() {
            let _ = canvas.remove_attribute("data-drawn");
        }
    });
    Effect::new(move || {
        // Drawn while the map's screen is shown (this runs again when it is): a hidden map would
        // still project every row and ask the browser for a layout.
        if state.screen.get() != Screen::Pca {
            return;
        }
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
        let hidden_now = hidden.get();
        let data = ScatterData {
            coords: &coords,
            labels: &r.labels,
            x_label: axis(a),
            y_label: axis(b),
            hidden: &hidden_now,
            window: window.get(),
        };
        let started = web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now());
        let mut frame = None;
        let mut scale = 1.0;
        paint(&canvas, 0.6, 560.0, |area, dpr| {
            scale = dpr;
            frame = draw_scatter_frame(area, &data, dpr).ok().flatten().map(|map| (map, point_radius(dpr)));
            true
        });
        if let Some((pixel_map, radius)) = frame {
            raster(&canvas, &pixel_map, &data, radius);
            if biplot.get() {
                let loadings: Vec<(String, f64, f64)> = r
                    .spec
                    .features
                    .iter()
                    .enumerate()
                    .map(|(j, f)| {
                        let at =
                            |c: usize| r.pca.components.get(c).and_then(|v| v.get(j)).copied().unwrap_or(0.0);
                        (f.clone(), at(a), at(b))
                    })
                    .collect();
                arrows(&canvas, &pixel_map, &loadings, scale);
            }
            map.set_value(Some((pixel_map, scale)));
        }
        let took = web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now()) - started;
        let _ = canvas.set_attribute("data-draw-ms", &format!("{took:.0}"));
        let _ = canvas.set_attribute("data-points", &r.labels.len().to_string());
        let shown = r.labels.iter().filter(|&&l| data.shown(l)).count();
        let _ = canvas.set_attribute("data-shown", &shown.to_string());
        drawn.set_value(Some(((a, b), coords)));
    });
    // The scree chart: the share of variance of every component.
    Effect::new(move || {
        if state.screen.get() != Screen::Pca {
            return;
        }
        let (Some(canvas), Some(r)) = (scree_ref.get(), state.result.get()) else { return };
        let ratios: Vec<f64> = r.pca.explained_variance_ratio.iter().map(|v| 100.0 * v).collect();
        let groups: Vec<Group> = (0..ratios.len())
            .map(|i| Group { name: format!("PC{}", i + 1), colour: segment_colour(0) })
            .collect();
        paint(&canvas, 0.35, 260.0, |area, dpr| {
            draw_bars(area, &groups, &ratios, "% of variance", dpr).is_ok()
        });
    });

    // Pointer: wheel zooms around the cursor, drag pans, hover names the point, double click resets.
    let device = move |ev: &web_sys::MouseEvent| {
        let dpr = map.get_value().map_or(1.0, |m| m.1);
        (f64::from(ev.offset_x()) * dpr, f64::from(ev.offset_y()) * dpr)
    };
    let on_wheel = move |ev: leptos::ev::WheelEvent| {
        let Some((m, _)) = map.get_value() else { return };
        ev.prevent_default();
        let (px, py) = device(&ev);
        let (cx, cy) = m.to_data(px, py);
        let factor = if ev.delta_y() < 0.0 { 0.8 } else { 1.25 };
        window.set(Some(zoom(&m.window(), cx, cy, factor)));
    };
    let on_down = move |ev: leptos::ev::MouseEvent| {
        if let Some((m, _)) = map.get_value() {
            let (px, py) = device(&ev);
            drag.set_value(Some((px, py, m.window())));
        }
    };
    let on_up = move |_: leptos::ev::MouseEvent| drag.set_value(None);
    let on_move = move |ev: leptos::ev::MouseEvent| {
        let Some((m, dpr)) = map.get_value() else { return };
        let (px, py) = device(&ev);
        if let Some((x0, y0, w)) = drag.get_value().filter(|_| ev.buttons() & 1 == 1) {
            let (a, b) = (m.to_data(x0, y0), m.to_data(px, py));
            let (dx, dy) = (a.0 - b.0, a.1 - b.1);
            if dx != 0.0 || dy != 0.0 {
                let moved = ((w.0.start + dx)..(w.0.end + dx), (w.1.start + dy)..(w.1.end + dy));
                window.set(Some(moved.clone()));
                drag.set_value(Some((px, py, moved)));
            }
            return;
        }
        let Some(r) = state.result.get_untracked() else { return };
        let hidden_now = hidden.get_untracked();
        // The nearest shown point and what the tooltip says of it, read from the drawn points in place.
        let found = drawn.with_value(|d| {
            let ((a, b), coords) = d.as_ref()?;
            let data = ScatterData {
                coords,
                labels: &r.labels,
                x_label: String::new(),
                y_label: String::new(),
                hidden: &hidden_now,
                window: None,
            };
            let i = data.nearest(&m, px, py, 6.0 * dpr)?;
            // HDBSCAN: how firmly this customer belongs to its segment.
            let firmness = r
                .membership
                .as_ref()
                .and_then(|m| m.get(i))
                .filter(|_| r.labels[i] >= 0)
                .map_or(String::new(), |m| format!(" (membership {})", decimal(f64::from(*m), 2)));
            let text = format!(
                "{}{firmness} · customer {} of {} used · PC{} {} · PC{} {}",
                state.segment_name(r.labels[i]),
                thousands(i + 1),
                thousands(r.rows_used),
                a + 1,
                decimal(f64::from(coords[2 * i]), 3),
                b + 1,
                decimal(f64::from(coords[2 * i + 1]), 3)
            );
            Some((i, text))
        });
        if let Some(i) = found.as_ref().map(|f| f.0).filter(|&i| hovered.get_value() != Some(i)) {
            hovered.set_value(Some(i));
            state.used_row(i);
        }
        hover.set(found.map(|(_, text)| (f64::from(ev.offset_x()), f64::from(ev.offset_y()), text)));
    };
    let zoom_by = move |factor: f64| {
        if let Some((m, _)) = map.get_value() {
            let w = m.window();
            let (cx, cy) = ((w.0.start + w.0.end) / 2.0, (w.1.start + w.1.end) / 2.0);
            window.set(Some(zoom(&w, cx, cy, factor)));
        }
    };
    view! {
        <section class="chart" class:hidden=move || state.result.with(Option::is_none)>
            <h2>"Segment map (PCA)"</h2>
            <p class="hint">
                "Each dot is a customer, placed by the two directions along which the scaled features vary most. Scroll to zoom, drag to pan, double-click to see everything; point at a dot to name it; click a legend entry to hide or show its segment. Arrows: each feature's direction (biplot)."
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
            <div class="map-tools">
                <button class="small" data-testid="zoom-in" on:click=move |_| zoom_by(0.8)>"Zoom in"</button>
                <button class="small" data-testid="zoom-out" on:click=move |_| zoom_by(1.25)>"Zoom out"</button>
                <button class="small" data-testid="zoom-reset" on:click=move |_| window.set(None)>"Show all"</button>
                <label class="inline">
                    <input type="checkbox" data-testid="biplot-toggle" prop:checked=move || biplot.get() on:change=move |ev| biplot.set(event_target_checked(&ev)) />
                    "Loading arrows"
                </label>
            </div>
            <div class="map-wrap">
                <canvas
                    node_ref=canvas_ref
                    data-testid="pca-scatter"
                    data-zoomed=move || window.with(Option::is_some).to_string()
                    role="img"
                    aria-label="Scatter of customers on the first two principal components, coloured by segment"
                    on:wheel=on_wheel
                    on:mousedown=on_down
                    on:mouseup=on_up
                    on:mouseleave=move |_| {
                        drag.set_value(None);
                        hover.set(None);
                    }
                    on:mousemove=on_move
                    on:dblclick=move |_| window.set(None)
                ></canvas>
                {move || hover.get().map(|(x, y, text)| {
                    // The row's cells as in the file, once the worker has sent them for this point.
                    let row = state.hover_row.get().filter(|(used, ..)| hovered.get_value() == Some(*used));
                    view! {
                        <div class="tooltip" data-testid="scatter-tooltip" style=format!("left:{}px;top:{}px", x + 12.0, y + 12.0)>
                            {text}
                            {row.map(|(_, line, cells)| view! {
                                <div class="tooltip-row" data-testid="scatter-tooltip-row">
                                    {format!("row {} of the file: ", thousands(line))}
                                    {cells.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(" · ")}
                                </div>
                            })}
                        </div>
                    }
                })}
            </div>
            <PngButton canvas_ref=canvas_ref name="pca-scatter" />
            <ul class="legend scroll-area" data-testid="scatter-legend">
                {move || {
                    state
                        .result
                        .get()
                        .map(|r| {
                            let n = r.segment_sizes.len();
                            let toggle = move |i: usize| {
                                hidden.update(|h| {
                                    h.resize(n + 1, false);
                                    h[i] = !h[i];
                                })
                            };
                            let off = move |i: usize| hidden.with(|h| h.get(i).copied().unwrap_or(false));
                            let mut items: Vec<_> = r
                                .segment_sizes
                                .iter()
                                .enumerate()
                                .map(|(i, &size)| {
                                    view! {
                                        <li>
                                            <button class="legend-toggle" data-testid="legend-toggle" data-segment=i.to_string() aria-pressed=move || (!off(i)).to_string() class:off=move || off(i) on:click=move |_| toggle(i)>
                                                <span class="swatch" style=format!("background:{}", css_colour(i as i32))></span>
                                                {format!("{} ({}, {})", state.segment_name(i as i32), thousands(size), percent(size, r.rows_used))}
                                            </button>
                                        </li>
                                    }
                                    .into_any()
                                })
                                .collect();
                            if r.noise > 0 {
                                items.push(view! {
                                    <li>
                                        <button class="legend-toggle" data-testid="legend-toggle" data-segment="noise" aria-pressed=move || (!off(n)).to_string() class:off=move || off(n) on:click=move |_| toggle(n)>
                                            <span class="swatch" style=format!("background:{}", css_colour(-1))></span>
                                            {format!("Noise ({})", thousands(r.noise))}
                                        </button>
                                    </li>
                                }
                                .into_any());
                            }
                            items
                        })
                }}
            </ul>
            <h3>"Variance by component (scree)"</h3>
            <canvas node_ref=scree_ref data-testid="scree-chart" role="img" aria-label="Share of variance explained by each principal component"></canvas>
            <PngButton canvas_ref=scree_ref name="scree-chart" />
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
        <div class="table-scroll" tabindex="0"><table data-testid="pca-loadings">
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

/// The PCA map small, beside the segments on the answer screen: every customer placed by the first two
/// components, coloured by segment; a click opens the full map.
#[component]
pub fn MiniMap(result: std::sync::Arc<segment_core::pipeline::AnalysisResult>) -> impl IntoView {
    let canvas_ref = NodeRef::<Canvas>::new();
    let r = result.clone();
    Effect::new(move || {
        let Some(canvas) = canvas_ref.get() else { return };
        let coords = r.pca.pair(0, 1.min(r.pca.dims.max(1) - 1));
        let ratio = &r.pca.explained_variance_ratio;
        let axis = |i: usize| format!("PC{} ({:.0}%)", i + 1, 100.0 * ratio.get(i).copied().unwrap_or(0.0));
        let data = ScatterData {
            coords: &coords,
            labels: &r.labels,
            x_label: axis(0),
            y_label: axis(1),
            hidden: &[],
            window: None,
        };
        let started = web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now());
        let mut frame = None;
        paint(&canvas, 0.75, 340.0, |area, dpr| {
            frame = draw_scatter_frame(area, &data, dpr).ok().flatten().map(|map| (map, point_radius(dpr)));
            true
        });
        if let Some((pixel_map, radius)) = frame {
            raster(&canvas, &pixel_map, &data, radius);
        }
        let took = web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now()) - started;
        let _ = canvas.set_attribute("data-draw-ms", &format!("{took:.0}"));
    });
    let total: f64 = result.pca.explained_variance_ratio.iter().take(2).sum();
    let alt = format!(
        "Each dot is a customer placed by the two main directions of the features ({:.0}% of their variance), coloured by segment.",
        100.0 * total
    );
    view! {
        <figure class="chart mini-map">
            <canvas node_ref=canvas_ref data-testid="overview-map" role="img" aria-label=alt.clone()></canvas>
            <figcaption>
                <span class="hint">{alt}</span>" "
                <a href=crate::router::Screen::Pca.hash() data-testid="open-pca">"Open the map"</a>
            </figcaption>
        </figure>
    }
}
