//! Line charts: the k-distance curve (with eps markers) and the k sweep's scores.

use super::padded_range;
use plotters::coord::Shift;
use plotters::prelude::*;

pub struct Series<'a> {
    pub name: &'a str,
    pub points: Vec<(f64, f64)>,
    pub colour: RGBColor,
}

/// A horizontal (`Horizontal(y)`) or vertical (`Vertical(x)`) reference line with a label.
pub enum Marker {
    Horizontal(f64, String, RGBColor),
    Vertical(f64, String, RGBColor),
}

pub struct LineChart<'a> {
    pub series: Vec<Series<'a>>,
    pub markers: Vec<Marker>,
    pub x_label: &'a str,
    pub y_label: &'a str,
}

pub fn draw_lines<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &LineChart,
    scale: f64,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&WHITE)?;
    let xs = chart.series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let ys = chart.series.iter().flat_map(|s| s.points.iter().map(|p| p.1)).chain(
        chart.markers.iter().filter_map(|m| match m {
            Marker::Horizontal(y, ..) => Some(*y),
            Marker::Vertical(..) => None,
        }),
    );
    let (x_range, y_range) = (padded_range(xs, 0.05), padded_range(ys, 0.05));
    let font = (13.0 * scale) as u32;
    let mut ctx = ChartBuilder::on(area)
        .margin((10.0 * scale) as u32)
        .x_label_area_size((34.0 * scale) as u32)
        .y_label_area_size((54.0 * scale) as u32)
        .build_cartesian_2d(x_range.clone(), y_range.clone())?;
    ctx.configure_mesh()
        .max_light_lines(1)
        .light_line_style(RGBColor(242, 242, 242))
        .x_desc(chart.x_label)
        .y_desc(chart.y_label)
        .label_style(("sans-serif", font))
        .axis_desc_style(("sans-serif", font))
        .draw()?;
    let width = (2.0 * scale).round().max(1.0) as u32;
    for s in &chart.series {
        let style = s.colour.stroke_width(width);
        ctx.draw_series(LineSeries::new(s.points.iter().copied(), style))?
            .label(s.name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], style));
        if s.points.len() <= 20 {
            ctx.draw_series(
                s.points.iter().map(|&p| Circle::new(p, (3.0 * scale) as i32, s.colour.filled())),
            )?;
        }
    }
    for m in &chart.markers {
        let (points, label, colour) = match m {
            Marker::Horizontal(y, label, c) => (vec![(x_range.start, *y), (x_range.end, *y)], label, c),
            Marker::Vertical(x, label, c) => (vec![(*x, y_range.start), (*x, y_range.end)], label, c),
        };
        let style = colour.stroke_width(width);
        ctx.draw_series(DashedLineSeries::new(points, (6.0 * scale) as u32, (4.0 * scale) as u32, style))?
            .label(label.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], style));
    }
    ctx.configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(200, 200, 200))
        .label_font(("sans-serif", font))
        .draw()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_series_and_markers() {
        let mut svg = String::new();
        {
            let area = SVGBackend::with_string(&mut svg, (400, 300)).into_drawing_area();
            let chart = LineChart {
                series: vec![Series {
                    name: "silhouette",
                    points: vec![(2.0, 0.5), (3.0, 0.64), (4.0, 0.55)],
                    colour: RED,
                }],
                markers: vec![Marker::Vertical(3.0, "best k = 3".into(), BLUE)],
                x_label: "k",
                y_label: "score",
            };
            draw_lines(&area, &chart, 1.0).unwrap_or_else(|e| panic!("{e:?}"));
            area.present().unwrap_or_else(|e| panic!("{e:?}"));
        }
        assert!(svg.contains("best k = 3") && svg.contains("silhouette"));
        assert_eq!(svg.matches("<circle").count(), 3);
    }
}
