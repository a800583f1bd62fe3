//! The dashboard's statistical charts: pies of a variable's total by segment, bars of means, histograms
//! and box plots by group, the correlation heatmap, a scatter of a row sample and parallel coordinates
//! of segment profiles. Each takes plain data (names, colours, numbers) and any plotters backend.

use super::padded_range;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// One group of a chart (a segment, noise, "the rest"): its name and colour.
#[derive(Clone)]
pub struct Group {
    pub name: String,
    pub colour: RGBColor,
}

/// Writes each group's name under the centre of its slot on the x axis (0..n, one unit per group).
fn group_names<DB: DrawingBackend, Y: Ranged<ValueType = f64>>(
    area: &DrawingArea<DB, Shift>,
    ctx: &ChartContext<DB, Cartesian2d<plotters::coord::types::RangedCoordf64, Y>>,
    groups: &[Group],
    bottom: f64,
    scale: f64,
) -> DrawResult<DB> {
    let style = ("sans-serif", font(scale)).into_font().color(&BLACK).pos(Pos::new(HPos::Center, VPos::Top));
    for (i, g) in groups.iter().enumerate() {
        let (x, y) = ctx.backend_coord(&(i as f64 + 0.5, bottom));
        area.draw(&Text::new(g.name.clone(), (x, y + (6.0 * scale) as i32), style.clone()))?;
    }
    Ok(())
}

/// The series legend, top right.
fn legend<'a, DB: DrawingBackend + 'a>(
    ctx: &mut ChartContext<
        'a,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    scale: f64,
) -> DrawResult<DB> {
    ctx.configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(200, 200, 200))
        .label_font(("sans-serif", font(scale)))
        .draw()?;
    Ok(())
}

fn font(scale: f64) -> u32 {
    (13.0 * scale) as u32
}

/// A pie of `shares` (summing to 1), labelled with each group's name and percentage.
pub fn draw_pie<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    groups: &[Group],
    shares: &[f64],
    scale: f64,
) -> DrawResult<DB> {
    area.fill(&WHITE)?;
    let (w, h) = area.dim_in_pixel();
    let centre = (w as i32 / 2, h as i32 / 2);
    let radius = f64::from(w.min(h)) * 0.32;
    let colours: Vec<RGBColor> = groups.iter().map(|g| g.colour).collect();
    let labels: Vec<String> =
        groups.iter().zip(shares).map(|(g, s)| format!("{} {:.1}%", g.name, 100.0 * s)).collect();
    let mut pie = Pie::new(&centre, &radius, shares, &colours, &labels);
    pie.label_style(("sans-serif", font(scale)).into_font().color(&BLACK));
    pie.label_offset(8.0 * scale);
    area.draw(&pie)?;
    Ok(())
}

/// Bars: one per group, its value labelled above it.
pub fn draw_bars<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    groups: &[Group],
    values: &[f64],
    y_label: &str,
    scale: f64,
) -> DrawResult<DB> {
    area.fill(&WHITE)?;
    let top = values.iter().copied().filter(|v| v.is_finite()).fold(0.0, f64::max) * 1.15;
    let bottom = values.iter().copied().filter(|v| v.is_finite()).fold(0.0, f64::min) * 1.15;
    let n = groups.len().max(1);
    let mut ctx = ChartBuilder::on(area)
        .margin((10.0 * scale) as u32)
        .x_label_area_size((34.0 * scale) as u32)
        .y_label_area_size((60.0 * scale) as u32)
        .build_cartesian_2d(0.0..n as f64, bottom..top.max(bottom + 1e-9))?;
    ctx.configure_mesh()
        .disable_x_mesh()
        .max_light_lines(1)
        .light_line_style(RGBColor(242, 242, 242))
        .x_labels(0)
        .y_desc(y_label)
        .label_style(("sans-serif", font(scale)))
        .axis_desc_style(("sans-serif", font(scale)))
        .draw()?;
    for (i, (g, &v)) in groups.iter().zip(values).enumerate() {
        if !v.is_finite() {
            continue;
        }
        let x = i as f64;
        ctx.draw_series(std::iter::once(Rectangle::new(
            [(x + 0.15, 0.0), (x + 0.85, v)],
            g.colour.filled(),
        )))?;
        ctx.draw_series(std::iter::once(Text::new(
            format_value(v),
            (x + 0.3, v + (top - bottom) * 0.02),
            ("sans-serif", font(scale)),
        )))?;
    }
    group_names(area, &ctx, groups, bottom, scale)?;
    Ok(())
}

