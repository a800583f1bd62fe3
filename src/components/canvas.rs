//! Drawing a plotters chart on a page canvas at the screen's pixel density.

use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, IntoDrawingArea};
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

/// Sizes `canvas` to its CSS width (height = width x `aspect`, at most `max_height` CSS pixels) times the
/// device pixel ratio, calls `draw` with the area and that ratio, and marks the canvas `data-drawn`.
///
/// A canvas on a screen not shown has no width: it is left for later. The effect calling this reads the
/// app's `repaint` signal here, so it runs again, and draws, once its screen is shown or the window
/// changes size.
pub fn paint(
    canvas: &HtmlCanvasElement,
    aspect: f64,
    max_height: f64,
    draw: impl FnOnce(&DrawingArea<CanvasBackend, Shift>, f64) -> bool,
) -> bool {
    if let Some(state) = leptos::prelude::use_context::<crate::state::AppState>() {
        use leptos::prelude::Track;
        state.repaint.track();
    }
    if canvas.client_width() == 0 {
        if canvas.get_attribute("data-drawn").is_none() {
            let _ = canvas.set_attribute("data-drawn", "later");
        }
        return false;
    }
    let dpr = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()).max(1.0);
    let css_width = f64::from(canvas.client_width().max(320));
    let css_height = (css_width * aspect).min(max_height);
    canvas.set_width((css_width * dpr) as u32);
    canvas.set_height((css_height * dpr) as u32);
    let _ = canvas.set_attribute("style", &format!("height:{css_height}px"));
    let ok = CanvasBackend::with_canvas_object(canvas.clone()).is_some_and(|backend| {
        let area = backend.into_drawing_area();
        draw(&area, dpr) && area.present().is_ok()
    });
    let _ = canvas.set_attribute("data-drawn", if ok { "true" } else { "false" });
    ok
}

/// The canvas's 2-D context, for drawing past plotters (raster points, arrows).
pub fn context_2d(canvas: &HtmlCanvasElement) -> Option<web_sys::CanvasRenderingContext2d> {
    use wasm_bindgen::JsCast;
    canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
}

/// A button that saves the canvas as `<name>.png` (test id `png-<name>`).
#[leptos::component]
pub fn PngButton(
    canvas_ref: leptos::prelude::NodeRef<leptos::html::Canvas>,
    name: &'static str,
) -> impl leptos::IntoView {
    use leptos::prelude::*;
    let save = move |_| {
        use wasm_bindgen::JsCast;
        let Some(canvas) = canvas_ref.get_untracked() else { return };
        let Ok(url) = canvas.to_data_url() else { return };
        let anchor = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.create_element("a").ok())
            .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok());
        if let Some(a) = anchor {
            a.set_href(&url);
            a.set_download(&format!("{name}.png"));
            a.click();
        }
    };
    view! {
        <p class="png"><button class="small" data-testid=format!("png-{name}") on:click=save>"Save as PNG"</button></p>
    }
}
