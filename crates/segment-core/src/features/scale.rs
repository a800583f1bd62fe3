//! Scalers with scikit-learn's definitions: min-max `(x - min) / (max - min)`, standard
//! `(x - mean) / std` with the population std (ddof = 0), robust `(x - median) / IQR`. A constant column
//! gets scale 1, as scikit-learn does, so it becomes a constant instead of NaN.

use ndarray::{Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ScalerKind {
    #[default]
    MinMax,
    Standard,
    Robust,
    None,
}

impl ScalerKind {
    pub const ALL: [ScalerKind; 4] =
        [ScalerKind::MinMax, ScalerKind::Standard, ScalerKind::Robust, ScalerKind::None];

    pub fn label(self) -> &'static str {
        match self {
            ScalerKind::MinMax => "min-max (0 to 1)",
            ScalerKind::Standard => "standard (z-score)",
            ScalerKind::Robust => "robust (median / IQR)",
            ScalerKind::None => "none",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            ScalerKind::MinMax => "minmax",
            ScalerKind::Standard => "standard",
            ScalerKind::Robust => "robust",
            ScalerKind::None => "none",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == key)
    }
}

/// A scaler fitted on training data: `x_scaled = (x_raw - offset) / scale`, per column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedScaler {
    pub kind: ScalerKind,
    pub offset: Vec<f64>,
    pub scale: Vec<f64>,
    /// Per feature, for a category compared by value (k-prototypes): its values by name, the code of a
    /// value being its position here (offset 0, scale 1); a new file's values are coded by these names.
    /// Empty when no feature is such a category.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<Option<Vec<String>>>,
}

impl FittedScaler {
    pub fn fit(kind: ScalerKind, x_raw: ArrayView2<f64>) -> Self {
        Self::fit_columns(kind, x_raw.axis_iter(Axis(1)).map(|c| c.to_vec()))
    }

    /// [`Self::fit`] on the columns given one at a time, so no rows x features matrix is needed to fit
    /// (a prepared run and the automatic choice's sample read them from the table).
    pub fn fit_columns(kind: ScalerKind, columns: impl IntoIterator<Item = Vec<f64>>) -> Self {
        let (offset, scale) = columns
            .into_iter()
            .map(|col| {
                let (o, s) = column_offset_scale(kind, col);
                let offset = if o.is_finite() { o } else { 0.0 };
                let scale = if s.is_finite() && s > f64::EPSILON * o.abs().max(1.0) { s } else { 1.0 };
                (offset, scale)
            })
            .unzip();
        Self { kind, offset, scale, levels: Vec::new() }
    }

    /// Feature `j`'s values by name when it is a category compared by value ([`Self::levels`]).
    pub fn levels_of(&self, j: usize) -> Option<&[String]> {
        self.levels.get(j).and_then(Option::as_deref)
    }

    pub fn transform(&self, x_raw: ArrayView2<f64>) -> Array2<f64> {
        self.transform_owned(x_raw.to_owned())
    }

    /// [`Self::transform`] in place: the matrix given becomes the scaled one (no second copy).
    pub fn transform_owned(&self, mut x: Array2<f64>) -> Array2<f64> {
        for (j, mut col) in x.axis_iter_mut(Axis(1)).enumerate() {
            col.mapv_inplace(|v| self.scale_value(j, v));
        }
        x
    }

    /// Feature `j`'s value `v` in the scaled space. Every path that scales (runs, saved models, the
    /// streaming apply) goes through here.
    pub fn scale_value(&self, j: usize, v: f64) -> f64 {
        let (o, s) = (self.offset[j], self.scale[j]);
        let t = (v - o) / s;
        // v - o overflows only for values near the limit of f64; divided first, it does not.
        if t.is_finite() || !v.is_finite() {
            t
        } else {
            v / s - o / s
        }
    }
}

/// One column's (offset, scale) for `kind`, before the guards against non-finite or zero scales. Sums
/// run in row order (as ndarray sums a column of a row-major matrix).
fn column_offset_scale(kind: ScalerKind, mut col: Vec<f64>) -> (f64, f64) {
    let sum = |values: &mut dyn Iterator<Item = f64>| values.fold(0.0, |a, v| a + v);
    match kind {
        ScalerKind::None => (0.0, 1.0),
        ScalerKind::MinMax => {
            let (min, max) =
                col.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)));
            (min, max - min)
        }
        ScalerKind::Standard => {
            let n = col.len().max(1) as f64;
            let mean = sum(&mut col.iter().copied()) / n;
            let var = sum(&mut col.iter().map(|v| (v - mean) * (v - mean))) / n;
            if mean.is_finite() && var.is_finite() {
                (mean, var.sqrt())
            } else {
                // Values near the limit of f64 (1e308): the sums overflow. The same figures on the
                // values divided by the largest magnitude, multiplied back.
                let m = col.iter().fold(0.0f64, |m, v| m.max(v.abs()));
                let mean_m = sum(&mut col.iter().map(|v| v / m)) / n;
                let var_m = sum(&mut col.iter().map(|v| (v / m - mean_m).powi(2))) / n;
                (mean_m * m, var_m.sqrt() * m)
            }
        }
        ScalerKind::Robust => {
            col.sort_unstable_by(f64::total_cmp);
            let q = |p: f64| quantile_sorted(&col, p);
            (q(0.5), q(0.75) - q(0.25))
        }
    }
}

/// Linear-interpolation quantile of sorted values (numpy's default), `p` in [0, 1].
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = p * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn minmax_and_standard_match_sklearn_definitions() {
        let x = array![[1.0, 5.0], [3.0, 5.0], [5.0, 5.0]];
        let mm = FittedScaler::fit(ScalerKind::MinMax, x.view()).transform(x.view());
        assert_eq!(mm.column(0).to_vec(), vec![0.0, 0.5, 1.0]);
        assert_eq!(mm.column(1).to_vec(), vec![0.0, 0.0, 0.0]); // constant column: scale 1
        let st = FittedScaler::fit(ScalerKind::Standard, x.view()).transform(x.view());
        let sd = (8.0f64 / 3.0).sqrt();
        assert!((st[[0, 0]] + 2.0 / sd).abs() < 1e-12);
        let rb = FittedScaler::fit(ScalerKind::Robust, x.view()).transform(x.view());
        assert_eq!(rb.column(0).to_vec(), vec![-1.0, 0.0, 1.0]);
    }
}
