//! The PCA map: every used row at its (pc1, pc2) scores, coloured by segment, noise in grey underneath.

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
}

/// Draws the map on `area`; `scale` multiplies font sizes and marker radii (device pixel ratio).
pub fn draw_scatter<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &ScatterData,
    scale: f64,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&WHITE)?;
    let n = data.labels.len().min(data.coords.len() / 2);
    if n == 0 {
        return Ok(());
    }
    let points = &data.coords[..2 * n];
    let x_range = padded_range(points.iter().step_by(2).map(|&v| f64::from(v)), 0.04);
    let y_range = padded_range(points.iter().skip(1).step_by(2).map(|&v| f64::from(v)), 0.04);
    let font = (13.0 * scale) as u32;
    let mut chart = ChartBuilder::on(area)
        .margin((8.0 * scale) as u32)
        .x_label_area_size((36.0 * scale) as u32)
        .y_label_area_size((48.0 * scale) as u32)
        .build_cartesian_2d(x_range, y_range)?;
    chart
        .configure_mesh()
        .max_light_lines(1)
        .light_line_style(RGBColor(242, 242, 242))
        .x_desc(data.x_label.as_str())
        .y_desc(data.y_label.as_str())
        .label_style(("sans-serif", font))
        .axis_desc_style(("sans-serif", font))
        .draw()?;
    let radius = (1.6 * scale).round().max(1.0) as i32;
    let points = |want_noise: bool| {
        data.coords[..2 * n]
            .chunks_exact(2)
            .zip(data.labels)
            .filter(move |(_, &l)| (l < 0) == want_noise)
            .map(move |(p, &l)| {
                let colour = usize::try_from(l).map_or(NOISE_COLOUR, segment_colour);
                Circle::new((p[0] as f64, p[1] as f64), radius, colour.mix(0.75).filled())
            })
    };
    chart.draw_series(points(true))?;
    chart.draw_series(points(false))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_every_point_to_svg() {
        let coords = [0.0f32, 0.0, 1.0, 1.0, 0.5, 0.2];
        let labels = [0, 1, -1];
        let mut svg = String::new();
        {
            let area = SVGBackend::with_string(&mut svg, (320, 240)).into_drawing_area();
            let data = ScatterData {
                coords: &coords,
                labels: &labels,
                x_label: "PC1".into(),
                y_label: "PC2".into(),
            };
            draw_scatter(&area, &data, 1.0).unwrap_or_else(|e| panic!("{e:?}"));
            area.present().unwrap_or_else(|e| panic!("{e:?}"));
        }
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.contains("PC1"));
    }
}
