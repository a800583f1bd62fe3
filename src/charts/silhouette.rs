//! The silhouette plot: for each segment, its customers' silhouette values as horizontal bars, highest
//! first, blocks stacked with a gap; a vertical line at the mean. Wide blocks far right of zero are
//! tight, well-separated segments; bars left of zero are customers closer to another segment.

use super::palette::segment_colour;
use plotters::coord::Shift;
use plotters::prelude::*;

pub struct SilhouettePlot<'a> {
    /// Per segment, values highest first (thinned).
    pub profile: &'a [Vec<f32>],
    pub names: &'a [String],
    pub mean: f64,
}

pub fn draw_silhouette<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    plot: &SilhouettePlot,
    scale: f64,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&WHITE)?;
    let gap = 12usize;
    let total: usize = plot.profile.iter().map(|p| p.len() + gap).sum::<usize>() + gap;
    let lowest = plot.profile.iter().flatten().fold(0.0f32, |m, &v| m.min(v));
    let x_min = (f64::from(lowest) - 0.05).clamp(-1.0, -0.1);
    let font = (13.0 * scale) as u32;
    let mut chart = ChartBuilder::on(area)
        .margin((8.0 * scale) as u32)
        .x_label_area_size((36.0 * scale) as u32)
        .y_label_area_size((12.0 * scale) as u32)
        .build_cartesian_2d(x_min..1.0f64, 0.0..total as f64)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .disable_y_axis()
        .max_light_lines(1)
        .light_line_style(RGBColor(242, 242, 242))
        .x_desc("silhouette value (-1 to 1; higher: closer to its own segment than to any other)")
        .label_style(("sans-serif", font))
        .axis_desc_style(("sans-serif", font))
        .draw()?;
    // A segment's name only where its band is tall enough to hold it (many small segments: none).
    let row_pixels = f64::from(area.dim_in_pixel().1) / total.max(1) as f64;
    let mut y = total as f64 - gap as f64;
    for (s, values) in plot.profile.iter().enumerate() {
        let colour = segment_colour(s);
        let top = y;
        chart.draw_series(values.iter().enumerate().map(|(i, &v)| {
            let row = top - i as f64;
            Rectangle::new([(0.0, row - 1.0), (f64::from(v), row)], colour.mix(0.85).filled())
        }))?;
        if (values.len() + gap) as f64 * row_pixels >= 1.3 * f64::from(font) {
            let name = plot.names.get(s).cloned().unwrap_or_else(|| format!("Segment {}", s + 1));
            chart.draw_series(std::iter::once(Text::new(
                name,
                (x_min + 0.02, top - values.len() as f64 / 2.0),
                ("sans-serif", font).into_font().color(&BLACK),
            )))?;
        }
        y = top - values.len() as f64 - gap as f64;
    }
    chart.draw_series(LineSeries::new(
        [(plot.mean, 0.0), (plot.mean, total as f64)],
        ShapeStyle {
            color: RGBColor(213, 94, 0).to_rgba(),
            filled: false,
            stroke_width: (2.0 * scale) as u32,
        },
    ))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_bar_per_value_and_a_mean_line() {
        let profile = vec![vec![0.9f32, 0.5, 0.1], vec![0.4, -0.2]];
        let names = vec!["A".to_string(), "B".to_string()];
        let mut svg = String::new();
        {
            let area = SVGBackend::with_string(&mut svg, (400, 300)).into_drawing_area();
            let plot = SilhouettePlot { profile: &profile, names: &names, mean: 0.34 };
            draw_silhouette(&area, &plot, 1.0).unwrap_or_else(|e| panic!("{e:?}"));
            area.present().unwrap_or_else(|e| panic!("{e:?}"));
        }
        assert_eq!(svg.matches("<rect").count() - 1, 5, "one bar per value (plus the background)");
        assert!(svg.contains("\nA\n") && svg.contains("\nB\n"), "segment names are drawn");
        assert!(svg.contains("<polyline"));
    }
}
