//! The PCA map: every used row at its (pc1, pc2) scores, coloured by segment, noise in grey underneath.
//!
//! Plotters draws the frame (axes, grid, labels). The points are drawn either as plotters circles (SVG,
//! tests, any backend) or, in the page, rasterised straight into the canvas's pixels
//! ([`rasterize_points`]): a million points then cost one pass over memory instead of a million canvas
//! calls.

use super::padded_range;
use super::palette::{segment_colour, NOISE_COLOUR};
use plotters::coord::Shift;
use plotters::prelude::*;

pub struct ScatterData<'a> {
    /// Row-major (x, y) pairs.
    pub coords: &'a [f32],
    /// Per point: segment id, or -1 for noise.
    pub labels: &'a [i32],
    pub x_label: String,
    pub y_label: String,
    /// Groups the legend switched off: `hidden[segment]`, noise at `hidden[n_segments]` (any length:
    /// missing entries are shown).
    pub hidden: &'a [bool],
    /// The zoomed window (x range, y range); None shows every point.
    pub window: Option<(std::ops::Range<f64>, std::ops::Range<f64>)>,
}

impl ScatterData<'_> {
    fn len(&self) -> usize {
        self.labels.len().min(self.coords.len() / 2)
    }

    /// Whether the point with this label is drawn.
    pub fn shown(&self, label: i32) -> bool {
        let noise_at = self.hidden.len().saturating_sub(1);
        let i = usize::try_from(label).unwrap_or(noise_at);
        !self.hidden.get(i).copied().unwrap_or(false)
    }

    /// The shown point nearest to data position (x, y) within `max_pixels` on the map, if any.
    pub fn nearest(&self, map: &PixelMap, px: f64, py: f64, max_pixels: f64) -> Option<usize> {
        let mut best = (max_pixels * max_pixels, None);
        for (i, (p, &l)) in self.coords.chunks_exact(2).zip(self.labels).enumerate() {
            if !self.shown(l) {
                continue;
            }
            let (x, y) = map.to_pixel(f64::from(p[0]), f64::from(p[1]));
            let d2 = (x - px) * (x - px) + (y - py) * (y - py);
            if d2 <= best.0 {
                best = (d2, Some(i));
            }
        }
        best.1
    }
}

/// Where data coordinates land on the drawing area, in device pixels, and the plotting rectangle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PixelMap {
    x: (f64, f64, f64, f64),
    y: (f64, f64, f64, f64),
    /// Plotting rectangle: x from..to, y from..to (pixels, end exclusive).
    pub clip: (i32, i32, i32, i32),
}

impl PixelMap {
    pub fn to_pixel(&self, x: f64, y: f64) -> (f64, f64) {
        let lin = |(v0, v1, p0, p1): (f64, f64, f64, f64), v: f64| p0 + (v - v0) / (v1 - v0) * (p1 - p0);
        (lin(self.x, x), lin(self.y, y))
    }

    /// The data position at a pixel (the inverse of [`Self::to_pixel`]).
    pub fn to_data(&self, px: f64, py: f64) -> (f64, f64) {
        let lin = |(v0, v1, p0, p1): (f64, f64, f64, f64), p: f64| v0 + (p - p0) / (p1 - p0) * (v1 - v0);
        (lin(self.x, px), lin(self.y, py))
    }

    /// The data window shown: (x range, y range).
    pub fn window(&self) -> (std::ops::Range<f64>, std::ops::Range<f64>) {
        (self.x.0..self.x.1, self.y.0..self.y.1)
    }
}

