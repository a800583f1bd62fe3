//! Transforms applied to a feature before scaling: `log1p` tames skewed money columns (a few big
//! spenders otherwise squeeze everyone else into a corner of the scaled space). Segment means and
//! profiles stay in the file's units; only the space the method sees changes. The transform is signed,
//! sign(x) * ln(1 + |x|), so a refund (negative amount) stays a number.

use serde::{Deserialize, Serialize};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log1p_is_signed() {
        assert_eq!(Transform::Log1p.apply(0.0), 0.0);
        assert!((Transform::Log1p.apply(-(std::f64::consts::E - 1.0)) + 1.0).abs() < 1e-12);
        assert!((Transform::Log1p.apply(std::f64::consts::E - 1.0) - 1.0).abs() < 1e-12);
    }
}