/// Histograms on shared bins, one outline per group, as shares of the group (so a small segment's
/// shape compares with a large one's).
pub fn draw_histograms<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    groups: &[Group],
    edges: &[f64],
    counts: &[Vec<u64>],
    x_label: &str,
    scale: f64,
) -> DrawResult<DB> {
    area.fill(&WHITE)?;
    let shares: Vec<Vec<f64>> = counts
        .iter()
        .map(|c| {
            let total = c.iter().sum::<u64>().max(1) as f64;
            c.iter().map(|&v| v as f64 / total).collect()
        })
        .collect();
    let top = shares.iter().flatten().copied().fold(0.0, f64::max) * 1.1;
    let (lo, hi) = (edges.first().copied().unwrap_or(0.0), edges.last().copied().unwrap_or(1.0));
    let mut ctx = ChartBuilder::on(area)
        .margin((10.0 * scale) as u32)
        .x_label_area_size((34.0 * scale) as u32)
        .y_label_area_size((54.0 * scale) as u32)
        .build_cartesian_2d(lo..hi.max(lo + 1e-9), 0.0..top.max(1e-9))?;
    ctx.configure_mesh()
        .max_light_lines(1)
        .light_line_style(RGBColor(242, 242, 242))
        .x_labels(6)
        .x_label_formatter(&|v| format_value(*v))
        .x_desc(x_label)
        .y_desc("share of the group")
        .y_label_formatter(&|v| format!("{:.0}%", v * 100.0))
        .label_style(("sans-serif", font(scale)))
        .axis_desc_style(("sans-serif", font(scale)))
        .draw()?;
    let width = (2.0 * scale).round().max(1.0) as u32;
    for (g, s) in groups.iter().zip(&shares) {
        if s.iter().all(|v| *v == 0.0) {
            continue;
        }
        let mut path = vec![(lo, 0.0)];
        for (i, &v) in s.iter().enumerate() {
            path.push((edges[i], v));
            path.push((edges[i + 1], v));
        }
        path.push((hi, 0.0));
        let style = g.colour.stroke_width(width);
        ctx.draw_series(std::iter::once(Polygon::new(path.clone(), g.colour.mix(0.12).filled())))?;
        ctx.draw_series(LineSeries::new(path, style))?
            .label(g.name.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], style));
    }
    legend(&mut ctx, scale)
}

/// The five numbers of a box plot.
#[derive(Clone, Copy)]
pub struct BoxStats {
    pub whisker_low: f64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub whisker_high: f64,
}

/// One box per group: the box from q1 to q3 with the median, whiskers to 1.5 IQR.
pub fn draw_boxes<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    groups: &[Group],
    boxes: &[Option<BoxStats>],
    y_label: &str,
    scale: f64,
) -> DrawResult<DB> {
    area.fill(&WHITE)?;
    let ys = boxes.iter().flatten().flat_map(|b| [b.whisker_low, b.whisker_high]);
    let y_range = padded_range(ys, 0.05);
    let bottom = y_range.start;
    let n = groups.len().max(1);
    let mut ctx = ChartBuilder::on(area)
        .margin((10.0 * scale) as u32)
        .x_label_area_size((34.0 * scale) as u32)
        .y_label_area_size((60.0 * scale) as u32)
        .build_cartesian_2d(0.0..n as f64, y_range)?;
    ctx.configure_mesh()
        .disable_x_mesh()
        .max_light_lines(1)
        .light_line_style(RGBColor(242, 242, 242))
        .x_labels(0)
        .y_desc(y_label)
        .label_style(("sans-serif", font(scale)))
        .axis_desc_style(("sans-serif", font(scale)))
        .draw()?;
    let width = (2.0 * scale).round().max(1.0) as u32;
    for (i, (g, b)) in groups.iter().zip(boxes).enumerate() {
        let Some(b) = b else { continue };
        let (x, style) = (i as f64, g.colour.stroke_width(width));
        let mid = x + 0.5;
        ctx.draw_series(std::iter::once(Rectangle::new(
            [(x + 0.2, b.q1), (x + 0.8, b.q3)],
            g.colour.mix(0.25).filled(),
        )))?;
        ctx.draw_series(std::iter::once(Rectangle::new([(x + 0.2, b.q1), (x + 0.8, b.q3)], style)))?;
        ctx.draw_series(std::iter::once(PathElement::new(
            vec![(x + 0.2, b.median), (x + 0.8, b.median)],
            BLACK.stroke_width(width),
        )))?;
        for (from, to) in [(b.q1, b.whisker_low), (b.q3, b.whisker_high)] {
            ctx.draw_series(std::iter::once(PathElement::new(vec![(mid, from), (mid, to)], style)))?;
            ctx.draw_series(std::iter::once(PathElement::new(vec![(x + 0.35, to), (x + 0.65, to)], style)))?;
        }
    }
    group_names(area, &ctx, groups, bottom, scale)?;
    Ok(())
}

