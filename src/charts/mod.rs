//! Charts drawn with plotters. Each chart is a function from data to any plotters backend: the page draws
//! on a canvas (plotters-canvas), the native tests on an SVG string.

pub mod lines;
pub mod palette;
pub mod scatter;
pub mod silhouette;
pub mod stats;

/// The range of the finite `values`, widened by `share` of its span on each side (0..1 when there are
/// none), so that points never sit on the frame.
pub fn padded_range(values: impl Iterator<Item = f64>, share: f64) -> std::ops::Range<f64> {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if !lo.is_finite() {
        return 0.0..1.0;
    }
    let pad = ((hi - lo) * share).max(1e-9);
    (lo - pad)..(hi + pad)
}

#[cfg(test)]
mod tests {
    use super::padded_range;

    #[test]
    fn padded_range_ignores_non_finite_values() {
        assert_eq!(padded_range([0.0, f64::NAN, 10.0].into_iter(), 0.1), -1.0..11.0);
        assert_eq!(padded_range(std::iter::empty(), 0.1), 0.0..1.0);
    }
}