/// Draws axes, grid and labels, and returns where points go.
pub fn draw_scatter_frame<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &ScatterData,
    scale: f64,
) -> Result<Option<PixelMap>, DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&WHITE)?;
    let n = data.len();
    if n == 0 {
        return Ok(None);
    }
    let points = &data.coords[..2 * n];
    let (x_range, y_range) = data.window.clone().unwrap_or_else(|| {
        (
            padded_range(points.iter().step_by(2).map(|&v| f64::from(v)), 0.04),
            padded_range(points.iter().skip(1).step_by(2).map(|&v| f64::from(v)), 0.04),
        )
    });
    let font = (13.0 * scale) as u32;
    let mut chart = ChartBuilder::on(area)
        .margin((8.0 * scale) as u32)
        .x_label_area_size((36.0 * scale) as u32)
        .y_label_area_size((48.0 * scale) as u32)
        .build_cartesian_2d(x_range.clone(), y_range.clone())?;
    chart
        .configure_mesh()
        .max_light_lines(1)
        .light_line_style(RGBColor(242, 242, 242))
        .x_desc(data.x_label.as_str())
        .y_desc(data.y_label.as_str())
        .label_style(("sans-serif", font))
        .axis_desc_style(("sans-serif", font))
        .draw()?;
    let (px0, py0) = chart.backend_coord(&(x_range.start, y_range.start));
    let (px1, py1) = chart.backend_coord(&(x_range.end, y_range.end));
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    Ok(Some(PixelMap {
        x: (x_range.start, x_range.end, f64::from(px0), f64::from(px1)),
        y: (y_range.start, y_range.end, f64::from(py0), f64::from(py1)),
        clip: (xs.start, xs.end, ys.start, ys.end),
    }))
}

/// The point radius in device pixels.
pub fn point_radius(scale: f64) -> i32 {
    (1.6 * scale).round().max(1.0) as i32
}

/// Draws the map with plotters circles (any backend; the SVG tests use it).
pub fn draw_scatter<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &ScatterData,
    scale: f64,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let Some(map) = draw_scatter_frame(area, data, scale)? else { return Ok(()) };
    let radius = point_radius(scale);
    for want_noise in [true, false] {
        for (p, &l) in data.coords.chunks_exact(2).zip(data.labels) {
            if (l < 0) != want_noise || !data.shown(l) {
                continue;
            }
            let (x, y) = map.to_pixel(f64::from(p[0]), f64::from(p[1]));
            let (cx0, cx1, cy0, cy1) = map.clip;
            if x < f64::from(cx0) || x >= f64::from(cx1) || y < f64::from(cy0) || y >= f64::from(cy1) {
                continue;
            }
            let colour = usize::try_from(l).map_or(NOISE_COLOUR, segment_colour);
            area.draw(&Circle::new((x.round() as i32, y.round() as i32), radius, colour.mix(0.75).filled()))?;
        }
    }
    Ok(())
}