/// The correlation matrix as coloured cells (blue negative, orange positive) with r written in each.
pub fn draw_heatmap<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    names: &[String],
    matrix: &[Vec<f64>],
    scale: f64,
) -> DrawResult<DB> {
    area.fill(&WHITE)?;
    let n = names.len().max(1);
    let mut ctx = ChartBuilder::on(area)
        .margin((10.0 * scale) as u32)
        .x_label_area_size((40.0 * scale) as u32)
        .y_label_area_size((110.0 * scale) as u32)
        .build_cartesian_2d(0.0..n as f64, 0.0..n as f64)?;
    ctx.configure_mesh()
        .disable_mesh()
        .x_labels(n)
        .y_labels(n)
        .x_label_formatter(&|x| names.get(x.floor() as usize).cloned().unwrap_or_default())
        .y_label_formatter(&|y| {
            names.get(n - 1 - (y.floor() as usize).min(n - 1)).cloned().unwrap_or_default()
        })
        .label_style(("sans-serif", font(scale)))
        .draw()?;
    for (i, row) in matrix.iter().enumerate() {
        for (j, &r) in row.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            let colour = if !r.is_finite() {
                RGBColor(235, 235, 235)
            } else if r >= 0.0 {
                blend(RGBColor(255, 255, 255), RGBColor(230, 159, 0), r)
            } else {
                blend(RGBColor(255, 255, 255), RGBColor(0, 114, 178), -r)
            };
            let x = j as f64;
            ctx.draw_series(std::iter::once(Rectangle::new([(x, y), (x + 1.0, y + 1.0)], colour.filled())))?;
            let text = if r.is_finite() { format!("{r:.2}") } else { "–".into() };
            ctx.draw_series(std::iter::once(Text::new(
                text,
                (x + 0.3, y + 0.6),
                ("sans-serif", font(scale)),
            )))?;
        }
    }
    Ok(())
}

fn blend(a: RGBColor, b: RGBColor, t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let mix = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * t) as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// A scatter of sampled rows; `highlight` draws one group on top, the others faded.
pub fn draw_points<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    points: &[(f64, f64, usize)],
    groups: &[Group],
    highlight: Option<usize>,
    labels: (&str, &str),
    scale: f64,
) -> DrawResult<DB> {
    area.fill(&WHITE)?;
    let (xr, yr) =
        (padded_range(points.iter().map(|p| p.0), 0.03), padded_range(points.iter().map(|p| p.1), 0.03));
    let mut ctx = ChartBuilder::on(area)
        .margin((10.0 * scale) as u32)
        .x_label_area_size((34.0 * scale) as u32)
        .y_label_area_size((60.0 * scale) as u32)
        .build_cartesian_2d(xr, yr)?;
    ctx.configure_mesh()
        .max_light_lines(1)
        .light_line_style(RGBColor(242, 242, 242))
        .x_desc(labels.0)
        .y_desc(labels.1)
        .label_style(("sans-serif", font(scale)))
        .axis_desc_style(("sans-serif", font(scale)))
        .draw()?;
    let r = (2.0 * scale).round().max(1.0) as i32;
    let faded = |g: usize| highlight.is_some_and(|h| h != g);
    let colour = |g: usize| groups.get(g).map_or(RGBColor(170, 170, 170), |g| g.colour);
    ctx.draw_series(
        points
            .iter()
            .filter(|p| faded(p.2))
            .map(|&(x, y, _)| Circle::new((x, y), r, RGBColor(200, 200, 200).filled())),
    )?;
    ctx.draw_series(
        points
            .iter()
            .filter(|p| !faded(p.2))
            .map(|&(x, y, g)| Circle::new((x, y), r, colour(g).mix(0.8).filled())),
    )?;
    Ok(())
}

