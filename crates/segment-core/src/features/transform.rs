//! Transforms applied to a feature before scaling: `log1p` tames skewed money columns (a few big
//! spenders otherwise squeeze everyone else into a corner of the scaled space). Segment means and
//! profiles stay in the file's units; only the space the method sees changes. The transform is signed,
//! sign(x) * ln(1 + |x|), so a refund (negative amount) stays a number.

use ndarray::Array2;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    Log1p,
}

impl Transform {
    pub fn apply(self, v: f64) -> f64 {
        match self {
            Transform::Log1p => v.signum() * v.abs().ln_1p(),
        }
    }
}

/// `x_raw` (columns = `features`) with each feature's transform applied, in place (no copy): what the
/// scaler and the method see.
pub fn x_model(
    mut x: Array2<f64>,
    features: &[String],
    transforms: &BTreeMap<String, Transform>,
) -> Array2<f64> {
    for (j, f) in features.iter().enumerate() {
        if let Some(t) = transforms.get(f) {
            x.column_mut(j).mapv_inplace(|v| t.apply(v));
        }
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn log1p_is_signed_and_only_where_asked() {
        let x = array![[0.0, 9.0], [-(std::f64::consts::E - 1.0), 99.0]];
        let features = vec!["a".to_string(), "b".to_string()];
        let t = BTreeMap::from([("a".to_string(), Transform::Log1p)]);
        let m = x_model(x.clone(), &features, &t);
        assert_eq!(m[[0, 0]], 0.0);
        assert!((m[[1, 0]] + 1.0).abs() < 1e-12);
        assert_eq!(m.column(1), x.column(1));
    }
}