/// Blends every point, as a disc of `radius` pixels at 75 % opacity, into an RGBA buffer `width` pixels
/// wide (a canvas's `ImageData`), noise first so segments stay on top. Clipped to the plotting rectangle.
pub fn rasterize_points(rgba: &mut [u8], width: usize, map: &PixelMap, data: &ScatterData, radius: i32) {
    let height = rgba.len() / 4 / width.max(1);
    let (cx0, cx1, cy0, cy1) = map.clip;
    let (cx0, cy0) = (cx0.max(0), cy0.max(0));
    let (cx1, cy1) = (cx1.min(width as i32), cy1.min(height as i32));
    let disc: Vec<(i32, i32)> = (-radius..=radius)
        .flat_map(|dy| (-radius..=radius).map(move |dx| (dx, dy)))
        .filter(|(dx, dy)| dx * dx + dy * dy <= radius * radius + radius)
        .collect();
    const ALPHA: u32 = 191; // 0.75 of 255
    for want_noise in [true, false] {
        for (p, &l) in data.coords.chunks_exact(2).zip(data.labels) {
            if (l < 0) != want_noise || !data.shown(l) {
                continue;
            }
            let RGBColor(r, g, b) = usize::try_from(l).map_or(NOISE_COLOUR, segment_colour);
            let (x, y) = map.to_pixel(f64::from(p[0]), f64::from(p[1]));
            let (x, y) = (x.round() as i32, y.round() as i32);
            for &(dx, dy) in &disc {
                let (px, py) = (x + dx, y + dy);
                if px < cx0 || px >= cx1 || py < cy0 || py >= cy1 {
                    continue;
                }
                let at = (py as usize * width + px as usize) * 4;
                for (c, v) in [r, g, b].into_iter().enumerate() {
                    let dst = u32::from(rgba[at + c]);
                    rgba[at + c] = ((u32::from(v) * ALPHA + dst * (255 - ALPHA) + 127) / 255) as u8;
                }
                rgba[at + 3] = 255;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data<'a>(coords: &'a [f32], labels: &'a [i32]) -> ScatterData<'a> {
        ScatterData {
            coords,
            labels,
            x_label: "PC1".into(),
            y_label: "PC2".into(),
            hidden: &[],
            window: None,
        }
    }

    #[test]
    fn hidden_groups_zoom_and_nearest_point() {
        let coords = [0.0f32, 0.0, 1.0, 1.0, 0.5, 0.5];
        let labels = [0, 1, -1];
        let hidden = [false, true, false]; // segment 1 off; noise (last) shown
        let mut d = data(&coords, &labels);
        d.hidden = &hidden;
        let mut svg = String::new();
        {
            let area = SVGBackend::with_string(&mut svg, (320, 240)).into_drawing_area();
            draw_scatter(&area, &d, 1.0).unwrap_or_else(|e| panic!("{e:?}"));
            area.present().unwrap_or_else(|e| panic!("{e:?}"));
        }
        assert_eq!(svg.matches("<circle").count(), 2);
        // Zoomed on the lower-left quarter: the point at (1, 1) falls outside and is not drawn.
        d.hidden = &[];
        d.window = Some((-0.1..0.6, -0.1..0.6));
        let mut svg = String::new();
        let area = SVGBackend::with_string(&mut svg, (320, 240)).into_drawing_area();
        let map = draw_scatter_frame(&area, &d, 1.0).ok().flatten().unwrap_or_else(|| panic!("a frame"));
        let (x, y) = map.to_pixel(0.5, 0.5);
        let back = map.to_data(x, y);
        assert!((back.0 - 0.5).abs() < 1e-9 && (back.1 - 0.5).abs() < 1e-9);
        assert_eq!(d.nearest(&map, x + 2.0, y, 6.0), Some(2));
        assert_eq!(d.nearest(&map, x + 50.0, y, 6.0), None);
    }

    #[test]
    fn draws_every_point_to_svg() {
        let coords = [0.0f32, 0.0, 1.0, 1.0, 0.5, 0.2];
        let labels = [0, 1, -1];
        let mut svg = String::new();
        {
            let area = SVGBackend::with_string(&mut svg, (320, 240)).into_drawing_area();
            draw_scatter(&area, &data(&coords, &labels), 1.0).unwrap_or_else(|e| panic!("{e:?}"));
            area.present().unwrap_or_else(|e| panic!("{e:?}"));
        }
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.contains("PC1"));
    }

    #[test]
    fn rasterised_points_land_where_the_frame_says() {
        let coords = [0.0f32, 0.0, 1.0, 1.0];
        let labels = [0, -1];
        let mut svg = String::new();
        let area = SVGBackend::with_string(&mut svg, (320, 240)).into_drawing_area();
        let map = draw_scatter_frame(&area, &data(&coords, &labels), 1.0)
            .unwrap_or_else(|e| panic!("{e:?}"))
            .unwrap_or_else(|| panic!("a frame"));
        let mut rgba = vec![255u8; 320 * 240 * 4];
        rasterize_points(&mut rgba, 320, &map, &data(&coords, &labels), 2);
        let pixel = |x: f64, y: f64| {
            let at = (y.round() as usize * 320 + x.round() as usize) * 4;
            (rgba[at], rgba[at + 1], rgba[at + 2])
        };
        let (x, y) = map.to_pixel(0.0, 0.0);
        let RGBColor(r, g, b) = segment_colour(0);
        let blend = |v: u8| ((u32::from(v) * 191 + 255 * 64 + 127) / 255) as u8;
        assert_eq!(pixel(x, y), (blend(r), blend(g), blend(b)));
        let (x, y) = map.to_pixel(1.0, 1.0);
        assert_ne!(pixel(x, y), (255, 255, 255), "noise is drawn too");
        // Outside the plotting rectangle nothing changes.
        assert_eq!(&rgba[..4], &[255, 255, 255, 255]);
    }
}