/// Parallel coordinates: one line per group through its value on each axis (values already scaled to
/// 0..1 per axis), for comparing segment profiles at a glance.
pub fn draw_parallel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    axes: &[String],
    groups: &[Group],
    values: &[Vec<f64>],
    scale: f64,
) -> DrawResult<DB> {
    area.fill(&WHITE)?;
    let n = axes.len().max(2);
    let mut ctx = ChartBuilder::on(area)
        .margin((16.0 * scale) as u32)
        .x_label_area_size((34.0 * scale) as u32)
        .y_label_area_size((60.0 * scale) as u32)
        .build_cartesian_2d(-0.2..(n as f64 - 0.8), 0.0..1.05)?;
    ctx.configure_mesh()
        .disable_x_mesh()
        .max_light_lines(1)
        .light_line_style(RGBColor(242, 242, 242))
        .x_labels(n)
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 {
                axes.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_desc("lowest to highest segment mean")
        .y_label_formatter(&|v| format!("{:.0}%", v * 100.0))
        .label_style(("sans-serif", font(scale)))
        .axis_desc_style(("sans-serif", font(scale)))
        .draw()?;
    let width = (3.0 * scale).round().max(1.0) as u32;
    for (g, vs) in groups.iter().zip(values) {
        let style = g.colour.stroke_width(width);
        let path: Vec<(f64, f64)> = vs.iter().enumerate().map(|(i, &v)| (i as f64, v)).collect();
        ctx.draw_series(LineSeries::new(path.clone(), style))?
            .label(g.name.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], style));
        ctx.draw_series(path.into_iter().map(|p| Circle::new(p, (4.0 * scale) as i32, g.colour.filled())))?;
    }
    legend(&mut ctx, scale)
}

/// A value short enough for a chart label.
pub fn format_value(v: f64) -> String {
    if v.abs() >= 1000.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups() -> Vec<Group> {
        vec![Group { name: "A".into(), colour: RED }, Group { name: "B".into(), colour: BLUE }]
    }

    fn svg(draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>)) -> String {
        let mut out = String::new();
        {
            let area = SVGBackend::with_string(&mut out, (500, 360)).into_drawing_area();
            draw(&area);
            area.present().unwrap_or_else(|e| panic!("{e:?}"));
        }
        out
    }

    #[test]
    fn every_chart_draws_its_labels() {
        let g = groups();
        let pie = svg(|a| draw_pie(a, &g, &[0.25, 0.75], 1.0).unwrap_or_else(|e| panic!("{e:?}")));
        assert!(pie.contains("A 25.0%") && pie.contains("B 75.0%"));
        let bars = svg(|a| draw_bars(a, &g, &[3.0, 1234.0], "mean", 1.0).unwrap_or_else(|e| panic!("{e:?}")));
        assert!(bars.contains("1234") && bars.contains("3.00"));
        let hist = svg(|a| {
            draw_histograms(a, &g, &[0.0, 1.0, 2.0], &[vec![1, 3], vec![2, 2]], "visits", 1.0)
                .unwrap_or_else(|e| panic!("{e:?}"))
        });
        assert!(hist.contains("visits") && hist.contains("share of the group"));
        let b = BoxStats { whisker_low: 0.0, q1: 1.0, median: 2.0, q3: 3.0, whisker_high: 5.0 };
        let boxes =
            svg(|a| draw_boxes(a, &g, &[Some(b), None], "visits", 1.0).unwrap_or_else(|e| panic!("{e:?}")));
        assert!(boxes.contains("visits"));
        let names = vec!["x".to_string(), "y".to_string()];
        let heat = svg(|a| {
            draw_heatmap(a, &names, &[vec![1.0, -0.5], vec![-0.5, 1.0]], 1.0)
                .unwrap_or_else(|e| panic!("{e:?}"))
        });
        assert!(heat.contains("-0.50") && heat.contains("1.00"));
        let par = svg(|a| {
            draw_parallel(a, &names, &g, &[vec![0.0, 1.0], vec![1.0, 0.0]], 1.0)
                .unwrap_or_else(|e| panic!("{e:?}"))
        });
        assert!(par.contains("lowest to highest segment mean"));
        let pts = svg(|a| {
            draw_points(a, &[(0.0, 1.0, 0), (1.0, 0.0, 1)], &g, Some(0), ("x", "y"), 1.0)
                .unwrap_or_else(|e| panic!("{e:?}"))
        });
        assert_eq!(pts.matches("<circle").count(), 2);
    }
}
